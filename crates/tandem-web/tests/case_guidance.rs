//! What a case page and its forms tell the person working on it (issue 13 items 2 and 3): the
//! "Next" panel with the final plan's date, the case's name and due dates on every form, steps
//! offered by stage, warnings shown before saving with a reason to go on, the draft's comment
//! period as a row, and how exceptions and the 16-week notice read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use chrono::{Datelike, Duration};
use support::{Session, TestApp, TestResponse};
use tandem_core::{Date, Reference, Role, dates};

const REF: &str = "EHC-GUIDE-1";

fn today(app: &TestApp) -> Date {
    dates::england_date(app.now())
}

fn iso(date: Date) -> String {
    date.to_string()
}

/// A case for Robin Guide received `days_ago` days ago, held by the case manager.
async fn case(app: &TestApp, days_ago: i64) -> Date {
    let received = today(app) - Duration::days(days_ago);
    app.open_case(REF, ("Robin", "Guide"), received, Some(Role::CaseManager))
        .await;
    received
}

async fn version(app: &TestApp) -> String {
    app.version(&Reference::parse(REF).unwrap())
        .await
        .to_string()
}

/// Posts the record form for `kind` dated `date`, with `more` answers.
async fn post_event(
    app: &TestApp,
    session: &Session,
    kind: &str,
    date: Date,
    more: &[(&str, &str)],
) -> TestResponse {
    let version = version(app).await;
    let (day, month, year) = (
        date.day().to_string(),
        date.month().to_string(),
        date.year().to_string(),
    );
    let mut fields = vec![
        ("type", kind),
        ("version", version.as_str()),
        ("seen", "99"),
        ("date-day", day.as_str()),
        ("date-month", month.as_str()),
        ("date-year", year.as_str()),
    ];
    fields.extend_from_slice(more);
    app.post_form(&format!("/cases/{REF}/events/new"), Some(session), &fields)
        .await
}

