//! The JSON API under /api/v1, driven through the router in-process: each endpoint's answers,
//! validation, version conflicts, permissions, problem details, audit entries, and the OpenAPI
//! document.

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
use serde_json::{Value, json};
use support::{Session, TestApp, TestResponse};
use tandem_core::{Role, dates, timeline};

/// A case file: request in January, decision to assess, health advice asked for and not yet
/// received (so overdue since 25 March 2026).
fn case_file(reference: &str, given_name: &str) -> Value {
    json!({
        "reference": reference,
        "child": {
            "given_name": given_name,
            "family_name": "Example",
            "date_of_birth": "2015-03-02",
        },
        "events": [
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "health" },
        ],
    })
}

/// A date a few days before the application's today.
fn days_ago(app: &TestApp, days: i64) -> String {
    (tandem_core::dates::england_date(app.now()) - Duration::days(days)).to_string()
}

fn assert_problem(response: &TestResponse, status: u16) -> Value {
    assert_eq!(response.status.as_u16(), status, "{}", response.body);
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json"),
        "{}",
        response.body
    );
    let problem = response.json();
    assert_eq!(problem["status"], status);
    assert_eq!(problem["type"], "about:blank");
    problem
}

/// The `field` of each error of a 422.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_owned())
        .collect()
}

fn references(list: &Value) -> Vec<String> {
    list["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["reference"].as_str().expect("reference").to_owned())
        .collect()
}

async fn get(app: &TestApp, path: &str, session: &Session) -> TestResponse {
    app.api(Method::GET, path, Some(session), None, None).await
}

async fn post(
    app: &TestApp,
    path: &str,
    session: &Session,
    body: Value,
    if_match: Option<&str>,
) -> TestResponse {
    app.api(Method::POST, path, Some(session), Some(&body), if_match)
        .await
}

#[tokio::test]
async fn signed_out_calls_get_401_problem_details_not_a_redirect() {
    let app = TestApp::new().await;
    app.add_case(case_file("EHC-1", "Alex"), Some(Role::CaseManager))
        .await;
    for (method, path, body) in [
        (Method::GET, "/api/v1/cases", None),
        (Method::GET, "/api/v1/cases/EHC-1", None),
        (Method::GET, "/api/v1/session", None),
        (Method::POST, "/api/v1/cases", Some(json!({}))),
        (
            Method::POST,
            "/api/v1/cases/EHC-1/events",
            Some(json!({"type": "draft_plan_issued", "date": "2026-04-20"})),
        ),
    ] {
        let response = app
            .api(method, path, None, body.as_ref(), Some("\"1\""))
            .await;
        let problem = assert_problem(&response, 401);
        assert_eq!(problem["detail"], "Sign in first.");
        assert_eq!(response.location(), None);
    }
    assert_eq!(app.stored_case("EHC-1").await.record.version, 1);
}

#[tokio::test]
async fn changes_need_the_csrf_header_of_the_session() {
    let app = TestApp::new().await;
    app.add_case(case_file("EHC-1", "Alex"), Some(Role::CaseManager))
        .await;
    let session = app.session(Role::CaseManager).await;
    let event = json!({"type": "advice_received", "date": "2026-03-20", "advice": "health"});
    for token in [None, Some("not-the-token")] {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/cases/EHC-1/events")
            .header(header::COOKIE, &session.cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::IF_MATCH, "\"1\"");
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        let response = app
            .send(request.body(Body::from(event.to_string())).unwrap())
            .await;
        assert_problem(&response, 403);
    }
    assert_eq!(app.stored_case("EHC-1").await.record.version, 1);
}

#[tokio::test]
async fn the_session_gives_the_user_and_the_csrf_token_scripts_send() {
    let app = TestApp::new().await;
    let session = app.session(Role::CaseManager).await;
    let response = get(&app, "/api/v1/session", &session).await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(body["csrf_token"], session.csrf.as_str());
    assert_eq!(body["role"], "case_manager");
    assert_eq!(body["team"], "north");
    assert_eq!(body["id"], app.users[&Role::CaseManager]);
}

#[tokio::test]
async fn the_case_list_filters_and_pages() {
    let app = TestApp::new().await;
    app.add_case(case_file("EHC-A", "Alex"), Some(Role::CaseManager))
        .await;
    app.add_case(case_file("EHC-B", "Bo"), Some(Role::TeamManager))
        .await;
    let recent = days_ago(&app, 3);
    app.add_case(
        json!({
            "reference": "EHC-C",
            "child": { "given_name": "Cy", "family_name": "Example", "date_of_birth": "2016-05-01" },
            "events": [{ "type": "request_received", "date": recent }],
        }),
        None,
    )
    .await;
    let head = app.session(Role::HeadOfService).await;

    let all = get(&app, "/api/v1/cases", &head).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let all = all.json();
    // Soonest duty first, then by reference.
    assert_eq!(references(&all), ["EHC-A", "EHC-B", "EHC-C"]);
    assert_eq!(
        (
            all["total"].clone(),
            all["page"].clone(),
            all["per_page"].clone()
        ),
        (json!(3), json!(1), json!(50))
    );
    let a = all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reference"] == "EHC-A")
        .expect("EHC-A listed");
    assert_eq!(a["given_name"], "Alex");
    assert_eq!(a["family_name"], "Example");
    assert_eq!(a["version"], 1);
    assert_eq!(a["case_manager"], app.users[&Role::CaseManager]);
    assert_eq!(a["team"], "north");
    assert_eq!(a["stage"], "assessing");
    assert_eq!(
        a["next_due"],
        json!({"key": "advice:health", "due": "2026-03-25", "status": "overdue"})
    );
    assert!(a["overdue_count"].as_i64().unwrap() >= 1);

    let cases = |query: &'static str| {
        let (app, head) = (&app, &head);
        async move {
            let response = get(app, &format!("/api/v1/cases?{query}"), head).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{query}: {}",
                response.body
            );
            let mut found = references(&response.json());
            found.sort();
            found
        }
    };
    assert_eq!(cases("stage=awaiting_decision").await, ["EHC-C"]);
    assert_eq!(
        cases("stage=awaiting_decision,assessing").await,
        ["EHC-A", "EHC-B", "EHC-C"]
    );
    assert_eq!(cases("status=overdue").await, ["EHC-A", "EHC-B"]);
    assert_eq!(cases("status=pending").await, ["EHC-C"]);
    assert_eq!(cases("due_before=2026-04-01").await, ["EHC-A", "EHC-B"]);
    assert_eq!(cases("team=north").await, ["EHC-A"]);
    let cm = app.users[&Role::CaseManager];
    let by_manager = get(&app, &format!("/api/v1/cases?case_manager={cm}"), &head).await;
    assert_eq!(references(&by_manager.json()), ["EHC-A"]);

    // Pages do not overlap and together hold every case.
    let mut seen = Vec::new();
    for page in 1..=2 {
        let response = get(
            &app,
            &format!("/api/v1/cases?per_page=2&page={page}"),
            &head,
        )
        .await;
        let body = response.json();
        assert_eq!(body["total"], 3);
        assert_eq!(body["page"], page);
        seen.extend(references(&body));
    }
    seen.sort();
    assert_eq!(seen, ["EHC-A", "EHC-B", "EHC-C"]);

    // A case manager sees their own and their team's cases only, whatever the filter.
    let own = app.session(Role::CaseManager).await;
    let response = get(
        &app,
        "/api/v1/cases?stage=assessing,awaiting_decision",
        &own,
    )
    .await;
    assert_eq!(references(&response.json()), ["EHC-A"]);

    let audit = app.audit("case.list").await;
    assert!(audit.iter().all(|a| a.detail["source"] == "api"));
    assert!(!audit.iter().any(|a| a.detail.to_string().contains("Alex")));
}

