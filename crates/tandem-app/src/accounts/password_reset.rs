//! Password reset by email (issue 13 item 7): someone who has forgotten their password asks for
//! a link on the sign-in page and sets a new password through it.
//!
//! A reset link is an invitation to set the password again: the same table, a random 256-bit
//! token of which only a digest (under its own purpose label) is kept, one use, but for one hour
//! and marked as a reset, so that it never enables a disabled account. Asking says the same
//! thing whether or not the address has an account, and at most [`MAX_RESETS_PER_HOUR`] links
//! go to one account in an hour, so the form cannot be used to find out who has an account or
//! to flood someone's inbox. Setting the new password ends every session of the account and
//! forgets its failed sign-ins; the person then signs in as usual, with their second factor if
//! they have one.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use tandem_core::notifications::{self, NotificationKind};
use tandem_store::{AuditEntry, LinkPurpose, Store};

use super::{
    AccountError, INVITED, SessionToken, account_key, check_password, digest, hash_password,
    off_thread,
};

/// How long a reset link works, in minutes: long enough to read the email, short enough that
/// an old email left in an inbox opens nothing.
pub const RESET_LINK_MINUTES: i64 = 60;
/// At most this many reset links go to one account in an hour; further asks send nothing.
pub const MAX_RESETS_PER_HOUR: i64 = 3;

/// The digest a reset token is stored as.
fn reset_digest(token: &str) -> String {
    digest("tandem password reset", token)
}

/// Emails a reset link to the account with this address, if there is an enabled account that
/// has joined and it has not had [`MAX_RESETS_PER_HOUR`] links in the last hour. Says nothing
/// of which: the caller shows the same page every time. The audit entry names the account by
/// id when there is one, never the address typed.
pub async fn request_password_reset(
    store: &Store,
    email: &str,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let user = store
        .user_by_email(email)
        .await?
        .filter(|u| !u.disabled && u.password_hash != INVITED);
    let mut tx = store.begin_at(now).await?;
    let Some(user) = user else {
        tx.audit(
            &AuditEntry::new(None, "account.password_reset_requested")
                .detail(json!({ "sent": false })),
        )
        .await?;
        tx.commit().await?;
        return Ok(());
    };
    let recent = tx
        .resets_sent_since(user.id, now - Duration::hours(1))
        .await?;
    let sent = recent < MAX_RESETS_PER_HOUR;
    if sent {
        let token = SessionToken::generate()?;
        let token_hash = reset_digest(token.as_str());
        tx.create_invitation(
            user.id,
            &token_hash,
            user.id,
            now + Duration::minutes(RESET_LINK_MINUTES),
            LinkPurpose::Reset,
        )
        .await?;
        let message = notifications::password_reset(public_url, token.as_str(), RESET_LINK_MINUTES);
        tx.queue_email(
            NotificationKind::PasswordReset,
            user.id,
            &user.email,
            &format!("password_reset:{token_hash}"),
            &message,
        )
        .await?;
    }
    tx.audit(
        &AuditEntry::new(None, "account.password_reset_requested")
            .detail(json!({ "user_id": user.id, "sent": sent })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the reset link with this token still works (unused, unexpired).
pub async fn password_reset_open(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<bool, AccountError> {
    Ok(store
        .invitation_open(&reset_digest(token), LinkPurpose::Reset, now)
        .await?)
}

/// Sets a new password through a reset link, in one transaction: the link is used up (with any
/// other open link of the account), the password set, every session of the account ended and
/// its failed sign-ins forgotten. A link that is unknown, expired or used, or whose account was
/// disabled since, is refused with [`AccountError::InvitationClosed`] and nothing is changed but
/// the link's use and the audit entry.
pub async fn reset_password(
    store: &Store,
    token: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    if let Some(problem) = check_password(password) {
        return Err(AccountError::Invalid(vec![problem]));
    }
    let password = password.to_owned();
    let password_hash = off_thread(move || hash_password(&password)).await??;
    let mut tx = store.begin_at(now).await?;
    let used = tx
        .use_invitation(&reset_digest(token), LinkPurpose::Reset)
        .await?;
    let user = match used {
        Some(user_id) => tx.user(user_id).await?.filter(|u| !u.disabled),
        None => None,
    };
    let Some(user) = user else {
        tx.audit(
            &AuditEntry::new(None, "account.password_reset_refused")
                .detail(json!({ "user_id": used })),
        )
        .await?;
        tx.commit().await?;
        return Err(AccountError::InvitationClosed);
    };
    tx.set_password_hash(user.id, &password_hash).await?;
    tx.end_open_invitations(user.id).await?;
    let sessions = tx.revoke_user_sessions(user.id).await?;
    let failures = tx
        .clear_sign_in_failures(&format!("{}:", account_key(&user.email)))
        .await?;
    tx.audit(
        &AuditEntry::new(Some(user.id), "account.password_reset").detail(json!({
            "user_id": user.id,
            "sessions_ended": sessions,
            "failures_forgotten": failures,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
