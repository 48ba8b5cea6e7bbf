//! The case lists: a caseload (`/cases`), the team's caseloads side by side (`/team`) and the
//! backlog of requests past 20 weeks (`/backlog`). Each reads through `tandem_app::services`,
//! which checks the permission, narrows a case manager's list and audits what was shown.

use askama::Template;
use axum::Form;
use axum::extract::{Query as QueryString, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::services::{
    CaseFilter, CaseSearch, CaseSort, CaseSummary, Page, Source, StatusFilter,
};
use tandem_app::services::{FieldError, ServiceError, StaffMember};
use tandem_core::caseload::{describe_days_left, final_plan_due, weeks_since};
use tandem_core::rules::{RuleId, label as step_label, rule};
use tandem_core::{Date, RagStatus, Reference, Role, Stage, UserId, dates};

use crate::Html;
use crate::components::{ErrorMessage, Label, Select, SelectItem};
use crate::error::{WebError, html};
use crate::pages::forms::FormErrors;
use crate::pages::layout::{Layout, family_signposts};
use crate::pages::listing::{
    CaseTable, CaseTableRow, Cell, Column, PAGE_SIZE, Query, pagination, rag_tag,
};
use crate::session::CurrentUser;
use crate::state::AppState;
use tandem_core::signposts::Signpost;

const SECTION: &str = "/cases";

/// "Robin Testcase", or a placeholder when no name was recorded.
pub(crate) fn child_name(given: Option<&str>, family: Option<&str>) -> String {
    let name = [given, family]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        "Name not recorded".to_owned()
    } else {
        name
    }
}

/// A staff member's name by id, for the case manager columns.
pub(crate) fn staff_name(staff: &[StaffMember], id: Option<UserId>) -> String {
    match id {
        None => "Not assigned".to_owned(),
        Some(id) => staff
            .iter()
            .find(|m| m.id == id)
            .map_or_else(|| "Former member of staff".to_owned(), |m| m.name.clone()),
    }
}

/// What the caseload's address asks for. Values that mean nothing are ignored, so an edited
/// address shows the plain list rather than an error.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct CaseloadParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    manager: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    at_risk: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: String,
    /// Set after a bulk reassignment: how many cases were given to someone else.
    #[serde(default)]
    reassigned: String,
}

/// `manager=all`: everyone's cases, where a case manager's list starts with their own.
const ANYONE: &str = "all";
/// `due=week`: next step due from today to Sunday.
const THIS_WEEK: &str = "week";
/// The longest search kept: a reference, a name or a date is far shorter.
const SEARCH_MAX: usize = 100;

/// The list's choices once read.
#[derive(Debug, Clone)]
struct Choice {
    search: String,
    status: Option<RagStatus>,
    stage: Option<Stage>,
    /// The `manager` value as sent: an id, [`ANYONE`], or empty for the default.
    manager_asked: String,
    /// Whose cases: the id asked for, or by default a case manager's own.
    manager: Option<UserId>,
    team: Option<String>,
    due_this_week: bool,
    at_risk: bool,
    sort: CaseSort,
    page: i64,
}

impl Choice {
    fn read(params: &CaseloadParams, user: &CurrentUser) -> Self {
        let manager = match params.manager.as_str() {
            "" if user.user.role == Role::CaseManager => Some(user.actor().id),
            asked => asked.parse().ok(),
        };
        Self {
            search: params.q.trim().chars().take(SEARCH_MAX).collect(),
            status: RagStatus::parse(&params.status),
            stage: Stage::parse(&params.stage),
            manager_asked: params.manager.clone(),
            manager,
            team: Some(params.team.trim().to_owned()).filter(|t| !t.is_empty()),
            due_this_week: params.due == THIS_WEEK,
            at_risk: params.at_risk == "1",
            sort: CaseSort::parse(&params.sort).unwrap_or_default(),
            page: params.page.parse().unwrap_or(1).max(1),
        }
    }

