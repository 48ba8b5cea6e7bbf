//! The forms that change a case: record the next step, correct or withdraw a recorded event, and
//! claim a statutory exception. Handlers read the form, call a service (which checks the
//! permission and audits) and show the form again or send the browser back to the case.
//!
//! Every form carries the case version it was filled in against and the last history row the
//! user saw; when someone else changed the case meanwhile, the form comes back with what was
//! typed and a list of the changes, based on the new version.

mod correct;
mod exception;
mod record;

pub(crate) use correct::{correct, correct_form, withdraw, withdraw_form};
pub(crate) use exception::{exception, new_exception};
pub(crate) use record::{new_event, record};

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tandem_app::services::{CaseView, Recorded, ServiceError};
use tandem_app::services::{Correction, EventId, EventRecord, StoreError};
use tandem_core::{Event, EventType, Reference, dates};

use crate::Html;
use crate::components::NotificationBanner;
use crate::error::{WebError, html};
use crate::html::escape;
use crate::pages::case_fields::{self, Field, Problems, REASON, Values};
use crate::pages::forms::{FormPage, back_link, button};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;

pub(super) const SECTION: &str = "/cases";

/// A case form's page title: the form's heading and the case it changes, so that the browser
/// tab (and a screen reader's first words) say both.
pub(super) fn page_title(heading: &str, reference: &Reference) -> String {
    format!("{heading} – {reference}")
}

pub(super) fn case_address(reference: &Reference) -> String {
    format!("/cases/{reference}")
}

pub(super) fn done(reference: &Reference, what: &str) -> Response {
    Redirect::to(&format!("/cases/{reference}?done={what}")).into_response()
}

/// The version a form was filled in against and the last history row its user saw.
#[derive(Debug, Clone, Copy)]
pub(super) struct Basis {
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
pub(super) enum Again {
    Problems(Problems),
    /// Someone else changed the case after the form was filled in.
    Conflict,
}

/// Sorts a write's result: saved, to show again, or an error page.
pub(super) fn after_write(
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
pub(super) fn conflict_banner(view: &CaseView, seen: i64) -> askama::Result<Html> {
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
pub(super) enum Mode {
    Record,
    Correct(EventId),
    Exception,
}

/// Everything an event form shows.
pub(super) struct EventForm<'a> {
    mode: Mode,
    kind: EventType,
    values: &'a Values,
    problems: &'a Problems,
    basis: Basis,
    notices: Vec<Html>,
    /// The advice providers a request may name ([`CaseView::advice_providers`]).
    listed: &'a [String],
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
        let fields =
            case_fields::render_listed(&self.fields(), self.values, self.problems, self.listed)?;
        Ok(FormPage {
            layout: Layout::signed_in(user, page_title(&heading, reference), SECTION)
                .with_errors(has_errors),
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

pub(super) fn render(page: FormPage, status: StatusCode) -> Result<Response, WebError> {
    Ok(html(status, page.render()?))
}
