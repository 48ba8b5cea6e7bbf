//! The forms that change a case: record the next step, correct or withdraw a recorded event, and
//! claim a statutory exception. Handlers read the form, call a service (which checks the
//! permission and audits) and show the form again or send the browser back to the case.
//!
//! Every form carries the case version it was filled in against and the last history row the
//! user saw; when someone else changed the case meanwhile, the form comes back with what was
//! typed and a list of the changes, based on the new version.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::services::{CaseView, Recorded, ServiceError};
use tandem_app::services::{Correction, EventId, EventRecord, Source, StoreError};
use tandem_core::exceptions::{Verdict, assess_claim};
use tandem_core::next_steps::next_steps;
use tandem_core::{Event, EventDetail, EventType, Reference, dates};

use crate::Html;
use crate::components::{
    BackLink, Button, ChoiceItem, ErrorLink, ErrorSummary, Fieldset, Hint, InsetText, Legend,
    NotificationBanner, Radios, SummaryCell, SummaryList, SummaryRow, WarningText,
};
use crate::error::{WebError, html};
use crate::html::escape;
use crate::pages::case_fields::{self, Field, Problems, REASON, Values};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

const SECTION: &str = "/cases";

/// A page holding one form that changes a case.
#[derive(Template)]
#[template(path = "pages/case-form.html")]
pub(crate) struct FormPage {
    pub(crate) layout: Layout,
    pub(crate) back_link: Html,
    pub(crate) caption: String,
    pub(crate) heading: String,
    pub(crate) error_summary: Option<Html>,
    /// Banners above the heading: a conflict, a verdict.
    pub(crate) notices: Vec<Html>,
    /// What comes between the heading and the form.
    pub(crate) intro: Vec<Html>,
    pub(crate) action: String,
    pub(crate) csrf_token: String,
    pub(crate) hidden: Vec<(&'static str, String)>,
    pub(crate) fields: Vec<Html>,
    pub(crate) buttons: Vec<Html>,
    pub(crate) cancel: String,
}

pub(crate) fn back_link(href: &str, text: &str) -> askama::Result<Html> {
    Html::render(&BackLink {
        text: Some(text.to_owned()),
        href: Some(href.to_owned()),
        ..BackLink::default()
    })
}

/// A submit button; `choice` names it (`action=VALUE`) when a form has several.
pub(crate) fn button(
    text: &str,
    choice: Option<&str>,
    classes: Option<&str>,
) -> askama::Result<Html> {
    Html::render(&Button {
        text: Some(text.to_owned()),
        name: choice.map(|_| "action".to_owned()),
        value: choice.map(str::to_owned),
        classes: classes.map(str::to_owned),
        prevent_double_click: Some(true),
        ..Button::default()
    })
}

/// A reference from the address; one that cannot exist is a page that does not.
pub(crate) fn reference(text: &str) -> Result<Reference, WebError> {
    Reference::parse(text).map_err(|_| WebError::NotFound)
}

fn case_address(reference: &Reference) -> String {
    format!("/cases/{reference}")
}

fn done(reference: &Reference, what: &str) -> Response {
    Redirect::to(&format!("/cases/{reference}?done={what}")).into_response()
}

/// The version a form was filled in against and the last history row its user saw.
#[derive(Debug, Clone, Copy)]
struct Basis {
    version: i64,
    seen: i64,
}

impl Basis {
    fn of(view: &CaseView) -> Self {
        Self {
            version: view.case.record.version,
            seen: view.case.history.iter().map(|r| r.seq).max().unwrap_or(0),
        }
    }

    /// As the form sent it; a missing or altered value simply fails the version check.
    fn sent(values: &Values) -> Self {
        let number = |name: &str| {
            values
                .get(name)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0)
        };
        Self {
            version: number("version"),
            seen: number("seen"),
        }
    }

