//! The forms that change a case, through the router: record the next step, correct and withdraw
//! an event, claim an exception, open a case for a new request. Each happy path is checked in
//! the store; each refusal keeps what was typed.

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
use tandem_core::{Date, EventDetail, EventType, Reference, Role};
use tandem_test_support::tandem_store::StoredCase;

const REF: &str = "EHC-FORMS-1";

fn today(app: &TestApp) -> Date {
    tandem_core::dates::england_date(app.now())
}

/// A date's day, month and year as a form sends them, under `name`.
fn date_fields(name: &str, date: Date) -> Vec<(String, String)> {
    vec![
        (format!("{name}-day"), date.day().to_string()),
        (format!("{name}-month"), date.month().to_string()),
        (format!("{name}-year"), date.year().to_string()),
    ]
}

async fn post(
    app: &TestApp,
    path: &str,
    session: &Session,
    fields: &[(String, String)],
) -> TestResponse {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    app.post_form(path, Some(session), &pairs).await
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

async fn stored(app: &TestApp, reference: &str) -> StoredCase {
    app.store()
        .case(&Reference::parse(reference).unwrap())
        .await
        .unwrap()
        .expect("case")
}

fn summary(page: &TestResponse) -> Vec<String> {
    page.texts(".govuk-error-summary__list li")
}

fn value(page: &TestResponse, name: &str) -> Option<String> {
    page.attr(&format!("input[name=\"{name}\"]"), "value")
}

/// Records a decision to assess dated yesterday, as `session`, against `version`.
async fn decide(app: &TestApp, session: &Session, version: &str) -> TestResponse {
    let mut form = owned(&[
        ("type", "decision_to_assess"),
        ("outcome", "assess"),
        ("version", version),
        ("seen", "1"),
    ]);
    form.extend(date_fields("date", today(app) - Duration::days(1)));
    post(app, &format!("/cases/{REF}/events/new"), session, &form).await
}

#[tokio::test]
async fn recording_the_next_step_offers_the_likely_ones_first_and_saves_it() {
    let app = TestApp::new().await;
    app.seed_case(REF).await;
    let cm = app.session(Role::CaseManager).await;

    let list = app
        .get(&format!("/cases/{REF}/events/new"), Some(&cm))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(
        list.texts("h1"),
        [format!("{REF} – Robin Seed What happened?")]
    );
    let labels = list.texts(".govuk-radios__label");
    assert_eq!(labels[0], "Decision whether to assess");
    assert!(
        labels.contains(&"Advice requested".to_owned()),
        "steps that may come early are offered"
    );
    assert!(
        !labels.contains(&"Plan stopped".to_owned()),
        "nothing that needs a plan"
    );
    assert!(
        !labels.iter().any(|l| l.starts_with("Request for")),
        "{labels:?}"
    );

    let unknown = app
        .get(&format!("/cases/{REF}/events/new?type="), Some(&cm))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary(&unknown), ["Select what happened"]);
    // Continue with nothing chosen sends no type at all.
    let nothing = app
        .get(
            &format!("/cases/{REF}/events/new?action=continue"),
            Some(&cm),
        )
        .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary(&nothing), ["Select what happened"]);

    let form = app
        .get(
            &format!("/cases/{REF}/events/new?type=decision_to_assess"),
            Some(&cm),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.texts("h1"), ["Decision whether to assess"]);
    assert_eq!(value(&form, "version").as_deref(), Some("1"));
    assert_eq!(value(&form, "type").as_deref(), Some("decision_to_assess"));
    assert!(form.attr("input[name=\"date-day\"]", "id").is_some());
    let viewed = app.audit("case.view").await;
    assert_eq!(viewed.len(), 4, "each page that shows the case is audited");
    assert_eq!(viewed[0].detail["purpose"], "record");

    let saved = decide(&app, &cm, "1").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), Some("/cases/EHC-FORMS-1?done=recorded"));
    let case_page = app.get("/cases/EHC-FORMS-1?done=recorded", Some(&cm)).await;
    assert_eq!(
        case_page.texts(".govuk-notification-banner__heading"),
        ["Event recorded"]
    );
    let case = stored(&app, REF).await;
    assert_eq!(case.record.version, 2);
    let event = case.history[1].event.as_ref().expect("event");
    assert_eq!(event.event_type(), EventType::DecisionToAssess);
    assert_eq!(event.date, today(&app) - Duration::days(1));
    assert_eq!(
        event
            .to_fields()
            .iter()
            .find(|(n, _)| *n == "outcome")
            .map(|f| f.1.as_str()),
        Some("assess")
    );
    assert_eq!(app.audit("case.record_event").await.len(), 1);

    // The decision made, advice and the notice come next; the decision is no longer first.
    let list = app
        .get(&format!("/cases/{REF}/events/new"), Some(&cm))
        .await;
    assert_ne!(
        list.texts(".govuk-radios__label")[0],
        "Decision whether to assess"
    );
}

