//! The records the store reads and writes.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use tandem_core::{Actor, CaseFile, Child, Date, Event, Reference, Role, Stage, Status, UserId};

use crate::error::StoreError;

pub type CaseId = i64;
pub type EventId = i64;
pub type ChildId = i64;
pub type SessionId = i64;

/// Where a fact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Form,
    Api,
    Import,
    Generate,
}

impl Source {
    pub const ALL: [Source; 4] = [Self::Form, Self::Api, Self::Import, Self::Generate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Form => "form",
            Self::Api => "api",
            Self::Import => "import",
            Self::Generate => "generate",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Who is writing, and through which door. `by` is `None` for system work (e.g. an import run
/// from the command line without an account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribution {
    pub by: Option<UserId>,
    pub source: Source,
}

impl Attribution {
    pub fn new(by: Option<UserId>, source: Source) -> Self {
        Self { by, source }
    }
}

/// How a history row changes an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Correction {
    /// The earlier event is replaced by this row's event.
    Correct,
    /// The earlier event is withdrawn: it should not have been recorded.
    Withdraw,
}

impl Correction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Correct => "correct",
            Self::Withdraw => "withdraw",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "correct" => Some(Self::Correct),
            "withdraw" => Some(Self::Withdraw),
            _ => None,
        }
    }
}

/// The case row: identity, version and assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: CaseId,
    pub reference: Reference,
    /// Pass this back as `expected_version` on the next write.
    pub version: i64,
    pub child_id: ChildId,
    pub case_manager: Option<UserId>,
    pub team: Option<String>,
    pub opened_at: DateTime<Utc>,
}

/// One row of a case's history, with who recorded it, when and from where.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub id: EventId,
    /// Order of recording within the case, from 1.
    pub seq: i64,
    /// The fact; `None` on a withdrawal row.
    pub event: Option<Event>,
    pub recorded_by: Option<UserId>,
    /// The recorder's display name, for the history page.
    pub recorded_by_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub source: Source,
    /// The row this one corrects or withdraws.
    pub supersedes: Option<EventId>,
    pub correction: Option<Correction>,
    pub reason: Option<String>,
    /// The later row that corrected or withdrew this one, if any.
    pub superseded_by: Option<EventId>,
}

impl EventRecord {
    /// Whether this row's event counts now: it carries an event and nothing superseded it.
    pub fn is_effective(&self) -> bool {
        self.event.is_some() && self.superseded_by.is_none()
    }
}

/// A case read back: its row, the child, every history row (oldest first) and its projection.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCase {
    pub record: CaseRecord,
    pub child: Child,
    pub history: Vec<EventRecord>,
    pub projection: Option<Projection>,
}

impl StoredCase {
    /// The rows whose events count now, in recording order.
    pub fn effective(&self) -> impl Iterator<Item = &EventRecord> {
        self.history.iter().filter(|r| r.is_effective())
    }

    /// The case file of the effective events: what the engine and the export see.
    pub fn case_file(&self) -> CaseFile {
        CaseFile {
            reference: self.record.reference.clone(),
            child: self.child.clone(),
            events: self.effective().filter_map(|r| r.event.clone()).collect(),
        }
    }
}

/// A case already held for a child with the same names and date of birth (the duplicate check
/// of a new request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildMatch {
    pub child_id: ChildId,
    pub reference: Reference,
    pub stage: Option<Stage>,
}

/// A case to create. The case file's reference, child and events are stored as given.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    pub case: CaseFile,
    pub case_manager: Option<UserId>,
    pub team: Option<String>,
}

impl NewCase {
    pub fn new(case: CaseFile) -> Self {
        Self {
            case,
            case_manager: None,
            team: None,
        }
    }
}

/// A case's red/amber/green status as the summary table stores it: the rule is
/// [`tandem_core::RagStatus::of_case`]; `None` when nothing is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rag {
    Red,
    Amber,
    Green,
    None,
}

impl From<Option<tandem_core::RagStatus>> for Rag {
    fn from(status: Option<tandem_core::RagStatus>) -> Self {
        match status {
            Some(tandem_core::RagStatus::Overdue) => Self::Red,
            Some(tandem_core::RagStatus::DueSoon) => Self::Amber,
            Some(tandem_core::RagStatus::OnTrack) => Self::Green,
            None => Self::None,
        }
    }
}

impl Rag {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Amber => "amber",
            Self::Green => "green",
            Self::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "red" => Some(Self::Red),
            "amber" => Some(Self::Amber),
            "green" => Some(Self::Green),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// The summary row of a case, derived from its effective events as of `computed_as_of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    pub stage: Stage,
    /// The earliest duty not yet done (overdue or pending).
    pub next_key: Option<String>,
    pub next_due: Option<Date>,
    pub next_status: Option<Status>,
    pub overdue_count: i64,
    pub rag: Rag,
    pub computed_as_of: Date,
}

/// What the case list can filter on. Statuses are judged against `as_of`, not against the date
/// the projection was computed, so the list is right even when projections are a day old.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFilter {
    pub as_of: Date,
    /// Any of these stages; empty means any stage.
    pub stages: Vec<Stage>,
    pub status: Option<StatusFilter>,
    /// Next duty due strictly before this date.
    pub due_before: Option<Date>,
    pub case_manager: Option<UserId>,
    pub team: Option<String>,
    /// Only cases a case manager works on: assigned to them or to their team.
    pub caseload_of: Option<Caseload>,
}

