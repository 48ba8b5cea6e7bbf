//! The pages.

pub(crate) mod admin;
pub(crate) mod forms;
pub(crate) mod layout;
pub(crate) mod sign_in;
