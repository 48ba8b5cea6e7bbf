//! Cases, their append-only history and their projection rows, one module per part of the
//! store: the SQL helpers, children, events, case records, listing, and the public API.

mod api;
mod children;
mod events;
mod listing;
mod records;
mod sql;

pub(crate) use children::ChildColumns;
pub(crate) use events::{EFFECTIVE_EVENTS, EventInsert, insert_events, parse_event};
pub(crate) use listing::existing_references;
pub(crate) use records::upsert_projections;
pub(crate) use sql::{EVENT_BATCH, placeholder, values_list};
