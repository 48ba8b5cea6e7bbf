//! The data-quality page and a case's data problems: generated cases show exactly the problems
//! the generator planted; managers see the cases behind each count, an analyst the counts only;
//! a case with a planted problem says so on its page, one without says nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use support::TestApp;
use tandem_app::generate::{GenerateOptions, generate};
use tandem_core::Role;
use tandem_core::returns::Rule;

#[tokio::test]
async fn the_page_shows_the_planted_problems_and_nothing_else() {
    let app = TestApp::new().await;
    let today = tandem_core::dates::england_date(app.now());
    let options = GenerateOptions {
        cases: 600,
        seed: 4,
        as_of: today,
        case_managers: 1,
    };
    let mut planted: BTreeMap<String, Vec<Rule>> = BTreeMap::new();
    let collection = tandem_core::returns::Collection::next(today);
    for generated in generate(&options) {
        let read = tandem_app::returns::assess_one(&generated.case, &collection);
        if read.in_sen2 || read.list.is_some() {
            planted.insert(
                generated.case.reference.to_string(),
                generated.planted.clone(),
            );
        }
        app.add_case(generated.case.to_value(), Some(Role::CaseManager))
            .await;
    }
    let with_problems: BTreeMap<&String, &Vec<Rule>> =
        planted.iter().filter(|(_, p)| !p.is_empty()).collect();
    assert!(!with_problems.is_empty(), "the sample has planted problems");
    let total: usize = with_problems.values().map(|p| p.len()).sum();

    let manager = app.session(Role::TeamManager).await;
    let page = app.get("/data-quality", Some(&manager)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("{total} data problems by rule")),
        "{}",
        page.body
    );
    // Every case named is a planted one, under its planted rule; every planted one is named.
    let links: Vec<String> = page.texts("main td a");
    let mut expected: Vec<String> = with_problems.keys().map(|r| (*r).clone()).collect();
    let mut named = links.clone();
    named.sort();
    expected.sort();
    assert_eq!(named, expected);
    for rule in [Rule::UpnMissing, Rule::PlacementDates] {
        let count = with_problems.values().filter(|p| p.contains(&rule)).count();
        if count > 0 {
            assert!(page.body.contains(rule.title()), "{}", rule.id());
        }
    }
    assert!(!page.body.contains(Rule::SexInvalid.title()));
    assert!(!app.audit("returns.data_quality").await.is_empty());

    // An analyst sees the counts, not the cases, and small counts as "fewer than 5" (issue 14,
    // finding 17).
    let analyst = app.session(Role::Analyst).await;
    let counts = app.get("/data-quality", Some(&analyst)).await;
    assert_eq!(counts.status, StatusCode::OK);
    let shown = if total < 5 {
        "fewer than 5".to_owned()
    } else {
        total.to_string()
    };
    assert!(
        counts
            .body
            .contains(&format!("{shown} data problems by rule")),
        "{}",
        counts.body
    );
    assert!(counts.texts("#suppressed")[0].contains("fewer than 5"));
    assert!(counts.texts("main td a").is_empty());

    // On a case: "1 data problem" and what to do; a sound case shows none.
    let (reference, rules) = with_problems.iter().next().unwrap();
    let case = app
        .get(&format!("/cases/{reference}"), Some(&manager))
        .await;
    let heading = case.texts("#data-problems");
    let n = rules.len();
    let expected = format!("{n} data problem{}", if n == 1 { "" } else { "s" });
    assert_eq!(heading, vec![expected]);
    let items = case.texts("#data-problems ~ ul li");
    assert!(
        items.iter().any(|li| li.contains(rules[0].fix())),
        "{items:?}"
    );
    let sound = planted.iter().find(|(_, p)| p.is_empty()).unwrap().0;
    let case = app.get(&format!("/cases/{sound}"), Some(&manager)).await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(case.texts("#data-problems").is_empty());
    app.remove().await;
}

#[tokio::test]
async fn staff_edit_the_return_details_and_the_case_shows_what_is_still_wrong() {
    let app = TestApp::new().await;
    let reference = app.seed_case("RET-1").await;
    let manager = app.session(Role::CaseManager).await;
    let path = format!("/cases/{reference}/child");
    let overseer = app.session(Role::TeamManager).await;
    let before = app.get("/data-quality", Some(&overseer)).await;
    assert_eq!(before.status, StatusCode::OK);
    let form = app.get(&path, Some(&manager)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let version = form.attr("input[name=version]", "value").unwrap();
    let fields: Vec<(&str, &str)> = vec![
        ("version", version.as_str()),
        ("upn", "B801200005001"),
        ("sex", "F"),
        ("ethnicity", "White British"),
        ("primary_need", "ASD"),
        ("requested_by", "parent"),
        ("request_mediation", "yes"),
        ("placement-0-urn", "123456"),
        ("placement-0-phase", "Primary"),
        ("placement-0-entry_date", "2019-09-01"),
    ];
    let saved = app.post_form(&path, Some(&manager), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = app.stored_case(reference.as_str()).await;
    assert_eq!(stored.child.text("upn"), Some("B801200005001"));
    assert_eq!(stored.child.text("ethnicity"), Some("White British"));
    // The request's facts are the case's, not the child's.
    assert!(stored.request.request_mediation);
    assert_eq!(
        stored.request.requested_by,
        Some(tandem_core::request::Requester::Parent)
    );
    assert!(!stored.child.other.contains_key("request_mediation"));
    assert_eq!(stored.child.other["placements"][0]["urn"], "123456");
    // The form now lists that setting, with a row to add another.
    let again = app.get(&path, Some(&manager)).await;
    assert_eq!(
        again.texts("legend.govuk-fieldset__legend--s"),
        ["Setting 1", "Add a setting"]
    );
    assert_eq!(
        again.attr("#placement-0-urn", "value").as_deref(),
        Some("123456")
    );
    // The case page names the one problem left: the ethnicity is not a code.
    let case = app
        .get(&format!("/cases/{reference}"), Some(&manager))
        .await;
    assert_eq!(
        case.texts("#data-problems"),
        vec!["1 data problem".to_owned()]
    );
    assert!(case.texts("#data-problems ~ ul li")[0].contains("Ethnicity"));
    assert_eq!(app.audit("case.update_return_details").await.len(), 1);
    // The data-quality page (kept until the next change) shows the change at once.
    let after = app.get("/data-quality", Some(&overseer)).await;
    assert!(
        after.body.contains("id=\"ethnicity-invalid\""),
        "{}",
        after.body
    );
    // An old version is refused, and the form comes back with what was sent.
    let stale = app.post_form(&path, Some(&manager), &fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        stale.attr("#ethnicity", "value").as_deref(),
        Some("White British")
    );
    // A request fact that is not a code is refused with the error summary, keeping what was
    // typed; nothing is saved.
    let fresh = app.get(&path, Some(&manager)).await;
    let version = fresh.attr("input[name=version]", "value").unwrap();
    let wrong = app
        .post_form(
            &path,
            Some(&manager),
            &[
                ("version", version.as_str()),
                ("cease_reason", "12"),
                ("rya", "perhaps"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
    let summary = wrong.texts(".govuk-error-summary__list a");
    assert_eq!(summary.len(), 2, "{summary:?}");
    assert_eq!(wrong.attr("#cease_reason", "value").as_deref(), Some("12"));
    assert_eq!(app.audit("case.update_return_details").await.len(), 1);
    // An analyst may not.
    let analyst = app.session(Role::Analyst).await;
    assert_ne!(app.get(&path, Some(&analyst)).await.status, StatusCode::OK);
    app.remove().await;
}
