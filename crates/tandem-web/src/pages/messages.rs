//! Messages about a case: a family or a service writes to the council, staff reply and record
//! calls, emails, letters and meetings, and the duty list shows what is waiting for a reply.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveTime, TimeZone};
use tandem_app::services::{MessageRecord, NewContact, ServiceError, Source};
use tandem_core::caseload::{RagStatus, describe_days_left};
use tandem_core::messages::{Channel, Direction};
use tandem_core::{Date, Reference, dates};

use crate::Html;
use crate::components::InsetText;
use crate::error::{WebError, html};
use crate::pages::case_fields::{self, Control, Field, Problems, Required, Values};
use crate::pages::forms::{self, FormErrors, FormPage, back_link, button, textarea};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

/// One message as a case page lists it.
pub(crate) struct MessageLine {
    pub(crate) heading: String,
    pub(crate) body: String,
    /// "Reply due by 9 December 2026 (2 days left)", "Answered", or nothing for outgoing.
    pub(crate) status: String,
    pub(crate) late: bool,
    /// Where staff reply to it, while it waits.
    pub(crate) reply_href: Option<String>,
}

impl MessageLine {
    /// `message` as `viewer_staff` (may reply) sees it on `today`.
    pub(crate) fn of(message: &MessageRecord, today: Date, viewer_staff: bool) -> Self {
        let when = dates::long(dates::england_date(message.sent_at));
        let who = message
            .author_name
            .clone()
            .or_else(|| message.counterpart.clone())
            .unwrap_or_else(|| "The council".to_owned());
        let heading = match message.direction {
            Direction::Incoming => format!("From {who}, {when} ({})", message.channel.label()),
            Direction::Outgoing => format!(
                "From {who} at the council, {when} ({})",
                message.channel.label()
            ),
        };
        let waiting = message.direction == Direction::Incoming && message.replied_at.is_none();
        let (status, late) = match (message.response_due, message.replied_at) {
            (Some(_), Some(at)) => (
                format!("Answered on {}", dates::long(dates::england_date(at))),
                false,
            ),
            (Some(due), None) => (
                format!(
                    "Reply due by {} ({})",
                    dates::long(due),
                    describe_days_left(due, today).to_lowercase()
                ),
                RagStatus::of(due, today) == RagStatus::Overdue,
            ),
            (None, _) => (String::new(), false),
        };
        Self {
            heading,
            body: message.body.clone(),
            status,
            late,
            reply_href: (viewer_staff && waiting)
                .then(|| format!("/cases/{}/messages/{}/reply", message.reference, message.id)),
        }
    }
}

fn case_address(reference: &Reference) -> String {
    format!("/cases/{reference}")
}

/// The page around one message form.
#[expect(clippy::too_many_arguments, reason = "one page's parts")]
fn page(
    user: &CurrentUser,
    reference: &Reference,
    heading: &str,
    intro: Vec<Html>,
    action: String,
    fields: Vec<Html>,
    button_text: &str,
    errors: &FormErrors,
) -> Result<Response, WebError> {
    let page = FormPage {
        layout: Layout::signed_in(user, format!("{heading}: {reference}"), "/cases")
            .with_errors(!errors.is_empty()),
        back_link: back_link(&case_address(reference), "Back to the case")?,
        caption: format!("Case {reference}"),
        heading: heading.to_owned(),
        error_summary: errors.summary()?,
        notices: Vec::new(),
        intro,
        action,
        csrf_token: user.csrf_token(),
        hidden: Vec::new(),
        fields,
        buttons: vec![button(button_text, None, None)?],
        cancel: case_address(reference),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(status, page.render()?))
}

/// `GET /cases/{reference}/messages/new`: a family or a service writes to the council.
pub(crate) async fn new_message(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    // Reading the case first: someone who may not see it gets "not found", not a form.
    state
        .services()
        .view_case(&user.caller(Source::Form), &reference, None)
        .await?;
    send_page(&state, &user, &reference, "", &FormErrors::default())
}

