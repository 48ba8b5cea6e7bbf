//! Listing: the filtered, sorted and paged case lists, caseload counts and the backlog.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, FromRow};
use tandem_core::{Date, Reference, Stage};

use super::events::EFFECTIVE_EVENTS;
use super::records::ProjectionRow;
use super::sql::placeholder;
use crate::error::StoreError;
use crate::model::{
    BacklogCase, BacklogPage, CaseFilter, CasePage, CaseSearch, CaseSort, CaseSummary,
    CaseloadCount, Page, StatusFilter, parse_reference,
};
use crate::store::{Conn, on};

enum Param {
    Int(i64),
    Text(String),
    Date(Date),
}

/// A WHERE clause built from optional filters, with its numbered parameters.
#[derive(Default)]
struct Conditions {
    conditions: Vec<String>,
    params: Vec<Param>,
}

impl Conditions {
    /// Adds a parameter and returns its placeholder.
    fn mark(&mut self, param: Param) -> String {
        self.params.push(param);
        format!("${}", self.params.len())
    }

    fn add(&mut self, condition: String) {
        self.conditions.push(condition);
    }
}

#[derive(FromRow)]
struct SummaryRow {
    id: i64,
    reference: String,
    version: i64,
    case_manager_id: Option<i64>,
    team: Option<String>,
    opened_at: DateTime<Utc>,
    given_name: Option<String>,
    family_name: Option<String>,
    #[sqlx(flatten)]
    projection: ProjectionRow,
}

/// The WHERE clause of a case filter (over `cases c`, `case_projection p`).
fn filter_conditions(filter: &CaseFilter) -> Conditions {
    let mut w = Conditions::default();
    if !filter.stages.is_empty() {
        let marks: Vec<String> = filter
            .stages
            .iter()
            .map(|s| w.mark(Param::Text(s.as_str().to_owned())))
            .collect();
        w.add(format!("p.stage IN ({})", marks.join(", ")));
    }
    match filter.status {
        Some(StatusFilter::Overdue) => {
            let m = w.mark(Param::Date(filter.as_of));
            w.add(format!("p.next_due < {m}"));
        }
        Some(StatusFilter::Pending) => {
            let m = w.mark(Param::Date(filter.as_of));
            w.add(format!("p.next_due >= {m}"));
        }
        Some(StatusFilter::NothingDue) => w.add("p.next_due IS NULL".to_owned()),
        Some(StatusFilter::DueSoon) => {
            let from = w.mark(Param::Date(filter.as_of));
            let to = w.mark(Param::Date(due_soon_until(filter.as_of)));
            w.add(format!("p.next_due >= {from} AND p.next_due <= {to}"));
        }
        Some(StatusFilter::OnTrack) => {
            let m = w.mark(Param::Date(due_soon_until(filter.as_of)));
            w.add(format!("p.next_due > {m}"));
        }
        None => {}
    }
    if let Some(before) = filter.due_before {
        let m = w.mark(Param::Date(before));
        w.add(format!("p.next_due < {m}"));
    }
    if let Some(manager) = filter.case_manager {
        let m = w.mark(Param::Int(manager));
        w.add(format!("c.case_manager_id = {m}"));
    }
    if let Some(team) = &filter.team {
        let m = w.mark(Param::Text(team.clone()));
        w.add(format!("c.team = {m}"));
    }
    if let Some(caseload) = &filter.caseload_of {
        let user = w.mark(Param::Int(caseload.user));
        match &caseload.team {
            Some(team) => {
                let team = w.mark(Param::Text(team.clone()));
                w.add(format!("(c.case_manager_id = {user} OR c.team = {team})"));
            }
            None => w.add(format!("c.case_manager_id = {user}")),
        }
    }
    match &filter.search {
        Some(CaseSearch::BirthDate(born)) => {
            let m = w.mark(Param::Date(*born));
            w.add(format!("ch.date_of_birth = {m}"));
        }
        Some(CaseSearch::Text(text)) => {
            // The text matches literally: LIKE's wildcards in it are escaped.
            let literal = text
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let reference = w.mark(Param::Text(format!("{}%", literal.to_uppercase())));
            let name = w.mark(Param::Text(format!("%{}%", literal.to_lowercase())));
            w.add(format!(
                "(upper(c.reference) LIKE {reference} ESCAPE '\\' OR \
                 lower(COALESCE(ch.given_name, '') || ' ' || COALESCE(ch.family_name, '')) \
                 LIKE {name} ESCAPE '\\')"
            ));
        }
        None => {}
    }
    if filter.at_risk {
        w.add("p.at_risk".to_owned());
    }
    if let Some(linked) = &filter.linked_to {
        let user = w.mark(Param::Int(linked.user));
        let by_name = format!(
            "EXISTS (SELECT 1 FROM case_people p WHERE p.case_id = c.id AND p.user_id = {user})"
        );
        match &linked.provider {
            Some(provider) => {
                let provider = w.mark(Param::Text(provider.clone()));
                let since = w.mark(Param::Date(linked.closed_since));
                w.add(format!(
                    "({by_name} OR EXISTS (SELECT 1 FROM case_advice_providers a \
                     WHERE a.case_id = c.id AND a.provider = {provider} \
                     AND (a.closed_on IS NULL OR a.closed_on >= {since})))"
                ));
            }
            None => w.add(by_name),
        }
    }
    w
}

