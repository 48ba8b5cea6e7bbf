//! The pieces every form control is built from: label, hint, error message and fieldset.

use askama::Template;
use serde::Deserialize;

use crate::html::{Attributes, Html, impl_content};

/// `govukLabel`. Renders nothing without text or HTML.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/label.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Label {
    pub(crate) text: Option<String>,
    pub(crate) html: Option<Html>,
    #[serde(rename = "for")]
    pub(crate) for_id: Option<String>,
    pub(crate) is_page_heading: bool,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

/// `govukHint`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/hint.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Hint {
    pub(crate) text: Option<String>,
    pub(crate) html: Option<Html>,
    pub(crate) id: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

/// `govukErrorMessage`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/error-message.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorMessage {
    pub(crate) text: Option<String>,
    pub(crate) html: Option<Html>,
    pub(crate) id: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
    /// Defaults to "Error"; an empty string drops the prefix.
    pub(crate) visually_hidden_text: Option<String>,
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
pub(crate) struct Legend {
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
    pub(crate) described_by: Option<String>,
    pub(crate) legend: Option<Legend>,
    pub(crate) classes: Option<String>,
    pub(crate) role: Option<String>,
    pub(crate) attributes: Attributes,
    pub(crate) html: Option<Html>,
}

impl_content!(Label, Hint, ErrorMessage, Legend);
