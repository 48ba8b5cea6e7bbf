//! The caseload dashboard and its drill-downs over generated cases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use tandem_app::generate::{GenerateOptions, generate};
use tandem_app::reports::{CasesBehind, Naming, cases_behind, dashboard};
use tandem_core::dashboard::{Dashboard, DashboardSpec, Figure, Part, PseudonymKey, Slice};
use tandem_core::metrics::{FINAL_PLANS_EXCL, Period};
use tandem_core::targets::Targets;
use tandem_core::{CaseFile, dates};

fn spec() -> DashboardSpec {
    let date = |t| dates::parse_iso(t).unwrap();
    DashboardSpec {
        period: Period {
            start: date("2025-04-01"),
            end: date("2026-03-31"),
        },
        as_of: date("2026-03-31"),
        trend_months: 24,
        draft_plan_weeks: 14,
    }
}

/// Every case behind `figure`, on one page.
fn every(figure: &Figure, naming: &Naming, late_only: bool) -> CasesBehind {
    cases_behind(cases(), spec(), figure, naming, late_only, (0, usize::MAX))
}

fn names(found: &CasesBehind) -> Vec<&str> {
    found.cases.iter().map(|c| c.name.as_str()).collect()
}

fn cases() -> impl Iterator<Item = (CaseFile, Option<String>)> {
    let options = GenerateOptions {
        cases: 600,
        seed: 11,
        as_of: spec().as_of,
        case_managers: 4,
    };
    generate(&options).map(|g| (g.case, Some(format!("Case manager {}", g.case_manager + 1))))
}

#[test]
fn one_pass_gives_the_same_dashboard_as_adding_case_by_case() {
    let built = dashboard(cases(), spec(), Targets::default());
    let mut by_hand = Dashboard::new(spec(), Targets::default());
    for (case, manager) in cases() {
        by_hand.add_case(&case, manager.as_deref());
    }
    assert_eq!(built, by_hand);
    assert_eq!(built.headline.cases, 600);
    assert_eq!(built.by_case_manager.len(), 4);
    assert_eq!(built.trend.len(), 24);
    assert!(built.headline.final_plans_issued > 0);
}

#[test]
fn a_drill_down_counts_what_its_figure_counts_and_pages_its_names() {
    let built = dashboard(cases(), spec(), Targets::default());
    let figure = Figure::Measure {
        key: FINAL_PLANS_EXCL.into(),
        slice: Slice::All,
        part: Part::NotMet,
    };
    let late = built.headline.rate(FINAL_PLANS_EXCL).unwrap();
    let all = every(&figure, &Naming::References, false);
    assert_eq!(all.total, late.denominator - late.numerator);
    assert_eq!(all.cases.len() as u64, all.total);
    let page = cases_behind(
        cases(),
        spec(),
        &figure,
        &Naming::References,
        false,
        (5, 10),
    );
    assert_eq!(page.total, all.total);
    assert_eq!(names(&page), names(&all)[5..15]);
}

#[test]
fn a_drill_down_gives_weeks_taken_and_the_childs_name_and_can_keep_the_late_only() {
    let counted = Figure::Measure {
        key: FINAL_PLANS_EXCL.into(),
        slice: Slice::All,
        part: Part::Counted,
    };
    let all = every(&counted, &Naming::References, false);
    // Issued within 20 weeks or not: the weeks say which, and each child is named.
    for case in &all.cases {
        let weeks = case.taken.weeks.unwrap();
        assert_eq!(case.taken.late, weeks > 20.0, "{case:?}");
        assert!(
            case.child.as_deref().is_some_and(|n| !n.is_empty()),
            "{case:?}"
        );
    }
    // Late only: exactly the plans that missed 20 weeks, as the "not met" figure counts them.
    let late = every(&counted, &Naming::References, true);
    let not_met = Figure::Measure {
        key: FINAL_PLANS_EXCL.into(),
        slice: Slice::All,
        part: Part::NotMet,
    };
    let missed = every(&not_met, &Naming::References, false);
    assert!(late.total > 0 && late.total < all.total);
    assert_eq!(names(&late), names(&missed));
    assert!(late.cases.iter().all(|c| c.taken.late));
    // Pseudonyms never come with a name.
    let key = PseudonymKey::new(*b"per-deployment pseudonym key 123").unwrap();
    let hidden = every(&counted, &Naming::Pseudonyms(key), true);
    assert_eq!(hidden.total, late.total);
    assert!(hidden.cases.iter().all(|c| c.child.is_none()));
}

#[test]
fn analysts_see_sorted_pseudonyms_not_references() {
    let key = PseudonymKey::new(*b"per-deployment pseudonym key 123").unwrap();
    let figure = Figure::Backlog { bucket: 13 };
    let naming = Naming::Pseudonyms(key);
    let found = every(&figure, &naming, false);
    assert!(found.total > 0);
    assert!(names(&found).iter().all(|n| n.starts_with("P-")));
    assert!(names(&found).is_sorted());
    let refs = every(&figure, &Naming::References, false);
    assert_eq!(refs.total, found.total);
    assert!(names(&refs).iter().all(|r| !names(&found).contains(r)));
    let page = cases_behind(cases(), spec(), &figure, &naming, false, (1, 2));
    assert_eq!(names(&page), names(&found)[1..3.min(found.cases.len())]);
}
