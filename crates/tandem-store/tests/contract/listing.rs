//! Case lists, filters and pages, caseloads, assignment and finding a child again.

use serde_json::json;
use tandem_core::{Reference, Role, Stage, Status};
use tandem_store::{
    Attribution, CaseFilter, CaseRelation, Caseload, LinkedTo, NewCase, Page, Source, StatusFilter,
    Store, StoreError,
};
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(
    every_change_to_a_case_moves_the_change_counter,
    list_filters_and_pagination,
    assignment_and_case_access,
    services_asked_for_advice_see_cases_within_their_window,
    caseloads_and_children_found_again,
);

async fn list_filters_and_pagination(ctx: Ctx) {
    let store = &ctx.store;
    let alice = add_user(
        store,
        "alice@example.test",
        Role::CaseManager,
        Some("north"),
    )
    .await;
    let bob = add_user(store, "bob@example.test", Role::CaseManager, Some("south")).await;
    let today = at("2026-03-01");
    let as_of = date("2026-03-01");
    let mut tx = store.begin_at(today).await.expect("begin");
    // 10 awaiting a decision: requests on 2026-01-01 .. 2026-01-10 are overdue (due +6 weeks
    // = 12..21 February); 5 more from 2026-02-20 are pending.
    for i in 1..=10 {
        let mut new = NewCase::new(requested(
            &format!("EHC-L{i:02}"),
            &format!("2026-01-{i:02}"),
        ));
        new.case_manager = Some(if i % 2 == 0 { alice } else { bob });
        tx.open_case(&new, by_form(None)).await.expect("open");
    }
    for i in 20..=24 {
        let mut new = NewCase::new(requested(
            &format!("EHC-L{i:02}"),
            &format!("2026-02-{i:02}"),
        ));
        new.case_manager = Some(alice);
        tx.open_case(&new, by_form(None)).await.expect("open");
    }
    // One with nothing due: refused assessment.
    let mut refused = requested("EHC-L99", "2026-01-05");
    refused.events.push(event(&[
        ("type", "decision_to_assess"),
        ("date", "2026-02-01"),
        ("outcome", "not_assess"),
    ]));
    tx.open_case(&NewCase::new(refused), by_form(None))
        .await
        .expect("open");
    tx.commit().await.expect("commit");

    let all = store
        .list_cases(&CaseFilter::as_of(as_of), Page::number(1, 100))
        .await
        .expect("list");
    assert_eq!(all.total, 16);
    let refs: Vec<&str> = all.cases.iter().map(|c| c.reference.as_str()).collect();
    assert_eq!(refs.first(), Some(&"EHC-L01"), "earliest due first");
    assert_eq!(refs.last(), Some(&"EHC-L99"), "nothing due last");
    let dues: Vec<_> = all
        .cases
        .iter()
        .filter_map(|c| c.projection.next_due)
        .collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "ordered by due date");

    let overdue = CaseFilter {
        status: Some(StatusFilter::Overdue),
        ..CaseFilter::as_of(as_of)
    };
    let page1 = store
        .list_cases(&overdue, Page::number(1, 4))
        .await
        .expect("list");
    let page3 = store
        .list_cases(&overdue, Page::number(3, 4))
        .await
        .expect("list");
    assert_eq!(page1.total, 10);
    assert_eq!(page1.cases.len(), 4);
    assert_eq!(page3.cases.len(), 2);
    assert_eq!(page1.cases[0].reference.as_str(), "EHC-L01");
    assert_eq!(page3.cases[1].reference.as_str(), "EHC-L10");
    assert!(
        page1
            .cases
            .iter()
            .all(|c| c.next_status_on(as_of) == Some(Status::Overdue))
    );

    let pending = CaseFilter {
        status: Some(StatusFilter::Pending),
        ..CaseFilter::as_of(as_of)
    };
    assert_eq!(
        store
            .list_cases(&pending, Page::number(1, 50))
            .await
            .expect("list")
            .total,
        5
    );
    let nothing = CaseFilter {
        status: Some(StatusFilter::NothingDue),
        ..CaseFilter::as_of(as_of)
    };
    let nothing = store
        .list_cases(&nothing, Page::number(1, 50))
        .await
        .expect("list");
    assert_eq!(nothing.total, 1);
    assert_eq!(nothing.cases[0].projection.stage, Stage::NotAssessed);

    let alices_overdue = CaseFilter {
        case_manager: Some(alice),
        status: Some(StatusFilter::Overdue),
        ..CaseFilter::as_of(as_of)
    };
    let page = store
        .list_cases(&alices_overdue, Page::number(1, 50))
        .await
        .expect("list");
    assert_eq!(page.total, 5);
    assert!(page.cases.iter().all(|c| c.case_manager == Some(alice)));

    let due_before = CaseFilter {
        due_before: Some(date("2026-02-15")),
        ..CaseFilter::as_of(as_of)
    };
    // Due 12, 13, 14 February.
    assert_eq!(
        store
            .list_cases(&due_before, Page::number(1, 50))
            .await
            .expect("list")
            .total,
        3
    );

    let by_stage = CaseFilter {
        stages: vec![Stage::NotAssessed, Stage::Withdrawn],
        ..CaseFilter::as_of(as_of)
    };
    assert_eq!(
        store
            .list_cases(&by_stage, Page::number(1, 50))
            .await
            .expect("list")
            .total,
        1
    );
    let awaiting = CaseFilter {
        stages: vec![Stage::AwaitingDecision],
        case_manager: Some(bob),
        ..CaseFilter::as_of(as_of)
    };
    assert_eq!(
        store
            .list_cases(&awaiting, Page::number(1, 50))
            .await
            .expect("list")
            .total,
        5
    );

    let beyond = store
        .list_cases(&CaseFilter::as_of(as_of), Page::number(5, 10))
        .await
        .expect("list");
    assert_eq!((beyond.total, beyond.cases.len()), (16, 0));
}

