//! How a case's deadlines read to the people working on it: the step a manager would act on
//! next, how each step's status is worded, whether the final plan is at risk of missing its
//! 20 weeks, and what a step about to be recorded would make questionable.
//!
//! The timeline ([`crate::timeline`]) says what the law says, in the contract's terms; this
//! module only reads it. Two readings differ from the timeline's bare status, each for a reason
//! the law gives:
//!
//! - The 16-week notice (reg 10(1)) is a duty only if the council decides *not* to issue a
//!   plan. Past week 16 with no decision either way, nothing is yet late: the step reads "No
//!   decision yet" rather than "Overdue", does not make the case red, and is not the next step a
//!   manager acts on (the final plan, week 20, is).
//! - A qualifying exception disapplies a limit (reg 5(4), 8(2), 10(4), 13(3)): a step past its
//!   date under one reads "Late – exception applies", on the steps the exception covers only.

use crate::case_file::CaseFile;
use crate::caseload::{REQUIRED_ADVICE, advice_not_sought};
use crate::dates::{self, Date};
use crate::event::{Event, EventDetail};
use crate::names::{AssessOutcome, EventType, Status, WarningCode};
use crate::plan::comment_period_ends;
use crate::rules::RuleId;
use crate::timeline::{self, Milestone, Timeline};

/// How a step's status reads on a case page and a caseload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Done on or before its due date.
    OnTime,
    /// Done after its due date.
    Late,
    /// Past its due date (done or not) while a qualifying exception disapplies the limit: the
    /// duty is "as soon as practicable".
    LateExceptionApplies,
    /// Not done, and its due date has passed.
    Overdue,
    /// The 16-week notice past its date with no decision whether to issue a plan: late only if
    /// the council now decides not to issue one.
    NoDecisionYet,
    /// Not done, due today or later.
    Pending,
    /// The duty no longer arises.
    NotNeeded,
}

impl Reading {
    /// The words of the status tag.
    pub fn label(self) -> &'static str {
        match self {
            Self::OnTime => "Done on time",
            Self::Late => "Done late",
            Self::LateExceptionApplies => "Late – exception applies",
            Self::Overdue => "Overdue",
            Self::NoDecisionYet => "No decision yet",
            Self::Pending => "To do",
            Self::NotNeeded => "Not needed",
        }
    }
}

/// How `milestone` reads.
pub fn reading(milestone: &Milestone) -> Reading {
    let past_due = matches!(milestone.status, Status::Late | Status::Overdue);
    if past_due && milestone.exception.is_some() {
        return Reading::LateExceptionApplies;
    }
    match milestone.status {
        Status::Met => Reading::OnTime,
        Status::Late => Reading::Late,
        Status::Overdue if milestone.rule_id == RuleId::NoticeNotToIssue => Reading::NoDecisionYet,
        Status::Overdue => Reading::Overdue,
        Status::Pending => Reading::Pending,
        Status::NotApplicable => Reading::NotNeeded,
    }
}

/// Whether `milestone` makes its case late: overdue, and neither the undecided 16-week notice
/// nor a step whose limit an exception disapplies.
pub fn counts_as_overdue(milestone: &Milestone) -> bool {
    reading(milestone) == Reading::Overdue
}

/// Whether `milestone` is still to be done and a manager would act on it: open, and not the
/// 16-week notice once its date has passed undecided (the final plan is then what is due).
fn actionable(milestone: &Milestone) -> bool {
    matches!(milestone.status, Status::Pending | Status::Overdue)
        && reading(milestone) != Reading::NoDecisionYet
}

/// The step a manager would act on next: the soonest due of the steps still to do, leaving out
/// the 16-week notice once its date has passed without a decision.
pub fn next_action(timeline: &Timeline) -> Option<&Milestone> {
    timeline
        .milestones
        .iter()
        .filter(|m| actionable(m))
        .min_by_key(|m| (m.due.is_none(), m.due, m.key.clone()))
}

/// The headline deadline of an assessment: the final plan (week 20), while it is to be done or
/// once done; `None` when the duty no longer arises or no request was made.
pub fn headline(timeline: &Timeline) -> Option<&Milestone> {
    timeline
        .milestones
        .iter()
        .find(|m| m.rule_id == RuleId::FinalPlan && m.status != Status::NotApplicable)
}

/// The forecast for an assessment's final plan: the earliest date the law allows it, from the
/// steps still to do, and whether that is after its 20 weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forecast {
    /// The final plan's statutory due date (request + 20 weeks, reg 13(2)).
    pub due: Date,
    /// The earliest date the final plan can lawfully be issued if every remaining step is done
    /// as soon as it can be.
    pub earliest: Date,
}

