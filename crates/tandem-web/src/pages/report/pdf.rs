//! The board report as PDF (`GET /report.pdf`, built with the `pdf` feature): the same figures,
//! sections and words as the HTML report, laid out for print by `tandem-pdf`.

use std::time::SystemTime;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tandem_core::dashboard::Dashboard;
use tandem_core::disclosure::SmallNumbers;
use tandem_core::{Date, dates};
use tandem_pdf::{Block, Column, Document};

use super::TRENDS;
use crate::charts::{self, Mark, backlog_chart, lateness_chart, thousands, trend_chart};
use crate::error::WebError;
use crate::pages::dashboard::{
    HeadlineRow, headline_rows, measure_label, read_linked, small_numbers, suppressed_note,
};
use crate::pages::period::{Chosen, PeriodForm};
use crate::pages::plan::PlanView;
use crate::session::CurrentUser;
use crate::state::AppState;

/// `GET /report.pdf`: the board report for the period as a PDF download.
pub(crate) async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(form): Query<PeriodForm>,
) -> Result<Response, WebError> {
    let (chosen, today, d) = read_linked(&state, &user, &form).await?;
    let kept = crate::pages::plan::kept(&state, &user).await?;
    let small = small_numbers(&state, &user);
    let plan = PlanView::new(&kept.plan, &d, &chosen, today, small);
    let mut made = document(&d, &chosen, &plan, today, state.now().into(), small);
    made.blocks
        .extend(crate::pages::workforce::report_blocks(&state, &user, small).await?);
    made.blocks
        .extend(crate::pages::surveys::report_blocks(&state, &user).await?);
    let bytes = tandem_pdf::render(&made);
    let disposition = format!("attachment; filename=\"board-report-{}.pdf\"", chosen.as_of);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

fn columns(headings: &[(&str, bool)]) -> Vec<Column> {
    headings
        .iter()
        .map(|(heading, numeric)| Column {
            heading: (*heading).to_owned(),
            numeric: *numeric,
        })
        .collect()
}

fn judgement(on_track: Option<bool>) -> String {
    match on_track {
        Some(true) => "On track",
        Some(false) => "Off track",
        None => "",
    }
    .to_owned()
}

fn headline(rows: Vec<HeadlineRow>, span: &str) -> Block {
    Block::Table(tandem_pdf::Table {
        caption: format!("Headline measures, {span}"),
        columns: columns(&[
            ("Measure", false),
            ("Figure", true),
            ("Target", true),
            ("Against the target", false),
        ]),
        rows: rows
            .into_iter()
            .map(|row| {
                vec![
                    row.label,
                    row.display,
                    row.target.unwrap_or_else(|| "None set".into()),
                    judgement(row.on_track),
                ]
            })
            .collect(),
    })
}

/// The report's opening summary: a heading, then each group of sentences after its name.
fn summary_blocks(summary: &tandem_core::headline::Summary) -> Vec<Block> {
    let mut blocks = vec![Block::Heading(format!(
        "Summary: {} against the month before",
        summary.month
    ))];
    for (name, sentences) in summary.groups() {
        if !sentences.is_empty() {
            blocks.push(Block::Paragraph(format!("{name}: {}", sentences.join(" "))));
        }
    }
    blocks
}

fn bars(chart: charts::BarChart) -> [Block; 2] {
    [
        Block::Bars(tandem_pdf::BarChart {
            title: chart.title,
            bars: chart
                .bars
                .into_iter()
                .map(|bar| tandem_pdf::Bar {
                    label: bar.label,
                    value: bar.value.unwrap_or(0.0),
                    display: bar.display,
                    flagged: bar.mark == Mark::Flagged,
                })
                .collect(),
            flagged_means: chart.flagged_means,
        }),
        Block::Paragraph(chart.description),
    ]
}

fn plan_blocks(plan: &PlanView, today: Date) -> Vec<Block> {
    if plan.actions == 0 {
        return vec![Block::Paragraph("No improvement plan is kept yet.".into())];
    }
    let today = dates::long(today);
    let mut blocks = vec![Block::Table(tandem_pdf::Table {
        caption: "Actions by status".into(),
        columns: columns(&[("Status", false), ("Actions", true)]),
        rows: plan
            .by_status
            .iter()
            .map(|(status, count)| {
                vec![(*status).to_owned(), format!("{count} of {}", plan.actions)]
            })
            .collect(),
    })];
    if plan.overdue.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "No action is overdue on {today}."
        )));
    } else {
        blocks.push(Block::Table(tandem_pdf::Table {
            caption: format!(
                "Overdue actions on {today} ({} of {}), earliest due first",
                plan.overdue.len(),
                plan.actions
            ),
            columns: columns(&[
                ("Action", false),
                ("Owner", false),
                ("Due", false),
                ("Status", false),
            ]),
            rows: plan
                .overdue
                .iter()
                .map(|o| {
                    vec![
                        format!("{} ({}: {})", o.action.text, o.priority, o.objective),
                        o.action.owner.clone(),
                        o.action.due.clone(),
                        format!("{}, overdue", o.action.status),
                    ]
                })
                .collect(),
        }));
    }
    if !plan.linked.is_empty() {
        blocks.push(Block::Table(tandem_pdf::Table {
            caption: "How we will know: the plan's measures against their targets".into(),
            columns: columns(&[
                ("Measure", false),
                ("Live figure", false),
                ("Target", true),
                ("Against the target", false),
            ]),
            rows: plan
                .linked
                .iter()
                .map(|m| {
                    let value = match (&m.metric, &m.value) {
                        (Some(metric), Some(value)) => format!("{metric}: {value}"),
                        (None, Some(value)) => value.clone(),
                        (_, None) => "Not measured by Tandem".into(),
                    };
                    vec![
                        m.text.clone(),
                        value,
                        m.target.clone().unwrap_or_else(|| "None set".into()),
                        judgement(m.on_track),
                    ]
                })
                .collect(),
        }));
    }
    blocks
}

