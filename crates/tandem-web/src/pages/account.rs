//! `/account`: the signed-in person's own account — who they are signed in as, and two-factor
//! sign-in, which anyone may set up (staff, and external accounts where it is optional) through
//! the same set-up pages as a first sign-in.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use tandem_app::accounts::{self, AccountError};

use crate::Html;
use crate::error::{WebError, html};
use crate::pages::forms::FormErrors;
use crate::pages::layout::Layout;
use crate::pages::two_factor::half_signed_in_response;
use crate::session::{Cookie, CurrentUser};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "pages/account.html")]
struct AccountPage {
    layout: Layout,
    error_summary: Option<Html>,
    name: String,
    email: String,
    role: &'static str,
    team: Option<String>,
    provider: Option<String>,
    two_factor: bool,
    csrf_token: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    errors: &FormErrors,
) -> Result<Response, WebError> {
    let two_factor = accounts::has_two_factor(state.store(), user.user.id).await?;
    let body = AccountPage {
        layout: Layout::signed_in(user, "Your account", "/account").with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        name: user.user.name.clone(),
        email: user.user.email.clone(),
        role: user.user.role.label(),
        team: user.user.team.clone(),
        provider: user.user.provider.clone(),
        two_factor,
        csrf_token: user.csrf_token(),
    }
    .render()?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(status, body))
}

/// `GET /account`.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    page(&state, &user, &FormErrors::default()).await
}

/// `POST /account/two-factor`: ends this session and continues on the sign-in's set-up page;
/// a session starts again once a code from the app is confirmed.
pub(crate) async fn set_up_two_factor(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    match accounts::start_set_up(state.store(), user.user.id, user.token(), state.now()).await {
        Ok(half) => {
            let mut response = half_signed_in_response(&state, &half, Some("/account"));
            response.headers_mut().append(
                header::SET_COOKIE,
                Cookie::Session.set(None, state.config().secure_cookies),
            );
            Ok(response)
        }
        Err(AccountError::Invalid(errors)) => page(&state, &user, &FormErrors::new(errors)).await,
        Err(other) => Err(other.into()),
    }
}
