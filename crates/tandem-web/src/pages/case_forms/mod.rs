//! The forms that change a case: record the next step, correct or withdraw a recorded event, and
//! claim a statutory exception. Handlers read the form, call a service (which checks the
//! permission and audits) and show the form again or send the browser back to the case.
//!
//! Every form carries the case version it was filled in against and the last history row the
//! user saw; when someone else changed the case meanwhile, the form comes back with what was
//! typed and a list of the changes, based on the new version.

mod advice_requests;
mod correct;
mod exception;
mod record;

pub(crate) use advice_requests::{new_advice_requests, request_advice};
pub(crate) use correct::{correct, correct_form, withdraw, withdraw_form};
pub(crate) use exception::{exception, new_exception};
pub(crate) use record::{new_event, record};

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tandem_app::services::{CaseView, Recorded, ServiceError};
use tandem_app::services::{Correction, EventId, EventRecord, StoreError};
use tandem_core::caseload::describe_days_left;
use tandem_core::rules::{self, RuleId, rule};
use tandem_core::{Event, EventType, Milestone, Reference, Status, dates, guidance};

use crate::Html;
use crate::components::NotificationBanner;
use crate::error::{WebError, html};
use crate::html::escape;
use crate::pages::case_fields::{self, Field, GO_ON_REASON, Problems, REASON, Values};
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
    /// Saving would make the case questionable: the warnings, to go on with a reason (and any
    /// problem with that reason).
    Confirm(Vec<String>, Problems),
    /// Someone else changed the case after the form was filled in.
    Conflict,
}

/// What a form shown again carries, sorted from why it is shown again: with its problems (422),
/// after a conflict (409) with what changed, based now on the current version, or with warnings
/// to confirm before saving (200, or 422 when the confirmation itself has a problem).
pub(super) struct Shown {
    problems: Problems,
    basis: Basis,
    notices: Vec<Html>,
    warnings: Vec<String>,
    status: StatusCode,
}

impl Shown {
    /// `basis` is what the form was sent with; `view` the case as it now is.
    fn of(again: Again, basis: Basis, view: &CaseView) -> askama::Result<Self> {
        Ok(match again {
            Again::Problems(problems) => Self {
                problems,
                basis,
                notices: Vec::new(),
                warnings: Vec::new(),
                status: StatusCode::UNPROCESSABLE_ENTITY,
            },
            Again::Confirm(warnings, problems) => Self {
                status: if problems.is_empty() {
                    StatusCode::OK
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                problems,
                basis,
                notices: Vec::new(),
                warnings,
            },
            Again::Conflict => Self {
                problems: Problems::default(),
                basis: Basis::of(view),
                notices: vec![conflict_banner(view, basis.seen)?],
                warnings: Vec::new(),
                status: StatusCode::CONFLICT,
            },
        })
    }
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
    /// What saving would make questionable, shown before the save with the choice to go on
    /// (recording only; `tandem_core::guidance::warnings_if_recorded`).
    warnings: Vec<String>,
    /// The advice providers a request may name ([`CaseView::advice_providers`]).
    listed: &'a [String],
}

impl EventForm<'_> {
    fn fields(&self) -> Vec<Field> {
        let mut fields = case_fields::fields(self.kind);
        if let Mode::Correct(_) = self.mode {
            fields.push(REASON);
        }
        if !self.warnings.is_empty() {
            fields.push(GO_ON_REASON);
        }
        fields
    }

    fn page(self, user: &CurrentUser, view: &CaseView) -> Result<FormPage, WebError> {
        let reference = &view.case.record.reference;
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
        let mut intro = match self.mode {
            Mode::Exception => vec![Html::trusted(
                "<p class=\"govuk-body\">An exception does not stop the clock. When it qualifies, \
                 the time limit does not apply and the work must still be done as soon as \
                 practicable. Record why meeting the limit was impractical and what shows it.</p>",
            )],
            _ => Vec::new(),
        };
        intro.extend(due_dates(view, self.kind)?);
        let mut hidden = vec![("type", self.kind.as_str().to_owned())];
        hidden.extend(self.basis.hidden());
        let fields =
            case_fields::render_listed(&self.fields(), self.values, self.problems, self.listed)?;
        let mut notices = self.notices;
        let mut buttons = buttons;
        if !self.warnings.is_empty() {
            notices.push(warnings_notice(&self.warnings)?);
            hidden.push(("go_on", "1".to_owned()));
            buttons = vec![button("Save anyway", None, None)?];
        }
        let has_errors = !self.problems.is_empty();
        Ok(FormPage {
            layout: Layout::signed_in(user, page_title(&heading, reference), SECTION)
                .with_errors(has_errors),
            back_link: back,
            caption: format!(
                "{reference} – {}",
                crate::pages::case::case_child_name(&view.case.case_file())
            ),
            heading,
            error_summary: self.problems.errors.summary()?,
            notices,
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

/// The dates that bear on a form of `kind`: the open duties it would complete (or that a draft
/// leads to), and the final plan's 20 weeks while they run, each with the time left.
#[expect(clippy::expect_used, reason = "writing to a string")]
fn due_dates(view: &CaseView, kind: EventType) -> askama::Result<Option<Html>> {
    let timeline = &view.timeline;
    let today = timeline.as_of;
    let bears_on = |m: &Milestone| {
        let completes = rule(m.rule_id).completed_by == kind;
        let leads_to = matches!(
            (kind, m.rule_id),
            (EventType::DraftPlanIssued, RuleId::FinalPlan)
                | (EventType::AmendmentNoticeIssued, RuleId::AmendedPlan)
        );
        let headline = m.rule_id == RuleId::FinalPlan;
        matches!(m.status, Status::Pending | Status::Overdue)
            && guidance::reading(m) != guidance::Reading::NoDecisionYet
            && (completes || leads_to || headline)
    };
    let lines: Vec<String> = timeline
        .milestones
        .iter()
        .filter(|m| bears_on(m))
        .filter_map(|m| {
            let due = m.due?;
            Some(format!(
                "{}: due by {} ({})",
                rules::label(&m.key),
                dates::long(due),
                describe_days_left(due, today)
            ))
        })
        .collect();
    if lines.is_empty() {
        return Ok(None);
    }
    let mut markup =
        String::from("<div class=\"govuk-inset-text tandem-due-dates\"><ul class=\"govuk-list\">");
    for line in lines {
        markup.push_str("<li>");
        escape(&mut markup, &line).expect("writing to a string");
        markup.push_str("</li>");
    }
    markup.push_str("</ul></div>");
    Ok(Some(Html::trusted(markup)))
}

/// The warnings shown before saving, with what going on means.
#[expect(clippy::expect_used, reason = "writing to a string")]
fn warnings_notice(warnings: &[String]) -> askama::Result<Html> {
    let mut list = String::from("<ul class=\"govuk-list govuk-list--bullet\">");
    for warning in warnings {
        list.push_str("<li>");
        escape(&mut list, warning).expect("writing to a string");
        list.push_str("</li>");
    }
    list.push_str("</ul>");
    let markup = format!(
        "<h2 class=\"govuk-notification-banner__heading\">Check before you save</h2>{list}\
         <p class=\"govuk-body\">Nothing has been saved. Change your answers, or say why you \
         are recording it anyway and save: your reason is kept in the case history.</p>"
    );
    Html::render(&NotificationBanner {
        html: Some(Html::trusted(markup)),
        role: Some("alert".into()),
        title_text: Some("Warning".into()),
        ..NotificationBanner::default()
    })
}

pub(super) fn render(page: FormPage, status: StatusCode) -> Result<Response, WebError> {
    Ok(html(status, page.render()?))
}
