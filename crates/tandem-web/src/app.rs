//! The router with its middleware, and the server.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tandem_app::accounts;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::csrf::{CsrfLayer, ProtectionError};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::api;
use crate::assets;
use crate::error::{WebError, error_pages};
use crate::pages::{
    accessibility, account, admin, advice, case, case_forms, caseload, dashboard, data_quality,
    documents, downloads, ehc_plan, feedback, invitations, messages, new_request, panels, plan,
    plan_action, plan_audits, plan_comments, providers, report, return_details, sign_in,
    single_sign_on, surveys, teams, two_factor,
};
use crate::security::{require_csrf_token, security_headers};
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route of the web application, with its middleware.
pub fn router(state: AppState) -> Router {
    let config = state.config().clone();
    let routes = Router::new()
        .route("/", get(sign_in::start))
        .route("/sign-in", get(sign_in::show).post(sign_in::submit))
        .route("/sign-in/oidc", post(single_sign_on::start))
        .route(
            crate::single_sign_on::CALLBACK_PATH,
            get(single_sign_on::callback),
        )
        .route(
            two_factor::CODE_PATH,
            get(two_factor::show_code).post(two_factor::submit_code),
        )
        .route(
            two_factor::RECOVERY_PATH,
            get(two_factor::show_recovery).post(two_factor::submit_recovery),
        )
        .route(
            two_factor::SET_UP_PATH,
            get(two_factor::show_set_up).post(two_factor::submit_set_up),
        )
        .route("/sign-out", post(sign_in::sign_out))
        .route("/health", get(sign_in::health))
        .route("/accessibility", get(accessibility::show))
        .route("/assets/{file}", get(assets::serve))
        .route("/admin/users", get(admin::list))
        .route("/admin/notifications", get(admin::notifications))
        .route(providers::LIST, get(providers::list).post(providers::add))
        .route("/admin/providers/{id}", get(providers::show))
        .route("/admin/providers/{id}/rename", post(providers::rename))
        .route("/admin/providers/{id}/retire", post(providers::retire))
        .route(
            "/admin/providers/{id}/reinstate",
            post(providers::reinstate),
        )
        .route(panels::LIST, get(panels::list).post(panels::add))
        .route("/panels/{id}", get(panels::show))
        .route("/panels/{id}/members", post(panels::add_member))
        .route(
            "/panels/{id}/members/{user}/remove",
            post(panels::remove_member),
        )
        .route("/panels/{id}/meetings", post(panels::add_meeting))
        .route("/panels/meetings/{id}", get(panels::meeting))
        .route("/panels/meetings/{id}/minutes", post(panels::save_minutes))
        .route(
            "/panels/meetings/{id}/cases/{reference}",
            get(panels::decision_form).post(panels::record_decision),
        )
        .route("/admin/users/new", get(admin::new_form).post(admin::create))
        .route("/admin/teams", get(teams::show).post(teams::add))
        .route("/admin/teams/remove", post(teams::remove))
        .route(
            "/invitations/new",
            get(admin::invite_form).post(admin::invite),
        )
        .route(
            "/invitations/{token}",
            get(invitations::show).post(invitations::accept),
        )
        .route(
            "/password-reset",
            get(invitations::reset_request_form).post(invitations::request_reset),
        )
        .route(
            "/password-reset/{token}",
            get(invitations::show_reset).post(invitations::reset),
        )
        .route(
            "/feedback/{token}",
            get(feedback::show).post(feedback::answer),
        )
        .route("/admin/users/{id}", get(admin::show))
        .route("/admin/users/{id}/role", post(admin::change_role))
        .route("/admin/users/{id}/disable", post(admin::disable))
        .route("/admin/users/{id}/enable", post(admin::enable))
        .route(
            "/admin/users/{id}/sign-out-everywhere",
            post(admin::sign_out_everywhere),
        )
        .route(
            "/admin/users/{id}/lift-sign-in-lock",
            post(admin::lift_sign_in_lock),
        )
        .route("/admin/users/{id}/reinvite", post(admin::reinvite))
        .route("/admin/users/{id}/details", post(admin::change_details))
        .route(
            "/admin/users/{id}/withdraw-invitation",
            post(admin::withdraw_invitation),
        )
        .route(
            "/admin/users/{id}/reset-two-factor",
            post(admin::reset_two_factor),
        )
        .route("/account", get(account::show))
        .route("/account/two-factor", post(account::set_up_two_factor))
        .route("/advice", get(advice::tray))
        .route(
            "/advice/{reference}/{request}",
            get(advice::form).post(advice::save),
        )
        .route("/duty", get(messages::duty))
        .route(
            "/cases/{reference}/messages/new",
            get(messages::new_message).post(messages::send),
        )
        .route(
            "/cases/{reference}/messages/{id}/reply",
            get(messages::reply_form).post(messages::reply),
        )
        .route(
            "/cases/{reference}/contacts/new",
            get(messages::new_contact).post(messages::record_contact),
        )
        .route("/cases", get(caseload::list))
        .route("/cases/reassign", post(caseload::reassign))
        .route("/cases/{reference}", get(case::show))
        .route("/cases/{reference}/assign", post(case::assign))
        .route(
            "/cases/{reference}/child",
            get(return_details::form).post(return_details::save),
        )
        .route("/team", get(caseload::team))
        .route("/backlog", get(caseload::backlog))
        .route("/cases/new", get(new_request::form).post(new_request::open))
        .route(
            "/cases/{reference}/events/new",
            get(case_forms::new_event).post(case_forms::record),
        )
        .route(
            "/cases/{reference}/events/{event_id}/correct",
            get(case_forms::correct_form).post(case_forms::correct),
        )
        .route(
            "/cases/{reference}/events/{event_id}/withdraw",
            get(case_forms::withdraw_form).post(case_forms::withdraw),
        )
        .route(
            "/cases/{reference}/advice-requests/new",
            get(case_forms::new_advice_requests).post(case_forms::request_advice),
        )
        .route(
            "/cases/{reference}/exceptions/new",
            get(case_forms::new_exception).post(case_forms::exception),
        )
        .route(
            "/cases/{reference}/documents/{id}",
            get(documents::download),
        )
        .route(
            "/cases/{reference}/documents/{id}/withdraw",
            get(documents::withdraw_form).post(documents::withdraw),
        )
        .route("/cases/{reference}/plan", get(ehc_plan::overview))
        .route("/cases/{reference}/plan/advice", post(ehc_plan::add_advice))
        .route(
            "/cases/{reference}/plan/issue-draft",
            post(ehc_plan::issue_draft),
        )
        .route(
            "/cases/{reference}/plan/ask-sign-off",
            post(ehc_plan::ask_sign_off),
        )
        .route(
            "/cases/{reference}/plan/issue-final",
            get(ehc_plan::final_form).post(ehc_plan::issue_final),
        )
        .route("/cases/{reference}/plan/issued", get(ehc_plan::issued))
        .route(
            "/cases/{reference}/plan/comments",
            get(plan_comments::form).post(plan_comments::submit),
        )
        .route(
            "/cases/{reference}/plan/compare",
            get(ehc_plan::compare_versions),
        )
        .route(
            "/cases/{reference}/plan/versions/{number}",
            get(ehc_plan::version),
        )
        .route(
            "/cases/{reference}/plan/{section}",
            get(ehc_plan::section_form).post(ehc_plan::save_section),
        )
        .merge(api::router())
        .route("/dashboard", get(dashboard::show))
        .route("/data-quality", get(data_quality::show))
        .route("/dashboard/cases", get(dashboard::cases))
        .route("/dashboard/health", get(dashboard::health))
        .route("/dashboard/tables/{file}", get(downloads::table))
        .route(
            "/audits",
            get(plan_audits::overview).post(plan_audits::draw),
        )
        .route("/audits/report", get(plan_audits::report))
        .route("/audits/examples", get(plan_audits::examples))
        .route("/audits/{round}", get(plan_audits::round))
        .route(
            "/audits/{round}/plans/{id}",
            get(plan_audits::plan).post(plan_audits::score),
        )
        .route(
            "/audits/{round}/plans/{id}/assign",
            post(plan_audits::assign),
        )
        .route(
            "/audits/{round}/plans/{id}/unassign",
            post(plan_audits::unassign),
        )
        .route(
            "/audits/{round}/plans/{id}/moderate",
            post(plan_audits::moderate),
        )
        .route(
            "/audits/{round}/plans/{id}/example",
            post(plan_audits::mark_example),
        )
        .route("/plan", get(plan::show))
        .route(
            "/plan/actions/new",
            get(plan_action::new_action).post(plan_action::add),
        )
        .route(
            "/plan/actions/{id}",
            get(plan_action::show).post(plan_action::update),
        )
        .route("/surveys", get(surveys::show))
        .route("/surveys/new", get(surveys::new_form).post(surveys::create))
        .route("/surveys/{id}/send", post(surveys::send))
        .route(
            "/surveys/{id}/you-said-we-did",
            get(surveys::you_said_form).post(surveys::record_you_said),
        )
        .route("/report", get(report::show))
        .merge(crate::pages::workforce::routes());
    #[cfg(feature = "pdf")]
    let routes = routes
        .route("/report.pdf", get(report::pdf::download))
        .route(
            "/cases/{reference}/plan/versions/{number}/pdf",
            get(ehc_plan::pdf::version),
        )
        .route(
            "/cases/{reference}/plan/issued/pdf",
            get(ehc_plan::pdf::issued),
        );
    // Every route accepts bodies up to the body limit, but for the document upload, which takes
    // a document of the configured size and a megabyte more for its other fields.
    let upload_limit = config.document_max_bytes.saturating_add(1024 * 1024);
    let routes = routes
        .route_layer(RequestBodyLimitLayer::new(config.body_limit))
        .route(
            "/cases/{reference}/documents/new",
            // axum's own limit, which the multipart reader answers with 413.
            get(documents::new_form)
                .post(documents::upload)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .fallback(|| async { WebError::NotFound });

    // Outermost first: each request gets an id, is traced, gets security headers on whatever
    // comes back, is compressed (all but pages), gets an error page for any error status, and only then meets
    // the time limit and the two CSRF checks (the token check reads form bodies up to the size
    // limit itself); the size limits are on the routes, above.
    let middleware = ServiceBuilder::new()
        .map_request(drop_malformed_request_id)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(from_fn_with_state(state.clone(), security_headers))
        .layer(CompressionLayer::new().compress_when(
            // Pages carry the CSRF token next to text the request put there (a `next` address,
            // a typed email): compressing them would open them to BREACH-style guessing.
            DefaultPredicate::new().and(NotForContentType::const_new("text/html")),
        ))
        .layer(from_fn_with_state(state.clone(), error_pages))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(CsrfLayer::new().with_rejection_response(cross_site_refused))
        .layer(from_fn_with_state(state.clone(), require_csrf_token));
    routes.layer(middleware).with_state(state)
}

/// Keeps a caller's `X-Request-Id` (a proxy's, to follow a request across servers) only when
/// it is a plain token: up to 64 letters, digits, `-`, `_` or `.`. Anything else is dropped, and
/// a fresh id made in its place, so that nobody can write their own text into the logs.
fn drop_malformed_request_id(mut request: Request<Body>) -> Request<Body> {
    let well_formed = request.headers().get(REQUEST_ID).is_none_or(|id| {
        let id = id.as_bytes();
        (1..=64).contains(&id.len())
            && id
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    });
    if !well_formed {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

/// The span every request's log lines belong to: its id, method and path. Never the query
/// string, which may carry search terms about a child, nor an invitation link's token, which
/// would let anyone reading the log set the invited person's password (a password reset
/// link's likewise), nor a survey link's
/// token, which would let them answer in the family's place.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let path = request.uri().path();
    let path = match path.strip_prefix("/invitations/") {
        Some(token) if token != "new" => "/invitations/{token}",
        _ if path.starts_with("/feedback/") => "/feedback/{token}",
        _ if path.starts_with("/password-reset/") => "/password-reset/{token}",
        _ => path,
    };
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %path,
    )
}

fn cross_site_refused(error: ProtectionError) -> Response<Body> {
    tracing::info!(?error, "refused a cross-site state-changing request");
    StatusCode::FORBIDDEN.into_response()
}

/// Serves the application on `addr` until Ctrl-C (or SIGTERM on Unix), then lets requests in
/// flight finish. Meanwhile deletes ended sessions and old sign-in attempts every hour.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    serve_on(state, tokio::net::TcpListener::bind(addr).await?).await
}