impl CaseFilter {
    pub fn as_of(as_of: Date) -> Self {
        Self {
            as_of,
            stages: Vec::new(),
            status: None,
            due_before: None,
            case_manager: None,
            team: None,
            caseload_of: None,
        }
    }
}

/// A case manager's reach: the cases assigned to `user`, and those of `team` when they have one
/// (the rule of [`tandem_core::can`] for case managers, as a filter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caseload {
    pub user: UserId,
    pub team: Option<String>,
}

/// The status of a case's next duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusFilter {
    /// Its due date has passed.
    Overdue,
    /// It falls due today or later.
    Pending,
    /// Nothing is due.
    NothingDue,
    /// It falls due today or within [`tandem_core::caseload::DUE_SOON_DAYS`] days (amber).
    DueSoon,
    /// It falls due later than that (green).
    OnTrack,
}

impl StatusFilter {
    /// The filter for a red/amber/green status.
    pub fn rag(status: tandem_core::RagStatus) -> Self {
        match status {
            tandem_core::RagStatus::Overdue => Self::Overdue,
            tandem_core::RagStatus::DueSoon => Self::DueSoon,
            tandem_core::RagStatus::OnTrack => Self::OnTrack,
        }
    }
}

/// The order of the case list. Every order ends with the reference, so pages never overlap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CaseSort {
    /// Next due date, soonest first (nothing due last).
    #[default]
    Due,
    Reference,
    /// Family name, then given name.
    Name,
    /// Stage, in the order a case moves through them, then due date.
    Stage,
}

impl CaseSort {
    pub const ALL: [CaseSort; 4] = [Self::Due, Self::Reference, Self::Name, Self::Stage];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Due => "due",
            Self::Reference => "reference",
            Self::Name => "name",
            Self::Stage => "stage",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How many cases one case manager holds (`None`: cases nobody is assigned), and how many of
/// them have their next step overdue or due within two weeks, judged on the filter's `as_of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadCount {
    pub case_manager: Option<UserId>,
    pub cases: i64,
    pub overdue: i64,
    pub due_soon: i64,
}

/// A request past the statutory 20 weeks without a final plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogCase {
    pub reference: Reference,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub stage: Stage,
    pub case_manager: Option<UserId>,
    /// When the request was received.
    pub requested: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogPage {
    pub cases: Vec<BacklogCase>,
    /// Rows matching across all pages.
    pub total: i64,
}

/// One page of a list: `limit` rows after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    /// Page `number` (from 1) of `size` rows.
    pub fn number(number: i64, size: i64) -> Self {
        Self {
            limit: size.max(1),
            // Saturating: a page number from an address can be as large as i64 allows.
            offset: (number.max(1) - 1).saturating_mul(size.max(1)),
        }
    }
}

/// One row of the case list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    pub id: CaseId,
    pub reference: Reference,
    pub version: i64,
    pub case_manager: Option<UserId>,
    pub team: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub projection: Projection,
}

impl CaseSummary {
    /// The status of the next duty judged on `as_of` (the stored one may be a day old).
    pub fn next_status_on(&self, as_of: Date) -> Option<Status> {
        self.projection.next_due.map(|due| {
            if due < as_of {
                Status::Overdue
            } else {
                Status::Pending
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePage {
    pub cases: Vec<CaseSummary>,
    /// Rows matching the filter across all pages.
    pub total: i64,
}

/// What an import or generation wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub cases: u64,
    pub events: u64,
}

/// An account to create. `email` is stored lower-cased; `password_hash` is an encoded hash
/// (argon2id PHC string), never a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
    pub team: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl UserRecord {
    /// The user as the permission rules see them.
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.id,
            role: self.role,
            team: self.team.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
}

/// How a user is linked to a case, for permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseRelation {
    AdviceRecipient,
    Family,
}

impl CaseRelation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AdviceRecipient => "advice_recipient",
            Self::Family => "family",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "advice_recipient" => Some(Self::AdviceRecipient),
            "family" => Some(Self::Family),
            _ => None,
        }
    }
}

/// An audit entry to append. `detail` holds ids and machine names only (event ids, versions,
/// counts, roles): never names, dates of birth or free text about a child.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub actor: Option<UserId>,
    pub action: String,
    pub case_reference: Option<Reference>,
    pub detail: Value,
}

impl AuditEntry {
    pub fn new(actor: Option<UserId>, action: impl Into<String>) -> Self {
        Self {
            actor,
            action: action.into(),
            case_reference: None,
            detail: Value::Object(Map::new()),
        }
    }

    pub fn case(mut self, reference: &Reference) -> Self {
        self.case_reference = Some(reference.clone());
        self
    }

    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub action: String,
    pub case_reference: Option<String>,
    pub detail: Value,
}

/// Which audit rows to read, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub case_reference: Option<Reference>,
    pub actor: Option<UserId>,
    pub action: Option<String>,
    pub limit: Option<i64>,
}

pub(crate) fn parse_reference(text: String) -> Result<Reference, StoreError> {
    Reference::parse(&text).map_err(|e| StoreError::Corrupt(e.to_string()))
}
