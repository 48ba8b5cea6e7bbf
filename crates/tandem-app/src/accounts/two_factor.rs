//! Two-factor sign-in with TOTP (RFC 6238: six digits, 30-second steps, HMAC-SHA-1, as every
//! authenticator app reads them) and single-use recovery codes, for external accounts.
//!
//! A right password for an account that signs in with two factors starts no session: it starts
//! a *pending sign-in*, a random token (kept by the browser; the store keeps its digest) that
//! lasts [`PENDING_SIGN_IN_LASTS`] and can do nothing but finish the sign-in with a code. An
//! external account that must use two factors but has not set them up is sent to set them up
//! first, with a new secret kept as "being set up" until a code from it is confirmed.
//!
//! Codes are checked one step either side of now (clocks drift), a code is accepted only for a
//! time step later than the last one accepted (so a code seen over someone's shoulder cannot be
//! used again), and every code tried counts in the [`SignInLimit`] like a password.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use tandem_store::{AuditEntry, PendingSignIn, Tx};
use totp_rs::{Builder, Secret, Totp};

use super::{
    AccountError, AttemptKeys, SessionPolicy, SessionToken, SignInLimit, SignedIn, UserRecord,
    count_attempt, digest,
};
use crate::services::FieldError;
use tandem_core::{Actor, UserId};
use tandem_store::Store;

/// How many recovery codes an account gets when it sets two-factor sign-in up.
pub const RECOVERY_CODES: usize = 10;
/// How long a right password waits for its code (or for set-up) before the person must sign in
/// again.
pub const PENDING_SIGN_IN_LASTS: Duration = Duration::minutes(15);
/// The name authenticator apps show beside the account.
const ISSUER: &str = "Tandem";
/// 160 random bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// Whether external accounts (professionals, settings, parents) must sign in with two factors
/// (`TANDEM_EXTERNAL_2FA`). Staff accounts never have to; an account that set two-factor
/// sign-in up is always asked for a code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExternalTwoFactor {
    /// External accounts set two-factor sign-in up before their first session (the default).
    #[default]
    Required,
    /// External accounts sign in with a password alone, unless they set two factors up (for a
    /// demonstration or a test).
    Optional,
}

impl ExternalTwoFactor {
    /// `required` or `optional` (any case, spaces around ignored).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "required" => Some(Self::Required),
            "optional" => Some(Self::Optional),
            _ => None,
        }
    }

    /// The setting's value as written in the environment.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Optional => "optional",
        }
    }
}

/// Where a right password (or an accepted invitation) leads.
#[derive(Debug)]
pub enum SignInStep {
    /// A session: the person is signed in.
    SignedIn(SignedIn),
    /// No session yet: a code is needed, or two-factor sign-in must be set up first.
    TwoFactor(HalfSignedIn),
}

/// A pending sign-in as the browser holds it: its token (never stored, never logged) and
/// whether the next step is setting two-factor sign-in up rather than giving a code.
#[derive(Debug)]
pub struct HalfSignedIn {
    /// The pending sign-in's token, for the browser's pre-sign-in cookie.
    pub token: SessionToken,
    /// Two-factor sign-in must be set up before a session.
    pub enrol: bool,
}

impl HalfSignedIn {
    /// What comes next, for the audit log: `enrol` or `code`.
    pub fn next_step(&self) -> &'static str {
        if self.enrol { "enrol" } else { "code" }
    }
}

/// What a person needs to set two-factor sign-in up: the secret as base32 text (to type in) and
/// as an `otpauth://` URI (to open or scan). Shown only while setting up; never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct TwoFactorSetup {
    /// The secret, base32 without padding.
    pub secret: String,
    /// The `otpauth://totp/…` URI authenticator apps read.
    pub uri: String,
}

impl std::fmt::Debug for TwoFactorSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TwoFactorSetup(..)")
    }
}

