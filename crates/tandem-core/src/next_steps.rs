//! Which events are likely to be recorded next on a case, from its timeline: the duties still to
//! do, soonest first, then what the case's stage usually leads to. Every other event type stays
//! possible; this only decides the order a form offers them in.

use crate::names::{EventType, Stage, Status};
use crate::rules::{RuleId, rule};
use crate::timeline::Timeline;

/// The event types a form offers, the likely ones first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextSteps {
    /// The event types the case most likely needs next: the outstanding duties' events, soonest
    /// due first, then what the case's stage usually leads to.
    pub likely: Vec<EventType>,
    /// Every other type that can be recorded, in the contract's order.
    pub others: Vec<EventType>,
}

/// The likely next events of the case whose timeline this is. A case has one request, so
/// `request_received` is never offered.
pub fn next_steps(timeline: &Timeline) -> NextSteps {
    let mut likely = Vec::new();
    let mut add = |kind: EventType| {
        if kind != EventType::RequestReceived && !likely.contains(&kind) {
            likely.push(kind);
        }
    };
    // Milestones are in order of due date.
    for milestone in &timeline.milestones {
        if !matches!(milestone.status, Status::Overdue | Status::Pending) {
            continue;
        }
        match milestone.rule_id {
            // A final plan follows a draft.
            RuleId::FinalPlan if timeline.draft_issued.is_none() => add(EventType::DraftPlanIssued),
            // Amendments are proposed before the amended plan is issued (reg 22(2)).
            RuleId::AmendedPlan | RuleId::PhaseTransferSchool | RuleId::PhaseTransferPost16 => {
                add(EventType::AmendmentNoticeIssued)
            }
            _ => {}
        }
        add(rule(milestone.rule_id).completed_by);
    }
    let by_stage: &[EventType] = match timeline.stage {
        Stage::NoRequest => &[],
        Stage::AwaitingDecision => &[
            EventType::DecisionToAssess,
            EventType::Exception,
            EventType::RequestWithdrawn,
        ],
        Stage::Assessing => &[
            EventType::AdviceRequested,
            EventType::AdviceReceived,
            EventType::DecisionToIssue,
            EventType::DraftPlanIssued,
            EventType::Exception,
            EventType::RequestWithdrawn,
        ],
        Stage::DraftIssued => &[
            EventType::FinalPlanIssued,
            EventType::AdviceReceived,
            EventType::Exception,
            EventType::RequestWithdrawn,
        ],
        Stage::PlanMaintained => &[
            EventType::ReviewMeetingHeld,
            EventType::ReviewDecision,
            EventType::PhaseTransfer,
            EventType::PlanCeased,
        ],
        Stage::NotAssessed | Stage::NotIssued | Stage::Withdrawn | Stage::Ceased => &[],
    };
    for kind in by_stage {
        add(*kind);
    }
    let others = EventType::ALL
        .iter()
        .copied()
        .filter(|k| *k != EventType::RequestReceived && !likely.contains(k))
        .collect();
    NextSteps { likely, others }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case_file::CaseFile;
    use crate::timeline::compute;
    use EventType as E;

    fn timeline(events: serde_json::Value, as_of: &str) -> Timeline {
        let case = CaseFile::from_value(serde_json::json!({
            "reference": "EHC-1",
            "child": {},
            "events": events,
        }))
        .expect("case file");
        compute(&case, as_of.parse().expect("date"))
    }

    #[test]
    fn a_new_request_needs_its_decision_first() {
        let steps = next_steps(&timeline(
            serde_json::json!([{ "type": "request_received", "date": "2026-01-05" }]),
            "2026-01-20",
        ));
        // Due first: the decision (week 6), then the notice (week 16: decision to issue), then
        // the final plan (week 20), which needs a draft before it.
        assert_eq!(
            steps.likely,
            [
                E::DecisionToAssess,
                E::DecisionToIssue,
                E::DraftPlanIssued,
                E::FinalPlanIssued,
                E::Exception,
                E::RequestWithdrawn
            ]
        );
        assert!(!steps.others.contains(&E::RequestReceived));
        assert!(steps.others.contains(&E::ReviewMeetingHeld));
        assert_eq!(
            steps.likely.len() + steps.others.len(),
            EventType::ALL.len() - 1,
            "every type but the request is offered once"
        );
    }

    #[test]
    fn open_advice_comes_before_the_final_plan() {
        let steps = next_steps(&timeline(
            serde_json::json!([
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
                { "type": "advice_requested", "date": "2026-02-11", "advice": "health" },
                { "type": "draft_plan_issued", "date": "2026-04-20" }
            ]),
            "2026-04-21",
        ));
        assert_eq!(
            steps.likely[..3],
            [E::AdviceReceived, E::DecisionToIssue, E::FinalPlanIssued]
        );
        assert!(!steps.likely.contains(&E::DraftPlanIssued), "draft done");
    }

    #[test]
    fn a_plan_in_place_looks_to_its_review() {
        let steps = next_steps(&timeline(
            serde_json::json!([
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
                { "type": "draft_plan_issued", "date": "2026-04-20" },
                { "type": "final_plan_issued", "date": "2026-05-18" }
            ]),
            "2026-06-01",
        ));
        assert_eq!(steps.likely[0], E::ReviewMeetingHeld);
        assert!(steps.likely.contains(&E::PlanCeased));
        assert!(steps.others.contains(&E::DecisionToAssess));
    }

    #[test]
    fn a_closed_case_suggests_nothing_but_offers_everything() {
        let steps = next_steps(&timeline(
            serde_json::json!([
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "not_assess" }
            ]),
            "2026-03-01",
        ));
        assert!(steps.likely.is_empty(), "{:?}", steps.likely);
        assert_eq!(steps.others.len(), EventType::ALL.len() - 1);
    }
}
