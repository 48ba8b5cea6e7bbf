//! The workforce journey in headless Chromium (issue 17 item 2): a team manager opens the
//! workforce page, a case manager's record, and records a supervision (the empty form's error
//! summary first), then follows an agreed action up; the case manager then reads it. With and
//! without JavaScript, every page checked with axe-core. Needs what `browser.rs` needs; run it
//! with `TANDEM_BROWSER_TESTS=required cargo test -p tandem-web --test browser_workforce`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod e2e;

use chrono::Utc;
use e2e::{Browser, both_ways, sign_out};
use tandem_core::Role;
use tandem_core::dates::{england_date, long};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervision_journey_in_a_real_browser_with_and_without_javascript() {
    both_ways("the workforce journey", |browser, javascript| {
        Box::pin(record_a_supervision(browser, javascript))
    })
    .await;
}

async fn record_a_supervision(browser: &mut Browser, javascript: bool) {
    let today = england_date(Utc::now());
    browser.sign_in(Role::TeamManager).await;
    browser.click_link("Workforce").await;
    assert_eq!(browser.heading().await, "Workforce");
    browser.check("workforce").await;
    browser.click_link("Demo case manager").await;
    assert_eq!(browser.heading().await, "Demo case manager");
    browser.check("workforce-person").await;

    browser.click_link("Record a supervision").await;
    assert_eq!(browser.heading().await, "Record a supervision");
    browser.check("workforce-supervision-form").await;
    browser.press("Save supervision").await;
    assert_eq!(
        browser.error_summary().await,
        [
            "Enter the date the supervision was held",
            "Enter the actions agreed, one a line"
        ]
    );
    browser.check("workforce-supervision-errors").await;

    browser.fill_date("Date of the supervision", today).await;
    let action = if javascript {
        "Chase the overdue health advice"
    } else {
        "Book the panel for the oldest request"
    };
    browser.fill("Actions agreed", action).await;
    browser.fill("Seed (optional)", "42").await;
    browser.press("Save supervision").await;
    assert_eq!(browser.banner().await, "The supervision is recorded");
    assert_eq!(
        browser.heading().await,
        format!("Supervision, {}", long(today))
    );
    assert_eq!(browser.summary_value("Sample drawn with seed").await, "42");
    assert!(
        !browser.texts("#sample li").await.is_empty(),
        "the demo case manager holds cases, so some are sampled"
    );
    browser.check("workforce-supervision").await;

    browser.choose_radio("Done").await;
    browser.fill_date("Date followed up", today).await;
    browser.press("Save follow-up").await;
    assert_eq!(browser.banner().await, "The follow-up is recorded");
    assert!(
        browser
            .texts(".govuk-list--number li")
            .await
            .iter()
            .any(|t| t.contains(action) && t.contains("Done (checked")),
        "the action shows its follow-up"
    );
    browser.check("workforce-followed-up").await;
    sign_out(browser).await;

    // The case manager reads their own record, and nobody else's.
    browser.sign_in(Role::CaseManager).await;
    browser.click_link("Workforce").await;
    // The header's account link has their name too: follow the one in the list of people.
    browser.click_first_link_to("/workforce/staff/").await;
    let listed = browser.texts(".govuk-list--spaced li").await;
    assert!(
        listed.iter().any(|t| t.starts_with(&long(today))),
        "their supervision is listed: {listed:?} on {}",
        browser.path().await
    );
    browser.check("workforce-own-record").await;
    sign_out(browser).await;
}
