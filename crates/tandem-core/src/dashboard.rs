//! The performance dashboard: the contract's measures (contracts/metrics.md) for a period as at
//! a date, their trend month by month, breakdowns by case manager, primary need and age group,
//! the backlog of open assessments and the reasons plans were late.
//!
//! Every figure is built from [`Metrics`] and [`first_late_step`], never from a second copy of
//! their rules, and every figure can name the cases behind it: [`DashboardSpec::includes`] says
//! whether one case counts in a [`Figure`], using the same functions the totals were added up
//! with. The dashboard itself holds only totals, so its size does not grow with the number of
//! cases.

use std::collections::BTreeMap;

use chrono::{Datelike, Months};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::case_file::{CaseFile, Child, Reference};
use crate::dates::Date;
use crate::event::EventDetail;
use crate::lateness::{LateStep, first_late_step};
use crate::metrics::{Metrics, Period, Rate, advice_counted};
use crate::names::{AdviceKind, Stage, Status, machine_names};
use crate::rules::RuleId;
use crate::targets::{LocalTargets, Target, Targets};
use crate::timeline::{Milestone, Timeline};

/// Months in the trend unless asked otherwise.
pub const TREND_MONTHS: u32 = 24;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Month {
    /// The calendar year, e.g. 2026.
    pub year: i32,
    /// The month of the year, 1 (January) to 12 (December).
    pub month: u32,
}

impl Month {
    /// The month `date` falls in.
    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    #[expect(
        clippy::expect_used,
        reason = "a month made from a date has a first day"
    )]
    /// The month's first day.
    pub(crate) fn first_day(self) -> Date {
        Date::from_ymd_opt(self.year, self.month, 1).expect("a month has a first day")
    }

    #[expect(
        clippy::expect_used,
        reason = "a month made from a date has a last day"
    )]
    /// The month's last day (28 to 31).
    pub fn last_day(self) -> Date {
        let next = self.first_day() + Months::new(1);
        next.pred_opt().expect("date range")
    }

    /// The whole month, both ends inclusive.
    pub fn period(self) -> Period {
        Period {
            start: self.first_day(),
            end: self.last_day(),
        }
    }

    /// The month `n` months earlier.
    pub fn back(self, n: u32) -> Self {
        Self::of(self.first_day() - Months::new(n))
    }

    /// "March 2026".
    pub fn label(self) -> String {
        self.first_day().format("%B %Y").to_string()
    }

    /// "Mar 2026", for chart axes.
    pub fn short_label(self) -> String {
        self.first_day().format("%b %Y").to_string()
    }
}

impl std::fmt::Display for Month {
    /// `2026-03`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

machine_names! {
    /// Age bands of the DfE's "Education, health and care plans" statistics (under 5, 5 to 10,
    /// 11 to 15, 16 to 19, 20 to 25), here by age at the request for assessment.
    AgeGroup {
        /// Aged 0 to 4.
        Under5 => "under_5",
        /// Aged 5 to 10.
        From5To10 => "5_to_10",
        /// Aged 11 to 15.
        From11To15 => "11_to_15",
        /// Aged 16 to 19.
        From16To19 => "16_to_19",
        /// Aged 20 to 25.
        From20To25 => "20_to_25",
    }
}

impl AgeGroup {
    /// The band of someone born on `date_of_birth`, in completed years on `on`; `None` outside
    /// 0 to 25 (the ages a plan can cover, CFA 2014 s.46).
    pub fn at(date_of_birth: Date, on: Date) -> Option<Self> {
        let age = on.years_since(date_of_birth)?;
        Some(match age {
            0..=4 => Self::Under5,
            5..=10 => Self::From5To10,
            11..=15 => Self::From11To15,
            16..=19 => Self::From16To19,
            20..=25 => Self::From20To25,
            _ => return None,
        })
    }

    /// The band's name for people ("5 to 10").
    pub fn label(self) -> &'static str {
        match self {
            Self::Under5 => "Under 5",
            Self::From5To10 => "5 to 10",
            Self::From11To15 => "11 to 15",
            Self::From16To19 => "16 to 19",
            Self::From20To25 => "20 to 25",
        }
    }
}

