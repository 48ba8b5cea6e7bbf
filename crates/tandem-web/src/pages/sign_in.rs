//! Signing in and out, and the start page that sends each user to their home.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::accounts::{self, AccountError, SessionToken, SignInStep};
use tandem_app::services::FieldError;

use crate::Html;
use crate::client::ClientAddress;
use crate::error::{Rendered, WebError, html};
use crate::pages::forms::{FormErrors, TextField};
use crate::pages::layout::Layout;
use crate::pages::two_factor::half_signed_in_response;
use crate::session::{Cookie, CurrentUser, csrf_token_for, home, local_path};
use crate::state::AppState;

/// `GET /`: signed-in users go to their home, others to sign in.
pub(crate) async fn start(user: Option<CurrentUser>) -> Redirect {
    Redirect::to(user.map_or("/sign-in", |u| u.home()))
}

#[derive(Deserialize)]
pub(crate) struct Next {
    next: Option<String>,
    /// Set after a password reset, to say so above the form.
    reset: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/sign-in.html")]
struct SignInPage {
    layout: Layout,
    error_summary: Option<Html>,
    email: Html,
    password: Html,
    csrf_token: String,
    next: Option<String>,
    done: Option<&'static str>,
    /// Offer "Sign in with your organisation's account" (single sign-on is configured).
    single_sign_on: bool,
}

impl SignInPage {
    fn new(
        state: &AppState,
        csrf_token: String,
        next: Option<&str>,
        email: Option<&str>,
        errors: &FormErrors,
    ) -> askama::Result<Self> {
        Ok(Self {
            layout: Layout::bare("Sign in").with_errors(!errors.is_empty()),
            error_summary: errors.summary()?,
            email: TextField {
                name: "email",
                label: "Email address",
                kind: "email",
                autocomplete: "username",
                value: email,
                classes: None,
            }
            .render(errors)?,
            // The password is never sent back, even when the form is shown again.
            password: TextField {
                name: "password",
                label: "Password",
                kind: "password",
                autocomplete: "current-password",
                value: None,
                classes: None,
            }
            .render(errors)?,
            csrf_token,
            next: local_path(next).map(str::to_owned),
            done: None,
            single_sign_on: state.single_sign_on().is_some(),
        })
    }
}

/// `GET /sign-in`. Gives the browser a sign-in cookie (if it has none) whose token the form
/// carries, so that only a form shown by this site can sign anyone in.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Query(query): Query<Next>,
) -> Result<Response, WebError> {
    if let Some(user) = user {
        return Ok(
            Redirect::to(local_path(query.next.as_deref()).unwrap_or(user.home())).into_response(),
        );
    }
    let (csrf_token, new_cookie) = before_sign_in_token(&state, &headers)?;
    let mut page = SignInPage::new(
        &state,
        csrf_token,
        query.next.as_deref(),
        None,
        &FormErrors::default(),
    )?;
    if query.reset.is_some() {
        page.done = Some("Your password has been changed. Sign in with your new password");
    }
    Ok(with_cookie(
        html(StatusCode::OK, page.render()?),
        new_cookie,
    ))
}

/// The CSRF token for a form posted before sign-in, from the browser's sign-in cookie, and the
/// cookie to set when it has none yet.
pub(crate) fn before_sign_in_token(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Option<HeaderValue>), WebError> {
    let secure = state.config().secure_cookies;
    Ok(match Cookie::SignIn.read(headers, secure) {
        Some(token) => (csrf_token_for(token), None),
        None => {
            let token = SessionToken::generate()?;
            let cookie = Cookie::SignIn.set(Some(token.as_str()), secure);
            (csrf_token_for(token.as_str()), Some(cookie))
        }
    })
}

/// `response` with `cookie` set, if there is one.
pub(crate) fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
    /// Absent when a program signs in (see `security::is_scripted_sign_in`).
    #[serde(default)]
    csrf_token: String,
}

