//! `GET /data-quality`: the statutory returns' data problems, counted by rule, with what to do
//! and (for those who may list cases) the cases behind each count.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use tandem_app::services::Source;
use tandem_core::dates;

use crate::charts::count_shown;
use crate::error::{WebError, html};
use crate::pages::dashboard::{small_numbers, suppressed_note};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

/// One rule's row and the cases behind it.
struct RuleRow {
    id: &'static str,
    title: &'static str,
    basis: &'static str,
    fix: &'static str,
    count: String,
    cases: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "pages/data-quality.html")]
struct DataQualityPage {
    layout: Layout,
    year: i32,
    census: String,
    checked: usize,
    total: String,
    named: bool,
    rules: Vec<RuleRow>,
    /// Why some counts say "fewer than 5", for those who see the counts only.
    suppressed: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let found = state
        .services()
        .data_quality(&user.caller(Source::Form))
        .await?;
    let small = small_numbers(&state, &user);
    let count = |n: usize| count_shown(small, u64::try_from(n).unwrap_or(u64::MAX));
    let total = count(found.rules.iter().map(|r| r.count).sum());
    let rules: Vec<RuleRow> = found
        .rules
        .into_iter()
        .map(|r| RuleRow {
            id: r.rule.id(),
            title: r.rule.title(),
            basis: r.rule.basis(),
            fix: r.rule.fix(),
            count: count(r.count),
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
        total,
        named: found.named,
        rules,
        suppressed: suppressed_note(small),
    };
    Ok(html(StatusCode::OK, page.render()?))
}