#[tokio::test]
async fn unreadable_list_filters_are_named() {
    let app = TestApp::new().await;
    let head = app.session(Role::HeadOfService).await;
    let response = get(
        &app,
        "/api/v1/cases?stage=assessing,nope&status=soon&due_before=2026-02-30&case_manager=x&page=0&per_page=500",
        &head,
    )
    .await;
    let problem = assert_problem(&response, 422);
    assert_eq!(
        fields(&problem),
        [
            "stage",
            "status",
            "due_before",
            "case_manager",
            "page",
            "per_page"
        ]
    );
}

#[tokio::test]
async fn each_role_lists_exactly_the_cases_it_may_see() {
    let app = TestApp::new().await;
    app.add_case(case_file("EHC-1", "Alex"), Some(Role::CaseManager))
        .await;
    // Professionals, settings and families list the cases linked to them (none here); analysts
    // and administrators list none at all.
    for (role, listed) in [
        (Role::Analyst, None),
        (Role::Admin, None),
        (Role::Parent, Some(0)),
        (Role::HealthProfessional, Some(0)),
        (Role::SocialCareProfessional, Some(0)),
        (Role::EducationSetting, Some(0)),
    ] {
        let session = app.session(role).await;
        let response = get(&app, "/api/v1/cases", &session).await;
        match listed {
            None => assert_eq!(assert_problem(&response, 403)["title"], "Forbidden"),
            Some(total) => {
                assert_eq!(response.status.as_u16(), 200, "{role}");
                assert_eq!(response.json()["total"], total, "{role}");
            }
        }
        assert!(!response.body.contains("EHC-1"), "{role}");
        // Not even knowing the reference helps: the case is not there for them.
        let response = get(&app, "/api/v1/cases/EHC-1", &session).await;
        assert_problem(&response, 404);
        assert!(!response.body.contains("Alex"), "{role}");
    }
    let denied = app.audit("denied").await;
    assert!(denied.len() >= 8, "refusals are audited: {denied:?}");
}

