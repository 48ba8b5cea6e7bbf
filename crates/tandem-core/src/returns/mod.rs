//! Statutory returns: the DfE's SEN2 person-level return and the Annex A lists an area SEND
//! inspection asks for, and the data-quality rules that keep both ready all year.
//!
//! Everything here is pure: a collection's census day and "today" are parameters. The facts of a
//! case (its request, decisions, plan dates, reviews) come from its events through the statutory
//! engine and from the case's request details ([`crate::request`]); the child's identifiers,
//! codes and settings from the child record's keys ([`record`]). `docs/statutory-returns.md` says which version of the specification is followed
//! and every choice made where the specification is open.

pub mod annex_a;
pub mod codes;
pub mod record;
pub mod rules;
pub mod sen2;

use chrono::{Datelike, Weekday};

use crate::case_file::CaseFile;
use crate::dates::Date;
use crate::event::EventDetail;
use crate::names::{AssessOutcome, IssueOutcome, ReviewOutcome};
use crate::request::RequestDetails;
use crate::timeline::{self, Timeline};

pub use record::ReturnDetails;
pub use rules::{DataProblem, Rule, Severity};

/// The SEN2 collection a return is for, and the day the data is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collection {
    /// The collection year: the year of the January census.
    pub year: i32,
    /// Census ("survey") day.
    pub census: Date,
    /// Today: what is in the future, and the date of the Annex A lists.
    pub today: Date,
}

/// Census days DfE has published (fact sheet §1.2, source R1).
const PUBLISHED_CENSUS: [(i32, u32); 4] = [(2024, 18), (2025, 16), (2026, 15), (2027, 21)];

impl Collection {
    /// The collection of `year`, judged on `today`. The census day is DfE's published one, or
    /// for other years the third Thursday of January, which every published day is (the fact
    /// sheet infers the rule; DfE does not state it).
    pub fn of_year(year: i32, today: Date) -> Self {
        let census = published_census(year).unwrap_or_else(|| third_thursday_of_january(year));
        Self {
            year,
            census,
            today,
        }
    }

    /// The next collection whose census day is on or after `today`: the one being prepared.
    pub fn next(today: Date) -> Self {
        let this_year = Self::of_year(today.year(), today);
        if this_year.census >= today {
            this_year
        } else {
            Self::of_year(today.year() + 1, today)
        }
    }

    /// The collection period: the calendar year before the census (activity is reported for
    /// it), as its first and last days.
    pub fn period(&self) -> (Date, Date) {
        let year = self.year - 1;
        (ymd(year, 1, 1), ymd(year, 12, 31))
    }

    /// The day the caseload is read on: the census day, or today when the census is still to
    /// come (nothing later is known).
    pub fn as_of(&self) -> Date {
        self.census.min(self.today)
    }
}

/// The census day DfE published for `year`, if it did.
pub fn published_census(year: i32) -> Option<Date> {
    PUBLISHED_CENSUS
        .iter()
        .find(|(y, _)| *y == year)
        .and_then(|(_, day)| Date::from_ymd_opt(year, 1, *day))
}

fn third_thursday_of_january(year: i32) -> Date {
    let first = ymd(year, 1, 1);
    let offset =
        (7 + Weekday::Thu.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    first + chrono::Days::new(u64::from(offset) + 14)
}

#[expect(
    clippy::expect_used,
    reason = "1 January and 31 December exist in every year"
)]
fn ymd(year: i32, month: u32, day: u32) -> Date {
    Date::from_ymd_opt(year, month, day).expect("a fixed day of the year")
}

