//! Two-factor sign-in for external accounts, on SQLite and PostgreSQL: setting it up after an
//! invitation or a first password, codes at sign-in, replayed and wrong codes, recovery codes,
//! the sign-in limit, and the `optional` setting. Codes are computed with the same TOTP crate
//! from the secret the service gives for set-up.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use chrono::{DateTime, Duration, Utc};
use tandem_app::accounts::{
    self, AccountError, ExternalTwoFactor, HalfSignedIn, InvitePolicy, NewAccount,
    PENDING_SIGN_IN_LASTS, RECOVERY_CODES, SecondFactor, SessionPolicy, SignInLimit, SignInStep,
    SignedIn, TwoFactorSignedIn,
};
use tandem_core::{Actor, Role, UserId};
use tandem_store::{AuditFilter, Store};
use tandem_test_support::{Ctx, at, contract};
use totp_rs::{Builder, Secret};

contract!(
    an_invited_parent_sets_up_two_factor_sign_in_before_a_session,
    a_wrong_code_is_refused_with_nothing_saved,
    an_enrolled_account_signs_in_with_a_code_that_works_once,
    a_recovery_code_signs_in_once_only,
    wrong_codes_count_towards_the_sign_in_limit,
    an_account_made_without_an_invitation_sets_up_at_its_first_sign_in,
    optional_two_factor_lets_external_accounts_in_with_a_password,
    a_pending_sign_in_expires,
    staff_set_two_factor_up_from_their_account_and_are_asked_for_codes_after,
    an_administrator_resets_two_factor_after_a_lost_phone,
);

const PASSWORD: &str = "a long enough password";
const CLIENT: &str = "192.0.2.7";
const REQUIRED: ExternalTwoFactor = ExternalTwoFactor::Required;

/// The code an authenticator app given `secret` shows at `at`.
fn code_at(secret: &str, at: DateTime<Utc>) -> String {
    Builder::new()
        .with_secret(Secret::try_from_base32(secret).expect("base32"))
        .build()
        .expect("totp")
        .generate(u64::try_from(at.timestamp()).expect("after 1970"))
        .to_string()
}

/// A code that is not `code` (nor, in practice, any code near now).
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().expect("digits");
    format!("{:06}", (n + 500_000) % 1_000_000)
}

async fn account(store: &Store, email: &str, role: Role) -> UserId {
    let account = NewAccount {
        email: email.into(),
        name: format!("Person {email}"),
        role,
        team: None,
        provider: None,
        password: PASSWORD.into(),
    };
    accounts::create_account(store, None, account, Utc::now())
        .await
        .expect("account")
}

async fn sign_in(
    store: &Store,
    email: &str,
    two_factor: ExternalTwoFactor,
    limit: SignInLimit,
    now: DateTime<Utc>,
) -> Result<SignInStep, AccountError> {
    accounts::sign_in(
        store,
        email,
        PASSWORD,
        CLIENT,
        SessionPolicy::default(),
        limit,
        two_factor,
        now,
    )
    .await
}

/// Signs in with the password, expecting the second step.
async fn half(store: &Store, email: &str, now: DateTime<Utc>) -> HalfSignedIn {
    match sign_in(store, email, REQUIRED, SignInLimit::default(), now).await {
        Ok(SignInStep::TwoFactor(half)) => half,
        other => panic!("expected a second step, got {other:?}"),
    }
}

async fn complete(
    store: &Store,
    half: &HalfSignedIn,
    factor: SecondFactor<'_>,
    limit: SignInLimit,
    now: DateTime<Utc>,
) -> Result<TwoFactorSignedIn, AccountError> {
    accounts::complete_sign_in(
        store,
        half.token.as_str(),
        factor,
        CLIENT,
        SessionPolicy::default(),
        limit,
        now,
    )
    .await
}

/// Sets two-factor sign-in up for `email` at its first sign-in; returns the secret and the
/// recovery codes.
async fn enrol(store: &Store, email: &str, now: DateTime<Utc>) -> (String, Vec<String>) {
    let half = half(store, email, now).await;
    assert!(half.enrol);
    let setup = accounts::two_factor_setup(store, half.token.as_str(), now)
        .await
        .expect("setup");
    let code = code_at(&setup.secret, now);
    let done = complete(
        store,
        &half,
        SecondFactor::Code(&code),
        SignInLimit::default(),
        now,
    )
    .await
    .expect("enrolled");
    (setup.secret, done.recovery_codes)
}

