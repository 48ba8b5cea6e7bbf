//! Bulk paths: importing or generating many cases in one transaction, streaming every case out,
//! and refreshing projections as the calendar moves on.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::{Stream, TryStreamExt};
use serde_json::{Map, Value};
use sqlx::sqlite::{SqliteArguments, SqliteConnection};
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, FromRow};
use tandem_core::{CaseFile, Date};

use crate::cases::{
    ChildColumns, EFFECTIVE_EVENTS, EVENT_BATCH, EventInsert, REQUEST_COLUMNS, REQUEST_COUNT,
    REQUEST_SELECT, RequestColumns, SqliteEventValues, bind_request, events_insert_sql,
    existing_references, insert_events, parse_event, placeholder, upsert_projections, values_list,
};
use crate::error::StoreError;
use crate::model::{Attribution, CaseId, ImportSummary, NewCase, parse_reference};
use crate::projection::{Derived, derive};
use crate::store::{Backend, Conn, Store, Tx, on};

/// Rows per multi-row INSERT of children (5 parameters a row) and cases (22 a row: 22,000 in
/// all, under SQLite's 32,766 and PostgreSQL's 65,535).
const ROW_BATCH: usize = 1000;
/// Cases read per page when streaming or refreshing.
const PAGE: i64 = 500;

/// Takes `n` fresh ids for `table` before inserting rows with explicit ids, so that children and
/// cases can be linked without a round trip per row.
async fn allocate_ids(
    mut conn: Conn<'_>,
    table: &'static str,
    n: usize,
) -> Result<Vec<i64>, StoreError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let count = i64::try_from(n).map_err(|_| StoreError::Corrupt("too many rows".into()))?;
    match conn.reborrow() {
        // The transaction holds SQLite's write lock (BEGIN IMMEDIATE): nobody else can insert
        // until it commits, so the ids after the largest are ours.
        Conn::Sqlite(c) => {
            let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
            let max = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql))
                .fetch_one(&mut *c)
                .await?;
            Ok((max + 1..=max + count).collect())
        }
        // The identity sequence hands out ids that no other session will get.
        Conn::Postgres(c) => {
            let sql = format!(
                "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) \
                 FROM generate_series(1, $1::bigint)"
            );
            Ok(sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql))
                .bind(count)
                .fetch_all(&mut *c)
                .await?)
        }
    }
}

async fn insert_children(
    mut conn: Conn<'_>,
    rows: &[(i64, ChildColumns)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROW_BATCH) {
        let sql = format!(
            "INSERT INTO children (id, given_name, family_name, date_of_birth, other) VALUES {}",
            values_list(conn.backend(), chunk.len(), 5)
        );
        on!(conn.reborrow(), c => {
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for (id, child) in chunk {
                query = query
                    .bind(*id)
                    .bind(child.given_name.as_deref())
                    .bind(child.family_name.as_deref())
                    .bind(child.date_of_birth)
                    .bind(Json(&child.other));
            }
            query.execute(&mut *c).await?;
        });
    }
    Ok(())
}

async fn insert_cases(
    mut conn: Conn<'_>,
    rows: &[(CaseId, i64, &NewCase)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROW_BATCH) {
        let sql = format!(
            "INSERT INTO cases (id, reference, child_id, case_manager_id, team, opened_at, \
             {REQUEST_COLUMNS}) VALUES {}",
            values_list(conn.backend(), chunk.len(), 6 + REQUEST_COUNT)
        );
        on!(conn.reborrow(), c => {
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for (id, child_id, new) in chunk {
                query = query
                    .bind(*id)
                    .bind(new.case.reference.as_str())
                    .bind(*child_id)
                    .bind(new.case_manager)
                    .bind(new.team.as_deref())
                    .bind(now);
                query = bind_request!(query, &new.case.request);
            }
            query.execute(&mut *c).await?;
        });
    }
    Ok(())
}

#[derive(FromRow)]
struct CaseHead {
    id: i64,
    version: i64,
    reference: String,
    given_name: Option<String>,
    family_name: Option<String>,
    date_of_birth: Option<Date>,
    other: Json<Map<String, Value>>,
    /// The assigned case manager's display name.
    case_manager: Option<String>,
    #[sqlx(flatten)]
    request: RequestColumns,
}

/// A case file with the display name of its case manager, if one is assigned.
pub type AssignedCaseFile = (CaseFile, Option<String>);

