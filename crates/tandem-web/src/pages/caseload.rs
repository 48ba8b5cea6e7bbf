//! The case lists: a caseload (`/cases`), the team's caseloads side by side (`/team`) and the
//! backlog of requests past 20 weeks (`/backlog`). Each reads through `tandem_app::services`,
//! which checks the permission, narrows a case manager's list and audits what was shown.

use askama::Template;
use axum::extract::{Query as QueryString, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_app::services::StaffMember;
use tandem_app::services::{CaseFilter, CaseSort, CaseSummary, Page, Source, StatusFilter};
use tandem_core::caseload::{describe_days_left, final_plan_due, weeks_since};
use tandem_core::rules::{RuleId, label as step_label, rule};
use tandem_core::{Date, RagStatus, Role, Stage, UserId, dates};

use crate::Html;
use crate::components::{Label, Select, SelectItem};
use crate::error::{WebError, html};
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
    status: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    manager: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: String,
}

/// The list's choices once read.
#[derive(Debug, Clone, Copy)]
struct Choice {
    status: Option<RagStatus>,
    stage: Option<Stage>,
    manager: Option<UserId>,
    sort: CaseSort,
    page: i64,
}

impl Choice {
    fn read(params: &CaseloadParams) -> Self {
        Self {
            status: RagStatus::parse(&params.status),
            stage: Stage::parse(&params.stage),
            manager: params.manager.parse().ok(),
            sort: CaseSort::parse(&params.sort).unwrap_or_default(),
            page: params.page.parse().unwrap_or(1).max(1),
        }
    }

    /// Without a stage chosen, the open cases.
    fn filter(&self, today: Date) -> CaseFilter {
        CaseFilter {
            stages: match self.stage {
                Some(stage) => vec![stage],
                None => tandem_core::caseload::open_stages(),
            },
            status: self.status.map(StatusFilter::rag),
            case_manager: self.manager,
            ..CaseFilter::as_of(today)
        }
    }

    /// The query that gives this list (without the page).
    fn query(&self) -> Query {
        Query::default()
            .with("status", self.status.map_or("", RagStatus::as_str))
            .with("stage", self.stage.map_or("", Stage::as_str))
            .with(
                "manager",
                self.manager.map(|m| m.to_string()).unwrap_or_default(),
            )
            .with(
                "sort",
                match self.sort {
                    CaseSort::Due => "",
                    other => other.as_str(),
                },
            )
    }
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
    overdue: i64,
    overdue_href: String,
    due_soon: i64,
    due_soon_href: String,
    filters: Vec<Html>,
    sort: &'static str,
    /// The table of cases, when any match.
    table: Option<Html>,
    pagination: Option<Html>,
    /// Whether the reader may open a case for a new request.
    may_open: bool,
    /// The local offer and schemes, on a family's pages.
    signposts: Vec<Signpost>,
}

fn select(
    name: &str,
    label: &str,
    chosen: String,
    options: impl Iterator<Item = (String, String)>,
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
        ..Select::default()
    })
}

fn filters(choice: &Choice, staff: &[StaffMember]) -> askama::Result<Vec<Html>> {
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
    let manager = std::iter::once((String::new(), "Anyone".to_owned()))
        .chain(staff.iter().map(|m| (m.id.to_string(), m.name.clone())));
    Ok(vec![
        select(
            "status",
            "Status",
            choice.status.map_or("", RagStatus::as_str).to_owned(),
            status,
        )?,
        select(
            "stage",
            "Stage",
            choice.stage.map_or("", Stage::as_str).to_owned(),
            stage,
        )?,
        select(
            "manager",
            "Case manager",
            choice.manager.map(|m| m.to_string()).unwrap_or_default(),
            manager,
        )?,
    ])
}

/// `GET /cases`: the caseload, with its counts, filters, sorting and pages.
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    QueryString(params): QueryString<CaseloadParams>,
) -> Result<Response, WebError> {
    let choice = Choice::read(&params);
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
        href: Some(Choice { sort, ..choice }.query().href(SECTION)),
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
    let total = found.cases.total;
    let table = if rows.is_empty() {
        None
    } else {
        let caption = format!("{total} {}", if total == 1 { "case" } else { "cases" });
        Some(Html::render(&CaseTable {
            caption,
            columns,
            rows,
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
    let page = CaseloadPage {
        may_open: user.can(tandem_core::Action::OpenCase),
        signposts: family_signposts(&user, state.config()),
        layout: Layout::signed_in(&user, heading, SECTION),
        heading,
        overdue: found.overdue,
        overdue_href: query.clone().with("status", "overdue").href(SECTION),
        due_soon: found.due_soon,
        due_soon_href: query.clone().with("status", "due_soon").href(SECTION),
        filters: if linked_only {
            Vec::new()
        } else {
            filters(&choice, &staff)?
        },
        sort: match choice.sort {
            CaseSort::Due => "",
            other => other.as_str(),
        },
        table,
        pagination: pagination(SECTION, &query, choice.page, total)?,
    };
    Ok(html(StatusCode::OK, page.render()?))
}

/// One line of the team page.
struct TeamRow {
    name: String,
    href: Option<String>,
    team: String,
    cases: i64,
    overdue: i64,
    due_soon: i64,
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
            Some(member) => TeamRow {
                href: Some(
                    Query::default()
                        .with("manager", member.id.to_string())
                        .href(SECTION),
                ),
                name: member.name,
                team: member.team.unwrap_or_default(),
                cases: line.cases,
                overdue: line.overdue,
                due_soon: line.due_soon,
            },
            None => TeamRow {
                name: "Not assigned to anyone active".to_owned(),
                href: None,
                team: String::new(),
                cases: line.cases,
                overdue: line.overdue,
                due_soon: line.due_soon,
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
