//! A service asked for advice: its work tray, the standard advice form saved as a draft and
//! submitted, what the case manager then reads, and everyone else kept out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::json;
use support::{Session, TestApp, TestResponse};
use tandem_core::{EventType, Role};

/// A case asking `provider` for health advice `days` days before the application's today.
async fn asking(app: &TestApp, reference: &str, provider: &str, days: i64) {
    let asked = (app.today() - Duration::days(days)).to_string();
    let decided = (app.today() - Duration::days(days + 1)).to_string();
    let case = json!({
        "reference": reference,
        "child": { "given_name": "Robin", "family_name": "Testcase", "date_of_birth": "2016-04-09" },
        "events": [
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "decision_to_assess", "date": decided, "outcome": "assess" },
            { "type": "advice_requested", "date": asked, "advice": "health", "provider": provider },
        ],
    });
    app.add_case(case, Some(Role::CaseManager)).await;
}

const FORM: &str = "/advice/EHC-1/health";

/// The form's fields as `fields` fill them, with the version the page carried.
async fn send(
    app: &TestApp,
    session: &Session,
    version: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    let mut all = vec![("version", version), ("action", action)];
    all.extend_from_slice(fields);
    app.post_form(FORM, Some(session), &all).await
}

fn version_on(page: &TestResponse) -> String {
    page.attr("input[name=version]", "value")
        .expect("version field")
}

const COMPLETE: &[(&str, &str)] = &[
    (
        "needs",
        "Delayed expressive language.\nTires quickly after lunch.",
    ),
    ("outcomes", "By July 2027, uses three-word phrases in class"),
    (
        "provision-1-what",
        "Speech and language therapy for attention and listening",
    ),
    ("provision-1-who", "A speech and language therapist"),
    ("provision-1-how_often", "Weekly"),
    ("provision-1-how_long", "45 minutes, for two terms"),
    ("provision-2-what", ""),
    ("provision-2-who", ""),
    ("provision-2-how_often", ""),
    ("provision-2-how_long", ""),
    ("consulted", "Parents; class teacher"),
];