/// Up to `PAGE` cases with ids above `after`, as effective case files. With `stale_before`, only
/// cases whose projection was computed before that date (or has none). `lock` takes row locks
/// on PostgreSQL so that a concurrent write cannot slip between reading and re-projecting.
async fn case_files_page(
    mut conn: Conn<'_>,
    after: CaseId,
    stale_before: Option<Date>,
    lock: bool,
) -> Result<Vec<(CaseId, i64, AssignedCaseFile)>, StoreError> {
    let backend = conn.backend();
    let stale = if stale_before.is_some() {
        " AND (p.computed_as_of IS NULL OR p.computed_as_of < $3)"
    } else {
        ""
    };
    let for_update = if lock && backend == Backend::Postgres {
        " FOR UPDATE OF c"
    } else {
        ""
    };
    let sql = format!(
        "SELECT c.id, c.version, c.reference, ch.given_name, ch.family_name, ch.date_of_birth, \
         ch.other, u.name AS case_manager, {REQUEST_SELECT} \
         FROM cases c JOIN children ch ON ch.id = c.child_id \
         LEFT JOIN case_projection p ON p.case_id = c.id \
         LEFT JOIN users u ON u.id = c.case_manager_id \
         WHERE c.id > $1{stale} ORDER BY c.id LIMIT $2{for_update}"
    );
    let heads = on!(conn.reborrow(), c => {
        let mut query = sqlx::query_as::<_, CaseHead>(AssertSqlSafe(sql)).bind(after).bind(PAGE);
        if let Some(date) = stale_before {
            query = query.bind(date);
        }
        query.fetch_all(&mut *c).await?
    });
    let (Some(first), Some(last)) = (heads.first(), heads.last()) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT e.case_id, e.event FROM events e \
         WHERE e.case_id >= $1 AND e.case_id <= $2 AND {EFFECTIVE_EVENTS} \
         ORDER BY e.case_id, e.seq"
    );
    let rows = on!(conn.reborrow(), c =>
        sqlx::query_as::<_, (i64, Json<Map<String, Value>>)>(AssertSqlSafe(sql))
            .bind(first.id)
            .bind(last.id)
            .fetch_all(&mut *c)
            .await?);
    assemble(heads, rows)
}

/// Case files from their heads and their effective events (in order of case and seq).
fn assemble(
    heads: Vec<CaseHead>,
    rows: Vec<(i64, Json<Map<String, Value>>)>,
) -> Result<Vec<(CaseId, i64, AssignedCaseFile)>, StoreError> {
    let mut events: HashMap<CaseId, Vec<_>> = HashMap::new();
    for (case_id, json) in rows {
        events
            .entry(case_id)
            .or_default()
            .push(parse_event(&json.0)?);
    }
    heads
        .into_iter()
        .map(|head| {
            let child = ChildColumns {
                given_name: head.given_name,
                family_name: head.family_name,
                date_of_birth: head.date_of_birth,
                other: head.other.0,
            }
            .into_child();
            let case = CaseFile {
                reference: parse_reference(head.reference)?,
                child,
                events: events.remove(&head.id).unwrap_or_default(),
                request: head.request.into_details()?,
            };
            Ok((head.id, head.version, (case, head.case_manager)))
        })
        .collect()
}

/// A case's id and version and what the dashboard groups it by, without its history.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseHeader {
    /// The case's id.
    pub id: CaseId,
    /// The case's version: any change to its history gives a new one.
    pub version: i64,
    /// The name of its case manager, if it has one.
    pub case_manager: Option<String>,
    /// The child's details.
    pub child: tandem_core::Child,
}

#[derive(FromRow)]
struct HeaderRow {
    id: i64,
    version: i64,
    date_of_birth: Option<Date>,
    primary_need: Option<String>,
    case_manager: Option<String>,
}

impl Tx {
    /// The next page of case files (up to 500) after the case id `after`, each with its id,
    /// version and case manager's name, read in this transaction, by id.
    pub async fn versioned_case_files_after(
        &mut self,
        after: CaseId,
    ) -> Result<Vec<(CaseId, i64, AssignedCaseFile)>, StoreError> {
        case_files_page(self.conn(), after, None, false).await
    }

