//! Cases, their append-only history and their projection rows.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, FromRow};
use tandem_core::{CaseFile, Child, Date, Event, Reference, Stage, Status, UserId};

use crate::error::{StoreError, is_unique_violation};
use crate::model::{
    Attribution, BacklogCase, BacklogPage, CaseFilter, CaseId, CasePage, CaseRecord, CaseSort,
    CaseSummary, CaseloadCount, ChildId, ChildMatch, Correction, EventId, EventRecord, NewCase,
    Page, Projection, Rag, Source, StatusFilter, StoredCase, parse_reference,
};
use crate::projection::project;
use crate::store::{Backend, Conn, Store, Tx, on};

/// Rows per multi-row INSERT of events: 8 parameters a row keeps a batch far below the
/// parameter limits of SQLite (32,766) and PostgreSQL (65,535).
pub(crate) const EVENT_BATCH: usize = 1000;
/// Rows per multi-row INSERT of projections (8 parameters a row).
pub(crate) const PROJECTION_BATCH: usize = 500;

/// `(…), (…)`: `rows` groups of `per_row` placeholders, numbered from 1.
///
/// SQLite gets anonymous `?` placeholders: sqlx looks each numbered (`$n`) parameter up by name,
/// a linear search in SQLite, which made a 5,000-parameter INSERT quadratic.
pub(crate) fn values_list(backend: Backend, rows: usize, per_row: usize) -> String {
    let mut sql = String::with_capacity(rows * (per_row * 7 + 4));
    let mut n = 1;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for col in 0..per_row {
            if col > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&placeholder(backend, n));
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// The `n`th (from 1) positional placeholder of a statement whose parameters are bound in order.
pub(crate) fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_owned(),
        Backend::Postgres => format!("${n}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Children

/// The child's names go in their own columns (so that they can be searched and, one day, erased);
/// every other field is kept as given in `other`.
pub(crate) struct ChildColumns {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<Date>,
    pub other: Map<String, Value>,
}

impl ChildColumns {
    pub(crate) fn from_child(child: &Child) -> Self {
        let mut other = child.other.clone();
        let mut take = |name: &str| match other.get(name) {
            Some(Value::String(_)) => match other.remove(name) {
                Some(Value::String(text)) => Some(text),
                _ => None,
            },
            _ => None,
        };
        let given_name = take("given_name");
        let family_name = take("family_name");
        Self {
            given_name,
            family_name,
            date_of_birth: child.date_of_birth,
            other,
        }
    }

    pub(crate) fn into_child(self) -> Child {
        let mut other = Map::new();
        other.extend(
            self.given_name
                .map(|n| ("given_name".to_owned(), Value::String(n))),
        );
        other.extend(
            self.family_name
                .map(|n| ("family_name".to_owned(), Value::String(n))),
        );
        other.extend(self.other);
        Child {
            date_of_birth: self.date_of_birth,
            other,
        }
    }
}

async fn insert_child(mut conn: Conn<'_>, child: &Child) -> Result<ChildId, StoreError> {
    let columns = ChildColumns::from_child(child);
    const SQL: &str = "INSERT INTO children (given_name, family_name, date_of_birth, other) \
                       VALUES ($1, $2, $3, $4) RETURNING id";
    let id = on!(conn.reborrow(), c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(columns.given_name)
        .bind(columns.family_name)
        .bind(columns.date_of_birth)
        .bind(Json(columns.other))
        .fetch_one(&mut *c)
        .await?);
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Events

/// One event row to insert, with its case-file JSON prepared.
pub(crate) struct EventInsert {
    pub case_id: CaseId,
    pub seq: i64,
    pub json: Map<String, Value>,
    pub event_type: &'static str,
    pub date: Date,
}

impl EventInsert {
    pub(crate) fn new(case_id: CaseId, seq: i64, event: &Event) -> Self {
        Self {
            case_id,
            seq,
            json: event.to_json(),
            event_type: event.event_type().as_str(),
            date: event.date,
        }
    }
}

/// Inserts plain (not correcting) events in multi-row batches.
pub(crate) async fn insert_events(
    mut conn: Conn<'_>,
    rows: &[EventInsert],
    by: Attribution,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let backend = conn.backend();
    let mut full_batch_sql: Option<String> = None;
    for chunk in rows.chunks(EVENT_BATCH) {
        let sql = if chunk.len() == EVENT_BATCH {
            full_batch_sql
                .get_or_insert_with(|| events_insert_sql(backend, EVENT_BATCH))
                .clone()
        } else {
            events_insert_sql(backend, chunk.len())
        };
        on!(conn.reborrow(), c => {
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for row in chunk {
                query = query
                    .bind(row.case_id)
                    .bind(row.seq)
                    .bind(Json(&row.json))
                    .bind(row.event_type)
                    .bind(row.date)
                    .bind(by.by)
                    .bind(now)
                    .bind(by.source.as_str());
            }
            query.execute(&mut *c).await?;
        });
    }
    Ok(())
}

fn events_insert_sql(backend: Backend, rows: usize) -> String {
    format!(
        "INSERT INTO events (case_id, seq, event, type, date, recorded_by, recorded_at, source) \
         VALUES {}",
        values_list(backend, rows, 8)
    )
}

async fn next_seq(mut conn: Conn<'_>, case_id: CaseId) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT COALESCE(MAX(seq), 0) FROM events WHERE case_id = $1";
    let max = on!(conn.reborrow(), c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(case_id)
        .fetch_one(&mut *c)
        .await?);
    Ok(max + 1)
}

#[derive(FromRow)]
struct EventRow {
    id: i64,
    seq: i64,
    event: Option<Json<Map<String, Value>>>,
    recorded_by: Option<i64>,
    recorded_by_name: Option<String>,
    recorded_at: DateTime<Utc>,
    source: String,
    supersedes: Option<i64>,
    correction: Option<String>,
    reason: Option<String>,
    superseded_by: Option<i64>,
}

pub(crate) fn parse_event(json: &Map<String, Value>) -> Result<Event, StoreError> {
    Event::from_fields(json).map_err(|e| StoreError::Corrupt(format!("stored event: {e}")))
}

impl EventRow {
    fn into_record(self) -> Result<EventRecord, StoreError> {
        Ok(EventRecord {
            id: self.id,
            seq: self.seq,
            event: self.event.map(|json| parse_event(&json.0)).transpose()?,
            recorded_by: self.recorded_by,
            recorded_by_name: self.recorded_by_name,
            recorded_at: self.recorded_at,
            source: Source::parse(&self.source)
                .ok_or_else(|| StoreError::Corrupt(format!("event source {:?}", self.source)))?,
            supersedes: self.supersedes,
            correction: self
                .correction
                .map(|text| {
                    Correction::parse(&text)
                        .ok_or_else(|| StoreError::Corrupt(format!("correction {text:?}")))
                })
                .transpose()?,
            reason: self.reason,
            superseded_by: self.superseded_by,
        })
    }
}

async fn history(mut conn: Conn<'_>, case_id: CaseId) -> Result<Vec<EventRecord>, StoreError> {
    const SQL: &str = "SELECT e.id, e.seq, e.event, e.recorded_by, u.name AS recorded_by_name, \
                       e.recorded_at, e.source, e.supersedes, e.correction, e.reason, \
                       s.id AS superseded_by \
                       FROM events e \
                       LEFT JOIN users u ON u.id = e.recorded_by \
                       LEFT JOIN events s ON s.supersedes = e.id \
                       WHERE e.case_id = $1 ORDER BY e.seq";
    let rows = on!(conn.reborrow(), c => sqlx::query_as::<_, EventRow>(SQL)
        .bind(case_id)
        .fetch_all(&mut *c)
        .await?);
    rows.into_iter().map(EventRow::into_record).collect()
}

/// The effective events of a case, in recording order: rows that carry an event (not
/// withdrawals) and that no later row supersedes.
pub(crate) const EFFECTIVE_EVENTS: &str = "e.event IS NOT NULL \
     AND NOT EXISTS (SELECT 1 FROM events s WHERE s.supersedes = e.id)";

// ---------------------------------------------------------------------------------------------
// Cases

#[derive(FromRow)]
struct CaseRow {
    id: i64,
    reference: String,
    version: i64,
    child_id: i64,
    case_manager_id: Option<i64>,
    team: Option<String>,
    opened_at: DateTime<Utc>,
    given_name: Option<String>,
    family_name: Option<String>,
    date_of_birth: Option<Date>,
    other: Json<Map<String, Value>>,
    #[sqlx(flatten)]
    projection: ProjectionRow,
}

#[derive(FromRow)]
pub(crate) struct ProjectionRow {
    stage: Option<String>,
    next_key: Option<String>,
    next_due: Option<Date>,
    next_status: Option<String>,
    overdue_count: Option<i64>,
    rag: Option<String>,
    computed_as_of: Option<Date>,
}

impl ProjectionRow {
    fn into_projection(self) -> Result<Option<Projection>, StoreError> {
        let (Some(stage), Some(overdue_count), Some(rag), Some(computed_as_of)) = (
            self.stage,
            self.overdue_count,
            self.rag,
            self.computed_as_of,
        ) else {
            return Ok(None);
        };
        Ok(Some(Projection {
            stage: Stage::parse(&stage)
                .ok_or_else(|| StoreError::Corrupt(format!("stage {stage:?}")))?,
            next_key: self.next_key,
            next_due: self.next_due,
            next_status: self
                .next_status
                .map(|text| {
                    Status::parse(&text)
                        .ok_or_else(|| StoreError::Corrupt(format!("status {text:?}")))
                })
                .transpose()?,
            overdue_count,
            rag: Rag::parse(&rag).ok_or_else(|| StoreError::Corrupt(format!("rag {rag:?}")))?,
            computed_as_of,
        }))
    }
}

const CASE_SELECT: &str = "SELECT c.id, c.reference, c.version, c.child_id, c.case_manager_id, \
     c.team, c.opened_at, ch.given_name, ch.family_name, ch.date_of_birth, ch.other, \
     p.stage, p.next_key, p.next_due, p.next_status, p.overdue_count, p.rag, p.computed_as_of \
     FROM cases c JOIN children ch ON ch.id = c.child_id \
     LEFT JOIN case_projection p ON p.case_id = c.id";

async fn load_case_where(
    mut conn: Conn<'_>,
    by_reference: Option<&str>,
    by_id: Option<CaseId>,
) -> Result<Option<StoredCase>, StoreError> {
    let row = match (by_reference, by_id) {
        (Some(reference), _) => {
            let sql = format!("{CASE_SELECT} WHERE c.reference = $1");
            on!(conn.reborrow(), c => sqlx::query_as::<_, CaseRow>(AssertSqlSafe(sql))
                .bind(reference)
                .fetch_optional(&mut *c)
                .await?)
        }
        (None, Some(id)) => {
            let sql = format!("{CASE_SELECT} WHERE c.id = $1");
            on!(conn.reborrow(), c => sqlx::query_as::<_, CaseRow>(AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&mut *c)
                .await?)
        }
        (None, None) => None,
    };
    let Some(row) = row else {
        return Ok(None);
    };
    let history = history(conn.reborrow(), row.id).await?;
    let child = ChildColumns {
        given_name: row.given_name,
        family_name: row.family_name,
        date_of_birth: row.date_of_birth,
        other: row.other.0,
    }
    .into_child();
    Ok(Some(StoredCase {
        record: CaseRecord {
            id: row.id,
            reference: parse_reference(row.reference)?,
            version: row.version,
            child_id: row.child_id,
            case_manager: row.case_manager_id,
            team: row.team,
            opened_at: row.opened_at,
        },
        child,
        history,
        projection: row.projection.into_projection()?,
    }))
}

/// Moves the case from `expected_version` to the next version, or says why not. Inside the
/// write transaction, so the check and the increment cannot be separated by another writer: on
/// PostgreSQL a concurrent writer blocks on the row and then finds the version moved on.
async fn bump_version(
    mut conn: Conn<'_>,
    case_id: CaseId,
    expected_version: i64,
) -> Result<i64, StoreError> {
    const BUMP: &str = "UPDATE cases SET version = version + 1 WHERE id = $1 AND version = $2";
    let affected = on!(conn.reborrow(), c => sqlx::query(BUMP)
        .bind(case_id)
        .bind(expected_version)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if affected == 1 {
        return Ok(expected_version + 1);
    }
    const CURRENT: &str = "SELECT version FROM cases WHERE id = $1";
    let current = on!(conn.reborrow(), c => sqlx::query_scalar::<_, i64>(CURRENT)
        .bind(case_id)
        .fetch_optional(&mut *c)
        .await?);
    match current {
        Some(current_version) => Err(StoreError::Conflict { current_version }),
        None => Err(StoreError::CaseIdNotFound { id: case_id }),
    }
}

/// The effective case file of one case, as the engine needs it.
async fn effective_case_file(mut conn: Conn<'_>, case_id: CaseId) -> Result<CaseFile, StoreError> {
    #[derive(FromRow)]
    struct Head {
        reference: String,
        date_of_birth: Option<Date>,
    }
    const HEAD: &str = "SELECT c.reference, ch.date_of_birth FROM cases c \
                        JOIN children ch ON ch.id = c.child_id WHERE c.id = $1";
    let head = on!(conn.reborrow(), c => sqlx::query_as::<_, Head>(HEAD)
        .bind(case_id)
        .fetch_optional(&mut *c)
        .await?)
    .ok_or(StoreError::CaseIdNotFound { id: case_id })?;
    let sql = format!(
        "SELECT e.event FROM events e WHERE e.case_id = $1 AND {EFFECTIVE_EVENTS} ORDER BY e.seq"
    );
    let events = on!(conn.reborrow(), c =>
        sqlx::query_scalar::<_, Json<Map<String, Value>>>(AssertSqlSafe(sql))
            .bind(case_id)
            .fetch_all(&mut *c)
            .await?);
    Ok(CaseFile {
        reference: parse_reference(head.reference)?,
        child: Child {
            date_of_birth: head.date_of_birth,
            other: Map::new(),
        },
        events: events
            .iter()
            .map(|json| parse_event(&json.0))
            .collect::<Result<_, _>>()?,
    })
}

/// Writes (or rewrites) projection rows in multi-row batches.
pub(crate) async fn upsert_projections(
    mut conn: Conn<'_>,
    rows: &[(CaseId, Projection)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(PROJECTION_BATCH) {
        let sql = format!(
            "INSERT INTO case_projection (case_id, stage, next_key, next_due, next_status, \
             overdue_count, rag, computed_as_of) VALUES {} \
             ON CONFLICT (case_id) DO UPDATE SET stage = excluded.stage, \
             next_key = excluded.next_key, next_due = excluded.next_due, \
             next_status = excluded.next_status, overdue_count = excluded.overdue_count, \
             rag = excluded.rag, computed_as_of = excluded.computed_as_of",
            values_list(conn.backend(), chunk.len(), 8)
        );
        on!(conn.reborrow(), c => {
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for (case_id, p) in chunk {
                query = query
                    .bind(*case_id)
                    .bind(p.stage.as_str())
                    .bind(p.next_key.as_deref())
                    .bind(p.next_due)
                    .bind(p.next_status.map(Status::as_str))
                    .bind(p.overdue_count)
                    .bind(p.rag.as_str())
                    .bind(p.computed_as_of);
            }
            query.execute(&mut *c).await?;
        });
    }
    Ok(())
}

async fn recompute_projection(
    mut conn: Conn<'_>,
    case_id: CaseId,
    today: Date,
) -> Result<Projection, StoreError> {
    let case = effective_case_file(conn.reborrow(), case_id).await?;
    let projection = project(&case, today);
    upsert_projections(conn, &[(case_id, projection.clone())]).await?;
    Ok(projection)
}

fn map_duplicate_reference(error: sqlx::Error, reference: &Reference) -> StoreError {
    if is_unique_violation(&error, "cases", "reference") {
        StoreError::DuplicateReference {
            reference: reference.to_string(),
        }
    } else {
        StoreError::Database(error)
    }
}

// ---------------------------------------------------------------------------------------------
// Listing

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
    w
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

async fn list_cases(
    mut conn: Conn<'_>,
    filter: &CaseFilter,
    sort: CaseSort,
    page: Page,
) -> Result<CasePage, StoreError> {
    let w = filter_conditions(filter);
    let where_clause = w.where_clause();
    // Every case has its child (`child_id` is NOT NULL), and filters name only cases and
    // projections, so the count leaves the children out.
    let count_sql = format!(
        "SELECT COUNT(*) FROM cases c JOIN case_projection p ON p.case_id = c.id{where_clause}"
    );
    let n = w.params.len();
    let page_sql = format!(
        "SELECT c.id, c.reference, c.version, c.case_manager_id, c.team, c.opened_at, \
         ch.given_name, ch.family_name, p.stage, p.next_key, p.next_due, p.next_status, \
         p.overdue_count, p.rag, p.computed_as_of {LIST_FROM}{where_clause} \
         ORDER BY {} LIMIT ${} OFFSET ${}",
        order_by(sort),
        n + 1,
        n + 2
    );
    let params = &w.params;
    let (total, rows) = on!(conn.reborrow(), c => {
        let count = bind_params!(sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql)), params);
        let select = bind_params!(sqlx::query_as::<_, SummaryRow>(AssertSqlSafe(page_sql)), params);
        let total = count.fetch_one(&mut *c).await?;
        let rows = select
            .bind(page.limit.max(0))
            .bind(page.offset.max(0))
            .fetch_all(&mut *c)
            .await?;
        (total, rows)
    });
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
async fn caseload_counts(
    mut conn: Conn<'_>,
    filter: &CaseFilter,
) -> Result<Vec<CaseloadCount>, StoreError> {
    let mut w = filter_conditions(filter);
    let today = w.mark(Param::Date(filter.as_of));
    let until = w.mark(Param::Date(due_soon_until(filter.as_of)));
    // Numbered placeholders: the two above may appear before the WHERE clause's own.
    let where_clause = w.where_clause();
    let sql = format!(
        "SELECT c.case_manager_id, COUNT(*) AS cases, \
         COALESCE(SUM(CASE WHEN p.next_due < {today} THEN 1 ELSE 0 END), 0) AS overdue, \
         COALESCE(SUM(CASE WHEN p.next_due >= {today} AND p.next_due <= {until} \
         THEN 1 ELSE 0 END), 0) AS due_soon \
         FROM cases c JOIN case_projection p ON p.case_id = c.id{where_clause} \
         GROUP BY c.case_manager_id ORDER BY (c.case_manager_id IS NULL), c.case_manager_id"
    );
    let params = &w.params;
    let rows = on!(conn.reborrow(), c => {
        bind_params!(sqlx::query_as::<_, (Option<i64>, i64, i64, i64)>(AssertSqlSafe(sql)), params)
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(|(case_manager, cases, overdue, due_soon)| CaseloadCount {
            case_manager,
            cases,
            overdue,
            due_soon,
        })
        .collect())
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
async fn backlog(
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
    let params = &w.params;
    let (total, rows) = on!(conn.reborrow(), c => {
        let count = bind_params!(sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql)), params);
        let select = bind_params!(sqlx::query_as::<_, BacklogRow>(AssertSqlSafe(page_sql)), params);
        let total = count.fetch_one(&mut *c).await?;
        let rows = select
            .bind(page.limit.max(0))
            .bind(page.offset.max(0))
            .fetch_all(&mut *c)
            .await?;
        (total, rows)
    });
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

// ---------------------------------------------------------------------------------------------
// The public API

impl Store {
    /// A case with its child, full history (with attribution) and projection.
    pub async fn case(&self, reference: &Reference) -> Result<Option<StoredCase>, StoreError> {
        let mut held = self.acquire().await?;
        load_case_where(held.conn(), Some(reference.as_str()), None).await
    }

    pub async fn case_by_id(&self, id: CaseId) -> Result<Option<StoredCase>, StoreError> {
        let mut held = self.acquire().await?;
        load_case_where(held.conn(), None, Some(id)).await
    }

    /// One page of cases matching `filter`, ordered by next due date (nothing due last), then
    /// reference.
    pub async fn list_cases(
        &self,
        filter: &CaseFilter,
        page: Page,
    ) -> Result<CasePage, StoreError> {
        let mut held = self.acquire().await?;
        list_cases(held.conn(), filter, CaseSort::Due, page).await
    }

    pub async fn count_cases(&self) -> Result<i64, StoreError> {
        let mut held = self.acquire().await?;
        let count = on!(held.conn(), c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cases")
            .fetch_one(&mut *c)
            .await?);
        Ok(count)
    }

    /// A value that changes whenever any case does: every write to a case bumps its version,
    /// and new cases change the count and the largest id. Lets readers keep results computed
    /// from every case (the dashboard) until the cases change.
    pub async fn cases_version(&self) -> Result<(i64, i64, i64), StoreError> {
        let mut held = self.acquire().await?;
        let sql = "SELECT COUNT(*), CAST(COALESCE(SUM(version), 0) AS BIGINT), \
                   COALESCE(MAX(id), 0) FROM cases";
        let version = on!(held.conn(), c => sqlx::query_as::<_, (i64, i64, i64)>(sql)
            .fetch_one(&mut *c)
            .await?);
        Ok(version)
    }

    pub async fn count_events(&self) -> Result<i64, StoreError> {
        let mut held = self.acquire().await?;
        let count = on!(held.conn(), c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM events")
            .fetch_one(&mut *c)
            .await?);
        Ok(count)
    }
}

impl Tx {
    /// Reads a case inside the transaction (to authorise and decide before writing).
    pub async fn case(&mut self, reference: &Reference) -> Result<Option<StoredCase>, StoreError> {
        load_case_where(self.conn(), Some(reference.as_str()), None).await
    }

    /// As [`Tx::case`], failing with [`StoreError::CaseNotFound`].
    pub async fn require_case(&mut self, reference: &Reference) -> Result<StoredCase, StoreError> {
        self.case(reference)
            .await?
            .ok_or_else(|| StoreError::CaseNotFound {
                reference: reference.to_string(),
            })
    }

    pub async fn case_by_id(&mut self, id: CaseId) -> Result<Option<StoredCase>, StoreError> {
        load_case_where(self.conn(), None, Some(id)).await
    }

    pub async fn list_cases(
        &mut self,
        filter: &CaseFilter,
        page: Page,
    ) -> Result<CasePage, StoreError> {
        list_cases(self.conn(), filter, CaseSort::Due, page).await
    }

    /// One page of cases matching `filter` in the order `sort` asks for.
    pub async fn list_cases_sorted(
        &mut self,
        filter: &CaseFilter,
        sort: CaseSort,
        page: Page,
    ) -> Result<CasePage, StoreError> {
        list_cases(self.conn(), filter, sort, page).await
    }

    /// How many cases matching `filter` each case manager holds, and how many are overdue or
    /// due within two weeks on `filter.as_of` (the status filter, if any, applies too).
    pub async fn caseload_counts(
        &mut self,
        filter: &CaseFilter,
    ) -> Result<Vec<CaseloadCount>, StoreError> {
        caseload_counts(self.conn(), filter).await
    }

    /// One page of the cases matching `filter` whose request was received before
    /// `requested_before`, oldest request first.
    pub async fn backlog(
        &mut self,
        filter: &CaseFilter,
        requested_before: Date,
        page: Page,
    ) -> Result<BacklogPage, StoreError> {
        backlog(self.conn(), filter, requested_before, page).await
    }

    /// Creates a case (version 1) with its child and events, and its projection.
    pub async fn open_case(
        &mut self,
        new: &NewCase,
        by: Attribution,
    ) -> Result<CaseRecord, StoreError> {
        let child_id = insert_child(self.conn(), &new.case.child).await?;
        self.open_case_with_child(new, child_id, by).await
    }

    /// Creates a case for a child the store already holds (a new request for a child with an
    /// earlier case); the new case file's `child` is not stored again.
    pub async fn open_case_for_child(
        &mut self,
        new: &NewCase,
        child_id: ChildId,
        by: Attribution,
    ) -> Result<CaseRecord, StoreError> {
        self.open_case_with_child(new, child_id, by).await
    }

    /// Cases held for a child with these names (compared without regard to case or surrounding
    /// spaces) and date of birth, newest first.
    pub async fn cases_of_child(
        &mut self,
        given_name: &str,
        family_name: &str,
        date_of_birth: Date,
    ) -> Result<Vec<ChildMatch>, StoreError> {
        const SQL: &str = "SELECT ch.id, c.reference, p.stage FROM children ch \
             JOIN cases c ON c.child_id = ch.id \
             LEFT JOIN case_projection p ON p.case_id = c.id \
             WHERE lower(ch.given_name) = lower($1) AND lower(ch.family_name) = lower($2) \
             AND ch.date_of_birth = $3 ORDER BY c.id DESC";
        let rows = on!(self.conn(), c => sqlx::query_as::<_, (i64, String, Option<String>)>(SQL)
            .bind(given_name.trim())
            .bind(family_name.trim())
            .bind(date_of_birth)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter()
            .map(|(child_id, reference, stage)| {
                let stage = match stage {
                    Some(text) => Some(
                        Stage::parse(&text)
                            .ok_or_else(|| StoreError::Corrupt(format!("stage {text:?}")))?,
                    ),
                    None => None,
                };
                Ok(ChildMatch {
                    child_id,
                    reference: parse_reference(reference)?,
                    stage,
                })
            })
            .collect()
    }

    async fn open_case_with_child(
        &mut self,
        new: &NewCase,
        child_id: ChildId,
        by: Attribution,
    ) -> Result<CaseRecord, StoreError> {
        let (now, today) = (self.now(), self.today());
        const SQL: &str = "INSERT INTO cases (reference, child_id, case_manager_id, team, opened_at) \
                           VALUES ($1, $2, $3, $4, $5) RETURNING id, version";
        let reference = &new.case.reference;
        let (id, version) = on!(self.conn(), c => sqlx::query_as::<_, (i64, i64)>(SQL)
            .bind(reference.as_str())
            .bind(child_id)
            .bind(new.case_manager)
            .bind(new.team.as_deref())
            .bind(now)
            .fetch_one(&mut *c)
            .await
            .map_err(|e| map_duplicate_reference(e, reference))?);
        let rows: Vec<EventInsert> = new
            .case
            .events
            .iter()
            .zip(1..)
            .map(|(event, seq)| EventInsert::new(id, seq, event))
            .collect();
        insert_events(self.conn(), &rows, by, now).await?;
        let projection = project(&new.case, today);
        upsert_projections(self.conn(), &[(id, projection)]).await?;
        Ok(CaseRecord {
            id,
            reference: reference.clone(),
            version,
            child_id,
            case_manager: new.case_manager,
            team: new.team.clone(),
            opened_at: now,
        })
    }

    /// Appends events to a case written at `expected_version`; returns the new version.
    pub async fn append_events(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        events: &[Event],
        by: Attribution,
    ) -> Result<i64, StoreError> {
        let (now, today) = (self.now(), self.today());
        let version = bump_version(self.conn(), case_id, expected_version).await?;
        let first = next_seq(self.conn(), case_id).await?;
        let rows: Vec<EventInsert> = events
            .iter()
            .zip(first..)
            .map(|(event, seq)| EventInsert::new(case_id, seq, event))
            .collect();
        insert_events(self.conn(), &rows, by, now).await?;
        recompute_projection(self.conn(), case_id, today).await?;
        Ok(version)
    }

    /// Replaces event `event_id` by `corrected`: a new history row that supersedes it, with a
    /// reason. Both rows stay in the history. Returns the new version.
    pub async fn correct_event(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        event_id: EventId,
        corrected: &Event,
        reason: &str,
        by: Attribution,
    ) -> Result<i64, StoreError> {
        self.supersede(
            case_id,
            expected_version,
            event_id,
            Some(corrected),
            reason,
            by,
        )
        .await
    }

    /// Withdraws event `event_id`: a new history row says it no longer counts, and why.
    /// Returns the new version.
    pub async fn withdraw_event(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        event_id: EventId,
        reason: &str,
        by: Attribution,
    ) -> Result<i64, StoreError> {
        self.supersede(case_id, expected_version, event_id, None, reason, by)
            .await
    }

    async fn supersede(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        event_id: EventId,
        replacement: Option<&Event>,
        reason: &str,
        by: Attribution,
    ) -> Result<i64, StoreError> {
        let (now, today) = (self.now(), self.today());
        let version = bump_version(self.conn(), case_id, expected_version).await?;
        #[derive(FromRow)]
        struct Target {
            has_event: bool,
            superseded: bool,
        }
        const TARGET: &str = "SELECT (e.event IS NOT NULL) AS has_event, \
             EXISTS (SELECT 1 FROM events s WHERE s.supersedes = e.id) AS superseded \
             FROM events e WHERE e.id = $1 AND e.case_id = $2";
        let target = on!(self.conn(), c => sqlx::query_as::<_, Target>(TARGET)
            .bind(event_id)
            .bind(case_id)
            .fetch_optional(&mut *c)
            .await?);
        match target {
            None
            | Some(Target {
                has_event: false, ..
            }) => return Err(StoreError::EventNotFound { case_id, event_id }),
            Some(Target {
                superseded: true, ..
            }) => return Err(StoreError::AlreadySuperseded { event_id }),
            Some(_) => {}
        }
        let seq = next_seq(self.conn(), case_id).await?;
        let correction = match replacement {
            Some(_) => Correction::Correct,
            None => Correction::Withdraw,
        };
        const INSERT: &str = "INSERT INTO events (case_id, seq, event, type, date, recorded_by, \
             recorded_at, source, supersedes, correction, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        on!(self.conn(), c => { sqlx::query(INSERT)
            .bind(case_id)
            .bind(seq)
            .bind(replacement.map(|e| Json(e.to_json())))
            .bind(replacement.map(|e| e.event_type().as_str()))
            .bind(replacement.map(|e| e.date))
            .bind(by.by)
            .bind(now)
            .bind(by.source.as_str())
            .bind(event_id)
            .bind(correction.as_str())
            .bind(reason)
            .execute(&mut *c)
            .await
            .map_err(|e| {
                if is_unique_violation(&e, "events", "supersedes") {
                    StoreError::AlreadySuperseded { event_id }
                } else {
                    StoreError::Database(e)
                }
            })?; });
        recompute_projection(self.conn(), case_id, today).await?;
        Ok(version)
    }

    /// Gives the case to a case manager and/or team (`None` clears). Returns the new version.
    pub async fn assign_case(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        case_manager: Option<UserId>,
        team: Option<&str>,
    ) -> Result<i64, StoreError> {
        let version = bump_version(self.conn(), case_id, expected_version).await?;
        const SQL: &str = "UPDATE cases SET case_manager_id = $2, team = $3 WHERE id = $1";
        on!(self.conn(), c => {
            sqlx::query(SQL)
                .bind(case_id)
                .bind(case_manager)
                .bind(team)
                .execute(&mut *c)
                .await?;
        });
        Ok(version)
    }

    /// Replaces the child's details (names, date of birth, other fields). Returns the new version.
    pub async fn update_child(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        child: &Child,
    ) -> Result<i64, StoreError> {
        let today = self.today();
        let version = bump_version(self.conn(), case_id, expected_version).await?;
        let columns = ChildColumns::from_child(child);
        const SQL: &str = "UPDATE children SET given_name = $2, family_name = $3, \
             date_of_birth = $4, other = $5 \
             WHERE id = (SELECT child_id FROM cases WHERE id = $1)";
        on!(self.conn(), c => {
            sqlx::query(SQL)
                .bind(case_id)
                .bind(columns.given_name)
                .bind(columns.family_name)
                .bind(columns.date_of_birth)
                .bind(Json(columns.other))
                .execute(&mut *c)
                .await?;
        });
        recompute_projection(self.conn(), case_id, today).await?;
        Ok(version)
    }

    /// Replaces a case's content with `new` (an import with `--replace`; `new`'s reference is
    /// not used, the case keeps its own): the child's details
    /// are overwritten, every effective event is withdrawn with `reason`, and `new`'s events are
    /// appended, so the history keeps what was there before. The case manager and team change
    /// only where `new` names one. Returns the new version.
    pub async fn replace_case(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        new: &NewCase,
        reason: &str,
        by: Attribution,
    ) -> Result<i64, StoreError> {
        let (now, today) = (self.now(), self.today());
        let version = bump_version(self.conn(), case_id, expected_version).await?;
        let current = self
            .case_by_id(case_id)
            .await?
            .ok_or(StoreError::CaseIdNotFound { id: case_id })?;
        let columns = ChildColumns::from_child(&new.case.child);
        const CHILD: &str = "UPDATE children SET given_name = $2, family_name = $3, \
             date_of_birth = $4, other = $5 WHERE id = $1";
        on!(self.conn(), c => {
            sqlx::query(CHILD)
                .bind(current.record.child_id)
                .bind(columns.given_name)
                .bind(columns.family_name)
                .bind(columns.date_of_birth)
                .bind(Json(columns.other))
                .execute(&mut *c)
                .await?;
        });
        if new.case_manager.is_some() || new.team.is_some() {
            const ASSIGN: &str = "UPDATE cases SET case_manager_id = COALESCE($2, case_manager_id), \
                 team = COALESCE($3, team) WHERE id = $1";
            on!(self.conn(), c => {
                sqlx::query(ASSIGN)
                    .bind(case_id)
                    .bind(new.case_manager)
                    .bind(new.team.as_deref())
                    .execute(&mut *c)
                    .await?;
            });
        }
        let mut seq = next_seq(self.conn(), case_id).await?;
        for old in current.effective() {
            const WITHDRAW: &str = "INSERT INTO events (case_id, seq, recorded_by, recorded_at, \
                 source, supersedes, correction, reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'withdraw', $7)";
            on!(self.conn(), c => {
                sqlx::query(WITHDRAW)
                    .bind(case_id)
                    .bind(seq)
                    .bind(by.by)
                    .bind(now)
                    .bind(by.source.as_str())
                    .bind(old.id)
                    .bind(reason)
                    .execute(&mut *c)
                    .await?;
            });
            seq += 1;
        }
        let rows: Vec<EventInsert> = new
            .case
            .events
            .iter()
            .zip(seq..)
            .map(|(event, seq)| EventInsert::new(case_id, seq, event))
            .collect();
        insert_events(self.conn(), &rows, by, now).await?;
        recompute_projection(self.conn(), case_id, today).await?;
        Ok(version)
    }

    /// Recomputes one case's projection as of [`Tx::today`] without changing its version.
    pub async fn refresh_projection(&mut self, case_id: CaseId) -> Result<Projection, StoreError> {
        let today = self.today();
        recompute_projection(self.conn(), case_id, today).await
    }

    /// Which of `references` already name a case (to report every clash of an import at once).
    pub async fn existing_references(
        &mut self,
        references: &[Reference],
    ) -> Result<Vec<Reference>, StoreError> {
        existing_references(self.conn(), references).await
    }
}
