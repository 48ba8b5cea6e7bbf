//! `govukDateInput`: day, month and year fields, each a `govukInput`.

use std::collections::BTreeMap;

use askama::Template;
use serde::Deserialize;

use crate::html::{AttributeValue, Attributes, Html, lenient};

use super::field::{FieldParts, FormGroup};
use super::{ErrorMessage, Fieldset, Hint, Input, Label};

/// One field of a date input (also the `day`, `month` and `year` options).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct DateItem {
    pub id: Option<String>,
    pub name: Option<String>,
    /// Label text; defaults to the capitalised name.
    pub label: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub value: Option<String>,
    /// Marks this field as the one in error (when only some are wrong).
    pub error: Option<bool>,
    pub classes: Option<String>,
    pub autocomplete: Option<String>,
    pub pattern: Option<String>,
    pub inputmode: Option<String>,
    pub attributes: Attributes,
}

/// `govukDateInput`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/date-input.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct DateInput {
    pub(crate) id: String,
    pub(crate) name_prefix: Option<String>,
    /// Replaces the day, month and year fields when not empty.
    pub(crate) items: Vec<DateItem>,
    pub(crate) day: Option<DateItem>,
    pub(crate) month: Option<DateItem>,
    pub(crate) year: Option<DateItem>,
    /// Field values by (prefixed) name, e.g. what the user typed.
    pub(crate) values: BTreeMap<String, AttributeValue>,
    pub(crate) hint: Option<Hint>,
    pub(crate) error_message: Option<ErrorMessage>,
    pub(crate) form_group: FormGroup,
    pub(crate) fieldset: Option<Fieldset>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

const PARTS: [(&str, u8); 3] = [("day", 2), ("month", 2), ("year", 4)];

impl DateInput {
    fn parts(&self) -> FieldParts {
        let described_by = self
            .fieldset
            .as_ref()
            .and_then(|f| f.described_by.as_deref());
        FieldParts::new(
            &self.id,
            described_by,
            None,
            self.hint.as_ref(),
            self.error_message.as_ref(),
        )
    }

    fn given(&self, part: usize) -> &Option<DateItem> {
        [&self.day, &self.month, &self.year][part]
    }

    /// The `day`/`month`/`year` option, or the macro's default for it.
    fn part_item(&self, part: usize) -> DateItem {
        let (name, width) = PARTS[part];
        self.given(part).clone().unwrap_or_else(|| DateItem {
            name: Some(name.to_owned()),
            value: self.values.get(name).map(ToString::to_string),
            classes: Some(format!("govuk-input--width-{width}")),
            ..DateItem::default()
        })
    }

    fn inputs(&self) -> Vec<Input> {
        let defaults: Vec<DateItem> = (0..PARTS.len()).map(|p| self.part_item(p)).collect();
        let items = if self.items.is_empty() {
            &defaults
        } else {
            &self.items
        };
        let has_error_class = |i: &DateItem| {
            i.classes
                .as_ref()
                .is_some_and(|c| c.contains("govuk-input--error"))
        };
        let any_item_has_error = items
            .iter()
            .any(|i| i.error == Some(true) || has_error_class(i));
        let prefix = self
            .name_prefix
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}-"))
            .unwrap_or_default();
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                // Which of day/month/year this is (by position for the default fields, else by
                // name) decides its default name, value and width.
                let part = if self.items.is_empty() {
                    Some(index)
                } else {
                    PARTS.iter().enumerate().position(|(p, (name, _))| {
                        let custom = defaults[p].name.as_deref();
                        item.name
                            .as_deref()
                            .is_some_and(|n| n == *name || Some(n) == custom)
                    })
                };
                let (name, value, width) = match part {
                    Some(p) => (
                        item.name.clone().unwrap_or_else(|| PARTS[p].0.to_owned()),
                        item.value.clone().or_else(|| defaults[p].value.clone()),
                        PARTS[p].1,
                    ),
                    None => (item.name.clone().unwrap_or_default(), item.value.clone(), 2),
                };
                let item_has_error = item.error == Some(true) || has_error_class(item);
                let mut classes = Vec::new();
                if !has_error_class(item)
                    && (item_has_error
                        || (item.error != Some(false)
                            && self.error_message.is_some()
                            && !any_item_has_error))
                {
                    classes.push("govuk-input--error".to_owned());
                }
                if !item
                    .classes
                    .as_ref()
                    .is_some_and(|c| c.contains("govuk-input--width-"))
                {
                    classes.push(format!("govuk-input--width-{width}"));
                }
                classes.extend(item.classes.clone());
                let full_name = format!("{prefix}{name}");
                Input {
                    label: Some(Label {
                        text: Some(item.label.clone().unwrap_or_else(|| capitalise(&name))),
                        classes: Some("govuk-date-input__label".to_owned()),
                        ..Label::default()
                    }),
                    id: Some(
                        item.id
                            .clone()
                            .unwrap_or_else(|| format!("{}-{name}", self.id)),
                    ),
                    classes: Some(format!("govuk-date-input__input {}", classes.join(" "))),
                    value: value.or_else(|| self.values.get(&full_name).map(ToString::to_string)),
                    name: full_name,
                    input_type: Some("text".to_owned()),
                    inputmode: Some(crate::html::or(&item.inputmode, "numeric").to_owned()),
                    autocomplete: item.autocomplete.clone(),
                    pattern: item.pattern.clone(),
                    attributes: item.attributes.clone(),
                    ..Input::default()
                }
            })
            .collect()
    }

    fn fieldset_with(&self, fieldset: &Fieldset, parts: &FieldParts, inner: &str) -> Fieldset {
        // role="group" so JAWS announces the description of a fieldset of text inputs.
        Fieldset {
            described_by: Some(parts.described_by.clone()),
            role: Some("group".to_owned()),
            html: Some(Html::trusted(inner)),
            ..fieldset.clone()
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}
