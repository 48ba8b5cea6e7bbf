//! The records the store reads and writes.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use tandem_core::request::RequestDetails;
use tandem_core::{Actor, CaseFile, Child, Date, Event, Reference, Role, Stage, Status, UserId};

use crate::error::StoreError;

/// The database id of a case. Internal: people and the case file know a case by its
/// [`Reference`].
pub type CaseId = i64;
/// The database id of one history row (an event, a correction or a withdrawal); what a
/// correction or withdrawal names.
pub type EventId = i64;
/// The database id of a child's details, shared by every case held for that child.
pub type ChildId = i64;
/// The database id of a sign-in session. The session's token is never stored, only its hash.
pub type SessionId = i64;

/// Where a fact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Entered through the web pages' forms.
    Form,
    /// Sent to the JSON API.
    Api,
    /// Loaded by an import of case files.
    Import,
    /// Made up by the synthetic-data generator.
    Generate,
}

impl Source {
    /// Every source, e.g. to list the allowed values in the API schema.
    pub const ALL: [Source; 4] = [Self::Form, Self::Api, Self::Import, Self::Generate];

    /// The name stored with each history row and shown in the API (`form`, `api`, `import`,
    /// `generate`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Form => "form",
            Self::Api => "api",
            Self::Import => "import",
            Self::Generate => "generate",
        }
    }

    /// The source with this stored name; `None` for any other text.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Who is writing, and through which door. `by` is `None` for system work (e.g. an import run
/// from the command line without an account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribution {
    /// The account doing the writing; `None` for system work.
    pub by: Option<UserId>,
    /// The door the write came through.
    pub source: Source,
}

impl Attribution {
    /// Attributes a write to `by`, through `source`.
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
    /// The name stored with the history row (`correct` or `withdraw`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Correct => "correct",
            Self::Withdraw => "withdraw",
        }
    }

    /// The correction with this stored name; `None` for any other text.
    pub(crate) fn parse(text: &str) -> Option<Self> {
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
    /// The case's database id.
    pub id: CaseId,
    /// The case's reference, unique in the store.
    pub reference: Reference,
    /// Pass this back as `expected_version` on the next write.
    pub version: i64,
    /// The child the case is about; several cases can share one child.
    pub child_id: ChildId,
    /// The account of the assigned case manager; `None` when no case manager is assigned.
    pub case_manager: Option<UserId>,
    /// The team the case is assigned to, if any.
    pub team: Option<String>,
    /// When the case was created in the store (not when the request was received).
    pub opened_at: DateTime<Utc>,
}

/// One row of a case's history, with who recorded it, when and from where.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// The row's database id: what a later correction or withdrawal names.
    pub id: EventId,
    /// Order of recording within the case, from 1.
    pub seq: i64,
    /// The fact; `None` on a withdrawal row.
    pub event: Option<Event>,
    /// The account that recorded the row; `None` for system work.
    pub recorded_by: Option<UserId>,
    /// The recorder's display name, for the history page.
    pub recorded_by_name: Option<String>,
    /// When the row was written: its transaction's [`Tx::now`](crate::Tx::now).
    pub recorded_at: DateTime<Utc>,
    /// The door the row came through.
    pub source: Source,
    /// The row this one corrects or withdraws.
    pub supersedes: Option<EventId>,
    /// Whether this row corrects or withdraws the row in `supersedes`; `None` on an ordinary row.
    pub correction: Option<Correction>,
    /// Why the earlier row was corrected or withdrawn; `None` on an ordinary row.
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
    /// The case row: id, reference, version and assignment.
    pub record: CaseRecord,
    /// The child's details as stored.
    pub child: Child,
    /// The facts of this request and its plan (the case's own, not the child's).
    pub request: RequestDetails,
    /// Every history row, oldest first, superseded rows and withdrawals included.
    pub history: Vec<EventRecord>,
    /// The stored summary row; `None` if the case has none.
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
            request: self.request.clone(),
        }
    }
}

/// A case already held for a child with the same names and date of birth (the duplicate check
/// of a new request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildMatch {
    /// The stored child, to pass to [`Tx::open_case_for_child`](crate::Tx::open_case_for_child).
    pub child_id: ChildId,
    /// The case already held, for checking who may see it.
    pub case_id: CaseId,
    /// The reference of the case already held.
    pub reference: Reference,
    /// That case's stage from its summary row; `None` if it has none.
    pub stage: Option<Stage>,
}

