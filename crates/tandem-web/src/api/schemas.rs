//! The bodies the API sends and takes, with their OpenAPI schemas.
//!
//! The case file's shapes (an event, the child, the timeline) are serialised by `tandem-core`
//! exactly as `tandem timeline` and the case-file export write them; their schemas are written
//! here from the same vocabularies (`EventType::NAMES`…), so the document lists every value the
//! code accepts.

use std::borrow::Cow;

use axum::http::HeaderValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tandem_app::services::CaseView;
use tandem_app::services::{CaseSummary, EventRecord, Source};
use tandem_core::{
    AdviceKind, AssessOutcome, Child, Date, Event, EventType, ExceptionKind, IssueOutcome,
    PhaseKind, Reference, ReviewOutcome, Role, Stage, Status, Timeline, WarningCode,
};
use utoipa::openapi::schema::{Object, Schema, Type};
use utoipa::openapi::{RefOr, schema};
use utoipa::{PartialSchema, ToSchema};

/// The `ETag` of a case at `version`.
#[expect(clippy::expect_used, reason = "digits and quotes")]
pub(crate) fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits and quotes")
}

fn names(names: &[&str]) -> Object {
    schema::ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names.iter().copied()))
        .build()
}

/// One of `names`, or null.
fn nullable_names(names: &[&str]) -> Object {
    schema::ObjectBuilder::new()
        .schema_type(schema::SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(names.iter().copied().map(Some).chain([None])))
        .build()
}

fn stage_schema() -> Object {
    names(Stage::NAMES)
}

pub(crate) fn nullable_stage_schema() -> Object {
    nullable_names(Stage::NAMES)
}

fn status_schema() -> Object {
    names(Status::NAMES)
}

fn source_schema() -> Object {
    names(&Source::ALL.map(Source::as_str))
}

fn correction_schema() -> Object {
    nullable_names(&["correct", "withdraw"])
}

fn role_schema() -> Object {
    names(Role::NAMES)
}

/// A schema written as JSON Schema text.
#[expect(clippy::expect_used, reason = "a valid schema")]
fn from_json(value: Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(value).expect("a valid schema"))
}

fn date() -> Value {
    json!({ "type": "string", "format": "date", "example": "2026-01-05" })
}

fn nullable_date() -> Value {
    json!({ "type": ["string", "null"], "format": "date" })
}

/// One event in the case-file shape (contracts/case-file.md §1).
fn event_json() -> Value {
    let outcomes: Vec<&str> = [
        AssessOutcome::NAMES,
        IssueOutcome::NAMES,
        ReviewOutcome::NAMES,
    ]
    .concat();
    let kinds: Vec<&str> = [ExceptionKind::NAMES, PhaseKind::NAMES].concat();
    json!({
        "type": "object",
        "description": "An event in the case-file shape (contracts/case-file.md §1): its `type` \
            and the fields that type carries. Every type but `exception` has a `date`; an \
            `exception` has `kind` and `from`.",
        "required": ["type"],
        "properties": {
            "type": { "type": "string", "enum": EventType::NAMES },
            "date": date(),
            "outcome": {
                "type": "string",
                "enum": outcomes,
                "description": "decision_to_assess: assess | not_assess; decision_to_issue: \
                    issue | not_issue; review_decision: maintain | amend | cease",
            },
            "advice": { "type": "string", "enum": AdviceKind::NAMES },
            "id": {
                "type": "string",
                "description": "Names one advice request when there are several of one kind.",
            },
            "provider": {
                "type": "string",
                "description": "advice_requested: who was asked (a service or body), for the \
                    dashboard's breakdown of advice by provider.",
            },
            "kind": {
                "type": "string",
                "enum": kinds,
                "description": "exception: the statutory exception claimed; phase_transfer: \
                    school | post16",
            },
            "from": date(),
            "to": date(),
            "setting_closed_from": date(),
            "setting_reopens": date(),
            "reason": { "type": "string" },
            "evidence": { "type": "string" },
        },
        "example": { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
    })
}

fn event_schema() -> RefOr<Schema> {
    from_json(event_json())
}

fn nullable_event_schema() -> RefOr<Schema> {
    from_json(json!({
        "oneOf": [{ "$ref": "#/components/schemas/Event" }, { "type": "null" }],
    }))
}

fn child_schema() -> RefOr<Schema> {
    from_json(child_json())
}

fn child_json() -> Value {
    json!({
        "type": "object",
        "description": "The child or young person: the case file's `child`, with any other \
            fields it was imported with.",
        "properties": {
            "given_name": { "type": "string" },
            "family_name": { "type": "string" },
            "date_of_birth": date(),
        },
        "additionalProperties": true,
    })
}

/// The request body that records an event: the event itself.
pub(crate) enum EventBody {}

impl PartialSchema for EventBody {
    fn schema() -> RefOr<Schema> {
        event_schema()
    }
}

impl ToSchema for EventBody {
    fn name() -> Cow<'static, str> {
        "Event".into()
    }
}