/// The groups a case falls in for the breakdowns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseGroups<'a> {
    /// The name of the case manager the case is assigned to, if any.
    pub case_manager: Option<&'a str>,
    /// `child.primary_need` (an SEN2 code such as `ASD`), as recorded.
    pub primary_need: Option<&'a str>,
    /// The child's age band at the first request, when the date of birth is known.
    pub age_group: Option<AgeGroup>,
}

impl<'a> CaseGroups<'a> {
    /// The groups of `case`, managed by `case_manager`: age is taken at the first request.
    pub fn of(case: &'a CaseFile, case_manager: Option<&'a str>) -> Self {
        Self::new(&case.child, case_manager, Self::requested(case))
    }

    /// The groups of a case of `child` whose first request was received on `requested`.
    pub fn new(child: &'a Child, case_manager: Option<&'a str>, requested: Option<Date>) -> Self {
        Self {
            case_manager,
            primary_need: child.text("primary_need"),
            age_group: child
                .date_of_birth
                .zip(requested)
                .and_then(|(born, request)| AgeGroup::at(born, request)),
        }
    }

    /// The day the case's first request was received, which ages are taken at.
    pub fn requested(case: &CaseFile) -> Option<Date> {
        case.events
            .iter()
            .filter(|e| matches!(e.detail, EventDetail::RequestReceived))
            .map(|e| e.date)
            .min()
    }
}

/// Width of one bar of the backlog histogram, in weeks: 4 lines the bars up with both the 20-week
/// limit (the 6th bar starts there) and 52 weeks (the last bar).
pub const BACKLOG_BUCKET_WEEKS: i64 = 4;
/// Bars of the backlog histogram: 0–3 weeks, 4–7, …, 48–51 and 52 weeks or more.
pub const BACKLOG_BUCKETS: usize = 14;

/// Open assessments as at the report's date, by whole weeks since the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backlog {
    /// How many open assessments fall in each bar, bar 0 (0–3 weeks) first.
    pub counts: [u64; BACKLOG_BUCKETS],
}

impl Backlog {
    /// All open assessments, whatever their age.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The weeks bar `bucket` covers: first and last (`None` for the open-ended last bar).
    pub fn weeks(bucket: usize) -> (i64, Option<i64>) {
        let first = bucket as i64 * BACKLOG_BUCKET_WEEKS;
        let last = (bucket + 1 < BACKLOG_BUCKETS).then_some(first + BACKLOG_BUCKET_WEEKS - 1);
        (first, last)
    }

    /// "4 to 7 weeks", "52 weeks or more".
    pub fn label(bucket: usize) -> String {
        match Self::weeks(bucket) {
            (first, Some(last)) => format!("{first} to {last} weeks"),
            (first, None) => format!("{first} weeks or more"),
        }
    }

    /// Whether every assessment in the bar is past its 20-week limit (or due that very week).
    pub fn past_20_weeks(bucket: usize) -> bool {
        Self::weeks(bucket).0 >= 20
    }
}

/// The backlog bar of a case: open assessments only (awaiting the decision, being assessed or
/// with a draft out), by whole weeks from the request to the timeline's as-of date.
pub fn backlog_bucket(timeline: &Timeline) -> Option<usize> {
    let open = matches!(
        timeline.stage,
        Stage::AwaitingDecision | Stage::Assessing | Stage::DraftIssued
    );
    let final_plan = timeline
        .milestones
        .iter()
        .find(|m| m.rule_id == RuleId::FinalPlan)?;
    if !open || final_plan.done.is_some() {
        return None;
    }
    let weeks = (timeline.as_of - final_plan.start).num_days() / 7;
    Some(((weeks / BACKLOG_BUCKET_WEEKS) as usize).min(BACKLOG_BUCKETS - 1))
}

/// Late plans of the headline measure (issued in the period, no qualifying exception) by the
/// step that made each late.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LatenessSummary {
    /// Final plans issued late in the period, with no qualifying exception.
    pub late_plans: u64,
    /// Those late plans by the first step that ran late; the counts add up to `late_plans`.
    pub by_step: BTreeMap<LateStep, u64>,
}

