//! Staff single sign-on against a real OpenID Connect provider (`oidc-provider`, started by
//! `tandem_test_support::OidcProvider`): a sign-in that works, and the ones that must not — an
//! ID token for another audience, an expired one, a tampered `state` or `nonce`, an address
//! the provider has not verified, people without a staff account or a mapped group. Tandem runs
//! in-process (its cookies are carried by hand); the provider is driven over HTTP with a cookie
//! jar, posting its sign-in form as a browser would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use reqwest::Url;
use serde_json::json;
use support::{SESSION_COOKIE, SIGN_IN_COOKIE, Session, TestApp, TestResponse, session_csrf};
use tandem_core::Role;
use tandem_test_support::OidcProvider;
use tandem_web::{EmailDomains, SingleSignOn, WebConfig};

const PUBLIC_URL: &str = "https://tandem.test";
const REDIRECT_URI: &str = "https://tandem.test/sign-in/oidc/callback";
const SECRET: &str = "provider-test-secret";
const FLOW_COOKIE: &str = "__Host-tandem_oidc";

/// The provider with its test accounts (login → claims) and clients: Tandem's, another
/// service's, and two whose ID tokens are wrong on purpose.
fn provider() -> Option<OidcProvider> {
    OidcProvider::start(&json!({
        "redirect_uri": REDIRECT_URI,
        "accounts": {
            // The address in other letters than the account's: compared without regard to case.
            "case-manager": { "email": "Case_Manager@Demo.Test", "email_verified": true, "groups": ["tandem-case-managers"] },
            "qa": { "email": "qa_auditor@demo.test", "email_verified": true, "groups": ["everyone", "tandem-team-managers", "tandem-case-managers"] },
            "no-group": { "email": "analyst@demo.test", "email_verified": true, "groups": ["everyone"] },
            "unverified": { "email": "team_manager@demo.test", "email_verified": false, "xms_edov": false },
            // As Entra ID sends a tenant's own people: no `email_verified`, the domain verified.
            "entra": { "email": "team_manager@demo.test", "xms_edov": true },
            "stranger": { "email": "stranger@demo.test", "email_verified": true },
            "parent": { "email": "parent@demo.test", "email_verified": true },
            "elsewhere": { "email": "case_manager@elsewhere.example", "email_verified": true },
        },
        "clients": [
            { "client_id": "tandem", "client_secret": SECRET },
            { "client_id": "another-service", "client_secret": SECRET },
            { "client_id": "tandem-wrong-audience", "client_secret": SECRET, "id_token_audience": "another-service" },
            { "client_id": "tandem-expired", "client_secret": SECRET, "id_token_expired": true },
        ],
    }))
}

/// Tandem signing in through `provider` as `client_id`, for addresses at demo.test.
async fn app_with(
    provider: &OidcProvider,
    client_id: &str,
    group_roles: &[(&str, Role)],
) -> TestApp {
    let settings = SingleSignOn::new(
        provider.issuer(),
        client_id,
        SECRET,
        PUBLIC_URL,
        EmailDomains::parse("demo.test").unwrap(),
    )
    .unwrap()
    .with_group_roles(
        "groups",
        group_roles
            .iter()
            .map(|(g, r)| ((*g).to_owned(), *r))
            .collect(),
    );
    TestApp::with_config(WebConfig {
        single_sign_on: Some(settings),
        ..support::config()
    })
    .await
}

/// Presses "Sign in with your organisation's account" on the sign-in page: the provider's
/// address Tandem sends the browser to, and the cookie it sets for the way back.
async fn start(app: &TestApp, next: Option<&str>) -> (Url, String) {
    let page = app.get("/sign-in", None).await;
    assert_eq!(
        page.texts("form[action='/sign-in/oidc'] button"),
        ["Sign in with your organisation’s account"]
    );
    let before = Session {
        cookie: format!(
            "{SIGN_IN_COOKIE}={}",
            page.set_cookie(SIGN_IN_COOKIE).unwrap()
        ),
        csrf: page.csrf_field().unwrap(),
    };
    let fields: Vec<(&str, &str)> = next.map(|n| ("next", n)).into_iter().collect();
    let response = app.post_form("/sign-in/oidc", Some(&before), &fields).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let line = response.set_cookie_line(FLOW_COOKIE).unwrap();
    assert!(
        line.contains("HttpOnly") && line.contains("Max-Age=600"),
        "{line}"
    );
    let cookie = format!(
        "{FLOW_COOKIE}={}",
        response.set_cookie(FLOW_COOKIE).unwrap()
    );
    (Url::parse(response.location().unwrap()).unwrap(), cookie)
}

