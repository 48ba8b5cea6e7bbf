//! Test harness: a fresh, migrated store per test, on SQLite (a temporary file) or on
//! PostgreSQL (a fresh uniquely-named database on the server of `TEST_DATABASE_URL`, dropped
//! afterwards).

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use tandem_store::Store;

/// What a contract test gets: the store and a scratch folder (for backups).
pub struct Ctx {
    pub store: Store,
    pub scratch: PathBuf,
}

pub async fn run_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("db/tandem.db").display());
    let store = Store::open(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate");
    let ctx = Ctx {
        store: store.clone(),
        scratch: dir.path().to_path_buf(),
    };
    let outcome = tokio::spawn(test(ctx)).await;
    store.close().await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

pub async fn run_postgres<F, Fut>(test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL leg skipped");
        return;
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let name = format!(
        "tandem_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let url = with_database(&admin_url, &name);
    let dir = tempfile::tempdir().expect("temp dir");
    let outcome = async {
        let store = Store::open(&url).await.expect("open postgres");
        store.migrate().await.expect("migrate");
        let ctx = Ctx {
            store: store.clone(),
            scratch: dir.path().to_path_buf(),
        };
        let outcome = tokio::spawn(test(ctx)).await;
        store.close().await;
        outcome
    }
    .await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .expect("drop test database");
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_and_path = &base[scheme_end..];
    let host = host_and_path.split('/').next().unwrap_or(host_and_path);
    let mut out = format!("{}{}/{}", &base[..scheme_end], host, name);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// Declares each listed `async fn name(ctx: Ctx)` as a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    $crate::support::run_sqlite(super::$name).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    $crate::support::run_postgres(super::$name).await
                }
            )*
        }
    };
}
