//! What the contract's areas share: dates, events, cases and accounts to start from.

use chrono::{DateTime, Utc};
use serde_json::json;
use tandem_core::{CaseFile, Reference};
use tandem_store::{Attribution, Backend, NewCase, Source, Store};

pub(crate) use tandem_test_support::{add_user, at, date, event};

pub(crate) fn worked_example(reference: &str) -> CaseFile {
    let mut case = CaseFile::from_json(include_str!("../../../../examples/worked-example.json"))
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
pub(crate) fn requested(reference: &str, request: &str) -> CaseFile {
    CaseFile {
        reference: Reference::parse(reference).expect("reference"),
        child: Default::default(),
        events: vec![event(&[("type", "request_received"), ("date", request)])],
        request: Default::default(),
    }
}

pub(crate) fn by_form(user: Option<i64>) -> Attribution {
    Attribution::new(user, Source::Form)
}

pub(crate) async fn open(
    store: &Store,
    case: CaseFile,
    now: DateTime<Utc>,
) -> tandem_store::CaseRecord {
    let mut tx = store.begin_at(now).await.expect("begin");
    let record = tx
        .open_case(&NewCase::new(case), by_form(None))
        .await
        .expect("open case");
    tx.commit().await.expect("commit");
    record
}

pub(crate) async fn count(store: &Store, table: &str) -> i64 {
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

/// Runs one statement of raw SQL, as a migration would.
pub(crate) async fn execute(store: &Store, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match store.backend() {
        Backend::Sqlite => sqlx::query(sql)
            .execute(store.sqlite_pool().expect("pool"))
            .await
            .map(drop)
            .expect("execute"),
        Backend::Postgres => sqlx::query(sql)
            .execute(store.postgres_pool().expect("pool"))
            .await
            .map(drop)
            .expect("execute"),
    }
}

/// Runs one statement of raw SQL, returning the database's refusal if it refuses.
pub(crate) async fn try_execute(store: &Store, sql: &str) -> Result<(), sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match store.backend() {
        Backend::Sqlite => sqlx::query(sql)
            .execute(store.sqlite_pool().expect("pool"))
            .await
            .map(drop),
        Backend::Postgres => sqlx::query(sql)
            .execute(store.postgres_pool().expect("pool"))
            .await
            .map(drop),
    }
}
