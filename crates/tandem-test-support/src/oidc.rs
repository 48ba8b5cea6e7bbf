//! A real OpenID Connect provider on loopback for the single sign-on tests: `oidc/provider.mjs`,
//! on the npm package `oidc-provider` (web/package.json's devDependencies, installed by
//! `npm ci --prefix web`), run by Node.js.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The running provider; stopped when dropped.
pub struct OidcProvider {
    child: Child,
    issuer: String,
    /// The provider's standard error (its notices), shown if it fails to start.
    _log: tempfile::NamedTempFile,
}

/// Whether the tests must run rather than skip when Node.js or the package is missing: on CI
/// (`CI` set) or with `TANDEM_BROWSER_TESTS=required`, as `.ci/run` sets it.
fn required() -> bool {
    std::env::var_os("CI").is_some()
        || std::env::var("TANDEM_BROWSER_TESTS").is_ok_and(|v| v == "required")
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

impl OidcProvider {
    /// Starts a provider on a free port with `config` (see `oidc/provider.mjs`); `None` (the
    /// test then skips, saying so) when Node.js or `oidc-provider` is missing, unless required.
    pub fn start(config: &serde_json::Value) -> Option<Self> {
        let module = workspace().join("web/node_modules/oidc-provider/lib/index.js");
        let node = Command::new("node")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !node || !module.exists() {
            assert!(
                !required(),
                "CI or TANDEM_BROWSER_TESTS=required, but Node.js or the oidc-provider package \
                 is missing (npm ci --prefix web)"
            );
            eprintln!(
                "node or web/node_modules/oidc-provider missing: single sign-on test SKIPPED."
            );
            return None;
        }
        let log = tempfile::NamedTempFile::new().expect("a log file");
        let mut child = Command::new("node")
            .arg(workspace().join("crates/tandem-test-support/oidc/provider.mjs"))
            .arg(&module)
            .arg(config.to_string())
            .stdout(Stdio::piped())
            .stderr(log.reopen().expect("the log file"))
            .spawn()
            .expect("start the OpenID provider");
        // The port is printed once the provider accepts connections.
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the OpenID provider's port");
        let Ok(port) = line.trim().parse::<u16>() else {
            let _ = child.kill();
            let _ = child.wait();
            let errors = std::fs::read_to_string(log.path()).unwrap_or_default();
            panic!("the OpenID provider did not start: {errors}");
        };
        Some(Self {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
            _log: log,
        })
    }

    /// The issuer URL (`TANDEM_OIDC_ISSUER`).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
