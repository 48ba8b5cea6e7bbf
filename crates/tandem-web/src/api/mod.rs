//! The JSON API under `/api/v1`, for scripts and other systems. It calls the same `tandem-app`
//! services as the pages, so the same permissions hold and the same audit entries are written
//! (with source `api`). Errors are problem details (RFC 9457).
//!
//! The OpenAPI document at `/api/openapi.json` is generated from the handlers' annotations:
//! the router and the document are built from one list of routes, so neither can miss one.

mod cases;
mod documents;
mod events;
mod extract;
mod plans;
mod problem;
mod schemas;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::http::header;
use axum::routing::get;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::session::CurrentUser;
use crate::state::AppState;
use problem::NotSignedIn;
use schemas::SessionBody;

/// The API's routes, and `/api/openapi.json` describing them.
#[expect(clippy::expect_used, reason = "the OpenAPI document serialises")]
pub(crate) fn router() -> Router<AppState> {
    let (router, mut document) = routes().split_for_parts();
    // Over every route, so only once they are all in the document.
    UnreadableRequests.modify(&mut document);
    let document: Arc<str> = serde_json::to_string_pretty(&document)
        .expect("the OpenAPI document serialises")
        .into();
    router.route(
        "/api/openapi.json",
        get(move || async move {
            (
                [(header::CONTENT_TYPE, "application/json")],
                document.to_string(),
            )
        }),
    )
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session))
        .routes(routes!(cases::list, cases::open))
        .routes(routes!(cases::show))
        .routes(routes!(cases::timeline))
        .routes(routes!(events::record))
        .routes(routes!(events::correct))
        .routes(routes!(events::withdraw))
        .routes(routes!(events::assign))
        .routes(routes!(documents::list))
        .routes(routes!(documents::content))
        .routes(routes!(plans::show, plans::save))
        .routes(routes!(plans::issue_draft))
        .routes(routes!(plans::issue_final))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tandem API",
        version = "1",
        description = "EHC needs assessments and plans: cases, their history and their statutory \
            timelines. Sign in with `POST /sign-in` (form fields `email` and `password`) and \
            send the session cookie with every request; send the CSRF token of \
            `GET /api/v1/session` as `X-CSRF-Token` with every change, and the case's `ETag` \
            as `If-Match`. Errors are problem details (RFC 9457).",
        license(name = "AGPL-3.0-or-later"),
    ),
    modifiers(&SecuritySchemes),
    security(("session" = [])),
    tags(
        (name = "cases", description = "Cases, their timelines and who manages them"),
        (name = "documents", description = "The documents of a case: reports, letters, plans"),
        (name = "events", description = "What happened on a case, and corrections"),
        (name = "plans", description = "The EHC plan of a case: saving it, issuing the draft, and signing off the final plan"),
        (name = "session", description = "The signed-in user"),
    )
)]
struct ApiDoc;

/// The session cookie, and the CSRF token every change carries.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-tandem_session",
                "The session cookie set by POST /sign-in (`tandem_session` when the server \
                 runs without secure cookies).",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The session's CSRF token, from GET /api/v1/session.",
            ))),
        );
    }
}

/// What any operation can answer before its handler runs, found by schemathesis (issue 14):
/// 400 when a path or query parameter, a header or the body cannot be read as the document
/// describes it, and 415 when an operation with a body is sent one that is not JSON.
struct UnreadableRequests;

impl Modify for UnreadableRequests {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses.entry("400".into()).or_insert_with(|| {
                    problem(
                        "The request cannot be read: a path or query parameter of the wrong \
                         type, a body that is not JSON, or a header that is not as described",
                    )
                });
                if operation.request_body.is_some() {
                    responses.entry("415".into()).or_insert_with(|| {
                        problem("The body is not JSON (send Content-Type: application/json)")
                    });
                }
            }
        }
    }
}

/// The signed-in user
///
/// Who the session belongs to, and the CSRF token to send as `X-CSRF-Token` with every POST
/// and PUT.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    operation_id = "getSession",
    tag = "session",
    responses(
        (status = 200, description = "The signed-in user", body = SessionBody),
        NotSignedIn,
    )
)]
async fn session(user: CurrentUser) -> Json<SessionBody> {
    Json(SessionBody {
        csrf_token: user.csrf_token(),
        id: user.user.id,
        name: user.user.name,
        role: user.user.role,
        team: user.user.team,
    })
}
