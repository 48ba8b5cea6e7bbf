//! The dashboard's first screen and the board report's opening words (issue 13 item 5): the
//! headline measures as tiles (the latest month, the rolling 12 months, the target and the
//! trajectory's next step, on or off track, the change since the month before, and England's
//! published figure), and a summary in sentences of what improved, what worsened and where to
//! look. Both are read from a [`Dashboard`] already added up (its monthly trend), so they cost
//! nothing more than the dashboard itself and are cached with it.

use crate::dashboard::{Backlog, Dashboard, Month};
use crate::disclosure::SmallNumbers;
use crate::metrics::{FINAL_PLANS_EXCL, Rate};
use crate::targets::{EnglandFigure, Target};

/// The measures shown as tiles, in order.
pub const TILE_MEASURES: [&str; 4] = [
    FINAL_PLANS_EXCL,
    "decisions_to_assess_within_6_weeks",
    "advice_within_6_weeks.all",
    "review_meetings_on_time",
];

/// The months the rolling figure adds up.
pub const ROLLING_MONTHS: usize = 12;

/// Fewer cases than this in a group are too few to single out in the summary.
pub const MIN_COUNTED: u64 = 5;

/// One headline measure as a tile.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile<'a> {
    /// The rate key.
    pub measure: &'static str,
    /// The latest month of the dashboard's trend (the month of the period's end, or of the
    /// as-at date if earlier).
    pub month: Month,
    /// The rate in that month.
    pub this_month: Rate,
    /// The rate in the month before, when the trend holds it.
    pub last_month: Option<Rate>,
    /// The rate over the [`ROLLING_MONTHS`] months ending with `month` (fewer when the trend is
    /// shorter: see `rolling_months`).
    pub rolling: Rate,
    /// How many months `rolling` adds up.
    pub rolling_months: usize,
    /// The target in force on the month's last day.
    pub target: Option<&'a Target>,
    /// The trajectory's next step after that day.
    pub next_step: Option<&'a Target>,
    /// This month against the target: `None` without a target or without anything counted.
    pub on_track: Option<bool>,
    /// England's published figure, when one is configured.
    pub england: Option<&'a EnglandFigure>,
}

impl Tile<'_> {
    /// The change from last month to this month, in percentage points, when both counted
    /// something.
    pub fn change_points(&self) -> Option<f64> {
        let now = self.this_month.rate()?;
        let before = self.last_month?.rate()?;
        Some((now - before) * 100.0)
    }
}

/// The tiles of [`TILE_MEASURES`], read from `d`'s trend, with `england`'s figures beside them.
pub fn tiles<'a>(d: &'a Dashboard, england: &'a [EnglandFigure]) -> Vec<Tile<'a>> {
    let Some(last) = d.trend.len().checked_sub(1) else {
        return Vec::new();
    };
    let month = d.trend[last].0;
    let end = month.last_day();
    TILE_MEASURES
        .iter()
        .filter_map(|&measure| {
            let rate_in = |i: usize| d.trend.get(i).and_then(|(_, m)| m.rate(measure));
            let this_month = rate_in(last)?;
            let window = &d.trend[d.trend.len().saturating_sub(ROLLING_MONTHS)..];
            let rolling = window.iter().filter_map(|(_, m)| m.rate(measure)).fold(
                Rate::default(),
                |sum, r| Rate {
                    numerator: sum.numerator + r.numerator,
                    denominator: sum.denominator + r.denominator,
                },
            );
            let reading = crate::dashboard::Reading::new(&d.targets, measure, end, this_month);
            Some(Tile {
                measure,
                month,
                this_month,
                last_month: last.checked_sub(1).and_then(rate_in),
                rolling,
                rolling_months: window.len(),
                target: reading.target,
                next_step: d.targets.next_after(measure, end),
                on_track: reading.on_track,
                england: england.iter().find(|e| e.measure == measure),
            })
        })
        .collect()
}

/// A measure's name inside a sentence.
fn in_words(measure: &str) -> &'static str {
    match measure {
        FINAL_PLANS_EXCL => "final plans issued within 20 weeks (exception cases left out)",
        "decisions_to_assess_within_6_weeks" => "decisions whether to assess made within 6 weeks",
        "advice_within_6_weeks.all" => "advice received within 6 weeks",
        _ => "annual review meetings held on time",
    }
}

