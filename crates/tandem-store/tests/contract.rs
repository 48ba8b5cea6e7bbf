//! The store contract: one suite, run on SQLite always and on PostgreSQL when
//! `TEST_DATABASE_URL` is set (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use futures_util::TryStreamExt;
use serde_json::json;
use tandem_core::{CaseFile, Date, Event, Reference, Role, Stage, Status, timeline};
use tandem_store::projection::project;
use tandem_store::{
    Attribution, AuditEntry, AuditFilter, Backend, CaseFilter, CaseRelation, Caseload, Correction,
    NewCase, NewUser, Page, Rag, Source, StatusFilter, Store, StoreError,
};
use tandem_test_support::{Ctx, contract};
use tokio::sync::Barrier;

contract!(
    migrate_twice_is_idempotent,
    open_case_append_and_read_back,
    corrections_and_withdrawals_keep_history,
    two_writers_same_version_exactly_one_wins,
    projection_is_recomputed_with_each_write,
    list_filters_and_pagination,
    audit_rows_commit_with_the_transaction,
    backup,
    bulk_import_and_stream_back,
    stale_projections_refresh,
    history_and_audit_are_append_only,
    accounts_sessions_and_sign_in_attempts,
    assignment_and_case_access,
    replace_keeps_the_old_history,
    caseloads_and_children_found_again,
);

// ---------------------------------------------------------------------------------------------
// Helpers

fn date(text: &str) -> Date {
    text.parse().expect("date")
}

/// Noon UTC on `day`.
fn at(day: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date(day).and_hms_opt(12, 0, 0).expect("time"))
}

fn event(fields: &[(&str, &str)]) -> Event {
    Event::from_fields(fields).expect("event")
}

fn worked_example(reference: &str) -> CaseFile {
    let mut case = CaseFile::from_json(include_str!("../../../examples/worked-example.json"))
        .expect("worked example");
    case.reference = Reference::parse(reference).expect("reference");
    case.child.other.insert("given_name".into(), json!("Sam"));
    case.child
        .other
        .insert("family_name".into(), json!("Example"));
    case.child.other.insert("upn".into(), json!("A123"));
    case
}

/// A case with only a request received on `request`.
fn requested(reference: &str, request: &str) -> CaseFile {
    CaseFile {
        reference: Reference::parse(reference).expect("reference"),
        child: Default::default(),
        events: vec![event(&[("type", "request_received"), ("date", request)])],
    }
}

fn by_form(user: Option<i64>) -> Attribution {
    Attribution::new(user, Source::Form)
}

async fn add_user(store: &Store, email: &str, role: Role, team: Option<&str>) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let id = tx
        .create_user(&NewUser {
            email: email.into(),
            name: format!("User {email}"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            role,
            team: team.map(str::to_owned),
        })
        .await
        .expect("create user");
    tx.commit().await.expect("commit");
    id
}

async fn open(store: &Store, case: CaseFile, now: DateTime<Utc>) -> tandem_store::CaseRecord {
    let mut tx = store.begin_at(now).await.expect("begin");
    let record = tx
        .open_case(&NewCase::new(case), by_form(None))
        .await
        .expect("open case");
    tx.commit().await.expect("commit");
    record
}

async fn count(store: &Store, table: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
    match store.backend() {
        Backend::Sqlite => sqlx::query_scalar(sql)
            .fetch_one(store.sqlite_pool().expect("pool"))
            .await
            .expect("count"),
        Backend::Postgres => sqlx::query_scalar(sql)
            .fetch_one(store.postgres_pool().expect("pool"))
            .await
            .expect("count"),
    }
}

// ---------------------------------------------------------------------------------------------
// The contract

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

