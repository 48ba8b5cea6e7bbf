//! The statutory time limits as data (statutory-timescales §3, §6; contracts/case-file.md §2).
//!
//! Each entry says what starts the clock, how long it runs, what completes the duty, what makes
//! it no longer arise, which exceptions can disapply it, and where the law says so. The engine in
//! [`crate::timeline`] reads this table; nothing about a time limit is written anywhere else.

use crate::dates::{self, Date};
use crate::names::{EventType, ExceptionKind};

/// The time limits Tandem tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleId {
    DecisionToAssess,
    Advice,
    NoticeNotToIssue,
    FinalPlan,
    Review,
    ReviewDecision,
    AmendedPlan,
    PhaseTransferSchool,
    PhaseTransferPost16,
}

/// How long a clock runs, from the date that starts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// "Within N weeks of": due on start + 7×N days.
    Weeks(u32),
    /// "In the period of N months starting with": due on the period's last day.
    MonthsStartingWith(u32),
    /// "Before <day> <month>" of the start date's calendar year: due the day before.
    DayBefore { month: u32, day: u32 },
}

impl Length {
    /// The last day on which the duty is done in time.
    pub fn due(self, start: Date) -> Date {
        match self {
            Self::Weeks(weeks) => dates::add_weeks(start, weeks),
            Self::MonthsStartingWith(months) => dates::period_starting_with(start, months),
            Self::DayBefore { month, day } => dates::day_before(dates::year_of(start), month, day),
        }
    }
}

/// Something that makes a duty no longer arise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ending {
    Withdrawn,
    DecidedNotToAssess,
    DecidedToIssue,
    DecidedNotToIssue,
    FinalPlanIssued,
    PlanCeased,
    DecisionNotToAmend,
}

impl Ending {
    /// "the request was withdrawn on 3 March 2026".
    pub fn describe(self, date: Date) -> String {
        let on = dates::long(date);
        match self {
            Self::Withdrawn => format!("the request was withdrawn on {on}"),
            Self::DecidedNotToAssess => {
                format!("the council decided on {on} not to carry out an assessment")
            }
            Self::DecidedToIssue => format!("the council decided on {on} to issue a plan"),
            Self::DecidedNotToIssue => format!("the council decided on {on} not to issue a plan"),
            Self::FinalPlanIssued => format!("the final plan was issued on {on}"),
            Self::PlanCeased => format!("the plan stopped on {on}"),
            Self::DecisionNotToAmend => {
                format!("the review decision on {on} was not to amend the plan")
            }
        }
    }
}

/// When an ending makes a duty no longer arise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cutoff {
    /// If the ending came before the duty was done (a withdrawn request needs no decision).
    BeforeDone,
    /// As `BeforeDone`, and the ending must also come before the due date (a plan ceased after
    /// its review fell due leaves that review overdue).
    BeforeDue,
    /// Only if the duty was never done: advice that arrives after the final plan is still judged
    /// met or late by its own due date (contracts/case-file.md §2).
    Undone,
}

impl Cutoff {
    /// Whether an ending on `ended` stops a duty due on `due` and done on `done`.
    pub fn applies(self, ended: Date, due: Option<Date>, done: Option<Date>) -> bool {
        let before_done = done.is_none_or(|done| ended < done);
        match self {
            Self::BeforeDone => before_done,
            Self::BeforeDue => before_done && due.is_none_or(|due| ended < due),
            Self::Undone => done.is_none(),
        }
    }
}

/// One statutory time limit.
#[derive(Debug)]
pub struct Rule {
    pub id: RuleId,
    /// What must be done, as a parent would read it.
    pub duty: &'static str,
    pub length: Length,
    /// The event that completes the duty.
    pub completed_by: EventType,
    /// What makes the duty no longer arise, each with when it counts.
    pub ends_when: &'static [(Ending, Cutoff)],
    /// Exceptions that can disapply the limit, and the regulation that lists them.
    pub exceptions: &'static [ExceptionKind],
    pub exception_citation: &'static str,
    pub citation: &'static str,
}

const REG_10_4: &[ExceptionKind] = &[
    ExceptionKind::SchoolClosure,
    ExceptionKind::ExceptionalPersonalCircumstances,
    ExceptionKind::AbsentFromArea,
];

