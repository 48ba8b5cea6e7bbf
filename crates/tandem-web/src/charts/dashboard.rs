//! Charts of a [`Dashboard`]: what the dashboard pages show. Every value links to the cases
//! behind it through `link`, which turns a [`Figure`] into the page's address for its list.

use tandem_core::dashboard::{AdviceSource, Backlog, Dashboard, Figure, Part, Reading, Slice};
use tandem_core::dates;
use tandem_core::disclosure::{MARKER, SmallNumbers};
use tandem_core::metrics::{Metrics, Rate};
use tandem_core::names::AdviceKind;

use super::{Bar, BarChart, Mark, TrendChart, TrendPoint, percent};

/// The groups a breakdown is by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// By the case manager named on each case (or none).
    CaseManager,
    /// By the child's primary need, as recorded.
    PrimaryNeed,
    /// By the child's age band when the request was received.
    AgeGroup,
}

impl Breakdown {
    pub(crate) fn heading(self) -> &'static str {
        match self {
            Self::CaseManager => "Case manager",
            Self::PrimaryNeed => "Primary need",
            Self::AgeGroup => "Age at request",
        }
    }

    /// The part of chart ids and table names naming the breakdown.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Self::CaseManager => "case-manager",
            Self::PrimaryNeed => "primary-need",
            Self::AgeGroup => "age-group",
        }
    }
}

/// "55.8% (2,703 of 4,843)", or "none measured".
pub(crate) fn rate_display(rate: Rate) -> String {
    match rate.rate() {
        Some(r) => format!(
            "{} ({} of {})",
            percent(r),
            thousands(rate.numerator),
            thousands(rate.denominator)
        ),
        None => "none measured".to_owned(),
    }
}

/// A rate as a page shows it ([`rate_display`]), or why it is not shown when `small` hides
/// one of its counts.
pub(crate) fn rate_shown(small: SmallNumbers, rate: Rate) -> String {
    if small.hides_rate(rate) {
        format!("not shown: a count is {}", small.words())
    } else {
        rate_display(rate)
    }
}

/// A rate's share for a bar or a point: none where `small` hides the rate.
fn share(small: SmallNumbers, rate: Rate) -> Option<f64> {
    if small.hides_rate(rate) {
        None
    } else {
        rate.rate()
    }
}

/// A count as a page shows it: "2,703", or "fewer than 5" where `small` hides it.
pub(crate) fn count_shown(small: SmallNumbers, n: u64) -> String {
    if small.hides(n) {
        small.words()
    } else {
        thousands(n)
    }
}

/// A count as a download writes it: "2703", or the marker `[c]` where `small` hides it.
pub(crate) fn count_cell(small: SmallNumbers, n: u64) -> String {
    if small.hides(n) {
        MARKER.to_owned()
    } else {
        n.to_string()
    }
}

/// 2703 → "2,703".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(c);
    }
    text
}

fn mark(reading: &Reading) -> Mark {
    match reading.on_track {
        Some(true) => Mark::OnTrack,
        Some(false) => Mark::OffTrack,
        None => Mark::Plain,
    }
}

/// "from 1 April 2025 to 31 March 2026, as at 31 March 2026".
fn span(d: &Dashboard) -> String {
    format!(
        "from {} to {}, as at {}",
        dates::long(d.spec.period.start),
        dates::long(d.spec.period.end),
        dates::long(d.spec.as_of)
    )
}

/// `measure`'s rate month by month against its targets; `None` for a key that is not a rate.
pub fn trend_chart(
    d: &Dashboard,
    key: &str,
    measure: &str,
    link: &dyn Fn(&Figure) -> String,
    small: SmallNumbers,
) -> Option<TrendChart> {
    let trend = d.trend_of(key)?;
    let points: Vec<TrendPoint> = trend
        .iter()
        .map(|(month, reading)| TrendPoint {
            label: month.short_label(),
            rate: share(small, reading.rate),
            display: rate_shown(small, reading.rate),
            target: reading.target.map(|t| t.rate),
            href: (reading.rate.denominator > 0).then(|| {
                link(&Figure::Measure {
                    key: key.to_owned(),
                    slice: Slice::Month(*month),
                    part: Part::Counted,
                })
            }),
            mark: mark(reading),
        })
        .collect();
    let (first, last) = (trend.first()?, trend.last()?);
    let latest = match (share(small, last.1.rate), last.1.target, last.1.on_track) {
        (None, _, _) if small.hides_rate(last.1.rate) => format!(
            "In {} a count was {}, so the rate is not shown.",
            last.0.label(),
            small.words()
        ),
        (None, _, _) => format!("Nothing was measured in {}.", last.0.label()),
        (Some(r), Some(t), Some(on)) => format!(
            "In {} it was {} against a target of {}: {}.",
            last.0.label(),
            percent(r),
            percent(t.rate),
            if on { "on track" } else { "off track" }
        ),
        (Some(r), _, _) => format!("In {} it was {}.", last.0.label(), percent(r)),
    };
    let months_off = trend
        .iter()
        .filter(|(_, r)| r.on_track == Some(false))
        .count();
    let judged = trend.iter().filter(|(_, r)| r.on_track.is_some()).count();
    let judged = if judged > 0 {
        format!(" {months_off} of the {judged} months with a target were off track.")
    } else {
        String::new()
    };
    Some(TrendChart {
        id: format!("trend-{}", key.replace(['.', '_'], "-")),
        title: format!(
            "{measure}, by month, {} to {}",
            first.0.label(),
            last.0.label()
        ),
        description: format!(
            "Line chart of {}, month by month from {} to {}, as at {}. {latest}{judged}",
            measure.to_lowercase(),
            first.0.label(),
            last.0.label(),
            dates::long(d.spec.as_of)
        ),
        measure: measure.to_owned(),
        period: "Month",
        points,
    })
}

