//! Documents on a case: their details in `documents`, their content behind [`DocumentStorage`].
//!
//! The content is kept in the database by default ([`DatabaseStorage`], the `document_blobs`
//! table), written in the same transaction as the details, so that a document is saved whole or
//! not at all, a backup of the database holds every document, and several servers share them
//! with nothing more to set up.
//!
//! An S3-compatible object store, for areas whose documents outgrow the database, would be a
//! second implementation of [`DocumentStorage`]: `put` uploads the object under the key before
//! the transaction commits (it ignores the transaction), and `get` fetches it. An object put by
//! a transaction that then rolls back is left unreferenced; a periodic sweep of keys no
//! `documents` row names would remove such orphans. The details stay in the database either way,
//! so listings, permissions and the audit trail do not change.

use std::future::Future;

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tandem_core::UserId;
use tandem_core::documents::{DocumentKind, DocumentOwner, MediaType};

use crate::error::StoreError;
use crate::model::CaseId;
use crate::store::{Tx, on};

/// Where the content of documents is kept, by storage key. The details of each document are
/// always in the database; only the bytes go through this.
pub trait DocumentStorage: Send + Sync {
    /// Keeps `content` under `key`, as part of `tx` where the storage can.
    fn put(
        &self,
        tx: &mut Tx,
        key: &str,
        content: &[u8],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The content kept under `key`; `None` if there is none.
    fn get(
        &self,
        tx: &mut Tx,
        key: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;
}

/// The default storage: the `document_blobs` table of the store itself, inside the transaction.
#[derive(Debug, Clone, Copy, Default)]
pub struct DatabaseStorage;

impl DocumentStorage for DatabaseStorage {
    async fn put(&self, tx: &mut Tx, key: &str, content: &[u8]) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO document_blobs (storage_key, content) VALUES ($1, $2)";
        on!(tx.conn(), c => sqlx::query(SQL)
            .bind(key)
            .bind(content)
            .execute(&mut *c)
            .await
            .map(drop)?);
        Ok(())
    }

    async fn get(&self, tx: &mut Tx, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        const SQL: &str = "SELECT content FROM document_blobs WHERE storage_key = $1";
        Ok(on!(tx.conn(), c => sqlx::query_scalar::<_, Vec<u8>>(SQL)
            .bind(key)
            .fetch_optional(&mut *c)
            .await?))
    }
}

/// A document to add to a case.
#[derive(Debug, Clone, Copy)]
pub struct NewDocument<'a> {
    /// The case it belongs to.
    pub case_id: CaseId,
    /// What it is.
    pub kind: DocumentKind,
    /// Its title, as the person adding it gave it.
    pub title: &'a str,
    /// The name it was uploaded with, already tidied.
    pub file_name: &'a str,
    /// Its type, recognised from its content.
    pub media_type: MediaType,
    /// Its content.
    pub content: &'a [u8],
    /// Hex SHA-256 of the content.
    pub sha256: &'a str,
    /// A new, unguessable key to keep the content under.
    pub storage_key: &'a str,
    /// Who added it.
    pub added_by: UserId,
    /// The service of the professional or setting adding it, if any.
    pub provider: Option<&'a str>,
    /// Whether the family may see it.
    pub shared_with_family: bool,
}

/// A document on a case, as stored (without its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    /// Its id.
    pub id: i64,
    /// The case it belongs to.
    pub case_id: CaseId,
    /// What it is.
    pub kind: DocumentKind,
    /// Its title.
    pub title: String,
    /// The name it was uploaded with, tidied.
    pub file_name: String,
    /// Its type, recognised from its content.
    pub media_type: MediaType,
    /// Its size in bytes.
    pub size: u64,
    /// Hex SHA-256 of its content.
    pub sha256: String,
    /// Where its content is kept.
    pub storage_key: String,
    /// Who added it.
    pub added_by: UserId,
    /// Their name.
    pub added_by_name: String,
    /// The service of the professional or setting who added it, if any.
    pub provider: Option<String>,
    /// When it was added.
    pub added_at: DateTime<Utc>,
    /// When, by whom and why it was withdrawn, if it was.
    pub withdrawn: Option<Withdrawal>,
    /// Whether the council shared it with the family.
    pub shared_with_family: bool,
}

/// The withdrawal of a document, which stays in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    /// When.
    pub at: DateTime<Utc>,
    /// By whom.
    pub by: UserId,
    /// Why.
    pub reason: String,
}

impl DocumentRecord {
    /// Who added it and whether it is withdrawn, as the permission rules see it.
    pub fn owner(&self) -> DocumentOwner {
        DocumentOwner {
            added_by: self.added_by,
            provider: self.provider.clone(),
            withdrawn: self.withdrawn.is_some(),
            shared_with_family: self.shared_with_family,
        }
    }
}

