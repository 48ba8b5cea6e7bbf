//! The statutory time limits as data (statutory-timescales §3, §6; contracts/case-file.md §2).
//!
//! Each entry says what its milestones are called (key and label), what starts the clock and how
//! the due date is explained, how long it runs, what completes the duty, what makes it no longer
//! arise, which exceptions can disapply it (with the paragraph that lists each), and where the
//! law says so. The engine in [`crate::timeline`] reads this table; no duration, key, label or
//! citation of a time limit is written anywhere else. `docs/statutory-rules.md` says how to add
//! one.

use crate::dates::{self, Date};
use crate::names::{AdviceKind, EventType, ExceptionKind};

/// The time limits Tandem tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleId {
    /// Decide whether to assess within 6 weeks of the request (reg 5(1)).
    DecisionToAssess,
    /// Give requested advice within 6 weeks of the request for it (reg 8(1)).
    Advice,
    /// Say within 16 weeks of the request if no plan will be issued (reg 10(1)).
    NoticeNotToIssue,
    /// Issue the final plan within 20 weeks of the request (reg 13(2)).
    FinalPlan,
    /// Hold each annual review meeting within 12 months (CFA 2014 s.44(1)).
    Review,
    /// Decide within 4 weeks of a review meeting (reg 20(10)).
    ReviewDecision,
    /// Issue the amended plan within 8 weeks of the amendment notice (reg 22(3)).
    AmendedPlan,
    /// Amend the plan before 15 February of a school phase transfer's year (reg 18(1)).
    PhaseTransferSchool,
    /// Amend the plan before 31 March of a post-16 transfer's year (reg 18(1)).
    PhaseTransferPost16,
}

impl RuleId {
    /// Every time limit, in the table's order.
    pub const ALL: &[RuleId] = &[
        Self::DecisionToAssess,
        Self::Advice,
        Self::NoticeNotToIssue,
        Self::FinalPlan,
        Self::Review,
        Self::ReviewDecision,
        Self::AmendedPlan,
        Self::PhaseTransferSchool,
        Self::PhaseTransferPost16,
    ];
}

/// How long a clock runs, from the date that starts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// "Within N weeks of": due on start + 7×N days.
    Weeks(u32),
    /// "In the period of N months starting with": due on the period's last day.
    MonthsStartingWith(u32),
    /// "Before `<day> <month>`" of the start date's calendar year: due the day before.
    DayBefore {
        /// The month of the date, 1 to 12.
        month: u32,
        /// The day of the month.
        day: u32,
    },
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

    /// The length in words: "6 weeks", "12 months", "15 February".
    pub fn phrase(self) -> String {
        match self {
            Self::Weeks(1) => "1 week".to_owned(),
            Self::Weeks(weeks) => format!("{weeks} weeks"),
            Self::MonthsStartingWith(1) => "1 month".to_owned(),
            Self::MonthsStartingWith(months) => format!("{months} months"),
            Self::DayBefore { month, day } => dates::day_and_month(month, day),
        }
    }

    /// The length before a noun: "6-week", "12-month", "15 February".
    pub fn adjective(self) -> String {
        match self {
            Self::Weeks(weeks) => format!("{weeks}-week"),
            Self::MonthsStartingWith(months) => format!("{months}-month"),
            Self::DayBefore { .. } => self.phrase(),
        }
    }
}

/// One thing that can start a rule's clock, with the sentence that explains the due date.
/// In the sentence `{length}` is the rule's length in words and `{date}` the start date; any
/// other `{name}` is filled in by the engine method that builds the milestone.
#[derive(Debug)]
pub struct ClockStart {
    /// Which start this is ("request", "plan"), as the engine names it.
    pub name: &'static str,
    /// The sentence explaining the due date, with `{length}`, `{date}` and other placeholders.
    pub explanation: &'static str,
}

