//! Helpers shared by the engine's integration tests.
#![allow(dead_code)]

use tandem_core::{CaseFile, Date, Status, Timeline, WarningCode, dates, timeline};

pub fn date(text: &str) -> Date {
    dates::parse_iso(text).unwrap_or_else(|_| panic!("bad test date {text}"))
}

/// A case from a JSON array of events.
pub fn case(events: serde_json::Value) -> CaseFile {
    CaseFile::from_value(serde_json::json!({ "reference": "T-1", "events": events })).unwrap()
}

pub fn timeline_of(events: serde_json::Value, as_of: &str) -> Timeline {
    timeline::compute(&case(events), date(as_of))
}

/// (due, done, status) of a milestone, as text for compact tables; panics if it is missing.
pub fn row(t: &Timeline, key: &str) -> (Option<String>, Option<String>, Status) {
    let m = t.milestone(key).unwrap_or_else(|| {
        let keys: Vec<_> = t.milestones.iter().map(|m| m.key.as_str()).collect();
        panic!("no milestone {key}; have {keys:?}")
    });
    (
        m.due.map(|d| d.to_string()),
        m.done.map(|d| d.to_string()),
        m.status,
    )
}

pub fn expect(t: &Timeline, key: &str, due: Option<&str>, done: Option<&str>, status: Status) {
    assert_eq!(
        row(t, key),
        (due.map(str::to_owned), done.map(str::to_owned), status),
        "milestone {key}"
    );
}

pub fn warning_codes(t: &Timeline) -> Vec<WarningCode> {
    t.warnings.iter().map(|w| w.code).collect()
}

pub fn exception_kind(t: &Timeline, key: &str) -> Option<&'static str> {
    t.milestone(key)
        .and_then(|m| m.exception.as_ref())
        .map(|e| e.kind.as_str())
}
