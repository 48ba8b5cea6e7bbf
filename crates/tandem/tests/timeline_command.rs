//! `tandem timeline` end to end through the built binary (contracts/case-file.md §2, cli.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn tandem(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
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

fn example() -> String {
    format!(
        "{}/../../examples/worked-example.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn the_contract_worked_example_end_to_end() {
    let out = tandem(&["timeline", &example(), "--as-of", "2026-06-01"], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["reference"], "EHC-2026-0001");
    assert_eq!(t["as_of"], "2026-06-01");
    let rows: Vec<(String, serde_json::Value, serde_json::Value, String)> = t["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["key"].as_str().unwrap().to_owned(),
                m["due"].clone(),
                m["done"].clone(),
                m["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        (
            "decision_to_assess",
            "2026-02-16",
            Some("2026-02-10"),
            "met",
        ),
        ("advice:health", "2026-03-25", Some("2026-03-20"), "met"),
        ("notice_not_to_issue", "2026-04-27", None, "not_applicable"),
        ("final_plan", "2026-05-25", Some("2026-05-18"), "met"),
        ("review:1", "2027-05-17", None, "pending"),
    ];
    assert_eq!(rows.len(), expected.len());
    for (row, (key, due, done, status)) in rows.iter().zip(expected) {
        assert_eq!(row.0, key);
        assert_eq!(row.1, due);
        assert_eq!(row.2, done.map_or(serde_json::Value::Null, |d| d.into()));
        assert_eq!(row.3, status);
    }
    for m in t["milestones"].as_array().unwrap() {
        assert!(
            m["rule"].as_str().unwrap().contains("2014"),
            "every milestone cites its law"
        );
        assert!(m["explanation"].as_str().unwrap().ends_with('.'));
        assert!(m["exception"].is_null());
    }
    assert_eq!(t["warnings"], serde_json::json!([]));
}

#[test]
fn reads_standard_input_and_defaults_as_of_to_today() {
    let text = std::fs::read_to_string(example()).unwrap();
    let out = tandem(&["timeline", "-"], Some(&text));
    assert_eq!(out.status.code(), Some(0));
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(t["as_of"].as_str().unwrap() >= "2026-01-01");
}

#[test]
fn bad_input_gives_one_line_and_exit_code_1() {
    let cases = [
        ("{ not json", "invalid JSON"),
        (
            r#"{"reference":"R","events":[{"type":"request_received","date":"2026-02-30"}]}"#,
            "events[0]: request_received: field \"date\": \"2026-02-30\" is not a real calendar date",
        ),
        (
            r#"{"reference":"R","events":[{"type":"request_received","date":"2026-01-05"},{"type":"made_up","date":"2026-01-06"}]}"#,
            "events[1]: unknown event type \"made_up\"",
        ),
        (
            r#"{"reference":"R","events":[{"type":"decision_to_assess","date":"2026-01-05"}]}"#,
            "missing field \"outcome\"",
        ),
        (r#"{"events":[]}"#, "missing field \"reference\""),
    ];
    for (input, expected) in cases {
        let out = tandem(&["timeline", "-"], Some(input));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{input}: {stderr}");
        assert!(out.stdout.is_empty(), "nothing on stdout");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.contains(expected),
            "{stderr:?} should contain {expected:?}"
        );
    }
    let out = tandem(&["timeline", "/no/such/file.json"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn wrong_usage_exits_2() {
    for args in [
        &["timeline"][..],
        &["timeline", "x.json", "--as-of", "2026-02-30"],
        &["no-such-command"],
    ] {
        let out = tandem(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}