/// `measure`'s rate for each group of a breakdown over the period, against the target in force
/// at the period's end; `None` for a key that is not a rate.
pub fn breakdown_chart(
    d: &Dashboard,
    by: Breakdown,
    key: &str,
    measure: &str,
    link: &dyn Fn(&Figure) -> String,
    small: SmallNumbers,
) -> Option<BarChart> {
    let groups: Vec<(String, Slice, &Metrics)> = match by {
        Breakdown::CaseManager => d
            .by_case_manager
            .iter()
            .map(|(k, m)| {
                let label = k.clone().unwrap_or_else(|| "No case manager".into());
                (label, Slice::CaseManager(k.clone()), m)
            })
            .collect(),
        Breakdown::PrimaryNeed => d
            .by_primary_need
            .iter()
            .map(|(k, m)| {
                let label = k.clone().unwrap_or_else(|| "Not recorded".into());
                (label, Slice::PrimaryNeed(k.clone()), m)
            })
            .collect(),
        Breakdown::AgeGroup => d
            .by_age_group
            .iter()
            .map(|(k, m)| {
                let label = k.map_or("Not known", |a| a.label()).to_owned();
                (label, Slice::AgeGroup(*k), m)
            })
            .collect(),
    };
    let target = d.targets.in_force(key, d.spec.period.end);
    let mut bars = Vec::with_capacity(groups.len());
    let mut off = Vec::new();
    for (label, slice, metrics) in groups {
        let reading = Reading::new(&d.targets, key, d.spec.period.end, metrics.rate(key)?);
        if reading.on_track == Some(false) {
            off.push(label.clone());
        }
        bars.push(Bar {
            value: share(small, reading.rate),
            display: rate_shown(small, reading.rate),
            href: (reading.rate.denominator > 0).then(|| {
                link(&Figure::Measure {
                    key: key.to_owned(),
                    slice,
                    part: Part::Counted,
                })
            }),
            mark: mark(&reading),
            label,
        });
    }
    let off = match (target, off.is_empty()) {
        (None, _) => String::new(),
        (Some(t), true) => format!(" Every group met the target of {}.", percent(t.rate)),
        (Some(t), false) => format!(
            " Below the target of {}: {}.",
            percent(t.rate),
            off.join(", ")
        ),
    };
    Some(BarChart {
        id: format!("{}-{}", by.slug(), key.replace(['.', '_'], "-")),
        title: format!("{measure} by {}", by.heading().to_lowercase()),
        description: format!(
            "Bar chart of {} for each {}, {}.{off}",
            measure.to_lowercase(),
            by.heading().to_lowercase(),
            span(d)
        ),
        category: by.heading().to_owned(),
        measure: measure.to_owned(),
        bars,
        rates: true,
        target: target.map(|t| (t.rate, format!("Target {}", percent(t.rate)))),
        flagged_means: None,
    })
}

/// Open assessments by weeks since the request, those past the 20-week limit hatched.
pub fn backlog_chart(
    d: &Dashboard,
    link: &dyn Fn(&Figure) -> String,
    small: SmallNumbers,
) -> BarChart {
    let counts = &d.backlog.counts;
    let past: u64 = (0..counts.len())
        .filter(|b| Backlog::past_20_weeks(*b))
        .map(|b| counts[b])
        .sum();
    BarChart {
        id: "backlog".into(),
        title: "Open assessments by weeks since the request".into(),
        description: format!(
            "Bar chart of the {} assessments open on {}, by whole weeks since the request, in \
             bars of 4 weeks. Of them, {} were requested 20 or more weeks earlier, when the final \
             plan is due.",
            count_shown(small, d.backlog.total()),
            dates::long(d.spec.as_of),
            count_shown(small, past)
        ),
        category: "Weeks since the request".into(),
        measure: "Open assessments".into(),
        bars: counts
            .iter()
            .enumerate()
            .map(|(bucket, count)| Bar {
                label: Backlog::label(bucket),
                value: (!small.hides(*count)).then_some(*count as f64),
                display: count_shown(small, *count),
                href: (*count > 0).then(|| link(&Figure::Backlog { bucket })),
                mark: if Backlog::past_20_weeks(bucket) {
                    Mark::Flagged
                } else {
                    Mark::Plain
                },
            })
            .collect(),
        rates: false,
        target: None,
        flagged_means: Some("at or past the 20-week limit".into()),
    }
}

