//! Tandem's web layer. For now: the GOV.UK Design System components, as typed askama templates
//! that render the same markup as `govuk-frontend` (checked against its fixtures).

pub mod components;
pub mod html;

pub use html::{Attributes, Content, Html};
