//! The quality assurance audit cycle of issued EHC plans (issue 12 item 5): the rounds and the
//! "Draw a sample" form, a round's plans with their auditors, one plan to read and grade (and
//! settle, as moderator), the term-on-term report, and the pseudonymised examples.
//!
//! Every form is a plain POST that redirects, so each page works without JavaScript.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::services::{
    AuditExample, AuditOverview, AuditedPlanView, CriterionScore, DrawRequest, MAX_SAMPLE,
    RoundView, ServiceError, Source,
};
use tandem_core::plan::Plan;
use tandem_core::plan::audit::{Criterion, Discipline, Distribution, Method, TermResults};
use tandem_core::plan::checks::Grade;
use tandem_core::{Action, dates};

use crate::Html;
use crate::charts::{TrendChart, TrendPoint, percent};
use crate::error::{WebError, html};
use crate::pages::case_fields::Values;
use crate::pages::forms::{FormErrors, capitalised};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

/// The navigation item the audit pages belong to.
pub(crate) const NAV: &str = "/audits";

/// The grades, best first, as the forms offer them.
const GRADES: [Grade; 4] = [
    Grade::Outstanding,
    Grade::Good,
    Grade::RequiresImprovement,
    Grade::Inadequate,
];

#[derive(Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

fn done_message(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "drawn" => Some("Sample drawn"),
        "assigned" => Some("Auditor assigned"),
        "unassigned" => Some("The plan was taken back from the auditor"),
        "scored" => Some("Your grades are saved"),
        "moderated" => Some("Grade settled"),
        "example" => Some("Kept as an example of what good looks like"),
        _ => None,
    }
}

/// An error message for one field, if any.
fn error_of(errors: &FormErrors, field: &str) -> Option<String> {
    errors.message(field).and_then(|m| m.text)
}

fn status_for(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

struct RoundLine {
    href: String,
    term: String,
    method: String,
    plans: i64,
    moderated: i64,
    drawn: String,
    seed: String,
}

struct TrayLine {
    href: String,
    reference: String,
    term: String,
    discipline: &'static str,
    scored: bool,
    settled: Option<&'static str>,
}

struct Choice {
    value: String,
    text: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "pages/audits.html")]
struct OverviewPage {
    layout: Layout,
    done: Option<&'static str>,
    error_summary: Option<Html>,
    csrf_token: String,
    rounds: Vec<RoundLine>,
    tray: Vec<TrayLine>,
    may_manage: bool,
    may_report: bool,
    terms: Vec<Choice>,
    methods: Vec<Choice>,
    teams: Vec<Choice>,
    size: String,
    seed: String,
    max: i64,
    term_error: Option<String>,
    method_error: Option<String>,
    team_error: Option<String>,
    size_error: Option<String>,
    seed_error: Option<String>,
}

/// `GET /audits`: the rounds by term with the "Draw a sample" form, and the caller's plans to
/// audit.
pub(crate) async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let found = state
        .services()
        .audit_overview(&user.caller(Source::Form))
        .await?;
    let page = overview_page(
        &user,
        &found,
        done_message(done.done.as_deref()),
        &Values::new(),
        &FormErrors::default(),
    )?;
    Ok(html(StatusCode::OK, page))
}

