//! Reading cases and opening them: the case list, a case, its timeline, and new requests.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use tandem_app::services::Source;
use tandem_app::services::{CaseFilter, Page, StatusFilter};
use tandem_app::services::{FieldError, NewRequest, ServiceError};
use tandem_core::{Child, Date, Reference, Stage, dates};
use utoipa::IntoParams;

use super::extract::{ApiJson, reference};
use super::problem::{NotSignedIn, Problem, ProblemDetails};
use super::schemas::{
    CaseDetail, CaseList, CaseListItem, NewChild, OpenCaseBody, TimelineBody, Written, etag,
};
use crate::session::CurrentUser;
use crate::state::AppState;

/// Rows per page unless `per_page` says otherwise, and the most it may ask for.
const PER_PAGE: i64 = 50;
const MAX_PER_PAGE: i64 = 200;

/// The case list's filters. Each is optional; together they narrow the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Stages, comma-separated: cases at any of them.
    #[param(example = "awaiting_decision,assessing")]
    stage: Option<String>,
    /// The next duty's status today: `overdue`, `pending` or `nothing_due`.
    status: Option<String>,
    /// Cases whose next duty falls due before this date (YYYY-MM-DD).
    #[param(format = "date")]
    due_before: Option<String>,
    /// Cases of this case manager (user id).
    case_manager: Option<String>,
    /// Cases of this team.
    team: Option<String>,
    /// Page number, from 1.
    page: Option<String>,
    /// Cases per page, 1 to 200 (50 when not given).
    per_page: Option<String>,
}

impl ListQuery {
    /// The filter and page asked for, or every field that cannot be read.
    fn read(&self, today: Date) -> Result<(CaseFilter, i64, i64), Problem> {
        let mut errors = Vec::new();
        let mut filter = CaseFilter::as_of(today);
        if let Some(stages) = given(&self.stage) {
            for name in stages.split(',').map(str::trim) {
                match Stage::parse(name) {
                    Some(stage) => filter.stages.push(stage),
                    None => errors.push(FieldError::new(
                        "stage",
                        format!("Unknown stage {name:?}: use {}", Stage::NAMES.join(", ")),
                    )),
                }
            }
        }
        if let Some(status) = given(&self.status) {
            filter.status = match status {
                "overdue" => Some(StatusFilter::Overdue),
                "pending" => Some(StatusFilter::Pending),
                "nothing_due" => Some(StatusFilter::NothingDue),
                _ => {
                    errors.push(FieldError::new(
                        "status",
                        "Use overdue, pending or nothing_due",
                    ));
                    None
                }
            };
        }
        if let Some(text) = given(&self.due_before) {
            filter.due_before = parse_date(text, "due_before", &mut errors);
        }
        if let Some(text) = given(&self.case_manager) {
            filter.case_manager = number(text, "case_manager", 1, i64::MAX, &mut errors);
        }
        filter.team = given(&self.team).map(str::to_owned);
        let page = given(&self.page).map_or(Some(1), |text| {
            number(text, "page", 1, i64::MAX / MAX_PER_PAGE, &mut errors)
        });
        let per_page = given(&self.per_page).map_or(Some(PER_PAGE), |text| {
            number(text, "per_page", 1, MAX_PER_PAGE, &mut errors)
        });
        match (page, per_page) {
            (Some(page), Some(per_page)) if errors.is_empty() => Ok((filter, page, per_page)),
            _ => Err(Problem::invalid(errors)),
        }
    }
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn number(
    text: &str,
    field: &str,
    min: i64,
    max: i64,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    match text.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(
                field,
                format!("Enter a whole number from {min} to {max}"),
            ));
            None
        }
    }
}

fn parse_date(text: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    match dates::parse_iso(text) {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "Enter a real date in the form YYYY-MM-DD",
            ));
            None
        }
    }
}

/// List cases
///
/// The cases the caller works on or oversees, soonest duty first. A case manager gets their
/// own and their team's cases whatever the filters say. Roles that do not work with named
/// cases (analysts, administrators, professionals, parents) are refused.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    operation_id = "listCases",
    tag = "cases",
    params(ListQuery),
    responses(
        (status = 200, description = "One page of cases", body = CaseList),
        (status = 403, description = "The role may not list cases", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A filter cannot be read", body = ProblemDetails, content_type = "application/problem+json"),
        NotSignedIn,
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<CaseList>, Problem> {
    let today = state.today();
    let (filter, page, per_page) = query.read(today)?;
    let found = state
        .services()
        .list_cases(
            &user.caller(Source::Api),
            &filter,
            Page::number(page, per_page),
        )
        .await?;
    Ok(Json(CaseList {
        cases: found
            .cases
            .into_iter()
            .map(|summary| CaseListItem::new(summary, today))
            .collect(),
        total: found.total,
        page,
        per_page,
    }))
}

/// Open a case
///
/// Records a new request for an EHC needs assessment. When a child with the same names and
/// date of birth already has a case, the answer is 409 with those cases: send the request again
/// with `same_child_as` or `different_child`.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    operation_id = "openCase",
    tag = "cases",
    request_body = OpenCaseBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "The case was opened", body = Written,
            headers(("Location" = String, description = "The case's address"),
                    ("ETag" = String, description = "The case's version"))),
        (status = 403, description = "The role may not open cases, or no CSRF token", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Possibly a child who already has a case", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Fields to correct", body = ProblemDetails, content_type = "application/problem+json"),
        NotSignedIn,
    )
)]
pub(crate) async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<OpenCaseBody>,
) -> Result<Response, Problem> {
    let request = new_request(body)?;
    let opened = state
        .services()
        .open_case(&user.caller(Source::Api), &request)
        .await
        .map_err(child_fields)?;
    let location = format!("/api/v1/cases/{}", opened.reference);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        [(header::ETAG, etag(opened.version))],
        Json(Written {
            reference: opened.reference,
            version: opened.version,
        }),
    )
        .into_response())
}