impl LatenessSummary {
    /// Steps by how many plans they made late, most first (ties in the steps' own order).
    pub fn ranked(&self) -> Vec<(LateStep, u64)> {
        let mut steps: Vec<(LateStep, u64)> = self.by_step.iter().map(|(s, n)| (*s, *n)).collect();
        steps.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        steps
    }
}

/// How long a case has taken towards its final plan, as a drill-down lists it: the weeks from
/// the request to the final plan (or to the timeline's as-of date while there is none), and
/// whether the 20-week limit was missed (the plan issued late, or still awaited past it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeeksTaken {
    /// Weeks from the request, to one decimal place's accuracy; `None` without a request.
    pub weeks: Option<f64>,
    /// The final plan's time limit was missed.
    pub late: bool,
}

impl WeeksTaken {
    /// Reads `timeline`, for a case first requested on `requested`.
    pub fn of(timeline: &Timeline, requested: Option<Date>) -> Self {
        let final_plan = timeline
            .milestones
            .iter()
            .find(|m| m.rule_id == RuleId::FinalPlan);
        let until = final_plan.and_then(|m| m.done).unwrap_or(timeline.as_of);
        Self {
            weeks: requested.map(|r| (until - r).num_days() as f64 / 7.0),
            late: final_plan.is_some_and(|m| matches!(m.status, Status::Late | Status::Overdue)),
        }
    }
}

/// What a rate reads against the target in force.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading<'a> {
    /// The measured rate.
    pub rate: Rate,
    /// The target in force for the measure on the date read, if one is set.
    pub target: Option<&'a Target>,
    /// `None` without a target or without anything measured.
    pub on_track: Option<bool>,
}

impl<'a> Reading<'a> {
    /// Reads `rate` against the target for `key` in force on `date`.
    pub fn new(targets: &'a Targets, key: &str, date: Date, rate: Rate) -> Self {
        let judgement = targets.judge(key, date, rate.rate());
        Self {
            rate,
            target: targets.in_force(key, date),
            on_track: judgement.map(|j| j.on_track),
        }
    }
}

/// What a dashboard is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashboardSpec {
    /// The reporting period the headline measures and breakdowns cover.
    pub period: Period,
    /// Everything is computed from what was known on this date.
    pub as_of: Date,
    /// Months in the trend, ending with the month of the period's end (or of the as-of date if
    /// earlier).
    pub trend_months: u32,
    /// The local draft-plan target, for the reasons for lateness.
    pub draft_plan_weeks: u32,
}

impl DashboardSpec {
    /// A dashboard for `period` as at `as_of`, with the default trend length and the local
    /// draft-plan target.
    pub fn new(period: Period, as_of: Date, local: &LocalTargets) -> Self {
        Self {
            period,
            as_of,
            trend_months: TREND_MONTHS,
            draft_plan_weeks: local.draft_plan_weeks,
        }
    }

    /// The trend's months, oldest first.
    pub fn trend(&self) -> Vec<Month> {
        let last = Month::of(self.period.end.min(self.as_of));
        (0..self.trend_months).rev().map(|n| last.back(n)).collect()
    }

    /// The late step of a plan counted in the lateness summary.
    pub fn late_step(&self, timeline: &Timeline) -> Option<LateStep> {
        let final_plan = timeline
            .milestones
            .iter()
            .find(|m| m.rule_id == RuleId::FinalPlan)?;
        let issued = final_plan.done?;
        if !self.period.contains(issued) || final_plan.exception.is_some() {
            return None;
        }
        first_late_step(timeline, self.draft_plan_weeks)
    }

