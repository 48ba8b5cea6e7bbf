//! The pages.

pub(crate) mod accessibility;
pub(crate) mod admin;
pub(crate) mod case;
pub(crate) mod case_fields;
pub(crate) mod case_forms;
pub(crate) mod caseload;
pub(crate) mod dashboard;
pub(crate) mod downloads;
pub(crate) mod forms;
pub(crate) mod layout;
pub(crate) mod listing;
pub(crate) mod new_request;
pub(crate) mod period;
pub(crate) mod plan;
pub(crate) mod report;
pub(crate) mod sign_in;
