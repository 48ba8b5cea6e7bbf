//! What the form controls share: the form group wrapper, and the label, hint and error message
//! above the control, whose ids make up the control's `aria-describedby`.

use serde::Deserialize;

use crate::html::Attributes;

use super::{ErrorMessage, Hint, Label};

/// The `formGroup` option.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FormGroup {
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// Label, hint and error message ready to render, with ids derived from the control's id.
pub(crate) struct FieldParts {
    pub label: Option<Label>,
    pub hint: Option<Hint>,
    pub error: Option<ErrorMessage>,
    /// The control's (or fieldset's) `aria-describedby`, possibly empty.
    pub described_by: String,
}

impl FieldParts {
    pub fn new(
        id: &str,
        described_by: Option<&str>,
        label: Option<&Label>,
        hint: Option<&Hint>,
        error: Option<&ErrorMessage>,
    ) -> Self {
        let mut described_by = described_by.unwrap_or_default().to_owned();
        let mut describe = |suffix: &str| {
            let part_id = format!("{id}-{suffix}");
            if !described_by.is_empty() {
                described_by.push(' ');
            }
            described_by.push_str(&part_id);
            Some(part_id)
        };
        let hint = hint.map(|h| Hint {
            id: describe("hint"),
            ..h.clone()
        });
        let error = error.map(|e| ErrorMessage {
            id: describe("error"),
            ..e.clone()
        });
        let label = label.map(|l| Label {
            for_id: Some(id.to_owned()),
            ..l.clone()
        });
        Self {
            label,
            hint,
            error,
            described_by,
        }
    }
}
