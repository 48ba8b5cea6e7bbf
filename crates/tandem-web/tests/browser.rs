//! End-to-end journeys in headless Chromium, driven over WebDriver (chromedriver) against the
//! real server listening on a loopback port, over a temporary SQLite database holding generated
//! demo cases and one account per role.
//!
//! Every journey runs twice: with JavaScript, when each page is also checked with axe-core
//! against WCAG 2.2 AA, and with JavaScript turned off, to show every page works without it.
//! Each page visited gets a screenshot in `artifacts/screenshots/`. The main journeys are also
//! made with the keyboard alone, checking where focus lands after each step. Then every role's
//! reachable pages are crawled at 320 CSS pixels wide (no page wider than the window; axe-core
//! again) and with the browser's text size doubled (no page wider, no text cut off).
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

use e2e::{
    Browser, ChromeDriver, Focus, Prerequisites, Server, Window, assert_no_violations, both_ways,
    desktop, prerequisites, sign_out,
};
use fantoccini::key::Key;
use tandem_core::Role;

/// The most pages a crawl of one role's pages visits.
const CRAWL_LIMIT: usize = 30;

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
    let mut problems = Vec::new();
    for javascript in [true, false] {
        let mut browser = desktop(&driver, &prerequisites, &server, javascript).await;
        sign_in_with_mistakes(&mut browser).await;
        administer_accounts(&mut browser).await;
        sign_in_with_a_code(&mut browser).await;
        error_pages(&mut browser).await;
        work_an_overdue_case(&mut browser).await;
        oversee_the_team(&mut browser).await;
        read_the_figures(&mut browser).await;
        add_a_report(&mut browser).await;
        write_advice(&mut browser).await;
        family_and_council_write(&mut browser).await;
        keyboard_only(&browser).await;
        let (found, _) = browser.close().await;
        violations.extend(found);
    }
    eprintln!(
        "browser journeys took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for window in [Window::Narrow, Window::LargeText] {
        let crawl_started = Instant::now();
        let mut browser = Browser::open(&driver, &prerequisites, &server, true, window).await;
        let mut pages = 0;
        for &role in Role::ALL {
            browser.sign_in(role).await;
            pages += browser.crawl(role.as_str(), CRAWL_LIMIT).await.len();
            // Error pages have no sign-out button; the statement has one for every role.
            browser.visit("/accessibility").await;
            sign_out(&browser).await;
        }
        eprintln!(
            "{window:?}: crawled {pages} pages of every role in {:.1} s",
            crawl_started.elapsed().as_secs_f64()
        );
        let (found, failed) = browser.close().await;
        violations.extend(found);
        problems.extend(failed);
    }
    eprintln!(
        "browser journeys and crawls took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_no_violations(&violations);
    assert!(
        problems.is_empty(),
        "{} page(s) do not reflow or resize:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

/// The EHC plan on its own (run it alone with `cargo test --test browser plan_`): a case
/// manager writes a need and provision for it, sees the vague provision found, fixes it, and
/// issues the draft; with and without JavaScript, every page checked with axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_journey_in_a_real_browser_with_and_without_javascript() {
    both_ways("the plan journey", |browser, _| {
        Box::pin(write_and_issue_a_plan(browser))
    })
    .await;
}

/// The plan audit cycle on its own (run it alone with `cargo test --test browser audit_`): the
/// head of service draws a sample of this term's final plans and gives one to the QA auditor,
/// who grades it (errors first); the head of service settles its grade and reads the term
/// report. With and without JavaScript, every page checked with axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_journey_in_a_real_browser_with_and_without_javascript() {
    both_ways("the audit journey", |browser, _| {
        Box::pin(run_an_audit(browser))
    })
    .await;
}

/// Editing an improvement-plan action on its own (run it alone with `cargo test --test browser
/// improvement_plan_`): the head of service opens an action from /plan, saves with the owner
/// left empty (the error summary first), puts it right and sees the update in the action's
/// history. With and without JavaScript, every page checked with axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn improvement_plan_journey_in_a_real_browser_with_and_without_javascript() {
    both_ways("the improvement plan journey", |browser, javascript| {
        Box::pin(edit_an_improvement_plan_action(browser, javascript))
    })
    .await;
}

/// Open an action from the plan, fail to save it without an owner, then update it.
async fn edit_an_improvement_plan_action(browser: &mut Browser, javascript: bool) {
    const ACTION: &str = "Train case managers to summarise health and social care advice in plans";
    browser.sign_in(Role::HeadOfService).await;
    browser.visit("/plan").await;
    assert_eq!(browser.heading().await, "Improvement plan");
    browser.check("improvement-plan").await;
    browser.click_row_link(ACTION, "Update").await;
    assert_eq!(browser.heading().await, ACTION);
    browser.check("improvement-plan-action").await;
    let note = if javascript {
        "Trainer found; sessions booked"
    } else {
        "First session held"
    };
    browser.fill("Owner", "").await;
    browser.choose_radio("In progress").await;
    browser
        .fill("Update (optional if you changed something above)", note)
        .await;
    browser.press("Save update").await;
    assert_eq!(
        browser.error_summary().await,
        ["Enter the officer or role answerable for the action"]
    );
    browser.check("improvement-plan-action-errors").await;
    browser
        .fill("Owner", "Principal educational psychologist")
        .await;
    browser.press("Save update").await;
    assert_eq!(browser.banner().await, "The action is updated");
    assert_eq!(
        browser.summary_value("Owner").await,
        "Principal educational psychologist"
    );
    let history = browser.texts("main ol li p").await;
    assert_eq!(history.first().map(String::as_str), Some(note));
    browser.check("improvement-plan-action-updated").await;
    sign_out(browser).await;
}

