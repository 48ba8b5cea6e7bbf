//! How urgent a case is, for the caseload pages: the red/amber/green status of its next
//! statutory step, the days left, and the backlog of requests past the 20-week limit.

use crate::case_file::CaseFile;
use crate::dates::{self, Date};
use crate::event::{Event, EventDetail};
use crate::names::{
    AdviceKind, AssessOutcome, EventType, IssueOutcome, PhaseKind, ReviewOutcome, Stage,
    WarningCode,
};
use crate::rules::{Length, RuleId, rule};
use crate::timeline::Warning;

/// The stages of a request that has ended neither in a final plan nor in a decision against
/// one: what the backlog of late requests is drawn from.
pub const AWAITING_PLAN: [Stage; 3] = [
    Stage::AwaitingDecision,
    Stage::Assessing,
    Stage::DraftIssued,
];

/// The stages in which the council still has work to do ([`Stage::is_open`]).
pub fn open_stages() -> Vec<Stage> {
    Stage::ALL.iter().copied().filter(|s| s.is_open()).collect()
}

/// The next step is "due soon" when its due date is at most this many days away (two weeks,
/// today and the fourteenth day included).
pub const DUE_SOON_DAYS: i64 = 14;

crate::names::machine_names! {
    /// Red, amber or green: how close a case's next statutory step is to its due date.
    RagStatus {
        /// Red: the due date has passed.
        Overdue => "overdue",
        /// Amber: due today or within the next [`DUE_SOON_DAYS`] days.
        DueSoon => "due_soon",
        /// Green: due later than that.
        OnTrack => "on_track",
    }
}

impl RagStatus {
    /// The status of a step due on `due`, judged on `today`.
    pub fn of(due: Date, today: Date) -> Self {
        match days_left(due, today) {
            left if left < 0 => Self::Overdue,
            left if left <= DUE_SOON_DAYS => Self::DueSoon,
            _ => Self::OnTrack,
        }
    }

    /// The status of a whole case: red when any step is overdue, else by its next step's due
    /// date; `None` when nothing is due. The stored case summaries and the pages both use it.
    pub fn of_case(next_due: Option<Date>, overdue_count: usize, today: Date) -> Option<Self> {
        if overdue_count > 0 {
            return Some(Self::Overdue);
        }
        next_due.map(|due| Self::of(due, today))
    }

    /// The words shown with the colour, so that the colour is never the only signal.
    pub fn label(self) -> &'static str {
        match self {
            Self::Overdue => "Overdue",
            Self::DueSoon => "Due within 2 weeks",
            Self::OnTrack => "On track",
        }
    }
}

/// Days from `today` to `due`: 0 when due today, negative once the date has passed.
pub fn days_left(due: Date, today: Date) -> i64 {
    (due - today).num_days()
}

/// "3 days left", "Due today", "2 days overdue".
pub fn describe_days_left(due: Date, today: Date) -> String {
    let plural = |n: i64| if n == 1 { "" } else { "s" };
    match days_left(due, today) {
        0 => "Due today".to_owned(),
        left if left > 0 => format!("{left} day{} left", plural(left)),
        left => format!("{} day{} overdue", -left, plural(-left)),
    }
}

/// A request received before this date is past the statutory limit for the final plan on
/// `today` (20 weeks, SEND Regulations 2014 reg 13(2)): its due date, request + 20 weeks, is
/// before today.
pub fn backlog_cutoff(today: Date) -> Date {
    match rule(RuleId::FinalPlan).length {
        Length::Weeks(weeks) => today - chrono::Days::new(7 * u64::from(weeks)),
        other => unreachable!("the final plan's limit is counted in weeks, not {other:?}"),
    }
}

/// The last day of `today`'s week (Sunday): what "due this week" counts up to.
pub fn week_end(today: Date) -> Date {
    use chrono::Datelike;
    let left = 6 - u64::from(today.weekday().num_days_from_monday());
    today + chrono::Days::new(left)
}

/// Whole weeks since a request received on `requested`, on `today`.
pub fn weeks_since(requested: Date, today: Date) -> i64 {
    (today - requested).num_days().div_euclid(7)
}

/// The final plan's statutory due date for a request received on `requested`.
pub fn final_plan_due(requested: Date) -> Date {
    rule(RuleId::FinalPlan).length.due(requested)
}