/// `POST /audits`: draws a sample and goes to its round.
pub(crate) async fn draw(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let text = |name: &str| values.get(name).cloned().unwrap_or_default();
    let request = DrawRequest {
        term: text("term"),
        method: text("method"),
        team: text("team"),
        size: text("size"),
        seed: text("seed"),
    };
    let caller = user.caller(Source::Form);
    match state.services().draw_audit_sample(&caller, &request).await {
        Ok(id) => Ok(Redirect::to(&format!("/audits/{id}?done=drawn")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let found = state.services().audit_overview(&caller).await?;
            let errors = FormErrors::new(errors);
            let page = overview_page(&user, &found, None, &values, &errors)?;
            Ok(html(status_for(&errors), page))
        }
        Err(other) => Err(other.into()),
    }
}

fn overview_page(
    user: &CurrentUser,
    found: &AuditOverview,
    done: Option<&'static str>,
    typed: &Values,
    errors: &FormErrors,
) -> Result<String, WebError> {
    let typed_text = |field: &str| typed.get(field).cloned().unwrap_or_default();
    let chosen_term = typed_text("term");
    let chosen_method = typed
        .get("method")
        .cloned()
        .unwrap_or_else(|| "random".into());
    let chosen_team = typed_text("team");
    let page = OverviewPage {
        layout: Layout::signed_in(user, "Plan audits", NAV).with_errors(!errors.is_empty()),
        done,
        error_summary: errors.summary()?,
        csrf_token: user.csrf_token(),
        rounds: found
            .rounds
            .iter()
            .map(|r| RoundLine {
                href: format!("/audits/{}", r.id),
                term: r.round.term.label(),
                method: match &r.round.team {
                    Some(team) => format!("{}: {team}", r.round.method.label()),
                    None => r.round.method.label().to_owned(),
                },
                plans: r.plans,
                moderated: r.moderated,
                drawn: format!(
                    "{} by {}",
                    dates::long(dates::england_date(r.drawn_at)),
                    r.drawn_by_name
                ),
                seed: r.round.seed.to_string(),
            })
            .collect(),
        tray: found
            .tray
            .iter()
            .map(|(sample, discipline, scored)| TrayLine {
                href: format!("/audits/{}/plans/{}", sample.round_id, sample.id),
                reference: sample.reference.clone(),
                term: sample.term.label(),
                discipline: discipline.label(),
                scored: *scored,
                settled: sample.moderation.as_ref().map(|m| m.grade.as_str()),
            })
            .collect(),
        may_manage: found.may_manage,
        may_report: user.can(Action::ViewAggregates),
        terms: found
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| Choice {
                value: t.key(),
                text: t.label(),
                // The term just ended is the usual one to audit.
                selected: if chosen_term.is_empty() {
                    i == 1
                } else {
                    t.key() == chosen_term
                },
            })
            .collect(),
        methods: Method::ALL
            .iter()
            .map(|m| Choice {
                value: m.as_str().to_owned(),
                text: m.label().to_owned(),
                selected: m.as_str() == chosen_method,
            })
            .collect(),
        teams: std::iter::once(String::new())
            .chain(found.teams.iter().cloned())
            .map(|t| Choice {
                selected: t == chosen_team,
                text: if t.is_empty() {
                    "Not a team's sample".to_owned()
                } else {
                    t.clone()
                },
                value: t,
            })
            .collect(),
        size: typed.get("size").cloned().unwrap_or_else(|| "10".into()),
        seed: typed_text("seed"),
        max: MAX_SAMPLE,
        term_error: error_of(errors, "term"),
        method_error: error_of(errors, "method"),
        team_error: error_of(errors, "team"),
        size_error: error_of(errors, "size"),
        seed_error: error_of(errors, "seed"),
    };
    Ok(page.render()?)
}

struct AuditorLine {
    id: i64,
    name: String,
    discipline: &'static str,
    scored: bool,
}

struct SampleLine {
    id: i64,
    href: String,
    reference: String,
    version: i64,
    score: i64,
    auditors: Vec<AuditorLine>,
    suggested: Option<&'static str>,
    settled: Option<&'static str>,
    example: bool,
    /// The assignment form's errors, when it was this plan's form that was sent.
    auditor_error: Option<String>,
    discipline_error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/audit-round.html")]
struct RoundPage {
    layout: Layout,
    done: Option<&'static str>,
    error_summary: Option<Html>,
    csrf_token: String,
    title: String,
    method: String,
    seed: String,
    drawn: String,
    samples: Vec<SampleLine>,
    auditors: Vec<Choice>,
    disciplines: Vec<Choice>,
}

/// `GET /audits/{round}`: the round's plans, their auditors and progress.
pub(crate) async fn round(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
    let view = state
        .services()
        .audit_round(&user.caller(Source::Form), id)
        .await?;
    let page = round_page(
        &user,
        &view,
        done_message(done.done.as_deref()),
        None,
        &FormErrors::default(),
    )?;
    Ok(html(StatusCode::OK, page))
}

/// `POST /audits/{round}/plans/{id}/assign`: gives the plan to an auditor.
/// `POST /audits/{round}/plans/{id}/unassign`: take the plan back from an auditor who has not
/// graded it.
pub(crate) async fn unassign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((round, sample)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let (round, sample) = ids(&round, &sample)?;
    let auditor = values
        .get("auditor")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let result = state
        .services()
        .unassign_audit(&user.caller(Source::Form), sample, auditor)
        .await;
    back_to_round(&state, &user, (round, sample), result, "unassigned").await
}

pub(crate) async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((round, sample)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let (round, sample) = ids(&round, &sample)?;
    let auditor = values.get("auditor").and_then(|v| v.parse().ok());
    let discipline = values.get("discipline").and_then(|v| Discipline::parse(v));
    let result = state
        .services()
        .assign_audit(&user.caller(Source::Form), sample, auditor, discipline)
        .await;
    back_to_round(&state, &user, (round, sample), result, "assigned").await
}

/// After giving a sampled plan to an auditor or taking it back: to the plan on the round's page
/// with `done`, or the round's page again with what was refused beside that plan.
async fn back_to_round(
    state: &AppState,
    user: &CurrentUser,
    (round, sample): (i64, i64),
    result: Result<(), ServiceError>,
    done: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/audits/{round}?done={done}#plan-{sample}")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let caller = user.caller(Source::Form);
            let view = state.services().audit_round(&caller, round).await?;
            let errors = FormErrors::new(errors);
            let page = round_page(user, &view, None, Some(sample), &errors)?;
            Ok(html(status_for(&errors), page))
        }
        Err(other) => Err(other.into()),
    }
}

