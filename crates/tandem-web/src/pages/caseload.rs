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
use tandem_core::rules::label as step_label;
use tandem_core::{Date, RagStatus, Role, Stage, UserId, dates};

use crate::Html;
use crate::components::{Label, Select, SelectItem};
use crate::error::{WebError, html};
use crate::pages::layout::Layout;
use crate::pages::listing::{PAGE_SIZE, Query, pagination, rag_tag};
use crate::session::CurrentUser;
use crate::state::AppState;

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

/// One row of the caseload table.
struct CaseRow {
    reference: String,
    name: String,
    stage: &'static str,
    step: String,
    due: String,
    days_left: String,
    tag: Html,
    manager: String,
}

impl CaseRow {
    fn new(case: &CaseSummary, staff: &[StaffMember], today: Date) -> askama::Result<Self> {
        let due = case.projection.next_due;
        Ok(Self {
            reference: case.reference.to_string(),
            name: child_name(case.given_name.as_deref(), case.family_name.as_deref()),
            stage: case.projection.stage.label(),
            step: case
                .projection
                .next_key
                .as_deref()
                .map_or_else(|| "None".to_owned(), step_label),
            due: due.map_or_else(String::new, dates::long),
            days_left: due.map_or_else(String::new, |d| describe_days_left(d, today)),
            tag: rag_tag(due.map(|d| RagStatus::of(d, today)))?,
            manager: staff_name(staff, case.case_manager),
        })
    }
}

/// A column heading that sorts the list.
struct SortHeading {
    text: &'static str,
    href: String,
    /// `aria-sort` for the column the list is sorted by.
    current: bool,
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
    total: i64,
    filters: Vec<Html>,
    sort: &'static str,
    headings: Vec<SortHeading>,
    rows: Vec<CaseRow>,
    pagination: Option<Html>,
    /// Whether the reader may open a case for a new request.
    may_open: bool,
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
    let found = services
        .caseload(
            &user.caller(Source::Form),
            &choice.filter(today),
            choice.sort,
            Page::number(choice.page, PAGE_SIZE),
        )
        .await?;
    let staff = services.staff().await?;
    let query = choice.query();
    let headings = [
        ("Reference", CaseSort::Reference),
        ("Child’s name", CaseSort::Name),
        ("Stage", CaseSort::Stage),
        ("Due date", CaseSort::Due),
    ]
    .into_iter()
    .map(|(text, sort)| SortHeading {
        text,
        href: Choice { sort, ..choice }.query().href(SECTION),
        current: sort == choice.sort,
    })
    .collect();
    let rows = found
        .cases
        .cases
        .iter()
        .map(|case| CaseRow::new(case, &staff, today))
        .collect::<askama::Result<_>>()?;
    let heading = if user.user.role == Role::CaseManager {
        "My caseload"
    } else {
        "Cases"
    };
    let page = CaseloadPage {
        may_open: user.can(tandem_core::Action::OpenCase),
        layout: Layout::signed_in(&user, heading, SECTION),
        heading,
        overdue: found.overdue,
        overdue_href: query.clone().with("status", "overdue").href(SECTION),
        due_soon: found.due_soon,
        due_soon_href: query.clone().with("status", "due_soon").href(SECTION),
        total: found.cases.total,
        filters: filters(&choice, &staff)?,
        sort: match choice.sort {
            CaseSort::Due => "",
            other => other.as_str(),
        },
        headings,
        rows,
        pagination: pagination(SECTION, &query, choice.page, found.cases.total)?,
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
    let page = TeamPage {
        layout: Layout::signed_in(&user, "Team caseloads", "/team"),
        rows,
    };
    Ok(html(StatusCode::OK, page.render()?))
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct BacklogParams {
    #[serde(default)]
    page: String,
}

struct BacklogRow {
    reference: String,
    name: String,
    stage: &'static str,
    requested: String,
    due: String,
    weeks: i64,
    manager: String,
}

#[derive(Template)]
#[template(path = "pages/backlog.html")]
struct BacklogPage {
    layout: Layout,
    total: i64,
    rows: Vec<BacklogRow>,
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
    let rows = found
        .cases
        .iter()
        .map(|case| BacklogRow {
            reference: case.reference.to_string(),
            name: child_name(case.given_name.as_deref(), case.family_name.as_deref()),
            stage: case.stage.label(),
            requested: dates::long(case.requested),
            due: dates::long(final_plan_due(case.requested)),
            weeks: weeks_since(case.requested, today),
            manager: staff_name(&staff, case.case_manager),
        })
        .collect();
    let page = BacklogPage {
        layout: Layout::signed_in(&user, "Backlog", "/backlog"),
        total: found.total,
        rows,
        pagination: pagination("/backlog", &Query::default(), page_number, found.total)?,
    };
    Ok(html(StatusCode::OK, page.render()?))
}
