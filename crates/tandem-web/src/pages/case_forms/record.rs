//! Record the next step: choose what happened, then fill in its form.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::services::CaseView;
use tandem_app::services::Source;
use tandem_core::EventType;
use tandem_core::guidance::warnings_if_recorded;
use tandem_core::next_steps::next_steps;

use super::exception::blank_form;
use super::{
    Again, Basis, EventForm, Mode, SECTION, Shown, after_write, case_address, done, page_title,
    render,
};
use crate::Html;
use crate::components::{ChoiceItem, Fieldset, Hint, Legend, Radios};
use crate::error::{WebError, html};
use crate::html::escape;
use crate::pages::case_fields::{self, GO_ON_REASON, Problems, Values};
use crate::pages::forms::{self, FormErrors, back_link, button};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "pages/event-types.html")]
struct EventTypesPage {
    layout: Layout,
    back_link: Html,
    error_summary: Option<Html>,
    action: String,
    choices: Html,
    button: Html,
    /// The form asking several services for advice at once, when advice is a likely next step.
    several_advice: Option<String>,
}

const CHOOSE_TYPE: &str = "Select what happened";

/// "What happened?": every event type, the likely next ones first.
#[expect(clippy::expect_used, reason = "writing to a string")]
fn event_types_page(
    user: &CurrentUser,
    view: &CaseView,
    problem: bool,
) -> Result<Response, WebError> {
    let reference = &view.case.record.reference;
    let steps = next_steps(&view.case.case_file(), &view.timeline);
    let item = |kind: &EventType| {
        Some(ChoiceItem {
            value: Some(kind.as_str().to_owned()),
            text: Some(case_fields::title(*kind).to_owned()),
            ..ChoiceItem::default()
        })
    };
    let mut items: Vec<Option<ChoiceItem>> = steps.likely.iter().map(item).collect();
    if !steps.likely.is_empty() {
        items.push(Some(ChoiceItem {
            divider: Some("or".into()),
            ..ChoiceItem::default()
        }));
    }
    items.extend(steps.others.iter().map(item));
    let mut caption = String::new();
    let name = crate::pages::case::case_child_name(&view.case.case_file());
    escape(&mut caption, &format!("{reference} – {name}")).expect("writing to a string");
    let hint = if steps.likely.is_empty() {
        "Nothing more is due on this case."
    } else {
        "The steps this case is most likely to need next are listed first."
    };
    let errors = if problem {
        FormErrors::one("type", CHOOSE_TYPE)
    } else {
        FormErrors::default()
    };
    let choices = Html::render(&Radios {
        name: "type".into(),
        items,
        hint: Some(Hint {
            text: Some(hint.into()),
            ..Hint::default()
        }),
        error_message: errors.message("type"),
        fieldset: Some(Fieldset {
            legend: Some(Legend {
                html: Some(Html::trusted(format!(
                    "<span class=\"govuk-caption-l\">{caption}</span> What happened?"
                ))),
                classes: Some("govuk-fieldset__legend--l".into()),
                is_page_heading: true,
                ..Legend::default()
            }),
            ..Fieldset::default()
        }),
        ..Radios::default()
    })?;
    let page = EventTypesPage {
        layout: Layout::signed_in(user, page_title("What happened?", reference), SECTION)
            .with_errors(problem),
        back_link: back_link(&case_address(reference), "Back to the case")?,
        error_summary: errors.summary()?,
        action: format!("{}/events/new", case_address(reference)),
        choices,
        button: button("Continue", Some("continue"), None)?,
        several_advice: steps
            .likely
            .contains(&EventType::AdviceRequested)
            .then(|| format!("{}/advice-requests/new", case_address(reference))),
    };
    let status = if problem {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(status, page.render()?))
}

/// An event type the record form takes: any but the request (a case has one) and exceptions
/// (their own form).
fn recordable(text: Option<&str>) -> Option<EventType> {
    EventType::parse(text?)
        .filter(|k| !matches!(k, EventType::RequestReceived | EventType::Exception))
}

#[derive(Deserialize)]
pub(crate) struct TypeQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Sent by the Continue button: with no type, nothing was chosen.
    action: Option<String>,
}

