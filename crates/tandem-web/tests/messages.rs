//! Messages about a case: a family and a service write to the council, the case manager answers
//! and records a call, the duty list shows what waits, and nobody reads or answers what is not
//! theirs.

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
use support::TestApp;
use tandem_core::Role;
use tandem_core::messages::reply_due;
use tandem_test_support::tandem_store::CaseRelation;

/// Two cases of the case manager: `EHC-1`, the demo parent's child, asking the health
/// professional's service for advice; `EHC-2`, someone else's.
async fn two_cases(app: &TestApp) {
    for reference in ["EHC-1", "EHC-2"] {
        let asked = (app.today() - Duration::days(5)).to_string();
        let case = json!({
            "reference": reference,
            "child": { "given_name": "Robin", "family_name": "Testcase", "date_of_birth": "2016-04-09" },
            "events": [
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
                { "type": "advice_requested", "date": asked, "advice": "health", "provider": "Community paediatrics" },
            ],
        });
        let record = app.add_case(case, Some(Role::CaseManager)).await;
        if reference == "EHC-1" {
            let mut tx = app.store().begin_at(app.now()).await.unwrap();
            tx.link_person(record.id, app.users[&Role::Parent], CaseRelation::Family)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    }
}

async fn count_messages(app: &TestApp) -> usize {
    let mut tx = app.store().begin_at(app.now()).await.unwrap();
    let mut total = 0;
    for id in [1, 2] {
        total += tx.case_messages(id).await.unwrap().len();
    }
    tx.rollback().await.unwrap();
    total
}

/// The parent asks about EHC-1 from its message form.
async fn parent_asks(app: &TestApp, parent: &support::Session) {
    let sent = app
        .post_form(
            "/cases/EHC-1/messages/new",
            Some(parent),
            &[("message", "Can the assessment meeting be after school?")],
        )
        .await;
    assert_eq!(sent.location(), Some("/cases/EHC-1?done=message_sent"));
}

#[tokio::test]
async fn a_parent_writes_the_case_manager_answers_and_the_duty_list_follows() {
    let app = TestApp::new().await;
    two_cases(&app).await;
    let parent = app.sign_in(Role::Parent).await;

    let form = app.get("/cases/EHC-1/messages/new", Some(&parent)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("will reply within 3"));
    let empty = app
        .post_form(
            "/cases/EHC-1/messages/new",
            Some(&parent),
            &[("message", "  ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.texts(".govuk-error-summary__list a"),
        ["Enter your message"]
    );
    assert_eq!(count_messages(&app).await, 0);

    parent_asks(&app, &parent).await;
    let due = reply_due(app.today(), 3);
    let page = app
        .get("/cases/EHC-1?done=message_sent", Some(&parent))
        .await;
    assert!(page.body.contains("Message sent"));
    assert!(
        page.body
            .contains("Can the assessment meeting be after school?")
    );
    assert!(
        page.body
            .contains(&format!("Reply due by {}", tandem_core::dates::long(due)))
    );

    // The duty list: the team manager sees it waiting, with a way to answer.
    let manager = app.sign_in(Role::TeamManager).await;
    let duty = app.get("/duty", Some(&manager)).await;
    assert_eq!(duty.status, StatusCode::OK);
    assert_eq!(duty.texts("tbody td[data-label=Case]"), ["EHC-1"]);
    let reply_link = duty.attr("td[data-label=Action] a", "href").unwrap();

    // The case manager answers from the case page.
    let case_manager = app.sign_in(Role::CaseManager).await;
    let case_page = app.get("/cases/EHC-1", Some(&case_manager)).await;
    assert_eq!(
        case_page.attr("#messages ~ ul a", "href").as_deref(),
        Some(reply_link.as_str())
    );
    let blank = app
        .post_form(&reply_link, Some(&case_manager), &[("reply", "")])
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count_messages(&app).await, 1);
    let replied = app
        .post_form(
            &reply_link,
            Some(&case_manager),
            &[("reply", "Yes: 4pm on Tuesday suits us.")],
        )
        .await;
    assert_eq!(replied.location(), Some("/cases/EHC-1?done=replied"));
    // Answered once: the same link no longer takes a reply.
    let twice = app
        .post_form(&reply_link, Some(&case_manager), &[("reply", "Again")])
        .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
    assert_eq!(count_messages(&app).await, 2);

    let duty = app.get("/duty", Some(&manager)).await;
    assert!(duty.body.contains("Every message has been answered"));
    let page = app.get("/cases/EHC-1", Some(&parent)).await;
    assert!(page.body.contains("Yes: 4pm on Tuesday suits us."));
    assert!(page.body.contains("Answered on"));
    assert_eq!(app.audit("message.reply").await.len(), 1);
    // The audit keeps ids, never the words.
    let sent = app.audit("message.send").await;
    assert!(!sent[0].detail.to_string().contains("after school"));
}

#[tokio::test]
async fn a_message_queues_an_email_the_administrator_sees_without_its_words() {
    let app = TestApp::new().await;
    two_cases(&app).await;
    let parent = app.sign_in(Role::Parent).await;
    parent_asks(&app, &parent).await;

    let admin = app.sign_in(Role::Admin).await;
    let page = app.get("/admin/notifications", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("td[data-label=Email]"), ["New message"]);
    assert_eq!(
        page.texts("td[data-label=To]"),
        [support::email(Role::CaseManager)]
    );
    assert_eq!(page.texts("td[data-label=Status]"), ["Waiting"]);
    for detail in ["after school", "EHC-1", "Robin"] {
        assert!(
            !page.body.contains(detail),
            "{detail} shown to the administrator"
        );
    }
}

#[tokio::test]
async fn staff_record_a_call_that_then_waits_for_a_reply() {
    let app = TestApp::new().await;
    two_cases(&app).await;
    let case_manager = app.sign_in(Role::CaseManager).await;
    let form = app
        .get("/cases/EHC-1/contacts/new", Some(&case_manager))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let missing = app
        .post_form("/cases/EHC-1/contacts/new", Some(&case_manager), &[])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        missing.texts(".govuk-error-summary__list a"),
        [
            "Select which way the contact went",
            "Select how the contact was made",
            "Enter who the contact was with",
            "Enter what was said",
        ]
    );
    let recorded = app
        .post_form(
            "/cases/EHC-1/contacts/new",
            Some(&case_manager),
            &[
                ("direction", "incoming"),
                ("channel", "phone"),
                ("counterpart", "Mother"),
                ("body", "Asked when the draft plan will come."),
            ],
        )
        .await;
    assert_eq!(recorded.location(), Some("/cases/EHC-1?done=contact"));
    let page = app.get("/cases/EHC-1", Some(&case_manager)).await;
    assert!(page.body.contains("From Mother"));
    assert!(page.body.contains("Phone call"));
    assert!(page.body.contains("Reply due by"));
    // A contact recorded by staff is not the family's own thread.
    let parent = app.session(Role::Parent).await;
    let family = app.get("/cases/EHC-1", Some(&parent)).await;
    assert!(!family.body.contains("Asked when the draft plan will come."));
}

#[tokio::test]
async fn nobody_writes_or_answers_on_a_case_that_is_not_theirs() {
    let app = TestApp::new().await;
    two_cases(&app).await;
    let parent = app.session(Role::Parent).await;
    let nurse = app.session(Role::HealthProfessional).await;
    // The service asked writes about the case; the parent does not see it.
    let sent = app
        .post_form(
            "/cases/EHC-1/messages/new",
            Some(&nurse),
            &[("message", "Clinic letter follows.")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let family = app.get("/cases/EHC-1", Some(&parent)).await;
    assert!(!family.body.contains("Clinic letter follows."));
    let professional = app.get("/cases/EHC-1", Some(&nurse)).await;
    assert!(professional.body.contains("Clinic letter follows."));

    // Another child's case: not there for the parent, by page or by post.
    for path in ["/cases/EHC-2/messages/new"] {
        assert_eq!(
            app.get(path, Some(&parent)).await.status,
            StatusCode::NOT_FOUND
        );
        let posted = app
            .post_form(path, Some(&parent), &[("message", "x")])
            .await;
        assert_eq!(posted.status, StatusCode::NOT_FOUND);
    }
    // Families and services do not answer for the council, nor record contacts; guessing a
    // message id on another case finds nothing.
    for (session, who) in [(&parent, "parent"), (&nurse, "health professional")] {
        let reply = app
            .post_form(
                "/cases/EHC-1/messages/1/reply",
                Some(session),
                &[("reply", "x")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{who}");
        let contact = app.get("/cases/EHC-1/contacts/new", Some(session)).await;
        assert_eq!(contact.status, StatusCode::FORBIDDEN, "{who}");
    }
    let case_manager = app.session(Role::CaseManager).await;
    let wrong_case = app
        .post_form(
            "/cases/EHC-2/messages/1/reply",
            Some(&case_manager),
            &[("reply", "x")],
        )
        .await;
    assert_eq!(wrong_case.status, StatusCode::NOT_FOUND);
    // Only managers see the duty list.
    for role in [
        Role::CaseManager,
        Role::Parent,
        Role::HealthProfessional,
        Role::Analyst,
    ] {
        let session = app.session(role).await;
        assert_eq!(
            app.get("/duty", Some(&session)).await.status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
    assert_eq!(count_messages(&app).await, 1);
}

#[tokio::test]
async fn the_dashboard_counts_how_messages_were_answered() {
    let app = TestApp::new().await;
    two_cases(&app).await;
    let parent = app.session(Role::Parent).await;
    for text in ["First question", "Second question"] {
        let sent = app
            .post_form(
                "/cases/EHC-1/messages/new",
                Some(&parent),
                &[("message", text)],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
    }
    let case_manager = app.session(Role::CaseManager).await;
    let replied = app
        .post_form(
            "/cases/EHC-1/messages/1/reply",
            Some(&case_manager),
            &[("reply", "Answer")],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER);
    let today = app.today();
    let query = format!(
        "/dashboard?period=month&month={}&as_at={today}",
        &today.to_string()[..7]
    );
    let manager = app.session(Role::TeamManager).await;
    let page = app.get(&query, Some(&manager)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let rows: Vec<String> = page.texts("#replies ~ table tr");
    assert_eq!(
        rows,
        [
            "Messages received 2",
            "Answered within the set time 1",
            "Answered late 0",
            "Not yet answered, past the set time 0",
            "Not yet answered, still in time 1",
        ]
    );
}
