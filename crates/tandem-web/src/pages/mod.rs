//! The pages.

pub(crate) mod admin;
pub(crate) mod case;
pub(crate) mod caseload;
pub(crate) mod forms;
pub(crate) mod layout;
pub(crate) mod listing;
pub(crate) mod sign_in;