/// Signs in at the provider as `login`, following its redirects and posting its sign-in form,
/// and returns the path and query it sends the browser back to Tandem with.
async fn at_provider(authorize: &Url, login: &str) -> String {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut url = authorize.clone();
    let mut form: Option<Vec<(String, String)>> = None;
    for _ in 0..10 {
        let request = match form.take() {
            Some(fields) => http.post(url.clone()).form(&fields),
            None => http.get(url.clone()),
        };
        let response = request.send().await.unwrap();
        if let Some(location) = response.headers().get(header::LOCATION) {
            url = url.join(location.to_str().unwrap()).unwrap();
            if url.as_str().starts_with(REDIRECT_URI) {
                return format!("{}?{}", url.path(), url.query().unwrap_or(""));
            }
            continue;
        }
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(
            status.is_success(),
            "the provider answered {status}: {body}"
        );
        let page = scraper::Html::parse_document(&body);
        let select = |css| scraper::Selector::parse(css).unwrap();
        let action = page
            .select(&select("form"))
            .next()
            .and_then(|f| f.value().attr("action"))
            .unwrap_or_else(|| panic!("no form on the provider's page: {body}"));
        let prompt = page
            .select(&select("input[name=prompt]"))
            .next()
            .and_then(|i| i.value().attr("value"))
            .unwrap();
        url = url.join(action).unwrap();
        form = Some(vec![
            ("prompt".into(), prompt.into()),
            ("login".into(), login.into()),
            ("password".into(), "any password".into()),
        ]);
    }
    panic!("the provider never sent the browser back to Tandem");
}

/// The browser arriving back at Tandem at `path_and_query` with `cookie`.
async fn back(app: &TestApp, path_and_query: &str, cookie: &str) -> TestResponse {
    let mut request = Request::get(path_and_query);
    if !cookie.is_empty() {
        request = request.header(header::COOKIE, cookie);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

/// The whole journey: the sign-in page, the provider as `login`, back to Tandem.
async fn sign_in_as(app: &TestApp, login: &str, next: Option<&str>) -> TestResponse {
    let (authorize, cookie) = start(app, next).await;
    let path = at_provider(&authorize, login).await;
    back(app, &path, &cookie).await
}

/// A refusal: its status, its page's heading, no session, the flow's cookie deleted, and the
/// reason in the audit log.
async fn assert_refused(
    app: &TestApp,
    response: &TestResponse,
    status: u16,
    heading: &str,
    reason: &str,
) {
    assert_eq!(response.status.as_u16(), status, "{}", response.body);
    assert_eq!(response.texts("h1"), [heading]);
    assert_eq!(response.set_cookie(SESSION_COOKIE), None);
    assert_eq!(response.set_cookie(FLOW_COOKIE).as_deref(), Some(""));
    let refused = app.audit("session.sign_in_refused").await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].detail["method"], "single_sign_on");
    assert_eq!(refused[0].detail["reason"], reason);
    assert!(app.audit("session.sign_in").await.is_empty());
}