/// The dashboard's first screen (run it alone with `cargo test --test browser dashboard_`): in
/// a 1280-pixel-wide window the four headline tiles end within the first 900 pixels, above the
/// period form and the charts, and the page passes axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_tiles_are_on_the_first_screen() {
    let Some(prerequisites) = prerequisites("the dashboard's first screen") else {
        return;
    };
    let server = Server::start().await;
    let driver = ChromeDriver::start(&prerequisites);
    let mut browser = Browser::open(&driver, &prerequisites, &server, true, Window::Desktop).await;
    browser.sign_in(Role::HeadOfService).await;
    browser.visit("/dashboard").await;
    assert_eq!(
        browser.texts(".tandem-tile h3").await.len(),
        4,
        "four headline tiles"
    );
    let (width, tiles_end) = browser.lowest_bottom(".tandem-tile").await;
    assert!(width >= 1264.0, "a 1280-pixel window, not {width}");
    assert!(
        tiles_end > 0.0 && tiles_end <= 900.0,
        "the tiles end {tiles_end} pixels down"
    );
    let (_, form_end) = browser.lowest_bottom("details.govuk-details summary").await;
    assert!(
        form_end > tiles_end,
        "the period form comes after the tiles"
    );
    browser.check("dashboard-first-screen").await;
    sign_out(&browser).await;
    let (violations, _) = browser.close().await;
    assert_no_violations(&violations);
}

/// Draw, assign, grade, settle, report.
async fn run_an_audit(browser: &mut Browser) {
    use tandem_core::plan::audit::Term;
    let term = Term::containing(Utc::now().date_naive()).label();
    browser.sign_in(Role::HeadOfService).await;
    browser.visit("/audits").await;
    browser.check("audits").await;
    browser.choose("Term", &term).await;
    browser.fill("How many plans", "").await;
    browser.press("Draw the sample").await;
    assert_eq!(
        browser.error_summary().await,
        ["Enter how many plans to draw, from 1 to 50"]
    );
    browser.check("audits-errors").await;
    browser.fill("How many plans", "2").await;
    browser.fill("Seed (optional)", "42").await;
    browser.press("Draw the sample").await;
    assert_eq!(browser.banner().await, "Sample drawn");
    let round = browser.path().await;
    let round = round.split('?').next().expect("path").to_owned();
    browser.check("audit-round").await;
    // The first plan's reference, from its heading ("Case E2E-FINAL-2, plan version 2").
    let heading = browser.text_of("section h2").await;
    let reference = heading
        .trim_start_matches("Case ")
        .split(',')
        .next()
        .expect("a reference")
        .to_owned();
    browser
        .choose(
            &format!("Auditor for case {reference}"),
            "Demo quality assurance auditor (quality assurance auditor)",
        )
        .await;
    browser
        .choose(&format!("Audits for case {reference}"), "Education")
        .await;
    let assign = format!("Assign an auditor to case {reference}");
    browser.press(&assign).await;
    assert_eq!(browser.banner().await, "Auditor assigned");
    sign_out(browser).await;

    // The QA auditor starts at their tray and grades the plan: errors first.
    browser.sign_in(Role::QaAuditor).await;
    assert_eq!(browser.path().await, "/audits");
    browser
        .click_first_link_to(&format!("{round}/plans/"))
        .await;
    let plan = browser.path().await;
    browser.check("audit-plan").await;
    browser
        .choose_radio("Requires improvement for views, interests and aspirations")
        .await;
    browser.press("Save grades").await;
    let errors = browser.error_summary().await;
    assert_eq!(errors.len(), 7, "{errors:?}");
    assert_eq!(
        errors[0],
        "Say what would make views, interests and aspirations better"
    );
    browser.check("audit-plan-errors").await;
    assert!(
        browser
            .is_chosen("Requires improvement for views, interests and aspirations")
            .await,
        "what was chosen is kept"
    );
    browser
        .fill(
            "Comment on views, interests and aspirations",
            "The child's own words are missing",
        )
        .await;
    for criterion in [
        "needs",
        "outcomes",
        "provision",
        "placement",
        "advice and information",
        "the golden thread",
    ] {
        browser.choose_radio(&format!("Good for {criterion}")).await;
    }
    browser.press("Save grades").await;
    assert_eq!(browser.banner().await, "Your grades are saved");
    sign_out(browser).await;

    // The head of service, who did not audit it, settles the grade and reads the report.
    browser.sign_in(Role::HeadOfService).await;
    browser.visit(&plan).await;
    assert!(
        browser.is_chosen("Good").await,
        "the auditors' grades point to Good"
    );
    browser.press("Settle the grade").await;
    assert_eq!(
        browser.error_summary().await,
        ["Say why this is the grade, especially where the auditors differ"]
    );
    browser
        .fill(
            "Why this grade",
            "Clear plan; section A needs the child's voice",
        )
        .await;
    browser.press("Settle the grade").await;
    assert_eq!(browser.banner().await, "Grade settled");
    browser.check("audit-plan-settled").await;
    browser.visit("/audits/report").await;
    assert!(browser.text_of("main").await.contains(&term));
    browser.check("audit-report").await;
    sign_out(browser).await;
}

