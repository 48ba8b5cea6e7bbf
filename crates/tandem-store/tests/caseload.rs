//! The caseload queries on both databases: counts per case manager, the amber and green status
//! filters, sorting, and the backlog of old requests (by their effective request date).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use serde_json::json;
use tandem_core::caseload::{AWAITING_PLAN, backlog_cutoff};
use tandem_core::{CaseFile, Child, Reference, Role, Stage};
use tandem_store::{
    Attribution, CaseFilter, CaseSort, CaseloadCount, NewCase, Page, Source, StatusFilter, Store,
};
use tandem_test_support::{Ctx, at, contract, date, event};

/// A case manager's account.
async fn case_manager(store: &Store, email: &str) -> i64 {
    tandem_test_support::add_user(store, email, Role::CaseManager, None).await
}

contract!(
    counts_per_case_manager_and_status_filters,
    sorting_by_reference_name_stage_and_due,
    backlog_by_effective_request_date,
);

const AS_OF: &str = "2026-03-02";

/// Opens a case on `AS_OF`: a request on `request`, the child's family name, its manager, and
/// any later events.
async fn open(
    store: &Store,
    reference: &str,
    family: &str,
    request: &str,
    manager: Option<i64>,
    more: &[&[(&str, &str)]],
) -> i64 {
    let mut child = Child::default();
    child.other.insert("given_name".into(), json!("Kim"));
    child.other.insert("family_name".into(), json!(family));
    let mut events = vec![event(&[("type", "request_received"), ("date", request)])];
    events.extend(more.iter().map(|fields| event(fields)));
    let mut tx = store.begin_at(at(AS_OF)).await.expect("begin");
    let record = tx
        .open_case(
            &NewCase {
                case: CaseFile {
                    reference: Reference::parse(reference).expect("reference"),
                    child,
                    events,
                    request: Default::default(),
                },
                case_manager: manager,
                team: None,
            },
            Attribution::new(None, Source::Form),
        )
        .await
        .expect("open");
    tx.commit().await.expect("commit");
    record.id
}

/// Decision to assess due 6 weeks after each request, judged on 2 March 2026.
async fn seed(store: &Store) -> (i64, i64) {
    let alice = case_manager(store, "alice@example.test").await;
    let bob = case_manager(store, "bob@example.test").await;
    // Due 16 February: overdue.
    open(store, "R1", "Zed", "2026-01-05", Some(alice), &[]).await;
    // Due 8 March: due soon.
    open(store, "R2", "Young", "2026-01-25", Some(alice), &[]).await;
    // Due 16 March, exactly 14 days on: still due soon.
    open(store, "R3", "Xu", "2026-02-02", Some(bob), &[]).await;
    // Due 17 March: on track; nobody's.
    open(store, "R4", "Walsh", "2026-02-03", None, &[]).await;
    // Refused: nothing due; nobody's.
    let refused: &[(&str, &str)] = &[
        ("type", "decision_to_assess"),
        ("date", "2026-01-20"),
        ("outcome", "not_assess"),
    ];
    open(store, "R5", "Vance", "2026-01-10", None, &[refused]).await;
    // An old request, still awaiting the decision: overdue, in the backlog.
    open(store, "R6", "Ure", "2025-09-01", Some(bob), &[]).await;
    (alice, bob)
}

fn refs(page: &tandem_store::CasePage) -> Vec<&str> {
    page.cases.iter().map(|c| c.reference.as_str()).collect()
}

async fn counts_per_case_manager_and_status_filters(ctx: Ctx) {
    let store = &ctx.store;
    let (alice, bob) = seed(store).await;
    let as_of = date(AS_OF);
    let mut tx = store.begin().await.expect("begin");
    let counts = tx
        .caseload_counts(&CaseFilter::as_of(as_of))
        .await
        .expect("counts");
    let line = |manager, cases, overdue, due_soon, due_this_week| CaseloadCount {
        case_manager: manager,
        cases,
        overdue,
        due_soon,
        due_this_week,
        at_risk: 0,
    };
    // 2 March 2026 is a Monday: R2, due Sunday 8 March, is due this week; R3 (16 March) not.
    assert_eq!(
        counts,
        [
            line(Some(alice), 2, 1, 1, 1),
            line(Some(bob), 2, 1, 1, 0),
            line(None, 2, 0, 0, 0),
        ]
    );
    // Counts follow the filter.
    let open_only = CaseFilter {
        stages: vec![Stage::AwaitingDecision],
        case_manager: None,
        ..CaseFilter::as_of(as_of)
    };
    let counts = tx.caseload_counts(&open_only).await.expect("counts");
    assert_eq!(counts.last(), Some(&line(None, 1, 0, 0, 0)));

    let status = |status| CaseFilter {
        status: Some(status),
        ..CaseFilter::as_of(as_of)
    };
    let soon = tx
        .list_cases_sorted(
            &status(StatusFilter::DueSoon),
            CaseSort::Due,
            Page::number(1, 50),
        )
        .await
        .expect("list");
    assert_eq!(refs(&soon), ["R2", "R3"]);
    let on_track = tx
        .list_cases_sorted(
            &status(StatusFilter::OnTrack),
            CaseSort::Due,
            Page::number(1, 50),
        )
        .await
        .expect("list");
    assert_eq!(refs(&on_track), ["R4"]);
    let overdue = tx
        .list_cases_sorted(
            &status(StatusFilter::Overdue),
            CaseSort::Due,
            Page::number(1, 50),
        )
        .await
        .expect("list");
    assert_eq!(refs(&overdue), ["R6", "R1"]);
    tx.rollback().await.expect("rollback");
}

