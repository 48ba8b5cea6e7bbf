//! The findings of the outside security test (issue 14) that concern the web layer, each with a
//! test that failed before its fix: parallel sign-ins past the failure limit, unbounded password
//! hashing, lock-outs by strangers, slow and idle connections, forged request ids, the
//! pre-sign-in CSRF token on signed-in requests, and an Origin of the wrong scheme.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use std::time::Duration as StdDuration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Duration;
use support::{PASSWORD, SIGN_IN_COOKIE, Session, TestApp, TestResponse, email};
use tandem_core::Role;
use tandem_test_support::TempDatabase;
use tandem_web::WebConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Signs in through the form, as the client at `client` (sent as `X-Forwarded-For`).
async fn sign_in_from(app: &TestApp, client: &str, email: &str, password: &str) -> TestResponse {
    let page = app.get("/sign-in", None).await;
    let cookie = page.set_cookie(SIGN_IN_COOKIE).expect("sign-in cookie");
    let body = serde_urlencoded::to_string([
        ("email", email),
        ("password", password),
        ("csrf_token", &page.csrf_field().expect("token")),
    ])
    .expect("encode");
    let request = Request::builder()
        .method(Method::POST)
        .uri("/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("{SIGN_IN_COOKIE}={cookie}"))
        .header("x-forwarded-for", format!("198.51.100.200, {client}"))
        .body(Body::from(body))
        .expect("request");
    app.send(request).await
}

fn behind_a_proxy() -> WebConfig {
    WebConfig {
        trust_forwarded_for: true,
        password_checks: 64,
        ..support::config()
    }
}

/// Finding 1: 30 wrong passwords at once, then the right one. Before the fix every one was
/// checked and the right one signed in; now exactly the limit are checked.
async fn parallel_guesses_meet_the_limit(app: &TestApp) {
    let limit = app.state.config().sign_in_limit;
    let target = email(Role::CaseManager);
    let guesses = (0..30).map(|i| {
        let target = target.clone();
        async move {
            sign_in_from(app, "203.0.113.7", &target, &format!("wrong guess {i}"))
                .await
                .status
        }
    });
    // Polled together on one task, as a burst of requests arrives together.
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (checked, refused),
        (usize::try_from(limit.max_failures).unwrap(), 30 - 5),
        "{statuses:?}"
    );
    let right = sign_in_from(app, "203.0.113.7", &target, PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(right.set_cookie(support::SESSION_COOKIE).is_none());
}

#[tokio::test]
async fn parallel_wrong_passwords_cannot_get_past_the_limit_on_sqlite() {
    let app = TestApp::with_config(behind_a_proxy()).await;
    parallel_guesses_meet_the_limit(&app).await;
}

#[tokio::test]
async fn parallel_wrong_passwords_cannot_get_past_the_limit_on_postgres() {
    let Some(database) = TempDatabase::postgres().await else {
        return;
    };
    let app = TestApp::over(database, behind_a_proxy()).await;
    parallel_guesses_meet_the_limit(&app).await;
    app.remove().await;
}

/// Finding 15: failures lock the account for the client that made them, not for its owner
/// elsewhere; an administrator can lift the lock; a stranger cannot choose their address
/// unless a proxy is trusted to report it.
#[tokio::test]
async fn a_stranger_locks_out_only_themselves_and_an_administrator_lifts_a_lock() {
    let app = TestApp::with_config(behind_a_proxy()).await;
    let target = email(Role::CaseManager);
    for _ in 0..5 {
        let wrong = sign_in_from(&app, "203.0.113.7", &target, "not the password").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let stranger = sign_in_from(&app, "203.0.113.7", &target, PASSWORD).await;
    assert_eq!(stranger.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        stranger.body.contains("Wait 15 minutes"),
        "{}",
        stranger.body
    );
    let owner = sign_in_from(&app, "192.0.2.10", &target, PASSWORD).await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER);

    let admin = app.session(Role::Admin).await;
    let user = app.users[&Role::CaseManager];
    let lifted = app
        .post_form(
            &format!("/admin/users/{user}/lift-sign-in-lock"),
            Some(&admin),
            &[],
        )
        .await;
    assert_eq!(
        lifted.location(),
        Some(format!("/admin/users/{user}?done=unlocked").as_str())
    );
    assert_eq!(app.audit("account.sign_in_lock_lifted").await.len(), 1);
    let again = sign_in_from(&app, "203.0.113.7", &target, PASSWORD).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);

    // Without a trusted proxy the header is the client's own text and counts for nothing:
    // every in-process request is the same (unknown) client.
    let app = TestApp::with_config(WebConfig {
        password_checks: 64,
        ..support::config()
    })
    .await;
    for client in [
        "203.0.113.1",
        "203.0.113.2",
        "203.0.113.3",
        "203.0.113.4",
        "203.0.113.5",
    ] {
        let wrong = sign_in_from(&app, client, &target, "not the password").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let fresh_address = sign_in_from(&app, "203.0.113.6", &target, PASSWORD).await;
    assert_eq!(fresh_address.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Finding 2: one client guessing at many accounts meets a limit of its own, and other clients
/// are unaffected.
#[tokio::test]
async fn one_address_guessing_across_accounts_is_refused() {
    let mut config = behind_a_proxy();
    config.sign_in_limit.max_client_failures = 3;
    let app = TestApp::with_config(config).await;
    for role in [Role::CaseManager, Role::TeamManager, Role::Analyst] {
        let wrong = sign_in_from(&app, "203.0.113.9", &email(role), "not the password").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let next = sign_in_from(&app, "203.0.113.9", &email(Role::Admin), PASSWORD).await;
    assert_eq!(next.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = sign_in_from(&app, "192.0.2.10", &email(Role::Admin), PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
    app.advance(app.state.config().sign_in_limit.window + Duration::seconds(1));
    let later = sign_in_from(&app, "203.0.113.9", &email(Role::Admin), PASSWORD).await;
    assert_eq!(later.status, StatusCode::SEE_OTHER);
}

/// Finding 2: when every password check is running, a sign-in is answered 503 with
/// `Retry-After` at once, without hashing and without counting as a failure.
#[tokio::test]
async fn sign_in_is_refused_while_every_password_check_is_running() {
    let app = TestApp::with_config(WebConfig {
        password_checks: 1,
        ..support::config()
    })
    .await;
    let held = app.state.password_check().expect("a free permit");
    let (busy, session) = app.sign_in_with(&email(Role::Analyst), PASSWORD).await;
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.header("retry-after"), Some("5"));
    assert!(busy.body.contains("The service is busy"), "{}", busy.body);
    assert!(session.is_none());
    assert!(app.audit("session.sign_in_failed").await.is_empty());
    drop(held);
    app.sign_in(Role::Analyst).await;
}

/// Finding 12: a request id that is not a plain token is replaced, never copied into the logs.
#[tokio::test]
async fn only_well_formed_request_ids_are_kept() {
    let app = TestApp::new().await;
    let with_id = |id: &str| {
        Request::builder()
            .uri("/health")
            .header("x-request-id", id)
            .body(Body::empty())
            .expect("request")
    };
    let kept = app.send(with_id("proxy-1f3a.7_b")).await;
    assert_eq!(kept.header("x-request-id"), Some("proxy-1f3a.7_b"));
    for forged in ["a b", "x\u{7f}", "id\" user=admin", &"a".repeat(65)] {
        let Ok(request) = Request::builder()
            .uri("/health")
            .header("x-request-id", forged)
            .body(Body::empty())
        else {
            continue; // not even a valid header value
        };
        let response = app.send(request).await;
        let id = response.header("x-request-id").expect("an id");
        assert_ne!(id, forged);
        assert_eq!(id.len(), 36, "a fresh UUID: {id}");
    }
}

/// Finding 13: the token of the pre-sign-in cookie signs in and does nothing else.
#[tokio::test]
async fn the_pre_sign_in_token_is_refused_on_signed_in_requests() {
    let app = TestApp::new().await;
    let page = app.get("/sign-in", None).await;
    let pre_cookie = page.set_cookie(SIGN_IN_COOKIE).expect("sign-in cookie");
    let pre_token = page.csrf_field().expect("token");
    let session = app.session(Role::Admin).await;
    let mixed = Session {
        cookie: format!("{}; {SIGN_IN_COOKIE}={pre_cookie}", session.cookie),
        csrf: pre_token,
    };
    let refused = app.post_form("/sign-out", Some(&mixed), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let signed_out = app.post_form("/sign-out", Some(&session), &[]).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
}

/// Finding 14: the Origin must be this site exactly, scheme included.
#[tokio::test]
async fn an_origin_of_another_scheme_is_refused() {
    let app = TestApp::new().await;
    let session = app.session(Role::Admin).await;
    let sign_out = |origin: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/sign-out")
            .header(header::HOST, "tandem.example")
            .header(header::ORIGIN, origin)
            .header(header::COOKIE, &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .body(Body::empty())
            .expect("request")
    };
    for wrong in [
        "http://tandem.example",
        "ftp://tandem.example",
        "https://tandem.example:8443",
        "null",
    ] {
        let refused = app.send(sign_out(wrong)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{wrong}");
    }
    let right = app.send(sign_out("https://tandem.example")).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
}

/// Finding 11: a connection that sends half a request head, or nothing after its last
/// response, is closed once the header read timeout has passed; the server goes on serving.
#[tokio::test]
async fn slow_and_idle_connections_are_closed() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let config = WebConfig {
        header_read_timeout: StdDuration::from_secs(1),
        ..support::config()
    };
    let app = TestApp::with_config(config).await;
    let server = tokio::spawn(tandem_web::serve_on(app.state.clone(), listener));

    // Closed means the server ends the stream; give it far longer than the timeout to do so,
    // so that only a server that never closes fails this.
    async fn closed_by_server(stream: &mut tokio::net::TcpStream) -> bool {
        let mut buffer = [0u8; 4096];
        loop {
            match tokio::time::timeout(StdDuration::from_secs(10), stream.read(&mut buffer)).await {
                Ok(Ok(0) | Err(_)) => return true,
                Ok(Ok(_)) => {}
                Err(_) => return false,
            }
        }
    }

    let mut slow = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .expect("half a head");
    assert!(closed_by_server(&mut slow).await, "a half-sent head");

    let mut silent = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    assert!(closed_by_server(&mut silent).await, "a silent connection");

    let mut idle = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .expect("a whole request");
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.expect("a response");
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(closed_by_server(&mut idle).await, "idle after a response");

    let mut fresh = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    fresh
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .expect("request");
    let mut answer = String::new();
    fresh.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    server.abort();
}

/// Finding 5: a case the caller may not see and a case that does not exist are refused by one
/// path: the same status and page, and a refusal audited for each.
#[tokio::test]
async fn a_hidden_case_and_a_missing_case_look_the_same() {
    let app = TestApp::new().await;
    app.seed_case("EHC-HIDDEN-1").await;
    let parent = app.session(Role::Parent).await;
    let hidden = app.get("/cases/EHC-HIDDEN-1", Some(&parent)).await;
    let missing = app.get("/cases/EHC-ABSENT-1", Some(&parent)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        hidden.body.replace("EHC-HIDDEN-1", "REF"),
        missing.body.replace("EHC-ABSENT-1", "REF")
    );
    let denied = app.audit("denied").await;
    let mut references: Vec<_> = denied
        .iter()
        .filter_map(|d| d.case_reference.clone())
        .collect();
    references.sort_unstable();
    assert_eq!(references, ["EHC-ABSENT-1", "EHC-HIDDEN-1"], "{denied:?}");
}