/// What a person gives to finish a pending sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor<'a> {
    /// The 6-digit code from the authenticator app (spaces allowed).
    Code(&'a str),
    /// One of the recovery codes given at set-up (hyphens, spaces and case ignored).
    RecoveryCode(&'a str),
}

impl SecondFactor<'_> {
    fn kind(self) -> &'static str {
        match self {
            Self::Code(_) => "code",
            Self::RecoveryCode(_) => "recovery_code",
        }
    }
}

/// A finished sign-in: the session, and the recovery codes when it also finished setting
/// two-factor sign-in up (to be shown once, then forgotten: only their digests are kept).
#[derive(Debug)]
pub struct TwoFactorSignedIn {
    /// The new session.
    pub signed_in: SignedIn,
    /// The new recovery codes, if two-factor sign-in was just set up; otherwise empty.
    pub recovery_codes: Vec<String>,
}

fn pending_digest(token: &str) -> String {
    digest("tandem pending sign-in", token)
}

fn recovery_digest(user_id: i64, code: &str) -> String {
    let normalised: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    digest("tandem recovery code", &format!("{user_id}:{normalised}"))
}

fn crypto(error: impl std::fmt::Display) -> AccountError {
    AccountError::Crypto(error.to_string())
}

/// The TOTP for a base32 secret; `account` names it in the URI (a colon is not allowed there).
fn totp(secret: &str, account: &str) -> Result<Totp, AccountError> {
    let secret = Secret::try_from_base32(secret).map_err(crypto)?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', "_"))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(crypto)
}

/// A new random secret, base32.
fn new_secret() -> Result<String, AccountError> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(crypto)?;
    Ok(Secret::from(bytes).to_base32())
}

/// New recovery codes: 48 random bits each, as `xxxx-xxxx-xxxx` in lower-case hexadecimal.
fn new_recovery_codes() -> Result<Vec<String>, AccountError> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 6];
            getrandom::fill(&mut bytes).map_err(crypto)?;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            Ok(format!("{}-{}-{}", &hex[0..4], &hex[4..8], &hex[8..12]))
        })
        .collect()
}

/// The time step a code from `secret` matches at `now`, one step either side allowed.
fn matching_step(
    secret: &str,
    account: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AccountError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let Ok(time) = u64::try_from(now.timestamp()) else {
        return Ok(None);
    };
    Ok(totp(secret, account)?
        .check(&code, time)
        .and_then(|step| i64::try_from(step).ok()))
}

/// After a right password: `None` if the account needs no second factor; otherwise a new pending
/// sign-in (and, if two-factor sign-in must be set up, a secret being set up, kept from an
/// earlier try so that an app already given it still works).
pub(super) async fn second_step(
    tx: &mut Tx,
    user: &UserRecord,
    policy: ExternalTwoFactor,
) -> Result<Option<HalfSignedIn>, AccountError> {
    let record = tx.two_factor(user.id).await?;
    let enrolled = record.as_ref().is_some_and(|r| r.enrolled());
    let enrol = !enrolled && user.role.is_external() && policy == ExternalTwoFactor::Required;
    if !enrolled && !enrol {
        return Ok(None);
    }
    let pending_secret = record.and_then(|r| r.pending_secret);
    pending(tx, user.id, enrol, pending_secret.is_some())
        .await
        .map(Some)
}

/// A new pending sign-in for `user_id`; one that must set two-factor sign-in up gets a secret
/// to set up unless it `has_secret` from an earlier try.
async fn pending(
    tx: &mut Tx,
    user_id: UserId,
    enrol: bool,
    has_secret: bool,
) -> Result<HalfSignedIn, AccountError> {
    if enrol && !has_secret {
        tx.set_pending_two_factor_secret(user_id, &new_secret()?)
            .await?;
    }
    let token = SessionToken::generate()?;
    let expires_at = tx.now() + PENDING_SIGN_IN_LASTS;
    tx.create_pending_sign_in(
        &pending_digest(token.as_str()),
        PendingSignIn { user_id, enrol },
        expires_at,
    )
    .await?;
    Ok(HalfSignedIn { token, enrol })
}

