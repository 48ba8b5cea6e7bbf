//! The caseload dashboard and its drill-downs over generated cases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use tandem_app::generate::{GenerateOptions, generate};
use tandem_app::reports::{Naming, cases_behind, dashboard};
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
    let all = cases_behind(cases(), spec(), &figure, &Naming::References, 0, usize::MAX);
    assert_eq!(all.total, late.denominator - late.numerator);
    assert_eq!(all.names.len() as u64, all.total);
    let page = cases_behind(cases(), spec(), &figure, &Naming::References, 5, 10);
    assert_eq!(page.total, all.total);
    assert_eq!(page.names, all.names[5..15]);
}

#[test]
fn analysts_see_sorted_pseudonyms_not_references() {
    let key = PseudonymKey::new(*b"per-deployment pseudonym key 123").unwrap();
    let figure = Figure::Backlog { bucket: 13 };
    let naming = Naming::Pseudonyms(key);
    let found = cases_behind(cases(), spec(), &figure, &naming, 0, usize::MAX);
    assert!(found.total > 0);
    assert!(found.names.iter().all(|n| n.starts_with("P-")));
    assert!(found.names.is_sorted());
    let refs = cases_behind(cases(), spec(), &figure, &Naming::References, 0, usize::MAX);
    assert_eq!(refs.total, found.total);
    assert!(refs.names.iter().all(|r| !found.names.contains(r)));
    let page = cases_behind(cases(), spec(), &figure, &naming, 1, 2);
    assert_eq!(page.names, found.names[1..3.min(found.names.len())]);
}