async fn assignment_and_case_access(ctx: Ctx) {
    let store = &ctx.store;
    let manager = add_user(store, "cm@example.test", Role::CaseManager, Some("west")).await;
    let parent = add_user(store, "parent@example.test", Role::Parent, None).await;
    let nurse = add_user(store, "nurse@example.test", Role::HealthProfessional, None).await;
    let record = open(store, requested("EHC-AS", "2026-01-05"), at("2026-01-06")).await;

    let mut tx = store.begin().await.expect("begin");
    let version = tx
        .assign_case(
            record.id,
            1,
            &tandem_store::Reassignment {
                to: Some(manager),
                team: Some("west"),
                reason: None,
                by: None,
            },
        )
        .await
        .expect("assign");
    tx.link_person(record.id, parent, CaseRelation::Family)
        .await
        .expect("link");
    tx.link_person(record.id, nurse, CaseRelation::AdviceRecipient)
        .await
        .expect("link");
    tx.link_person(record.id, nurse, CaseRelation::AdviceRecipient)
        .await
        .expect("linking twice is harmless");
    tx.commit().await.expect("commit");
    assert_eq!(version, 2);

    let access = store
        .case_access(record.id, date("2026-01-01"))
        .await
        .expect("access");
    assert_eq!(access.case_manager, Some(manager));
    assert_eq!(access.team.as_deref(), Some("west"));
    assert_eq!(access.family, vec![parent]);
    assert_eq!(access.advice_recipients, vec![nurse]);

    // A list narrowed to a person holds the cases they are linked to, however linked.
    let other = open(store, requested("EHC-AT", "2026-01-05"), at("2026-01-06")).await;
    for (user, expected) in [
        (parent, vec!["EHC-AS"]),
        (nurse, vec!["EHC-AS"]),
        (manager, vec![]),
    ] {
        let linked = CaseFilter {
            linked_to: Some(LinkedTo {
                user,
                provider: None,
                closed_since: date("2026-01-01"),
            }),
            ..CaseFilter::as_of(date("2026-02-01"))
        };
        let found = store
            .list_cases(&linked, Page::number(1, 10))
            .await
            .expect("list");
        let references: Vec<&str> = found.cases.iter().map(|c| c.reference.as_str()).collect();
        assert_eq!(references, expected, "user {user}");
        assert_eq!(found.total, i64::try_from(expected.len()).expect("small"));
    }
    assert_ne!(other.id, record.id);

    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .assign_case(
            record.id,
            1,
            &tandem_store::Reassignment {
                to: None,
                team: None,
                reason: None,
                by: None,
            },
        )
        .await
        .expect_err("stale");
    assert!(
        matches!(error, StoreError::Conflict { current_version: 2 }),
        "{error:?}"
    );
    drop(tx);
    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .assign_case(
            9_999,
            1,
            &tandem_store::Reassignment {
                to: None,
                team: None,
                reason: None,
                by: None,
            },
        )
        .await
        .expect_err("missing");
    assert!(
        matches!(error, StoreError::CaseIdNotFound { id: 9_999 }),
        "{error:?}"
    );
}

