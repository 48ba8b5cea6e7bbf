//! `tandem user add`, `tandem serve` and `tandem demo` as an operator runs them: the real binary,
//! a real port, plain HTTP requests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};

use tandem_core::Role;
use tandem_test_support::TempDatabase;

fn tandem(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tandem");
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    // A command that needs no input may exit before reading it; its output is what is tested.
    if let Err(error) = written {
        assert_eq!(error.kind(), ErrorKind::BrokenPipe, "write stdin: {error}");
    }
    child.wait_with_output().expect("wait")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A server process, killed when the test ends however it ends.
struct Server {
    child: Child,
    address: String,
    /// The lines of its log after the one announcing the address, as they come.
    log: std::sync::mpsc::Receiver<String>,
}

impl Server {
    /// Starts `tandem ARGS` and waits for the line announcing where it listens.
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
            .args(args)
            // These tests sign parents and professionals in with a password alone; two-factor
            // sign-in is tested in tandem-app and tandem-web.
            .env("TANDEM_EXTERNAL_2FA", "optional")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tandem");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let mut seen = Vec::new();
        let address = loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                panic!("tandem ended before listening:\n{}", seen.join("\n"));
            };
            let line = line.expect("read stderr");
            if let Some(rest) = line.split("is running at http://").nth(1) {
                break rest.trim().to_owned();
            }
            seen.push(line);
        };
        // Keep draining the log so the server never blocks on a full pipe.
        let (sender, log) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                // Nobody listening any more is fine: the lines are still drained.
                let _ = sender.send(line);
            }
        });
        Self {
            child,
            address,
            log,
        }
    }

    /// Waits up to a minute for a log line containing `text`.
    fn wait_for_log(&self, text: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => panic!("no log line containing {text:?} within a minute"),
            }
        }
    }

    /// One HTTP/1.1 request; returns the status, the headers (lower-cased names) and the body.
    fn request(&self, method: &str, path: &str, cookie: Option<&str>, form: &str) -> Reply {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.address
        );
        if let Some(cookie) = cookie {
            request.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        if method == "POST" {
            request.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                form.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(form);
        stream.write_all(request.as_bytes()).expect("send");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("receive");
        let (head, body) = raw.split_once("\r\n\r\n").expect("a full response");
        let mut head_lines = head.lines();
        let status = head_lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let headers = head_lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    /// Signs in as a script would (no browser headers, so no form token) and returns the
    /// session cookie.
    fn sign_in(&self, email: &str, password: &str) -> String {
        let form = format!(
            "email={}&password={}",
            email.replace('@', "%40"),
            password.replace(' ', "+")
        );
        let reply = self.request("POST", "/sign-in", None, &form);
        assert_eq!(reply.status, 303, "sign-in as {email}: {}", reply.body);
        reply
            .header("set-cookie")
            .into_iter()
            .find(|c| c.contains("tandem_session="))
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// `tandem user add` with `extra` arguments and `password` on standard input.
fn user_add(url: &str, email: &str, role: &str, extra: &[&str], password: &str) -> Output {
    let mut args = vec![
        "user",
        "add",
        "--email",
        email,
        "--role",
        role,
        "--database",
        url,
    ];
    args.extend_from_slice(extra);
    tandem(&args, password)
}

#[test]
fn user_add_takes_the_password_from_stdin_or_generates_one() {
    let db = TempDatabase::sqlite();
    let typed = tandem(
        &[
            "user",
            "add",
            "--email",
            "Ops@Example.test",
            "--role",
            "admin",
            "--name",
            "Ops",
            "--database",
            &db.url,
        ],
        "a long enough passphrase\n",
    );
    assert!(typed.status.success(), "{}", text(&typed.stderr));
    assert!(typed.stdout.is_empty(), "a typed password is never echoed");

    let generated = tandem(
        &[
            "user",
            "add",
            "--email",
            "cm@example.test",
            "--role",
            "case_manager",
            "--team",
            "north",
            "--database",
            &db.url,
        ],
        "",
    );
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    let password = text(&generated.stdout).trim().to_owned();
    assert!(password.len() >= 12, "generated password {password:?}");

    let server = Server::start(&["serve", "--addr", "127.0.0.1:0", "--database", &db.url]);
    assert_eq!(server.request("GET", "/health", None, "").status, 200);
    // Email addresses are matched without regard to case.
    let admin = server.sign_in("ops@example.test", "a long enough passphrase");
    let home = server.request("GET", "/", Some(&admin), "");
    assert_eq!(home.status, 303);
    assert_eq!(home.header("location"), ["/admin/users"]);
    let case_manager = server.sign_in("cm@example.test", &password);
    let home = server.request("GET", "/", Some(&case_manager), "");
    assert_eq!(home.header("location"), ["/cases"]);
}

#[test]
fn user_add_refuses_bad_input_with_the_contract_exit_codes() {
    let db = TempDatabase::sqlite();
    let add =
        |email: &str, role: &str, password: &str| user_add(&db.url, email, role, &[], password);
    let unknown_role = add("a@example.test", "wizard", "a long enough passphrase\n");
    assert_eq!(unknown_role.status.code(), Some(2));
    assert!(text(&unknown_role.stderr).contains("case_manager"));

    let short = add("a@example.test", "parent", "short\n");
    assert_eq!(short.status.code(), Some(1));
    assert!(
        text(&short.stderr).contains("password"),
        "{}",
        text(&short.stderr)
    );

    assert!(
        add("a@example.test", "parent", "a long enough passphrase\n")
            .status
            .success()
    );
    let again = add("A@example.test", "analyst", "a long enough passphrase\n");
    assert_eq!(again.status.code(), Some(1), "{}", text(&again.stderr));
    assert!(
        text(&again.stderr).contains("email"),
        "{}",
        text(&again.stderr)
    );
}

/// The references of `count` generated cases imported into the database at `url`.
fn imported_cases(url: &str, dir: &std::path::Path, count: usize) -> Vec<String> {
    let path = dir.join("cases.jsonl");
    let path_text = path.to_str().expect("utf-8 path");
    let generated = tandem(
        &["generate", "--cases", &count.to_string(), "--seed", "7"]
            .into_iter()
            .chain(["--as-of", "2026-11-30", "--out", path_text])
            .collect::<Vec<_>>(),
        "",
    );
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    let imported = tandem(&["import", path_text, "--database", url], "");
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    std::fs::read_to_string(&path)
        .expect("read cases")
        .lines()
        .map(|line| {
            let case: serde_json::Value = serde_json::from_str(line).expect("a case file");
            case["reference"].as_str().expect("a reference").to_owned()
        })
        .collect()
}

#[test]
fn serve_prepares_the_days_dashboards_when_it_starts() {
    let db = TempDatabase::sqlite();
    let dir = tempfile::tempdir().expect("temp dir");
    imported_cases(&db.url, dir.path(), 20);
    let server = Server::start(&["serve", "--addr", "127.0.0.1:0", "--database", &db.url]);
    let line = server.wait_for_log("dashboards prepared for the day");
    assert!(line.contains("INFO"), "{line}");
}

#[test]
fn a_parent_added_with_their_childs_case_sees_that_case_and_no_other() {
    let db = TempDatabase::sqlite();
    let dir = tempfile::tempdir().expect("temp dir");
    let references = imported_cases(&db.url, dir.path(), 3);
    let (own, other) = (&references[0], &references[1]);
    let add = |email: &str, role: &str, case: &str| {
        user_add(
            &db.url,
            email,
            role,
            &["--case", case],
            "a long enough passphrase\n",
        )
    };

    // Nothing is half-saved: an unknown case, or a case for a role other than parent, refuses the
    // whole account, and the same address can then be used properly.
    let unknown = add("parent@example.test", "parent", "EHC-NOSUCH");
    assert_eq!(unknown.status.code(), Some(1), "{}", text(&unknown.stderr));
    assert!(text(&unknown.stderr).contains("EHC-NOSUCH"));
    let wrong_role = add("parent@example.test", "analyst", own);
    assert_eq!(wrong_role.status.code(), Some(1));
    assert!(text(&wrong_role.stderr).contains("parent"));
    let added = add("parent@example.test", "parent", own);
    assert!(added.status.success(), "{}", text(&added.stderr));

    let server = Server::start(&["serve", "--addr", "127.0.0.1:0", "--database", &db.url]);
    let parent = server.sign_in("parent@example.test", "a long enough passphrase");
    let home = server.request("GET", "/", Some(&parent), "");
    assert_eq!(home.header("location"), ["/cases"]);

    let listed = server.request("GET", "/api/v1/cases", Some(&parent), "");
    assert_eq!(listed.status, 200, "{}", listed.body);
    let listed: serde_json::Value = serde_json::from_str(&listed.body).expect("JSON");
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["cases"][0]["reference"], own.as_str());

    let page = server.request("GET", "/cases", Some(&parent), "");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Your child’s cases"));
    assert!(page.body.contains(own.as_str()));
    assert!(!page.body.contains(other.as_str()));

    let mine = server.request("GET", &format!("/api/v1/cases/{own}"), Some(&parent), "");
    assert_eq!(mine.status, 200);
    // The family's page of the case: where it is, what happens next, what has happened; none of
    // the staff's working detail.
    let page = server.request("GET", &format!("/cases/{own}"), Some(&parent), "");
    assert_eq!(page.status, 200);
    for heading in ["Where things are", "What happens next", "What has happened"] {
        assert!(page.body.contains(heading), "{heading}");
    }
    for staff_only in ["Record the next step", "Statutory deadlines", "Reassign"] {
        assert!(!page.body.contains(staff_only), "{staff_only}");
    }
    let timeline: serde_json::Value = serde_json::from_str(
        &server
            .request(
                "GET",
                &format!("/api/v1/cases/{own}/timeline"),
                Some(&parent),
                "",
            )
            .body,
    )
    .expect("timeline JSON");
    // Every step still due is explained to the family in the engine's own words.
    for milestone in timeline["milestones"].as_array().expect("milestones") {
        if ["pending", "overdue"].contains(&milestone["status"].as_str().unwrap_or("")) {
            let explanation = milestone["explanation"].as_str().expect("explanation");
            let escaped = explanation.replace('\'', "&#x27;").replace('"', "&quot;");
            assert!(
                page.body.contains(explanation) || page.body.contains(&escaped),
                "{explanation}"
            );
        }
    }
    for path in [
        format!("/api/v1/cases/{other}"),
        format!("/api/v1/cases/{other}/timeline"),
        format!("/cases/{other}"),
    ] {
        let refused = server.request("GET", &path, Some(&parent), "");
        assert!(
            [403, 404].contains(&refused.status),
            "{path}: {}",
            refused.status
        );
        // Answered exactly as for a reference no case has, so nothing about the case leaks.
        let nothing = server.request(
            "GET",
            &path.replace(other.as_str(), "EHC-NOSUCH"),
            Some(&parent),
            "",
        );
        assert_eq!(
            (
                refused.status,
                refused.body.replace(other.as_str(), "EHC-NOSUCH")
            ),
            (nothing.status, nothing.body),
            "{path}"
        );
    }
}

/// A case asking `provider` for health advice on `requested`, received on `received` if given.
fn case_asking(reference: &str, provider: &str, requested: &str, received: Option<&str>) -> String {
    let mut events = vec![
        serde_json::json!({ "type": "request_received", "date": "2025-01-02" }),
        serde_json::json!({ "type": "decision_to_assess", "date": "2025-01-06", "outcome": "assess" }),
        serde_json::json!({ "type": "advice_requested", "date": requested, "advice": "health", "provider": provider }),
    ];
    events.extend(received.map(
        |date| serde_json::json!({ "type": "advice_received", "date": date, "advice": "health" }),
    ));
    serde_json::json!({
        "reference": reference,
        "child": { "date_of_birth": "2016-04-09", "given_name": "Robin", "family_name": "Testcase" },
        "events": events,
    })
    .to_string()
}

#[test]
fn a_professional_added_to_a_service_sees_the_cases_it_was_asked_about_while_they_are_open() {
    let db = TempDatabase::sqlite();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cases.jsonl");
    let cases = [
        // Asked, still waiting (spelt differently from the account's service).
        case_asking("EHC-OPEN", "Community  Paediatrics", "2025-01-08", None),
        // Asked, answered long ago: the four weeks after have passed.
        case_asking(
            "EHC-DONE",
            "Community paediatrics",
            "2025-01-08",
            Some("2025-02-03"),
        ),
        // Another service was asked.
        case_asking("EHC-CAMHS", "CAMHS", "2025-01-08", None),
    ];
    std::fs::write(&path, cases.join("\n")).expect("write cases");
    let imported = tandem(
        &[
            "import",
            path.to_str().expect("utf-8"),
            "--database",
            &db.url,
        ],
        "",
    );
    assert!(imported.status.success(), "{}", text(&imported.stderr));

    let password = "a long enough passphrase\n";
    let wrong_role = user_add(
        &db.url,
        "nurse@example.test",
        "parent",
        &["--provider", "Community paediatrics"],
        password,
    );
    assert_eq!(wrong_role.status.code(), Some(1));
    assert!(
        text(&wrong_role.stderr).contains("service"),
        "{}",
        text(&wrong_role.stderr)
    );
    let added = user_add(
        &db.url,
        "nurse@example.test",
        "health_professional",
        &["--provider", "Community paediatrics"],
        password,
    );
    assert!(added.status.success(), "{}", text(&added.stderr));

    let server = Server::start(&["serve", "--addr", "127.0.0.1:0", "--database", &db.url]);
    let nurse = server.sign_in("nurse@example.test", "a long enough passphrase");
    let listed = server.request("GET", "/api/v1/cases", Some(&nurse), "");
    assert_eq!(listed.status, 200, "{}", listed.body);
    let listed: serde_json::Value = serde_json::from_str(&listed.body).expect("JSON");
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["cases"][0]["reference"], "EHC-OPEN");
    let open = server.request("GET", "/api/v1/cases/EHC-OPEN", Some(&nurse), "");
    assert_eq!(open.status, 200);
    for closed in ["EHC-DONE", "EHC-CAMHS"] {
        let refused = server.request("GET", &format!("/api/v1/cases/{closed}"), Some(&nurse), "");
        assert_eq!(refused.status, 404, "{closed}");
        let page = server.request("GET", &format!("/cases/{closed}"), Some(&nurse), "");
        assert_eq!(page.status, 404, "{closed}");
    }
    drop(server);

    // A longer window, set by the operator, reaches the case answered long ago too.
    let server = Server::start(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--database",
        &db.url,
        "--advice-access-days",
        "100000",
    ]);
    let nurse = server.sign_in("nurse@example.test", "a long enough passphrase");
    let done = server.request("GET", "/api/v1/cases/EHC-DONE", Some(&nurse), "");
    assert_eq!(done.status, 200);
}

