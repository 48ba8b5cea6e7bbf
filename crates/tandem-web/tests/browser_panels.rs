//! The decision panel journey in a real browser (issue 17 item 1): the head of service sets a
//! panel up (errors first), adds a member who reads pseudonymised papers, plans a meeting, opens
//! its agenda, records a decision onto a case (errors first) and the minutes, and finds the
//! decision on the case's history; the member then reads the papers without names. With and
//! without JavaScript, every page checked with axe-core.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panel_journey_in_a_real_browser_with_and_without_javascript() {
    both_ways("the panel journey", |browser, _| {
        Box::pin(run_a_panel_meeting(browser))
    })
    .await;
}

async fn run_a_panel_meeting(browser: &mut Browser) {
    let name = format!("Needs assessment panel ({})", browser.run_name());
    browser.sign_in(Role::HeadOfService).await;
    browser.visit("/panels").await;
    browser.check("panels").await;
    browser.press("Set up panel").await;
    assert_eq!(
        browser.error_summary().await,
        [
            "Enter the panel's name",
            "Choose what the panel decides",
            "Enter the panel's terms of reference"
        ]
    );
    browser.check("panels-errors").await;
    browser.fill("Name", &name).await;
    browser
        .choose_radio("Whether to carry out an EHC needs assessment")
        .await;
    browser
        .fill(
            "Terms of reference",
            "Decides whether to assess, within 6 weeks of the request. Meets every other Thursday.",
        )
        .await;
    browser.press("Set up panel").await;
    assert_eq!(browser.banner().await, "The panel was set up");
    browser.check("panel").await;

    browser
        .choose("Member of staff", "Demo case manager (Case manager)")
        .await;
    browser
        .choose_radio("No: their papers leave out names and dates of birth")
        .await;
    browser.press("Add member").await;
    assert_eq!(browser.banner().await, "The panel's members were changed");
    browser
        .fill_date("Date of the meeting", Utc::now().date_naive())
        .await;
    browser.press("Plan meeting").await;
    assert_eq!(browser.banner().await, "The meeting was planned");
    browser.check("panel-meeting").await;

    let meeting = browser.path().await;
    let meeting = meeting.split('?').next().expect("path").to_owned();
    browser
        .click_first_link_to(&format!("{meeting}/cases/"))
        .await;
    let form = browser.path().await;
    let reference = form.rsplit('/').next().expect("a reference").to_owned();
    browser.check("panel-decision").await;
    browser.press("Record decision").await;
    assert_eq!(
        browser.error_summary().await,
        ["Choose the panel's decision", "Enter the panel's reason"]
    );
    browser.check("panel-decision-errors").await;
    browser.choose_radio("Assess").await;
    browser
        .fill(
            "The panel's reason",
            "The school's evidence shows needs beyond what SEN support can meet",
        )
        .await;
    browser.press("Record decision").await;
    assert_eq!(
        browser.banner().await,
        "The decision was recorded on the case"
    );
    browser
        .fill("Minutes", "Present: the head of SEND and a case manager.")
        .await;
    browser.press("Save minutes").await;
    assert_eq!(browser.banner().await, "The minutes were saved");
    browser.check("panel-meeting-decided").await;

    // The decision is on the case's history, with the panel that took it.
    browser.visit(&format!("/cases/{reference}")).await;
    let notes = browser.texts(".govuk-body-s").await;
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with(&format!("Decided by the {name} on "))),
        "{notes:?}"
    );
    sign_out(browser).await;

    // The member reads the papers without names.
    browser.sign_in(Role::CaseManager).await;
    browser.visit("/panels").await;
    browser.check("panels-member").await;
    browser.click_first_link_to("/panels/meetings/").await;
    let cases = browser.texts("tbody th").await;
    assert!(
        !cases.is_empty() && cases.iter().all(|c| c.starts_with("Case ")),
        "{cases:?}"
    );
    browser.check("panel-papers").await;
    sign_out(browser).await;
}
