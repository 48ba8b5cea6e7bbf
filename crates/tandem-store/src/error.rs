//! What can go wrong in the store. Messages carry ids and references only, never personal data,
//! because they end up in logs.

use crate::model::{CaseId, EventId};

/// Why a store operation failed. The message is safe to log: ids and references only.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names no backend we support. Only the scheme is kept: a URL can carry a
    /// password.
    #[error(
        "unsupported database URL scheme {scheme:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE"
    )]
    UnsupportedUrl {
        /// The URL's scheme (the text before the first `:`).
        scheme: String,
    },

    /// No case has this reference.
    #[error("no case with reference {reference}")]
    CaseNotFound {
        /// The reference looked for.
        reference: String,
    },

    /// No case has this database id.
    #[error("no case with id {id}")]
    CaseIdNotFound {
        /// The id looked for.
        id: CaseId,
    },

    /// Another write reached the case first: reload, re-apply, and try again with this version.
    #[error("the case was changed by someone else: it is now at version {current_version}")]
    Conflict {
        /// The case's (or the advice draft's) version now, to write against after reloading.
        current_version: i64,
    },

    /// A new case's reference is already taken (or repeated within one import).
    #[error("a case with reference {reference} already exists")]
    DuplicateReference {
        /// The reference that clashed.
        reference: String,
    },

    /// The event to correct or withdraw is not in this case, or is a withdrawal row.
    #[error("event {event_id} is not a current event of case {case_id}")]
    EventNotFound {
        /// The case the event was looked for in.
        case_id: CaseId,
        /// The history row named.
        event_id: EventId,
    },

    /// The event to correct or withdraw has already been corrected or withdrawn by another row.
    #[error("event {event_id} has already been corrected or withdrawn")]
    AlreadySuperseded {
        /// The history row named.
        event_id: EventId,
    },

    /// A new account's email address is taken. The address is left out: it is personal data.
    #[error("an account with that email address already exists")]
    DuplicateEmail,

    /// No account has this id (when changing one).
    #[error("no user with id {id}")]
    UserNotFound {
        /// The account id looked for.
        id: i64,
    },

    /// Another advice provider has, or had, that name.
    #[error("another advice provider has or had that name")]
    DuplicateProvider,

    /// No advice provider has this id.
    #[error("no advice provider with id {id}")]
    ProviderNotFound {
        /// The id looked for.
        id: i64,
    },

    /// The batch of read audit entries this one was written in failed to commit (the message
    /// is the underlying error's), so the read it records must not be shown.
    #[error("the audit entry was not written: {0}")]
    AuditNotWritten(String),

    /// A stored value the code cannot read back: a bug or a hand-edited database.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),

    /// The backend is not backed up by the store (PostgreSQL); the message says which tool
    /// to use instead.
    #[error("{0}")]
    BackupNotSupported(String),

    /// The backup could not be made (the target file exists, or its path is not UTF-8).
    #[error("backup: {0}")]
    Backup(String),

    /// The database refused or failed a query, or could not be reached.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),

    /// Creating or upgrading the schema failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    /// A file-system error, such as creating the database's folder.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// Whether the write was refused because the case changed underneath it.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }
}

/// Whether `error` is a unique-constraint violation on the given column: SQLite names it
/// `table.column` in the message, PostgreSQL names the constraint (`table_column_key`).
pub(crate) fn is_unique_violation(error: &sqlx::Error, table: &str, column: &str) -> bool {
    let sqlx::Error::Database(db) = error else {
        return false;
    };
    if !db.is_unique_violation() {
        return false;
    }
    let qualified = format!("{table}.{column}");
    let constraint = format!("{table}_{column}_key");
    db.message().contains(&qualified) || db.constraint() == Some(constraint.as_str())
}
