//! Table-driven tests of the initial assessment's time limits (statutory-timescales §2–§3;
//! contracts/case-file.md §2). Every expected date is worked out by hand in the comments.

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

/// Request received Monday 1 September 2025, the fact sheet's worked example:
/// 6 weeks → 13 Oct 2025; 16 weeks → 22 Dec 2025; 20 weeks → 19 Jan 2026.
const REQUEST: &str = "2025-09-01";

fn with_request(more: serde_json::Value) -> serde_json::Value {
    let mut events = vec![json!({ "type": "request_received", "date": REQUEST })];
    events.extend(more.as_array().unwrap().iter().cloned());
    serde_json::Value::Array(events)
}

#[test]
fn decision_to_assess_within_6_weeks_is_inclusive_of_the_last_day() {
    // (decision date or none, as_of, expected status)
    let table = [
        (Some("2025-10-13"), "2025-11-01", Met),  // on the last day
        (Some("2025-10-14"), "2025-11-01", Late), // one day after
        (Some("2025-09-01"), "2025-11-01", Met),  // same day as the request
        (None, "2025-10-13", Pending),            // due today: not yet overdue
        (None, "2025-10-14", Overdue),            // the day after
    ];
    for (decided, as_of, status) in table {
        let more = match decided {
            Some(d) => json!([{ "type": "decision_to_assess", "date": d, "outcome": "assess" }]),
            None => json!([]),
        };
        let t = timeline_of(with_request(more), as_of);
        expect(
            &t,
            "decision_to_assess",
            Some("2025-10-13"),
            decided,
            status,
        );
    }
}

#[test]
fn a_not_assess_decision_also_completes_the_decision_and_ends_the_rest() {
    let t = timeline_of(
        with_request(
            json!([{ "type": "decision_to_assess", "date": "2025-10-01", "outcome": "not_assess" }]),
        ),
        "2026-06-01",
    );
    expect(
        &t,
        "decision_to_assess",
        Some("2025-10-13"),
        Some("2025-10-01"),
        Met,
    );
    expect(
        &t,
        "notice_not_to_issue",
        Some("2025-12-22"),
        None,
        NotApplicable,
    );
    expect(&t, "final_plan", Some("2026-01-19"), None, NotApplicable);
    assert_eq!(t.stage.as_str(), "not_assessed");
    assert!(t.next_due().is_none());
}

#[test]
fn final_plan_within_20_weeks() {
    let table = [
        (Some("2026-01-19"), "2026-03-01", Met),
        (Some("2026-01-20"), "2026-03-01", Late),
        (None, "2026-01-19", Pending),
        (None, "2026-01-20", Overdue),
    ];
    for (issued, as_of, status) in table {
        let mut more = vec![
            json!({ "type": "decision_to_assess", "date": "2025-10-01", "outcome": "assess" }),
            json!({ "type": "draft_plan_issued", "date": "2025-12-01" }),
        ];
        if let Some(d) = issued {
            more.push(json!({ "type": "final_plan_issued", "date": d }));
        }
        let t = timeline_of(with_request(json!(more)), as_of);
        expect(&t, "final_plan", Some("2026-01-19"), issued, status);
    }
}

#[test]
fn notice_not_to_issue_within_16_weeks_and_when_it_stops_applying() {
    let assess = json!({ "type": "decision_to_assess", "date": "2025-10-01", "outcome": "assess" });
    // Notice on the last day of week 16: met; and then no final plan is due.
    let t = timeline_of(
        with_request(
            json!([assess, { "type": "decision_to_issue", "date": "2025-12-22", "outcome": "not_issue" }]),
        ),
        "2026-06-01",
    );
    expect(
        &t,
        "notice_not_to_issue",
        Some("2025-12-22"),
        Some("2025-12-22"),
        Met,
    );
    expect(&t, "final_plan", Some("2026-01-19"), None, NotApplicable);
    assert_eq!(t.stage.as_str(), "not_issued");

    let t = timeline_of(
        with_request(
            json!([assess, { "type": "decision_to_issue", "date": "2025-12-23", "outcome": "not_issue" }]),
        ),
        "2026-06-01",
    );
    expect(
        &t,
        "notice_not_to_issue",
        Some("2025-12-22"),
        Some("2025-12-23"),
        Late,
    );

    // Deciding to issue ends the notice duty, even after week 16.
    let t = timeline_of(
        with_request(
            json!([assess, { "type": "decision_to_issue", "date": "2026-01-05", "outcome": "issue" }]),
        ),
        "2026-06-01",
    );
    expect(
        &t,
        "notice_not_to_issue",
        Some("2025-12-22"),
        None,
        NotApplicable,
    );
    expect(&t, "final_plan", Some("2026-01-19"), None, Overdue);

    // Still open at week 17 with no decision either way: overdue.
    let t = timeline_of(with_request(json!([assess])), "2025-12-23");
    expect(&t, "notice_not_to_issue", Some("2025-12-22"), None, Overdue);
}

