//! Request advice from several services at once: after a decision to assess, a case manager
//! usually asks education, health, social care and an educational psychologist on the same day.
//! One form, one date, a provider for each kind ticked; all the requests are saved together or
//! none are (`Services::request_advice`).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use tandem_app::services::{CaseView, Source};
use tandem_core::guidance::warnings_if_recorded;
use tandem_core::rules::{RuleId, rule};
use tandem_core::{AdviceKind, Event, EventDetail, EventType};

use super::{
    Again, Basis, SECTION, Shown, after_write, case_address, done, due_dates, page_title, render,
    warnings_notice,
};
use crate::Html;
use crate::components::{Checkboxes, ChoiceItem, Conditional, Fieldset, Hint, Legend};
use crate::error::WebError;
use crate::html::escape;
use crate::pages::case_fields::{self, Control, Field, GO_ON_REASON, Problems, Required, Values};
use crate::pages::forms::{self, FormPage, back_link, button};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

const HEADING: &str = "Request advice";

/// The date every request of the form was made.
const DATE: Field = Field {
    name: "date",
    label: "Date the advice was requested",
    hint: Some("For example, 27 3 2026. Each service then has 6 weeks to give its advice."),
    control: Control::Date { future: false },
    required: Required::Yes("Enter the date the advice was requested"),
};

const fn provider(name: &'static str, label: &'static str) -> Field {
    Field {
        name,
        label,
        hint: None,
        control: Control::Listed,
        required: Required::No,
    }
}

/// Each kind of advice a form can ask for, with the name of its checkbox and of the question
/// asking who was asked (revealed under the checkbox), in the order of reg 6(1).
const KINDS: [(AdviceKind, &str, &str, Field); 7] = [
    (
        AdviceKind::Parent,
        "advice_parent",
        "The parent or young person",
        provider("provider_parent", "Who was asked? (optional)"),
    ),
    (
        AdviceKind::Education,
        "advice_education",
        "Education (the school, college or early years setting)",
        provider("provider_education", "Which setting was asked? (optional)"),
    ),
    (
        AdviceKind::Health,
        "advice_health",
        "Health",
        provider(
            "provider_health",
            "Which health service was asked? (optional)",
        ),
    ),
    (
        AdviceKind::EducationalPsychology,
        "advice_educational_psychology",
        "Educational psychology",
        provider(
            "provider_educational_psychology",
            "Which psychology service was asked? (optional)",
        ),
    ),
    (
        AdviceKind::SocialCare,
        "advice_social_care",
        "Social care",
        provider(
            "provider_social_care",
            "Which social care team was asked? (optional)",
        ),
    ),
    (
        AdviceKind::PreparingForAdulthood,
        "advice_preparing_for_adulthood",
        "Preparing for adulthood (from year 9)",
        provider(
            "provider_preparing_for_adulthood",
            "Who was asked? (optional)",
        ),
    ),
    (
        AdviceKind::Other,
        "advice_other",
        "Someone else",
        provider("provider_other", "Who was asked? (optional)"),
    ),
];

/// The checkboxes' name in error messages and the summary's link (`#advice`, the first box).
const ADVICE: &str = "advice";

/// Every field the form reads, for placing the service's problems.
fn fields(going_on: bool) -> Vec<Field> {
    let mut fields = vec![DATE];
    fields.extend(KINDS.iter().map(|(_, _, _, field)| *field));
    if going_on {
        fields.push(GO_ON_REASON);
    }
    fields
}

/// `GET /cases/{reference}/advice-requests/new`.
pub(crate) async fn new_advice_requests(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let view = state
        .services()
        .case_for_recording(&user.caller(Source::Form), &reference)
        .await?;
    let form = AdviceForm {
        values: &Values::new(),
        problems: &Problems::default(),
        basis: Basis::of(&view),
        notices: Vec::new(),
        warnings: Vec::new(),
    };
    render(form.page(&user, &view)?, StatusCode::OK)
}

/// `POST /cases/{reference}/advice-requests/new`. As with one step, requests that would make
/// the case's history questionable come back with the warnings first, and are saved only when
/// sent again with a reason.
pub(crate) async fn request_advice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let services = state.services();
    let caller = user.caller(Source::Form);
    let basis = Basis::sent(&values);
    let going_on = values.get("go_on").is_some_and(|v| v == "1");
    let view = services.case_for_recording(&caller, &reference).await?;
    let today = state.today();
    let fields = fields(going_on);
    let again = match read(&values, today, going_on) {
        Ok((requests, reason)) => {
            let warnings = warnings(&view, &requests, today);
            if !warnings.is_empty() && !going_on {
                Again::Confirm(warnings, Problems::default())
            } else {
                let result = services
                    .request_advice(
                        &caller,
                        &reference,
                        basis.version,
                        &requests,
                        reason.as_deref(),
                    )
                    .await;
                match after_write(result, &fields)? {
                    None => return Ok(done(&reference, "advice_requested")),
                    Some(Again::Problems(problems)) if going_on => {
                        Again::Confirm(warnings, problems)
                    }
                    Some(again) => again,
                }
            }
        }
        Err(problems) if going_on => {
            let warnings = read(&values, today, false)
                .map(|(requests, _)| warnings(&view, &requests, today))
                .unwrap_or_default();
            Again::Confirm(warnings, problems)
        }
        Err(problems) => Again::Problems(problems),
    };
    let view = match again {
        Again::Conflict => services.case_for_recording(&caller, &reference).await?,
        _ => view,
    };
    let shown = Shown::of(again, basis, &view)?;
    let form = AdviceForm {
        values: &values,
        problems: &shown.problems,
        basis: shown.basis,
        notices: shown.notices,
        warnings: shown.warnings,
    };
    render(form.page(&user, &view)?, shown.status)
}