    fn hidden(self) -> [(&'static str, String); 2] {
        [
            ("version", self.version.to_string()),
            ("seen", self.seen.to_string()),
        ]
    }
}

/// What a write that did not go through leaves to show.
enum Again {
    Problems(Problems),
    /// Someone else changed the case after the form was filled in.
    Conflict,
}

/// Sorts a write's result: saved, to show again, or an error page.
fn after_write(
    result: Result<Recorded, ServiceError>,
    fields: &[Field],
) -> Result<Option<Again>, WebError> {
    match result {
        Ok(_) => Ok(None),
        Err(ServiceError::Invalid(errors)) => Ok(Some(Again::Problems(Problems::from_service(
            fields, errors,
        )))),
        Err(ServiceError::Conflict { .. }) => Ok(Some(Again::Conflict)),
        // An event already corrected or withdrawn, or not of this case: not there to change.
        Err(ServiceError::Store(
            StoreError::EventNotFound { .. } | StoreError::AlreadySuperseded { .. },
        )) => Err(WebError::NotFound),
        Err(other) => Err(other.into()),
    }
}

/// The banner telling what changed since the user opened the form.
#[expect(clippy::expect_used, reason = "writing to a string")]
fn conflict_banner(view: &CaseView, seen: i64) -> askama::Result<Html> {
    let mut list = String::new();
    let changes: Vec<String> = view
        .case
        .history
        .iter()
        .filter(|r| r.seq > seen)
        .map(|r| describe_change(view, r))
        .collect();
    if changes.is_empty() {
        list.push_str(
            "<p class=\"govuk-body\">Someone changed who manages the case or its details.</p>",
        );
    } else {
        list.push_str("<ul class=\"govuk-list govuk-list--bullet\">");
        for change in changes {
            list.push_str("<li>");
            escape(&mut list, &change).expect("writing to a string");
            list.push_str("</li>");
        }
        list.push_str("</ul>");
    }
    let markup = format!(
        "<h3 class=\"govuk-notification-banner__heading\">Someone else changed this case while you were filling in this form</h3>\
         {list}\
         <p class=\"govuk-body\">Your answers have not been saved. Check the changes and your answers, then save again.</p>"
    );
    Html::render(&NotificationBanner {
        html: Some(Html::trusted(markup)),
        role: Some("alert".into()),
        ..NotificationBanner::default()
    })
}

/// "Sam Jones recorded Decision whether to assess (10 February 2026)".
fn describe_change(view: &CaseView, record: &EventRecord) -> String {
    let who = record.recorded_by_name.as_deref().unwrap_or("Someone");
    let about = |event: &Event| {
        format!(
            "{} ({})",
            case_fields::title(event.event_type()),
            dates::long(event.date)
        )
    };
    let earlier = record
        .supersedes
        .and_then(|id| view.case.history.iter().find(|r| r.id == id))
        .and_then(|r| r.event.as_ref());
    match (record.correction, &record.event, earlier) {
        (Some(Correction::Withdraw), _, Some(before)) => {
            format!("{who} withdrew {}", about(before))
        }
        (Some(Correction::Correct), Some(after), Some(before)) => {
            format!("{who} corrected {} to {}", about(before), about(after))
        }
        (_, Some(event), _) => format!("{who} recorded {}", about(event)),
        (_, None, _) => format!("{who} withdrew an event"),
    }
}

/// Which form a page shows.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Record,
    Correct(EventId),
    Exception,
}

/// Everything an event form shows.
struct EventForm<'a> {
    mode: Mode,
    kind: EventType,
    values: &'a Values,
    problems: &'a Problems,
    basis: Basis,
    notices: Vec<Html>,
}

impl EventForm<'_> {
    fn fields(&self) -> Vec<Field> {
        let mut fields = case_fields::fields(self.kind);
        if let Mode::Correct(_) = self.mode {
            fields.push(REASON);
        }
        fields
    }

    fn page(self, user: &CurrentUser, reference: &Reference) -> Result<FormPage, WebError> {
        let case = case_address(reference);
        let title = case_fields::title(self.kind);
        let (heading, action, back, buttons) = match self.mode {
            Mode::Record => (
                title.to_owned(),
                format!("{case}/events/new"),
                back_link(&format!("{case}/events/new"), "Back")?,
                vec![button("Save", None, None)?],
            ),
            Mode::Correct(id) => (
                format!("Correct: {}", title.to_lowercase()),
                format!("{case}/events/{id}/correct"),
                back_link(&case, "Back to the case")?,
                vec![button("Save correction", None, None)?],
            ),
            Mode::Exception => (
                "Record a statutory exception".to_owned(),
                format!("{case}/exceptions/new"),
                back_link(&case, "Back to the case")?,
                vec![
                    button(
                        "Check whether it qualifies",
                        Some("check"),
                        Some("govuk-button--secondary"),
                    )?,
                    button("Record exception", Some("save"), None)?,
                ],
            ),
        };
        let intro = match self.mode {
            Mode::Exception => vec![Html::trusted(
                "<p class=\"govuk-body\">An exception does not stop the clock. When it qualifies, \
                 the time limit does not apply and the work must still be done as soon as \
                 practicable. Record why meeting the limit was impractical and what shows it.</p>",
            )],
            _ => Vec::new(),
        };
        let mut hidden = vec![("type", self.kind.as_str().to_owned())];
        hidden.extend(self.basis.hidden());
        let has_errors = !self.problems.is_empty();
        let fields = case_fields::render(&self.fields(), self.values, self.problems)?;
        Ok(FormPage {
            layout: Layout::signed_in(user, heading.clone(), SECTION).with_errors(has_errors),
            back_link: back,
            caption: reference.to_string(),
            heading,
            error_summary: self.problems.errors.summary()?,
            notices: self.notices,
            intro,
            action,
            csrf_token: user.csrf_token(),
            hidden,
            fields,
            buttons,
            cancel: case,
        })
    }
}