#[tokio::test]
async fn each_validation_error_has_its_govuk_message_and_keeps_the_input() {
    let app = TestApp::new().await;
    app.seed_case(REF).await;
    let cm = app.session(Role::CaseManager).await;
    let path = format!("/cases/{REF}/events/new");
    let base = owned(&[
        ("type", "decision_to_assess"),
        ("version", "1"),
        ("seen", "1"),
    ]);

    let blank = post(&app, &path, &cm, &base).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        summary(&blank),
        [
            "Select whether the council decided to carry out an assessment",
            "Enter the date of decision"
        ]
    );
    assert!(blank.texts("title")[0].starts_with("Error: "));
    assert_eq!(
        blank
            .attr(".govuk-error-summary__list a", "href")
            .as_deref(),
        Some("#outcome")
    );

    let year = today(&app).year().to_string();
    /// Typed date parts, the message they get, and the input the summary links to.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            &[("date-day", "10"), ("date-month", ""), ("date-year", &year)],
            "Date of decision must include a month",
            "#date-month",
        ),
        (
            &[
                ("date-day", "30"),
                ("date-month", "2"),
                ("date-year", &year),
            ],
            "Date of decision must be a real date",
            "#date-day",
        ),
        (
            &[
                ("date-day", "1"),
                ("date-month", "1"),
                ("date-year", "3000"),
            ],
            "Date of decision must be today or in the past",
            "#date-day",
        ),
    ];
    for (date, message, anchor) in cases {
        let mut form = base.clone();
        form.push(("outcome".into(), "not_assess".into()));
        form.extend(owned(date));
        let page = post(&app, &path, &cm, &form).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(summary(&page), [*message]);
        assert_eq!(
            page.attr(".govuk-error-summary__list a", "href").as_deref(),
            Some(*anchor)
        );
        assert_eq!(
            page.texts(".govuk-error-message"),
            [format!("Error: {message}")]
        );
        // What was typed comes back.
        assert_eq!(
            page.attr("input[name=\"outcome\"][checked]", "value")
                .as_deref(),
            Some("not_assess")
        );
        for (name, typed) in *date {
            let shown = value(&page, name).unwrap_or_default();
            assert_eq!(shown, *typed, "{name}");
        }
    }

    // Before the request: the service's own check, shown on the date.
    let mut form = base.clone();
    form.push(("outcome".into(), "assess".into()));
    form.extend(date_fields("date", today(&app) - Duration::days(30)));
    let page = post(&app, &path, &cm, &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        summary(&page)[0].starts_with("The date must be on or after the date the request"),
        "{:?}",
        summary(&page)
    );
    assert_eq!(stored(&app, REF).await.history.len(), 1, "nothing saved");
}