    /// Without a stage chosen, the open cases.
    fn filter(&self, today: Date) -> CaseFilter {
        let due_this_week = self.due_this_week;
        CaseFilter {
            stages: match self.stage {
                Some(stage) => vec![stage],
                None => tandem_core::caseload::open_stages(),
            },
            status: match self.status {
                Some(status) => Some(StatusFilter::rag(status)),
                None if due_this_week => Some(StatusFilter::Pending),
                None => None,
            },
            due_before: due_this_week
                .then(|| tandem_core::caseload::week_end(today) + chrono::Days::new(1)),
            case_manager: self.manager,
            team: self.team.clone(),
            search: search(&self.search),
            at_risk: self.at_risk,
            ..CaseFilter::as_of(today)
        }
    }

    /// The query that gives this list (without the page).
    fn query(&self) -> Query {
        Query::default()
            .with("q", self.search.clone())
            .with("status", self.status.map_or("", RagStatus::as_str))
            .with("stage", self.stage.map_or("", Stage::as_str))
            .with("manager", self.manager_asked.clone())
            .with("team", self.team.clone().unwrap_or_default())
            .with("due", if self.due_this_week { THIS_WEEK } else { "" })
            .with("at_risk", if self.at_risk { "1" } else { "" })
            .with(
                "sort",
                match self.sort {
                    CaseSort::Due => "",
                    other => other.as_str(),
                },
            )
    }
}

/// What a search box's text looks for: a date of birth when it reads as one (`2015-06-01`,
/// `1/6/2015`, `1 June 2015`), otherwise a reference or part of a name.
fn search(text: &str) -> Option<CaseSearch> {
    if text.is_empty() {
        return None;
    }
    let date = dates::parse_iso(text).ok().or_else(|| {
        ["%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"]
            .iter()
            .find_map(|format| Date::parse_from_str(text, format).ok())
    });
    Some(match date {
        Some(born) => CaseSearch::BirthDate(born),
        None => CaseSearch::Text(text.to_owned()),
    })
}

/// A case's row on the caseload: after its reference, the child, stage, next step, its due
/// date, days left, status and case manager.
fn case_row(
    case: &CaseSummary,
    staff: &[StaffMember],
    today: Date,
) -> askama::Result<CaseTableRow> {
    let due = case.projection.next_due;
    let step = case
        .projection
        .next_key
        .as_deref()
        .map_or_else(|| "None".to_owned(), step_label);
    Ok(CaseTableRow {
        reference: case.reference.to_string(),
        cells: vec![
            Cell::text(child_name(
                case.given_name.as_deref(),
                case.family_name.as_deref(),
            )),
            Cell::text(case.projection.stage.label()),
            Cell::text(step),
            Cell::text(due.map_or_else(String::new, dates::long)),
            Cell::text(due.map_or_else(String::new, |d| describe_days_left(d, today))),
            Cell::markup(rag_tag(due.map(|d| RagStatus::of(d, today)))?),
            Cell::text(staff_name(staff, case.case_manager)),
        ],
    })
}

#[derive(Template)]
#[template(path = "pages/caseload.html")]
struct CaseloadPage {
    layout: Layout,
    heading: &'static str,
    /// The quick filters with their counts: (text, address, chosen).
    counts: Vec<(String, String, bool)>,
    search: String,
    filters: Vec<Html>,
    due_this_week: bool,
    at_risk: bool,
    sort: &'static str,
    /// The table of cases, when any match.
    table: Option<Html>,
    pagination: Option<Html>,
    /// Whether the reader may open a case for a new request.
    may_open: bool,
    /// The bulk reassignment's select of case managers, for those who may reassign.
    reassign: Option<Html>,
    /// Where the reassignment comes back to: this list.
    back_to: String,
    error_summary: Option<Html>,
    /// The reassignment's reason as typed, and its problem.
    reason: String,
    reason_error: Option<String>,
    /// The banner after a reassignment.
    done: Option<String>,
    csrf_token: String,
    /// The local offer and schemes, on a family's pages.
    signposts: Vec<Signpost>,
}

