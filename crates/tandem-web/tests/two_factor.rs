//! Two-factor sign-in through the pages, with `TANDEM_EXTERNAL_2FA` at its default (required):
//! an invited professional sets a password, sets the authenticator app up and only then is
//! signed in; later sign-ins ask for the code on a second page; wrong codes get a clear message
//! and no session; a recovery code stands in for the app. Codes are computed with the same TOTP
//! crate from the key the set-up page shows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use support::{PASSWORD, SESSION_COOKIE, SIGN_IN_COOKIE, Session, TestApp, TestResponse, email};
use tandem_core::Role;
use tandem_web::WebConfig;
use totp_rs::{Builder, Secret};

const WRONG_CODE: &str =
    "The code is not right or has expired. Enter the code your authenticator app shows now";

fn code_at(secret: &str, at: DateTime<Utc>) -> String {
    Builder::new()
        .with_secret(Secret::try_from_base32(secret).expect("base32"))
        .build()
        .expect("totp")
        .generate(u64::try_from(at.timestamp()).expect("after 1970"))
        .to_string()
}

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().expect("digits");
    format!("{:06}", (n + 500_000) % 1_000_000)
}

/// Two-factor sign-in required, as in production.
async fn app() -> TestApp {
    let app = TestApp::with_config(WebConfig::default()).await;
    assert_eq!(
        app.state.config().external_two_factor,
        tandem_app::accounts::ExternalTwoFactor::Required
    );
    app
}

/// The browser half signed in by `response`: the pre-sign-in cookie it sets names the pending
/// sign-in, and the forms' CSRF token comes from it.
fn pending(response: &TestResponse) -> Session {
    assert!(
        response
            .set_cookie(SESSION_COOKIE)
            .is_none_or(|c| c.is_empty()),
        "no session yet"
    );
    let token = response.set_cookie(SIGN_IN_COOKIE).expect("pending cookie");
    Session {
        csrf: support::session_csrf(&token),
        cookie: format!("{SIGN_IN_COOKIE}={token}"),
    }
}

fn session(response: &TestResponse) -> Session {
    let token = response
        .set_cookie(SESSION_COOKIE)
        .filter(|c| !c.is_empty())
        .expect("session cookie");
    Session {
        csrf: support::session_csrf(&token),
        cookie: format!("{SESSION_COOKIE}={token}"),
    }
}

/// Signs in with the password; the answer sends the browser to `second_step`.
async fn password(app: &TestApp, email: &str, second_step: &str) -> Session {
    let (response, session) = app.sign_in_with(email, PASSWORD).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    assert_eq!(response.location(), Some(second_step));
    assert!(session.is_none(), "a password alone starts no session");
    pending(&response)
}