/// A plan from nothing to an issued draft, on a case of the case manager's that has none yet
/// (each run takes the next case in the list, so the two runs do not meet).
async fn write_and_issue_a_plan(browser: &mut Browser) {
    browser.sign_in(Role::CaseManager).await;
    start_a_plan_from_advice(browser).await;
    let mut plan = String::new();
    for n in 1..=10 {
        browser.visit("/cases").await;
        let links = browser.attrs("table a[href^=\"/cases/\"]", "href").await;
        let Some(case) = links.get(n) else { break };
        browser.visit(&format!("{case}/plan")).await;
        if browser.texts("#plan-grade").await.len() == 1
            && browser.text_of("main").await.contains("Not saved yet")
        {
            plan = format!("{case}/plan");
            break;
        }
    }
    assert!(!plan.is_empty(), "a case without a plan");
    browser.check("plan-overview").await;

    browser.visit(&format!("{plan}/B")).await;
    browser.press("Add another need").await;
    browser.visit(&format!("{plan}/B")).await;
    browser
        .fill(
            "Need 1 (n1)",
            "Finds it hard to follow spoken instructions in class",
        )
        .await;
    browser.press("Save and check").await;
    assert_eq!(browser.path().await, format!("{plan}?done=saved"));

    browser.visit(&format!("{plan}/F")).await;
    browser.press("Add another provision").await;
    browser.visit(&format!("{plan}/F")).await;
    browser
        .fill(
            "What is provided",
            "Access to speech and language therapy as appropriate",
        )
        .await;
    browser.press("Save and check").await;
    browser.visit(&format!("{plan}/F")).await;
    let found = browser.texts(".tandem-findings strong").await;
    assert!(found.iter().any(|f| f.starts_with("P2")), "{found:?}");
    browser.check("plan-section-finding").await;

    browser
        .fill(
            "What is provided",
            "Speech and language therapy targeting attention and listening",
        )
        .await;
    browser
        .fill(
            "Who delivers it (role or qualification)",
            "A speech and language therapist",
        )
        .await;
    browser.fill("How often", "Weekly").await;
    browser.fill("For how long each time", "30 minutes").await;
    browser.fill("Group size or ratio", "1:1").await;
    browser
        .fill("Until when, or the review point", "The annual review")
        .await;
    browser
        .choose_radio("B n1: Finds it hard to follow spoken instructions in class")
        .await;
    browser.press("Save and check").await;
    browser.visit(&format!("{plan}/F")).await;
    let found = browser.texts(".tandem-findings strong").await;
    assert!(!found.iter().any(|f| f.starts_with("P2")), "{found:?}");

    browser.visit(&plan).await;
    browser.press("Issue draft plan").await;
    assert_eq!(browser.path().await, format!("{plan}?done=draft"));
    assert_eq!(
        browser.banner().await,
        "The draft plan was issued and recorded on the case"
    );
    browser.check("plan-draft-issued").await;
    browser.click_link("Draft plan 1").await;
    browser.check("plan-print").await;
    browser.visit(&plan).await;
    browser.click_link("Compare versions").await;
    assert_eq!(browser.texts("caption").await.len(), 12);
    browser.check("plan-compare").await;

    // The case manager asks for sign-off; the plan waits on the signer's list.
    browser.visit(&plan).await;
    browser
        .fill(
            "Note for the person signing off (optional)",
            "The family agreed the draft at the review meeting",
        )
        .await;
    browser.press("Ask for sign-off").await;
    assert_eq!(
        browser.banner().await,
        "Sign-off was asked for: the plan is on the signers' list"
    );
    browser.check("plan-sign-off-asked").await;
    sign_out(browser).await;

    // The head of service finds it on the team page, is shown what blocks the final plan, and
    // is told each reason missing.
    browser.sign_in(Role::HeadOfService).await;
    browser.visit("/team").await;
    browser.check("team-sign-off-list").await;
    browser
        .click_first_link_to(&format!("{plan}/issue-final"))
        .await;
    assert_eq!(browser.heading().await, "Sign off and issue the final plan");
    browser.check("plan-sign-off").await;
    browser.press("Issue the final plan").await;
    assert!(!browser.error_summary().await.is_empty());
    browser.check("plan-sign-off-problems").await;

    // Each blocking finding acknowledged, and why the plan cannot wait for the family's 15 days.
    let reasons = browser
        .fill_all("textarea", "Agreed with the family at the EHC panel")
        .await;
    assert!(reasons >= 2, "findings and the early reason: {reasons}");
    browser.press("Issue the final plan").await;
    assert_eq!(browser.path().await, format!("{plan}?done=final"));
    browser.check("plan-final-issued").await;
    browser.click_link("Final plan 2").await;
    browser.check("plan-final-print").await;
    let pdf = browser
        .attrs("a[download]", "href")
        .await
        .pop()
        .expect("a link to the PDF");
    let (status, content_type, start) = browser.download(&pdf).await;
    assert_eq!(
        (status, content_type.as_str(), start.as_str()),
        (200, "application/pdf", "%PDF-")
    );
    sign_out(browser).await;
}

