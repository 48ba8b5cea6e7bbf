//! Tandem's use-cases, shared by the web application, the JSON API and the command line.

#![deny(missing_docs)]

pub mod accounts;
pub mod generate;
mod generate_returns;
pub mod generate_surveys;
pub mod interchange;
pub mod mail;
pub mod reports;
pub mod returns;
pub mod services;
pub mod transfer;
