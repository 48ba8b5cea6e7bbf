//! Signing staff in with the council's own identity provider (OpenID Connect). The web crate
//! speaks the protocol and checks the ID token; this module decides, from the verified email
//! address and the role the person's groups give, whether a Tandem account may be signed in to,
//! and starts its session exactly as a password sign-in does.

use chrono::{DateTime, Utc};
use serde_json::json;
use tandem_core::{Role, UserId};
use tandem_store::{AuditEntry, Store, Tx};

use super::{AccountError, SessionPolicy, SessionToken, SignedIn};

/// What the person's groups, as the identity provider sent them, say about their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderRole {
    /// No group mapping is configured: the account keeps the role it has in Tandem.
    Unmapped,
    /// The first mapped group the person is in gives this role; the account takes it.
    Mapped(Role),
    /// A group mapping is configured and the person is in none of its groups.
    NoGroup,
}

/// Why a person the identity provider vouched for may not sign in to Tandem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderRefusal {
    /// No account has the address, or its account is disabled (or still waiting for its
    /// invitation to be accepted).
    NoAccount,
    /// The account is a professional's, a setting's or a family's: they sign in with a
    /// password and their own second factor, never through the council's provider.
    External,
    /// A group mapping is configured and none of the person's groups is in it.
    NoGroup,
}

impl ProviderRefusal {
    /// The reason as the audit log records it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoAccount => "no_account",
            Self::External => "external_account",
            Self::NoGroup => "no_group",
        }
    }
}

/// Records a single sign-on that was refused before any account was chosen (a wrong `state`,
/// an ID token that failed its checks, an address the provider has not verified…) as
/// `session.sign_in_refused` with `reason`: no address, no token, nothing about the person.
pub async fn refuse_single_sign_on(
    store: &Store,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let mut tx = store.begin_at(now).await?;
    audit_refusal(&mut tx, None, reason).await?;
    tx.commit().await?;
    Ok(())
}

async fn audit_refusal(
    tx: &mut Tx,
    user_id: Option<UserId>,
    reason: &str,
) -> Result<(), AccountError> {
    tx.audit(
        &AuditEntry::new(None, "session.sign_in_refused").detail(json!({
            "user_id": user_id,
            "method": "single_sign_on",
            "reason": reason,
        })),
    )
    .await?;
    Ok(())
}

/// Signs in the enabled staff account whose address is `email` (compared without regard to
/// case), which the identity provider has verified, starting a new session as a password
/// sign-in does. With a group mapping, the account takes the role the groups give (audited as
/// `account.role` when it changes). No second factor is asked: the council's provider applies
/// its own (docs/web.md, "Single sign-on").
///
/// A refusal is audited and returned as `Ok(Err(..))`, so that the page can say which.
pub async fn sign_in_with_provider(
    store: &Store,
    email: &str,
    role: ProviderRole,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Result<SignedIn, ProviderRefusal>, AccountError> {
    let mut tx = store.begin_at(now).await?;
    let user = tx.user_by_email(email).await?;
    let refusal = match (&user, role) {
        (None, _) => Some(ProviderRefusal::NoAccount),
        (Some(user), _) if user.disabled => Some(ProviderRefusal::NoAccount),
        (Some(user), _) if user.role.is_external() => Some(ProviderRefusal::External),
        (Some(_), ProviderRole::Mapped(mapped)) if mapped.is_external() => {
            Some(ProviderRefusal::External)
        }
        (Some(_), ProviderRole::NoGroup) => Some(ProviderRefusal::NoGroup),
        _ => None,
    };
    let (Some(mut user), None) = (user.clone(), refusal) else {
        let refusal = refusal.unwrap_or(ProviderRefusal::NoAccount);
        audit_refusal(&mut tx, user.map(|u| u.id), refusal.as_str()).await?;
        tx.commit().await?;
        return Ok(Err(refusal));
    };
    if let ProviderRole::Mapped(mapped) = role
        && mapped != user.role
    {
        tx.set_user_role(user.id, mapped, user.team.as_deref())
            .await?;
        tx.audit(&AuditEntry::new(None, "account.role").detail(json!({
            "user_id": user.id,
            "role": mapped.as_str(),
            "previous_role": user.role.as_str(),
            "source": "single_sign_on",
        })))
        .await?;
        user.role = mapped;
    }
    let token = SessionToken::generate()?;
    let session_id = tx
        .create_session(&token.hash(), user.id, tx.now() + policy.absolute)
        .await?;
    tx.audit(
        &AuditEntry::new(Some(user.id), "session.sign_in").detail(json!({
            "user_id": user.id,
            "session_id": session_id,
            "method": "single_sign_on",
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(SignedIn {
        token,
        session_id,
        user,
    }))
}