fn ids(round: &str, sample: &str) -> Result<(i64, i64), WebError> {
    match (round.parse(), sample.parse()) {
        (Ok(round), Ok(sample)) => Ok((round, sample)),
        _ => Err(WebError::NotFound),
    }
}

fn round_page(
    user: &CurrentUser,
    view: &RoundView,
    done: Option<&'static str>,
    failed: Option<i64>,
    errors: &FormErrors,
) -> Result<String, WebError> {
    let round = &view.round;
    let title = format!("{} sample", round.round.term.label());
    let page = RoundPage {
        layout: Layout::signed_in(user, title.clone(), NAV).with_errors(!errors.is_empty()),
        done,
        error_summary: errors.summary()?,
        csrf_token: user.csrf_token(),
        title,
        method: match &round.round.team {
            Some(team) => format!("{}: {team}", round.round.method.label()),
            None => round.round.method.label().to_owned(),
        },
        seed: round.round.seed.to_string(),
        drawn: format!(
            "{} by {}",
            dates::long(dates::england_date(round.drawn_at)),
            round.drawn_by_name
        ),
        samples: view
            .samples
            .iter()
            .map(|s| SampleLine {
                id: s.sample.id,
                href: format!("/audits/{}/plans/{}", round.id, s.sample.id),
                reference: s.sample.reference.clone(),
                version: s.sample.version,
                score: s.sample.automated_score,
                auditors: s
                    .auditors
                    .iter()
                    .map(|(a, scored)| AuditorLine {
                        id: a.auditor_id,
                        name: a.auditor_name.clone(),
                        discipline: a.discipline.label(),
                        scored: *scored,
                    })
                    .collect(),
                suggested: s.suggested.map(Grade::as_str),
                settled: s.sample.moderation.as_ref().map(|m| m.grade.as_str()),
                example: s.sample.example,
                auditor_error: (failed == Some(s.sample.id))
                    .then(|| error_of(errors, "auditor"))
                    .flatten(),
                discipline_error: (failed == Some(s.sample.id))
                    .then(|| error_of(errors, "discipline"))
                    .flatten(),
            })
            .collect(),
        auditors: view
            .auditors
            .iter()
            .map(|(id, name, role)| Choice {
                value: id.to_string(),
                text: format!("{name} ({})", role.label().to_lowercase()),
                selected: false,
            })
            .collect(),
        disciplines: Discipline::ALL
            .iter()
            .map(|d| Choice {
                value: d.as_str().to_owned(),
                text: d.label().to_owned(),
                selected: false,
            })
            .collect(),
    };
    Ok(page.render()?)
}

/// A section of a plan as printed.
pub(crate) struct PlanSection {
    title: String,
    lines: Vec<String>,
}

fn sections_of(plan: &Plan) -> Vec<PlanSection> {
    plan.rendered()
        .into_iter()
        .map(|(section, lines)| PlanSection {
            title: capitalised(&section.describe()),
            lines,
        })
        .collect()
}

struct GradeChoice {
    value: &'static str,
    id: String,
    checked: bool,
}

