//! The front door's storage (migration 0026): references made from the council's pattern, and
//! the history of changes to a case's details after it was opened.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::types::Json;
use tandem_core::reference_pattern::ReferencePattern;
use tandem_core::{Reference, UserId};

use crate::error::StoreError;
use crate::model::CaseId;
use crate::store::{Tx, on};

/// One field of a case's details changed: its value before and after, as the form shows them
/// (`None` when empty).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DetailChange {
    /// The field's name (a child record key or a request fact).
    pub field: String,
    /// The value before.
    pub from: Option<String>,
    /// The value after.
    pub to: Option<String>,
}

/// One save of a case's details: who, when, and what changed.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DetailChanges {
    /// Who saved it.
    pub changed_by: Option<UserId>,
    /// Their name, as it is now.
    pub changed_by_name: Option<String>,
    /// When.
    pub changed_at: DateTime<Utc>,
    /// The fields changed.
    pub changes: Json<Vec<DetailChange>>,
}

/// How many numbers in a row may already be taken by typed or imported references before
/// giving up (a pattern that collides this often needs changing, not more tries).
const TRIES: u32 = 1000;

impl Tx {
    /// The next free reference `pattern` makes for a request received in `year`. The scope's
    /// counter is moved on in this transaction, so requests opened at once queue on its row and
    /// each gets its own number, and a request that is not opened gives its number back. A
    /// number whose reference a case already has (typed or imported) is skipped.
    pub async fn next_reference(
        &mut self,
        pattern: &ReferencePattern,
        year: i32,
    ) -> Result<Reference, StoreError> {
        const TAKE: &str = "INSERT INTO reference_counters (scope, last) VALUES ($1, 1) \
             ON CONFLICT (scope) DO UPDATE SET last = reference_counters.last + 1 \
             RETURNING last";
        const HELD: &str = "SELECT COUNT(*) FROM cases WHERE reference = $1";
        let scope = pattern.scope(year);
        for _ in 0..TRIES {
            let number = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(TAKE)
                .bind(&scope)
                .fetch_one(&mut *c)
                .await?);
            let reference = u64::try_from(number)
                .ok()
                .and_then(|n| pattern.render(year, n))
                .ok_or_else(|| StoreError::Corrupt(format!("reference number {number}")))?;
            let held = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(HELD)
                .bind(reference.as_str())
                .fetch_one(&mut *c)
                .await?);
            if held == 0 {
                return Ok(reference);
            }
        }
        Err(StoreError::Corrupt(format!(
            "{TRIES} references in a row of {scope} are already held"
        )))
    }

    /// Keeps a change of case `case_id`'s details, by `by`, now.
    pub async fn record_detail_change(
        &mut self,
        case_id: CaseId,
        by: Option<UserId>,
        changes: &[DetailChange],
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO case_detail_changes (case_id, changed_by, changed_at, \
             changes) VALUES ($1, $2, $3, $4)";
        let now = self.now();
        on!(self.conn(), c => {
            sqlx::query(SQL)
                .bind(case_id)
                .bind(by)
                .bind(now)
                .bind(Json(changes))
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    /// Every change of case `case_id`'s details, oldest first.
    pub async fn detail_changes(
        &mut self,
        case_id: CaseId,
    ) -> Result<Vec<DetailChanges>, StoreError> {
        const SQL: &str = "SELECT d.changed_by, u.name AS changed_by_name, d.changed_at, \
             d.changes FROM case_detail_changes d LEFT JOIN users u ON u.id = d.changed_by \
             WHERE d.case_id = $1 ORDER BY d.id";
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, DetailChanges>(SQL)
            .bind(case_id)
            .fetch_all(&mut *c)
            .await?),
        )
    }
}
