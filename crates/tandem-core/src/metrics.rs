//! Performance measures (contracts/metrics.md), derived from timelines by the same engine, so that
//! every figure can be traced to the milestones and cases behind it.
//!
//! Measures accumulate one case at a time, so a million cases need no more memory than one.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde_json::{Value, json};

use crate::case_file::CaseFile;
use crate::dates::Date;
use crate::names::{AdviceKind, Status};
use crate::rules::RuleId;
use crate::timeline::{self, Milestone, Timeline};

/// The DfE headline measure's key: final plans within 20 weeks, exception cases excluded.
pub const FINAL_PLANS_EXCL: &str = "final_plans_within_20_weeks_excl_exceptions";

/// Every key [`Metrics::rate`] answers, in the contract's order.
pub fn rate_keys() -> impl Iterator<Item = String> {
    [
        FINAL_PLANS_EXCL,
        "final_plans_within_20_weeks_incl_exceptions",
        "decisions_to_assess_within_6_weeks",
        "advice_within_6_weeks.all",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain(
        AdviceKind::ALL
            .iter()
            .map(|k| format!("advice_within_6_weeks.{k}")),
    )
    .chain(
        [
            "review_meetings_on_time",
            "review_decisions_within_4_weeks",
            "amended_plans_within_8_weeks",
        ]
        .map(str::to_owned),
    )
}

/// "More than 52 weeks after the request", in days.
const FIFTY_TWO_WEEKS: i64 = 52 * 7;

/// A reporting period, both bounds inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day of the period.
    pub start: Date,
    /// The last day of the period.
    pub end: Date,
}

impl Period {
    /// The last complete calendar year before `as_of` (the contract's default).
    #[expect(
        clippy::expect_used,
        reason = "1 January and 31 December exist in every year"
    )]
    pub fn last_complete_year(as_of: Date) -> Self {
        let year = as_of.year() - 1;
        Self {
            start: Date::from_ymd_opt(year, 1, 1).expect("1 January exists"),
            end: Date::from_ymd_opt(year, 12, 31).expect("31 December exists"),
        }
    }

    /// Whether `date` falls in the period, either end included.
    pub(crate) fn contains(&self, date: Date) -> bool {
        (self.start..=self.end).contains(&date)
    }
}

/// A rate: how many of the denominator met the standard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    /// How many met the time limit.
    pub numerator: u64,
    /// How many were counted.
    pub denominator: u64,
}

impl Rate {
    /// Counts one more case, in the numerator too when it `met` the time limit.
    pub(crate) fn count(&mut self, met: bool) {
        self.denominator += 1;
        self.numerator += u64::from(met);
    }

    /// Adds another count of the same rate.
    pub(crate) fn merge(&mut self, other: Rate) {
        self.numerator += other.numerator;
        self.denominator += other.denominator;
    }

    /// `numerator / denominator`, or `None` for an empty denominator.
    pub fn rate(&self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }

    /// The rate as the contract writes it: `{ numerator, denominator, rate }`, `rate` null when
    /// nothing was counted.
    pub(crate) fn to_json(self) -> Value {
        json!({ "numerator": self.numerator, "denominator": self.denominator, "rate": self.rate() })
    }
}

/// For an advice milestone whose advice arrived within `period` (so counts in the advice
/// measures), whether it met the 6-week limit; `None` for any other milestone.
pub fn advice_counted(m: &Milestone, period: Period) -> Option<bool> {
    let done = m.done.filter(|d| period.contains(*d))?;
    (m.rule_id == RuleId::Advice).then(|| m.due.is_some_and(|due| done <= due))
}