/// `GET /cases/{reference}/events/new[?type=TYPE]`.
pub(crate) async fn new_event(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Query(query): Query<TypeQuery>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let view = state
        .services()
        .case_for_recording(&user.caller(Source::Form), &reference)
        .await?;
    let Some(asked) = query.kind.as_deref() else {
        return event_types_page(&user, &view, query.action.is_some());
    };
    if asked == EventType::Exception.as_str() {
        return Ok(
            Redirect::to(&format!("{}/exceptions/new", case_address(&reference))).into_response(),
        );
    }
    let Some(kind) = recordable(Some(asked)) else {
        return event_types_page(&user, &view, true);
    };
    blank_form(&user, &view, Mode::Record, kind)
}

/// `POST /cases/{reference}/events/new`. A step that would make the case's history questionable
/// (`tandem_core::guidance::warnings_if_recorded`) is not saved at once: the form comes back
/// with the warnings, and saves only when sent again with a reason for going on.
pub(crate) async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let services = state.services();
    let caller = user.caller(Source::Form);
    let Some(kind) = recordable(values.get("type").map(String::as_str)) else {
        let view = services.case_for_recording(&caller, &reference).await?;
        return event_types_page(&user, &view, true);
    };
    let basis = Basis::sent(&values);
    let going_on = values.get("go_on").is_some_and(|v| v == "1");
    let mut fields = case_fields::fields(kind);
    if going_on {
        fields.push(GO_ON_REASON);
    }
    let view = services.case_for_recording(&caller, &reference).await?;
    let today = state.today();
    let questionable =
        |event: &tandem_core::Event| warnings_if_recorded(&view.case.case_file(), event, today);
    let again = match case_fields::read(&fields, &values, today).and_then(|read| {
        let event = case_fields::event(kind, &fields, &read)?;
        Ok((event, read))
    }) {
        Ok((event, read)) => {
            let warnings = questionable(&event);
            let result = if warnings.is_empty() {
                services
                    .record_event(&caller, &reference, basis.version, &event)
                    .await
            } else if going_on {
                let reason = read
                    .iter()
                    .find(|(name, _)| *name == GO_ON_REASON.name)
                    .map_or("", |(_, text)| text.as_str());
                services
                    .record_event_noting(&caller, &reference, basis.version, &event, reason)
                    .await
            } else {
                return show_again(
                    &user,
                    &view,
                    Mode::Record,
                    kind,
                    &values,
                    Again::Confirm(warnings, Problems::default()),
                    basis,
                );
            };
            match after_write(result, &fields)? {
                None => return Ok(done(&reference, "recorded")),
                Some(Again::Problems(problems)) if going_on => Again::Confirm(warnings, problems),
                Some(again) => again,
            }
        }
        // Still asking for the reason after a warning: keep the warnings on the page.
        Err(problems) if going_on => {
            let answers = case_fields::fields(kind);
            let warnings = case_fields::read(&answers, &values, today)
                .and_then(|read| case_fields::event(kind, &answers, &read))
                .map(|event| questionable(&event))
                .unwrap_or_default();
            Again::Confirm(warnings, problems)
        }
        Err(problems) => Again::Problems(problems),
    };
    let view = match again {
        Again::Conflict => services.case_for_recording(&caller, &reference).await?,
        _ => view,
    };
    show_again(&user, &view, Mode::Record, kind, &values, again, basis)
}

/// Shows an event form again: with its problems (422), after a conflict (409) with what
/// changed, based now on the current version, or with warnings to confirm before saving (200,
/// or 422 when the confirmation itself has a problem).
pub(super) fn show_again(
    user: &CurrentUser,
    view: &CaseView,
    mode: Mode,
    kind: EventType,
    values: &Values,
    again: Again,
    basis: Basis,
) -> Result<Response, WebError> {
    let shown = Shown::of(again, basis, view)?;
    let form = EventForm {
        mode,
        kind,
        values,
        problems: &shown.problems,
        basis: shown.basis,
        notices: shown.notices,
        warnings: shown.warnings,
        listed: &view.advice_providers,
    };
    render(form.page(user, view)?, shown.status)
}
