//! The front door in the web application (issue 13 item 1): a new request opened without a
//! reference gets the next one the council's pattern makes, keeps who asked and the child's
//! details; editing them later on the case keeps the history, which the case page shows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use chrono::Datelike;
use support::TestApp;
use tandem_core::Role;
use tandem_core::request::Requester;

#[tokio::test]
async fn a_request_without_a_reference_gets_one_and_keeps_who_asked_and_the_details() {
    let app = TestApp::new().await;
    let cm = app.session(Role::CaseManager).await;
    let today = tandem_core::dates::england_date(app.now());
    let page = app.get("/cases/new", Some(&cm)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts("label[for^=requested_by]"),
        [
            "Parent or carer",
            "Young person",
            "School or other education setting",
            "Health professional",
            "Social care professional",
            "Someone else"
        ]
    );
    let (day, month, year) = (
        today.day().to_string(),
        today.month().to_string(),
        today.year().to_string(),
    );
    let mut form = vec![
        ("given_name", "Ari"),
        ("family_name", "Frontdoor"),
        ("date_of_birth-day", "4"),
        ("date_of_birth-month", "5"),
        ("date_of_birth-year", "2016"),
        ("received-day", day.as_str()),
        ("received-month", month.as_str()),
        ("received-year", year.as_str()),
        ("reference", ""),
        ("requested_by", "school"),
        ("setting", "Hilltop Primary"),
        ("year_group", "Year 4"),
        ("primary_need", "SLCN"),
        ("home_la", "Northshire"),
        ("parent_name", "Jo Frontdoor"),
        ("parent_phone", "01632 960 001"),
        ("preferred_language", "Polish"),
        ("interpreter_needed", "yes"),
    ];
    let wrong = {
        let mut wrong = form.clone();
        wrong.push(("requested_by", "neighbour"));
        wrong.retain(|(n, v)| *n != "requested_by" || *v == "neighbour");
        app.post_form("/cases/new", Some(&cm), &wrong).await
    };
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.texts(".govuk-error-summary__list a"),
        ["Select one of the options"]
    );
    let opened = app.post_form("/cases/new", Some(&cm), &form).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let made = format!("EHC-{}-000001", today.year());
    assert_eq!(
        opened.location(),
        Some(format!("/cases/{made}?done=opened").as_str())
    );
    let stored = app.stored_case(&made).await;
    assert_eq!(stored.request.requested_by, Some(Requester::School));
    assert_eq!(stored.child.text("setting"), Some("Hilltop Primary"));
    assert_eq!(stored.child.text("preferred_language"), Some("Polish"));
    assert_eq!(
        stored.child.other["interpreter_needed"],
        serde_json::json!(true)
    );
    // A typed reference is still taken as it is.
    form.retain(|(n, _)| *n != "reference" && *n != "given_name");
    form.push(("reference", "EHC-TYPED-1"));
    form.push(("given_name", "Bo"));
    let typed = app.post_form("/cases/new", Some(&cm), &form).await;
    assert_eq!(typed.location(), Some("/cases/EHC-TYPED-1?done=opened"));

    // Changed later on the case: the case page shows who changed what.
    let path = format!("/cases/{made}/child");
    let edit = app.get(&path, Some(&cm)).await;
    assert_eq!(
        edit.attr("#setting", "value").as_deref(),
        Some("Hilltop Primary")
    );
    assert_eq!(
        edit.attr("#requested_by", "value").as_deref(),
        Some("school")
    );
    let version = edit.attr("input[name=version]", "value").unwrap();
    let saved = app
        .post_form(
            &path,
            Some(&cm),
            &[
                ("version", version.as_str()),
                ("setting", "Riverside Academy"),
                ("year_group", "Year 4"),
                ("primary_need", "SLCN"),
                ("home_la", "Northshire"),
                ("parent_name", "Jo Frontdoor"),
                ("parent_phone", "01632 960 001"),
                ("preferred_language", "Polish"),
                ("interpreter_needed", "yes"),
                ("requested_by", "school"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let case = app.get(&format!("/cases/{made}"), Some(&cm)).await;
    assert_eq!(case.texts("#detail-changes"), ["Changes to the details"]);
    let changes = case.texts("#detail-changes + table tbody td li");
    assert_eq!(changes, ["Setting: Hilltop Primary to Riverside Academy"]);
    // A QA auditor sees the case but may not record on it, nor see the history (it holds the
    // family's contact details as they were).
    let auditor = app.session(Role::QaAuditor).await;
    let seen = app.get(&format!("/cases/{made}"), Some(&auditor)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.texts("#detail-changes").is_empty());
    app.remove().await;
}