#[tokio::test]
async fn a_conflicting_change_is_shown_and_the_form_kept() {
    let app = TestApp::new().await;
    app.seed_case(REF).await;
    let cm = app.session(Role::CaseManager).await;
    let tm = app.session(Role::TeamManager).await;

    // The team manager records advice first, from a form also based on version 1.
    let mut advice = owned(&[
        ("type", "advice_requested"),
        ("advice", "health"),
        ("provider", "Community paediatrics"),
        ("version", "1"),
        ("seen", "1"),
        // Asked for before a decision to assess: saved only with a reason (warned first).
        ("go_on", "1"),
        ("go_on_reason", "Asked early, as the family agreed"),
    ]);
    advice.extend(date_fields("date", today(&app) - Duration::days(2)));
    let first = post(&app, &format!("/cases/{REF}/events/new"), &tm, &advice).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let saved = stored(&app, REF).await.history[1].event.clone().unwrap();
    assert!(
        matches!(&saved.detail, EventDetail::AdviceRequested { provider: Some(p), .. } if p == "Community paediatrics"),
        "{saved:?}"
    );

    let clash = decide(&app, &cm, "1").await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.body);
    let banner = clash.texts(".govuk-notification-banner__content").join(" ");
    assert!(
        banner.contains("Someone else changed this case while you were filling in this form"),
        "{banner}"
    );
    assert!(
        banner.contains("Demo Team manager recorded Advice requested"),
        "{banner}"
    );
    assert!(banner.contains("save again"), "{banner}");
    assert_eq!(value(&clash, "version").as_deref(), Some("2"));
    assert_eq!(value(&clash, "seen").as_deref(), Some("2"));
    assert_eq!(
        clash
            .attr("input[name=\"outcome\"][checked]", "value")
            .as_deref(),
        Some("assess")
    );
    assert_eq!(stored(&app, REF).await.history.len(), 2, "not saved");

    // Saving again on the new version goes through.
    let again = decide(&app, &cm, "2").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, REF).await.history.len(), 3);
}

#[tokio::test]
async fn a_withdrawal_based_on_an_old_version_is_a_conflict() {
    let app = TestApp::new().await;
    app.seed_case(REF).await;
    let cm = app.session(Role::CaseManager).await;
    let tm = app.session(Role::TeamManager).await;
    assert_eq!(decide(&app, &cm, "1").await.status, StatusCode::SEE_OTHER);
    let decision = stored(&app, REF).await.history[1].id;
    let mut advice = owned(&[
        ("type", "advice_requested"),
        ("advice", "education"),
        ("version", "2"),
        ("seen", "2"),
    ]);
    advice.extend(date_fields("date", today(&app)));
    let first = post(&app, &format!("/cases/{REF}/events/new"), &tm, &advice).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);

    let withdraw = format!("/cases/{REF}/events/{decision}/withdraw");
    let mut form = owned(&[
        ("version", "2"),
        ("seen", "2"),
        ("correction_reason", "Duplicate entry"),
    ]);
    let clash = post(&app, &withdraw, &cm, &form).await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.body);
    let banner = clash.texts(".govuk-notification-banner__content").join(" ");
    assert!(
        banner.contains("Demo Team manager recorded Advice requested"),
        "{banner}"
    );
    assert_eq!(
        clash.texts("textarea[name=\"correction_reason\"]"),
        ["Duplicate entry"]
    );
    assert_eq!(value(&clash, "version").as_deref(), Some("3"));
    assert_eq!(stored(&app, REF).await.case_file().events.len(), 3);

    form[0].1 = "3".into();
    let saved = post(&app, &withdraw, &cm, &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, REF).await.case_file().events.len(), 2);
}