fn send_page(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
    value: &str,
    errors: &FormErrors,
) -> Result<Response, WebError> {
    let intro = Html::render(&InsetText {
        text: Some(format!(
            "Your case manager, or the council’s SEND team if they are away, will reply within {} \
             working days. In an emergency, call the council instead.",
            state.config().reply_working_days
        )),
        ..InsetText::default()
    })?;
    page(
        user,
        reference,
        "Send a message to the council",
        vec![intro],
        format!("/cases/{reference}/messages/new"),
        vec![textarea(
            "message",
            "Your message",
            "Do not include bank details or passwords",
            value,
            errors,
        )?],
        "Send message",
        errors,
    )
}

/// `POST /cases/{reference}/messages/new`.
pub(crate) async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let text = values.get("message").map_or("", String::as_str);
    match state
        .services()
        .send_message(&user.caller(Source::Form), &reference, text)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{reference}?done=message_sent")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            send_page(&state, &user, &reference, text, &renamed(errors, "message"))
        }
        Err(other) => Err(other.into()),
    }
}

/// Service field errors shown against the form's one field.
fn renamed(errors: Vec<tandem_app::services::FieldError>, field: &str) -> FormErrors {
    FormErrors::new(
        errors
            .into_iter()
            .map(|e| tandem_app::services::FieldError::new(field, e.message))
            .collect(),
    )
}

/// The message being answered, from the case's log as staff read it; refused to anyone who
/// may not answer on the case.
async fn waiting_message(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
    id: i64,
) -> Result<MessageRecord, WebError> {
    may_record(state, user, reference).await?;
    state
        .services()
        .case_messages(&user.caller(Source::Form), reference)
        .await?
        .into_iter()
        .find(|m| m.id == id && m.direction == Direction::Incoming && m.replied_at.is_none())
        .ok_or(WebError::NotFound)
}

fn reply_page(
    user: &CurrentUser,
    message: &MessageRecord,
    value: &str,
    errors: &FormErrors,
    today: Date,
) -> Result<Response, WebError> {
    let line = MessageLine::of(message, today, false);
    let quoted = Html::render(&InsetText {
        text: Some(format!(
            "{}: “{}”. {}",
            line.heading, line.body, line.status
        )),
        ..InsetText::default()
    })?;
    page(
        user,
        &message.reference,
        "Reply to a message",
        vec![quoted],
        format!("/cases/{}/messages/{}/reply", message.reference, message.id),
        vec![textarea(
            "reply",
            "Your reply",
            "It is shown to the person who wrote, in Tandem",
            value,
            errors,
        )?],
        "Send reply",
        errors,
    )
}

/// `GET /cases/{reference}/messages/{id}/reply`.
pub(crate) async fn reply_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let message = waiting_message(&state, &user, &reference, id).await?;
    reply_page(&user, &message, "", &FormErrors::default(), state.today())
}

/// `POST /cases/{reference}/messages/{id}/reply`.
pub(crate) async fn reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, i64)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let text = values.get("reply").map_or("", String::as_str);
    match state
        .services()
        .reply(&user.caller(Source::Form), &reference, id, text)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{reference}?done=replied")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let message = waiting_message(&state, &user, &reference, id).await?;
            reply_page(
                &user,
                &message,
                text,
                &renamed(errors, "reply"),
                state.today(),
            )
        }
        Err(other) => Err(other.into()),
    }
}

/// The contact form: which way, how, with whom, when and what was said.
const CONTACT: &[Field] = &[
    Field {
        name: "direction",
        label: "Which way",
        hint: None,
        control: Control::Radios(&[
            ("incoming", "To the council"),
            ("outgoing", "From the council"),
        ]),
        required: Required::Yes("Select which way the contact went"),
    },
    Field {
        name: "channel",
        label: "How",
        hint: None,
        control: Control::Radios(&[
            ("phone", "Phone call"),
            ("email", "Email"),
            ("letter", "Letter"),
            ("meeting", "Meeting"),
        ]),
        required: Required::Yes("Select how the contact was made"),
    },
    Field {
        name: "counterpart",
        label: "Who it was with",
        hint: Some("For example, Mother, or Class teacher at Hillside Primary"),
        control: Control::Text,
        required: Required::Yes("Enter who the contact was with"),
    },
    Field {
        name: "at",
        label: "Date",
        hint: Some("Leave blank for today. For example, 27 3 2026"),
        control: Control::Date { future: false },
        required: Required::No,
    },
    Field {
        name: "body",
        label: "What was said",
        hint: Some("A short, factual summary"),
        control: Control::Textarea,
        required: Required::Yes("Enter what was said"),
    },
];