async fn audit_actions(store: &Store) -> Vec<String> {
    let log = store.audit_log(&AuditFilter::default()).await.unwrap();
    log.into_iter().map(|r| r.action).collect()
}

async fn live(store: &Store, signed_in: &SignedIn, now: DateTime<Utc>) -> bool {
    accounts::current_session(store, &signed_in.token, SessionPolicy::default(), now)
        .await
        .unwrap()
        .is_some()
}

async fn an_invited_parent_sets_up_two_factor_sign_in_before_a_session(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let admin_id = account(store, "admin@council.test", Role::Admin).await;
    let admin: Actor = store.user(admin_id).await.unwrap().unwrap().actor();
    let invited = NewAccount {
        email: "parent@family.test".into(),
        name: "A parent".into(),
        role: Role::Parent,
        team: None,
        provider: None,
        password: String::new(),
    };
    let policy = InvitePolicy {
        public_url: "https://tandem.council.test/".into(),
        valid_for: Duration::days(7),
    };
    let id = accounts::invite(store, &admin, invited, None, &policy, now)
        .await
        .expect("invite");
    let mut tx = store.begin_at(now).await.unwrap();
    let email = tx
        .claim_email(now + Duration::minutes(10))
        .await
        .unwrap()
        .expect("an email queued");
    tx.commit().await.unwrap();
    let token = email
        .body
        .lines()
        .find_map(|line| line.strip_prefix("https://tandem.council.test/invitations/"))
        .expect("the invitation link")
        .to_owned();

    let step = accounts::accept_invitation(
        store,
        &token,
        PASSWORD,
        SessionPolicy::default(),
        REQUIRED,
        now,
    )
    .await
    .expect("accept");
    let SignInStep::TwoFactor(half) = step else {
        panic!("an external account gets no session before two-factor sign-in is set up");
    };
    assert!(half.enrol);
    assert!(
        !audit_actions(store)
            .await
            .contains(&"session.sign_in".into())
    );

    let setup = accounts::two_factor_setup(store, half.token.as_str(), now)
        .await
        .expect("setup");
    assert!(
        setup.uri.starts_with("otpauth://totp/")
            && setup.uri.contains(&format!("secret={}", setup.secret))
            && setup.uri.contains("issuer=Tandem"),
        "{setup:?}"
    );
    assert_eq!(format!("{setup:?}"), "TwoFactorSetup(..)", "never logged");
    let again = accounts::two_factor_setup(store, half.token.as_str(), now)
        .await
        .expect("setup");
    assert_eq!(
        again.secret, setup.secret,
        "the same secret until confirmed"
    );

    let code = code_at(&setup.secret, now);
    let done = complete(
        store,
        &half,
        SecondFactor::Code(&code),
        SignInLimit::default(),
        now,
    )
    .await
    .expect("enrolled");
    assert_eq!(done.signed_in.user.id, id);
    assert!(live(store, &done.signed_in, now).await);
    assert_eq!(done.recovery_codes.len(), RECOVERY_CODES);
    let record = store.two_factor(id).await.unwrap().expect("record");
    assert!(record.enrolled());
    assert_eq!(record.pending_secret, None);
    let actions = audit_actions(store).await;
    for action in ["account.two_factor_enrolled", "session.sign_in"] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action}: {actions:?}"
        );
    }
    // The pending sign-in is spent.
    let reused = complete(
        store,
        &half,
        SecondFactor::Code(&code_at(&setup.secret, now + Duration::seconds(30))),
        SignInLimit::default(),
        now + Duration::seconds(30),
    )
    .await;
    assert!(matches!(reused, Err(AccountError::SignInExpired)));
}

