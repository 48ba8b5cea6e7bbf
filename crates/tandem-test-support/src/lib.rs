//! Test harness shared by the crates' tests: a fresh, migrated store per test, on SQLite (a
//! temporary file) or on PostgreSQL (a fresh uniquely-named database on the server of
//! `TEST_DATABASE_URL`, dropped afterwards). A dev-dependency only.

#![deny(missing_docs)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test harness: a failure stops the test loudly"
)]

mod oidc;
mod smtp;

pub use oidc::OidcProvider;
pub use smtp::{Received, SmtpSink};

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use sqlx::Connection;
use tandem_core::{Actor, Date, Event, Role};
/// The store crate, for tests of the crates above it (the web) that seed and read back data
/// directly, without those crates depending on the store themselves.
pub use tandem_store;
use tandem_store::{AuditFilter, AuditRecord, NewUser, Store};

/// A date written `YYYY-MM-DD`.
pub fn date(text: &str) -> Date {
    text.parse().expect("date")
}

/// Noon UTC on `day` (`YYYY-MM-DD`): the same calendar day in England all year.
pub fn at(day: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date(day).and_hms_opt(12, 0, 0).expect("time"))
}

/// An event from its case-file fields (`[("type", "request_received"), ("date", …)]`).
pub fn event(fields: &[(&str, &str)]) -> Event {
    Event::from_fields(fields).expect("event")
}

/// An account with `role` and no team or service, added with [`add_user`], as the access rules
/// see it.
pub async fn actor(store: &Store, email: &str, role: Role) -> Actor {
    Actor {
        id: add_user(store, email, role, None).await,
        role,
        team: None,
        provider: None,
    }
}

/// The audit log's entries for `action`, newest first.
pub async fn audit_entries(store: &Store, action: &str) -> Vec<AuditRecord> {
    store
        .audit_log(&AuditFilter {
            action: Some(action.into()),
            ..AuditFilter::default()
        })
        .await
        .expect("audit")
}

/// How many entries for `action` the audit log holds.
pub async fn audited(store: &Store, action: &str) -> usize {
    audit_entries(store, action).await.len()
}

/// Adds an account straight to the store (its password hash is a placeholder no one can sign in
/// with) and returns its id.
pub async fn add_user(store: &Store, email: &str, role: Role, team: Option<&str>) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let id = tx
        .create_user(&NewUser {
            email: email.into(),
            name: format!("User {email}"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            role,
            team: team.map(str::to_owned),
            provider: None,
        })
        .await
        .expect("create user");
    tx.commit().await.expect("commit");
    id
}

/// What a contract test gets: the store and a scratch folder (for backups).
pub struct Ctx {
    /// A fresh, migrated store of its own, closed and removed when the test ends.
    pub store: Store,
    /// An empty folder of the test's own, removed with the database when the test ends.
    pub scratch: PathBuf,
}

/// An empty database for one test: a SQLite file in a temporary folder, or a fresh
/// uniquely-named database on the PostgreSQL server of `TEST_DATABASE_URL`. Call
/// [`TempDatabase::remove`] at the end (a PostgreSQL database cannot be dropped from `Drop`).
pub struct TempDatabase {
    /// The address to open the database with (`sqlite://…` or `postgres://…`), as
    /// [`Store::open`] takes it.
    pub url: String,
    /// A scratch folder that lives as long as the database (the SQLite file is inside it).
    pub dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TempDatabase {
    /// A SQLite database in a new temporary folder. The file does not exist yet: opening the
    /// store creates it (at `db/tandem.db` inside [`TempDatabase::dir`]).
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("db/tandem.db").display());
        Self {
            url,
            dir,
            postgres: None,
        }
    }

    /// `None` when `TEST_DATABASE_URL` is not set (the PostgreSQL leg is then skipped), unless
    /// `TANDEM_POSTGRES_TESTS=required` (as CI sets it), when a missing URL fails the test: a
    /// PostgreSQL leg must never pass by quietly not running.
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            assert!(
                !postgres_required(),
                "TANDEM_POSTGRES_TESTS=required, but TEST_DATABASE_URL is not set"
            );
            eprintln!(
                "TEST_DATABASE_URL not set: PostgreSQL leg SKIPPED. Set it (and \
                 TANDEM_POSTGRES_TESTS=required) to run it."
            );
            return None;
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
        Some(Self {
            url: with_database(&admin_url, &name),
            dir: tempfile::tempdir().expect("temp dir"),
            postgres: Some((admin_url, name)),
        })
    }

    /// Opens and migrates the database.
    pub async fn open(&self) -> Store {
        let store = Store::open(&self.url).await.expect("open store");
        store.migrate().await.expect("migrate");
        store
    }

    /// Drops a PostgreSQL database (the temporary folder goes with `self`).
    pub async fn remove(self) {
        if let Some((admin_url, name)) = &self.postgres {
            let mut admin = sqlx::PgConnection::connect(admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await
            .expect("drop test database");
        }
    }
}

/// Whether the PostgreSQL legs must run (`TANDEM_POSTGRES_TESTS=required`).
fn postgres_required() -> bool {
    std::env::var("TANDEM_POSTGRES_TESTS").is_ok_and(|v| v == "required")
}

/// Runs `test` on a fresh migrated store, then removes the database, even when the test panics.
async fn run<F, Fut>(database: TempDatabase, test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let store = database.open().await;
    let ctx = Ctx {
        store: store.clone(),
        scratch: database.dir.path().to_path_buf(),
    };
    let outcome = tokio::spawn(test(ctx)).await;
    store.close().await;
    database.remove().await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// Runs a contract test on a fresh SQLite store (what [`contract!`] expands to).
pub async fn run_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run(TempDatabase::sqlite(), test).await
}

/// Runs a contract test on a fresh PostgreSQL database (what [`contract!`] expands to); does
/// nothing when [`TempDatabase::postgres`] skips the leg.
pub async fn run_postgres<F, Fut>(test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if let Some(database) = TempDatabase::postgres().await {
        run(database, test).await
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

/// Declares each listed `async fn name(ctx: Ctx)` as a test on SQLite and on PostgreSQL. The
/// calling test crate needs `tokio` (with `macros`) among its dev-dependencies.
#[macro_export]
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    $crate::run_sqlite(super::$name).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    $crate::run_postgres(super::$name).await
                }
            )*
        }
    };
}

/// A small pseudo-random sequence for the crash tests' kill delays: different every run (seed it
/// from the process id and the clock) and needing no dependency.
pub struct Lcg(
    /// The generator's state: the seed to begin with, advanced by each draw.
    pub u64,
);

impl Lcg {
    /// The next number, below `bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}
