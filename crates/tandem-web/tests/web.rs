//! Signing in and out, sessions, CSRF, security headers, assets and the account pages, driven
//! through the router in-process.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Duration;
use support::{PASSWORD, SESSION_COOKIE, Session, TestApp, email};
use tandem_core::Role;

#[tokio::test]
async fn sign_in_starts_a_session_in_a_host_only_secure_cookie_and_goes_home() {
    let app = TestApp::new().await;
    let (response, session) = app.sign_in_with("ANALYST@demo.test ", PASSWORD).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.location(), Some("/dashboard"));
    let line = response
        .set_cookie_line(SESSION_COOKIE)
        .expect("session cookie");
    for attribute in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(line.contains(attribute), "{line}");
    }
    assert!(!line.contains("Domain"), "{line}");
    // The sign-in cookie has done its job and is deleted.
    assert_eq!(
        response.set_cookie(support::SIGN_IN_COOKIE).as_deref(),
        Some("")
    );
    let session = session.expect("session");

    let home = app.get("/", Some(&session)).await;
    assert_eq!(home.location(), Some("/dashboard"));
    let audit = app.audit("session.sign_in").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, Some(app.users[&Role::Analyst]));
    assert!(!audit[0].detail.to_string().contains("demo.test"));
}

#[tokio::test]
async fn each_role_goes_to_its_home() {
    let app = TestApp::new().await;
    for (role, home) in [
        (Role::CaseManager, "/cases"),
        (Role::TeamManager, "/cases"),
        (Role::HeadOfService, "/cases"),
        (Role::Analyst, "/dashboard"),
        (Role::Admin, "/admin/users"),
        (Role::Parent, "/cases"),
        (Role::HealthProfessional, "/advice"),
        (Role::SocialCareProfessional, "/advice"),
        (Role::EducationSetting, "/advice"),
    ] {
        let session = app.session(role).await;
        assert_eq!(
            app.get("/", Some(&session)).await.location(),
            Some(home),
            "{role}"
        );
    }
    assert_eq!(app.get("/", None).await.location(), Some("/sign-in"));
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_the_email_kept() {
    let app = TestApp::new().await;
    let (response, session) = app
        .sign_in_with(&email(Role::Admin), "not the password at all")
        .await;
    assert!(session.is_none());
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.texts(".govuk-error-summary__list a"),
        ["Enter a correct email address and password"]
    );
    assert_eq!(
        response.attr("#email", "value").as_deref(),
        Some("admin@demo.test")
    );
    assert_eq!(response.attr("#password", "value"), None);
    assert!(response.texts("title")[0].starts_with("Error: "));
    assert!(!response.body.contains("not the password at all"));

    let (unknown, _) = app.sign_in_with("nobody@demo.test", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let failed = app.audit("session.sign_in_failed").await;
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[1].detail["user_id"], app.users[&Role::Admin]);
    assert!(failed[0].detail["user_id"].is_null());
}

#[tokio::test]
async fn blank_fields_are_reported_against_each_field() {
    let app = TestApp::new().await;
    let (response, _) = app.sign_in_with("", "").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.texts(".govuk-error-summary__list a"),
        ["Enter your email address", "Enter your password"]
    );
    assert_eq!(
        response.texts(".govuk-error-message"),
        [
            "Error: Enter your email address",
            "Error: Enter your password"
        ]
    );
}