    /// Whether a case (its timeline as at [`Self::as_of`], and its groups) counts in `figure`:
    /// the drill-down from any figure to the cases behind it.
    pub fn includes(&self, timeline: &Timeline, groups: &CaseGroups, figure: &Figure) -> bool {
        match figure {
            Figure::Measure { key, slice, part } => {
                let period = match slice {
                    Slice::Month(month) => month.period(),
                    _ => self.period,
                };
                let in_slice = match slice {
                    Slice::All | Slice::Month(_) => true,
                    Slice::CaseManager(m) => m.as_deref() == groups.case_manager,
                    Slice::PrimaryNeed(n) => n.as_deref() == groups.primary_need,
                    Slice::AgeGroup(a) => *a == groups.age_group,
                };
                if !in_slice {
                    return false;
                }
                let mut metrics = Metrics::new(period, self.as_of);
                metrics.add(timeline);
                match (metrics.rate(key), metrics.count(key), part) {
                    (Some(rate), _, Part::Counted) => rate.denominator > 0,
                    (Some(rate), _, Part::Met) => rate.numerator > 0,
                    (Some(rate), _, Part::NotMet) => rate.numerator < rate.denominator,
                    (None, Some(count), Part::Counted) => count > 0,
                    _ => false,
                }
            }
            Figure::Provider { source, part } => timeline.milestones.iter().any(|m| {
                let from_source = source.is_of(m);
                match (from_source, advice_counted(m, self.period), part) {
                    (true, Some(_), Part::Counted) => true,
                    (true, Some(met), Part::Met) => met,
                    (true, Some(met), Part::NotMet) => !met,
                    _ => false,
                }
            }),
            Figure::ProviderRequested { source } => timeline
                .milestones
                .iter()
                .any(|m| source.is_of(m) && self.period.contains(m.start)),
            Figure::ProviderOutstanding { source, overdue } => {
                timeline.milestones.iter().any(|m| {
                    source.is_of(m)
                        && match m.status {
                            Status::Overdue => true,
                            Status::Pending => !overdue,
                            _ => false,
                        }
                })
            }
            Figure::Backlog { bucket } => backlog_bucket(timeline) == Some(*bucket),
            Figure::LateStep { step } => self.late_step(timeline) == Some(*step),
        }
    }
}

/// One figure of the dashboard, to list the cases behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "figure", rename_all = "snake_case")]
pub enum Figure {
    /// A measure by key ([`Metrics::rate`] or [`Metrics::count`]) over a slice of the cases.
    Measure {
        /// The measure's key, as in contracts/metrics.md (`decisions_to_assess_within_6_weeks`).
        key: String,
        /// Which cases and period the figure covers.
        slice: Slice,
        /// Which part of the measure.
        part: Part,
    },
    /// Advice of one kind from one provider, arrived in the period.
    Provider {
        /// The provider and kind of advice.
        source: AdviceSource,
        /// Which part of the rate.
        part: Part,
    },
    /// Advice of one kind asked of one provider in the period.
    ProviderRequested {
        /// The provider and kind of advice.
        source: AdviceSource,
    },
    /// Advice of one kind from one provider still awaited at the as-of date.
    ProviderOutstanding {
        /// The provider and kind of advice.
        source: AdviceSource,
        /// Only those past their 6 weeks.
        overdue: bool,
    },
    /// A bar of the backlog histogram.
    Backlog {
        /// The bar, 0 for the newest requests (see [`Backlog::weeks`]).
        bucket: usize,
    },
    /// Late plans whose first late step was `step`.
    LateStep {
        /// The step that ran late first.
        step: LateStep,
    },
}

/// Which cases and which period a measure figure covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "slice", content = "value", rename_all = "snake_case")]
pub enum Slice {
    /// The whole service over the dashboard's period.
    All,
    /// The whole service over one month of the trend.
    Month(Month),
    /// Cases of one case manager (`None`: no case manager recorded), over the period.
    CaseManager(Option<String>),
    /// Cases with one primary need (`None`: none recorded), over the period.
    PrimaryNeed(Option<String>),
    /// Cases in one age band (`None`: age unknown), over the period.
    AgeGroup(Option<AgeGroup>),
}

/// Who was asked for advice and what kind: a row of the breakdown of advice by provider.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AdviceSource {
    /// `None`: no provider was recorded with the request.
    pub provider: Option<String>,
    /// The kind of advice asked for.
    pub kind: AdviceKind,
}

impl AdviceSource {
    /// Whether `milestone` is advice of this kind asked of this provider.
    pub fn is_of(&self, milestone: &Milestone) -> bool {
        milestone.advice == Some(self.kind) && milestone.provider == self.provider
    }
}