/// The tables a count over `filter` reads: the children only when a search names them (every
/// case has its child, `child_id` being NOT NULL, so the join changes no count).
fn counted_from(filter: &CaseFilter) -> &'static str {
    if filter.search.is_some() {
        LIST_FROM
    } else {
        "FROM cases c JOIN case_projection p ON p.case_id = c.id"
    }
}

/// The last day on which a next step counts as due soon (amber).
fn due_soon_until(as_of: Date) -> Date {
    as_of + chrono::Days::new(tandem_core::caseload::DUE_SOON_DAYS.unsigned_abs())
}

impl Conditions {
    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }
}

/// Binds a filter's parameters, in order, to a query of either backend.
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Int(v) => query.bind(*v),
                Param::Text(v) => query.bind(v.clone()),
                Param::Date(v) => query.bind(*v),
            };
        }
        query
    }};
}

/// Runs a list's count and one page of its rows, both with `params` (the page's limit and offset
/// are bound after them, as `$n+1` and `$n+2` in `page_sql`).
async fn count_and_page<R>(
    mut conn: Conn<'_>,
    count_sql: &str,
    page_sql: &str,
    params: &[Param],
    page: Page,
) -> Result<(i64, Vec<R>), StoreError>
where
    R: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let rows = on!(conn.reborrow(), c => {
        let count = bind_params!(
            sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.to_owned())),
            params
        );
        let select = bind_params!(
            sqlx::query_as::<_, R>(AssertSqlSafe(page_sql.to_owned())),
            params
        );
        let total = count.fetch_one(&mut *c).await?;
        let rows = select
            .bind(page.limit.max(0))
            .bind(page.offset.max(0))
            .fetch_all(&mut *c)
            .await?;
        (total, rows)
    });
    Ok(rows)
}

const LIST_FROM: &str = "FROM cases c JOIN case_projection p ON p.case_id = c.id \
                         JOIN children ch ON ch.id = c.child_id";

fn order_by(sort: CaseSort) -> String {
    let due = "(p.next_due IS NULL), p.next_due";
    match sort {
        CaseSort::Due => format!("{due}, c.reference"),
        CaseSort::Reference => "c.reference".to_owned(),
        CaseSort::Name => "lower(COALESCE(ch.family_name, '')), \
                           lower(COALESCE(ch.given_name, '')), c.reference"
            .to_owned(),
        CaseSort::Stage => {
            let ranks: String = Stage::ALL
                .iter()
                .zip(0..)
                .map(|(stage, rank)| format!(" WHEN '{}' THEN {rank}", stage.as_str()))
                .collect();
            format!("CASE p.stage{ranks} END, {due}, c.reference")
        }
    }
}

