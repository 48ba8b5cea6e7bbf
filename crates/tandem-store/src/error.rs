//! What can go wrong in the store. Messages carry ids and references only, never personal data,
//! because they end up in logs.

use crate::model::{CaseId, EventId};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names no backend we support. Only the scheme is kept: a URL can carry a
    /// password.
    #[error(
        "unsupported database URL scheme {scheme:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE"
    )]
    UnsupportedUrl { scheme: String },

    #[error("no case with reference {reference}")]
    CaseNotFound { reference: String },

    #[error("no case with id {id}")]
    CaseIdNotFound { id: CaseId },

    /// Another write reached the case first: reload, re-apply, and try again with this version.
    #[error("the case was changed by someone else: it is now at version {current_version}")]
    Conflict { current_version: i64 },

    #[error("a case with reference {reference} already exists")]
    DuplicateReference { reference: String },

    #[error("event {event_id} is not a current event of case {case_id}")]
    EventNotFound { case_id: CaseId, event_id: EventId },

    #[error("event {event_id} has already been corrected or withdrawn")]
    AlreadySuperseded { event_id: EventId },

    #[error("an account with that email address already exists")]
    DuplicateEmail,

    #[error("no user with id {id}")]
    UserNotFound { id: i64 },

    /// A stored value the code cannot read back: a bug or a hand-edited database.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),

    #[error("{0}")]
    BackupNotSupported(String),

    #[error("backup: {0}")]
    Backup(String),

    #[error("database: {0}")]
    Database(#[from] sqlx::Error),

    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

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
