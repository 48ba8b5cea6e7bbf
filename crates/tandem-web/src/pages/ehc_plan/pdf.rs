//! An issued EHC plan as PDF (built with the `pdf` feature): the same sections, in the same
//! order and words, as the print view, on A4 pages that each carry the child's name, the case
//! reference and "Page n of m" at their foot, so that no page can be mistaken for another
//! child's. The HTML print view stays the accessible version.

use std::time::SystemTime;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tandem_app::services::PlanVersion;
use tandem_core::{Reference, dates};
use tandem_pdf::{Block, Document};

use super::{issued_version, kind_label, listed_version};
use crate::error::WebError;
use crate::pages::forms::{capitalised, reference};
use crate::session::CurrentUser;
use crate::state::AppState;

/// `GET /cases/{reference}/plan/versions/{number}/pdf`: an issued version for the case staff.
pub(crate) async fn version(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference_text, number)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let (name, version) = listed_version(&state, &user, &reference, &number).await?;
    Ok(download(&name, &reference, &version, state.now().into()))
}

/// `GET /cases/{reference}/plan/issued/pdf`: the latest plan issued, as the family reads it.
pub(crate) async fn issued(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference_text): Path<String>,
) -> Result<Response, WebError> {
    let reference = reference(&reference_text)?;
    let (name, version) = issued_version(&state, &user, &reference)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(download(&name, &reference, &version, state.now().into()))
}

fn download(name: &str, reference: &Reference, version: &PlanVersion, now: SystemTime) -> Response {
    let bytes = tandem_pdf::render(&document(name, reference, version, now));
    // The file name holds the reference, not the child's name, so that a download folder or a
    // browser's history shows no personal details.
    let disposition = format!(
        "attachment; filename=\"ehc-plan-{reference}-v{}.pdf\"",
        version.number
    );
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// The plan laid out for print: its title, when it was issued, then sections A to K.
pub(crate) fn document(
    name: &str,
    reference: &Reference,
    version: &PlanVersion,
    created: SystemTime,
) -> Document {
    let kind = kind_label(version.kind);
    let mut blocks = vec![Block::Title(format!("{kind} for {name}"))];
    let issued = version
        .plan
        .issued_on
        .map_or_else(String::new, |d| format!(" Issued on {}.", dates::long(d)));
    blocks.push(Block::Paragraph(format!("Case {reference}.{issued}")));
    for (section, lines) in version.plan.rendered() {
        blocks.push(Block::Heading(capitalised(&section.describe())));
        if lines.is_empty() {
            blocks.push(Block::Paragraph(
                "Nothing is written in this section.".to_owned(),
            ));
        }
        blocks.extend(lines.into_iter().map(Block::Paragraph));
    }
    Document {
        title: format!("{kind} for {name}, case {reference}"),
        author: "Tandem".to_owned(),
        created,
        blocks,
    }
}
