//! Setting a password from an emailed link: accepting an invitation (`/invitations/{token}`),
//! which signs the person in, and a password reset (`/password-reset`, then
//! `/password-reset/{token}`), after which they sign in as usual. The forms are posted before
//! there is a session, so their CSRF tokens come from the sign-in cookie, as the sign-in form's
//! does.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::accounts::{self, AccountError, SignInStep};

use crate::Html;
use crate::error::{WebError, html};
use crate::pages::forms::{FormErrors, TextField};
use crate::pages::layout::Layout;
use crate::pages::sign_in::{before_sign_in_token, signed_in_response, with_cookie};
use crate::pages::two_factor::half_signed_in_response;
use crate::state::AppState;

/// What an emailed link sets a password for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    Invitation,
    Reset,
}

impl Link {
    fn path(self, token: &str) -> String {
        match self {
            Self::Invitation => format!("/invitations/{token}"),
            Self::Reset => format!("/password-reset/{token}"),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/invitation.html")]
struct SetPasswordPage {
    layout: Layout,
    error_summary: Option<Html>,
    password: Html,
    csrf_token: String,
    action: String,
    reset: bool,
}

impl SetPasswordPage {
    fn new(
        link: Link,
        token: &str,
        csrf_token: String,
        errors: &FormErrors,
    ) -> Result<Self, WebError> {
        let title = match link {
            Link::Invitation => "Set your password",
            Link::Reset => "Set a new password",
        };
        Ok(Self {
            layout: Layout::bare(title).with_errors(!errors.is_empty()),
            error_summary: errors.summary()?,
            password: TextField {
                name: "password",
                label: "Password (12 characters or more)",
                kind: "password",
                autocomplete: "new-password",
                value: None,
                classes: None,
            }
            .render(errors)?,
            csrf_token,
            action: link.path(token),
            reset: link == Link::Reset,
        })
    }
}

#[derive(Template)]
#[template(path = "pages/invitation-closed.html")]
struct ClosedPage {
    layout: Layout,
    reset: bool,
}

/// An expired, used or unknown link: one page for all three, so a link says nothing about
/// which.
fn closed(link: Link) -> Result<Response, WebError> {
    let page = ClosedPage {
        layout: Layout::bare("This link has expired or has already been used"),
        reset: link == Link::Reset,
    };
    Ok(html(StatusCode::GONE, page.render()?))
}

/// The form setting a password through a link that still works.
fn set_password_form(
    state: &AppState,
    headers: &HeaderMap,
    link: Link,
    token: &str,
) -> Result<Response, WebError> {
    let (csrf_token, cookie) = before_sign_in_token(state, headers)?;
    let page = SetPasswordPage::new(link, token, csrf_token, &FormErrors::default())?;
    Ok(with_cookie(html(StatusCode::OK, page.render()?), cookie))
}

/// The form again, with the service busy: 503 and `Retry-After`, nothing tried.
fn busy_form(link: Link, token: &str, csrf_token: String) -> Result<Response, WebError> {
    let errors = FormErrors::one(
        "password",
        "The service is busy. Wait a few seconds and try again",
    );
    let page = SetPasswordPage::new(link, token, csrf_token, &errors)?;
    let mut response = html(StatusCode::SERVICE_UNAVAILABLE, page.render()?);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    Ok(response)
}

/// The answer to a password set through a link: where `done` leads, the closed-link page, or
/// the form again with what to put right.
fn answered(
    link: Link,
    token: &str,
    csrf_token: String,
    done: Result<Response, AccountError>,
) -> Result<Response, WebError> {
    match done {
        Ok(response) => Ok(response),
        Err(AccountError::InvitationClosed) => closed(link),
        Err(AccountError::Invalid(errors)) => {
            let page = SetPasswordPage::new(link, token, csrf_token, &FormErrors::new(errors))?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /invitations/{token}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if !accounts::invitation_open(state.store(), &token, state.now()).await? {
        return closed(Link::Invitation);
    }
    set_password_form(&state, &headers, Link::Invitation, &token)
}

#[derive(Deserialize)]
pub(crate) struct SetPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /invitations/{token}`: sets the password and signs in, or the form again.
pub(crate) async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, WebError> {
    // Held while the password is hashed: the cap is on password checks running at once.
    let Some(_permit) = state.password_check() else {
        return busy_form(Link::Invitation, &token, form.csrf_token);
    };
    let config = state.config();
    let done = accounts::accept_invitation(
        state.store(),
        &token,
        &form.password,
        config.sessions,
        config.external_two_factor,
        state.now(),
    )
    .await
    .map(|step| match step {
        SignInStep::SignedIn(signed_in) => signed_in_response(&state, &signed_in, None),
        SignInStep::TwoFactor(half) => half_signed_in_response(&state, &half, None),
    });
    answered(Link::Invitation, &token, form.csrf_token, done)
}

#[derive(Template)]
#[template(path = "pages/password-reset.html")]
struct ResetRequestPage {
    layout: Layout,
    error_summary: Option<Html>,
    email: Html,
    csrf_token: String,
}

#[derive(Template)]
#[template(path = "pages/password-reset-sent.html")]
struct ResetSentPage {
    layout: Layout,
    minutes: i64,
}

fn reset_request_page(
    csrf_token: String,
    email: Option<&str>,
    errors: &FormErrors,
) -> Result<String, WebError> {
    let page = ResetRequestPage {
        layout: Layout::bare("Forgotten your password?").with_errors(!errors.is_empty()),
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
        csrf_token,
    };
    Ok(page.render()?)
}

/// `GET /password-reset`: the form asking for a reset link.
pub(crate) async fn reset_request_form(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (csrf_token, cookie) = before_sign_in_token(&state, &headers)?;
    let page = reset_request_page(csrf_token, None, &FormErrors::default())?;
    Ok(with_cookie(html(StatusCode::OK, page), cookie))
}

#[derive(Deserialize)]
pub(crate) struct ResetRequestForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /password-reset`: emails a link if the address has an account, and says the same
/// either way.
pub(crate) async fn request_reset(
    State(state): State<AppState>,
    Form(form): Form<ResetRequestForm>,
) -> Result<Response, WebError> {
    let email = form.email.trim();
    if email.is_empty() || !email.contains('@') || email.chars().count() > 254 {
        let errors = FormErrors::one(
            "email",
            "Enter an email address in the correct format, like name@example.com",
        );
        let page = reset_request_page(form.csrf_token, Some(email), &errors)?;
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page));
    }
    let public_url = &state.config().public_url;
    accounts::request_password_reset(state.store(), email, public_url, state.now()).await?;
    let page = ResetSentPage {
        layout: Layout::bare("Check your email"),
        minutes: accounts::RESET_LINK_MINUTES,
    };
    Ok(html(StatusCode::OK, page.render()?))
}

/// `GET /password-reset/{token}`.
pub(crate) async fn show_reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if !accounts::password_reset_open(state.store(), &token, state.now()).await? {
        return closed(Link::Reset);
    }
    set_password_form(&state, &headers, Link::Reset, &token)
}

/// `POST /password-reset/{token}`: sets the new password and sends the person to sign in with
/// it, or the form again.
pub(crate) async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, WebError> {
    let Some(_permit) = state.password_check() else {
        return busy_form(Link::Reset, &token, form.csrf_token);
    };
    let done = accounts::reset_password(state.store(), &token, &form.password, state.now())
        .await
        .map(|()| Redirect::to("/sign-in?reset=1").into_response());
    answered(Link::Reset, &token, form.csrf_token, done)
}