async fn a_wrong_code_is_refused_with_nothing_saved(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let id = account(store, "nurse@nhs.test", Role::HealthProfessional).await;

    // While setting up: no enrolment, no recovery codes, no session.
    let half = half(store, "nurse@nhs.test", now).await;
    let setup = accounts::two_factor_setup(store, half.token.as_str(), now)
        .await
        .unwrap();
    let before = audit_actions(store).await.len();
    let refused = complete(
        store,
        &half,
        SecondFactor::Code(&wrong(&code_at(&setup.secret, now))),
        SignInLimit::default(),
        now,
    )
    .await;
    assert!(
        matches!(refused, Err(AccountError::WrongCode)),
        "{refused:?}"
    );
    let record = store.two_factor(id).await.unwrap().expect("record");
    assert!(!record.enrolled(), "not set up");
    assert_eq!(
        record.pending_secret.as_deref(),
        Some(setup.secret.as_str())
    );
    let actions = audit_actions(store).await;
    assert_eq!(actions.len(), before + 1, "one audit entry: {actions:?}");
    assert!(actions.contains(&"session.two_factor_failed".to_owned()));
    // A recovery code cannot finish setting up either.
    let refused = complete(
        store,
        &half,
        SecondFactor::RecoveryCode("0000-0000-0000"),
        SignInLimit::default(),
        now,
    )
    .await;
    assert!(matches!(refused, Err(AccountError::WrongCode)));

    // The right code still works afterwards.
    let code = code_at(&setup.secret, now);
    complete(
        store,
        &half,
        SecondFactor::Code(&code),
        SignInLimit::default(),
        now,
    )
    .await
    .expect("the right code");

    // At sign-in: no session, the pending sign-in stays for another try.
    let later = now + Duration::minutes(5);
    let half = self::half(store, "nurse@nhs.test", later).await;
    assert!(!half.enrol);
    for typed in [
        wrong(&code_at(&setup.secret, later)),
        "12345".into(),
        "abcdef".into(),
    ] {
        let refused = complete(
            store,
            &half,
            SecondFactor::Code(&typed),
            SignInLimit::default(),
            later,
        )
        .await;
        assert!(matches!(refused, Err(AccountError::WrongCode)), "{typed}");
    }
    let sign_ins = audit_actions(store)
        .await
        .iter()
        .filter(|a| *a == "session.sign_in")
        .count();
    assert_eq!(sign_ins, 1, "only the sign-in that set up");
    let code = code_at(&setup.secret, later);
    complete(
        store,
        &half,
        SecondFactor::Code(&code),
        SignInLimit::default(),
        later,
    )
    .await
    .expect("the right code");
}

async fn an_enrolled_account_signs_in_with_a_code_that_works_once(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    account(store, "teacher@school.test", Role::EducationSetting).await;
    let (secret, _) = enrol(store, "teacher@school.test", now).await;

    let later = now + Duration::minutes(10);
    let half = half(store, "teacher@school.test", later).await;
    assert!(!half.enrol, "set up already: a code, not set-up");
    // The code of the step before is accepted (clocks drift), but not one two steps away.
    let early = code_at(&secret, later - Duration::seconds(60));
    let refused = complete(
        store,
        &half,
        SecondFactor::Code(&early),
        SignInLimit::default(),
        later,
    )
    .await;
    assert!(matches!(refused, Err(AccountError::WrongCode)));
    let code = code_at(&secret, later - Duration::seconds(30));
    let done = complete(
        store,
        &half,
        SecondFactor::Code(&code),
        SignInLimit::default(),
        later,
    )
    .await
    .expect("signed in");
    assert!(
        done.recovery_codes.is_empty(),
        "recovery codes only at set-up"
    );
    assert!(live(store, &done.signed_in, later).await);

    // The same code again, within its time: refused.
    let again = self::half(store, "teacher@school.test", later).await;
    let replayed = complete(
        store,
        &again,
        SecondFactor::Code(&code),
        SignInLimit::default(),
        later,
    )
    .await;
    assert!(
        matches!(replayed, Err(AccountError::WrongCode)),
        "{replayed:?}"
    );
    // A later step's code is fine.
    let next = code_at(&secret, later);
    complete(
        store,
        &again,
        SecondFactor::Code(&next),
        SignInLimit::default(),
        later,
    )
    .await
    .expect("the next step's code");
}

async fn a_recovery_code_signs_in_once_only(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    account(store, "social@council.test", Role::SocialCareProfessional).await;
    let (_, codes) = enrol(store, "social@council.test", now).await;
    assert!(codes.iter().all(|c| c.len() == 14), "{codes:?}");

    let half = half(store, "social@council.test", now).await;
    // Case, spaces and hyphens do not matter.
    let typed = format!(" {} ", codes[3].to_uppercase().replace('-', " "));
    let done = complete(
        store,
        &half,
        SecondFactor::RecoveryCode(&typed),
        SignInLimit::default(),
        now,
    )
    .await
    .expect("a recovery code");
    assert!(live(store, &done.signed_in, now).await);
    let actions = audit_actions(store).await;
    assert!(actions.contains(&"account.recovery_code_used".to_owned()));

    let half = self::half(store, "social@council.test", now).await;
    let reused = complete(
        store,
        &half,
        SecondFactor::RecoveryCode(&codes[3]),
        SignInLimit::default(),
        now,
    )
    .await;
    assert!(matches!(reused, Err(AccountError::WrongCode)), "used once");
    let unknown = complete(
        store,
        &half,
        SecondFactor::RecoveryCode("0000-0000-0000"),
        SignInLimit::default(),
        now,
    )
    .await;
    assert!(matches!(unknown, Err(AccountError::WrongCode)));
    complete(
        store,
        &half,
        SecondFactor::RecoveryCode(&codes[4]),
        SignInLimit::default(),
        now,
    )
    .await
    .expect("another code");
}

