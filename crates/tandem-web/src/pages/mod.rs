//! The pages.

pub(crate) mod admin;
pub(crate) mod dashboard;
pub(crate) mod forms;
pub(crate) mod layout;
pub(crate) mod period;
pub(crate) mod plan;
pub(crate) mod report;
pub(crate) mod sign_in;