/// A case asking `provider` for health advice, answered `answered_days_ago` days ago if given.
fn asking(app: &TestApp, reference: &str, provider: &str, answered_days_ago: Option<i64>) -> Value {
    let mut case = case_file(reference, "Robin");
    let events = case["events"].as_array_mut().expect("events");
    events[2]["provider"] = json!(provider);
    if let Some(days) = answered_days_ago {
        events.push(
            json!({ "type": "advice_received", "date": days_ago(app, days), "advice": "health" }),
        );
    }
    case
}

#[tokio::test]
async fn a_service_sees_a_case_while_asked_and_four_weeks_after_and_never_another() {
    let app = TestApp::new().await;
    for case in [
        asking(&app, "EHC-WAITING", "Community Paediatrics", None),
        asking(&app, "EHC-RECENT", "community paediatrics", Some(28)),
        asking(&app, "EHC-LONG-AGO", "Community paediatrics", Some(29)),
        asking(&app, "EHC-OTHER", "Children's therapy services", None),
    ] {
        app.add_case(case, Some(Role::CaseManager)).await;
    }
    let nurse = app.session(Role::HealthProfessional).await;
    let listed = get(&app, "/api/v1/cases", &nurse).await;
    assert_eq!(listed.status, StatusCode::OK);
    let mut references: Vec<String> = listed.json()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["reference"].as_str().expect("reference").to_owned())
        .collect();
    references.sort();
    assert_eq!(references, ["EHC-RECENT", "EHC-WAITING"]);
    for (reference, status) in [
        ("EHC-WAITING", 200),
        ("EHC-RECENT", 200),
        ("EHC-LONG-AGO", 404),
        ("EHC-OTHER", 404),
    ] {
        let response = get(&app, &format!("/api/v1/cases/{reference}"), &nurse).await;
        assert_eq!(response.status.as_u16(), status, "{reference}");
        let timeline = get(&app, &format!("/api/v1/cases/{reference}/timeline"), &nurse).await;
        assert_eq!(timeline.status.as_u16(), status, "{reference} timeline");
    }
    // Only what the service needs of the history: the request, the decision and its own
    // advice request, not another service's request or the council's later steps.
    let mut both = asking(&app, "EHC-BOTH", "Community paediatrics", None);
    let events = both["events"].as_array_mut().expect("events");
    events.push(json!({ "type": "advice_requested", "date": "2026-02-11", "advice": "health", "provider": "Child and adolescent mental health services" }));
    events.push(json!({ "type": "decision_to_issue", "date": "2026-04-01", "outcome": "issue" }));
    app.add_case(both, Some(Role::CaseManager)).await;
    let seen = get(&app, "/api/v1/cases/EHC-BOTH", &nurse).await.json();
    let types: Vec<&str> = seen["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|row| row["event"]["type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        types,
        ["request_received", "decision_to_assess", "advice_requested"]
    );
    assert_eq!(
        seen["events"][2]["event"]["provider"],
        "Community paediatrics"
    );

    // Another service, and the other professions, see none of them.
    for role in [Role::SocialCareProfessional, Role::EducationSetting] {
        let session = app.session(role).await;
        assert_eq!(
            get(&app, "/api/v1/cases", &session).await.json()["total"],
            0,
            "{role}"
        );
        assert_problem(&get(&app, "/api/v1/cases/EHC-WAITING", &session).await, 404);
    }
}

