//! Horizontal bar chart: breakdowns, the backlog histogram and the reasons for lateness.

use askama::Template;

use super::{Mark, coord, sentence_case};
use crate::html::Html;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The group the bar stands for, shown beside it and in the table ("Ann", "28 to 31 weeks").
    pub label: String,
    /// The bar's length: a count, or a rate from 0 to 1 when the chart is of rates.
    pub value: Option<f64>,
    /// The value as people read it ("55.8% (2,703 of 4,843)", "612").
    pub display: String,
    /// The list of cases behind the value.
    pub href: Option<String>,
    /// On or off track, or flagged: off-track and flagged bars are hatched, and the table says
    /// which.
    pub mark: Mark,
}

/// A bar chart and its data table.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Unique on the page: prefixes the ids of the title, description and pattern.
    pub id: String,
    /// The chart's accessible name (the SVG `<title>`), repeated in the table's caption.
    pub title: String,
    /// The figures in words, for those who cannot see the chart.
    pub description: String,
    /// Heading of the label column ("Case manager").
    pub category: String,
    /// Heading of the value column ("Final plans within 20 weeks").
    pub measure: String,
    /// The bars from top to bottom, one table row each.
    pub bars: Vec<Bar>,
    /// Bars are rates (0 to 1, drawn on a 0–100% scale) rather than counts.
    pub rates: bool,
    /// A target line (a rate) and how to label it.
    pub target: Option<(f64, String)>,
    /// What a hatched bar means, when some are flagged rather than judged against a target.
    pub flagged_means: Option<String>,
}

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 190.0;
const VALUE_WIDTH: f64 = 70.0;
const ROW: f64 = 32.0;
const BAR: f64 = 20.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 24.0;

struct Row<'a> {
    bar: &'a Bar,
    y: String,
    text_y: String,
    width: String,
    value_x: String,
}

#[derive(Template)]
#[template(path = "charts/bar.html")]
struct View<'a> {
    chart: &'a BarChart,
    height: String,
    rows: Vec<Row<'a>>,
    label_width: String,
    label_x: String,
    marks_heading: String,
    target_x: Option<String>,
    target_label_x: String,
    axis_bottom: String,
    has_marks: bool,
    any_hatched: bool,
}

impl BarChart {
    /// The chart as an SVG figure followed by its data table.
    pub fn render(&self) -> askama::Result<Html> {
        let plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        let scale = if self.rates {
            1.0
        } else {
            self.bars
                .iter()
                .filter_map(|b| b.value)
                .fold(0.0, f64::max)
                .max(1.0)
        };
        let length = |v: f64| (v / scale).clamp(0.0, 1.0) * plot;
        let rows = self
            .bars
            .iter()
            .enumerate()
            .map(|(i, bar)| {
                let top = TOP + i as f64 * ROW;
                let width = length(bar.value.unwrap_or(0.0));
                Row {
                    bar,
                    y: coord(top + (ROW - BAR) / 2.0),
                    text_y: coord(top + ROW / 2.0 + 5.0),
                    width: coord(width),
                    value_x: coord(LABEL_WIDTH + width + 6.0),
                }
            })
            .collect();
        let bottom = TOP + self.bars.len() as f64 * ROW;
        let target_x = self.target.as_ref().map(|(t, _)| LABEL_WIDTH + length(*t));
        let view = View {
            chart: self,
            height: coord(bottom + BOTTOM),
            rows,
            label_width: coord(LABEL_WIDTH),
            label_x: coord(LABEL_WIDTH - 8.0),
            marks_heading: match &self.flagged_means {
                Some(means) => sentence_case(means),
                None => "Against the target".to_owned(),
            },
            target_x: target_x.map(coord),
            // Keep the label inside the view at either end of the scale.
            target_label_x: coord(
                target_x
                    .unwrap_or(0.0)
                    .clamp(LABEL_WIDTH + 40.0, WIDTH - 60.0),
            ),
            axis_bottom: coord(bottom),
            has_marks: self.bars.iter().any(|b| b.mark != Mark::Plain),
            any_hatched: self.bars.iter().any(|b| b.mark.hatched()),
        };
        Html::render(&view)
    }
}