fn render(page: FormPage, status: StatusCode) -> Result<Response, WebError> {
    Ok(html(status, page.render()?))
}

// ---------------------------------------------------------------------------------------------
// Record the next step

#[derive(Template)]
#[template(path = "pages/event-types.html")]
struct EventTypesPage {
    layout: Layout,
    back_link: Html,
    error_summary: Option<Html>,
    action: String,
    choices: Html,
    button: Html,
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
    let steps = next_steps(&view.timeline);
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
    escape(&mut caption, reference.as_str()).expect("writing to a string");
    let hint = if steps.likely.is_empty() {
        "Nothing more is due on this case."
    } else {
        "The steps this case is most likely to need next are listed first."
    };
    let choices = Html::render(&Radios {
        name: "type".into(),
        items,
        hint: Some(Hint {
            text: Some(hint.into()),
            ..Hint::default()
        }),
        error_message: problem.then(|| crate::components::ErrorMessage {
            text: Some(CHOOSE_TYPE.into()),
            ..Default::default()
        }),
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
    let error_summary = if problem {
        Some(Html::render(&ErrorSummary {
            title_text: Some("There is a problem".into()),
            error_list: vec![ErrorLink {
                text: Some(CHOOSE_TYPE.into()),
                href: Some("#type".into()),
                ..ErrorLink::default()
            }],
            ..ErrorSummary::default()
        })?)
    } else {
        None
    };
    let page = EventTypesPage {
        layout: Layout::signed_in(user, "What happened?", SECTION).with_errors(problem),
        back_link: back_link(&case_address(reference), "Back to the case")?,
        error_summary,
        action: format!("{}/events/new", case_address(reference)),
        choices,
        button: button("Continue", None, None)?,
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
}

/// `GET /cases/{reference}/events/new[?type=TYPE]`.
pub(crate) async fn new_event(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Query(query): Query<TypeQuery>,
) -> Result<Response, WebError> {
    let reference = self::reference(&reference)?;
    let view = state
        .services()
        .case_for_recording(&user.caller(Source::Form), &reference)
        .await?;
    let Some(asked) = query.kind.as_deref() else {
        return event_types_page(&user, &view, false);
    };
    if asked == EventType::Exception.as_str() {
        return Ok(
            Redirect::to(&format!("{}/exceptions/new", case_address(&reference))).into_response(),
        );
    }
    let Some(kind) = recordable(Some(asked)) else {
        return event_types_page(&user, &view, true);
    };
    blank_form(&user, &reference, &view, Mode::Record, kind)
}

/// `POST /cases/{reference}/events/new`.
pub(crate) async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = self::reference(&reference)?;
    let services = state.services();
    let caller = user.caller(Source::Form);
    let Some(kind) = recordable(values.get("type").map(String::as_str)) else {
        let view = services.case_for_recording(&caller, &reference).await?;
        return event_types_page(&user, &view, true);
    };
    let basis = Basis::sent(&values);
    let fields = case_fields::fields(kind);
    let again = match case_fields::read(&fields, &values, state.today())
        .and_then(|read| case_fields::event(kind, &fields, &read))
    {
        Ok(event) => {
            let result = services
                .record_event(&caller, &reference, basis.version, &event)
                .await;
            match after_write(result, &fields)? {
                None => return Ok(done(&reference, "recorded")),
                Some(again) => again,
            }
        }
        Err(problems) => Again::Problems(problems),
    };
    let view = services.case_for_recording(&caller, &reference).await?;
    show_again(&user, &view, Mode::Record, kind, &values, again, basis)
}

/// Shows an event form again: with its problems (422), or after a conflict (409) with what
/// changed, based now on the current version.
fn show_again(
    user: &CurrentUser,
    view: &CaseView,
    mode: Mode,
    kind: EventType,
    values: &Values,
    again: Again,
    basis: Basis,
) -> Result<Response, WebError> {
    let reference = &view.case.record.reference;
    let (problems, basis, notices, status) = match again {
        Again::Problems(problems) => (
            problems,
            basis,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Again::Conflict => (
            Problems::default(),
            Basis::of(view),
            vec![conflict_banner(view, basis.seen)?],
            StatusCode::CONFLICT,
        ),
    };
    let form = EventForm {
        mode,
        kind,
        values,
        problems: &problems,
        basis,
        notices,
    };
    render(form.page(user, reference)?, status)
}

// ---------------------------------------------------------------------------------------------
// Correct or withdraw an event

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
    let reference = self::reference(&reference)?;
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
    };
    render(form.page(&user, &reference)?, StatusCode::OK)
}

/// `POST /cases/{reference}/events/{event_id}/correct`.
pub(crate) async fn correct(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, EventId)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = self::reference(&reference)?;
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
        Again::Problems(_) => view,
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
        layout: Layout::signed_in(user, heading.clone(), SECTION).with_errors(!problems.is_empty()),
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
    let reference = self::reference(&reference)?;
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
    let reference = self::reference(&reference)?;
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
        Again::Problems(problems) => (
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

// ---------------------------------------------------------------------------------------------
// Claim a statutory exception

/// `GET /cases/{reference}/exceptions/new`.
pub(crate) async fn new_exception(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let reference = self::reference(&reference)?;
    let view = state
        .services()
        .case_for_recording(&user.caller(Source::Form), &reference)
        .await?;
    blank_form(
        &user,
        &reference,
        &view,
        Mode::Exception,
        EventType::Exception,
    )
}

/// A form for `kind` with nothing filled in yet, based on the case as `view` shows it.
fn blank_form(
    user: &CurrentUser,
    reference: &Reference,
    view: &CaseView,
    mode: Mode,
    kind: EventType,
) -> Result<Response, WebError> {
    let form = EventForm {
        mode,
        kind,
        values: &Values::new(),
        problems: &Problems::default(),
        basis: Basis::of(view),
        notices: Vec::new(),
    };
    render(form.page(user, reference)?, StatusCode::OK)
}

/// `POST /cases/{reference}/exceptions/new`: `action=check` shows whether the exception
/// qualifies without saving; `action=save` records it.
pub(crate) async fn exception(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = self::reference(&reference)?;
    let services = state.services();
    let caller = user.caller(Source::Form);
    let kind = EventType::Exception;
    let basis = Basis::sent(&values);
    let fields = case_fields::fields(kind);
    let checking = values.get("action").map(String::as_str) == Some("check");
    let again = match case_fields::read(&fields, &values, state.today())
        .and_then(|read| case_fields::event(kind, &fields, &read))
    {
        Ok(event) if checking => {
            let view = services.case_for_recording(&caller, &reference).await?;
            let EventDetail::Exception(claim) = &event.detail else {
                unreachable!("the exception form builds exceptions");
            };
            let verdict = assess_claim(
                &view.case.case_file(),
                event.date,
                claim,
                view.timeline.as_of,
            );
            let form = EventForm {
                mode: Mode::Exception,
                kind,
                values: &values,
                problems: &Problems::default(),
                basis,
                notices: vec![verdict_notice(&verdict)?],
            };
            return render(form.page(&user, &reference)?, StatusCode::OK);
        }
        Ok(event) => {
            let result = services
                .record_event(&caller, &reference, basis.version, &event)
                .await;
            match after_write(result, &fields)? {
                None => return Ok(done(&reference, "exception")),
                Some(again) => again,
            }
        }
        Err(problems) => Again::Problems(problems),
    };
    let view = services.case_for_recording(&caller, &reference).await?;
    show_again(&user, &view, Mode::Exception, kind, &values, again, basis)
}

/// Whether the exception qualifies, which time limits it disapplies and under which
/// regulation, or why not.
#[expect(clippy::expect_used, reason = "writing to a string")]
fn verdict_notice(verdict: &Verdict) -> askama::Result<Html> {
    if let Some(reason) = &verdict.reason {
        return Html::render(&WarningText {
            text: Some(format!(
                "This exception does not qualify: {reason}. You can still record it, but the \
                 deadlines will not change."
            )),
            ..WarningText::default()
        });
    }
    let mut markup = String::from(
        "<h2 class=\"govuk-heading-m\">This exception qualifies</h2><ul class=\"govuk-list govuk-list--bullet\">",
    );
    for limit in &verdict.disapplies {
        markup.push_str("<li>");
        escape(&mut markup, &limit.explanation).expect("writing to a string");
        markup.push_str(" The time limit is set by ");
        escape(&mut markup, limit.rule).expect("writing to a string");
        markup.push_str(".</li>");
    }
    markup.push_str("</ul>");
    Html::render(&InsetText {
        html: Some(Html::trusted(markup)),
        ..InsetText::default()
    })
}
