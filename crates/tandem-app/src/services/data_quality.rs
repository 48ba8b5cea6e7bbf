//! The data-quality page: every case that goes into a statutory return checked by the rules of
//! `tandem_core::returns::rules`, counted by rule, with the cases behind each count.

use serde_json::json;
use tandem_core::request::{RequestDetails, Requester};
use tandem_core::returns::{Collection, DataProblem, Rule};
use tandem_core::{Action, Reference, Resource, can};
use tandem_store::{AuditEntry, DetailChange};

use super::{Caller, FieldError, ServiceError, Services};
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
        // The counter and the cases come from one snapshot, so what is kept is exactly what
        // its key says.
        let mut snapshot = self.snapshot().await?;
        let changes = snapshot.change_count().await?;
        let cache = &self.caches.data_quality;
        let read = match cache.get(changes, today) {
            Some(read) => read,
            None => {
                let mut cases = Vec::new();
                let mut after = 0;
                loop {
                    let page = snapshot.versioned_case_files_after(after).await?;
                    let Some((last, _, _)) = page.last() else {
                        break;
                    };
                    after = *last;
                    cases.extend(page.into_iter().map(|(_, _, (case, _))| case));
                }
                let read = std::sync::Arc::new(assess(cases, &collection));
                cache.put(changes, today, read.clone());
                read
            }
        };
        drop(snapshot);
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
/// removes it), the facts of the case's request ([`REQUEST_EDITABLE`]), and every setting
/// attended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnDetailsEdit {
    /// Values of [`EDITABLE`], in that order.
    pub values: Vec<String>,
    /// Values of [`REQUEST_EDITABLE`], in that order: who asked as [`Requester::as_str`],
    /// `yes` or `no` (empty is no), then codes (empty for none).
    pub request: Vec<String>,
    /// The settings, one row each in the order of [`PLACEMENT_EDITABLE`]: a row for each of the
    /// child's settings in the order recorded (all empty removes it), then rows to add.
    pub placements: Vec<[String; 7]>,
}

/// The keys of a setting the form edits, in order: URN, UKPRN or setting code, phase, rank
/// (`1` main, `2` subsidiary for dual registration), the first day there and the last
/// (`YYYY-MM-DD`). A setting's other keys (its name, SEN unit…) are kept as they are.
pub const PLACEMENT_EDITABLE: [&str; 7] = [
    "urn",
    "ukprn",
    "setting",
    "phase",
    "rank",
    "entry_date",
    "leaving_date",
];

/// The keys of the child record the form edits, in order: the front door's details, the
/// returns' identifiers and codes, and the Annex A columns passed through as given (see
/// docs/statutory-returns.md).
pub const EDITABLE: [&str; 25] = [
    "setting",
    "year_group",
    "home_la",
    "parent_name",
    "parent_phone",
    "parent_email",
    "preferred_language",
    "interpreter_needed",
    "unique_id",
    "upn",
    "uln",
    "upn_unknown",
    "sex",
    "ethnicity",
    "postcode",
    "primary_need",
    "secondary_need",
    "sen_support",
    "suspensions",
    "permanent_exclusions",
    "absence",
    "pupil_premium",
    "known_to_social_care",
    "social_care_team",
    "disability",
];

/// The yes/no keys of [`EDITABLE`]: `yes` and `no` are stored as true and false, anything else
/// as given (the rules then report it).
const YES_NO_KEYS: [&str; 2] = ["interpreter_needed", "sen_support"];

/// The facts of the case's request the form edits, in order: who asked, the yes/no items
/// (`REQUEST_FLAGS` of them), then the codes. Their names are the case file's.
pub const REQUEST_EDITABLE: [&str; 16] = [
    "requested_by",
    "rya",
    "request_mediation",
    "request_tribunal",
    "assessment_mediation",
    "assessment_tribunal",
    "other_mediation",
    "other_tribunal",
    "personal_budget",
    "organised_arrangements",
    "direct_payments",
    "plan_residential",
    "plan_work_based",
    "cease_reason",
    "transfer_la",
    "exported_la",
];

/// How many of [`REQUEST_EDITABLE`] after who asked are yes/no items.
const REQUEST_FLAGS: usize = 9;

