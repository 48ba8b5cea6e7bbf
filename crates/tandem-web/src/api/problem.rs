//! Errors of the JSON API as problem details (RFC 9457), with the members a client needs to put
//! things right: the fields to correct, the case's current version, the cases a new request may
//! duplicate. Details name references and ids only, never a child.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tandem_app::services::{ChildMatch, StoreError};
use tandem_app::services::{FieldError, ServiceError};
use tandem_core::Stage;
use utoipa::ToSchema;

use super::schemas::{etag, nullable_stage_schema};
use crate::error::Rendered;

/// An API error, answered as [`ProblemDetails`]. Boxed: handlers return it in every `Result`.
#[derive(Debug)]
pub(crate) struct Problem(Box<ProblemDetails>);

/// Problem details (RFC 9457) for every error under `/api/`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub(crate) struct ProblemDetails {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    kind: &'static str,
    /// The status's reason phrase.
    #[schema(example = "Unprocessable Entity")]
    title: &'static str,
    #[schema(example = 422)]
    status: u16,
    /// What went wrong, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    /// The fields to correct (422), named as in the request body (`child.given_name`) or the
    /// query (`due_before`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ProblemField>,
    /// The case's current version, when a write was refused because the case changed (412).
    #[serde(skip_serializing_if = "Option::is_none")]
    current_version: Option<i64>,
    /// Cases of a child with the same names and date of birth (409 when opening a case).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matches: Vec<DuplicateMatch>,
}

/// The answer of every API route that needs a session, to a caller without one.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 401,
    description = "Not signed in",
    content_type = "application/problem+json"
)]
#[allow(dead_code, reason = "only documents the response")]
pub(crate) struct NotSignedIn(ProblemDetails);

/// What every versioned write can be refused for before it is read: a body or `If-Match` that
/// cannot be read, or no `If-Match` at all.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code, reason = "only documents the responses")]
pub(crate) enum UnreadableWrite {
    #[response(
        status = 400,
        description = "The body is not JSON, or If-Match is not an entity tag",
        content_type = "application/problem+json"
    )]
    BadRequest(ProblemDetails),
    #[response(
        status = 428,
        description = "No If-Match",
        content_type = "application/problem+json"
    )]
    NoIfMatch(ProblemDetails),
}

/// One field to correct.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProblemField {
    #[schema(example = "date")]
    field: String,
    #[schema(example = "The date must be today or in the past")]
    message: String,
}

/// A case already held for a child with the same names and date of birth.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DuplicateMatch {
    /// Send as `same_child_as` to open the new case for this child.
    child_id: i64,
    #[schema(value_type = String, example = "EHC-2026-0001")]
    reference: tandem_core::Reference,
    #[schema(schema_with = nullable_stage_schema)]
    stage: Option<Stage>,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self(Box::new(ProblemDetails {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: Some(detail.into()),
            errors: Vec::new(),
            current_version: None,
            matches: Vec::new(),
        }))
    }

    /// 422 with the fields to correct.
    pub(crate) fn invalid(errors: Vec<FieldError>) -> Self {
        let mut problem = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Some fields need correcting.",
        );
        problem.0.errors = errors
            .into_iter()
            .map(|e| ProblemField {
                field: e.field,
                message: e.message,
            })
            .collect();
        problem
    }

    /// 422 for one field.
    pub(crate) fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(%detail, "API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong; nothing was saved. Try again later.",
        )
    }
}

impl Problem {
    /// 412: `what` (the case, its plan) was changed by someone else and is now at `current`,
    /// which is also sent as the `ETag` to try again with.
    pub(crate) fn stale(what: &str, current: i64) -> Self {
        let mut problem = Self::new(
            StatusCode::PRECONDITION_FAILED,
            format!(
                "The {what} was changed by someone else and is now at version {current}: read it \
                 again, then send If-Match: \"{current}\"."
            ),
        );
        problem.0.current_version = Some(current);
        problem
    }
}

impl From<ServiceError> for Problem {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound { .. } => Self::new(StatusCode::NOT_FOUND, error.to_string()),
            ServiceError::Forbidden => Self::new(StatusCode::FORBIDDEN, error.to_string()),
            ServiceError::Invalid(errors) => Self::invalid(errors),
            ServiceError::Conflict { current_version } => Self::stale("case", current_version),
            ServiceError::PossibleDuplicate { matches, elsewhere } => {
                Self::duplicate(matches, elsewhere)
            }
            ServiceError::Store(StoreError::EventNotFound { event_id, .. }) => Self::new(
                StatusCode::NOT_FOUND,
                format!("Event {event_id} is not an event of this case."),
            ),
            ServiceError::Store(StoreError::AlreadySuperseded { event_id }) => Self::new(
                StatusCode::CONFLICT,
                format!("Event {event_id} has already been corrected or withdrawn."),
            ),
            ServiceError::Store(other) => Self::internal(&other),
        }
    }
}

impl Problem {
    fn duplicate(matches: Vec<ChildMatch>, elsewhere: bool) -> Self {
        let detail = if elsewhere {
            "A child with these names and date of birth may already have a case, held by \
             another team: ask your team manager or the duty manager before opening a new one. \
             Send the request again with same_child_as (the child_id of a match listed here) or \
             with different_child: true."
        } else {
            "A child with these names and date of birth already has a case. Send the request \
             again with same_child_as (that child's child_id) or with different_child: true."
        };
        let mut problem = Self::new(StatusCode::CONFLICT, detail);
        problem.0.matches = matches
            .into_iter()
            .map(|m| DuplicateMatch {
                child_id: m.child_id,
                reference: m.reference,
                stage: m.stage,
            })
            .collect();
        problem
    }
}

impl IntoResponse for Problem {
    #[expect(clippy::expect_used, reason = "problem details serialise")]
    fn into_response(self) -> Response {
        let details = self.0;
        let status =
            StatusCode::from_u16(details.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&details).expect("problem details serialise");
        let mut response = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            )],
            axum::Extension(Rendered),
            body,
        )
            .into_response();
        if let Some(version) = details.current_version {
            response.headers_mut().insert(header::ETAG, etag(version));
        }
        response
    }
}
