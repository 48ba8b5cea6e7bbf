//! Plan audits in the web application, without JavaScript: a sample drawn from the form (errors
//! kept), an auditor assigned, the QA auditor's tray and grading form (only the plan given to
//! them), the moderator's settled grade, the example that names nobody, and the term report with
//! its chart and tables.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::TestApp;
use tandem_app::services::SignOff;
use tandem_core::plan::TextSection;
use tandem_core::plan::audit::{Criterion, Term};
use tandem_core::{Reference, Role};

/// Case `EHC-Q1` for Robin Testcase, with a final plan issued today by the head of service.
async fn final_plan(app: &TestApp) -> Reference {
    app.add_case(
        json!({
            "reference": "EHC-Q1",
            "child": { "given_name": "Robin", "family_name": "Testcase", "date_of_birth": "2016-04-09" },
            "events": [{ "type": "request_received", "date": "2026-01-05" }],
        }),
        Some(Role::CaseManager),
    )
    .await;
    let reference = Reference::parse("EHC-Q1").expect("reference");
    let head = app.caller(Role::HeadOfService);
    let services = app.state.services();
    let mut plan = services.plan(&head, &reference).await.expect("plan").plan;
    plan.sections.a = Some(TextSection {
        text: "Robin Testcase loves trains.".into(),
    });
    services
        .save_plan(&head, &reference, plan, 0)
        .await
        .expect("save");
    services
        .issue_draft_plan(&head, &reference, 1)
        .await
        .expect("draft");
    let view = services.plan(&head, &reference).await.expect("plan");
    let sign_off = SignOff::acknowledging_all(&view.as_final, "Agreed", Some("No comments"));
    services
        .issue_final_plan(&head, &reference, view.revision(), sign_off)
        .await
        .expect("final");
    reference
}

#[tokio::test]
async fn an_audit_runs_from_the_forms_and_shows_in_the_term_report() {
    let app = TestApp::new().await;
    final_plan(&app).await;
    let term = Term::containing(app.today());
    let head = app.sign_in(Role::HeadOfService).await;

    // The form keeps what was typed when something is missing.
    let page = app.get("/audits", Some(&head)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Draw a sample"));
    let refused = app
        .post_form(
            "/audits",
            Some(&head),
            &[
                ("term", &term.key()),
                ("method", "team"),
                ("size", "0"),
                ("seed", "12"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".govuk-error-summary__list a"),
        [
            "Choose the team whose plans to draw",
            "Enter how many plans to draw, from 1 to 50"
        ]
    );
    assert_eq!(
        refused.attr("input[name=seed]", "value").as_deref(),
        Some("12")
    );
    let drawn = app
        .post_form(
            "/audits",
            Some(&head),
            &[
                ("term", &term.key()),
                ("method", "random"),
                ("size", "3"),
                ("seed", "12"),
            ],
        )
        .await;
    assert_eq!(drawn.status, StatusCode::SEE_OTHER, "{}", drawn.body);
    let round = drawn
        .location()
        .expect("location")
        .split('?')
        .next()
        .expect("path")
        .to_owned();
    let page = app.get(&round, Some(&head)).await;
    assert!(
        page.body.contains("Case EHC-Q1, plan version 2"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<dd class=\"govuk-summary-list__value\">12</dd>")
    );
    let plan = page.attr("section h2 a", "href").expect("the sampled plan");
    let assigned = app
        .post_form(
            &format!("{plan}/assign"),
            Some(&head),
            &[
                ("auditor", &app.users[&Role::QaAuditor].to_string()),
                ("discipline", "health"),
            ],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    // Given to the wrong person first: taken back from the team manager before they grade it.
    let manager = app.users[&Role::TeamManager].to_string();
    let wrong = [("auditor", manager.as_str()), ("discipline", "education")];
    app.post_form(&format!("{plan}/assign"), Some(&head), &wrong)
        .await;
    let page = app.get(&round, Some(&head)).await;
    assert_eq!(page.texts("form[action$='/unassign'] button").len(), 2);
    let taken_back = app
        .post_form(
            &format!("{plan}/unassign"),
            Some(&head),
            &[("auditor", manager.as_str())],
        )
        .await;
    assert_eq!(
        taken_back.status,
        StatusCode::SEE_OTHER,
        "{}",
        taken_back.body
    );
    let page = app.get(&round, Some(&head)).await;
    assert_eq!(page.texts("form[action$='/unassign'] button").len(), 1);

    // The QA auditor starts at the tray and grades the plan given to them.
    let auditor = app.sign_in(Role::QaAuditor).await;
    let tray = app.get("/audits", Some(&auditor)).await;
    assert!(tray.body.contains("To grade"));
    assert!(!tray.body.contains("Draw a sample"));
    let reading = app.get(&plan, Some(&auditor)).await;
    assert_eq!(reading.status, StatusCode::OK);
    assert!(reading.body.contains("Robin Testcase loves trains."));
    let mut form: Vec<(String, String)> = Criterion::ALL
        .iter()
        .map(|c| (format!("grade-{c}"), "Good".to_owned()))
        .collect();
    form.push(("grade-provision".into(), "Inadequate".into()));
    form.retain(|(k, v)| k != "grade-provision" || v == "Inadequate");
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = app.post_form(&plan, Some(&auditor), &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".govuk-error-summary__list a"),
        ["Say what would make provision better"]
    );
    assert_eq!(
        refused.attr("#grade-provision-3", "checked").as_deref(),
        Some(""),
        "the grade chosen is kept"
    );
    let mut fields = fields.clone();
    fields.push(("comment-provision", "No hours or staffing given"));
    let saved = app.post_form(&plan, Some(&auditor), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Another auditor's plan is not theirs to read.
    let other = app.get("/audits/1/plans/999", Some(&auditor)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // The head of service settles it, keeps it as an example, and reads the report.
    let settled = app
        .post_form(
            &format!("{plan}/moderate"),
            Some(&head),
            &[
                ("grade", "Good"),
                ("moderation_comment", "Clear apart from F"),
            ],
        )
        .await;
    assert_eq!(settled.status, StatusCode::SEE_OTHER, "{}", settled.body);
    let marked = app
        .post_form(&format!("{plan}/example"), Some(&head), &[])
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.body);
    let manager = app.sign_in(Role::CaseManager).await;
    let examples = app.get("/audits/examples", Some(&manager)).await;
    assert!(
        examples.body.contains("Example 1: Good"),
        "{}",
        examples.body
    );
    assert!(examples.body.contains("the child loves trains."));
    assert!(!examples.body.contains("Robin") && !examples.body.contains("EHC-Q1"));

    let report = app.get("/audits/report", Some(&head)).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("role=\"img\""), "a chart");
    assert!(report.body.contains(&term.label()));
    assert!(report.body.contains("100.0% (1 of 1)"), "{}", report.body);
    assert!(report.body.contains("govuk-details"));
    assert!(report.body.contains("Inadequate (1.0)"), "provision's mean");
    assert!(!app.audit("audit.report").await.is_empty());
}