/// A case to create. The case file's reference, child and events are stored as given.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    /// The case file: reference, child and events.
    pub case: CaseFile,
    /// The case manager to assign the case to, if any.
    pub case_manager: Option<UserId>,
    /// The team to assign the case to, if any.
    pub team: Option<String>,
}

impl NewCase {
    /// A case to create from `case`, assigned to nobody.
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
    /// A duty is overdue.
    Red,
    /// Nothing is overdue and the next duty falls due today or within
    /// [`tandem_core::caseload::DUE_SOON_DAYS`] days.
    Amber,
    /// Nothing is overdue and the next duty falls due later than that.
    Green,
    /// Nothing is due.
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
    /// The name stored in the summary row (`red`, `amber`, `green`, `none`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Amber => "amber",
            Self::Green => "green",
            Self::None => "none",
        }
    }

    /// The status with this stored name; `None` for any other text.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "red" => Some(Self::Red),
            "amber" => Some(Self::Amber),
            "green" => Some(Self::Green),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// A change of case manager about to be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reassignment<'a> {
    /// The new case manager; `None` leaves the case unassigned.
    pub to: Option<UserId>,
    /// The new case manager's team, which the case takes.
    pub team: Option<&'a str>,
    /// Why, when a reason was given.
    pub reason: Option<&'a str>,
    /// Who made the change.
    pub by: Option<UserId>,
}

/// A change of case manager, as the case's history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Assignment {
    /// Who held the case before; `None` when no one did.
    pub from_user: Option<UserId>,
    /// Who holds it since; `None` when it was left unassigned.
    pub to_user: Option<UserId>,
    /// Why, when a reason was given.
    pub reason: Option<String>,
    /// Who made the change.
    pub assigned_by: Option<UserId>,
    /// Their name, as it is now.
    pub assigned_by_name: Option<String>,
    /// When.
    pub assigned_at: DateTime<Utc>,
}

/// The summary row of a case, derived from its effective events as of `computed_as_of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    /// The stage the case has reached.
    pub stage: Stage,
    /// The duty a manager would act on next (`tandem_core::guidance::next_action`).
    pub next_key: Option<String>,
    /// When the next duty (`next_key`) is due; `None` when nothing is due or it has no due date.
    pub next_due: Option<Date>,
    /// Where the next duty stood on `computed_as_of` (overdue or pending). Judged again on a later
    /// day by [`CaseSummary::next_status_on`].
    pub next_status: Option<Status>,
    /// How many duties were overdue on `computed_as_of` (not counting the 16-week notice past
    /// its date undecided, nor a limit an exception disapplies: `tandem_core::guidance`).
    pub overdue_count: i64,
    /// The final plan's 20-week due date while it is still to be issued.
    pub final_due: Option<Date>,
    /// On `computed_as_of`, the final plan could no longer be issued within its 20 weeks, though
    /// they had not ended (`tandem_core::guidance::forecast_final_plan`).
    pub at_risk: bool,
    /// The red/amber/green status on `computed_as_of`.
    pub rag: Rag,
    /// The date this row was computed as of; see
    /// [`Tx::refresh_stale_projections`](crate::Tx::refresh_stale_projections).
    pub computed_as_of: Date,
}

/// What the case list can filter on. Statuses are judged against `as_of`, not against the date
/// the projection was computed, so the list is right even when projections are a day old.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFilter {
    /// The date statuses are judged on (usually today).
    pub as_of: Date,
    /// Any of these stages; empty means any stage.
    pub stages: Vec<Stage>,
    /// Only cases whose next duty has this status on `as_of`; `None` for any status.
    pub status: Option<StatusFilter>,
    /// Next duty due strictly before this date.
    pub due_before: Option<Date>,
    /// Only cases assigned to this case manager.
    pub case_manager: Option<UserId>,
    /// Only cases assigned to this team.
    pub team: Option<String>,
    /// Only cases a case manager works on: assigned to them or to their team.
    pub caseload_of: Option<Caseload>,
    /// Only cases this user is linked to (an advice request addressed to them or their
    /// service, their own child).
    pub linked_to: Option<LinkedTo>,
    /// Only cases found by this search.
    pub search: Option<CaseSearch>,
    /// Only cases whose final plan is at risk of missing its 20 weeks ([`Projection::at_risk`]).
    pub at_risk: bool,
}

/// What a caseload search looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseSearch {
    /// Children born on this day.
    BirthDate(Date),
    /// A reference beginning with this text, or a child's name containing it (either case).
    Text(String),
}