struct CriterionField {
    key: &'static str,
    label: &'static str,
    question: &'static str,
    grades: Vec<GradeChoice>,
    comment: String,
    grade_error: Option<String>,
    comment_error: Option<String>,
}

struct ScoreLine {
    auditor: String,
    criterion: &'static str,
    grade: &'static str,
    comment: String,
}

#[derive(Template)]
#[template(path = "pages/audit-plan.html")]
struct PlanPage {
    layout: Layout,
    done: Option<&'static str>,
    error_summary: Option<Html>,
    csrf_token: String,
    action: String,
    back: String,
    manager: bool,
    name: String,
    reference: String,
    version: i64,
    term: String,
    issued: String,
    score: i64,
    discipline: Option<&'static str>,
    sections: Vec<PlanSection>,
    scores: Vec<ScoreLine>,
    suggested: Option<&'static str>,
    settled: Option<(&'static str, String, String)>,
    may_score: bool,
    criteria: Vec<CriterionField>,
    may_moderate: bool,
    moderation_grades: Vec<GradeChoice>,
    moderation_comment: String,
    moderation_grade_error: Option<String>,
    moderation_comment_error: Option<String>,
    may_mark_example: bool,
    example: bool,
}

/// `GET /audits/{round}/plans/{id}`: the plan to read, with the grading form for its auditors
/// and the moderation form for a moderator.
pub(crate) async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((round, sample)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let (round, sample) = ids(&round, &sample)?;
    let view = audited(&state, &user, round, sample).await?;
    let page = plan_page(
        &user,
        &view,
        done_message(done.done.as_deref()),
        &Values::new(),
        &FormErrors::default(),
    )?;
    Ok(html(StatusCode::OK, page))
}

async fn audited(
    state: &AppState,
    user: &CurrentUser,
    round: i64,
    sample: i64,
) -> Result<AuditedPlanView, WebError> {
    let view = state
        .services()
        .audited_plan(&user.caller(Source::Form), sample)
        .await?;
    if view.sample.round_id != round {
        return Err(WebError::NotFound);
    }
    Ok(view)
}

/// `POST /audits/{round}/plans/{id}`: keeps the auditor's grades.
pub(crate) async fn score(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((round, sample)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let (round, sample) = ids(&round, &sample)?;
    let scores: Vec<CriterionScore> = Criterion::ALL
        .iter()
        .map(|c| CriterionScore {
            criterion: *c,
            grade: values
                .get(&format!("grade-{c}"))
                .and_then(|g| Grade::parse(g)),
            comment: values
                .get(&format!("comment-{c}"))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let caller = user.caller(Source::Form);
    let result = state
        .services()
        .score_audited_plan(&caller, sample, &scores)
        .await;
    after_post(&state, &user, round, sample, values, result, "scored").await
}

/// `POST /audits/{round}/plans/{id}/moderate`: settles the plan's grade.
pub(crate) async fn moderate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((round, sample)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let (round, sample) = ids(&round, &sample)?;
    let grade = values.get("grade").and_then(|g| Grade::parse(g));
    let comment = values
        .get("moderation_comment")
        .map_or("", String::as_str)
        .to_owned();
    let result = state
        .services()
        .moderate_audited_plan(&user.caller(Source::Form), sample, grade, &comment)
        .await;
    after_post(&state, &user, round, sample, values, result, "moderated").await
}

/// `POST /audits/{round}/plans/{id}/example`: keeps the plan, pseudonymised, as an example.
pub(crate) async fn mark_example(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((round, sample)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (round, sample) = ids(&round, &sample)?;
    let result = state
        .services()
        .mark_audit_example(&user.caller(Source::Form), sample)
        .await
        .map(drop);
    after_post(
        &state,
        &user,
        round,
        sample,
        Values::new(),
        result,
        "example",
    )
    .await
}

/// Back to the plan's page after a form: with a banner, or with the errors and what was typed.
async fn after_post(
    state: &AppState,
    user: &CurrentUser,
    round: i64,
    sample: i64,
    values: Values,
    result: Result<(), ServiceError>,
    done: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/audits/{round}/plans/{sample}?done={done}")).into_response(),
        ),
        Err(ServiceError::Invalid(errors)) => {
            let view = audited(state, user, round, sample).await?;
            let errors = FormErrors::new(errors);
            let page = plan_page(user, &view, None, &values, &errors)?;
            Ok(html(status_for(&errors), page))
        }
        Err(other) => Err(other.into()),
    }
}

fn grade_choices(name: &str, chosen: Option<&str>) -> Vec<GradeChoice> {
    GRADES
        .iter()
        .enumerate()
        .map(|(i, g)| GradeChoice {
            value: g.as_str(),
            // The first radio carries the field's own id, for the error summary's link.
            id: if i == 0 {
                name.to_owned()
            } else {
                format!("{name}-{i}")
            },
            checked: chosen == Some(g.as_str()),
        })
        .collect()
}

fn plan_page(
    user: &CurrentUser,
    view: &AuditedPlanView,
    done: Option<&'static str>,
    typed: &Values,
    errors: &FormErrors,
) -> Result<String, WebError> {
    let sample = &view.sample;
    let manager = user.can(Action::ManageAudits);
    let mine = |c: Criterion| {
        view.scores
            .iter()
            .find(|s| s.criterion == c && s.auditor_id == user.user.id)
    };
    let criteria = Criterion::ALL
        .iter()
        .map(|c| {
            let grade_field = format!("grade-{c}");
            let comment_field = format!("comment-{c}");
            let chosen = typed
                .get(&grade_field)
                .map(String::as_str)
                .or_else(|| mine(*c).map(|s| s.grade.as_str()));
            CriterionField {
                key: c.as_str(),
                label: c.label(),
                question: c.question(),
                grades: grade_choices(&grade_field, chosen),
                comment: typed
                    .get(&comment_field)
                    .cloned()
                    .or_else(|| mine(*c).map(|s| s.comment.clone()))
                    .unwrap_or_default(),
                grade_error: error_of(errors, &grade_field),
                comment_error: error_of(errors, &comment_field),
            }
        })
        .collect();
    let names = |id| {
        view.assignments
            .iter()
            .find(|a| a.auditor_id == id)
            .map(|a| {
                format!(
                    "{} ({})",
                    a.auditor_name,
                    a.discipline.label().to_lowercase()
                )
            })
            .unwrap_or_default()
    };
    let title = format!("Audit of case {}", sample.reference);
    let page = PlanPage {
        layout: Layout::signed_in(user, title, NAV).with_errors(!errors.is_empty()),
        done,
        error_summary: errors.summary()?,
        csrf_token: user.csrf_token(),
        action: format!("/audits/{}/plans/{}", sample.round_id, sample.id),
        back: if manager {
            format!("/audits/{}", sample.round_id)
        } else {
            NAV.to_owned()
        },
        manager,
        name: view.child_name.clone(),
        reference: sample.reference.clone(),
        version: sample.version,
        term: sample.term.label(),
        issued: view
            .version
            .plan
            .issued_on
            .map_or_else(String::new, dates::long),
        score: sample.automated_score,
        discipline: view.discipline.map(Discipline::label),
        sections: sections_of(&view.version.plan),
        scores: view
            .scores
            .iter()
            .map(|s| ScoreLine {
                auditor: names(s.auditor_id),
                criterion: s.criterion.label(),
                grade: s.grade.as_str(),
                comment: s.comment.clone(),
            })
            .collect(),
        suggested: view.suggested.map(Grade::as_str),
        settled: sample
            .moderation
            .as_ref()
            .map(|m| (m.grade.as_str(), m.by_name.clone(), m.comment.clone())),
        may_score: view.may_score,
        criteria,
        may_moderate: view.may_moderate,
        moderation_grades: grade_choices(
            "grade",
            typed
                .get("grade")
                .map(String::as_str)
                .or(view.suggested.map(Grade::as_str)),
        ),
        moderation_comment: typed.get("moderation_comment").cloned().unwrap_or_default(),
        moderation_grade_error: error_of(errors, "grade"),
        moderation_comment_error: error_of(errors, "moderation_comment"),
        may_mark_example: view.may_mark_example,
        example: sample.example,
    };
    Ok(page.render()?)
}

struct TableRow {
    label: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "pages/audit-report.html")]
struct ReportPage {
    layout: Layout,
    chart: Option<Html>,
    terms: Vec<String>,
    grades: Vec<TableRow>,
    criteria: Vec<TableRow>,
    sections: Vec<TableRow>,
}

/// "Good (2.8)": a mean of points with the grade nearest it.
fn mean_display(d: &Distribution) -> String {
    d.mean().map_or_else(
        || "Not graded".to_owned(),
        |m| {
            format!(
                "{} ({m:.1})",
                tandem_core::plan::audit::grade_of_mean(m).as_str()
            )
        },
    )
}

/// `GET /audits/report`: the term-on-term results.
pub(crate) async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let results = state
        .services()
        .audit_report(&user.caller(Source::Form))
        .await?;
    let page = ReportPage {
        layout: Layout::signed_in(&user, "Plan audit results by term", NAV),
        chart: audit_chart(&results).map(|c| c.render()).transpose()?,
        terms: results.iter().map(|r| r.term.label()).collect(),
        grades: std::iter::once(TableRow {
            label: "Plans audited".into(),
            cells: results.iter().map(|r| r.plans.to_string()).collect(),
        })
        .chain(std::iter::once(TableRow {
            label: "Grades settled".into(),
            cells: results.iter().map(|r| r.moderated.to_string()).collect(),
        }))
        .chain(GRADES.iter().map(|g| {
            TableRow {
                label: g.as_str().to_owned(),
                cells: results
                    .iter()
                    .map(|r| r.grades.count(*g).to_string())
                    .collect(),
            }
        }))
        .collect(),
        criteria: Criterion::ALL
            .iter()
            .map(|c| TableRow {
                label: c.label().to_owned(),
                cells: results
                    .iter()
                    .map(|r| {
                        r.by_criterion
                            .iter()
                            .find(|(x, _)| x == c)
                            .map_or_else(String::new, |(_, d)| mean_display(d))
                    })
                    .collect(),
            })
            .collect(),
        sections: tandem_core::plan::Section::ALL
            .iter()
            .filter(|s| {
                results
                    .iter()
                    .any(|r| r.by_section.iter().any(|(x, _)| x == *s))
            })
            .map(|s| TableRow {
                label: capitalised(&s.describe()),
                cells: results
                    .iter()
                    .map(|r| {
                        r.by_section
                            .iter()
                            .find(|(x, _)| x == s)
                            .map_or_else(|| "Not graded".to_owned(), |(_, d)| mean_display(d))
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, page.render()?))
}

/// The share of settled grades that are Good or better, term by term.
fn audit_chart(results: &[TermResults]) -> Option<TrendChart> {
    let points: Vec<TrendPoint> = results
        .iter()
        .map(|r| {
            let rate = r.grades.good_or_better();
            let good = r.grades.count(Grade::Outstanding) + r.grades.count(Grade::Good);
            TrendPoint {
                label: r.term.short_label(),
                rate,
                display: rate.map_or_else(
                    || "No grades settled".to_owned(),
                    |rate| format!("{} ({good} of {})", percent(rate), r.moderated),
                ),
                target: None,
                href: None,
                mark: crate::charts::Mark::Plain,
            }
        })
        .collect();
    let (first, last) = (results.first()?, results.last()?);
    let words = |r: &TermResults| {
        r.grades.good_or_better().map_or_else(
            || format!("no grades settled in the {}", r.term.label().to_lowercase()),
            |rate| format!("{} in the {}", percent(rate), r.term.label().to_lowercase()),
        )
    };
    Some(TrendChart {
        id: "audit-trend".into(),
        title: "Audited plans graded Good or Outstanding, by term".into(),
        description: format!(
            "Over {} terms, from {} to {}.",
            results.len(),
            words(first),
            words(last)
        ),
        measure: "Good or better".into(),
        period: "Term",
        points,
    })
}

struct ExampleView {
    label: String,
    term: String,
    grade: &'static str,
    sections: Vec<PlanSection>,
}

#[derive(Template)]
#[template(path = "pages/audit-examples.html")]
struct ExamplesPage {
    layout: Layout,
    examples: Vec<ExampleView>,
}

/// `GET /audits/examples`: the pseudonymised plans graded Good or better, for training.
pub(crate) async fn examples(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let examples: Vec<AuditExample> = state
        .services()
        .audit_examples(&user.caller(Source::Form))
        .await?;
    let page = ExamplesPage {
        layout: Layout::signed_in(&user, "What good looks like: example plans", NAV),
        examples: examples
            .iter()
            .map(|e| ExampleView {
                label: e.label.clone(),
                term: e.term.label(),
                grade: e.grade.as_str(),
                sections: sections_of(&e.plan),
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, page.render()?))
}
