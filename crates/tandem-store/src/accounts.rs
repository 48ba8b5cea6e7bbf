//! Accounts, sessions, sign-in attempts and the people linked to a case.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;
use tandem_core::access::provider_key;
use tandem_core::{CaseAccess, Date, Role, UserId};

use crate::error::{StoreError, is_unique_violation};
use crate::model::{
    CaseId, CaseRelation, NewUser, SessionId, SessionRecord, StaffMember, UserRecord,
};
use crate::store::{Conn, Store, Tx, on};

/// Failed sign-in attempts under one key, as [`Tx::sign_in_failures`] counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInFailures {
    /// How many.
    pub count: i64,
    /// When the latest was.
    pub last_at: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    password_hash: String,
    role: String,
    team: Option<String>,
    provider: Option<String>,
    disabled: bool,
    created_at: DateTime<Utc>,
}

impl UserRow {
    fn into_record(self) -> Result<UserRecord, StoreError> {
        Ok(UserRecord {
            role: Role::parse(&self.role)
                .ok_or_else(|| StoreError::Corrupt(format!("role {:?}", self.role)))?,
            id: self.id,
            email: self.email,
            name: self.name,
            password_hash: self.password_hash,
            team: self.team,
            provider: self.provider,
            disabled: self.disabled,
            created_at: self.created_at,
        })
    }
}

const USER_COLUMNS: &str =
    "id, email, name, password_hash, role, team, provider, disabled, created_at";

/// Email addresses are compared without regard to case or surrounding spaces.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

async fn create_user(
    mut conn: Conn<'_>,
    now: DateTime<Utc>,
    user: &NewUser,
) -> Result<UserId, StoreError> {
    const SQL: &str = "INSERT INTO users (email, name, password_hash, role, team, provider, \
                       disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7) \
                       RETURNING id";
    let id = on!(conn.reborrow(), c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(normalise_email(&user.email))
        .bind(user.name.as_str())
        .bind(user.password_hash.as_str())
        .bind(user.role.as_str())
        .bind(user.team.as_deref())
        .bind(user.provider.as_deref().map(provider_key))
        .bind(now)
        .fetch_one(&mut *c)
        .await
        .map_err(|e| if is_unique_violation(&e, "users", "email") {
            StoreError::DuplicateEmail
        } else {
            StoreError::Database(e)
        })?);
    Ok(id)
}

async fn user_where(
    mut conn: Conn<'_>,
    by_email: Option<&str>,
    by_id: Option<UserId>,
) -> Result<Option<UserRecord>, StoreError> {
    let row = if let Some(email) = by_email {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        on!(conn.reborrow(), c => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql))
            .bind(normalise_email(email))
            .fetch_optional(&mut *c)
            .await?)
    } else {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        on!(conn.reborrow(), c => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql))
            .bind(by_id)
            .fetch_optional(&mut *c)
            .await?)
    };
    row.map(UserRow::into_record).transpose()
}

async fn users(mut conn: Conn<'_>) -> Result<Vec<UserRecord>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
    let rows = on!(conn.reborrow(), c => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *c)
        .await?);
    rows.into_iter().map(UserRow::into_record).collect()
}

