//! The reporting services over the store, on both databases: the dashboard and its drill-downs
//! agree with the same cases added up in memory, each read is audited once, and permissions and
//! naming follow the caller's role.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use chrono::Utc;
use futures_util::TryStreamExt;
use tandem_app::generate::{GenerateOptions, generate};
use tandem_app::reports::{self, DashboardCache, Naming};
use tandem_app::services::{Caller, ServiceError};
use tandem_core::dashboard::{Dashboard, DashboardSpec, Figure, PseudonymKey};
use tandem_core::disclosure::SmallNumbers;
use tandem_core::metrics::Period;
use tandem_core::targets::Targets;
use tandem_core::{Actor, Role, dates};
use tandem_store::{AuditFilter, NewCase, NewUser, Source, Store};
use tandem_test_support::{Ctx, contract};

contract!(the_dashboard_and_its_lists_read_the_store_once_each_and_audit_it);

/// Gives the case `reference` to no one (a change to the case, as the dashboard sees it).
async fn unassign(store: &Store, reference: &tandem_core::Reference) {
    let case = store.case(reference).await.unwrap().unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.assign_case(
        case.record.id,
        case.record.version,
        &tandem_store::Reassignment {
            to: None,
            team: None,
            reason: None,
            by: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

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

async fn user(store: &Store, role: Role, name: &str) -> Caller {
    let mut tx = store.begin_at(Utc::now()).await.unwrap();
    let id = tx
        .create_user(&NewUser {
            email: format!("{name}@demo.test"),
            name: name.into(),
            password_hash: "x".into(),
            role,
            team: None,
            provider: None,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Caller::new(
        Actor {
            id,
            role,
            team: None,
            provider: None,
        },
        Source::Form,
    )
}

async fn audits(store: &Store, action: &str) -> usize {
    store
        .audit_log(&AuditFilter {
            action: Some(action.into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .len()
}

async fn the_dashboard_and_its_lists_read_the_store_once_each_and_audit_it(ctx: Ctx) {
    let store = &ctx.store;
    let manager = user(store, Role::TeamManager, "Manager").await;
    let analyst = user(store, Role::Analyst, "Analyst").await;
    let case_manager = user(store, Role::CaseManager, "Ann Case").await;
    let options = GenerateOptions {
        cases: 150,
        seed: 3,
        as_of: spec().as_of,
        case_managers: 1,
    };
    let generated: Vec<_> = generate(&options).map(|g| g.case).collect();
    let mut tx = store.begin().await.unwrap();
    let new: Vec<NewCase> = generated
        .iter()
        .enumerate()
        .map(|(i, case)| NewCase {
            case: case.clone(),
            // Every other case is Ann's; the rest have no case manager.
            case_manager: (i % 2 == 0).then_some(case_manager.actor.id),
            team: None,
        })
        .collect();
    tx.import_cases(new, tandem_store::Attribution::new(None, Source::Import))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The stream names each case's manager.
    let streamed: Vec<_> = store.assigned_case_files().try_collect().await.unwrap();
    assert_eq!(streamed.len(), 150);
    assert_eq!(streamed[0].1.as_deref(), Some("Ann Case"));
    assert_eq!(streamed[1].1, None);

    let cache = DashboardCache::default();
    let read = reports::read_dashboard(store, &manager, spec(), Targets::default(), &cache)
        .await
        .unwrap();
    let mut by_hand = Dashboard::new(spec(), Targets::default());
    for (case, manager) in &streamed {
        by_hand.add_case(case, manager.as_deref());
    }
    assert_eq!(*read, by_hand);
    assert_eq!(read.by_case_manager.len(), 2);
    assert_eq!(audits(store, "view_dashboard").await, 1);

    let key = PseudonymKey::new(*b"a key for the pseudonyms test 01").unwrap();
    let figure = Figure::Backlog { bucket: 13 };
    let shown = SmallNumbers::SHOWN;
    let (named, naming) = reports::read_cases_behind(
        store,
        &manager,
        spec(),
        &figure,
        &key,
        shown,
        false,
        (0, 1000),
    )
    .await
    .unwrap();
    assert!(matches!(naming, Naming::References));
    assert_eq!(named.total, read.backlog.counts[13]);
    let (pseudonymised, naming) = reports::read_cases_behind(
        store,
        &analyst,
        spec(),
        &figure,
        &key,
        shown,
        false,
        (0, 1000),
    )
    .await
    .unwrap();
    assert!(matches!(naming, Naming::Pseudonyms(_)));
    assert_eq!(pseudonymised.total, named.total);
    assert!(pseudonymised.cases.iter().all(|c| c.name.starts_with("P-")));
    assert_eq!(audits(store, "view_cases_behind").await, 2);

    // A list of pseudonyms shorter than the small-number threshold is not given (its length is
    // the count the tables hide); those who may open the cases still get theirs.
    let fullest = (0..read.backlog.counts.len())
        .max_by_key(|b| read.backlog.counts[*b])
        .unwrap();
    let figure = Figure::Backlog { bucket: fullest };
    let total = read.backlog.counts[fullest];
    assert!(total > 0);
    let small = SmallNumbers::below(total + 1);
    let (hidden, _) = reports::read_cases_behind(
        store,
        &analyst,
        spec(),
        &figure,
        &key,
        small,
        false,
        (0, 1000),
    )
    .await
    .unwrap();
    assert_eq!(hidden.total, total);
    assert!(hidden.cases.is_empty());
    let (listed, _) = reports::read_cases_behind(
        store,
        &manager,
        spec(),
        &figure,
        &key,
        small,
        false,
        (0, 1000),
    )
    .await
    .unwrap();
    assert_eq!(listed.cases.len() as u64, total);
    assert_eq!(audits(store, "view_cases_behind").await, 4);

    // Case managers see no aggregates: refused, and the refusal audited.
    let refused =
        reports::read_dashboard(store, &case_manager, spec(), Targets::default(), &cache).await;
    assert!(matches!(refused, Err(ServiceError::Forbidden)));
    let refused = reports::read_cases_behind(
        store,
        &case_manager,
        spec(),
        &figure,
        &key,
        shown,
        false,
        (0, 10),
    )
    .await;
    assert!(matches!(refused, Err(ServiceError::Forbidden)));
    assert_eq!(audits(store, "denied").await, 2);
    assert_eq!(audits(store, "view_dashboard").await, 1);

    // A second read comes from the cache, and is audited all the same.
    let again = reports::read_dashboard(store, &analyst, spec(), Targets::default(), &cache)
        .await
        .unwrap();
    assert_eq!(again, read);
    assert_eq!(audits(store, "view_dashboard").await, 2);
    // Any change to a case is seen at once: here a case is reassigned to no one.
    let version = store.cases_version().await.unwrap();
    unassign(store, &generated[0].reference).await;
    assert_ne!(store.cases_version().await.unwrap(), version);
    let changed = reports::read_dashboard(store, &manager, spec(), Targets::default(), &cache)
        .await
        .unwrap();
    let cases_of = |d: &Dashboard, who: Option<&str>| {
        d.by_case_manager
            .get(&who.map(str::to_owned))
            .map_or(0, |m| m.cases)
    };
    assert_eq!(
        cases_of(&changed, Some("Ann Case")),
        cases_of(&read, Some("Ann Case")) - 1
    );
    assert_eq!(cases_of(&changed, None), cases_of(&read, None) + 1);

    // Another period as at the same date is added up from the timelines kept since (only the
    // changed case was read again), and agrees with every case read by hand.
    let other = DashboardSpec {
        period: Period {
            start: dates::parse_iso("2025-10-01").unwrap(),
            end: dates::parse_iso("2025-10-31").unwrap(),
        },
        ..spec()
    };
    let kept = reports::read_dashboard(store, &manager, other, Targets::default(), &cache)
        .await
        .unwrap();
    let streamed: Vec<_> = store.assigned_case_files().try_collect().await.unwrap();
    let mut by_hand = Dashboard::new(other, Targets::default());
    for (case, manager) in &streamed {
        by_hand.add_case(case, manager.as_deref());
    }
    assert_eq!(*kept, by_hand);

    // With nothing changed since, a third period is added up from memory alone (the headers
    // kept with the timelines); once a case changes, the kept headers are not used again:
    // here Ann's second case goes to no one, and a fourth period counts it so.
    let period = |start, end| DashboardSpec {
        period: Period {
            start: dates::parse_iso(start).unwrap(),
            end: dates::parse_iso(end).unwrap(),
        },
        ..spec()
    };
    let by_hand = |spec: DashboardSpec, streamed: &[tandem_store::AssignedCaseFile]| {
        let mut by_hand = Dashboard::new(spec, Targets::default());
        for (case, manager) in streamed {
            by_hand.add_case(case, manager.as_deref());
        }
        by_hand
    };
    let third = period("2025-11-01", "2025-11-30");
    let from_memory = reports::read_dashboard(store, &manager, third, Targets::default(), &cache)
        .await
        .unwrap();
    assert_eq!(*from_memory, by_hand(third, &streamed));
    unassign(store, &generated[2].reference).await;
    let fourth = period("2025-12-01", "2025-12-31");
    let after_change = reports::read_dashboard(store, &manager, fourth, Targets::default(), &cache)
        .await
        .unwrap();
    let streamed: Vec<_> = store.assigned_case_files().try_collect().await.unwrap();
    assert_eq!(*after_change, by_hand(fourth, &streamed));
    assert_eq!(
        cases_of(&after_change, Some("Ann Case")),
        cases_of(&read, Some("Ann Case")) - 2
    );

    // The server prepares each new day's contributions before anyone asks; a dashboard as at
    // that day then agrees with every case read by hand.
    let next_day = DashboardSpec {
        as_of: dates::parse_iso("2026-04-01").unwrap(),
        ..fourth
    };
    let views = audits(store, "view_dashboard").await;
    reports::prepare(store, &cache, next_day.as_of)
        .await
        .unwrap();
    assert_eq!(cache.prepared_for(), Some(next_day.as_of));
    assert_eq!(
        audits(store, "view_dashboard").await,
        views,
        "nothing shown"
    );
    let prepared = reports::read_dashboard(store, &manager, next_day, Targets::default(), &cache)
        .await
        .unwrap();
    assert_eq!(*prepared, by_hand(next_day, &streamed));
}