/// The report as a document: the HTML report's sections, in its order and words.
fn document(
    d: &Dashboard,
    chosen: &Chosen,
    plan: &PlanView,
    today: Date,
    created: SystemTime,
    small: SmallNumbers,
) -> Document {
    let no_link = |_: &tandem_core::dashboard::Figure| String::new();
    let mut blocks = vec![
        Block::Title(format!("EHC needs assessments: {}", chosen.title())),
        Block::Paragraph(format!(
            "Board report. Performance for {}, as at {}, from {} cases. Prepared on {}.",
            chosen.describe(),
            dates::long(chosen.as_of),
            thousands(d.headline.cases),
            dates::long(today)
        )),
    ];
    blocks.extend(suppressed_note(small).map(Block::Paragraph));
    blocks.extend(summary_blocks(&tandem_core::headline::summary(d, small)));
    blocks.extend([
        Block::Heading("Headline measures".into()),
        headline(headline_rows(d, chosen, small), &chosen.describe()),
        Block::Heading("Trends over 24 months".into()),
    ]);
    for key in TRENDS {
        let Some(chart) = trend_chart(d, key, &measure_label(key), &no_link, small) else {
            continue;
        };
        blocks.push(Block::Trend(tandem_pdf::TrendChart {
            title: chart.title,
            points: chart
                .points
                .into_iter()
                .map(|p| tandem_pdf::TrendPoint {
                    label: p.label,
                    rate: p.rate,
                    target: p.target,
                })
                .collect(),
        }));
        blocks.push(Block::Paragraph(chart.description));
    }
    blocks.push(Block::Heading("Open assessments".into()));
    blocks.extend(bars(backlog_chart(d, &no_link, small)));
    blocks.push(Block::Heading("Why plans were late".into()));
    blocks.extend(bars(lateness_chart(d, &no_link, small)));
    blocks.push(Block::Heading("Improvement plan progress".into()));
    blocks.extend(plan_blocks(plan, today));
    Document {
        title: format!("Board report: {}", chosen.title()),
        author: "Tandem".into(),
        created,
        blocks,
    }
}
