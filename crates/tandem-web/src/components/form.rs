//! The pieces every form control is built from: label, hint, error message and fieldset.

use askama::Template;
use serde::Deserialize;

use crate::html::{Attributes, Html, impl_content};

/// `govukLabel`. Renders nothing without text or HTML.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/label.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Label {
    pub text: Option<String>,
    pub html: Option<Html>,
    #[serde(rename = "for")]
    pub for_id: Option<String>,
    pub is_page_heading: bool,
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// `govukHint`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/hint.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Hint {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub id: Option<String>,
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// `govukErrorMessage`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/error-message.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorMessage {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub id: Option<String>,
    pub classes: Option<String>,
    pub attributes: Attributes,
    /// Defaults to "Error"; an empty string drops the prefix.
    pub visually_hidden_text: Option<String>,
}

impl ErrorMessage {
    fn visually_hidden_prefix(&self) -> Option<&str> {
        match self.visually_hidden_text.as_deref() {
            None => Some("Error"),
            Some("") => None,
            Some(text) => Some(text),
        }
    }
}

/// The `legend` option of `govukFieldset`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Legend {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub classes: Option<String>,
    pub is_page_heading: bool,
}

/// `govukFieldset`; the grouped controls come in as `html`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/fieldset.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Fieldset {
    pub described_by: Option<String>,
    pub legend: Option<Legend>,
    pub classes: Option<String>,
    pub role: Option<String>,
    pub attributes: Attributes,
    pub html: Option<Html>,
}

impl_content!(Label, Hint, ErrorMessage, Legend);
