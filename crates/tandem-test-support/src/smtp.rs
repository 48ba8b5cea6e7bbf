//! A real SMTP server on loopback for email tests: `smtp/sink.py`, on Python's `aiosmtpd` (from
//! PyPI; `.ci/run` installs it). Each email it accepts is written to a folder before the server
//! answers, so whatever a sender saw accepted can be read back at once.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// An email as the server received it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Received {
    /// The envelope's recipients.
    pub to: Vec<String>,
    /// The subject line, decoded.
    pub subject: String,
    /// The text, decoded.
    pub body: String,
}

/// The running server; stopped when dropped.
pub struct SmtpSink {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

/// Whether the email tests must run (`TANDEM_SMTP_TESTS=required`, as CI sets it) rather than
/// skip when `aiosmtpd` is missing.
fn required() -> bool {
    std::env::var("TANDEM_SMTP_TESTS").is_ok_and(|v| v == "required")
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("smtp/sink.py")
}

impl SmtpSink {
    /// Starts a server on a free port; `None` (the test then skips, saying so) when Python's
    /// `aiosmtpd` is missing, unless `TANDEM_SMTP_TESTS=required`, when that fails the test.
    pub fn start() -> Option<Self> {
        let available = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !available {
            assert!(
                !required(),
                "TANDEM_SMTP_TESTS=required, but python3 with aiosmtpd is missing \
                 (python3 -m pip install aiosmtpd)"
            );
            eprintln!("python3 -m aiosmtpd missing: email test SKIPPED.");
            return None;
        }
        let mut sink = Self {
            child: None,
            port: 0,
            dir: tempfile::tempdir().expect("temp dir"),
        };
        sink.listen();
        Some(sink)
    }

    fn listen(&mut self) {
        let mut child = Command::new("python3")
            .arg(script())
            .arg(self.dir.path())
            .arg(self.port.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP sink");
        // The port is printed once the server accepts connections.
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the SMTP sink's port");
        self.port = line.trim().parse().expect("a port number");
        self.child = Some(child);
    }

    /// The URL to send through (`TANDEM_SMTP_URL`).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server: sending then fails as with a mail server that is down.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("stop the SMTP sink");
            child.wait().expect("the SMTP sink stopped");
        }
    }

    /// Starts the server again on the same port, keeping what it received.
    pub fn restart(&mut self) {
        self.stop();
        self.listen();
    }

    /// Every email received so far, in the order received.
    pub fn received(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("the sink's folder")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("an email");
                serde_json::from_str(&text).expect("an email as JSON")
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
