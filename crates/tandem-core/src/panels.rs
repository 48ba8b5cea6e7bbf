//! Decision panels (issue 17 item 1): which cases a meeting of a panel should hear, each with the
//! statutory date its decision is due by, and which of them would miss that date if left to the
//! panel's next meeting; and the figures of what panels decided.
//!
//! A panel decides one kind of question. The EHC needs assessment panel decides whether to
//! assess, due 6 weeks after the request (SEND Regulations 2014, reg 5(1)); the plan panel decides
//! after the assessment whether to issue a plan, and a decision not to must be told within
//! 16 weeks of the request (reg 10(1)), leaving the rest of the 20 weeks for the plan
//! (reg 13(2)). The dates come from the engine's rules table ([`crate::rules`]); nothing here
//! counts weeks itself.

use std::collections::BTreeMap;

use crate::dates::Date;
use crate::disclosure::SmallNumbers;
use crate::names::machine_names;
use crate::rules::{self, RuleId};
use crate::timeline::Timeline;
use crate::{AssessOutcome, Event, EventDetail, IssueOutcome, Reference, Stage, Status};

machine_names! {
    /// The question a panel decides.
    PanelDecides {
        /// Whether to carry out an EHC needs assessment (reg 5(1)).
        Assess => "assess",
        /// After the assessment, whether to issue an EHC plan (regs 10(1), 13(2)).
        Issue => "issue",
    }
}

impl PanelDecides {
    /// The time limit the decision is measured against.
    pub fn rule(self) -> RuleId {
        match self {
            Self::Assess => RuleId::DecisionToAssess,
            Self::Issue => RuleId::NoticeNotToIssue,
        }
    }

    /// The stage a case waits in for this decision.
    pub fn awaiting(self) -> Stage {
        match self {
            Self::Assess => Stage::AwaitingDecision,
            Self::Issue => Stage::Assessing,
        }
    }

    /// What the panel decides, for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Assess => "Whether to carry out an EHC needs assessment",
            Self::Issue => "Whether to issue an EHC plan after the assessment",
        }
    }

    /// The outcomes the panel can reach, as (machine name, words).
    pub fn outcomes(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Assess => &[("assess", "Assess"), ("not_assess", "Do not assess")],
            Self::Issue => &[
                ("issue", "Issue a plan"),
                ("not_issue", "Do not issue a plan"),
            ],
        }
    }

    /// The statutory event recording `outcome` (a machine name of [`Self::outcomes`]) on `date`;
    /// `None` for an outcome this panel does not reach.
    pub fn decision(self, outcome: &str, date: Date) -> Option<Event> {
        let detail = match self {
            Self::Assess => EventDetail::DecisionToAssess {
                outcome: AssessOutcome::parse(outcome)?,
            },
            Self::Issue => EventDetail::DecisionToIssue {
                outcome: IssueOutcome::parse(outcome)?,
            },
        };
        Some(Event::new(date, detail))
    }

    /// The outcome an event records, when it is this panel's kind of decision.
    pub fn outcome_of(self, event: &Event) -> Option<&'static str> {
        match (self, &event.detail) {
            (Self::Assess, EventDetail::DecisionToAssess { outcome }) => Some(outcome.as_str()),
            (Self::Issue, EventDetail::DecisionToIssue { outcome }) => Some(outcome.as_str()),
            _ => None,
        }
    }
}

/// One case on a meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    /// The case.
    pub reference: Reference,
    /// The day the request was received, from which the limit runs.
    pub received: Date,
    /// The last day the decision is in time.
    pub due: Date,
    /// The decision is already late on the meeting's day.
    pub late_at_meeting: bool,
    /// Heard at this meeting it is in time, but its limit falls before the panel's next meeting:
    /// deferring it would make it late.
    pub misses_if_deferred: bool,
}

/// The agenda of a meeting on `meets_on` of a panel deciding `decides`, whose next meeting after
/// this one is `next_meeting` (`None` when none is planned): every case of `timelines` awaiting
/// the decision, soonest due first, then by reference.
///
/// A case awaits the decision while it is in the stage before it and the decision's milestone is
/// neither done nor ended (a withdrawn request needs no decision); a request received after the
/// meeting's day was not before it. A case is flagged when its due date falls before the next
/// meeting, or when there is no next meeting to defer it to.
pub fn agenda<'a>(
    decides: PanelDecides,
    meets_on: Date,
    next_meeting: Option<Date>,
    timelines: impl IntoIterator<Item = &'a Timeline>,
) -> Vec<AgendaItem> {
    let key = rules::rule(decides.rule()).key;
    let mut items: Vec<AgendaItem> = timelines
        .into_iter()
        .filter(|t| t.stage == decides.awaiting())
        .filter_map(|t| {
            let milestone = t.milestone(key)?;
            let open = matches!(milestone.status, Status::Pending | Status::Overdue);
            if !open || milestone.start > meets_on {
                return None;
            }
            let due = milestone.due?;
            let late_at_meeting = due < meets_on;
            Some(AgendaItem {
                reference: t.reference.clone(),
                received: milestone.start,
                due,
                late_at_meeting,
                misses_if_deferred: !late_at_meeting && next_meeting.is_none_or(|next| due < next),
            })
        })
        .collect();
    items.sort_by(|a, b| a.due.cmp(&b.due).then(a.reference.cmp(&b.reference)));
    items
}

