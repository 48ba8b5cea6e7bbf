//! The EHC plan of a case over the API: read with its findings, saved, issued as a draft, and the
//! final plan signed off.
//! The rules of issuing are the services' (who may, blocking findings acknowledged, the family's
//! comment period), so a program meets exactly what the pages do.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tandem_app::services::{
    Acknowledgement, FieldError, ServiceError, SignOff, Source, blocking, finding_key,
};
use tandem_core::plan::{Plan, PlanReport};
use utoipa::ToSchema;

use super::extract::{ApiJson, IfMatch, reference};
use super::problem::{NotSignedIn, Problem, ProblemDetails, UnreadableWrite};
use super::schemas::etag;
use crate::session::CurrentUser;
use crate::state::AppState;

/// A case's working plan and what the checks found.
#[derive(Serialize, ToSchema)]
pub(crate) struct PlanBody {
    /// The latest saved revision (0 before the first save), also sent as `ETag`.
    revision: i64,
    /// The plan, in the JSON shape of `tandem plan check`.
    #[schema(value_type = Object)]
    plan: Plan,
    /// The findings of the checks on the working plan, with score and grade.
    #[schema(value_type = Object)]
    report: PlanReport,
    /// The findings that block issuing it as the final plan today, by the key a sign-off
    /// acknowledges them with (`rule:section:item`).
    to_acknowledge: Vec<String>,
}

/// Read a case's plan
///
/// The working plan, its findings, and the findings a final plan's signer must acknowledge.
/// Those who may write the plan only: the case's case manager or team, team managers and the
/// head of service.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{reference}/plan",
    operation_id = "getPlan",
    tag = "plans",
    params(("reference" = String, Path, description = "The case's reference")),
    responses(
        (status = 200, description = "The plan", body = PlanBody,
            headers(("ETag" = String, description = "The plan's revision"))),
        (status = 403, description = "The caller may see the case but not its plan", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may see", body = ProblemDetails, content_type = "application/problem+json"),
        NotSignedIn,
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(text): Path<String>,
) -> Result<Response, Problem> {
    let reference = reference(&text)?;
    let view = state
        .services()
        .plan(&user.caller(Source::Api), &reference)
        .await?;
    let body = PlanBody {
        revision: view.revision(),
        to_acknowledge: blocking(&view.as_final).map(finding_key).collect(),
        plan: view.plan,
        report: view.report,
    };
    Ok(([(header::ETAG, etag(body.revision))], Json(body)).into_response())
}

/// A save that worked: the new revision and what the checks found in it.
#[derive(Serialize, ToSchema)]
pub(crate) struct SavedBody {
    /// The revision saved, also sent as `ETag`: the next save names it in `If-Match`.
    revision: i64,
    /// The findings of the checks on the plan as saved, with score and grade.
    #[schema(value_type = Object)]
    report: PlanReport,
}

/// Save a case's plan
///
/// Saves the whole plan (the JSON shape of `tandem plan check`) as the next revision of the
/// working plan, based on the revision sent as `If-Match`, and checks it. A save based on an
/// older revision is refused (412) and saves nothing, so nobody's changes are overwritten.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{reference}/plan",
    operation_id = "savePlan",
    tag = "plans",
    params(
        ("reference" = String, Path, description = "The case's reference"),
        ("If-Match" = String, Header, description = "The plan's ETag (its revision; \"0\" before the first save)"),
    ),
    request_body(content = Object, description = "The plan, in the JSON shape of `tandem plan check`"),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Saved and checked", body = SavedBody,
            headers(("ETag" = String, description = "The new revision"))),
        (status = 403, description = "The caller may see the case but not write its plan, or no CSRF token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may see", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "The plan was saved again since that revision", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The plan has a field it should not (such as a section misspelt), or its item ids are missing, repeated or linked to nothing", body = ProblemDetails, content_type = "application/problem+json"),
        UnreadableWrite,
        NotSignedIn,
    )
)]
pub(crate) async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(text): Path<String>,
    IfMatch(revision): IfMatch,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Response, Problem> {
    let reference = reference(&text)?;
    let plan = exact_plan(&body)?;
    let saved = state
        .services()
        .save_plan(&user.caller(Source::Api), &reference, plan, revision)
        .await
        .map_err(plan_problem)?;
    let body = SavedBody {
        revision: saved.revision,
        report: saved.report,
    };
    Ok(([(header::ETAG, etag(body.revision))], Json(body)).into_response())
}

