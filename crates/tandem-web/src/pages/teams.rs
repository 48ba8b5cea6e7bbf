//! The service's teams (`/admin/teams`), for administrators: the managed list an account's team
//! is chosen from, with how many people and cases are in each; add a team, or remove one that
//! nobody and no case is in.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::accounts::{self, AccountError, TeamRecord};

use crate::Html;
use crate::error::{WebError, html};
use crate::pages::forms::{FormErrors, TextField};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

const PAGE: &str = "/admin/teams";

#[derive(Template)]
#[template(path = "pages/admin-teams.html")]
struct TeamsPage {
    layout: Layout,
    error_summary: Option<Html>,
    done: Option<&'static str>,
    teams: Vec<TeamRecord>,
    name: Html,
    csrf_token: String,
}

#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    typed: Option<&str>,
    errors: &FormErrors,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    let teams = accounts::teams(state.store(), &user.actor()).await?;
    let page = TeamsPage {
        layout: Layout::signed_in(user, "Teams", "/admin/users").with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        done,
        teams,
        name: TextField {
            name: "name",
            label: "Name of the new team",
            kind: "text",
            autocomplete: "off",
            value: typed,
            classes: Some("govuk-input--width-20"),
        }
        .render(errors)?,
        csrf_token: user.csrf_token(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(status, page.render()?))
}

/// `GET /admin/teams`.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let done = match query.done.as_deref() {
        Some("added") => Some("Team added"),
        Some("removed") => Some("Team removed"),
        _ => None,
    };
    page(&state, &user, None, &FormErrors::default(), done).await
}

#[derive(Deserialize)]
pub(crate) struct TeamForm {
    #[serde(default)]
    name: String,
}

/// `POST /admin/teams`: adds a team.
pub(crate) async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<TeamForm>,
) -> Result<Response, WebError> {
    match accounts::add_team(state.store(), &user.actor(), &form.name, state.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("{PAGE}?done=added")).into_response()),
        Err(AccountError::Invalid(errors)) => {
            page(
                &state,
                &user,
                Some(&form.name),
                &FormErrors::new(errors),
                None,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/teams/remove`: removes the team named, if nobody and no case is in it.
pub(crate) async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<TeamForm>,
) -> Result<Response, WebError> {
    match accounts::remove_team(state.store(), &user.actor(), &form.name, state.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("{PAGE}?done=removed")).into_response()),
        Err(AccountError::Invalid(errors)) => {
            page(&state, &user, None, &FormErrors::new(errors), None).await
        }
        Err(other) => Err(other.into()),
    }
}
