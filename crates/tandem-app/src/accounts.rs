//! Accounts and sessions: the use-cases behind signing in and out and the account pages, shared
//! by the web application and the command line.
//!
//! Passwords are hashed with argon2id on a blocking thread, before any transaction starts: a
//! SQLite write transaction holds the database's write lock, and hashing takes tens of
//! milliseconds. A session is a random 256-bit token that only the browser keeps; the store keeps
//! its SHA-256 hash, so a copy of the database opens no sessions. Every change writes an audit
//! entry in its own transaction, naming users by id only.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use tandem_core::access::provider_key;
use tandem_core::dates::england_date;
use tandem_core::notifications::{self, NotificationKind};
use tandem_core::{Action, Actor, Reference, Resource, Role, UserId, can};
use tandem_store::{
    AuditEntry, CaseRelation, LinkPurpose, NewUser, Reassignment, SessionId, SignInFailures, Store,
    StoreError, normalise_email,
};

use crate::services::FieldError;

mod password_reset;
pub use password_reset::{
    MAX_RESETS_PER_HOUR, RESET_LINK_MINUTES, password_reset_open, request_password_reset,
    reset_password,
};
mod single_sign_on;
pub use single_sign_on::{
    ProviderRefusal, ProviderRole, refuse_single_sign_on, sign_in_with_provider,
};
mod teams;
pub use teams::{add_team, remove_team, teams};
mod two_factor;
pub use two_factor::{
    ExternalTwoFactor, HalfSignedIn, PENDING_SIGN_IN_LASTS, RECOVERY_CODES, SecondFactor,
    SignInStep, TwoFactorSetup, TwoFactorSignedIn, complete_sign_in, has_two_factor,
    pending_sign_in, reset_two_factor, start_set_up, two_factor_setup,
};

/// The account records the account services give, re-exported for front ends.
pub use tandem_store::{SessionRecord, TeamRecord, UserRecord};

/// Shortest password accepted for a new account (NCSC guidance favours length over rules).
pub const MIN_PASSWORD_LENGTH: usize = 12;
/// Longest password accepted: bounds the work one sign-in can ask of the server.
pub const MAX_PASSWORD_LENGTH: usize = 256;
const MAX_EMAIL_LENGTH: usize = 254;
const MAX_NAME_LENGTH: usize = 100;
/// Longest team name.
pub const MAX_TEAM_LENGTH: usize = 64;
const MAX_PROVIDER_LENGTH: usize = 120;
/// A session's last-seen time is written at most this often, so that browsing is not a stream
/// of writes; idle expiry is therefore accurate to this interval.
pub const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// How long sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session not used for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            absolute: Duration::hours(10),
        }
    }
}

/// How failed sign-ins are throttled. Failures are counted per account *and* client address
/// together, so that a stranger guessing at an address locks out only their own attempts, and
/// per client address across accounts, so that one client cannot spray guesses over many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimit {
    /// Failures for one account from one client address, since its last success, at which
    /// further attempts wait (5 by default).
    pub max_failures: i64,
    /// How long the first wait lasts from the latest failure (15 minutes by default); every
    /// further `max_failures` failures double it, up to [`RETENTION`].
    pub window: Duration,
    /// Failures from one client address, for any accounts, within `window`, at which the address
    /// is refused until the window has passed (50 by default: a school or a council office may
    /// sign many people in from one address).
    pub max_client_failures: i64,
}

impl Default for SignInLimit {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::minutes(15),
            max_client_failures: 50,
        }
    }
}

impl SignInLimit {
    /// Until when failures lock an account for a client: `None` while there are fewer than
    /// `max_failures`; then the window from the latest failure, doubled for every further
    /// `max_failures`, and never longer than [`RETENTION`].
    pub fn locked_until(&self, failures: SignInFailures) -> Option<DateTime<Utc>> {
        let last = failures.last_at?;
        if self.max_failures < 1 || failures.count < self.max_failures {
            return None;
        }
        let doublings = u32::try_from((failures.count - self.max_failures) / self.max_failures)
            .unwrap_or(u32::MAX)
            .min(16);
        let wait = self
            .window
            .checked_mul(1_i32 << doublings)
            .map_or(RETENTION, |wait| wait.min(RETENTION));
        Some(last + wait)
    }
}

