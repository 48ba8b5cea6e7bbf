//! Table-driven tests of reviews, amendments and phase transfers (statutory-timescales §6).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use serde_json::json;
use support::*;
use tandem_core::Status::*;
use tandem_core::WarningCode;

/// A plan issued on 29 February 2028, then three review cycles:
/// - review:1 due 27 Feb 2029 (29 Feb 2028 + 12 months clamps to 28 Feb 2029, less the first day);
///   meeting 15 Jan 2029 (met); decision due 12 Feb 2029 (+28 days); amend on 1 Feb 2029 with the
///   proposed amendments the same day; amended plan due 29 Mar 2029 (+56 days), issued 20 Mar (met).
/// - review:2 runs from the decision, 1 Feb 2029: due 31 Jan 2030; meeting 10 Feb 2030 (late);
///   decision due 10 Mar 2030, made 20 Feb 2030 (maintain), so no amended plan is due.
/// - review:3 runs from 20 Feb 2030: due 19 Feb 2031, pending on 1 June 2030.
#[test]
fn review_cycles_restart_from_each_decision() {
    let t = timeline_of(
        json!([
            { "type": "request_received", "date": "2027-10-20" },
            { "type": "draft_plan_issued", "date": "2028-02-01" },
            { "type": "final_plan_issued", "date": "2028-02-29" },
            { "type": "review_meeting_held", "date": "2029-01-15" },
            { "type": "review_decision", "date": "2029-02-01", "outcome": "amend" },
            { "type": "amendment_notice_issued", "date": "2029-02-01" },
            { "type": "amended_plan_issued", "date": "2029-03-20" },
            { "type": "review_meeting_held", "date": "2030-02-10" },
            { "type": "review_decision", "date": "2030-02-20", "outcome": "maintain" }
        ]),
        "2030-06-01",
    );
    expect(&t, "review:1", Some("2029-02-27"), Some("2029-01-15"), Met);
    expect(
        &t,
        "review:1:decision",
        Some("2029-02-12"),
        Some("2029-02-01"),
        Met,
    );
    expect(
        &t,
        "review:1:amended_plan",
        Some("2029-03-29"),
        Some("2029-03-20"),
        Met,
    );
    expect(&t, "review:2", Some("2030-01-31"), Some("2030-02-10"), Late);
    expect(
        &t,
        "review:2:decision",
        Some("2030-03-10"),
        Some("2030-02-20"),
        Met,
    );
    expect(&t, "review:2:amended_plan", None, None, NotApplicable);
    expect(&t, "review:3", Some("2031-02-19"), None, Pending);
    assert!(t.milestone("review:4").is_none());
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn a_review_appears_only_once_a_plan_exists() {
    let t = timeline_of(
        json!([{ "type": "request_received", "date": "2026-01-05" }]),
        "2026-02-01",
    );
    assert!(t.milestones.iter().all(|m| !m.key.starts_with("review")));
    // A plan transferred in with no assessment history still gets its review.
    let t = timeline_of(
        json!([{ "type": "final_plan_issued", "date": "2026-03-01" }]),
        "2026-04-01",
    );
    expect(&t, "review:1", Some("2027-02-28"), None, Pending);
    assert_eq!(t.milestones.len(), 1);
}

#[test]
fn ceasing_the_plan_ends_reviews_not_yet_due() {
    let plan = json!({ "type": "final_plan_issued", "date": "2026-03-01" });
    // Ceased before the review was due: it no longer arises.
    let t = timeline_of(
        json!([plan, { "type": "plan_ceased", "date": "2027-01-10" }]),
        "2027-06-01",
    );
    expect(&t, "review:1", Some("2027-02-28"), None, NotApplicable);
    assert_eq!(t.stage.as_str(), "ceased");
    // Ceased after it fell due with no meeting: it stays overdue (the failure happened).
    let t = timeline_of(
        json!([plan, { "type": "plan_ceased", "date": "2027-04-01" }]),
        "2027-06-01",
    );
    expect(&t, "review:1", Some("2027-02-28"), None, Overdue);
}

#[test]
fn review_decision_and_amended_plan_deadlines() {
    let base = [
        json!({ "type": "final_plan_issued", "date": "2026-03-01" }),
        json!({ "type": "review_meeting_held", "date": "2027-01-11" }),
    ];
    // Decision due 8 Feb 2027 (11 Jan + 28 days); none by 9 Feb: overdue.
    let t = timeline_of(json!(base), "2027-02-09");
    expect(&t, "review:1:decision", Some("2027-02-08"), None, Overdue);
    assert!(
        t.milestone("review:1:amended_plan").is_none(),
        "unknown until the decision"
    );

    // Amend decided 1 Feb 2027 but amendments sent only on 15 Feb: Devon warning, and the amended
    // plan is due 8 weeks after the amendments were sent (12 Apr 2027).
    let mut events = base.to_vec();
    events.push(json!({ "type": "review_decision", "date": "2027-02-01", "outcome": "amend" }));
    events.push(json!({ "type": "amendment_notice_issued", "date": "2027-02-15" }));
    let t = timeline_of(json!(events), "2027-04-13");
    expect(
        &t,
        "review:1:amended_plan",
        Some("2027-04-12"),
        None,
        Overdue,
    );
    assert!(warning_codes(&t).contains(&WarningCode::AmendmentsAfterDecision));

    // Amend decided with no amendments recorded: the clock runs from the decision (29 Mar 2027).
    let mut events = base.to_vec();
    events.push(json!({ "type": "review_decision", "date": "2027-02-01", "outcome": "amend" }));
    let t = timeline_of(json!(events), "2027-03-01");
    expect(
        &t,
        "review:1:amended_plan",
        Some("2027-03-29"),
        None,
        Pending,
    );

    // A cease decision: no amended plan; the next review still runs while the plan is kept.
    let mut events = base.to_vec();
    events.push(json!({ "type": "review_decision", "date": "2027-02-01", "outcome": "cease" }));
    let t = timeline_of(json!(events), "2027-03-01");
    expect(&t, "review:1:amended_plan", None, None, NotApplicable);
    expect(&t, "review:2", Some("2028-01-31"), None, Pending);
}

#[test]
fn phase_transfer_deadlines_are_the_day_before_15_february_or_31_march() {
    // (kind, amended plan date or none, as_of, due, status)
    let table = [
        (
            "school",
            Some("2027-02-10"),
            "2027-06-01",
            "2027-02-14",
            Met,
        ),
        (
            "school",
            Some("2027-02-14"),
            "2027-06-01",
            "2027-02-14",
            Met,
        ),
        (
            "school",
            Some("2027-02-15"),
            "2027-06-01",
            "2027-02-14",
            Late,
        ),
        // An amendment more than 12 months before the move does not count.
        (
            "school",
            Some("2026-08-31"),
            "2027-06-01",
            "2027-02-14",
            Overdue,
        ),
        // The window's first day: exactly 12 months before the move.
        (
            "school",
            Some("2026-09-01"),
            "2027-06-01",
            "2027-02-14",
            Met,
        ),
        ("school", None, "2027-02-14", "2027-02-14", Pending),
        (
            "post16",
            Some("2027-03-30"),
            "2027-06-01",
            "2027-03-30",
            Met,
        ),
        (
            "post16",
            Some("2027-03-31"),
            "2027-06-01",
            "2027-03-30",
            Late,
        ),
        ("post16", None, "2027-03-31", "2027-03-30", Overdue),
    ];
    for (kind, amended, as_of, due, status) in table {
        let mut events = vec![
            json!({ "type": "final_plan_issued", "date": "2025-03-01" }),
            json!({ "type": "phase_transfer", "date": "2027-09-01", "kind": kind }),
        ];
        if let Some(d) = amended {
            events.push(json!({ "type": "amended_plan_issued", "date": d }));
        }
        let t = timeline_of(json!(events), as_of);
        let (got_due, _, got_status) = row(&t, "phase_transfer:2027");
        assert_eq!(
            (got_due.as_deref(), got_status),
            (Some(due), status),
            "{kind} {amended:?} {as_of}"
        );
    }
}

#[test]
fn phase_transfer_ends_if_the_plan_stops_first() {
    let t = timeline_of(
        json!([
            { "type": "final_plan_issued", "date": "2025-03-01" },
            { "type": "phase_transfer", "date": "2027-09-01", "kind": "school" },
            { "type": "plan_ceased", "date": "2026-12-01" }
        ]),
        "2027-06-01",
    );
    assert_eq!(row(&t, "phase_transfer:2027").2, NotApplicable);
}
