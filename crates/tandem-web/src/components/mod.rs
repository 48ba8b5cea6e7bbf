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
pub use choices::{Checkboxes, ChoiceItem, Conditional, ItemLabel, Radios};
pub use controls::{Affix, Input, InputWrapper, Select, SelectItem, Textarea};
pub use date_input::{DateInput, DateItem};
pub use display::{
    CardTitle, ErrorLink, ErrorSummary, NotificationBanner, Pagination, PaginationItem,
    PaginationLink, SummaryAction, SummaryActions, SummaryCard, SummaryCell, SummaryList,
    SummaryRow, Table, TableCell,
};
pub use field::FormGroup;
pub use form::{ErrorMessage, Fieldset, Hint, Label, Legend};
pub use layout::{Footer, FooterLink, FooterMeta, FooterNavigation, FooterText, GenericHeader};
