//! Radios and checkboxes: one template, since the two macros differ only in a few rules
//! (which item is checked, per-item names and `aria-describedby`).

use askama::Template;
use serde::Deserialize;

use crate::html::{Attributes, Html, lenient};

use super::field::{FieldParts, FormGroup};
use super::{ErrorMessage, Fieldset, Hint, Label};

/// The `label` option of a radio or checkbox item.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ItemLabel {
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// The `conditional` option: content revealed when the item is chosen.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Conditional {
    pub html: Html,
}

/// An item of `govukRadios` or `govukCheckboxes`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ChoiceItem {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub id: Option<String>,
    /// Checkboxes only: overrides the group's name.
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub value: Option<String>,
    pub label: ItemLabel,
    pub hint: Option<Hint>,
    /// Shows a divider ("or") instead of an item.
    pub divider: Option<String>,
    pub checked: Option<bool>,
    pub conditional: Option<Conditional>,
    /// Checkboxes only: `"exclusive"` unchecks the others (needs JavaScript).
    pub behaviour: Option<String>,
    pub disabled: bool,
    pub attributes: Attributes,
}

/// `govukRadios`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/choices.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Radios {
    pub(crate) fieldset: Option<Fieldset>,
    pub(crate) hint: Option<Hint>,
    pub(crate) error_message: Option<ErrorMessage>,
    pub(crate) form_group: FormGroup,
    pub(crate) id_prefix: Option<String>,
    pub(crate) name: String,
    pub(crate) items: Vec<Option<ChoiceItem>>,
    /// Checks the item with this value.
    pub(crate) value: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

/// `govukCheckboxes`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/choices.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Checkboxes {
    pub(crate) described_by: Option<String>,
    pub(crate) fieldset: Option<Fieldset>,
    pub(crate) hint: Option<Hint>,
    pub(crate) error_message: Option<ErrorMessage>,
    pub(crate) form_group: FormGroup,
    pub(crate) id_prefix: Option<String>,
    pub(crate) name: String,
    pub(crate) items: Vec<Option<ChoiceItem>>,
    /// Checks the items with these values.
    #[serde(deserialize_with = "lenient_list")]
    pub(crate) values: Vec<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

fn lenient_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let values = Vec::<crate::html::AttributeValue>::deserialize(d)?;
    Ok(values.iter().map(ToString::to_string).collect())
}

/// One item as the template draws it.
struct ItemView<'a> {
    item: &'a ChoiceItem,
    id: String,
    name: &'a str,
    checked: bool,
    described_by: String,
    label: Label,
    hint: Option<Hint>,
}

/// The rules in which radios and checkboxes differ.
trait Choices {
    const KIND: &'static str;
    const INPUT_TYPE: &'static str;
    fn group(&self) -> Group<'_>;
    fn is_checked(&self, item: &ChoiceItem) -> bool;
    /// The group's `aria-describedby` before the hint and error message are added.
    fn described_by(&self) -> Option<&str>;
    /// The group's own description, repeated on each checkbox without a fieldset.
    fn item_described_by(&self, parts: &FieldParts) -> String;
}

struct Group<'a> {
    name: &'a str,
    id_prefix: &'a Option<String>,
    items: &'a [Option<ChoiceItem>],
}

impl Choices for Radios {
    const KIND: &'static str = "radios";
    const INPUT_TYPE: &'static str = "radio";

    fn group(&self) -> Group<'_> {
        Group {
            name: &self.name,
            id_prefix: &self.id_prefix,
            items: &self.items,
        }
    }

    fn is_checked(&self, item: &ChoiceItem) -> bool {
        item.checked
            .unwrap_or_else(|| self.value.is_some() && item.value == self.value)
    }

    fn described_by(&self) -> Option<&str> {
        self.fieldset.as_ref()?.described_by.as_deref()
    }

    fn item_described_by(&self, _: &FieldParts) -> String {
        String::new()
    }
}

impl Choices for Checkboxes {
    const KIND: &'static str = "checkboxes";
    const INPUT_TYPE: &'static str = "checkbox";

