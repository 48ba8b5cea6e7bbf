//! Tandem's pure domain: the EHC case model, the statutory rules as data, and the engine that
//! derives every deadline from a case's dated history.
//!
//! Nothing here does I/O or reads the clock: "today" is always a parameter.

#![deny(missing_docs)]

pub mod access;
pub mod advice;
pub mod case_file;
pub mod caseload;
pub mod dates;
pub mod documents;
pub mod event;
pub mod input;
pub mod names;

pub use access::{Action, Actor, CaseAccess, Resource, Role, UserId, can};
pub use case_file::{CaseFile, CaseFileError, Child, Reference};
pub use caseload::RagStatus;
pub use dates::Date;
pub use event::{Event, EventDetail, EventError, ExceptionClaim, Fields};
pub use names::{
    AdviceKind, AssessOutcome, EventType, ExceptionKind, IssueOutcome, PhaseKind, ReviewOutcome,
};
pub mod dashboard;
pub mod disclosure;
pub mod exceptions;
pub mod guidance;
pub mod headline;
pub mod improvement_plan;
pub mod lateness;
pub mod messages;
pub mod metrics;
pub mod next_steps;
pub mod notifications;
pub mod panels;
pub mod plan;
pub mod reference_pattern;
pub mod request;
pub mod returns;
pub mod rights;
pub mod rules;
pub mod signposts;
pub mod surveys;
pub mod targets;
pub mod timeline;
pub mod workforce;
pub mod working_days;

pub use names::{Stage, Status, WarningCode};
pub use timeline::{Milestone, Timeline, Warning};