fn select(
    name: &str,
    label: &str,
    chosen: String,
    options: impl Iterator<Item = (String, String)>,
    error_message: Option<ErrorMessage>,
) -> askama::Result<Html> {
    Html::render(&Select {
        id: Some(name.into()),
        name: name.into(),
        items: options
            .map(|(value, text)| {
                Some(SelectItem {
                    value: Some(value),
                    text: Some(text),
                    ..SelectItem::default()
                })
            })
            .collect(),
        value: Some(chosen),
        label: Some(Label {
            text: Some(label.into()),
            classes: Some("govuk-label--s".into()),
            ..Label::default()
        }),
        error_message,
        ..Select::default()
    })
}

/// The teams staff belong to, once each, in order.
fn teams(staff: &[StaffMember]) -> Vec<String> {
    let mut teams: Vec<String> = staff.iter().filter_map(|m| m.team.clone()).collect();
    teams.sort();
    teams.dedup();
    teams
}

fn filters(
    choice: &Choice,
    staff: &[StaffMember],
    user: &CurrentUser,
) -> askama::Result<Vec<Html>> {
    let status = std::iter::once((String::new(), "Any status".to_owned())).chain(
        RagStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
    );
    let stage = std::iter::once((String::new(), "Any open case".to_owned())).chain(
        Stage::ALL
            .iter()
            .filter(|s| **s != Stage::NoRequest)
            .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
    );
    // A case manager's list starts with their own cases ("My cases", the empty choice).
    let (first, chosen) = if user.user.role == Role::CaseManager {
        let chosen = match choice.manager {
            Some(id) if id == user.actor().id => String::new(),
            Some(id) => id.to_string(),
            None => ANYONE.to_owned(),
        };
        (
            vec![
                (String::new(), "My cases".to_owned()),
                (ANYONE.to_owned(), "Anyone in my team".to_owned()),
            ],
            chosen,
        )
    } else {
        (
            vec![(String::new(), "Anyone".to_owned())],
            choice.manager.map(|m| m.to_string()).unwrap_or_default(),
        )
    };
    let me = user.actor().id;
    let manager = first.into_iter().chain(
        staff
            .iter()
            .filter(|m| m.id != me || user.user.role != Role::CaseManager)
            .map(|m| (m.id.to_string(), m.name.clone())),
    );
    let team = std::iter::once((String::new(), "Any team".to_owned()))
        .chain(teams(staff).into_iter().map(|t| (t.clone(), t)));
    Ok(vec![
        select(
            "status",
            "Status",
            choice.status.map_or("", RagStatus::as_str).to_owned(),
            status,
            None,
        )?,
        select(
            "stage",
            "Stage",
            choice.stage.map_or("", Stage::as_str).to_owned(),
            stage,
            None,
        )?,
        select("manager", "Case manager", chosen, manager, None)?,
        select(
            "team",
            "Team",
            choice.team.clone().unwrap_or_default(),
            team,
            None,
        )?,
    ])
}

/// The select of people cases can be given to, for the bulk reassignment.
fn reassign_select(staff: &[StaffMember], reassigning: &Reassigning) -> askama::Result<Html> {
    let items = std::iter::once((String::new(), "Choose a case manager".to_owned())).chain(
        staff.iter().map(|m| {
            let team = m
                .team
                .as_deref()
                .map(|t| format!(", {t}"))
                .unwrap_or_default();
            (
                m.id.to_string(),
                format!("{} ({}{team})", m.name, m.role.label()),
            )
        }),
    );
    select(
        "case_manager",
        "Give the selected cases to",
        reassigning.case_manager.clone(),
        items,
        reassigning.errors.message("case_manager"),
    )
}

