//! Single form controls: text input, textarea and select.

use askama::Template;
use serde::Deserialize;

use crate::html::{Attributes, Html, impl_content, lenient};

use super::field::{FieldParts, FormGroup};
use super::{ErrorMessage, Hint, Label};

/// The `prefix` and `suffix` options of `govukInput`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Affix {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// The `inputWrapper` option of `govukInput`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct InputWrapper {
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// `govukInput`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/input.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Input {
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) input_type: Option<String>,
    pub(crate) inputmode: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub(crate) value: Option<String>,
    pub(crate) disabled: bool,
    pub(crate) described_by: Option<String>,
    pub(crate) label: Option<Label>,
    pub(crate) hint: Option<Hint>,
    pub(crate) error_message: Option<ErrorMessage>,
    pub(crate) prefix: Option<Affix>,
    pub(crate) suffix: Option<Affix>,
    pub(crate) form_group: FormGroup,
    pub(crate) input_wrapper: InputWrapper,
    pub(crate) classes: Option<String>,
    pub(crate) autocomplete: Option<String>,
    pub(crate) pattern: Option<String>,
    pub(crate) spellcheck: Option<bool>,
    pub(crate) autocapitalize: Option<String>,
    pub(crate) attributes: Attributes,
}

/// `govukTextarea`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/textarea.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Textarea {
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    pub(crate) spellcheck: Option<bool>,
    pub(crate) rows: Option<u32>,
    pub(crate) value: Option<String>,
    pub(crate) disabled: bool,
    pub(crate) described_by: Option<String>,
    pub(crate) label: Option<Label>,
    pub(crate) hint: Option<Hint>,
    pub(crate) error_message: Option<ErrorMessage>,
    pub(crate) form_group: FormGroup,
    pub(crate) classes: Option<String>,
    pub(crate) autocomplete: Option<String>,
    pub(crate) attributes: Attributes,
}

/// An option of `govukSelect`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SelectItem {
    #[serde(deserialize_with = "lenient")]
    pub value: Option<String>,
    pub text: Option<String>,
    pub selected: Option<bool>,
    pub disabled: bool,
    pub attributes: Attributes,
}

/// `govukSelect`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/select.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Select {
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    /// `None` entries are skipped, so lists can be built with conditional items.
    pub(crate) items: Vec<Option<SelectItem>>,
    /// Selects the item with this value (or text, for items without a value).
    #[serde(deserialize_with = "lenient")]
    pub(crate) value: Option<String>,
    pub(crate) disabled: bool,
    pub(crate) described_by: Option<String>,
    pub(crate) label: Option<Label>,
    pub(crate) hint: Option<Hint>,
    pub(crate) error_message: Option<ErrorMessage>,
    pub(crate) form_group: FormGroup,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

/// The accessors `_field-head.html` and the control templates rely on.
macro_rules! impl_field {
    ($($ty:ty),+) => {$(
        impl $ty {
            /// The control's id: `id`, or else `name`.
            pub(crate) fn id(&self) -> &str {
                crate::html::or(&self.id, &self.name)
            }

            fn parts(&self) -> FieldParts {
                FieldParts::new(
                    self.id(),
                    self.described_by.as_deref(),
                    self.label.as_ref(),
                    self.hint.as_ref(),
                    self.error_message.as_ref(),
                )
            }
        }
    )+};
}
impl_field!(Input, Textarea, Select);

impl Input {
    fn has_affix(&self) -> bool {
        [&self.prefix, &self.suffix]
            .into_iter()
            .any(|a| a.as_ref().is_some_and(|a| a.content().is_some()))
    }
}

impl Select {
    fn is_selected(&self, item: &SelectItem) -> bool {
        match item.selected {
            Some(selected) => selected,
            None => {
                let effective = item.value.as_ref().or(item.text.as_ref());
                self.value.is_some() && effective == self.value.as_ref()
            }
        }
    }
}

impl_content!(Affix);
