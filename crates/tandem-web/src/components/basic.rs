//! Components that wrap one piece of content.

use askama::Template;
use serde::Deserialize;

use crate::html::{Attributes, Html, impl_content};

/// `govukButton`: a `<button>`, or a link styled as one when `href` is set.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/button.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Button {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub button_type: Option<String>,
    pub value: Option<String>,
    pub disabled: bool,
    pub href: Option<String>,
    pub classes: Option<String>,
    pub attributes: Attributes,
    pub prevent_double_click: Option<bool>,
    pub is_start_button: bool,
    pub id: Option<String>,
}

/// `govukTag`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/tag.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Tag {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// `govukBackLink`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/back-link.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct BackLink {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub href: Option<String>,
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// `govukSkipLink`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/skip-link.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SkipLink {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub href: Option<String>,
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// `govukInsetText`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/inset-text.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct InsetText {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub id: Option<String>,
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// `govukWarningText`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/warning-text.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct WarningText {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub icon_fallback_text: Option<String>,
    pub classes: Option<String>,
    pub attributes: Attributes,
}

impl_content!(Button, Tag, BackLink, SkipLink, InsetText, WarningText);
