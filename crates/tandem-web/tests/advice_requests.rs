//! Requesting several kinds of advice in one form, through the router: offered after a decision
//! to assess, every request saved in one write or none, each problem beside its own answer, and
//! a request before the decision warned about before anything is saved.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use chrono::{Datelike, Days};
use support::{Session, TestApp, TestResponse};
use tandem_core::{AdviceKind, Date, EventDetail, Reference, Role};
use tandem_test_support::tandem_store::StoredCase;

const REF: &str = "EHC-ADVICE-1";
const FORM: &str = "/cases/EHC-ADVICE-1/advice-requests/new";

async fn post(app: &TestApp, session: &Session, fields: &[(&str, String)]) -> TestResponse {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    app.post_form(FORM, Some(session), &pairs).await
}

/// The form's answers: the date as its three parts, the version, and `more`.
fn answers(date: Date, version: i64, more: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("date-day", date.day().to_string()),
        ("date-month", date.month().to_string()),
        ("date-year", date.year().to_string()),
        ("version", version.to_string()),
        ("seen", "1".to_owned()),
    ];
    fields.extend(more.iter().map(|(n, v)| (*n, (*v).to_owned())));
    fields
}

async fn stored(app: &TestApp) -> StoredCase {
    app.store()
        .case(&Reference::parse(REF).unwrap())
        .await
        .unwrap()
        .expect("case")
}

/// The kinds of advice requested on the case, in the order recorded.
fn requested(case: &StoredCase) -> Vec<(AdviceKind, Date, Option<String>)> {
    case.history
        .iter()
        .filter_map(|r| match r.event.as_ref().map(|e| (&e.detail, e.date)) {
            Some((EventDetail::AdviceRequested { advice, .. }, date)) => {
                Some((*advice, date, r.reason.clone()))
            }
            _ => None,
        })
        .collect()
}

fn summary(page: &TestResponse) -> Vec<String> {
    page.texts(".govuk-error-summary__list li")
}

#[tokio::test]
async fn several_kinds_of_advice_are_requested_together_or_not_at_all() {
    let app = TestApp::new().await;
    app.seed_case(REF).await;
    let cm = app.session(Role::CaseManager).await;
    let today = app.today();
    let decided = today - Days::new(2);
    let decision = [
        ("type", "decision_to_assess".to_owned()),
        ("outcome", "assess".to_owned()),
        ("date-day", decided.day().to_string()),
        ("date-month", decided.month().to_string()),
        ("date-year", decided.year().to_string()),
        ("version", "1".to_owned()),
        ("seen", "1".to_owned()),
    ];
    let pairs: Vec<(&str, &str)> = decision.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let saved = app
        .post_form(&format!("/cases/{REF}/events/new"), Some(&cm), &pairs)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // Advice is a likely next step now, so "What happened?" offers the form for several.
    let steps = app
        .get(&format!("/cases/{REF}/events/new"), Some(&cm))
        .await;
    assert!(
        steps.body.contains(&format!("href=\"{FORM}\"")),
        "{}",
        steps.body
    );

    let form = app.get(FORM, Some(&cm)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.texts("h1"), ["Request advice"]);
    assert_eq!(form.texts(".govuk-checkboxes__label").len(), 7);
    assert_eq!(
        form.attr("#advice", "name").as_deref(),
        Some("advice_parent")
    );
    assert!(
        form.texts(".tandem-due-dates li")
            .iter()
            .any(|line| line.starts_with("Final plan")),
        "{:?}",
        form.texts(".tandem-due-dates li")
    );

    // Nothing ticked and no date: both problems, linked to their controls.
    let blank = post(&app, &cm, &[("version", "2".into()), ("seen", "1".into())]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        summary(&blank),
        [
            "Enter the date the advice was requested",
            "Select the advice you requested"
        ]
    );
    assert_eq!(
        blank
            .attr(".govuk-error-summary__list li:nth-child(2) a", "href")
            .as_deref(),
        Some("#advice")
    );

    // A provider not on the council's list: the problem sits on health's own question, the
    // ticks are kept, and nothing is saved (not even the education request).
    let unlisted = post(
        &app,
        &cm,
        &answers(
            today,
            2,
            &[
                ("advice_education", "yes"),
                ("advice_health", "yes"),
                ("provider_health", "Nowhere Community Trust"),
            ],
        ),
    )
    .await;
    assert_eq!(
        unlisted.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unlisted.body
    );
    assert_eq!(
        unlisted
            .attr(".govuk-error-summary__list a", "href")
            .as_deref(),
        Some("#provider_health")
    );
    assert!(
        unlisted
            .attr("input[name=\"advice_health\"][checked]", "value")
            .is_some()
    );
    assert!(
        unlisted
            .attr("input[name=\"advice_education\"][checked]", "value")
            .is_some()
    );
    assert!(
        unlisted
            .attr("input[name=\"advice_social_care\"][checked]", "value")
            .is_none()
    );
    assert!(requested(&stored(&app).await).is_empty());

    // Three at once: one write, three requests dated the same day, one audit entry.
    let audits_before = app.audit("case.record_event").await.len();
    let three = post(
        &app,
        &cm,
        &answers(
            today,
            2,
            &[
                ("advice_education", "yes"),
                ("advice_health", "yes"),
                ("advice_social_care", "yes"),
            ],
        ),
    )
    .await;
    assert_eq!(three.status, StatusCode::SEE_OTHER, "{}", three.body);
    assert_eq!(
        three.location(),
        Some("/cases/EHC-ADVICE-1?done=advice_requested")
    );
    let case = stored(&app).await;
    assert_eq!(case.record.version, 3, "the three requests are one change");
    assert_eq!(
        requested(&case),
        [
            (AdviceKind::Education, today, None),
            (AdviceKind::Health, today, None),
            (AdviceKind::SocialCare, today, None),
        ]
    );
    let audits = app.audit("case.record_event").await;
    assert_eq!(audits.len(), audits_before + 1);
    assert!(audits.iter().any(|a| a.detail["count"] == 3), "{audits:?}");
    let page = app
        .get("/cases/EHC-ADVICE-1?done=advice_requested", Some(&cm))
        .await;
    assert_eq!(
        page.texts(".govuk-notification-banner__heading"),
        ["Advice requests recorded"]
    );
}

