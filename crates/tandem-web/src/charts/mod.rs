//! Accessible charts for the performance dashboard: inline SVG with `role="img"`, a `<title>`
//! and a `<desc>` that states the figures in words, text of at least 14 units in a 640-wide
//! view, colours with at least 3:1 contrast for shapes and 4.5:1 for text (WCAG 2.2 AA 1.4.3,
//! 1.4.11), and meaning never carried by colour alone (1.4.1): off-track bars are hatched and
//! off-track points are squares. Each chart is followed by a GOV.UK table of the same figures,
//! whose values link to the cases behind them; the SVG itself has no links, since a `role="img"`
//! element hides its children from assistive technology.
//!
//! Hand-written templates rather than a plotting crate: see docs/reporting.md.

mod bar;
mod dashboard;
mod trend;

pub use bar::{Bar, BarChart};
pub use dashboard::{
    Breakdown, backlog_chart, breakdown_chart, lateness_chart, thousands, trend_chart,
};
pub(crate) use dashboard::{
    advice_chart, count_cell, count_shown, provider_chart, provider_label, rate_shown,
};
pub use trend::{TrendChart, TrendPoint};

/// How a value stands, shown by shape or pattern as well as colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mark {
    /// No judgement.
    #[default]
    Plain,
    /// Meets the target in force.
    OnTrack,
    /// Below the target in force: hatched bars and square points.
    OffTrack,
    /// Picked out for the reason the chart's legend gives (e.g. past the 20-week limit).
    Flagged,
}

impl Mark {
    /// Words for the data table.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Self::Plain => "",
            Self::OnTrack => "On track",
            Self::OffTrack => "Off track",
            Self::Flagged => "Yes",
        }
    }

    /// Whether the shape is hatched (off track or flagged).
    pub(crate) fn hatched(self) -> bool {
        matches!(self, Self::OffTrack | Self::Flagged)
    }
}

/// A number for an SVG attribute: one decimal place at most.
fn coord(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// "65.3%" (to one decimal place).
pub(crate) fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// The text with its first letter in capitals ("past the limit" → "Past the limit").
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
