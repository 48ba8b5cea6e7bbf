//! The data-quality page: every case that goes into a statutory return checked by the rules of
//! `tandem_core::returns::rules`, counted by rule, with the cases behind each count.

use futures_util::TryStreamExt;
use serde_json::json;
use tandem_core::returns::{Collection, DataProblem, Rule};
use tandem_core::{Action, Reference, Resource, can};
use tandem_store::AuditEntry;

use super::{Caller, ServiceError, Services};
use crate::returns::assess;

/// The problems of one rule.
#[derive(Debug, Clone)]
pub struct RuleProblems {
    /// The rule.
    pub rule: Rule,
    /// Each case with the problem and what exactly is wrong; empty when the caller may see the
    /// count only.
    pub cases: Vec<(Reference, String)>,
    /// How many problems.
    pub count: usize,
}

/// What the data-quality page shows.
#[derive(Debug, Clone)]
pub struct DataQuality {
    /// The collection checked against.
    pub collection: Collection,
    /// Cases that go into a return (and so were checked).
    pub checked: usize,
    /// Each rule with problems, in the rules' order.
    pub rules: Vec<RuleProblems>,
    /// Whether the cases behind the counts are named (for those who may list cases).
    pub named: bool,
}

impl Services {
    /// Checks every case against the return rules for the next SEN2 collection, as of today.
    /// Counts for anyone who may see aggregates; the cases behind them only for those who may
    /// list cases. The read is audited with the counts.
    pub async fn data_quality(&self, caller: &Caller) -> Result<DataQuality, ServiceError> {
        self.authorise_read(caller, Action::ViewAggregates).await?;
        let today = tandem_core::dates::england_date((self.clock)());
        let collection = Collection::next(today);
        let cases: Vec<_> = self.store().case_files().try_collect().await?;
        let read = assess(cases, &collection);
        let named = can(&caller.actor, Action::ListCases, Resource::Service);
        let checked = read
            .iter()
            .filter(|c| c.in_sen2 || c.list.is_some())
            .count();
        let mut rules: Vec<RuleProblems> = Rule::ALL
            .iter()
            .map(|rule| RuleProblems {
                rule: *rule,
                cases: Vec::new(),
                count: 0,
            })
            .collect();
        for case in &read {
            for DataProblem { rule, detail } in &case.problems {
                if let Some(entry) = rules.iter_mut().find(|r| r.rule == *rule) {
                    entry.count += 1;
                    if named {
                        entry.cases.push((case.reference.clone(), detail.clone()));
                    }
                }
            }
        }
        rules.retain(|r| r.count > 0);
        let counts: serde_json::Map<String, serde_json::Value> = rules
            .iter()
            .map(|r| (r.rule.id().to_owned(), json!(r.count)))
            .collect();
        self.audit_read(
            AuditEntry::new(Some(caller.actor.id), "returns.data_quality").detail(caller.detail(
                json!({ "year": collection.year, "checked": checked, "problems": counts, "named": named }),
            )),
        )
        .await?;
        Ok(DataQuality {
            collection,
            checked,
            rules,
            named,
        })
    }
}