#[tokio::test]
async fn repeated_failures_lock_the_address_for_the_window() {
    let app = TestApp::new().await;
    let limit = app.state.config().sign_in_limit;
    for _ in 0..limit.max_failures {
        let (response, _) = app
            .sign_in_with(&email(Role::CaseManager), "wrong password!")
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (locked, session) = app.sign_in_with(&email(Role::CaseManager), PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(session.is_none());
    assert_eq!(app.audit("session.sign_in_refused").await.len(), 1);
    // Other addresses are not affected.
    app.sign_in(Role::TeamManager).await;

    app.advance(limit.window + Duration::seconds(1));
    app.sign_in(Role::CaseManager).await;
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in() {
    let app = TestApp::new().await;
    let mut tx = app.store().begin().await.expect("begin");
    tx.set_user_disabled(app.users[&Role::Parent], true)
        .await
        .expect("disable");
    tx.commit().await.expect("commit");
    let (response, session) = app.sign_in_with(&email(Role::Parent), PASSWORD).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session.is_none());
}

#[tokio::test]
async fn sessions_end_after_the_idle_time() {
    let app = TestApp::new().await;
    let session = app.sign_in(Role::Admin).await;
    let idle = app.state.config().sessions.idle;
    app.advance(idle - Duration::minutes(1));
    assert_eq!(
        app.get("/admin/users", Some(&session)).await.status,
        StatusCode::OK
    );
    app.advance(idle - Duration::minutes(1));
    assert_eq!(
        app.get("/admin/users", Some(&session)).await.status,
        StatusCode::OK
    );
    app.advance(idle + Duration::seconds(1));
    let expired = app.get("/admin/users", Some(&session)).await;
    assert_eq!(expired.status, StatusCode::SEE_OTHER);
    assert_eq!(expired.location(), Some("/sign-in?next=%2Fadmin%2Fusers"));
    // A form sent after the session ended cannot be come back to: plain sign-in.
    let form = app
        .post_form(
            &format!("/admin/users/{}/disable", app.target),
            Some(&session),
            &[],
        )
        .await;
    assert_eq!(form.location(), Some("/sign-in"));
}

#[tokio::test]
async fn sessions_end_at_the_absolute_time_however_busy() {
    let app = TestApp::new().await;
    let session = app.sign_in(Role::Admin).await;
    let policy = app.state.config().sessions;
    let step = policy.idle / 2;
    let mut elapsed = Duration::zero();
    while elapsed + step < policy.absolute {
        app.advance(step);
        elapsed += step;
        assert_eq!(
            app.get("/admin/users", Some(&session)).await.status,
            StatusCode::OK
        );
    }
    app.advance(policy.absolute - elapsed);
    assert_eq!(
        app.get("/admin/users", Some(&session)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_and_forgets_the_cookie() {
    let app = TestApp::new().await;
    let session = app.sign_in(Role::Admin).await;
    let response = app.post_form("/sign-out", Some(&session), &[]).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.location(), Some("/sign-in"));
    let line = response
        .set_cookie_line(SESSION_COOKIE)
        .expect("cookie deleted");
    assert!(line.contains("Max-Age=0"), "{line}");
    assert_eq!(
        app.get("/admin/users", Some(&session)).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.audit("session.sign_out").await.len(), 1);
}

#[tokio::test]
async fn a_new_sign_in_gets_a_new_token() {
    let app = TestApp::new().await;
    let first = app.sign_in(Role::Admin).await;
    let second = app.sign_in(Role::Admin).await;
    assert_ne!(first.cookie, second.cookie);
}

#[tokio::test]
async fn state_changing_requests_need_the_csrf_token() {
    let app = TestApp::new().await;
    let session = app.sign_in(Role::Admin).await;
    let without = Session {
        csrf: String::new(),
        ..session.clone()
    };
    assert_eq!(
        app.post_form("/sign-out", Some(&without), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let other = app.session(Role::Admin).await;
    let wrong = Session {
        csrf: other.csrf,
        ..session.clone()
    };
    let refused = app.post_form("/sign-out", Some(&wrong), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("You do not have permission"));
    // No cookie at all: nothing to check a token against.
    assert_eq!(
        app.post_form("/sign-out", None, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // The token in a header does as well as in the form.
    let request = Request::builder()
        .method(Method::POST)
        .uri("/sign-out")
        .header(header::COOKIE, &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .body(Body::empty())
        .expect("request");
    assert_eq!(app.send(request).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn cross_site_requests_are_refused_even_with_the_token() {
    let app = TestApp::new().await;
    let session = app.session(Role::Admin).await;
    let post = |headers: &[(&str, &str)]| {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/sign-out")
            .header(header::HOST, "tandem.example")
            .header(header::COOKIE, &session.cookie)
            .header("x-csrf-token", &session.csrf);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(Body::empty()).expect("request")
    };
    for headers in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("sec-fetch-site", "same-site")][..],
        &[("origin", "https://evil.example")][..],
    ] {
        let response = app.send(post(headers)).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(response.header("content-security-policy").is_some());
    }
    let same = app
        .send(post(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://tandem.example"),
        ]))
        .await;
    assert_eq!(same.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_sign_in_form_is_protected_against_login_csrf() {
    let app = TestApp::new().await;
    let fields = [
        ("email", email(Role::Admin)),
        ("password", PASSWORD.to_owned()),
    ];
    let body = serde_urlencoded::to_string(fields).expect("encode");
    // A browser marks every form post; without the sign-in cookie and its token it is refused,
    // whether another site sent it or not.
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-origin"),
        ("origin", "http://localhost"),
    ] {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/sign-in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(name, value)
            .body(Body::from(body.clone()))
            .expect("request");
        let response = app.send(request).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(response.set_cookie(SESSION_COOKIE).is_none());
    }
}

#[tokio::test]
async fn a_program_signs_in_with_email_and_password_alone() {
    let app = TestApp::new().await;
    // No browser headers, no cookie, no token: a script such as `curl -d email=… -d password=…`.
    let signed_in = app
        .post_form(
            "/sign-in",
            None,
            &[("email", &email(Role::CaseManager)), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert!(signed_in.set_cookie(SESSION_COOKIE).is_some());
    let wrong = app
        .post_form(
            "/sign-in",
            None,
            &[
                ("email", &email(Role::CaseManager)),
                ("password", "not it at all"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.set_cookie(SESSION_COOKIE).is_none());
}

#[tokio::test]
async fn csrf_token_matches_the_page() {
    let app = TestApp::new().await;
    let session = app.sign_in(Role::Admin).await;
    let page = app.get("/admin/users", Some(&session)).await;
    assert_eq!(page.csrf_field(), Some(session.csrf));
}

#[tokio::test]
async fn only_local_next_addresses_are_followed() {
    let app = TestApp::new().await;
    let page = app
        .get("/sign-in?next=%2Fadmin%2Fusers%3Fx%3D1", None)
        .await;
    assert_eq!(
        page.attr(r#"input[name="next"]"#, "value").as_deref(),
        Some("/admin/users?x=1")
    );
    // Browsers drop tabs and line breaks, so `/\t/evil.example` is `//evil.example`; a line
    // break in the `Location` header used to fail the request.
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/x",
        "/\r/x",
        "/\u{b}/x",
        "/ /evil.example",
        "/\u{202e}x",
    ] {
        let query = serde_urlencoded::to_string([("next", evil)]).expect("encode");
        let page = app.get(&format!("/sign-in?{query}"), None).await;
        assert_eq!(page.attr(r#"input[name="next"]"#, "value"), None, "{evil}");
    }
    let session = app.session(Role::Admin).await;
    for evil in [
        "%2F%2Fevil.example",
        "%2F%09%2Fevil.example",
        "%2F%0a%2Fx",
        "%2F%0d%2Fx",
    ] {
        let signed_in = app
            .get(&format!("/sign-in?next={evil}"), Some(&session))
            .await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{evil}");
        assert_eq!(signed_in.location(), Some("/admin/users"), "{evil}");
    }
    // Signing in with such a `next` goes home too.
    let (response, _) = app
        .sign_in_with_next(
            &support::email(Role::Admin),
            support::PASSWORD,
            "/\t/evil.example",
        )
        .await;
    assert_eq!(response.location(), Some("/admin/users"));
}

fn assert_security_headers(response: &support::TestResponse, what: &str) {
    let csp = response.header("content-security-policy").expect(what);
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{what}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(
        response.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        response.header("referrer-policy"),
        Some("same-origin"),
        "{what}"
    );
    assert_eq!(response.header("x-frame-options"), Some("DENY"), "{what}");
    assert_eq!(
        response.header("cross-origin-opener-policy"),
        Some("same-origin"),
        "{what}"
    );
    assert!(response.header("permissions-policy").is_some(), "{what}");
    assert!(
        response.header("strict-transport-security").is_some(),
        "{what}"
    );
    assert!(response.header("x-request-id").is_some(), "{what}");
}

#[tokio::test]
async fn every_response_has_the_security_headers_and_pages_are_not_stored() {
    let app = TestApp::new().await;
    let session = app.session(Role::Admin).await;
    for (what, response) in [
        ("sign-in page", app.get("/sign-in", None).await),
        ("admin page", app.get("/admin/users", Some(&session)).await),
        ("redirect", app.get("/", None).await),
        ("not found", app.get("/no/such/page", None).await),
        ("forbidden", app.post_form("/sign-out", None, &[]).await),
        ("health", app.get("/health", None).await),
    ] {
        assert_security_headers(&response, what);
        assert_eq!(response.header("cache-control"), Some("no-store"), "{what}");
    }
    for url in app.asset_urls().await {
        let asset = app.get(&url, None).await;
        assert_eq!(asset.status, StatusCode::OK, "{url}");
        assert_security_headers(&asset, &url);
        assert_eq!(
            asset.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{url}"
        );
    }
}

#[tokio::test]
async fn the_accessibility_statement_is_public_in_the_govuk_format_and_every_footer_links_to_it() {
    let app = TestApp::new().await;
    let signed_out = app.get("/accessibility", None).await;
    assert_eq!(signed_out.status, StatusCode::OK);
    assert_eq!(
        signed_out.texts("h1"),
        ["Accessibility statement for Tandem"]
    );
    // The sections of GOV.UK's sample statement.
    let headings = signed_out.texts("h2, h3");
    for section in [
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ] {
        assert!(
            headings.iter().any(|h| h.starts_with(section)),
            "{section}: {headings:?}"
        );
    }

    let manager = app.session(Role::CaseManager).await;
    let signed_in = app.get("/accessibility", Some(&manager)).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert!(signed_in.texts("button").contains(&"Sign out".to_owned()));
    for (path, session, status) in [
        ("/sign-in", None, StatusCode::OK),
        ("/no-such-page", None, StatusCode::NOT_FOUND),
        ("/no-such-page", Some(&manager), StatusCode::NOT_FOUND),
        ("/admin/users", Some(&manager), StatusCode::FORBIDDEN),
        ("/invitations/no-such-invitation", None, StatusCode::GONE),
        ("/cases", Some(&manager), StatusCode::OK),
        ("/accessibility", Some(&manager), StatusCode::OK),
    ] {
        let page = app.get(path, session).await;
        assert_eq!(page.status, status, "{path}");
        assert_eq!(
            page.attr("footer a", "href").as_deref(),
            Some("/accessibility"),
            "{path}"
        );
    }
}

/// Browser tabs read "Thing – Section – Tandem", as on GOV.UK: the page, then the navigation
/// section it belongs to unless the page's own title already names it, then the service. A
/// case's pages name the case and the child.
#[tokio::test]
async fn page_titles_say_where_you_are_and_in_which_section() {
    let app = TestApp::new().await;
    app.seed_case("EHC-2026-0042").await;
    let manager = app.session(Role::CaseManager).await;
    let analyst = app.session(Role::Analyst).await;
    let admin = app.session(Role::Admin).await;
    for (path, session, title) in [
        ("/sign-in", None, "Sign in – Tandem"),
        ("/accessibility", None, "Accessibility statement – Tandem"),
        (
            "/accessibility",
            Some(&manager),
            "Accessibility statement – Tandem",
        ),
        (
            "/cases/EHC-2026-0042",
            Some(&manager),
            "EHC-2026-0042: Robin Seed – Cases – Tandem",
        ),
        (
            "/cases/EHC-2026-0042/events/new",
            Some(&manager),
            "What happened? – EHC-2026-0042 – Cases – Tandem",
        ),
        ("/backlog", Some(&manager), "Backlog – Tandem"),
        ("/admin/users", Some(&admin), "Accounts – Tandem"),
        (
            "/admin/users/new",
            Some(&admin),
            "Create an account – Accounts – Tandem",
        ),
        (
            "/admin/notifications",
            Some(&admin),
            "Notifications – Accounts – Tandem",
        ),
    ] {
        let page = app.get(path, session).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.texts("title"), [title], "{path}");
    }
    // The dashboard names its period, and once only names its section.
    let dashboard = app.get("/dashboard", Some(&analyst)).await;
    let title = &dashboard.texts("title")[0];
    assert!(
        title.starts_with("Performance dashboard: ") && title.ends_with(" – Tandem"),
        "{title}"
    );
    assert_eq!(
        title.to_lowercase().matches("dashboard").count(),
        1,
        "{title}"
    );
}

#[tokio::test]
async fn pages_load_only_files_and_no_inline_code() {
    let app = TestApp::new().await;
    let page = app.get("/sign-in", None).await;
    assert!(page.texts("script").iter().all(String::is_empty));
    assert!(!page.body.contains("<style"));
    assert!(!page.body.contains(" style="));
    assert_eq!(
        page.attr("script", "type").as_deref(),
        Some("module"),
        "GOV.UK Frontend is an ES module"
    );
}

#[tokio::test]
async fn assets_are_embedded_with_arial_and_content_hashed_urls() {
    let app = TestApp::new().await;
    let urls = app.asset_urls().await;
    assert_eq!(urls.len(), 3, "{urls:?}");
    let mut govuk_js = None;
    for url in &urls {
        let asset = app.get(url, None).await;
        let name = url.rsplit('/').next().expect("file name");
        let parts: Vec<&str> = name.split('.').collect();
        assert!(
            parts[1].len() == 16 && parts[1].chars().all(|c| c.is_ascii_hexdigit()),
            "{url}"
        );
        if url.ends_with(".css") {
            assert!(
                asset
                    .header("content-type")
                    .unwrap_or("")
                    .starts_with("text/css")
            );
            assert!(!asset.body.contains("GDS Transport"), "{url}");
            assert!(!asset.body.contains("/assets/fonts/"), "{url}");
        } else {
            assert!(
                asset
                    .header("content-type")
                    .unwrap_or("")
                    .starts_with("text/javascript")
            );
            // Our start-up script imports GOV.UK Frontend from its own hashed URL.
            let import = asset
                .body
                .split('"')
                .find(|s| s.starts_with("/assets/govuk-frontend."))
                .expect("import of GOV.UK Frontend")
                .to_owned();
            govuk_js = Some(import);
        }
    }
    assert!(
        app.get(&urls[0], None)
            .await
            .body
            .contains("arial,sans-serif")
    );
    let govuk_js = app.get(&govuk_js.expect("script"), None).await;
    assert_eq!(govuk_js.status, StatusCode::OK);
    assert!(govuk_js.body.contains("initAll"));
    assert!(!govuk_js.body.contains("sourceMappingURL"));
    assert_eq!(
        app.get("/assets/govuk-frontend.min.css", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn errors_are_generic_pages_or_problem_details_under_the_api() {
    let app = TestApp::new().await;
    let page = app.get("/no/such/page", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.texts("h1"), ["Page not found"]);
    assert!(
        page.header("content-type")
            .unwrap_or("")
            .starts_with("text/html")
    );

    let api = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.header("content-type"), Some("application/problem+json"));
    let problem: serde_json::Value = serde_json::from_str(&api.body).expect("json");
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["title"], "Not Found");

    assert_eq!(
        page.attr("main a[href='/']", "href").as_deref(),
        Some("/"),
        "a signed-out visitor is offered the start page"
    );

    // Someone signed in keeps their navigation and sign-out, and is offered their own start
    // page rather than one that refuses them again.
    for (role, home) in [(Role::Parent, "/cases"), (Role::Analyst, "/dashboard")] {
        let session = app.session(role).await;
        let forbidden = app.get("/admin/users", Some(&session)).await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
        assert_eq!(
            forbidden.texts("h1"),
            ["You do not have permission to see this page"]
        );
        assert_eq!(
            forbidden
                .texts("main a.govuk-link")
                .last()
                .map(String::as_str),
            Some("Go to your start page")
        );
        assert!(
            forbidden
                .attr(&format!("main a[href='{home}']"), "href")
                .is_some(),
            "{role}"
        );
        assert!(
            forbidden
                .attr(&format!("nav a[href='{home}']"), "href")
                .is_some(),
            "{role}"
        );
        assert_eq!(
            forbidden.texts("form[action='/sign-out'] button"),
            ["Sign out"]
        );
        let missing = app.get("/no/such/page", Some(&session)).await;
        assert!(
            missing
                .attr(&format!("main a[href='{home}']"), "href")
                .is_some(),
            "{role}"
        );
    }
}

#[tokio::test]
async fn health_answers_ok_while_the_database_does() {
    let app = TestApp::new().await;
    let response = app.get("/health", None).await;
    assert_eq!(
        (response.status, response.body.as_str()),
        (StatusCode::OK, "ok")
    );
    app.store().close().await;
    let response = app.get("/health", None).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_header_shows_the_user_their_navigation_and_a_sign_out_button() {
    let app = TestApp::new().await;
    let session = app.sign_in(Role::Admin).await;
    let page = app.get("/admin/users", Some(&session)).await;
    assert_eq!(
        page.texts(".govuk-generic-header__homepage-link"),
        ["Tandem"]
    );
    assert_eq!(
        page.texts(".tandem-header__account p"),
        ["Signed in as Demo Administrator, Administrator"]
    );
    // Administrators keep the accounts and the workforce's list of courses.
    assert_eq!(
        page.texts(".govuk-service-navigation__link"),
        ["Accounts", "Workforce"]
    );
    assert_eq!(
        page.attr(".govuk-service-navigation__link", "aria-current")
            .as_deref(),
        Some("page")
    );
    assert_eq!(
        page.attr(r#"form[action="/sign-out"]"#, "method")
            .as_deref(),
        Some("post")
    );
    assert_eq!(page.texts(".govuk-skip-link"), ["Skip to main content"]);
    assert!(page.body.contains(r#"id="main-content""#));
}

#[tokio::test]
async fn administrators_create_accounts_keeping_what_was_typed_on_errors() {
    let app = TestApp::new().await;
    let admin = app.sign_in(Role::Admin).await;
    let fields = [
        ("name", "Casey Worker"),
        ("email", "not-an-address"),
        ("role", "case_manager"),
        ("team", "south"),
        ("password", "short"),
    ];
    let refused = app
        .post_form("/admin/users/new", Some(&admin), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".govuk-error-summary__list a"),
        [
            "Enter an email address in the correct format, like name@example.org",
            "Password must be 12 characters or more"
        ]
    );
    assert_eq!(
        refused.attr("#name", "value").as_deref(),
        Some("Casey Worker")
    );
    assert_eq!(
        refused.attr("#team option[selected]", "value").as_deref(),
        Some("south")
    );
    assert_eq!(
        refused
            .attr(r#"#role option[selected]"#, "value")
            .as_deref(),
        Some("case_manager")
    );

    let fields = [
        ("name", "Casey Worker"),
        ("email", "Casey@Council.example"),
        ("role", "case_manager"),
        ("team", "south"),
        ("password", "a long enough password"),
    ];
    let created = app
        .post_form("/admin/users/new", Some(&admin), &fields)
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let location = created.location().expect("location").to_owned();
    let page = app.get(&location, Some(&admin)).await;
    assert_eq!(
        page.texts(".govuk-notification-banner__heading"),
        ["Account created"]
    );
    assert!(page.body.contains("casey@council.example"));
    let (signed_in, _) = app
        .sign_in_with("casey@council.example", "a long enough password")
        .await;
    assert_eq!(signed_in.location(), Some("/cases"));

    let duplicate = app
        .post_form("/admin/users/new", Some(&admin), &fields)
        .await;
    assert_eq!(
        duplicate.texts(".govuk-error-summary__list a"),
        ["An account with that email address already exists"]
    );
    let audit = app.audit("account.create").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, Some(app.users[&Role::Admin]));
    assert_eq!(audit[0].detail["role"], "case_manager");
}

#[tokio::test]
async fn administrators_correct_a_name_and_email_keeping_what_was_typed_on_errors() {
    let app = TestApp::new().await;
    let admin = app.sign_in(Role::Admin).await;
    let id = app.users[&Role::QaAuditor];
    let base = format!("/admin/users/{id}");
    let refused = app
        .post_form(
            &format!("{base}/details"),
            Some(&admin),
            &[("name", "Quinn Auditor"), ("email", "quinn@")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".govuk-error-summary__list a"),
        ["Enter an email address in the correct format, like name@example.org"]
    );
    assert_eq!(
        refused.attr("#name", "value").as_deref(),
        Some("Quinn Auditor")
    );
    assert_eq!(refused.attr("#email", "value").as_deref(), Some("quinn@"));

    let saved = app
        .post_form(
            &format!("{base}/details"),
            Some(&admin),
            &[
                ("name", "Quinn Auditor"),
                ("email", "quinn@council.example"),
            ],
        )
        .await;
    assert_eq!(
        saved.location(),
        Some(format!("{base}?done=details").as_str())
    );
    let page = app.get(saved.location().unwrap(), Some(&admin)).await;
    assert_eq!(page.texts("h1"), ["Quinn Auditor"]);
    assert_eq!(
        page.texts(".govuk-notification-banner__heading"),
        ["Name and email address saved"]
    );
    let (signed_in, _) = app
        .sign_in_with("quinn@council.example", support::PASSWORD)
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.audit("account.details").await[0].detail["changed"],
        serde_json::json!(["name", "email"])
    );
}

#[tokio::test]
async fn disabling_a_case_manager_offers_to_hand_their_cases_over() {
    let app = TestApp::new().await;
    app.open_case(
        "EHC-9",
        ("Robin", "Testcase"),
        app.today(),
        Some(Role::CaseManager),
    )
    .await;
    let admin = app.sign_in(Role::Admin).await;
    let id = app.users[&Role::CaseManager];
    let to = app.users[&Role::TeamManager];
    let page = app.get(&format!("/admin/users/{id}"), Some(&admin)).await;
    assert!(page.body.contains("holds 1 case."), "{}", page.body);
    assert!(
        !page.body.contains("Robin"),
        "the administrator does not see the case"
    );
    assert!(
        page.texts("#hand_to option")
            .iter()
            .any(|o| o.contains("(Team manager)")),
        "active managers offered"
    );
    let disabled = app
        .post_form(
            &format!("/admin/users/{id}/disable"),
            Some(&admin),
            &[("hand_to", to.to_string().as_str())],
        )
        .await;
    assert_eq!(
        disabled.location(),
        Some(format!("/admin/users/{id}?done=handed_over").as_str())
    );
    assert_eq!(app.stored_case("EHC-9").await.record.case_manager, Some(to));
}

#[tokio::test]
async fn administrators_change_roles_disable_enable_and_sign_out_everywhere() {
    let app = TestApp::new().await;
    let admin = app.sign_in(Role::Admin).await;
    let victim = app.sign_in(Role::QaAuditor).await;
    let id = app.users[&Role::QaAuditor];
    let base = format!("/admin/users/{id}");

    let changed = app
        .post_form(
            &format!("{base}/role"),
            Some(&admin),
            &[("role", "analyst"), ("team", "")],
        )
        .await;
    assert_eq!(
        changed.location(),
        Some(format!("{base}?done=role").as_str())
    );
    // The new role applies at once to the user's session.
    assert_eq!(
        app.get("/", Some(&victim)).await.location(),
        Some("/dashboard")
    );

    let bad = app
        .post_form(&format!("{base}/role"), Some(&admin), &[("role", "wizard")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.texts(".govuk-error-summary__list a"), ["Choose a role"]);

    let disabled = app
        .post_form(&format!("{base}/disable"), Some(&admin), &[])
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/", Some(&victim)).await.location(),
        Some("/sign-in")
    );
    let (refused, _) = app.sign_in_with(&email(Role::QaAuditor), PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let enabled = app
        .post_form(&format!("{base}/enable"), Some(&admin), &[])
        .await;
    assert_eq!(enabled.status, StatusCode::SEE_OTHER);
    let again = app.sign_in(Role::QaAuditor).await;

    let everywhere = app
        .post_form(&format!("{base}/sign-out-everywhere"), Some(&admin), &[])
        .await;
    assert_eq!(everywhere.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/", Some(&again)).await.location(),
        Some("/sign-in")
    );

    for action in [
        "account.role",
        "account.disable",
        "account.enable",
        "account.sign_out_everywhere",
    ] {
        let entries = app.audit(action).await;
        assert_eq!(entries.len(), 1, "{action}");
        assert_eq!(entries[0].actor, Some(app.users[&Role::Admin]), "{action}");
        assert_eq!(entries[0].detail["user_id"], id, "{action}");
    }
}

#[tokio::test]
async fn administrators_cannot_lock_themselves_out() {
    let app = TestApp::new().await;
    let admin = app.session(Role::Admin).await;
    let own = format!("/admin/users/{}", app.users[&Role::Admin]);
    let page = app.get(&own, Some(&admin)).await;
    assert!(page.body.contains("This is your own account"));
    assert!(!page.body.contains("/disable"));
    for action in ["disable", "role"] {
        let response = app
            .post_form(
                &format!("{own}/{action}"),
                Some(&admin),
                &[("role", "parent")],
            )
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{action}");
    }
}

#[tokio::test]
async fn assets_are_compressed_but_pages_are_not() {
    let app = TestApp::new().await;
    let gzip = |path: &str| {
        Request::builder()
            .uri(path)
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .expect("request")
    };
    let page = app.send(gzip("/sign-in")).await;
    assert_eq!(page.header("content-encoding"), None);
    let css = app.asset_urls().await.remove(0);
    let asset = app.send(gzip(&css)).await;
    assert_eq!(asset.header("content-encoding"), Some("gzip"));
}

#[tokio::test]
async fn administrators_keep_the_list_of_teams() {
    let app = TestApp::new().await;
    let admin = app.sign_in(Role::Admin).await;
    let accounts = app.get("/admin/users", Some(&admin)).await;
    assert!(accounts.attr("a[href='/admin/teams']", "href").is_some());
    let page = app.get("/admin/teams", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    // north has the demo case manager; south nobody, so only south can be removed.
    assert_eq!(page.texts("tbody th"), ["north", "south"]);
    assert_eq!(
        page.attr(
            "form[action='/admin/teams/remove'] input[name='name']",
            "value"
        )
        .as_deref(),
        Some("south")
    );
    assert_eq!(page.texts("td span.govuk-body-s"), ["In use"]);
    let refused = app
        .post_form("/admin/teams", Some(&admin), &[("name", "North")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".govuk-error-summary__list a"),
        ["There is already a team called north"]
    );
    assert_eq!(refused.attr("#name", "value").as_deref(), Some("North"));
    let added = app
        .post_form("/admin/teams", Some(&admin), &[("name", "East")])
        .await;
    assert_eq!(added.location(), Some("/admin/teams?done=added"));
    let in_use = app
        .post_form("/admin/teams/remove", Some(&admin), &[("name", "north")])
        .await;
    assert_eq!(in_use.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        in_use.texts(".govuk-error-summary__list a"),
        ["north still has 1 person and 0 cases: move them to another team first"]
    );
    let removed = app
        .post_form("/admin/teams/remove", Some(&admin), &[("name", "south")])
        .await;
    assert_eq!(removed.location(), Some("/admin/teams?done=removed"));
    // The account forms offer the list.
    let form = app.get("/admin/users/new", Some(&admin)).await;
    assert_eq!(form.texts("#team option"), ["No team", "East", "north"]);
    assert_eq!(app.audit("team.add").await.len(), 1);
    assert_eq!(app.audit("team.remove").await.len(), 1);
    app.remove().await;
}