/// Sets the app up from the set-up page; returns the key it shows, the recovery codes and the
/// new session.
async fn set_up(app: &TestApp, browser: &Session, home: &str) -> (String, Vec<String>, Session) {
    let page = app.get("/sign-in/set-up-two-factor", Some(browser)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts("h1"), ["Set up two-factor sign-in"]);
    let secret: String = page.texts("#secret").concat().replace(' ', "");
    let link = page
        .attr("a[href^='otpauth://']", "href")
        .expect("app link");
    assert!(link.contains(&format!("secret={secret}")), "{link}");
    assert!(page.body.contains("<svg"), "a QR code");
    assert_eq!(
        page.attr("#code", "autocomplete").as_deref(),
        Some("one-time-code")
    );
    assert_eq!(page.attr("#code", "inputmode").as_deref(), Some("numeric"));

    let empty = app
        .post_form("/sign-in/set-up-two-factor", Some(browser), &[("code", "")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.texts(".govuk-error-summary__list a"),
        ["Enter the 6-digit code from your authenticator app"]
    );
    let code = code_at(&secret, app.now());
    let refused = app
        .post_form(
            "/sign-in/set-up-two-factor",
            Some(browser),
            &[("code", &wrong(&code))],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.texts(".govuk-error-summary__list a"), [WRONG_CODE]);
    assert_eq!(
        refused.texts("#code-error"),
        [format!("Error: {WRONG_CODE}")]
    );
    assert!(refused.set_cookie(SESSION_COOKIE).is_none());
    assert_eq!(
        refused.texts("#secret").concat().replace(' ', ""),
        secret,
        "the same key again"
    );

    let done = app
        .post_form(
            "/sign-in/set-up-two-factor",
            Some(browser),
            &[("code", &code)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.texts("h1"), ["Two-factor sign-in is set up"]);
    assert!(done.body.contains("You will not be shown them again"));
    let codes = done.texts(".tandem-recovery-codes li");
    assert_eq!(codes.len(), 10);
    assert_eq!(done.attr("a.govuk-button", "href").as_deref(), Some(home));
    assert_eq!(
        done.set_cookie(SIGN_IN_COOKIE).as_deref(),
        Some(""),
        "the pending sign-in's cookie is forgotten"
    );
    (secret, codes, session(&done))
}

#[tokio::test]
async fn an_invited_professional_sets_up_two_factor_sign_in_before_being_signed_in() {
    let app = app().await;
    let admin = app.sign_in(Role::Admin).await;
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
    let mut tx = app.store().begin_at(app.now()).await.unwrap();
    let email = tx
        .claim_email(app.now() + Duration::minutes(10))
        .await
        .unwrap()
        .expect("an invitation queued");
    tx.commit().await.unwrap();
    let link = email
        .body
        .lines()
        .find_map(|line| line.find("/invitations/").map(|at| line[at..].to_owned()))
        .expect("a link");

    let shown = app.get(&link, None).await;
    let browser = Session {
        cookie: format!(
            "{SIGN_IN_COOKIE}={}",
            shown.set_cookie(SIGN_IN_COOKIE).expect("sign-in cookie")
        ),
        csrf: shown.csrf_field().expect("csrf field"),
    };
    let accepted = app
        .post_form(&link, Some(&browser), &[("password", PASSWORD)])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location(), Some("/sign-in/set-up-two-factor"));
    let half = pending(&accepted);
    // Half signed in is not signed in.
    let tray = app.get("/advice", Some(&half)).await;
    assert_eq!(tray.status, StatusCode::SEE_OTHER);
    assert!(tray.location().unwrap().starts_with("/sign-in"));
    // Nor may it skip the app: the code page sends it back to set-up.
    let skip = app.get("/sign-in/two-factor", Some(&half)).await;
    assert_eq!(skip.location(), Some("/sign-in/set-up-two-factor"));

    let (_, _, signed_in) = set_up(&app, &half, "/advice").await;
    let tray = app.get("/advice", Some(&signed_in)).await;
    assert_eq!(tray.status, StatusCode::OK);
    assert_eq!(app.audit("account.two_factor_enrolled").await.len(), 1);
    assert_eq!(app.audit("session.two_factor_failed").await.len(), 1);
}

#[tokio::test]
async fn an_enrolled_account_gives_its_code_on_a_second_page() {
    let app = app().await;
    // Made without an invitation (`tandem user add`): set-up comes right after the password.
    let parent = email(Role::Parent);
    let half = password(&app, &parent, "/sign-in/set-up-two-factor").await;
    let (secret, _, _) = set_up(&app, &half, "/cases").await;

    app.advance(Duration::minutes(5));
    let half = password(&app, &parent, "/sign-in/two-factor").await;
    let page = app.get("/sign-in/two-factor", Some(&half)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts("h1"),
        ["Enter the code from your authenticator app"]
    );
    assert_eq!(page.attr("#code", "inputmode").as_deref(), Some("numeric"));
    let code = code_at(&secret, app.now());
    let refused = app
        .post_form(
            "/sign-in/two-factor",
            Some(&half),
            &[("code", &wrong(&code))],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.texts(".govuk-error-summary__list a"), [WRONG_CODE]);
    assert!(refused.set_cookie(SESSION_COOKIE).is_none(), "no session");
    let malformed = app
        .post_form("/sign-in/two-factor", Some(&half), &[("code", "12 34")])
        .await;
    assert_eq!(
        malformed.texts(".govuk-error-summary__list a"),
        ["Enter the code as 6 digits, like 123456"]
    );
    let signed_in = app
        .post_form("/sign-in/two-factor", Some(&half), &[("code", &code)])
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), Some("/cases"));
    let session = session(&signed_in);
    assert_eq!(
        app.get("/cases", Some(&session)).await.status,
        StatusCode::OK
    );

    // The same code again, on a new sign-in within its 30 seconds: refused.
    let half = password(&app, &parent, "/sign-in/two-factor").await;
    let replayed = app
        .post_form("/sign-in/two-factor", Some(&half), &[("code", &code)])
        .await;
    assert_eq!(replayed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(replayed.texts(".govuk-error-summary__list a"), [WRONG_CODE]);
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_and_keeps_where_the_person_was_going() {
    let app = app().await;
    let nurse = email(Role::HealthProfessional);
    let half = password(&app, &nurse, "/sign-in/set-up-two-factor").await;
    let (_, codes, _) = set_up(&app, &half, "/advice").await;

    let (response, _) = app
        .sign_in_with_next(&nurse, PASSWORD, "/advice?page=2")
        .await;
    assert_eq!(
        response.location(),
        Some("/sign-in/two-factor?next=%2Fadvice%3Fpage%3D2")
    );
    let half = pending(&response);
    let code_page = app
        .get("/sign-in/two-factor?next=%2Fadvice%3Fpage%3D2", Some(&half))
        .await;
    let other = code_page
        .attr("a[href^='/sign-in/recovery-code']", "href")
        .expect("a way in without the app");
    let page = app.get(&other, Some(&half)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["Enter a recovery code"]);
    let empty = app
        .post_form("/sign-in/recovery-code", Some(&half), &[("code", " ")])
        .await;
    assert_eq!(
        empty.texts(".govuk-error-summary__list a"),
        ["Enter one of your recovery codes"]
    );
    let fields = [("code", codes[0].as_str()), ("next", "/advice?page=2")];
    let signed_in = app
        .post_form("/sign-in/recovery-code", Some(&half), &fields)
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), Some("/advice?page=2"));
    assert_eq!(app.audit("account.recovery_code_used").await.len(), 1);

    let half = password(&app, &nurse, "/sign-in/two-factor").await;
    let reused = app
        .post_form(
            "/sign-in/recovery-code",
            Some(&half),
            &[("code", &codes[0])],
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reused.texts(".govuk-error-summary__list a"),
        ["The recovery code is not right or has already been used"]
    );
}