/// The request body of a correction: the corrected event, and why.
pub(crate) enum CorrectionBody {}

impl PartialSchema for CorrectionBody {
    fn schema() -> RefOr<Schema> {
        from_json(json!({
            "allOf": [
                { "$ref": "#/components/schemas/Event" },
                {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {
                        "reason": {
                            "type": "string",
                            "description": "Why the record is being corrected.",
                        },
                    },
                },
            ],
        }))
    }
}

impl ToSchema for CorrectionBody {
    fn name() -> Cow<'static, str> {
        "Correction".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((EventBody::name().into(), EventBody::schema()));
    }
}

/// A case's timeline: exactly what `tandem timeline` prints for the case's file
/// (contracts/case-file.md §2).
#[derive(Serialize)]
#[serde(transparent)]
pub(crate) struct TimelineBody(pub(crate) Timeline);

impl PartialSchema for TimelineBody {
    fn schema() -> RefOr<Schema> {
        from_json(timeline_json())
    }
}

fn timeline_json() -> Value {
    json!({
        "type": "object",
        "description": "The statutory timeline as `tandem timeline` prints it \
            (contracts/case-file.md §2).",
        "required": ["reference", "as_of", "milestones", "warnings", "stage", "exceptions"],
        "properties": {
            "reference": { "type": "string" },
            "as_of": date(),
            "milestones": {
                "type": "array",
                "description": "In order of due date (none last), then key.",
                "items": {
                    "type": "object",
                    "required": ["key", "due", "done", "status", "rule", "explanation",
                        "exception", "start"],
                    "properties": {
                        "key": { "type": "string", "example": "decision_to_assess" },
                        "due": nullable_date(),
                        "done": nullable_date(),
                        "status": { "type": "string", "enum": Status::NAMES },
                        "rule": { "type": "string", "example": "SEND Regulations 2014, reg 5(1)" },
                        "explanation": { "type": "string" },
                        "exception": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "required": ["kind", "explanation"],
                                    "properties": {
                                        "kind": { "type": "string", "enum": ExceptionKind::NAMES },
                                        "explanation": { "type": "string" },
                                    },
                                },
                                { "type": "null" },
                            ],
                        },
                        "start": date(),
                        "advice": { "type": "string", "enum": AdviceKind::NAMES },
                    },
                },
            },
            "warnings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": { "type": "string", "enum": WarningCode::NAMES },
                        "message": { "type": "string" },
                    },
                },
            },
            "stage": { "type": "string", "enum": Stage::NAMES },
            "exceptions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["event_index", "kind", "from", "disapplies", "reason"],
                    "properties": {
                        "event_index": { "type": "integer", "minimum": 0 },
                        "kind": { "type": "string", "enum": ExceptionKind::NAMES },
                        "from": date(),
                        "disapplies": { "type": "array", "items": { "type": "string" } },
                        "reason": { "type": ["string", "null"] },
                    },
                },
            },
        },
    })
}

