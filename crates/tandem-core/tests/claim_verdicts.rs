//! Whether an exception about to be claimed qualifies, with worked examples
//! (statutory-timescales §4; contracts/case-file.md §3).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use serde_json::json;
use support::*;
use tandem_core::exceptions::assess_claim;
use tandem_core::{AdviceKind, ExceptionClaim, ExceptionKind};

fn claim(kind: ExceptionKind) -> ExceptionClaim {
    ExceptionClaim {
        kind,
        to: None,
        advice: None,
        id: None,
        setting_closed_from: None,
        setting_reopens: None,
        reason: Some("reason".into()),
        evidence: Some("evidence".into()),
    }
}

/// Request 5 January 2026: decision due 16 February, notice 27 April, final plan 25 May.
fn requested() -> tandem_core::CaseFile {
    case(json!([
        { "type": "request_received", "date": "2026-01-05" },
        { "type": "advice_requested", "date": "2026-02-11", "advice": "health" }
    ]))
}

#[test]
fn four_weeks_away_disapplies_every_assessment_limit_it_overlaps() {
    // 20 January to 16 February inclusive is 28 days.
    let absent = ExceptionClaim {
        to: Some(date("2026-02-16")),
        ..claim(ExceptionKind::AbsentFromArea)
    };
    let verdict = assess_claim(
        &requested(),
        date("2026-01-20"),
        &absent,
        date("2026-03-02"),
    );
    assert!(verdict.qualifies());
    assert_eq!(verdict.reason, None);
    let keys: Vec<&str> = verdict.disapplies.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "decision_to_assess",
            "advice:health",
            "notice_not_to_issue",
            "final_plan"
        ]
    );
    let decision = &verdict.disapplies[0];
    assert_eq!(decision.rule, "SEND Regulations 2014, reg 5(1)");
    assert!(
        decision.explanation.contains("reg 5(4)(d)"),
        "{}",
        decision.explanation
    );
    assert!(verdict.disapplies[1].explanation.contains("reg 8(2)(b)"));
    assert!(
        verdict.disapplies[3]
            .explanation
            .contains("reg 13(3) applying reg 10(4)(d)")
    );
}

#[test]
fn a_shorter_absence_does_not_qualify_and_says_why() {
    let absent = ExceptionClaim {
        to: Some(date("2026-02-05")),
        ..claim(ExceptionKind::AbsentFromArea)
    };
    let verdict = assess_claim(
        &requested(),
        date("2026-01-20"),
        &absent,
        date("2026-03-02"),
    );
    assert!(!verdict.qualifies());
    let reason = verdict.reason.expect("a reason");
    assert!(reason.contains("lasted 17 days"), "{reason}");
    assert!(reason.contains("at least 4 weeks"), "{reason}");
}

#[test]
fn the_summer_closure_example_of_the_fact_sheet() {
    // Closed Wed 23 July 2025, reopening Wed 3 September: the window for asking the school runs
    // from 16 July to 27 August 2025. Advice asked on 1 August qualifies for the assessment
    // limits, never for the advice limit itself.
    let case = case(json!([
        { "type": "request_received", "date": "2025-07-01" },
        { "type": "advice_requested", "date": "2025-08-01", "advice": "education" }
    ]));
    let closure = ExceptionClaim {
        setting_closed_from: Some(date("2025-07-23")),
        setting_reopens: Some(date("2025-09-03")),
        ..claim(ExceptionKind::SchoolClosure)
    };
    let verdict = assess_claim(&case, date("2025-07-23"), &closure, date("2025-09-10"));
    let keys: Vec<&str> = verdict.disapplies.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(
        keys,
        ["decision_to_assess", "notice_not_to_issue", "final_plan"]
    );
    assert!(verdict.disapplies[0].explanation.contains("reg 5(4)(a)"));

    let late_request = case_with_request_on("2025-08-28");
    let verdict = assess_claim(
        &late_request,
        date("2025-07-23"),
        &closure,
        date("2025-09-10"),
    );
    assert!(!verdict.qualifies());
    assert!(
        verdict
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("16 July 2025 and 27 August 2025")),
        "{:?}",
        verdict.reason
    );
}

fn case_with_request_on(advice_date: &str) -> tandem_core::CaseFile {
    case(json!([
        { "type": "request_received", "date": "2025-07-01" },
        { "type": "advice_requested", "date": advice_date, "advice": "education" }
    ]))
}

#[test]
fn a_missed_appointment_disapplies_only_its_advice() {
    let missed = ExceptionClaim {
        advice: Some(AdviceKind::Health),
        ..claim(ExceptionKind::MissedAppointment)
    };
    let verdict = assess_claim(
        &requested(),
        date("2026-03-01"),
        &missed,
        date("2026-03-02"),
    );
    let keys: Vec<&str> = verdict.disapplies.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys, ["advice:health"]);
    assert!(verdict.disapplies[0].explanation.contains("reg 8(2)(c)"));

    let other = ExceptionClaim {
        advice: Some(AdviceKind::SocialCare),
        ..missed
    };
    let verdict = assess_claim(&requested(), date("2026-03-01"), &other, date("2026-03-02"));
    assert_eq!(
        verdict.reason.as_deref(),
        Some("it names a different advice request")
    );
}

#[test]
fn other_claims_on_the_case_are_set_aside_and_the_future_is_refused() {
    let mut with_claim = requested();
    with_claim.events.push(
        tandem_core::Event::from_fields(
            &[
                ("type", "exception"),
                ("kind", "exceptional_personal_circumstances"),
                ("from", "2026-01-10"),
            ][..],
        )
        .expect("event"),
    );
    let short = ExceptionClaim {
        to: Some(date("2026-01-21")),
        ..claim(ExceptionKind::AbsentFromArea)
    };
    // The recorded circumstances qualify; the new short absence still does not.
    let verdict = assess_claim(&with_claim, date("2026-01-20"), &short, date("2026-03-02"));
    assert!(!verdict.qualifies());

    let verdict = assess_claim(
        &requested(),
        date("2026-03-03"),
        &claim(ExceptionKind::ExceptionalPersonalCircumstances),
        date("2026-03-02"),
    );
    assert!(!verdict.qualifies());
    assert!(
        verdict
            .reason
            .is_some_and(|r| r.contains("after 2 March 2026"))
    );
}
