//! End-to-end journeys in headless Chromium, driven over WebDriver (chromedriver) against the
//! real server listening on a loopback port, over a temporary SQLite database holding generated
//! demo cases and one account per role.
//!
//! Every journey runs twice: with JavaScript, when each page is also checked with axe-core
//! against WCAG 2.2 AA, and with JavaScript turned off, to show every page works without it.
//! Each page visited gets a screenshot in `artifacts/screenshots/`.
//!
//! Needs `chromedriver` and Chromium (Debian's `chromium-driver` and `chromium`) and
//! `web/node_modules/axe-core` (`npm ci --prefix web`). Without them the test says why and passes,
//! unless `TANDEM_BROWSER_TESTS=required` (as CI sets it), when it fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod e2e;

use std::time::Instant;

use chrono::{Datelike, Days, NaiveDate, Utc};

use e2e::{Browser, ChromeDriver, Prerequisites, Server};
use tandem_core::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_in_a_real_browser_with_and_without_javascript() {
    let prerequisites = match Prerequisites::find() {
        Ok(found) => found,
        Err(missing) if !e2e::required() => {
            eprintln!(
                "SKIPPED the browser journeys: {missing}. Set TANDEM_BROWSER_TESTS=required to \
                 make this a failure."
            );
            return;
        }
        Err(missing) => panic!("TANDEM_BROWSER_TESTS=required, but {missing}"),
    };
    let started = Instant::now();
    let server = Server::start().await;
    eprintln!(
        "server with generated cases ready after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let driver = ChromeDriver::start(&prerequisites);
    let mut violations = Vec::new();
    for javascript in [true, false] {
        let mut browser = Browser::open(&driver, &prerequisites, &server, javascript).await;
        sign_in_with_mistakes(&mut browser).await;
        administer_accounts(&mut browser).await;
        error_pages(&mut browser).await;
        work_an_overdue_case(&mut browser).await;
        oversee_the_team(&mut browser).await;
        read_the_figures(&mut browser).await;
        violations.extend(browser.close().await);
    }
    eprintln!(
        "browser journeys took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        violations.is_empty(),
        "axe-core found {} accessibility violation(s):\n\n{}",
        violations.len(),
        violations.join("\n\n")
    );
}

/// Signing in: the error summary for an empty form and for a wrong password, then the
/// administrator's home.
async fn sign_in_with_mistakes(browser: &mut Browser) {
    browser.visit("/").await;
    assert_eq!(browser.path().await, "/sign-in");
    browser.check("sign-in").await;

    browser.press("Sign in").await;
    assert_eq!(browser.heading().await, "Sign in to Tandem");
    assert!(!browser.error_summary().await.is_empty());
    browser.check("sign-in-errors").await;

    browser
        .fill("Email address", &e2e::email(Role::Admin))
        .await;
    browser.fill("Password", "not the password at all").await;
    browser.press("Sign in").await;
    assert_eq!(browser.error_summary().await.len(), 1);
    assert_eq!(
        browser.field_value("Email address").await,
        e2e::email(Role::Admin),
        "the email address is kept"
    );
    assert_eq!(browser.field_value("Password").await, "", "never sent back");

    browser.fill("Password", e2e::PASSWORD).await;
    browser.press("Sign in").await;
    assert_eq!(browser.path().await, "/admin/users");
    assert_eq!(browser.heading().await, "Accounts");
    browser.check("admin-accounts").await;
}

/// An administrator creates an account (correcting a missing password after the error summary),
/// changes its role, disables and enables it, finds it in the list and signs out.
async fn administer_accounts(browser: &mut Browser) {
    let email = format!("new.{}@demo.test", browser.run_name());
    browser.click_link("Create an account").await;
    assert_eq!(browser.heading().await, "Create an account");
    browser.check("admin-new-account").await;

    browser.fill("Full name", "Nia Brown").await;
    browser.fill("Email address", &email).await;
    browser.choose("Role", "Case manager").await;
    browser.fill("Team (optional)", "south").await;
    browser.press("Create account").await;
    assert_eq!(
        browser.error_summary().await,
        ["Password must be 12 characters or more"]
    );
    assert_eq!(browser.field_value("Full name").await, "Nia Brown");
    browser.check("admin-new-account-errors").await;

    browser.fill("Password", "a long enough passphrase").await;
    browser.press("Create account").await;
    assert_eq!(browser.heading().await, "Nia Brown");
    assert_eq!(browser.banner().await, "Account created");
    browser.check("admin-account").await;

    browser.choose("Role", "Team manager").await;
    browser.press("Change role").await;
    assert_eq!(browser.banner().await, "Role changed");
    assert_eq!(browser.summary_value("Role").await, "Team manager");

    browser.press("Disable account").await;
    assert_eq!(
        browser.banner().await,
        "Account disabled and signed out everywhere"
    );
    assert_eq!(browser.summary_value("Status").await, "Disabled");
    browser.press("Enable account").await;
    assert_eq!(browser.summary_value("Status").await, "Active");

    browser.click_link("Back to accounts").await;
    assert!(
        browser
            .texts("tbody tr td:nth-child(2)")
            .await
            .contains(&email)
    );
    sign_out(browser).await;
}

async fn sign_out(browser: &mut Browser) {
    browser.press("Sign out").await;
    assert_eq!(browser.path().await, "/sign-in");
    browser.visit("/admin/users").await;
    assert_eq!(
        browser.path().await,
        "/sign-in?next=%2Fadmin%2Fusers",
        "the session has ended"
    );
}

/// The error pages a signed-in user can meet: a page that is not there, and one their role may
/// not see. Error pages carry no navigation, so the browser stays signed in as a case manager.
async fn error_pages(browser: &mut Browser) {
    browser.sign_in(Role::CaseManager).await;
    browser.visit("/no-such-page").await;
    assert_eq!(browser.heading().await, "Page not found");
    browser.check("not-found").await;
    browser.visit("/admin/users").await;
    assert_eq!(
        browser.heading().await,
        "You do not have permission to see this page"
    );
    browser.check("forbidden").await;
}

/// A case manager opens a case for a request received ten weeks ago, finds it among the
/// overdue decisions in the caseload, records the decision (mistyping the date first, then
/// putting it right from the error summary), corrects it, and claims a statutory exception.
async fn work_an_overdue_case(browser: &mut Browser) {
    let today = Utc::now().date_naive();
    browser.visit("/").await;
    assert_eq!(browser.path().await, "/cases");
    assert_eq!(browser.heading().await, "My caseload");
    browser.check("caseload").await;

    let reference = format!("EHC-E2E-{}", browser.run_name().to_uppercase());
    // A different child in each run: the same one again would be a possible duplicate.
    let given_name = if browser.run_name() == "js" {
        "Robin"
    } else {
        "Jamie"
    };
    browser.visit("/cases/new").await;
    assert_eq!(browser.heading().await, "New request for an assessment");
    browser.check("new-request").await;
    browser.fill("Child’s first name", given_name).await;
    browser.fill("Child’s last name", "Ashworth-Quayle").await;
    browser.fill_date("Date of birth", date(2016, 3, 14)).await;
    let received = today - Days::new(70);
    browser
        .fill_date("Date the request was received", received)
        .await;
    browser.fill("Case reference", &reference).await;
    browser.press("Open case").await;
    assert_eq!(
        browser.path().await,
        format!("/cases/{reference}?done=opened")
    );

    browser.click_link("Back to cases").await;
    browser.choose("Status", "Overdue").await;
    browser.choose("Stage", "Deciding whether to assess").await;
    browser.press("Apply filters").await;
    assert!(
        browser
            .texts("tbody tr td:first-child a")
            .await
            .contains(&reference),
        "the new request is overdue for a decision"
    );
    browser.check("caseload-overdue").await;
    browser.click_link(&reference).await;
    assert_eq!(
        browser.heading().await,
        format!("{given_name} Ashworth-Quayle")
    );
    assert_eq!(browser.text_of(".govuk-caption-l").await, reference);
    browser.check("case").await;

    browser.click_link("Record the next step").await;
    assert_eq!(
        browser.heading().await,
        format!("{reference}\nWhat happened?")
    );
    browser.check("event-types").await;
    browser.choose_radio("Decision whether to assess").await;
    browser.press("Continue").await;
    assert_eq!(browser.heading().await, "Decision whether to assess");
    browser.check("record-decision").await;
    browser.choose_radio("Yes, it will assess").await;
    browser
        .fill_parts("Date of decision", ["31", "2", &today.year().to_string()])
        .await;
    browser.press("Save").await;
    assert_eq!(
        browser.error_summary().await,
        ["Date of decision must be a real date"]
    );
    assert!(
        browser.is_chosen("Yes, it will assess").await,
        "the answer is kept"
    );
    browser.check("record-decision-errors").await;
    browser.fill_date("Date of decision", today).await;
    browser.press("Save").await;
    assert_eq!(
        browser.path().await,
        format!("/cases/{reference}?done=recorded")
    );
    assert!(
        browser
            .texts("tbody tr td:nth-child(2)")
            .await
            .contains(&"Decided to carry out an assessment".to_owned())
    );

    browser
        .click_row_link("Decided to carry out an assessment", "Correct")
        .await;
    assert_eq!(
        browser.heading().await,
        "Correct: decision whether to assess"
    );
    browser.check("correct-decision").await;
    browser
        .fill_date("Date of decision", today - Days::new(1))
        .await;
    browser
        .fill(
            "Why is the record being changed?",
            "The decision letter is dated the day before it was entered.",
        )
        .await;
    browser.press("Save correction").await;
    assert_eq!(
        browser.path().await,
        format!("/cases/{reference}?done=corrected")
    );

    browser.click_link("Record an exception").await;
    assert_eq!(browser.heading().await, "Record a statutory exception");
    browser.check("record-exception").await;
    browser
        .choose_radio(
            "Exceptional personal circumstances affected the child, parent or young person \
             (regs 5(4)(c), 8(2)(a), 10(4)(c), 13(3))",
        )
        .await;
    browser
        .fill_date("Start date", received + Days::new(7))
        .await;
    browser
        .fill(
            "Why did it make meeting the time limit impractical?",
            "The family was in hospital with the child for five weeks.",
        )
        .await;
    browser
        .fill("What evidence shows it?", "A letter from the hospital.")
        .await;
    browser.press("Check whether it qualifies").await;
    assert_eq!(
        browser
            .texts(".govuk-inset-text, .govuk-warning-text")
            .await
            .len(),
        1,
        "the verdict on the claim"
    );
    browser.check("record-exception-verdict").await;
    browser.press("Record exception").await;
    assert_eq!(
        browser.path().await,
        format!("/cases/{reference}?done=exception")
    );
    browser.check("case-after-changes").await;
    sign_out(browser).await;
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
}

/// Filters the caseload to overdue cases (of one case manager, if given), checks the filter
/// worked, and opens the first. Returns its reference.
async fn open_first_overdue_case(browser: &mut Browser, manager: Option<&str>) -> String {
    browser.choose("Status", "Overdue").await;
    if let Some(manager) = manager {
        browser.choose("Case manager", manager).await;
    }
    browser.press("Apply filters").await;
    assert!(browser.path().await.starts_with("/cases?status=overdue&"));
    let statuses = browser.texts("tbody tr td:nth-child(7)").await;
    assert!(!statuses.is_empty(), "the demo data has overdue cases");
    assert!(statuses.iter().all(|s| s == "Overdue"), "{statuses:?}");
    if let Some(manager) = manager {
        let managers = browser.texts("tbody tr td:nth-child(8)").await;
        assert_eq!(managers.len(), statuses.len());
        assert!(managers.iter().all(|m| m == manager), "{managers:?}");
    } else {
        browser.check("caseload-overdue").await;
    }
    let reference = browser.texts("tbody tr td:first-child a").await[0].clone();
    browser.click_link(&reference).await;
    assert_eq!(browser.path().await, format!("/cases/{reference}"));
    reference
}

/// A team manager looks over the team's caseloads and the backlog, and hands an overdue case
/// to another case manager.
async fn oversee_the_team(browser: &mut Browser) {
    browser.sign_in(Role::TeamManager).await;
    assert_eq!(browser.heading().await, "Cases");
    browser.click_link("Team").await;
    assert_eq!(browser.heading().await, "Team caseloads");
    browser.check("team").await;
    browser.click_link("Backlog").await;
    assert_eq!(browser.heading().await, "Backlog");
    browser.check("backlog").await;

    browser.click_link("Cases").await;
    open_first_overdue_case(browser, Some("Demo case manager")).await;
    browser
        .choose("Case manager", "Amira Hussain (Case manager, north)")
        .await;
    browser.press("Reassign").await;
    assert_eq!(browser.banner().await, "Case manager changed");
    assert_eq!(browser.summary_value("Case manager").await, "Amira Hussain");
    browser.check("case-reassigned").await;
    sign_out(browser).await;
}

/// An analyst reads the dashboard, follows a figure to the (pseudonymised) cases behind it, and
/// opens the board report and the improvement plan for the same period.
async fn read_the_figures(browser: &mut Browser) {
    browser.sign_in(Role::Analyst).await;
    assert_eq!(browser.path().await, "/dashboard");
    assert_eq!(browser.heading().await, "Performance dashboard");
    browser.check("dashboard").await;

    browser.click_first_link_to("/dashboard/cases?").await;
    assert_eq!(browser.heading().await, "Cases behind a figure");
    browser.check("dashboard-cases").await;

    browser.visit("/dashboard").await;
    browser.click_link("Board report for this period").await;
    assert!(browser.path().await.starts_with("/report?"));
    browser.check("report").await;

    browser.visit("/dashboard").await;
    browser
        .click_link("Improvement plan with these figures")
        .await;
    assert_eq!(browser.heading().await, "Improvement plan");
    browser.check("plan").await;
}
