//! Invitations by email, and password reset links (an invitation to set the password again): a
//! single-use link's token digest, who it is for, what it is for and until when it works. The
//! token itself is never stored.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tandem_core::UserId;

use crate::error::StoreError;
use crate::store::{Store, Tx, on};

/// An invitation as an administrator sees it: when it was sent, until when its link works, and
/// whether it was accepted. Withdrawing an invitation ends it early (its `expires_at` becomes the
/// moment it was withdrawn).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct InvitationRecord {
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When its link stops (or stopped) working.
    pub expires_at: DateTime<Utc>,
    /// When it was accepted, if it was.
    pub used_at: Option<DateTime<Utc>>,
}

/// What a link sets a password for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Joining: the first password of an invited account, which enables it.
    Join,
    /// A password reset asked for by the account's owner; it never enables an account.
    Reset,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Join => "join",
            Self::Reset => "reset",
        }
    }
}

impl InvitationRecord {
    /// Whether the link still works at `now`.
    pub fn open_at(&self, now: DateTime<Utc>) -> bool {
        self.used_at.is_none() && self.expires_at > now
    }
}

impl Tx {
    /// Ends every open invitation of `user_id` now, so that no link sent to them works any more
    /// (an invitation withdrawn, or replaced by a new one). Returns how many were open.
    pub async fn end_open_invitations(&mut self, user_id: UserId) -> Result<u64, StoreError> {
        const SQL: &str = "UPDATE invitations SET expires_at = $2 \
             WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2";
        let now = self.now();
        Ok(on!(self.conn(), c => sqlx::query(SQL)
            .bind(user_id)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()))
    }

    /// Stores a link for `user_id` (only the digest of its token) for `purpose`, working until
    /// `expires_at`; `invited_by` is the person themselves for a reset.
    pub async fn create_invitation(
        &mut self,
        user_id: UserId,
        token_hash: &str,
        invited_by: UserId,
        expires_at: DateTime<Utc>,
        purpose: LinkPurpose,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO invitations (user_id, token_hash, invited_by, created_at, \
             expires_at, purpose) VALUES ($1, $2, $3, $4, $5, $6)";
        let now = self.now();
        on!(self.conn(), c => sqlx::query(SQL)
            .bind(user_id)
            .bind(token_hash)
            .bind(invited_by)
            .bind(now)
            .bind(expires_at)
            .bind(purpose.as_str())
            .execute(&mut *c)
            .await
            .map(drop)?);
        Ok(())
    }

    /// Marks the link for `purpose` with this token digest used, if it is unused and unexpired,
    /// and returns whom it is for; `None` (and nothing changed) otherwise. One `UPDATE`, so two
    /// uses at once cannot both succeed.
    pub async fn use_invitation(
        &mut self,
        token_hash: &str,
        purpose: LinkPurpose,
    ) -> Result<Option<UserId>, StoreError> {
        const SQL: &str = "UPDATE invitations SET used_at = $2 WHERE token_hash = $1 \
             AND purpose = $3 AND used_at IS NULL AND expires_at > $2 RETURNING user_id";
        let now = self.now();
        Ok(on!(self.conn(), c => sqlx::query_scalar::<_, UserId>(SQL)
            .bind(token_hash)
            .bind(now)
            .bind(purpose.as_str())
            .fetch_optional(&mut *c)
            .await?))
    }

    /// How many password reset links were sent to `user_id` since `since` (to stop a stranger
    /// flooding someone's inbox).
    pub async fn resets_sent_since(
        &mut self,
        user_id: UserId,
        since: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM invitations \
             WHERE user_id = $1 AND purpose = 'reset' AND created_at > $2";
        Ok(on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(user_id)
            .bind(since)
            .fetch_one(&mut *c)
            .await?))
    }
}

impl Store {
    /// The latest invitation sent to `user_id`, if any was.
    pub async fn latest_invitation(
        &self,
        user_id: UserId,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        const SQL: &str = "SELECT created_at, expires_at, used_at FROM invitations \
             WHERE user_id = $1 AND purpose = 'join' ORDER BY id DESC LIMIT 1";
        let mut held = self.acquire().await?;
        Ok(
            on!(held.conn(), c => sqlx::query_as::<_, InvitationRecord>(SQL)
            .bind(user_id)
            .fetch_optional(&mut *c)
            .await?),
        )
    }

    /// Whether the link for `purpose` with this token digest is unused and unexpired at `now`.
    pub async fn invitation_open(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM invitations \
             WHERE token_hash = $1 AND purpose = $3 AND used_at IS NULL AND expires_at > $2";
        let mut held = self.acquire().await?;
        let open = on!(held.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(token_hash)
            .bind(now)
            .bind(purpose.as_str())
            .fetch_one(&mut *c)
            .await?);
        Ok(open > 0)
    }
}