/// [`serve`] on a listener already bound (port 0 picks a free port; `local_addr` tells which).
///
/// Connections are served by hyper directly rather than by `axum::serve`, which installs no
/// timer and so leaves hyper's header read timeout inert: a client could hold a connection
/// open for ever by sending a request head slowly, or nothing at all (slowloris). Here a
/// connection that has not sent a whole request head within
/// [`WebConfig::header_read_timeout`](crate::WebConfig::header_read_timeout) of opening, or of
/// its previous response, is closed. Each request carries the peer's address
/// ([`ConnectInfo`]), for throttling sign-ins by client.
pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    tracing::info!(address = %listener.local_addr()?, "listening");
    let header_read_timeout = state.config().header_read_timeout;
    let purging = tokio::spawn(purge_hourly(state.clone()));
    let app = router(state);
    let connections = GracefulShutdown::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait for some to close, not spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "a connection ended with an error");
            }
        });
    }
    drop(listener);
    purging.abort();
    connections.shutdown().await;
    Ok(())
}

/// Each server purges; with several servers on one database the deletes simply overlap.
async fn purge_hourly(state: AppState) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match accounts::purge_expired(state.store(), state.now()).await {
            Ok((sessions, attempts)) => {
                tracing::info!(
                    sessions,
                    attempts,
                    "purged ended sessions and old sign-in attempts"
                );
            }
            Err(e) => tracing::error!(error = %e, "purging sessions failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
