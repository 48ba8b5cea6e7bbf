//! Invitations and password resets by email, on SQLite and PostgreSQL: an administrator or a
//! case manager invites, the email with its single-use link is queued in the same transaction,
//! and the link sets a password once; an expired, reused or unknown link is refused and saves
//! nothing. A reset link, asked for by anyone who types an address, says nothing of who has an
//! account, never enables one, and ends every session when it is used.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use tandem_app::accounts::{
    self, AccountError, ExternalTwoFactor, InvitePolicy, NewAccount, SessionPolicy, SignInStep,
};
use tandem_app::services::{Caller, NewRequest, Services, Source};
use tandem_core::{Actor, Child, Reference, Role};
use tandem_store::{AuditFilter, Store};
use tandem_test_support::{Ctx, at, contract, date};

contract!(
    an_invited_parent_sets_a_password_once_and_signs_in,
    expired_reused_and_unknown_links_are_refused_and_save_nothing,
    only_administrators_and_the_case_manager_of_the_case_invite,
    an_administrator_sends_a_new_invitation_or_withdraws_it,
    a_forgotten_password_is_reset_once_by_email_and_every_session_ends,
    a_reset_link_goes_only_to_enabled_accounts_a_few_times_an_hour_and_expires,
);

const PASSWORD: &str = "a long enough password";
/// These tests are about invitations; two-factor sign-in after one is in `two_factor.rs`.
const OPTIONAL: ExternalTwoFactor = ExternalTwoFactor::Optional;

fn policy() -> InvitePolicy {
    InvitePolicy {
        public_url: "https://tandem.council.test/".into(),
        valid_for: Duration::days(7),
    }
}

fn person(email: &str, role: Role) -> NewAccount {
    NewAccount {
        email: email.into(),
        name: format!("Person {email}"),
        role,
        team: None,
        provider: None,
        password: String::new(),
    }
}

async fn staff(store: &Store, email: &str, role: Role) -> Actor {
    let account = NewAccount {
        password: PASSWORD.into(),
        ..person(email, role)
    };
    let id = accounts::create_account(store, None, account, Utc::now())
        .await
        .expect("account");
    store.user(id).await.unwrap().unwrap().actor()
}

/// A case `EHC-1` managed by a case manager; returns the case manager.
async fn case(store: &Store) -> (Actor, Reference) {
    let manager = staff(store, "cm@council.test", Role::CaseManager).await;
    let mut child = Child {
        date_of_birth: Some(date("2015-06-01")),
        ..Child::default()
    };
    child.other.insert("given_name".into(), json!("Robin"));
    child.other.insert("family_name".into(), json!("Testcase"));
    let reference = Reference::parse("EHC-1").unwrap();
    Services::new(store.clone())
        .open_case(
            &Caller::new(manager.clone(), Source::Form),
            &NewRequest {
                reference: Some(reference.clone()),
                requested_by: None,
                child,
                received: date("2026-01-05"),
                case_manager: Some(manager.id),
                same_child_as: None,
                different_child: false,
            },
        )
        .await
        .expect("open");
    (manager, reference)
}

/// An administrator's invitation of `email` with `role`, to no case.
async fn invite_by_email(
    store: &Store,
    admin: &Actor,
    email: &str,
    role: Role,
    now: DateTime<Utc>,
) -> i64 {
    accounts::invite(store, admin, person(email, role), None, &policy(), now)
        .await
        .expect("invite")
}

/// The token of the one queued invitation's link, read from the outbox as the mailer would.
async fn emailed_token(store: &Store, now: DateTime<Utc>) -> String {
    let (subject, token) = emailed_link(store, now, "invitations")
        .await
        .expect("an email queued");
    assert_eq!(subject, "Tandem: you have been invited to use Tandem");
    token
}