/// Advice asked of one provider: how many requests the period brought, and how many are still
/// awaited at the as-of date (the health lead's monthly figures, with the rate in
/// [`Dashboard::by_provider`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProviderWorkload {
    /// Requests made in the period.
    pub requested: u64,
    /// Requests still open at the as-of date, overdue or not.
    pub outstanding: u64,
    /// Of those, the ones past their 6 weeks.
    pub overdue: u64,
}

/// Which part of a rate: every case counted, those that met the time limit, or those that did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Every case the measure counts (its denominator, or a count's cases).
    Counted,
    /// Cases that met the time limit (the numerator).
    Met,
    /// Counted cases that did not meet it.
    NotMet,
}

/// Totals for one dashboard, added up one case at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// The period, as-of date and settings the dashboard was built for.
    pub spec: DashboardSpec,
    /// The targets the rates are read against.
    pub targets: Targets,
    /// The contract's measures for the period.
    pub headline: Metrics,
    /// The measures month by month, oldest first.
    pub trend: Vec<(Month, Metrics)>,
    /// The measures for each case manager. In this map and the next two, `None` holds the cases
    /// with no case manager (or no primary need, or no age) recorded.
    pub by_case_manager: BTreeMap<Option<String>, Metrics>,
    /// The measures for each primary need.
    pub by_primary_need: BTreeMap<Option<String>, Metrics>,
    /// The measures for each age band at the request.
    pub by_age_group: BTreeMap<Option<AgeGroup>, Metrics>,
    /// Advice within 6 weeks, counted per request like `advice_within_6_weeks`, by who gave it.
    pub by_provider: BTreeMap<AdviceSource, Rate>,
    /// Advice asked of each provider in the period, and still awaited at the as-of date.
    pub workload_by_provider: BTreeMap<AdviceSource, ProviderWorkload>,
    /// Open assessments as at the as-of date, by weeks since the request.
    pub backlog: Backlog,
    /// Late plans of the period by the step that made them late.
    pub lateness: LatenessSummary,
}

impl Dashboard {
    /// An empty dashboard for `spec`; add cases with [`Self::add`] or [`Self::add_case`].
    pub fn new(spec: DashboardSpec, targets: Targets) -> Self {
        let metrics = |period| Metrics::new(period, spec.as_of);
        Self {
            spec,
            targets,
            headline: metrics(spec.period),
            trend: spec
                .trend()
                .into_iter()
                .map(|m| (m, metrics(m.period())))
                .collect(),
            by_case_manager: BTreeMap::new(),
            by_primary_need: BTreeMap::new(),
            by_age_group: BTreeMap::new(),
            by_provider: BTreeMap::new(),
            workload_by_provider: BTreeMap::new(),
            backlog: Backlog::default(),
            lateness: LatenessSummary::default(),
        }
    }

    /// Adds one case, whose timeline was computed as at [`DashboardSpec::as_of`].
    pub fn add(&mut self, timeline: &Timeline, groups: &CaseGroups) {
        debug_assert_eq!(timeline.as_of, self.spec.as_of);
        let (period, as_of) = (self.spec.period, self.spec.as_of);
        let fresh = || Metrics::new(period, as_of);
        self.headline.add(timeline);
        for (_, metrics) in &mut self.trend {
            metrics.add(timeline);
        }
        let manager = groups.case_manager.map(str::to_owned);
        self.by_case_manager
            .entry(manager)
            .or_insert_with(fresh)
            .add(timeline);
        let need = groups.primary_need.map(str::to_owned);
        self.by_primary_need
            .entry(need)
            .or_insert_with(fresh)
            .add(timeline);
        self.by_age_group
            .entry(groups.age_group)
            .or_insert_with(fresh)
            .add(timeline);
        for m in &timeline.milestones {
            let Some(kind) = m.advice else { continue };
            let source = AdviceSource {
                provider: m.provider.clone(),
                kind,
            };
            if let Some(met) = advice_counted(m, period) {
                self.by_provider
                    .entry(source.clone())
                    .or_default()
                    .count(met);
            }
            let requested = period.contains(m.start);
            let open = matches!(m.status, Status::Pending | Status::Overdue);
            if requested || open {
                let workload = self.workload_by_provider.entry(source).or_default();
                workload.requested += u64::from(requested);
                workload.outstanding += u64::from(open);
                workload.overdue += u64::from(m.status == Status::Overdue);
            }
        }
        if let Some(bucket) = backlog_bucket(timeline) {
            self.backlog.counts[bucket] += 1;
        }
        if let Some(step) = self.spec.late_step(timeline) {
            self.lateness.late_plans += 1;
            *self.lateness.by_step.entry(step).or_default() += 1;
        }
    }

