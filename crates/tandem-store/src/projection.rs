//! The summary rows of a case, derived by the engine in `tandem-core`; the store only keeps them.

use tandem_core::access::AdviceWindow;
use tandem_core::guidance;
use tandem_core::rules::RuleId;
use tandem_core::timeline::{self, Timeline};
use tandem_core::{CaseFile, Date, RagStatus, Status};

use crate::model::{Projection, Rag};

/// Everything the store keeps derived from one case's history: its projection row and the
/// services asked for advice on it (which decide who outside the council may see it).
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// The case's summary row.
    pub projection: Projection,
    /// One window per service asked for advice.
    pub advice_windows: Vec<AdviceWindow>,
}

/// Derives the rows of `case` as known on `as_of`, from one computation of its timeline. The
/// rows are figures only, so the timeline is computed without its words (explanations and
/// warnings: most of the work of a full one, docs/benchmarks.md).
pub fn derive(case: &CaseFile, as_of: Date) -> Derived {
    derive_from(case, &timeline::compute_figures(case, as_of), as_of)
}

/// [`derive`] from a timeline of `case` computed already.
fn derive_from(case: &CaseFile, timeline: &Timeline, as_of: Date) -> Derived {
    let next = guidance::next_action(timeline);
    let overdue_count = timeline
        .milestones
        .iter()
        .filter(|m| guidance::counts_as_overdue(m))
        .count();
    let next_due = next.and_then(|m| m.due);
    let rag = Rag::from(RagStatus::of_case(next_due, overdue_count, as_of));
    let forecast = guidance::forecast_final_plan(case, timeline);
    let projection = Projection {
        stage: timeline.stage,
        next_key: next.map(|m| m.key.clone()),
        next_due,
        next_status: next.map(|m| m.status),
        overdue_count: i64::try_from(overdue_count).unwrap_or(i64::MAX),
        final_due: timeline
            .milestones
            .iter()
            .find(|m| {
                m.rule_id == RuleId::FinalPlan
                    && matches!(m.status, Status::Pending | Status::Overdue)
            })
            .and_then(|m| m.due),
        at_risk: forecast.is_some_and(|f| f.at_risk(as_of)),
        rag,
        computed_as_of: as_of,
    };
    Derived {
        projection,
        advice_windows: AdviceWindow::of_case(case, timeline),
    }
}

/// The projection of `case` as known on `as_of` (see [`derive`]).
pub fn project(case: &CaseFile, as_of: Date) -> Projection {
    derive(case, as_of).projection
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows derived from a timeline without its words are those derived from the whole
    /// timeline, on the engine's worked cases and on every day around their deadlines.
    #[test]
    fn rows_derived_without_words_are_those_derived_with_them() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../tandem-core/tests/cases");
        let mut compared = 0;
        for entry in std::fs::read_dir(folder).expect("the worked cases") {
            let text = std::fs::read_to_string(entry.expect("a worked case").path())
                .expect("a readable case");
            let case = CaseFile::from_value(serde_json::from_str(&text).expect("JSON"))
                .expect("a case file");
            let first = case.events.iter().map(|e| e.date).min().expect("events");
            for as_of in first.iter_days().step_by(3).take(600) {
                let whole = timeline::compute(&case, as_of);
                assert_eq!(
                    derive(&case, as_of),
                    derive_from(&case, &whole, as_of),
                    "{} as at {as_of}",
                    case.reference
                );
                compared += 1;
            }
        }
        assert!(compared >= 6 * 600, "{compared} comparisons");
    }
}