/// Whether the account has two-factor sign-in set up (a confirmed secret).
pub async fn has_two_factor(store: &Store, user_id: UserId) -> Result<bool, AccountError> {
    Ok(store
        .two_factor(user_id)
        .await?
        .is_some_and(|r| r.enrolled()))
}

/// Starts setting two-factor sign-in up for someone signed in who has not (staff, or anyone
/// where it is optional), from their own account page. The session with `session_token` ends
/// and a pending sign-in that must set it up takes its place, so that the sign-in's own set-up
/// pages do the rest and a session begins again only with a confirmed code. Refused with
/// [`AccountError::Invalid`] if it is set up already; an ended or unknown session with
/// [`AccountError::SignInExpired`].
pub async fn start_set_up(
    store: &Store,
    user_id: UserId,
    session_token: &SessionToken,
    now: DateTime<Utc>,
) -> Result<HalfSignedIn, AccountError> {
    let mut tx = store.begin_at(now).await?;
    let record = tx.two_factor(user_id).await?;
    if record.as_ref().is_some_and(|r| r.enrolled()) {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "two_factor",
            "Two-factor sign-in is already set up for your account",
        )]));
    }
    if tx.revoke_session(&session_token.hash()).await? == 0 {
        return Err(AccountError::SignInExpired);
    }
    let has_secret = record.and_then(|r| r.pending_secret).is_some();
    let half = pending(&mut tx, user_id, true, has_secret).await?;
    tx.audit(
        &AuditEntry::new(Some(user_id), "account.two_factor_set_up_started")
            .detail(json!({ "user_id": user_id })),
    )
    .await?;
    tx.commit().await?;
    Ok(half)
}