/// Reads the request facts of a form, or says which are wrong. Unlike the child's keys they
/// are typed and checked (docs/statutory-returns.md says why).
fn read_request(values: &[String]) -> Result<RequestDetails, Vec<FieldError>> {
    let text = |i: usize| values.get(i).map_or("", |v| v.trim());
    let mut errors = Vec::new();
    let requested_by = match text(0) {
        "" => None,
        given => {
            let read = Requester::parse(given);
            if read.is_none() {
                errors.push(FieldError::new(
                    "requested_by",
                    "Choose who made the request",
                ));
            }
            read
        }
    };
    let mut flags = [false; REQUEST_FLAGS];
    for (i, flag) in flags.iter_mut().enumerate() {
        match text(i + 1).to_ascii_lowercase().as_str() {
            "" | "no" => {}
            "yes" => *flag = true,
            _ => errors.push(FieldError::new(REQUEST_EDITABLE[i + 1], "Enter yes or no")),
        }
    }
    let code = |i: usize| Some(text(i).to_ascii_uppercase()).filter(|c| !c.is_empty());
    let [
        rya,
        request_mediation,
        request_tribunal,
        assessment_mediation,
        assessment_tribunal,
        other_mediation,
        other_tribunal,
        personal_budget,
        organised_arrangements,
    ] = flags;
    let details = RequestDetails {
        requested_by,
        rya,
        request_mediation,
        request_tribunal,
        assessment_mediation,
        assessment_tribunal,
        other_mediation,
        other_tribunal,
        personal_budget,
        organised_arrangements,
        direct_payments: code(10),
        plan_residential: code(11),
        plan_work_based: code(12),
        cease_reason: code(13),
        transfer_la: code(14),
        exported_la: code(15),
    };
    if let Err(wrong) = details.check() {
        errors.push(FieldError::new(
            wrong.field,
            format!("Enter {}", wrong.expected),
        ));
    }
    if errors.is_empty() {
        Ok(details)
    } else {
        Err(errors)
    }
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
        let request = read_request(&edit.request).map_err(ServiceError::Invalid)?;
        let mut child = case.case_file().child;
        let before = child.other.clone();
        for (key, value) in EDITABLE.iter().zip(&edit.values) {
            let value = value.trim();
            if value.is_empty() {
                child.other.remove(*key);
            } else if YES_NO_KEYS.contains(key) && matches!(value, "yes" | "no") {
                child.other.insert((*key).to_owned(), json!(value == "yes"));
            } else {
                child.other.insert((*key).to_owned(), json!(value));
            }
        }
        set_placements(&mut child.other, &edit.placements);
        let changed: Vec<&String> = child
            .other
            .keys()
            .chain(before.keys())
            .filter(|k| child.other.get(*k) != before.get(*k))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let request_changed = request_changes(&case.request, &request);
        let mut changes: Vec<DetailChange> = changed
            .iter()
            .map(|key| DetailChange {
                field: (*key).clone(),
                from: shown(before.get(*key)),
                to: shown(child.other.get(*key)),
            })
            .collect();
        let (asked_before, asked_after) = (json!(case.request), json!(request));
        changes.extend(request_changed.iter().map(|name| DetailChange {
            field: name.clone(),
            from: shown(asked_before.get(name)),
            to: shown(asked_after.get(name)),
        }));
        let version = tx
            .update_child(case.record.id, expected_version, &child, &request)
            .await?;
        if !changes.is_empty() {
            tx.record_detail_change(case.record.id, Some(caller.actor.id), &changes)
                .await?;
        }
        let detail = caller.detail(json!({
            "changed": changed,
            "request_changed": request_changed,
            "version": version,
        }));
        super::cases::finish(tx, caller, "case.update_return_details", reference, detail).await?;
        Ok(version)
    }
}

/// The names of the request facts that differ, for the audit entry and the case's history
/// (names only: the values stay on the case).
fn request_changes(before: &RequestDetails, after: &RequestDetails) -> Vec<String> {
    let (before, after) = (json!(before), json!(after));
    REQUEST_EDITABLE
        .iter()
        .filter(|name| before.get(**name) != after.get(**name))
        .map(|name| (*name).to_owned())
        .collect()
}

/// A detail's value as the form shows it: text as it is, yes or no, other values as JSON.
fn shown(value: Option<&serde_json::Value>) -> Option<String> {
    use serde_json::Value;
    match value? {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(yes) => Some(if *yes { "yes" } else { "no" }.to_owned()),
        other => Some(other.to_string()),
    }
}

/// Writes the form's setting rows over the child's settings: row `i` changes setting `i`
/// (keeping its other keys), or removes it when every field is empty; rows past the last
/// setting add one each, unless empty. Values are kept as given (the rules say what is wrong),
/// except that a setting without a rank is the main one when no other is.
fn set_placements(other: &mut serde_json::Map<String, serde_json::Value>, rows: &[[String; 7]]) {
    use serde_json::Value;
    let mut placements = match other.remove("placements") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let held = placements.len();
    let mut removed = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let row = row.clone().map(|v| v.trim().to_owned());
        if row.iter().all(String::is_empty) {
            if i < held {
                removed.push(i);
            }
            continue;
        }
        let mut fields = match placements.get(i) {
            Some(Value::Object(fields)) if i < held => fields.clone(),
            _ => serde_json::Map::new(),
        };
        for (key, value) in PLACEMENT_EDITABLE.iter().zip(row) {
            if value.is_empty() {
                fields.remove(*key);
            } else {
                fields.insert((*key).to_owned(), Value::String(value));
            }
        }
        if i < held {
            placements[i] = Value::Object(fields);
        } else {
            placements.push(Value::Object(fields));
        }
    }
    for i in removed.into_iter().rev() {
        placements.remove(i);
    }
    // A setting given without a rank is the main one when no other is: as the form's hint says.
    let rank = |p: &Value| p.get("rank").and_then(Value::as_str).map(str::to_owned);
    if !placements.iter().any(|p| rank(p).as_deref() == Some("1"))
        && let Some(Value::Object(first)) = placements.iter_mut().find(|p| rank(p).is_none())
    {
        first.insert("rank".to_owned(), Value::String("1".to_owned()));
    }
    if !placements.is_empty() {
        other.insert("placements".to_owned(), Value::Array(placements));
    }
}
