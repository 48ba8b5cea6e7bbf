//! Opening stores from URLs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use tandem_store::{Backend, Store, StoreError};

#[tokio::test]
async fn sqlite_url_creates_the_file_and_its_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/deeper/tandem.db");
    let store = Store::open(&format!("sqlite://{}", path.display()))
        .await
        .expect("open");
    assert_eq!(store.backend(), Backend::Sqlite);
    store.migrate().await.expect("migrate");
    assert!(path.exists());
    let pool = store.sqlite_pool().expect("sqlite");
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert_eq!(mode, "wal");
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert_eq!(foreign_keys, 1);
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert_eq!(synchronous, 1, "NORMAL");
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert!(busy >= 1000);
    store.close().await;
}

#[tokio::test]
async fn in_memory_sqlite_keeps_one_database() {
    let store = Store::open("sqlite::memory:").await.expect("open");
    store.migrate().await.expect("migrate");
    assert_eq!(store.count_cases().await.expect("count"), 0);
}

#[tokio::test]
async fn other_schemes_are_refused_without_echoing_the_url() {
    let error = Store::open("mysql://user:secret@host/db")
        .await
        .expect_err("unsupported");
    assert!(matches!(error, StoreError::UnsupportedUrl { .. }));
    let message = error.to_string();
    assert!(message.contains("\"mysql\""), "{message}");
    assert!(!message.contains("secret"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_write_transactions_take_the_write_lock_up_front() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .expect("open");
    store.migrate().await.expect("migrate");
    let first = store.begin().await.expect("begin");
    let second = tokio::spawn({
        let store = store.clone();
        async move { store.begin().await.map(|tx| tx.today()) }
    });
    // BEGIN IMMEDIATE: the second writer waits at BEGIN, before reading anything.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "second writer should wait for the lock"
    );
    first.commit().await.expect("commit");
    second.await.expect("task").expect("second begin");
    // Reads are not held up by a writer.
    let _writer = store.begin().await.expect("begin");
    assert_eq!(store.count_cases().await.expect("read"), 0);
}