/// Why an account or session use-case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The caller is not allowed to manage accounts (or to sign out someone else).
    #[error("you do not have permission to manage accounts")]
    Forbidden,
    /// The account's details need putting right: one entry per field at fault.
    #[error("the details given are not valid")]
    Invalid(Vec<FieldError>),
    /// Unknown email, wrong password or disabled account: deliberately indistinguishable.
    #[error("email address or password not recognised")]
    BadCredentials,
    /// The account (from this client) or the client has reached its [`SignInLimit`]; the
    /// password was not checked.
    #[error("too many failed sign-in attempts")]
    RateLimited {
        /// When to try again.
        until: DateTime<Utc>,
    },
    /// No account has the id given.
    #[error("no such account")]
    UserNotFound,
    /// Administrators may not disable or demote themselves, so a service always keeps one.
    #[error("you cannot change your own account's role or disable it")]
    OwnAccount,
    /// The invitation link is unknown, expired or used already: deliberately indistinguishable.
    #[error("the invitation has expired or has already been used")]
    InvitationClosed,
    /// The two-factor code or recovery code is wrong, expired or used already: deliberately
    /// indistinguishable.
    #[error("the code is not right or has expired")]
    WrongCode,
    /// The half-finished sign-in waiting for a code is unknown or has expired: sign in again.
    #[error("the sign-in has expired")]
    SignInExpired,
    /// Hashing failed or the operating system gave no random bytes.
    #[error("password hashing or randomness: {0}")]
    Crypto(String),
    /// The store failed (any store error not turned into one of the variants above).
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::DuplicateEmail => Self::Invalid(vec![FieldError::new(
                "email",
                "An account with that email address already exists",
            )]),
            StoreError::UserNotFound { .. } => Self::UserNotFound,
            other => Self::Store(other),
        }
    }
}

/// An account to create, as typed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The address the person signs in with; checked for form, trimmed and lower-cased.
    pub email: String,
    /// The person's name as shown on pages, up to 100 characters once trimmed.
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// The team a case manager works in; blank means none.
    pub team: Option<String>,
    /// The service a professional or setting belongs to (`--provider`): advice requests whose
    /// provider is this service are addressed to them. Blank means none; other roles have none.
    pub provider: Option<String>,
    /// The password in plain text, 12 to 256 characters; only its argon2id hash is kept.
    pub password: String,
}

/// A session token as the browser holds it. Never stored, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// 256 random bits from the operating system, URL-safe base64.
    pub fn generate() -> Result<Self, AccountError> {
        random_text::<32>().map(Self)
    }

    /// Wraps a token read back from a cookie.
    pub fn from_cookie(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The token itself, for the session cookie (and nothing that is stored or logged).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the store keeps instead of the token.
    pub fn hash(&self) -> String {
        digest("tandem session", &self.0)
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

/// A random password for an account made without one (`tandem user add` without a password,
/// demo accounts): 120 random bits as 20 URL-safe characters.
pub fn generate_password() -> Result<String, AccountError> {
    random_text::<15>()
}

/// `N` random bytes from the operating system as URL-safe base64.
fn random_text<const N: usize>() -> Result<String, AccountError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| AccountError::Crypto(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of `value` under a purpose label, URL-safe base64. The label keeps digests made for
/// different purposes from ever matching each other.
pub fn digest(purpose: &str, value: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(purpose.as_bytes());
    hasher.update([0]);
    hasher.update(value.as_bytes());
    URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// Hashes a password with argon2id (OWASP's recommended parameters, a random salt) into a PHC
/// string. Slow on purpose: call it off the async runtime, as [`create_account`] does.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AccountError::Crypto(e.to_string()))
}

/// Whether `password` matches a PHC string from [`hash_password`]. A malformed hash matches
/// nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AccountError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AccountError::Crypto(e.to_string()))
}

/// A hash no password matches in practice, verified against for unknown email addresses so that
/// they take as long to refuse as a wrong password.
async fn dummy_hash() -> Result<&'static str, AccountError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let hash = off_thread(|| hash_password(SessionToken::generate()?.as_str())).await??;
    Ok(DUMMY.get_or_init(|| hash))
}

/// Why a new password is refused, if it is.
fn check_password(password: &str) -> Option<FieldError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        Some(FieldError::new(
            "password",
            format!("Password must be {MIN_PASSWORD_LENGTH} characters or more"),
        ))
    } else if length > MAX_PASSWORD_LENGTH {
        Some(FieldError::new(
            "password",
            format!("Password must be {MAX_PASSWORD_LENGTH} characters or fewer"),
        ))
    } else {
        None
    }
}