#[tokio::test]
async fn a_case_has_its_child_history_and_version_as_etag() {
    let app = TestApp::new().await;
    app.add_case(case_file("EHC-1", "Alex"), Some(Role::CaseManager))
        .await;
    let session = app.session(Role::CaseManager).await;
    let response = get(&app, "/api/v1/cases/EHC-1", &session).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let case = response.json();
    assert_eq!(case["reference"], "EHC-1");
    assert_eq!(case["version"], 1);
    assert_eq!(
        case["child"],
        json!({"date_of_birth": "2015-03-02", "given_name": "Alex", "family_name": "Example"})
    );
    assert_eq!(case["stage"], "assessing");
    assert_eq!(case["case_manager"], app.users[&Role::CaseManager]);
    assert_eq!(
        (case["may_record"].clone(), case["may_assign"].clone()),
        (json!(true), json!(false))
    );
    let stored = app.stored_case("EHC-1").await;
    let events = case["events"].as_array().unwrap();
    assert_eq!(events.len(), 3);
    for (row, stored) in events.iter().zip(&stored.history) {
        assert_eq!(row["id"], stored.id);
        assert_eq!(row["seq"], stored.seq);
        assert_eq!(row["source"], "import");
        assert_eq!(row["recorded_by"], Value::Null);
        assert_eq!(row["effective"], true);
        assert_eq!(
            row["recorded_at"],
            serde_json::to_value(stored.recorded_at).unwrap()
        );
    }
    assert_eq!(
        events[1]["event"],
        json!({"type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess"})
    );

    let audit = app.audit("case.view").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, Some(app.users[&Role::CaseManager]));
    assert_eq!(audit[0].case_reference.as_deref(), Some("EHC-1"));
    assert_eq!(audit[0].detail["source"], "api");

    // A QA auditor reads it but may not change it.
    let qa = app.session(Role::QaAuditor).await;
    let case = get(&app, "/api/v1/cases/EHC-1", &qa).await.json();
    assert_eq!(
        (case["may_record"].clone(), case["may_assign"].clone()),
        (json!(false), json!(false))
    );

    for missing in [
        "/api/v1/cases/EHC-404",
        "/api/v1/cases/no%20such",
        "/api/v1/cases/EHC-404/timeline",
    ] {
        let problem = assert_problem(&get(&app, missing, &session).await, 404);
        assert_eq!(problem["title"], "Not Found");
    }
}

#[tokio::test]
async fn the_timeline_is_what_tandem_timeline_prints_for_the_case_file() {
    let app = TestApp::new().await;
    app.add_case(case_file("EHC-1", "Alex"), Some(Role::CaseManager))
        .await;
    let session = app.session(Role::TeamManager).await;
    // A correction and a withdrawal: the timeline is computed from the events that count now.
    let stored = app.stored_case("EHC-1").await;
    let (decision, advice) = (stored.history[1].id, stored.history[2].id);
    let corrected = post(
        &app,
        &format!("/api/v1/cases/EHC-1/events/{decision}/correction"),
        &session,
        json!({"type": "decision_to_assess", "date": "2026-02-20", "outcome": "assess", "reason": "Typed the wrong day"}),
        Some("\"1\""),
    )
    .await;
    assert_eq!(corrected.status, StatusCode::CREATED, "{}", corrected.body);
    let withdrawn = post(
        &app,
        &format!("/api/v1/cases/EHC-1/events/{advice}/withdrawal"),
        &session,
        json!({"reason": "Recorded on the wrong case"}),
        Some("\"2\""),
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::CREATED, "{}", withdrawn.body);

    let case_file = app.stored_case("EHC-1").await.case_file();
    let today = tandem_core::dates::england_date(app.now());
    for (query, as_of) in [
        ("?as_of=2026-06-01", dates::parse_iso("2026-06-01").unwrap()),
        ("?as_of=2026-02-15", dates::parse_iso("2026-02-15").unwrap()),
        ("", today),
    ] {
        let response = get(
            &app,
            &format!("/api/v1/cases/EHC-1/timeline{query}"),
            &session,
        )
        .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        let expected = serde_json::to_value(timeline::compute(&case_file, as_of)).unwrap();
        assert_eq!(response.json(), expected, "{query}");
    }
    let early = get(
        &app,
        "/api/v1/cases/EHC-1/timeline?as_of=2026-06-01",
        &session,
    )
    .await
    .json();
    assert_eq!(early["milestones"][0]["key"], "decision_to_assess");
    assert_eq!(early["milestones"][0]["done"], "2026-02-20");

    let problem = assert_problem(
        &get(
            &app,
            "/api/v1/cases/EHC-1/timeline?as_of=2026-02-30",
            &session,
        )
        .await,
        422,
    );
    assert_eq!(fields(&problem), ["as_of"]);
}

#[tokio::test]
async fn the_timeline_schema_names_every_member_the_timeline_has() {
    let app = TestApp::new().await;
    let mut file = case_file("EHC-1", "Alex");
    file["events"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "exception", "kind": "exceptional_personal_circumstances", "from": "2026-02-01", "to": "2026-02-20"}));
    app.add_case(file, Some(Role::CaseManager)).await;
    let session = app.session(Role::CaseManager).await;
    let timeline = get(
        &app,
        "/api/v1/cases/EHC-1/timeline?as_of=2026-06-01",
        &session,
    )
    .await
    .json();
    let document = app.get("/api/openapi.json", None).await.json();
    let schema = &document["components"]["schemas"]["Timeline"];
    let check = |value: &Value, schema: &Value, at: &str| {
        let members: Vec<&String> = value.as_object().expect(at).keys().collect();
        let documented = schema["properties"].as_object().expect(at);
        for member in &members {
            assert!(
                documented.contains_key(*member),
                "{at}.{member} is not documented"
            );
        }
        for required in schema["required"].as_array().expect(at) {
            let required = required.as_str().unwrap();
            assert!(
                members.iter().any(|m| *m == required),
                "{at}.{required} missing"
            );
        }
    };
    check(&timeline, schema, "timeline");
    let properties = &schema["properties"];
    for milestone in timeline["milestones"].as_array().unwrap() {
        check(milestone, &properties["milestones"]["items"], "milestone");
    }
    let exceptions = timeline["exceptions"].as_array().unwrap();
    assert!(!exceptions.is_empty());
    for exception in exceptions {
        check(exception, &properties["exceptions"]["items"], "exception");
    }
}

