//! What every form page needs: the page around one form, its back link and buttons, the error
//! summary, inline error messages, GOV.UK date inputs and text inputs that keep what the user
//! typed.

use askama::Template;
use tandem_app::services::FieldError;
use tandem_core::{Date, Reference};

use crate::Html;
use crate::components::{
    BackLink, Button, ErrorLink, ErrorMessage, ErrorSummary, Hint, Input, Label, Select,
    SelectItem, Textarea,
};
use crate::error::WebError;
use crate::html::Attributes;
use crate::pages::layout::Layout;

/// The names of a GOV.UK date input's three fields, in order.
pub(crate) const PARTS: [&str; 3] = ["day", "month", "year"];

/// A GOV.UK date input's day, month and year as typed: nothing, a date, or the message with
/// the parts to fix. Months may be written as names ("Jan", "january"); years need 4 digits.
pub(crate) fn read_date(
    label: &str,
    parts: [&str; 3],
) -> Result<Option<Date>, (String, [bool; 3])> {
    let missing = parts.map(str::is_empty);
    if missing.iter().all(|m| *m) {
        return Ok(None);
    }
    if missing.iter().any(|m| *m) {
        let names: Vec<&str> = PARTS
            .iter()
            .zip(missing)
            .filter(|(_, m)| *m)
            .map(|(p, _)| *p)
            .collect();
        return Err((
            format!("{label} must include a {}", names.join(" and ")),
            missing,
        ));
    }
    let [day, month, year] = parts;
    let day = day.parse::<u32>().ok();
    let month = month.parse::<u32>().ok().or_else(|| month_by_name(month));
    let year = year.parse::<i32>().ok().filter(|_| parts[2].len() == 4);
    let wrong = [
        day.is_none_or(|d| !(1..=31).contains(&d)),
        month.is_none_or(|m| !(1..=12).contains(&m)),
        year.is_none(),
    ];
    if let (Some(day), Some(month), Some(year)) = (day, month, year)
        && let Some(date) = Date::from_ymd_opt(year, month, day)
    {
        return Ok(Some(date));
    }
    if wrong == [false, false, true] {
        return Err((format!("{label} year must include 4 numbers"), wrong));
    }
    // A day that the month does not have (31 April) is wrong as a whole.
    let wrong = if wrong.iter().any(|w| *w) {
        wrong
    } else {
        [true; 3]
    };
    Err((format!("{label} must be a real date"), wrong))
}

/// "Jan", "january" and the like, as GOV.UK asks date inputs to accept.
fn month_by_name(text: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let text = text.to_lowercase();
    if text.len() < 3 {
        return None;
    }
    NAMES
        .iter()
        .position(|name| name.starts_with(&text))
        .map(|i| i as u32 + 1)
}

/// The problems found with a submitted form, in the order of its fields.
#[derive(Debug, Default)]
pub(crate) struct FormErrors(Vec<FieldError>, Vec<(&'static str, String)>);

impl FormErrors {
    pub(crate) fn new(errors: Vec<FieldError>) -> Self {
        Self(errors, Vec::new())
    }

    pub(crate) fn one(field: &'static str, message: impl Into<String>) -> Self {
        Self::new(vec![FieldError::new(field, message)])
    }

    /// Adds a problem whose summary link goes to `anchor` (the id of the first input to fix,
    /// such as the month of a date) rather than to the field's own id.
    pub(crate) fn push(&mut self, field: &'static str, anchor: String, message: String) {
        self.0.push(FieldError::new(field, message));
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
                    href: Some(format!("#{}", self.anchor(&e.field))),
                    ..ErrorLink::default()
                })
                .collect(),
            // Focus goes to the summary even without JavaScript (GOV.UK Frontend's script
            // focuses it too), so keyboard and screen reader users meet the errors first.
            attributes: Attributes::new()
                .with("tabindex", "-1")
                .with_flag("autofocus", true),
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

/// A labelled textarea with a hint, keeping what the user typed.
pub(crate) fn textarea(
    name: &str,
    label: &str,
    hint: &str,
    value: &str,
    errors: &FormErrors,
) -> askama::Result<Html> {
    Html::render(&Textarea {
        id: Some(name.to_owned()),
        name: name.to_owned(),
        rows: Some(5),
        value: Some(value.to_owned()).filter(|v| !v.is_empty()),
        label: Some(Label {
            text: Some(label.to_owned()),
            classes: Some("govuk-label--s".into()),
            ..Label::default()
        }),
        hint: Some(Hint {
            text: Some(hint.to_owned()),
            ..Hint::default()
        }),
        error_message: errors.message(name),
        ..Textarea::default()
    })
}

/// A page holding one form that changes a case.
#[derive(Template)]
#[template(path = "pages/case-form.html")]
pub(crate) struct FormPage {
    pub(crate) layout: Layout,
    pub(crate) back_link: Html,
    pub(crate) caption: String,
    pub(crate) heading: String,
    pub(crate) error_summary: Option<Html>,
    /// Banners above the heading: a conflict, a verdict.
    pub(crate) notices: Vec<Html>,
    /// What comes between the heading and the form.
    pub(crate) intro: Vec<Html>,
    pub(crate) action: String,
    pub(crate) csrf_token: String,
    pub(crate) hidden: Vec<(&'static str, String)>,
    pub(crate) fields: Vec<Html>,
    pub(crate) buttons: Vec<Html>,
    pub(crate) cancel: String,
}

pub(crate) fn back_link(href: &str, text: &str) -> askama::Result<Html> {
    Html::render(&BackLink {
        text: Some(text.to_owned()),
        href: Some(href.to_owned()),
        ..BackLink::default()
    })
}

/// A submit button; `choice` names it (`action=VALUE`) when a form has several.
pub(crate) fn button(
    text: &str,
    choice: Option<&str>,
    classes: Option<&str>,
) -> askama::Result<Html> {
    Html::render(&Button {
        text: Some(text.to_owned()),
        name: choice.map(|_| "action".to_owned()),
        value: choice.map(str::to_owned),
        classes: classes.map(str::to_owned),
        prevent_double_click: Some(true),
        ..Button::default()
    })
}

/// `text` with its first letter in capitals ("section F (…)" as a heading, a service's stored
/// key as people write it).
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A reference from the address; one that cannot exist is a page that does not.
pub(crate) fn reference(text: &str) -> Result<Reference, WebError> {
    Reference::parse(text).map_err(|_| WebError::NotFound)
}

/// A select named `name` of `(value, text)` options read at run time (from the database, or a
/// list of roles), after a first option `prompt` with an empty value, keeping `selected`, with
/// the message `errors` has for `name`.
pub(crate) fn listed_select(
    name: &str,
    label: &str,
    prompt: &str,
    options: impl IntoIterator<Item = (String, String)>,
    selected: Option<String>,
    errors: &FormErrors,
) -> Select {
    let items = std::iter::once((String::new(), prompt.to_owned()))
        .chain(options)
        .map(|(value, text)| {
            Some(SelectItem {
                value: Some(value),
                text: Some(text),
                ..SelectItem::default()
            })
        })
        .collect();
    Select {
        id: Some(name.to_owned()),
        name: name.to_owned(),
        items,
        value: selected,
        label: Some(Label {
            text: Some(label.to_owned()),
            classes: Some("govuk-label--s".into()),
            ..Label::default()
        }),
        error_message: errors.message(name),
        ..Select::default()
    }
}