async fn sorting_by_reference_name_stage_and_due(ctx: Ctx) {
    let store = &ctx.store;
    seed(store).await;
    let filter = CaseFilter::as_of(date(AS_OF));
    let mut tx = store.begin().await.expect("begin");
    for (sort, expected) in [
        (CaseSort::Reference, ["R1", "R2", "R3", "R4", "R5", "R6"]),
        (CaseSort::Name, ["R6", "R5", "R4", "R3", "R2", "R1"]),
        // Awaiting a decision (by due date) before not assessed.
        (CaseSort::Stage, ["R6", "R1", "R2", "R3", "R4", "R5"]),
        (CaseSort::Due, ["R6", "R1", "R2", "R3", "R4", "R5"]),
    ] {
        let page = tx
            .list_cases_sorted(&filter, sort, Page::number(1, 50))
            .await
            .expect("list");
        assert_eq!(refs(&page), expected, "{sort:?}");
    }
    // Pages of a sorted list do not overlap.
    let second = tx
        .list_cases_sorted(&filter, CaseSort::Name, Page::number(2, 4))
        .await
        .expect("list");
    assert_eq!(refs(&second), ["R2", "R1"]);
    assert_eq!(second.total, 6);
    tx.rollback().await.expect("rollback");
}

async fn backlog_by_effective_request_date(ctx: Ctx) {
    let store = &ctx.store;
    seed(store).await;
    let as_of = date(AS_OF);
    let cutoff = backlog_cutoff(as_of);
    assert_eq!(cutoff, date("2025-10-13"));
    let filter = CaseFilter {
        stages: AWAITING_PLAN.to_vec(),
        ..CaseFilter::as_of(as_of)
    };
    let mut tx = store.begin_at(at(AS_OF)).await.expect("begin");
    let found = tx
        .backlog(&filter, cutoff, Page::number(1, 50))
        .await
        .expect("backlog");
    assert_eq!(found.total, 1);
    assert_eq!(found.cases[0].reference.as_str(), "R6");
    assert_eq!(found.cases[0].requested, date("2025-09-01"));
    assert_eq!(found.cases[0].family_name.as_deref(), Some("Ure"));
    assert_eq!(found.cases[0].stage, Stage::AwaitingDecision);

    // R4's request date was wrong: corrected to an older date, the case joins the backlog,
    // ordered by its corrected date; the superseded row no longer counts.
    let r4 = tx
        .case(&Reference::parse("R4").expect("reference"))
        .await
        .expect("read")
        .expect("case");
    let request = r4.history[0].id;
    tx.correct_event(
        r4.record.id,
        r4.record.version,
        request,
        &event(&[("type", "request_received"), ("date", "2025-08-01")]),
        "date typed wrongly",
        Attribution::new(None, Source::Form),
    )
    .await
    .expect("correct");
    let found = tx
        .backlog(&filter, cutoff, Page::number(1, 50))
        .await
        .expect("backlog");
    let refs: Vec<&str> = found.cases.iter().map(|c| c.reference.as_str()).collect();
    assert_eq!(refs, ["R4", "R6"]);
    // Pages.
    let second = tx
        .backlog(&filter, cutoff, Page::number(2, 1))
        .await
        .expect("backlog");
    assert_eq!((second.total, second.cases.len()), (2, 1));
    assert_eq!(second.cases[0].reference.as_str(), "R6");
    // Only the stages asked for: R5's refused request is old enough but not awaiting a plan.
    let any_stage = CaseFilter::as_of(as_of);
    let all_old = tx
        .backlog(&any_stage, date("2026-01-11"), Page::number(1, 50))
        .await
        .expect("backlog");
    assert!(all_old.cases.iter().any(|c| c.reference.as_str() == "R5"));
    assert!(!found.cases.iter().any(|c| c.reference.as_str() == "R5"));
    tx.rollback().await.expect("rollback");
}
