//! Line chart of a rate month by month, with the target in force each month as a dashed step
//! line. Points on or above the target are circles; points below it are squares.

use askama::Template;

use super::{Mark, coord};
use crate::html::Html;

/// One month of the trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// "Mar 2026".
    pub label: String,
    /// The rate (0 to 1), or `None` when nothing was measured that month.
    pub rate: Option<f64>,
    /// The value as people read it ("65.3% (32 of 49)").
    pub display: String,
    /// The target in force that month (0 to 1).
    pub target: Option<f64>,
    /// The list of cases behind the value, linked from the table.
    pub href: Option<String>,
    /// Against the target: an off-track point is drawn as a square, not a circle.
    pub mark: Mark,
}

/// A trend chart and its data table.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendChart {
    /// Unique on the page: prefixes the ids of the title and description.
    pub id: String,
    /// The chart's accessible name (the SVG `<title>`), repeated in the table's caption.
    pub title: String,
    /// The figures in words, for those who cannot see the chart.
    pub description: String,
    /// Heading of the value column.
    pub measure: String,
    /// Heading of the period column: "Month" on the dashboard, "Term" for audits.
    pub period: &'static str,
    /// The months, oldest first, one table row each.
    pub points: Vec<TrendPoint>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 48.0;

struct Dot<'a> {
    point: &'a TrendPoint,
    x: String,
    y: String,
    /// Top-left corner of the square drawn for an off-track point.
    corner_x: String,
    corner_y: String,
}

struct Tick {
    y: String,
    text_y: String,
    label: &'static str,
}

struct AxisLabel<'a> {
    x: String,
    label: &'a str,
}

#[derive(Template)]
#[template(path = "charts/trend.html")]
struct View<'a> {
    chart: &'a TrendChart,
    dots: Vec<Dot<'a>>,
    /// The measured line, broken where a month measured nothing.
    line: String,
    /// The target as a step line, broken where no target was in force.
    target: String,
    ticks: Vec<Tick>,
    axis_labels: Vec<AxisLabel<'a>>,
    axis_y: String,
    has_targets: bool,
}

impl TrendChart {
    /// The chart as an SVG figure followed by its data table.
    pub fn render(&self) -> askama::Result<Html> {
        let n = self.points.len().max(1) as f64;
        let step = (WIDTH - LEFT - RIGHT) / n;
        let x = |i: usize| LEFT + step * (i as f64 + 0.5);
        let y = |rate: f64| TOP + (1.0 - rate.clamp(0.0, 1.0)) * (HEIGHT - TOP - BOTTOM);
        let dots = self
            .points
            .iter()
            .enumerate()
            .filter_map(|(i, point)| {
                let (px, py) = (x(i), y(point.rate?));
                Some(Dot {
                    point,
                    x: coord(px),
                    y: coord(py),
                    corner_x: coord(px - 5.0),
                    corner_y: coord(py - 5.0),
                })
            })
            .collect();
        let mut line = String::new();
        let mut target = String::new();
        for (i, point) in self.points.iter().enumerate() {
            let joined = i > 0 && self.points[i - 1].rate.is_some();
            if let Some(rate) = point.rate {
                let command = if joined { 'L' } else { 'M' };
                line.push_str(&format!("{command}{},{} ", coord(x(i)), coord(y(rate))));
            }
            // Each month's target spans the month's whole step, so changes show as steps.
            if let Some(t) = point.target {
                let (left, right) = (coord(x(i) - step / 2.0), coord(x(i) + step / 2.0));
                let continues = i > 0 && self.points[i - 1].target.is_some();
                let command = if continues { 'L' } else { 'M' };
                target.push_str(&format!("{command}{left},{0} L{right},{0} ", coord(y(t))));
            }
        }
        let ticks = [
            (0.0, "0%"),
            (0.25, "25%"),
            (0.5, "50%"),
            (0.75, "75%"),
            (1.0, "100%"),
        ]
        .into_iter()
        .map(|(rate, label)| Tick {
            y: coord(y(rate)),
            text_y: coord(y(rate) + 5.0),
            label,
        })
        .collect();
        // At most 8 months are labelled, counted back from the latest, so that labels never overlap.
        let every = self.points.len().div_ceil(8).max(1);
        let axis_labels = self
            .points
            .iter()
            .enumerate()
            .filter(|(i, _)| (self.points.len() - 1 - i).is_multiple_of(every))
            .map(|(i, p)| AxisLabel {
                x: coord(x(i)),
                label: &p.label,
            })
            .collect();
        let view = View {
            chart: self,
            dots,
            line: line.trim_end().to_owned(),
            target: target.trim_end().to_owned(),
            ticks,
            axis_labels,
            axis_y: coord(HEIGHT - BOTTOM + 22.0),
            has_targets: self.points.iter().any(|p| p.target.is_some()),
        };
        Html::render(&view)
    }
}

impl TrendPoint {
    fn target_display(&self) -> String {
        self.target
            .map_or_else(|| "none".to_owned(), super::percent)
    }
}

impl Dot<'_> {
    fn off_track(&self) -> bool {
        self.point.mark == Mark::OffTrack
    }
}
