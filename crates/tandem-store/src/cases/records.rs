//! Cases: loading a case with its history, versions, the effective case file and its projection.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, FromRow};
use tandem_core::access::AdviceWindow;
use tandem_core::{CaseFile, Child, Date, Reference, Stage, Status};

use super::children::ChildColumns;
use super::events::{EFFECTIVE_EVENTS, history, parse_event};
use super::request::{REQUEST_SELECT, RequestColumns};
use super::sql::{PROJECTION_BATCH, values_list};
use crate::error::{StoreError, is_unique_violation};
use crate::model::{CaseId, CaseRecord, Projection, Rag, StoredCase, parse_reference};
use crate::projection::{Derived, derive};
use crate::store::{Conn, on};

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
    #[sqlx(flatten)]
    request: RequestColumns,
}

#[derive(FromRow)]
pub(crate) struct ProjectionRow {
    stage: Option<String>,
    next_key: Option<String>,
    next_due: Option<Date>,
    next_status: Option<String>,
    overdue_count: Option<i64>,
    final_due: Option<Date>,
    at_risk: Option<bool>,
    rag: Option<String>,
    computed_as_of: Option<Date>,
}

impl ProjectionRow {
    pub(super) fn into_projection(self) -> Result<Option<Projection>, StoreError> {
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
            final_due: self.final_due,
            at_risk: self.at_risk.unwrap_or(false),
            rag: Rag::parse(&rag).ok_or_else(|| StoreError::Corrupt(format!("rag {rag:?}")))?,
            computed_as_of,
        }))
    }
}

/// The case row with its child, projection and request details, for `WHERE clause`.
fn case_select(clause: &str) -> String {
    format!(
        "SELECT c.id, c.reference, c.version, c.child_id, c.case_manager_id, \
         c.team, c.opened_at, ch.given_name, ch.family_name, ch.date_of_birth, ch.other, \
         p.stage, p.next_key, p.next_due, p.next_status, p.overdue_count, p.final_due, \
         p.at_risk, p.rag, p.computed_as_of, {REQUEST_SELECT} \
         FROM cases c JOIN children ch ON ch.id = c.child_id \
         LEFT JOIN case_projection p ON p.case_id = c.id WHERE {clause}"
    )
}

pub(super) async fn load_case_where(
    mut conn: Conn<'_>,
    by_reference: Option<&str>,
    by_id: Option<CaseId>,
) -> Result<Option<StoredCase>, StoreError> {
    let row = match (by_reference, by_id) {
        (Some(reference), _) => {
            let sql = case_select("c.reference = $1");
            on!(conn.reborrow(), c => sqlx::query_as::<_, CaseRow>(AssertSqlSafe(sql))
                .bind(reference)
                .fetch_optional(&mut *c)
                .await?)
        }
        (None, Some(id)) => {
            let sql = case_select("c.id = $1");
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
        request: row.request.into_details()?,
        history,
        projection: row.projection.into_projection()?,
    }))
}

/// Moves the case from `expected_version` to the next version, or says why not. Inside the
/// write transaction, so the check and the increment cannot be separated by another writer: on
/// PostgreSQL a concurrent writer blocks on the row and then finds the version moved on.
pub(super) async fn bump_version(
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
        request: Default::default(),
    })
}

/// Writes (or rewrites) the derived rows of each case in multi-row batches: its projection and
/// its services asked for advice.
pub(crate) async fn upsert_projections(
    mut conn: Conn<'_>,
    rows: &[(CaseId, Derived)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(PROJECTION_BATCH) {
        let sql = format!(
            "INSERT INTO case_projection (case_id, stage, next_key, next_due, next_status, \
             overdue_count, final_due, at_risk, rag, computed_as_of) VALUES {} \
             ON CONFLICT (case_id) DO UPDATE SET stage = excluded.stage, \
             next_key = excluded.next_key, next_due = excluded.next_due, \
             next_status = excluded.next_status, overdue_count = excluded.overdue_count, \
             final_due = excluded.final_due, at_risk = excluded.at_risk, \
             rag = excluded.rag, computed_as_of = excluded.computed_as_of",
            values_list(conn.backend(), chunk.len(), 10)
        );
        on!(conn.reborrow(), c => {
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for (case_id, Derived { projection: p, .. }) in chunk {
                query = query
                    .bind(*case_id)
                    .bind(p.stage.as_str())
                    .bind(p.next_key.as_deref())
                    .bind(p.next_due)
                    .bind(p.next_status.map(Status::as_str))
                    .bind(p.overdue_count)
                    .bind(p.final_due)
                    .bind(p.at_risk)
                    .bind(p.rag.as_str())
                    .bind(p.computed_as_of);
            }
            query.execute(&mut *c).await?;
        });
        replace_advice_windows(conn.reborrow(), chunk).await?;
    }
    Ok(())
}

/// Replaces the services asked for advice on each case of `rows` with those derived now.
async fn replace_advice_windows(
    mut conn: Conn<'_>,
    rows: &[(CaseId, Derived)],
) -> Result<(), StoreError> {
    let delete = format!(
        "DELETE FROM case_advice_providers WHERE case_id IN ({})",
        (1..=rows.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    on!(conn.reborrow(), c => {
        let mut query = sqlx::query(AssertSqlSafe(delete));
        for (case_id, _) in rows {
            query = query.bind(*case_id);
        }
        query.execute(&mut *c).await?;
    });
    let windows: Vec<(CaseId, &AdviceWindow)> = rows
        .iter()
        .flat_map(|(id, derived)| derived.advice_windows.iter().map(move |w| (*id, w)))
        .collect();
    for chunk in windows.chunks(PROJECTION_BATCH) {
        let insert = format!(
            "INSERT INTO case_advice_providers (case_id, provider, closed_on) VALUES {}",
            values_list(conn.backend(), chunk.len(), 3)
        );
        on!(conn.reborrow(), c => {
            let mut query = sqlx::query(AssertSqlSafe(insert));
            for (case_id, window) in chunk {
                query = query
                    .bind(*case_id)
                    .bind(window.provider.as_str())
                    .bind(window.closed_on);
            }
            query.execute(&mut *c).await?;
        });
    }
    Ok(())
}

pub(super) async fn recompute_projection(
    mut conn: Conn<'_>,
    case_id: CaseId,
    today: Date,
) -> Result<Projection, StoreError> {
    let case = effective_case_file(conn.reborrow(), case_id).await?;
    let derived = derive(&case, today);
    let projection = derived.projection.clone();
    upsert_projections(conn, &[(case_id, derived)]).await?;
    Ok(projection)
}

pub(super) fn map_duplicate_reference(error: sqlx::Error, reference: &Reference) -> StoreError {
    if is_unique_violation(&error, "cases", "reference") {
        StoreError::DuplicateReference {
            reference: reference.to_string(),
        }
    } else {
        StoreError::Database(error)
    }
}
