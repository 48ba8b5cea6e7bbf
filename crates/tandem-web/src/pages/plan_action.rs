//! One action of the improvement plan (`GET /plan/actions/{id}`): what it is, who owns it, when
//! it is due, where it stands and its evidence, with every update dated and attributed. Heads of
//! service and team managers update it from the form on the same page (`POST`): the form names
//! the version it was shown with, so a stale form is answered with a conflict and the action as
//! it now is, never saved over someone else's change.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;
use tandem_app::services::{
    ActionEdit, ActionOverview, ActionUpdate, PlanPlace, ServiceError, Source, StoredAction,
};
use tandem_core::dates;
use tandem_core::improvement_plan::{ActionChange, ActionStatus};

use crate::Html;
use crate::error::{WebError, html};
use crate::pages::case_fields::{self, Control, Field, Problems, Required, Values};
use crate::pages::forms::{FormPage, PARTS, back_link, button};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

const STATUSES: &[(&str, &str)] = &[
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("dropped", "Dropped (stopped on purpose; never overdue)"),
];

/// The form's fields, in order; their names are the service's field names.
const FIELDS: [Field; 6] = [
    Field {
        name: "text",
        label: "Action",
        hint: None,
        control: Control::Textarea,
        required: Required::Yes("Enter what the action is"),
    },
    Field {
        name: "owner",
        label: "Owner",
        hint: Some("The officer or role answerable for it"),
        control: Control::Text,
        required: Required::Yes("Enter the officer or role answerable for the action"),
    },
    Field {
        name: "due",
        label: "Due",
        hint: Some("For example, 31 3 2027"),
        control: Control::Date { future: true },
        required: Required::Yes("Enter the date the action is due"),
    },
    Field {
        name: "status",
        label: "Status",
        hint: None,
        control: Control::Radios(STATUSES),
        required: Required::Yes("Select where the action stands"),
    },
    Field {
        name: "evidence",
        label: "Evidence (optional)",
        hint: Some("What shows it was done or how far it has got, such as a document or minutes"),
        control: Control::Textarea,
        required: Required::No,
    },
    Field {
        name: "note",
        label: "Update (optional if you changed something above)",
        hint: Some("What has happened: kept, dated and with your name, in the action’s history"),
        control: Control::Textarea,
        required: Required::No,
    },
];

/// One update as the history lists it.
struct UpdateLine {
    when: String,
    by: String,
    note: String,
    changes: Vec<String>,
}

impl UpdateLine {
    fn new(update: &ActionUpdate) -> Self {
        Self {
            when: dates::long(dates::england_date(update.made_at)),
            by: update.made_by_name.clone(),
            note: update.note.clone(),
            changes: update.changes.iter().map(change_text).collect(),
        }
    }
}

/// A change in words: "Due changed from 28 February 2021 to 31 March 2021".
fn change_text(change: &ActionChange) -> String {
    match (change.from.is_empty(), change.to.is_empty()) {
        (true, _) => format!("{} added: {}", change.field, change.to),
        (_, true) => format!("{} removed (it said: {})", change.field, change.from),
        _ => format!(
            "{} changed from {} to {}",
            change.field, change.from, change.to
        ),
    }
}

#[derive(Template)]
#[template(path = "pages/plan-action.html")]
struct ActionPage {
    layout: Layout,
    back_link: Html,
    error_summary: Option<Html>,
    done: Option<&'static str>,
    priority: String,
    objective: String,
    text: String,
    owner: String,
    due: String,
    status: &'static str,
    overdue: bool,
    evidence: String,
    /// The form, for those who may update the action.
    form: Option<Vec<Html>>,
    address: String,
    csrf_token: String,
    version: i64,
    submit: Html,
    updates: Vec<UpdateLine>,
}

/// What the page was reached with after a change.
#[derive(Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

fn id_of(text: &str) -> Result<i64, WebError> {
    text.parse().map_err(|_| WebError::NotFound)
}