    /// Each provider asked for advice of `kind`, with its rate within 6 weeks over the period
    /// and its workload: the health lead's report, for `AdviceKind::Health`.
    pub fn providers_of(&self, kind: AdviceKind) -> Vec<(&AdviceSource, Rate, ProviderWorkload)> {
        let mut sources: Vec<&AdviceSource> = self
            .by_provider
            .keys()
            .chain(self.workload_by_provider.keys())
            .filter(|s| s.kind == kind)
            .collect();
        sources.sort();
        sources.dedup();
        sources
            .into_iter()
            .map(|s| {
                (
                    s,
                    self.by_provider.get(s).copied().unwrap_or_default(),
                    self.workload_by_provider
                        .get(s)
                        .copied()
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Adds one case file, computing its timeline as at the dashboard's date.
    pub fn add_case(&mut self, case: &CaseFile, case_manager: Option<&str>) {
        let timeline = crate::timeline::compute(case, self.spec.as_of);
        self.add(&timeline, &CaseGroups::of(case, case_manager));
    }

    /// The period's rate for `key` against the target in force on the period's last day.
    pub fn reading(&self, key: &str) -> Option<Reading<'_>> {
        let rate = self.headline.rate(key)?;
        Some(Reading::new(&self.targets, key, self.spec.period.end, rate))
    }

    /// The trend of `key`, each month read against the target in force on its last day.
    pub fn trend_of(&self, key: &str) -> Option<Vec<(Month, Reading<'_>)>> {
        self.trend
            .iter()
            .map(|(month, metrics)| {
                let rate = metrics.rate(key)?;
                Some((
                    *month,
                    Reading::new(&self.targets, key, month.last_day(), rate),
                ))
            })
            .collect()
    }
}

/// A per-deployment secret for pseudonyms: at least 16 bytes, so that pseudonyms cannot be
/// reversed by trying every plausible reference.
#[derive(Clone, PartialEq, Eq)]
pub struct PseudonymKey(Vec<u8>);

impl PseudonymKey {
    /// The shortest key accepted, in bytes.
    pub const MIN_BYTES: usize = 16;

    /// The key made of `bytes`, or `None` when it is shorter than [`Self::MIN_BYTES`].
    pub fn new(bytes: impl Into<Vec<u8>>) -> Option<Self> {
        let bytes = bytes.into();
        (bytes.len() >= Self::MIN_BYTES).then_some(Self(bytes))
    }
}

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(…)")
    }
}

/// A stable stand-in for a case reference, for analysts who may count cases but not identify
/// them: HMAC-SHA-256 of the reference under the deployment's key, its first 80 bits written in
/// Crockford base 32 (`P-` and 16 characters). The same reference and key always give the same
/// pseudonym, so lists can be compared across reports; without the key it cannot be reversed.
#[expect(clippy::expect_used, reason = "HMAC takes keys of any length")]
pub fn pseudonym(key: &PseudonymKey, reference: &Reference) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes keys of any length");
    mac.update(reference.as_str().as_bytes());
    let tag = mac.finalize().into_bytes();
    let bits = tag[..10]
        .iter()
        .fold(0u128, |acc, byte| acc << 8 | u128::from(*byte));
    let mut text = String::with_capacity(18);
    text.push_str("P-");
    for i in (0..16).rev() {
        text.push(char::from(ALPHABET[(bits >> (i * 5)) as usize & 31]));
    }
    text
}
