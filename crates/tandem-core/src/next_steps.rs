//! Which events a case's "What happened?" list offers, and in what order: the steps its stage
//! leads to (after the decision to assess, advice first), the outstanding duties' events, then
//! whatever else can still lawfully come next. Steps that cannot yet have happened are not
//! offered: no final plan before a draft or a decision to issue one (reg 13(1), CoP 9.77), no
//! annual review or amendment before there is a plan (CFA 2014 s.44).

use crate::case_file::CaseFile;
use crate::event::EventDetail;
use crate::names::{EventType, IssueOutcome, Stage, Status};
use crate::rules::{RuleId, rule};
use crate::timeline::Timeline;

/// The event types a form offers, the likely ones first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextSteps {
    /// The event types the case most likely needs next: what its stage leads to, then the
    /// outstanding duties' events, soonest due first.
    pub likely: Vec<EventType>,
    /// Every other type that can be recorded at this point, in the contract's order.
    pub others: Vec<EventType>,
}

/// Events of a plan in place: none can happen before a final plan is issued.
const AFTER_A_PLAN: [EventType; 6] = [
    EventType::ReviewMeetingHeld,
    EventType::ReviewDecision,
    EventType::AmendmentNoticeIssued,
    EventType::AmendedPlanIssued,
    EventType::PhaseTransfer,
    EventType::PlanCeased,
];

/// Whether an event of `kind` can be recorded on a case at `stage`: a case has one request; a
/// final plan needs a draft or a decision to issue before it; a plan's later events need a plan.
fn possible(kind: EventType, stage: Stage, decided_to_issue: bool) -> bool {
    let has_plan = matches!(stage, Stage::PlanMaintained | Stage::Ceased);
    match kind {
        EventType::RequestReceived => false,
        EventType::FinalPlanIssued => has_plan || stage == Stage::DraftIssued || decided_to_issue,
        kind if AFTER_A_PLAN.contains(&kind) => has_plan,
        _ => true,
    }
}

