//! Advice written on the standard form: drafts saved by the service asked, then submitted once.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::types::Json;
use tandem_core::advice::AdviceForm;
use tandem_core::{Reference, UserId};

use crate::error::StoreError;
use crate::model::{CaseId, parse_reference};
use crate::store::{Conn, Store, Tx, on};

/// Advice on the standard form for one request of one case, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AdviceResponse {
    /// Its id.
    pub id: i64,
    /// The case it answers a request on.
    pub case_id: CaseId,
    /// The advice milestone it answers (`advice:health`), as the timeline keys it.
    pub request_key: String,
    /// Who saved it last.
    pub author_id: UserId,
    /// The answers.
    pub form: AdviceForm,
    /// Bumped by every save; a save names the version it was based on.
    pub version: i64,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
    /// When it was submitted; `None` while it is a draft.
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A case with a request still open to a service, for its work tray.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayCase {
    /// The case's id.
    pub case_id: CaseId,
    /// Its reference.
    pub reference: Reference,
    /// The child's given name, if recorded.
    pub given_name: Option<String>,
    /// The child's family name, if recorded.
    pub family_name: Option<String>,
}

#[derive(FromRow)]
struct ResponseRow {
    id: i64,
    case_id: i64,
    request_key: String,
    author_id: i64,
    form: Json<AdviceForm>,
    version: i64,
    updated_at: DateTime<Utc>,
    submitted_at: Option<DateTime<Utc>>,
}

impl From<ResponseRow> for AdviceResponse {
    fn from(row: ResponseRow) -> Self {
        Self {
            id: row.id,
            case_id: row.case_id,
            request_key: row.request_key,
            author_id: row.author_id,
            form: row.form.0,
            version: row.version,
            updated_at: row.updated_at,
            submitted_at: row.submitted_at,
        }
    }
}

const RESPONSE_COLUMNS: &str =
    "id, case_id, request_key, author_id, form, version, updated_at, submitted_at";

/// Every piece of advice written for a case (a handful at most), by request key.
async fn responses(mut conn: Conn<'_>, case_id: CaseId) -> Result<Vec<AdviceResponse>, StoreError> {
    let sql = format!(
        "SELECT {RESPONSE_COLUMNS} FROM advice_responses WHERE case_id = $1 ORDER BY request_key"
    );
    let rows = on!(conn.reborrow(), c => sqlx::query_as::<_, ResponseRow>(sqlx::AssertSqlSafe(sql))
        .bind(case_id)
        .fetch_all(&mut *c)
        .await?);
    Ok(rows.into_iter().map(AdviceResponse::from).collect())
}

impl Tx {
    /// The advice written for request `request_key` of a case, if any.
    pub async fn advice_response(
        &mut self,
        case_id: CaseId,
        request_key: &str,
    ) -> Result<Option<AdviceResponse>, StoreError> {
        Ok(responses(self.conn(), case_id)
            .await?
            .into_iter()
            .find(|r| r.request_key == request_key))
    }

    /// Every piece of advice written for a case, drafts included, by request key.
    pub async fn advice_responses(
        &mut self,
        case_id: CaseId,
    ) -> Result<Vec<AdviceResponse>, StoreError> {
        responses(self.conn(), case_id).await
    }

    /// Saves `form` as the draft answering `request_key`, based on `expected_version` (`0` for
    /// the first save). Returns the new version; [`StoreError::Conflict`] if someone saved in
    /// between or the advice was already submitted.
    pub async fn save_advice_draft(
        &mut self,
        case_id: CaseId,
        request_key: &str,
        author: UserId,
        form: &AdviceForm,
        expected_version: i64,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        let affected = if expected_version == 0 {
            const INSERT: &str = "INSERT INTO advice_responses (case_id, request_key, author_id, \
                 form, version, updated_at) VALUES ($1, $2, $3, $4, 1, $5) \
                 ON CONFLICT (case_id, request_key) DO NOTHING";
            on!(self.conn(), c => sqlx::query(INSERT)
                .bind(case_id)
                .bind(request_key)
                .bind(author)
                .bind(Json(form))
                .bind(now)
                .execute(&mut *c)
                .await?
                .rows_affected())
        } else {
            const UPDATE: &str = "UPDATE advice_responses SET form = $4, author_id = $3, \
                 version = version + 1, updated_at = $5 \
                 WHERE case_id = $1 AND request_key = $2 AND version = $6 \
                 AND submitted_at IS NULL";
            on!(self.conn(), c => sqlx::query(UPDATE)
                .bind(case_id)
                .bind(request_key)
                .bind(author)
                .bind(Json(form))
                .bind(now)
                .bind(expected_version)
                .execute(&mut *c)
                .await?
                .rows_affected())
        };
        if affected == 1 {
            return Ok(expected_version + 1);
        }
        let current = self
            .advice_response(case_id, request_key)
            .await?
            .map_or(0, |r| r.version);
        Err(StoreError::Conflict {
            current_version: current,
        })
    }

    /// Marks the advice answering `request_key` as submitted, with the `advice_received` event
    /// it recorded: the latest event of the case, appended in this transaction.
    pub async fn mark_advice_submitted(
        &mut self,
        case_id: CaseId,
        request_key: &str,
    ) -> Result<(), StoreError> {
        let now = self.now();
        const SQL: &str = "UPDATE advice_responses SET submitted_at = $3, event_id = \
             (SELECT id FROM events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1) \
             WHERE case_id = $1 AND request_key = $2 AND submitted_at IS NULL";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(case_id)
            .bind(request_key)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        if affected == 1 {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!(
                "no draft advice for {request_key} of case {case_id}"
            )))
        }
    }
}

impl Store {
    /// The cases on which `provider` (a provider key) has a request still open, by reference.
    pub async fn cases_awaiting_advice(&self, provider: &str) -> Result<Vec<TrayCase>, StoreError> {
        const SQL: &str = "SELECT c.id, c.reference, ch.given_name, ch.family_name \
             FROM case_advice_providers a JOIN cases c ON c.id = a.case_id \
             JOIN children ch ON ch.id = c.child_id \
             WHERE a.provider = $1 AND a.closed_on IS NULL ORDER BY c.reference";
        let mut held = self.acquire().await?;
        let rows = on!(held.conn(), c =>
            sqlx::query_as::<_, (i64, String, Option<String>, Option<String>)>(SQL)
                .bind(provider)
                .fetch_all(&mut *c)
                .await?);
        rows.into_iter()
            .map(|(case_id, reference, given_name, family_name)| {
                Ok(TrayCase {
                    case_id,
                    reference: parse_reference(reference)?,
                    given_name,
                    family_name,
                })
            })
            .collect()
    }

    /// Every piece of advice written for a case, drafts included, by request key.
    pub async fn advice_responses(
        &self,
        case_id: CaseId,
    ) -> Result<Vec<AdviceResponse>, StoreError> {
        let mut held = self.acquire().await?;
        responses(held.conn(), case_id).await
    }
}