/// The contract's measures for one period, as at one date.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// The reporting period the measures cover.
    pub period: Period,
    /// Everything is judged on what was known on this date.
    pub as_of: Date,
    /// How many cases were added.
    pub cases: u64,
    /// `final_plans_within_20_weeks_excl_exceptions`, the DfE headline measure.
    pub(crate) final_plans_excl_exceptions: Rate,
    /// `final_plans_within_20_weeks_incl_exceptions`.
    pub(crate) final_plans_incl_exceptions: Rate,
    /// `decisions_to_assess_within_6_weeks`.
    pub(crate) decisions_to_assess: Rate,
    /// `advice_within_6_weeks` for each kind of advice.
    pub(crate) advice: BTreeMap<AdviceKind, Rate>,
    /// `advice_within_6_weeks.all`: every kind of advice together.
    pub advice_all: Rate,
    /// `review_meetings_on_time`.
    pub(crate) review_meetings: Rate,
    /// `review_decisions_within_4_weeks`.
    pub(crate) review_decisions: Rate,
    /// `amended_plans_within_8_weeks`.
    pub(crate) amended_plans: Rate,
    /// `final_plans_issued`: final plans issued in the period.
    pub final_plans_issued: u64,
    /// Days from request to final plan, summed over the plans of the headline measure.
    days_to_issue_excl_exceptions: i64,
    /// `final_plans_over_52_weeks`: plans issued in the period more than 52 weeks after the
    /// request.
    pub final_plans_over_52_weeks: u64,
    /// `open_assessments_overdue`: open assessments past their 20-week limit on the as-of date.
    pub open_assessments_overdue: u64,
}

impl Metrics {
    /// Empty measures for `period` as at `as_of`; add cases with [`Self::add`] or
    /// [`Self::add_case`].
    pub fn new(period: Period, as_of: Date) -> Self {
        Self {
            period,
            as_of,
            cases: 0,
            final_plans_excl_exceptions: Rate::default(),
            final_plans_incl_exceptions: Rate::default(),
            decisions_to_assess: Rate::default(),
            advice: AdviceKind::ALL
                .iter()
                .map(|k| (*k, Rate::default()))
                .collect(),
            advice_all: Rate::default(),
            review_meetings: Rate::default(),
            review_decisions: Rate::default(),
            amended_plans: Rate::default(),
            final_plans_issued: 0,
            days_to_issue_excl_exceptions: 0,
            final_plans_over_52_weeks: 0,
            open_assessments_overdue: 0,
        }
    }

    /// Adds one case, computing its timeline as at the report's date (without its words, which
    /// no measure reads).
    pub fn add_case(&mut self, case: &CaseFile) {
        self.add(&timeline::compute_figures(case, self.as_of));
    }

    /// Adds one case's timeline (computed as at `self.as_of`).
    pub fn add(&mut self, timeline: &Timeline) {
        self.cases += 1;
        for m in &timeline.milestones {
            self.add_milestone(m);
        }
    }

    /// Adds measures computed over other cases for the same period and date (a share of the
    /// cases added up on another thread).
    pub fn merge(&mut self, other: &Metrics) {
        debug_assert_eq!((self.period, self.as_of), (other.period, other.as_of));
        self.cases += other.cases;
        self.final_plans_excl_exceptions
            .merge(other.final_plans_excl_exceptions);
        self.final_plans_incl_exceptions
            .merge(other.final_plans_incl_exceptions);
        self.decisions_to_assess.merge(other.decisions_to_assess);
        for (kind, rate) in &other.advice {
            self.advice.entry(*kind).or_default().merge(*rate);
        }
        self.advice_all.merge(other.advice_all);
        self.review_meetings.merge(other.review_meetings);
        self.review_decisions.merge(other.review_decisions);
        self.amended_plans.merge(other.amended_plans);
        self.final_plans_issued += other.final_plans_issued;
        self.days_to_issue_excl_exceptions += other.days_to_issue_excl_exceptions;
        self.final_plans_over_52_weeks += other.final_plans_over_52_weeks;
        self.open_assessments_overdue += other.open_assessments_overdue;
    }