#[tokio::test]
async fn the_second_step_needs_a_pending_sign_in_and_its_token() {
    let app = app().await;
    for path in [
        "/sign-in/two-factor",
        "/sign-in/recovery-code",
        "/sign-in/set-up-two-factor",
    ] {
        let page = app.get(path, None).await;
        assert_eq!(page.location(), Some("/sign-in"), "{path}");
    }
    // A pre-sign-in cookie from the sign-in page names no pending sign-in.
    let form = app.get("/sign-in", None).await;
    let browser = Session {
        cookie: format!(
            "{SIGN_IN_COOKIE}={}",
            form.set_cookie(SIGN_IN_COOKIE).unwrap()
        ),
        csrf: form.csrf_field().unwrap(),
    };
    let posted = app
        .post_form("/sign-in/two-factor", Some(&browser), &[("code", "123456")])
        .await;
    assert_eq!(posted.location(), Some("/sign-in"));
    // Without the token the form carries, nothing is checked.
    let half = password(&app, &email(Role::Parent), "/sign-in/set-up-two-factor").await;
    let forged = Session {
        csrf: "forged".into(),
        ..half
    };
    let refused = app
        .post_form(
            "/sign-in/set-up-two-factor",
            Some(&forged),
            &[("code", "123456")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Staff sign in with a password alone.
    app.sign_in(Role::CaseManager).await;
}

#[tokio::test]
async fn staff_set_two_factor_up_from_their_account_and_an_administrator_resets_it() {
    let app = app().await;
    let manager = app.sign_in(Role::CaseManager).await;
    let page = app.get("/account", Some(&manager)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["Your account"]);
    assert!(page.body.contains("Two-factor sign-in is not set up"));
    assert_eq!(
        page.attr(".tandem-header__account-name", "href").as_deref(),
        Some("/account"),
        "every page's header leads here"
    );

    // Setting up ends this session and continues on the sign-in's set-up page.
    let started = app
        .post_form("/account/two-factor", Some(&manager), &[])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    assert_eq!(
        started.location(),
        Some("/sign-in/set-up-two-factor?next=%2Faccount")
    );
    assert_eq!(started.set_cookie(SESSION_COOKIE).as_deref(), Some(""));
    let half = pending(&started);
    assert_eq!(
        app.get("/account", Some(&manager)).await.status,
        StatusCode::SEE_OTHER,
        "the old session has ended"
    );
    let (_, _, session) = set_up(&app, &half, "/cases").await;
    let page = app.get("/account", Some(&session)).await;
    assert!(page.body.contains("Two-factor sign-in is set up"));
    assert!(
        !page.body.contains("/account/two-factor"),
        "no second set-up"
    );

    // Lost phone: the administrator resets it, which signs the person out everywhere; staff
    // then sign in with their password alone and may set it up again.
    let admin = app.sign_in(Role::Admin).await;
    let id = app.users[&Role::CaseManager];
    let account = app.get(&format!("/admin/users/{id}"), Some(&admin)).await;
    assert!(account.body.contains("Reset two-factor sign-in"));
    let reset = app
        .post_form(
            &format!("/admin/users/{id}/reset-two-factor"),
            Some(&admin),
            &[],
        )
        .await;
    assert_eq!(
        reset.location(),
        Some(format!("/admin/users/{id}?done=two_factor_reset").as_str())
    );
    assert_eq!(
        app.get("/account", Some(&session)).await.status,
        StatusCode::SEE_OTHER
    );
    app.advance(Duration::minutes(1));
    let (signed_in, session) = app.sign_in_with(&email(Role::CaseManager), PASSWORD).await;
    assert_eq!(signed_in.location(), Some("/cases"), "no code asked for");
    let page = app.get("/account", session.as_ref()).await;
    assert!(page.body.contains("Two-factor sign-in is not set up"));
    assert_eq!(app.audit("account.two_factor_reset").await.len(), 1);
}
