//! GOV.UK Frontend 6.6.0 components as askama templates. Each options struct mirrors the
//! Nunjucks macro's options (camelCase when deserialised), so fixtures map onto them directly.

mod basic;
mod choices;
mod controls;
mod date_input;
mod display;
mod field;
mod form;
mod layout;

pub use basic::{BackLink, Button, InsetText, SkipLink, Tag, WarningText};
pub use choices::{Checkboxes, Radios};
pub(crate) use choices::{ChoiceItem, Conditional};
pub(crate) use controls::SelectItem;
pub use controls::{Input, Select, Textarea};
pub use date_input::DateInput;
pub(crate) use date_input::DateItem;
pub(crate) use display::{ErrorLink, PaginationItem, PaginationLink, SummaryCell, SummaryRow};
pub use display::{ErrorSummary, NotificationBanner, Pagination, SummaryList, Table};
pub(crate) use form::Legend;
pub use form::{ErrorMessage, Fieldset, Hint, Label};
pub use layout::{Footer, GenericHeader};