/// The case manager starts a plan from the health advice submitted on the standard form: its
/// need, outcome and provision land in the plan with their source in section K. Each run of the
/// journey takes the first of the two seeded cases whose advice is not in a plan yet.
async fn start_a_plan_from_advice(browser: &mut Browser) {
    let mut started = false;
    for n in 1..=2 {
        let plan = format!("/cases/E2E-PLAN-{n}/plan");
        browser.visit(&plan).await;
        if !browser
            .text_of("main")
            .await
            .contains("Add the advice received (1)")
        {
            continue;
        }
        browser.press("Add the advice received (1)").await;
        assert_eq!(
            browser.banner().await,
            "The advice received was added to the plan"
        );
        let main = browser.text_of("main").await;
        assert!(
            main.contains("Epilepsy, with seizures most weeks"),
            "{main}"
        );
        browser.check("plan-from-advice").await;
        started = true;
        break;
    }
    assert!(started, "a seeded case with advice to start a plan from");
}

/// Signing in: the error summary for an empty form and for a wrong password, then the
/// administrator's home.
async fn sign_in_with_mistakes(browser: &mut Browser) {
    browser.visit("/").await;
    assert_eq!(browser.path().await, "/sign-in");
    browser.check("sign-in").await;
    // The accessibility statement, from the footer, before signing in.
    browser.click_link("Accessibility statement").await;
    assert_eq!(browser.path().await, "/accessibility");
    assert_eq!(
        browser.heading().await,
        "Accessibility statement for Tandem"
    );
    browser.check("accessibility-signed-out").await;
    browser.visit("/sign-in").await;

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
/// changes its role, disables and enables it, finds it in the list, reads the notifications
/// waiting to be sent and signs out.
async fn administer_accounts(browser: &mut Browser) {
    let email = format!("new.{}@demo.test", browser.run_name());
    browser.click_link("Create an account").await;
    assert_eq!(browser.heading().await, "Create an account");
    browser.check("admin-new-account").await;

    browser.fill("Full name", "Nia Brown").await;
    browser.fill("Email address", &email).await;
    browser.choose("Role", "Case manager").await;
    browser.choose("Team (optional)", "north").await;
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
    // The emails waiting to be sent, and why any failed.
    browser.click_link("Notifications by email").await;
    assert_eq!(browser.heading().await, "Notifications by email");
    browser.check("admin-notifications").await;
    sign_out(browser).await;
    set_up_two_factor_from_the_account_page(browser, &email).await;
}

/// The new team manager signs in with their password alone (staff need no code), opens their
/// account from the header and sets two-factor sign-in up from it.
async fn set_up_two_factor_from_the_account_page(browser: &mut Browser, email: &str) {
    browser.visit("/sign-in").await;
    browser.fill("Email address", email).await;
    browser.fill("Password", "a long enough passphrase").await;
    browser.press("Sign in").await;
    browser.click_link("Nia Brown").await;
    assert_eq!(browser.heading().await, "Your account");
    browser.check("account").await;
    browser.press("Set up two-factor sign-in").await;
    assert_eq!(browser.heading().await, "Set up two-factor sign-in");
    browser.check("two-factor-set-up").await;
    let secret = browser.texts("#secret").await.concat().replace(' ', "");
    browser
        .fill("Code from your authenticator app", &e2e::code_for(&secret))
        .await;
    browser.press("Continue").await;
    assert_eq!(browser.heading().await, "Two-factor sign-in is set up");
    browser.check("two-factor-recovery-codes").await;
    browser.click_link("Continue").await;
    assert_eq!(browser.path().await, "/account");
    assert_eq!(browser.summary_value("Role").await, "Team manager");
    sign_out(browser).await;
}

/// The error pages a signed-in user can meet: a page that is not there, and one their role may
/// not see. Error pages carry no navigation, so the browser stays signed in as a case manager.
/// A professional who set two-factor sign-in up gives the code from their authenticator app on
/// a second page, after a wrong one, looking at the recovery-code page on the way.
async fn sign_in_with_a_code(browser: &mut Browser) {
    browser.visit("/sign-in").await;
    browser
        .fill("Email address", &e2e::two_factor_email(browser.run_name()))
        .await;
    browser.fill("Password", e2e::PASSWORD).await;
    browser.press("Sign in").await;
    assert_eq!(browser.path().await, "/sign-in/two-factor");
    assert_eq!(
        browser.heading().await,
        "Enter the code from your authenticator app"
    );
    browser.check("two-factor-code").await;

    browser
        .click_link("I cannot use my authenticator app")
        .await;
    assert_eq!(browser.heading().await, "Enter a recovery code");
    browser.check("two-factor-recovery-code").await;
    browser
        .click_link("Use a code from your authenticator app instead")
        .await;

    let code = e2e::two_factor_code();
    let wrong: u32 = (code.parse::<u32>().expect("digits") + 500_000) % 1_000_000;
    browser
        .fill("Code from your authenticator app", &format!("{wrong:06}"))
        .await;
    browser.press("Continue").await;
    assert_eq!(
        browser.error_summary().await,
        ["The code is not right or has expired. Enter the code your authenticator app shows now"]
    );
    browser.check("two-factor-code-errors").await;
    browser
        .fill("Code from your authenticator app", &e2e::two_factor_code())
        .await;
    browser.press("Continue").await;
    assert_eq!(browser.path().await, "/advice");
    browser.press("Sign out").await;
}

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
            .texts("tbody tr td[data-label='Reference'] a")
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
        format!("{reference} – {given_name} Ashworth-Quayle\nWhat happened?")
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
            .texts(".govuk-inset-text:not(.tandem-due-dates), .govuk-warning-text")
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
    assert!(browser.path().await.contains("status=overdue"));
    let statuses = browser.texts("tbody tr td[data-label='Status']").await;
    assert!(!statuses.is_empty(), "the demo data has overdue cases");
    assert!(statuses.iter().all(|s| s == "Overdue"), "{statuses:?}");
    if let Some(manager) = manager {
        let managers = browser
            .texts("tbody tr td[data-label='Case manager']")
            .await;
        assert_eq!(managers.len(), statuses.len());
        assert!(managers.iter().all(|m| m == manager), "{managers:?}");
    } else {
        browser.check("caseload-overdue").await;
    }
    let reference = browser.texts("tbody tr td[data-label='Reference'] a").await[0].clone();
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

    browser
        .open_details("Show every headline measure as a table")
        .await;
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
    sign_out(browser).await;
}

