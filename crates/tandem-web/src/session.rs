//! Sessions in cookies, the signed-in user extractors, and the CSRF tokens derived from cookies.
//!
//! The session cookie holds a random token; the store holds only its hash. Before sign-in, a
//! separate random "sign-in" cookie gives the sign-in form its CSRF token, so that nobody can
//! sign a victim into the attacker's account (login CSRF). A form's CSRF token is the SHA-256 of
//! the cookie's token under a purpose label: unguessable without the HttpOnly cookie, different
//! for every session, and needing neither a server secret nor a database column.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tandem_app::accounts::UserRecord;
use tandem_app::accounts::{self, SessionToken, digest};
use tandem_app::services::{Caller, Source};
use tandem_core::{Action, Actor, Resource, can};

use crate::error::WebError;
use crate::state::AppState;

/// Which cookie: the session, the token that protects the sign-in form, or the token that ties
/// a single sign-on to the browser that started it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cookie {
    Session,
    SignIn,
    SingleSignOn,
}

impl Cookie {
    /// `__Host-` names when cookies are secure: the browser then insists on `Secure`, `Path=/`
    /// and no `Domain`, so no other host (not even a sibling subdomain) can set or overwrite them.
    pub(crate) fn name(self, secure: bool) -> &'static str {
        match (self, secure) {
            (Self::Session, true) => "__Host-tandem_session",
            (Self::Session, false) => "tandem_session",
            (Self::SignIn, true) => "__Host-tandem_sign_in",
            (Self::SignIn, false) => "tandem_sign_in",
            (Self::SingleSignOn, true) => "__Host-tandem_oidc",
            (Self::SingleSignOn, false) => "tandem_oidc",
        }
    }

    /// The cookie's value in the request, if sent.
    pub(crate) fn read(self, headers: &HeaderMap, secure: bool) -> Option<&str> {
        let name = self.name(secure);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, value)| *key == name && !value.is_empty())
            .map(|(_, value)| value)
    }

    /// `Set-Cookie` for `value`, lasting until the browser closes; `None` deletes the cookie.
    pub(crate) fn set(self, value: Option<&str>, secure: bool) -> HeaderValue {
        self.set_for(value, secure, None)
    }

    /// As [`Cookie::set`], but kept by the browser for `max_age` seconds at most, when given.
    #[expect(clippy::expect_used, reason = "cookie values are URL-safe base64")]
    pub(crate) fn set_for(
        self,
        value: Option<&str>,
        secure: bool,
        max_age: Option<u32>,
    ) -> HeaderValue {
        let name = self.name(secure);
        let secure_attribute = if secure { "; Secure" } else { "" };
        let max_age = max_age.map_or(String::new(), |seconds| format!("; Max-Age={seconds}"));
        let cookie = match value {
            Some(value) => {
                format!("{name}={value}; Path=/{max_age}; HttpOnly; SameSite=Lax{secure_attribute}")
            }
            None => format!("{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure_attribute}"),
        };
        HeaderValue::from_str(&cookie).expect("cookie values are URL-safe base64")
    }
}

/// The CSRF token for forms sent with the cookie holding `token`.
pub(crate) fn csrf_token_for(token: &str) -> String {
    digest("tandem csrf", token)
}

/// The signed-in user of this request.
#[derive(Debug, Clone)]
pub(crate) struct CurrentUser {
    pub user: UserRecord,
    token: SessionToken,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor {
        self.user.actor()
    }

    /// How the services see this user, arriving through `source` (a form or the API).
    pub fn caller(&self, source: Source) -> Caller {
        Caller::new(self.actor(), source)
    }

    pub fn can(&self, action: Action) -> bool {
        can(&self.actor(), action, Resource::Service)
    }

    /// The token every form of this session must carry as `csrf_token`.
    pub fn csrf_token(&self) -> String {
        csrf_token_for(self.token.as_str())
    }

    pub(crate) fn token(&self) -> &SessionToken {
        &self.token
    }

    /// Where the user starts.
    pub fn home(&self) -> &'static str {
        home(&self.actor())
    }
}

/// The page a user's role works from: accounts for administrators, the advice tray for services,
/// the audit tray for QA auditors, the dashboard for those who see figures but no case list, the
/// cases otherwise.
pub(crate) fn home(actor: &Actor) -> &'static str {
    let may = |action| can(actor, action, Resource::Service);
    if may(Action::ManageAccounts) {
        "/admin/users"
    } else if actor.role.gives_advice() {
        "/advice"
    } else if may(Action::AuditPlans) && !may(Action::OpenCase) {
        // A QA auditor's work is the plans given to them to audit.
        "/audits"
    } else if !may(Action::ListCases) && may(Action::ViewAggregates) {
        "/dashboard"
    } else {
        "/cases"
    }
}

/// Looks the session cookie up, once per request.
async fn current_user(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Option<CurrentUser>, WebError> {
    if let Some(found) = parts.extensions.get::<Option<CurrentUser>>() {
        return Ok(found.clone());
    }
    let secure = state.config().secure_cookies;
    let found = match Cookie::Session.read(&parts.headers, secure) {
        Some(value) => {
            let token = SessionToken::from_cookie(value);
            accounts::current_session(state.store(), &token, state.config().sessions, state.now())
                .await?
                .map(|(_session, user)| CurrentUser { user, token })
        }
        None => None,
    };
    parts.extensions.insert(found.clone());
    Ok(found)
}

/// Refusal for a request that needs a signed-in user: pages send the browser to sign in and
/// come back; the API answers 401.
#[expect(clippy::expect_used, reason = "a string pair encodes")]
fn sign_in_required(parts: &Parts) -> Response {
    if parts.uri.path().starts_with("/api/") {
        let problem = json!({
            "type": "about:blank",
            "title": "Unauthorized",
            "status": 401,
            "detail": "Sign in first.",
        });
        let mut response = (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/problem+json")],
            problem.to_string(),
        )
            .into_response();
        response.extensions_mut().insert(crate::error::Rendered);
        return response;
    }
    // Only a page can be come back to: a form sent after the session ended is sent again by
    // the user, from the page it was on.
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        return Redirect::to("/sign-in").into_response();
    }
    let next = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let query = serde_urlencoded::to_string([("next", next)]).expect("a string pair encodes");
    Redirect::to(&format!("/sign-in?{query}")).into_response()
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match current_user(parts, state).await {
            Ok(Some(user)) => Ok(user),
            Ok(None) => Err(sign_in_required(parts)),
            Err(e) => Err(e.into_response()),
        }
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, WebError> {
        current_user(parts, state).await
    }
}

/// A `next` address is followed only if it is a path on this site, never another site.
pub(crate) fn local_path(next: Option<&str>) -> Option<&str> {
    // Only visible ASCII: browsers drop tabs and line breaks from addresses, so `/\t/evil.example`
    // would become `//evil.example`, another site; and a control character cannot go in the
    // `Location` header at all.
    next.filter(|n| {
        n.starts_with('/')
            && n.bytes().all(|b| b.is_ascii_graphic())
            && !n.starts_with("//")
            && !n.contains('\\')
            && !n.starts_with("/sign-")
    })
}
