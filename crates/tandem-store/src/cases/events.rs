//! Events: the append-only history of a case, inserted in batches and read back with attribution.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};
use sqlx::sqlite::SqliteArguments;
use sqlx::types::Json;
use sqlx::{Arguments, AssertSqlSafe, FromRow};
use tandem_core::{Date, Event};

use super::sql::{EVENT_BATCH, values_list};
use crate::error::StoreError;
use crate::model::{Attribution, CaseId, Correction, EventRecord, Source};
use crate::store::{Backend, Conn, on};

/// One event row to insert, with its case-file JSON prepared.
pub(crate) struct EventInsert {
    pub case_id: CaseId,
    pub seq: i64,
    pub json: Map<String, Value>,
    pub event_type: &'static str,
    pub date: Date,
    /// Why it was recorded despite a warning shown before saving, if it was.
    pub reason: Option<String>,
}

impl EventInsert {
    pub(crate) fn new(case_id: CaseId, seq: i64, event: &Event) -> Self {
        Self {
            case_id,
            seq,
            json: event.to_json(),
            event_type: event.event_type().as_str(),
            date: event.date,
            reason: None,
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
                    .bind(by.source.as_str())
                    .bind(row.reason.as_deref());
            }
            query.execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// The values every event row of one import shares, as SQLite stores them, bound by reference
/// count rather than copied into each row: sqlx copies a `&str` into a fresh allocation and
/// formats a time with chrono on every bind, which was a third of an import's binding.
pub(crate) struct SqliteEventValues {
    recorded_by: Option<i64>,
    recorded_at: Arc<str>,
    source: Arc<str>,
    types: HashMap<&'static str, Arc<str>>,
}

impl SqliteEventValues {
    pub(crate) fn new(by: Attribution, now: DateTime<Utc>) -> Self {
        Self {
            recorded_by: by.by,
            // As sqlx writes a `DateTime<Utc>` to SQLite, so that it reads the same back.
            recorded_at: now.to_rfc3339_opts(SecondsFormat::AutoSi, false).into(),
            source: by.source.as_str().into(),
            types: HashMap::new(),
        }
    }

    /// The arguments of one multi-row INSERT of `rows` plain events (see [`events_insert_sql`])
    /// on SQLite, built away from the connection: an import prepares the next batch on another
    /// thread while SQLite writes this one.
    pub(crate) fn arguments<'e>(
        &mut self,
        rows: impl Iterator<Item = (CaseId, i64, &'e Event)>,
        capacity: usize,
    ) -> Result<SqliteArguments, StoreError> {
        let mut arguments = SqliteArguments::default();
        arguments.reserve(capacity * 9, 0);
        for (case_id, seq, event) in rows {
            let event_type = event.event_type().as_str();
            let type_text = self
                .types
                .entry(event_type)
                .or_insert_with(|| event_type.into())
                .clone();
            let json = serde_json::to_string(&event.to_json())
                .map_err(|e| StoreError::Corrupt(format!("an event as JSON: {e}")))?;
            let encode = |e| StoreError::Database(sqlx::Error::Encode(e));
            arguments.add(case_id).map_err(encode)?;
            arguments.add(seq).map_err(encode)?;
            arguments.add(json).map_err(encode)?;
            arguments.add(type_text).map_err(encode)?;
            // `Display` writes a date as `%F` does, which is how sqlx stores one.
            arguments.add(event.date.to_string()).map_err(encode)?;
            arguments.add(self.recorded_by).map_err(encode)?;
            arguments.add(self.recorded_at.clone()).map_err(encode)?;
            arguments.add(self.source.clone()).map_err(encode)?;
            arguments.add(None::<String>).map_err(encode)?;
        }
        Ok(arguments)
    }
}

pub(crate) fn events_insert_sql(backend: Backend, rows: usize) -> String {
    format!(
        "INSERT INTO events (case_id, seq, event, type, date, recorded_by, recorded_at, source, \
         reason) VALUES {}",
        values_list(backend, rows, 9)
    )
}

pub(super) async fn next_seq(mut conn: Conn<'_>, case_id: CaseId) -> Result<i64, StoreError> {
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

pub(super) async fn history(
    mut conn: Conn<'_>,
    case_id: CaseId,
) -> Result<Vec<EventRecord>, StoreError> {
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