/// A professional attaches a report from the advice form of a request to their service: the
/// empty form's error summary, then a PDF; back on the advice form with a banner, and the report
/// listed on the case page with their name. `write_advice` then submits the same request.
async fn add_a_report(browser: &mut Browser) {
    let folder = tempfile::tempdir().expect("a folder");
    let file = folder.path().join("paediatric-report.pdf");
    std::fs::write(&file, b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n").expect("a PDF");
    browser.sign_in(Role::HealthProfessional).await;
    browser.click_first_link_to("/advice/").await;
    let form = browser.path().await;
    let reference = form.split('/').nth(2).expect("a reference").to_owned();
    browser.visit(&format!("/cases/{reference}")).await;
    let rows = "#documents + table tbody tr";
    let before = browser.texts(rows).await.len();
    browser.visit(&form).await;
    browser.click_link("attach a report to this case").await;
    browser.check("document-form").await;
    browser.press("Add document").await;
    assert_eq!(
        browser.error_summary().await,
        ["Enter a title for the document", "Select a file"]
    );
    browser.check("document-form-problems").await;
    browser.fill("Title", "Paediatric report").await;
    browser.choose_file("Upload a file", &file).await;
    browser.press("Add document").await;
    assert_eq!(browser.path().await, format!("{form}?done=report"));
    assert!(
        browser
            .banner()
            .await
            .starts_with("Report attached to the case.")
    );
    browser.check("document-added").await;
    browser.visit(&format!("/cases/{reference}")).await;
    let listed = browser.texts(rows).await;
    assert_eq!(listed.len(), before + 1);
    assert!(
        listed.iter().any(|r| r.contains("Paediatric report")),
        "{listed:?}"
    );
    sign_out(browser).await;
}

/// A health professional opens their service's work tray, tries to submit an empty form,
/// saves a draft, adds a provision row and submits; the request leaves the tray.
async fn write_advice(browser: &mut Browser) {
    browser.sign_in(Role::HealthProfessional).await;
    assert_eq!(browser.path().await, "/advice");
    assert_eq!(browser.heading().await, "Advice requests");
    browser.check("advice-tray").await;
    let waiting = browser.texts(".govuk-summary-card__title").await.len();
    assert!(waiting > 0, "the demo service has requests waiting");

    browser.click_first_link_to("/advice/").await;
    let form = browser.path().await;
    browser.check("advice-form").await;
    browser.press("Submit advice").await;
    let problems = browser.error_summary().await;
    assert_eq!(
        problems.first().map(String::as_str),
        Some("Enter the child’s health needs")
    );
    browser.check("advice-form-problems").await;

    browser
        .fill("The child’s health needs", "Delayed expressive language")
        .await;
    browser.press("Save as draft").await;
    assert_eq!(browser.path().await, format!("{form}?done=saved"));
    assert!(browser.banner().await.starts_with("Draft saved at"));
    browser.check("advice-draft-saved").await;

    browser
        .fill(
            "The outcomes sought",
            "By July, uses three-word phrases in class",
        )
        .await;
    browser
        .fill("What is to be provided", "Speech and language therapy")
        .await;
    browser
        .fill(
            "Who will provide it (role or qualification)",
            "A speech and language therapist",
        )
        .await;
    browser.fill("How often", "Weekly").await;
    browser
        .fill(
            "For how long each time, and over what period",
            "45 minutes, for two terms",
        )
        .await;
    browser.press("Add another provision").await;
    assert_eq!(
        browser.texts("fieldset legend").await,
        ["Provision 1", "Provision 2"]
    );
    browser
        .fill("Who was consulted", "Parents and class teacher")
        .await;
    browser.press("Submit advice").await;
    assert_eq!(browser.path().await, "/advice?done=submitted");
    assert_eq!(
        browser.banner().await,
        "Your advice was submitted and recorded on the case"
    );
    assert_eq!(
        browser.texts(".govuk-summary-card__title").await.len(),
        waiting - 1
    );
    browser.check("advice-submitted").await;
    sign_out(browser).await;
}

/// A parent reads their child's case, writes to the council and comments on the draft plan; a
/// team manager finds the message on the duty list, answers it and reads the comment under the
/// plan.
async fn family_and_council_write(browser: &mut Browser) {
    browser.sign_in(Role::Parent).await;
    assert_eq!(browser.path().await, "/cases");
    browser.click_first_link_to("/cases/").await;
    assert!(
        browser
            .texts("h2")
            .await
            .contains(&"What happens next".to_owned())
    );
    browser.check("family-case").await;
    browser.click_link("Send a message to the council").await;
    assert_eq!(browser.heading().await, "Send a message to the council");
    browser.check("send-message").await;
    browser.press("Send message").await;
    assert_eq!(browser.error_summary().await, ["Enter your message"]);
    browser
        .fill("Your message", "Can the meeting be after school, please?")
        .await;
    browser.press("Send message").await;
    assert_eq!(browser.banner().await, "Message sent");
    browser.check("message-sent").await;

    // The draft plan: an empty comment is refused, then one about section F is sent.
    browser
        .click_link("Comment on the draft plan or name the school you would like")
        .await;
    assert_eq!(browser.heading().await, "Comment on the draft plan");
    browser.check("plan-comment").await;
    browser.press("Send comment").await;
    assert_eq!(
        browser.error_summary().await,
        ["Enter your comment, name the school or setting you would like, or ask for a meeting"]
    );
    browser.check("plan-comment-problems").await;
    browser
        .fill("Your comment", "Please add swimming lessons to the plan.")
        .await;
    browser
        .fill(
            "School or setting you would like named (optional)",
            "Riverside Primary School",
        )
        .await;
    browser.press("Send comment").await;
    assert_eq!(
        browser.banner().await,
        "Your comment on the draft plan was sent to the council"
    );
    let case = browser.path().await;
    let case = case.split('?').next().expect("a path").to_owned();
    sign_out(browser).await;

    browser.sign_in(Role::TeamManager).await;
    browser.click_link("Messages").await;
    assert_eq!(browser.heading().await, "Messages awaiting a reply");
    browser.check("duty").await;
    browser.click_first_link_to("/cases/").await;
    assert!(browser.texts("h2").await.contains(&"Messages".to_owned()));
    browser.visit("/duty").await;
    browser
        .click_row_link("Demo parent or carer", "Reply")
        .await;
    browser.check("reply").await;
    browser
        .fill("Your reply", "Yes, 4pm on Tuesday suits us.")
        .await;
    browser.press("Send reply").await;
    assert_eq!(browser.banner().await, "Reply sent");
    // The family's comment is under the plan for the case's staff.
    browser.visit(&format!("{case}/plan")).await;
    assert!(
        browser
            .text_of("main")
            .await
            .contains("Please add swimming lessons to the plan."),
        "the comment is listed under the plan"
    );
    browser.check("plan-comments-read").await;
    sign_out(browser).await;
}

/// The journeys again with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrows and
/// typing; no mouse), checking after each step where focus is: on the error summary after a
/// mistake, on the field its link names, on the success banner after a save. Every Tab stop
/// must show a focus indicator and come next in the reading order (`Browser::tab`).
async fn keyboard_only(browser: &Browser) {
    let today = Utc::now().date_naive();
    browser.visit("/accessibility").await;
    browser.tab_through_page().await;
    browser.visit("/sign-in").await;
    browser.tab_through_page().await;
    sign_in_by_keyboard(browser, Role::CaseManager).await;
    assert_eq!(browser.path().await, "/cases");
    browser.tab_through_page().await;

    // Finding a case: filter the caseload, open the first case.
    browser.visit("/cases").await;
    browser.tab_to("Status").await;
    browser.type_text("Overdue").await;
    browser.tab_to("Apply filters").await;
    browser.key_to_page(Key::Enter, "Apply filters").await;
    assert!(browser.path().await.contains("status=overdue"));
    let case = browser
        .tab_until("a case", |f| f.href.starts_with("/cases/EHC-"))
        .await;
    browser.key_to_page(Key::Enter, "a case").await;
    assert_eq!(browser.path().await, case.href);
    browser.tab_through_page().await;

    // A new request, then recording the next step with a mistake in the date.
    browser.visit("/cases").await;
    browser.tab_to("New request").await;
    browser.key_to_page(Key::Enter, "New request").await;
    let reference = format!("EHC-KEYS-{}", browser.run_name().to_uppercase());
    let given_name = if browser.run_name() == "js" {
        "Kit"
    } else {
        "Sol"
    };
    let received = today - Days::new(30);
    for (label, value) in [
        ("Child’s first name", given_name.to_owned()),
        ("Child’s last name", "Keyboard-Quayle".to_owned()),
        ("Day", "9".to_owned()),
        ("Month", "7".to_owned()),
        ("Year", "2015".to_owned()),
        ("Day", received.day().to_string()),
        ("Month", received.month().to_string()),
        ("Year", received.year().to_string()),
        ("Case reference", reference.clone()),
    ] {
        browser.tab_to(label).await;
        browser.type_text(&value).await;
    }
    browser.tab_to("Open case").await;
    browser.key_to_page(Key::Enter, "Open case").await;
    assert_eq!(
        browser.path().await,
        format!("/cases/{reference}?done=opened")
    );
    assert_banner_has_focus(browser, "Case opened").await;

    browser.tab_to("Record the next step").await;
    browser
        .key_to_page(Key::Enter, "Record the next step")
        .await;
    browser
        .choose_radio_by_keyboard("Decision whether to assess")
        .await;
    browser.tab_to("Continue").await;
    browser.key_to_page(Key::Enter, "Continue").await;
    assert_eq!(browser.heading().await, "Decision whether to assess");
    browser
        .choose_radio_by_keyboard("Yes, it will assess")
        .await;
    for (label, value) in [("Day", "31"), ("Month", "2"), ("Year", "2026")] {
        browser.tab_to(label).await;
        browser.type_text(value).await;
    }
    browser.tab_to("Save").await;
    browser.key_to_page(Key::Enter, "Save").await;
    assert_error_summary_has_focus(browser).await;
    follow_error_link(browser, "Date of decision must be a real date", "Day").await;
    browser.retype(&today.day().to_string()).await;
    browser.tab_to("Month").await;
    browser.retype(&today.month().to_string()).await;
    browser.tab_to("Year").await;
    browser.retype(&today.year().to_string()).await;
    browser.tab_to("Save").await;
    browser.key_to_page(Key::Enter, "Save").await;
    assert_eq!(
        browser.path().await,
        format!("/cases/{reference}?done=recorded")
    );
    assert_banner_has_focus(browser, "").await;
    sign_out_by_keyboard(browser).await;

    // The dashboard: its tables' scrolling boxes take focus; a link leads to the board report.
    sign_in_by_keyboard(browser, Role::Analyst).await;
    assert_eq!(browser.path().await, "/dashboard");
    // The tables are folded under their charts: Enter on a summary opens one.
    browser
        .tab_until("a chart's table, folded", |f| {
            f.text.starts_with("Show the figures as a table")
        })
        .await;
    browser.key(None, Key::Enter).await;
    let region = browser
        .tab_until("a table's scrolling box", |f| {
            f.has_class("tandem-table-scroll")
        })
        .await;
    assert_eq!(region.tag, "div", "{region:?}");
    browser.visit("/dashboard").await;
    browser.tab_to("Board report for this period").await;
    browser.key_to_page(Key::Enter, "the board report").await;
    assert!(browser.path().await.starts_with("/report?"));
    sign_out_by_keyboard(browser).await;

    // An administrator creates an account, forgetting the password first.
    sign_in_by_keyboard(browser, Role::Admin).await;
    browser.tab_to("Create an account").await;
    browser.key_to_page(Key::Enter, "Create an account").await;
    let email = format!("keys.{}@demo.test", browser.run_name());
    for (label, value) in [
        ("Full name", "Kai Brown"),
        ("Email address", email.as_str()),
        ("Role", "Case manager"),
    ] {
        browser.tab_to(label).await;
        browser.type_text(value).await;
    }
    browser.tab_to("Create account").await;
    browser.key_to_page(Key::Enter, "Create account").await;
    assert_error_summary_has_focus(browser).await;
    follow_error_link(
        browser,
        "Password must be 12 characters or more",
        "Password",
    )
    .await;
    browser.type_text("a long enough passphrase").await;
    browser
        .key_to_page(Key::Enter, "Enter in the password")
        .await;
    assert_eq!(browser.heading().await, "Kai Brown");
    assert_eq!(browser.summary_value("Role").await, "Case manager");
    assert_banner_has_focus(browser, "Account created").await;
    sign_out_by_keyboard(browser).await;

    // A professional submits advice from the work tray, sending the form empty first.
    submit_advice_by_keyboard(browser).await;

    // A parent comments on the draft plan, sending the form empty first.
    sign_in_by_keyboard(browser, Role::Parent).await;
    let case = browser
        .tab_until("their child's case", |f| f.href.starts_with("/cases/EHC-"))
        .await;
    browser.key_to_page(Key::Enter, "their child's case").await;
    assert_eq!(browser.path().await, case.href);
    browser
        .tab_to("Comment on the draft plan or name the school you would like")
        .await;
    browser.key_to_page(Key::Enter, "the comment form").await;
    browser.tab_through_page().await;
    browser.tab_to("Send comment").await;
    browser.key_to_page(Key::Enter, "Send comment").await;
    assert_error_summary_has_focus(browser).await;
    follow_error_link(
        browser,
        "Enter your comment, name the school or setting you would like, or ask for a meeting",
        "Your comment",
    )
    .await;
    browser
        .type_text("Section A should say Sam likes buses too.")
        .await;
    browser.tab_to("Send comment").await;
    browser.key_to_page(Key::Enter, "Send comment").await;
    assert_banner_has_focus(
        browser,
        "Your comment on the draft plan was sent to the council",
    )
    .await;
    sign_out_by_keyboard(browser).await;
}

/// A member of the service asked for advice opens the first request in their work tray,
/// submits the form empty (focus on the error summary), follows its first link to the first
/// question, answers every question in the order Tab reaches them, and submits: focus is on the
/// success banner back in the tray, which has one request fewer.
async fn submit_advice_by_keyboard(browser: &Browser) {
    sign_in_by_keyboard(browser, Role::SocialCareProfessional).await;
    assert_eq!(browser.path().await, "/advice");
    let waiting = browser.texts(".govuk-summary-card__title").await.len();
    let request = browser
        .tab_until("a request's form", |f| f.href.starts_with("/advice/"))
        .await;
    browser.key_to_page(Key::Enter, "the advice form").await;
    assert_eq!(browser.path().await, request.href);
    browser.tab_to("Submit advice").await;
    browser.key_to_page(Key::Enter, "Submit advice").await;
    assert_error_summary_has_focus(browser).await;
    let first = browser.tab(false).await;
    let question = first
        .text
        .strip_prefix("Enter the ")
        .unwrap_or_else(|| panic!("the first error names a question: {first:?}"));
    browser.key(None, Key::Enter).await;
    let mut focus = browser.focus().await;
    assert_eq!(
        focus.text.to_lowercase(),
        format!("the {question}").to_lowercase(),
        "the error's link leads to its question"
    );
    while focus.text != "Submit advice" {
        if matches!(focus.tag.as_str(), "textarea" | "input") {
            let answer = match focus.text.as_str() {
                "What is to be provided" => "Short breaks at a local centre",
                "Who will provide it (role or qualification)" => "The short breaks team",
                "How often" => "Every other weekend",
                "For how long each time, and over what period" => "One night, for a year",
                _ => "Set out by keyboard: reads well with support at home and at school",
            };
            browser.type_text(answer).await;
        }
        focus = browser.tab(false).await;
        assert_ne!(focus.tag, "body", "Submit advice reached by Tab");
    }
    browser.key_to_page(Key::Enter, "Submit advice").await;
    assert_eq!(browser.path().await, "/advice?done=submitted");
    assert_banner_has_focus(
        browser,
        "Your advice was submitted and recorded on the case",
    )
    .await;
    assert_eq!(
        browser.texts(".govuk-summary-card__title").await.len(),
        waiting - 1
    );
    sign_out_by_keyboard(browser).await;
}

/// Signs in with the keyboard: skip link first, Enter on it, then the form, sent empty first.
async fn sign_in_by_keyboard(browser: &Browser, role: Role) {
    browser.visit("/sign-in").await;
    let skip = browser.tab(false).await;
    assert_eq!(skip.text, "Skip to main content");
    browser.key(None, Key::Enter).await;
    let first = browser.tab(false).await;
    assert!(
        first.in_main && first.text == "Email address",
        "after the skip link, Tab goes to the main content: {first:?}"
    );
    // Enter in a field sends the form.
    browser.key_to_page(Key::Enter, "an empty sign-in").await;
    assert_error_summary_has_focus(browser).await;
    follow_error_link(browser, "Enter your email address", "Email address").await;
    browser.type_text(&e2e::email(role)).await;
    let password = browser.tab(false).await;
    assert_eq!(password.text, "Password");
    let back = browser.tab(true).await;
    assert_eq!(back.text, "Email address", "Shift+Tab goes back");
    browser.tab(false).await;
    browser.type_text(e2e::PASSWORD).await;
    browser.key_to_page(Key::Enter, "signing in").await;
    assert_ne!(browser.path().await, "/sign-in", "signed in as {role}");
}

async fn sign_out_by_keyboard(browser: &Browser) {
    browser.tab_to("Sign out").await;
    browser.key_to_page(Key::Enter, "Sign out").await;
    assert_eq!(browser.path().await, "/sign-in");
}

/// After a form comes back with errors, focus is on the error summary (GOV.UK Frontend's script
/// puts it there, and the `autofocus` attribute without JavaScript).
async fn assert_error_summary_has_focus(browser: &Browser) {
    let focus: Focus = browser.focus().await;
    assert!(
        focus.has_class("govuk-error-summary"),
        "{}: focus is not on the error summary but {focus:?}",
        browser.path().await
    );
}

/// Tabs to the error summary's link `message`, follows it, and checks focus is on `field`.
async fn follow_error_link(browser: &Browser, message: &str, field: &str) {
    let link = browser.tab(false).await;
    assert_eq!(link.text, message, "the first link in the error summary");
    browser.key(None, Key::Enter).await;
    let focus = browser.focus().await;
    assert_eq!(focus.text, field, "the error's link leads to its field");
}

/// After a save, focus is on the success banner, which says `message` (when given).
async fn assert_banner_has_focus(browser: &Browser, message: &str) {
    let focus = browser.focus().await;
    assert!(
        focus.has_class("govuk-notification-banner"),
        "{}: focus is not on the success banner but {focus:?}",
        browser.path().await
    );
    assert!(focus.text.contains(message), "{focus:?}");
}
