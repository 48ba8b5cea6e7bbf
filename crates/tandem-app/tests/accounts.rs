//! The account use-cases over a SQLite store: permissions, validation, sign-in and its limit,
//! and the audit entries each change writes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use chrono::{DateTime, Duration, SubsecRound, Utc};
use tandem_app::accounts::{
    self, AccountError, ExternalTwoFactor, NewAccount, SessionPolicy, SessionToken, SignInLimit,
    SignInStep, SignedIn,
};
use tandem_core::{Actor, Role};
use tandem_store::{AuditFilter, Store};

const PASSWORD: &str = "a sensible long password";
/// The client address the sign-ins here come from.
const CLIENT: &str = "192.0.2.1";

/// Signs in from [`CLIENT`] with the default session policy.
async fn attempt(
    store: &Store,
    email: &str,
    password: &str,
    limit: SignInLimit,
    at: DateTime<Utc>,
) -> Result<SignedIn, AccountError> {
    accounts::sign_in(
        store,
        email,
        password,
        CLIENT,
        SessionPolicy::default(),
        limit,
        // Two-factor sign-in is tested in two_factor.rs.
        ExternalTwoFactor::Optional,
        at,
    )
    .await
    .map(|step| match step {
        SignInStep::SignedIn(signed_in) => signed_in,
        SignInStep::TwoFactor(_) => panic!("no account here set two-factor sign-in up"),
    })
}

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
        ..SignInLimit::default()
    };

    let signed_in = attempt(&store, "P@example.org", PASSWORD, limit, now)
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
        let wrong = attempt(&store, "p@example.org", "wrong", limit, now).await;
        assert!(matches!(wrong, Err(AccountError::BadCredentials)));
    }
    let locked = attempt(&store, "p@example.org", PASSWORD, limit, now).await;
    assert!(matches!(locked, Err(AccountError::RateLimited { .. })));
    let later = now + limit.window + Duration::seconds(1);
    attempt(&store, "p@example.org", PASSWORD, limit, later)
        .await
        .expect("the window has passed");

    let unknown = attempt(&store, "who@example.org", PASSWORD, limit, now).await;
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

    accounts::add_team(&store, &admin, "East", now)
        .await
        .expect("a team");
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
        (Role::TeamManager, Some("East")),
        "the team as listed"
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
    let ended = attempt(&store, "p@example.org", PASSWORD, limit, now)
        .await
        .expect("sign in");
    let failed = attempt(&store, "p@example.org", "wrong", limit, now).await;
    assert!(matches!(failed, Err(AccountError::BadCredentials)));
    let later = now + policy.absolute + accounts::RETENTION + Duration::minutes(1);
    let live = attempt(&store, "p@example.org", PASSWORD, limit, later)
        .await
        .expect("sign in later");

    // The first session and both early attempts are gone; the later ones stay.
    assert_eq!(
        accounts::purge_expired(&store, later).await.expect("purge"),
        (1, 4),
        "each attempt is counted for the account from its client, and for the client"
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

#[tokio::test]
async fn each_further_run_of_failures_doubles_the_wait_and_a_success_starts_afresh() {
    let (store, _dir) = store().await;
    let start = Utc::now();
    accounts::create_account(&store, None, account("p@example.org", Role::Parent), start)
        .await
        .expect("create");
    let limit = SignInLimit::default();
    let sign_in = |password: &'static str, at| {
        let store = store.clone();
        async move { attempt(&store, "p@example.org", password, limit, at).await }
    };
    let mut now = start;
    for _ in 0..5 {
        assert!(matches!(
            sign_in("wrong", now).await,
            Err(AccountError::BadCredentials)
        ));
    }
    let Err(AccountError::RateLimited { until }) = sign_in(PASSWORD, now).await else {
        panic!("locked after five failures");
    };
    assert_eq!(until, now.trunc_subsecs(6) + limit.window);
    // Five more failures once the first wait is over: the next wait is twice as long.
    now += limit.window + Duration::seconds(1);
    for _ in 0..5 {
        assert!(matches!(
            sign_in("wrong", now).await,
            Err(AccountError::BadCredentials) | Err(AccountError::RateLimited { .. })
        ));
        now += limit.window + Duration::seconds(1);
    }
    now -= limit.window + Duration::seconds(1);
    let Err(AccountError::RateLimited { until }) = sign_in(PASSWORD, now).await else {
        panic!("locked again");
    };
    assert_eq!(until, now.trunc_subsecs(6) + limit.window * 2);
    let Err(AccountError::RateLimited { .. }) =
        sign_in(PASSWORD, now + limit.window + Duration::seconds(1)).await
    else {
        panic!("still waiting after one window");
    };
    now += limit.window * 2 + Duration::seconds(1);
    sign_in(PASSWORD, now).await.expect("the wait is over");
    // The success starts the count afresh: one failure does not lock.
    assert!(matches!(
        sign_in("wrong", now).await,
        Err(AccountError::BadCredentials)
    ));
    sign_in(PASSWORD, now).await.expect("not locked");
}

