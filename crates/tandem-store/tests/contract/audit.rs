//! The audit log: written with the transaction, never changed.

use serde_json::json;
use tandem_core::Role;
use tandem_store::{AuditEntry, AuditFilter, Backend, StoreError};
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(
    audit_rows_commit_with_the_transaction,
    history_and_audit_are_append_only,
    reads_are_audited_each_once_and_committed_before_the_caller_goes_on,
    reads_are_audited_while_a_write_transaction_waits,
);

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

async fn reads_are_audited_each_once_and_committed_before_the_caller_goes_on(ctx: Ctx) {
    let store = &ctx.store;
    let user = add_user(store, "reader@example.test", Role::CaseManager, None).await;
    let record = open(store, requested("EHC-GC", "2026-01-05"), at("2026-01-06")).await;
    let reference = record.reference.clone();

    // One read: its entry is there, stamped as asked, as soon as the call returns.
    let id = store
        .audit_read(
            AuditEntry::new(Some(user), "case.view")
                .case(&reference)
                .detail(json!({ "n": -1 })),
            at("2026-02-01"),
        )
        .await
        .expect("audited");
    let rows = store
        .audit_log(&AuditFilter::default())
        .await
        .expect("audit log");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].id, rows[0].at, rows[0].action.as_str()),
        (id, at("2026-02-01"), "case.view")
    );

    // Many reads at once, from many tasks: every one gets its own entry, committed (several
    // in a transaction) by the time its call returns.
    let reads = 200;
    let tasks: Vec<_> = (0..reads)
        .map(|n| {
            let store = store.clone();
            let reference = reference.clone();
            tokio::spawn(async move {
                let entry = AuditEntry::new(Some(user), "case.view")
                    .case(&reference)
                    .detail(json!({ "n": n }));
                let id = store
                    .audit_read(entry, at("2026-02-02"))
                    .await
                    .expect("audited");
                // Committed: visible to any other connection now.
                let seen = store
                    .audit_log(&AuditFilter {
                        case_reference: Some(reference),
                        limit: Some(1_000),
                        ..Default::default()
                    })
                    .await
                    .expect("audit log");
                assert!(seen.iter().any(|r| r.id == id), "entry {n} committed");
                (n, id)
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.expect("task"));
    }
    let rows = store
        .audit_log(&AuditFilter {
            limit: Some(1_000),
            ..Default::default()
        })
        .await
        .expect("audit log");
    assert_eq!(rows.len(), reads + 1);
    for (n, id) in ids {
        let row = rows
            .iter()
            .find(|r| r.id == id)
            .expect("the entry of each read");
        assert_eq!(row.detail, json!({ "n": n }));
        assert_eq!(row.case_reference.as_deref(), Some(reference.as_str()));
    }
}

async fn reads_are_audited_while_a_write_transaction_waits(ctx: Ctx) {
    let store = &ctx.store;
    let user = add_user(store, "writer@example.test", Role::CaseManager, None).await;
    // A write transaction is open: the read's entry waits for it (SQLite has one writer) and
    // is written after it ends, not lost and not written into it.
    let mut tx = store.begin().await.expect("begin");
    tx.audit(&AuditEntry::new(Some(user), "rolled.back"))
        .await
        .expect("audit");
    let read = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .audit_read(AuditEntry::new(Some(user), "case.view"), at("2026-02-03"))
                .await
        })
    };
    tokio::task::yield_now().await;
    tx.rollback().await.expect("rollback");
    read.await.expect("task").expect("audited");
    let rows = store
        .audit_log(&AuditFilter::default())
        .await
        .expect("audit log");
    assert_eq!(
        rows.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        vec!["case.view"]
    );
}
