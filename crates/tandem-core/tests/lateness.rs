//! Reasons for lateness: the first late step of each late plan.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use serde_json::json;
use support::timeline_of;
use tandem_core::AdviceKind;
use tandem_core::lateness::{LateStep, first_late_step};

/// Request 5 Jan 2026: decision due 16 Feb, draft target (14 weeks) 13 Apr, final due 25 May.
fn reason(
    decision: &str,
    health_received: &str,
    draft: &str,
    final_plan: Option<&str>,
    as_of: &str,
) -> Option<LateStep> {
    let mut events = vec![
        json!({ "type": "request_received", "date": "2026-01-05" }),
        json!({ "type": "decision_to_assess", "date": decision, "outcome": "assess" }),
        json!({ "type": "advice_requested", "date": "2026-02-16", "advice": "education" }),
        json!({ "type": "advice_received", "date": "2026-03-10", "advice": "education" }),
        json!({ "type": "advice_requested", "date": "2026-02-16", "advice": "health" }),
        json!({ "type": "advice_received", "date": health_received, "advice": "health" }),
        json!({ "type": "draft_plan_issued", "date": draft }),
    ];
    if let Some(date) = final_plan {
        events.push(json!({ "type": "final_plan_issued", "date": date }));
    }
    first_late_step(&timeline_of(json!(events), as_of), 14)
}

#[test]
fn the_first_late_step_is_named() {
    // On time: no reason.
    assert_eq!(
        reason(
            "2026-02-10",
            "2026-03-20",
            "2026-04-10",
            Some("2026-05-18"),
            "2026-07-01"
        ),
        None
    );
    // The decision was late (17 Feb), even though the advice was late too.
    assert_eq!(
        reason(
            "2026-02-17",
            "2026-04-10",
            "2026-05-01",
            Some("2026-06-01"),
            "2026-07-01"
        ),
        Some(LateStep::DecisionToAssess)
    );
    // Health advice due 30 Mar, received 10 Apr.
    assert_eq!(
        reason(
            "2026-02-10",
            "2026-04-10",
            "2026-05-01",
            Some("2026-06-01"),
            "2026-07-01"
        ),
        Some(LateStep::Advice(AdviceKind::Health))
    );
    // Advice on time, draft after the 14-week target (13 Apr).
    assert_eq!(
        reason(
            "2026-02-10",
            "2026-03-20",
            "2026-04-14",
            Some("2026-06-01"),
            "2026-07-01"
        ),
        Some(LateStep::Drafting)
    );
    // Draft on the target day, final still late: consultation and finalising.
    assert_eq!(
        reason(
            "2026-02-10",
            "2026-03-20",
            "2026-04-13",
            Some("2026-06-01"),
            "2026-07-01"
        ),
        Some(LateStep::ConsultationAndFinalising)
    );
    // Still open and overdue counts as late too.
    assert_eq!(
        reason("2026-02-10", "2026-03-20", "2026-04-13", None, "2026-07-01"),
        Some(LateStep::ConsultationAndFinalising)
    );
    assert_eq!(LateStep::Advice(AdviceKind::Health).key(), "advice:health");
}