/// The enabled case managers and team managers, by name (then id). Only what a list of them
/// shows is read: every caseload and case page lists them, and none needs their sign-in details.
async fn staff(mut conn: Conn<'_>) -> Result<Vec<StaffMember>, StoreError> {
    const SQL: &str = "SELECT id, name, role, team FROM users \
         WHERE disabled = FALSE AND role IN ('case_manager', 'team_manager')";
    let rows = on!(conn.reborrow(), c =>
        sqlx::query_as::<_, (i64, String, String, Option<String>)>(SQL)
            .fetch_all(&mut *c)
            .await?);
    let mut staff = rows
        .into_iter()
        .map(|(id, name, role, team)| {
            let role =
                Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
            Ok(StaffMember {
                id,
                name,
                role,
                team,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    staff.sort_by_cached_key(|m| (m.name.to_lowercase(), m.id));
    Ok(staff)
}

async fn update_user(
    mut conn: Conn<'_>,
    id: UserId,
    role: Option<(Role, Option<&str>)>,
    disabled: Option<bool>,
    password_hash: Option<&str>,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE users SET \
         role = COALESCE($2, role), \
         team = CASE WHEN $3 THEN $4 ELSE team END, \
         disabled = COALESCE($5, disabled), \
         password_hash = COALESCE($6, password_hash) \
         WHERE id = $1";
    let affected = on!(conn.reborrow(), c => sqlx::query(SQL)
        .bind(id)
        .bind(role.map(|(r, _)| r.as_str()))
        .bind(role.is_some())
        .bind(role.and_then(|(_, team)| team))
        .bind(disabled)
        .bind(password_hash)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if affected == 0 {
        return Err(StoreError::UserNotFound { id });
    }
    Ok(())
}

/// A live session's row read together with its user's, in one statement: every request that
/// carries a session cookie reads it.
#[derive(FromRow)]
struct SessionRow {
    session_id: i64,
    session_created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked: bool,
    #[sqlx(flatten)]
    user: UserRow,
}

impl SessionRow {
    fn into_records(self) -> Result<(SessionRecord, UserRecord), StoreError> {
        let session = SessionRecord {
            id: self.session_id,
            user_id: self.user.id,
            created_at: self.session_created_at,
            last_seen_at: self.last_seen_at,
            expires_at: self.expires_at,
            revoked: self.revoked,
        };
        Ok((session, self.user.into_record()?))
    }
}

async fn create_session(
    mut conn: Conn<'_>,
    now: DateTime<Utc>,
    token_hash: &str,
    user_id: UserId,
    expires_at: DateTime<Utc>,
) -> Result<SessionId, StoreError> {
    const SQL: &str = "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, \
                       expires_at, revoked) VALUES ($1, $2, $3, $3, $4, FALSE) RETURNING id";
    let id = on!(conn.reborrow(), c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *c)
        .await?);
    Ok(id)
}

/// The live session with this token hash and its user: not revoked, not past its absolute
/// expiry, seen within `idle`, and the account not disabled.
async fn live_session(
    mut conn: Conn<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Option<(SessionRecord, UserRecord)>, StoreError> {
    const SQL: &str = "SELECT s.id AS session_id, s.created_at AS session_created_at, \
         s.last_seen_at, s.expires_at, s.revoked, u.id, u.email, u.name, u.password_hash, \
         u.role, u.team, u.provider, u.disabled, u.created_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.revoked = FALSE AND s.expires_at > $2 \
         AND s.last_seen_at > $3 AND u.disabled = FALSE";
    let row = on!(conn.reborrow(), c => sqlx::query_as::<_, SessionRow>(SQL)
        .bind(token_hash)
        .bind(now)
        .bind(now - idle)
        .fetch_optional(&mut *c)
        .await?);
    row.map(SessionRow::into_records).transpose()
}

async fn touch_session(
    mut conn: Conn<'_>,
    id: SessionId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    const SQL: &str = "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";
    on!(conn.reborrow(), c => {
        sqlx::query(SQL).bind(id).bind(now).execute(&mut *c).await?;
    });
    Ok(())
}

async fn revoke_sessions(
    mut conn: Conn<'_>,
    token_hash: Option<&str>,
    user_id: Option<UserId>,
) -> Result<u64, StoreError> {
    const SQL: &str = "UPDATE sessions SET revoked = TRUE \
         WHERE revoked = FALSE AND (token_hash = $1 OR user_id = $2)";
    let affected = on!(conn.reborrow(), c => sqlx::query(SQL)
        .bind(token_hash)
        .bind(user_id)
        .execute(&mut *c)
        .await?
        .rows_affected());
    Ok(affected)
}

async fn record_attempt(
    mut conn: Conn<'_>,
    key: &str,
    at: DateTime<Utc>,
    succeeded: bool,
) -> Result<i64, StoreError> {
    const SQL: &str =
        "INSERT INTO sign_in_attempts (key, at, succeeded) VALUES ($1, $2, $3) RETURNING id";
    let id = on!(conn.reborrow(), c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(key)
        .bind(at)
        .bind(succeeded)
        .fetch_one(&mut *c)
        .await?);
    Ok(id)
}

async fn failed_attempts(
    mut conn: Conn<'_>,
    key: &str,
    since: DateTime<Utc>,
    since_last_success: bool,
) -> Result<SignInFailures, StoreError> {
    // Attempt ids grow with time, so "after the last success" compares ids: a failure and a
    // success recorded in the same instant are still ordered.
    const SQL: &str = "SELECT id, at FROM sign_in_attempts \
                       WHERE key = $1 AND at >= $2 AND succeeded = FALSE \
                       AND ($3 = FALSE OR id > COALESCE((SELECT MAX(id) FROM sign_in_attempts \
                                                         WHERE key = $1 AND succeeded = TRUE), 0)) \
                       ORDER BY id";
    let rows: Vec<(i64, DateTime<Utc>)> = on!(conn.reborrow(), c => sqlx::query_as(SQL)
        .bind(key)
        .bind(since)
        .bind(since_last_success)
        .fetch_all(&mut *c)
        .await?);
    Ok(SignInFailures {
        count: i64::try_from(rows.len()).unwrap_or(i64::MAX),
        last_at: rows.last().map(|(_, at)| *at),
    })
}

async fn link_person(
    mut conn: Conn<'_>,
    case_id: CaseId,
    user_id: UserId,
    relation: CaseRelation,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO case_people (case_id, user_id, relation) VALUES ($1, $2, $3) \
                       ON CONFLICT DO NOTHING";
    on!(conn.reborrow(), c => {
        sqlx::query(SQL)
            .bind(case_id)
            .bind(user_id)
            .bind(relation.as_str())
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// How `case_id` relates to people; services count as asked while their request is open or
/// closed on or after `closed_since`.
async fn case_access(
    mut conn: Conn<'_>,
    case_id: CaseId,
    closed_since: Date,
) -> Result<CaseAccess, StoreError> {
    // One statement, as every read or write of a case starts with it: the case's own row (its
    // case manager and team), then the people linked to it, then the services asked for advice
    // whose part is open or closed since `closed_since`. `relation` can be neither 'case' nor
    // 'provider' (a CHECK of case_people).
    const SQL: &str = "SELECT 'case' AS kind, case_manager_id AS user_id, team AS name \
         FROM cases WHERE id = $1 \
         UNION ALL SELECT relation, user_id, NULL FROM case_people WHERE case_id = $1 \
         UNION ALL SELECT 'provider', NULL, provider FROM case_advice_providers \
         WHERE case_id = $1 AND (closed_on IS NULL OR closed_on >= $2)";
    let rows = on!(conn.reborrow(), c =>
        sqlx::query_as::<_, (String, Option<i64>, Option<String>)>(SQL)
            .bind(case_id)
            .bind(closed_since)
            .fetch_all(&mut *c)
            .await?);
    let mut found = false;
    let mut access = CaseAccess::default();
    for (kind, user_id, name) in rows {
        let linked = || user_id.ok_or_else(|| StoreError::Corrupt("case person without id".into()));
        match (kind.as_str(), CaseRelation::parse(&kind)) {
            ("case", _) => {
                found = true;
                access.case_manager = user_id;
                access.team = name;
            }
            ("provider", _) => access.advice_providers.extend(name),
            (_, Some(CaseRelation::AdviceRecipient)) => access.advice_recipients.push(linked()?),
            (_, Some(CaseRelation::Family)) => access.family.push(linked()?),
            (_, None) => return Err(StoreError::Corrupt(format!("case relation {kind:?}"))),
        }
    }
    if !found {
        return Err(StoreError::CaseIdNotFound { id: case_id });
    }
    access.advice_recipients.sort_unstable();
    access.family.sort_unstable();
    access.advice_providers.sort_unstable();
    Ok(access)
}

impl Tx {
    /// Creates an account; [`StoreError::DuplicateEmail`] if the address is taken.
    pub async fn create_user(&mut self, user: &NewUser) -> Result<UserId, StoreError> {
        let now = self.now();
        create_user(self.conn(), now, user).await
    }

    /// Reads an account by id inside the transaction; `None` if there is none.
    pub async fn user(&mut self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        user_where(self.conn(), None, Some(id)).await
    }

    /// Reads an account by email address (compared without regard to case or surrounding spaces);
    /// `None` if there is none.
    pub async fn user_by_email(&mut self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        user_where(self.conn(), Some(email), None).await
    }

    /// Every account, as [`Store::users`] lists them.
    pub async fn users(&mut self) -> Result<Vec<UserRecord>, StoreError> {
        users(self.conn()).await
    }

    /// Who a case can be given to, as [`Store::staff`] lists them.
    pub async fn staff(&mut self) -> Result<Vec<StaffMember>, StoreError> {
        staff(self.conn()).await
    }

    /// Changes a user's role and team.
    pub async fn set_user_role(
        &mut self,
        id: UserId,
        role: Role,
        team: Option<&str>,
    ) -> Result<(), StoreError> {
        update_user(self.conn(), id, Some((role, team)), None, None).await
    }

    /// Changes a user's name and email address; [`StoreError::DuplicateEmail`] if another
    /// account has the address, [`StoreError::UserNotFound`] if there is no such account.
    pub async fn set_user_name_and_email(
        &mut self,
        id: UserId,
        name: &str,
        email: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE users SET name = $2, email = $3 WHERE id = $1";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(id)
            .bind(name)
            .bind(normalise_email(email))
            .execute(&mut *c)
            .await
            .map_err(|e| if is_unique_violation(&e, "users", "email") {
                StoreError::DuplicateEmail
            } else {
                StoreError::Database(e)
            })?
            .rows_affected());
        if affected == 0 {
            return Err(StoreError::UserNotFound { id });
        }
        Ok(())
    }

    /// Disables (or re-enables) an account. Disabling also revokes its sessions.
    pub async fn set_user_disabled(
        &mut self,
        id: UserId,
        disabled: bool,
    ) -> Result<(), StoreError> {
        update_user(self.conn(), id, None, Some(disabled), None).await?;
        if disabled {
            revoke_sessions(self.conn(), None, Some(id)).await?;
        }
        Ok(())
    }

    /// Replaces a user's password hash (an encoded hash, never a password);
    /// [`StoreError::UserNotFound`] if there is no such account. Does not revoke their sessions:
    /// call [`Tx::revoke_user_sessions`] for that.
    pub async fn set_password_hash(&mut self, id: UserId, hash: &str) -> Result<(), StoreError> {
        update_user(self.conn(), id, None, None, Some(hash)).await
    }

    /// Stores a new session (only a hash of its token). Returns its id.
    pub async fn create_session(
        &mut self,
        token_hash: &str,
        user_id: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<SessionId, StoreError> {
        let now = self.now();
        create_session(self.conn(), now, token_hash, user_id, expires_at).await
    }

    /// Revokes the session with this token hash (sign-out). Returns how many were revoked.
    pub async fn revoke_session(&mut self, token_hash: &str) -> Result<u64, StoreError> {
        revoke_sessions(self.conn(), Some(token_hash), None).await
    }

    /// Revokes every session of a user (password change, account disabled).
    pub async fn revoke_user_sessions(&mut self, user_id: UserId) -> Result<u64, StoreError> {
        revoke_sessions(self.conn(), None, Some(user_id)).await
    }

    /// Makes concurrent sign-ins under the same keys wait for each other until this transaction
    /// ends, so that counting earlier failures and recording this attempt are one step. SQLite
    /// needs nothing more: a write transaction already holds the database's write lock.
    pub async fn lock_sign_in_keys(&mut self, keys: &[&str]) -> Result<(), StoreError> {
        let mut keys = keys.to_vec();
        // One order for everybody, so that two sign-ins cannot each hold a lock the other wants.
        keys.sort_unstable();
        keys.dedup();
        if let Conn::Postgres(c) = self.conn() {
            for key in keys {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(key)
                    .execute(&mut *c)
                    .await?;
            }
        }
        Ok(())
    }

    /// Records a sign-in attempt under a caller-chosen key, stamped with [`Tx::now`]; returns
    /// its id, for [`Tx::mark_sign_in_succeeded`].
    pub async fn record_sign_in_attempt(
        &mut self,
        key: &str,
        succeeded: bool,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        record_attempt(self.conn(), key, now, succeeded).await
    }

    /// Turns attempts recorded as failures (before the password was checked) into successes.
    pub async fn mark_sign_in_succeeded(&mut self, ids: &[i64]) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE sign_in_attempts SET succeeded = TRUE WHERE id = $1";
        for &id in ids {
            on!(self.conn(), c => {
                sqlx::query(SQL).bind(id).execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Failed attempts under `key` at or after `since`; with `since_last_success`, only those
    /// after the key's latest successful attempt.
    pub async fn sign_in_failures(
        &mut self,
        key: &str,
        since: DateTime<Utc>,
        since_last_success: bool,
    ) -> Result<SignInFailures, StoreError> {
        failed_attempts(self.conn(), key, since, since_last_success).await
    }

    /// Deletes the failed attempts whose key starts with `prefix` (an administrator lifting a
    /// lock). Returns how many.
    pub async fn clear_sign_in_failures(&mut self, prefix: &str) -> Result<u64, StoreError> {
        // `substr` rather than LIKE: keys are base64, whose `_` LIKE would take as a wildcard.
        const SQL: &str = "DELETE FROM sign_in_attempts \
                           WHERE succeeded = FALSE AND substr(key, 1, $2) = $1";
        let length = i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX);
        let deleted = on!(self.conn(), c => sqlx::query(SQL)
            .bind(prefix)
            .bind(length)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(deleted)
    }

    /// Deletes sessions that expired or were revoked before `before`. Returns how many.
    pub async fn purge_sessions(&mut self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM sessions WHERE expires_at < $1 \
                           OR (revoked = TRUE AND last_seen_at < $1)";
        let deleted = on!(self.conn(), c => sqlx::query(SQL)
            .bind(before)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(deleted)
    }

    /// Deletes sign-in attempts older than `before`. Returns how many.
    pub async fn purge_sign_in_attempts(
        &mut self,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM sign_in_attempts WHERE at < $1";
        let deleted = on!(self.conn(), c => sqlx::query(SQL)
            .bind(before)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(deleted)
    }

    /// Links a user to a case (an advice recipient, a parent), for permissions.
    pub async fn link_person(
        &mut self,
        case_id: CaseId,
        user_id: UserId,
        relation: CaseRelation,
    ) -> Result<(), StoreError> {
        link_person(self.conn(), case_id, user_id, relation).await
    }

    /// How a case relates to people, for `tandem_core::can`: services asked for advice count
    /// while their request is open or closed on or after `closed_since` (see
    /// [`AdviceWindow`](tandem_core::access::AdviceWindow)).
    pub async fn case_access(
        &mut self,
        case_id: CaseId,
        closed_since: Date,
    ) -> Result<CaseAccess, StoreError> {
        case_access(self.conn(), case_id, closed_since).await
    }
}

impl Store {
    /// Reads an account by id; `None` if there is none.
    pub async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        let mut held = self.acquire().await?;
        user_where(held.conn(), None, Some(id)).await
    }

    /// Reads an account by email address (compared without regard to case or surrounding spaces);
    /// `None` if there is none.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let mut held = self.acquire().await?;
        user_where(held.conn(), Some(email), None).await
    }

    /// Every account, in id order, disabled ones included.
    pub async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let mut held = self.acquire().await?;
        users(held.conn()).await
    }

    /// The enabled case managers and team managers, by name: who a case can be given to.
    pub async fn staff(&self) -> Result<Vec<StaffMember>, StoreError> {
        let mut held = self.acquire().await?;
        staff(held.conn()).await
    }

    /// The live session for a token hash, with its (enabled) user; see [`Tx::create_session`].
    pub async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        idle: Duration,
    ) -> Result<Option<(SessionRecord, UserRecord)>, StoreError> {
        let mut held = self.acquire().await?;
        live_session(held.conn(), token_hash, now, idle).await
    }

    /// Marks a session as seen now (keeps it from idling out). A single-statement write.
    pub async fn touch_session(&self, id: SessionId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut held = self.acquire().await?;
        touch_session(held.conn(), id, now).await
    }

    /// How a case relates to people, as [`Tx::case_access`] reads it;
    /// [`StoreError::CaseIdNotFound`] if there is no such case.
    pub async fn case_access(
        &self,
        case_id: CaseId,
        closed_since: Date,
    ) -> Result<CaseAccess, StoreError> {
        let mut held = self.acquire().await?;
        case_access(held.conn(), case_id, closed_since).await
    }
}