/// The subject and link token of the next queued email, whose link must lead to `path`, read
/// from the outbox as the mailer would (and marked sent); `None` when nothing is queued.
async fn emailed_link(store: &Store, now: DateTime<Utc>, path: &str) -> Option<(String, String)> {
    let mut tx = store.begin_at(now).await.unwrap();
    let email = tx.claim_email(now + Duration::minutes(10)).await.unwrap()?;
    // Sent, as the mailer would record it, so that the next call reads the next email.
    assert!(tx.email_sent(&email).await.unwrap());
    tx.commit().await.unwrap();
    let link = email
        .body
        .lines()
        .find(|line| line.starts_with("https://"))
        .expect("a link");
    let token = link
        .strip_prefix(&format!("https://tandem.council.test/{path}/"))
        .unwrap_or_else(|| panic!("a link to /{path}/: {link}"))
        .to_owned();
    Some((email.subject, token))
}

async fn audit_actions(store: &Store) -> Vec<String> {
    let log = store.audit_log(&AuditFilter::default()).await.unwrap();
    log.into_iter().map(|r| r.action).collect()
}

async fn an_invited_parent_sets_a_password_once_and_signs_in(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let (manager, reference) = case(store).await;
    let id = accounts::invite(
        store,
        &manager,
        person("Parent@Family.test", Role::Parent),
        Some(&reference),
        &policy(),
        now,
    )
    .await
    .expect("invite");
    let invited = store.user(id).await.unwrap().unwrap();
    assert!(
        invited.disabled,
        "no sign-in before the invitation is accepted"
    );
    let token = emailed_token(store, now).await;
    assert_eq!(token.len(), 43, "256 bits as URL-safe base64");
    let refused = accounts::sign_in(
        store,
        "parent@family.test",
        "!invited",
        "192.0.2.1",
        SessionPolicy::default(),
        Default::default(),
        OPTIONAL,
        now,
    )
    .await;
    assert!(matches!(refused, Err(AccountError::BadCredentials)));

    let later = now + Duration::days(6);
    assert!(
        accounts::invitation_open(store, &token, later)
            .await
            .unwrap()
    );
    let short = accounts::accept_invitation(
        store,
        &token,
        "too short",
        SessionPolicy::default(),
        OPTIONAL,
        later,
    )
    .await;
    assert!(matches!(short, Err(AccountError::Invalid(_))));
    assert!(
        accounts::invitation_open(store, &token, later)
            .await
            .unwrap(),
        "a refused password uses nothing"
    );
    let signed_in = accounts::accept_invitation(
        store,
        &token,
        PASSWORD,
        SessionPolicy::default(),
        OPTIONAL,
        later,
    )
    .await
    .expect("accept");
    let SignInStep::SignedIn(signed_in) = signed_in else {
        panic!("optional two-factor sign-in: a session at once");
    };
    assert_eq!(signed_in.user.id, id);
    assert!(!signed_in.user.disabled);
    accounts::sign_in(
        store,
        "parent@family.test",
        PASSWORD,
        "192.0.2.1",
        SessionPolicy::default(),
        Default::default(),
        OPTIONAL,
        later,
    )
    .await
    .expect("signs in with the password set");
    let again = accounts::accept_invitation(
        store,
        &token,
        "another long password",
        SessionPolicy::default(),
        OPTIONAL,
        later,
    )
    .await;
    assert!(
        matches!(again, Err(AccountError::InvitationClosed)),
        "a link works once"
    );
    let actions = audit_actions(store).await;
    for action in [
        "account.invite",
        "account.invitation_accepted",
        "account.invitation_refused",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} audited");
    }
    let log = serde_json::to_string(
        &store
            .audit_log(&AuditFilter::default())
            .await
            .unwrap()
            .iter()
            .map(|r| r.detail.clone())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(
        !log.contains("family.test") && !log.contains(&token),
        "no personal data or token in the audit log"
    );
}