/// Something that makes a duty no longer arise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ending {
    /// The request was withdrawn.
    Withdrawn,
    /// The council decided not to assess.
    DecidedNotToAssess,
    /// The council decided to issue a plan (so no notice not to issue is due).
    DecidedToIssue,
    /// The council decided not to issue a plan.
    DecidedNotToIssue,
    /// The final plan was issued.
    FinalPlanIssued,
    /// The council ceased to maintain the plan.
    PlanCeased,
    /// The review decision was to maintain or cease, not to amend.
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
    /// Which time limit this is.
    pub id: RuleId,
    /// The key of its milestones; `{part}` stands for the advice, review number or year.
    pub key: &'static str,
    /// What a caseload calls the step, with the key's `{part}`; `{advice}` is the advice's name.
    pub label: &'static str,
    /// The limit's name after its length: "decision" makes "6-week decision".
    pub short_name: &'static str,
    /// What to do, as the case page's "Next:" panel says it, with the label's `{part}` and
    /// `{advice}`: "Decide whether to assess".
    pub action: &'static str,
    /// What must be done, as a parent would read it.
    pub duty: &'static str,
    /// How long the clock runs.
    pub length: Length,
    /// What starts the clock; the engine names the one that applies.
    pub starts: &'static [ClockStart],
    /// The event that completes the duty.
    pub completed_by: EventType,
    /// What makes the duty no longer arise, each with when it counts.
    pub ends_when: &'static [(Ending, Cutoff)],
    /// Exceptions that can disapply the limit, each with its paragraph in the list.
    pub exceptions: &'static [(ExceptionKind, &'static str)],
    /// The regulation that lists the exceptions ("reg 5(4)"), if any.
    pub exception_list: &'static str,
    /// A regulation that applies that list to this limit ("reg 13(3)"), if it is another's.
    pub exceptions_applied_by: &'static str,
    /// Where the law sets the limit, in full ("SEND Regulations 2014, reg 5(1)").
    pub citation: &'static str,
}

const REG_10_4: &[(ExceptionKind, &str)] = &[
    (ExceptionKind::SchoolClosure, "(a)"),
    (ExceptionKind::ExceptionalPersonalCircumstances, "(c)"),
    (ExceptionKind::AbsentFromArea, "(d)"),
];