async fn wrong_codes_count_towards_the_sign_in_limit(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    account(store, "gp@nhs.test", Role::HealthProfessional).await;
    let (secret, _) = enrol(store, "gp@nhs.test", now).await;
    let limit = SignInLimit {
        max_failures: 4,
        ..SignInLimit::default()
    };
    let later = now + Duration::minutes(5);
    // A right password still waiting for its code counts as a failure: guessing codes cannot
    // reset the count by giving the password again.
    let Ok(SignInStep::TwoFactor(half)) =
        sign_in(store, "gp@nhs.test", REQUIRED, limit, later).await
    else {
        panic!("a second step");
    };
    let bad = wrong(&code_at(&secret, later));
    for _ in 0..2 {
        let refused = complete(store, &half, SecondFactor::Code(&bad), limit, later).await;
        assert!(matches!(refused, Err(AccountError::WrongCode)));
    }
    let Ok(SignInStep::TwoFactor(half)) =
        sign_in(store, "gp@nhs.test", REQUIRED, limit, later).await
    else {
        panic!("a second step");
    };
    // Four failures now (two passwords waiting, two codes): even the right code waits.
    let code = code_at(&secret, later);
    let locked = complete(store, &half, SecondFactor::Code(&code), limit, later).await;
    assert!(
        matches!(locked, Err(AccountError::RateLimited { .. })),
        "{locked:?}"
    );
    let actions = audit_actions(store).await;
    assert!(actions.contains(&"session.sign_in_refused".to_owned()));
}

async fn an_account_made_without_an_invitation_sets_up_at_its_first_sign_in(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let id = account(store, "parent@family.test", Role::Parent).await;
    let half = half(store, "parent@family.test", now).await;
    assert!(
        half.enrol,
        "tandem user add: set up after the password check"
    );
    assert!(
        accounts::pending_sign_in(store, half.token.as_str(), now)
            .await
            .unwrap()
            .is_some_and(|p| p.enrol && p.user_id == id)
    );
    // Staff accounts are not asked.
    account(store, "cm@council.test", Role::CaseManager).await;
    let step = sign_in(
        store,
        "cm@council.test",
        REQUIRED,
        SignInLimit::default(),
        now,
    )
    .await
    .expect("signed in");
    assert!(matches!(step, SignInStep::SignedIn(_)));
}

async fn optional_two_factor_lets_external_accounts_in_with_a_password(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    account(store, "parent@family.test", Role::Parent).await;
    let step = sign_in(
        store,
        "parent@family.test",
        ExternalTwoFactor::Optional,
        SignInLimit::default(),
        now,
    )
    .await
    .expect("signed in");
    assert!(matches!(step, SignInStep::SignedIn(_)));
    // An account that set two-factor sign-in up is still asked for its code.
    account(store, "nurse@nhs.test", Role::HealthProfessional).await;
    enrol(store, "nurse@nhs.test", now).await;
    let step = sign_in(
        store,
        "nurse@nhs.test",
        ExternalTwoFactor::Optional,
        SignInLimit::default(),
        now,
    )
    .await
    .expect("password right");
    assert!(matches!(
        step,
        SignInStep::TwoFactor(HalfSignedIn { enrol: false, .. })
    ));
    assert_eq!(
        ExternalTwoFactor::parse(" Optional "),
        Some(ExternalTwoFactor::Optional)
    );
    assert_eq!(ExternalTwoFactor::parse("required"), Some(REQUIRED));
    assert_eq!(ExternalTwoFactor::parse("off"), None);
}

async fn a_pending_sign_in_expires(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    account(store, "parent@family.test", Role::Parent).await;
    let (secret, _) = enrol(store, "parent@family.test", now).await;
    let half = half(store, "parent@family.test", now).await;
    let expired = now + PENDING_SIGN_IN_LASTS;
    let code = code_at(&secret, expired);
    let refused = complete(
        store,
        &half,
        SecondFactor::Code(&code),
        SignInLimit::default(),
        expired,
    )
    .await;
    assert!(matches!(refused, Err(AccountError::SignInExpired)));
    let unknown = accounts::complete_sign_in(
        store,
        "not-a-token",
        SecondFactor::Code(&code),
        CLIENT,
        SessionPolicy::default(),
        SignInLimit::default(),
        expired,
    )
    .await;
    assert!(matches!(unknown, Err(AccountError::SignInExpired)));
}