#[test]
fn the_wait_grows_with_each_run_of_failures_up_to_a_day() {
    let limit = SignInLimit::default();
    let last = Utc::now();
    let wait = |count| {
        limit
            .locked_until(tandem_store::SignInFailures {
                count,
                last_at: Some(last),
            })
            .map(|until| until - last)
    };
    assert_eq!(wait(4), None);
    assert_eq!(wait(5), Some(Duration::minutes(15)));
    assert_eq!(wait(9), Some(Duration::minutes(15)));
    assert_eq!(wait(10), Some(Duration::minutes(30)));
    assert_eq!(wait(15), Some(Duration::minutes(60)));
    assert_eq!(wait(10_000), Some(accounts::RETENTION));
    assert_eq!(
        limit.locked_until(tandem_store::SignInFailures {
            count: 7,
            last_at: None
        }),
        None
    );
}

#[tokio::test]
async fn an_administrator_corrects_a_name_and_email_and_the_new_address_signs_in() {
    let (store, _dir) = store().await;
    let now = Utc::now();
    let admin_id = accounts::create_account(
        &store,
        None,
        account("admin@council.test", Role::Admin),
        now,
    )
    .await
    .unwrap();
    let admin = actor(&store, admin_id).await;
    let id = accounts::create_account(
        &store,
        None,
        account("sam@council.test", Role::CaseManager),
        now,
    )
    .await
    .unwrap();
    accounts::create_account(
        &store,
        None,
        account("kim@council.test", Role::CaseManager),
        now,
    )
    .await
    .unwrap();
    let sam = actor(&store, id).await;

    let refused =
        accounts::set_name_and_email(&store, &sam, id, "Sam Smith", "sam@council.test", now).await;
    assert!(
        matches!(refused, Err(AccountError::Forbidden)),
        "{refused:?}"
    );
    // Blank, malformed and taken values are refused field by field, and nothing is saved.
    for (name, email, fields) in [
        ("", "not an address", vec!["email", "name"]),
        ("Sam Smith", "KIM@council.test", vec!["email"]),
    ] {
        let Err(AccountError::Invalid(problems)) =
            accounts::set_name_and_email(&store, &admin, id, name, email, now).await
        else {
            panic!("{name:?} {email:?} accepted");
        };
        let mut got: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        got.sort_unstable();
        assert_eq!(got, fields);
    }
    let unchanged = store.user(id).await.unwrap().unwrap();
    assert_eq!(
        (unchanged.name.as_str(), unchanged.email.as_str()),
        ("Sam Example", "sam@council.test")
    );

    accounts::set_name_and_email(
        &store,
        &admin,
        id,
        " Sam Smith ",
        "Sam.Smith@Council.test",
        now,
    )
    .await
    .expect("saved");
    let changed = store.user(id).await.unwrap().unwrap();
    assert_eq!(
        (changed.name.as_str(), changed.email.as_str()),
        ("Sam Smith", "sam.smith@council.test")
    );
    assert!(
        attempt(
            &store,
            "sam.smith@council.test",
            PASSWORD,
            SignInLimit::default(),
            now
        )
        .await
        .is_ok()
    );
    assert!(
        attempt(
            &store,
            "sam@council.test",
            PASSWORD,
            SignInLimit::default(),
            now
        )
        .await
        .is_err()
    );
    assert!(
        actions(&store)
            .await
            .contains(&"account.details".to_owned())
    );
}