async fn expired_reused_and_unknown_links_are_refused_and_save_nothing(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let admin = staff(store, "admin@council.test", Role::Admin).await;
    let id = invite_by_email(
        store,
        &admin,
        "nurse@nhs.test",
        Role::HealthProfessional,
        now,
    )
    .await;
    let token = emailed_token(store, now).await;
    let expired = now + Duration::days(7);
    assert!(
        !accounts::invitation_open(store, &token, expired)
            .await
            .unwrap()
    );
    for (link, when) in [(token.as_str(), expired), ("not-a-token", now)] {
        let refused = accounts::accept_invitation(
            store,
            link,
            PASSWORD,
            SessionPolicy::default(),
            OPTIONAL,
            when,
        )
        .await;
        assert!(
            matches!(refused, Err(AccountError::InvitationClosed)),
            "{link}"
        );
    }
    let user = store.user(id).await.unwrap().unwrap();
    assert!(user.disabled, "still disabled");
    assert_eq!(user.password_hash, "!invited", "no password saved");

    // A used link is refused too, and the second password is not saved.
    let id = invite_by_email(
        store,
        &admin,
        "teacher@school.test",
        Role::EducationSetting,
        now,
    )
    .await;
    let token = emailed_token(store, now).await;
    accounts::accept_invitation(
        store,
        &token,
        PASSWORD,
        SessionPolicy::default(),
        OPTIONAL,
        now,
    )
    .await
    .expect("accept");
    let hash = store.user(id).await.unwrap().unwrap().password_hash;
    let reused = accounts::accept_invitation(
        store,
        &token,
        "a different long password",
        SessionPolicy::default(),
        OPTIONAL,
        now,
    )
    .await;
    assert!(matches!(reused, Err(AccountError::InvitationClosed)));
    assert_eq!(store.user(id).await.unwrap().unwrap().password_hash, hash);
}

async fn only_administrators_and_the_case_manager_of_the_case_invite(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let (manager, reference) = case(store).await;
    let other = staff(store, "other@council.test", Role::CaseManager).await;
    let parent = |email: &str| person(email, Role::Parent);
    let refused = [
        accounts::invite(
            store,
            &other,
            parent("a@family.test"),
            Some(&reference),
            &policy(),
            now,
        )
        .await,
        accounts::invite(
            store,
            &manager,
            parent("b@family.test"),
            None,
            &policy(),
            now,
        )
        .await,
        accounts::invite(
            store,
            &manager,
            person("c@nhs.test", Role::HealthProfessional),
            None,
            &policy(),
            now,
        )
        .await,
    ];
    for result in refused {
        assert!(matches!(result, Err(AccountError::Forbidden)), "{result:?}");
    }
    let nurse = staff(store, "nurse@nhs.test", Role::HealthProfessional).await;
    let result = accounts::invite(
        store,
        &nurse,
        parent("d@family.test"),
        Some(&reference),
        &policy(),
        now,
    )
    .await;
    assert!(matches!(result, Err(AccountError::Forbidden)));
    let result = accounts::invite(
        store,
        &manager,
        person("bad", Role::Parent),
        Some(&reference),
        &policy(),
        now,
    )
    .await;
    assert!(matches!(result, Err(AccountError::Invalid(_))));
    assert_eq!(
        store.users().await.unwrap().len(),
        3,
        "no account saved for a refused invitation"
    );
    let mut tx = store.begin_at(now).await.unwrap();
    assert!(
        tx.claim_email(now + Duration::minutes(10))
            .await
            .unwrap()
            .is_none(),
        "no email queued"
    );
}

