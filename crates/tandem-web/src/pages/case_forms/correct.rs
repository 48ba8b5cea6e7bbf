//! Correct or withdraw a recorded event, saying why; both stay in the history.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use tandem_app::services::CaseView;
use tandem_app::services::{EventId, Source};
use tandem_core::Event;

use super::record::show_again;
use super::{
    Again, Basis, EventForm, Mode, SECTION, after_write, case_address, conflict_banner, done,
    page_title, render,
};
use crate::Html;
use crate::components::{SummaryCell, SummaryList, SummaryRow, WarningText};
use crate::error::WebError;
use crate::pages::case_fields::{self, Problems, REASON, Values};
use crate::pages::forms::{self, FormPage, back_link, button};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

/// The event `id` of the case if it still counts (not already corrected or withdrawn).
fn effective_event(view: &CaseView, id: EventId) -> Result<Event, WebError> {
    view.case
        .effective()
        .find(|r| r.id == id)
        .and_then(|r| r.event.clone())
        .ok_or(WebError::NotFound)
}

/// `GET /cases/{reference}/events/{event_id}/correct`.
pub(crate) async fn correct_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, EventId)>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let view = state
        .services()
        .case_for_recording(&user.caller(Source::Form), &reference)
        .await?;
    let event = effective_event(&view, id)?;
    let kind = event.event_type();
    let values = case_fields::values_of(&event, &case_fields::fields(kind));
    let form = EventForm {
        mode: Mode::Correct(id),
        kind,
        values: &values,
        problems: &Problems::default(),
        basis: Basis::of(&view),
        notices: Vec::new(),
        warnings: Vec::new(),
        listed: &view.advice_providers,
    };
    render(form.page(&user, &view)?, StatusCode::OK)
}

/// `POST /cases/{reference}/events/{event_id}/correct`.
pub(crate) async fn correct(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, EventId)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let services = state.services();
    let caller = user.caller(Source::Form);
    // The type is the recorded event's: a correction changes its answers, never what it was.
    let view = services.case_for_recording(&caller, &reference).await?;
    let kind = effective_event(&view, id)?.event_type();
    let basis = Basis::sent(&values);
    let mut fields = case_fields::fields(kind);
    fields.push(REASON);
    let again = match case_fields::read(&fields, &values, state.today()) {
        Ok(read) => match case_fields::event(kind, &fields, &read) {
            Ok(event) => {
                let reason = answer(&read, REASON.name);
                let result = services
                    .correct_event(&caller, &reference, basis.version, id, &event, reason)
                    .await;
                match after_write(result, &fields)? {
                    None => return Ok(done(&reference, "corrected")),
                    Some(again) => again,
                }
            }
            Err(problems) => Again::Problems(problems),
        },
        Err(problems) => Again::Problems(problems),
    };
    let view = match again {
        Again::Conflict => services.case_for_recording(&caller, &reference).await?,
        _ => view,
    };
    show_again(&user, &view, Mode::Correct(id), kind, &values, again, basis)
}

fn answer<'a>(read: &'a [(&'static str, String)], name: &str) -> &'a str {
    read.iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, v)| v.as_str())
}

/// What a form shows besides its fields' definitions.
struct Shown<'a> {
    values: &'a Values,
    problems: &'a Problems,
    basis: Basis,
    notices: Vec<Html>,
}

/// The withdrawal page: the event's answers, and why it should not count.
fn withdraw_page(
    user: &CurrentUser,
    view: &CaseView,
    id: EventId,
    event: &Event,
    shown: Shown,
) -> Result<FormPage, WebError> {
    let Shown {
        values,
        problems,
        basis,
        notices,
    } = shown;
    let reference = &view.case.record.reference;
    let case = case_address(reference);
    let heading = format!(
        "Withdraw: {}",
        case_fields::title(event.event_type()).to_lowercase()
    );
    let rows = case_fields::describe(event)
        .into_iter()
        .map(|(question, answer)| {
            Some(SummaryRow {
                key: SummaryCell {
                    text: Some(question.to_owned()),
                    ..SummaryCell::default()
                },
                value: SummaryCell {
                    text: Some(answer),
                    ..SummaryCell::default()
                },
                ..SummaryRow::default()
            })
        })
        .collect();
    let intro = vec![
        Html::render(&SummaryList {
            rows,
            ..SummaryList::default()
        })?,
        Html::render(&WarningText {
            text: Some(
                "The event will no longer count towards the case’s deadlines. It stays in the \
                 history with your name and reason."
                    .into(),
            ),
            ..WarningText::default()
        })?,
    ];
    Ok(FormPage {
        layout: Layout::signed_in(user, page_title(&heading, reference), SECTION)
            .with_errors(!problems.is_empty()),
        back_link: back_link(&case, "Back to the case")?,
        caption: reference.to_string(),
        heading,
        error_summary: problems.errors.summary()?,
        notices,
        intro,
        action: format!("{case}/events/{id}/withdraw"),
        csrf_token: user.csrf_token(),
        hidden: basis.hidden().to_vec(),
        fields: case_fields::render(&[REASON], values, problems)?,
        buttons: vec![button(
            "Withdraw event",
            None,
            Some("govuk-button--warning"),
        )?],
        cancel: case,
    })
}

/// `GET /cases/{reference}/events/{event_id}/withdraw`.
pub(crate) async fn withdraw_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, EventId)>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let view = state
        .services()
        .case_for_recording(&user.caller(Source::Form), &reference)
        .await?;
    let event = effective_event(&view, id)?;
    let shown = Shown {
        values: &Values::new(),
        problems: &Problems::default(),
        basis: Basis::of(&view),
        notices: Vec::new(),
    };
    let page = withdraw_page(&user, &view, id, &event, shown)?;
    render(page, StatusCode::OK)
}

/// `POST /cases/{reference}/events/{event_id}/withdraw`.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, EventId)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let services = state.services();
    let caller = user.caller(Source::Form);
    let view = services.case_for_recording(&caller, &reference).await?;
    let event = effective_event(&view, id)?;
    let basis = Basis::sent(&values);
    let again = match case_fields::read(&[REASON], &values, state.today()) {
        Ok(read) => {
            let result = services
                .withdraw_event(
                    &caller,
                    &reference,
                    basis.version,
                    id,
                    answer(&read, REASON.name),
                )
                .await;
            match after_write(result, &[REASON])? {
                None => return Ok(done(&reference, "withdrawn")),
                Some(again) => again,
            }
        }
        Err(problems) => Again::Problems(problems),
    };
    let (view, problems, shown_basis, notices, status) = match again {
        // A withdrawal adds nothing to the history that could warn.
        Again::Problems(problems) | Again::Confirm(_, problems) => (
            view,
            problems,
            basis,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Again::Conflict => {
            let view = services.case_for_recording(&caller, &reference).await?;
            let notices = vec![conflict_banner(&view, basis.seen)?];
            let current = Basis::of(&view);
            (
                view,
                Problems::default(),
                current,
                notices,
                StatusCode::CONFLICT,
            )
        }
    };
    // After a conflict the event may itself have been corrected or withdrawn.
    effective_event(&view, id)?;
    let shown = Shown {
        values: &values,
        problems: &problems,
        basis: shown_basis,
        notices,
    };
    let page = withdraw_page(&user, &view, id, &event, shown)?;
    render(page, status)
}
