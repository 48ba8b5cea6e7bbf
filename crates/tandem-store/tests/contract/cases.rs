//! Opening a case, appending, correcting and withdrawing events, concurrent writers, the projection and replacing a history.

use std::sync::Arc;

use futures_util::TryStreamExt;
use serde_json::json;
use tandem_core::{CaseFile, Event, Reference, Role, Stage, Status, timeline};
use tandem_store::projection::project;
use tandem_store::{
    Attribution, AuditEntry, AuditFilter, CaseFilter, Correction, NewCase, Page, Rag, Source,
    StatusFilter, StoreError,
};
use tandem_test_support::{Ctx, contract};
use tokio::sync::Barrier;

use crate::helpers::*;

contract!(
    migrate_twice_is_idempotent,
    open_case_append_and_read_back,
    corrections_and_withdrawals_keep_history,
    two_writers_same_version_exactly_one_wins,
    projection_is_recomputed_with_each_write,
    stale_projections_refresh,
    replace_keeps_the_old_history,
);

async fn migrate_twice_is_idempotent(ctx: Ctx) {
    // The harness migrated once already.
    ctx.store.migrate().await.expect("second migrate");
    ctx.store.migrate().await.expect("third migrate");
    ctx.store.ping().await.expect("ping");
    assert_eq!(ctx.store.count_cases().await.expect("count"), 0);
}

async fn open_case_append_and_read_back(ctx: Ctx) {
    let store = &ctx.store;
    let user = add_user(store, "Case.Manager@Example.test", Role::CaseManager, None).await;
    let mut case = worked_example("EHC-2026-0001");
    let later: Vec<Event> = case.events.split_off(4); // draft and final come later

    let now = at("2026-04-01");
    let mut tx = store.begin_at(now).await.expect("begin");
    let record = tx
        .open_case(
            &NewCase {
                case: case.clone(),
                case_manager: Some(user),
                team: Some("north".into()),
            },
            Attribution::new(Some(user), Source::Api),
        )
        .await
        .expect("open");
    tx.commit().await.expect("commit");
    assert_eq!(record.version, 1);
    assert_eq!(record.opened_at, now);

    let stored = store
        .case(&case.reference)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(stored.record, record);
    assert_eq!(stored.case_file(), case);
    assert_eq!(stored.child.text("given_name"), Some("Sam"));
    assert_eq!(stored.child.text("upn"), Some("A123"));
    assert_eq!(stored.history.len(), 4);
    for (row, seq) in stored.history.iter().zip(1..) {
        assert_eq!(row.seq, seq);
        assert_eq!(row.recorded_by, Some(user));
        assert_eq!(
            row.recorded_by_name.as_deref(),
            Some("User Case.Manager@Example.test")
        );
        assert_eq!(row.recorded_at, now);
        assert_eq!(row.source, Source::Api);
        assert!(row.is_effective());
    }

    // Append the rest at version 1.
    let mut tx = store.begin_at(at("2026-05-20")).await.expect("begin");
    let version = tx
        .append_events(record.id, 1, &later, by_form(Some(user)))
        .await
        .expect("append");
    tx.commit().await.expect("commit");
    assert_eq!(version, 2);

    let stored = store
        .case_by_id(record.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(stored.record.version, 2);
    assert_eq!(stored.case_file(), worked_example("EHC-2026-0001"));
    let seqs: Vec<i64> = stored.history.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(stored.history[5].source, Source::Form);

    assert!(
        store
            .case(&Reference::parse("EHC-NOPE").expect("ref"))
            .await
            .expect("read")
            .is_none()
    );

    // The same reference cannot be opened twice.
    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .open_case(&NewCase::new(case.clone()), by_form(None))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(&error, StoreError::DuplicateReference { reference } if reference == "EHC-2026-0001"),
        "{error:?}"
    );
}

