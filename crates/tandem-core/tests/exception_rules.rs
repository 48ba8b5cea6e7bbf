//! Statutory exceptions: checked, not trusted (statutory-timescales §4; case-file.md §3).

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

/// Request 5 Jan 2026: decision due 16 Feb, notice due 27 Apr, final plan due 25 May.
fn assessment_with(exception: serde_json::Value, final_date: &str) -> serde_json::Value {
    json!([
        { "type": "request_received", "date": "2026-01-05" },
        { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
        exception,
        { "type": "draft_plan_issued", "date": "2026-05-01" },
        { "type": "final_plan_issued", "date": final_date }
    ])
}

#[test]
fn absence_of_at_least_4_weeks_in_the_period_qualifies() {
    // 2 to 29 March inclusive is 28 days: qualifies for the 16- and 20-week limits, not for the
    // 6-week decision (its period ended on 16 February).
    let t = timeline_of(
        assessment_with(
            json!({ "type": "exception", "kind": "absent_from_area", "from": "2026-03-02", "to": "2026-03-29" }),
            "2026-06-15",
        ),
        "2026-07-01",
    );
    // The status is still computed against the due date: the plan was late, with an exception.
    expect(
        &t,
        "final_plan",
        Some("2026-05-25"),
        Some("2026-06-15"),
        Late,
    );
    assert_eq!(exception_kind(&t, "final_plan"), Some("absent_from_area"));
    assert_eq!(
        exception_kind(&t, "notice_not_to_issue"),
        Some("absent_from_area")
    );
    assert_eq!(exception_kind(&t, "decision_to_assess"), None);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    assert_eq!(
        t.exceptions[0].disapplies,
        ["notice_not_to_issue", "final_plan"]
    );
    let explanation = &t
        .milestone("final_plan")
        .unwrap()
        .exception
        .as_ref()
        .unwrap()
        .explanation;
    assert!(
        explanation.contains("reg 13(3) applying reg 10(4)(d)"),
        "{explanation}"
    );
}

#[test]
fn absence_shorter_than_4_weeks_or_outside_the_period_does_not_qualify() {
    let table = [
        // 27 days.
        (
            json!({ "type": "exception", "kind": "absent_from_area", "from": "2026-03-02", "to": "2026-03-28" }),
            "lasted 27 days",
        ),
        // After the final plan's period ended (25 May).
        (
            json!({ "type": "exception", "kind": "absent_from_area", "from": "2026-05-26", "to": "2026-06-30" }),
            "was not during",
        ),
    ];
    for (exception, reason) in table {
        let t = timeline_of(assessment_with(exception, "2026-05-25"), "2026-08-01");
        assert_eq!(exception_kind(&t, "final_plan"), None);
        assert_eq!(warning_codes(&t), [WarningCode::ExceptionNotQualifying]);
        assert!(
            t.warnings[0].message.contains(reason),
            "{}",
            t.warnings[0].message
        );
        assert!(t.exceptions[0].disapplies.is_empty());
    }
}

#[test]
fn a_continuing_absence_counts_up_to_the_as_of_date() {
    let exception =
        json!({ "type": "exception", "kind": "absent_from_area", "from": "2026-04-01" });
    let events = json!([{ "type": "request_received", "date": "2026-01-05" }, exception]);
    // 1 to 28 April is 28 days.
    assert_eq!(
        exception_kind(&timeline_of(events.clone(), "2026-04-28"), "final_plan"),
        Some("absent_from_area")
    );
    assert_eq!(
        exception_kind(&timeline_of(events, "2026-04-27"), "final_plan"),
        None
    );
}

#[test]
fn exceptional_personal_circumstances_overlapping_the_period_qualify() {
    let open_ended = json!({ "type": "exception", "kind": "exceptional_personal_circumstances", "from": "2026-02-01" });
    let t = timeline_of(assessment_with(open_ended, "2026-06-15"), "2026-07-01");
    for key in ["decision_to_assess", "notice_not_to_issue", "final_plan"] {
        assert_eq!(
            exception_kind(&t, key),
            Some("exceptional_personal_circumstances"),
            "{key}"
        );
    }
    let before = json!({ "type": "exception", "kind": "exceptional_personal_circumstances", "from": "2025-11-01", "to": "2026-01-04" });
    let t = timeline_of(assessment_with(before, "2026-06-15"), "2026-07-01");
    assert_eq!(exception_kind(&t, "final_plan"), None);
    assert_eq!(warning_codes(&t), [WarningCode::ExceptionNotQualifying]);
}

/// Request 1 June 2026: final plan due 19 Oct 2026, notice due 21 Sep 2026, decision due 13 Jul.
/// Summer closure 22 Jul to 3 Sep (43 days): the window for requesting education advice runs from
/// 15 Jul to 27 Aug inclusive.
#[test]
fn school_closure_window_is_one_week_before_closing_to_one_week_before_reopening() {
    let table = [
        ("2026-07-14", false),
        ("2026-07-15", true),
        ("2026-08-27", true),
        ("2026-08-28", false),
    ];
    for (requested, qualifies) in table {
        let t = timeline_of(
            json!([
                { "type": "request_received", "date": "2026-06-01" },
                { "type": "decision_to_assess", "date": "2026-07-01", "outcome": "assess" },
                { "type": "advice_requested", "date": requested, "advice": "education" },
                { "type": "exception", "kind": "school_closure", "from": "2026-07-22",
                  "setting_closed_from": "2026-07-22", "setting_reopens": "2026-09-03" }
            ]),
            "2026-09-10",
        );
        let expected = qualifies.then_some("school_closure");
        assert_eq!(
            exception_kind(&t, "final_plan"),
            expected,
            "requested {requested}"
        );
        assert_eq!(
            exception_kind(&t, "notice_not_to_issue"),
            expected,
            "requested {requested}"
        );
        // Never the advice itself (reg 8(2) has no school-holiday exception), nor the decision,
        // whose period ended before the request.
        assert_eq!(exception_kind(&t, "advice:education"), None);
        assert_eq!(exception_kind(&t, "decision_to_assess"), None);
    }
}

#[test]
fn a_closure_shorter_than_4_weeks_or_without_education_advice_does_not_qualify() {
    let table = [
        // Christmas: 19 Dec to 5 Jan is 17 days.
        (
            "2025-12-19",
            "2026-01-05",
            "education",
            "closed for 17 days",
        ),
        // Long enough, but the advice asked was health advice.
        (
            "2026-07-22",
            "2026-09-03",
            "health",
            "no education advice was requested",
        ),
    ];
    for (closed, reopens, advice, reason) in table {
        let t = timeline_of(
            json!([
                { "type": "request_received", "date": "2025-12-01" },
                { "type": "advice_requested", "date": "2025-12-15", "advice": advice },
                { "type": "exception", "kind": "school_closure", "from": closed,
                  "setting_closed_from": closed, "setting_reopens": reopens }
            ]),
            "2026-09-10",
        );
        assert_eq!(exception_kind(&t, "final_plan"), None);
        assert!(
            t.warnings.iter().any(
                |w| w.code == WarningCode::ExceptionNotQualifying && w.message.contains(reason)
            ),
            "{:?}",
            t.warnings
        );
    }
}

#[test]
fn a_missed_appointment_disapplies_only_the_advice_it_was_for() {
    // Health advice asked 11 Feb 2026, due 25 Mar; appointment missed 1 Mar.
    let events = |missed: &str| {
        json!([
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "health" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "education" },
            { "type": "exception", "kind": "missed_appointment", "from": missed, "advice": "health" }
        ])
    };
    let t = timeline_of(events("2026-03-01"), "2026-04-01");
    assert_eq!(
        exception_kind(&t, "advice:health"),
        Some("missed_appointment")
    );
    expect(&t, "advice:health", Some("2026-03-25"), None, Overdue);
    assert_eq!(exception_kind(&t, "advice:education"), None);
    assert_eq!(exception_kind(&t, "final_plan"), None);
    assert!(t.warnings.is_empty());
    // The last day of the 6 weeks still counts; the day after does not.
    assert_eq!(
        exception_kind(
            &timeline_of(events("2026-03-25"), "2026-04-01"),
            "advice:health"
        ),
        Some("missed_appointment")
    );
    let t = timeline_of(events("2026-03-26"), "2026-04-01");
    assert_eq!(exception_kind(&t, "advice:health"), None);
    assert_eq!(warning_codes(&t), [WarningCode::ExceptionNotQualifying]);
}

#[test]
fn a_missed_appointment_must_name_its_advice() {
    let t = timeline_of(
        json!([
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "health", "id": "h1" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "health", "id": "h2" },
            { "type": "exception", "kind": "missed_appointment", "from": "2026-03-01", "id": "h2" },
            { "type": "exception", "kind": "missed_appointment", "from": "2026-03-02" }
        ]),
        "2026-04-01",
    );
    assert_eq!(exception_kind(&t, "advice:h1"), None);
    assert_eq!(exception_kind(&t, "advice:h2"), Some("missed_appointment"));
    assert_eq!(warning_codes(&t), [WarningCode::ExceptionNotQualifying]);
    assert!(t.warnings[0].message.contains("does not say which advice"));
}