/// What a case's history says for the returns, as known on a collection's as-of day.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    /// The request for an assessment.
    pub request: Option<Date>,
    /// The decision whether to assess.
    pub assess: Option<(Date, AssessOutcome)>,
    /// The decision whether to issue a plan.
    pub issue: Option<(Date, IssueOutcome)>,
    /// The request was withdrawn.
    pub withdrawn: Option<Date>,
    /// The first final plan.
    pub final_plan: Option<Date>,
    /// The latest amended plan.
    pub amended_plan: Option<Date>,
    /// The latest review meeting.
    pub review_meeting: Option<Date>,
    /// The decision after the latest review meeting.
    pub review_decision: Option<(Date, ReviewOutcome)>,
    /// Proposed amendments sent after the latest review decision.
    pub amendment_notice: Option<Date>,
    /// The plan stopped.
    pub ceased: Option<Date>,
    /// A qualifying statutory exception disapplied the 20-week limit (or, for a decision not
    /// to issue, the 16-week one): SEN2's `Week20`.
    pub week20: bool,
    /// A phase-transfer deadline in the collection period: its due date and the date the amended
    /// plan was issued, if it was.
    pub phase_transfer: Option<(Date, Option<Date>)>,
    /// Event dates after today, other than planned moves (for the future-dates rule).
    pub future_events: Vec<Date>,
    /// The facts of the request the events do not hold (the case's, not the child's).
    pub request_details: RequestDetails,
}

impl CaseFacts {
    /// Reads `case` as known on `collection`'s as-of day.
    pub fn of(case: &CaseFile, collection: &Collection) -> Self {
        let as_of = collection.as_of();
        let timeline = timeline::compute(case, as_of);
        Self::from_timeline(case, &timeline, collection)
    }

    /// As [`CaseFacts::of`], from a timeline already computed as of the collection's as-of day.
    pub fn from_timeline(case: &CaseFile, timeline: &Timeline, collection: &Collection) -> Self {
        let as_of = collection.as_of();
        let mut events: Vec<_> = case.events.iter().collect();
        events.sort();
        let known = || events.iter().filter(|e| e.date <= as_of);
        let first =
            |want: fn(&EventDetail) -> bool| known().find(|e| want(&e.detail)).map(|e| e.date);
        let last = |want: fn(&EventDetail) -> bool| {
            known()
                .filter(|e| want(&e.detail))
                .map(|e| e.date)
                .next_back()
        };
        let assess = known().find_map(|e| match e.detail {
            EventDetail::DecisionToAssess { outcome } => Some((e.date, outcome)),
            _ => None,
        });
        let issue = known().find_map(|e| match e.detail {
            EventDetail::DecisionToIssue { outcome } => Some((e.date, outcome)),
            _ => None,
        });
        let review_decision = known()
            .filter_map(|e| match e.detail {
                EventDetail::ReviewDecision { outcome } => Some((e.date, outcome)),
                _ => None,
            })
            .next_back();
        let review_meeting = last(|d| *d == EventDetail::ReviewMeetingHeld);
        // The decision belongs to the latest meeting only when it came after it.
        let review_decision =
            review_decision.filter(|(d, _)| review_meeting.is_none_or(|m| *d >= m));
        let amendment_notice = last(|d| *d == EventDetail::AmendmentNoticeIssued)
            .filter(|n| review_decision.is_some_and(|(d, _)| *n >= d));
        let final_plan = first(|d| *d == EventDetail::FinalPlanIssued);
        let week20_key = match issue {
            Some((_, IssueOutcome::NotIssue)) if final_plan.is_none() => "notice_not_to_issue",
            _ => "final_plan",
        };
        let week20 = timeline
            .milestone(week20_key)
            .is_some_and(|m| m.exception.is_some());
        let (from, to) = collection.period();
        let phase_transfer = timeline
            .milestones
            .iter()
            .filter(|m| m.key.starts_with("phase_transfer:"))
            .filter_map(|m| m.due.map(|due| (due, m.done)))
            .find(|(due, _)| (from..=to).contains(due));
        let future_events = case
            .events
            .iter()
            .filter(|e| {
                e.date > collection.today && !matches!(e.detail, EventDetail::PhaseTransfer { .. })
            })
            .map(|e| e.date)
            .collect();
        Self {
            request: first(|d| *d == EventDetail::RequestReceived),
            assess,
            issue,
            withdrawn: first(|d| *d == EventDetail::RequestWithdrawn),
            final_plan,
            amended_plan: last(|d| *d == EventDetail::AmendedPlanIssued),
            review_meeting,
            review_decision,
            amendment_notice,
            ceased: first(|d| *d == EventDetail::PlanCeased),
            week20,
            phase_transfer,
            future_events,
            request_details: case.request.clone(),
        }
    }