#[test]
fn withdrawal_ends_what_was_not_yet_done() {
    // Withdrawn before the decision: nothing is due any more.
    let t = timeline_of(
        with_request(json!([{ "type": "request_withdrawn", "date": "2025-09-20" }])),
        "2026-06-01",
    );
    for key in ["decision_to_assess", "notice_not_to_issue", "final_plan"] {
        assert_eq!(row(&t, key).2, NotApplicable, "{key}");
    }
    assert_eq!(t.stage.as_str(), "withdrawn");
    // Withdrawn after the decision: the decision keeps its status; what was open ends.
    let t = timeline_of(
        with_request(json!([
            { "type": "decision_to_assess", "date": "2025-10-20", "outcome": "assess" },
            { "type": "advice_requested", "date": "2025-10-21", "advice": "health" },
            { "type": "request_withdrawn", "date": "2025-11-10" }
        ])),
        "2026-06-01",
    );
    expect(
        &t,
        "decision_to_assess",
        Some("2025-10-13"),
        Some("2025-10-20"),
        Late,
    );
    expect(&t, "advice:health", Some("2025-12-02"), None, NotApplicable);
    expect(&t, "final_plan", Some("2026-01-19"), None, NotApplicable);
    assert!(
        t.milestone("final_plan")
            .unwrap()
            .explanation
            .contains("withdrawn on 10 November 2025")
    );
    // Withdrawn on the same day as the decision: the decision still counts as made.
    let t = timeline_of(
        with_request(json!([
            { "type": "decision_to_assess", "date": "2025-10-01", "outcome": "assess" },
            { "type": "request_withdrawn", "date": "2025-10-01" }
        ])),
        "2026-06-01",
    );
    expect(
        &t,
        "decision_to_assess",
        Some("2025-10-13"),
        Some("2025-10-01"),
        Met,
    );
}

#[test]
fn month_ends_and_leap_years_in_week_counts() {
    // 31 January 2026 + 42 days = 14 March 2026 (February has 28 days).
    let t = timeline_of(
        json!([{ "type": "request_received", "date": "2026-01-31" }]),
        "2026-02-01",
    );
    expect(&t, "decision_to_assess", Some("2026-03-14"), None, Pending);
    // Advice asked on 25 January 2028 crosses 29 February: due 7 March 2028 (8 March in 2027).
    for (requested, due) in [("2028-01-25", "2028-03-07"), ("2027-01-25", "2027-03-08")] {
        let t = timeline_of(
            json!([
                { "type": "request_received", "date": "2027-01-01" },
                { "type": "advice_requested", "date": requested, "advice": "health" }
            ]),
            "2028-01-26",
        );
        assert_eq!(row(&t, "advice:health").0.as_deref(), Some(due));
    }
}

#[test]
fn advice_keys_matching_and_repeats() {
    let t = timeline_of(
        json!([
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "health" },
            { "type": "advice_requested", "date": "2026-02-12", "advice": "health" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "social_care", "id": "sc-1" },
            { "type": "advice_requested", "date": "2026-02-13", "advice": "social_care", "id": "sc-2" },
            // No id: answers the earliest open health request (11 Feb).
            { "type": "advice_received", "date": "2026-03-01", "advice": "health" },
            // By id: answers sc-2 although sc-1 is older and still open.
            { "type": "advice_received", "date": "2026-03-30", "advice": "social_care", "id": "sc-2" }
        ]),
        "2026-04-01",
    );
    expect(
        &t,
        "advice:health",
        Some("2026-03-25"),
        Some("2026-03-01"),
        Met,
    );
    expect(&t, "advice:health:2", Some("2026-03-26"), None, Overdue);
    expect(&t, "advice:sc-1", Some("2026-03-25"), None, Overdue);
    expect(
        &t,
        "advice:sc-2",
        Some("2026-03-27"),
        Some("2026-03-30"),
        Late,
    );
    assert!(
        t.milestone("advice:health")
            .unwrap()
            .explanation
            .starts_with("Health advice due 6 weeks")
    );
}

#[test]
fn advice_after_the_final_plan_is_judged_by_its_dates_and_missing_advice_stops_applying() {
    // Health advice requested 11 Feb 2026, due 25 Mar, arrives 20 May, after the final plan of
    // 18 May: it was late, and the final plan was still issued without it (a warning). Social
    // care advice requested 1 May, due 12 Jun, arrives 25 May: met. Educational psychology
    // advice never arrives: not applicable once the final plan is issued (contracts §2).
    let t = timeline_of(
        json!([
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "health" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "education" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "educational_psychology" },
            { "type": "advice_received", "date": "2026-03-01", "advice": "education" },
            { "type": "draft_plan_issued", "date": "2026-04-20" },
            { "type": "advice_requested", "date": "2026-05-01", "advice": "social_care" },
            { "type": "final_plan_issued", "date": "2026-05-18" },
            { "type": "advice_received", "date": "2026-05-20", "advice": "health" },
            { "type": "advice_received", "date": "2026-05-25", "advice": "social_care" }
        ]),
        "2026-06-01",
    );
    expect(
        &t,
        "advice:health",
        Some("2026-03-25"),
        Some("2026-05-20"),
        Late,
    );
    expect(
        &t,
        "advice:social_care",
        Some("2026-06-12"),
        Some("2026-05-25"),
        Met,
    );
    expect(
        &t,
        "advice:education",
        Some("2026-03-25"),
        Some("2026-03-01"),
        Met,
    );
    expect(
        &t,
        "advice:educational_psychology",
        Some("2026-03-25"),
        None,
        NotApplicable,
    );
    assert!(
        t.milestone("advice:educational_psychology")
            .unwrap()
            .explanation
            .contains("the final plan was issued on 18 May 2026")
    );
    assert_eq!(
        warning_codes(&t),
        [
            WarningCode::FinalWithoutAdvice,
            WarningCode::FinalWithoutAdvice,
            WarningCode::FinalWithoutAdvice
        ]
    );
    assert!(
        t.warnings[0]
            .message
            .contains("health advice requested on 11 February 2026")
    );
}