/// "60%", to the nearest whole percent.
pub fn percent(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

/// What the board report opens with: sentences about what improved, what worsened, and where
/// to look, each list possibly empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The month the comparison is about ("March 2026").
    pub month: String,
    /// Measures better than the month before.
    pub improved: Vec<String>,
    /// Measures worse than the month before.
    pub worsened: Vec<String>,
    /// Measures about the same (within half a point), or with nothing to compare.
    pub steady: Vec<String>,
    /// Where the delays were: the slowest advice provider, the commonest reason plans were
    /// late, the assessments past 20 weeks.
    pub where_: Vec<String>,
}

impl Summary {
    /// The sentences in the order a report gives them, each group after its heading.
    pub fn groups(&self) -> [(&'static str, &[String]); 4] {
        [
            ("What improved", &self.improved),
            ("What worsened", &self.worsened),
            ("Held steady, or nothing to compare with", &self.steady),
            ("Where plans were held up", &self.where_),
        ]
    }
}

/// The summary of `d`: each tile's measure this month against the month before (and its
/// target), then where the delays were over the dashboard's period. A sentence never gives a
/// count that `small` hides ([`crate::disclosure`]): it says "fewer than 5" or is left out.
pub fn summary(d: &Dashboard, small: SmallNumbers) -> Summary {
    let tiles = tiles(d, &[]);
    let mut summary = Summary {
        month: tiles.first().map(|t| t.month.label()).unwrap_or_default(),
        ..Summary::default()
    };
    for tile in &tiles {
        let Some(now) = tile.this_month.rate() else {
            continue;
        };
        if small.hides_rate(tile.this_month) {
            summary.steady.push(format!(
                "The share of {} is not given, as a count is {}.",
                in_words(tile.measure),
                small.words()
            ));
            continue;
        }
        let mut sentence = format!(
            "{} of {} {}: {}",
            tile.this_month.numerator,
            tile.this_month.denominator,
            in_words(tile.measure),
            percent(now)
        );
        let before = tile.last_month.and_then(|r| r.rate());
        if let Some(before) = before {
            let previous = tile.month.back(1).label();
            sentence.push_str(&format!(", against {} in {previous}", percent(before)));
        }
        match (tile.target, tile.on_track) {
            (Some(target), Some(true)) => sentence.push_str(&format!(
                "; on track for the target of {}",
                percent(target.rate)
            )),
            (Some(target), Some(false)) => sentence.push_str(&format!(
                "; off track for the target of {}",
                percent(target.rate)
            )),
            _ => {}
        }
        sentence.push('.');
        match tile.change_points() {
            Some(points) if points >= 0.5 => summary.improved.push(sentence),
            Some(points) if points <= -0.5 => summary.worsened.push(sentence),
            _ => summary.steady.push(sentence),
        }
    }
    let slowest = d
        .by_provider
        .iter()
        .filter(|(_, rate)| rate.denominator >= MIN_COUNTED && !small.hides_rate(**rate))
        .filter_map(|(source, rate)| Some((source, *rate, rate.rate()?)))
        .filter(|(_, rate, _)| rate.numerator < rate.denominator)
        .min_by(|a, b| a.2.total_cmp(&b.2));
    if let Some((source, rate, share)) = slowest {
        let provider = source.provider.as_deref().unwrap_or("a provider not named");
        summary.where_.push(format!(
            "{} from {provider} was the most often late: {} of {} within 6 weeks ({}).",
            source.kind.label(),
            rate.numerator,
            rate.denominator,
            percent(share)
        ));
    }
    if let Some((step, count)) = d.lateness.ranked().first() {
        let step = step.label().to_lowercase();
        summary.where_.push(match d.lateness.late_plans {
            late if small.hides(late) || small.hides(*count) => format!(
                "Plans issued late were most often first held up at: {step} ({} plans).",
                small.words()
            ),
            1 => format!("The one plan issued late was first held up at: {step}."),
            late => {
                format!("Of the {late} plans issued late, {count} were first held up at: {step}.")
            }
        });
    }
    let past: u64 = d
        .backlog
        .counts
        .iter()
        .enumerate()
        .filter(|(bucket, _)| Backlog::past_20_weeks(*bucket))
        .map(|(_, count)| count)
        .sum();
    if small.hides(past) {
        summary.where_.push(format!(
            "Open assessments past 20 weeks on {}: {}.",
            crate::dates::long(d.spec.as_of),
            small.words()
        ));
    } else if past > 0 {
        summary.where_.push(format!(
            "{past} open {} had gone past 20 weeks on {}.",
            if past == 1 {
                "assessment"
            } else {
                "assessments"
            },
            crate::dates::long(d.spec.as_of)
        ));
    }
    summary
}