impl ToSchema for TimelineBody {
    fn name() -> Cow<'static, str> {
        "Timeline".into()
    }
}

/// One page of the case list.
#[derive(Serialize, ToSchema)]
pub(crate) struct CaseList {
    pub(crate) cases: Vec<CaseListItem>,
    /// Cases matching the filters, over all pages.
    pub(crate) total: i64,
    pub(crate) page: i64,
    pub(crate) per_page: i64,
}

/// A case in the list: who it is about, where it is and what is due next.
#[derive(Serialize, ToSchema)]
pub(crate) struct CaseListItem {
    #[schema(value_type = String, example = "EHC-2026-0001")]
    reference: Reference,
    version: i64,
    given_name: Option<String>,
    family_name: Option<String>,
    /// The user id of the case manager.
    case_manager: Option<i64>,
    team: Option<String>,
    opened_at: DateTime<Utc>,
    #[schema(schema_with = stage_schema)]
    stage: Stage,
    /// The earliest duty still to be done, if any.
    next_due: Option<NextDuty>,
    /// How many duties are overdue.
    overdue_count: i64,
}

/// The next duty of a case.
#[derive(Serialize, ToSchema)]
pub(crate) struct NextDuty {
    /// The milestone's key in the timeline.
    #[schema(example = "final_plan")]
    key: String,
    due: Date,
    /// `overdue` or `pending`, judged today.
    #[schema(schema_with = status_schema)]
    status: Status,
}

impl CaseListItem {
    /// The list row of `summary`, its next duty judged on `today`.
    pub(crate) fn new(summary: CaseSummary, today: Date) -> Self {
        let status = summary.next_status_on(today);
        let projection = summary.projection;
        let next_due = match (projection.next_key, projection.next_due, status) {
            (Some(key), Some(due), Some(status)) => Some(NextDuty { key, due, status }),
            _ => None,
        };
        Self {
            reference: summary.reference,
            version: summary.version,
            given_name: summary.given_name,
            family_name: summary.family_name,
            case_manager: summary.case_manager,
            team: summary.team,
            opened_at: summary.opened_at,
            stage: projection.stage,
            next_due,
            overdue_count: projection.overdue_count,
        }
    }
}

/// A case: the child, its whole history (corrected and withdrawn rows included) and what the
/// reader may do with it. Its `version` is also its `ETag`.
#[derive(Serialize, ToSchema)]
pub(crate) struct CaseDetail {
    #[schema(value_type = String, example = "EHC-2026-0001")]
    reference: Reference,
    /// Send it back as `If-Match: "<version>"` with the next change.
    version: i64,
    #[schema(schema_with = child_schema)]
    child: Child,
    case_manager: Option<i64>,
    team: Option<String>,
    opened_at: DateTime<Utc>,
    #[schema(schema_with = stage_schema)]
    stage: Stage,
    /// Every row of the history, in the order it was recorded.
    events: Vec<HistoryRow>,
    /// Whether the reader may record events on this case.
    may_record: bool,
    /// Whether the reader may give the case to a case manager.
    may_assign: bool,
}

/// One row of a case's history: an event as recorded, a correction of an earlier row, or a
/// withdrawal (which carries no event).
#[derive(Serialize, ToSchema)]
pub(crate) struct HistoryRow {
    /// The event's id, for corrections and withdrawals.
    id: i64,
    /// Order of recording within the case, from 1.
    seq: i64,
    /// The event in the case-file shape; null on a withdrawal.
    #[schema(schema_with = nullable_event_schema)]
    event: Option<Event>,
    /// Whether the event counts now (it was not corrected or withdrawn since).
    effective: bool,
    /// The user id of who recorded it (null for imports without an account).
    recorded_by: Option<i64>,
    recorded_by_name: Option<String>,
    recorded_at: DateTime<Utc>,
    /// Through which door it came.
    #[schema(schema_with = source_schema)]
    source: &'static str,
    /// The row this one corrects or withdraws.
    supersedes: Option<i64>,
    #[schema(schema_with = correction_schema)]
    correction: Option<&'static str>,
    /// Why the earlier row was corrected or withdrawn.
    reason: Option<String>,
    /// The later row that corrected or withdrew this one.
    superseded_by: Option<i64>,
}

