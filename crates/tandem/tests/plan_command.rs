//! `tandem plan check` end to end through the built binary (shared/docs/plan-quality.md, the
//! contract at its end; contracts/cli.md for exit codes).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn tandem(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .env_remove("TANDEM_PLAN_CHECKS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn fixture(name: &str) -> String {
    format!(
        "{}/../tandem-core/tests/fixtures/plans/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Runs `tandem plan check` with `args`, expects exit 0 and returns the JSON printed.
fn check(args: &[&str], stdin: Option<&str>) -> Value {
    let mut all = vec!["plan", "check"];
    all.extend(args);
    let out = tandem(&all, stdin);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn a_good_plan_has_no_findings() {
    let report = check(&[&fixture("good")], None);
    assert_eq!(keys(&report), ["findings", "score", "grade"]);
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(report["score"], 100);
    assert_eq!(report["grade"], "Outstanding");
}

#[test]
fn findings_follow_the_contract_and_still_exit_0() {
    let text = std::fs::read_to_string(fixture("weak")).unwrap();
    let out = tandem(
        &["plan", "check", "-", "--as-of", "2026-05-01"],
        Some(&text),
    );
    assert_eq!(out.status.code(), Some(0));
    // The rules that could not be checked are named on stderr, not in the JSON.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("S5, S6, P4, L3, T1"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(keys(&report), ["findings", "score", "grade"]);
    assert_eq!(report["score"], 59);
    assert_eq!(report["grade"], "Requires improvement");
    let findings = report["findings"].as_array().unwrap();
    for finding in findings {
        let keys = keys(finding);
        assert_eq!(
            keys[..5],
            ["rule", "section", "item", "severity", "message"]
        );
        assert!(["error", "warning"].contains(&finding["severity"].as_str().unwrap()));
    }
    let p2: Vec<&Value> = findings.iter().filter(|f| f["rule"] == "P2").collect();
    assert_eq!(p2.len(), 2);
    assert_eq!(p2[0]["section"], "F");
    assert_eq!(p2[0]["item"], "p1");
    assert_eq!(p2[0]["severity"], "error");
    assert_eq!(p2[0]["evidence"], "\"Access to\", \"as appropriate\"");
    // A finding about a whole section has a null item.
    let a: Vec<&Value> = findings.iter().filter(|f| f["section"] == "A").collect();
    assert!(a.iter().all(|f| f["item"].is_null()));
}

#[test]
fn fields_a_plan_does_not_have_are_allowed_but_named() {
    let plan = r#"{"status":"draft","reviewer":"x","sections":{"a":{"text":"Lost"}}}"#;
    let out = tandem(&["plan", "check", "-"], Some(plan));
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["grade"].is_string());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Not fields of a plan, so not checked: reviewer, sections.a"),
        "{stderr}"
    );
}

#[test]
fn a_configuration_file_changes_what_is_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("checks.toml");
    std::fs::write(&config, "[P2]\nterms = [\"speech\"]\n[weights]\nL1 = 0\n").unwrap();
    let config = config.to_str().unwrap();
    let report = check(&[&fixture("weak"), "--config", config], None);
    let p2: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "P2")
        .collect();
    assert_eq!(p2.len(), 1);
    assert_eq!(p2[0]["evidence"], "\"speech\"");
    // The example file is the defaults written out: the same report as without it.
    let example = format!(
        "{}/../../examples/plan-checks.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    assert_eq!(
        check(&[&fixture("unlawful"), "--config", &example], None),
        check(&[&fixture("unlawful")], None)
    );
}

#[test]
fn bad_input_gives_one_line_and_exit_code_1() {
    let cases = [
        ("{ not json", "-: invalid JSON: "),
        (r#"{"sections":{}}"#, "-: missing field `status`"),
        (
            r#"{"status":"final","issued_on":"2026-02-30"}"#,
            "-: issued_on: \"2026-02-30\" is not a real date of the form YYYY-MM-DD",
        ),
        (
            r#"{"status":"draft","sections":{"B":{"items":[{"id":"n1"}]},"E":{"items":[{"id":"n1"}]}}}"#,
            "-: sections.E.items[0].id: id \"n1\" is already used at sections.B.items[0].id",
        ),
    ];
    for (input, expected) in cases {
        let out = tandem(&["plan", "check", "-"], Some(input));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{input}: {stderr}");
        assert!(out.stdout.is_empty(), "nothing on stdout");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.starts_with(expected),
            "{stderr:?} should start with {expected:?}"
        );
    }
    let out = tandem(&["plan", "check", "/no/such/plan.json"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("/no/such/plan.json: cannot read: "));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[grades]\ngood = 95\n[P9]\n").unwrap();
    let out = tandem(
        &[
            "plan",
            "check",
            &fixture("good"),
            "--config",
            config.to_str().unwrap(),
        ],
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("bad.toml: line 3: unknown field `P9`"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn wrong_usage_exits_2() {
    for args in [
        &["plan"][..],
        &["plan", "check"],
        &["plan", "check", "x.json", "--as-of", "2026-02-30"],
        &["plan", "audit", "x.json"],
    ] {
        let out = tandem(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}
