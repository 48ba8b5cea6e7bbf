//! Opening the database, migrations, transactions and backups.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};
use tandem_core::Date;
use tokio::sync::OwnedMutexGuard;

use crate::audit::AuditWriter;
use crate::error::StoreError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

/// Projections computed before this day were invalidated by a migration (see [`Store::migrate`]).
const INVALIDATED_BEFORE: Date = match Date::from_ymd_opt(2000, 1, 2) {
    Some(day) => day,
    None => panic!("a valid date"),
};

/// How much of a SQLite database file is read through a memory map (256 MiB).
const SQLITE_MMAP_BYTES: u64 = 256 * 1024 * 1024;

/// How long a SQLite writer waits for the write lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, through a `sqlite:` URL: one file (or memory), the default.
    Sqlite,
    /// PostgreSQL, through a `postgres:` or `postgresql:` URL.
    Postgres,
}

/// The versions of the embedded migrations, oldest first.
pub fn migration_versions(backend: Backend) -> Vec<i64> {
    let migrator = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator.iter().map(|m| m.version).collect()
}

/// The case store: a connection pool to SQLite or PostgreSQL. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// Held by every write transaction on a SQLite file (see [`Store::begin_at`]).
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    /// The group-commit writer of read audit entries ([`Store::audit_read`]).
    pub(crate) audit_writer: Arc<AuditWriter>,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A borrowed connection of either backend; every query is written once against it.
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    pub(crate) fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Runs `$body` with `$c` bound to the concrete connection, so that one piece of query code is
/// compiled once per backend.
macro_rules! on {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::store::Conn::Sqlite($c) => $body,
            $crate::store::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;

/// A pooled connection held for a few reads.
pub(crate) enum Held {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Held {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Held::Sqlite(c) => Conn::Sqlite(c),
            Held::Postgres(c) => Conn::Postgres(c),
        }
    }
}