/// The references a service's member lists when requests closed before `closed_since` no longer
/// count.
async fn listed_for_service(store: &Store, user: i64, closed_since: &str) -> Vec<String> {
    let filter = CaseFilter {
        linked_to: Some(LinkedTo {
            user,
            provider: Some("community paediatrics".into()),
            closed_since: date(closed_since),
        }),
        ..CaseFilter::as_of(date("2026-06-01"))
    };
    let found = store
        .list_cases(&filter, Page::number(1, 10))
        .await
        .expect("list");
    assert_eq!(
        found.total,
        i64::try_from(found.cases.len()).expect("small")
    );
    found
        .cases
        .into_iter()
        .map(|c| c.reference.to_string())
        .collect()
}

async fn services_asked_for_advice_see_cases_within_their_window(ctx: Ctx) {
    let store = &ctx.store;
    let nurse = add_user(store, "nurse@example.test", Role::HealthProfessional, None).await;
    let asked = |reference: &str, provider: &str| {
        let mut case = requested(reference, "2026-01-05");
        case.events.extend([
            event(&[
                ("type", "decision_to_assess"),
                ("date", "2026-02-01"),
                ("outcome", "assess"),
            ]),
            event(&[
                ("type", "advice_requested"),
                ("date", "2026-02-02"),
                ("advice", "health"),
                ("provider", provider),
            ]),
        ]);
        case
    };
    let ours = open(
        store,
        asked("EHC-PA", "Community  Paediatrics"),
        at("2026-02-02"),
    )
    .await;
    open(store, asked("EHC-PB", "CAMHS"), at("2026-02-02")).await;
    open(store, requested("EHC-PC", "2026-01-05"), at("2026-02-02")).await;

    assert_eq!(
        listed_for_service(store, nurse, "2026-05-01").await,
        ["EHC-PA"]
    );
    let access = store
        .case_access(ours.id, date("2026-05-01"))
        .await
        .expect("access");
    assert_eq!(access.advice_providers, ["community paediatrics"]);

    // The advice arrives on 2 March: the service still sees the case while requests closed on or
    // after the cut-off count, and no longer once that day has passed.
    let mut tx = store.begin_at(at("2026-03-02")).await.expect("begin");
    let received = event(&[
        ("type", "advice_received"),
        ("date", "2026-03-02"),
        ("advice", "health"),
    ]);
    tx.append_events(ours.id, ours.version, &[received], by_form(None))
        .await
        .expect("append");
    tx.commit().await.expect("commit");
    assert_eq!(
        listed_for_service(store, nurse, "2026-03-02").await,
        ["EHC-PA"]
    );
    assert!(
        listed_for_service(store, nurse, "2026-03-03")
            .await
            .is_empty()
    );
    let access = store
        .case_access(ours.id, date("2026-03-03"))
        .await
        .expect("access");
    assert!(access.advice_providers.is_empty(), "{access:?}");

    // An upgraded database: a migration adding derived rows starts them empty and dates every
    // projection long ago; migrating fills them from each case's history.
    execute(store, "DELETE FROM case_advice_providers").await;
    execute(
        store,
        "UPDATE case_projection SET computed_as_of = '2000-01-01'",
    )
    .await;
    assert_eq!(count(store, "case_advice_providers").await, 0);
    store.migrate().await.expect("migrate");
    assert_eq!(count(store, "case_advice_providers").await, 2);
    assert_eq!(
        listed_for_service(store, nurse, "2026-03-02").await,
        ["EHC-PA"]
    );
}