    fn group(&self) -> Group<'_> {
        Group {
            name: &self.name,
            id_prefix: &self.id_prefix,
            items: &self.items,
        }
    }

    fn is_checked(&self, item: &ChoiceItem) -> bool {
        item.checked
            .unwrap_or_else(|| item.value.as_ref().is_some_and(|v| self.values.contains(v)))
    }

    // The fieldset's `describedBy` wins over the checkboxes' own, as in the macro.
    fn described_by(&self) -> Option<&str> {
        let fieldset = self
            .fieldset
            .as_ref()
            .and_then(|f| f.described_by.as_deref());
        fieldset.or(self.described_by.as_deref())
    }

    fn item_described_by(&self, parts: &FieldParts) -> String {
        if self.fieldset.is_some() {
            String::new()
        } else {
            parts.described_by.clone()
        }
    }
}

/// Template helpers shared by both components (`choices.html` calls these on `self`).
macro_rules! impl_choices {
    ($($ty:ty),+) => {$(
        impl $ty {
            fn kind(&self) -> &'static str {
                <Self as Choices>::KIND
            }

            fn input_type(&self) -> &'static str {
                <Self as Choices>::INPUT_TYPE
            }

            fn id_prefix(&self) -> &str {
                crate::html::or(&self.id_prefix, &self.name)
            }

            fn parts(&self) -> FieldParts {
                FieldParts::new(
                    self.id_prefix(),
                    Choices::described_by(self),
                    None,
                    self.hint.as_ref(),
                    self.error_message.as_ref(),
                )
            }

            fn item_views(&self, parts: &FieldParts) -> Vec<ItemView<'_>> {
                item_views(self, parts)
            }

            /// The fieldset around `inner`, described by the hint and error message.
            fn fieldset_with(&self, fieldset: &Fieldset, parts: &FieldParts, inner: &str) -> Fieldset {
                Fieldset {
                    described_by: Some(parts.described_by.clone()),
                    html: Some(Html::trusted(inner)),
                    ..fieldset.clone()
                }
            }
        }
    )+};
}
impl_choices!(Radios, Checkboxes);

fn item_views<'a, T: Choices>(choices: &'a T, parts: &FieldParts) -> Vec<ItemView<'a>> {
    let group = choices.group();
    let prefix = crate::html::or(group.id_prefix, group.name);
    let group_described_by = choices.item_described_by(parts);
    group
        .items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| Some((index, item.as_ref()?)))
        .map(|(index, item)| {
            // The first id has no number so error summaries can link to it.
            let id = match &item.id {
                Some(id) if !id.is_empty() => id.clone(),
                _ if index == 0 => prefix.to_owned(),
                _ => format!("{prefix}-{}", index + 1),
            };
            let hint = item
                .hint
                .as_ref()
                .filter(|h| h.content().is_some())
                .map(|h| Hint {
                    id: Some(format!("{id}-item-hint")),
                    classes: Some(join_classes(
                        &format!("govuk-{}__hint", T::KIND),
                        &h.classes,
                    )),
                    ..h.clone()
                });
            let mut described_by = group_described_by.clone();
            if let Some(hint_id) = hint.as_ref().and_then(|h| h.id.as_deref()) {
                if !described_by.is_empty() {
                    described_by.push(' ');
                }
                described_by.push_str(hint_id);
            }
            let label = Label {
                text: item.text.clone(),
                html: item.html.clone(),
                classes: Some(join_classes(
                    &format!("govuk-{}__label", T::KIND),
                    &item.label.classes,
                )),
                attributes: item.label.attributes.clone(),
                for_id: Some(id.clone()),
                is_page_heading: false,
            };
            ItemView {
                item,
                name: crate::html::or(&item.name, group.name),
                checked: choices.is_checked(item),
                described_by,
                label,
                hint,
                id,
            }
        })
        .collect()
}

fn join_classes(base: &str, extra: &Option<String>) -> String {
    match extra {
        Some(extra) if !extra.is_empty() => format!("{base} {extra}"),
        _ => base.to_owned(),
    }
}