/// The likely next events of `case`, whose timeline this is.
pub fn next_steps(case: &CaseFile, timeline: &Timeline) -> NextSteps {
    let decided_to_issue = case.events.iter().any(|e| {
        e.date <= timeline.as_of
            && matches!(
                e.detail,
                EventDetail::DecisionToIssue {
                    outcome: IssueOutcome::Issue
                }
            )
    });
    let allowed = |kind: EventType| possible(kind, timeline.stage, decided_to_issue);
    let mut likely = Vec::new();
    let mut add = |kind: EventType| {
        if allowed(kind) && !likely.contains(&kind) {
            likely.push(kind);
        }
    };
    let by_stage: &[EventType] = match timeline.stage {
        Stage::NoRequest => &[],
        Stage::AwaitingDecision => &[EventType::DecisionToAssess, EventType::Exception],
        Stage::Assessing => &[
            EventType::AdviceRequested,
            EventType::AdviceReceived,
            EventType::DecisionToIssue,
            EventType::DraftPlanIssued,
        ],
        Stage::DraftIssued => &[EventType::FinalPlanIssued, EventType::AdviceReceived],
        Stage::PlanMaintained => &[],
        Stage::NotAssessed | Stage::NotIssued | Stage::Withdrawn | Stage::Ceased => &[],
    };
    for kind in by_stage {
        add(*kind);
    }
    // Then the outstanding duties, in order of due date; before the decision to assess, that
    // decision is the only duty to act on.
    for milestone in &timeline.milestones {
        if timeline.stage == Stage::AwaitingDecision
            || !matches!(milestone.status, Status::Overdue | Status::Pending)
        {
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
    if timeline.stage.is_open() {
        let ending = match timeline.stage {
            Stage::PlanMaintained => [EventType::PhaseTransfer, EventType::PlanCeased].as_slice(),
            _ => [EventType::Exception, EventType::RequestWithdrawn].as_slice(),
        };
        for kind in ending {
            add(*kind);
        }
    }
    let others = EventType::ALL
        .iter()
        .copied()
        .filter(|k| allowed(*k) && !likely.contains(k))
        .collect();
    NextSteps { likely, others }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::compute;
    use EventType as E;

    fn steps(events: serde_json::Value, as_of: &str) -> NextSteps {
        let case = CaseFile::from_value(serde_json::json!({
            "reference": "EHC-1",
            "child": {},
            "events": events,
        }))
        .expect("case file");
        next_steps(&case, &compute(&case, as_of.parse().expect("date")))
    }

    fn offered(steps: &NextSteps) -> Vec<EventType> {
        steps.likely.iter().chain(&steps.others).copied().collect()
    }

    #[test]
    fn a_new_request_needs_its_decision_first_and_offers_no_plan() {
        let steps = steps(
            serde_json::json!([{ "type": "request_received", "date": "2026-01-05" }]),
            "2026-01-20",
        );
        assert_eq!(
            steps.likely,
            [E::DecisionToAssess, E::Exception, E::RequestWithdrawn]
        );
        let all = offered(&steps);
        assert!(
            all.contains(&E::AdviceRequested),
            "asking early stays possible"
        );
        for never in [E::RequestReceived, E::FinalPlanIssued, E::ReviewMeetingHeld] {
            assert!(!all.contains(&never), "{never:?} offered");
        }
    }

    #[test]
    fn after_the_decision_to_assess_advice_comes_first_and_no_final_plan_yet() {
        let steps = steps(
            serde_json::json!([
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
                { "type": "advice_requested", "date": "2026-02-11", "advice": "health" }
            ]),
            "2026-03-01",
        );
        assert_eq!(
            steps.likely,
            [
                E::AdviceRequested,
                E::AdviceReceived,
                E::DecisionToIssue,
                E::DraftPlanIssued,
                E::Exception,
                E::RequestWithdrawn
            ]
        );
        assert!(!offered(&steps).contains(&E::FinalPlanIssued));
    }

    #[test]
    fn a_decision_to_issue_or_a_draft_makes_the_final_plan_possible() {
        let decided = steps(
            serde_json::json!([
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
                { "type": "decision_to_issue", "date": "2026-04-10", "outcome": "issue" }
            ]),
            "2026-04-11",
        );
        assert!(decided.likely.contains(&E::FinalPlanIssued));
        let drafted = steps(
            serde_json::json!([
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
                { "type": "advice_requested", "date": "2026-02-11", "advice": "health" },
                { "type": "draft_plan_issued", "date": "2026-04-20" }
            ]),
            "2026-04-21",
        );
        assert_eq!(drafted.likely[..2], [E::FinalPlanIssued, E::AdviceReceived]);
        assert!(!drafted.likely.contains(&E::DraftPlanIssued), "draft done");
    }

    #[test]
    fn a_plan_in_place_looks_to_its_review() {
        let steps = steps(
            serde_json::json!([
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
                { "type": "draft_plan_issued", "date": "2026-04-20" },
                { "type": "final_plan_issued", "date": "2026-05-18" }
            ]),
            "2026-06-01",
        );
        assert_eq!(steps.likely[0], E::ReviewMeetingHeld);
        assert!(steps.likely.contains(&E::PlanCeased));
        assert!(steps.others.contains(&E::DecisionToAssess));
        assert!(!offered(&steps).contains(&E::RequestReceived));
    }

    #[test]
    fn a_closed_case_suggests_nothing_and_offers_no_plan_events() {
        let steps = steps(
            serde_json::json!([
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "not_assess" }
            ]),
            "2026-03-01",
        );
        assert!(steps.likely.is_empty(), "{:?}", steps.likely);
        assert!(
            steps.others.contains(&E::DecisionToAssess),
            "a correction of course"
        );
        assert!(!steps.others.contains(&E::FinalPlanIssued));
        assert!(!steps.others.contains(&E::ReviewDecision));
    }
}
