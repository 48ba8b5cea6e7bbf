//! The survey journey in headless Chromium, with JavaScript and without (axe-core on every page
//! checked): a team manager adds a survey of partners and sends it to the cases that reached
//! its moment, a partner answers it from the emailed link without signing in (the error summary
//! first), the link then says kindly that it has been used, and the manager sees the results
//! with their term-on-term trend, then records what was done about it ("you said, we did").
//!
//! Not `e2e::both_ways`: the journey needs the emailed link, which no page shows, so it reads
//! the outbox from the server's database between steps.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod e2e;

use chrono::{Days, Utc};
use e2e::{Browser, ChromeDriver, Server, assert_no_violations, desktop, prerequisites, sign_out};
use tandem_app::generate_surveys::{survey_history, terms_before};
use tandem_core::Role;
use tandem_test_support::tandem_store::Store;

const SAID: &str = "Earlier requests would help us plan clinics";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_and_answer_a_survey_and_see_the_trend() {
    let Some(prerequisites) = prerequisites("the survey journey") else {
        return;
    };
    let server = Server::start().await;
    let store = Store::open(&server.database_url())
        .await
        .expect("the server's database");
    let driver = ChromeDriver::start(&prerequisites);
    let mut violations = Vec::new();
    for javascript in [true, false] {
        let mut browser = desktop(&driver, &prerequisites, &server, javascript).await;
        survey_journey(&mut browser, &store).await;
        let (found, _) = browser.close().await;
        violations.extend(found);
    }
    assert_no_violations(&violations);
}

async fn survey_journey(browser: &mut Browser, store: &Store) {
    let run = browser.run_name();
    let title = format!("Working with us ({run})");
    browser.sign_in(Role::TeamManager).await;
    browser.visit("/surveys").await;
    browser.check("surveys").await;
    browser.click_link("Add a survey").await;
    browser.check("survey-new").await;
    browser.press("Add the survey").await;
    assert_eq!(
        browser.error_summary().await,
        [
            "Enter the survey’s title",
            "Select after which moment the survey is sent",
            "Select whom the survey asks",
            "Enter at least one question answered on the agreement scale",
        ]
    );
    browser.check("survey-new-errors").await;
    browser.fill("Title", &title).await;
    browser
        .choose_radio("After the decision whether to assess")
        .await;
    browser
        .choose_radio("Partners (the services asked for advice)")
        .await;
    browser
        .fill(
            "Statements answered on the agreement scale",
            "We were asked for advice in good time",
        )
        .await;
    browser
        .fill(
            "Questions answered in words (optional)",
            "What would help your service?",
        )
        .await;
    browser.press("Add the survey").await;
    assert_eq!(browser.banner().await, "The survey is added");

    // Two past terms of answers, so that the trend has something to show.
    let survey = store
        .begin_snapshot_at(Utc::now())
        .await
        .expect("read")
        .surveys()
        .await
        .expect("surveys")
        .into_iter()
        .find(|s| s.title == title)
        .expect("the survey just added");
    let partner = store
        .user_by_email(&e2e::email(Role::HealthProfessional))
        .await
        .expect("read")
        .expect("the partner");
    let today = Utc::now().date_naive();
    let history = survey_history(store, &survey, &terms_before(today, 2), 30, partner.id, 7)
        .await
        .expect("history");
    assert!(history >= 10, "{history} responses");

    // The newest survey comes first, with its batch form.
    browser.visit("/surveys").await;
    browser
        .fill_date(
            "Send to cases that reached the moment since",
            today - Days::new(365),
        )
        .await;
    browser.press("Send the survey").await;
    assert!(
        browser
            .banner()
            .await
            .starts_with("The survey was sent to "),
        "{}",
        browser.banner().await
    );
    browser.check("surveys-sent").await;
    sign_out(browser).await;

    // The partner answers from the emailed link, without signing in.
    let link = latest_link(store).await;
    browser.visit(&link).await;
    assert_eq!(browser.heading().await, title);
    browser.check("feedback").await;
    browser
        .fill("What would help your service? (optional)", SAID)
        .await;
    browser.press("Send your answers").await;
    assert_eq!(
        browser.error_summary().await,
        ["Select how far you agree: We were asked for advice in good time"]
    );
    assert_eq!(
        browser
            .field_value("What would help your service? (optional)")
            .await,
        SAID
    );
    browser.check("feedback-errors").await;
    browser.choose_radio("Agree").await;
    browser.press("Send your answers").await;
    assert_eq!(browser.heading().await, "Thank you for your answers");
    browser.check("feedback-thanks").await;
    browser.visit(&link).await;
    assert_eq!(
        browser.heading().await,
        "This survey link has expired or has already been used"
    );
    browser.check("feedback-used").await;

    // The manager sees the trend over three terms, and what was written.
    browser.sign_in(Role::TeamManager).await;
    browser.visit("/surveys").await;
    let trend = format!("{title}: answers that agreed, by term");
    // The chart's figures are in a details component under it.
    browser
        .open_details(&format!("Show the figures as a table: {trend}"))
        .await;
    let captions = browser.texts("caption").await;
    assert!(
        captions.iter().any(|c| c.starts_with(&trend)),
        "{captions:?}"
    );
    assert!(browser.texts("li").await.iter().any(|li| li == SAID));
    browser.check("survey-results").await;

    // And tells partners what was done about it.
    browser
        .visit(&format!("/surveys/{}/you-said-we-did", survey.id))
        .await;
    browser.press("Save").await;
    assert_eq!(
        browser.error_summary().await,
        ["Enter what people said", "Enter what was done about it"]
    );
    browser.check("you-said-errors").await;
    browser.fill("You said", SAID).await;
    browser
        .fill("We did", "Requests now reach clinics in the first week")
        .await;
    browser
        .choose("Improvement plan action (optional)", "None")
        .await;
    browser.press("Save").await;
    assert_eq!(browser.banner().await, "What you did about it is recorded");
    assert!(
        browser
            .texts(".tandem-you-said dd")
            .await
            .iter()
            .any(|dd| dd == "Requests now reach clinics in the first week")
    );
    browser.check("survey-you-said").await;
    sign_out(browser).await;
}

/// The path of the survey link emailed last, read from the outbox as the mailer would.
async fn latest_link(store: &Store) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body FROM notifications WHERE kind = 'survey' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(store.sqlite_pool().expect("SQLite"))
    .await
    .expect("a survey email");
    let line = body
        .lines()
        .find(|line| line.contains("/feedback/"))
        .expect("a link");
    line[line.find("/feedback/").expect("a link")..].to_owned()
}
