//! The monthly board report (`GET /report`): the headline measures against their targets, the
//! main trends, the backlog, the reasons for lateness and the improvement plan's progress, on
//! one page whose print stylesheet (in `assets/tandem.css`) leaves out navigation and forms.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use tandem_app::services::Source;
use tandem_core::dates;
use tandem_core::headline::{Summary, summary};
use tandem_core::metrics::FINAL_PLANS_EXCL;

use crate::Html;
use crate::charts::thousands;
use crate::error::{WebError, html};
use crate::pages::dashboard::{self, HeadlineRow, Table, headline_rows};
use crate::pages::downloads::workbook_link;
use crate::pages::layout::Layout;
use crate::pages::period::PeriodForm;
use crate::pages::plan::{self, PlanView};
use crate::pages::surveys::{self, SurveyLine};
use crate::session::CurrentUser;
use crate::state::AppState;

#[cfg(feature = "pdf")]
pub(crate) mod pdf;

/// The trends a board sees: plans on time, decisions and advice.
const TRENDS: [&str; 3] = [
    FINAL_PLANS_EXCL,
    "decisions_to_assess_within_6_weeks",
    "advice_within_6_weeks.all",
];

#[derive(Template)]
#[template(path = "pages/report.html")]
struct ReportPage {
    layout: Layout,
    /// What improved, what worsened and where, in sentences.
    summary: Summary,
    title: String,
    period: String,
    as_at: String,
    today: String,
    cases: String,
    query: String,
    workbook: String,
    /// The PDF copy's address, when Tandem was built with the `pdf` feature.
    pdf: Option<String>,
    headline: Vec<HeadlineRow>,
    headline_span: String,
    trends: Vec<Html>,
    backlog: Html,
    lateness: Html,
    plan: PlanView,
    measures_caption: &'static str,
    /// What families and partners said in surveys.
    surveys: Vec<SurveyLine>,
    /// Why some counts say "fewer than 5", when they may.
    suppressed: Option<String>,
    /// Supervision, training, caseloads and turnover (issue 17 item 2).
    workforce: Option<Html>,
}

/// `GET /report`: the board report for the period (by default the last complete month).
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(form): Query<PeriodForm>,
) -> Result<Response, WebError> {
    let (chosen, today, d) = dashboard::read_linked(&state, &user, &form).await?;
    let kept = plan::kept(&state, &user).await?;
    let small = dashboard::small_numbers(&state, &user);
    let said = state
        .services()
        .survey_results(&user.caller(Source::Form))
        .await?;
    let chart = |table: Table| -> Result<Html, WebError> {
        table
            .chart(&d, &chosen, small)?
            .ok_or_else(|| WebError::internal("report", format!("no chart for {}", table.name())))
    };
    let page = ReportPage {
        summary: summary(&d, small),
        layout: Layout::signed_in(
            &user,
            format!("Board report: {}", chosen.title()),
            "/dashboard",
        ),
        title: chosen.title(),
        period: chosen.describe(),
        as_at: dates::long(chosen.as_of),
        today: dates::long(today),
        cases: thousands(d.headline.cases),
        suppressed: dashboard::suppressed_note(small),
        query: chosen.query(),
        workbook: workbook_link(&chosen),
        pdf: cfg!(feature = "pdf").then(|| format!("/report.pdf?{}", chosen.query())),
        headline: headline_rows(&d, &chosen, small),
        headline_span: chosen.describe(),
        trends: TRENDS
            .iter()
            .map(|key| chart(Table::Trend(key)))
            .collect::<Result<_, _>>()?,
        backlog: chart(Table::Backlog)?,
        lateness: chart(Table::Lateness)?,
        plan: PlanView::new(&kept.plan, &d, &chosen, today, small),
        measures_caption: "How we will know: the plan's measures against their targets",
        workforce: crate::pages::workforce::report_section(&state, &user, small).await?,
        // Survey counts are left out below the threshold for every reader (see docs/surveys.md).
        surveys: surveys::report_lines(&said, state.config().reporting.small_numbers),
    };
    Ok(html(StatusCode::OK, page.render()?))
}