#[tokio::test]
async fn requests_before_a_decision_to_assess_are_warned_about_first() {
    let app = TestApp::new().await;
    app.seed_case(REF).await;
    let cm = app.session(Role::CaseManager).await;
    let today = app.today();
    let ask = [("advice_health", "yes"), ("advice_parent", "yes")];

    let warned = post(&app, &cm, &answers(today, 1, &ask)).await;
    assert_eq!(warned.status, StatusCode::OK, "{}", warned.body);
    let warnings = warned.texts(".govuk-notification-banner li");
    assert_eq!(
        warnings.len(),
        1,
        "one warning for both requests: {warnings:?}"
    );
    assert!(warnings[0].starts_with("No decision to carry out an assessment"));
    assert_eq!(
        warned.attr("input[name=\"go_on\"]", "value").as_deref(),
        Some("1")
    );
    assert!(
        requested(&stored(&app).await).is_empty(),
        "nothing saved yet"
    );

    let mut going_on = answers(today, 1, &ask);
    going_on.push(("go_on", "1".to_owned()));
    let no_reason = post(&app, &cm, &going_on).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        summary(&no_reason),
        ["Enter why you are recording it despite the warning"]
    );
    assert_eq!(
        no_reason.texts(".govuk-notification-banner li").len(),
        1,
        "the warning stays on the page"
    );

    let reason = "The panel asked for health advice while it decides";
    going_on.push(("go_on_reason", reason.to_owned()));
    let saved = post(&app, &cm, &going_on).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        requested(&stored(&app).await),
        [
            (AdviceKind::Parent, today, Some(reason.to_owned())),
            (AdviceKind::Health, today, Some(reason.to_owned())),
        ]
    );
    let audits = app.audit("case.record_event").await;
    assert!(
        audits
            .iter()
            .any(|a| a.detail["despite_warning"] == true && a.detail["count"] == 2),
        "{audits:?}"
    );
}

#[tokio::test]
async fn those_who_may_not_record_cannot_request_advice() {
    let app = TestApp::new().await;
    app.seed_case(REF).await;
    let auditor = app.session(Role::QaAuditor).await;
    let today = app.today();
    let refused = post(
        &app,
        &auditor,
        &answers(today, 1, &[("advice_health", "yes")]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(requested(&stored(&app).await).is_empty());
}