/// Late plans of the period by the step that made each late, most common first.
pub fn lateness_chart(
    d: &Dashboard,
    link: &dyn Fn(&Figure) -> String,
    small: SmallNumbers,
) -> BarChart {
    let ranked = d.lateness.ranked();
    let total = d.lateness.late_plans;
    let top = ranked.first().map_or_else(String::new, |(step, n)| {
        format!(
            " The most common first late step was {}: {} of the {} plans.",
            step.label().to_lowercase(),
            count_shown(small, *n),
            count_shown(small, total)
        )
    });
    BarChart {
        id: "lateness".into(),
        title: "Why plans were late: the first step that ran late".into(),
        description: format!(
            "Bar chart of the {} final plans issued late {} (exception cases left out), by the \
             first step of the assessment that ran late.{top}",
            count_shown(small, total),
            span(d)
        ),
        category: "First late step".into(),
        measure: "Late plans".into(),
        bars: ranked
            .into_iter()
            .map(|(step, count)| Bar {
                label: step.label(),
                value: (!small.hides(count)).then_some(count as f64),
                display: count_shown(small, count),
                href: Some(link(&Figure::LateStep { step })),
                mark: Mark::Plain,
            })
            .collect(),
        rates: false,
        target: None,
        flagged_means: None,
    }
}

/// Advice within 6 weeks over the period, one bar per kind of advice, each judged against its
/// own target (so the chart has no single target line).
pub(crate) fn advice_chart(
    d: &Dashboard,
    link: &dyn Fn(&Figure) -> String,
    small: SmallNumbers,
) -> BarChart {
    let bars = AdviceKind::ALL
        .iter()
        .map(|kind| {
            let key = format!("advice_within_6_weeks.{kind}");
            let rate = d.headline.rate(&key).unwrap_or_default();
            let reading = Reading::new(&d.targets, &key, d.spec.period.end, rate);
            Bar {
                label: kind.label().to_owned(),
                value: share(small, rate),
                display: rate_shown(small, rate),
                href: (rate.denominator > 0).then(|| {
                    link(&Figure::Measure {
                        key,
                        slice: Slice::All,
                        part: Part::Counted,
                    })
                }),
                mark: mark(&reading),
            }
        })
        .collect::<Vec<_>>();
    let off: Vec<&str> = bars
        .iter()
        .filter(|b| b.mark == Mark::OffTrack)
        .map(|b| b.label.as_str())
        .collect();
    let off = if off.is_empty() {
        String::new()
    } else {
        format!(" Below their targets: {}.", off.join(", "))
    };
    BarChart {
        id: "advice-kind".into(),
        title: "Advice within 6 weeks by kind of advice".into(),
        description: format!(
            "Bar chart of the share of advice received within 6 weeks of the request for each \
             kind of advice, {}.{off}",
            span(d)
        ),
        category: "Kind of advice".into(),
        measure: "Advice within 6 weeks".into(),
        bars,
        rates: true,
        target: None,
        flagged_means: None,
    }
}

/// A provider's row name: "Community paediatrics (health advice)".
pub(crate) fn provider_label(source: &AdviceSource) -> String {
    format!(
        "{} ({})",
        source
            .provider
            .as_deref()
            .unwrap_or("Provider not recorded"),
        source.kind.label().to_lowercase()
    )
}

/// Advice within 6 weeks over the period, one bar per provider and kind of advice, each judged
/// against its kind's target.
pub(crate) fn provider_chart(
    d: &Dashboard,
    link: &dyn Fn(&Figure) -> String,
    small: SmallNumbers,
) -> BarChart {
    let bars: Vec<Bar> = d
        .by_provider
        .iter()
        .map(|(source, rate)| {
            let key = format!("advice_within_6_weeks.{}", source.kind);
            let reading = Reading::new(&d.targets, &key, d.spec.period.end, *rate);
            Bar {
                label: provider_label(source),
                value: share(small, *rate),
                display: rate_shown(small, *rate),
                href: Some(link(&Figure::Provider {
                    source: source.clone(),
                    part: Part::Counted,
                })),
                mark: mark(&reading),
            }
        })
        .collect();
    let slowest = bars
        .iter()
        .filter_map(|b| Some((b.value?, b)))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or_else(String::new, |(_, b)| {
            format!(" The lowest was {}: {}.", b.label, b.display)
        });
    BarChart {
        id: "advice-provider".into(),
        title: "Advice within 6 weeks by provider".into(),
        description: format!(
            "Bar chart of the share of advice received within 6 weeks of the request from each \
             provider, counting each request whose advice arrived {}.{slowest}",
            span(d)
        ),
        category: "Provider".into(),
        measure: "Advice within 6 weeks".into(),
        bars,
        rates: true,
        target: None,
        flagged_means: None,
    }
}