pub(super) async fn list_cases(
    mut conn: Conn<'_>,
    filter: &CaseFilter,
    sort: CaseSort,
    page: Page,
) -> Result<CasePage, StoreError> {
    let w = filter_conditions(filter);
    let where_clause = w.where_clause();
    // Every case has its child (`child_id` is NOT NULL), and filters name only cases and
    // projections, so the count leaves the children out.
    let count_sql = format!("SELECT COUNT(*) {}{where_clause}", counted_from(filter));
    let n = w.params.len();
    let page_sql = format!(
        "SELECT c.id, c.reference, c.version, c.case_manager_id, c.team, c.opened_at, \
         ch.given_name, ch.family_name, p.stage, p.next_key, p.next_due, p.next_status, \
         p.overdue_count, p.final_due, p.at_risk, p.rag, p.computed_as_of \
         {LIST_FROM}{where_clause} \
         ORDER BY {} LIMIT ${} OFFSET ${}",
        order_by(sort),
        n + 1,
        n + 2
    );
    let (total, rows) =
        count_and_page::<SummaryRow>(conn.reborrow(), &count_sql, &page_sql, &w.params, page)
            .await?;
    let cases = rows
        .into_iter()
        .map(|row| {
            let projection = row
                .projection
                .into_projection()?
                .ok_or_else(|| StoreError::Corrupt("projection row".into()))?;
            Ok(CaseSummary {
                id: row.id,
                reference: parse_reference(row.reference)?,
                version: row.version,
                case_manager: row.case_manager_id,
                team: row.team,
                opened_at: row.opened_at,
                given_name: row.given_name,
                family_name: row.family_name,
                projection,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(CasePage { cases, total })
}

/// Cases matching `filter` per case manager, with how many are overdue or due soon on
/// `filter.as_of`: one grouped query, however many cases there are.
pub(super) async fn caseload_counts(
    mut conn: Conn<'_>,
    filter: &CaseFilter,
) -> Result<Vec<CaseloadCount>, StoreError> {
    let mut w = filter_conditions(filter);
    let today = w.mark(Param::Date(filter.as_of));
    let until = w.mark(Param::Date(due_soon_until(filter.as_of)));
    let sunday = w.mark(Param::Date(tandem_core::caseload::week_end(filter.as_of)));
    // Numbered placeholders: the three above may appear before the WHERE clause's own.
    let where_clause = w.where_clause();
    let from = counted_from(filter);
    let sql = format!(
        "SELECT c.case_manager_id, COUNT(*) AS cases, \
         COALESCE(SUM(CASE WHEN p.next_due < {today} THEN 1 ELSE 0 END), 0) AS overdue, \
         COALESCE(SUM(CASE WHEN p.next_due >= {today} AND p.next_due <= {until} \
         THEN 1 ELSE 0 END), 0) AS due_soon, \
         COALESCE(SUM(CASE WHEN p.next_due >= {today} AND p.next_due <= {sunday} \
         THEN 1 ELSE 0 END), 0) AS due_this_week, \
         COALESCE(SUM(CASE WHEN p.at_risk THEN 1 ELSE 0 END), 0) AS at_risk \
         {from}{where_clause} \
         GROUP BY c.case_manager_id ORDER BY (c.case_manager_id IS NULL), c.case_manager_id"
    );
    let params = &w.params;
    let rows = on!(conn.reborrow(), c => {
        bind_params!(sqlx::query_as::<_, CountRow>(AssertSqlSafe(sql)), params)
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(|row| CaseloadCount {
            case_manager: row.case_manager_id,
            cases: row.cases,
            overdue: row.overdue,
            due_soon: row.due_soon,
            due_this_week: row.due_this_week,
            at_risk: row.at_risk,
        })
        .collect())
}

#[derive(FromRow)]
struct CountRow {
    case_manager_id: Option<i64>,
    cases: i64,
    overdue: i64,
    due_soon: i64,
    due_this_week: i64,
    at_risk: i64,
}

#[derive(FromRow)]
struct BacklogRow {
    reference: String,
    given_name: Option<String>,
    family_name: Option<String>,
    stage: String,
    case_manager_id: Option<i64>,
    requested: Date,
}

/// Cases matching `filter` whose (first effective) request was received before
/// `requested_before`, oldest request first.
pub(super) async fn backlog(
    mut conn: Conn<'_>,
    filter: &CaseFilter,
    requested_before: Date,
    page: Page,
) -> Result<BacklogPage, StoreError> {
    let mut w = filter_conditions(filter);
    let before = w.mark(Param::Date(requested_before));
    let where_clause = w.where_clause();
    // The filter narrows the cases first (projection columns are indexed); each remaining
    // case's request date is then looked up through the events' (case_id, seq) key.
    let from = format!(
        "FROM (SELECT c.reference, ch.given_name, ch.family_name, p.stage, c.case_manager_id, \
         (SELECT MIN(e.date) FROM events e WHERE e.case_id = c.id \
         AND e.type = 'request_received' AND {EFFECTIVE_EVENTS}) AS requested \
         FROM cases c JOIN case_projection p ON p.case_id = c.id \
         JOIN children ch ON ch.id = c.child_id{where_clause}) b \
         WHERE b.requested < {before}"
    );
    let n = w.params.len();
    let count_sql = format!("SELECT COUNT(*) {from}");
    let page_sql = format!(
        "SELECT b.reference, b.given_name, b.family_name, b.stage, b.case_manager_id, \
         b.requested {from} ORDER BY b.requested, b.reference LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let (total, rows) =
        count_and_page::<BacklogRow>(conn.reborrow(), &count_sql, &page_sql, &w.params, page)
            .await?;
    let cases = rows
        .into_iter()
        .map(|row| {
            Ok(BacklogCase {
                reference: parse_reference(row.reference)?,
                given_name: row.given_name,
                family_name: row.family_name,
                stage: Stage::parse(&row.stage)
                    .ok_or_else(|| StoreError::Corrupt(format!("stage {:?}", row.stage)))?,
                case_manager: row.case_manager_id,
                requested: row.requested,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(BacklogPage { cases, total })
}

/// Which of `references` already name a case.
pub(crate) async fn existing_references(
    mut conn: Conn<'_>,
    references: &[Reference],
) -> Result<Vec<Reference>, StoreError> {
    let mut found = Vec::new();
    for chunk in references.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len())
            .map(|i| placeholder(conn.backend(), i))
            .collect();
        let sql = format!(
            "SELECT reference FROM cases WHERE reference IN ({}) ORDER BY reference",
            marks.join(", ")
        );
        let rows = on!(conn.reborrow(), c => {
            let mut query = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
            for reference in chunk {
                query = query.bind(reference.as_str());
            }
            query.fetch_all(&mut *c).await?
        });
        for row in rows {
            found.push(parse_reference(row)?);
        }
    }
    Ok(found)
}