#[tokio::test]
async fn staff_sign_in_through_the_provider_and_go_where_they_were_going() {
    let Some(provider) = provider() else { return };
    let app = app_with(&provider, "tandem", &[]).await;
    // The sign-in page's form sends the browser on to the provider: a browser follows that
    // redirect only if the page's policy lets its forms go there.
    let page = app.get("/sign-in", None).await;
    let policy = page.header("content-security-policy").unwrap();
    let form_action = format!("form-action 'self' {};", provider.issuer());
    assert!(policy.contains(&form_action), "{policy}");
    let response = sign_in_as(&app, "case-manager", Some("/cases?status=overdue")).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    assert_eq!(response.location(), Some("/cases?status=overdue"));
    assert_eq!(response.set_cookie(FLOW_COOKIE).as_deref(), Some(""));
    assert_eq!(response.set_cookie(SIGN_IN_COOKIE).as_deref(), Some(""));
    let token = response.set_cookie(SESSION_COOKIE).unwrap();
    let session = Session {
        cookie: format!("{SESSION_COOKIE}={token}"),
        csrf: session_csrf(&token),
    };
    // A session like any other, with no code asked: the provider applies its own second factor.
    let cases = app.get("/cases", Some(&session)).await;
    assert_eq!(cases.status, StatusCode::OK);
    let entries = app.audit("session.sign_in").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, Some(app.users[&Role::CaseManager]));
    assert_eq!(entries[0].detail["method"], "single_sign_on");
    // The audit holds ids, never the address.
    assert!(!entries[0].detail.to_string().contains('@'));
    app.remove().await;
}

#[tokio::test]
async fn id_tokens_for_another_audience_or_already_expired_are_refused() {
    let Some(provider) = provider() else { return };
    // The provider's test clients make out their ID tokens wrongly, signed with its real keys.
    for (client, reason) in [
        ("tandem-wrong-audience", "id_token_audience"),
        ("tandem-expired", "id_token_expired"),
    ] {
        let app = app_with(&provider, client, &[]).await;
        let response = sign_in_as(&app, "case-manager", None).await;
        assert_refused(
            &app,
            &response,
            403,
            "Sorry, there is a problem with your sign-in",
            reason,
        )
        .await;
        app.remove().await;
    }
}

#[tokio::test]
async fn a_state_that_is_not_this_browsers_is_refused() {
    let Some(provider) = provider() else { return };
    let app = app_with(&provider, "tandem", &[]).await;
    let (authorize, cookie) = start(&app, None).await;
    let path = at_provider(&authorize, "case-manager").await;
    let mut url = Url::parse(&format!("{PUBLIC_URL}{path}")).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| match &*k {
            "state" => (k.into_owned(), format!("{v}x")),
            _ => (k.into_owned(), v.into_owned()),
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let tampered = format!("{}?{}", url.path(), url.query().unwrap());
    let response = back(&app, &tampered, &cookie).await;
    assert_refused(
        &app,
        &response,
        400,
        "Sorry, there is a problem with your sign-in",
        "state_mismatch",
    )
    .await;

    // The right state from a browser without the cookie (another browser, or one that waited
    // too long) is refused too, and the code is never exchanged.
    let response = back(&app, &path, "").await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.texts("h1"), ["Your sign-in has expired"]);
    app.remove().await;
}

#[tokio::test]
async fn a_nonce_that_is_not_this_sign_ins_is_refused() {
    let Some(provider) = provider() else { return };
    let app = app_with(&provider, "tandem", &[]).await;
    let (mut authorize, cookie) = start(&app, None).await;
    // Someone changes the nonce on the way to the provider: the ID token carries theirs.
    let pairs: Vec<(String, String)> = authorize
        .query_pairs()
        .map(|(k, v)| match &*k {
            "nonce" => (k.into_owned(), "a-nonce-of-someone-elses".to_owned()),
            _ => (k.into_owned(), v.into_owned()),
        })
        .collect();
    authorize.query_pairs_mut().clear().extend_pairs(pairs);
    let path = at_provider(&authorize, "case-manager").await;
    let response = back(&app, &path, &cookie).await;
    assert_refused(
        &app,
        &response,
        403,
        "Sorry, there is a problem with your sign-in",
        "id_token_nonce",
    )
    .await;
    app.remove().await;
}

#[tokio::test]
async fn an_address_the_provider_has_not_verified_is_refused() {
    let Some(provider) = provider() else { return };
    let app = app_with(&provider, "tandem", &[]).await;
    let response = sign_in_as(&app, "unverified", None).await;
    assert_refused(
        &app,
        &response,
        403,
        "Your email address has not been confirmed",
        "email_not_verified",
    )
    .await;
    app.remove().await;
}