impl Store {
    /// Opens `sqlite://PATH` (creating the file and its folder if missing), `sqlite::memory:`,
    /// or `postgres://…`. Does not migrate: call [`Store::migrate`].
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Self::open_sqlite(url).await,
            "postgres" | "postgresql" => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await?;
                Ok(Self::new(Pool::Postgres(pool), None))
            }
            _ => Err(StoreError::UnsupportedUrl {
                scheme: scheme.to_owned(),
            }),
        }
    }

    async fn open_sqlite(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true)
            // 32 MiB of page cache a connection (the default is 2 MiB): bulk imports update
            // several indexes at once and slow to a crawl when they no longer fit.
            .pragma("cache_size", "-32768");
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = if in_memory {
            options
        } else {
            create_parent(options.get_filename())?;
            // Pages read through a memory map rather than copied in by a system call each. Any
            // commit (an audit entry of every page view) empties the other connections' page
            // caches, so without it a case page read its pages from the file again each time
            // (about 80 `pread` calls a page view under load).
            options.pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
        };
        let pool_options = if in_memory {
            // Each connection to `:memory:` is its own database: keep exactly one, forever.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(8)
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        // SQLite has one writer at a time. Writers of this process queue here, in order, rather
        // than in SQLite's busy handler, which sleeps in steps of up to 100 ms and lets a
        // late-comer overtake; other processes (a `tandem import` beside `serve`) still meet
        // the busy timeout.
        Ok(Self::new(
            Pool::Sqlite(pool),
            Some(Arc::new(tokio::sync::Mutex::new(()))),
        ))
    }

    fn new(pool: Pool, write_lock: Option<Arc<tokio::sync::Mutex<()>>>) -> Self {
        Self {
            pool,
            write_lock,
            audit_writer: Arc::new(AuditWriter::default()),
        }
    }

    /// The same pool and write lock, with a writer of its own (for the audit writer's task).
    pub(crate) fn without_writer(&self) -> Self {
        Self::new(self.pool.clone(), self.write_lock.clone())
    }

    /// Waits for this process's turn to write (SQLite), held until the transaction ends.
    pub(crate) async fn write_turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        }
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite pool, for tools that need it directly (tests, benchmarks).
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, for tools that need it directly.
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(pool) => Some(pool),
            Pool::Sqlite(_) => None,
        }
    }

    /// Creates or upgrades the schema. Safe to run again, and (on PostgreSQL) from several
    /// servers at once: sqlx takes an advisory lock.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        // Derived rows a migration added are filled from each case's history: such a migration
        // dates the projections it invalidates before 2000 (none is computed as of so early).
        let mut tx = self.begin_at(Utc::now()).await?;
        tx.refresh_projections_computed_before(INVALIDATED_BEFORE)
            .await?;
        tx.commit().await?;
        self.optimize().await
    }

    /// Brings the query planner's statistics up to date after many rows were written (imports,
    /// generated data) and at start-up. SQLite gathers none by itself, and without them it
    /// picks a poor index for the caseload's order. `PRAGMA optimize` analyses only the tables
    /// never analysed or much changed since; it reads them whole, since a sample from the start
    /// of an index misjudges how the stages are spread (about 50 ms at 20,000 cases, and only
    /// after large changes). PostgreSQL's autovacuum keeps its own statistics.
    ///
    /// Only the per-index row counts (`sqlite_stat1`) are kept. The bundled SQLite is built with
    /// STAT4, whose value samples make it plan a statement again each time a parameter is bound
    /// (19% of a case page's CPU under load was `sqlite3Reprepare`); every query here looks rows
    /// up by key or reads the caseload in index order, which the row counts alone plan well.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        if let Pool::Sqlite(pool) = &self.pool {
            let mut conn = pool.acquire().await?;
            sqlx::query("PRAGMA optimize = 0x10002")
                .execute(&mut *conn)
                .await?;
            let sampled: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4')",
            )
            .fetch_one(&mut *conn)
            .await?;
            let removed = if sampled {
                sqlx::query("DELETE FROM sqlite_stat4")
                    .execute(&mut *conn)
                    .await?
                    .rows_affected()
            } else {
                0
            };
            if removed > 0 {
                // Reloads the statistics, here and (through the schema cookie) everywhere.
                sqlx::query("ANALYZE sqlite_schema")
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(())
    }

    /// Whether the database answers (for `/health`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut held = self.acquire().await?;
        on!(held.conn(), c => {
            sqlx::query("SELECT 1").execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Closes the pool: asking it for a connection fails from now on, and this waits until the
    /// connections in use are returned and every connection is closed.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    pub(crate) async fn acquire(&self) -> Result<Held, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Held::Sqlite(pool.acquire().await?),
            Pool::Postgres(pool) => Held::Postgres(pool.acquire().await?),
        })
    }

    /// Starts a write transaction stamped with the current time. On SQLite it takes the write
    /// lock up front (`BEGIN IMMEDIATE`), so a read-then-write transaction never fails half-way
    /// with SQLITE_BUSY; on PostgreSQL it is a READ COMMITTED transaction whose writes are
    /// guarded by the case version. Dropping a `Tx` without [`Tx::commit`] rolls it back.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        self.begin_at(Utc::now()).await
    }

    /// As [`Store::begin`], with "now" given (imports, tests). "Today", the date projections are
    /// computed as of, is `now`'s date in England.
    pub async fn begin_at(&self, now: DateTime<Utc>) -> Result<Tx, StoreError> {
        let turn = self.write_turn().await;
        let inner = match &self.pool {
            Pool::Sqlite(pool) => TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => {
                TxInner::Postgres(begin_to_the_end(pool.clone(), "BEGIN").await?)
            }
        };
        // PostgreSQL keeps microseconds: truncate so that what is read back equals what was
        // written on both backends.
        let now = now.trunc_subsecs(6);
        Ok(Tx {
            inner,
            now,
            today: tandem_core::dates::england_date(now),
            _turn: turn,
        })
    }

    /// A read-only transaction over one consistent snapshot (long reads such as exports, and
    /// pages read by many people at once). On SQLite a deferred transaction, so that neither
    /// writers nor other readers are held up. Writing through it fails on PostgreSQL.
    pub async fn begin_snapshot(&self) -> Result<Tx, StoreError> {
        self.begin_snapshot_at(Utc::now()).await
    }

    /// As [`Store::begin_snapshot`], with "now" (and so "today") given.
    pub async fn begin_snapshot_at(&self, now: DateTime<Utc>) -> Result<Tx, StoreError> {
        let inner = match &self.pool {
            Pool::Sqlite(pool) => TxInner::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => TxInner::Postgres(
                begin_to_the_end(
                    pool.clone(),
                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                )
                .await?,
            ),
        };
        let now = now.trunc_subsecs(6);
        Ok(Tx {
            inner,
            now,
            today: tandem_core::dates::england_date(now),
            _turn: None,
        })
    }

    /// A consistent online copy of a SQLite database at `path` (`VACUUM INTO`), which must not
    /// exist yet. PostgreSQL is backed up with `pg_dump`; the error says how.
    pub async fn backup(&self, path: &Path) -> Result<(), StoreError> {
        let pool = match &self.pool {
            Pool::Sqlite(pool) => pool,
            Pool::Postgres(_) => {
                return Err(StoreError::BackupNotSupported(format!(
                    "a PostgreSQL database is backed up with PostgreSQL's own tools, not by tandem: run \
                     `pg_dump --format=custom --file={} \"$TANDEM_DATABASE_URL\"` (restore with \
                     `pg_restore --dbname=URL {}`)",
                    path.display(),
                    path.display()
                )));
            }
        };
        if path.exists() {
            return Err(StoreError::Backup(format!(
                "{} already exists; choose a new file",
                path.display()
            )));
        }
        create_parent(path)?;
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Backup(format!("{} is not a UTF-8 path", path.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(pool)
            .await?;
        Ok(())
    }
}

/// A write transaction. Everything done through it commits together or not at all.
pub struct Tx {
    inner: TxInner,
    now: DateTime<Utc>,
    today: Date,
    /// This process's turn to write on SQLite, released when the transaction ends (declared
    /// after `inner`, so dropped after the rollback a drop does).
    _turn: Option<OwnedMutexGuard<()>>,
}

/// Starts a PostgreSQL transaction in a task of its own, so that it runs to the end even if
/// the caller is cancelled (a request whose client went away). sqlx rolls back a dropped
/// transaction only once the server has answered its `BEGIN`: one dropped in between went back
/// to the pool still open, and whoever took that connection next ran inside it (seen in the
/// server's log under `wrk`: a `BEGIN … READ ONLY` with no statement after it, then a write
/// refused as read-only). Run to the end, a transaction whose caller is gone is dropped in the
/// task and rolled back as usual.
async fn begin_to_the_end(
    pool: sqlx::PgPool,
    statement: &'static str,
) -> Result<Transaction<'static, Postgres>, StoreError> {
    tokio::spawn(async move { pool.begin_with(statement).await })
        .await
        // The task ends only by finishing, or by panicking or the runtime shutting down.
        .map_err(|_| StoreError::Database(sqlx::Error::WorkerCrashed))?
        .map_err(StoreError::from)
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("now", &self.now)
            .field("today", &self.today)
            .finish_non_exhaustive()
    }
}

impl Tx {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => Conn::Sqlite(tx),
            TxInner::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    /// The time every row written in this transaction is stamped with.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The date projections are computed as of.
    pub fn today(&self) -> Date {
        self.today
    }

    /// Computes projections as of another date (back-dated imports, tests).
    pub fn set_today(&mut self, today: Date) {
        self.today = today;
    }

    /// Which database this transaction runs on.
    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Makes everything written through this transaction permanent, all together.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Undoes everything written through this transaction. Dropping a `Tx` without committing
    /// does the same.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

/// Creates the folder `path` goes in, if it names one.
fn create_parent(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => Ok(std::fs::create_dir_all(folder)?),
        _ => Ok(()),
    }
}
