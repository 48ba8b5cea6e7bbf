//! Tandem's web application: axum routes, cookie sessions with CSRF protection, GOV.UK Design
//! System pages rendered with askama components (checked against the govuk-frontend fixtures),
//! accessible SVG charts for the dashboard, and GOV.UK Frontend's CSS and JavaScript embedded in
//! the binary.
//!
//! To run it: open a [`tandem_app::services::Store`], build an [`AppState`] with a [`WebConfig`], and
//! call [`serve`] (or mount [`router`] yourself).

#![deny(missing_docs)]

mod api;
mod app;
mod assets;
pub mod charts;
mod client;
pub mod components;
mod config;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod html;
mod pages;
mod security;
mod session;
mod single_sign_on;
mod state;

pub use app::{router, serve, serve_on};
pub use config::{Reporting, WebConfig};
pub(crate) use html::Content;
pub use html::Html;
pub use single_sign_on::{CALLBACK_PATH, EmailDomains, SingleSignOn, parse_group_roles};
pub use state::{AppState, Clock};