/// The table. Order is documentation order; look rules up with [`rule`].
pub static RULES: &[Rule] = &[
    Rule {
        id: RuleId::DecisionToAssess,
        key: "decision_to_assess",
        label: "Decision whether to assess",
        short_name: "decision",
        action: "Decide whether to assess",
        duty: "tell the family whether the council will carry out an EHC needs assessment",
        length: Length::Weeks(6),
        starts: &[ClockStart {
            name: "request",
            explanation: "Decision due {length} after the request received on {date}.",
        }],
        completed_by: EventType::DecisionToAssess,
        ends_when: &[(Ending::Withdrawn, Cutoff::BeforeDone)],
        exceptions: REG_10_4,
        exception_list: "reg 5(4)",
        exceptions_applied_by: "",
        citation: "SEND Regulations 2014, reg 5(1)",
    },
    Rule {
        id: RuleId::Advice,
        key: "advice:{part}",
        label: "{advice}",
        short_name: "advice",
        action: "Get the {advice_lower}",
        duty: "provide the advice asked for",
        length: Length::Weeks(6),
        starts: &[ClockStart {
            name: "requested",
            explanation: "{advice} due {length} after it was requested on {date}.",
        }],
        completed_by: EventType::AdviceReceived,
        ends_when: &[
            (Ending::Withdrawn, Cutoff::BeforeDone),
            (Ending::FinalPlanIssued, Cutoff::Undone),
        ],
        exceptions: &[
            (ExceptionKind::ExceptionalPersonalCircumstances, "(a)"),
            (ExceptionKind::AbsentFromArea, "(b)"),
            (ExceptionKind::MissedAppointment, "(c)"),
        ],
        exception_list: "reg 8(2)",
        exceptions_applied_by: "",
        citation: "SEND Regulations 2014, reg 8(1); Code of Practice 9.40",
    },
    Rule {
        id: RuleId::NoticeNotToIssue,
        key: "notice_not_to_issue",
        label: "Decide whether to issue a plan",
        short_name: "notice",
        action: "Decide whether to issue a plan",
        duty: "tell the family if the council decides not to issue a plan",
        length: Length::Weeks(16),
        starts: &[ClockStart {
            name: "request",
            explanation: "If the council decides not to issue a plan, it must say so within {length} of the request received on {date}.",
        }],
        completed_by: EventType::DecisionToIssue,
        ends_when: &[
            (Ending::DecidedNotToAssess, Cutoff::BeforeDone),
            (Ending::DecidedToIssue, Cutoff::BeforeDone),
            (Ending::FinalPlanIssued, Cutoff::BeforeDone),
            (Ending::Withdrawn, Cutoff::BeforeDone),
        ],
        exceptions: REG_10_4,
        exception_list: "reg 10(4)",
        exceptions_applied_by: "",
        citation: "SEND Regulations 2014, reg 10(1)",
    },
    Rule {
        id: RuleId::FinalPlan,
        key: "final_plan",
        label: "Final plan",
        short_name: "final plan",
        action: "Issue the final plan",
        duty: "issue the final EHC plan",
        length: Length::Weeks(20),
        starts: &[ClockStart {
            name: "request",
            explanation: "Final plan due {length} after the request received on {date}.",
        }],
        completed_by: EventType::FinalPlanIssued,
        ends_when: &[
            (Ending::DecidedNotToAssess, Cutoff::BeforeDone),
            (Ending::DecidedNotToIssue, Cutoff::BeforeDone),
            (Ending::Withdrawn, Cutoff::BeforeDone),
        ],
        exceptions: REG_10_4,
        exception_list: "reg 10(4)",
        exceptions_applied_by: "reg 13(3)",
        citation: "SEND Regulations 2014, reg 13(2)",
    },
    Rule {
        id: RuleId::Review,
        key: "review:{part}",
        label: "Annual review {part}: meeting",
        short_name: "review",
        action: "Hold annual review {part}",
        duty: "hold the annual review meeting",
        length: Length::MonthsStartingWith(12),
        starts: &[
            ClockStart {
                name: "plan",
                explanation: "First annual review meeting due within {length} of the plan issued on {date}.",
            },
            ClockStart {
                name: "decision",
                explanation: "Annual review meeting due within {length} of the review decision on {date}.",
            },
        ],
        completed_by: EventType::ReviewMeetingHeld,
        ends_when: &[(Ending::PlanCeased, Cutoff::BeforeDue)],
        exceptions: &[],
        exception_list: "",
        exceptions_applied_by: "",
        citation: "Children and Families Act 2014, s.44(1)",
    },
    Rule {
        id: RuleId::ReviewDecision,
        key: "review:{part}:decision",
        label: "Annual review {part}: decision",
        short_name: "review decision",
        action: "Send the decision after annual review {part}",
        duty: "tell the family whether the plan will be kept, amended or stopped",
        length: Length::Weeks(4),
        starts: &[ClockStart {
            name: "meeting",
            explanation: "Review decision due {length} after the review meeting on {date}.",
        }],
        completed_by: EventType::ReviewDecision,
        ends_when: &[],
        exceptions: &[],
        exception_list: "",
        exceptions_applied_by: "",
        citation: "SEND Regulations 2014, reg 20(10)",
    },
    Rule {
        id: RuleId::AmendedPlan,
        key: "review:{part}:amended_plan",
        label: "Annual review {part}: amended plan",
        short_name: "amended plan",
        action: "Issue the amended plan after annual review {part}",
        duty: "issue the final amended plan",
        length: Length::Weeks(8),
        starts: &[
            ClockStart {
                name: "notice",
                explanation: "Amended plan due {length} after the proposed amendments were sent on {date}.",
            },
            ClockStart {
                name: "decision",
                explanation: "Amended plan due {length} after the review decision on {date}, when the proposed amendments should have been sent.",
            },
        ],
        completed_by: EventType::AmendedPlanIssued,
        ends_when: &[(Ending::DecisionNotToAmend, Cutoff::BeforeDone)],
        exceptions: &[],
        exception_list: "",
        exceptions_applied_by: "",
        citation: "SEND Regulations 2014, reg 22(3)",
    },
    Rule {
        id: RuleId::PhaseTransferSchool,
        key: "phase_transfer:{part}",
        label: "Phase transfer review for {part}",
        short_name: "phase transfer",
        action: "Amend the plan for the move in {part}",
        duty: "review and amend the plan to name the next school",
        length: Length::DayBefore { month: 2, day: 15 },
        starts: &[ClockStart {
            name: "move",
            explanation: "The plan must be reviewed and amended to name the next school before {length} {year}, as the move is on {date}.",
        }],
        completed_by: EventType::AmendedPlanIssued,
        ends_when: &[(Ending::PlanCeased, Cutoff::BeforeDue)],
        exceptions: &[],
        exception_list: "",
        exceptions_applied_by: "",
        citation: "SEND Regulations 2014, reg 18(1)",
    },
    Rule {
        id: RuleId::PhaseTransferPost16,
        key: "phase_transfer:{part}",
        label: "Phase transfer review for {part}",
        short_name: "phase transfer",
        action: "Amend the plan for the move in {part}",
        duty: "review and amend the plan to name the post-16 institution",
        length: Length::DayBefore { month: 3, day: 31 },
        starts: &[ClockStart {
            name: "move",
            explanation: "The plan must be reviewed and amended to name the post-16 institution before {length} {year}, as the move is on {date}.",
        }],
        completed_by: EventType::AmendedPlanIssued,
        ends_when: &[(Ending::PlanCeased, Cutoff::BeforeDue)],
        exceptions: &[],
        exception_list: "",
        exceptions_applied_by: "",
        citation: "SEND Regulations 2014, reg 18(1)",
    },
];