#[test]
fn advice_that_arrives_after_a_withdrawal_is_not_applicable() {
    // Requested 21 Oct 2025 (due 2 Dec), the request withdrawn 10 Nov, advice arrives 20 Nov:
    // the duty ended with the withdrawal.
    let t = timeline_of(
        with_request(json!([
            { "type": "decision_to_assess", "date": "2025-10-10", "outcome": "assess" },
            { "type": "advice_requested", "date": "2025-10-21", "advice": "health" },
            { "type": "request_withdrawn", "date": "2025-11-10" },
            { "type": "advice_received", "date": "2025-11-20", "advice": "health" }
        ])),
        "2026-06-01",
    );
    expect(
        &t,
        "advice:health",
        Some("2025-12-02"),
        Some("2025-11-20"),
        NotApplicable,
    );
}

#[test]
fn comment_period_on_the_draft_is_15_days_beginning_with_service() {
    // Draft served 20 April: the parent has 20 April to 4 May; the earliest final is 5 May.
    for (final_date, warned) in [("2026-05-04", true), ("2026-05-05", false)] {
        let t = timeline_of(
            json!([
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "draft_plan_issued", "date": "2026-04-20" },
                { "type": "final_plan_issued", "date": final_date }
            ]),
            "2026-06-01",
        );
        let expected = if warned {
            vec![WarningCode::FinalBeforeCommentPeriodEnd]
        } else {
            vec![]
        };
        assert_eq!(warning_codes(&t), expected, "final on {final_date}");
    }
}

#[test]
fn final_without_draft_and_events_before_the_request_are_flagged() {
    let t = timeline_of(
        json!([
            { "type": "advice_requested", "date": "2026-01-02", "advice": "education" },
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "final_plan_issued", "date": "2026-05-18" }
        ]),
        "2026-06-01",
    );
    let codes = warning_codes(&t);
    assert!(
        codes.contains(&WarningCode::EventBeforeRequest),
        "{codes:?}"
    );
    assert!(codes.contains(&WarningCode::FinalWithoutDraft), "{codes:?}");
    assert!(
        codes.contains(&WarningCode::FinalWithoutAdvice),
        "{codes:?}"
    );
}

#[test]
fn events_after_the_as_of_date_are_not_yet_known() {
    let events = json!([
        { "type": "request_received", "date": "2026-01-05" },
        { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" }
    ]);
    let t = timeline_of(events.clone(), "2026-02-01");
    expect(&t, "decision_to_assess", Some("2026-02-16"), None, Pending);
    assert_eq!(warning_codes(&t), [WarningCode::EventsAfterAsOf]);
    let t = timeline_of(events, "2026-02-10");
    expect(
        &t,
        "decision_to_assess",
        Some("2026-02-16"),
        Some("2026-02-10"),
        Met,
    );
    assert!(t.warnings.is_empty());
}

#[test]
fn the_contract_worked_example() {
    let t = timeline_of(
        json!([
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "health" },
            { "type": "advice_received",  "date": "2026-03-20", "advice": "health" },
            { "type": "draft_plan_issued", "date": "2026-04-20" },
            { "type": "final_plan_issued", "date": "2026-05-18" }
        ]),
        "2026-06-01",
    );
    expect(
        &t,
        "decision_to_assess",
        Some("2026-02-16"),
        Some("2026-02-10"),
        Met,
    );
    expect(
        &t,
        "advice:health",
        Some("2026-03-25"),
        Some("2026-03-20"),
        Met,
    );
    assert_eq!(row(&t, "notice_not_to_issue").2, NotApplicable);
    expect(
        &t,
        "final_plan",
        Some("2026-05-25"),
        Some("2026-05-18"),
        Met,
    );
    expect(&t, "review:1", Some("2027-05-17"), None, Pending);
    assert!(t.warnings.is_empty());
    let keys: Vec<_> = t.milestones.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "decision_to_assess",
            "advice:health",
            "notice_not_to_issue",
            "final_plan",
            "review:1"
        ]
    );
    assert_eq!(
        t.milestone("decision_to_assess").unwrap().explanation,
        "Decision due 6 weeks after the request received on 5 January 2026."
    );
}
