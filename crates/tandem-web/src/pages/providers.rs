//! The list of advice providers, kept by administrators (issue 14, finding 17): add a provider,
//! rename one, retire one (or bring it back). Requests for advice choose from the list; every
//! change goes through `tandem_app::services`, which checks the permission and audits it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::services::{AdviceProvider, ServiceError, Source};
use tandem_core::{Action, dates};

use crate::Html;
use crate::error::{WebError, html};
use crate::pages::forms::{FormErrors, TextField};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

/// The list's address, and the navigation section of its pages (under Accounts).
pub(crate) const LIST: &str = "/admin/providers";
const SECTION: &str = "/admin/users";

/// What was just done, for the success banner.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Done {
    Added,
    Renamed,
    Retired,
    Reinstated,
}

impl Done {
    fn message(self) -> &'static str {
        match self {
            Self::Added => "The provider was added to the list",
            Self::Renamed => "The provider was renamed",
            Self::Retired => "The provider was retired: it is no longer offered for new requests",
            Self::Reinstated => "The provider is offered for new requests again",
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<Done>,
}

#[derive(Deserialize, Default)]
pub(crate) struct NameForm {
    #[serde(default)]
    name: String,
}

/// A provider as a row of the list.
struct Row {
    id: i64,
    name: String,
    added: String,
    retired: Option<String>,
}

impl Row {
    fn of(provider: &AdviceProvider) -> Self {
        Self {
            id: provider.id,
            name: provider.name.clone(),
            added: dates::long(dates::england_date(provider.created_at)),
            retired: provider
                .retired_at
                .map(|at| dates::long(dates::england_date(at))),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/admin-providers.html")]
struct ListPage {
    layout: Layout,
    error_summary: Option<Html>,
    done: Option<&'static str>,
    csrf_token: String,
    name_field: Html,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "pages/admin-provider.html")]
struct ProviderPage {
    layout: Layout,
    error_summary: Option<Html>,
    done: Option<&'static str>,
    csrf_token: String,
    row: Row,
    name_field: Html,
}

fn require(user: &CurrentUser) -> Result<(), WebError> {
    if user.can(Action::ManageAccounts) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

fn name_field(
    label: &'static str,
    value: Option<&str>,
    errors: &FormErrors,
) -> askama::Result<Html> {
    TextField {
        name: "name",
        label,
        kind: "text",
        autocomplete: "off",
        value,
        classes: None,
    }
    .render(errors)
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    done: Option<Done>,
    errors: &FormErrors,
    typed: Option<&str>,
) -> Result<ListPage, WebError> {
    let providers = state
        .services()
        .advice_providers(&user.caller(Source::Form))
        .await?;
    Ok(ListPage {
        layout: Layout::signed_in(user, "Advice providers", SECTION)
            .with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        done: done.map(Done::message),
        csrf_token: user.csrf_token(),
        name_field: name_field("Name of the provider to add", typed, errors)?,
        rows: providers.iter().map(Row::of).collect(),
    })
}

/// `GET /admin/providers`: the list, and a form to add to it.
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    require(&user)?;
    let page = list_page(&state, &user, query.done, &FormErrors::default(), None).await?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /admin/providers`: adds a provider.
pub(crate) async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NameForm>,
) -> Result<Response, WebError> {
    require(&user)?;
    let added = state
        .services()
        .add_advice_provider(&user.caller(Source::Form), &form.name)
        .await;
    match added {
        Ok(_) => Ok(Redirect::to(&format!("{LIST}?done=added")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let errors = FormErrors::new(errors);
            let page = list_page(&state, &user, None, &errors, Some(&form.name)).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

async fn provider_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    done: Option<Done>,
    errors: &FormErrors,
    typed: Option<&str>,
) -> Result<ProviderPage, WebError> {
    let providers = state
        .services()
        .advice_providers(&user.caller(Source::Form))
        .await?;
    let provider = providers
        .iter()
        .find(|p| p.id == id)
        .ok_or(WebError::NotFound)?;
    Ok(ProviderPage {
        layout: Layout::signed_in(user, provider.name.clone(), SECTION)
            .with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        done: done.map(Done::message),
        csrf_token: user.csrf_token(),
        row: Row::of(provider),
        name_field: name_field("New name", Some(typed.unwrap_or(&provider.name)), errors)?,
    })
}

/// `GET /admin/providers/{id}`: one provider, to rename or retire.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    require(&user)?;
    let page = provider_page(&state, &user, id, query.done, &FormErrors::default(), None).await?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /admin/providers/{id}/rename`.
pub(crate) async fn rename(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<NameForm>,
) -> Result<Response, WebError> {
    require(&user)?;
    let renamed = state
        .services()
        .rename_advice_provider(&user.caller(Source::Form), id, &form.name)
        .await;
    match renamed {
        Ok(_) => Ok(Redirect::to(&format!("{LIST}/{id}?done=renamed")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let errors = FormErrors::new(errors);
            let page = provider_page(&state, &user, id, None, &errors, Some(&form.name)).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(ServiceError::NotFound { .. }) => Err(WebError::NotFound),
        Err(other) => Err(other.into()),
    }
}

async fn set_retired(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    retired: bool,
) -> Result<Response, WebError> {
    require(user)?;
    let changed = state
        .services()
        .retire_advice_provider(&user.caller(Source::Form), id, retired)
        .await;
    match changed {
        Ok(_) => {
            let done = if retired { "retired" } else { "reinstated" };
            Ok(Redirect::to(&format!("{LIST}/{id}?done={done}")).into_response())
        }
        Err(ServiceError::NotFound { .. }) => Err(WebError::NotFound),
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/providers/{id}/retire`.
pub(crate) async fn retire(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    set_retired(&state, &user, id, true).await
}

/// `POST /admin/providers/{id}/reinstate`.
pub(crate) async fn reinstate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    set_retired(&state, &user, id, false).await
}
