//! The account use-cases over a SQLite store: permissions, validation, sign-in and its limit,
//! and the audit entries each change writes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use chrono::{Duration, SubsecRound, Utc};
use tandem_app::accounts::{
    self, AccountError, NewAccount, SessionPolicy, SessionToken, SignInLimit,
};
use tandem_core::{Actor, Role};
use tandem_store::{AuditFilter, Store};

const PASSWORD: &str = "a sensible long password";

async fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::open(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    (store, dir)
}

fn account(email: &str, role: Role) -> NewAccount {
    NewAccount {
        email: email.into(),
        name: "Sam Example".into(),
        role,
        team: Some("  ".into()),
        provider: None,
        password: PASSWORD.into(),
    }
}

async fn actor(store: &Store, id: i64) -> Actor {
    store.user(id).await.expect("read").expect("user").actor()
}

async fn actions(store: &Store) -> Vec<String> {
    let mut log = store
        .audit_log(&AuditFilter::default())
        .await
        .expect("audit");
    log.reverse();
    log.into_iter().map(|r| r.action).collect()
}

#[tokio::test]
async fn accounts_are_created_by_the_command_line_or_administrators_only() {
    let (store, _dir) = store().await;
    let now = Utc::now();
    let admin = accounts::create_account(
        &store,
        None,
        account(" Admin@Example.org ", Role::Admin),
        now,
    )
    .await
    .expect("create admin");
    let admin_user = store.user(admin).await.expect("read").expect("admin");
    assert_eq!(admin_user.email, "admin@example.org");
    assert_eq!(admin_user.team, None);
    assert!(admin_user.password_hash.starts_with("$argon2id$"));
    assert!(accounts::verify_password(
        PASSWORD,
        &admin_user.password_hash
    ));

    let admin = admin_user.actor();
    let cm = accounts::create_account(
        &store,
        Some(&admin),
        account("cm@example.org", Role::CaseManager),
        now,
    )
    .await
    .expect("create case manager");
    let cm = actor(&store, cm).await;
    let refused = accounts::create_account(
        &store,
        Some(&cm),
        account("x@example.org", Role::Admin),
        now,
    )
    .await;
    assert!(matches!(refused, Err(AccountError::Forbidden)));
    assert!(matches!(
        accounts::list_accounts(&store, &cm).await,
        Err(AccountError::Forbidden)
    ));
    assert_eq!(
        accounts::list_accounts(&store, &admin)
            .await
            .expect("list")
            .len(),
        2
    );

    let log = store
        .audit_log(&AuditFilter::default())
        .await
        .expect("audit");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].actor, Some(admin.id));
    assert_eq!(log[1].actor, None, "the command line has no account");
    assert!(
        log.iter()
            .all(|r| !r.detail.to_string().contains("example.org"))
    );
}

#[tokio::test]
async fn new_accounts_are_validated_field_by_field() {
    let (store, _dir) = store().await;
    let bad = NewAccount {
        email: "no-at-sign".into(),
        name: " ".into(),
        role: Role::Parent,
        team: Some("t".repeat(65)),
        provider: Some("A service".into()),
        password: "short".into(),
    };
    let Err(AccountError::Invalid(errors)) =
        accounts::create_account(&store, None, bad, Utc::now()).await
    else {
        panic!("expected field errors");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["email", "name", "provider", "team", "password"]);

    accounts::create_account(
        &store,
        None,
        account("a@example.org", Role::Parent),
        Utc::now(),
    )
    .await
    .expect("first");
    let Err(AccountError::Invalid(errors)) = accounts::create_account(
        &store,
        None,
        account("A@example.org", Role::Parent),
        Utc::now(),
    )
    .await
    else {
        panic!("expected a duplicate");
    };
    assert_eq!(errors[0].field, "email");
}

#[tokio::test]
async fn sign_in_checks_the_password_and_limits_failures() {
    let (store, _dir) = store().await;
    let now = Utc::now();
    let id = accounts::create_account(&store, None, account("p@example.org", Role::Parent), now)
        .await
        .expect("create");
    let policy = SessionPolicy::default();
    let limit = SignInLimit {
        max_failures: 2,
        window: Duration::minutes(10),
    };

    let signed_in = accounts::sign_in(&store, "P@example.org", PASSWORD, policy, limit, now)
        .await
        .expect("sign in");
    assert_eq!(signed_in.user.id, id);
    let (session, user) = accounts::current_session(&store, &signed_in.token, policy, now)
        .await
        .expect("lookup")
        .expect("live");
    assert_eq!((session.id, user.id), (signed_in.session_id, id));
    assert_eq!(session.expires_at, now.trunc_subsecs(6) + policy.absolute);
    assert!(
        accounts::current_session(&store, &SessionToken::from_cookie("forged"), policy, now)
            .await
            .expect("lookup")
            .is_none()
    );

    for _ in 0..2 {
        let wrong = accounts::sign_in(&store, "p@example.org", "wrong", policy, limit, now).await;
        assert!(matches!(wrong, Err(AccountError::BadCredentials)));
    }
    let locked = accounts::sign_in(&store, "p@example.org", PASSWORD, policy, limit, now).await;
    assert!(matches!(locked, Err(AccountError::RateLimited)));
    let later = now + limit.window + Duration::seconds(1);
    accounts::sign_in(&store, "p@example.org", PASSWORD, policy, limit, later)
        .await
        .expect("the window has passed");

    let unknown = accounts::sign_in(&store, "who@example.org", PASSWORD, policy, limit, now).await;
    assert!(matches!(unknown, Err(AccountError::BadCredentials)));

    accounts::sign_out(&store, id, &signed_in.token, now)
        .await
        .expect("sign out");
    assert!(
        accounts::current_session(&store, &signed_in.token, policy, now)
            .await
            .expect("lookup")
            .is_none()
    );
    assert_eq!(
        actions(&store).await,
        [
            "account.create",
            "session.sign_in",
            "session.sign_in_failed",
            "session.sign_in_failed",
            "session.sign_in_refused",
            "session.sign_in",
            "session.sign_in_failed",
            "session.sign_out",
        ]
    );
}

