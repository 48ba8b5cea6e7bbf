//! Accepting an invitation: the emailed link shows a form to set a password, which signs the
//! person in. The form is posted before there is a session, so its CSRF token comes from the
//! sign-in cookie, as the sign-in form's does.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use tandem_app::accounts::{self, AccountError, SignInStep};

use crate::Html;
use crate::error::{WebError, html};
use crate::pages::forms::{FormErrors, TextField};
use crate::pages::layout::Layout;
use crate::pages::sign_in::{before_sign_in_token, signed_in_response, with_cookie};
use crate::pages::two_factor::half_signed_in_response;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "pages/invitation.html")]
struct SetPasswordPage {
    layout: Layout,
    error_summary: Option<Html>,
    password: Html,
    csrf_token: String,
    action: String,
}

impl SetPasswordPage {
    fn new(token: &str, csrf_token: String, errors: &FormErrors) -> Result<Self, WebError> {
        Ok(Self {
            layout: Layout::bare("Set your password").with_errors(!errors.is_empty()),
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
            action: format!("/invitations/{token}"),
        })
    }
}

#[derive(Template)]
#[template(path = "pages/invitation-closed.html")]
struct ClosedPage {
    layout: Layout,
}

/// An expired, used or unknown link: one page for all three, so a link says nothing about
/// which.
fn closed() -> Result<Response, WebError> {
    let page = ClosedPage {
        layout: Layout::bare("This link has expired or has already been used"),
    };
    Ok(html(StatusCode::GONE, page.render()?))
}

/// `GET /invitations/{token}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if !accounts::invitation_open(state.store(), &token, state.now()).await? {
        return closed();
    }
    let (csrf_token, cookie) = before_sign_in_token(&state, &headers)?;
    let page = SetPasswordPage::new(&token, csrf_token, &FormErrors::default())?;
    Ok(with_cookie(html(StatusCode::OK, page.render()?), cookie))
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
        let errors = FormErrors::one(
            "password",
            "The service is busy. Wait a few seconds and try again",
        );
        let page = SetPasswordPage::new(&token, form.csrf_token, &errors)?;
        let mut response = html(StatusCode::SERVICE_UNAVAILABLE, page.render()?);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return Ok(response);
    };
    let config = state.config();
    match accounts::accept_invitation(
        state.store(),
        &token,
        &form.password,
        config.sessions,
        config.external_two_factor,
        state.now(),
    )
    .await
    {
        Ok(SignInStep::SignedIn(signed_in)) => Ok(signed_in_response(&state, &signed_in, None)),
        Ok(SignInStep::TwoFactor(half)) => Ok(half_signed_in_response(&state, &half, None)),
        Err(AccountError::InvitationClosed) => closed(),
        Err(AccountError::Invalid(errors)) => {
            let page = SetPasswordPage::new(&token, form.csrf_token, &FormErrors::new(errors))?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}
