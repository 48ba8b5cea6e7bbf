//! A case's documents over the API: the list the caller may see, and each one's content. The
//! same service as the pages decides who sees what (staff every document, a professional their
//! own service's, the family those shared with them), and audits each list and download.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_app::services::Source;
use utoipa::ToSchema;

use super::extract::reference;
use super::problem::{NotSignedIn, Problem, ProblemDetails};
use crate::pages::documents::download_response;
use crate::session::CurrentUser;
use crate::state::AppState;

/// One document of a case.
#[derive(Serialize, ToSchema)]
pub(crate) struct DocumentBody {
    /// Its id, for its content at `href`.
    id: i64,
    /// What kind of document it is.
    #[schema(example = "advice_report")]
    kind: &'static str,
    /// Its title.
    title: String,
    /// The name of the file uploaded.
    file_name: String,
    /// Its type, found from its content when it was added.
    #[schema(example = "application/pdf")]
    media_type: &'static str,
    /// Its size in bytes.
    size: u64,
    /// The SHA-256 digest of its content, in hex.
    sha256: String,
    /// Who added it.
    added_by: String,
    /// When.
    added_at: DateTime<Utc>,
    /// When it was withdrawn, if it was (staff only see withdrawn documents).
    withdrawn_at: Option<DateTime<Utc>>,
    /// Whether the family may see it.
    shared_with_family: bool,
    /// Where its content is, when the caller may download it.
    href: Option<String>,
}

/// The documents of a case the caller may see.
#[derive(Serialize, ToSchema)]
pub(crate) struct DocumentsBody {
    /// Oldest first.
    documents: Vec<DocumentBody>,
}

/// List a case's documents
///
/// The documents of the case the caller may see, oldest first: staff who see the case see every
/// one (withdrawn ones too), a professional their own service's, the family those shared with
/// them.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{reference}/documents",
    operation_id = "listDocuments",
    tag = "documents",
    params(("reference" = String, Path, description = "The case's reference")),
    responses(
        (status = 200, description = "The documents", body = DocumentsBody),
        (status = 404, description = "No such case, or not one the caller may see", body = ProblemDetails, content_type = "application/problem+json"),
        NotSignedIn,
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(text): Path<String>,
) -> Result<Json<DocumentsBody>, Problem> {
    let reference = reference(&text)?;
    let listed = state
        .services()
        .documents(&user.caller(Source::Api), &reference)
        .await?;
    let documents = listed
        .documents
        .into_iter()
        .map(|listed| {
            let d = listed.document;
            DocumentBody {
                href: listed
                    .downloadable
                    .then(|| format!("/api/v1/cases/{reference}/documents/{}", d.id)),
                id: d.id,
                kind: d.kind.as_str(),
                title: d.title,
                file_name: d.file_name,
                media_type: d.media_type.as_str(),
                size: d.size,
                sha256: d.sha256,
                added_by: d.added_by_name,
                added_at: d.added_at,
                withdrawn_at: d.withdrawn.map(|w| w.at),
                shared_with_family: d.shared_with_family,
            }
        })
        .collect();
    Ok(Json(DocumentsBody { documents }))
}

/// Download a document
///
/// The document's content, as an attachment of its type. A document the caller may not
/// download, one of another case and one that does not exist are all 404.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{reference}/documents/{id}",
    operation_id = "getDocument",
    tag = "documents",
    params(
        ("reference" = String, Path, description = "The case's reference"),
        ("id" = i64, Path, description = "The document's id"),
    ),
    responses(
        (status = 200, description = "The document's content", content_type = "application/octet-stream"),
        (status = 404, description = "No such document, or not one the caller may download", body = ProblemDetails, content_type = "application/problem+json"),
        NotSignedIn,
    )
)]
pub(crate) async fn content(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((text, id)): Path<(String, i64)>,
) -> Result<Response, Problem> {
    let reference = reference(&text)?;
    let (document, content) = state
        .services()
        .document_content(&user.caller(Source::Api), &reference, id)
        .await?;
    Ok(download_response(&document, content))
}
