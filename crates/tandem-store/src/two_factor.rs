//! Two-factor sign-in: an account's TOTP secret (being set up, or confirmed), the digests of its
//! single-use recovery codes, and pending sign-ins (a correct password still waiting for a code).
//! Secrets are never logged; recovery codes and pending tokens are stored as digests only.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tandem_core::UserId;

use crate::error::StoreError;
use crate::store::{Conn, Store, Tx, on};

/// An account's two-factor settings.
#[derive(Clone, PartialEq, Eq, FromRow)]
pub struct TwoFactorRecord {
    /// The confirmed TOTP secret (base32), once set up.
    pub secret: Option<String>,
    /// A secret shown for set-up and not yet confirmed with a code.
    pub pending_secret: Option<String>,
    /// When set-up was confirmed.
    pub enrolled_at: Option<DateTime<Utc>>,
    /// The latest time step whose code was accepted (replay protection).
    pub last_step: Option<i64>,
}

impl TwoFactorRecord {
    /// Whether two-factor sign-in is set up (a confirmed secret).
    pub fn enrolled(&self) -> bool {
        self.secret.is_some()
    }
}

impl std::fmt::Debug for TwoFactorRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secrets are left out so that no log ever holds one.
        f.debug_struct("TwoFactorRecord")
            .field("enrolled_at", &self.enrolled_at)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

/// A pending sign-in: whose, and whether they must set two-factor sign-in up first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingSignIn {
    /// The account whose password was right.
    pub user_id: UserId,
    /// Set-up is needed before a session (rather than a code from an app already set up).
    pub enrol: bool,
}

async fn two_factor(
    mut conn: Conn<'_>,
    user_id: UserId,
) -> Result<Option<TwoFactorRecord>, StoreError> {
    const SQL: &str = "SELECT secret, pending_secret, enrolled_at, last_step FROM two_factor \
                       WHERE user_id = $1";
    Ok(
        on!(conn.reborrow(), c => sqlx::query_as::<_, TwoFactorRecord>(SQL)
        .bind(user_id)
        .fetch_optional(&mut *c)
        .await?),
    )
}

async fn pending_sign_in(
    mut conn: Conn<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<PendingSignIn>, StoreError> {
    const SQL: &str = "SELECT user_id, enrol FROM pending_sign_ins \
                       WHERE token_hash = $1 AND expires_at > $2";
    let row = on!(conn.reborrow(), c => sqlx::query_as::<_, (i64, bool)>(SQL)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *c)
        .await?);
    Ok(row.map(|(user_id, enrol)| PendingSignIn { user_id, enrol }))
}

impl Tx {
    /// The account's two-factor settings; `None` if it never began setting them up.
    pub async fn two_factor(
        &mut self,
        user_id: UserId,
    ) -> Result<Option<TwoFactorRecord>, StoreError> {
        two_factor(self.conn(), user_id).await
    }

    /// Keeps `secret` (base32) as the account's secret being set up, replacing any earlier one
    /// being set up; a confirmed secret stays in force until this one is confirmed.
    pub async fn set_pending_two_factor_secret(
        &mut self,
        user_id: UserId,
        secret: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO two_factor (user_id, pending_secret) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO UPDATE SET pending_secret = excluded.pending_secret";
        on!(self.conn(), c => sqlx::query(SQL)
            .bind(user_id)
            .bind(secret)
            .execute(&mut *c)
            .await
            .map(drop)?);
        Ok(())
    }

    /// Makes the secret being set up the account's secret, accepted at time step `step`.
    /// Returns `false` (and changes nothing) if no secret is being set up.
    pub async fn confirm_two_factor(
        &mut self,
        user_id: UserId,
        step: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE two_factor SET secret = pending_secret, pending_secret = NULL, \
             enrolled_at = $3, last_step = $2 WHERE user_id = $1 AND pending_secret IS NOT NULL";
        let now = self.now();
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(user_id)
            .bind(step)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }

    /// Records that a code of time step `step` was accepted, if no code of that step or a later
    /// one was before. Returns `false` (a replayed code, or no confirmed secret) otherwise. One
    /// `UPDATE`, so two sign-ins with the same code at once cannot both succeed.
    pub async fn accept_two_factor_step(
        &mut self,
        user_id: UserId,
        step: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE two_factor SET last_step = $2 WHERE user_id = $1 \
             AND secret IS NOT NULL AND (last_step IS NULL OR last_step < $2)";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(user_id)
            .bind(step)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }

