//! The append-only audit log. Entries are written inside the caller's transaction, so an entry
//! exists exactly when the change it records was committed.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, FromRow};

use crate::error::StoreError;
use crate::model::{AuditEntry, AuditFilter, AuditRecord};
use crate::store::{Conn, Store, Tx, on};

async fn append(
    mut conn: Conn<'_>,
    at: DateTime<Utc>,
    entry: &AuditEntry,
) -> Result<i64, StoreError> {
    const SQL: &str = "INSERT INTO audit_log (at, actor_id, action, case_reference, detail) \
                       VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let id = on!(conn.reborrow(), c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(at)
        .bind(entry.actor)
        .bind(entry.action.as_str())
        .bind(entry.case_reference.as_ref().map(|r| r.as_str()))
        .bind(Json(&entry.detail))
        .fetch_one(&mut *c)
        .await?);
    Ok(id)
}

#[derive(FromRow)]
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    action: String,
    case_reference: Option<String>,
    detail: Json<Value>,
}

async fn read(mut conn: Conn<'_>, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut mark = || {
        n += 1;
        format!("${n}")
    };
    if filter.case_reference.is_some() {
        conditions.push(format!("case_reference = {}", mark()));
    }
    if filter.actor.is_some() {
        conditions.push(format!("actor_id = {}", mark()));
    }
    if filter.action.is_some() {
        conditions.push(format!("action = {}", mark()));
    }
    let limit = mark();
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT id, at, actor_id, action, case_reference, detail FROM audit_log{where_clause} \
         ORDER BY id DESC LIMIT {limit}"
    );
    let rows = on!(conn.reborrow(), c => {
        let mut query = sqlx::query_as::<_, AuditRow>(AssertSqlSafe(sql));
        if let Some(reference) = &filter.case_reference {
            query = query.bind(reference.as_str());
        }
        if let Some(actor) = filter.actor {
            query = query.bind(actor);
        }
        if let Some(action) = &filter.action {
            query = query.bind(action.as_str());
        }
        query
            .bind(filter.limit.unwrap_or(100).max(0))
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(|row| AuditRecord {
            id: row.id,
            at: row.at,
            actor: row.actor_id,
            action: row.action,
            case_reference: row.case_reference,
            detail: row.detail.0,
        })
        .collect())
}

impl Tx {
    /// Appends an audit entry in this transaction, stamped with [`Tx::now`].
    pub async fn audit(&mut self, entry: &AuditEntry) -> Result<i64, StoreError> {
        let now = self.now();
        append(self.conn(), now, entry).await
    }

    /// Audit entries read inside the transaction, newest first (100 unless `filter.limit` says
    /// otherwise): entries written earlier in it are included.
    pub async fn audit_log(
        &mut self,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        read(self.conn(), filter).await
    }
}

impl Store {
    /// Appends an audit entry on its own (a single-statement write), for events that change
    /// nothing in the database, such as viewing a case read outside a write transaction.
    /// Changes must be audited with [`Tx::audit`] in their own transaction instead.
    pub async fn audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
        let mut held = self.acquire().await?;
        append(held.conn(), now, entry).await
    }

    /// Audit entries, newest first (100 unless `filter.limit` says otherwise).
    pub async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        let mut held = self.acquire().await?;
        read(held.conn(), filter).await
    }
}
