//! Backups, bulk import and streaming every case back.

use futures_util::TryStreamExt;
use tandem_core::{CaseFile, Reference, Role};
use tandem_store::projection::project;
use tandem_store::{Attribution, Backend, CaseFilter, NewCase, Page, Source, Store, StoreError};
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(backup, bulk_import_and_stream_back,);

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
        .import_cases(cases.clone(), Attribution::new(None, Source::Import))
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
    assert!(one.history.iter().all(|r| r.source == Source::Import
        && r.recorded_by.is_none()
        && r.recorded_at == at("2026-06-01")));
    // Every case's projection, whichever batch of events and of projections it fell in (on
    // SQLite they are prepared on another thread and handed over in turn).
    for new in &cases {
        let held = store
            .case(&new.case.reference)
            .await
            .expect("read")
            .expect("found");
        assert_eq!(
            held.projection,
            Some(project(&new.case, date("2026-06-01"))),
            "{}",
            new.case.reference
        );
    }
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
        .import_cases(clash, Attribution::new(None, Source::Import))
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
        .import_cases(repeated, Attribution::new(None, Source::Generate))
        .await
        .expect_err("repeated");
    assert!(
        matches!(error, StoreError::DuplicateReference { .. }),
        "{error:?}"
    );
    drop(tx);
    assert_eq!(store.count_cases().await.expect("count"), 1_235);
}