#[tokio::test]
async fn recording_an_event_needs_the_version_it_was_prepared_against() {
    let app = TestApp::new().await;
    app.add_case(case_file("EHC-1", "Alex"), Some(Role::CaseManager))
        .await;
    let session = app.session(Role::CaseManager).await;
    let path = "/api/v1/cases/EHC-1/events";
    let received = json!({"type": "advice_received", "date": "2026-03-20", "advice": "health"});

    let problem = assert_problem(
        &post(&app, path, &session, received.clone(), None).await,
        428,
    );
    assert!(problem["detail"].as_str().unwrap().contains("If-Match"));
    for malformed in ["1", "W/\"1\"", "*"] {
        assert_problem(
            &post(&app, path, &session, received.clone(), Some(malformed)).await,
            400,
        );
    }
    let stale = post(&app, path, &session, received.clone(), Some("\"7\"")).await;
    let problem = assert_problem(&stale, 412);
    assert_eq!(problem["current_version"], 1);
    assert_eq!(stale.header("etag"), Some("\"1\""));

    for (event, field) in [
        (json!({"type": "teleport", "date": "2026-03-20"}), "type"),
        (json!({"date": "2026-03-20"}), "type"),
        (
            json!({"type": "advice_received", "date": "2026-02-30", "advice": "health"}),
            "date",
        ),
        (
            json!({"type": "advice_received", "date": "2026-03-20"}),
            "advice",
        ),
        (
            json!({"type": "advice_received", "date": 20260320, "advice": "health"}),
            "date",
        ),
        (
            json!({"type": "decision_to_issue", "date": "2026-03-20", "outcome": "maybe"}),
            "outcome",
        ),
        (
            json!({"type": "draft_plan_issued", "date": "2999-01-01"}),
            "date",
        ),
        (
            json!({"type": "draft_plan_issued", "date": "2025-12-01"}),
            "date",
        ),
        (
            json!({"type": "request_received", "date": "2026-03-20"}),
            "type",
        ),
    ] {
        let response = post(&app, path, &session, event.clone(), Some("\"1\"")).await;
        let problem = assert_problem(&response, 422);
        assert_eq!(fields(&problem), [field], "{event}");
    }
    assert_problem(
        &post(&app, path, &session, json!([1, 2]), Some("\"1\"")).await,
        422,
    );
    assert_eq!(app.stored_case("EHC-1").await.record.version, 1);

    let response = post(&app, path, &session, received.clone(), Some("\"1\"")).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(response.header("etag"), Some("\"2\""));
    assert_eq!(response.location(), Some("/api/v1/cases/EHC-1"));
    assert_eq!(response.json(), json!({"reference": "EHC-1", "version": 2}));

    // The same change sent again with the old version is refused: it would be recorded twice.
    let again = post(&app, path, &session, received.clone(), Some("\"1\"")).await;
    assert_eq!(assert_problem(&again, 412)["current_version"], 2);

    let case = get(&app, "/api/v1/cases/EHC-1", &session).await.json();
    let last = case["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event"], received);
    assert_eq!(last["source"], "api");
    assert_eq!(last["recorded_by"], app.users[&Role::CaseManager]);
    assert_eq!(last["recorded_by_name"], "Demo Case manager");
    let stored = app.stored_case("EHC-1").await;
    let stored_last = stored.history.last().unwrap();
    assert_eq!(last["id"], stored_last.id);
    assert_eq!(
        last["recorded_at"],
        serde_json::to_value(stored_last.recorded_at).unwrap()
    );
    assert!((stored_last.recorded_at - app.now()).num_seconds().abs() <= 1);

    let audit = app.audit("case.record_event").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, Some(app.users[&Role::CaseManager]));
    assert_eq!(
        audit[0].detail,
        json!({"source": "api", "type": "advice_received", "version": 2})
    );

    // Who may read but not record is refused with 403; who may not read, with 404.
    let qa = app.session(Role::QaAuditor).await;
    assert_problem(
        &post(&app, path, &qa, received.clone(), Some("\"2\"")).await,
        403,
    );
    let parent = app.session(Role::Parent).await;
    assert_problem(
        &post(&app, path, &parent, received.clone(), Some("\"2\"")).await,
        404,
    );

    // A body that is not JSON, or not sent as JSON.
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .header(header::IF_MATCH, "\"2\"");
    let not_json = app
        .send(
            request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{"))
                .unwrap(),
        )
        .await;
    assert_problem(&not_json, 400);
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .header(header::IF_MATCH, "\"2\"")
        .header(header::CONTENT_TYPE, "text/plain");
    let not_declared = app
        .send(request.body(Body::from(received.to_string())).unwrap())
        .await;
    assert_problem(&not_declared, 415);
    assert_eq!(app.stored_case("EHC-1").await.record.version, 2);
}