/// The action's values as the form shows them (its date in three parts).
fn values_of(stored: &StoredAction) -> Values {
    let a = &stored.action;
    let mut values = Values::from([
        ("text".to_owned(), a.text.clone()),
        ("owner".to_owned(), a.owner.clone()),
        ("status".to_owned(), a.status.as_str().to_owned()),
        ("evidence".to_owned(), a.evidence.clone()),
    ]);
    let parts = [a.due.day(), a.due.month(), a.due.year().unsigned_abs()];
    for (part, value) in PARTS.iter().zip(parts) {
        values.insert(format!("due-{part}"), value.to_string());
    }
    values
}

/// `GET /plan/actions/{id}`: the action, its history and (for those allowed) the form.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let id = id_of(&id)?;
    let overview = state
        .services()
        .improvement_action(&user.caller(Source::Form), id)
        .await?;
    let values = values_of(&overview.stored);
    let done = done.done.and_then(|d| match d.as_str() {
        "updated" => Some("The action is updated"),
        "added" => Some("The action is added to the plan"),
        _ => None,
    });
    let page = action_page(
        &state,
        &user,
        &overview,
        &values,
        &Problems::default(),
        done,
    )?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /plan/actions/{id}`: updates the action against the version the form was shown with,
/// then shows it again; problems and conflicts show the form again with what was typed.
pub(crate) async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let id = id_of(&id)?;
    let caller = user.caller(Source::Form);
    // An unreadable version cannot match the action's: it is answered as a conflict.
    let version = values
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let (status, problems) = match case_fields::read(&FIELDS, &values, state.today()) {
        Err(problems) => (StatusCode::UNPROCESSABLE_ENTITY, problems),
        Ok(read) => {
            let edit = edit_of(&read);
            match state
                .services()
                .update_improvement_action(&caller, id, version, &edit)
                .await
            {
                Ok(_) => {
                    return Ok(
                        Redirect::to(&format!("/plan/actions/{id}?done=updated")).into_response()
                    );
                }
                Err(ServiceError::Invalid(errors)) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Problems::from_service(&FIELDS, errors),
                ),
                Err(ServiceError::Conflict { .. }) => {
                    let mut problems = Problems::default();
                    problems.add_named(
                        "text",
                        "Someone else updated this action after you opened it, so your update \
                         was not saved. The action as it is now is shown above the form, and \
                         what you typed is in the form: check it, then save again"
                            .into(),
                    );
                    (StatusCode::CONFLICT, problems)
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    // Shown again with the action as it is now (so a resubmit is based on what was seen).
    let overview = state.services().improvement_action(&caller, id).await?;
    let page = action_page(&state, &user, &overview, &values, &problems, None)?;
    Ok(html(status, page.render()?))
}

/// The edit the form's answers (as [`case_fields::read`] gives them) make.
fn edit_of(read: &[(&'static str, String)]) -> ActionEdit {
    let field = |name: &str| {
        read.iter()
            .find(|(n, _)| *n == name)
            .map_or_else(String::new, |(_, v)| v.clone())
    };
    ActionEdit {
        text: field("text"),
        owner: field("owner"),
        due: dates::parse_iso(&field("due")).ok(),
        status: ActionStatus::parse(&field("status")),
        evidence: field("evidence"),
        note: field("note"),
    }
}

/// The plan's objectives as the new-action form offers them: `(value, "Priority 1: … – …")`,
/// the value being the priority's and objective's places (`0-2`).
fn objectives(
    plan: &tandem_core::improvement_plan::ImprovementPlan,
) -> Vec<(String, String, PlanPlace)> {
    plan.priorities
        .iter()
        .enumerate()
        .flat_map(|(p, priority)| {
            priority
                .objectives
                .iter()
                .enumerate()
                .map(move |(o, objective)| {
                    (
                        format!("{p}-{o}"),
                        format!(
                            "Priority {}: {} – {}",
                            p + 1,
                            priority.title,
                            objective.title
                        ),
                        PlanPlace {
                            priority: priority.title.clone(),
                            objective: objective.title.clone(),
                        },
                    )
                })
        })
        .collect()
}

/// `GET /plan/actions/new`: the form adding an action, for those who may change the plan.
pub(crate) async fn new_action(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    new_action_page(&state, &user, &Values::new(), &Problems::default()).await
}

/// `POST /plan/actions/new`: adds the action and opens it; problems show the form again with
/// what was typed.
pub(crate) async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let caller = user.caller(Source::Form);
    let overview = state.services().improvement_plan(&caller).await?;
    if !overview.may_edit {
        // The service refuses (and audits the refusal) before it reads the answers.
        state
            .services()
            .add_improvement_action(&caller, &PlanPlace::default(), &ActionEdit::default())
            .await?;
    }
    let place = values.get("objective").and_then(|chosen| {
        objectives(&overview.plan)
            .into_iter()
            .find(|(value, _, _)| value == chosen)
            .map(|(_, _, place)| place)
    });
    let fields = &FIELDS[..FIELDS.len() - 1];
    let mut problems = match case_fields::read(fields, &values, state.today()) {
        Ok(read) => {
            let result = state
                .services()
                .add_improvement_action(&caller, &place.unwrap_or_default(), &edit_of(&read))
                .await;
            match result {
                Ok(id) => {
                    return Ok(
                        Redirect::to(&format!("/plan/actions/{id}?done=added")).into_response()
                    );
                }
                Err(ServiceError::Invalid(errors)) => {
                    let mut problems = Problems::default();
                    for error in errors {
                        match FIELDS.iter().find(|f| f.name == error.field) {
                            Some(field) => problems.add(field, error.message),
                            None => problems.add_named("objective", error.message),
                        }
                    }
                    problems
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(problems) => problems,
    };
    if values.get("objective").is_none_or(String::is_empty)
        && problems.errors.message("objective").is_none()
    {
        problems.add_named("objective", "Select the objective the action is for".into());
    }
    new_action_page(&state, &user, &values, &problems).await
}

async fn new_action_page(
    state: &AppState,
    user: &CurrentUser,
    values: &Values,
    problems: &Problems,
) -> Result<Response, WebError> {
    let overview = state
        .services()
        .improvement_plan(&user.caller(Source::Form))
        .await?;
    if !overview.may_edit {
        return Err(WebError::Forbidden);
    }
    let objectives = objectives(&overview.plan)
        .into_iter()
        .map(|(value, text, _)| (value, text))
        .collect();
    let mut fields = vec![case_fields::select(
        "objective",
        "Objective",
        "Choose an objective",
        objectives,
        values,
        problems,
    )?];
    fields.extend(case_fields::render(
        &FIELDS[..FIELDS.len() - 1],
        values,
        problems,
    )?);
    let page = FormPage {
        layout: Layout::signed_in(user, "Add an action – Improvement plan".to_owned(), "/plan")
            .with_errors(!problems.is_empty()),
        back_link: back_link("/plan", "Back to the improvement plan")?,
        caption: "Improvement plan".to_owned(),
        heading: "Add an action".to_owned(),
        error_summary: problems.errors.summary()?,
        notices: Vec::new(),
        intro: Vec::new(),
        action: "/plan/actions/new".to_owned(),
        csrf_token: user.csrf_token(),
        hidden: Vec::new(),
        fields,
        buttons: vec![button("Add action", None, None)?],
        cancel: "/plan".to_owned(),
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(status, page.render()?))
}

fn action_page(
    state: &AppState,
    user: &CurrentUser,
    overview: &ActionOverview,
    values: &Values,
    problems: &Problems,
    done: Option<&'static str>,
) -> Result<ActionPage, WebError> {
    let stored = &overview.stored;
    let action = &stored.action;
    let id = action.id.unwrap_or_default();
    let form = if overview.may_edit {
        Some(case_fields::render(&FIELDS, values, problems)?)
    } else {
        None
    };
    Ok(ActionPage {
        layout: Layout::signed_in(
            user,
            format!("Improvement plan action: {}", action.text),
            "/plan",
        )
        .with_errors(!problems.is_empty()),
        back_link: back_link("/plan", "Back to the improvement plan")?,
        error_summary: problems.errors.summary()?,
        done,
        priority: stored.priority.clone(),
        objective: stored.objective.clone(),
        text: action.text.clone(),
        owner: action.owner.clone(),
        due: dates::long(action.due),
        status: action.status.label(),
        overdue: action.is_overdue(state.today()),
        evidence: action.evidence.clone(),
        form,
        address: format!("/plan/actions/{id}"),
        csrf_token: user.csrf_token(),
        version: stored.version,
        submit: button("Save update", None, None)?,
        updates: stored.updates.iter().map(UpdateLine::new).collect(),
    })
}
