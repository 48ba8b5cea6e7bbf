//! Claim a statutory exception, checked against the regulations before it is recorded.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use tandem_app::services::CaseView;
use tandem_app::services::Source;
use tandem_core::exceptions::{Verdict, assess_claim};
use tandem_core::{EventDetail, EventType};

use super::record::show_again;
use super::{Again, Basis, EventForm, Mode, after_write, done, render};
use crate::Html;
use crate::components::{InsetText, WarningText};
use crate::error::WebError;
use crate::html::escape;
use crate::pages::case_fields::{self, Problems, Values};
use crate::pages::forms::{self};
use crate::session::CurrentUser;
use crate::state::AppState;

/// `GET /cases/{reference}/exceptions/new`.
pub(crate) async fn new_exception(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let view = state
        .services()
        .case_for_recording(&user.caller(Source::Form), &reference)
        .await?;
    blank_form(&user, &view, Mode::Exception, EventType::Exception)
}

/// A form for `kind` with nothing filled in yet, based on the case as `view` shows it.
pub(super) fn blank_form(
    user: &CurrentUser,
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
        warnings: Vec::new(),
        listed: &view.advice_providers,
    };
    render(form.page(user, view)?, StatusCode::OK)
}

/// `POST /cases/{reference}/exceptions/new`: `action=check` shows whether the exception
/// qualifies without saving; `action=save` records it.
pub(crate) async fn exception(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
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
                warnings: Vec::new(),
                listed: &view.advice_providers,
            };
            return render(form.page(&user, &view)?, StatusCode::OK);
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