/// The plan in a save's body. `tandem plan check` reads plans with more fields, as its contract
/// allows, but a save refuses them: they would be dropped, and a section sent as `"a"` instead of
/// `"A"` would be lost without a word.
fn exact_plan(body: &serde_json::Value) -> Result<Plan, Problem> {
    let (plan, unknown) = Plan::from_json_naming_unknown(&body.to_string()).map_err(|e| {
        let at = if e.at.is_empty() {
            "body".to_owned()
        } else {
            e.at
        };
        Problem::field(at, e.message)
    })?;
    if unknown.is_empty() {
        return Ok(plan);
    }
    Err(Problem::invalid(
        unknown
            .into_iter()
            .map(|at| {
                FieldError::new(
                    at,
                    "Not a field of a plan: check its spelling (sections are A to K, with H1 and H2)",
                )
            })
            .collect(),
    ))
}

/// Issue the draft plan
///
/// Issues the working plan at the revision sent as `If-Match` as a numbered draft for the
/// family, recording `draft_plan_issued` on the case (dated today). Those who may write the plan.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{reference}/plan/draft",
    operation_id = "issueDraftPlan",
    tag = "plans",
    params(
        ("reference" = String, Path, description = "The case's reference"),
        ("If-Match" = String, Header, description = "The plan's ETag (its revision), such as \"3\""),
    ),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Issued", body = IssuedBody),
        (status = 403, description = "The caller may not write the plan, or no CSRF token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may see", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "The plan was saved again since that revision", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Nothing saved yet, or the final plan already issued", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = ProblemDetails, content_type = "application/problem+json"),
        NotSignedIn,
    )
)]
pub(crate) async fn issue_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(text): Path<String>,
    IfMatch(revision): IfMatch,
) -> Result<Response, Problem> {
    let reference = reference(&text)?;
    let number = state
        .services()
        .issue_draft_plan(&user.caller(Source::Api), &reference, revision)
        .await
        .map_err(plan_problem)?;
    Ok((StatusCode::CREATED, Json(IssuedBody { number })).into_response())
}

/// The If-Match of the plan's routes is the plan's revision, not the case's version.
fn plan_problem(error: ServiceError) -> Problem {
    match error {
        ServiceError::Conflict { current_version } => Problem::stale("plan", current_version),
        other => other.into(),
    }
}

/// A final plan's sign-off.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignOffBody {
    /// One for each finding in `to_acknowledge`, with the reason the plan is issued with it.
    #[serde(default)]
    acknowledgements: Vec<AcknowledgementBody>,
    /// Why the plan is issued before the family's 15 days to comment on the draft have ended.
    #[serde(default)]
    early_reason: Option<String>,
}

/// A blocking finding acknowledged.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AcknowledgementBody {
    /// The finding's key, as `to_acknowledge` gives it.
    finding: String,
    /// Why the plan is issued with it.
    reason: String,
}

/// The version issued.
#[derive(Serialize, ToSchema)]
pub(crate) struct IssuedBody {
    /// Its number among the case's issued versions.
    number: i64,
}

/// Issue the final plan
///
/// Issues the working plan at the revision sent as `If-Match` as the final plan, recording
/// `final_plan_issued` on the case. Only the head of service may; a draft must have been issued,
/// every blocking finding acknowledged with a reason, and a reason given within the family's
/// comment period.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{reference}/plan/final",
    operation_id = "issueFinalPlan",
    tag = "plans",
    params(
        ("reference" = String, Path, description = "The case's reference"),
        ("If-Match" = String, Header, description = "The plan's ETag (its revision), such as \"3\""),
    ),
    request_body = SignOffBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Issued", body = IssuedBody),
        (status = 403, description = "The caller may not sign off the final plan, or no CSRF token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may see", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "The plan was saved again since that revision", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "No draft yet, a blocking finding not acknowledged, or no reason to issue within the comment period", body = ProblemDetails, content_type = "application/problem+json"),
        UnreadableWrite,
        NotSignedIn,
    )
)]
pub(crate) async fn issue_final(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(text): Path<String>,
    IfMatch(revision): IfMatch,
    ApiJson(body): ApiJson<SignOffBody>,
) -> Result<Response, Problem> {
    let reference = reference(&text)?;
    let sign_off = SignOff {
        acknowledgements: body
            .acknowledgements
            .into_iter()
            .map(|a| Acknowledgement {
                finding: a.finding,
                reason: a.reason,
            })
            .collect(),
        early_reason: body.early_reason,
    };
    let number = state
        .services()
        .issue_final_plan(&user.caller(Source::Api), &reference, revision, sign_off)
        .await
        .map_err(plan_problem)?;
    Ok((StatusCode::CREATED, Json(IssuedBody { number })).into_response())
}