#[tokio::test]
async fn corrections_and_withdrawals_keep_the_history() {
    let app = TestApp::new().await;
    app.add_case(case_file("EHC-1", "Alex"), Some(Role::CaseManager))
        .await;
    let session = app.session(Role::CaseManager).await;
    let stored = app.stored_case("EHC-1").await;
    let (decision, advice) = (stored.history[1].id, stored.history[2].id);
    let correction = format!("/api/v1/cases/EHC-1/events/{decision}/correction");
    let fixed = json!({"type": "decision_to_assess", "date": "2026-02-12", "outcome": "assess", "reason": "Wrong day"});

    let mut without_reason = fixed.clone();
    without_reason["reason"] = json!("  ");
    let problem = assert_problem(
        &post(&app, &correction, &session, without_reason, Some("\"1\"")).await,
        422,
    );
    assert_eq!(fields(&problem), ["reason"]);
    let mut numeric_reason = fixed.clone();
    numeric_reason["reason"] = json!(3);
    let problem = assert_problem(
        &post(&app, &correction, &session, numeric_reason, Some("\"1\"")).await,
        422,
    );
    assert_eq!(fields(&problem), ["reason"]);
    let mut future = fixed.clone();
    future["date"] = json!("2999-01-01");
    let problem = assert_problem(
        &post(&app, &correction, &session, future, Some("\"1\"")).await,
        422,
    );
    assert_eq!(fields(&problem), ["date"]);

    let response = post(&app, &correction, &session, fixed.clone(), Some("\"1\"")).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(response.header("etag"), Some("\"2\""));
    // An event already corrected cannot be corrected again; its correction can.
    let problem = assert_problem(
        &post(&app, &correction, &session, fixed.clone(), Some("\"2\"")).await,
        409,
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(&decision.to_string())
    );

    let withdrawal = format!("/api/v1/cases/EHC-1/events/{advice}/withdrawal");
    let problem = assert_problem(
        &post(
            &app,
            &withdrawal,
            &session,
            json!({"reason": ""}),
            Some("\"2\""),
        )
        .await,
        422,
    );
    assert_eq!(fields(&problem), ["reason"]);
    let problem = assert_problem(
        &post(&app, &withdrawal, &session, json!({}), Some("\"2\"")).await,
        422,
    );
    assert_eq!(fields(&problem), ["reason"]);
    assert_problem(
        &post(
            &app,
            "/api/v1/cases/EHC-1/events/999999/withdrawal",
            &session,
            json!({"reason": "Wrong"}),
            Some("\"2\""),
        )
        .await,
        404,
    );
    let response = post(
        &app,
        &withdrawal,
        &session,
        json!({"reason": "Asked by mistake"}),
        Some("\"2\""),
    )
    .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(response.json()["version"], 3);

    let case = get(&app, "/api/v1/cases/EHC-1", &session).await.json();
    let rows = case["events"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let row = |id: i64| rows.iter().find(|r| r["id"] == id).unwrap();
    let (correction_row, withdrawal_row) = (&rows[3], &rows[4]);
    assert_eq!(row(decision)["effective"], false);
    assert_eq!(row(decision)["superseded_by"], correction_row["id"]);
    assert_eq!(correction_row["supersedes"], decision);
    assert_eq!(correction_row["correction"], "correct");
    assert_eq!(correction_row["reason"], "Wrong day");
    assert_eq!(correction_row["event"]["date"], "2026-02-12");
    assert_eq!(correction_row["effective"], true);
    assert_eq!(withdrawal_row["supersedes"], advice);
    assert_eq!(withdrawal_row["correction"], "withdraw");
    assert_eq!(withdrawal_row["event"], Value::Null);
    assert_eq!(withdrawal_row["effective"], false);
    assert_eq!(row(advice)["effective"], false);

    let corrected = app.audit("case.correct_event").await;
    assert_eq!(corrected.len(), 1);
    assert_eq!(corrected[0].detail["event"], decision);
    assert_eq!(corrected[0].detail["source"], "api");
    let withdrawn = app.audit("case.withdraw_event").await;
    assert_eq!(withdrawn.len(), 1);
    assert_eq!(withdrawn[0].detail["event"], advice);
    // Reasons are free text: they stay out of the audit log.
    assert!(!corrected[0].detail.to_string().contains("Wrong day"));
}

#[tokio::test]
async fn opening_a_case_checks_for_the_same_child() {
    let app = TestApp::new().await;
    let session = app.session(Role::CaseManager).await;
    let received = days_ago(&app, 2);
    let request = |reference: &str| {
        json!({
            "reference": reference,
            "received": received,
            "child": { "given_name": "Sam", "family_name": "Example", "date_of_birth": "2014-06-30" },
        })
    };
    let response = post(&app, "/api/v1/cases", &session, request("EHC-NEW-1"), None).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(response.location(), Some("/api/v1/cases/EHC-NEW-1"));
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(
        response.json(),
        json!({"reference": "EHC-NEW-1", "version": 1})
    );
    let case = get(&app, "/api/v1/cases/EHC-NEW-1", &session).await.json();
    // A case manager opening a request takes it.
    assert_eq!(case["case_manager"], app.users[&Role::CaseManager]);
    assert_eq!(case["stage"], "awaiting_decision");
    assert_eq!(
        case["events"][0]["event"],
        json!({"type": "request_received", "date": received})
    );
    assert_eq!(case["events"][0]["source"], "api");

    let duplicate = post(&app, "/api/v1/cases", &session, request("EHC-NEW-2"), None).await;
    let problem = assert_problem(&duplicate, 409);
    let matches = problem["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0]["reference"], "EHC-NEW-1");
    assert_eq!(matches[0]["stage"], "awaiting_decision");
    let child_id = matches[0]["child_id"].as_i64().unwrap();
    assert!(!duplicate.body.contains("Sam"));

    let mut same = request("EHC-NEW-2");
    same["same_child_as"] = json!(child_id);
    let response = post(&app, "/api/v1/cases", &session, same, None).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let mut different = request("EHC-NEW-3");
    different["different_child"] = json!(true);
    let response = post(&app, "/api/v1/cases", &session, different, None).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let mut taken = request("EHC-NEW-3");
    taken["different_child"] = json!(true);
    let problem = assert_problem(
        &post(&app, "/api/v1/cases", &session, taken, None).await,
        422,
    );
    assert_eq!(fields(&problem), ["reference"]);

    let opened = app.audit("case.open").await;
    assert_eq!(opened.len(), 3);
    assert!(opened.iter().all(|a| a.detail["source"] == "api"));
    assert_eq!(
        opened
            .iter()
            .filter(|a| a.detail["existing_child"] == true)
            .count(),
        1
    );
}

#[tokio::test]
async fn opening_a_case_names_every_field_to_correct() {
    let app = TestApp::new().await;
    let session = app.session(Role::TeamManager).await;
    for (body, expected) in [
        (
            json!({"reference": "bad ref", "received": "2026-02-30", "child": {"date_of_birth": "2 May 2015"}}),
            vec!["reference", "received", "child.date_of_birth"],
        ),
        (
            json!({"reference": "EHC-9", "received": "2026-01-05", "child": {"given_name": " "}}),
            vec![
                "child.given_name",
                "child.family_name",
                "child.date_of_birth",
            ],
        ),
        (
            json!({"reference": "EHC-9", "received": "2999-01-05", "child": {"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-01"}}),
            vec!["received"],
        ),
        (
            json!({"reference": "EHC-9", "received": "2026-01-05", "child": {"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-01"}, "case_manager": "x"}),
            vec!["case_manager"],
        ),
        (
            json!({"reference": "EHC-9", "received": "2026-01-05", "child": {"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-01", "nickname": "C"}}),
            vec!["child.nickname"],
        ),
        (json!({"received": "2026-01-05"}), vec!["reference"]),
        (json!({"reference": "EHC-9"}), vec!["received"]),
        (
            json!({"reference": "EHC-9", "received": "2026-01-05", "child": {"given_name": 7}}),
            vec!["child.given_name"],
        ),
        (json!(["EHC-9"]), vec!["body"]),
        (
            json!({"reference": "EHC-9", "received": "2026-01-05", "child": {"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-01"}, "case_manager": app.users[&Role::Parent]}),
            vec!["case_manager"],
        ),
    ] {
        let response = post(&app, "/api/v1/cases", &session, body.clone(), None).await;
        let problem = assert_problem(&response, 422);
        assert_eq!(fields(&problem), expected, "{body}");
    }
    assert!(app.audit("case.open").await.is_empty());
}

#[tokio::test]
async fn assigning_a_case_moves_it_to_the_case_managers_team() {
    let app = TestApp::new().await;
    app.add_case(case_file("EHC-1", "Alex"), None).await;
    let manager = app.session(Role::TeamManager).await;
    let path = "/api/v1/cases/EHC-1/case-manager";
    let put = |session: &Session, body: Value, if_match: &'static str| {
        let (app, session) = (&app, session.clone());
        async move {
            app.api(
                Method::PUT,
                path,
                Some(&session),
                Some(&body),
                Some(if_match),
            )
            .await
        }
    };
    let cm = app.users[&Role::CaseManager];

    let problem = assert_problem(&put(&manager, json!({}), "\"1\"").await, 422);
    assert_eq!(fields(&problem), ["case_manager"]);
    let problem = assert_problem(
        &put(
            &manager,
            json!({"case_manager": app.users[&Role::Analyst]}),
            "\"1\"",
        )
        .await,
        422,
    );
    assert_eq!(fields(&problem), ["case_manager"]);

    let response = put(&manager, json!({"case_manager": cm}), "\"1\"").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.header("etag"), Some("\"2\""));
    let case = get(&app, "/api/v1/cases/EHC-1", &manager).await.json();
    assert_eq!(
        (case["case_manager"].clone(), case["team"].clone()),
        (json!(cm), json!("north"))
    );

    // The case manager now sees the case, but may not give it to someone else.
    let own = app.session(Role::CaseManager).await;
    assert_eq!(
        get(&app, "/api/v1/cases/EHC-1", &own).await.status,
        StatusCode::OK
    );
    assert_problem(
        &put(&own, json!({"case_manager": null}), "\"2\"").await,
        403,
    );
    assert_problem(
        &put(&manager, json!({"case_manager": null}), "\"1\"").await,
        412,
    );

    let response = put(&manager, json!({"case_manager": null}), "\"2\"").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let case = get(&app, "/api/v1/cases/EHC-1", &manager).await.json();
    assert_eq!(
        (case["case_manager"].clone(), case["team"].clone()),
        (Value::Null, Value::Null)
    );

    let audit = app.audit("case.assign").await;
    assert_eq!(audit.len(), 2);
    assert!(audit.iter().all(|a| a.detail["source"] == "api"));
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::new().await;
    let response = app.get("/api/openapi.json", None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let document = response.json();
    assert_eq!(document["openapi"], "3.1.0");
    let mut operations: Vec<String> = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["summary"].is_string(),
                "{method} {path} has a summary"
            );
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("401"),
                "{method} {path} documents 401"
            );
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations.sort();
    assert_eq!(
        operations,
        [
            "GET /api/v1/cases",
            "GET /api/v1/cases/{reference}",
            "GET /api/v1/cases/{reference}/documents",
            "GET /api/v1/cases/{reference}/documents/{id}",
            "GET /api/v1/cases/{reference}/plan",
            "GET /api/v1/cases/{reference}/timeline",
            "GET /api/v1/session",
            "POST /api/v1/cases",
            "POST /api/v1/cases/{reference}/events",
            "POST /api/v1/cases/{reference}/events/{id}/correction",
            "POST /api/v1/cases/{reference}/events/{id}/withdrawal",
            "POST /api/v1/cases/{reference}/plan/draft",
            "POST /api/v1/cases/{reference}/plan/final",
            "PUT /api/v1/cases/{reference}/case-manager",
            "PUT /api/v1/cases/{reference}/plan",
        ]
    );
    insta::assert_snapshot!("openapi", response.body);
}

