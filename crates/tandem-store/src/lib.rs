//! Tandem's case store: the append-only history of each case, its projection row, accounts,
//! sessions and the audit log, on SQLite (the default) or PostgreSQL, chosen from the URL.
//!
//! Every query is written once with `$1…$n` placeholders and runs on both backends; code
//! branches only where the dialects really differ (taking ids in bulk, backups). The store
//! derives nothing itself: projections come from `tandem_core::timeline`.
//!
//! Writes go through a [`Tx`]: begin, read, decide, write, audit, commit. Every write to a case
//! names the version it was based on and fails with [`StoreError::Conflict`] if another write got
//! there first.

#![deny(missing_docs)]

mod accounts;
mod advice;
mod audit;
mod audits;
mod bulk;
mod cases;
mod documents;
mod error;
mod improvement;
mod invitations;
mod messages;
mod model;
mod notifications;
mod panels;
mod plans;
pub mod projection;
mod providers;
mod store;
mod surveys;
mod teams;
mod two_factor;
mod workforce;

pub use accounts::{SignInFailures, normalise_email};
pub use advice::{AdviceResponse, TrayCase};
pub use audits::{
    AuditAssignment, AuditExample, AuditRound, AuditSample, AuditScope, AuditScore, FinalPlan,
    Moderation, NewAuditRound,
};
pub use bulk::{AssignedCaseFile, CaseHeader};
pub use cases::{DetailChange, DetailChanges};
pub use documents::{DatabaseStorage, DocumentRecord, DocumentStorage, NewDocument, Withdrawal};
pub use error::StoreError;
pub use improvement::{ActionUpdate, StoredAction};
pub use invitations::{InvitationRecord, LinkPurpose};
pub use messages::{MessageRecord, NewMessage};
pub use model::*;
pub use notifications::{ClaimedEmail, UnsentNotification};
pub use panels::{
    DecisionSource, NewPanelDecision, Panel, PanelDecision, PanelMeeting, PanelMember,
};
pub use plans::{NewPlanComment, PlanComment, PlanRevision, PlanVersion, SignOffRequest};
pub use providers::AdviceProvider;
pub use store::{Backend, Store, Tx, migration_versions};
pub use surveys::{
    NewSurvey, NewSurveyLink, NewYouSaid, ScaleCount, SurveyTermCount, WrittenAnswer, YouSaidWeDid,
};
pub use teams::TeamRecord;
pub use two_factor::{PendingSignIn, TwoFactorRecord};
pub use workforce::{
    AgreedAction, InductionRecord, LastSupervision, NewCourse, NewSupervision, StaffTenure,
    SupervisionRecord,
};
