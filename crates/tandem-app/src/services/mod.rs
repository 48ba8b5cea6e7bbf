//! The use-cases every front end calls: the web pages, the JSON API and the command line.
//!
//! Each service runs one transaction: authorise with the pure rules of [`tandem_core::can`], load,
//! decide, write, and append exactly one audit entry, then commit. A refusal is audited too, so
//! that attempts to reach a child's record leave a trace.

mod advice;
mod caches;
mod caseload;
mod cases;
mod data_quality;
mod documents;
mod improvement_plan;
mod messages;
mod notifications;
mod panels;
mod plan_audits;
mod plan_comments;
mod plans;
mod providers;
mod recording;
mod surveys;
mod workforce;

pub use advice::{AdviceRequestView, AdviceSaved, DraftState, TrayItem};
pub use caches::{Caches, CaseloadCache, TimelineCache};
pub use caseload::{CaseloadPage, StaffMember, TeamCaseload};
pub use cases::{CasePageReads, CaseView, NewRequest, OpenedCase, Recorded};
pub use data_quality::{
    DataQuality, EDITABLE, PLACEMENT_EDITABLE, REQUEST_EDITABLE, ReturnDetailsEdit, RuleProblems,
};
pub use documents::{DocumentList, ListedDocument, Upload};
pub use improvement_plan::{ActionEdit, ActionOverview, PlanOverview, PlanPlace};
pub use messages::{MAX_MESSAGE, NewContact};
pub use notifications::{Delivery, Outbox};
pub use panels::{
    AgendaEntry, Candidate, MeetingView, PanelDecisionInput, PanelDetail, PanelSummary,
    PanelsOverview,
};
pub use plan_audits::{
    AuditOverview, AuditedPlanView, CriterionScore, DrawRequest, MAX_SAMPLE, RoundView,
    SampleProgress,
};
pub use plan_comments::{DraftComment, DraftForComment, after_comment_period};
pub use plans::{
    Acknowledgement, PlanSaved, PlanView, SignOff, SignOffWaiting, blocking, finding_key,
};
pub use recording::CaseManager;
pub use surveys::{
    Answered, QuestionResults, SurveyDraft, SurveyLink, SurveyResults, SurveysOverview,
    YouSaidDraft,
};
pub use tandem_store::{
    ActionUpdate, AdviceProvider, AdviceResponse, AgreedAction, Assignment, AuditAssignment,
    AuditExample, AuditRound, AuditSample, AuditScore, DetailChange, DetailChanges, DocumentRecord,
    InductionRecord, MessageRecord, Moderation, PlanComment, PlanRevision, PlanVersion,
    StoredAction, SupervisionRecord, UnsentNotification, YouSaidWeDid,
};
/// The stored shapes the services take and give, so that front ends depend on the services
/// alone and never on the store crate.
pub use tandem_store::{
    CaseFilter, CaseSearch, CaseSort, CaseSummary, ChildId, ChildMatch, Correction, DecisionSource,
    EventId, EventRecord, Page, Panel, PanelDecision, PanelMeeting, PanelMember, Source,
    StatusFilter, Store, StoreError,
};
pub use workforce::{
    CaseloadMonth, CourseForm, MAX_ACTIONS, Staff, StaffLine, StaffRecord, SupervisionDue,
    SupervisionForm, SupervisionView, TrainingLine, WorkforceFigures, WorkforceOverview,
};

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::json;
use tandem_core::access::{AdviceWindow, DEFAULT_ADVICE_ACCESS_DAYS, PlanSignOff};
use tandem_core::messages::DEFAULT_REPLY_WORKING_DAYS;
use tandem_core::reference_pattern::ReferencePattern;
use tandem_core::{Action, Actor, CaseAccess, Date, Reference, Resource, can};
use tandem_store::{AuditEntry, Tx};

/// Who is asking, and through which door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The signed-in user (id, role and team), whom the access rules judge.
    pub actor: Actor,
    /// The front end the request came through, recorded in every audit entry.
    pub source: Source,
}

impl Caller {
    /// `actor` asking through `source`.
    pub fn new(actor: Actor, source: Source) -> Self {
        Self { actor, source }
    }

    /// An audit entry's detail: which door the caller came through, then `fields` (an object).
    pub fn detail(&self, fields: serde_json::Value) -> serde_json::Value {
        let mut detail = serde_json::Map::new();
        detail.insert("source".into(), self.source.as_str().into());
        if let serde_json::Value::Object(fields) = fields {
            detail.extend(fields);
        }
        serde_json::Value::Object(detail)
    }
}