#[tokio::test]
async fn the_case_page_says_what_to_do_next_and_when_the_final_plan_is_due() {
    let app = TestApp::new().await;
    let received = case(&app, 10).await;
    let cm = app.session(Role::CaseManager).await;
    let page = app.get(&format!("/cases/{REF}"), Some(&cm)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let decision_due = dates::long(received + Duration::days(42));
    assert_eq!(
        page.texts("#next h2"),
        [format!("Next: Decide whether to assess by {decision_due}")]
    );
    let rows = page.texts("#next .govuk-summary-list__value");
    assert_eq!(
        rows[0],
        format!("Due by {}", dates::long(received + Duration::days(140)))
    );
    assert_eq!(rows[1], "32 days left");
    // The 16-week step reads as a decision.
    assert!(
        page.texts("tbody th")
            .contains(&"Decide whether to issue a plan".to_owned()),
        "{:?}",
        page.texts("tbody th")
    );
    app.remove().await;
}

#[tokio::test]
async fn past_week_16_undecided_the_notice_is_not_overdue_and_the_final_plan_is_next() {
    let app = TestApp::new().await;
    let received = case(&app, 120).await;
    app.record(
        REF,
        &[
            ("type", "decision_to_assess"),
            ("date", &iso(received + Duration::days(30))),
            ("outcome", "assess"),
        ],
    )
    .await;
    let cm = app.session(Role::CaseManager).await;
    let page = app.get(&format!("/cases/{REF}"), Some(&cm)).await;
    let final_due = dates::long(received + Duration::days(140));
    assert_eq!(
        page.texts("#next h2"),
        [format!("Next: Issue the final plan by {final_due}")]
    );
    let notice_row = page
        .texts("tbody tr")
        .into_iter()
        .find(|r| r.starts_with("Decide whether to issue a plan"))
        .expect("notice row");
    assert!(notice_row.contains("No decision yet"), "{notice_row}");
    assert!(!notice_row.contains("Overdue"), "{notice_row}");
    // Nor is the case overdue on the caseload: its next step is the final plan.
    let list = app.get("/cases", Some(&cm)).await;
    let row = list
        .texts("tbody tr")
        .into_iter()
        .find(|r| r.contains(REF))
        .expect("row");
    assert!(row.contains("Final plan"), "{row}");
    assert!(!row.contains("Overdue"), "{row}");
    app.remove().await;
}

#[tokio::test]
async fn forms_name_the_child_and_the_dates_that_bear_on_them_and_follow_the_stage() {
    let app = TestApp::new().await;
    let received = case(&app, 10).await;
    let cm = app.session(Role::CaseManager).await;
    let form = app
        .get(
            &format!("/cases/{REF}/events/new?type=decision_to_assess"),
            Some(&cm),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.texts(".govuk-caption-l"),
        [format!("{REF} – Robin Guide")]
    );
    let dates_shown = form.texts(".govuk-inset-text li");
    assert_eq!(
        dates_shown,
        [
            format!(
                "Decision whether to assess: due by {} (32 days left)",
                dates::long(received + Duration::days(42))
            ),
            format!(
                "Final plan: due by {} (130 days left)",
                dates::long(received + Duration::days(140))
            ),
        ]
    );
    // Before any decision: no final plan and no annual review on offer.
    let list = app
        .get(&format!("/cases/{REF}/events/new"), Some(&cm))
        .await;
    let labels = list.texts(".govuk-radios__label");
    assert_eq!(labels[0], "Decision whether to assess");
    assert!(
        !labels.contains(&"Final plan issued".to_owned()),
        "{labels:?}"
    );
    assert!(
        !labels.iter().any(|l| l.starts_with("Annual review")),
        "{labels:?}"
    );
    app.remove().await;
}

#[tokio::test]
async fn a_final_plan_inside_the_comment_period_is_warned_before_saving_and_needs_a_reason() {
    let app = TestApp::new().await;
    let received = case(&app, 100).await;
    app.record(
        REF,
        &[
            ("type", "decision_to_assess"),
            ("date", &iso(received + Duration::days(20))),
            ("outcome", "assess"),
        ],
    )
    .await;
    let draft = today(&app) - Duration::days(10);
    app.record(REF, &[("type", "draft_plan_issued"), ("date", &iso(draft))])
        .await;
    let before = version(&app).await;
    let cm = app.session(Role::CaseManager).await;
    // The comment period shows as a row, open until its fifteenth day.
    let page = app.get(&format!("/cases/{REF}"), Some(&cm)).await;
    let row = page
        .texts("tbody tr")
        .into_iter()
        .find(|r| r.starts_with("Family’s comments on the draft plan"))
        .expect("comment period row");
    assert!(
        row.contains(&dates::long(draft + Duration::days(14))),
        "{row}"
    );
    assert!(row.contains("Open"), "{row}");

    let early = today(&app) - Duration::days(1);
    let warned = post_event(&app, &cm, "final_plan_issued", early, &[]).await;
    assert_eq!(warned.status, StatusCode::OK, "{}", warned.body);
    assert_eq!(
        warned.texts(".govuk-notification-banner__heading"),
        ["Check before you save"]
    );
    assert!(
        warned
            .body
            .contains(&dates::long(draft + Duration::days(15))),
        "names the earliest lawful date"
    );
    assert_eq!(
        warned.attr("input[name=\"go_on\"]", "value").as_deref(),
        Some("1")
    );
    assert_eq!(version(&app).await, before, "nothing saved");

    // Going on without a reason is refused, keeping the warning.
    let no_reason = post_event(&app, &cm, "final_plan_issued", early, &[("go_on", "1")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        no_reason.texts(".govuk-error-summary__list li"),
        ["Enter why you are recording it despite the warning"]
    );
    assert_eq!(
        no_reason.texts(".govuk-notification-banner__heading"),
        ["Check before you save"]
    );
    assert_eq!(version(&app).await, before, "nothing saved");

    let reason = "The family agreed the plan at a meeting and waived the rest of the period";
    let saved = post_event(
        &app,
        &cm,
        "final_plan_issued",
        early,
        &[("go_on", "1"), ("go_on_reason", reason)],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = app.stored_case(REF).await;
    let last = stored.history.last().unwrap();
    assert_eq!(last.reason.as_deref(), Some(reason));
    let recorded = app.audit("case.record_event").await;
    assert_eq!(
        recorded
            .iter()
            .filter(|e| e.detail["despite_warning"] == true)
            .count(),
        1,
        "the final plan, and not the steps before it, went on despite a warning"
    );
    let page = app.get(&format!("/cases/{REF}"), Some(&cm)).await;
    assert!(
        page.body
            .contains(&format!("Recorded despite a warning: {reason}")),
        "the reason is in the case history"
    );
    app.remove().await;
}

#[tokio::test]
async fn a_step_without_warnings_saves_at_once() {
    let app = TestApp::new().await;
    case(&app, 10).await;
    let cm = app.session(Role::CaseManager).await;
    let saved = post_event(
        &app,
        &cm,
        "decision_to_assess",
        today(&app) - Duration::days(1),
        &[("outcome", "assess")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Advice asked for before a decision is warned about; after it, not.
    let asked = post_event(
        &app,
        &cm,
        "advice_requested",
        today(&app),
        &[("advice", "health")],
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    app.remove().await;
}

#[tokio::test]
async fn an_exception_reads_late_exception_applies_with_its_dates_and_evidence() {
    let app = TestApp::new().await;
    let received = case(&app, 120).await;
    let requested = received + Duration::days(20);
    for (kind, date, more) in [
        (
            "decision_to_assess",
            received + Duration::days(15),
            ("outcome", "assess"),
        ),
        ("advice_requested", requested, ("advice", "health")),
        ("advice_requested", requested, ("advice", "education")),
    ] {
        app.record(REF, &[("type", kind), ("date", &iso(date)), more])
            .await;
    }
    let missed = requested + Duration::days(10);
    app.record(
        REF,
        &[
            ("type", "exception"),
            ("kind", "missed_appointment"),
            ("from", &iso(missed)),
            ("advice", "health"),
            ("reason", "The family could not attend the clinic"),
            ("evidence", "Clinic letter of the missed appointment"),
        ],
    )
    .await;
    for advice in ["health", "education"] {
        app.record(
            REF,
            &[
                ("type", "advice_received"),
                ("date", &iso(requested + Duration::days(50))),
                ("advice", advice),
            ],
        )
        .await;
    }
    let cm = app.session(Role::CaseManager).await;
    let page = app.get(&format!("/cases/{REF}"), Some(&cm)).await;
    let rows = page.texts("tbody tr");
    let row = |start: &str| {
        rows.iter()
            .find(|r| r.starts_with(start))
            .unwrap_or_else(|| panic!("no row {start} in {rows:?}"))
            .clone()
    };
    assert!(row("Health advice").contains("Late – exception applies"));
    let education = row("Education advice");
    assert!(education.contains("Done late"), "{education}");
    assert!(!education.contains("exception applies"), "{education}");
    let exception = row("Missed appointment");
    assert!(
        exception.contains(&format!("Appointment missed on {}", dates::long(missed))),
        "{exception}"
    );
    assert!(
        exception.contains("Applies to: Health advice"),
        "{exception}"
    );
    assert!(
        exception.contains("Clinic letter of the missed appointment"),
        "{exception}"
    );
    app.remove().await;
}