/// Resets an account's two-factor sign-in (an administrator's action, for a lost phone with its
/// recovery codes): the secret, recovery codes and pending sign-ins are forgotten and every
/// session ends. At the next sign-in an external account that must use two factors sets them up
/// again; anyone else signs in with their password and may set them up again.
pub async fn reset_two_factor(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    super::require_account_manager(actor)?;
    let mut tx = store.begin_at(now).await?;
    tx.user(user_id).await?.ok_or(AccountError::UserNotFound)?;
    let was_set_up = tx.reset_two_factor(user_id).await?;
    let sessions = tx.revoke_user_sessions(user_id).await?;
    tx.audit(
        &AuditEntry::new(Some(actor.id), "account.two_factor_reset").detail(json!({
            "user_id": user_id,
            "was_set_up": was_set_up,
            "sessions": sessions,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The pending sign-in behind a browser's token, if it has not expired.
pub async fn pending_sign_in(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<PendingSignIn>, AccountError> {
    Ok(store.pending_sign_in(&pending_digest(token), now).await?)
}

/// The secret to set up, for a pending sign-in that must set two-factor sign-in up;
/// [`AccountError::SignInExpired`] for any other token.
pub async fn two_factor_setup(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<TwoFactorSetup, AccountError> {
    let pending = pending_sign_in(store, token, now)
        .await?
        .filter(|p| p.enrol)
        .ok_or(AccountError::SignInExpired)?;
    let user = store
        .user(pending.user_id)
        .await?
        .ok_or(AccountError::SignInExpired)?;
    let secret = store
        .two_factor(user.id)
        .await?
        .and_then(|r| r.pending_secret)
        .ok_or(AccountError::SignInExpired)?;
    let uri = totp(&secret, &user.email)?.to_url().map_err(crypto)?;
    Ok(TwoFactorSetup { secret, uri })
}

/// Finishes a pending sign-in with a code (or a recovery code) from the client address
/// `client`: for a set-up, the code must come from the secret being set up, which it confirms,
/// and new recovery codes are made; otherwise the code must come from the account's secret, for a
/// time step after the last accepted, or be an unused recovery code, which is then used up.
///
/// Every try counts in the [`SignInLimit`] as a password does. A wrong code saves nothing but the
/// failed attempt and its audit entry: no session, no set-up, no recovery code used.
pub async fn complete_sign_in(
    store: &Store,
    token: &str,
    factor: SecondFactor<'_>,
    client: &str,
    policy: SessionPolicy,
    limit: SignInLimit,
    now: DateTime<Utc>,
) -> Result<TwoFactorSignedIn, AccountError> {
    let token_hash = pending_digest(token);
    let mut tx = store.begin_at(now).await?;
    let Some(pending) = tx.pending_sign_in(&token_hash).await? else {
        return Err(AccountError::SignInExpired);
    };
    let Some(user) = tx.user(pending.user_id).await?.filter(|u| !u.disabled) else {
        return Err(AccountError::SignInExpired);
    };
    let keys = AttemptKeys::new(&user.email, client);
    let (mut tx, attempts) = count_attempt(tx, &keys, Some(user.id), limit, now).await?;
    let record = tx.two_factor(user.id).await?;
    let accepted = match (factor, pending.enrol) {
        (SecondFactor::Code(code), true) => {
            let secret = record.as_ref().and_then(|r| r.pending_secret.as_deref());
            match secret.map(|s| matching_step(s, &user.email, code, now)) {
                Some(Ok(Some(step))) => tx.confirm_two_factor(user.id, step).await?,
                Some(Err(e)) => return Err(e),
                _ => false,
            }
        }
        (SecondFactor::Code(code), false) => {
            let secret = record.as_ref().and_then(|r| r.secret.as_deref());
            match secret.map(|s| matching_step(s, &user.email, code, now)) {
                Some(Ok(Some(step))) => tx.accept_two_factor_step(user.id, step).await?,
                Some(Err(e)) => return Err(e),
                _ => false,
            }
        }
        (SecondFactor::RecoveryCode(code), false) => {
            tx.use_recovery_code(user.id, &recovery_digest(user.id, code))
                .await?
        }
        // Setting up is finished with a code from the new secret only.
        (SecondFactor::RecoveryCode(_), true) => false,
    };
    if !accepted {
        // Nothing was changed: the failed attempt and this entry are all that is saved.
        tx.audit(
            &AuditEntry::new(None, "session.two_factor_failed")
                .detail(json!({ "user_id": user.id, "factor": factor.kind() })),
        )
        .await?;
        tx.commit().await?;
        return Err(AccountError::WrongCode);
    }
    let mut recovery_codes = Vec::new();
    if pending.enrol {
        recovery_codes = new_recovery_codes()?;
        let hashes: Vec<String> = recovery_codes
            .iter()
            .map(|c| recovery_digest(user.id, c))
            .collect();
        tx.replace_recovery_codes(user.id, &hashes).await?;
    }
    tx.mark_sign_in_succeeded(&attempts).await?;
    tx.end_pending_sign_in(&token_hash).await?;
    let session_token = SessionToken::generate()?;
    let expires_at = tx.now() + policy.absolute;
    let session_id = tx
        .create_session(&session_token.hash(), user.id, expires_at)
        .await?;
    if pending.enrol {
        tx.audit(
            &AuditEntry::new(Some(user.id), "account.two_factor_enrolled")
                .detail(json!({ "user_id": user.id, "recovery_codes": RECOVERY_CODES })),
        )
        .await?;
    }
    if let SecondFactor::RecoveryCode(_) = factor {
        let remaining = tx.unused_recovery_codes(user.id).await?;
        tx.audit(
            &AuditEntry::new(Some(user.id), "account.recovery_code_used")
                .detail(json!({ "user_id": user.id, "remaining": remaining })),
        )
        .await?;
    }
    tx.audit(
        &AuditEntry::new(Some(user.id), "session.sign_in").detail(json!({
            "user_id": user.id,
            "session_id": session_id,
            "second_factor": factor.kind(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(TwoFactorSignedIn {
        signed_in: SignedIn {
            token: session_token,
            session_id,
            user,
        },
        recovery_codes,
    })
}
