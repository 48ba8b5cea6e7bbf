//! The outbox of email notifications: queued in the transaction of the write that causes them
//! (or by the daily reminder run), claimed one at a time for sending, and marked sent or failed
//! in the transaction that releases the claim.
//!
//! A claim is a lease (`claimed_until`) taken by one atomic `UPDATE … RETURNING`; on PostgreSQL
//! the row is picked with `FOR UPDATE SKIP LOCKED`, so that several servers claiming at once
//! neither wait for each other nor take the same row. A claim whose sender died runs out and
//! the row is claimed again.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tandem_core::UserId;
use tandem_core::notifications::{Audience, Email, Notice, NotificationKind};

use crate::error::StoreError;
use crate::model::CaseId;
use crate::store::{Backend, Conn, Store, Tx, on};

/// An email claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedEmail {
    /// The notification's id.
    pub id: i64,
    /// Where it goes.
    pub to: String,
    /// Its subject (no personal details).
    pub subject: String,
    /// Its text.
    pub body: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
    /// The end of the lease, which identifies this claim when it is released.
    pub claimed_until: DateTime<Utc>,
}

/// A notification not sent yet, as an administrator sees it: no text, so no case details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsentNotification {
    /// Its id.
    pub id: i64,
    /// What it is about.
    pub kind: NotificationKind,
    /// The recipient's address.
    pub email: String,
    /// Whether an attempt has failed (`failed`) or none has been made (`pending`).
    pub status: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When it will next be tried.
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed, in the mail server's terms.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct UnsentRow {
    id: i64,
    kind: String,
    email: String,
    status: String,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
}

/// The accounts an audience reaches on case `case_id`: enabled ones, with their addresses.
async fn recipients(
    mut conn: Conn<'_>,
    case_id: CaseId,
    audience: &Audience,
) -> Result<Vec<(UserId, String)>, StoreError> {
    const FAMILY: &str = "SELECT u.id, u.email FROM case_people p JOIN users u ON u.id = p.user_id \
         WHERE p.case_id = $1 AND p.relation = 'family' AND NOT u.disabled ORDER BY u.id";
    const CASE_MANAGER: &str = "SELECT u.id, u.email FROM cases c \
         JOIN users u ON u.id = c.case_manager_id WHERE c.id = $1 AND NOT u.disabled";
    const PERSON: &str = "SELECT id, email FROM users WHERE id = $1 AND NOT disabled";
    const SERVICE: &str =
        "SELECT id, email FROM users WHERE provider = $1 AND NOT disabled ORDER BY id";
    let (sql, id) = match audience {
        Audience::Service(provider) => {
            let rows = on!(conn.reborrow(), c => sqlx::query_as::<_, (i64, String)>(SERVICE)
                .bind(provider.as_str())
                .fetch_all(&mut *c)
                .await?);
            return Ok(rows);
        }
        Audience::Family => (FAMILY, case_id),
        Audience::CaseManager => (CASE_MANAGER, case_id),
        Audience::Person(user) => (PERSON, *user),
    };
    let rows = on!(conn.reborrow(), c => sqlx::query_as::<_, (i64, String)>(sql)
        .bind(id)
        .fetch_all(&mut *c)
        .await?);
    Ok(rows)
}

/// Whom one queued email goes to.
struct Recipient<'a> {
    user: UserId,
    address: &'a str,
    case_id: Option<CaseId>,
}

impl Tx {
    /// Queues `email` for everyone `notice` is for, once each: a notice already queued for
    /// someone (the same key) is left as it is. Returns how many were queued.
    pub async fn queue_notice(
        &mut self,
        notice: &Notice,
        email: &Email,
    ) -> Result<u64, StoreError> {
        const CASE: &str = "SELECT id FROM cases WHERE reference = $1";
        let case_id = on!(self.conn(), c => sqlx::query_scalar::<_, CaseId>(CASE)
            .bind(notice.reference.as_str())
            .fetch_optional(&mut *c)
            .await?)
        .ok_or_else(|| StoreError::CaseNotFound {
            reference: notice.reference.to_string(),
        })?;
        let mut queued = 0;
        for (user, address) in recipients(self.conn(), case_id, &notice.audience).await? {
            let key = format!("{}:{user}", notice.key);
            let to = Recipient {
                user,
                address: &address,
                case_id: Some(case_id),
            };
            queued += self.insert_email(notice.kind, &to, &key, email).await?;
        }
        Ok(queued)
    }

