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

/// The form at `path` sent with `fields`, the version the page carried and the button pressed.
async fn send_to(
    app: &TestApp,
    path: &str,
    session: &Session,
    version: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    let mut all = vec![("version", version), ("action", action)];
    all.extend_from_slice(fields);
    app.post_form(path, Some(session), &all).await
}

/// The health advice form sent.
async fn send(
    app: &TestApp,
    session: &Session,
    version: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    send_to(app, FORM, session, version, action, fields).await
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

/// A case of the demo parent's child with `events` after the request.
async fn family_case(app: &TestApp, reference: &str, events: serde_json::Value) {
    let mut all = vec![json!({ "type": "request_received", "date": "2026-01-05" })];
    all.extend(events.as_array().expect("events").iter().cloned());
    let case = json!({
        "reference": reference,
        "child": { "given_name": "Robin", "family_name": "Testcase", "date_of_birth": "2016-04-09" },
        "events": all,
    });
    let record = app.add_case(case, Some(Role::CaseManager)).await;
    let mut tx = app.store().begin_at(app.now()).await.unwrap();
    tx.link_person(
        record.id,
        app.users[&Role::Parent],
        tandem_test_support::tandem_store::CaseRelation::Family,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_family_gives_their_views_on_the_same_form_in_their_own_words() {
    let app = TestApp::new().await;
    let asked = (app.today() - Duration::days(3)).to_string();
    family_case(
        &app,
        "EHC-1",
        json!([
            { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
            { "type": "advice_requested", "date": asked, "advice": "parent", "provider": "The parent or young person" },
        ]),
    )
    .await;
    let parent = app.sign_in(Role::Parent).await;
    let page = app.get("/cases/EHC-1", Some(&parent)).await;
    assert_eq!(
        page.attr(".govuk-inset-text a", "href").as_deref(),
        Some("/advice/EHC-1/parent")
    );
    let form = app.get("/advice/EHC-1/parent", Some(&parent)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.texts("label[for=needs]"),
        ["Your child’s needs, as you see them"]
    );
    assert_eq!(
        form.texts(".govuk-back-link"),
        ["Back to your child’s case"]
    );
    let version = version_on(&form);
    let views = "/advice/EHC-1/parent";
    let empty = send_to(&app, views, &parent, &version, "submit", &[]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.texts(".govuk-error-summary__list a"),
        ["Enter your child’s needs, as you see them"]
    );
    let sent = send_to(
        &app,
        views,
        &parent,
        &version,
        "submit",
        &[
            ("needs", "Loud places are hard for her."),
            ("provision-1-what", "A quiet space at lunch"),
        ],
    )
    .await;
    assert_eq!(sent.location(), Some("/cases/EHC-1?done=views"));
    let case = app.stored_case("EHC-1").await;
    let last = case.history.last().unwrap();
    assert_eq!(
        last.event.as_ref().unwrap().event_type(),
        EventType::AdviceReceived
    );
    assert_eq!(last.recorded_by, Some(app.users[&Role::Parent]));
    let page = app.get("/cases/EHC-1?done=views", Some(&parent)).await;
    assert!(page.body.contains("Your views were sent to the council"));
    assert!(!page.body.contains("Give your views"));

    // Nobody else answers for the family.
    let other = app
        .sign_in_with("target@demo.test", support::PASSWORD)
        .await
        .1
        .unwrap();
    assert_eq!(
        app.get("/advice/EHC-1/parent", Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    let nurse = app.session(Role::HealthProfessional).await;
    assert_eq!(
        app.get("/advice/EHC-1/parent", Some(&nurse)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_family_sees_the_comment_period_of_a_draft_and_their_rights_after_the_final_plan() {
    let app = TestApp::new().await;
    let served = app.today() - Duration::days(3);
    family_case(
        &app,
        "EHC-DRAFT",
        json!([
            { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
            { "type": "decision_to_issue", "date": "2026-04-01", "outcome": "issue" },
            { "type": "draft_plan_issued", "date": served.to_string() },
        ]),
    )
    .await;
    family_case(
        &app,
        "EHC-FINAL",
        json!([
            { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
            { "type": "decision_to_issue", "date": "2026-04-01", "outcome": "issue" },
            { "type": "draft_plan_issued", "date": "2026-04-20" },
            { "type": "final_plan_issued", "date": "2026-10-01" },
        ]),
    )
    .await;
    let parent = app.session(Role::Parent).await;
    let draft = app.get("/cases/EHC-DRAFT", Some(&parent)).await;
    let long = tandem_core::dates::long;
    assert!(
        draft.body.contains(&format!(
            "from {} to {}",
            long(served),
            long(served + Duration::days(14))
        )),
        "{}",
        draft.body
    );
    assert!(!draft.body.contains("If you disagree with the plan"));
    let final_plan = app.get("/cases/EHC-FINAL", Some(&parent)).await;
    assert!(!final_plan.body.contains("Your comments on the draft plan"));
    assert!(final_plan.body.contains("If you disagree with the plan"));
    // Two calendar months after 1 October 2026, for mediation and for the tribunal.
    assert_eq!(
        final_plan
            .body
            .matches("<strong>1 December 2026</strong>")
            .count(),
        2
    );
}