/// Someone outside the council's team, and how they come to see cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedTo {
    /// Cases linked to this account by name (their own child, an advice request to them).
    pub user: UserId,
    /// Cases on which this service (a provider key) was asked for advice, while the request is
    /// open or closed on or after `closed_since`.
    pub provider: Option<String>,
    /// The earliest closing day of a service's requests that still lets it see the case.
    pub closed_since: Date,
}

impl CaseFilter {
    /// A filter that matches every case, judging statuses on `as_of`.
    pub fn as_of(as_of: Date) -> Self {
        Self {
            as_of,
            stages: Vec::new(),
            status: None,
            due_before: None,
            case_manager: None,
            team: None,
            caseload_of: None,
            linked_to: None,
            search: None,
            at_risk: false,
        }
    }
}

/// A case manager's reach: the cases assigned to `user`, and those of `team` when they have one
/// (the rule of [`tandem_core::can`] for case managers, as a filter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caseload {
    /// The case manager's account.
    pub user: UserId,
    /// Their team, if they belong to one.
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
    /// Case reference, in text order.
    Reference,
    /// Family name, then given name.
    Name,
    /// Stage, in the order a case moves through them, then due date.
    Stage,
}

impl CaseSort {
    /// Every order, for [`CaseSort::parse`].
    pub(crate) const ALL: [CaseSort; 4] = [Self::Due, Self::Reference, Self::Name, Self::Stage];

    /// The order's machine name (`due`, `reference`, `name`, `stage`), e.g. for a page's address.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Due => "due",
            Self::Reference => "reference",
            Self::Name => "name",
            Self::Stage => "stage",
        }
    }

    /// The order with this name, as [`CaseSort::as_str`] gives it; `None` for any other text.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How many cases one case manager holds (`None`: cases nobody is assigned), and how many of
/// them have their next step overdue or due within two weeks, judged on the filter's `as_of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadCount {
    /// The case manager; `None` for the cases with no case manager.
    pub case_manager: Option<UserId>,
    /// How many matching cases they hold.
    pub cases: i64,
    /// How many of those have their next duty overdue.
    pub overdue: i64,
    /// How many of those have their next duty due today or within
    /// [`tandem_core::caseload::DUE_SOON_DAYS`] days.
    pub due_soon: i64,
    /// How many of those have their next duty due from today to the end of this week (Sunday).
    pub due_this_week: i64,
    /// How many of those have a final plan at risk of missing its 20 weeks.
    pub at_risk: i64,
}

/// A request past the statutory 20 weeks without a final plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogCase {
    /// The case's reference.
    pub reference: Reference,
    /// The child's given name, if recorded.
    pub given_name: Option<String>,
    /// The child's family name, if recorded.
    pub family_name: Option<String>,
    /// The stage the case has reached.
    pub stage: Stage,
    /// The account of the assigned case manager, if any.
    pub case_manager: Option<UserId>,
    /// When the request was received.
    pub requested: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// One page of [`Tx::backlog`](crate::Tx::backlog), with the count across all pages.
pub struct BacklogPage {
    /// This page's cases, oldest request first.
    pub cases: Vec<BacklogCase>,
    /// Rows matching across all pages.
    pub total: i64,
}

/// One page of a list: `limit` rows after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// The most rows to return; a negative limit returns none.
    pub limit: i64,
    /// How many rows to skip first; a negative offset skips none.
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
    /// The case's database id.
    pub id: CaseId,
    /// The case's reference.
    pub reference: Reference,
    /// The case's version, to pass back as `expected_version` on the next write.
    pub version: i64,
    /// The account of the assigned case manager, if any.
    pub case_manager: Option<UserId>,
    /// The team the case is assigned to, if any.
    pub team: Option<String>,
    /// When the case was created in the store.
    pub opened_at: DateTime<Utc>,
    /// The child's given name, if recorded.
    pub given_name: Option<String>,
    /// The child's family name, if recorded.
    pub family_name: Option<String>,
    /// The case's summary row; a case without one is not listed.
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
/// One page of the case list, with the count across all pages.
pub struct CasePage {
    /// This page's cases, in the order asked for.
    pub cases: Vec<CaseSummary>,
    /// Rows matching the filter across all pages.
    pub total: i64,
}

/// What an import or generation wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// How many cases were created.
    pub cases: u64,
    /// How many events were stored across them.
    pub events: u64,
}