#[tokio::test]
async fn corrections_and_withdrawals_need_a_reason_and_keep_the_history() {
    let app = TestApp::new().await;
    app.seed_case(REF).await;
    let cm = app.session(Role::CaseManager).await;
    assert_eq!(decide(&app, &cm, "1").await.status, StatusCode::SEE_OTHER);
    let decision = stored(&app, REF).await.history[1].id;
    let correct = format!("/cases/{REF}/events/{decision}/correct");

    let form = app.get(&correct, Some(&cm)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.texts("h1"), ["Correct: decision whether to assess"]);
    let yesterday = today(&app) - Duration::days(1);
    assert_eq!(
        value(&form, "date-day"),
        Some(yesterday.day().to_string()),
        "prefilled"
    );
    assert_eq!(
        form.attr("input[name=\"outcome\"][checked]", "value")
            .as_deref(),
        Some("assess")
    );

    let mut answers = owned(&[("outcome", "not_assess"), ("version", "2"), ("seen", "2")]);
    answers.extend(date_fields("date", yesterday));
    let no_reason = post(&app, &correct, &cm, &answers).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        summary(&no_reason),
        ["Enter why the record is being changed"]
    );
    assert_eq!(
        no_reason
            .attr("input[name=\"outcome\"][checked]", "value")
            .as_deref(),
        Some("not_assess")
    );

    answers.push((
        "correction_reason".into(),
        "Recorded the wrong outcome".into(),
    ));
    let saved = post(&app, &correct, &cm, &answers).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), Some("/cases/EHC-FORMS-1?done=corrected"));
    let case = stored(&app, REF).await;
    assert_eq!(case.history.len(), 3, "both rows kept");
    let correction = &case.history[2];
    assert_eq!(case.history[1].superseded_by, Some(correction.id));
    assert_eq!(
        correction.reason.as_deref(),
        Some("Recorded the wrong outcome")
    );
    assert_eq!(case.case_file().events.len(), 2);

    // The corrected row cannot be corrected again; its replacement can be withdrawn.
    assert_eq!(
        app.get(&correct, Some(&cm)).await.status,
        StatusCode::NOT_FOUND
    );
    let withdraw = format!("/cases/{REF}/events/{}/withdraw", correction.id);
    let page = app.get(&withdraw, Some(&cm)).await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = page.texts(".govuk-summary-list__row");
    assert!(
        rows.iter().any(|r| r.contains("No, it will not assess")),
        "{rows:?}"
    );
    let fields = owned(&[("version", "3"), ("seen", "3"), ("correction_reason", " ")]);
    let refused = post(&app, &withdraw, &cm, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary(&refused), ["Enter why the record is being changed"]);
    let fields = owned(&[
        ("version", "3"),
        ("seen", "3"),
        ("correction_reason", "Entered on the wrong case"),
    ]);
    let gone = post(&app, &withdraw, &cm, &fields).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(gone.location(), Some("/cases/EHC-FORMS-1?done=withdrawn"));
    let case = stored(&app, REF).await;
    assert_eq!(case.history.len(), 4);
    assert_eq!(
        case.history[3].reason.as_deref(),
        Some("Entered on the wrong case")
    );
    assert_eq!(case.case_file().events.len(), 1, "only the request counts");
    assert_eq!(app.audit("case.correct_event").await.len(), 1);
    assert_eq!(app.audit("case.withdraw_event").await.len(), 1);

    // Withdrawing it again finds nothing to withdraw.
    let stale = post(&app, &withdraw, &cm, &fields).await;
    assert_eq!(stale.status, StatusCode::NOT_FOUND, "already withdrawn");
}

