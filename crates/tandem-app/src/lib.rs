//! Tandem's use-cases, shared by the web application, the JSON API and the command line.

pub mod generate;
pub mod interchange;