/// A field the user must put right, named as the form or API names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name, as the form or API names it (such as `date_of_birth`).
    pub field: String,
    /// What to do about it, in words to show the user ("Enter the child's date of birth").
    pub message: String,
}

impl FieldError {
    /// A problem with `field`, described by `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a service did not do what was asked. Messages hold references and ids only: they reach
/// logs.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The case does not exist, or the caller may not know that it does.
    #[error("no case with reference {reference}")]
    NotFound {
        /// The reference asked for.
        reference: String,
    },
    /// The caller may not do this; the refusal has been audited.
    #[error("you do not have permission to do that")]
    Forbidden,
    /// The request needs putting right: one entry per field at fault.
    #[error("{}", summary(.0))]
    Invalid(Vec<FieldError>),
    /// The case changed since the caller read it: reload and try again.
    #[error("the case was changed by someone else; it is now at version {current_version}")]
    Conflict {
        /// The case's version now.
        current_version: i64,
    },
    /// A child with the same names and date of birth already has cases; the caller must say
    /// whether the request is for that child or for a different one.
    #[error("a child with these names and date of birth may already have a case")]
    PossibleDuplicate {
        /// The matching cases the caller may see.
        matches: Vec<ChildMatch>,
        /// Whether cases the caller may not see match too (another team's): they are not
        /// named, only said to exist, with whom to ask.
        elsewhere: bool,
    },
    /// The store failed (any store error not turned into one of the variants above).
    #[error(transparent)]
    Store(StoreError),
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { current_version } => Self::Conflict { current_version },
            StoreError::CaseNotFound { reference } => Self::NotFound { reference },
            StoreError::DuplicateReference { reference } => Self::Invalid(vec![FieldError::new(
                "reference",
                format!("a case with reference {reference} already exists"),
            )]),
            StoreError::DuplicateProvider => Self::Invalid(vec![FieldError::new(
                "name",
                "Another advice provider has or had that name",
            )]),
            StoreError::ProviderNotFound { id } => Self::NotFound {
                reference: format!("advice provider {id}"),
            },
            other => Self::Store(other),
        }
    }
}

/// Where emails link to unless `TANDEM_PUBLIC_URL` says otherwise: `tandem serve`'s default
/// address.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The clock the services read "now" from; tests fix it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The services over one store. Cheap to clone: share one per process.
#[derive(Clone)]
pub struct Services {
    store: Store,
    clock: Clock,
    caches: Arc<Caches>,
    advice_access_days: u32,
    reply_working_days: u32,
    document_max_bytes: usize,
    public_url: String,
    plan_sign_off: PlanSignOff,
    reference_pattern: ReferencePattern,
}

impl Services {
    /// The services over `store`, reading the system clock.
    pub fn new(store: Store) -> Self {
        Self::with_clock(store, Arc::new(Utc::now))
    }

    /// The services over `store`, reading "now" from `clock` (a fixed or advancing clock in
    /// tests).
    pub fn with_clock(store: Store, clock: Clock) -> Self {
        Self {
            store,
            clock,
            caches: Arc::new(Caches::default()),
            advice_access_days: DEFAULT_ADVICE_ACCESS_DAYS,
            document_max_bytes: tandem_core::documents::DEFAULT_MAX_BYTES,
            reply_working_days: DEFAULT_REPLY_WORKING_DAYS,
            public_url: DEFAULT_PUBLIC_URL.to_owned(),
            plan_sign_off: PlanSignOff::default(),
            reference_pattern: ReferencePattern::default(),
        }
    }

    /// The same services, making the references of new requests opened without one from
    /// `pattern` (`TANDEM_REFERENCE_PATTERN`; `EHC-{year}-{seq:06}` unless set).
    pub fn with_reference_pattern(self, pattern: ReferencePattern) -> Self {
        Self {
            reference_pattern: pattern,
            ..self
        }
    }

    /// The same services, linking emails to Tandem at `url` (`TANDEM_PUBLIC_URL`), the address
    /// people reach it at.
    pub fn with_public_url(self, url: &str) -> Self {
        Self {
            public_url: url.to_owned(),
            ..self
        }
    }

    /// The same services, sharing `caches` (one per process, kept by the web application's
    /// state across requests).
    pub fn with_caches(self, caches: Arc<Caches>) -> Self {
        Self { caches, ..self }
    }

    /// The same services, with replies to incoming messages due `days` working days after
    /// them (`TANDEM_REPLY_WORKING_DAYS`; 3 unless set).
    pub fn with_reply_working_days(self, days: u32) -> Self {
        Self {
            reply_working_days: days,
            ..self
        }
    }