    /// Whether an EHC plan is in force on `day`: issued on or before it and not ceased by it.
    pub fn plan_active_on(&self, day: Date) -> bool {
        self.final_plan.is_some_and(|f| f <= day) && self.ceased.is_none_or(|c| c > day)
    }

    /// The date of the plan in force: the latest amended plan, or the first final plan.
    pub fn current_plan_date(&self) -> Option<Date> {
        self.amended_plan.or(self.final_plan)
    }

    /// Whether the assessment has reached no end: no refusal, no plan, not withdrawn.
    pub fn open(&self) -> bool {
        self.request.is_some()
            && self.final_plan.is_none()
            && self.withdrawn.is_none()
            && !matches!(self.assess, Some((_, AssessOutcome::NotAssess)))
            && !matches!(self.issue, Some((_, IssueOutcome::NotIssue)))
    }

    /// Whether the case belongs in `collection`'s SEN2 return (fact sheet §2): a plan in force
    /// on census day, a plan ceased since the period began, work done in the period, or a
    /// request still being worked on at census.
    pub fn in_sen2(&self, collection: &Collection) -> bool {
        let Some(request) = self.request else {
            return false;
        };
        let (from, _) = collection.period();
        let census = collection.as_of();
        if request > census {
            return false;
        }
        let in_window = |d: Option<Date>| d.is_some_and(|d| (from..=census).contains(&d));
        self.plan_active_on(census)
            || in_window(self.ceased)
            || in_window(Some(request))
            || in_window(self.assess.map(|a| a.0))
            || in_window(self.issue.map(|i| i.0))
            || in_window(self.final_plan)
            || in_window(self.withdrawn)
            || self.open()
    }
}

/// Which Annex A list a case puts its child on, as at `day`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnnexList {
    /// List 1: an EHC plan in force.
    Plans,
    /// List 2: SEN support, without a plan.
    SenSupport,
}

/// The Annex A list the case's child is on at `day`, if any: list 1 with a plan in force, else
/// list 2 when the record says the child receives SEN support.
pub fn annex_list(facts: &CaseFacts, details: &ReturnDetails, day: Date) -> Option<AnnexList> {
    if facts.plan_active_on(day) {
        Some(AnnexList::Plans)
    } else if details.sen_support.yes() {
        Some(AnnexList::SenSupport)
    } else {
        None
    }
}

/// Who a case is about, for putting one child's cases together (one SEN2 `Person`, one Annex A
/// row): the same rule as opening a case for a child already known, names ignoring case and
/// surrounding spaces with the date of birth; a child without names stays on its own.
pub fn person_key(case: &CaseFile) -> String {
    let name = |key: &str| case.child.text(key).map(|n| n.trim().to_lowercase());
    match (
        name("given_name"),
        name("family_name"),
        case.child.date_of_birth,
    ) {
        (Some(given), Some(family), Some(born)) => format!("{given}\u{1f}{family}\u{1f}{born}"),
        _ => format!("\u{1e}{}", case.reference),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        crate::dates::parse_iso(s).unwrap()
    }

    #[test]
    fn census_days() {
        let today = d("2026-12-06");
        assert_eq!(Collection::of_year(2026, today).census, d("2026-01-15"));
        assert_eq!(Collection::of_year(2027, today).census, d("2027-01-21"));
        // Not published: the third Thursday, which the published days all are.
        assert_eq!(Collection::of_year(2028, today).census, d("2028-01-20"));
        for (year, day) in PUBLISHED_CENSUS {
            assert_eq!(third_thursday_of_january(year), ymd(year, 1, day));
        }
        assert_eq!(Collection::next(today).year, 2027);
        assert_eq!(Collection::next(d("2027-01-21")).year, 2027);
        assert_eq!(Collection::next(d("2027-01-22")).year, 2028);
        assert_eq!(
            Collection::of_year(2027, today).period(),
            (d("2026-01-01"), d("2026-12-31"))
        );
    }
}