#[derive(FromRow)]
struct DocumentRow {
    id: i64,
    case_id: i64,
    kind: String,
    title: String,
    file_name: String,
    media_type: String,
    size_bytes: i64,
    sha256: String,
    storage_key: String,
    added_by: i64,
    added_by_name: String,
    provider: Option<String>,
    added_at: DateTime<Utc>,
    withdrawn_at: Option<DateTime<Utc>>,
    withdrawn_by: Option<i64>,
    withdraw_reason: Option<String>,
    shared_with_family: bool,
}

impl TryFrom<DocumentRow> for DocumentRecord {
    type Error = StoreError;

    fn try_from(row: DocumentRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("document {}: {what}", row.id));
        let withdrawn = match (row.withdrawn_at, row.withdrawn_by) {
            (Some(at), Some(by)) => Some(Withdrawal {
                at,
                by,
                reason: row.withdraw_reason.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(Self {
            id: row.id,
            case_id: row.case_id,
            kind: DocumentKind::parse(&row.kind).ok_or_else(|| corrupt("unknown kind"))?,
            media_type: MediaType::parse(&row.media_type)
                .ok_or_else(|| corrupt("unknown media type"))?,
            size: u64::try_from(row.size_bytes).map_err(|_| corrupt("negative size"))?,
            title: row.title,
            file_name: row.file_name,
            sha256: row.sha256,
            storage_key: row.storage_key,
            added_by: row.added_by,
            added_by_name: row.added_by_name,
            provider: row.provider,
            added_at: row.added_at,
            withdrawn,
            shared_with_family: row.shared_with_family,
        })
    }
}

const SELECT: &str = "SELECT d.id, d.case_id, d.kind, d.title, d.file_name, d.media_type, \
     d.size_bytes, d.sha256, d.storage_key, d.added_by, u.name AS added_by_name, d.provider, \
     d.added_at, d.withdrawn_at, d.withdrawn_by, d.withdraw_reason, d.shared_with_family \
     FROM documents d JOIN users u ON u.id = d.added_by WHERE d.case_id = $1";

impl Tx {
    /// Adds a document: its details, and its content through `storage`, in this transaction.
    /// Returns its id.
    pub async fn add_document(
        &mut self,
        storage: &impl DocumentStorage,
        document: &NewDocument<'_>,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO documents (case_id, kind, title, file_name, media_type, \
             size_bytes, sha256, storage_key, added_by, provider, added_at, shared_with_family) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
        let size = i64::try_from(document.content.len())
            .map_err(|_| StoreError::Corrupt("a document too large to count".into()))?;
        let now = self.now();
        let id = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(document.case_id)
            .bind(document.kind.as_str())
            .bind(document.title)
            .bind(document.file_name)
            .bind(document.media_type.as_str())
            .bind(size)
            .bind(document.sha256)
            .bind(document.storage_key)
            .bind(document.added_by)
            .bind(document.provider)
            .bind(now)
            .bind(document.shared_with_family)
            .fetch_one(&mut *c)
            .await?);
        storage
            .put(self, document.storage_key, document.content)
            .await?;
        Ok(id)
    }

    /// Every document on a case, withdrawn ones included, oldest first.
    pub async fn documents(&mut self, case_id: CaseId) -> Result<Vec<DocumentRecord>, StoreError> {
        let sql = format!("{SELECT} ORDER BY d.added_at, d.id");
        let rows = on!(self.conn(), c => sqlx::query_as::<_, DocumentRow>(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter().map(DocumentRecord::try_from).collect()
    }

    /// The document `id` if it belongs to the case `case_id` (an id of another case gives
    /// `None`).
    pub async fn document(
        &mut self,
        case_id: CaseId,
        id: i64,
    ) -> Result<Option<DocumentRecord>, StoreError> {
        let sql = format!("{SELECT} AND d.id = $2");
        let row = on!(self.conn(), c => sqlx::query_as::<_, DocumentRow>(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        row.map(DocumentRecord::try_from).transpose()
    }

    /// Withdraws the document `id` of the case `case_id`, giving `reason`; it stays listed.
    /// Returns `false` if there is no such document or it was already withdrawn.
    pub async fn withdraw_document(
        &mut self,
        case_id: CaseId,
        id: i64,
        by: UserId,
        reason: &str,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE documents SET withdrawn_at = $3, withdrawn_by = $4, \
             withdraw_reason = $5 WHERE case_id = $1 AND id = $2 AND withdrawn_at IS NULL";
        let now = self.now();
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(case_id)
            .bind(id)
            .bind(now)
            .bind(by)
            .bind(reason)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }
}