/// `POST /sign-in`: a new session and off to where the user was going, or the form again.
pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let mut errors = Vec::new();
    if form.email.trim().is_empty() {
        errors.push(("email", "Enter your email address"));
    }
    if form.password.is_empty() {
        errors.push(("password", "Enter your password"));
    }
    let refusal = if errors.is_empty() {
        let config = state.config();
        // Held until the sign-in ends: the cap is on password checks running at once.
        let Some(_permit) = state.password_check() else {
            return busy(&state, &form);
        };
        match accounts::sign_in(
            state.store(),
            &form.email,
            &form.password,
            &client,
            config.sessions,
            config.sign_in_limit,
            config.external_two_factor,
            state.now(),
        )
        .await
        {
            Ok(SignInStep::SignedIn(signed_in)) => {
                return Ok(signed_in_response(&state, &signed_in, form.next.as_deref()));
            }
            Ok(SignInStep::TwoFactor(half)) => {
                return Ok(half_signed_in_response(&state, &half, form.next.as_deref()));
            }
            Err(AccountError::BadCredentials) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                FormErrors::one("email", "Enter a correct email address and password"),
            ),
            Err(AccountError::RateLimited { until }) => (
                StatusCode::TOO_MANY_REQUESTS,
                FormErrors::one(
                    "email",
                    format!(
                        "There have been too many attempts to sign in. Wait {} and try again, \
                         or ask your administrator to lift the lock",
                        minutes_until(until, state.now())
                    ),
                ),
            ),
            Err(other) => return Err(other.into()),
        }
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::new(
                errors
                    .into_iter()
                    .map(|(field, message)| FieldError::new(field, message))
                    .collect(),
            ),
        )
    };
    let (status, errors) = refusal;
    let page = SignInPage::new(
        &state,
        form.csrf_token,
        form.next.as_deref(),
        Some(form.email.as_str()),
        &errors,
    )?;
    Ok(html(status, page.render()?))
}

/// Every password check is taken: the form again, 503 with `Retry-After`, nothing recorded.
fn busy(state: &AppState, form: &SignInForm) -> Result<Response, WebError> {
    let errors = FormErrors::one(
        "email",
        "The service is busy. Wait a few seconds and try again",
    );
    let page = SignInPage::new(
        state,
        form.csrf_token.clone(),
        form.next.as_deref(),
        Some(form.email.as_str()),
        &errors,
    )?;
    let mut response = html(StatusCode::SERVICE_UNAVAILABLE, page.render()?);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    tracing::warn!(
        limit = state.config().password_checks,
        "refused a sign-in: every password check is running"
    );
    Ok(response)
}

/// "1 minute", "15 minutes", rounded up.
pub(crate) fn minutes_until(
    until: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let seconds = (until - now).num_seconds().max(1);
    match (seconds + 59) / 60 {
        1 => "1 minute".to_owned(),
        minutes => format!("{minutes} minutes"),
    }
}

/// Off to where the user was going (or their home) with the new session's cookie.
pub(crate) fn signed_in_response(
    state: &AppState,
    signed_in: &accounts::SignedIn,
    next: Option<&str>,
) -> Response {
    let home = home(&signed_in.user.actor());
    with_session(
        state,
        signed_in,
        Redirect::to(local_path(next).unwrap_or(home)).into_response(),
    )
}

/// `response` with the new session's cookie, and the pre-sign-in cookie forgotten.
pub(crate) fn with_session(
    state: &AppState,
    signed_in: &accounts::SignedIn,
    mut response: Response,
) -> Response {
    let secure = state.config().secure_cookies;
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        Cookie::Session.set(Some(signed_in.token.as_str()), secure),
    );
    headers.append(header::SET_COOKIE, Cookie::SignIn.set(None, secure));
    response
}

/// `POST /sign-out`: ends this session and forgets its cookie.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    accounts::sign_out(state.store(), user.user.id, user.token(), state.now()).await?;
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        Cookie::Session.set(None, state.config().secure_cookies),
    );
    Ok(response)
}

/// `GET /health`: 200 when the database answers, 503 when it does not.
pub(crate) async fn health(State(state): State<AppState>) -> Response {
    match state.store().ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Extension(Rendered),
                "database unavailable",
            )
                .into_response()
        }
    }
}