async fn corrections_and_withdrawals_keep_history(ctx: Ctx) {
    let store = &ctx.store;
    let record = open(store, worked_example("EHC-C1"), at("2026-06-01")).await;
    let stored = store
        .case_by_id(record.id)
        .await
        .expect("read")
        .expect("found");
    let final_row = stored.history[5].clone();
    let advice_row = stored.history[3].clone();
    let corrected = event(&[("type", "final_plan_issued"), ("date", "2026-05-19")]);

    let mut tx = store.begin_at(at("2026-06-02")).await.expect("begin");
    let v2 = tx
        .correct_event(
            record.id,
            1,
            final_row.id,
            &corrected,
            "typed the wrong day",
            by_form(None),
        )
        .await
        .expect("correct");
    let v3 = tx
        .withdraw_event(
            record.id,
            v2,
            advice_row.id,
            "recorded on the wrong case",
            by_form(None),
        )
        .await
        .expect("withdraw");
    tx.commit().await.expect("commit");
    assert_eq!((v2, v3), (2, 3));

    let stored = store
        .case_by_id(record.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(stored.history.len(), 8, "history keeps every row");
    let old_final = &stored.history[5];
    let correction = &stored.history[6];
    let withdrawal = &stored.history[7];
    assert_eq!(
        old_final.event, final_row.event,
        "the original is kept as it was"
    );
    assert_eq!(old_final.superseded_by, Some(correction.id));
    assert!(!old_final.is_effective());
    assert_eq!(correction.supersedes, Some(final_row.id));
    assert_eq!(correction.correction, Some(Correction::Correct));
    assert_eq!(correction.reason.as_deref(), Some("typed the wrong day"));
    assert_eq!(correction.event.as_ref(), Some(&corrected));
    assert!(correction.is_effective());
    assert_eq!(withdrawal.supersedes, Some(advice_row.id));
    assert_eq!(withdrawal.correction, Some(Correction::Withdraw));
    assert_eq!(withdrawal.event, None);
    assert!(!withdrawal.is_effective());
    assert_eq!(stored.history[3].superseded_by, Some(withdrawal.id));

    let mut expected = worked_example("EHC-C1").events;
    expected.remove(5);
    expected.remove(3);
    expected.push(corrected.clone());
    assert_eq!(stored.case_file().events, expected);

    // The streamed export sees the same effective events.
    let exported: Vec<CaseFile> = store.case_files().try_collect().await.expect("stream");
    assert_eq!(exported, vec![stored.case_file()]);

    // A superseded row cannot be superseded again; a withdrawal row is not an event; the
    // event must belong to the case.
    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .correct_event(
            record.id,
            3,
            final_row.id,
            &corrected,
            "again",
            by_form(None),
        )
        .await
        .expect_err("already superseded");
    assert!(
        matches!(error, StoreError::AlreadySuperseded { event_id } if event_id == final_row.id),
        "{error:?}"
    );
    drop(tx);
    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .withdraw_event(record.id, 3, withdrawal.id, "no", by_form(None))
        .await
        .expect_err("not an event");
    assert!(
        matches!(error, StoreError::EventNotFound { .. }),
        "{error:?}"
    );
    drop(tx);
    let other = open(store, requested("EHC-C2", "2026-05-01"), at("2026-06-01")).await;
    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .withdraw_event(other.id, 1, correction.id, "no", by_form(None))
        .await
        .expect_err("other case's event");
    assert!(
        matches!(error, StoreError::EventNotFound { .. }),
        "{error:?}"
    );
}

async fn two_writers_same_version_exactly_one_wins(ctx: Ctx) {
    let store = ctx.store.clone();
    let record = open(
        &store,
        requested("EHC-RACE", "2026-01-05"),
        at("2026-01-06"),
    )
    .await;
    for round in 0..8_i64 {
        let expected_version = 1 + round;
        let barrier = Arc::new(Barrier::new(2));
        let mut tasks = Vec::new();
        for writer in 0..2 {
            let (store, barrier) = (store.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                // Both writers read the case first, as a form would, then race to write.
                let read = store
                    .case_by_id(record.id)
                    .await
                    .expect("read")
                    .expect("found");
                assert_eq!(read.record.version, expected_version);
                barrier.wait().await;
                let mut tx = store.begin().await.expect("begin");
                let day = format!("2026-02-{:02}", 1 + round * 2 + writer);
                let result = tx
                    .append_events(
                        record.id,
                        read.record.version,
                        &[event(&[
                            ("type", "advice_requested"),
                            ("date", &day),
                            ("advice", "health"),
                        ])],
                        by_form(None),
                    )
                    .await;
                if result.is_ok() {
                    tx.audit(
                        &AuditEntry::new(None, "case.record_event").case(&read.record.reference),
                    )
                    .await
                    .expect("audit");
                    tx.commit().await.expect("commit");
                }
                result
            }));
        }
        let mut wins = 0;
        let mut conflicts = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(version) => {
                    assert_eq!(version, expected_version + 1);
                    wins += 1;
                }
                Err(StoreError::Conflict { current_version }) => {
                    assert_eq!(current_version, expected_version + 1);
                    conflicts += 1;
                }
                Err(other) => panic!("unexpected error: {other:?}"),
            }
        }
        assert_eq!((wins, conflicts), (1, 1), "round {round}");
    }
    let stored = store
        .case_by_id(record.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(stored.record.version, 9);
    assert_eq!(stored.history.len(), 9, "one event per round, none lost");
    let audit = store
        .audit_log(&AuditFilter {
            case_reference: Some(stored.record.reference.clone()),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.len(), 8, "only the winners left audit rows");
}

async fn projection_is_recomputed_with_each_write(ctx: Ctx) {
    let store = &ctx.store;
    let today = at("2026-03-01");
    let record = open(store, requested("EHC-P1", "2026-01-05"), today).await;
    let stored = store
        .case_by_id(record.id)
        .await
        .expect("read")
        .expect("found");
    let projection = stored.projection.clone().expect("projection");
    assert_eq!(projection, project(&stored.case_file(), date("2026-03-01")));
    assert_eq!(projection.stage, Stage::AwaitingDecision);
    assert_eq!(projection.next_key.as_deref(), Some("decision_to_assess"));
    assert_eq!(projection.next_due, Some(date("2026-02-16")));
    assert_eq!(projection.next_status, Some(Status::Overdue));
    assert_eq!(projection.rag, Rag::Red);
    assert_eq!(projection.overdue_count, 1);
    assert_eq!(projection.computed_as_of, date("2026-03-01"));

    let mut tx = store.begin_at(today).await.expect("begin");
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
    tx.commit().await.expect("commit");
    let stored = store
        .case_by_id(record.id)
        .await
        .expect("read")
        .expect("found");
    let projection = stored.projection.clone().expect("projection");
    let timeline = timeline::compute(&stored.case_file(), date("2026-03-01"));
    assert_eq!(projection.stage, Stage::Assessing);
    assert_eq!(projection.overdue_count, 0);
    assert_eq!(
        projection.next_key.as_deref(),
        timeline.next_due().map(|m| m.key.as_str())
    );
    assert_eq!(projection.next_status, Some(Status::Pending));
    assert!(projection.next_due.expect("due") >= date("2026-03-01"));

    // Withdrawing the decision puts the case back where it was.
    let decision = stored.history[1].id;
    let mut tx = store.begin_at(today).await.expect("begin");
    tx.withdraw_event(record.id, 2, decision, "wrong case", by_form(None))
        .await
        .expect("withdraw");
    tx.commit().await.expect("commit");
    let projection = store
        .case_by_id(record.id)
        .await
        .expect("read")
        .expect("found")
        .projection
        .expect("projection");
    assert_eq!(projection.next_key.as_deref(), Some("decision_to_assess"));
    assert_eq!(projection.rag, Rag::Red);
}

async fn stale_projections_refresh(ctx: Ctx) {
    let store = &ctx.store;
    // Imported on 1 February: decision due 16 February is pending, 15 days off, just beyond
    // the 2 weeks that make a case amber.
    let mut tx = store.begin_at(at("2026-02-01")).await.expect("begin");
    tx.import_cases(
        vec![
            NewCase::new(requested("EHC-S1", "2026-01-05")),
            NewCase::new(requested("EHC-S2", "2026-01-20")),
        ],
        Attribution::new(None, Source::Import),
    )
    .await
    .expect("import");
    tx.commit().await.expect("commit");
    let s1 = Reference::parse("EHC-S1").expect("ref");
    let before = store.case(&s1).await.expect("read").expect("found");
    assert_eq!(
        before.projection.as_ref().map(|p| (p.next_status, p.rag)),
        Some((Some(Status::Pending), Rag::Green))
    );

    // A month later the stored row is stale; the list still judges status on its as-of date.
    let as_of = date("2026-03-01");
    let overdue = CaseFilter {
        status: Some(StatusFilter::Overdue),
        ..CaseFilter::as_of(as_of)
    };
    let listed = store
        .list_cases(&overdue, Page::number(1, 10))
        .await
        .expect("list");
    assert_eq!(listed.total, 1);
    assert_eq!(listed.cases[0].next_status_on(as_of), Some(Status::Overdue));

    let mut tx = store.begin_at(at("2026-03-01")).await.expect("begin");
    assert_eq!(tx.refresh_stale_projections().await.expect("refresh"), 2);
    tx.commit().await.expect("commit");
    let after = store.case(&s1).await.expect("read").expect("found");
    let projection = after.projection.expect("projection");
    assert_eq!(projection.computed_as_of, as_of);
    assert_eq!(projection.next_status, Some(Status::Overdue));
    assert_eq!(projection.rag, Rag::Red);
    assert_eq!(
        after.record.version, 1,
        "a refresh is not a change to the case"
    );

    // Nothing left to refresh today.
    let mut tx = store.begin_at(at("2026-03-01")).await.expect("begin");
    assert_eq!(tx.refresh_stale_projections().await.expect("refresh"), 0);
    tx.commit().await.expect("commit");
}

async fn replace_keeps_the_old_history(ctx: Ctx) {
    let store = &ctx.store;
    let manager = add_user(store, "r@example.test", Role::CaseManager, None).await;
    let record = open(store, worked_example("EHC-R1"), at("2026-06-01")).await;
    let mut replacement = requested("EHC-R1", "2026-02-02");
    replacement
        .child
        .other
        .insert("given_name".into(), json!("Alex"));
    let new = NewCase {
        case: replacement.clone(),
        case_manager: Some(manager),
        team: None,
    };
    let mut tx = store.begin_at(at("2026-06-02")).await.expect("begin");
    let version = tx
        .replace_case(
            record.id,
            1,
            &new,
            "re-imported",
            Attribution::new(None, Source::Import),
        )
        .await
        .expect("replace");
    tx.commit().await.expect("commit");
    assert_eq!(version, 2);
    let stored = store
        .case_by_id(record.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(stored.case_file(), replacement);
    assert_eq!(stored.record.case_manager, Some(manager));
    assert_eq!(
        stored.history.len(),
        6 + 6 + 1,
        "old rows, withdrawals, new row"
    );
    assert!(
        stored.history[6..12]
            .iter()
            .all(|r| r.correction == Some(Correction::Withdraw)
                && r.reason.as_deref() == Some("re-imported"))
    );
    assert_eq!(
        stored.projection,
        Some(project(&replacement, date("2026-06-02")))
    );
}
