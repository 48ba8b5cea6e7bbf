//! The EHC plan in the web application: a section written and checked on save, a finding
//! fixed, "add another" without JavaScript, a stale save kept on the page (409), the draft
//! issued and recorded, the final plan signed off by the head of service only, versions
//! compared and printed, and the family reading only what was issued.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{Session, TestApp, TestResponse};
use tandem_core::{EventType, Role};
use tandem_test_support::tandem_store::CaseRelation;

const PLAN: &str = "/cases/EHC-1/plan";

/// A case of the case manager's, with the family linked to it.
async fn case(app: &TestApp) {
    let record = app
        .add_case(
            json!({
                "reference": "EHC-1",
                "child": { "given_name": "Robin", "family_name": "Testcase", "date_of_birth": "2016-04-09" },
                "events": [{ "type": "request_received", "date": "2026-01-05" }],
            }),
            Some(Role::CaseManager),
        )
        .await;
    let mut tx = app.store().begin().await.expect("begin");
    tx.link_person(record.id, app.users[&Role::Parent], CaseRelation::Family)
        .await
        .expect("link");
    tx.commit().await.expect("commit");
}

/// The case, its plan's section A written and a draft issued by the case manager, whose
/// session is returned.
async fn with_a_draft_issued(app: &TestApp) -> Session {
    case(app).await;
    let manager = app.sign_in(Role::CaseManager).await;
    save(app, &manager, "A", "0", &[("text", "Robin likes drawing.")]).await;
    let issued = app
        .post_form(
            &format!("{PLAN}/issue-draft"),
            Some(&manager),
            &[("revision", "1")],
        )
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.body);
    manager
}

fn revision_on(page: &TestResponse) -> String {
    page.attr("input[name=revision]", "value")
        .expect("revision field")
}

async fn save(
    app: &TestApp,
    session: &Session,
    section: &str,
    revision: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    let mut all = vec![("revision", revision), ("action", "save")];
    all.extend_from_slice(fields);
    app.post_form(&format!("{PLAN}/{section}"), Some(session), &all)
        .await
}

