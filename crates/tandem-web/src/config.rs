//! How the web application behaves: cookies, session lengths, sign-in limits and request limits.

use std::time::Duration;

use tandem_app::accounts::{ExternalTwoFactor, InvitePolicy, SessionPolicy, SignInLimit};
use tandem_core::dashboard::PseudonymKey;
use tandem_core::disclosure::{DEFAULT_BELOW, SmallNumbers};
use tandem_core::signposts::Signposts;
use tandem_core::targets::LocalTargets;

/// Settings for the web application, fixed when the [`AppState`](crate::AppState) is built. The
/// defaults are the production settings, except `reporting`, which callers fill in.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Serve cookies with `Secure` and the `__Host-` prefix. Turn off only for plain-HTTP
    /// development on a host browsers do not treat as secure (they do treat `localhost` and
    /// `127.0.0.1` as secure, so the default works there too).
    pub secure_cookies: bool,
    /// How long a session lasts when idle and at most.
    pub sessions: SessionPolicy,
    /// How many failed sign-ins an account (from one client address) and a client address may
    /// have before sign-in is refused for a while.
    pub sign_in_limit: SignInLimit,
    /// Whether external accounts (professionals, settings, parents) must sign in with a code
    /// from an authenticator app as well as their password (`TANDEM_EXTERNAL_2FA`, required
    /// unless set to `optional`).
    pub external_two_factor: ExternalTwoFactor,
    /// How many password checks may run at once (`TANDEM_PASSWORD_CHECKS`, 4 unless set). Each
    /// takes about 19 MiB for argon2id; a sign-in beyond the cap is answered 503 with
    /// `Retry-After`, so that a burst of sign-ins cannot exhaust the server's memory.
    pub password_checks: usize,
    /// Take the client's address from the last entry of `X-Forwarded-For`, as the reverse proxy
    /// in front appended it (`TANDEM_TRUST_FORWARDED_FOR`). Off, the connection's own address is
    /// used; never turn it on without a proxy that sets the header, or clients could choose it.
    pub trust_forwarded_for: bool,
    /// A connection that has not sent a whole request head this long after it opened, or after
    /// its last response, is closed (slow or idle clients holding connections open).
    pub header_read_timeout: Duration,
    /// A request taking longer than this is answered with 503 (408 while reading the body).
    pub request_timeout: Duration,
    /// The largest request body accepted, in bytes, except by the document upload.
    pub body_limit: usize,
    /// The largest document accepted, in bytes (`TANDEM_DOCUMENT_MAX_MB`, 20 MB unless set).
    /// The upload form alone accepts a body this large, and a little more for its other fields.
    pub document_max_bytes: usize,
    /// What the dashboard, the improvement plan and the board report measure against.
    pub reporting: Reporting,
    /// The local offer and local schemes linked from families' pages (`TANDEM_SIGNPOSTS`).
    pub signposts: Signposts,
    /// How many days a service asked for advice may still see a case after its last request
    /// closed (`TANDEM_ADVICE_ACCESS_DAYS`, four weeks unless set).
    pub advice_access_days: u32,
    /// Working days within which an incoming message is to be answered
    /// (`TANDEM_REPLY_WORKING_DAYS`, 3 unless set).
    pub reply_working_days: u32,
    /// The address people reach Tandem at, which emails link to (`TANDEM_PUBLIC_URL`).
    pub public_url: String,
    /// How many days an invitation link works (`TANDEM_INVITE_DAYS`, 7 unless set).
    pub invite_days: u32,
    /// Who signs off final EHC plans (`TANDEM_PLAN_SIGN_OFF`, the head of service unless set).
    pub plan_sign_off: tandem_core::access::PlanSignOff,
    /// How references are made for new requests opened without one
    /// (`TANDEM_REFERENCE_PATTERN`, `EHC-{year}-{seq:06}` unless set).
    pub reference_pattern: tandem_core::reference_pattern::ReferencePattern,
    /// Staff sign-in through the organisation's OpenID Connect provider (`TANDEM_OIDC_*`);
    /// `None` offers password sign-in only.
    pub single_sign_on: Option<crate::single_sign_on::SingleSignOn>,
}

impl WebConfig {
    /// How invitations are sent, from `public_url` and `invite_days`.
    pub fn invite_policy(&self) -> InvitePolicy {
        InvitePolicy {
            public_url: self.public_url.clone(),
            valid_for: chrono::Duration::days(i64::from(self.invite_days)),
        }
    }
}

/// The area's reporting configuration (docs/reporting.md).
#[derive(Debug, Clone)]
pub struct Reporting {
    /// Local targets (`TANDEM_TARGETS`, a TOML file like `examples/targets.toml`).
    pub targets: LocalTargets,
    /// The key analysts' pseudonyms are made with. Keep it secret and keep it stable: changing it
    /// changes every pseudonym.
    pub pseudonym_key: PseudonymKey,
    /// The counts analysts' tables leave out (`TANDEM_SUPPRESS_BELOW`, counts of 1 to 4 by
    /// default; see `tandem_core::disclosure`).
    pub small_numbers: SmallNumbers,
}

impl Reporting {
    /// No targets and a random pseudonym key (pseudonyms then last until the
    /// server stops).
    #[expect(clippy::expect_used, reason = "32 bytes is a long enough key")]
    pub fn new() -> std::io::Result<Self> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(std::io::Error::other)?;
        Ok(Self {
            targets: LocalTargets::default(),
            pseudonym_key: PseudonymKey::new(key).expect("32 bytes is a long enough key"),
            small_numbers: SmallNumbers::below(DEFAULT_BELOW),
        })
    }
}

impl Default for WebConfig {
    #[expect(clippy::expect_used, reason = "the operating system's random numbers")]
    fn default() -> Self {
        Self {
            secure_cookies: true,
            sessions: SessionPolicy::default(),
            sign_in_limit: SignInLimit::default(),
            external_two_factor: ExternalTwoFactor::Required,
            password_checks: 4,
            trust_forwarded_for: false,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            body_limit: 2 * 1024 * 1024,
            document_max_bytes: tandem_core::documents::DEFAULT_MAX_BYTES,
            reporting: Reporting::new().expect("the operating system's random numbers"),
            signposts: Signposts::default(),
            public_url: tandem_app::services::DEFAULT_PUBLIC_URL.to_owned(),
            invite_days: tandem_app::accounts::DEFAULT_INVITE_DAYS,
            advice_access_days: tandem_core::access::DEFAULT_ADVICE_ACCESS_DAYS,
            reply_working_days: tandem_core::messages::DEFAULT_REPLY_WORKING_DAYS,
            plan_sign_off: tandem_core::access::PlanSignOff::default(),
            reference_pattern: tandem_core::reference_pattern::ReferencePattern::default(),
            single_sign_on: None,
        }
    }
}