#[test]
fn serve_refuses_a_signposts_file_with_mistakes_naming_each() {
    let db = TempDatabase::sqlite();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("signposts.toml");
    std::fs::write(
        &file,
        "[[signpost]]\ntitle = \"Offer\"\nhref = \"javascript:alert(1)\"\ntext = \"x\"\n",
    )
    .expect("write");
    let refused = tandem(
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database",
            &db.url,
            "--signposts",
            file.to_str().expect("utf-8"),
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("signpost 1: href"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn demo_serves_synthetic_cases_with_an_account_per_role() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/demo.db", dir.path().display());
    let server = Server::start(&[
        "demo",
        "--addr",
        "127.0.0.1:0",
        "--cases",
        "300",
        "--database",
        &url,
    ]);
    assert_eq!(server.request("GET", "/health", None, "").status, 200);
    for role in Role::ALL {
        let email = format!("{}@demo.test", role.as_str());
        let session = server.sign_in(&email, "tandem-demo-2026");
        let home = server.request("GET", "/", Some(&session), "");
        assert_eq!(home.status, 303, "{email}");
    }
    // The demo parent has two children's cases to look at.
    let parent = server.sign_in("parent@demo.test", "tandem-demo-2026");
    let listed = server.request("GET", "/api/v1/cases", Some(&parent), "");
    let listed: serde_json::Value = serde_json::from_str(&listed.body).expect("JSON");
    assert_eq!(listed["total"], 2, "{listed}");
    // … and the example signposts to the local offer and local schemes.
    let page = server.request("GET", "/cases", Some(&parent), "");
    assert!(page.body.contains("Help and support"));
    assert!(page.body.contains("Leisure access card"));
    let first = listed["cases"][0]["reference"]
        .as_str()
        .expect("a reference");
    let case = server.request("GET", &format!("/cases/{first}"), Some(&parent), "");
    assert_eq!(case.status, 200);
    assert_eq!(case.body.matches("Help and support").count(), 1);
    // The family's question waits on the duty list; the demo health professional has a tray.
    assert!(case.body.contains("Reply due by"));
    // One of the family's cases has a draft plan issued, which they read; the council's
    // working copies are not theirs.
    let drafts = listed["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c["reference"].as_str())
        .filter(|reference| {
            let read = server.request(
                "GET",
                &format!("/cases/{reference}/plan/issued"),
                Some(&parent),
                "",
            );
            read.status == 200 && read.body.contains("Draft plan for")
        })
        .count();
    assert_eq!(drafts, 1);
    let plan = server.request("GET", &format!("/cases/{first}/plan"), Some(&parent), "");
    assert_eq!(plan.status, 403);
    let manager = server.sign_in("team_manager@demo.test", "tandem-demo-2026");
    let duty = server.request("GET", "/duty", Some(&manager), "");
    assert_eq!(duty.status, 200);
    assert!(duty.body.contains(first), "{}", duty.body);
    // The family's comment on that draft is under the plan for the council.
    let plan = server.request("GET", &format!("/cases/{first}/plan"), Some(&manager), "");
    assert!(
        plan.body.contains("Riverside Primary School"),
        "{}",
        plan.body
    );
    let nurse = server.sign_in("health_professional@demo.test", "tandem-demo-2026");
    let tray = server.request("GET", "/advice", Some(&nurse), "");
    assert_eq!(tray.status, 200);
    assert!(tray.body.contains("Community paediatrics"));
    // The demo professional has a draft begun, and advice given that the council reads.
    assert!(
        tray.body.contains("Draft saved, not yet submitted"),
        "{}",
        tray.body
    );
    // Plan audits across three terms: the QA auditor starts at a plan waiting to be graded,
    // and the term report shows three terms with a trend and an example kept.
    let auditor = server.sign_in("qa_auditor@demo.test", "tandem-demo-2026");
    let home = server.request("GET", "/", Some(&auditor), "");
    assert_eq!(home.status, 303);
    let audits = server.request("GET", "/audits", Some(&auditor), "");
    assert!(audits.body.contains("To grade"), "{}", audits.body);
    let report = server.request("GET", "/audits/report", Some(&manager), "");
    assert_eq!(report.status, 200);
    assert_eq!(
        report.body.matches("class=\"tandem-chart__point").count(),
        3,
        "{}",
        report.body
    );
    let examples = server.request("GET", "/audits/examples", Some(&manager), "");
    assert!(examples.body.contains("Example 1"), "{}", examples.body);
    assert!(!examples.body.contains("QA-"), "{}", examples.body);
    // The example improvement plan is kept, and the manager may update its actions.
    let plan = server.request("GET", "/plan", Some(&manager), "");
    assert_eq!(plan.status, 200);
    assert!(plan.body.contains("Clear the backlog"), "{}", plan.body);
    assert!(plan.body.contains("href=\"/plan/actions/"), "{}", plan.body);
    drop(server);

    // A second run starts again from nothing rather than failing on the accounts it made.
    let again = Server::start(&[
        "demo",
        "--addr",
        "127.0.0.1:0",
        "--cases",
        "10",
        "--database",
        &url,
    ]);
    assert_eq!(again.request("GET", "/health", None, "").status, 200);
}

#[test]
fn serve_refuses_an_unknown_two_factor_setting() {
    let db = TempDatabase::sqlite();
    let refused = tandem(
        &[
            "serve",
            "--database",
            &db.url,
            "--external-2fa",
            "sometimes",
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(2), "a usage error");
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("required or optional"), "{stderr}");
}