#[tokio::test]
async fn an_exception_is_checked_against_the_regulations_before_it_is_recorded() {
    let app = TestApp::new().await;
    app.seed_case(REF).await;
    let cm = app.session(Role::CaseManager).await;
    let path = format!("/cases/{REF}/exceptions/new");
    let page = app.get(&path, Some(&cm)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["Record a statutory exception"]);

    let received = today(&app) - Duration::days(14);
    let answers = |kind: &str, action: &str| {
        let mut form = owned(&[
            ("kind", kind),
            ("action", action),
            ("version", "1"),
            ("seen", "1"),
            ("reason", "The family were abroad"),
            ("evidence", "Letter from the parent"),
        ]);
        form.extend(date_fields("from", received + Duration::days(1)));
        form.extend(date_fields("to", today(&app)));
        form
    };

    // 14 days away is not 4 weeks: it does not qualify, and says why.
    let short = post(&app, &path, &cm, &answers("absent_from_area", "check")).await;
    assert_eq!(short.status, StatusCode::OK, "{}", short.body);
    let warning = short.texts(".govuk-warning-text__text").join(" ");
    assert!(warning.contains("does not qualify"), "{warning}");
    assert!(warning.contains("lasted 14 days"), "{warning}");

    let fits = post(
        &app,
        &path,
        &cm,
        &answers("exceptional_personal_circumstances", "check"),
    )
    .await;
    assert_eq!(fits.status, StatusCode::OK);
    let verdict = fits.texts(".govuk-inset-text").join(" ");
    assert!(verdict.contains("This exception qualifies"), "{verdict}");
    assert!(verdict.contains("reg 5(4)(c)"), "{verdict}");
    assert!(
        verdict.contains("SEND Regulations 2014, reg 5(1)"),
        "{verdict}"
    );
    assert_eq!(value(&fits, "reason"), None, "textareas are not inputs");
    assert_eq!(
        fits.texts("textarea[name=\"evidence\"]"),
        ["Letter from the parent"]
    );
    assert_eq!(
        stored(&app, REF).await.history.len(),
        1,
        "checking saves nothing"
    );

    let mut closure = owned(&[("kind", "school_closure"), ("action", "save")]);
    closure.extend(date_fields("from", received));
    let incomplete = post(&app, &path, &cm, &closure).await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        summary(&incomplete),
        [
            "Enter the date the school or setting closed",
            "Enter the date the school or setting reopens",
            "Enter why it made meeting the time limit impractical",
            "Enter the evidence"
        ]
    );

    let saved = post(
        &app,
        &path,
        &cm,
        &answers("exceptional_personal_circumstances", "save"),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), Some("/cases/EHC-FORMS-1?done=exception"));
    let case = stored(&app, REF).await;
    let fields = case.history[1].event.as_ref().expect("event").to_fields();
    let field = |name: &str| fields.iter().find(|(n, _)| *n == name).map(|f| f.1.clone());
    assert_eq!(
        field("kind").as_deref(),
        Some("exceptional_personal_circumstances")
    );
    assert_eq!(field("evidence").as_deref(), Some("Letter from the parent"));
}

#[tokio::test]
async fn a_new_request_opens_a_case_and_asks_about_a_possible_duplicate() {
    let app = TestApp::new().await;
    app.seed_case("EHC-SEED").await;
    let cm = app.session(Role::CaseManager).await;

    let caseload = app.get("/cases", Some(&cm)).await;
    assert_eq!(
        caseload.attr("a[href=\"/cases/new\"]", "role").as_deref(),
        Some("button"),
        "the caseload offers a new request"
    );
    let page = app.get("/cases/new", Some(&cm)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.attr("select[name=\"case_manager\"] option[selected]", "value"),
        Some(app.users[&Role::CaseManager].to_string()),
        "a case manager takes their own requests"
    );

    let blank = post(&app, "/cases/new", &cm, &[]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        summary(&blank),
        [
            "Enter the child’s first name",
            "Enter the child’s last name",
            "Enter the child’s date of birth",
            // The reference may be left empty: one is then made (tests/front_door.rs).
            "Enter the date the request was received",
        ]
    );

    let request = |given: &str, reference: &str| {
        let mut form = owned(&[
            ("given_name", given),
            ("family_name", "Seed"),
            ("reference", reference),
            ("case_manager", ""),
        ]);
        form.extend(owned(&[
            ("date_of_birth-day", "1"),
            ("date_of_birth-month", "6"),
            ("date_of_birth-year", "2015"),
        ]));
        form.extend(date_fields("received", today(&app)));
        form
    };
    let mut bad = request("Alex", "EHC 2");
    bad.retain(|(n, _)| n != "date_of_birth-year");
    let refused = post(&app, "/cases/new", &cm, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        summary(&refused),
        [
            "Date of birth must include a year",
            "Case reference must only include letters, numbers, hyphens, underscores and full stops, and start with a letter or number"
        ]
    );
    assert_eq!(value(&refused, "given_name").as_deref(), Some("Alex"));

    let opened = post(&app, "/cases/new", &cm, &request("Alex", "EHC-NEW-1")).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    assert_eq!(opened.location(), Some("/cases/EHC-NEW-1?done=opened"));
    let case_page = app.get("/cases/EHC-NEW-1?done=opened", Some(&cm)).await;
    assert_eq!(
        case_page.texts(".govuk-notification-banner__heading"),
        ["Case opened"]
    );
    let case = stored(&app, "EHC-NEW-1").await;
    assert_eq!(
        case.record.case_manager,
        Some(app.users[&Role::CaseManager])
    );
    assert_eq!(case.history.len(), 1);

    // Robin Seed, born 1 June 2015, already has a case.
    let duplicate = post(&app, "/cases/new", &cm, &request("robin", "EHC-NEW-2")).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.body);
    let choices =
        duplicate.texts(".govuk-radios__input[name='same_child_as'] + .govuk-radios__label");
    assert_eq!(
        choices,
        [
            "The same child as in EHC-SEED (deciding whether to assess)",
            "A different child with the same name and date of birth"
        ]
    );
    let seed_child = stored(&app, "EHC-SEED").await.record.child_id.to_string();
    assert_eq!(
        duplicate.attr("input[name=\"same_child_as\"]", "value"),
        Some(seed_child.clone())
    );
    assert_eq!(value(&duplicate, "reference").as_deref(), Some("EHC-NEW-2"));

    let mut unanswered = request("robin", "EHC-NEW-2");
    unanswered.push(("asked".into(), "yes".into()));
    let again = post(&app, "/cases/new", &cm, &unanswered).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        summary(&again),
        ["Select whether the request is for the same child or a different child"]
    );

    let mut same = unanswered.clone();
    same.push(("same_child_as".into(), seed_child.clone()));
    let saved = post(&app, "/cases/new", &cm, &same).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        stored(&app, "EHC-NEW-2").await.record.child_id.to_string(),
        seed_child
    );

    let mut different = request("Robin", "EHC-NEW-3");
    different.push(("same_child_as".into(), "different".into()));
    let saved = post(&app, "/cases/new", &cm, &different).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_ne!(
        stored(&app, "EHC-NEW-3").await.record.child_id.to_string(),
        seed_child
    );
}