#[tokio::test]
async fn disabling_a_case_manager_hands_their_cases_to_someone_active() {
    use tandem_app::services::{Caller, NewRequest, Services, Source};
    let (store, _dir) = store().await;
    let now = Utc::now();
    let make = |email: &'static str, role| {
        let store = store.clone();
        async move {
            let id = accounts::create_account(&store, None, account(email, role), now)
                .await
                .unwrap();
            actor(&store, id).await
        }
    };
    let admin = make("admin@council.test", Role::Admin).await;
    let leaving = make("leaving@council.test", Role::CaseManager).await;
    let staying = make("staying@council.test", Role::CaseManager).await;
    let parent = make("parent@family.test", Role::Parent).await;
    let services = Services::new(store.clone());
    for n in 1..=2 {
        let mut child = tandem_core::Child {
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2015, 6, n),
            ..tandem_core::Child::default()
        };
        child
            .other
            .insert("given_name".into(), serde_json::json!("Robin"));
        child
            .other
            .insert("family_name".into(), serde_json::json!("Testcase"));
        services
            .open_case(
                &Caller::new(leaving.clone(), Source::Form),
                &NewRequest {
                    reference: Some(tandem_core::Reference::parse(&format!("EHC-{n}")).unwrap()),
                    requested_by: None,
                    child,
                    received: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
                    case_manager: Some(leaving.id),
                    same_child_as: None,
                    different_child: true,
                },
            )
            .await
            .expect("open");
    }
    assert_eq!(
        accounts::cases_held(&store, &admin, leaving.id, now)
            .await
            .unwrap(),
        2
    );

    // Cases go only to an active case manager or team manager, never to the person leaving.
    for to in [parent.id, leaving.id, 9_999] {
        let refused =
            accounts::disable_and_hand_over(&store, &admin, leaving.id, Some(to), now).await;
        assert!(
            matches!(refused, Err(AccountError::Invalid(_))),
            "{to}: {refused:?}"
        );
    }
    assert!(
        !store.user(leaving.id).await.unwrap().unwrap().disabled,
        "nothing saved"
    );
    let refused =
        accounts::disable_and_hand_over(&store, &staying, leaving.id, Some(staying.id), now).await;
    assert!(matches!(refused, Err(AccountError::Forbidden)));

    let handed = accounts::disable_and_hand_over(&store, &admin, leaving.id, Some(staying.id), now)
        .await
        .expect("disabled");
    assert_eq!(handed, 2);
    assert!(store.user(leaving.id).await.unwrap().unwrap().disabled);
    assert_eq!(
        accounts::cases_held(&store, &admin, leaving.id, now)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        accounts::cases_held(&store, &admin, staying.id, now)
            .await
            .unwrap(),
        2
    );
    let log = store
        .audit_log(&AuditFilter {
            action: Some("case.assign".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|e| e.detail["reason"] == "account_disabled"));
}

#[tokio::test]
async fn teams_are_a_list_administrators_keep() {
    let (store, _dir) = store().await;
    let now = Utc::now();
    let admin =
        accounts::create_account(&store, None, account("admin@example.org", Role::Admin), now)
            .await
            .expect("admin");
    let admin = actor(&store, admin).await;
    // The command line names a team freely, and it joins the list.
    let cli = NewAccount {
        team: Some("North".into()),
        ..account("cm@example.org", Role::CaseManager)
    };
    let cm = accounts::create_account(&store, None, cli, now)
        .await
        .expect("case manager");
    let cm = actor(&store, cm).await;
    // An administrator chooses from the list: another name is refused, and nothing is saved.
    let unlisted = NewAccount {
        team: Some("Nroth".into()),
        ..account("cm2@example.org", Role::CaseManager)
    };
    let Err(AccountError::Invalid(problems)) =
        accounts::create_account(&store, Some(&admin), unlisted, now).await
    else {
        panic!("an unlisted team is refused");
    };
    assert_eq!(problems[0].field, "team");
    assert!(
        store
            .user_by_email("cm2@example.org")
            .await
            .unwrap()
            .is_none()
    );
    let listed = NewAccount {
        team: Some("north".into()),
        ..account("cm2@example.org", Role::CaseManager)
    };
    let second = accounts::create_account(&store, Some(&admin), listed, now)
        .await
        .expect("a listed team, in any case of letters");
    assert_eq!(
        store.user(second).await.unwrap().unwrap().team.as_deref(),
        Some("North")
    );
    let refused = accounts::set_role(
        &store,
        &admin,
        second,
        Role::CaseManager,
        Some("South"),
        now,
    )
    .await;
    assert!(matches!(refused, Err(AccountError::Invalid(_))));

    // Adding: a name is needed, once.
    for (name, message) in [
        ("  ", "Enter the team’s name"),
        ("NORTH", "There is already a team called North"),
    ] {
        let Err(AccountError::Invalid(problems)) =
            accounts::add_team(&store, &admin, name, now).await
        else {
            panic!("{name:?} refused");
        };
        assert_eq!(problems[0].message, message);
    }
    accounts::add_team(&store, &admin, " South ", now)
        .await
        .expect("added");
    let teams = accounts::teams(&store, &admin).await.expect("teams");
    let listed: Vec<(&str, i64)> = teams.iter().map(|t| (t.name.as_str(), t.people)).collect();
    assert_eq!(listed, [("North", 2), ("South", 0)]);
    // Removing: only a team nobody is in.
    let Err(AccountError::Invalid(problems)) =
        accounts::remove_team(&store, &admin, "North", now).await
    else {
        panic!("a team in use stays");
    };
    assert_eq!(
        problems[0].message,
        "North still has 2 people and 0 cases: move them to another team first"
    );
    accounts::remove_team(&store, &admin, "South", now)
        .await
        .expect("removed");
    // Only administrators.
    assert!(matches!(
        accounts::teams(&store, &cm).await,
        Err(AccountError::Forbidden)
    ));
    assert!(matches!(
        accounts::add_team(&store, &cm, "West", now).await,
        Err(AccountError::Forbidden)
    ));
    let audited = actions(&store).await;
    assert!(audited.iter().any(|a| a == "team.add"));
    assert!(audited.iter().any(|a| a == "team.remove"));
}