/// `POST /cases/reassign`: gives the selected cases to one case manager with a reason kept in
/// each case's history, all or none, then shows the list it came from again.
pub(crate) async fn reassign(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let selected: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "case")
        .map(|(_, v)| v.clone())
        .collect();
    // Back to the list the form was on: only the caseload's own address is followed.
    let back = Some(field("back"))
        .filter(|b| *b == SECTION || b.starts_with("/cases?"))
        .unwrap_or(SECTION)
        .to_owned();
    let params: CaseloadParams =
        serde_urlencoded::from_str(back.split_once('?').map_or("", |(_, q)| q)).unwrap_or_default();
    let mut errors = Vec::new();
    let manager = match field("case_manager").parse::<UserId>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldError::new(
                "case_manager",
                "Choose who to give the cases to",
            ));
            None
        }
    };
    let references: Vec<Reference> = selected
        .iter()
        .filter_map(|r| Reference::parse(r).ok())
        .collect();
    if references.is_empty() {
        errors.push(FieldError::new("case", "Select the cases to reassign"));
    }
    if field("reason").trim().is_empty() {
        errors.push(FieldError::new(
            "reason",
            "Enter why the cases are being reassigned",
        ));
    }
    if errors.is_empty() {
        let result = state
            .services()
            .reassign_cases(
                &user.caller(Source::Form),
                &references,
                manager,
                field("reason"),
            )
            .await;
        match result {
            Ok(count) => {
                let to = Query::default().with("reassigned", count.to_string());
                let separator = if back.contains('?') { '&' } else { '?' };
                let query = to.href("");
                let query = query.trim_start_matches('?');
                return Ok(Redirect::to(&format!("{back}{separator}{query}")).into_response());
            }
            Err(ServiceError::Invalid(problems)) => errors.extend(problems),
            Err(other) => return Err(other.into()),
        }
    }
    let reassigning = Reassigning {
        errors: FormErrors::new(errors),
        selected,
        case_manager: field("case_manager").to_owned(),
        reason: field("reason").to_owned(),
    };
    caseload(&state, &user, &params, &reassigning, None).await
}

/// `GET /cases`: the caseload, with its counts, search, filters, sorting and pages.
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    QueryString(params): QueryString<CaseloadParams>,
) -> Result<Response, WebError> {
    let done = params.reassigned.parse::<usize>().ok();
    caseload(&state, &user, &params, &Reassigning::default(), done).await
}

/// What the bulk reassignment sent, shown again with its problems.
#[derive(Default)]
struct Reassigning {
    errors: FormErrors,
    selected: Vec<String>,
    case_manager: String,
    reason: String,
}

