//! One case manager's story through the router, on SQLite and on PostgreSQL alike: sign in with
//! the password, find a new case on the caseload, open it, record the decision to assess, see it
//! listed, and read it back through the JSON API. The rest of the web tests run on SQLite; this
//! one shows the pages and the API behave the same on the server database.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::{Method, StatusCode};
use chrono::{Datelike, Duration};
use support::TestApp;
use tandem_core::Role;
use tandem_test_support::TempDatabase;

const REF: &str = "EHC-STORY-1";

async fn sign_in_open_record_list_and_read_back(app: &TestApp) {
    app.seed_case(REF).await;
    let cm = app.sign_in(Role::CaseManager).await;

    let caseload = app.get("/cases", Some(&cm)).await;
    assert_eq!(caseload.status, StatusCode::OK, "{}", caseload.body);
    assert!(
        caseload.body.contains(REF),
        "the new case is on the caseload"
    );

    let case_page = app.get(&format!("/cases/{REF}"), Some(&cm)).await;
    assert_eq!(case_page.status, StatusCode::OK, "{}", case_page.body);
    assert!(case_page.body.contains(REF));
    assert_eq!(case_page.texts("h1"), ["Robin Seed"]);

    let decided = app.today() - Duration::days(1);
    let (day, month, year) = (
        decided.day().to_string(),
        decided.month().to_string(),
        decided.year().to_string(),
    );
    let saved = app
        .post_form(
            &format!("/cases/{REF}/events/new"),
            Some(&cm),
            &[
                ("type", "decision_to_assess"),
                ("outcome", "assess"),
                ("version", "1"),
                ("seen", "1"),
                ("date-day", &day),
                ("date-month", &month),
                ("date-year", &year),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.location(),
        Some(format!("/cases/{REF}?done=recorded").as_str())
    );

    let listed = app
        .api(Method::GET, "/api/v1/cases", Some(&cm), None, None)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let list = listed.json();
    assert_eq!(list["cases"][0]["reference"], REF, "{list}");
    assert_eq!(list["cases"][0]["stage"], "assessing", "{list}");

    let read = app
        .api(
            Method::GET,
            &format!("/api/v1/cases/{REF}"),
            Some(&cm),
            None,
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.header("etag"), Some("\"2\""));
    let case = read.json();
    let events = case["events"].as_array().expect("events");
    assert_eq!(events.len(), 2, "{case}");
    assert_eq!(events[1]["event"]["type"], "decision_to_assess");
    assert_eq!(events[1]["event"]["date"], decided.to_string());
    assert_eq!(events[1]["source"], "form");
    assert_eq!(events[1]["recorded_by"], app.users[&Role::CaseManager]);
}

#[tokio::test]
async fn the_story_on_sqlite() {
    let app = TestApp::over(TempDatabase::sqlite(), support::config()).await;
    sign_in_open_record_list_and_read_back(&app).await;
    app.remove().await;
}

#[tokio::test]
async fn the_story_on_postgres() {
    let Some(database) = TempDatabase::postgres().await else {
        return;
    };
    let app = TestApp::over(database, support::config()).await;
    sign_in_open_record_list_and_read_back(&app).await;
    app.remove().await;
}
