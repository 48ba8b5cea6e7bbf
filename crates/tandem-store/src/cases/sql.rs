//! SQL text shared by the case queries: batch sizes and placeholder lists for each backend.

use crate::store::Backend;

/// Rows per multi-row INSERT of events: 9 parameters a row keeps a batch far below the
/// parameter limits of SQLite (32,766) and PostgreSQL (65,535).
pub(crate) const EVENT_BATCH: usize = 1000;
/// Rows per multi-row INSERT of projections (10 parameters a row).
pub(crate) const PROJECTION_BATCH: usize = 500;

/// `(…), (…)`: `rows` groups of `per_row` placeholders, numbered from 1.
///
/// SQLite gets anonymous `?` placeholders: sqlx looks each numbered (`$n`) parameter up by name,
/// a linear search in SQLite, which made a 5,000-parameter INSERT quadratic.
pub(crate) fn values_list(backend: Backend, rows: usize, per_row: usize) -> String {
    let mut sql = String::with_capacity(rows * (per_row * 7 + 4));
    let mut n = 1;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for col in 0..per_row {
            if col > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&placeholder(backend, n));
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// The `n`th (from 1) positional placeholder of a statement whose parameters are bound in order.
pub(crate) fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_owned(),
        Backend::Postgres => format!("${n}"),
    }
}