    /// The same services, letting a service asked for advice see the case for `days` after its
    /// last request closed (`TANDEM_ADVICE_ACCESS_DAYS`; four weeks unless set).
    pub fn with_advice_access_days(self, days: u32) -> Self {
        Self {
            advice_access_days: days,
            ..self
        }
    }

    /// The same services, accepting documents of at most `bytes` (`TANDEM_DOCUMENT_MAX_MB`;
    /// 20 MB unless set).
    pub fn with_document_max_bytes(self, bytes: usize) -> Self {
        Self {
            document_max_bytes: bytes,
            ..self
        }
    }

    /// The same services, letting `sign_off` name who signs off final plans
    /// (`TANDEM_PLAN_SIGN_OFF`; the head of service unless set).
    pub fn with_plan_sign_off(self, sign_off: PlanSignOff) -> Self {
        Self {
            plan_sign_off: sign_off,
            ..self
        }
    }

    /// The earliest closing day of a service's advice requests that still lets it see the case
    /// on `today`.
    fn advice_closed_since(&self, today: Date) -> Date {
        AdviceWindow::earliest_open_closing(today, self.advice_access_days)
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// A write transaction dated by the services' clock.
    async fn begin(&self) -> Result<Tx, ServiceError> {
        Ok(self.store.begin_at((self.clock)()).await?)
    }

    /// A read-only snapshot dated by the services' clock, for reads that change nothing: many
    /// run at once, and none waits for a writer.
    async fn snapshot(&self) -> Result<Tx, ServiceError> {
        Ok(self.store.begin_snapshot_at((self.clock)()).await?)
    }

    /// Audits a read done in a snapshot, returning once the entry is committed (by the store's
    /// group-commit writer, with the entries of the other reads of the moment): what was read
    /// is shown only after this returns `Ok`.
    async fn audit_read(&self, entry: AuditEntry) -> Result<(), ServiceError> {
        self.store.audit_read(entry, (self.clock)()).await?;
        Ok(())
    }

    /// For a read done in a snapshot rather than a write transaction: allows `action` on the
    /// service, or audits the refusal in a write transaction of its own and refuses.
    async fn authorise_read(&self, caller: &Caller, action: Action) -> Result<(), ServiceError> {
        if can(&caller.actor, action, Resource::Service) {
            return Ok(());
        }
        authorise_service(self.begin().await?, caller, action)
            .await
            .map(drop)
    }
}

/// Allows or refuses `action` on the service as a whole; a refusal is audited and committed.
async fn authorise_service(
    mut tx: Tx,
    caller: &Caller,
    action: Action,
) -> Result<Tx, ServiceError> {
    if can(&caller.actor, action, Resource::Service) {
        return Ok(tx);
    }
    tx.audit(&denied(caller, action)).await?;
    tx.commit().await?;
    Err(ServiceError::Forbidden)
}

/// Allows or refuses `action` on a case. A caller who may not even see the case is told it does
/// not exist, so that references cannot be probed; either refusal is audited and committed.
/// `access` is `None` when there is no such case, which is refused in exactly the same way.
async fn authorise_case(
    mut tx: Tx,
    caller: &Caller,
    action: Action,
    reference: &Reference,
    access: Option<&CaseAccess>,
) -> Result<Tx, ServiceError> {
    let Some(refusal) = refusal(caller, action, reference, access) else {
        return Ok(tx);
    };
    tx.audit(&denied(caller, action).case(reference)).await?;
    tx.commit().await?;
    Err(refusal)
}

/// Why `action` on a case is refused, if it is: forbidden to a caller who may see the case, as
/// if it did not exist to one who may not (`access` is `None` when it does not).
fn refusal(
    caller: &Caller,
    action: Action,
    reference: &Reference,
    access: Option<&CaseAccess>,
) -> Option<ServiceError> {
    let allowed =
        |action| access.is_some_and(|access| can(&caller.actor, action, Resource::Case(access)));
    if allowed(action) {
        None
    } else if allowed(Action::ViewCase) {
        Some(ServiceError::Forbidden)
    } else {
        Some(ServiceError::NotFound {
            reference: reference.to_string(),
        })
    }
}

pub(crate) fn denied(caller: &Caller, action: Action) -> AuditEntry {
    AuditEntry::new(Some(caller.actor.id), "denied").detail(caller.detail(json!({
        "asked": format!("{action:?}"),
        "role": caller.actor.role.as_str(),
    })))
}