/// What saving `requests` would make questionable, each warning once (requests of one day
/// share their warnings).
fn warnings(view: &CaseView, requests: &[Event], today: tandem_core::Date) -> Vec<String> {
    let file = view.case.case_file();
    let mut warnings = Vec::new();
    for request in requests {
        for warning in warnings_if_recorded(&file, request, today) {
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
    }
    warnings
}

/// The requests the form asks for, and the reason for going on when it was asked for.
fn read(
    values: &Values,
    today: tandem_core::Date,
    going_on: bool,
) -> Result<(Vec<Event>, Option<String>), Problems> {
    let mut wanted = vec![DATE];
    if going_on {
        wanted.push(GO_ON_REASON);
    }
    let mut problems = Problems::default();
    let read = case_fields::read(&wanted, values, today).unwrap_or_else(|found| {
        problems = found;
        Vec::new()
    });
    let ticked: Vec<_> = KINDS
        .iter()
        .filter(|(_, name, _, _)| values.contains_key(*name))
        .collect();
    if ticked.is_empty() {
        problems.add_named(ADVICE, "Select the advice you requested".to_owned());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let answer = |name: &str| {
        read.iter()
            .find(|(field, _)| *field == name)
            .map(|(_, text)| text.clone())
    };
    let date = answer(DATE.name)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| {
            let mut problems = Problems::default();
            problems.add(&DATE, "Enter the date the advice was requested".to_owned());
            problems
        })?;
    let requests = ticked
        .into_iter()
        .map(|(advice, _, _, field)| {
            let provider = values
                .get(field.name)
                .map(|p| p.trim())
                .filter(|p| !p.is_empty())
                .map(str::to_owned);
            Event::new(
                date,
                EventDetail::AdviceRequested {
                    advice: *advice,
                    id: None,
                    provider,
                },
            )
        })
        .collect();
    Ok((requests, answer(GO_ON_REASON.name)))
}

struct AdviceForm<'a> {
    values: &'a Values,
    problems: &'a Problems,
    basis: Basis,
    notices: Vec<Html>,
    warnings: Vec<String>,
}

impl AdviceForm<'_> {
    fn page(self, user: &CurrentUser, view: &CaseView) -> Result<FormPage, WebError> {
        let reference = &view.case.record.reference;
        let case = case_address(reference);
        let advice = rule(RuleId::Advice);
        let mut paragraph = String::from("<p class=\"govuk-body\">");
        escape(
            &mut paragraph,
            &format!(
                "Tick each kind of advice you asked for on the same day. Each is due back within \
                 {} of the request ({}).",
                advice.length.phrase(),
                advice.citation
            ),
        )
        .map_err(askama::Error::from)?;
        paragraph.push_str("</p>");
        let mut intro = vec![Html::trusted(paragraph)];
        intro.extend(due_dates(view, EventType::AdviceRequested)?);
        let mut fields = case_fields::render_listed(
            &[DATE],
            self.values,
            self.problems,
            &view.advice_providers,
        )?;
        fields.push(self.checkboxes(&view.advice_providers)?);
        let mut hidden = self.basis.hidden().to_vec();
        let mut notices = self.notices;
        let mut buttons = vec![button("Save requests", None, None)?];
        if !self.warnings.is_empty() {
            fields.extend(case_fields::render_listed(
                &[GO_ON_REASON],
                self.values,
                self.problems,
                &[],
            )?);
            notices.push(warnings_notice(&self.warnings)?);
            hidden.push(("go_on", "1".to_owned()));
            buttons = vec![button("Save anyway", None, None)?];
        }
        Ok(FormPage {
            layout: Layout::signed_in(user, page_title(HEADING, reference), SECTION)
                .with_errors(!self.problems.is_empty()),
            back_link: back_link(&format!("{case}/events/new"), "Back")?,
            caption: format!(
                "{reference} – {}",
                crate::pages::case::case_child_name(&view.case.case_file())
            ),
            heading: HEADING.to_owned(),
            error_summary: self.problems.errors.summary()?,
            notices,
            intro,
            action: format!("{case}/advice-requests/new"),
            csrf_token: user.csrf_token(),
            hidden,
            fields,
            buttons,
            cancel: case,
        })
    }

    /// A checkbox per kind of advice, each revealing who was asked.
    fn checkboxes(&self, listed: &[String]) -> Result<Html, WebError> {
        let mut items = Vec::with_capacity(KINDS.len());
        for (_, name, text, field) in &KINDS {
            let who = case_fields::render_listed(&[*field], self.values, self.problems, listed)?;
            items.push(Some(ChoiceItem {
                name: Some((*name).to_owned()),
                value: Some("yes".into()),
                text: Some((*text).to_owned()),
                checked: Some(self.values.contains_key(*name)),
                conditional: Some(Conditional {
                    html: Html::trusted(who.iter().map(ToString::to_string).collect::<String>()),
                }),
                ..ChoiceItem::default()
            }));
        }
        Ok(Html::render(&Checkboxes {
            id_prefix: Some(ADVICE.into()),
            name: ADVICE.into(),
            items,
            hint: Some(Hint {
                text: Some("Select all that apply".into()),
                ..Hint::default()
            }),
            error_message: self.problems.errors.message(ADVICE),
            fieldset: Some(Fieldset {
                legend: Some(Legend {
                    text: Some("Whose advice did you request?".into()),
                    classes: Some("govuk-fieldset__legend--m".into()),
                    ..Legend::default()
                }),
                ..Fieldset::default()
            }),
            ..Checkboxes::default()
        })?)
    }
}