    /// Every case's [`CaseHeader`], by id: one query over the cases, none over their histories.
    /// The child's details are only what the dashboard groups by: the date of birth and the
    /// primary need (a string, as [`tandem_core::Child::text`] reads it). The database picks the
    /// need out of the details, rather than every child's details being decoded here for each
    /// new dashboard period.
    pub async fn case_headers(&mut self) -> Result<Vec<CaseHeader>, StoreError> {
        let primary_need = match self.backend() {
            Backend::Sqlite => {
                "CASE WHEN json_type(ch.other, '$.primary_need') = 'text' \
                 THEN json_extract(ch.other, '$.primary_need') END"
            }
            Backend::Postgres => {
                "CASE WHEN jsonb_typeof(ch.other -> 'primary_need') = 'string' \
                 THEN ch.other ->> 'primary_need' END"
            }
        };
        let sql = format!(
            "SELECT c.id, c.version, ch.date_of_birth, {primary_need} AS primary_need, \
             u.name AS case_manager \
             FROM cases c JOIN children ch ON ch.id = c.child_id \
             LEFT JOIN users u ON u.id = c.case_manager_id ORDER BY c.id"
        );
        let rows = on!(self.conn(), c => sqlx::query_as::<_, HeaderRow>(AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await?);
        Ok(rows
            .into_iter()
            .map(|row| CaseHeader {
                id: row.id,
                version: row.version,
                case_manager: row.case_manager,
                child: tandem_core::Child {
                    date_of_birth: row.date_of_birth,
                    other: row
                        .primary_need
                        .map(|need| ("primary_need".to_owned(), Value::String(need)))
                        .into_iter()
                        .collect(),
                },
            })
            .collect())
    }

    /// The case files of the cases `ids` (their effective events), each with its id, version and
    /// case manager's name, read in this transaction, by id.
    pub async fn versioned_case_files(
        &mut self,
        ids: &[CaseId],
    ) -> Result<Vec<(CaseId, i64, AssignedCaseFile)>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(PAGE as usize) {
            let backend = self.backend();
            let marks: Vec<String> = (1..=chunk.len()).map(|i| placeholder(backend, i)).collect();
            let marks = marks.join(", ");
            let heads_sql = format!(
                "SELECT c.id, c.version, c.reference, ch.given_name, ch.family_name, \
                 ch.date_of_birth, ch.other, u.name AS case_manager, {REQUEST_SELECT} \
                 FROM cases c JOIN children ch ON ch.id = c.child_id \
                 LEFT JOIN users u ON u.id = c.case_manager_id \
                 WHERE c.id IN ({marks}) ORDER BY c.id"
            );
            let events_sql = format!(
                "SELECT e.case_id, e.event FROM events e \
                 WHERE e.case_id IN ({marks}) AND {EFFECTIVE_EVENTS} ORDER BY e.case_id, e.seq"
            );
            let (heads, rows) = on!(self.conn(), c => {
                let mut heads = sqlx::query_as::<_, CaseHead>(AssertSqlSafe(heads_sql));
                let mut events = sqlx::query_as::<_, (i64, Json<Map<String, Value>>)>(
                    AssertSqlSafe(events_sql),
                );
                for id in chunk {
                    heads = heads.bind(*id);
                    events = events.bind(*id);
                }
                (heads.fetch_all(&mut *c).await?, events.fetch_all(&mut *c).await?)
            });
            found.extend(assemble(heads, rows)?);
        }
        Ok(found)
    }
}