/// What an event records, in a few words.
pub fn describe_event(event: &Event) -> String {
    match &event.detail {
        EventDetail::RequestReceived => "Request for assessment received".to_owned(),
        EventDetail::Exception(claim) => {
            let kind = claim.kind.as_str().replace('_', " ");
            match claim.to {
                Some(to) => format!("Exception claimed: {kind} until {}", dates::long(to)),
                None => format!("Exception claimed: {kind}"),
            }
        }
        EventDetail::DecisionToAssess { outcome } => match outcome {
            AssessOutcome::Assess => "Decided to carry out an assessment".to_owned(),
            AssessOutcome::NotAssess => "Decided not to carry out an assessment".to_owned(),
        },
        EventDetail::AdviceRequested {
            advice,
            provider: Some(provider),
            ..
        } => format!("{} requested from {provider}", advice.label()),
        EventDetail::AdviceRequested { advice, .. } => format!("{} requested", advice.label()),
        EventDetail::AdviceReceived { advice, .. } => format!("{} received", advice.label()),
        EventDetail::DecisionToIssue { outcome } => match outcome {
            IssueOutcome::Issue => "Decided to issue a plan".to_owned(),
            IssueOutcome::NotIssue => "Decided not to issue a plan".to_owned(),
        },
        EventDetail::PhaseTransfer { kind } => match kind {
            PhaseKind::School => "Move to a new school planned".to_owned(),
            PhaseKind::Post16 => "Move to a post-16 institution planned".to_owned(),
        },
        EventDetail::ReviewDecision { outcome } => match outcome {
            ReviewOutcome::Maintain => "Review decision: keep the plan as it is".to_owned(),
            ReviewOutcome::Amend => "Review decision: amend the plan".to_owned(),
            ReviewOutcome::Cease => "Review decision: stop the plan".to_owned(),
        },
        EventDetail::DraftPlanIssued => "Draft plan issued".to_owned(),
        EventDetail::FinalPlanIssued => "Final plan issued".to_owned(),
        EventDetail::ReviewMeetingHeld => "Annual review meeting held".to_owned(),
        EventDetail::AmendmentNoticeIssued => "Proposed amendments sent".to_owned(),
        EventDetail::AmendedPlanIssued => "Amended plan issued".to_owned(),
        EventDetail::RequestWithdrawn => "Request withdrawn".to_owned(),
        EventDetail::PlanCeased => "Plan stopped".to_owned(),
    }
}

/// The advice the council must seek for every assessment (SEND Regulations 2014 reg 6(1)(b)–(e):
/// educational, medical, psychological and social care advice).
pub const REQUIRED_ADVICE: [AdviceKind; 4] = [
    AdviceKind::Education,
    AdviceKind::Health,
    AdviceKind::EducationalPsychology,
    AdviceKind::SocialCare,
];