impl Rule {
    /// The key of one of its milestones: `advice:health`, `review:2:decision`.
    pub fn key_for(&self, part: &str) -> String {
        self.key.replace("{part}", part)
    }

    /// "6-week decision", "20-week final plan".
    pub fn short_title(&self) -> String {
        format!("{} {}", self.length.adjective(), self.short_name)
    }

    /// Why the milestone falls due when it does, for the clock start `start` on `date`, with the
    /// engine's own `{name}`s filled from `fill`.
    pub fn explain(&self, start: &str, date: Date, fill: &[(&str, &str)]) -> String {
        let template = self
            .starts
            .iter()
            .find(|s| s.name == start)
            .map_or("Due {length} from {date}.", |s| s.explanation);
        let mut text = template
            .replace("{length}", &self.length.phrase())
            .replace("{date}", &dates::long(date));
        for (name, value) in fill {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// Whether a claimed exception of `kind` can disapply this limit.
    pub fn allows(&self, kind: ExceptionKind) -> bool {
        self.exceptions.iter().any(|(k, _)| *k == kind)
    }

    /// The paragraph that lists `kind` for this limit: "SEND Regulations 2014, reg 5(4)(c)",
    /// or "…, reg 13(3) applying reg 10(4)(c)".
    pub fn exception_paragraph(&self, kind: ExceptionKind) -> Option<String> {
        let (_, letter) = self.exceptions.iter().find(|(k, _)| *k == kind)?;
        let applied = match self.exceptions_applied_by {
            "" => String::new(),
            by => format!("{by} applying "),
        };
        Some(format!(
            "SEND Regulations 2014, {applied}{}{letter}",
            self.exception_list
        ))
    }
}

/// The regulations that let an exception of `kind` disapply a limit, in the table's order:
/// "regs 5(4)(c), 8(2)(a), 10(4)(c), 13(3)".
pub fn exception_regulations(kind: ExceptionKind) -> String {
    let paragraphs: Vec<String> = RULES
        .iter()
        .filter_map(|rule| {
            let (_, letter) = rule.exceptions.iter().find(|(k, _)| *k == kind)?;
            let paragraph = match rule.exceptions_applied_by {
                "" => format!("{}{letter}", rule.exception_list),
                by => by.to_owned(),
            };
            Some(paragraph.trim_start_matches("reg ").to_owned())
        })
        .collect();
    let regs = if paragraphs.len() == 1 { "reg" } else { "regs" };
    format!("{regs} {}", paragraphs.join(", "))
}

/// What a caseload calls the step of milestone `key` ("Health advice", "Annual review 2:
/// decision"); the key itself when no rule makes such keys.
pub fn label(key: &str) -> String {
    fill(key, |rule| rule.label)
}

/// What to do for milestone `key`, as an instruction ("Get the health advice", "Hold annual
/// review 2"); the key itself when no rule makes such keys.
pub fn action(key: &str) -> String {
    fill(key, |rule| rule.action)
}

/// The text `pick` takes from the rule that makes milestone `key`, with the key's part filled
/// in; the key itself when no rule makes such keys.
fn fill(key: &str, pick: impl Fn(&Rule) -> &'static str) -> String {
    // Every caseload row names its step: the rules are matched without allocating.
    let parts = key.split(':').count();
    let last = key.rsplit(':').next();
    for rule in RULES {
        let pattern = rule.key.split(':').count();
        // A repeat of the same advice or year is suffixed `:2`, `:3` (contracts §2).
        let repeat = parts == pattern + 1
            && rule.key.rsplit(':').next() == Some("{part}")
            && last.is_some_and(|p| p.parse::<u32>().is_ok());
        if parts != pattern && !repeat {
            continue;
        }
        let mut part = None;
        let fits = rule.key.split(':').zip(key.split(':')).all(|(want, got)| {
            if want == "{part}" {
                part = Some(got);
                true
            } else {
                want == got
            }
        });
        if !fits {
            continue;
        }
        let text = pick(rule);
        if !text.contains('{') {
            return text.to_owned();
        }
        let part = part.unwrap_or_default();
        let advice = match AdviceKind::parse(part) {
            Some(kind) => kind.label().to_owned(),
            None => format!("Advice ({part})"),
        };
        return text
            .replace("{part}", part)
            .replace("{advice_lower}", &advice.to_lowercase())
            .replace("{advice}", &advice);
    }
    key.to_owned()
}

/// The table entry for a time limit: `RULES` lists the rules in `RuleId`'s order (a test checks).
pub fn rule(id: RuleId) -> &'static Rule {
    &RULES[id as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_one_entry_a_citation_and_an_explanation_for_each_start() {
        assert_eq!(RULES.len(), RuleId::ALL.len());
        for (i, &id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(RULES[i].id, id, "RULES is in RuleId's order");
            assert_eq!(id as usize, i, "RuleId::ALL is in declaration order");
            let entry = rule(id);
            assert_eq!(entry.id, id);
            assert!(!entry.citation.is_empty(), "{id:?}");
            assert!(!entry.starts.is_empty(), "{id:?}");
            assert_eq!(
                entry.exceptions.is_empty(),
                entry.exception_list.is_empty(),
                "{id:?}"
            );
            for start in entry.starts {
                assert!(start.explanation.contains("{length}"), "{id:?}");
                assert!(start.explanation.contains("{date}"), "{id:?}");
            }
        }
    }

    #[test]
    fn lengths_and_names_come_from_the_table() {
        assert_eq!(Length::Weeks(6).phrase(), "6 weeks");
        assert_eq!(Length::Weeks(1).phrase(), "1 week");
        assert_eq!(Length::MonthsStartingWith(12).phrase(), "12 months");
        assert_eq!(
            Length::DayBefore { month: 2, day: 15 }.phrase(),
            "15 February"
        );
        assert_eq!(rule(RuleId::FinalPlan).short_title(), "20-week final plan");
        assert_eq!(rule(RuleId::Advice).short_title(), "6-week advice");
        assert_eq!(
            rule(RuleId::NoticeNotToIssue).explain(
                "request",
                dates::parse_iso("2026-01-05").unwrap(),
                &[]
            ),
            "If the council decides not to issue a plan, it must say so within 16 weeks of the request received on 5 January 2026."
        );
    }

    #[test]
    fn actions_say_what_to_do_with_the_key_filled_in() {
        assert_eq!(action("decision_to_assess"), "Decide whether to assess");
        assert_eq!(action("advice:health:2"), "Get the health advice");
        assert_eq!(
            action("notice_not_to_issue"),
            "Decide whether to issue a plan"
        );
        assert_eq!(action("final_plan"), "Issue the final plan");
        assert_eq!(
            action("review:2:decision"),
            "Send the decision after annual review 2"
        );
        assert_eq!(
            action("phase_transfer:2027"),
            "Amend the plan for the move in 2027"
        );
        assert_eq!(action("something_else"), "something_else");
    }

    #[test]
    fn labels_are_read_from_keys_by_the_table() {
        assert_eq!(label("decision_to_assess"), "Decision whether to assess");
        assert_eq!(label("advice:health"), "Health advice");
        assert_eq!(label("advice:health:2"), "Health advice");
        assert_eq!(label("advice:gp-letter"), "Advice (gp-letter)");
        assert_eq!(label("final_plan"), "Final plan");
        assert_eq!(label("review:2"), "Annual review 2: meeting");
        assert_eq!(label("review:2:decision"), "Annual review 2: decision");
        assert_eq!(
            label("review:1:amended_plan"),
            "Annual review 1: amended plan"
        );
        assert_eq!(
            label("phase_transfer:2027"),
            "Phase transfer review for 2027"
        );
        assert_eq!(label("something_else"), "something_else");
        assert_eq!(
            label("notice_not_to_issue"),
            "Decide whether to issue a plan"
        );
        for &id in RuleId::ALL {
            assert_ne!(
                label(&rule(id).key_for("1")),
                rule(id).key_for("1"),
                "{id:?}"
            );
        }
    }

    #[test]
    fn exception_paragraphs_come_from_the_table() {
        let final_plan = rule(RuleId::FinalPlan);
        assert_eq!(
            final_plan
                .exception_paragraph(ExceptionKind::AbsentFromArea)
                .as_deref(),
            Some("SEND Regulations 2014, reg 13(3) applying reg 10(4)(d)")
        );
        assert_eq!(
            final_plan.exception_paragraph(ExceptionKind::MissedAppointment),
            None
        );
        assert_eq!(
            exception_regulations(ExceptionKind::ExceptionalPersonalCircumstances),
            "regs 5(4)(c), 8(2)(a), 10(4)(c), 13(3)"
        );
        assert_eq!(
            exception_regulations(ExceptionKind::MissedAppointment),
            "reg 8(2)(c)"
        );
    }
}
