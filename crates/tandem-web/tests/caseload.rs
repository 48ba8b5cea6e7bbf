//! The case manager's read pages and the manager's view: the caseload with its counts, filters,
//! sorting and pages; a case with its deadlines, warnings, history and reassignment; the team's
//! caseloads; the backlog.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use chrono::Days;
use support::TestApp;
use tandem_core::signposts::Signposts;
use tandem_core::{Date, Role};
use tandem_web::WebConfig;

fn days_ago(app: &TestApp, n: u64) -> Date {
    app.today() - Days::new(n)
}

/// Three cases of the case manager, one overdue, one due within two weeks, one on track, and a
/// fourth held by the team manager, outside the case manager's caseload.
async fn seeded() -> TestApp {
    let app = TestApp::new().await;
    // Decision to assess due 6 weeks (42 days) after the request.
    app.open_case(
        "EHC-A",
        ("Ada", "Zed"),
        days_ago(&app, 50),
        Some(Role::CaseManager),
    )
    .await;
    app.open_case(
        "EHC-B",
        ("Bea", "Young"),
        days_ago(&app, 35),
        Some(Role::CaseManager),
    )
    .await;
    app.open_case(
        "EHC-C",
        ("Cal", "Xu"),
        days_ago(&app, 10),
        Some(Role::CaseManager),
    )
    .await;
    app.open_case(
        "EHC-D",
        ("Dee", "Walsh"),
        days_ago(&app, 20),
        Some(Role::TeamManager),
    )
    .await;
    app
}

/// The `n`th column's cells, counting from the reference (after the selection checkboxes a
/// manager's list starts with).
fn column(page: &support::TestResponse, n: usize) -> Vec<String> {
    let n = if page.body.contains(r#"name="case""#) {
        n + 1
    } else {
        n
    };
    page.texts(&format!("table tbody tr td:nth-child({n})"))
}