#[tokio::test]
async fn administrators_manage_others_but_not_themselves() {
    let (store, _dir) = store().await;
    let now = Utc::now();
    let admin =
        accounts::create_account(&store, None, account("admin@example.org", Role::Admin), now)
            .await
            .expect("admin");
    let admin = actor(&store, admin).await;
    let other =
        accounts::create_account(&store, None, account("o@example.org", Role::Analyst), now)
            .await
            .expect("other");
    let analyst = actor(&store, other).await;

    accounts::set_role(
        &store,
        &admin,
        other,
        Role::TeamManager,
        Some(" east "),
        now,
    )
    .await
    .expect("set role");
    let changed = store.user(other).await.expect("read").expect("user");
    assert_eq!(
        (changed.role, changed.team.as_deref()),
        (Role::TeamManager, Some("east"))
    );

    assert!(matches!(
        accounts::set_role(&store, &admin, admin.id, Role::Parent, None, now).await,
        Err(AccountError::OwnAccount)
    ));
    assert!(matches!(
        accounts::set_account_disabled(&store, &admin, admin.id, true, now).await,
        Err(AccountError::OwnAccount)
    ));
    assert!(matches!(
        accounts::set_account_disabled(&store, &analyst, admin.id, true, now).await,
        Err(AccountError::Forbidden)
    ));
    assert!(matches!(
        accounts::set_account_disabled(&store, &admin, 999_999, true, now).await,
        Err(AccountError::UserNotFound)
    ));

    // Anyone may end their own sessions; only administrators anyone else's.
    assert_eq!(
        accounts::sign_out_everywhere(&store, &analyst, other, now)
            .await
            .expect("own sessions"),
        0
    );
    assert!(matches!(
        accounts::sign_out_everywhere(&store, &analyst, admin.id, now).await,
        Err(AccountError::Forbidden)
    ));
    accounts::set_account_disabled(&store, &admin, other, true, now)
        .await
        .expect("disable");
    assert!(
        store
            .user(other)
            .await
            .expect("read")
            .expect("user")
            .disabled
    );
}

#[tokio::test]
async fn generated_passwords_are_long_random_and_accepted() {
    let (store, _dir) = store().await;
    let first = accounts::generate_password().expect("password");
    assert_eq!(first.chars().count(), 20);
    assert_ne!(first, accounts::generate_password().expect("password"));
    let new = NewAccount {
        password: first.clone(),
        ..account("g@example.org", Role::Parent)
    };
    accounts::create_account(&store, None, new, Utc::now())
        .await
        .expect("a generated password is valid");
    let user = store
        .user_by_email("g@example.org")
        .await
        .expect("read")
        .expect("user");
    assert!(accounts::verify_password(&first, &user.password_hash));
}

#[tokio::test]
async fn ended_sessions_and_old_attempts_are_purged() {
    let (store, _dir) = store().await;
    let now = Utc::now();
    accounts::create_account(&store, None, account("p@example.org", Role::Parent), now)
        .await
        .expect("create");
    let policy = SessionPolicy::default();
    let limit = SignInLimit::default();
    let ended = accounts::sign_in(&store, "p@example.org", PASSWORD, policy, limit, now)
        .await
        .expect("sign in");
    let failed = accounts::sign_in(&store, "p@example.org", "wrong", policy, limit, now).await;
    assert!(matches!(failed, Err(AccountError::BadCredentials)));
    let later = now + policy.absolute + accounts::RETENTION + Duration::minutes(1);
    let live = accounts::sign_in(&store, "p@example.org", PASSWORD, policy, limit, later)
        .await
        .expect("sign in later");

    // The first session and both early attempts are gone; the later ones stay.
    assert_eq!(
        accounts::purge_expired(&store, later).await.expect("purge"),
        (1, 2)
    );
    assert!(
        accounts::current_session(&store, &live.token, policy, later)
            .await
            .expect("lookup")
            .is_some()
    );
    assert!(
        accounts::current_session(&store, &ended.token, policy, now)
            .await
            .expect("lookup")
            .is_none()
    );
}