    /// Replaces the account's recovery codes with these digests, all unused.
    pub async fn replace_recovery_codes(
        &mut self,
        user_id: UserId,
        code_hashes: &[String],
    ) -> Result<(), StoreError> {
        const DELETE: &str = "DELETE FROM recovery_codes WHERE user_id = $1";
        const INSERT: &str = "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)";
        on!(self.conn(), c => sqlx::query(DELETE)
            .bind(user_id)
            .execute(&mut *c)
            .await
            .map(drop)?);
        for hash in code_hashes {
            on!(self.conn(), c => sqlx::query(INSERT)
                .bind(user_id)
                .bind(hash)
                .execute(&mut *c)
                .await
                .map(drop)?);
        }
        Ok(())
    }

    /// Uses the account's unused recovery code with this digest. Returns `false` (and changes
    /// nothing) if there is none: unknown, or used already.
    pub async fn use_recovery_code(
        &mut self,
        user_id: UserId,
        code_hash: &str,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE recovery_codes SET used_at = $3 \
             WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
        let now = self.now();
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(user_id)
            .bind(code_hash)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }

    /// How many of the account's recovery codes are still unused.
    pub async fn unused_recovery_codes(&mut self, user_id: UserId) -> Result<i64, StoreError> {
        const SQL: &str =
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";
        Ok(on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(user_id)
            .fetch_one(&mut *c)
            .await?))
    }

    /// Forgets the account's two-factor sign-in: its secret (confirmed or being set up), its
    /// recovery codes and its pending sign-ins. Returns whether a confirmed secret was forgotten.
    pub async fn reset_two_factor(&mut self, user_id: UserId) -> Result<bool, StoreError> {
        let enrolled = self
            .two_factor(user_id)
            .await?
            .is_some_and(|r| r.enrolled());
        for sql in [
            "DELETE FROM two_factor WHERE user_id = $1",
            "DELETE FROM recovery_codes WHERE user_id = $1",
            "DELETE FROM pending_sign_ins WHERE user_id = $1",
        ] {
            on!(self.conn(), c => sqlx::query(sql)
                .bind(user_id)
                .execute(&mut *c)
                .await
                .map(drop)?);
        }
        Ok(enrolled)
    }

    /// Stores a pending sign-in (only the digest of its token) lasting until `expires_at`, and
    /// forgets every pending sign-in that has expired.
    pub async fn create_pending_sign_in(
        &mut self,
        token_hash: &str,
        pending: PendingSignIn,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const PURGE: &str = "DELETE FROM pending_sign_ins WHERE expires_at <= $1";
        const SQL: &str = "INSERT INTO pending_sign_ins (token_hash, user_id, enrol, expires_at) \
             VALUES ($1, $2, $3, $4)";
        let now = self.now();
        on!(self.conn(), c => sqlx::query(PURGE)
            .bind(now)
            .execute(&mut *c)
            .await
            .map(drop)?);
        on!(self.conn(), c => sqlx::query(SQL)
            .bind(token_hash)
            .bind(pending.user_id)
            .bind(pending.enrol)
            .bind(expires_at)
            .execute(&mut *c)
            .await
            .map(drop)?);
        Ok(())
    }

    /// The unexpired pending sign-in with this token digest, read inside the transaction.
    pub async fn pending_sign_in(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<PendingSignIn>, StoreError> {
        let now = self.now();
        pending_sign_in(self.conn(), token_hash, now).await
    }

    /// Ends the pending sign-in with this token digest (it became a session). Returns whether
    /// there was one.
    pub async fn end_pending_sign_in(&mut self, token_hash: &str) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM pending_sign_ins WHERE token_hash = $1";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(token_hash)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }
}

impl Store {
    /// The account's two-factor settings, as [`Tx::two_factor`] reads them.
    pub async fn two_factor(&self, user_id: UserId) -> Result<Option<TwoFactorRecord>, StoreError> {
        let mut held = self.acquire().await?;
        two_factor(held.conn(), user_id).await
    }

    /// The pending sign-in with this token digest, if it has not expired at `now`.
    pub async fn pending_sign_in(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingSignIn>, StoreError> {
        let mut held = self.acquire().await?;
        pending_sign_in(held.conn(), token_hash, now).await
    }
}
