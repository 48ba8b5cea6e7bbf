//! Components that wrap one piece of content.

use askama::Template;
use serde::Deserialize;

use crate::html::{Attributes, Html, impl_content};

/// `govukButton`: a `<button>`, or a link styled as one when `href` is set.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/button.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Button {
    pub(crate) text: Option<String>,
    pub(crate) html: Option<Html>,
    pub(crate) name: Option<String>,
    #[serde(rename = "type")]
    pub(crate) button_type: Option<String>,
    pub(crate) value: Option<String>,
    pub(crate) disabled: bool,
    pub(crate) href: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
    pub(crate) prevent_double_click: Option<bool>,
    pub(crate) is_start_button: bool,
    pub(crate) id: Option<String>,
}

/// `govukTag`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/tag.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Tag {
    pub(crate) text: Option<String>,
    pub(crate) html: Option<Html>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

/// `govukBackLink`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/back-link.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct BackLink {
    pub(crate) text: Option<String>,
    pub(crate) html: Option<Html>,
    pub(crate) href: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

/// `govukSkipLink`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/skip-link.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SkipLink {
    pub(crate) text: Option<String>,
    pub(crate) html: Option<Html>,
    pub(crate) href: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

/// `govukInsetText`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/inset-text.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct InsetText {
    pub(crate) text: Option<String>,
    pub(crate) html: Option<Html>,
    pub(crate) id: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

/// `govukWarningText`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/warning-text.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct WarningText {
    pub(crate) text: Option<String>,
    pub(crate) html: Option<Html>,
    pub(crate) icon_fallback_text: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

impl_content!(Button, Tag, BackLink, SkipLink, InsetText, WarningText);