/// An account to create. `email` is stored lower-cased; `password_hash` is an encoded hash
/// (argon2id PHC string), never a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The sign-in address; stored trimmed and lower-cased, and unique
    /// ([`StoreError::DuplicateEmail`](crate::StoreError::DuplicateEmail) otherwise).
    pub email: String,
    /// The name shown to other users (e.g. in a case's history).
    pub name: String,
    /// The encoded password hash.
    pub password_hash: String,
    /// The account's one role, which decides what it may do.
    pub role: Role,
    /// The case-management team the user belongs to, if any.
    pub team: Option<String>,
    /// The service a professional or setting belongs to, if any; stored as its
    /// [`provider_key`](tandem_core::access::provider_key).
    pub provider: Option<String>,
}

/// Someone a case can be given to: an enabled case manager or team manager. Staff names are not
/// a child's data, so any signed-in user may read them (a family sees who runs their case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// Their account id, to assign a case to.
    pub id: UserId,
    /// Their name as shown on pages.
    pub name: String,
    /// Case manager or team manager.
    pub role: Role,
    /// Their team; `None` when they are in none.
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// An account as stored.
pub struct UserRecord {
    /// The account's id.
    pub id: UserId,
    /// The sign-in address, trimmed and lower-cased.
    pub email: String,
    /// The name shown to other users.
    pub name: String,
    /// The encoded password hash (argon2id PHC string), to verify a sign-in against.
    pub password_hash: String,
    /// The account's one role, which decides what it may do.
    pub role: Role,
    /// The case-management team the user belongs to, if any.
    pub team: Option<String>,
    /// The service a professional or setting belongs to (a provider key), if any.
    pub provider: Option<String>,
    /// Whether the account is disabled: its sessions no longer count.
    pub disabled: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

impl UserRecord {
    /// The user as the permission rules see them.
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.id,
            role: self.role,
            team: self.team.clone(),
            provider: self.provider.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// A sign-in session as stored. Its token is not: only a hash of it, which is not read back.
pub struct SessionRecord {
    /// The session's id.
    pub id: SessionId,
    /// The account signed in.
    pub user_id: UserId,
    /// When the session was created (at sign-in).
    pub created_at: DateTime<Utc>,
    /// When the session was last used; a session idle for too long is no longer live.
    pub last_seen_at: DateTime<Utc>,
    /// When the session ends however active it is.
    pub expires_at: DateTime<Utc>,
    /// Whether it was revoked (sign-out, or every session of a user revoked at once).
    pub revoked: bool,
}

/// How a user is linked to a case, for permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseRelation {
    /// Asked for advice on the case.
    AdviceRecipient,
    /// The child's family.
    Family,
}

impl CaseRelation {
    /// The name stored with the link (`advice_recipient`, `family`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::AdviceRecipient => "advice_recipient",
            Self::Family => "family",
        }
    }

    /// The relation with this stored name; `None` for any other text.
    pub(crate) fn parse(text: &str) -> Option<Self> {
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
    /// The account that acted; `None` for system work.
    pub actor: Option<UserId>,
    /// A machine name for what was done (e.g. `case.open`).
    pub action: String,
    /// The case acted on, if any.
    pub case_reference: Option<Reference>,
    /// A JSON object of ids and machine names; empty unless set with [`AuditEntry::detail`].
    pub detail: Value,
}

impl AuditEntry {
    /// An entry for `actor` doing `action`, about no case and with an empty detail.
    pub fn new(actor: Option<UserId>, action: impl Into<String>) -> Self {
        Self {
            actor,
            action: action.into(),
            case_reference: None,
            detail: Value::Object(Map::new()),
        }
    }

    /// Names the case the action was on.
    pub fn case(mut self, reference: &Reference) -> Self {
        self.case_reference = Some(reference.clone());
        self
    }

    /// Sets the detail: ids and machine names only.
    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
/// An audit entry read back.
pub struct AuditRecord {
    /// The entry's id; a later entry has a larger id.
    pub id: i64,
    /// When the entry was written.
    pub at: DateTime<Utc>,
    /// The account that acted; `None` for system work.
    pub actor: Option<UserId>,
    /// The machine name of what was done.
    pub action: String,
    /// The case acted on, if any, as stored.
    pub case_reference: Option<String>,
    /// The detail as written: ids and machine names.
    pub detail: Value,
}

/// Which audit rows to read, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries about this case.
    pub case_reference: Option<Reference>,
    /// Only entries by this account.
    pub actor: Option<UserId>,
    /// Only entries with this action.
    pub action: Option<String>,
    /// At most this many entries: 100 when `None`, none when negative.
    pub limit: Option<i64>,
}

pub(crate) fn parse_reference(text: String) -> Result<Reference, StoreError> {
    Reference::parse(&text).map_err(|e| StoreError::Corrupt(e.to_string()))
}
