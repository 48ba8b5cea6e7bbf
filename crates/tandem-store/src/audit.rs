//! The append-only audit log. Entries of changes are written inside the caller's transaction,
//! so an entry exists exactly when the change it records was committed. Entries of reads (a
//! case viewed, a caseload listed) go through the group-commit writer ([`Store::audit_read`]):
//! the caller waits until its entry is committed, together with the entries of the other reads
//! that arrived meanwhile, before it shows what it read.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, FromRow};

use std::sync::Mutex;

use tokio::sync::{mpsc, oneshot};

use crate::cases::values_list;
use crate::error::StoreError;
use crate::model::{AuditEntry, AuditFilter, AuditRecord};
use crate::store::{Conn, Store, Tx, on};

async fn append(conn: Conn<'_>, at: DateTime<Utc>, entry: &AuditEntry) -> Result<i64, StoreError> {
    let ids = append_rows(conn, &[(at, entry)]).await?;
    ids.first()
        .copied()
        .ok_or_else(|| StoreError::Corrupt("an audit entry written without an id".into()))
}

/// Writes `rows` in one statement and returns their ids in the order of `rows`: both databases
/// number the rows of one `INSERT` in the order of its `VALUES`, though `RETURNING` need not
/// list them in that order, so the ids, sorted, are the rows'.
async fn append_rows(
    mut conn: Conn<'_>,
    rows: &[(DateTime<Utc>, &AuditEntry)],
) -> Result<Vec<i64>, StoreError> {
    let sql = format!(
        "INSERT INTO audit_log (at, actor_id, action, case_reference, detail) VALUES {} \
         RETURNING id",
        values_list(conn.backend(), rows.len(), 5)
    );
    let mut ids = on!(conn.reborrow(), c => {
        let mut query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
        for (at, entry) in rows {
            query = query
                .bind(*at)
                .bind(entry.actor)
                .bind(entry.action.as_str())
                .bind(entry.case_reference.as_ref().map(|r| r.as_str()))
                .bind(Json(&entry.detail));
        }
        query.fetch_all(&mut *c).await?
    });
    if ids.len() != rows.len() {
        return Err(StoreError::Corrupt(format!(
            "{} audit entries written, {} ids returned",
            rows.len(),
            ids.len()
        )));
    }
    ids.sort_unstable();
    Ok(ids)
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

    /// Appends the audit entry of a read (a page view, a list) through the group-commit writer,
    /// stamped `at`, and returns once it is committed: the caller shows what
    /// it read only after this returns `Ok`. Entries of reads arriving together share one
    /// transaction. Changes are audited with [`Tx::audit`] in their own transaction instead.
    pub async fn audit_read(
        &self,
        entry: AuditEntry,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let at = chrono::SubsecRound::trunc_subsecs(at, 6);
        let (done, answer) = oneshot::channel();
        self.audit_writer.send(self, Pending { at, entry, done });
        match answer.await {
            Ok(Ok(id)) => Ok(id),
            Ok(Err(message)) => Err(StoreError::AuditNotWritten(message)),
            Err(_) => Err(StoreError::AuditNotWritten(
                "the audit writer stopped".to_owned(),
            )),
        }
    }

    /// Audit entries, newest first (100 unless `filter.limit` says otherwise).
    pub async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        let mut held = self.acquire().await?;
        read(held.conn(), filter).await
    }
}

/// The most read audit entries committed in one transaction.
const MAX_BATCH: usize = 512;

/// A read audit entry waiting for its batch, with where to send its id once committed.
struct Pending {
    at: DateTime<Utc>,
    entry: AuditEntry,
    done: oneshot::Sender<Result<i64, String>>,
}

/// The group-commit writer of read audit entries: one task per store, started on first use,
/// that takes every entry waiting, writes them all in one transaction and answers each caller
/// once that transaction has committed (or failed). On SQLite that is one write lock and one
/// commit for many page views instead of one each; the task ends when the last clone of the
/// store is dropped.
#[derive(Debug, Default)]
pub(crate) struct AuditWriter {
    queue: Mutex<Option<mpsc::UnboundedSender<Pending>>>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

impl AuditWriter {
    /// Queues `pending`, starting the writer task (on the current runtime) if there is none or
    /// the one there was has gone with its runtime.
    fn send(&self, store: &Store, pending: Pending) {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let pending = match queue.as_ref() {
            Some(q) => match q.send(pending) {
                Ok(()) => return,
                Err(mpsc::error::SendError(pending)) => pending,
            },
            None => pending,
        };
        let (sender, receiver) = mpsc::unbounded_channel();
        // The task holds the pool, not this writer, so that it ends with the last store.
        tokio::spawn(write_batches(store.without_writer(), receiver));
        // A fresh channel whose receiver was just moved into the task: sending cannot fail.
        let _ = sender.send(pending);
        *queue = Some(sender);
    }
}

async fn write_batches(store: Store, mut receiver: mpsc::UnboundedReceiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Callers that gave up waiting (their request was cancelled) still get their entry:
        // the read may have been shown by then.
        match write_batch(&store, &batch).await {
            Ok(ids) => {
                for (pending, id) in batch.drain(..).zip(ids) {
                    let _ = pending.done.send(Ok(id));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for pending in batch.drain(..) {
                    let _ = pending.done.send(Err(message.clone()));
                }
            }
        }
    }
}

/// Writes a batch in one transaction, in as few statements as its length has binary digits set
/// (37 entries are written as 32, 4 and 1): one round trip to the database per chunk instead of
/// one per entry (a case page alone has three), and at most ten different statements for each
/// connection's statement cache to keep.
async fn write_batch(store: &Store, batch: &[Pending]) -> Result<Vec<i64>, StoreError> {
    let mut tx = store.begin().await?;
    let rows: Vec<(DateTime<Utc>, &AuditEntry)> = batch.iter().map(|p| (p.at, &p.entry)).collect();
    let mut ids = Vec::with_capacity(rows.len());
    let mut rest = rows.as_slice();
    while !rest.is_empty() {
        let (chunk, after) = rest.split_at(1 << rest.len().ilog2());
        ids.extend(append_rows(tx.conn(), chunk).await?);
        rest = after;
    }
    tx.commit().await?;
    Ok(ids)
}
