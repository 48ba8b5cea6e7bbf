//! `GET /data-quality`: the statutory returns' data problems, counted by rule, with what to do
//! and (for those who may list cases) the cases behind each count.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use tandem_app::services::Source;
use tandem_core::dates;

use crate::error::{WebError, html};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

/// One rule's row and the cases behind it.
struct RuleRow {
    id: &'static str,
    title: &'static str,
    basis: &'static str,
    fix: &'static str,
    count: usize,
    cases: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "pages/data-quality.html")]
struct DataQualityPage {
    layout: Layout,
    year: i32,
    census: String,
    checked: usize,
    total: usize,
    named: bool,
    rules: Vec<RuleRow>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let found = state
        .services()
        .data_quality(&user.caller(Source::Form))
        .await?;
    let rules: Vec<RuleRow> = found
        .rules
        .into_iter()
        .map(|r| RuleRow {
            id: r.rule.id(),
            title: r.rule.title(),
            basis: r.rule.basis(),
            fix: r.rule.fix(),
            count: r.count,
            cases: r
                .cases
                .into_iter()
                .map(|(reference, detail)| (reference.to_string(), detail))
                .collect(),
        })
        .collect();
    let page = DataQualityPage {
        layout: Layout::signed_in(&user, "Data quality", "/data-quality"),
        year: found.collection.year,
        census: dates::long(found.collection.census),
        checked: found.checked,
        total: rules.iter().map(|r| r.count).sum(),
        named: found.named,
        rules,
    };
    Ok(html(StatusCode::OK, page.render()?))
}