fn contact_page(
    user: &CurrentUser,
    reference: &Reference,
    values: &Values,
    problems: &Problems,
) -> Result<Response, WebError> {
    page(
        user,
        reference,
        "Record a call, email, letter or meeting",
        Vec::new(),
        format!("/cases/{reference}/contacts/new"),
        case_fields::render(CONTACT, values, problems)?,
        "Record contact",
        &problems.errors,
    )
}

/// `GET /cases/{reference}/contacts/new`.
pub(crate) async fn new_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    may_record(&state, &user, &reference).await?;
    contact_page(&user, &reference, &Values::new(), &Problems::default())
}

/// Refuses, before any form is read, someone who may not record on the case: a page for staff
/// must not tell others whether the case exists.
async fn may_record(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
) -> Result<(), WebError> {
    state
        .services()
        .case_for_recording(&user.caller(Source::Form), reference)
        .await?;
    Ok(())
}

/// `POST /cases/{reference}/contacts/new`.
pub(crate) async fn record_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    may_record(&state, &user, &reference).await?;
    let today = state.today();
    let read = match case_fields::read(CONTACT, &values, today) {
        Ok(read) => read,
        Err(problems) => return contact_page(&user, &reference, &values, &problems),
    };
    let answer = |name: &str| {
        read.iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let day = answer("at").parse::<Date>().unwrap_or(today);
    // A contact on an earlier day is dated at noon (its time is not known); today's is now.
    let at = if day == today {
        state.now()
    } else {
        chrono::Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN + chrono::Duration::hours(12)))
    };
    let contact = NewContact {
        direction: Direction::parse(answer("direction")).unwrap_or(Direction::Incoming),
        channel: Channel::parse(answer("channel")).unwrap_or(Channel::Phone),
        counterpart: answer("counterpart").to_owned(),
        body: answer("body").to_owned(),
        at,
    };
    match state
        .services()
        .record_contact(&user.caller(Source::Form), &reference, &contact)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{reference}?done=contact")).into_response()),
        Err(ServiceError::Invalid(found)) => contact_page(
            &user,
            &reference,
            &values,
            &Problems::from_service(CONTACT, found),
        ),
        Err(other) => Err(other.into()),
    }
}

/// One line of the duty list.
struct DutyLine {
    reference: String,
    from: String,
    received: String,
    due: String,
    days_left: String,
    late: bool,
    reply_href: String,
}

#[derive(Template)]
#[template(path = "pages/duty.html")]
struct DutyPage {
    layout: Layout,
    lines: Vec<DutyLine>,
}

/// `GET /duty`: incoming messages waiting for a reply, oldest first.
pub(crate) async fn duty(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let waiting = state
        .services()
        .awaiting_reply(&user.caller(Source::Form))
        .await?;
    let today = state.today();
    let lines = waiting
        .iter()
        .map(|m| {
            let due = m.response_due.unwrap_or(today);
            DutyLine {
                reference: m.reference.to_string(),
                from: m
                    .author_name
                    .clone()
                    .or_else(|| m.counterpart.clone())
                    .unwrap_or_default(),
                received: dates::long(dates::england_date(m.sent_at)),
                due: dates::long(due),
                days_left: describe_days_left(due, today),
                late: RagStatus::of(due, today) == RagStatus::Overdue,
                reply_href: format!("/cases/{}/messages/{}/reply", m.reference, m.id),
            }
        })
        .collect();
    let page = DutyPage {
        layout: Layout::signed_in(&user, "Messages awaiting a reply", "/duty"),
        lines,
    };
    Ok(html(StatusCode::OK, page.render()?))
}