#[tokio::test]
async fn a_manager_gives_the_new_case_to_a_case_manager_from_the_list() {
    let app = TestApp::new().await;
    let tm = app.session(Role::TeamManager).await;
    let page = app.get("/cases/new", Some(&tm)).await;
    let options = page.texts("select[name=\"case_manager\"] option");
    assert_eq!(
        options,
        [
            "Not assigned yet",
            "Demo Case manager (north team)",
            "Demo Team manager"
        ]
    );
    let cm = app.users[&Role::CaseManager].to_string();
    let mut form = owned(&[
        ("given_name", "Kit"),
        ("family_name", "Other"),
        ("reference", "EHC-TM-1"),
        ("date_of_birth-day", "2"),
        ("date_of_birth-month", "March"),
        ("date_of_birth-year", "2016"),
        ("case_manager", "999999"),
    ]);
    form.extend(date_fields("received", today(&app)));
    let refused = post(&app, "/cases/new", &tm, &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary(&refused), ["Select a case manager from the list"]);
    assert_eq!(
        refused
            .attr(".govuk-error-summary__list a", "href")
            .as_deref(),
        Some("#case_manager")
    );

    form.retain(|(n, _)| n != "case_manager");
    form.push(("case_manager".into(), cm.clone()));
    let opened = post(&app, "/cases/new", &tm, &form).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let case = stored(&app, "EHC-TM-1").await;
    assert_eq!(case.record.case_manager.map(|id| id.to_string()), Some(cm));
    assert_eq!(case.record.team.as_deref(), Some("north"));
    assert_eq!(
        case.child.date_of_birth,
        Some("2016-03-02".parse().unwrap()),
        "month names are understood"
    );
    assert_eq!(app.audit("case.open").await.len(), 1);
}

#[tokio::test]
async fn roles_that_may_not_change_a_case_are_refused_and_nothing_is_saved() {
    let app = TestApp::new().await;
    app.seed_case(REF).await;
    let auditor = app.session(Role::QaAuditor).await;
    let parent = app.session(Role::Parent).await;
    let analyst = app.session(Role::Analyst).await;

    let forbidden = decide(&app, &auditor, "1").await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(
        forbidden.texts("h1"),
        ["You do not have permission to see this page"]
    );
    assert_eq!(
        decide(&app, &parent, "1").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(stored(&app, REF).await.history.len(), 1);
    assert_eq!(
        app.get("/cases/new", Some(&analyst)).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        !app.audit("denied").await.is_empty(),
        "refusals are audited by the services"
    );
}
