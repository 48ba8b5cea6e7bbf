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
use tandem_app::services::{
    ServiceError, Source, SurveyDraft, SurveyResults, SurveysOverview, YouSaidDraft, YouSaidWeDid,
};
use tandem_core::Action;
use tandem_core::dates;
use tandem_core::disclosure::SmallNumbers;
use tandem_core::improvement_plan::ActionStatus;
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

/// The "you said, we did" form's fields (the improvement plan action is a select the page
/// builds from the plan).
const YOU_SAID_FIELDS: [Field; 2] = [
    Field {
        name: "you_said",
        label: "You said",
        hint: Some(
            "What the answers told us, in our words. Everyone who reads the survey’s figures sees it, so name nobody",
        ),
        control: Control::Textarea,
        required: Required::Yes("Enter what people said"),
    },
    Field {
        name: "we_did",
        label: "We did",
        hint: Some("What we changed, or are changing, because of it"),
        control: Control::Textarea,
        required: Required::Yes("Enter what was done about it"),
    },
];

/// One "you said, we did" entry as pages show it.
pub(crate) struct YouSaidView {
    pub(crate) you_said: String,
    pub(crate) we_did: String,
    /// The improvement plan action carrying it: its address, text and status.
    pub(crate) action: Option<(String, String, &'static str)>,
    pub(crate) recorded: String,
}

impl YouSaidView {
    fn new(entry: &YouSaidWeDid) -> Self {
        let action = match (entry.action_id, &entry.action_text) {
            (Some(id), Some(text)) => Some((
                format!("/plan/actions/{id}"),
                text.clone(),
                entry
                    .action_status
                    .as_deref()
                    .and_then(ActionStatus::parse)
                    .map_or("", ActionStatus::label),
            )),
            _ => None,
        };
        Self {
            you_said: entry.you_said.clone(),
            we_did: entry.we_did.clone(),
            action,
            recorded: dates::long(dates::england_date(entry.recorded_at)),
        }
    }
}

/// One survey's figures as the board report gives them: one table row.
pub(crate) struct SurveyLine {
    pub(crate) title: String,
    pub(crate) about: String,
    pub(crate) response_rate: String,
    /// The latest term with links sent: its name and the share of answers that agreed.
    pub(crate) latest: String,
    /// The same for the term before it.
    pub(crate) before: String,
    /// What was done about the answers, newest first.
    pub(crate) you_said: Vec<YouSaidView>,
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
                you_said: results
                    .you_said_we_did
                    .iter()
                    .map(YouSaidView::new)
                    .collect(),
            }
        })
        .collect()
}