async fn audit_rows_commit_with_the_transaction(ctx: Ctx) {
    let store = &ctx.store;
    let user = add_user(store, "auditor@example.test", Role::CaseManager, None).await;
    let record = open(store, requested("EHC-A1", "2026-01-05"), at("2026-01-06")).await;
    let reference = record.reference.clone();
    let entry = AuditEntry::new(Some(user), "case.record_event")
        .case(&reference)
        .detail(json!({ "case_id": record.id, "version": 2 }));
    let decision = [event(&[
        ("type", "decision_to_assess"),
        ("date", "2026-02-10"),
        ("outcome", "assess"),
    ])];

    // Rolled back: neither the event nor the audit row remains.
    let mut tx = store.begin().await.expect("begin");
    tx.append_events(record.id, 1, &decision, by_form(Some(user)))
        .await
        .expect("append");
    tx.audit(&entry).await.expect("audit");
    tx.rollback().await.expect("rollback");
    // Dropped without commit (e.g. an error path that returned early): the same.
    let mut tx = store.begin().await.expect("begin");
    tx.audit(&entry).await.expect("audit");
    drop(tx);
    // Audit written, then the write fails with a conflict: the caller abandons the transaction.
    let mut tx = store.begin().await.expect("begin");
    tx.audit(&entry).await.expect("audit");
    let error = tx
        .append_events(record.id, 7, &decision, by_form(Some(user)))
        .await
        .expect_err("stale");
    assert!(
        matches!(error, StoreError::Conflict { current_version: 1 }),
        "{error:?}"
    );
    drop(tx);

    assert_eq!(count(store, "audit_log").await, 0);
    let stored = store
        .case_by_id(record.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!((stored.record.version, stored.history.len()), (1, 1));

    // Committed: exactly one row, with ids only.
    let mut tx = store.begin_at(at("2026-02-11")).await.expect("begin");
    tx.append_events(record.id, 1, &decision, by_form(Some(user)))
        .await
        .expect("append");
    let audit_id = tx.audit(&entry).await.expect("audit");
    tx.commit().await.expect("commit");
    let rows = store
        .audit_log(&AuditFilter {
            case_reference: Some(reference.clone()),
            ..Default::default()
        })
        .await
        .expect("audit log");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, audit_id);
    assert_eq!(rows[0].actor, Some(user));
    assert_eq!(rows[0].action, "case.record_event");
    assert_eq!(rows[0].at, at("2026-02-11"));
    assert_eq!(
        rows[0].detail,
        json!({ "case_id": record.id, "version": 2 })
    );
    let by_actor = store
        .audit_log(&AuditFilter {
            actor: Some(user),
            action: Some("case.record_event".into()),
            limit: Some(10),
            ..Default::default()
        })
        .await
        .expect("audit log");
    assert_eq!(by_actor.len(), 1);

    // A plain read is audited on its own.
    store
        .audit(&AuditEntry::new(Some(user), "case.view").case(&reference))
        .await
        .expect("audit a read");
    let rows = store
        .audit_log(&AuditFilter {
            case_reference: Some(reference.clone()),
            ..Default::default()
        })
        .await
        .expect("audit log");
    assert_eq!(
        rows.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        vec!["case.view", "case.record_event"],
        "newest first"
    );
}

async fn backup(ctx: Ctx) {
    let store = &ctx.store;
    open(store, worked_example("EHC-B1"), at("2026-06-01")).await;
    let path = ctx.scratch.join("backups/copy.db");
    match store.backend() {
        Backend::Sqlite => {
            store.backup(&path).await.expect("backup");
            let copy = Store::open(&format!("sqlite://{}", path.display()))
                .await
                .expect("open backup");
            let pool = copy.sqlite_pool().expect("sqlite");
            let check: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(pool)
                .await
                .expect("integrity check");
            assert_eq!(check, "ok");
            let copied = copy
                .case(&Reference::parse("EHC-B1").expect("ref"))
                .await
                .expect("read")
                .expect("found");
            assert_eq!(copied.case_file(), worked_example("EHC-B1"));
            copy.close().await;
            let again = store.backup(&path).await.expect_err("exists");
            assert!(again.to_string().contains("already exists"), "{again}");
        }
        Backend::Postgres => {
            let error = store.backup(&path).await.expect_err("pg_dump");
            assert!(matches!(error, StoreError::BackupNotSupported(_)));
            assert!(error.to_string().contains("pg_dump"), "{error}");
            assert!(!path.exists());
        }
    }
}