/// Checks a new account's fields (the password too, `with_password`), returning them tidied
/// (email lower-cased, team blank → none).
fn validate(account: NewAccount, with_password: bool) -> Result<NewAccount, AccountError> {
    let email = normalise_email(&account.email);
    let name = account.name.trim().to_owned();
    let team = account
        .team
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(FieldError::new("email", "Enter an email address"));
    } else if !is_email_like(&email) || email.len() > MAX_EMAIL_LENGTH {
        errors.push(FieldError::new(
            "email",
            "Enter an email address in the correct format, like name@example.org",
        ));
    }
    if name.is_empty() {
        errors.push(FieldError::new("name", "Enter the person’s name"));
    } else if let Err(problem) = tandem_core::input::check_text(&name, MAX_NAME_LENGTH, false) {
        errors.push(FieldError::new("name", problem.message("Name")));
    }
    let provider = account
        .provider
        .as_deref()
        .map(provider_key)
        .filter(|p| !p.is_empty());
    if provider.is_some() && !account.role.gives_advice() {
        errors.push(FieldError::new(
            "provider",
            "Only a health or social care professional or an education setting can belong to a service",
        ));
    } else if provider
        .as_ref()
        .is_some_and(|p| p.chars().count() > MAX_PROVIDER_LENGTH)
    {
        errors.push(FieldError::new(
            "provider",
            format!("Service must be {MAX_PROVIDER_LENGTH} characters or fewer"),
        ));
    }
    if team
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_TEAM_LENGTH)
    {
        errors.push(FieldError::new(
            "team",
            format!("Team must be {MAX_TEAM_LENGTH} characters or fewer"),
        ));
    }
    if with_password {
        errors.extend(check_password(&account.password));
    }
    if !errors.is_empty() {
        return Err(AccountError::Invalid(errors));
    }
    Ok(NewAccount {
        email,
        name,
        team,
        provider,
        ..account
    })
}

