//! The store contract: one suite, run on SQLite always and on PostgreSQL when
//! `TEST_DATABASE_URL` is set (`TANDEM_POSTGRES_TESTS=required` makes a missing URL fail), one
//! module per area of the store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod accounts;
mod audit;
mod audits;
mod bulk;
mod cases;
mod documents;
mod helpers;
mod improvement;
mod listing;
mod messages;
mod plans;
mod surveys;
mod two_factor;