async fn bulk_import_and_stream_back(ctx: Ctx) {
    let store = &ctx.store;
    let manager = add_user(store, "bulk@example.test", Role::CaseManager, Some("east")).await;
    // Enough cases and events to cross several batch boundaries.
    let cases: Vec<NewCase> = (0..1_234)
        .map(|i| {
            let mut case = worked_example(&format!("EHC-BULK-{i:05}"));
            if i % 3 == 0 {
                case.events.truncate(2);
            }
            if i % 7 == 0 {
                case.child = Default::default();
            }
            NewCase {
                case,
                case_manager: (i % 2 == 0).then_some(manager),
                team: Some("east".into()),
            }
        })
        .collect();
    let expected_events: usize = cases.iter().map(|c| c.case.events.len()).sum();
    // Something there already, so that allocated ids must not collide.
    open(
        store,
        requested("EHC-FIRST", "2026-01-05"),
        at("2026-01-06"),
    )
    .await;

    let mut tx = store.begin_at(at("2026-06-01")).await.expect("begin");
    let summary = tx
        .import_cases(&cases, Attribution::new(None, Source::Import))
        .await
        .expect("import");
    tx.commit().await.expect("commit");
    assert_eq!(summary.cases, 1_234);
    assert_eq!(summary.events as usize, expected_events);
    assert_eq!(store.count_cases().await.expect("count"), 1_235);
    assert_eq!(
        store.count_events().await.expect("count") as usize,
        expected_events + 1
    );

    let streamed: Vec<CaseFile> = store.case_files().try_collect().await.expect("stream");
    assert_eq!(streamed.len(), 1_235);
    assert_eq!(streamed[0].reference.as_str(), "EHC-FIRST");
    for (got, want) in streamed[1..].iter().zip(&cases) {
        assert_eq!(got, &want.case);
    }

    let one = store
        .case(&cases[10].case.reference)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(one.record.case_manager, Some(manager));
    assert_eq!(one.record.version, 1);
    assert!(
        one.history
            .iter()
            .all(|r| r.source == Source::Import && r.recorded_by.is_none())
    );
    assert_eq!(
        one.projection,
        Some(project(&cases[10].case, date("2026-06-01")))
    );
    let listed = store
        .list_cases(
            &CaseFilter {
                case_manager: Some(manager),
                ..CaseFilter::as_of(date("2026-06-01"))
            },
            Page::number(1, 10),
        )
        .await
        .expect("list");
    assert_eq!(listed.total, 617);

    // Writing to an imported case works as usual.
    let mut tx = store.begin().await.expect("begin");
    tx.append_events(
        one.record.id,
        1,
        &[event(&[
            ("type", "review_meeting_held"),
            ("date", "2027-04-01"),
        ])],
        by_form(None),
    )
    .await
    .expect("append");
    tx.commit().await.expect("commit");

    // Clashing references are refused, and nothing is written.
    let clash = vec![
        NewCase::new(requested("EHC-NEW-1", "2026-01-05")),
        NewCase::new(requested("EHC-BULK-00007", "2026-01-05")),
    ];
    let mut tx = store.begin().await.expect("begin");
    let found = tx
        .existing_references(
            &clash
                .iter()
                .map(|c| c.case.reference.clone())
                .collect::<Vec<_>>(),
        )
        .await
        .expect("existing");
    assert_eq!(
        found,
        vec![Reference::parse("EHC-BULK-00007").expect("ref")]
    );
    let error = tx
        .import_cases(&clash, Attribution::new(None, Source::Import))
        .await
        .expect_err("clash");
    assert!(
        matches!(&error, StoreError::DuplicateReference { reference } if reference == "EHC-BULK-00007"),
        "{error:?}"
    );
    drop(tx);
    let repeated = vec![
        NewCase::new(requested("EHC-TWICE", "2026-01-05")),
        NewCase::new(requested("EHC-TWICE", "2026-01-06")),
    ];
    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .import_cases(&repeated, Attribution::new(None, Source::Generate))
        .await
        .expect_err("repeated");
    assert!(
        matches!(error, StoreError::DuplicateReference { .. }),
        "{error:?}"
    );
    drop(tx);
    assert_eq!(store.count_cases().await.expect("count"), 1_235);
}