#[tokio::test]
async fn a_health_professional_drafts_and_submits_advice_which_the_case_manager_reads() {
    let app = TestApp::new().await;
    asking(&app, "EHC-1", "Community Paediatrics", 10).await;
    asking(
        &app,
        "EHC-2",
        "Child and adolescent mental health services",
        3,
    )
    .await;
    let nurse = app.sign_in(Role::HealthProfessional).await;

    // The professional starts at the tray: their service's request, not the other service's.
    let home = app.get("/", Some(&nurse)).await;
    assert_eq!(home.location(), Some("/advice"));
    let tray = app.get("/advice", Some(&nurse)).await;
    assert_eq!(tray.status, StatusCode::OK);
    assert_eq!(tray.texts("h1"), ["Advice requests"]);
    assert_eq!(tray.texts(".govuk-caption-l"), ["Community paediatrics"]);
    assert_eq!(
        tray.texts(".govuk-summary-card__title"),
        ["Robin Testcase: Health advice"]
    );
    assert!(tray.body.contains("32 days left"), "{}", tray.body);
    assert!(tray.body.contains("Not started"));
    assert_eq!(
        tray.attr(".govuk-summary-card__action a", "href")
            .as_deref(),
        Some(FORM)
    );
    assert!(!tray.body.contains("EHC-2"));

    // A half-written draft is saved as it is.
    let form = app.get(FORM, Some(&nurse)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.texts("label[for=needs]"), ["The child’s health needs"]);
    let saved = send(
        &app,
        &nurse,
        &version_on(&form),
        "save",
        &[("needs", "Started")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location(), Some("/advice/EHC-1/health?done=saved"));
    let again = app
        .get("/advice/EHC-1/health?done=saved", Some(&nurse))
        .await;
    assert!(again.body.contains("Draft saved at"));
    assert_eq!(again.texts("textarea[name=needs]"), ["Started"]);
    let tray = app.get("/advice", Some(&nurse)).await;
    assert!(tray.body.contains("Draft saved, not yet submitted"));

    // "Add another provision" keeps what was typed and shows one more row.
    let one_row: Vec<(&str, &str)> = COMPLETE
        .iter()
        .filter(|(name, _)| !name.starts_with("provision-2"))
        .copied()
        .collect();
    let more = send(&app, &nurse, &version_on(&again), "add", &one_row).await;
    assert_eq!(more.status, StatusCode::OK);
    assert_eq!(
        more.texts("fieldset legend"),
        ["Provision 1", "Provision 2"]
    );
    let version = version_on(&more);

    // Submitting something incomplete saves nothing and names each problem.
    let events_before = app.stored_case("EHC-1").await.history.len();
    let incomplete = send(
        &app,
        &nurse,
        &version,
        "submit",
        &[("needs", "Started"), ("provision-1-what", "Therapy")],
    )
    .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = incomplete.texts(".govuk-error-summary__list a");
    assert_eq!(
        problems,
        [
            "Enter the outcomes sought",
            "Enter who was consulted",
            "Enter who will provide it for provision 1",
            "Enter how often for provision 1",
            "Enter for how long for provision 1",
        ]
    );
    assert_eq!(
        incomplete
            .attr(".govuk-error-summary__list a", "href")
            .as_deref(),
        Some("#outcomes")
    );
    assert_eq!(app.stored_case("EHC-1").await.history.len(), events_before);

    // A save against an old version (a colleague saved first) keeps every word typed.
    let stale = send(&app, &nurse, "1", "save", COMPLETE).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale
            .body
            .contains("Someone else in your service saved this advice")
    );
    assert_eq!(
        stale.texts("textarea[name=outcomes]"),
        ["By July 2027, uses three-word phrases in class"]
    );

    // Submitted: advice_received is recorded on the case, by the professional, today.
    let submitted = send(&app, &nurse, &version, "submit", COMPLETE).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    assert_eq!(submitted.location(), Some("/advice?done=submitted"));
    let case = app.stored_case("EHC-1").await;
    let last = case.history.last().expect("an event");
    let event = last.event.as_ref().expect("an event");
    assert_eq!(event.event_type(), EventType::AdviceReceived);
    assert_eq!(event.date, app.today());
    assert_eq!(last.recorded_by, Some(app.users[&Role::HealthProfessional]));
    assert_eq!(app.audit("advice.submit").await.len(), 1);

    // The request has left the tray, and its form is gone.
    let tray = app.get("/advice?done=submitted", Some(&nurse)).await;
    assert!(tray.body.contains("Your advice was submitted"));
    assert!(tray.body.contains("No advice requests are waiting"));
    assert_eq!(
        app.get(FORM, Some(&nurse)).await.status,
        StatusCode::NOT_FOUND
    );
    // The professional's page of the case shows their own service's request, answered.
    let page = app.get("/cases/EHC-1", Some(&nurse)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Advice received on"));
    assert!(!page.body.contains("Statutory deadlines"));

    // The case manager reads the advice on the case.
    let manager = app.sign_in(Role::CaseManager).await;
    let page = app.get("/cases/EHC-1", Some(&manager)).await;
    assert!(
        page.texts("h2")
            .contains(&"Advice written in Tandem".to_owned())
    );
    assert!(
        page.body
            .contains("A speech and language therapist, Weekly, 45 minutes")
    );
    assert!(page.body.contains("Parents; class teacher"));
}

#[tokio::test]
async fn nobody_else_reaches_a_services_advice_form() {
    let app = TestApp::new().await;
    asking(&app, "EHC-1", "Community paediatrics", 10).await;
    for role in [Role::SocialCareProfessional, Role::EducationSetting] {
        let session = app.session(role).await;
        assert_eq!(
            app.get("/advice", Some(&session)).await.status,
            StatusCode::OK
        );
        for path in [
            FORM,
            "/advice/EHC-1/social_care",
            "/advice/EHC-NOSUCH/health",
        ] {
            assert_eq!(
                app.get(path, Some(&session)).await.status,
                StatusCode::NOT_FOUND,
                "{role} {path}"
            );
        }
        let posted = app
            .post_form(
                FORM,
                Some(&session),
                &[("version", "0"), ("action", "save"), ("needs", "x")],
            )
            .await;
        assert_eq!(posted.status, StatusCode::NOT_FOUND, "{role}");
    }
    // The health professional's own service has no such request.
    let nurse = app.session(Role::HealthProfessional).await;
    assert_eq!(
        app.get("/advice/EHC-1/health:2", Some(&nurse)).await.status,
        StatusCode::NOT_FOUND
    );
    // Staff and families have no tray; the case's own case manager may read the case but not
    // answer for the service, and the others may not know the case exists.
    for (role, form) in [
        (Role::CaseManager, StatusCode::FORBIDDEN),
        (Role::Parent, StatusCode::NOT_FOUND),
        (Role::Analyst, StatusCode::NOT_FOUND),
    ] {
        let session = app.session(role).await;
        assert_eq!(
            app.get("/advice", Some(&session)).await.status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
        assert_eq!(app.get(FORM, Some(&session)).await.status, form, "{role}");
    }
    assert!(
        app.store()
            .advice_responses(1)
            .await
            .expect("read")
            .is_empty()
    );
}
