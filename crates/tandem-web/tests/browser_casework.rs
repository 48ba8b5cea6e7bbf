//! The case worker's and manager's day in headless Chromium (issue 13's journeys): a new request
//! taken to its final plan by following the case page's "Next" panel, and a team manager
//! finding the cases at risk of missing their 20 weeks and handing two of them to a colleague.
//! Each runs with JavaScript and without, every page checked with axe-core (see `e2e`).
//!
//! Run alone with `cargo test -p tandem-web --test browser_casework`; needs what `browser.rs`
//! needs (Chromium, chromedriver, `web/node_modules/axe-core`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod e2e;

use chrono::{Days, Utc};
use e2e::{Browser, both_ways, sign_out};
use tandem_core::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_request_to_its_final_plan_by_the_next_step_panel() {
    both_ways("the new request journey", |browser, _| {
        Box::pin(new_request_to_final_plan(browser))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_reassigns_two_cases_at_risk() {
    both_ways("the at-risk reassignment journey", |browser, _| {
        Box::pin(reassign_cases_at_risk(browser))
    })
    .await;
}

/// The "Next" panel's heading on the case page.
async fn next_step(browser: &Browser) -> String {
    browser.text_of("#next .govuk-summary-card__title").await
}

/// Follows the "Next" panel's "Record this step" link, checking the form it opens.
async fn record_next_step(browser: &mut Browser, reference: &str, heading: &str) {
    browser
        .click_first_link_to(&format!("/cases/{reference}/events/new?type="))
        .await;
    assert_eq!(browser.heading().await, heading);
}

async fn saved(browser: &Browser, reference: &str, done: &str) {
    assert_eq!(
        browser.path().await,
        format!("/cases/{reference}?done={done}"),
        "{:?}",
        browser.error_summary().await
    );
}

/// A case manager opens a case for a new request and follows the "Next" panel from the decision
/// to assess to the final plan, asking two services for advice in one form on the way; the final
/// plan inside the family's 15 days is warned about before it is saved.
async fn new_request_to_final_plan(browser: &mut Browser) {
    let today = Utc::now().date_naive();
    browser.sign_in(Role::CaseManager).await;
    let reference = format!("EHC-NEXT-{}", browser.run_name().to_uppercase());
    let given_name = if browser.run_name() == "js" {
        "Morgan"
    } else {
        "Rowan"
    };
    browser.visit("/cases/new").await;
    browser.fill("Child’s first name", given_name).await;
    browser.fill("Child’s last name", "Pemberton-Vale").await;
    browser
        .fill_date("Date of birth", today - Days::new(9 * 365))
        .await;
    browser
        .fill_date("Date the request was received", today - Days::new(20))
        .await;
    browser.fill("Case reference", &reference).await;
    browser.press("Open case").await;
    saved(browser, &reference, "opened").await;
    assert!(
        next_step(browser)
            .await
            .starts_with("Next: Decide whether to assess by "),
        "{}",
        next_step(browser).await
    );
    browser.check("next-decide").await;

    record_next_step(browser, &reference, "Decision whether to assess").await;
    browser.choose_radio("Yes, it will assess").await;
    browser.fill_date("Date of decision", today).await;
    browser.press("Save").await;
    saved(browser, &reference, "recorded").await;

    // Asking for advice is not a deadline of its own: "What happened?" offers the form that
    // records several requests at once.
    browser.click_link("Record the next step").await;
    browser.click_link("Record all the requests at once").await;
    assert_eq!(browser.heading().await, "Request advice");
    browser.check("request-advice").await;
    browser.press("Save requests").await;
    assert_eq!(
        browser.error_summary().await,
        [
            "Enter the date the advice was requested",
            "Select the advice you requested"
        ]
    );
    browser.check("request-advice-errors").await;
    browser
        .fill_date("Date the advice was requested", today)
        .await;
    browser.choose_radio("Health").await;
    browser
        .choose_radio("Education (the school, college or early years setting)")
        .await;
    browser.press("Save requests").await;
    saved(browser, &reference, "advice_requested").await;
    assert_eq!(browser.banner().await, "Advice requests recorded");

    // Each piece of advice is the next step until it arrives.
    for advice in [
        "Health",
        "Education (the school, college or early years setting)",
    ] {
        assert!(
            next_step(browser).await.starts_with("Next: Get the "),
            "{}",
            next_step(browser).await
        );
        record_next_step(browser, &reference, "Advice received").await;
        browser.choose_radio(advice).await;
        browser
            .fill_date("Date the advice was received", today)
            .await;
        browser.press("Save").await;
        saved(browser, &reference, "recorded").await;
    }

    assert!(
        next_step(browser)
            .await
            .starts_with("Next: Decide whether to issue a plan by "),
        "{}",
        next_step(browser).await
    );
    record_next_step(browser, &reference, "Decision whether to issue a plan").await;
    browser.choose_radio("Yes, it will issue a plan").await;
    browser.fill_date("Date of decision", today).await;
    browser.press("Save").await;
    saved(browser, &reference, "recorded").await;

    // The draft leads to the final plan; the panel names the final plan and its date.
    browser.click_link("Record the next step").await;
    browser.choose_radio("Draft plan issued").await;
    browser.press("Continue").await;
    browser
        .fill_date("Date the draft plan was issued", today)
        .await;
    browser.press("Save").await;
    saved(browser, &reference, "recorded").await;
    assert!(
        next_step(browser)
            .await
            .starts_with("Next: Issue the final plan by "),
        "{}",
        next_step(browser).await
    );
    browser.check("next-final").await;

    record_next_step(browser, &reference, "Final plan issued").await;
    browser
        .fill_date("Date the final plan was issued", today)
        .await;
    browser.press("Save").await;
    assert_eq!(browser.banner().await, "Check before you save");
    browser.check("final-plan-warning").await;
    browser
        .fill(
            "Why are you recording it anyway?",
            "The family agreed the draft at a meeting and asked for the final plan at once",
        )
        .await;
    browser.press("Save anyway").await;
    saved(browser, &reference, "recorded").await;
    assert!(
        browser
            .texts("tbody tr td")
            .await
            .iter()
            .any(|cell| cell.starts_with("Final plan issued")),
        "the final plan is in the case's history"
    );
    browser.check("final-plan-issued").await;
    sign_out(browser).await;
}

/// A team manager filters the caseload to one case manager's cases at risk of missing their 20
/// weeks (the harness seeds four), ticks two and gives them to a colleague with a reason; each
/// case then names the new case manager.
async fn reassign_cases_at_risk(browser: &mut Browser) {
    browser.sign_in(Role::TeamManager).await;
    browser.visit("/cases").await;
    browser.choose("Case manager", "Demo case manager").await;
    browser
        .choose_radio("at risk of missing the 20 weeks for the final plan")
        .await;
    browser.press("Apply filters").await;
    assert!(browser.path().await.contains("at_risk=1"));
    browser.check("caseload-at-risk").await;
    let references = browser.texts("tbody tr td[data-label='Reference'] a").await;
    assert!(
        references.len() >= 2,
        "the demo data has cases at risk: {references:?}"
    );
    let chosen = &references[..2];
    for reference in chosen {
        browser.choose_radio(&format!("Select {reference}")).await;
    }
    browser
        .choose(
            "Give the selected cases to",
            "Amira Hussain (Case manager, north)",
        )
        .await;
    browser.press("Reassign selected cases").await;
    assert_eq!(
        browser.error_summary().await,
        ["Enter why the cases are being reassigned"]
    );
    browser.check("reassign-errors").await;
    browser
        .fill("Reason", "Balancing caseloads before the half-term panel")
        .await;
    browser.press("Reassign selected cases").await;
    assert_eq!(browser.banner().await, "2 cases reassigned");
    for reference in chosen {
        browser.visit(&format!("/cases/{reference}")).await;
        assert_eq!(browser.summary_value("Case manager").await, "Amira Hussain");
    }
    sign_out(browser).await;
}