async fn stale_projections_refresh(ctx: Ctx) {
    let store = &ctx.store;
    // Imported on 1 February: decision due 16 February is pending, 15 days off, just beyond
    // the 2 weeks that make a case amber.
    let mut tx = store.begin_at(at("2026-02-01")).await.expect("begin");
    tx.import_cases(
        &[
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

async fn history_and_audit_are_append_only(ctx: Ctx) {
    let store = &ctx.store;
    open(store, requested("EHC-AO", "2026-01-05"), at("2026-01-06")).await;
    let mut tx = store.begin().await.expect("begin");
    tx.audit(&AuditEntry::new(None, "case.view"))
        .await
        .expect("audit");
    tx.commit().await.expect("commit");
    for sql in [
        "UPDATE events SET reason = 'changed'",
        "DELETE FROM events",
        "UPDATE audit_log SET action = 'changed'",
        "DELETE FROM audit_log",
    ] {
        let result = match store.backend() {
            Backend::Sqlite => sqlx::query(sql)
                .execute(store.sqlite_pool().expect("pool"))
                .await
                .map(|_| ()),
            Backend::Postgres => sqlx::query(sql)
                .execute(store.postgres_pool().expect("pool"))
                .await
                .map(|_| ()),
        };
        let error = result.expect_err(sql);
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    assert_eq!(count(store, "events").await, 1);
    assert_eq!(count(store, "audit_log").await, 1);
}

async fn accounts_sessions_and_sign_in_attempts(ctx: Ctx) {
    let store = &ctx.store;
    let id = add_user(
        store,
        " Head@Example.TEST ",
        Role::HeadOfService,
        Some("north"),
    )
    .await;
    let user = store
        .user_by_email("head@example.test")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(user.id, id);
    assert_eq!(user.email, "head@example.test");
    assert_eq!(user.role, Role::HeadOfService);
    assert_eq!(user.actor().team.as_deref(), Some("north"));
    assert!(!user.disabled);

    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .create_user(&NewUser {
            email: "HEAD@example.test".into(),
            name: "Someone else".into(),
            password_hash: "x".into(),
            role: Role::Admin,
            team: None,
        })
        .await
        .expect_err("duplicate email");
    assert!(matches!(error, StoreError::DuplicateEmail), "{error:?}");
    drop(tx);

    let mut tx = store.begin().await.expect("begin");
    tx.set_user_role(id, Role::TeamManager, None)
        .await
        .expect("role");
    tx.set_password_hash(id, "new-hash")
        .await
        .expect("password");
    tx.commit().await.expect("commit");
    let user = store.user(id).await.expect("read").expect("found");
    assert_eq!((user.role, user.team.as_deref()), (Role::TeamManager, None));
    assert_eq!(user.password_hash, "new-hash");
    assert_eq!(store.users().await.expect("users").len(), 1);

    // Sessions: absolute expiry, idle expiry, revocation, disabled accounts.
    let now = at("2026-03-01");
    let idle = chrono::Duration::minutes(30);
    let mut tx = store.begin_at(now).await.expect("begin");
    let session = tx
        .create_session("hash-1", id, now + chrono::Duration::hours(8))
        .await
        .expect("session");
    tx.create_session("hash-2", id, now + chrono::Duration::hours(8))
        .await
        .expect("session");
    tx.commit().await.expect("commit");
    let (found, found_user) = store
        .session("hash-1", now + chrono::Duration::minutes(10), idle)
        .await
        .expect("read")
        .expect("live");
    assert_eq!((found.id, found_user.id), (session, id));
    assert!(
        store
            .session("nope", now, idle)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .session("hash-1", now + chrono::Duration::minutes(31), idle)
            .await
            .expect("read")
            .is_none(),
        "idle too long"
    );
    store
        .touch_session(session, now + chrono::Duration::minutes(25))
        .await
        .expect("touch");
    assert!(
        store
            .session("hash-1", now + chrono::Duration::minutes(50), idle)
            .await
            .expect("read")
            .is_some(),
        "touched"
    );
    assert!(
        store
            .session(
                "hash-1",
                now + chrono::Duration::hours(9),
                chrono::Duration::hours(24)
            )
            .await
            .expect("read")
            .is_none(),
        "past absolute expiry"
    );
    let mut tx = store.begin().await.expect("begin");
    assert_eq!(tx.revoke_session("hash-1").await.expect("revoke"), 1);
    tx.commit().await.expect("commit");
    assert!(
        store
            .session("hash-1", now, idle)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .session("hash-2", now, idle)
            .await
            .expect("read")
            .is_some()
    );
    let mut tx = store.begin().await.expect("begin");
    tx.set_user_disabled(id, true).await.expect("disable");
    tx.commit().await.expect("commit");
    assert!(
        store
            .session("hash-2", now, idle)
            .await
            .expect("read")
            .is_none()
    );
    assert!(store.user(id).await.expect("read").expect("found").disabled);

    // Sign-in attempts.
    for (minute, ok) in [(0, false), (1, false), (2, true), (3, false)] {
        store
            .record_sign_in_attempt("k1", now + chrono::Duration::minutes(minute), ok)
            .await
            .expect("attempt");
    }
    store
        .record_sign_in_attempt("k2", now, false)
        .await
        .expect("attempt");
    assert_eq!(
        store
            .failed_sign_in_attempts("k1", now)
            .await
            .expect("count"),
        3
    );
    assert_eq!(
        store
            .failed_sign_in_attempts("k1", now + chrono::Duration::minutes(1))
            .await
            .expect("count"),
        2
    );
    assert_eq!(
        store
            .failed_sign_in_attempts("k3", now)
            .await
            .expect("count"),
        0
    );
}

async fn assignment_and_case_access(ctx: Ctx) {
    let store = &ctx.store;
    let manager = add_user(store, "cm@example.test", Role::CaseManager, Some("west")).await;
    let parent = add_user(store, "parent@example.test", Role::Parent, None).await;
    let nurse = add_user(store, "nurse@example.test", Role::HealthProfessional, None).await;
    let record = open(store, requested("EHC-AS", "2026-01-05"), at("2026-01-06")).await;

    let mut tx = store.begin().await.expect("begin");
    let version = tx
        .assign_case(record.id, 1, Some(manager), Some("west"))
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

    let access = store.case_access(record.id).await.expect("access");
    assert_eq!(access.case_manager, Some(manager));
    assert_eq!(access.team.as_deref(), Some("west"));
    assert_eq!(access.family, vec![parent]);
    assert_eq!(access.advice_recipients, vec![nurse]);

    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .assign_case(record.id, 1, None, None)
        .await
        .expect_err("stale");
    assert!(
        matches!(error, StoreError::Conflict { current_version: 2 }),
        "{error:?}"
    );
    drop(tx);
    let mut tx = store.begin().await.expect("begin");
    let error = tx
        .assign_case(9_999, 1, None, None)
        .await
        .expect_err("missing");
    assert!(
        matches!(error, StoreError::CaseIdNotFound { id: 9_999 }),
        "{error:?}"
    );
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