impl Forecast {
    /// The final plan cannot now be issued within its 20 weeks, though their end has not yet
    /// come.
    pub fn at_risk(&self, today: Date) -> bool {
        self.earliest > self.due && today <= self.due
    }
}

/// Six weeks for advice to arrive once asked for (reg 8(1)).
const ADVICE_DAYS: u64 = 42;

/// The earliest lawful date for the final plan of `case`, as of `timeline.as_of`, when the
/// final plan is still to be issued and no exception disapplies its limit. Every remaining step
/// is assumed done as soon as the law allows:
///
/// - advice asked for and still awaited arrives on its due date (today, if that has passed);
/// - advice the council must seek (reg 6(1)) and has not asked for is asked for today, after a
///   decision to assess made today if there is none yet, and takes its six weeks (reg 8(1));
/// - the draft follows the last advice the same day, and the final plan the draft's 15-day
///   comment period (reg 13(1)); a draft already served counts from its own date.
pub fn forecast_final_plan(case: &CaseFile, timeline: &Timeline) -> Option<Forecast> {
    let today = timeline.as_of;
    let final_plan = timeline.milestones.iter().find(|m| {
        m.rule_id == RuleId::FinalPlan && matches!(m.status, Status::Pending | Status::Overdue)
    })?;
    if final_plan.exception.is_some() {
        return None;
    }
    let due = final_plan.due?;
    let after_draft = |draft: Date| comment_period_ends(draft) + chrono::Days::new(1);
    if let Some(draft) = timeline.draft_issued {
        return Some(Forecast {
            due,
            earliest: after_draft(draft).max(today),
        });
    }
    let known = || case.events.iter().filter(|e| e.date <= today);
    let awaited = timeline
        .milestones
        .iter()
        .filter(|m| m.advice.is_some() && matches!(m.status, Status::Pending | Status::Overdue))
        .filter_map(|m| m.due)
        .map(|d| d.max(today))
        .max();
    let never_asked = REQUIRED_ADVICE.iter().any(|kind| {
        !known().any(
            |e| matches!(&e.detail, EventDetail::AdviceRequested { advice, .. } if advice == kind),
        )
    });
    let asked_today = never_asked.then(|| today + chrono::Days::new(ADVICE_DAYS));
    let advice_in = [awaited, asked_today].into_iter().flatten().max();
    let draft = advice_in.unwrap_or(today).max(today);
    Some(Forecast {
        due,
        earliest: after_draft(draft),
    })
}

/// What recording `event` on `case` today would make questionable, in words, for the form to
/// show before saving: the timeline's own warnings (and a required advice never sought) that
/// the event would add, and advice asked for before the council decided to assess. An event
/// dated before the request is left to the services, which refuse it.
pub fn warnings_if_recorded(case: &CaseFile, event: &Event, today: Date) -> Vec<String> {
    // An event before the request is refused when saved, not warned about.
    let warnings_of = |case: &CaseFile| {
        let mut all = timeline::compute(case, today).warnings;
        all.extend(advice_not_sought(case, today));
        all.into_iter()
            .filter(|w| w.code != WarningCode::EventBeforeRequest)
            .map(|w| (w.code, w.message))
            .collect::<Vec<_>>()
    };
    let before = warnings_of(case);
    let mut after_case = case.clone();
    after_case.events.push(event.clone());
    let mut added: Vec<String> = warnings_of(&after_case)
        .into_iter()
        .filter(|w| !before.contains(w))
        .map(|(_, message)| message)
        .collect();
    if event.event_type() == EventType::AdviceRequested {
        let decided = case.events.iter().any(|e| {
            e.date <= event.date
                && matches!(
                    e.detail,
                    EventDetail::DecisionToAssess {
                        outcome: AssessOutcome::Assess
                    }
                )
        });
        if !decided {
            added.push(format!(
                "No decision to carry out an assessment is recorded on or before {}: advice is \
                 sought for an assessment (reg 6(1)), so record the decision first unless the \
                 council chose to ask early.",
                dates::long(event.date)
            ));
        }
    }
    added
}

/// The draft plan's comment period, for a row of the case's timeline: the day the draft was
/// served and the last of the 15 days the family has to comment (reg 13(1)).
pub fn comment_period(timeline: &Timeline) -> Option<(Date, Date)> {
    let draft = timeline.draft_issued?;
    Some((draft, comment_period_ends(draft)))
}