/// The caseload page for `params`; with the bulk reassignment's problems when it is shown
/// again (422), after `done` cases were reassigned, or plain.
async fn caseload(
    state: &AppState,
    user: &CurrentUser,
    params: &CaseloadParams,
    reassigning: &Reassigning,
    done: Option<usize>,
) -> Result<Response, WebError> {
    let choice = Choice::read(params, user);
    let today = state.today();
    let services = state.services();
    // Professionals, settings and families see the few cases linked to them, at every stage and
    // without the staff's filters.
    let linked_only = !user.can(tandem_core::Action::ListCases);
    let mut filter = choice.filter(today);
    if linked_only && choice.stage.is_none() {
        filter.stages.clear();
    }
    let found = services
        .caseload(
            &user.caller(Source::Form),
            &filter,
            choice.sort,
            Page::number(choice.page, PAGE_SIZE),
        )
        .await?;
    let staff = services.staff().await?;
    let query = choice.query();
    let sorts_by = |text, sort| Column {
        text,
        href: Some(
            Choice {
                sort,
                ..choice.clone()
            }
            .query()
            .href(SECTION),
        ),
        current: sort == choice.sort,
        numeric: false,
    };
    let columns = vec![
        sorts_by("Reference", CaseSort::Reference),
        sorts_by("Child’s name", CaseSort::Name),
        sorts_by("Stage", CaseSort::Stage),
        Column::plain("Next statutory step"),
        sorts_by("Due date", CaseSort::Due),
        Column::plain("Days left"),
        Column::plain("Status"),
        Column::plain("Case manager"),
    ];
    let rows = found
        .cases
        .cases
        .iter()
        .map(|case| case_row(case, &staff, today))
        .collect::<askama::Result<Vec<_>>>()?;
    let may_reassign = !linked_only
        && tandem_core::can(
            &user.actor(),
            tandem_core::Action::AssignCaseManager,
            tandem_core::Resource::Case(&tandem_core::CaseAccess::default()),
        );
    let total = found.cases.total;
    let table = if rows.is_empty() {
        None
    } else {
        let caption = format!("{total} {}", if total == 1 { "case" } else { "cases" });
        Some(Html::render(&CaseTable {
            caption,
            columns,
            rows,
            selectable: may_reassign,
            selected: reassigning.selected.clone(),
        })?)
    };
    let heading = match user.user.role {
        Role::CaseManager => "My caseload",
        Role::Parent => "Your child’s cases",
        Role::HealthProfessional | Role::SocialCareProfessional | Role::EducationSetting => {
            "Cases you are asked to advise on"
        }
        _ => "Cases",
    };
    let quick = |text: String, name: &'static str, value: &str, chosen: bool| {
        let base = Choice {
            status: None,
            due_this_week: false,
            at_risk: false,
            page: 1,
            ..choice.clone()
        };
        (text, base.query().with(name, value).href(SECTION), chosen)
    };
    let counts = vec![
        quick(
            format!("{} overdue", found.overdue),
            "status",
            RagStatus::Overdue.as_str(),
            choice.status == Some(RagStatus::Overdue),
        ),
        quick(
            format!("{} due this week", found.due_this_week),
            "due",
            THIS_WEEK,
            choice.due_this_week,
        ),
        quick(
            format!("{} due this fortnight", found.due_soon),
            "status",
            RagStatus::DueSoon.as_str(),
            choice.status == Some(RagStatus::DueSoon),
        ),
        quick(
            format!("{} at risk of missing 20 weeks", found.at_risk),
            "at_risk",
            "1",
            choice.at_risk,
        ),
    ];
    let page = CaseloadPage {
        may_open: user.can(tandem_core::Action::OpenCase),
        signposts: family_signposts(user, state.config()),
        layout: Layout::signed_in(user, heading, SECTION)
            .with_errors(!reassigning.errors.is_empty()),
        heading,
        counts: if linked_only { Vec::new() } else { counts },
        search: choice.search.clone(),
        filters: if linked_only {
            Vec::new()
        } else {
            filters(&choice, &staff, user)?
        },
        due_this_week: choice.due_this_week,
        at_risk: choice.at_risk,
        sort: match choice.sort {
            CaseSort::Due => "",
            other => other.as_str(),
        },
        table,
        pagination: pagination(SECTION, &query, choice.page, total)?,
        reassign: if may_reassign && total > 0 {
            Some(reassign_select(&staff, reassigning)?)
        } else {
            None
        },
        error_summary: reassigning.errors.summary()?,
        reason: reassigning.reason.clone(),
        reason_error: reassigning.errors.message("reason").and_then(|m| m.text),
        done: done.map(|n| match n {
            1 => "1 case reassigned".to_owned(),
            n => format!("{n} cases reassigned"),
        }),
        back_to: query
            .clone()
            .with("page", choice.page.to_string())
            .href(SECTION),
        csrf_token: user.csrf_token(),
    };
    let status = if reassigning.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(status, page.render()?))
}