/// One decision a panel recorded, as the figures count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeardCase {
    /// The question decided.
    pub decides: PanelDecides,
    /// The outcome's machine name.
    pub outcome: String,
    /// The day the request was received.
    pub received: Date,
    /// The day of the meeting.
    pub heard: Date,
    /// The child's primary need as recorded (an SEN2 code), if any.
    pub need: Option<String>,
    /// The child's setting type as recorded, if any.
    pub setting: Option<String>,
}

/// A count that may be hidden from readers who see aggregates only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// The count.
    Shown(u64),
    /// A count from 1 to one less than the threshold: left out.
    Hidden,
}

impl Count {
    fn of(count: u64, small: SmallNumbers) -> Self {
        if small.hides(count) {
            Self::Hidden
        } else {
            Self::Shown(count)
        }
    }
}

/// The outcomes reached for one group of cases (a need, a setting), for comparing how
/// consistently the panels decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupOutcomes {
    /// The group: a need or setting as recorded, or "Not recorded".
    pub group: String,
    /// Cases heard in the group.
    pub heard: Count,
    /// For each outcome of the panel kind, in [`PanelDecides::outcomes`] order, the cases given it.
    pub outcomes: Vec<Count>,
}

/// What one kind of panel decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindFigures {
    /// The question.
    pub decides: PanelDecides,
    /// Cases heard.
    pub heard: Count,
    /// Cases given each outcome, in [`PanelDecides::outcomes`] order.
    pub outcomes: Vec<Count>,
    /// The median number of days from request to the meeting that decided, when any were heard
    /// and the count is shown.
    pub median_days_to_panel: Option<i64>,
    /// Outcomes by primary need.
    pub by_need: Vec<GroupOutcomes>,
    /// Outcomes by setting.
    pub by_setting: Vec<GroupOutcomes>,
}

/// The words for a group with nothing recorded.
pub const NOT_RECORDED: &str = "Not recorded";

/// The panels' figures, one entry per kind of panel, with counts under `small`'s threshold
/// hidden (and a median hidden with its count).
pub fn figures(heard: &[HeardCase], small: SmallNumbers) -> Vec<KindFigures> {
    PanelDecides::ALL
        .iter()
        .map(|&decides| {
            let cases: Vec<&HeardCase> = heard.iter().filter(|c| c.decides == decides).collect();
            let mut days: Vec<i64> = cases
                .iter()
                .map(|c| (c.heard - c.received).num_days())
                .collect();
            days.sort_unstable();
            let total = cases.len() as u64;
            let heard = Count::of(total, small);
            KindFigures {
                decides,
                heard,
                outcomes: outcome_counts(decides, &cases, small),
                median_days_to_panel: (heard == Count::Shown(total))
                    .then(|| days.get(days.len() / 2).copied())
                    .flatten(),
                by_need: grouped(decides, &cases, small, |c| c.need.as_deref()),
                by_setting: grouped(decides, &cases, small, |c| c.setting.as_deref()),
            }
        })
        .collect()
}

/// The counts of each outcome. When one is hidden all are: the others and the total shown beside
/// them would give it back.
fn outcome_counts(decides: PanelDecides, cases: &[&HeardCase], small: SmallNumbers) -> Vec<Count> {
    let counts: Vec<Count> = decides
        .outcomes()
        .iter()
        .map(|(name, _)| {
            let count = cases.iter().filter(|c| c.outcome == *name).count() as u64;
            Count::of(count, small)
        })
        .collect();
    if counts.contains(&Count::Hidden) {
        vec![Count::Hidden; counts.len()]
    } else {
        counts
    }
}

/// The outcomes group by group. When exactly one group's count is hidden, the smallest other
/// group is hidden too, so that the total less the groups shown does not give it back.
fn grouped(
    decides: PanelDecides,
    cases: &[&HeardCase],
    small: SmallNumbers,
    group_of: impl Fn(&HeardCase) -> Option<&str>,
) -> Vec<GroupOutcomes> {
    let mut groups: BTreeMap<&str, Vec<&HeardCase>> = BTreeMap::new();
    for case in cases {
        groups
            .entry(group_of(case).unwrap_or(NOT_RECORDED))
            .or_default()
            .push(case);
    }
    let mut rows: Vec<GroupOutcomes> = groups
        .iter()
        .map(|(group, members)| GroupOutcomes {
            group: (*group).to_owned(),
            heard: Count::of(members.len() as u64, small),
            outcomes: outcome_counts(decides, members, small),
        })
        .collect();
    if rows.iter().filter(|r| r.heard == Count::Hidden).count() == 1 {
        let smallest_shown = groups
            .values()
            .enumerate()
            .filter(|(i, _)| rows[*i].heard != Count::Hidden)
            .min_by_key(|(_, members)| members.len())
            .map(|(i, _)| i);
        if let Some(i) = smallest_shown {
            rows[i].heard = Count::Hidden;
            rows[i].outcomes = vec![Count::Hidden; rows[i].outcomes.len()];
        }
    }
    rows
}