#[tokio::test]
async fn a_case_manager_writes_a_section_sees_a_finding_fixes_it_and_issues_the_draft() {
    let app = TestApp::new().await;
    case(&app).await;
    let manager = app.sign_in(Role::CaseManager).await;

    let overview = app.get(PLAN, Some(&manager)).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert_eq!(overview.texts("h1"), ["EHC plan for Robin Testcase"]);
    assert_eq!(overview.texts(".govuk-summary-list__key").len(), 12);
    assert!(overview.body.contains("Not saved yet"));
    let case_page = app.get("/cases/EHC-1", Some(&manager)).await;
    assert!(case_page.body.contains("href=\"/cases/EHC-1/plan\""));

    // B with one need, added through "add another" (a plain submit button).
    let form = app.get(&format!("{PLAN}/B"), Some(&manager)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(revision_on(&form), "0");
    let added = app
        .post_form(
            &format!("{PLAN}/B"),
            Some(&manager),
            &[("revision", "0"), ("action", "add")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let form = app.get(&format!("{PLAN}/B"), Some(&manager)).await;
    assert_eq!(revision_on(&form), "1");
    assert_eq!(
        form.attr("input[name=item-1-id]", "value").as_deref(),
        Some("n1")
    );
    let saved = save(
        &app,
        &manager,
        "B",
        "1",
        &[
            ("item-1-id", "n1"),
            (
                "item-1-text",
                "Robin finds it hard to follow spoken instructions.",
            ),
        ],
    )
    .await;
    assert_eq!(saved.location(), Some("/cases/EHC-1/plan?done=saved"));

    // F with vague provision for that need: the checks say so on the section's page.
    let form = app.get(&format!("{PLAN}/F"), Some(&manager)).await;
    let revision = revision_on(&form);
    app.post_form(
        &format!("{PLAN}/F"),
        Some(&manager),
        &[("revision", revision.as_str()), ("action", "add")],
    )
    .await;
    let form = app.get(&format!("{PLAN}/F"), Some(&manager)).await;
    assert!(
        form.body.contains("item-1-need-n1"),
        "the need is offered as a link"
    );
    let vague = [
        ("item-1-id", "p1"),
        (
            "item-1-text",
            "Access to speech and language therapy as appropriate",
        ),
        ("item-1-need-n1", "yes"),
    ];
    let saved = save(&app, &manager, "F", &revision_on(&form), &vague).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let form = app.get(&format!("{PLAN}/F"), Some(&manager)).await;
    let findings = form.texts(".tandem-findings strong");
    assert!(findings.iter().any(|f| f.starts_with("P2")), "{findings:?}");
    assert!(form.body.contains("as appropriate"));
    assert_eq!(
        form.attr("input[name=item-1-need-n1]", "checked")
            .as_deref(),
        Some(""),
        "the link is kept"
    );

    // Fixed: specific provision, and the finding is gone.
    let specific = [
        ("item-1-id", "p1"),
        (
            "item-1-text",
            "Speech and language therapy targeting attention and listening",
        ),
        ("item-1-who", "A speech and language therapist"),
        ("item-1-frequency", "Weekly"),
        ("item-1-duration", "30 minutes"),
        ("item-1-group", "1:1"),
        ("item-1-until", "The annual review"),
        ("item-1-need-n1", "yes"),
    ];
    save(&app, &manager, "F", &revision_on(&form), &specific).await;
    let form = app.get(&format!("{PLAN}/F"), Some(&manager)).await;
    let findings = form.texts(".tandem-findings strong");
    assert!(
        !findings.iter().any(|f| f.starts_with("P2")),
        "{findings:?}"
    );
    assert!(
        !findings.iter().any(|f| f.starts_with("P1")),
        "{findings:?}"
    );

    // Issued as a draft: a version, and the event on the case.
    let overview = app.get(PLAN, Some(&manager)).await;
    assert!(overview.texts("#plan-grade").len() == 1);
    let issued = app
        .post_form(
            &format!("{PLAN}/issue-draft"),
            Some(&manager),
            &[("revision", revision_on(&overview).as_str())],
        )
        .await;
    assert_eq!(issued.location(), Some("/cases/EHC-1/plan?done=draft"));
    let stored = app.stored_case("EHC-1").await;
    let last = stored.history.last().expect("an event");
    assert_eq!(
        last.event.as_ref().map(|e| e.detail.event_type()),
        Some(EventType::DraftPlanIssued)
    );
    assert_eq!(last.recorded_by, Some(app.users[&Role::CaseManager]));
    let overview = app.get(PLAN, Some(&manager)).await;
    assert!(overview.body.contains("Draft plan 1"));
    assert!(
        overview
            .body
            .contains("The family can comment on the draft plan until")
    );
    // A case manager is not offered the final plan, and may not reach it.
    assert!(!overview.body.contains("Issue final plan"));
    let refused = app
        .get(&format!("{PLAN}/issue-final"), Some(&manager))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The print view: every section in order, the child's name in the running head.
    let print = app.get(&format!("{PLAN}/versions/1"), Some(&manager)).await;
    assert_eq!(print.status, StatusCode::OK);
    let headings = print.texts("h2.govuk-heading-m");
    assert_eq!(headings.len(), 12);
    assert_eq!(headings[0], "Section A (views, interests and aspirations)");
    assert_eq!(headings[11], "Section K (advice and information)");
    assert_eq!(
        print.texts(".tandem-running-head"),
        ["EHC plan for Robin Testcase, case EHC-1"]
    );
    assert!(print.body.contains("A speech and language therapist"));

    // The family reads the draft as issued, never the working copy.
    save(
        &app,
        &manager,
        "A",
        &revision_on(&app.get(PLAN, Some(&manager)).await),
        &[("text", "Working words")],
    )
    .await;
    let parent = app.sign_in(Role::Parent).await;
    let family = app.get("/cases/EHC-1", Some(&parent)).await;
    assert!(family.body.contains("href=\"/cases/EHC-1/plan/issued\""));
    let read = app.get(&format!("{PLAN}/issued"), Some(&parent)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.texts("h1"), ["Draft plan for Robin Testcase"]);
    assert!(read.body.contains("A speech and language therapist"));
    assert!(!read.body.contains("Working words"));
    assert_eq!(
        app.get(PLAN, Some(&parent)).await.status,
        StatusCode::FORBIDDEN
    );

    // Compared: the draft with the plan as saved now, the change marked.
    let compared = app
        .get(&format!("{PLAN}/compare?from=1&to=working"), Some(&manager))
        .await;
    assert_eq!(compared.status, StatusCode::OK);
    assert_eq!(compared.texts("ins"), ["Added: Working words"]);
    assert!(
        compared
            .texts("caption")
            .iter()
            .any(|c| c.contains("(no changes)"))
    );
}

#[tokio::test]
async fn a_stale_save_comes_back_with_what_was_typed() {
    let app = TestApp::new().await;
    case(&app).await;
    let manager = app.sign_in(Role::CaseManager).await;
    let head = app.sign_in(Role::HeadOfService).await;
    save(
        &app,
        &manager,
        "A",
        "0",
        &[("text", "Robin likes drawing.")],
    )
    .await;
    // Both open section A at revision 1; the head of service saves first.
    save(
        &app,
        &head,
        "A",
        "1",
        &[("text", "Robin likes drawing and football.")],
    )
    .await;
    let stale = save(
        &app,
        &manager,
        "A",
        "1",
        &[("text", "Robin likes drawing and music.")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("Robin likes drawing and music."),
        "the typing is kept"
    );
    assert!(stale.body.contains("Someone else saved the plan"));
    assert_eq!(revision_on(&stale), "2");
    let plan = app.get(&format!("{PLAN}/A"), Some(&manager)).await;
    assert!(plan.body.contains("Robin likes drawing and football."));
    // Saving again from the page that came back is a deliberate replacement.
    let again = save(
        &app,
        &manager,
        "A",
        "2",
        &[("text", "Robin likes drawing and music.")],
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_head_of_service_signs_off_the_final_plan_acknowledging_what_blocks_it() {
    let app = TestApp::new().await;
    with_a_draft_issued(&app).await;

    let head = app.sign_in(Role::HeadOfService).await;
    let overview = app.get(PLAN, Some(&head)).await;
    assert!(overview.body.contains("Issue final plan"));
    let form = app.get(&format!("{PLAN}/issue-final"), Some(&head)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("The family can comment on the draft plan until")
    );
    let names: Vec<String> = {
        let doc = scraper::Html::parse_document(&form.body);
        let selector = scraper::Selector::parse("textarea").expect("selector");
        doc.select(&selector)
            .filter_map(|t| t.value().attr("name").map(str::to_owned))
            .collect()
    };
    assert!(
        names.iter().any(|n| n.starts_with("acknowledge-")),
        "{names:?}"
    );
    assert!(names.contains(&"early_reason".to_owned()));

    // Without the reasons: refused, each named.
    let refused = app
        .post_form(
            &format!("{PLAN}/issue-final"),
            Some(&head),
            &[("revision", "2")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("say why the final plan is issued before then")
    );
    assert_eq!(
        app.stored_case("EHC-1").await.history.len(),
        2,
        "nothing recorded"
    );

    let mut fields: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.clone(), "Agreed at the moderation panel".to_owned()))
        .collect();
    fields.push(("revision".into(), "2".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let issued = app
        .post_form(&format!("{PLAN}/issue-final"), Some(&head), &borrowed)
        .await;
    assert_eq!(issued.location(), Some("/cases/EHC-1/plan?done=final"));
    let stored = app.stored_case("EHC-1").await;
    assert_eq!(
        stored
            .history
            .last()
            .and_then(|r| r.event.as_ref())
            .map(|e| e.detail.event_type()),
        Some(EventType::FinalPlanIssued)
    );
    let parent = app.sign_in(Role::Parent).await;
    let read = app.get(&format!("{PLAN}/issued"), Some(&parent)).await;
    assert_eq!(read.texts("h1"), ["Final plan for Robin Testcase"]);
}

#[tokio::test]
async fn the_advice_received_is_pulled_into_the_plan_with_its_source() {
    let app = TestApp::new().await;
    let asked = (app.today() - chrono::Duration::days(10)).to_string();
    let decided = (app.today() - chrono::Duration::days(11)).to_string();
    app.add_case(
        json!({
            "reference": "EHC-1",
            "child": { "given_name": "Robin", "family_name": "Testcase", "date_of_birth": "2016-04-09" },
            "events": [
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": decided, "outcome": "assess" },
                { "type": "advice_requested", "date": asked, "advice": "health", "provider": "Community Paediatrics" },
            ],
        }),
        Some(Role::CaseManager),
    )
    .await;
    let nurse = app.sign_in(Role::HealthProfessional).await;
    let submitted = app
        .post_form(
            "/advice/EHC-1/health",
            Some(&nurse),
            &[
                ("version", "0"),
                ("action", "submit"),
                ("needs", "Epilepsy, with seizures most weeks"),
                (
                    "outcomes",
                    "By July 2027, Robin tells an adult when an aura starts",
                ),
                (
                    "provision-1-what",
                    "Seizure care training for the staff who teach Robin",
                ),
                ("provision-1-who", "The epilepsy specialist nurse"),
                ("provision-1-how_often", "Once a term"),
                ("provision-1-how_long", "One hour"),
                ("consulted", "Robin and his parents"),
            ],
        )
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );

    let manager = app.sign_in(Role::CaseManager).await;
    let overview = app.get(PLAN, Some(&manager)).await;
    assert!(overview.body.contains("Add the advice received (1)"));
    let pulled = app
        .post_form(
            &format!("{PLAN}/advice"),
            Some(&manager),
            &[("revision", "0")],
        )
        .await;
    assert_eq!(pulled.location(), Some("/cases/EHC-1/plan?done=advice"));
    let overview = app.get(PLAN, Some(&manager)).await;
    assert!(
        !overview.body.contains("Add the advice received"),
        "pulled in once"
    );

    // The need in C, the provision in G linked to it, the advice in K: each names its source.
    let c = app.get(&format!("{PLAN}/C"), Some(&manager)).await;
    assert!(c.body.contains("Epilepsy, with seizures most weeks"));
    assert_eq!(
        c.attr("input[name=item-1-id]", "value").as_deref(),
        Some("advice-health-need")
    );
    let g = app.get(&format!("{PLAN}/G"), Some(&manager)).await;
    assert_eq!(
        g.attr("input[name=item-1-who]", "value").as_deref(),
        Some("The epilepsy specialist nurse")
    );
    assert_eq!(
        g.attr("input[name=item-1-need-advice-health-need]", "checked")
            .as_deref(),
        Some("")
    );
    let k = app.get(&format!("{PLAN}/K"), Some(&manager)).await;
    assert_eq!(
        k.attr("input[name=item-1-from]", "value").as_deref(),
        Some("Community Paediatrics")
    );
}

#[tokio::test]
async fn the_api_cannot_issue_the_final_plan_without_the_sign_off() {
    let app = TestApp::new().await;
    let manager = with_a_draft_issued(&app).await;
    let path = "/api/v1/cases/EHC-1/plan/final";
    let method = axum::http::Method::POST;

    // The case manager may read the plan but not sign it off, whatever they send.
    let read = app
        .api(
            axum::http::Method::GET,
            "/api/v1/cases/EHC-1/plan",
            Some(&manager),
            None,
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.header("etag"), Some("\"2\""));
    let keys: Vec<String> = read.json()["to_acknowledge"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k.as_str().expect("a key").to_owned())
        .collect();
    assert!(!keys.is_empty());
    let refused = app
        .api(
            method.clone(),
            path,
            Some(&manager),
            Some(&json!({})),
            Some("\"2\""),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The head of service is told each thing missing, and nothing is recorded.
    let head = app.sign_in(Role::HeadOfService).await;
    let refused = app
        .api(
            method.clone(),
            path,
            Some(&head),
            Some(&json!({})),
            Some("\"2\""),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let fields: Vec<String> = refused.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("a field").to_owned())
        .collect();
    assert!(fields.contains(&"early_reason".to_owned()), "{fields:?}");
    for key in &keys {
        assert!(
            fields.contains(&format!("acknowledge-{key}")),
            "{key}: {fields:?}"
        );
    }
    assert_eq!(app.stored_case("EHC-1").await.history.len(), 2);

    let sign_off = json!({
        "acknowledgements": keys
            .iter()
            .map(|k| json!({ "finding": k, "reason": "Agreed at the moderation panel" }))
            .collect::<Vec<_>>(),
        "early_reason": "The family wrote to say they have no comments",
    });
    let stale = app
        .api(
            method.clone(),
            path,
            Some(&head),
            Some(&sign_off),
            Some("\"1\""),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert!(
        stale.json()["detail"]
            .as_str()
            .expect("detail")
            .starts_with("The plan was changed")
    );
    assert_eq!(stale.header("etag"), Some("\"2\""));
    let issued = app
        .api(method, path, Some(&head), Some(&sign_off), Some("\"2\""))
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    assert_eq!(issued.json()["number"], json!(2));
    let last = app.stored_case("EHC-1").await;
    let recorded = last.history.last().expect("an event");
    assert_eq!(
        recorded.event.as_ref().map(|e| e.detail.event_type()),
        Some(EventType::FinalPlanIssued)
    );
    assert_eq!(
        recorded.source,
        tandem_test_support::tandem_store::Source::Api
    );
}

#[tokio::test]
async fn a_wrong_date_in_k_is_refused_as_typed_and_marks_are_kept() {
    let app = TestApp::new().await;
    case(&app).await;
    let manager = app.sign_in(Role::CaseManager).await;
    app.post_form(
        &format!("{PLAN}/K"),
        Some(&manager),
        &[("revision", "0"), ("action", "add")],
    )
    .await;
    let advice = [
        ("item-1-id", "k1"),
        ("item-1-advice", "education"),
        ("item-1-from", "Hillside Primary School"),
        ("item-1-date", "2026-02-30"),
    ];
    let refused = save(&app, &manager, "K", "1", &advice).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.attr("input[name=item-1-date]", "value").as_deref(),
        Some("2026-02-30"),
        "what was typed is shown again"
    );
    assert!(
        refused
            .body
            .contains("Enter the date advice 1 was received as a real date")
    );
    let fixed = [
        ("item-1-date", "2026-02-20"),
        advice[0],
        advice[1],
        advice[2],
    ];
    assert_eq!(
        save(&app, &manager, "K", "1", &fixed).await.status,
        StatusCode::SEE_OTHER
    );

    // An outcome marked as preparing for adulthood stays marked.
    app.post_form(
        &format!("{PLAN}/E"),
        Some(&manager),
        &[("revision", "2"), ("action", "add")],
    )
    .await;
    let outcome = [
        ("item-1-id", "o1"),
        (
            "item-1-text",
            "By July 2030 Robin travels to college on his own",
        ),
        ("item-1-pfa", "yes"),
    ];
    save(&app, &manager, "E", "3", &outcome).await;
    let e = app.get(&format!("{PLAN}/E"), Some(&manager)).await;
    assert_eq!(
        e.attr("input[name=item-1-pfa]", "checked").as_deref(),
        Some("")
    );
}

#[tokio::test]
async fn the_parent_comments_on_the_draft_and_the_signer_reads_it() {
    let app = TestApp::new().await;
    with_a_draft_issued(&app).await;
    let comments = format!("{PLAN}/comments");

    let parent = app.sign_in(Role::Parent).await;
    let case_page = app.get("/cases/EHC-1", Some(&parent)).await;
    assert!(case_page.body.contains(&format!("href=\"{comments}\"")));
    let form = app.get(&comments, Some(&parent)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.texts("h1"), ["Comment on the draft plan"]);
    assert!(form.body.contains("You have 15 days to comment"));

    let empty = app
        .post_form(&comments, Some(&parent), &[("section", ""), ("body", "  ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.texts(".govuk-error-summary__list a"),
        ["Enter your comment, name the school or setting you would like, or ask for a meeting"]
    );
    let sent = app
        .post_form(
            &comments,
            Some(&parent),
            &[
                ("section", "F"),
                ("body", "Please say how often speech therapy happens."),
                ("preferred_setting", "Riverside Primary School"),
                ("wants_meeting", "yes"),
            ],
        )
        .await;
    assert_eq!(sent.location(), Some("/cases/EHC-1?done=plan_comment"));
    let again = app.get(&comments, Some(&parent)).await;
    assert!(
        again
            .body
            .contains("Please say how often speech therapy happens.")
    );

    // Nobody else reaches the form, by page or by a forged post.
    for role in [Role::HealthProfessional, Role::CaseManager] {
        let session = app.sign_in(role).await;
        let page = app.get(&comments, Some(&session)).await;
        assert!(
            matches!(page.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{role:?}: {}",
            page.status
        );
        let forged = app
            .post_form(&comments, Some(&session), &[("body", "Not mine")])
            .await;
        assert!(
            matches!(forged.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{role:?}: {}",
            forged.status
        );
    }

    // The case staff read it beside the plan, and the signer at sign-off.
    let head = app.sign_in(Role::HeadOfService).await;
    for page in [PLAN.to_owned(), format!("{PLAN}/issue-final")] {
        let read = app.get(&page, Some(&head)).await;
        assert!(
            read.body
                .contains("Please say how often speech therapy happens.")
                && read.body.contains("Riverside Primary School")
                && read
                    .body
                    .contains("Asks to meet the council about the draft."),
            "{page}"
        );
    }
    assert_eq!(app.audit("plan.comment").await.len(), 1);
}

#[cfg(feature = "pdf")]
#[tokio::test]
async fn an_issued_plan_downloads_as_a_pdf_with_the_child_named_on_every_page() {
    let app = TestApp::new().await;
    let manager = with_a_draft_issued(&app).await;
    let parent = app.sign_in(Role::Parent).await;
    for (session, page) in [
        (&parent, format!("{PLAN}/issued")),
        (&manager, format!("{PLAN}/versions/1")),
    ] {
        let read = app.get(&page, Some(session)).await;
        let href = read.attr("a[download]", "href").expect("a link to the PDF");
        let pdf = app.get(&href, Some(session)).await;
        assert_eq!(pdf.status, StatusCode::OK, "{href}");
        assert_eq!(pdf.header("content-type"), Some("application/pdf"));
        assert_eq!(
            pdf.header("content-disposition"),
            Some("attachment; filename=\"ehc-plan-EHC-1-v1.pdf\""),
            "the file name has the reference, not the child's name"
        );
        let text = support::pdf_text(&pdf.bytes);
        for expected in [
            "Draft plan for Robin Testcase",
            "Robin likes drawing.",
            "Section K (advice and information)",
            "Page 1 of ",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        let pages = text.matches("Page ").count();
        assert_eq!(
            text.matches("Draft plan for Robin Testcase, case EHC-1")
                .count(),
            pages,
            "each page's foot names the child and the case"
        );
    }
    let outsider = app.sign_in(Role::HealthProfessional).await;
    for href in [
        format!("{PLAN}/issued/pdf"),
        format!("{PLAN}/versions/1/pdf"),
    ] {
        let refused = app.get(&href, Some(&outsider)).await;
        assert!(
            matches!(
                refused.status,
                StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
            ),
            "{href}: {}",
            refused.status
        );
    }
}

#[tokio::test]
async fn a_program_saves_the_plan_and_issues_the_draft_under_the_same_rules() {
    let app = TestApp::new().await;
    case(&app).await;
    let manager = app.sign_in(Role::CaseManager).await;
    let api = |session, method, path: &'static str, body, tag| {
        let app = &app;
        async move { app.api(method, path, Some(session), body, tag).await }
    };
    let read = api(
        &manager,
        axum::http::Method::GET,
        "/api/v1/cases/EHC-1/plan",
        None,
        None,
    )
    .await;
    assert_eq!(read.header("etag"), Some("\"0\""));
    let mut plan = read.json()["plan"].clone();
    plan["sections"]["A"] = json!({ "text": "Robin likes drawing and building." });

    let saved = api(
        &manager,
        axum::http::Method::PUT,
        "/api/v1/cases/EHC-1/plan",
        Some(&plan),
        Some("\"0\""),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.header("etag"), Some("\"1\""));
    assert!(saved.json()["report"]["score"].is_number());
    // A second save based on revision 0 would overwrite the first: refused, nothing saved.
    let stale = api(
        &manager,
        axum::http::Method::PUT,
        "/api/v1/cases/EHC-1/plan",
        Some(&plan),
        Some("\"0\""),
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["current_version"], 1);
    // A section spelt "a" would be dropped: refused, naming it, and nothing saved.
    let mut misspelt = plan.clone();
    misspelt["sections"]["a"] = json!({ "text": "Written in the wrong place." });
    let refused = api(
        &manager,
        axum::http::Method::PUT,
        "/api/v1/cases/EHC-1/plan",
        Some(&misspelt),
        Some("\"1\""),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.json()["errors"][0]["field"],
        "sections.a",
        "{}",
        refused.body
    );
    let again = api(
        &manager,
        axum::http::Method::GET,
        "/api/v1/cases/EHC-1/plan",
        None,
        None,
    )
    .await;
    assert_eq!(again.header("etag"), Some("\"1\""));
    // The family may not write the plan, whatever they send.
    let parent = app.sign_in(Role::Parent).await;
    let refused = api(
        &parent,
        axum::http::Method::PUT,
        "/api/v1/cases/EHC-1/plan",
        Some(&plan),
        Some("\"1\""),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let issued = api(
        &manager,
        axum::http::Method::POST,
        "/api/v1/cases/EHC-1/plan/draft",
        None,
        Some("\"1\""),
    )
    .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    assert_eq!(issued.json()["number"], 1);
    let stored = app.stored_case("EHC-1").await;
    assert_eq!(
        stored
            .history
            .last()
            .and_then(|r| r.event.as_ref())
            .map(|e| e.detail.event_type()),
        Some(EventType::DraftPlanIssued)
    );
    let read = app.get(&format!("{PLAN}/issued"), Some(&parent)).await;
    assert!(read.body.contains("Robin likes drawing and building."));
    assert_eq!(app.audit("plan.save").await.len(), 1);
    assert_eq!(app.audit("plan.issue").await.len(), 1);
}