/// One line of the team page.
struct TeamRow {
    name: String,
    href: Option<String>,
    team: String,
    cases: i64,
    overdue: i64,
    due_soon: i64,
    at_risk: i64,
    at_risk_href: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/team.html")]
struct TeamPage {
    layout: Layout,
    rows: Vec<TeamRow>,
    /// Plans waiting for the viewer's sign-off; `None` for those who do not sign plans off.
    sign_off: Option<Vec<SignOffRow>>,
}

/// A plan on the signers' list.
struct SignOffRow {
    href: String,
    reference: String,
    child: String,
    asked: String,
    note: String,
    comment_period_ends: String,
}

/// `GET /team`: every case manager's open cases side by side, for team managers and the head
/// of service.
pub(crate) async fn team(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let lines = state
        .services()
        .team_caseloads(&user.caller(Source::Form), state.today())
        .await?;
    let rows = lines
        .into_iter()
        .map(|line| match line.member {
            Some(member) => {
                let theirs = Query::default().with("manager", member.id.to_string());
                TeamRow {
                    href: Some(theirs.clone().href(SECTION)),
                    at_risk_href: Some(theirs.with("at_risk", "1").href(SECTION)),
                    name: member.name,
                    team: member.team.unwrap_or_default(),
                    cases: line.cases,
                    overdue: line.overdue,
                    due_soon: line.due_soon,
                    at_risk: line.at_risk,
                }
            }
            None => TeamRow {
                name: "Not assigned to anyone active".to_owned(),
                href: None,
                at_risk_href: None,
                team: String::new(),
                cases: line.cases,
                overdue: line.overdue,
                due_soon: line.due_soon,
                at_risk: line.at_risk,
            },
        })
        .collect();
    let sign_off = if state.config().plan_sign_off.allows(user.user.role) {
        let waiting = state
            .services()
            .sign_off_queue(&user.caller(Source::Form))
            .await?;
        Some(
            waiting
                .into_iter()
                .map(|w| SignOffRow {
                    href: format!("/cases/{}/plan/issue-final", w.reference),
                    asked: format!(
                        "{}, {}",
                        w.request.requester_name,
                        dates::long(dates::england_date(w.request.requested_at))
                    ),
                    note: w.request.note,
                    comment_period_ends: w
                        .comment_period_ends
                        .map_or_else(String::new, dates::long),
                    reference: w.reference.to_string(),
                    child: w.child,
                })
                .collect(),
        )
    } else {
        None
    };
    let page = TeamPage {
        layout: Layout::signed_in(&user, "Team caseloads", "/team"),
        rows,
        sign_off,
    };
    Ok(html(StatusCode::OK, page.render()?))
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct BacklogParams {
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "pages/backlog.html")]
struct BacklogPage {
    layout: Layout,
    /// The final plan's time limit in words ("20 weeks") and the regulation that sets it.
    limit: String,
    citation: &'static str,
    table: Option<Html>,
    pagination: Option<Html>,
}

/// `GET /backlog`: requests past the 20-week limit without a final plan, oldest first.
pub(crate) async fn backlog(
    State(state): State<AppState>,
    user: CurrentUser,
    QueryString(params): QueryString<BacklogParams>,
) -> Result<Response, WebError> {
    let today = state.today();
    let page_number = params.page.parse().unwrap_or(1).max(1);
    let services = state.services();
    let found = services
        .backlog(
            &user.caller(Source::Form),
            &CaseFilter::as_of(today),
            Page::number(page_number, PAGE_SIZE),
        )
        .await?;
    let staff = services.staff().await?;
    let final_plan = rule(RuleId::FinalPlan);
    let limit = final_plan.length.phrase();
    let rows: Vec<CaseTableRow> = found
        .cases
        .iter()
        .map(|case| CaseTableRow {
            reference: case.reference.to_string(),
            cells: vec![
                Cell::text(child_name(
                    case.given_name.as_deref(),
                    case.family_name.as_deref(),
                )),
                Cell::text(case.stage.label()),
                Cell::text(dates::long(case.requested)),
                Cell::text(dates::long(final_plan_due(case.requested))),
                Cell::number(weeks_since(case.requested, today)),
                Cell::text(staff_name(&staff, case.case_manager)),
            ],
        })
        .collect();
    let total = found.total;
    let table = if rows.is_empty() {
        None
    } else {
        let requests = if total == 1 { "request" } else { "requests" };
        Some(Html::render(&CaseTable {
            caption: format!("{total} {requests} past {limit}"),
            columns: vec![
                Column::plain("Reference"),
                Column::plain("Child’s name"),
                Column::plain("Stage"),
                Column::plain("Request received"),
                Column::plain("Final plan was due"),
                Column {
                    numeric: true,
                    ..Column::plain("Weeks since request")
                },
                Column::plain("Case manager"),
            ],
            rows,
            selectable: false,
            selected: Vec::new(),
        })?)
    };
    let page = BacklogPage {
        layout: Layout::signed_in(&user, "Backlog", "/backlog"),
        limit,
        citation: final_plan.citation,
        table,
        pagination: pagination("/backlog", &Query::default(), page_number, found.total)?,
    };
    Ok(html(StatusCode::OK, page.render()?))
}
