//! Surveys of families and partners (`/surveys`): each survey's response rate, results per
//! question and positive answers term by term (a chart with its table), small counts left out
//! for every reader; the words people wrote for those allowed to read them. Managers add
//! surveys (`/surveys/new`) and send one in a batch (`POST /surveys/{id}/send`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::services::{ServiceError, Source, SurveyDraft, SurveyResults, SurveysOverview};
use tandem_core::Action;
use tandem_core::dates;
use tandem_core::disclosure::SmallNumbers;
use tandem_core::surveys::{Moment, SCALE, SurveyAudience};

use crate::Html;
use crate::charts::{Mark, TrendChart, TrendPoint, count_shown, percent, rate_shown};
use crate::error::{WebError, html};
use crate::pages::case_fields::{self, Control, Field, Problems, Required, Values};
use crate::pages::dashboard::suppressed_note;
use crate::pages::forms::{FormPage, back_link, button};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

const NAV: &str = "/surveys";

const MOMENTS: &[(&str, &str)] = &[
    ("after_decision", "After the decision whether to assess"),
    ("after_final_plan", "After the final plan"),
    ("after_annual_review", "After an annual review"),
];

const AUDIENCES: &[(&str, &str)] = &[
    ("families", "Families (parents, carers and young people)"),
    ("partners", "Partners (the services asked for advice)"),
];

/// The new survey form's fields; their names are the service's field names.
const NEW_FIELDS: [Field; 5] = [
    Field {
        name: "title",
        label: "Title",
        hint: Some("Shown at the top of the survey, such as “How was your assessment?”"),
        control: Control::Text,
        required: Required::Yes("Enter the survey’s title"),
    },
    Field {
        name: "moment",
        label: "When is it sent?",
        hint: Some("Each case is sent it once, when the moment is recorded"),
        control: Control::Radios(MOMENTS),
        required: Required::Yes("Select after which moment the survey is sent"),
    },
    Field {
        name: "audience",
        label: "Who is asked?",
        hint: None,
        control: Control::Radios(AUDIENCES),
        required: Required::Yes("Select whom the survey asks"),
    },
    Field {
        name: "scale_questions",
        label: "Statements answered on the agreement scale",
        hint: Some(
            "One per line, such as “We were listened to”. People choose from strongly disagree to strongly agree",
        ),
        control: Control::Textarea,
        required: Required::Yes("Enter at least one question answered on the agreement scale"),
    },
    Field {
        name: "text_questions",
        label: "Questions answered in words (optional)",
        hint: Some("One per line, such as “What could we have done better?”"),
        control: Control::Textarea,
        required: Required::No,
    },
];

/// The batch form's field.
const SEND_FIELDS: [Field; 1] = [Field {
    name: "since",
    label: "Send to cases that reached the moment since",
    hint: Some("Cases already sent this survey are not sent it again. For example, 1 9 2026"),
    control: Control::Date { future: false },
    required: Required::Yes("Enter the date from which cases are sent the survey"),
}];

/// One survey's figures as the board report gives them: one table row.
pub(crate) struct SurveyLine {
    pub(crate) title: String,
    pub(crate) about: String,
    pub(crate) response_rate: String,
    /// The latest term with links sent: its name and the share of answers that agreed.
    pub(crate) latest: String,
    /// The same for the term before it.
    pub(crate) before: String,
}

/// Each survey's response rate and its last two terms' agreement, for the board report.
pub(crate) fn report_lines(overview: &SurveysOverview, small: SmallNumbers) -> Vec<SurveyLine> {
    overview
        .surveys
        .iter()
        .map(|results| {
            let term = |back: usize| {
                results.terms.iter().rev().nth(back).map_or_else(
                    || "No responses".to_owned(),
                    |t| {
                        let rate = if t.hidden(small) {
                            format!("not shown: {} responses", small.words())
                        } else {
                            rate_shown(small, t.positive)
                        };
                        format!("{}: {rate}", t.term.label())
                    },
                )
            };
            SurveyLine {
                title: results.survey.title.clone(),
                about: about(results),
                response_rate: rate_shown(small, response_rate(results)),
                latest: term(0),
                before: term(1),
            }
        })
        .collect()
}

/// Responses of links sent, all terms together.
fn response_rate(results: &SurveyResults) -> tandem_core::metrics::Rate {
    tandem_core::metrics::Rate {
        numerator: results.responses(),
        denominator: results.terms.iter().map(|t| t.sent).sum(),
    }
}

