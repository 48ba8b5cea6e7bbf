//! Whole timelines of realistic cases, reviewed once and kept as snapshots.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use tandem_core::{CaseFile, dates, timeline};

fn snapshot(name: &str, as_of: &str) {
    let path = format!("{}/tests/cases/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let case = CaseFile::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let t = timeline::compute(&case, dates::parse_iso(as_of).unwrap());
    insta::assert_json_snapshot!(name, t);
}

#[test]
fn on_time_plan() {
    snapshot("on-time-plan", "2026-06-01");
}

#[test]
fn late_health_advice_with_absence() {
    snapshot("late-health-advice-with-absence", "2026-08-01");
}

#[test]
fn refused() {
    snapshot("refused", "2026-06-01");
}

#[test]
fn open_and_overdue() {
    snapshot("open-and-overdue", "2026-09-01");
}

#[test]
fn reviews_and_phase_transfer() {
    snapshot("reviews-and-phase-transfer", "2027-03-01");
}

#[test]
fn summer_closure() {
    snapshot("summer-closure", "2026-11-01");
}