async fn an_administrator_sends_a_new_invitation_or_withdraws_it(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let later = |days| now + Duration::days(days);
    let admin = staff(store, "admin@council.test", Role::Admin).await;
    let (manager, _) = case(store).await;
    let id = invite_by_email(
        store,
        &admin,
        "sw@council.test",
        Role::SocialCareProfessional,
        now,
    )
    .await;
    let first = emailed_token(store, now).await;

    // A new invitation: the first link stops working, the new one works for its own 7 days.
    let refused = accounts::reinvite(store, &manager, id, &policy(), later(1)).await;
    assert!(
        matches!(refused, Err(AccountError::Forbidden)),
        "{refused:?}"
    );
    accounts::reinvite(store, &admin, id, &policy(), later(1))
        .await
        .expect("reinvite");
    let second = emailed_token(store, later(1)).await;
    assert!(
        !accounts::invitation_open(store, &first, later(1))
            .await
            .unwrap()
    );
    assert!(
        accounts::invitation_open(store, &second, later(7))
            .await
            .unwrap()
    );
    let settings = accounts::sign_in_settings(store, &admin, id).await.unwrap();
    assert!(!settings.joined && !settings.two_factor);
    let invitation = settings.invitation.expect("an invitation");
    assert_eq!(invitation.expires_at, later(8));
    assert!(invitation.open_at(later(2)));

    // Withdrawn: the link is refused, nothing is saved, and there is nothing left to withdraw.
    accounts::withdraw_invitation(store, &admin, id, later(2))
        .await
        .expect("withdraw");
    let refused = accounts::accept_invitation(
        store,
        &second,
        PASSWORD,
        SessionPolicy::default(),
        OPTIONAL,
        later(2),
    )
    .await;
    assert!(matches!(refused, Err(AccountError::InvitationClosed)));
    let user = store.user(id).await.unwrap().unwrap();
    assert!(user.disabled);
    assert_eq!(user.password_hash, "!invited");
    let again = accounts::withdraw_invitation(store, &admin, id, later(2)).await;
    let Err(AccountError::Invalid(problems)) = again else {
        panic!("{again:?}");
    };
    assert_eq!(problems[0].field, "invitation");

    // Invited again, the person joins; after that there is no invitation to send or withdraw.
    accounts::reinvite(store, &admin, id, &policy(), later(3))
        .await
        .expect("reinvite");
    let third = emailed_token(store, later(3)).await;
    accounts::accept_invitation(
        store,
        &third,
        PASSWORD,
        SessionPolicy::default(),
        OPTIONAL,
        later(3),
    )
    .await
    .expect("accept");
    for refused in [
        accounts::reinvite(store, &admin, id, &policy(), later(4)).await,
        accounts::withdraw_invitation(store, &admin, id, later(4)).await,
    ] {
        assert!(
            matches!(refused, Err(AccountError::Invalid(_))),
            "{refused:?}"
        );
    }
    let settings = accounts::sign_in_settings(store, &admin, id).await.unwrap();
    assert!(settings.joined);
    assert_eq!(settings.invitation.unwrap().used_at, Some(later(3)));
    let actions = audit_actions(store).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "account.reinvite").count(),
        2
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "account.invitation_withdrawn")
            .count(),
        1
    );
}

const URL: &str = "https://tandem.council.test/";
const NEW_PASSWORD: &str = "three random words again";

async fn sign_in_with(
    store: &Store,
    password: &str,
    now: DateTime<Utc>,
) -> Result<SignInStep, AccountError> {
    accounts::sign_in(
        store,
        "cm@council.test",
        password,
        "192.0.2.1",
        SessionPolicy::default(),
        Default::default(),
        OPTIONAL,
        now,
    )
    .await
}