async fn caseloads_and_children_found_again(ctx: Ctx) {
    let store = &ctx.store;
    let as_of = date("2026-03-01");
    let ann = add_user(store, "ann@example.test", Role::CaseManager, Some("north")).await;
    let ben = add_user(store, "ben@example.test", Role::CaseManager, None).await;
    let mut tx = store.begin_at(at("2026-03-01")).await.expect("begin");
    // Ann's own case in the south team, a north case of nobody's, Ben's case, and a stray.
    let cases = [
        ("EHC-C1", Some(ann), Some("south")),
        ("EHC-C2", None, Some("north")),
        ("EHC-C3", Some(ben), None),
        ("EHC-C4", None, Some("south")),
    ];
    for (reference, manager, team) in cases {
        let mut new = NewCase::new(worked_example(reference));
        new.case_manager = manager;
        new.team = team.map(str::to_owned);
        tx.open_case(&new, by_form(None)).await.expect("open");
    }
    tx.commit().await.expect("commit");

    let caseload = |user, team: Option<&str>| CaseFilter {
        caseload_of: Some(Caseload {
            user,
            team: team.map(str::to_owned),
        }),
        ..CaseFilter::as_of(as_of)
    };
    let references = |page: tandem_store::CasePage| -> Vec<String> {
        let mut refs: Vec<String> = page.cases.iter().map(|c| c.reference.to_string()).collect();
        refs.sort();
        refs
    };
    let anns = store
        .list_cases(&caseload(ann, Some("north")), Page::number(1, 10))
        .await
        .expect("list");
    assert_eq!(references(anns), ["EHC-C1", "EHC-C2"]);
    let bens = store
        .list_cases(&caseload(ben, None), Page::number(1, 10))
        .await
        .expect("list");
    assert_eq!(references(bens), ["EHC-C3"]);

    // The worked example's child is Sam Example, born on its date of birth: four cases so far.
    let born = worked_example("X")
        .child
        .date_of_birth
        .expect("date of birth");
    let mut tx = store.begin().await.expect("begin");
    let found = tx
        .cases_of_child(" sam ", "EXAMPLE", born)
        .await
        .expect("find");
    assert_eq!(found.len(), 4);
    assert_eq!(found[0].reference.as_str(), "EHC-C4", "newest first");
    assert!(
        tx.cases_of_child("Sam", "Example", date("2001-01-01"))
            .await
            .expect("find")
            .is_empty()
    );
    // A new request for the same child shares the child's record.
    let child_id = found[0].child_id;
    let record = tx
        .open_case_for_child(
            &NewCase::new(requested("EHC-C5", "2026-02-01")),
            child_id,
            by_form(None),
        )
        .await
        .expect("open for child");
    assert_eq!(record.child_id, child_id);
    let again = tx
        .cases_of_child("Sam", "Example", born)
        .await
        .expect("find");
    assert_eq!(again.len(), 5);
    assert_eq!(again[0].stage, Some(Stage::AwaitingDecision));
    tx.commit().await.expect("commit");
    let read = store
        .case(&Reference::parse("EHC-C5").expect("reference"))
        .await
        .expect("read")
        .expect("case");
    assert_eq!(read.child.other.get("given_name"), Some(&json!("Sam")));
}

/// The change counter (what caseload pages are cached under) moves with every change to a case
/// or its summary row, in the change's transaction, and not otherwise.
async fn every_change_to_a_case_moves_the_change_counter(ctx: Ctx) {
    let store = &ctx.store;
    let read = || async {
        let mut tx = store.begin_snapshot().await.expect("snapshot");
        tx.change_count().await.expect("counter")
    };
    let manager = add_user(
        store,
        "counted@example.test",
        Role::CaseManager,
        Some("west"),
    )
    .await;
    let mut last = read().await;
    let moved = |last: &mut i64, now: i64, what: &str| {
        assert!(now > *last, "{what}: {now} after {last}");
        *last = now;
    };

    let record = open(store, requested("EHC-CC", "2026-01-05"), at("2026-01-06")).await;
    moved(&mut last, read().await, "a case opened");

    let mut tx = store.begin().await.expect("begin");
    tx.append_events(
        record.id,
        1,
        &[event(&[
            ("type", "decision_to_assess"),
            ("date", "2026-02-10"),
            ("outcome", "assess"),
        ])],
        by_form(None),
    )
    .await
    .expect("append");
    // Not yet committed: a snapshot still reads the counter as it was.
    assert_eq!(read().await, last, "uncommitted");
    tx.commit().await.expect("commit");
    moved(&mut last, read().await, "an event recorded");

    let mut tx = store.begin().await.expect("begin");
    tx.assign_case(
        record.id,
        2,
        &tandem_store::Reassignment {
            to: Some(manager),
            team: Some("west"),
            reason: None,
            by: None,
        },
    )
    .await
    .expect("assign");
    tx.commit().await.expect("commit");
    moved(&mut last, read().await, "a case assigned");

    let mut tx = store.begin_at(at("2026-02-01")).await.expect("begin");
    tx.import_cases(
        vec![NewCase::new(requested("EHC-CD", "2026-01-20"))],
        Attribution::new(None, Source::Import),
    )
    .await
    .expect("import");
    tx.commit().await.expect("commit");
    moved(&mut last, read().await, "a case imported");

    // Rolled back: the counter stays where it was.
    let mut tx = store.begin().await.expect("begin");
    tx.assign_case(
        record.id,
        3,
        &tandem_store::Reassignment {
            to: None,
            team: None,
            reason: None,
            by: None,
        },
    )
    .await
    .expect("assign");
    tx.rollback().await.expect("rollback");
    assert_eq!(read().await, last, "rolled back");

    // Reads do not move it.
    store
        .audit_read(
            tandem_store::AuditEntry::new(Some(manager), "case.view"),
            at("2026-02-02"),
        )
        .await
        .expect("audit");
    assert_eq!(read().await, last, "a read");
}