/// "Families, after the final plan".
fn about(results: &SurveyResults) -> String {
    let survey = &results.survey;
    format!(
        "{}, {}",
        survey.audience.label(),
        survey.moment.label().to_lowercase()
    )
}

/// One survey as the page shows it.
struct SurveyView {
    id: i64,
    title: String,
    about: String,
    active: bool,
    /// Summary rows: links sent, responses, response rate.
    summary: Vec<(&'static str, String)>,
    chart: Option<Html>,
    /// Question, then a cell per point of the scale, then the share agreeing.
    questions: Vec<Vec<String>>,
    comments: Option<Vec<(String, Vec<String>)>>,
    /// The batch form, for managers.
    send: Option<Vec<Html>>,
}

#[derive(Template)]
#[template(path = "pages/surveys.html")]
struct SurveysPage {
    layout: Layout,
    error_summary: Option<Html>,
    done: Option<String>,
    may_manage: bool,
    suppressed: Option<String>,
    scale: [&'static str; 5],
    surveys: Vec<SurveyView>,
    csrf_token: String,
    send_button: Html,
}

/// What the page was reached with after a change.
#[derive(Deserialize)]
pub(crate) struct Done {
    sent: Option<u64>,
    added: Option<String>,
}

/// The positive answers term by term, with the response rate in the table.
fn trend(results: &SurveyResults, small: SmallNumbers) -> Option<TrendChart> {
    let points: Vec<TrendPoint> = results
        .terms
        .iter()
        .map(|t| {
            let hidden = t.hidden(small) || small.hides_rate(t.positive);
            let rate = if hidden { None } else { t.positive.rate() };
            TrendPoint {
                label: t.term.short_label(),
                rate,
                display: format!(
                    "{} of answers agreed; {} responses to {} links",
                    if hidden {
                        format!("not shown: a count is {}", small.words())
                    } else {
                        rate.map_or_else(|| "none".to_owned(), percent)
                    },
                    count_shown(small, t.responses),
                    count_shown(small, t.sent),
                ),
                target: None,
                href: None,
                mark: Mark::Plain,
            }
        })
        .collect();
    let (first, last) = (points.first()?, points.last()?);
    Some(TrendChart {
        id: format!("survey-{}-trend", results.survey.id),
        title: format!("{}: answers that agreed, by term", results.survey.title),
        description: format!(
            "Over {} terms, from {} in {} to {} in {}.",
            points.len(),
            first.rate.map_or_else(|| "not shown".to_owned(), percent),
            first.label,
            last.rate.map_or_else(|| "not shown".to_owned(), percent),
            last.label,
        ),
        measure: "Answers that agreed".into(),
        period: "Term",
        points,
    })
}

fn survey_view(
    results: &SurveyResults,
    small: SmallNumbers,
    send: Option<Vec<Html>>,
) -> Result<SurveyView, WebError> {
    let rate = response_rate(results);
    let survey = &results.survey;
    let questions = results
        .questions
        .iter()
        .map(|q| {
            let mut row = vec![q.question.text.clone()];
            row.extend(q.tally.counts.iter().map(|n| count_shown(small, *n)));
            row.push(rate_shown(small, q.tally.positive()));
            row
        })
        .collect();
    Ok(SurveyView {
        id: survey.id,
        title: survey.title.clone(),
        about: about(results),
        active: survey.active,
        summary: vec![
            ("Links sent", count_shown(small, rate.denominator)),
            ("Responses", count_shown(small, rate.numerator)),
            ("Response rate", rate_shown(small, rate)),
        ],
        chart: trend(results, small).map(|c| c.render()).transpose()?,
        questions,
        comments: results.comments.as_ref().map(|comments| {
            comments
                .iter()
                .map(|(q, words)| (q.text.clone(), words.clone()))
                .collect()
        }),
        send,
    })
}

fn surveys_page(
    state: &AppState,
    user: &CurrentUser,
    overview: &SurveysOverview,
    failed: Option<(i64, &Values, &Problems)>,
    done: Option<String>,
) -> Result<SurveysPage, WebError> {
    let small = state.config().reporting.small_numbers;
    let empty = (Values::new(), Problems::default());
    let surveys = overview
        .surveys
        .iter()
        .map(|results| {
            let send = if overview.may_manage && results.survey.active {
                let (values, problems) = match failed {
                    Some((id, values, problems)) if id == results.survey.id => (values, problems),
                    _ => (&empty.0, &empty.1),
                };
                Some(case_fields::render(&SEND_FIELDS, values, problems)?)
            } else {
                None
            };
            survey_view(results, small, send)
        })
        .collect::<Result<_, WebError>>()?;
    let problems = failed.map(|(_, _, problems)| problems);
    Ok(SurveysPage {
        layout: Layout::signed_in(user, "Surveys of families and partners", NAV)
            .with_errors(problems.is_some()),
        error_summary: problems.map(|p| p.errors.summary()).transpose()?.flatten(),
        done,
        may_manage: overview.may_manage,
        suppressed: suppressed_note(small),
        scale: SCALE,
        surveys,
        csrf_token: user.csrf_token(),
        send_button: button("Send the survey", None, Some("govuk-button--secondary"))?,
    })
}

/// `GET /surveys`.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let overview = state
        .services()
        .survey_results(&user.caller(Source::Form))
        .await?;
    let done = match (done.sent, done.added) {
        (Some(1), _) => Some("The survey was sent to 1 person".to_owned()),
        (Some(n), _) => Some(format!("The survey was sent to {n} people")),
        (None, Some(_)) => Some("The survey is added".to_owned()),
        (None, None) => None,
    };
    let page = surveys_page(&state, &user, &overview, None, done)?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /surveys/{id}/send`: sends the survey to the cases that reached its moment since the
/// date given.
pub(crate) async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let caller = user.caller(Source::Form);
    let problems = match case_fields::read(&SEND_FIELDS, &values, state.today()) {
        // A form the service never sees: those who may not send are refused all the same.
        Err(_) if !user.can(Action::ManageSurveys) => return Err(WebError::Forbidden),
        Err(problems) => problems,
        Ok(read) => {
            let since = read
                .iter()
                .find(|(name, _)| *name == "since")
                .and_then(|(_, v)| dates::parse_iso(v).ok());
            match state.services().send_survey_batch(&caller, id, since).await {
                Ok(sent) => {
                    return Ok(Redirect::to(&format!("/surveys?sent={sent}")).into_response());
                }
                Err(ServiceError::Invalid(errors)) => Problems::from_service(&SEND_FIELDS, errors),
                Err(other) => return Err(other.into()),
            }
        }
    };
    let overview = state.services().survey_results(&caller).await?;
    let page = surveys_page(
        &state,
        &user,
        &overview,
        Some((id, &values, &problems)),
        None,
    )?;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
}

fn new_page(
    user: &CurrentUser,
    values: &Values,
    problems: &Problems,
) -> Result<FormPage, WebError> {
    Ok(FormPage {
        layout: Layout::signed_in(user, "Add a survey", NAV).with_errors(!problems.is_empty()),
        back_link: back_link(NAV, "Back to surveys")?,
        caption: "Surveys of families and partners".into(),
        heading: "Add a survey".into(),
        error_summary: problems.errors.summary()?,
        notices: Vec::new(),
        intro: Vec::new(),
        action: "/surveys/new".into(),
        csrf_token: user.csrf_token(),
        hidden: Vec::new(),
        fields: case_fields::render(&NEW_FIELDS, values, problems)?,
        buttons: vec![button("Add the survey", None, None)?],
        cancel: NAV.into(),
    })
}

/// `GET /surveys/new`: the form, for those who manage surveys.
pub(crate) async fn new_form(user: CurrentUser) -> Result<Response, WebError> {
    if !user.can(Action::ManageSurveys) {
        return Err(WebError::Forbidden);
    }
    let page = new_page(&user, &Values::new(), &Problems::default())?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /surveys/new`: adds the survey, or shows the form again with what was typed.
pub(crate) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let text = |name: &str| values.get(name).cloned().unwrap_or_default();
    let draft = SurveyDraft {
        title: text("title"),
        moment: Moment::parse(&text("moment")),
        audience: SurveyAudience::parse(&text("audience")),
        scale_questions: text("scale_questions"),
        text_questions: text("text_questions"),
    };
    match state
        .services()
        .create_survey(&user.caller(Source::Form), &draft)
        .await
    {
        Ok(_) => Ok(Redirect::to("/surveys?added=1").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let problems = Problems::from_service(&NEW_FIELDS, errors);
            let page = new_page(&user, &values, &problems)?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}
