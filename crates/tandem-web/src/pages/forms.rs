//! What every form page needs: the error summary, inline error messages, and text inputs that
//! keep what the user typed.

use tandem_app::accounts::FieldError;

use crate::Html;
use crate::components::{ErrorLink, ErrorMessage, ErrorSummary, Input, Label};

/// The problems found with a submitted form, in the order of its fields.
#[derive(Debug, Default)]
pub(crate) struct FormErrors(Vec<FieldError>, Vec<(&'static str, String)>);

impl FormErrors {
    pub(crate) fn new(errors: Vec<FieldError>) -> Self {
        Self(errors, Vec::new())
    }

    pub(crate) fn one(field: &'static str, message: impl Into<String>) -> Self {
        Self::new(vec![FieldError {
            field,
            message: message.into(),
        }])
    }

    /// Adds a problem whose summary link goes to `anchor` (the id of the first input to fix,
    /// such as the month of a date) rather than to the field's own id.
    pub(crate) fn push(&mut self, field: &'static str, anchor: String, message: String) {
        self.0.push(FieldError { field, message });
        self.1.push((field, anchor));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn anchor<'a>(&'a self, field: &'a str) -> &'a str {
        self.1
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(field, |(_, anchor)| anchor.as_str())
    }

    /// The GOV.UK error summary linking to each field, or nothing when there is no error.
    pub(crate) fn summary(&self) -> askama::Result<Option<Html>> {
        if self.0.is_empty() {
            return Ok(None);
        }
        Html::render(&ErrorSummary {
            title_text: Some("There is a problem".into()),
            error_list: self
                .0
                .iter()
                .map(|e| ErrorLink {
                    text: Some(e.message.clone()),
                    href: Some(format!("#{}", self.anchor(e.field))),
                    ..ErrorLink::default()
                })
                .collect(),
            ..ErrorSummary::default()
        })
        .map(Some)
    }

    /// The inline message for one field.
    pub(crate) fn message(&self, field: &str) -> Option<ErrorMessage> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| ErrorMessage {
                text: Some(e.message.clone()),
                ..ErrorMessage::default()
            })
    }
}

/// A labelled text input: `kind` is the input type, `autocomplete` the browser hint.
pub(crate) struct TextField<'a> {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) autocomplete: &'static str,
    pub(crate) value: Option<&'a str>,
    pub(crate) classes: Option<&'static str>,
}

impl TextField<'_> {
    pub(crate) fn render(self, errors: &FormErrors) -> askama::Result<Html> {
        Html::render(&Input {
            id: Some(self.name.into()),
            name: self.name.into(),
            input_type: Some(self.kind.into()),
            value: self.value.map(str::to_owned),
            label: Some(Label {
                text: Some(self.label.into()),
                classes: Some("govuk-label--s".into()),
                ..Label::default()
            }),
            error_message: errors.message(self.name),
            autocomplete: Some(self.autocomplete.into()),
            spellcheck: Some(false),
            classes: self.classes.map(str::to_owned),
            ..Input::default()
        })
    }
}
