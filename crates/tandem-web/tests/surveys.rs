//! Surveys through the pages: a manager adds a survey, a case reaching its moment emails the
//! family a link, the link's page is answered with no account (the error summary first, then
//! thanks), the same link is then refused kindly, and the results page shows the figures with
//! small counts left out, and the words only to those allowed to read them, never to analysts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use support::{SIGN_IN_COOKIE, Session, TestApp};
use tandem_core::Role;
use tandem_test_support::tandem_store::CaseRelation;

const WORDS: &str = "Please ring before the meeting";

/// Adds a survey of families after the decision, as the signed-in manager.
async fn add_survey(app: &TestApp, manager: &Session) -> support::TestResponse {
    let fields = [
        ("title", "After the decision"),
        ("moment", "after_decision"),
        ("audience", "families"),
        ("scale_questions", "We were listened to"),
        ("text_questions", "Anything else?"),
    ];
    app.post_form("/surveys/new", Some(manager), &fields).await
}

/// A case `reference` with the demo parent as its family, and the decision to assess recorded
/// today.
async fn decided_with_family(app: &TestApp, reference: &str) {
    let reference = app.seed_case(reference).await;
    let case = app.store().case(&reference).await.unwrap().unwrap();
    let mut tx = app.store().begin_at(app.now()).await.unwrap();
    tx.link_person(
        case.record.id,
        app.users[&Role::Parent],
        CaseRelation::Family,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let today = app.today().to_string();
    let decided = [
        ("type", "decision_to_assess"),
        ("date", today.as_str()),
        ("outcome", "assess"),
    ];
    app.record(reference.as_str(), &decided).await;
}

#[tokio::test]
async fn a_family_answers_once_and_only_managers_read_their_words() {
    let app = TestApp::new().await;
    let manager = app.sign_in(Role::TeamManager).await;

    // The form's problems come back in the error summary, with what was typed kept.
    let refused = app
        .post_form(
            "/surveys/new",
            Some(&manager),
            &[
                ("title", "After the decision"),
                ("text_questions", "Anything else?"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".govuk-error-summary__list a"),
        [
            "Select after which moment the survey is sent",
            "Select whom the survey asks",
            "Enter at least one question answered on the agreement scale",
        ]
    );
    assert_eq!(
        refused.attr("#title", "value").as_deref(),
        Some("After the decision")
    );
    let added = add_survey(&app, &manager).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);

    // The family of a case that reaches the decision is emailed a link.
    decided_with_family(&app, "SURVEY-1").await;
    let link = app.emailed_link("/feedback/").await;

    // A browser with no session: the page sets the sign-in cookie its form's token comes from.
    let shown = app.get(&link, None).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.texts("h1"), ["After the decision"]);
    assert_eq!(shown.texts("legend"), ["We were listened to"]);
    let browser = Session {
        cookie: format!(
            "{SIGN_IN_COOKIE}={}",
            shown.set_cookie(SIGN_IN_COOKIE).expect("sign-in cookie")
        ),
        csrf: shown.csrf_field().expect("csrf field"),
    };
    let question = shown.attr("textarea", "name").expect("a textarea");
    let statement = shown.attr("input[type=radio]", "name").expect("radios");
    let unanswered = app
        .post_form(&link, Some(&browser), &[(question.as_str(), WORDS)])
        .await;
    assert_eq!(unanswered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unanswered.texts(".govuk-error-summary__list a"),
        ["Select how far you agree: We were listened to"]
    );
    assert_eq!(unanswered.texts("textarea"), [WORDS]);
    let answer = [(statement.as_str(), "4"), (question.as_str(), WORDS)];
    let thanks = app.post_form(&link, Some(&browser), &answer).await;
    assert_eq!(thanks.status, StatusCode::OK, "{}", thanks.body);
    assert_eq!(thanks.texts("h1"), ["Thank you for your answers"]);
    for closed in [
        app.get(&link, None).await,
        app.post_form(&link, Some(&browser), &answer).await,
    ] {
        assert_eq!(closed.status, StatusCode::GONE);
        assert_eq!(
            closed.texts("h1"),
            ["This survey link has expired or has already been used"]
        );
        assert!(!closed.body.contains("SURVEY-1"));
    }

    // One response is a small count: every reader sees it left out; the words are for managers
    // and auditors only.
    let results = app.get("/surveys", Some(&manager)).await;
    assert_eq!(results.status, StatusCode::OK);
    assert!(results.body.contains(WORDS));
    assert!(results.texts("#suppressed")[0].contains("fewer than 5"));
    assert!(
        !results
            .texts(".govuk-summary-list__value")
            .contains(&"1".to_owned())
    );
    let auditor = app.sign_in(Role::QaAuditor).await;
    assert!(
        app.get("/surveys", Some(&auditor))
            .await
            .body
            .contains(WORDS)
    );
    let analyst = app.sign_in(Role::Analyst).await;
    let analysts = app.get("/surveys", Some(&analyst)).await;
    assert_eq!(analysts.status, StatusCode::OK);
    assert!(!analysts.body.contains(WORDS));
    assert!(!analysts.body.contains("SURVEY-1"));
    assert!(analysts.texts("a").iter().all(|a| a != "Add a survey"));
    app.remove().await;
}

