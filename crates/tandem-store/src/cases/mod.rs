//! Cases, their append-only history and their projection rows, one module per part of the
//! store: the SQL helpers, children, events, case records, listing, and the public API.

mod api;
mod children;
mod events;
mod front_door;
mod listing;
mod records;
mod request;
mod sql;

pub(crate) use children::ChildColumns;
pub(crate) use events::{
    EFFECTIVE_EVENTS, EventInsert, SqliteEventValues, events_insert_sql, insert_events, parse_event,
};
pub use front_door::{DetailChange, DetailChanges};
pub(crate) use listing::existing_references;
pub(crate) use records::upsert_projections;
pub(crate) use request::{
    REQUEST_COLUMNS, REQUEST_COUNT, REQUEST_SELECT, RequestColumns, bind_request,
};
pub(crate) use sql::{EVENT_BATCH, placeholder, values_list};