impl Tx {
    /// Creates many cases with their children, events and projections, in multi-row batches.
    /// All or nothing with the transaction. A reference that is repeated in `cases` or already
    /// in the database fails the whole import with [`StoreError::DuplicateReference`]; call
    /// [`Tx::existing_references`] first to report every clash.
    ///
    /// On SQLite, a thread of its own prepares the events' rows and derives the projections
    /// while the connection writes what it was handed before (see [`write_prepared_rows`]).
    pub async fn import_cases(
        &mut self,
        cases: Vec<NewCase>,
        by: Attribution,
    ) -> Result<ImportSummary, StoreError> {
        let cases = Arc::new(cases);
        let (now, today) = (self.now(), self.today());
        let mut seen = HashSet::with_capacity(cases.len());
        for new in cases.iter() {
            if !seen.insert(new.case.reference.as_str()) {
                return Err(StoreError::DuplicateReference {
                    reference: new.case.reference.to_string(),
                });
            }
        }
        drop(seen);
        let references: Vec<_> = cases.iter().map(|n| n.case.reference.clone()).collect();
        if let Some(clash) = existing_references(self.conn(), &references)
            .await?
            .into_iter()
            .next()
        {
            return Err(StoreError::DuplicateReference {
                reference: clash.to_string(),
            });
        }
        drop(references);

        let child_ids = allocate_ids(self.conn(), "children", cases.len()).await?;
        let case_ids = allocate_ids(self.conn(), "cases", cases.len()).await?;
        if child_ids.len() != cases.len() || case_ids.len() != cases.len() {
            return Err(StoreError::Corrupt("id allocation came up short".into()));
        }

        // Children and cases a batch at a time, so that memory stays flat on large imports.
        for ((news, child_ids), case_ids) in cases
            .chunks(ROW_BATCH)
            .zip(child_ids.chunks(ROW_BATCH))
            .zip(case_ids.chunks(ROW_BATCH))
        {
            let children: Vec<(i64, ChildColumns)> = news
                .iter()
                .zip(child_ids)
                .map(|(new, id)| (*id, ChildColumns::from_child(&new.case.child)))
                .collect();
            insert_children(self.conn(), &children).await?;
            let rows: Vec<(CaseId, i64, &NewCase)> = news
                .iter()
                .zip(case_ids.iter().zip(child_ids))
                .map(|(new, (case_id, child_id))| (*case_id, *child_id, new))
                .collect();
            insert_cases(self.conn(), &rows, now).await?;
        }

        let count = cases.len() as u64;
        let events = match self.conn() {
            Conn::Sqlite(c) => write_prepared_rows(c, cases, case_ids, by, now, today).await?,
            Conn::Postgres(c) => {
                let mut written = 0;
                let mut batch: Vec<EventInsert> = Vec::with_capacity(EVENT_BATCH);
                for (new, case_id) in cases.iter().zip(&case_ids) {
                    for (event, seq) in new.case.events.iter().zip(1..) {
                        batch.push(EventInsert::new(*case_id, seq, event));
                        if batch.len() == EVENT_BATCH {
                            insert_events(Conn::Postgres(c), &batch, by, now).await?;
                            written += batch.len() as u64;
                            batch.clear();
                        }
                    }
                }
                insert_events(Conn::Postgres(c), &batch, by, now).await?;
                written += batch.len() as u64;
                for (news, ids) in cases.chunks(ROW_BATCH).zip(case_ids.chunks(ROW_BATCH)) {
                    let projections: Vec<(CaseId, Derived)> = news
                        .iter()
                        .zip(ids)
                        .map(|(new, case_id)| (*case_id, derive(&new.case, today)))
                        .collect();
                    upsert_projections(Conn::Postgres(c), &projections).await?;
                }
                written
            }
        };
        Ok(ImportSummary {
            cases: count,
            events,
        })
    }

    /// Recomputes, as of [`Tx::today`], the projection of every case computed before that
    /// date (e.g. nightly). Returns how many were recomputed.
    pub async fn refresh_stale_projections(&mut self) -> Result<u64, StoreError> {
        let today = self.today();
        self.refresh_projections_computed_before(today).await
    }

    /// Recomputes, as of [`Tx::today`], the derived rows of every case whose projection was
    /// computed before `before` (a migration that adds derived rows marks every projection
    /// computed long ago). Returns how many were recomputed.
    pub async fn refresh_projections_computed_before(
        &mut self,
        before: Date,
    ) -> Result<u64, StoreError> {
        let today = self.today();
        let mut after = 0;
        let mut refreshed = 0;
        loop {
            let page = case_files_page(self.conn(), after, Some(before), true).await?;
            let Some((last, _, _)) = page.last() else {
                return Ok(refreshed);
            };
            after = *last;
            let projections: Vec<(CaseId, Derived)> = page
                .iter()
                .map(|(id, _, (case, _))| (*id, derive(case, today)))
                .collect();
            upsert_projections(self.conn(), &projections).await?;
            refreshed += projections.len() as u64;
        }
    }
}

/// What the thread preparing an import's rows hands the connection, in the order to write it.
enum Prepared {
    /// One multi-row INSERT of events: how many rows, and their values.
    Events(usize, SqliteArguments),
    /// The derived rows of cases whose events were all handed over before.
    Projections(Vec<(CaseId, Derived)>),
}