#[tokio::test]
async fn a_case_manager_sees_their_caseload_with_counts_and_status_tags() {
    let app = seeded().await;
    let session = app.session(Role::CaseManager).await;
    let page = app.get("/cases", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["My caseload"]);
    assert_eq!(
        page.texts("#caseload-counts"),
        ["1 overdue 0 due this week 1 due this fortnight 0 at risk of missing 20 weeks"]
    );
    // Soonest due first; the team manager's case is not in this caseload.
    assert_eq!(column(&page, 1), ["EHC-A", "EHC-B", "EHC-C"]);
    assert_eq!(column(&page, 2), ["Ada Zed", "Bea Young", "Cal Xu"]);
    assert_eq!(
        column(&page, 4),
        [
            "Decision whether to assess",
            "Decision whether to assess",
            "Decision whether to assess"
        ]
    );
    assert_eq!(
        column(&page, 6),
        ["8 days overdue", "7 days left", "32 days left"]
    );
    assert_eq!(
        page.texts("table tbody .govuk-tag"),
        ["Overdue", "Due within 2 weeks", "On track"]
    );
    assert_eq!(column(&page, 8), ["Demo Case manager"; 3]);
    assert_eq!(page.texts("table caption"), ["3 cases"]);
    // Every table header cell is scoped, and the list is audited by reference.
    assert!(page.body.contains(r#"<th scope="col""#));
    let audit = app.audit("case.list").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        audit[0].detail["shown"],
        serde_json::json!(["EHC-A", "EHC-B", "EHC-C"])
    );
}

#[tokio::test]
async fn managers_see_every_case_and_filter_by_case_manager() {
    let app = seeded().await;
    let session = app.session(Role::TeamManager).await;
    let page = app.get("/cases", Some(&session)).await;
    assert_eq!(page.texts("h1"), ["Cases"]);
    assert_eq!(column(&page, 1), ["EHC-A", "EHC-B", "EHC-D", "EHC-C"]);
    let manager = app.users[&Role::TeamManager];
    let page = app
        .get(&format!("/cases?manager={manager}"), Some(&session))
        .await;
    assert_eq!(column(&page, 1), ["EHC-D"]);
    assert_eq!(
        page.texts("#caseload-counts"),
        ["0 overdue 0 due this week 0 due this fortnight 0 at risk of missing 20 weeks"]
    );
    // The filter form keeps the choice.
    assert_eq!(
        page.attr("#manager option[selected]", "value"),
        Some(manager.to_string())
    );
}

#[tokio::test]
async fn the_caseload_filters_by_status_and_stage_keeping_the_counts() {
    let app = seeded().await;
    let decided = days_ago(&app, 1).to_string();
    app.record(
        "EHC-C",
        &[
            ("type", "decision_to_assess"),
            ("date", &decided),
            ("outcome", "assess"),
        ],
    )
    .await;
    let session = app.session(Role::CaseManager).await;
    let overdue = app.get("/cases?status=overdue", Some(&session)).await;
    assert_eq!(column(&overdue, 1), ["EHC-A"]);
    // The counts describe the caseload, not the filtered list.
    assert_eq!(
        overdue.texts("#caseload-counts"),
        ["1 overdue 0 due this week 1 due this fortnight 0 at risk of missing 20 weeks"]
    );
    let soon = app.get("/cases?status=due_soon", Some(&session)).await;
    assert_eq!(column(&soon, 1), ["EHC-B"]);
    let on_track = app.get("/cases?status=on_track", Some(&session)).await;
    assert_eq!(column(&on_track, 1), ["EHC-C"]);
    let assessing = app.get("/cases?stage=assessing", Some(&session)).await;
    assert_eq!(column(&assessing, 1), ["EHC-C"]);
    assert_eq!(column(&assessing, 3), ["Assessment under way"]);
    let nothing = app.get("/cases?stage=ceased", Some(&session)).await;
    assert_eq!(
        nothing.texts("main p.govuk-body"),
        ["No cases match these filters."]
    );
    // Nonsense values are ignored rather than refused.
    let odd = app
        .get("/cases?status=purple&sort=colour&page=x", Some(&session))
        .await;
    assert_eq!(column(&odd, 1), ["EHC-A", "EHC-B", "EHC-C"]);
}

#[tokio::test]
async fn the_caseload_sorts_by_reference_name_stage_and_due_date() {
    let app = seeded().await;
    let session = app.session(Role::HeadOfService).await;
    let by = |sort: &'static str| {
        let app = &app;
        let session = &session;
        async move {
            column(
                &app.get(&format!("/cases?sort={sort}"), Some(session)).await,
                1,
            )
        }
    };
    assert_eq!(by("reference").await, ["EHC-A", "EHC-B", "EHC-C", "EHC-D"]);
    // Family names: Walsh, Xu, Young, Zed.
    assert_eq!(by("name").await, ["EHC-D", "EHC-C", "EHC-B", "EHC-A"]);
    assert_eq!(by("due").await, ["EHC-A", "EHC-B", "EHC-D", "EHC-C"]);
    let page = app
        .get("/cases?sort=name&status=overdue", Some(&session))
        .await;
    // Sort links keep the filters, and the sorted column says so.
    assert_eq!(
        page.attr("th[aria-sort] a", "href").as_deref(),
        Some("/cases?status=overdue&sort=name")
    );
    assert_eq!(
        page.attr(r#"input[name="sort"]"#, "value").as_deref(),
        Some("name")
    );
}

#[tokio::test]
async fn long_caseloads_are_paginated() {
    let app = TestApp::new().await;
    for n in 0..52u64 {
        app.open_case(
            &format!("EHC-P{n:03}"),
            ("Pat", &format!("Number{n:03}")),
            days_ago(&app, 60 - n),
            Some(Role::CaseManager),
        )
        .await;
    }
    let session = app.session(Role::CaseManager).await;
    let first = app.get("/cases", Some(&session)).await;
    assert_eq!(column(&first, 1).len(), 50);
    assert_eq!(first.texts("table caption"), ["52 cases"]);
    assert_eq!(
        first.attr(".govuk-pagination__next a", "href").as_deref(),
        Some("/cases?page=2")
    );
    let second = app.get("/cases?page=2", Some(&session)).await;
    assert_eq!(column(&second, 1), ["EHC-P050", "EHC-P051"]);
    assert_eq!(
        second.attr(".govuk-pagination__prev a", "href").as_deref(),
        Some("/cases?page=1")
    );
}

#[tokio::test]
async fn people_without_a_case_list_are_refused() {
    let app = seeded().await;
    for role in [Role::Analyst, Role::Admin] {
        let session = app.session(role).await;
        assert_eq!(
            app.get("/cases", Some(&session)).await.status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
}

#[tokio::test]
async fn a_case_shows_its_deadlines_history_and_links_and_is_audited() {
    let app = seeded().await;
    let requested = days_ago(&app, 50);
    let decided = days_ago(&app, 40).to_string();
    app.record(
        "EHC-A",
        &[
            ("type", "decision_to_assess"),
            ("date", &decided),
            ("outcome", "assess"),
        ],
    )
    .await;
    let session = app.session(Role::CaseManager).await;
    let page = app.get("/cases/EHC-A", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["Ada Zed"]);
    let details = page.texts(".govuk-summary-list__value");
    assert!(details.contains(&"EHC-A".to_owned()), "{details:?}");
    assert!(details.contains(&"Assessment under way".to_owned()));
    assert!(details.contains(&"Demo Case manager".to_owned()));
    let steps = page.texts("table tbody th");
    assert!(
        steps.starts_with(&["Decision whether to assess".to_owned()]),
        "{steps:?}"
    );
    assert!(steps.contains(&"Final plan".to_owned()));
    let why = page.texts("table tbody td:nth-child(5)").join("\n");
    assert!(why.contains("SEND Regulations 2014, reg 5(1)"), "{why}");
    assert!(why.contains(&format!(
        "Final plan due 20 weeks after the request received on {}.",
        tandem_core::dates::long(requested)
    )));
    // The case manager may record: the next step, exceptions, and corrections per event.
    assert!(
        page.attr(r#"a[href="/cases/EHC-A/events/new"]"#, "href")
            .is_some()
    );
    assert!(
        page.attr(r#"a[href="/cases/EHC-A/exceptions/new"]"#, "href")
            .is_some()
    );
    let history = app
        .store()
        .case(&tandem_core::Reference::parse("EHC-A").unwrap())
        .await
        .unwrap()
        .unwrap();
    let decision = history.history[1].id;
    assert!(
        page.attr(
            &format!(r#"a[href="/cases/EHC-A/events/{decision}/correct"]"#),
            "href"
        )
        .is_some()
    );
    assert!(
        page.attr(
            &format!(r#"a[href="/cases/EHC-A/events/{decision}/withdraw"]"#),
            "href"
        )
        .is_some()
    );
    // Case managers do not reassign.
    assert!(
        page.attr(r#"form[action="/cases/EHC-A/assign"]"#, "action")
            .is_none()
    );
    // Reading the record is audited against the case.
    let audit = app.audit("case.view").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].case_reference.as_deref(), Some("EHC-A"));
    assert_eq!(audit[0].actor, Some(app.users[&Role::CaseManager]));
}

#[tokio::test]
async fn readers_who_may_not_change_a_case_get_no_links_and_outsiders_get_not_found() {
    let app = seeded().await;
    let auditor = app.session(Role::QaAuditor).await;
    let page = app.get("/cases/EHC-A", Some(&auditor)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.attr(r#"a[href="/cases/EHC-A/events/new"]"#, "href")
            .is_none()
    );
    assert!(
        page.attr(r#"form[action="/cases/EHC-A/assign"]"#, "action")
            .is_none()
    );
    // A case manager outside the case's team, and a parent not linked to it, are told it
    // does not exist.
    let parent = app.session(Role::Parent).await;
    assert_eq!(
        app.get("/cases/EHC-A", Some(&parent)).await.status,
        StatusCode::NOT_FOUND
    );
    let case_manager = app.session(Role::CaseManager).await;
    assert_eq!(
        app.get("/cases/EHC-D", Some(&case_manager)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/cases/NO-SUCH", Some(&auditor)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn corrections_and_withdrawals_are_shown_with_reason_and_who() {
    let app = seeded().await;
    let wrong = days_ago(&app, 45).to_string();
    app.record(
        "EHC-A",
        &[
            ("type", "decision_to_assess"),
            ("date", &wrong),
            ("outcome", "assess"),
        ],
    )
    .await;
    let reference = tandem_core::Reference::parse("EHC-A").unwrap();
    let case = app.store().case(&reference).await.unwrap().unwrap();
    let decision = case.history[1].id;
    let right = days_ago(&app, 44);
    let right_text = right.to_string();
    let fields = [
        ("type", "decision_to_assess"),
        ("date", right_text.as_str()),
        ("outcome", "assess"),
    ];
    let corrected = tandem_core::Event::from_fields(&fields[..]).unwrap();
    app.state
        .services()
        .correct_event(
            &app.caller(Role::TeamManager),
            &reference,
            case.record.version,
            decision,
            &corrected,
            "Letter was dated the day after",
        )
        .await
        .unwrap();
    let session = app.session(Role::TeamManager).await;
    let page = app.get("/cases/EHC-A", Some(&session)).await;
    let changes = page.texts("table:last-of-type tbody tr td");
    let joined = changes.join(" | ");
    assert!(joined.contains("Corrected"), "{joined}");
    assert!(
        joined.contains("Letter was dated the day after"),
        "{joined}"
    );
    assert!(joined.contains("Demo Team manager"), "{joined}");
    assert!(
        joined.contains(&tandem_core::dates::long(right)),
        "{joined}"
    );
}

#[tokio::test]
async fn a_final_plan_without_health_advice_is_warned_about() {
    let app = seeded().await;
    let at = |n| days_ago(&app, n).to_string();
    for (kind, date) in [
        ("decision_to_assess", at(45)),
        ("draft_plan_issued", at(30)),
        ("final_plan_issued", at(10)),
    ] {
        let mut fields = vec![("type", kind), ("date", date.as_str())];
        if kind == "decision_to_assess" {
            fields.push(("outcome", "assess"));
        }
        app.record("EHC-A", &fields).await;
    }
    let session = app.session(Role::TeamManager).await;
    let page = app.get("/cases/EHC-A", Some(&session)).await;
    let warnings = page.texts(".govuk-warning-text__text").join("\n");
    assert!(
        warnings.contains("without health advice having been asked for (reg 6(1))"),
        "{warnings}"
    );
}

#[tokio::test]
async fn managers_reassign_a_case_and_a_stale_form_is_shown_again() {
    let app = seeded().await;
    let session = app.session(Role::TeamManager).await;
    let page = app.get("/cases/EHC-A", Some(&session)).await;
    let version = page
        .attr(r#"input[name="version"]"#, "value")
        .expect("version field");
    let options = page.texts("#case_manager option");
    assert!(
        options.contains(&"Demo Team manager (Team manager)".to_owned()),
        "{options:?}"
    );
    let to = app.users[&Role::TeamManager].to_string();
    let done = app
        .post_form(
            "/cases/EHC-A/assign",
            Some(&session),
            &[("case_manager", &to), ("version", &version)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), Some("/cases/EHC-A?done=assigned"));
    let after = app.get("/cases/EHC-A?done=assigned", Some(&session)).await;
    assert_eq!(
        after.texts(".govuk-notification-banner__heading"),
        ["Case manager changed"]
    );
    assert!(
        after
            .texts(".govuk-summary-list__value")
            .contains(&"Demo Team manager".to_owned())
    );
    assert_eq!(app.audit("case.assign").await.len(), 1);

    // The same form again is out of date: shown again with a clear message, nothing changed.
    let stale = app
        .post_form(
            "/cases/EHC-A/assign",
            Some(&session),
            &[("case_manager", ""), ("version", &version)],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.texts(".govuk-error-summary a")[0].starts_with("Someone else changed this case"));
    assert!(stale.texts("title")[0].starts_with("Error: "));
    assert_eq!(app.audit("case.assign").await.len(), 1);

    // Someone who is not a case manager cannot be chosen.
    let fresh = app
        .get("/cases/EHC-A", Some(&session))
        .await
        .attr(r#"input[name="version"]"#, "value")
        .unwrap();
    let analyst = app.users[&Role::Analyst].to_string();
    let refused = app
        .post_form(
            "/cases/EHC-A/assign",
            Some(&session),
            &[("case_manager", &analyst), ("version", &fresh)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts("#case_manager-error"),
        ["Error: Choose a case manager who has an active account"]
    );

    // A case manager may not reassign.
    let case_manager = app.session(Role::CaseManager).await;
    let forbidden = app
        .post_form(
            "/cases/EHC-B/assign",
            Some(&case_manager),
            &[("case_manager", ""), ("version", "1")],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_team_page_shows_each_caseload_side_by_side() {
    let app = seeded().await;
    let session = app.session(Role::TeamManager).await;
    let page = app.get("/team", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["Team caseloads"]);
    let rows = page.texts("table tbody tr");
    assert_eq!(
        rows,
        [
            "Demo Case manager’s caseload north 3 1 1 0",
            "Demo Team manager’s caseload 1 0 0 0"
        ]
    );
    let manager = app.users[&Role::CaseManager];
    assert_eq!(
        page.attr("table tbody th a", "href"),
        Some(format!("/cases?manager={manager}"))
    );
    assert_eq!(app.audit("team.view").await.len(), 1);
    for role in [Role::CaseManager, Role::QaAuditor, Role::Analyst] {
        let session = app.session(role).await;
        assert_eq!(
            app.get("/team", Some(&session)).await.status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
}

#[tokio::test]
async fn the_backlog_lists_requests_past_twenty_weeks_oldest_first() {
    let app = seeded().await;
    app.open_case(
        "EHC-OLD",
        ("Old", "Est"),
        days_ago(&app, 200),
        Some(Role::CaseManager),
    )
    .await;
    app.open_case(
        "EHC-LATE",
        ("Late", "R"),
        days_ago(&app, 141),
        Some(Role::TeamManager),
    )
    .await;
    // Exactly 20 weeks ago: the final plan is due today, not late yet.
    app.open_case(
        "EHC-EDGE",
        ("Edge", "Case"),
        days_ago(&app, 140),
        Some(Role::TeamManager),
    )
    .await;
    // A plan was issued: not in the backlog however old.
    app.open_case(
        "EHC-DONE",
        ("Done", "Plan"),
        days_ago(&app, 300),
        Some(Role::TeamManager),
    )
    .await;
    let issued = days_ago(&app, 100).to_string();
    app.record(
        "EHC-DONE",
        &[("type", "final_plan_issued"), ("date", &issued)],
    )
    .await;

    let session = app.session(Role::HeadOfService).await;
    let page = app.get("/backlog", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(column(&page, 1), ["EHC-OLD", "EHC-LATE"]);
    assert_eq!(column(&page, 6), ["28", "20"]);
    assert_eq!(page.texts("table caption"), ["2 requests past 20 weeks"]);
    assert_eq!(app.audit("case.backlog").await.len(), 1);

    // A case manager's backlog is their caseload's.
    let case_manager = app.session(Role::CaseManager).await;
    let theirs = app.get("/backlog", Some(&case_manager)).await;
    assert_eq!(column(&theirs, 1), ["EHC-OLD"]);
}

#[tokio::test]
async fn navigation_offers_each_role_the_pages_it_may_use() {
    let app = TestApp::new().await;
    let nav = |role| {
        let app = &app;
        async move {
            let session = app.session(role).await;
            let page = app.get("/cases", Some(&session)).await;
            page.texts(".govuk-service-navigation__link")
        }
    };
    assert_eq!(
        nav(Role::TeamManager).await,
        [
            "Cases",
            "Team",
            "Backlog",
            "Messages",
            "Dashboard",
            "Data quality",
            "Improvement plan",
            "Surveys",
            "Audits",
            "Panels",
            "Workforce"
        ]
    );
    assert_eq!(
        nav(Role::HealthProfessional).await,
        ["Advice requests", "Cases"]
    );
    assert_eq!(
        nav(Role::CaseManager).await,
        ["Cases", "Backlog", "Panels", "Workforce"]
    );
    assert_eq!(
        nav(Role::QaAuditor).await,
        [
            "Cases",
            "Backlog",
            "Dashboard",
            "Data quality",
            "Improvement plan",
            "Surveys",
            "Audits",
            "Panels",
            "Workforce"
        ]
    );
}

#[tokio::test]
async fn a_page_number_past_the_end_shows_an_empty_page_not_an_error() {
    let app = seeded().await;
    let manager = app.session(Role::TeamManager).await;
    for path in [
        "/cases?page=9223372036854775807",
        "/backlog?page=9223372036854775807",
    ] {
        let page = app.get(path, Some(&manager)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    }
    // The API says which numbers it takes.
    let api = app
        .get("/api/v1/cases?page=9223372036854775807", Some(&manager))
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert!(api.body.contains("\"field\":\"page\""), "{}", api.body);
}

#[tokio::test]
async fn people_linked_to_cases_see_only_theirs_without_the_staff_filters() {
    let app = seeded().await;
    for (role, heading) in [
        (Role::Parent, "Your child’s cases"),
        (Role::HealthProfessional, "Cases you are asked to advise on"),
    ] {
        let session = app.session(role).await;
        let page = app.get("/cases", Some(&session)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.texts("h1"), [heading]);
        // None of the seeded cases is linked to them, and the staff's filters are not offered.
        assert!(page.texts("tbody tr").is_empty(), "{role}");
        assert!(page.texts("form.tandem-filters").is_empty(), "{role}");
        assert!(
            page.texts("main p")
                .iter()
                .any(|p| p.starts_with("No cases are linked to your account")),
            "{role}"
        );
    }
}

#[tokio::test]
async fn families_are_signposted_to_the_local_offer_and_staff_are_not() {
    let signposts = Signposts::from_toml(include_str!("../../../examples/signposts.toml"))
        .expect("the example signposts");
    let app = TestApp::with_config(WebConfig {
        signposts: signposts.clone(),
        ..support::config()
    })
    .await;
    let parent = app.session(Role::Parent).await;
    let page = app.get("/cases", Some(&parent)).await;
    assert!(
        page.texts("main h2")
            .contains(&"Help and support".to_owned())
    );
    let titles = page.texts(".tandem-signposts a");
    let expected: Vec<String> = signposts.0.iter().map(|s| s.title.clone()).collect();
    assert_eq!(titles, expected);
    assert_eq!(
        page.attr(".tandem-signposts a", "href"),
        Some(signposts.0[0].href.clone())
    );
    let staff = app.session(Role::CaseManager).await;
    let page = app.get("/cases", Some(&staff)).await;
    assert!(page.texts(".tandem-signposts").is_empty());
}
