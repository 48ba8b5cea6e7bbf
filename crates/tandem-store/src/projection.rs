//! The summary row of a case, derived by the engine in `tandem-core`; the store only keeps it.

use tandem_core::timeline;
use tandem_core::{CaseFile, Date, RagStatus, Status};

use crate::model::{Projection, Rag};

/// Derives the projection of `case` as known on `as_of`.
pub fn project(case: &CaseFile, as_of: Date) -> Projection {
    let timeline = timeline::compute(case, as_of);
    let next = timeline.next_due();
    let overdue_count = timeline
        .milestones
        .iter()
        .filter(|m| m.status == Status::Overdue)
        .count();
    let next_due = next.and_then(|m| m.due);
    let rag = Rag::from(RagStatus::of_case(next_due, overdue_count, as_of));
    Projection {
        stage: timeline.stage,
        next_key: next.map(|m| m.key.clone()),
        next_due,
        next_status: next.map(|m| m.status),
        overdue_count: i64::try_from(overdue_count).unwrap_or(i64::MAX),
        rag,
        computed_as_of: as_of,
    }
}
