//! Invitations through the pages: an administrator invites, the emailed link shows "Set your
//! password" to a browser with no session, the form signs the person in, and the same link is
//! then refused with a page that says what to do.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use chrono::Duration;
use support::{SESSION_COOKIE, SIGN_IN_COOKIE, Session, TestApp};
use tandem_core::Role;

/// The link of the one queued invitation, as a path, read from the outbox as the mailer would.
async fn emailed_link(app: &TestApp) -> String {
    app.emailed_link("/invitations/").await
}

#[tokio::test]
async fn an_invited_person_sets_a_password_from_the_link_once() {
    let app = TestApp::new().await;
    let admin = app.sign_in(Role::Admin).await;
    let form = app.get("/invitations/new", Some(&admin)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.texts("h1"), ["Invite someone"]);
    let fields = [
        ("name", "Nell Nurse"),
        ("email", "nell@nhs.example"),
        ("role", "health_professional"),
        ("team", ""),
        ("provider", "Community paediatrics"),
        ("case", ""),
    ];
    let invited = app
        .post_form("/invitations/new", Some(&admin), &fields)
        .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let page = app.get(invited.location().unwrap(), Some(&admin)).await;
    assert_eq!(
        page.texts(".govuk-notification-banner__heading"),
        ["Invitation sent: the account works once its password is set"]
    );
    let link = emailed_link(&app).await;

    // A browser with no session: the page sets the sign-in cookie its form's token comes from.
    let shown = app.get(&link, None).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.texts("h1"), ["Set your password"]);
    let browser = Session {
        cookie: format!(
            "{SIGN_IN_COOKIE}={}",
            shown.set_cookie(SIGN_IN_COOKIE).expect("sign-in cookie")
        ),
        csrf: shown.csrf_field().expect("csrf field"),
    };
    let short = app
        .post_form(&link, Some(&browser), &[("password", "short")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        short.texts(".govuk-error-summary__list a"),
        ["Password must be 12 characters or more"]
    );
    let without_token = app
        .post_form(&link, None, &[("password", "a long enough password")])
        .await;
    assert_eq!(without_token.status, StatusCode::FORBIDDEN);

    let accepted = app
        .post_form(
            &link,
            Some(&browser),
            &[("password", "a long enough password")],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location(), Some("/advice"));
    assert!(
        accepted
            .set_cookie(SESSION_COOKIE)
            .is_some_and(|c| !c.is_empty())
    );

    for closed in [
        app.get(&link, None).await,
        app.post_form(
            &link,
            Some(&browser),
            &[("password", "another long password")],
        )
        .await,
    ] {
        assert_eq!(closed.status, StatusCode::GONE);
        assert_eq!(
            closed.texts("h1"),
            ["This link has expired or has already been used"]
        );
        assert!(
            closed
                .body
                .contains("Ask the person who invited you to send a new one")
        );
    }
    let (signed_in, _) = app
        .sign_in_with("nell@nhs.example", "a long enough password")
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(app.audit("account.invite").await.len(), 1);
    assert_eq!(app.audit("account.invitation_accepted").await.len(), 1);
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    let app = TestApp::new().await;
    let admin = app.sign_in(Role::Admin).await;
    let fields = [
        ("name", "Pat Parent"),
        ("email", "pat@family.example"),
        ("role", "parent"),
        ("case", ""),
    ];
    let invited = app
        .post_form("/invitations/new", Some(&admin), &fields)
        .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let link = emailed_link(&app).await;
    app.advance(Duration::days(7));
    assert_eq!(app.get(&link, None).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn a_case_manager_invites_a_parent_from_their_case() {
    let app = TestApp::new().await;
    let reference = app.seed_case("EHC-INV").await;
    let manager = app.sign_in(Role::CaseManager).await;
    let case = app
        .get(&format!("/cases/{reference}"), Some(&manager))
        .await;
    let link = format!("/invitations/new?case={reference}");
    assert!(
        case.body.contains(&link),
        "the case page links to the invitation"
    );
    let form = app.get(&link, Some(&manager)).await;
    assert_eq!(
        form.attr("#case", "value").as_deref(),
        Some(reference.as_str())
    );
    let fields = [
        ("name", "Pat Parent"),
        ("email", "pat@family.example"),
        ("role", "parent"),
        ("case", reference.as_str()),
    ];
    let invited = app
        .post_form("/invitations/new", Some(&manager), &fields)
        .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    assert_eq!(
        invited.location(),
        Some(format!("/cases/{reference}?done=invited").as_str())
    );
    let case_page = app.get(invited.location().unwrap(), Some(&manager)).await;
    assert!(
        case_page.body.contains("Invitation sent by email"),
        "{}",
        case_page.body
    );
    let nurse = [
        ("name", "Nell Nurse"),
        ("email", "nell@nhs.example"),
        ("role", "health_professional"),
        ("case", ""),
    ];
    let refused = app
        .post_form("/invitations/new", Some(&manager), &nurse)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_administrator_sends_a_new_invitation_then_withdraws_it() {
    let app = TestApp::new().await;
    let admin = app.sign_in(Role::Admin).await;
    let fields = [
        ("name", "Sam Social"),
        ("email", "sam@council.example"),
        ("role", "social_care_professional"),
        ("team", ""),
        ("provider", "Children's social care"),
        ("case", ""),
    ];
    let invited = app
        .post_form("/invitations/new", Some(&admin), &fields)
        .await;
    let account = invited
        .location()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let first = emailed_link(&app).await;
    let page = app.get(&account, Some(&admin)).await;
    assert!(
        page.body.contains("the link works until"),
        "the invitation's state is shown"
    );
    assert_eq!(
        page.texts(".govuk-summary-list__value")
            .last()
            .map(String::as_str),
        Some("Not set up")
    );

    let resent = app
        .post_form(&format!("{account}/reinvite"), Some(&admin), &[])
        .await;
    assert_eq!(
        resent.location(),
        Some(format!("{account}?done=reinvited").as_str())
    );
    let page = app.get(resent.location().unwrap(), Some(&admin)).await;
    assert_eq!(
        page.texts(".govuk-notification-banner__heading"),
        ["New invitation sent: earlier links no longer work"]
    );
    let second = emailed_link(&app).await;
    assert_ne!(first, second);
    assert_eq!(app.get(&first, None).await.status, StatusCode::GONE);
    assert_eq!(app.get(&second, None).await.status, StatusCode::OK);

    let withdrawn = app
        .post_form(&format!("{account}/withdraw-invitation"), Some(&admin), &[])
        .await;
    assert_eq!(
        withdrawn.location(),
        Some(format!("{account}?done=invitation_withdrawn").as_str())
    );
    assert_eq!(app.get(&second, None).await.status, StatusCode::GONE);
    let page = app.get(&account, Some(&admin)).await;
    assert!(page.body.contains("the link stopped working on"));
    assert!(
        !page.body.contains("withdraw-invitation"),
        "nothing open to withdraw"
    );
    let again = app
        .post_form(&format!("{account}/withdraw-invitation"), Some(&admin), &[])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        again
            .attr(".govuk-error-summary__list a", "href")
            .as_deref(),
        Some("#invitation")
    );
    assert_eq!(app.audit("account.reinvite").await.len(), 1);
    assert_eq!(app.audit("account.invitation_withdrawn").await.len(), 1);
}

/// A browser with no session that has read `page`: its sign-in cookie and the form's token.
fn before_sign_in(page: &support::TestResponse) -> Session {
    Session {
        cookie: format!(
            "{SIGN_IN_COOKIE}={}",
            page.set_cookie(SIGN_IN_COOKIE).expect("sign-in cookie")
        ),
        csrf: page.csrf_field().expect("csrf field"),
    }
}

#[tokio::test]
async fn a_forgotten_password_is_reset_from_the_sign_in_page() {
    let app = TestApp::new().await;
    let signed_in = app.sign_in(Role::CaseManager).await;
    let sign_in = app.get("/sign-in", None).await;
    assert_eq!(
        sign_in.attr("a[href='/password-reset']", "href").as_deref(),
        Some("/password-reset")
    );
    let form = app.get("/password-reset", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.texts("h1"), ["Forgotten your password?"]);
    let browser = before_sign_in(&form);
    let wrong = app
        .post_form(
            "/password-reset",
            Some(&browser),
            &[("email", "not an address")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.texts(".govuk-error-summary__list a"),
        ["Enter an email address in the correct format, like name@example.com"]
    );
    let without_token = app
        .post_form("/password-reset", None, &[("email", "nobody@demo.test")])
        .await;
    assert_eq!(without_token.status, StatusCode::FORBIDDEN);

    // An address with no account and one with an account get the same page.
    let unknown = app
        .post_form(
            "/password-reset",
            Some(&browser),
            &[("email", "nobody@demo.test")],
        )
        .await;
    let known = app
        .post_form(
            "/password-reset",
            Some(&browser),
            &[("email", &support::email(Role::CaseManager))],
        )
        .await;
    for sent in [&unknown, &known] {
        assert_eq!(sent.status, StatusCode::OK);
        assert_eq!(sent.texts("h1"), ["Check your email"]);
    }
    assert_eq!(unknown.texts("main p"), known.texts("main p"));

    let link = app.emailed_link("/password-reset/").await;
    let shown = app.get(&link, None).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.texts("h1"), ["Set a new password"]);
    let browser = before_sign_in(&shown);
    let short = app
        .post_form(&link, Some(&browser), &[("password", "short")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reset = app
        .post_form(
            &link,
            Some(&browser),
            &[("password", "a brand new long password")],
        )
        .await;
    assert_eq!(reset.location(), Some("/sign-in?reset=1"), "{}", reset.body);
    let told = app.get("/sign-in?reset=1", None).await;
    assert_eq!(
        told.texts(".govuk-notification-banner__heading"),
        ["Your password has been changed. Sign in with your new password"]
    );
    // The old session ended; the new password signs in; the link is used up.
    assert_eq!(
        app.get("/cases", Some(&signed_in)).await.status,
        StatusCode::SEE_OTHER
    );
    let (again, _) = app
        .sign_in_with(
            &support::email(Role::CaseManager),
            "a brand new long password",
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let used = app.get(&link, None).await;
    assert_eq!(used.status, StatusCode::GONE);
    assert!(used.body.contains("Ask for a new link"));
    assert_eq!(app.audit("account.password_reset").await.len(), 1);
    app.remove().await;
}