/// The table. Order is documentation order; look rules up with [`rule`].
pub static RULES: &[Rule] = &[
    Rule {
        id: RuleId::DecisionToAssess,
        duty: "tell the family whether the council will carry out an EHC needs assessment",
        length: Length::Weeks(6),
        completed_by: EventType::DecisionToAssess,
        ends_when: &[(Ending::Withdrawn, Cutoff::BeforeDone)],
        exceptions: REG_10_4,
        exception_citation: "reg 5(4)",
        citation: "SEND Regulations 2014, reg 5(1)",
    },
    Rule {
        id: RuleId::Advice,
        duty: "provide the advice asked for",
        length: Length::Weeks(6),
        completed_by: EventType::AdviceReceived,
        ends_when: &[
            (Ending::Withdrawn, Cutoff::BeforeDone),
            (Ending::FinalPlanIssued, Cutoff::Undone),
        ],
        exceptions: &[
            ExceptionKind::ExceptionalPersonalCircumstances,
            ExceptionKind::AbsentFromArea,
            ExceptionKind::MissedAppointment,
        ],
        exception_citation: "reg 8(2)",
        citation: "SEND Regulations 2014, reg 8(1); Code of Practice 9.40",
    },
    Rule {
        id: RuleId::NoticeNotToIssue,
        duty: "tell the family if the council decides not to issue a plan",
        length: Length::Weeks(16),
        completed_by: EventType::DecisionToIssue,
        ends_when: &[
            (Ending::DecidedNotToAssess, Cutoff::BeforeDone),
            (Ending::DecidedToIssue, Cutoff::BeforeDone),
            (Ending::FinalPlanIssued, Cutoff::BeforeDone),
            (Ending::Withdrawn, Cutoff::BeforeDone),
        ],
        exceptions: REG_10_4,
        exception_citation: "reg 10(4)",
        citation: "SEND Regulations 2014, reg 10(1)",
    },
    Rule {
        id: RuleId::FinalPlan,
        duty: "issue the final EHC plan",
        length: Length::Weeks(20),
        completed_by: EventType::FinalPlanIssued,
        ends_when: &[
            (Ending::DecidedNotToAssess, Cutoff::BeforeDone),
            (Ending::DecidedNotToIssue, Cutoff::BeforeDone),
            (Ending::Withdrawn, Cutoff::BeforeDone),
        ],
        exceptions: REG_10_4,
        exception_citation: "reg 13(3) applying reg 10(4)",
        citation: "SEND Regulations 2014, reg 13(2)",
    },
    Rule {
        id: RuleId::Review,
        duty: "hold the annual review meeting",
        length: Length::MonthsStartingWith(12),
        completed_by: EventType::ReviewMeetingHeld,
        ends_when: &[(Ending::PlanCeased, Cutoff::BeforeDue)],
        exceptions: &[],
        exception_citation: "",
        citation: "Children and Families Act 2014, s.44(1)",
    },
    Rule {
        id: RuleId::ReviewDecision,
        duty: "tell the family whether the plan will be kept, amended or stopped",
        length: Length::Weeks(4),
        completed_by: EventType::ReviewDecision,
        ends_when: &[],
        exceptions: &[],
        exception_citation: "",
        citation: "SEND Regulations 2014, reg 20(10)",
    },
    Rule {
        id: RuleId::AmendedPlan,
        duty: "issue the final amended plan",
        length: Length::Weeks(8),
        completed_by: EventType::AmendedPlanIssued,
        ends_when: &[(Ending::DecisionNotToAmend, Cutoff::BeforeDone)],
        exceptions: &[],
        exception_citation: "",
        citation: "SEND Regulations 2014, reg 22(3)",
    },
    Rule {
        id: RuleId::PhaseTransferSchool,
        duty: "review and amend the plan to name the next school",
        length: Length::DayBefore { month: 2, day: 15 },
        completed_by: EventType::AmendedPlanIssued,
        ends_when: &[(Ending::PlanCeased, Cutoff::BeforeDue)],
        exceptions: &[],
        exception_citation: "",
        citation: "SEND Regulations 2014, reg 18(1)",
    },
    Rule {
        id: RuleId::PhaseTransferPost16,
        duty: "review and amend the plan to name the post-16 institution",
        length: Length::DayBefore { month: 3, day: 31 },
        completed_by: EventType::AmendedPlanIssued,
        ends_when: &[(Ending::PlanCeased, Cutoff::BeforeDue)],
        exceptions: &[],
        exception_citation: "",
        citation: "SEND Regulations 2014, reg 18(1)",
    },
];

/// The table entry for a time limit.
pub fn rule(id: RuleId) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.id == id)
        .expect("every RuleId has an entry in RULES")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_one_entry_and_a_citation() {
        let ids = [
            RuleId::DecisionToAssess,
            RuleId::Advice,
            RuleId::NoticeNotToIssue,
            RuleId::FinalPlan,
            RuleId::Review,
            RuleId::ReviewDecision,
            RuleId::AmendedPlan,
            RuleId::PhaseTransferSchool,
            RuleId::PhaseTransferPost16,
        ];
        assert_eq!(RULES.len(), ids.len());
        for id in ids {
            let entry = rule(id);
            assert!(!entry.citation.is_empty());
            assert_eq!(
                entry.exceptions.is_empty(),
                entry.exception_citation.is_empty(),
                "{id:?}"
            );
        }
    }
}
