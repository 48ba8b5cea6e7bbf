//! Errors and error pages. Handlers answer an error with its status alone; one middleware then
//! writes the body, as a GOV.UK error page or, under `/api/`, as JSON problem details
//! (RFC 9457). So axum's own rejections, timeouts and body-limit refusals look the same as ours,
//! and no error detail ever reaches the browser: details go to the log, with ids only.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tandem_app::accounts::AccountError;
use tandem_app::services::ServiceError;
use tandem_app::services::StoreError;

use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

/// Any error, kept whole so that its chain of causes reaches the log.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Our failure: what was being done, and the error with its causes.
    #[error("{context}")]
    Internal {
        context: &'static str,
        #[source]
        source: BoxError,
    },
}

impl WebError {
    /// An internal error while doing `context` ("writing CSV"), caused by `source`.
    pub fn internal(context: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Internal {
            context,
            source: source.into(),
        }
    }

    /// "context: error: its cause: …", the whole chain in one line for the log.
    pub fn chain(&self) -> String {
        error_chain(self)
    }
}

/// "error: its cause: …", any error's whole chain in one line for the log.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        text.push_str(": ");
        text.push_str(&error.to_string());
        cause = error.source();
    }
    text
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        Self::internal("database", error)
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        Self::internal("template", error)
    }
}

impl From<AccountError> for WebError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Forbidden | AccountError::OwnAccount => Self::Forbidden,
            AccountError::UserNotFound => Self::NotFound,
            other => Self::internal("account service", other),
        }
    }
}

impl From<ServiceError> for WebError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound { .. } => Self::NotFound,
            ServiceError::Forbidden => Self::Forbidden,
            // Pages that can be corrected handle these themselves; anywhere else they are ours.
            other => Self::internal("case service", other),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Internal { .. } => {
                tracing::error!(error = %self.chain(), "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        status.into_response()
    }
}

/// Marks an error-status response whose body is already what the user should see (a form shown
/// again with its errors, the health check), so [`error_pages`] leaves it alone.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rendered;

/// A page as the response, with `status`; an error status marks it [`Rendered`].
pub(crate) fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        axum::Extension(Rendered),
        body,
    )
        .into_response()
}

/// Replaces the body of every client or server error response not marked [`Rendered`]. A page
/// for someone signed in keeps their navigation and sign-out, and offers their own start page.
pub(crate) async fn error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    // Only the headers are kept: the session is looked up again only for an error page.
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<Rendered>().is_some()
    {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    let (content_type, body) = if api {
        let problem = json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
        });
        ("application/problem+json", problem.to_string())
    } else {
        let user = if status.is_server_error() {
            // The failure may be the database itself; the page must not depend on it.
            None
        } else {
            signed_in(headers, &state).await
        };
        match ErrorPage::for_status(status, user.as_ref()).render() {
            Ok(html) => ("text/html; charset=utf-8", html),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                ("text/plain; charset=utf-8", status.to_string())
            }
        }
    };
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Response::from_parts(parts, body.into())
}

/// Who is signed in on a request with these headers, if anyone (and the store answers).
async fn signed_in(headers: axum::http::HeaderMap, state: &AppState) -> Option<CurrentUser> {
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.headers = headers;
    <CurrentUser as axum::extract::OptionalFromRequestParts<AppState>>::from_request_parts(
        &mut parts, state,
    )
    .await
    .ok()
    .flatten()
}

/// A GOV.UK-style error page: a heading and generic advice, never the error itself.
#[derive(Template)]
#[template(path = "pages/error.html")]
pub(crate) struct ErrorPage {
    layout: Layout,
    paragraphs: &'static [&'static str],
    /// The start page to go back to: the signed-in user's own, or the sign-in page.
    home: &'static str,
}

impl ErrorPage {
    /// A page for someone not signed in, saying what went wrong and what to do.
    pub(crate) fn signed_out(title: &str, paragraphs: &'static [&'static str]) -> Self {
        Self {
            layout: Layout::bare(title),
            paragraphs,
            home: "/",
        }
    }

    fn for_status(status: StatusCode, user: Option<&CurrentUser>) -> Self {
        let (title, paragraphs): (&str, &[&str]) = match status {
            StatusCode::NOT_FOUND => (
                "Page not found",
                &[
                    "If you typed the web address, check it is correct.",
                    "If you pasted the web address, check you copied the entire address.",
                ],
            ),
            StatusCode::FORBIDDEN => (
                "You do not have permission to see this page",
                &[
                    "Your account’s role does not give access to this page, or the form you sent \
                     had expired.",
                    "Go back, reload the page and try again, go to your start page, or ask your \
                     service’s administrator if you need access.",
                ],
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "The file you chose is too large",
                &[
                    "Nothing has been saved.",
                    "Go back and choose a smaller file: the form says the largest size it \
                     accepts.",
                ],
            ),
            StatusCode::TOO_MANY_REQUESTS => {
                ("Too many requests", &["Wait a few minutes and try again."])
            }
            s if s.is_server_error() => (
                "Sorry, there is a problem with the service",
                &["Try again later. Anything you had not submitted has not been saved."],
            ),
            _ => (
                "Sorry, there is a problem with your request",
                &["Go back and try again."],
            ),
        };
        match user {
            Some(user) => Self {
                layout: Layout::signed_in(user, title, ""),
                paragraphs,
                home: user.home(),
            },
            None => Self::signed_out(title, paragraphs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_logs_its_whole_chain() {
        let io = std::io::Error::other("disk full");
        let csv = csv::Error::from(io);
        let error = WebError::internal("writing CSV", csv);
        assert_eq!(error.to_string(), "writing CSV");
        assert_eq!(error.chain(), "writing CSV: disk full");
    }
}