    /// Queues `email` for `user` at `address`, about no case (an invitation, which goes to an
    /// account that cannot sign in yet), unless `key` was queued before. Returns how many were
    /// queued.
    pub async fn queue_email(
        &mut self,
        kind: NotificationKind,
        user: UserId,
        address: &str,
        key: &str,
        email: &Email,
    ) -> Result<u64, StoreError> {
        let to = Recipient {
            user,
            address,
            case_id: None,
        };
        self.insert_email(kind, &to, key, email).await
    }

    async fn insert_email(
        &mut self,
        kind: NotificationKind,
        to: &Recipient<'_>,
        key: &str,
        email: &Email,
    ) -> Result<u64, StoreError> {
        const SQL: &str = "INSERT INTO notifications (kind, user_id, email, case_id, dedupe_key, \
             subject, body, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8) \
             ON CONFLICT (dedupe_key) DO NOTHING";
        let now = self.now();
        Ok(on!(self.conn(), c => sqlx::query(SQL)
            .bind(kind.as_str())
            .bind(to.user)
            .bind(to.address)
            .bind(to.case_id)
            .bind(key)
            .bind(email.subject.as_str())
            .bind(email.body.as_str())
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()))
    }

    /// Claims the next email due to be tried, until `lease_until`; `None` when none is due.
    pub async fn claim_email(
        &mut self,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<ClaimedEmail>, StoreError> {
        let now = self.now();
        let skip_locked = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            // SQLite has one writer at a time (BEGIN IMMEDIATE): the UPDATE is the claim.
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE notifications SET claimed_until = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM notifications WHERE status <> 'sent' \
             AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) \
             ORDER BY next_attempt_at, id LIMIT 1{skip_locked}) \
             RETURNING id, email, subject, body, attempts"
        );
        let row = on!(self.conn(), c =>
            sqlx::query_as::<_, (i64, String, String, String, i32)>(sqlx::AssertSqlSafe(sql))
                .bind(now)
                .bind(lease_until)
                .fetch_optional(&mut *c)
                .await?);
        Ok(row.map(|(id, to, subject, body, attempts)| ClaimedEmail {
            id,
            to,
            subject,
            body,
            attempts: u32::try_from(attempts).unwrap_or(0),
            claimed_until: lease_until,
        }))
    }

    /// Records that a claimed email was sent, releasing the claim. False if the claim had run
    /// out and been taken by another sender.
    pub async fn email_sent(&mut self, claim: &ClaimedEmail) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE notifications SET status = 'sent', sent_at = $3, \
             claimed_until = NULL, last_error = NULL WHERE id = $1 AND claimed_until = $2";
        let now = self.now();
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(claim.id)
            .bind(claim.claimed_until)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }

    /// Records that sending a claimed email failed with `error` (no personal details), to be
    /// tried again at `retry_at`, releasing the claim.
    pub async fn email_failed(
        &mut self,
        claim: &ClaimedEmail,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE notifications SET status = 'failed', next_attempt_at = $3, \
             claimed_until = NULL, last_error = $4 WHERE id = $1 AND claimed_until = $2";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(claim.id)
            .bind(claim.claimed_until)
            .bind(retry_at)
            .bind(error)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }
}

impl Store {
    /// The notifications not sent yet, next to be tried first (the administrator's list), and
    /// how many have been sent.
    pub async fn unsent_notifications(&self) -> Result<(Vec<UnsentNotification>, u64), StoreError> {
        const SQL: &str = "SELECT id, kind, email, status, attempts, next_attempt_at, \
             last_error, created_at FROM notifications WHERE status <> 'sent' \
             ORDER BY next_attempt_at, id LIMIT 1000";
        const SENT: &str = "SELECT COUNT(*) FROM notifications WHERE status = 'sent'";
        let mut held = self.acquire().await?;
        let rows = on!(held.conn(), c => sqlx::query_as::<_, UnsentRow>(SQL)
            .fetch_all(&mut *c)
            .await?);
        let sent = on!(held.conn(), c => sqlx::query_scalar::<_, i64>(SENT)
            .fetch_one(&mut *c)
            .await?);
        let unsent = rows
            .into_iter()
            .map(|row| {
                Ok(UnsentNotification {
                    kind: NotificationKind::parse(&row.kind).ok_or_else(|| {
                        StoreError::Corrupt(format!("notification {}: kind", row.id))
                    })?,
                    id: row.id,
                    email: row.email,
                    status: row.status,
                    attempts: u32::try_from(row.attempts).unwrap_or(0),
                    next_attempt_at: row.next_attempt_at,
                    last_error: row.last_error,
                    created_at: row.created_at,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((unsent, u64::try_from(sent).unwrap_or(0)))
    }
}