/// Synthetic cases of every kind (exceptions, reviews, amendments, phase transfers, ceasing):
/// each case file stored and read back through the API gives the timeline the engine computes
/// from the file itself, as `tandem timeline FILE` does.
#[tokio::test]
async fn generated_case_files_have_the_same_timeline_through_the_api() {
    let app = TestApp::new().await;
    let today = tandem_core::dates::england_date(app.now());
    let options = tandem_app::generate::GenerateOptions {
        cases: 60,
        seed: 7,
        as_of: today,
        case_managers: 1,
    };
    let files: Vec<tandem_core::CaseFile> = tandem_app::generate::generate(&options)
        .map(|generated| generated.case)
        .collect();
    for file in &files {
        app.add_case(file.to_value(), None).await;
    }
    let session = app.session(Role::HeadOfService).await;
    let mut exceptions = 0;
    for file in &files {
        for (query, as_of) in [
            (String::new(), today),
            (
                format!("?as_of={}", today - Duration::days(400)),
                today - Duration::days(400),
            ),
        ] {
            let path = format!("/api/v1/cases/{}/timeline{query}", file.reference);
            let response = get(&app, &path, &session).await;
            assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
            let expected = serde_json::to_value(timeline::compute(file, as_of)).unwrap();
            assert_eq!(response.json(), expected, "{path}");
        }
        exceptions += file
            .events
            .iter()
            .filter(|e| e.event_type() == tandem_core::EventType::Exception)
            .count();
    }
    assert!(exceptions > 0, "the sample has exceptions");
}