/// Signs `email` in with the password alone (an account without two factors).
async fn session(store: &Store, email: &str, now: DateTime<Utc>) -> SignedIn {
    match sign_in(store, email, REQUIRED, SignInLimit::default(), now).await {
        Ok(SignInStep::SignedIn(signed_in)) => signed_in,
        other => panic!("expected a session, got {other:?}"),
    }
}

async fn staff_set_two_factor_up_from_their_account_and_are_asked_for_codes_after(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let id = account(store, "tm@council.test", Role::TeamManager).await;
    let signed_in = session(store, "tm@council.test", now).await;
    assert!(!accounts::has_two_factor(store, id).await.unwrap());

    // Starting set-up ends the session; the pending sign-in must set the app up.
    let started = accounts::start_set_up(store, id, &signed_in.token, now)
        .await
        .expect("started");
    assert!(started.enrol);
    assert!(!live(store, &signed_in, now).await, "the session ended");
    let again = accounts::start_set_up(store, id, &signed_in.token, now).await;
    assert!(
        matches!(again, Err(AccountError::SignInExpired)),
        "{again:?}"
    );
    let setup = accounts::two_factor_setup(store, started.token.as_str(), now)
        .await
        .expect("setup");
    let done = complete(
        store,
        &started,
        SecondFactor::Code(&code_at(&setup.secret, now)),
        SignInLimit::default(),
        now,
    )
    .await
    .expect("set up");
    assert_eq!(done.recovery_codes.len(), RECOVERY_CODES);
    assert!(accounts::has_two_factor(store, id).await.unwrap());

    // From now on a staff account is asked for a code too, and cannot start set-up again.
    let later = now + Duration::minutes(5);
    let next = half(store, "tm@council.test", later).await;
    assert!(!next.enrol);
    let refused = accounts::start_set_up(store, id, &done.signed_in.token, later).await;
    assert!(
        matches!(refused, Err(AccountError::Invalid(_))),
        "{refused:?}"
    );
    assert!(
        live(store, &done.signed_in, later).await,
        "a refusal keeps the session"
    );
    assert!(
        audit_actions(store)
            .await
            .contains(&"account.two_factor_set_up_started".to_owned())
    );
}

async fn an_administrator_resets_two_factor_after_a_lost_phone(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let id = account(store, "parent@family.test", Role::Parent).await;
    let admin_id = account(store, "admin@council.test", Role::Admin).await;
    let admin = store.user(admin_id).await.unwrap().unwrap().actor();
    let manager_id = account(store, "cm@council.test", Role::CaseManager).await;
    let manager = store.user(manager_id).await.unwrap().unwrap().actor();
    let (secret, _) = enrol(store, "parent@family.test", now).await;
    let later = now + Duration::minutes(5);
    let signed_in = complete(
        store,
        &half(store, "parent@family.test", later).await,
        SecondFactor::Code(&code_at(&secret, later)),
        SignInLimit::default(),
        later,
    )
    .await
    .expect("signed in")
    .signed_in;

    let refused = accounts::reset_two_factor(store, &manager, id, later).await;
    assert!(
        matches!(refused, Err(AccountError::Forbidden)),
        "{refused:?}"
    );
    assert!(accounts::has_two_factor(store, id).await.unwrap());

    accounts::reset_two_factor(store, &admin, id, later)
        .await
        .expect("reset");
    assert!(!accounts::has_two_factor(store, id).await.unwrap());
    assert!(
        !live(store, &signed_in, later).await,
        "signed out everywhere"
    );
    // The next sign-in sets up a new secret; the old app's codes are worth nothing.
    let next = half(store, "parent@family.test", later).await;
    assert!(next.enrol);
    let setup = accounts::two_factor_setup(store, next.token.as_str(), later)
        .await
        .unwrap();
    assert_ne!(setup.secret, secret);
    let minute_on = later + Duration::minutes(1);
    let old = complete(
        store,
        &next,
        SecondFactor::Code(&code_at(&secret, minute_on)),
        SignInLimit::default(),
        minute_on,
    )
    .await;
    assert!(matches!(old, Err(AccountError::WrongCode)), "{old:?}");
    assert!(
        audit_actions(store)
            .await
            .contains(&"account.two_factor_reset".to_owned())
    );
}
