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
        // The counter is read before the cases, so what is kept is never older than its key.
        let changes = self.snapshot().await?.change_count().await?;
        let cache = &self.caches.data_quality;
        let read = match cache.get(changes, today) {
            Some(read) => read,
            None => {
                let cases: Vec<_> = self.store().case_files().try_collect().await?;
                let read = std::sync::Arc::new(assess(cases, &collection));
                cache.put(changes, today, read.clone());
                read
            }
        };
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
        for case in read.iter() {
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

/// The child's return details as a form edits them: each of [`EDITABLE`] as text (empty
/// removes it), and the main setting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnDetailsEdit {
    /// Values of [`EDITABLE`], in that order.
    pub values: Vec<String>,
    /// The main setting: URN, UKPRN or setting code, phase and entry date (`YYYY-MM-DD`); all
    /// empty removes it.
    pub setting: [String; 5],
}

/// The keys of the child record the form edits, in order (see docs/statutory-returns.md).
pub const EDITABLE: [&str; 20] = [
    "unique_id",
    "upn",
    "uln",
    "upn_unknown",
    "sex",
    "ethnicity",
    "primary_need",
    "secondary_need",
    "request_source",
    "cease_reason",
    "transfer_la",
    "sen_support",
    "rya",
    "request_mediation",
    "request_tribunal",
    "assessment_mediation",
    "assessment_tribunal",
    "other_mediation",
    "other_tribunal",
    "personal_budget",
];

/// The yes/no items of [`EDITABLE`]: `yes` and `no` are stored as true and false, anything
/// else as given (the rules then report it).
fn is_flag(key: &str) -> bool {
    key == "sen_support" || tandem_core::returns::record::keys::FLAGS.contains(&key)
}

impl Services {
    /// Replaces the child's return details on a case (staff who may record on it), keeping the
    /// values as given: the data-quality rules then say what, if anything, is still wrong. The
    /// main setting replaces the first of the child's settings of rank 1, or is added. Audited
    /// with the keys changed (not their values).
    pub async fn update_return_details(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_version: i64,
        edit: &ReturnDetailsEdit,
    ) -> Result<i64, ServiceError> {
        let (mut tx, case, _) = self
            .load_for(caller, Action::RecordEvent, reference)
            .await?;
        let mut child = case.case_file().child;
        let before = child.other.clone();
        for (key, value) in EDITABLE.iter().zip(&edit.values) {
            let value = value.trim();
            if value.is_empty() {
                child.other.remove(*key);
            } else if is_flag(key) && matches!(value, "yes" | "no") {
                child.other.insert((*key).to_owned(), json!(value == "yes"));
            } else {
                child.other.insert((*key).to_owned(), json!(value));
            }
        }
        set_main_setting(&mut child.other, &edit.setting);
        let changed: Vec<&String> = child
            .other
            .keys()
            .chain(before.keys())
            .filter(|k| child.other.get(*k) != before.get(*k))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let version = tx
            .update_child(case.record.id, expected_version, &child)
            .await?;
        let detail = caller.detail(json!({ "changed": changed, "version": version }));
        super::cases::finish(tx, caller, "case.update_return_details", reference, detail).await?;
        Ok(version)
    }
}

fn set_main_setting(other: &mut serde_json::Map<String, serde_json::Value>, setting: &[String; 5]) {
    use serde_json::Value;
    let [id_urn, id_ukprn, code, phase, entry] = setting.clone().map(|s| s.trim().to_owned());
    let mut placements = match other.remove("placements") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let main = placements.iter().position(|p| {
        p.get("rank")
            .and_then(Value::as_str)
            .is_none_or(|r| r == "1")
            && p.get("leaving_date").is_none()
    });
    if [&id_urn, &id_ukprn, &code, &phase, &entry]
        .iter()
        .all(|v| v.is_empty())
    {
        if let Some(i) = main {
            placements.remove(i);
        }
    } else {
        // The setting's other fields (its name, SEN unit…) are kept.
        let mut fields = match main.and_then(|i| placements.get(i)) {
            Some(Value::Object(fields)) => fields.clone(),
            _ => serde_json::Map::new(),
        };
        let given = [
            ("urn", id_urn),
            ("ukprn", id_ukprn),
            ("setting", code),
            ("phase", phase),
            ("entry_date", entry),
        ];
        for (key, value) in given {
            if value.is_empty() {
                fields.remove(key);
            } else {
                fields.insert(key.to_owned(), Value::String(value));
            }
        }
        fields.insert("rank".to_owned(), Value::String("1".to_owned()));
        match main {
            Some(i) => placements[i] = Value::Object(fields),
            None => placements.push(Value::Object(fields)),
        }
    }
    if !placements.is_empty() {
        other.insert("placements".to_owned(), Value::Array(placements));
    }
}