/// Warnings for a case's page beyond the timeline's own: a final plan issued when advice the
/// council must seek was never asked for. (The timeline already warns when advice was asked for
/// but had not arrived.) Only events known on `as_of` count.
pub fn advice_not_sought(case: &CaseFile, as_of: Date) -> Vec<Warning> {
    let known = || case.events.iter().filter(|e| e.date <= as_of);
    let Some(final_plan) = known()
        .filter(|e| e.event_type() == EventType::FinalPlanIssued)
        .map(|e| e.date)
        .min()
    else {
        return Vec::new();
    };
    REQUIRED_ADVICE
        .iter()
        .filter(|kind| {
            !known().any(|e| {
                e.date <= final_plan
                    && matches!(&e.detail, EventDetail::AdviceRequested { advice, .. } if advice == *kind)
            })
        })
        .map(|kind| Warning {
            code: WarningCode::AdviceNotSought,
            message: format!(
                "The final plan was issued on {} without {} having been asked for (reg 6(1)); \
                 that is lawful only if existing advice was agreed to be enough (reg 6(4)).",
                dates::long(final_plan),
                kind.label().to_lowercase()
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        dates::parse_iso(text).expect("test date")
    }

    #[test]
    fn rag_worked_examples() {
        let today = d("2026-11-23");
        // Yesterday: overdue.
        assert_eq!(RagStatus::of(d("2026-11-22"), today), RagStatus::Overdue);
        // Today: not yet overdue, due soon.
        assert_eq!(RagStatus::of(today, today), RagStatus::DueSoon);
        // Exactly 14 days away: still within two weeks.
        assert_eq!(RagStatus::of(d("2026-12-07"), today), RagStatus::DueSoon);
        // 15 days away: on track.
        assert_eq!(RagStatus::of(d("2026-12-08"), today), RagStatus::OnTrack);
        // Long overdue.
        assert_eq!(RagStatus::of(d("2025-01-01"), today), RagStatus::Overdue);
        // A case: anything overdue makes it red, whatever its next step; nothing due, no status.
        let later = Some(d("2027-06-01"));
        assert_eq!(
            RagStatus::of_case(later, 1, today),
            Some(RagStatus::Overdue)
        );
        assert_eq!(
            RagStatus::of_case(later, 0, today),
            Some(RagStatus::OnTrack)
        );
        assert_eq!(
            RagStatus::of_case(Some(today), 0, today),
            Some(RagStatus::DueSoon)
        );
        assert_eq!(RagStatus::of_case(None, 0, today), None);
    }

    #[test]
    fn days_left_reads_naturally() {
        let today = d("2026-11-23");
        assert_eq!(days_left(d("2026-12-07"), today), 14);
        assert_eq!(describe_days_left(today, today), "Due today");
        assert_eq!(describe_days_left(d("2026-11-24"), today), "1 day left");
        assert_eq!(describe_days_left(d("2026-12-07"), today), "14 days left");
        assert_eq!(describe_days_left(d("2026-11-22"), today), "1 day overdue");
        assert_eq!(
            describe_days_left(d("2026-11-13"), today),
            "10 days overdue"
        );
    }

    #[test]
    fn the_backlog_starts_after_twenty_weeks() {
        let today = d("2026-11-23");
        let cutoff = backlog_cutoff(today);
        // A request received on the cutoff has its final plan due today: not yet late.
        assert_eq!(cutoff, d("2026-07-06"));
        assert_eq!(final_plan_due(cutoff), today);
        // The day before, the plan was due yesterday.
        let earlier = cutoff.pred_opt().expect("date");
        assert!(final_plan_due(earlier) < today);
        assert_eq!(weeks_since(cutoff, today), 20);
        assert_eq!(weeks_since(earlier, today), 20);
        assert_eq!(
            weeks_since(d("2026-07-05") - chrono::Days::new(6), today),
            21
        );
        assert_eq!(weeks_since(today, today), 0);
    }

    #[test]
    fn a_request_awaiting_its_plan_is_open() {
        assert!(AWAITING_PLAN.iter().all(|s| s.is_open()));
        assert_eq!(
            open_stages(),
            [
                Stage::AwaitingDecision,
                Stage::Assessing,
                Stage::DraftIssued,
                Stage::PlanMaintained
            ]
        );
    }

    fn case_with(events: serde_json::Value) -> CaseFile {
        CaseFile::from_value(serde_json::json!({ "reference": "T-1", "events": events }))
            .expect("case")
    }

    #[test]
    fn a_final_plan_without_health_advice_asked_for_is_warned_about() {
        let case = case_with(serde_json::json!([
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "education" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "educational_psychology" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "social_care" },
            { "type": "advice_requested", "date": "2026-05-20", "advice": "health" },
            { "type": "draft_plan_issued", "date": "2026-04-20" },
            { "type": "final_plan_issued", "date": "2026-05-18" },
        ]));
        let warnings = advice_not_sought(&case, d("2026-06-01"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].code, WarningCode::AdviceNotSought);
        assert_eq!(
            warnings[0].message,
            "The final plan was issued on 18 May 2026 without health advice having been asked \
             for (reg 6(1)); that is lawful only if existing advice was agreed to be enough \
             (reg 6(4))."
        );
        // Before the final plan there is nothing to warn about.
        assert!(advice_not_sought(&case, d("2026-05-17")).is_empty());
    }

    #[test]
    fn a_final_plan_with_all_advice_asked_for_has_no_such_warning() {
        let mut events =
            vec![serde_json::json!({ "type": "request_received", "date": "2026-01-05" })];
        for kind in REQUIRED_ADVICE {
            events.push(serde_json::json!({
                "type": "advice_requested", "date": "2026-02-11", "advice": kind.as_str()
            }));
        }
        events.push(serde_json::json!({ "type": "final_plan_issued", "date": "2026-05-18" }));
        let case = case_with(serde_json::Value::Array(events));
        assert!(advice_not_sought(&case, d("2026-06-01")).is_empty());
    }

    #[test]
    fn events_are_described_in_words() {
        let case = case_with(serde_json::json!([
            { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "not_assess" },
            { "type": "advice_received", "date": "2026-02-10", "advice": "health" },
            { "type": "advice_requested", "date": "2026-02-10", "advice": "health", "provider": "Community paediatrics" },
            { "type": "advice_requested", "date": "2026-02-10", "advice": "education" },
        ]));
        assert_eq!(
            describe_event(&case.events[0]),
            "Decided not to carry out an assessment"
        );
        assert_eq!(describe_event(&case.events[1]), "Health advice received");
        assert_eq!(
            describe_event(&case.events[2]),
            "Health advice requested from Community paediatrics"
        );
        assert_eq!(
            describe_event(&case.events[3]),
            "Education advice requested"
        );
    }

    #[test]
    fn every_status_has_a_label_and_a_machine_name() {
        for status in RagStatus::ALL {
            assert!(!status.label().is_empty());
            assert_eq!(RagStatus::parse(status.as_str()), Some(*status));
        }
    }
}