#[tokio::test]
async fn an_address_at_a_domain_entra_id_verified_signs_in() {
    let Some(provider) = provider() else { return };
    let app = app_with(&provider, "tandem", &[]).await;
    let response = sign_in_as(&app, "entra", None).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    assert!(response.set_cookie(SESSION_COOKIE).is_some());
    let entries = app.audit("session.sign_in").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, Some(app.users[&Role::TeamManager]));
    app.remove().await;
}

#[tokio::test]
async fn people_without_a_staff_account_here_are_refused() {
    let Some(provider) = provider() else { return };
    for (login, heading, reason) in [
        ("stranger", "You do not have a Tandem account", "no_account"),
        // Families and professionals sign in with a password and their own second factor.
        (
            "parent",
            "Sign in with your email address and password",
            "external_account",
        ),
        (
            "elsewhere",
            "You cannot sign in to Tandem this way",
            "email_domain",
        ),
    ] {
        let app = app_with(&provider, "tandem", &[]).await;
        let response = sign_in_as(&app, login, None).await;
        assert_refused(&app, &response, 403, heading, reason).await;
        app.remove().await;
    }

    // A disabled account is refused as an unknown one is.
    let app = app_with(&provider, "tandem", &[]).await;
    let admin = app.caller(Role::Admin).actor;
    tandem_app::accounts::set_account_disabled(
        app.store(),
        &admin,
        app.users[&Role::CaseManager],
        true,
        app.now(),
    )
    .await
    .unwrap();
    let response = sign_in_as(&app, "case-manager", None).await;
    assert_refused(
        &app,
        &response,
        403,
        "You do not have a Tandem account",
        "no_account",
    )
    .await;
    app.remove().await;
}

#[tokio::test]
async fn groups_give_staff_their_role() {
    let Some(provider) = provider() else { return };
    let roles = [
        ("tandem-team-managers", Role::TeamManager),
        ("tandem-case-managers", Role::CaseManager),
    ];
    let app = app_with(&provider, "tandem", &roles).await;
    // The QA auditor's account is in both groups: the first listed gives the role.
    let response = sign_in_as(&app, "qa", None).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    assert_eq!(response.location(), Some("/cases"));
    let user = app
        .store()
        .user(app.users[&Role::QaAuditor])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, Role::TeamManager);
    let changed = app.audit("account.role").await;
    assert_eq!(changed[0].detail["previous_role"], "qa_auditor");
    assert_eq!(changed[0].detail["source"], "single_sign_on");
    app.remove().await;

    // Someone in none of the groups is refused, whatever their account's role.
    let app = app_with(&provider, "tandem", &roles).await;
    let response = sign_in_as(&app, "no-group", None).await;
    assert_refused(
        &app,
        &response,
        403,
        "You do not have access to Tandem",
        "no_group",
    )
    .await;
    app.remove().await;
}

#[tokio::test]
async fn a_provider_that_does_not_answer_gets_a_page_not_a_server_error() {
    // Nothing listens on port 9 of the loopback address: discovery fails at once.
    let settings = SingleSignOn::new(
        "http://127.0.0.1:9",
        "tandem",
        SECRET,
        PUBLIC_URL,
        EmailDomains::Any,
    )
    .unwrap();
    let app = TestApp::with_config(WebConfig {
        single_sign_on: Some(settings),
        ..support::config()
    })
    .await;
    let page = app.get("/sign-in", None).await;
    let before = Session {
        cookie: format!(
            "{SIGN_IN_COOKIE}={}",
            page.set_cookie(SIGN_IN_COOKIE).unwrap()
        ),
        csrf: page.csrf_field().unwrap(),
    };
    let response = app.post_form("/sign-in/oidc", Some(&before), &[]).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.texts("h1"),
        ["Signing in with your organisation’s account is not working"]
    );
    let refused = app.audit("session.sign_in_refused").await;
    assert_eq!(refused[0].detail["reason"], "provider_unavailable");
    app.remove().await;
}

#[tokio::test]
async fn without_single_sign_on_the_sign_in_page_is_as_it_was() {
    let app = TestApp::new().await;
    let page = app.get("/sign-in", None).await;
    assert!(page.texts("form[action='/sign-in/oidc']").is_empty());
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.contains("form-action 'self';"), "{policy}");
    assert_eq!(
        back(&app, "/sign-in/oidc/callback?code=x&state=y", "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.remove().await;
}