impl From<EventRecord> for HistoryRow {
    fn from(row: EventRecord) -> Self {
        Self {
            effective: row.is_effective(),
            id: row.id,
            seq: row.seq,
            event: row.event,
            recorded_by: row.recorded_by,
            recorded_by_name: row.recorded_by_name,
            recorded_at: row.recorded_at,
            source: row.source.as_str(),
            supersedes: row.supersedes,
            correction: row.correction.map(|c| c.as_str()),
            reason: row.reason,
            superseded_by: row.superseded_by,
        }
    }
}

impl From<CaseView> for CaseDetail {
    fn from(view: CaseView) -> Self {
        let case = view.case;
        Self {
            reference: case.record.reference,
            version: case.record.version,
            child: case.child,
            case_manager: case.record.case_manager,
            team: case.record.team,
            opened_at: case.record.opened_at,
            stage: view.timeline.stage,
            events: case.history.into_iter().map(HistoryRow::from).collect(),
            may_record: view.may_record,
            may_assign: view.may_assign,
        }
    }
}

/// What a change left: the case's new version (also sent as `ETag`).
#[derive(Serialize, ToSchema)]
pub(crate) struct Written {
    #[schema(value_type = String, example = "EHC-2026-0001")]
    pub(crate) reference: Reference,
    pub(crate) version: i64,
}

/// A request for an EHC needs assessment, opening a case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OpenCaseBody {
    /// The case's reference: 1–64 letters, digits, `-`, `_` or `.`.
    #[schema(value_type = String, required = true, example = "EHC-2026-0101")]
    pub(crate) reference: Option<String>,
    /// The day the council received the request (day 0 of the statutory clock).
    #[schema(value_type = String, required = true, format = "date", example = "2026-11-02")]
    pub(crate) received: Option<String>,
    #[serde(default)]
    pub(crate) child: NewChild,
    /// Who will manage the case (a case manager opening a request takes it themselves).
    pub(crate) case_manager: Option<i64>,
    /// After a 409: the `child_id` of the match this request is for.
    pub(crate) same_child_as: Option<i64>,
    /// After a 409: true when this is a different child with the same names and birthday.
    #[serde(default)]
    pub(crate) different_child: bool,
}

/// The child a request is about.
#[derive(Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewChild {
    pub(crate) given_name: Option<String>,
    pub(crate) family_name: Option<String>,
    #[schema(format = "date", example = "2015-03-02")]
    pub(crate) date_of_birth: Option<String>,
}

/// Why an event is withdrawn.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WithdrawalBody {
    pub(crate) reason: String,
}

/// Who manages a case: a case manager's or team manager's user id, or null to leave it
/// unassigned.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignmentBody {
    #[serde(deserialize_with = "Option::deserialize")]
    #[schema(required = true)]
    pub(crate) case_manager: Option<i64>,
}

/// The signed-in user, and the CSRF token to send as `X-CSRF-Token` with every change.
#[derive(Serialize, ToSchema)]
pub(crate) struct SessionBody {
    pub(crate) id: i64,
    pub(crate) name: String,
    #[schema(schema_with = role_schema)]
    pub(crate) role: Role,
    pub(crate) team: Option<String>,
    pub(crate) csrf_token: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schemas written as JSON Schema text read back as written: nothing was dropped on the
    /// way into utoipa's types.
    #[test]
    fn hand_written_schemas_keep_every_keyword() {
        for (name, written) in [
            ("event", event_json()),
            ("timeline", timeline_json()),
            ("child", child_json()),
        ] {
            let read = serde_json::to_value(from_json(written.clone())).unwrap();
            assert_eq!(read, written, "{name}");
        }
    }
}