/// One `@` with something on each side and no spaces: deliverability is for the mail server.
fn is_email_like(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn require_account_manager(actor: &Actor) -> Result<(), AccountError> {
    if can(actor, Action::ManageAccounts, Resource::Service) {
        Ok(())
    } else {
        Err(AccountError::Forbidden)
    }
}

/// Creates an account. `by` is the administrator doing it, or `None` for the command line, whose
/// operator already holds the database.
pub async fn create_account(
    store: &Store,
    by: Option<&Actor>,
    account: NewAccount,
    now: DateTime<Utc>,
) -> Result<UserId, AccountError> {
    create_linked_account(store, by, account, &[], now).await
}

/// Puts the service an account belongs to (as it was typed) on the list of advice providers if
/// it is not there, so that requests can be sent to it (issue 14, finding 17).
async fn list_service(tx: &mut tandem_store::Tx, service: Option<&str>) -> Result<(), StoreError> {
    if let Some(name) = service.map(str::trim).filter(|s| !s.is_empty()) {
        tx.ensure_advice_provider(name).await?;
    }
    Ok(())
}

/// Creates an account linked to the child of each case in `cases` (a parent, carer or young
/// person: `tandem user add --role parent --case REF`), so that they see those cases and no
/// others. The account and its links are saved together or not at all: an unknown reference, or
/// cases given for any other role, refuses the whole account.
pub async fn create_linked_account(
    store: &Store,
    by: Option<&Actor>,
    account: NewAccount,
    cases: &[Reference],
    now: DateTime<Utc>,
) -> Result<UserId, AccountError> {
    if let Some(actor) = by {
        require_account_manager(actor)?;
    }
    let service = account.provider.clone();
    let account = validate(account, true)?;
    if !cases.is_empty() && account.role != Role::Parent {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "case",
            "Only a parent or carer’s account can be linked to a child’s case",
        )]));
    }
    let password = account.password;
    let password_hash = off_thread(move || hash_password(&password)).await??;
    let mut tx = store.begin_at(now).await?;
    list_service(&mut tx, service.as_deref()).await?;
    let team = teams::listed_team(&mut tx, by, account.team).await?;
    let id = tx
        .create_user(&NewUser {
            email: account.email,
            name: account.name,
            password_hash,
            role: account.role,
            team,
            provider: account.provider,
        })
        .await?;
    let mut linked = Vec::with_capacity(cases.len());
    for reference in cases {
        let Some(case) = tx.case(reference).await? else {
            return Err(AccountError::Invalid(vec![FieldError::new(
                "case",
                format!("There is no case with the reference {reference}"),
            )]));
        };
        tx.link_person(case.record.id, id, CaseRelation::Family)
            .await?;
        linked.push(reference.as_str());
    }
    tx.audit(
        &AuditEntry::new(by.map(|a| a.id), "account.create").detail(json!({
            "user_id": id,
            "role": account.role.as_str(),
            "cases": linked,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// How many days an invitation link works unless configured (`TANDEM_INVITE_DAYS`).
pub const DEFAULT_INVITE_DAYS: u32 = 7;

/// How invitations are sent: the address their links lead to, and how long a link works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitePolicy {
    /// The address people reach Tandem at (`TANDEM_PUBLIC_URL`).
    pub public_url: String,
    /// How long a link works (`TANDEM_INVITE_DAYS`, 7 days by default).
    pub valid_for: Duration,
}

/// The digest an invitation token is stored as.
fn invitation_digest(token: &str) -> String {
    digest("tandem invitation", token)
}

/// Invites someone by email: creates their account disabled and without a usable password, and
/// queues, in the same transaction, an email with a single-use link to set one. An
/// administrator may invite anyone; a case manager may invite a parent or carer to a case they
/// manage (`case`). The password in `account` is ignored. Returns the new account's id.
pub async fn invite(
    store: &Store,
    by: &Actor,
    account: NewAccount,
    case: Option<&Reference>,
    policy: &InvitePolicy,
    now: DateTime<Utc>,
) -> Result<UserId, AccountError> {
    let by_administrator = can(by, Action::ManageAccounts, Resource::Service);
    if !by_administrator && by.role != Role::CaseManager {
        return Err(AccountError::Forbidden);
    }
    let service = account.provider.clone();
    let account = validate(account, false)?;
    if case.is_some() && account.role != Role::Parent {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "case",
            "Only a parent or carer’s account can be linked to a child’s case",
        )]));
    }
    if !by_administrator && (account.role != Role::Parent || case.is_none()) {
        return Err(AccountError::Forbidden);
    }
    let token = SessionToken::generate()?;
    let mut tx = store.begin_at(now).await?;
    list_service(&mut tx, service.as_deref()).await?;
    let team = teams::listed_team(&mut tx, Some(by), account.team).await?;
    let id = tx
        .create_user(&NewUser {
            email: account.email.clone(),
            name: account.name,
            // Not a PHC string, so no password matches it until one is set.
            password_hash: INVITED.to_owned(),
            role: account.role,
            team,
            provider: account.provider,
        })
        .await?;
    tx.set_user_disabled(id, true).await?;
    if let Some(reference) = case {
        let Some(stored) = tx.case(reference).await? else {
            return Err(AccountError::Invalid(vec![FieldError::new(
                "case",
                format!("There is no case with the reference {reference}"),
            )]));
        };
        if !by_administrator && stored.record.case_manager != Some(by.id) {
            return Err(AccountError::Forbidden);
        }
        tx.link_person(stored.record.id, id, CaseRelation::Family)
            .await?;
    }
    send_invitation(&mut tx, by, id, &account.email, &token, policy, now).await?;
    tx.audit(
        &AuditEntry::new(Some(by.id), "account.invite").detail(json!({
            "user_id": id,
            "role": account.role.as_str(),
            "case": case.map(Reference::as_str),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The password hash of an account invited and not yet joined: not a PHC string, so no
/// password matches it until one is set.
const INVITED: &str = "!invited";

/// Stores a new invitation for `user_id` (its token's digest) and queues its email to `email`,
/// in the caller's transaction.
async fn send_invitation(
    tx: &mut tandem_store::Tx,
    by: &Actor,
    user_id: UserId,
    email: &str,
    token: &SessionToken,
    policy: &InvitePolicy,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let expires_at = now + policy.valid_for;
    let token_hash = invitation_digest(token.as_str());
    tx.create_invitation(user_id, &token_hash, by.id, expires_at, LinkPurpose::Join)
        .await?;
    let message =
        notifications::invitation(&policy.public_url, token.as_str(), england_date(expires_at));
    tx.queue_email(
        NotificationKind::Invitation,
        user_id,
        email,
        &format!("invitation:{token_hash}"),
        &message,
    )
    .await?;
    Ok(())
}

/// What an administrator is told of an account's sign-in besides its record: its latest
/// invitation and whether it has two-factor sign-in set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInSettings {
    /// The latest invitation sent, if the account was invited.
    pub invitation: Option<tandem_store::InvitationRecord>,
    /// Whether the account has joined: its invitation was accepted, or it was made with a
    /// password.
    pub joined: bool,
    /// Whether two-factor sign-in is set up.
    pub two_factor: bool,
}

/// The sign-in settings of an account, for administrators.
pub async fn sign_in_settings(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
) -> Result<SignInSettings, AccountError> {
    require_account_manager(actor)?;
    let user = store
        .user(user_id)
        .await?
        .ok_or(AccountError::UserNotFound)?;
    Ok(SignInSettings {
        invitation: store.latest_invitation(user_id).await?,
        joined: user.password_hash != INVITED,
        two_factor: has_two_factor(store, user_id).await?,
    })
}

/// Sends an account that has not joined yet a new invitation (an administrator's action, when a
/// link expired or went astray): every earlier link stops working, and a new one is emailed in
/// the same transaction. An account that has joined is refused: it signs in, or is helped
/// with its password or two-factor sign-in instead.
pub async fn reinvite(
    store: &Store,
    by: &Actor,
    user_id: UserId,
    policy: &InvitePolicy,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    require_account_manager(by)?;
    let token = SessionToken::generate()?;
    let mut tx = store.begin_at(now).await?;
    let user = tx.user(user_id).await?.ok_or(AccountError::UserNotFound)?;
    if user.password_hash != INVITED {
        return Err(already_joined());
    }
    let ended = tx.end_open_invitations(user_id).await?;
    send_invitation(&mut tx, by, user_id, &user.email, &token, policy, now).await?;
    tx.audit(
        &AuditEntry::new(Some(by.id), "account.reinvite")
            .detail(json!({ "user_id": user_id, "links_ended": ended })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws an account's open invitation (sent to the wrong address, or no longer wanted): its
/// link stops working at once. The account stays disabled and can be invited again.
pub async fn withdraw_invitation(
    store: &Store,
    by: &Actor,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    require_account_manager(by)?;
    let mut tx = store.begin_at(now).await?;
    let user = tx.user(user_id).await?.ok_or(AccountError::UserNotFound)?;
    if user.password_hash != INVITED {
        return Err(already_joined());
    }
    if tx.end_open_invitations(user_id).await? == 0 {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "invitation",
            "There is no open invitation to withdraw: it was withdrawn already or has expired",
        )]));
    }
    tx.audit(
        &AuditEntry::new(Some(by.id), "account.invitation_withdrawn")
            .detail(json!({ "user_id": user_id })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn already_joined() -> AccountError {
    AccountError::Invalid(vec![FieldError::new(
        "invitation",
        "This person has already set their password, so there is no invitation to send or withdraw",
    )])
}

/// Whether the invitation link with this token still works (unused, unexpired).
pub async fn invitation_open(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<bool, AccountError> {
    Ok(store
        .invitation_open(&invitation_digest(token), LinkPurpose::Join, now)
        .await?)
}

/// Accepts an invitation: sets the password, marks the link used, enables the account and
/// signs the person in, all in one transaction. A link that is unknown, expired or used is
/// refused with [`AccountError::InvitationClosed`] and nothing is saved but the audit entry.
///
/// An external account that must sign in with two factors (see [`ExternalTwoFactor`]) gets no
/// session yet: it is half signed in and must set two-factor sign-in up first.
pub async fn accept_invitation(
    store: &Store,
    token: &str,
    password: &str,
    policy: SessionPolicy,
    two_factor: ExternalTwoFactor,
    now: DateTime<Utc>,
) -> Result<SignInStep, AccountError> {
    if let Some(problem) = check_password(password) {
        return Err(AccountError::Invalid(vec![problem]));
    }
    let password = password.to_owned();
    let password_hash = off_thread(move || hash_password(&password)).await??;
    let mut tx = store.begin_at(now).await?;
    let Some(user_id) = tx
        .use_invitation(&invitation_digest(token), LinkPurpose::Join)
        .await?
    else {
        // Nothing was changed: the refusal's audit entry is all this transaction saves.
        tx.audit(&AuditEntry::new(None, "account.invitation_refused"))
            .await?;
        tx.commit().await?;
        return Err(AccountError::InvitationClosed);
    };
    tx.set_password_hash(user_id, &password_hash).await?;
    tx.set_user_disabled(user_id, false).await?;
    let user = tx.user(user_id).await?.ok_or(AccountError::UserNotFound)?;
    if let Some(half) = two_factor::second_step(&mut tx, &user, two_factor).await? {
        tx.audit(
            &AuditEntry::new(Some(user_id), "account.invitation_accepted")
                .detail(json!({ "user_id": user_id, "two_factor": half.next_step() })),
        )
        .await?;
        tx.commit().await?;
        return Ok(SignInStep::TwoFactor(half));
    }
    let session_token = SessionToken::generate()?;
    let session_id = tx
        .create_session(&session_token.hash(), user_id, now + policy.absolute)
        .await?;
    tx.audit(
        &AuditEntry::new(Some(user_id), "account.invitation_accepted")
            .detail(json!({ "user_id": user_id, "session_id": session_id })),
    )
    .await?;
    tx.commit().await?;
    Ok(SignInStep::SignedIn(SignedIn {
        token: session_token,
        session_id,
        user,
    }))
}

/// A successful sign-in: the new session's token (for the cookie) and the user.
#[derive(Debug)]
pub struct SignedIn {
    /// The new session's token, for the browser's cookie; the store holds only its hash.
    pub token: SessionToken,
    /// The new session's id in the store.
    pub session_id: SessionId,
    /// The account signed in to, as it stood at sign-in.
    pub user: UserRecord,
}

/// The keys failed attempts are counted under, as digests, so the attempts table holds neither
/// email nor client addresses: the account from this client (`ACCOUNT:CLIENT`, whose prefix
/// lets an administrator lift every lock on an account), and the client alone.
struct AttemptKeys {
    account_and_client: String,
    client: String,
}

impl AttemptKeys {
    fn new(email: &str, client: &str) -> Self {
        let client = digest("tandem sign-in client", client);
        Self {
            account_and_client: format!("{}:{client}", account_key(email)),
            client: format!("client:{client}"),
        }
    }
}

fn account_key(email: &str) -> String {
    digest("tandem sign-in account", &normalise_email(email))
}

/// Signs in with an email address and password from the client address `client` (as the web
/// server saw it), starting a new session (a fresh token every time, so a token planted before
/// sign-in is never promoted) — or, for an account that signs in with two factors, a
/// half-finished sign-in that [`complete_sign_in`] finishes with a code.
///
/// The attempt is counted before the password is checked: in one transaction that makes
/// concurrent sign-ins under the same keys wait their turn, earlier failures are counted and
/// this attempt is recorded as a failure, then turned into a success only if the password
/// matches. So a burst of parallel guesses meets the [`SignInLimit`] just as a sequence would.
/// A right password that still needs a code stays counted as a failure until the code is right,
/// so that guessing codes cannot reset the count with the password.
#[expect(
    clippy::too_many_arguments,
    reason = "each is a separate setting of the sign-in"
)]
pub async fn sign_in(
    store: &Store,
    email: &str,
    password: &str,
    client: &str,
    policy: SessionPolicy,
    limit: SignInLimit,
    two_factor: ExternalTwoFactor,
    now: DateTime<Utc>,
) -> Result<SignInStep, AccountError> {
    let keys = AttemptKeys::new(email, client);
    let user = store.user_by_email(email).await?;
    let user_id = user.as_ref().map(|u| u.id);

    let tx = store.begin_at(now).await?;
    let (tx, attempts) = count_attempt(tx, &keys, user_id, limit, now).await?;
    tx.commit().await?;

    let hash = match &user {
        Some(user) => user.password_hash.clone(),
        None => dummy_hash().await?.to_owned(),
    };
    let typed = password.to_owned();
    let matches = password.chars().count() <= MAX_PASSWORD_LENGTH
        && off_thread(move || verify_password(&typed, &hash)).await?;
    let user = user.filter(|u| matches && !u.disabled);

    let mut tx = store.begin_at(now).await?;
    let Some(user) = user else {
        tx.audit(
            &AuditEntry::new(None, "session.sign_in_failed").detail(json!({ "user_id": user_id })),
        )
        .await?;
        tx.commit().await?;
        return Err(AccountError::BadCredentials);
    };
    if let Some(half) = two_factor::second_step(&mut tx, &user, two_factor).await? {
        tx.audit(
            &AuditEntry::new(Some(user.id), "session.password_accepted")
                .detail(json!({ "user_id": user.id, "two_factor": half.next_step() })),
        )
        .await?;
        tx.commit().await?;
        return Ok(SignInStep::TwoFactor(half));
    }
    tx.mark_sign_in_succeeded(&attempts).await?;
    let token = SessionToken::generate()?;
    let expires_at = tx.now() + policy.absolute;
    let session_id = tx
        .create_session(&token.hash(), user.id, expires_at)
        .await?;
    tx.audit(
        &AuditEntry::new(Some(user.id), "session.sign_in")
            .detail(json!({ "user_id": user.id, "session_id": session_id })),
    )
    .await?;
    tx.commit().await?;
    Ok(SignInStep::SignedIn(SignedIn {
        token,
        session_id,
        user,
    }))
}

/// Counts a sign-in attempt (a password or a code) under `keys` before it is checked: waits for
/// concurrent attempts under the same keys, refuses (audited and committed) if the account from
/// this client or the client has reached `limit`, and otherwise records the attempt as a failure
/// and gives the transaction back with the attempts' ids, for
/// [`Tx::mark_sign_in_succeeded`](tandem_store::Tx::mark_sign_in_succeeded).
async fn count_attempt(
    mut tx: tandem_store::Tx,
    keys: &AttemptKeys,
    user_id: Option<UserId>,
    limit: SignInLimit,
    now: DateTime<Utc>,
) -> Result<(tandem_store::Tx, [i64; 2]), AccountError> {
    tx.lock_sign_in_keys(&[&keys.account_and_client, &keys.client])
        .await?;
    let account_failures = tx
        .sign_in_failures(&keys.account_and_client, now - RETENTION, true)
        .await?;
    let client_failures = tx
        .sign_in_failures(&keys.client, now - limit.window, false)
        .await?;
    let refused_until = limit
        .locked_until(account_failures)
        .filter(|until| now < *until)
        .or_else(|| {
            (client_failures.count >= limit.max_client_failures)
                .then(|| client_failures.last_at.map(|last| last + limit.window))
                .flatten()
        });
    if let Some(until) = refused_until {
        tx.audit(
            &AuditEntry::new(None, "session.sign_in_refused")
                .detail(json!({ "user_id": user_id, "reason": "rate_limited" })),
        )
        .await?;
        tx.commit().await?;
        return Err(AccountError::RateLimited { until });
    }
    let attempts = [
        tx.record_sign_in_attempt(&keys.account_and_client, false)
            .await?,
        tx.record_sign_in_attempt(&keys.client, false).await?,
    ];
    Ok((tx, attempts))
}

/// Lifts every sign-in lock on an account (from whichever client addresses the failures came)
/// by forgetting its failed attempts. Returns how many were forgotten.
pub async fn lift_sign_in_lock(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<u64, AccountError> {
    require_account_manager(actor)?;
    let mut tx = store.begin_at(now).await?;
    let user = tx.user(user_id).await?.ok_or(AccountError::UserNotFound)?;
    let forgotten = tx
        .clear_sign_in_failures(&format!("{}:", account_key(&user.email)))
        .await?;
    tx.audit(
        &AuditEntry::new(Some(actor.id), "account.sign_in_lock_lifted")
            .detail(json!({ "user_id": user_id, "failures": forgotten })),
    )
    .await?;
    tx.commit().await?;
    Ok(forgotten)
}

/// The live session for a token and its user, or `None` if it is unknown, revoked, idle too long,
/// past its absolute expiry or its account is disabled. Marks the session as seen (at most once
/// per [`TOUCH_INTERVAL`]).
pub async fn current_session(
    store: &Store,
    token: &SessionToken,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<(SessionRecord, UserRecord)>, AccountError> {
    let Some((session, user)) = store.session(&token.hash(), now, policy.idle).await? else {
        return Ok(None);
    };
    if now - session.last_seen_at >= TOUCH_INTERVAL {
        store.touch_session(session.id, now).await?;
    }
    Ok(Some((session, user)))
}

/// Ends the session with this token.
pub async fn sign_out(
    store: &Store,
    user_id: UserId,
    token: &SessionToken,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let mut tx = store.begin_at(now).await?;
    let revoked = tx.revoke_session(&token.hash()).await?;
    tx.audit(
        &AuditEntry::new(Some(user_id), "session.sign_out")
            .detail(json!({ "user_id": user_id, "sessions": revoked })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of `user_id`: anyone may do it for themselves, administrators for anyone.
/// Returns how many sessions ended.
pub async fn sign_out_everywhere(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<u64, AccountError> {
    if actor.id != user_id {
        require_account_manager(actor)?;
    }
    let mut tx = store.begin_at(now).await?;
    if tx.user(user_id).await?.is_none() {
        return Err(AccountError::UserNotFound);
    }
    let revoked = tx.revoke_user_sessions(user_id).await?;
    tx.audit(
        &AuditEntry::new(Some(actor.id), "account.sign_out_everywhere")
            .detail(json!({ "user_id": user_id, "sessions": revoked })),
    )
    .await?;
    tx.commit().await?;
    Ok(revoked)
}

/// Disables an account (ending its sessions) or enables it again.
pub async fn set_account_disabled(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    require_account_manager(actor)?;
    if actor.id == user_id {
        return Err(AccountError::OwnAccount);
    }
    let mut tx = store.begin_at(now).await?;
    tx.set_user_disabled(user_id, disabled).await?;
    let action = if disabled {
        "account.disable"
    } else {
        "account.enable"
    };
    tx.audit(&AuditEntry::new(Some(actor.id), action).detail(json!({ "user_id": user_id })))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Corrects an account's name and email address (an administrator's action: a name spelt
/// wrong, a new work address). The person signs in with the new address from then on; their
/// sessions go on. Refused with what to correct, and nothing saved, for a blank or malformed
/// value or an address another account has.
pub async fn set_name_and_email(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
    name: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    require_account_manager(actor)?;
    let mut tx = store.begin_at(now).await?;
    let previous = tx.user(user_id).await?.ok_or(AccountError::UserNotFound)?;
    let checked = validate(
        NewAccount {
            email: email.to_owned(),
            name: name.to_owned(),
            role: previous.role,
            team: None,
            provider: None,
            password: String::new(),
        },
        false,
    )?;
    tx.set_user_name_and_email(user_id, &checked.name, &checked.email)
        .await?;
    // Which fields changed, never their values: the log holds no personal details.
    let changed: Vec<&str> = [
        ("name", checked.name != previous.name),
        ("email", checked.email != previous.email),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    tx.audit(
        &AuditEntry::new(Some(actor.id), "account.details")
            .detail(json!({ "user_id": user_id, "changed": changed })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many cases are assigned to the account, for the administrator about to disable it.
pub async fn cases_held(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<usize, AccountError> {
    require_account_manager(actor)?;
    let mut tx = store.begin_at(now).await?;
    Ok(tx.cases_assigned_to(user_id).await?.len())
}

/// Disables an account (ending its sessions) and, in the same transaction, gives every case
/// assigned to it to `hand_to`, an active case manager or team manager (with that person's
/// team), so that no case is left with someone who cannot work on it. The administrator never
/// sees the cases: each is moved by id and audited as a reassignment (`case.assign`, with the
/// reason). With `hand_to` `None` the cases stay assigned, shown to team managers as "not
/// assigned to anyone active". Returns how many cases were handed over.
pub async fn disable_and_hand_over(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
    hand_to: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<usize, AccountError> {
    require_account_manager(actor)?;
    if actor.id == user_id {
        return Err(AccountError::OwnAccount);
    }
    let mut tx = store.begin_at(now).await?;
    tx.user(user_id).await?.ok_or(AccountError::UserNotFound)?;
    let team = match hand_to {
        Some(to) => match tx.user(to).await? {
            Some(user)
                if to != user_id
                    && !user.disabled
                    && matches!(user.role, Role::CaseManager | Role::TeamManager) =>
            {
                user.team
            }
            _ => {
                return Err(AccountError::Invalid(vec![FieldError::new(
                    "hand_to",
                    "Choose a case manager or team manager whose account is active",
                )]));
            }
        },
        None => None,
    };
    let cases = match hand_to {
        Some(_) => tx.cases_assigned_to(user_id).await?,
        None => Vec::new(),
    };
    for (case_id, version, reference) in &cases {
        let change = Reassignment {
            to: hand_to,
            team: team.as_deref(),
            reason: Some(HANDED_OVER),
            by: Some(actor.id),
        };
        let version = tx.assign_case(*case_id, *version, &change).await?;
        let mut entry = AuditEntry::new(Some(actor.id), "case.assign").detail(json!({
            "from": user_id,
            "to": hand_to,
            "version": version,
            "reason": "account_disabled",
        }));
        if let Ok(reference) = Reference::parse(reference) {
            entry = entry.case(&reference);
        }
        tx.audit(&entry).await?;
    }
    tx.set_user_disabled(user_id, true).await?;
    tx.audit(
        &AuditEntry::new(Some(actor.id), "account.disable").detail(
            json!({ "user_id": user_id, "cases_handed_to": hand_to, "cases": cases.len() }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(cases.len())
}

/// The reason a case's history gives when its case manager's account was disabled.
const HANDED_OVER: &str = "The previous case manager's account was disabled";

/// Gives an account another role and team. Takes effect on the user's next request.
pub async fn set_role(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
    role: Role,
    team: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    require_account_manager(actor)?;
    if actor.id == user_id {
        return Err(AccountError::OwnAccount);
    }
    let team = team.map(str::trim).filter(|t| !t.is_empty());
    if team.is_some_and(|t| t.chars().count() > MAX_TEAM_LENGTH) {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "team",
            format!("Team must be {MAX_TEAM_LENGTH} characters or fewer"),
        )]));
    }
    let mut tx = store.begin_at(now).await?;
    let previous = tx.user(user_id).await?.ok_or(AccountError::UserNotFound)?;
    let team = teams::listed_team(&mut tx, Some(actor), team.map(str::to_owned)).await?;
    tx.set_user_role(user_id, role, team.as_deref()).await?;
    tx.audit(
        &AuditEntry::new(Some(actor.id), "account.role").detail(json!({
            "user_id": user_id,
            "role": role.as_str(),
            "previous_role": previous.role.as_str(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every account, oldest first, for administrators.
pub async fn list_accounts(store: &Store, actor: &Actor) -> Result<Vec<UserRecord>, AccountError> {
    require_account_manager(actor)?;
    Ok(store.users().await?)
}

/// One account, for administrators.
pub async fn account(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
) -> Result<UserRecord, AccountError> {
    require_account_manager(actor)?;
    store.user(user_id).await?.ok_or(AccountError::UserNotFound)
}

/// How long ended sessions and old sign-in attempts are kept before [`purge_expired`] deletes
/// them: longer than any sign-in window, short enough that the tables stay small.
pub const RETENTION: Duration = Duration::days(1);

/// Deletes sessions that ended (expired, or revoked and unused) and sign-in attempts more than
/// [`RETENTION`] before `now`. Returns how many of each were deleted.
pub async fn purge_expired(store: &Store, now: DateTime<Utc>) -> Result<(u64, u64), AccountError> {
    let before = now - RETENTION;
    let mut tx = store.begin_at(now).await?;
    let sessions = tx.purge_sessions(before).await?;
    let attempts = tx.purge_sign_in_attempts(before).await?;
    tx.commit().await?;
    Ok((sessions, attempts))
}
