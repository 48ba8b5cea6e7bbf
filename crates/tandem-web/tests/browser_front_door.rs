//! The front door in headless Chromium (issue 13 item 1), with JavaScript and without, every page
//! checked with axe-core: a case manager opens a new request without typing a reference, saying
//! who asked and where the child is at school; the case gets the next reference of the
//! council's pattern; the setting is changed later on the case, which then shows the change in
//! its history. Run it with `TANDEM_BROWSER_TESTS=required cargo test -p tandem-web --test
//! browser_front_door`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod e2e;

use chrono::{Days, NaiveDate, Utc};
use e2e::{Browser, both_ways, sign_out};
use tandem_core::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_door_journey_in_a_real_browser_with_and_without_javascript() {
    both_ways("the front door journey", |browser, javascript| {
        Box::pin(open_a_request_at_the_front_door(browser, javascript))
    })
    .await;
}

async fn open_a_request_at_the_front_door(browser: &mut Browser, javascript: bool) {
    // A different child in each run: the same one again would be a possible duplicate.
    let given_name = if javascript { "Rowan" } else { "Sasha" };
    browser.sign_in(Role::CaseManager).await;
    browser.visit("/cases/new").await;
    assert_eq!(browser.heading().await, "New request for an assessment");
    browser.check("front-door").await;
    browser.fill("Child’s first name", given_name).await;
    browser.fill("Child’s last name", "Fairweather-Front").await;
    browser
        .fill_date(
            "Date of birth",
            NaiveDate::from_ymd_opt(2017, 5, 4).unwrap(),
        )
        .await;
    let received = Utc::now().date_naive() - Days::new(3);
    browser
        .fill_date("Date the request was received", received)
        .await;
    browser
        .choose_radio("School or other education setting")
        .await;
    browser
        .fill("School or setting (optional)", "Hilltop Primary")
        .await;
    browser
        .fill("Preferred language (optional)", "Polish")
        .await;
    browser.choose_radio("Yes").await;
    browser.press("Open case").await;
    let path = browser.path().await;
    assert!(
        path.starts_with("/cases/EHC-") && path.ends_with("?done=opened"),
        "a reference is made: {path}"
    );
    assert_eq!(browser.banner().await, "Case opened");
    browser.check("front-door-opened").await;
    let reference = path
        .trim_start_matches("/cases/")
        .trim_end_matches("?done=opened")
        .to_owned();

    browser.visit(&format!("/cases/{reference}/child")).await;
    browser.check("front-door-details").await;
    assert_eq!(browser.field_value("Who made the request").await, "school");
    browser.fill("School or setting", "Riverside Academy").await;
    browser.press("Save details").await;
    assert!(
        browser
            .path()
            .await
            .starts_with(&format!("/cases/{reference}"))
    );
    let changes = browser.texts("#detail-changes + table td li").await;
    assert_eq!(changes, ["Setting: Hilltop Primary to Riverside Academy"]);
    browser.check("front-door-history").await;
    sign_out(browser).await;
}
