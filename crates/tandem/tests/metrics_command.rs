//! `tandem metrics --from` end to end: the same cases give the same measures whether read from
//! JSON Lines or from the events CSV (contracts/metrics.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::process::Command;

use tandem_app::interchange::{case_files, events_csv};
use tandem_core::CaseFile;

fn snapshot_cases() -> Vec<CaseFile> {
    let dir = format!("{}/../tandem-core/tests/cases", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| CaseFile::from_json(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

fn metrics(path: &std::path::Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args([
            "metrics",
            "--from",
            path.to_str().unwrap(),
            "--as-of",
            "2027-03-01",
        ])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn json_lines_and_events_csv_agree() {
    let dir = std::env::temp_dir().join(format!("tandem-metrics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = snapshot_cases();
    let jsonl = dir.join("cases.jsonl");
    let mut text = Vec::new();
    for case in &cases {
        case_files::write_jsonl_line(&mut text, case).unwrap();
    }
    std::fs::write(&jsonl, text).unwrap();
    let csv = dir.join("events.csv");
    let mut writer = events_csv::Writer::new(Vec::new()).unwrap();
    for case in &cases {
        writer.write_case(case).unwrap();
    }
    std::fs::write(&csv, writer.finish().unwrap()).unwrap();

    let args = ["--period-start", "2026-01-01", "--period-end", "2026-12-31"];
    let (code_a, from_jsonl, err_a) = metrics(&jsonl, &args);
    let (code_b, from_csv, err_b) = metrics(&csv, &args);
    assert_eq!((code_a, code_b), (Some(0), Some(0)), "{err_a}{err_b}");
    assert_eq!(from_jsonl, from_csv);
    let m: serde_json::Value = serde_json::from_str(&from_jsonl).unwrap();
    assert_eq!(m["cases"], 6);
    // SNAP-001 (on time), SNAP-002 (late, absence exception): 1 of 1 excluding, 1 of 2 including.
    assert_eq!(
        m["final_plans_within_20_weeks_excl_exceptions"]["denominator"],
        1
    );
    assert_eq!(
        m["final_plans_within_20_weeks_incl_exceptions"]["numerator"],
        1
    );
    assert_eq!(
        m["final_plans_within_20_weeks_incl_exceptions"]["denominator"],
        2
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_events_csv_gives_the_same_measures_whether_its_cases_rows_are_adjacent_or_not() {
    let dir = std::env::temp_dir().join(format!("tandem-metrics-order-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = snapshot_cases();
    let mut writer = events_csv::Writer::new(Vec::new()).unwrap();
    for case in &cases {
        writer.write_case(case).unwrap();
    }
    let text = String::from_utf8(writer.finish().unwrap()).unwrap();
    let grouped = dir.join("grouped.csv");
    std::fs::write(&grouped, &text).unwrap();
    // The same rows, every case's dealt out among the others': first rows first.
    let mut rows: Vec<(usize, usize, &str)> = Vec::new();
    let mut case_index = 0;
    let mut row_in_case = 0;
    let mut last = "";
    for line in text.lines().skip(1) {
        let reference = line.split(',').next().unwrap();
        if reference != last {
            if !last.is_empty() {
                case_index += 1;
            }
            row_in_case = 0;
            last = reference;
        }
        rows.push((row_in_case, case_index, line));
        row_in_case += 1;
    }
    rows.sort();
    let mut scattered = format!("{}\n", text.lines().next().unwrap());
    for (_, _, line) in &rows {
        scattered.push_str(line);
        scattered.push('\n');
    }
    assert_ne!(scattered, text);
    let scattered_path = dir.join("scattered.csv");
    std::fs::write(&scattered_path, &scattered).unwrap();

    let args = ["--period-start", "2026-01-01", "--period-end", "2026-12-31"];
    let (code_a, from_grouped, err_a) = metrics(&grouped, &args);
    let (code_b, from_scattered, err_b) = metrics(&scattered_path, &args);
    assert_eq!((code_a, code_b), (Some(0), Some(0)), "{err_a}{err_b}");
    assert_eq!(from_grouped, from_scattered);
    let m: serde_json::Value = serde_json::from_str(&from_scattered).unwrap();
    assert_eq!(m["cases"], 6);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_bad_row_of_an_events_csv_is_reported_with_file_and_line() {
    let dir = std::env::temp_dir().join(format!("tandem-metrics-bad-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.csv");
    std::fs::write(
        &path,
        "reference,type,date\nA-1,request_received,2026-01-05\nA-1,teleported,2026-01-06\n",
    )
    .unwrap();
    let (code, stdout, stderr) = metrics(&path, &[]);
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with(&format!(
            "{}:3: unknown event type \"teleported\"",
            path.display()
        )),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_input_is_reported_with_file_and_line() {
    let dir = std::env::temp_dir().join(format!("tandem-metrics-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.jsonl");
    std::fs::write(&path, "{\"reference\":\"A\",\"events\":[]}\n{\"reference\":\"B\",\"events\":[{\"type\":\"x\"}]}\n").unwrap();
    let (code, stdout, stderr) = metrics(&path, &[]);
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with(&format!(
            "{}:2: events[0]: unknown event type \"x\"",
            path.display()
        )),
        "{stderr}"
    );
    let (code, _, stderr) = metrics(
        &path,
        &["--period-start", "2026-05-01", "--period-end", "2026-04-01"],
    );
    assert_eq!(code, Some(1));
    assert!(stderr.contains("before it starts"));
    std::fs::remove_dir_all(dir).unwrap();
}