/// Writes the events and derived rows of `cases` on SQLite, with the work split over two
/// threads: one builds each batch's values (the events as JSON, the timelines of finished cases)
/// and hands them over a short queue, while this one has SQLite write the batch before. They
/// took turns before, and each waited on the other for half an import (docs/benchmarks.md).
/// Returns how many events were written.
async fn write_prepared_rows(
    c: &mut SqliteConnection,
    cases: Arc<Vec<NewCase>>,
    case_ids: Vec<CaseId>,
    by: Attribution,
    now: DateTime<Utc>,
    today: Date,
) -> Result<u64, StoreError> {
    let (hand_over, mut handed) = tokio::sync::mpsc::channel(2);
    let preparing = std::thread::spawn(move || {
        let mut values = SqliteEventValues::new(by, now);
        let mut events = cases
            .iter()
            .zip(&case_ids)
            .flat_map(|(new, id)| {
                new.case
                    .events
                    .iter()
                    .zip(1..)
                    .map(|(e, seq)| (*id, seq, e))
            })
            .peekable();
        let mut derived = Vec::with_capacity(ROW_BATCH);
        let mut finished = cases.iter().zip(&case_ids).peekable();
        while events.peek().is_some() || finished.peek().is_some() {
            let batch: Vec<_> = events.by_ref().take(EVENT_BATCH).collect();
            let last = batch.last().map(|(id, _, _)| *id);
            let prepared = values
                .arguments(batch.iter().copied(), batch.len())
                .map(|arguments| Prepared::Events(batch.len(), arguments));
            if !batch.is_empty() && hand_over.blocking_send(prepared).is_err() {
                return; // The writer gave up: its error is the one reported.
            }
            // Every case before the last one of this batch has had all its events handed over
            // (and the last too, once no events are left).
            let exhausted = events.peek().is_none();
            while let Some((new, id)) = finished.next_if(|(_, id)| exhausted || Some(**id) != last)
            {
                derived.push((*id, derive(&new.case, today)));
                if derived.len() == ROW_BATCH || finished.peek().is_none() {
                    let rows = std::mem::replace(&mut derived, Vec::with_capacity(ROW_BATCH));
                    if hand_over
                        .blocking_send(Ok(Prepared::Projections(rows)))
                        .is_err()
                    {
                        return;
                    }
                }
            }
        }
    });
    let full_batch = events_insert_sql(Backend::Sqlite, EVENT_BATCH);
    let mut written = 0;
    while let Some(prepared) = handed.recv().await {
        match prepared? {
            Prepared::Events(rows, arguments) => {
                let sql = if rows == EVENT_BATCH {
                    full_batch.clone()
                } else {
                    events_insert_sql(Backend::Sqlite, rows)
                };
                sqlx::query_with(AssertSqlSafe(sql), arguments)
                    .execute(&mut *c)
                    .await?;
                written += rows as u64;
            }
            Prepared::Projections(rows) => upsert_projections(Conn::Sqlite(c), &rows).await?,
        }
    }
    if let Err(panic) = preparing.join() {
        std::panic::resume_unwind(panic);
    }
    Ok(written)
}

impl Store {
    /// Every case as its effective case file, in id order, read a page at a time from one
    /// consistent snapshot (for export and metrics). Memory stays flat however many cases.
    pub fn case_files(&self) -> impl Stream<Item = Result<CaseFile, StoreError>> + Send + 'static {
        self.assigned_case_files().map_ok(|(case, _)| case)
    }

    /// [`Store::case_files`] with each case manager's display name (for the dashboard's
    /// breakdown by case manager).
    pub fn assigned_case_files(
        &self,
    ) -> impl Stream<Item = Result<AssignedCaseFile, StoreError>> + Send + 'static {
        struct State {
            store: Store,
            tx: Option<Tx>,
            after: CaseId,
            buffer: VecDeque<AssignedCaseFile>,
            done: bool,
        }
        let state = State {
            store: self.clone(),
            tx: None,
            after: 0,
            buffer: VecDeque::new(),
            done: false,
        };
        futures_util::stream::try_unfold(state, |mut state| async move {
            loop {
                if let Some(case) = state.buffer.pop_front() {
                    return Ok(Some((case, state)));
                }
                if state.done {
                    if let Some(tx) = state.tx.take() {
                        tx.rollback().await?;
                    }
                    return Ok(None);
                }
                let tx = match &mut state.tx {
                    Some(tx) => tx,
                    None => state.tx.insert(state.store.begin_snapshot().await?),
                };
                let page = case_files_page(tx.conn(), state.after, None, false).await?;
                state.done = (page.len() as i64) < PAGE;
                if let Some((last, _, _)) = page.last() {
                    state.after = *last;
                }
                state
                    .buffer
                    .extend(page.into_iter().map(|(_, _, case)| case));
            }
        })
    }
}