    fn add_milestone(&mut self, m: &Milestone) {
        if let Some(met) = advice_counted(m, self.period) {
            self.advice_all.count(met);
            if let Some(kind) = m.advice {
                self.advice.entry(kind).or_default().count(met);
            }
            return;
        }
        let period = self.period;
        let done_in_period = m.done.is_some_and(|d| period.contains(d));
        let met = matches!((m.done, m.due), (Some(done), Some(due)) if done <= due);
        match m.rule_id {
            RuleId::FinalPlan => {
                if m.status == Status::Overdue {
                    self.open_assessments_overdue += 1;
                }
                let (Some(issued), true) = (m.done, done_in_period) else {
                    return;
                };
                let days = (issued - m.start).num_days();
                self.final_plans_issued += 1;
                self.final_plans_incl_exceptions.count(met);
                if days > FIFTY_TWO_WEEKS {
                    self.final_plans_over_52_weeks += 1;
                }
                if m.exception.is_none() {
                    self.final_plans_excl_exceptions.count(met);
                    self.days_to_issue_excl_exceptions += days;
                }
            }
            RuleId::DecisionToAssess if done_in_period => self.decisions_to_assess.count(met),
            // Reviews are counted once their outcome is settled: done, or overdue; a duty that no
            // longer arose, or is not yet due, is neither met nor missed.
            RuleId::Review | RuleId::ReviewDecision | RuleId::AmendedPlan => {
                let settled = matches!(m.status, Status::Met | Status::Late | Status::Overdue);
                let anchor = match m.rule_id {
                    RuleId::Review => m.due,
                    _ => Some(m.start),
                };
                if !settled || !anchor.is_some_and(|d| period.contains(d)) {
                    return;
                }
                let rate = match m.rule_id {
                    RuleId::Review => &mut self.review_meetings,
                    RuleId::ReviewDecision => &mut self.review_decisions,
                    _ => &mut self.amended_plans,
                };
                rate.count(met);
            }
            _ => {}
        }
    }

    /// Mean weeks from request to final plan over the headline measure's plans, to 1 decimal.
    pub fn weeks_to_issue_mean_excl_exceptions(&self) -> Option<f64> {
        let plans = self.final_plans_excl_exceptions.denominator;
        (plans > 0).then(|| {
            let weeks = self.days_to_issue_excl_exceptions as f64 / 7.0 / plans as f64;
            (weeks * 10.0).round() / 10.0
        })
    }

    /// A rate by its key: a rate of contracts/metrics.md, or `advice_within_6_weeks.<kind>` /
    /// `advice_within_6_weeks.all` for one advice rate. `None` for any other key.
    pub fn rate(&self, key: &str) -> Option<Rate> {
        Some(match key {
            FINAL_PLANS_EXCL => self.final_plans_excl_exceptions,
            "final_plans_within_20_weeks_incl_exceptions" => self.final_plans_incl_exceptions,
            "decisions_to_assess_within_6_weeks" => self.decisions_to_assess,
            "review_meetings_on_time" => self.review_meetings,
            "review_decisions_within_4_weeks" => self.review_decisions,
            "amended_plans_within_8_weeks" => self.amended_plans,
            _ => match key.strip_prefix("advice_within_6_weeks.")? {
                "all" => self.advice_all,
                kind => self
                    .advice
                    .get(&AdviceKind::parse(kind)?)
                    .copied()
                    .unwrap_or_default(),
            },
        })
    }

    /// A count of contracts/metrics.md by its key; `None` for any other key.
    pub fn count(&self, key: &str) -> Option<u64> {
        match key {
            "final_plans_issued" => Some(self.final_plans_issued),
            "final_plans_over_52_weeks" => Some(self.final_plans_over_52_weeks),
            "open_assessments_overdue" => Some(self.open_assessments_overdue),
            _ => None,
        }
    }

    /// The JSON object `tandem metrics` prints (contracts/metrics.md).
    pub fn to_json(&self) -> Value {
        let mut advice: serde_json::Map<String, Value> = self
            .advice
            .iter()
            .map(|(k, r)| (k.as_str().to_owned(), r.to_json()))
            .collect();
        advice.insert("all".into(), self.advice_all.to_json());
        json!({
            "period_start": self.period.start,
            "period_end": self.period.end,
            "as_of": self.as_of,
            "cases": self.cases,
            FINAL_PLANS_EXCL: self.final_plans_excl_exceptions.to_json(),
            "final_plans_within_20_weeks_incl_exceptions": self.final_plans_incl_exceptions.to_json(),
            "decisions_to_assess_within_6_weeks": self.decisions_to_assess.to_json(),
            "advice_within_6_weeks": advice,
            "review_meetings_on_time": self.review_meetings.to_json(),
            "review_decisions_within_4_weeks": self.review_decisions.to_json(),
            "amended_plans_within_8_weeks": self.amended_plans.to_json(),
            "final_plans_issued": self.final_plans_issued,
            "weeks_to_issue_mean_excl_exceptions": self.weeks_to_issue_mean_excl_exceptions(),
            "final_plans_over_52_weeks": self.final_plans_over_52_weeks,
            "open_assessments_overdue": self.open_assessments_overdue,
        })
    }
}