/// The survey section of the board report's PDF, in the HTML section's words: the same table,
/// then each survey's "you said, we did".
#[cfg(feature = "pdf")]
pub(crate) async fn report_blocks(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<tandem_pdf::Block>, WebError> {
    use tandem_pdf::{Block, Column, Table};
    let overview = state
        .services()
        .survey_results(&user.caller(Source::Form))
        .await?;
    let lines = report_lines(&overview, state.config().reporting.small_numbers);
    let mut blocks = vec![Block::Heading("What families and partners say".into())];
    if lines.is_empty() {
        blocks.push(Block::Paragraph("No survey has been set up yet.".into()));
        return Ok(blocks);
    }
    let columns = ["Survey", "Response rate", "Latest term", "Term before"]
        .iter()
        .map(|name| Column {
            heading: (*name).to_owned(),
            numeric: false,
        })
        .collect();
    blocks.push(Block::Table(Table {
        caption: "Surveys: response rates and the share of answers that agreed, in the last two \
                  terms with links sent"
            .into(),
        columns,
        rows: lines
            .iter()
            .map(|line| {
                vec![
                    format!("{} ({})", line.title, line.about),
                    line.response_rate.clone(),
                    line.latest.clone(),
                    line.before.clone(),
                ]
            })
            .collect(),
    }));
    for line in lines.into_iter().filter(|l| !l.you_said.is_empty()) {
        blocks.push(Block::Heading(format!("You said, we did: {}", line.title)));
        for said in line.you_said {
            let carried = said.action.map_or_else(String::new, |(_, text, status)| {
                format!(" Improvement plan: {text} ({}).", status.to_lowercase())
            });
            blocks.push(Block::Paragraph(format!("You said: {}", said.you_said)));
            blocks.push(Block::Paragraph(format!(
                "We did: {}{carried} Recorded {}.",
                said.we_did, said.recorded
            )));
        }
    }
    Ok(blocks)
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
    you_said: Vec<YouSaidView>,
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
    said: Option<String>,
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
        you_said: results
            .you_said_we_did
            .iter()
            .map(YouSaidView::new)
            .collect(),
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
    let done = match (done.sent, done.added, done.said) {
        (Some(1), _, _) => Some("The survey was sent to 1 person".to_owned()),
        (Some(n), _, _) => Some(format!("The survey was sent to {n} people")),
        (None, Some(_), _) => Some("The survey is added".to_owned()),
        (None, None, Some(_)) => Some("What you did about it is recorded".to_owned()),
        (None, None, None) => None,
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

/// The improvement plan's actions as `(id, text)` options, in the plan's order.
async fn plan_actions(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<(String, String)>, WebError> {
    let overview = state
        .services()
        .improvement_plan(&user.caller(Source::Form))
        .await?;
    Ok(overview
        .plan
        .priorities
        .iter()
        .flat_map(|p| &p.objectives)
        .flat_map(|o| &o.actions)
        .filter_map(|a| Some((a.id?.to_string(), a.text.clone())))
        .collect())
}

async fn you_said_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    values: &Values,
    problems: &Problems,
) -> Result<Response, WebError> {
    let overview = state
        .services()
        .survey_results(&user.caller(Source::Form))
        .await?;
    let Some(results) = overview.surveys.iter().find(|r| r.survey.id == id) else {
        return Err(WebError::NotFound);
    };
    let mut fields = case_fields::render(&YOU_SAID_FIELDS, values, problems)?;
    fields.push(case_fields::select(
        "action",
        "Improvement plan action (optional)",
        "None",
        plan_actions(state, user).await?,
        values,
        problems,
    )?);
    let action = format!("/surveys/{id}/you-said-we-did");
    let page = FormPage {
        layout: Layout::signed_in(user, "You said, we did", NAV).with_errors(!problems.is_empty()),
        back_link: back_link(NAV, "Back to surveys")?,
        caption: results.survey.title.clone(),
        heading: "You said, we did".into(),
        error_summary: problems.errors.summary()?,
        notices: Vec::new(),
        // Constants only: nothing typed by anyone goes into this markup.
        intro: vec![Html::trusted(
            "<p class=\"govuk-body\">Tell families and partners what changed because of their \
             answers. Link it to the improvement plan action that carries it, so that its \
             progress shows beside it.</p>",
        )],
        action: action.clone(),
        csrf_token: user.csrf_token(),
        hidden: Vec::new(),
        fields,
        buttons: vec![button("Save", None, None)?],
        cancel: NAV.into(),
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(status, page.render()?))
}

/// `GET /surveys/{id}/you-said-we-did`: the form, for those who manage surveys.
pub(crate) async fn you_said_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    if !user.can(Action::ManageSurveys) {
        return Err(WebError::Forbidden);
    }
    you_said_page(&state, &user, id, &Values::new(), &Problems::default()).await
}

/// `POST /surveys/{id}/you-said-we-did`: records the entry, or shows the form again with what
/// was typed.
pub(crate) async fn record_you_said(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let text = |name: &str| values.get(name).cloned().unwrap_or_default();
    let mut problems = Problems::default();
    let action = match values.get("action").filter(|v| !v.is_empty()) {
        None => None,
        Some(chosen) => match chosen.parse::<i64>() {
            Ok(action) => Some(action),
            Err(_) => {
                problems.add_named(
                    "action",
                    "Select an action that is in the improvement plan".into(),
                );
                None
            }
        },
    };
    let draft = YouSaidDraft {
        you_said: text("you_said"),
        we_did: text("we_did"),
        action,
    };
    if problems.is_empty() {
        match state
            .services()
            .record_you_said_we_did(&user.caller(Source::Form), id, &draft)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/surveys?said=1").into_response()),
            Err(ServiceError::Invalid(errors)) => {
                for error in errors {
                    match YOU_SAID_FIELDS.iter().find(|f| f.name == error.field) {
                        Some(field) => problems.add(field, error.message),
                        None => problems.add_named("action", error.message),
                    }
                }
            }
            Err(other) => return Err(other.into()),
        }
    } else if !user.can(Action::ManageSurveys) {
        return Err(WebError::Forbidden);
    }
    you_said_page(&state, &user, id, &values, &problems).await
}
