//! Changing a case: recording an event, correcting or withdrawing one, and giving the case to a
//! case manager. Every change carries `If-Match` with the version it was prepared against.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use tandem_app::services::Recorded;
use tandem_app::services::Source;
use tandem_core::{Event, EventError, Reference};

use super::extract::{ApiJson, IfMatch, reference};
use super::problem::{NotSignedIn, Problem, ProblemDetails, UnreadableWrite};
use super::schemas::{AssignmentBody, CorrectionBody, EventBody, WithdrawalBody, Written, etag};
use crate::session::CurrentUser;
use crate::state::AppState;

/// An event from its JSON fields, read by the case file's own reader; a problem names the field.
fn event(fields: &Map<String, Value>) -> Result<Event, Problem> {
    Event::from_fields(fields).map_err(|error| {
        let field = match &error {
            EventError::MissingType | EventError::UnknownType { .. } => "type".to_owned(),
            EventError::Missing { field, .. }
            | EventError::DateForm { field, .. }
            | EventError::NoSuchDay { field, .. }
            | EventError::Value { field, .. } => (*field).to_owned(),
            EventError::NotText { field } => field.clone(),
            EventError::ToBeforeFrom { .. } => "to".to_owned(),
        };
        Problem::field(field, error.to_string())
    })
}

/// The answer to a change: `status`, the new version as `ETag`, and the body.
fn written(status: StatusCode, reference: Reference, recorded: Recorded) -> Response {
    let location = format!("/api/v1/cases/{reference}");
    (
        status,
        [(header::LOCATION, location)],
        [(header::ETAG, etag(recorded.version))],
        Json(Written {
            reference,
            version: recorded.version,
        }),
    )
        .into_response()
}

/// Record an event
///
/// Adds what happened to the case's history. The body is one event in the case-file shape.
/// Dates must be today or earlier (a planned phase transfer excepted) and not before the
/// request.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{reference}/events",
    operation_id = "recordEvent",
    tag = "events",
    params(
        ("reference" = String, Path, description = "The case's reference"),
        ("If-Match" = String, Header, description = "The case's ETag, such as \"3\""),
    ),
    request_body = EventBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Recorded", body = Written,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "The caller may see the case but not change it, or no CSRF token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may see", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since that version; `current_version` says which it is now", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Fields to correct", body = ProblemDetails, content_type = "application/problem+json"),
        UnreadableWrite,
        NotSignedIn,
    )
)]
pub(crate) async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(text): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(fields): ApiJson<Map<String, Value>>,
) -> Result<Response, Problem> {
    let reference = reference(&text)?;
    let event = event(&fields)?;
    let recorded = state
        .services()
        .record_event(&user.caller(Source::Api), &reference, version, &event)
        .await?;
    Ok(written(StatusCode::CREATED, reference, recorded))
}

/// Correct an event
///
/// Replaces a recorded event by a corrected one, saying why. Both stay in the history.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{reference}/events/{id}/correction",
    operation_id = "correctEvent",
    tag = "events",
    params(
        ("reference" = String, Path, description = "The case's reference"),
        ("id" = i64, Path, description = "The id of the event to correct"),
        ("If-Match" = String, Header, description = "The case's ETag, such as \"3\""),
    ),
    request_body = CorrectionBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Corrected", body = Written,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "The caller may see the case but not change it, or no CSRF token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such case or event", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The event was already corrected or withdrawn", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since that version", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Fields to correct", body = ProblemDetails, content_type = "application/problem+json"),
        UnreadableWrite,
        NotSignedIn,
    )
)]
pub(crate) async fn correct(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((text, id)): Path<(String, i64)>,
    IfMatch(version): IfMatch,
    ApiJson(mut fields): ApiJson<Map<String, Value>>,
) -> Result<Response, Problem> {
    let reference = reference(&text)?;
    let reason = match fields.remove("reason") {
        Some(Value::String(reason)) => reason,
        None | Some(Value::Null) => String::new(),
        Some(_) => return Err(Problem::field("reason", "Enter the reason as text")),
    };
    let event = event(&fields)?;
    let recorded = state
        .services()
        .correct_event(
            &user.caller(Source::Api),
            &reference,
            version,
            id,
            &event,
            &reason,
        )
        .await?;
    Ok(written(StatusCode::CREATED, reference, recorded))
}

/// Withdraw an event
///
/// Says a recorded event should not have been recorded, and why. It stays in the history but
/// no longer counts.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{reference}/events/{id}/withdrawal",
    operation_id = "withdrawEvent",
    tag = "events",
    params(
        ("reference" = String, Path, description = "The case's reference"),
        ("id" = i64, Path, description = "The id of the event to withdraw"),
        ("If-Match" = String, Header, description = "The case's ETag, such as \"3\""),
    ),
    request_body = WithdrawalBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Withdrawn", body = Written,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "The caller may see the case but not change it, or no CSRF token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such case or event", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The event was already corrected or withdrawn", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since that version", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = ProblemDetails, content_type = "application/problem+json"),
        UnreadableWrite,
        NotSignedIn,
    )
)]
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((text, id)): Path<(String, i64)>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<WithdrawalBody>,
) -> Result<Response, Problem> {
    let reference = reference(&text)?;
    let recorded = state
        .services()
        .withdraw_event(
            &user.caller(Source::Api),
            &reference,
            version,
            id,
            &body.reason,
        )
        .await?;
    Ok(written(StatusCode::CREATED, reference, recorded))
}

/// Give a case to a case manager
///
/// Sets who manages the case (and so which team it belongs to), or leaves it unassigned with
/// null. Team managers and the head of service may do this.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{reference}/case-manager",
    operation_id = "assignCase",
    tag = "cases",
    params(
        ("reference" = String, Path, description = "The case's reference"),
        ("If-Match" = String, Header, description = "The case's ETag, such as \"3\""),
    ),
    request_body = AssignmentBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Assigned", body = Written,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 403, description = "The caller may see the case but not assign it, or no CSRF token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may see", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since that version", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not an active case manager or team manager", body = ProblemDetails, content_type = "application/problem+json"),
        UnreadableWrite,
        NotSignedIn,
    )
)]
pub(crate) async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(text): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<AssignmentBody>,
) -> Result<Response, Problem> {
    let reference = reference(&text)?;
    let recorded = state
        .services()
        .assign_case(
            &user.caller(Source::Api),
            &reference,
            version,
            body.case_manager,
            None,
        )
        .await?;
    Ok(written(StatusCode::OK, reference, recorded))
}
