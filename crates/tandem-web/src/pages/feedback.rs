//! Answering a survey (`/feedback/{token}`): the emailed one-use link opens the survey without
//! an account. Statements are GOV.UK radios on the agreement scale, questions in words are
//! textareas; the form is posted before there is a session, so its CSRF token comes from the
//! sign-in cookie, as the invitation form's does. A link that is unknown, used or expired gets
//! one kind page for all three, so it says nothing about which, nor about any case.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use tandem_app::services::{Answered, FieldError, SurveyLink};
use tandem_core::surveys::{QuestionKind, SCALE, Survey};

use crate::Html;
use crate::components::{ChoiceItem, Fieldset, Label, Legend, Radios, Textarea};
use crate::error::{WebError, html};
use crate::pages::forms::{FormErrors, button};
use crate::pages::layout::Layout;
use crate::pages::sign_in::{before_sign_in_token, with_cookie};
use crate::state::AppState;

/// The form field of question `id`.
fn field_name(id: i64) -> String {
    format!("q{id}")
}

#[derive(Template)]
#[template(path = "pages/feedback.html")]
struct AnswerPage {
    layout: Layout,
    error_summary: Option<Html>,
    title: String,
    questions: Vec<Html>,
    csrf_token: String,
    action: String,
    submit: Html,
}

#[derive(Template)]
#[template(path = "pages/feedback-done.html")]
struct DonePage {
    layout: Layout,
    heading: &'static str,
    lines: &'static [&'static str],
}

fn answer_page(
    token: &str,
    survey: &Survey,
    values: &HashMap<String, String>,
    errors: &FormErrors,
    csrf_token: String,
) -> Result<AnswerPage, WebError> {
    let questions = survey
        .questions
        .iter()
        .map(|question| {
            let name = field_name(question.id);
            let value = values.get(&name).filter(|v| !v.is_empty()).cloned();
            match question.kind {
                QuestionKind::Scale => Html::render(&Radios {
                    name: name.clone(),
                    items: (1..)
                        .zip(SCALE)
                        .map(|(point, text)| {
                            Some(ChoiceItem {
                                value: Some(format!("{point}")),
                                text: Some(text.to_owned()),
                                ..ChoiceItem::default()
                            })
                        })
                        .collect(),
                    value,
                    error_message: errors.message(&name),
                    fieldset: Some(Fieldset {
                        legend: Some(Legend {
                            text: Some(question.text.clone()),
                            classes: Some("govuk-fieldset__legend--s".into()),
                            ..Legend::default()
                        }),
                        ..Fieldset::default()
                    }),
                    ..Radios::default()
                }),
                QuestionKind::Text => Html::render(&Textarea {
                    id: Some(name.clone()),
                    name: name.clone(),
                    rows: Some(5),
                    value,
                    label: Some(Label {
                        text: Some(format!("{} (optional)", question.text)),
                        classes: Some("govuk-label--s".into()),
                        ..Label::default()
                    }),
                    error_message: errors.message(&name),
                    ..Textarea::default()
                }),
            }
        })
        .collect::<askama::Result<_>>()?;
    Ok(AnswerPage {
        layout: Layout::bare(survey.title.clone()).with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        title: survey.title.clone(),
        questions,
        csrf_token,
        action: format!("/feedback/{token}"),
        submit: button("Send your answers", None, None)?,
    })
}

/// A used, expired or unknown link: one page for all three.
fn closed() -> Result<Response, WebError> {
    let page = DonePage {
        layout: Layout::bare("This survey link has expired or has already been used"),
        heading: "This survey link has expired or has already been used",
        lines: &[
            "Each link can be used once, for a few weeks after it is sent. If you have already answered, thank you: your answers have been kept.",
            "You do not need to do anything else.",
        ],
    };
    Ok(html(StatusCode::GONE, page.render()?))
}

/// `GET /feedback/{token}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let SurveyLink::Open(survey) = state.services().survey_link(&token).await? else {
        return closed();
    };
    let (csrf_token, cookie) = before_sign_in_token(&state, &headers)?;
    let page = answer_page(
        &token,
        &survey,
        &HashMap::new(),
        &FormErrors::default(),
        csrf_token,
    )?;
    Ok(with_cookie(html(StatusCode::OK, page.render()?), cookie))
}

/// `POST /feedback/{token}`: keeps the answers and thanks the person, or shows the form again.
pub(crate) async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let submitted: BTreeMap<i64, String> = values
        .iter()
        .filter_map(|(name, value)| {
            let id = name.strip_prefix('q')?.parse().ok()?;
            Some((id, value.clone()))
        })
        .collect();
    match state.services().answer_survey(&token, &submitted).await? {
        Answered::Thanks => {
            let page = DonePage {
                layout: Layout::bare("Thank you for your answers"),
                heading: "Thank you for your answers",
                lines: &[
                    "Your answers have been kept, without your name or the child’s record. The SEND service reads what families and partners say each term and publishes what it has changed as a result.",
                    "You can close this page.",
                ],
            };
            Ok(html(StatusCode::OK, page.render()?))
        }
        Answered::Closed => closed(),
        Answered::Invalid(survey, problems) => {
            let errors = FormErrors::new(
                problems
                    .into_iter()
                    .map(|(id, message)| FieldError::new(field_name(id), message))
                    .collect(),
            );
            let csrf_token = values.get("csrf_token").cloned().unwrap_or_default();
            let page = answer_page(&token, &survey, &values, &errors, csrf_token)?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
    }
}