async fn a_forgotten_password_is_reset_once_by_email_and_every_session_ends(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let manager = staff(store, "cm@council.test", Role::CaseManager).await;
    let Ok(SignInStep::SignedIn(before)) = sign_in_with(store, PASSWORD, now).await else {
        panic!("signs in");
    };
    // The address as typed, in any case.
    accounts::request_password_reset(store, " CM@Council.test ", URL, now)
        .await
        .expect("asked");
    let (subject, token) = emailed_link(store, now, "password-reset")
        .await
        .expect("a reset email");
    assert_eq!(subject, "Tandem: set a new password");
    assert!(
        accounts::password_reset_open(store, &token, now)
            .await
            .unwrap()
    );
    // A reset link is not an invitation, nor the other way round.
    assert!(!accounts::invitation_open(store, &token, now).await.unwrap());
    let as_invitation = accounts::accept_invitation(
        store,
        &token,
        NEW_PASSWORD,
        SessionPolicy::default(),
        OPTIONAL,
        now,
    )
    .await;
    assert!(matches!(as_invitation, Err(AccountError::InvitationClosed)));
    // A password too short is refused and uses nothing.
    let short = accounts::reset_password(store, &token, "too short", now).await;
    assert!(matches!(short, Err(AccountError::Invalid(_))));
    assert!(
        accounts::password_reset_open(store, &token, now)
            .await
            .unwrap()
    );

    accounts::reset_password(store, &token, NEW_PASSWORD, now)
        .await
        .expect("reset");
    let session = accounts::current_session(store, &before.token, SessionPolicy::default(), now)
        .await
        .unwrap();
    assert!(session.is_none(), "every session ends");
    assert!(matches!(
        sign_in_with(store, PASSWORD, now).await,
        Err(AccountError::BadCredentials)
    ));
    let Ok(SignInStep::SignedIn(after)) = sign_in_with(store, NEW_PASSWORD, now).await else {
        panic!("signs in with the new password");
    };
    assert_eq!(after.user.id, manager.id);
    let again = accounts::reset_password(store, &token, "yet another long password", now).await;
    assert!(
        matches!(again, Err(AccountError::InvitationClosed)),
        "a link works once"
    );
    let actions = audit_actions(store).await;
    for action in [
        "account.password_reset_requested",
        "account.password_reset",
        "account.password_reset_refused",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} audited");
    }
    let log = format!(
        "{:?}",
        store.audit_log(&AuditFilter::default()).await.unwrap()
    );
    assert!(
        !log.contains("council.test") && !log.contains(&token),
        "no address or token audited"
    );
}

async fn a_reset_link_goes_only_to_enabled_accounts_a_few_times_an_hour_and_expires(ctx: Ctx) {
    let store = &ctx.store;
    let now = at("2026-03-02");
    let admin = staff(store, "admin@council.test", Role::Admin).await;
    let manager = staff(store, "cm@council.test", Role::CaseManager).await;
    invite_by_email(store, &admin, "new@council.test", Role::CaseManager, now).await;
    emailed_token(store, now).await;
    let disabled = staff(store, "gone@council.test", Role::CaseManager).await;
    accounts::set_account_disabled(store, &admin, disabled.id, true, now)
        .await
        .unwrap();
    // Nobody, someone who has not joined, and a disabled account: the same answer, no email.
    for email in [
        "nobody@council.test",
        "new@council.test",
        "gone@council.test",
    ] {
        accounts::request_password_reset(store, email, URL, now)
            .await
            .expect("the same answer");
        assert!(
            emailed_link(store, now, "password-reset").await.is_none(),
            "{email}"
        );
    }
    // At most three an hour to one account.
    let mut tokens = Vec::new();
    for minute in 0..4 {
        let asked = now + Duration::minutes(minute);
        accounts::request_password_reset(store, "cm@council.test", URL, asked)
            .await
            .expect("asked");
        tokens.extend(
            emailed_link(store, asked, "password-reset")
                .await
                .map(|(_, t)| t),
        );
    }
    assert_eq!(tokens.len(), 3);
    // A link lasts an hour.
    let late = now + Duration::minutes(accounts::RESET_LINK_MINUTES + 1);
    assert!(
        !accounts::password_reset_open(store, &tokens[0], late)
            .await
            .unwrap()
    );
    let expired = accounts::reset_password(store, &tokens[0], NEW_PASSWORD, late).await;
    assert!(matches!(expired, Err(AccountError::InvitationClosed)));
    // An account disabled after its link was sent is not opened by it.
    accounts::set_account_disabled(store, &admin, manager.id, true, now)
        .await
        .unwrap();
    let refused = accounts::reset_password(store, &tokens[2], NEW_PASSWORD, now).await;
    assert!(matches!(refused, Err(AccountError::InvitationClosed)));
    assert!(store.user(manager.id).await.unwrap().unwrap().disabled);
    // An hour on, the account may ask again (once enabled).
    accounts::set_account_disabled(store, &admin, manager.id, false, now)
        .await
        .unwrap();
    let hour_on = now + Duration::minutes(61);
    accounts::request_password_reset(store, "cm@council.test", URL, hour_on)
        .await
        .expect("asked");
    assert!(
        emailed_link(store, hour_on, "password-reset")
            .await
            .is_some()
    );
}