#[tokio::test]
async fn a_manager_sends_a_survey_to_cases_that_reached_its_moment() {
    let app = TestApp::new().await;
    let manager = app.sign_in(Role::TeamManager).await;
    decided_with_family(&app, "SURVEY-2").await;
    let added = add_survey(&app, &manager).await;
    assert_eq!(added.location(), Some("/surveys?added=1"));
    let page = app.get("/surveys", Some(&manager)).await;
    let action = page
        .attr("form[action$='/send']", "action")
        .expect("the batch form");
    let future = app.today() + chrono::Days::new(2);
    let day = |d: chrono::NaiveDate, f: &str| d.format(f).to_string();
    let refused = app
        .post_form(
            &action,
            Some(&manager),
            &[
                ("since-day", &day(future, "%-d")),
                ("since-month", &day(future, "%-m")),
                ("since-year", &day(future, "%Y")),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".govuk-error-summary__list a"),
        ["Send to cases that reached the moment since must be today or in the past"]
    );
    let since = app.today() - chrono::Days::new(7);
    let fields = [
        ("since-day", day(since, "%-d")),
        ("since-month", day(since, "%-m")),
        ("since-year", day(since, "%Y")),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sent = app.post_form(&action, Some(&manager), &fields).await;
    assert_eq!(sent.location(), Some("/surveys?sent=1"));
    let shown = app.get("/surveys?sent=1", Some(&manager)).await;
    assert!(shown.body.contains("The survey was sent to 1 person"));
    assert!(
        app.emailed_link("/feedback/")
            .await
            .starts_with("/feedback/")
    );
    // Sent once: the same batch again finds nobody new.
    let again = app.post_form(&action, Some(&manager), &fields).await;
    assert_eq!(again.location(), Some("/surveys?sent=0"));
    assert_eq!(app.audit("survey.send").await.len(), 2);
    app.remove().await;
}

#[tokio::test]
async fn a_manager_says_what_was_done_and_everyone_who_reads_the_figures_sees_it() {
    let app = TestApp::new().await;
    let manager = app.sign_in(Role::TeamManager).await;
    add_survey(&app, &manager).await;
    let page = app.get("/surveys", Some(&manager)).await;
    let form = page
        .attr("a[href$='/you-said-we-did']", "href")
        .expect("a link to say what was done");
    let shown = app.get(&form, Some(&manager)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(
        shown.texts("label[for='action']"),
        ["Improvement plan action (optional)"]
    );

    // Both texts are needed; an action that is not in the plan is refused; what was typed stays.
    let refused = app
        .post_form(
            &form,
            Some(&manager),
            &[
                ("you_said", "Letters were unclear"),
                ("we_did", ""),
                ("action", "999999"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".govuk-error-summary__list a"),
        [
            "Enter what was done about it",
            "Select an action that is in the improvement plan"
        ]
    );
    assert!(refused.body.contains("Letters were unclear"));

    let saved = app
        .post_form(
            &form,
            Some(&manager),
            &[
                ("you_said", "Letters were unclear"),
                ("we_did", "We rewrote every letter"),
                ("action", ""),
            ],
        )
        .await;
    assert_eq!(saved.location(), Some("/surveys?said=1"));
    assert_eq!(app.audit("survey.you_said_we_did").await.len(), 1);
    // An analyst, who may not add one, reads it on the surveys page and in the board report.
    let analyst = app.sign_in(Role::Analyst).await;
    for path in ["/surveys", "/report"] {
        let read = app.get(path, Some(&analyst)).await;
        assert_eq!(read.status, StatusCode::OK, "{path}");
        assert_eq!(
            read.texts(".tandem-you-said dd"),
            [
                "Letters were unclear".to_owned(),
                "We rewrote every letter".to_owned(),
                tandem_core::dates::long(app.today())
            ],
            "{path}"
        );
        assert!(
            read.attr("a[href$='/you-said-we-did']", "href").is_none(),
            "{path}"
        );
    }
    // The board report's PDF says the same.
    #[cfg(feature = "pdf")]
    {
        let pdf = app.get("/report.pdf", Some(&analyst)).await;
        assert_eq!(pdf.status, StatusCode::OK);
        let text = support::pdf_text(&pdf.bytes);
        for said in [
            "You said, we did: After the decision",
            "You said: Letters were unclear",
        ] {
            assert!(text.contains(said), "{said} in {text}");
        }
    }
    app.remove().await;
}
