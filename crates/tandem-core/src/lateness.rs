//! Why a final plan was late: the first step of the assessment that ran late (issue 5, "reasons
//! for lateness"). The WSOA asks for analysis of why plans are late; this names one cause per
//! late plan so that causes can be counted across a service.
//!
//! The order of the steps follows the assessment: the decision to assess, then the advice (the
//! earliest-due late advice), then drafting (the draft later than the local draft target, by
//! default 14 weeks after the request, the practice IPSEA describes so that the 15-day comment
//! period and consultation fit before week 20), and otherwise consultation and finalising.

use crate::dates;
use crate::names::{AdviceKind, Status};
use crate::rules::RuleId;
use crate::timeline::Timeline;

/// The step that made a plan late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LateStep {
    /// The decision whether to assess came after its 6 weeks (or is overdue).
    DecisionToAssess,
    /// Advice of this kind was late: the earliest-due late advice request.
    Advice(AdviceKind),
    /// The draft plan was later than the local draft target.
    Drafting,
    /// Every earlier step was in time: the delay came after the draft, in consultation and
    /// finalising.
    ConsultationAndFinalising,
}

impl LateStep {
    /// A stable machine name (`advice:health`).
    pub fn key(self) -> String {
        match self {
            Self::DecisionToAssess => "decision_to_assess".into(),
            Self::Advice(kind) => format!("advice:{kind}"),
            Self::Drafting => "drafting".into(),
            Self::ConsultationAndFinalising => "consultation".into(),
        }
    }

    /// The step with this machine name, if any.
    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "decision_to_assess" => Some(Self::DecisionToAssess),
            "drafting" => Some(Self::Drafting),
            "consultation" => Some(Self::ConsultationAndFinalising),
            _ => AdviceKind::parse(key.strip_prefix("advice:")?).map(Self::Advice),
        }
    }

    /// The step's name for people ("Drafting the plan").
    pub fn label(self) -> String {
        match self {
            Self::DecisionToAssess => "Decision to assess".into(),
            Self::Advice(kind) => kind.label().into(),
            Self::Drafting => "Drafting the plan".into(),
            Self::ConsultationAndFinalising => "Consultation and finalising".into(),
        }
    }
}

impl serde::Serialize for LateStep {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

impl<'de> serde::Deserialize<'de> for LateStep {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&key)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown late step {key:?}")))
    }
}

/// The first late step of a case whose final plan is late or overdue; `None` when the final plan
/// is not late. `draft_target_weeks` is the local target for issuing the draft.
pub fn first_late_step(timeline: &Timeline, draft_target_weeks: u32) -> Option<LateStep> {
    let final_plan = timeline
        .milestones
        .iter()
        .find(|m| m.rule_id == RuleId::FinalPlan)?;
    if !matches!(final_plan.status, Status::Late | Status::Overdue) {
        return None;
    }
    let late = |status: Status| matches!(status, Status::Late | Status::Overdue);
    if timeline
        .milestones
        .iter()
        .any(|m| m.rule_id == RuleId::DecisionToAssess && late(m.status))
    {
        return Some(LateStep::DecisionToAssess);
    }
    // Advice received after the final plan is "not applicable" but was still late when it
    // mattered; judge advice by its dates.
    let advice_late = timeline
        .milestones
        .iter()
        .filter(|m| m.rule_id == RuleId::Advice)
        .filter(|m| match (m.done, m.due) {
            (Some(done), Some(due)) => done > due,
            (None, Some(due)) => due < timeline.as_of,
            _ => false,
        })
        .min_by_key(|m| (m.due, m.key.clone()));
    if let Some(kind) = advice_late.and_then(|m| m.advice) {
        return Some(LateStep::Advice(kind));
    }
    let draft_due = dates::add_weeks(final_plan.start, draft_target_weeks);
    let draft = timeline.draft_issued;
    if draft.is_none_or(|d| d > draft_due) && draft_due < timeline.as_of {
        return Some(LateStep::Drafting);
    }
    Some(LateStep::ConsultationAndFinalising)
}