/// The service's request from the body, or every field whose text cannot be read. Missing
/// names and dates are left for the service to report with the rest of its checks.
fn new_request(body: OpenCaseBody) -> Result<NewRequest, Problem> {
    let mut errors = Vec::new();
    let reference = match given(&body.reference).map(Reference::parse) {
        Some(Ok(reference)) => Some(reference),
        Some(Err(_)) => {
            errors.push(FieldError::new(
                "reference",
                "Enter a reference of 1 to 64 letters, digits, '-', '_' or '.', starting with \
                 a letter or digit",
            ));
            None
        }
        None => {
            errors.push(FieldError::new("reference", "Enter the case's reference"));
            None
        }
    };
    let received = match given(&body.received) {
        Some(text) => parse_date(text, "received", &mut errors),
        None => {
            errors.push(FieldError::new(
                "received",
                "Enter the date the request was received",
            ));
            None
        }
    };
    let NewChild {
        given_name,
        family_name,
        date_of_birth,
    } = body.child;
    let date_of_birth =
        given(&date_of_birth).and_then(|text| parse_date(text, "child.date_of_birth", &mut errors));
    let (Some(reference), Some(received), true) = (reference, received, errors.is_empty()) else {
        return Err(Problem::invalid(errors));
    };
    let mut names = Map::new();
    for (key, value) in [("given_name", given_name), ("family_name", family_name)] {
        if let Some(name) = given(&value) {
            names.insert(key.to_owned(), Value::String(name.to_owned()));
        }
    }
    Ok(NewRequest {
        reference: Some(reference),
        requested_by: None,
        child: Child {
            date_of_birth,
            other: names,
        },
        received,
        case_manager: body.case_manager,
        same_child_as: body.same_child_as,
        different_child: body.different_child,
    })
}

/// The service names the child's fields on their own; the body has them under `child`.
fn child_fields(error: ServiceError) -> ServiceError {
    match error {
        ServiceError::Invalid(errors) => ServiceError::Invalid(
            errors
                .into_iter()
                .map(|mut e| {
                    if matches!(
                        e.field.as_str(),
                        "given_name" | "family_name" | "date_of_birth"
                    ) {
                        e.field = format!("child.{}", e.field);
                    }
                    e
                })
                .collect(),
        ),
        other => other,
    }
}

/// Read a case
///
/// The child, every row of the case's history with who recorded it, when and through which
/// door, and what the reader may do. The `ETag` is the case's version: send it as `If-Match`
/// with the next change. A case the caller may not see is answered as not found.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{reference}",
    operation_id = "getCase",
    tag = "cases",
    params(("reference" = String, Path, description = "The case's reference", example = "EHC-2026-0001")),
    responses(
        (status = 200, description = "The case", body = CaseDetail,
            headers(("ETag" = String, description = "The case's version, quoted"))),
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
        .view_case(&user.caller(Source::Api), &reference, None)
        .await?;
    let version = view.case.record.version;
    Ok((
        [(header::ETAG, etag(version))],
        Json(CaseDetail::from(view)),
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TimelineQuery {
    /// The date to compute the timeline as at (YYYY-MM-DD); today in England when not given.
    #[param(format = "date")]
    as_of: Option<String>,
}

/// A case's timeline
///
/// Every statutory milestone with its due date, status and rule, and the warnings: exactly
/// what `tandem timeline --as-of DATE` prints for the case's file.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{reference}/timeline",
    operation_id = "getTimeline",
    tag = "cases",
    params(
        ("reference" = String, Path, description = "The case's reference", example = "EHC-2026-0001"),
        TimelineQuery,
    ),
    responses(
        (status = 200, description = "The timeline", body = TimelineBody),
        (status = 404, description = "No such case, or not one the caller may see", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`as_of` is not a date", body = ProblemDetails, content_type = "application/problem+json"),
        NotSignedIn,
    )
)]
pub(crate) async fn timeline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(text): Path<String>,
    Query(query): Query<TimelineQuery>,
) -> Result<Json<TimelineBody>, Problem> {
    let reference = reference(&text)?;
    let mut errors = Vec::new();
    let as_of = given(&query.as_of).and_then(|text| parse_date(text, "as_of", &mut errors));
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let view = state
        .services()
        .view_case(&user.caller(Source::Api), &reference, as_of)
        .await?;
    Ok(Json(TimelineBody(view.timeline)))
}
