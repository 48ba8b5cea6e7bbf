//! The fields of the forms that change a case, defined once per event type and shared by every
//! form that records, corrects or claims one. A definition says how a field is shown, read and
//! checked, with GOV.UK's error messages; the event itself is then built by
//! [`Event::from_fields`], the same reader imports use.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::Datelike;
use tandem_app::services::FieldError as ServiceFieldError;
use tandem_core::names::ExceptionKind;
use tandem_core::rules::{self, RuleId};
use tandem_core::{Date, Event, EventError, EventType, dates};

use crate::Html;
use crate::components::{
    DateInput, DateItem, Fieldset, Hint, Input, Label, Legend, Radios, Select, SelectItem, Textarea,
};
use crate::pages::forms::{self, FormErrors, PARTS, read_date};

/// What a form sent, by field name (a date's parts as `NAME-day`, `NAME-month`, `NAME-year`).
pub(crate) type Values = HashMap<String, String>;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Control {
    /// Day, month and year; `future` allows a date after today.
    Date {
        future: bool,
    },
    /// One of these `(value, label)` choices.
    Radios(&'static [(&'static str, &'static str)]),
    Text,
    Textarea,
    /// One of a list kept in the database (the advice providers): a select of the names the
    /// page is given ([`render_listed`]), or a text input where it is given none. The services
    /// check the name against the list either way.
    Listed,
}

/// When a field must be filled in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Required {
    No,
    /// Always, with the message for an empty field.
    Yes(&'static str),
    /// When the field `field` has the value `value`.
    When {
        field: &'static str,
        value: &'static str,
        message: &'static str,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    /// The label or legend; dates' messages start with it ("Date of decision must…").
    pub(crate) label: &'static str,
    pub(crate) hint: Option<&'static str>,
    pub(crate) control: Control,
    pub(crate) required: Required,
}

const DATE_HINT: &str = "For example, 27 3 2026";

const fn date(label: &'static str, required: &'static str) -> Field {
    Field {
        name: "date",
        label,
        hint: Some(DATE_HINT),
        control: Control::Date { future: false },
        required: Required::Yes(required),
    }
}

const fn choice(
    name: &'static str,
    label: &'static str,
    items: &'static [(&'static str, &'static str)],
    required: &'static str,
) -> Field {
    Field {
        name,
        label,
        hint: None,
        control: Control::Radios(items),
        required: Required::Yes(required),
    }
}

const ADVICE: &[(&str, &str)] = &[
    (
        "education",
        "Education (the school, college or early years setting)",
    ),
    ("health", "Health"),
    ("social_care", "Social care"),
    ("educational_psychology", "Educational psychology"),
    ("parent", "The parent or young person"),
    ("preparing_for_adulthood", "Preparing for adulthood"),
    ("other", "Someone else"),
];

const ADVICE_ID: Field = Field {
    name: "id",
    label: "Request reference (optional)",
    hint: Some("Only needed to tell apart two requests for the same kind of advice"),
    control: Control::Text,
    required: Required::No,
};

const ADVICE_PROVIDER: Field = Field {
    name: "provider",
    label: "Who was asked for the advice? (optional)",
    hint: Some(
        "The service or body, from the council's list of advice providers (administrators keep \
         the list)",
    ),
    control: Control::Listed,
    required: Required::No,
};

/// Why the record is being changed (corrections and withdrawals).
pub(crate) const REASON: Field = Field {
    // Not `reason`: an exception's own answers include one.
    name: "correction_reason",
    label: "Why is the record being changed?",
    hint: Some("This is kept in the case history with your name"),
    control: Control::Textarea,
    required: Required::Yes("Enter why the record is being changed"),
};

/// Why a step is recorded despite the warnings shown before saving.
pub(crate) const GO_ON_REASON: Field = Field {
    name: "go_on_reason",
    label: "Why are you recording it anyway?",
    hint: Some("This is kept in the case history with your name"),
    control: Control::Textarea,
    required: Required::Yes("Enter why you are recording it despite the warning"),
};

/// The exception kinds, each with the regulations that list it, as the rules table gives them
/// (statutory-timescales §4). Built once, as the choices are static.
static EXCEPTION_KIND_LABELS: LazyLock<[(&str, String); 4]> = LazyLock::new(|| {
    let regs = |kind| rules::exception_regulations(kind);
    [
        (
            "absent_from_area",
            format!(
                "The child, parent or young person was away from the area for at least 4 weeks in a row ({})",
                regs(ExceptionKind::AbsentFromArea)
            ),
        ),
        (
            "exceptional_personal_circumstances",
            format!(
                "Exceptional personal circumstances affected the child, parent or young person ({})",
                regs(ExceptionKind::ExceptionalPersonalCircumstances)
            ),
        ),
        (
            "school_closure",
            format!(
                "The school or setting asked for education advice was closed for at least 4 weeks ({})",
                regs(ExceptionKind::SchoolClosure)
            ),
        ),
        (
            "missed_appointment",
            format!(
                "An appointment for an examination or test was missed ({}, advice only)",
                regs(ExceptionKind::MissedAppointment)
            ),
        ),
    ]
});
static EXCEPTION_KINDS: LazyLock<Vec<(&str, &str)>> = LazyLock::new(|| {
    EXCEPTION_KIND_LABELS
        .iter()
        .map(|(value, label)| (*value, label.as_str()))
        .collect()
});

/// The phase transfers, each with its deadline from the rules table (reg 18(1)).
static MOVE_LABELS: LazyLock<[String; 2]> = LazyLock::new(|| {
    let deadline = |id| rules::rule(id).length.phrase();
    [
        format!(
            "Into or between schools (plan due before {})",
            deadline(RuleId::PhaseTransferSchool)
        ),
        format!(
            "From secondary school to a post-16 institution (plan due before {})",
            deadline(RuleId::PhaseTransferPost16)
        ),
    ]
});
static MOVES: LazyLock<[(&str, &str); 2]> = LazyLock::new(|| {
    [
        ("school", MOVE_LABELS[0].as_str()),
        ("post16", MOVE_LABELS[1].as_str()),
    ]
});

/// The exception form's fields after the choice of kind.
const EXCEPTION_DETAILS: &[Field] = &[
    Field {
        name: "from",
        label: "Start date",
        hint: Some(
            "When the circumstance began, or the date of the missed appointment. For example, 27 3 2026",
        ),
        control: Control::Date { future: false },
        required: Required::Yes("Enter the start date"),
    },
    Field {
        name: "to",
        label: "End date",
        hint: Some("Leave empty if it has not ended. For example, 27 3 2026"),
        control: Control::Date { future: false },
        required: Required::No,
    },
    Field {
        name: "setting_closed_from",
        label: "Date the school or setting closed",
        hint: Some("School closures only: the first day it was closed"),
        control: Control::Date { future: false },
        required: Required::When {
            field: "kind",
            value: "school_closure",
            message: "Enter the date the school or setting closed",
        },
    },
    Field {
        name: "setting_reopens",
        label: "Date the school or setting reopens",
        hint: Some("School closures only: the first day it is open again"),
        control: Control::Date { future: true },
        required: Required::When {
            field: "kind",
            value: "school_closure",
            message: "Enter the date the school or setting reopens",
        },
    },
    Field {
        name: "advice",
        label: "Which advice was the appointment for?",
        hint: Some("Missed appointments only"),
        control: Control::Radios(ADVICE),
        required: Required::When {
            field: "kind",
            value: "missed_appointment",
            message: "Select which advice the missed appointment was for",
        },
    },
    Field {
        name: "id",
        label: "Advice request reference (optional)",
        hint: Some(
            "Only needed when the same kind of advice was asked for more than once: the reference given to that request",
        ),
        control: Control::Text,
        required: Required::No,
    },
    Field {
        name: "reason",
        label: "Why did it make meeting the time limit impractical?",
        hint: None,
        control: Control::Textarea,
        required: Required::Yes("Enter why it made meeting the time limit impractical"),
    },
    Field {
        name: "evidence",
        label: "What evidence shows it?",
        hint: Some("For example, a letter from the family or the school’s term dates"),
        control: Control::Textarea,
        required: Required::Yes("Enter the evidence"),
    },
];

/// The fields of an event type's form, in the order they are asked.
pub(crate) fn fields(kind: EventType) -> Vec<Field> {
    use EventType as E;
    let decision = || date("Date of decision", "Enter the date of decision");
    match kind {
        E::RequestReceived => vec![date(
            "Date the request was received",
            "Enter the date the request was received",
        )],
        E::Exception => {
            let mut fields = vec![choice(
                "kind",
                "Which exception applies?",
                EXCEPTION_KINDS.as_slice(),
                "Select which exception applies",
            )];
            fields.extend_from_slice(EXCEPTION_DETAILS);
            fields
        }
        E::DecisionToAssess => vec![
            choice(
                "outcome",
                "Did the council decide to carry out an EHC needs assessment?",
                &[
                    ("assess", "Yes, it will assess"),
                    ("not_assess", "No, it will not assess"),
                ],
                "Select whether the council decided to carry out an assessment",
            ),
            decision(),
        ],
        E::AdviceRequested | E::AdviceReceived => {
            let (label, when, missing, missing_date) = if kind == E::AdviceRequested {
                (
                    "Whose advice was requested?",
                    "Date the advice was requested",
                    "Select whose advice was requested",
                    "Enter the date the advice was requested",
                )
            } else {
                (
                    "Whose advice was received?",
                    "Date the advice was received",
                    "Select whose advice was received",
                    "Enter the date the advice was received",
                )
            };
            let mut fields = vec![
                choice("advice", label, ADVICE, missing),
                date(when, missing_date),
            ];
            if kind == E::AdviceRequested {
                fields.push(ADVICE_PROVIDER);
            }
            fields.push(ADVICE_ID);
            fields
        }
        E::DecisionToIssue => vec![
            choice(
                "outcome",
                "Did the council decide to issue an EHC plan?",
                &[
                    ("issue", "Yes, it will issue a plan"),
                    ("not_issue", "No, it will not issue a plan"),
                ],
                "Select whether the council decided to issue a plan",
            ),
            decision(),
        ],
        E::DraftPlanIssued => vec![date(
            "Date the draft plan was issued",
            "Enter the date the draft plan was issued",
        )],
        E::FinalPlanIssued => vec![date(
            "Date the final plan was issued",
            "Enter the date the final plan was issued",
        )],
        E::ReviewMeetingHeld => vec![date(
            "Date of the review meeting",
            "Enter the date of the review meeting",
        )],
        E::ReviewDecision => vec![
            choice(
                "outcome",
                "What did the council decide after the review?",
                &[
                    ("maintain", "Keep the plan as it is"),
                    ("amend", "Amend the plan"),
                    ("cease", "Stop maintaining the plan"),
                ],
                "Select what the council decided",
            ),
            decision(),
        ],
        E::AmendmentNoticeIssued => vec![date(
            "Date the proposed amendments were sent",
            "Enter the date the proposed amendments were sent",
        )],
        E::AmendedPlanIssued => vec![date(
            "Date the amended plan was issued",
            "Enter the date the amended plan was issued",
        )],
        E::PhaseTransfer => vec![
            choice(
                "kind",
                "Which move is it?",
                MOVES.as_slice(),
                "Select which move it is",
            ),
            Field {
                name: "date",
                label: "Date of the move",
                hint: Some("The first day at the new school or college. For example, 1 9 2027"),
                control: Control::Date { future: true },
                required: Required::Yes("Enter the date of the move"),
            },
        ],
        E::RequestWithdrawn => vec![date(
            "Date the request was withdrawn",
            "Enter the date the request was withdrawn",
        )],
        E::PlanCeased => vec![date(
            "Date the plan stopped",
            "Enter the date the plan stopped",
        )],
    }
}

/// What an event type is called on pages.
pub(crate) fn title(kind: EventType) -> &'static str {
    use EventType as E;
    match kind {
        E::RequestReceived => "Request for an assessment received",
        E::Exception => "Statutory exception",
        E::DecisionToAssess => "Decision whether to assess",
        E::AdviceRequested => "Advice requested",
        E::AdviceReceived => "Advice received",
        E::DecisionToIssue => "Decision whether to issue a plan",
        E::DraftPlanIssued => "Draft plan issued",
        E::FinalPlanIssued => "Final plan issued",
        E::ReviewMeetingHeld => "Annual review meeting held",
        E::ReviewDecision => "Decision after a review",
        E::AmendmentNoticeIssued => "Proposed amendments sent",
        E::AmendedPlanIssued => "Amended plan issued",
        E::PhaseTransfer => "Move to a new phase of education",
        E::RequestWithdrawn => "Request withdrawn",
        E::PlanCeased => "Plan stopped",
    }
}

/// The problems with a submitted form: messages, and which parts of each date are wrong.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub(crate) errors: FormErrors,
    date_parts: Vec<(&'static str, [bool; 3])>,
}

impl Problems {
    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// A problem with `field`, linked from the summary to its first input.
    pub(crate) fn add(&mut self, field: &Field, message: String) {
        let anchor = match field.control {
            Control::Date { .. } => format!("{}-day", field.name),
            _ => field.name.to_owned(),
        };
        self.errors.push(field.name, anchor, message);
    }

    /// A problem with a control the page draws itself (not one of a form's [`Field`]s).
    pub(crate) fn add_named(&mut self, name: &'static str, message: String) {
        self.errors.push(name, name.to_owned(), message);
    }

    fn add_date(&mut self, field: &Field, message: String, parts: [bool; 3]) {
        let first = PARTS[parts.iter().position(|p| *p).unwrap_or(0)];
        self.errors
            .push(field.name, format!("{}-{first}", field.name), message);
        self.date_parts.push((field.name, parts));
    }

    /// The service's verdict on the fields, placed on the field it names (or the first field).
    pub(crate) fn from_service(fields: &[Field], errors: Vec<ServiceFieldError>) -> Self {
        let mut problems = Self::default();
        for error in errors {
            let field = fields
                .iter()
                .find(|f| f.name == error.field)
                .or(fields.first());
            if let Some(field) = field {
                problems.add(field, error.message);
            }
        }
        problems
    }
}

/// Reads and checks the fields; on success, the `(name, text)` pairs of the filled-in fields
/// (dates as `YYYY-MM-DD`), ready for [`Event::from_fields`].
pub(crate) fn read(
    fields: &[Field],
    values: &Values,
    today: Date,
) -> Result<Vec<(&'static str, String)>, Problems> {
    let mut problems = Problems::default();
    let mut read = Vec::new();
    let text = |name: &str| values.get(name).map_or("", |v| v.trim());
    for field in fields {
        let required = match field.required {
            Required::No => None,
            Required::Yes(message) => Some(message),
            Required::When {
                field,
                value,
                message,
            } => (text(field) == value).then_some(message),
        };
        match field.control {
            Control::Date { future } => {
                let parts = PARTS.map(|p| text(&format!("{}-{p}", field.name)));
                match read_date(field.label, parts) {
                    Ok(None) => {
                        if let Some(message) = required {
                            problems.add_date(field, message.to_owned(), [true; 3]);
                        }
                    }
                    Ok(Some(date)) if !future && date > today => problems.add_date(
                        field,
                        format!("{} must be today or in the past", field.label),
                        [true; 3],
                    ),
                    Ok(Some(date)) => read.push((field.name, date.to_string())),
                    Err((message, wrong)) => problems.add_date(field, message, wrong),
                }
            }
            Control::Radios(items) => match text(field.name) {
                "" => {
                    if let Some(message) = required {
                        problems.add(field, message.to_owned());
                    }
                }
                given => match items.iter().find(|(value, _)| *value == given) {
                    Some((value, _)) => read.push((field.name, (*value).to_owned())),
                    None => problems.add(
                        field,
                        required.unwrap_or("Select one of the options").to_owned(),
                    ),
                },
            },
            Control::Text | Control::Textarea | Control::Listed => match text(field.name) {
                "" => {
                    if let Some(message) = required {
                        problems.add(field, message.to_owned());
                    }
                }
                given => read.push((field.name, given.to_owned())),
            },
        }
    }
    if problems.is_empty() {
        Ok(read)
    } else {
        Err(problems)
    }
}

/// Builds the event of type `kind` from fields [`read`] accepted.
pub(crate) fn event(
    kind: EventType,
    fields: &[Field],
    read: &[(&'static str, String)],
) -> Result<Event, Problems> {
    let mut pairs: Vec<(&str, &str)> = vec![("type", kind.as_str())];
    pairs.extend(read.iter().map(|(n, v)| (*n, v.as_str())));
    Event::from_fields(&pairs[..]).map_err(|error| {
        let mut problems = Problems::default();
        let (name, message) = match &error {
            EventError::ToBeforeFrom { .. } => (
                "to",
                "End date must be the same as or after the start date".to_owned(),
            ),
            other => ("", other.to_string()),
        };
        match fields.iter().find(|f| f.name == name).or(fields.first()) {
            Some(field) => problems.add(field, message),
            None => problems.add_named("type", message),
        }
        problems
    })
}

/// The form values that show `event` in its form (to correct it).
pub(crate) fn values_of(event: &Event, fields: &[Field]) -> Values {
    let mut values = Values::new();
    for (name, value) in event.to_fields().into_iter().filter(|(n, _)| *n != "type") {
        let is_date = fields
            .iter()
            .any(|f| f.name == name && matches!(f.control, Control::Date { .. }));
        match dates::parse_iso(&value) {
            Ok(date) if is_date => {
                let parts = [
                    date.day().to_string(),
                    date.month().to_string(),
                    date.year().to_string(),
                ];
                for (part, text) in PARTS.iter().zip(parts) {
                    values.insert(format!("{name}-{part}"), text);
                }
            }
            _ => {
                values.insert(name.to_owned(), value);
            }
        }
    }
    values
}

/// The event's answers as people read them: `(question, answer)` in the form's order.
pub(crate) fn describe(event: &Event) -> Vec<(&'static str, String)> {
    let fields = fields(event.event_type());
    let given = event.to_fields();
    fields
        .iter()
        .filter_map(|field| {
            let (_, value) = given.iter().find(|(n, _)| *n == field.name)?;
            let answer = match field.control {
                Control::Date { .. } => dates::parse_iso(value)
                    .map(dates::long)
                    .unwrap_or_else(|_| value.clone()),
                Control::Radios(items) => items
                    .iter()
                    .find(|(v, _)| v == value)
                    .map_or_else(|| value.clone(), |(_, label)| (*label).to_owned()),
                Control::Text | Control::Textarea | Control::Listed => value.clone(),
            };
            Some((field.label, answer))
        })
        .collect()
}

/// The fields as GOV.UK components, showing `values` and the problems found.
pub(crate) fn render(
    fields: &[Field],
    values: &Values,
    problems: &Problems,
) -> askama::Result<Vec<Html>> {
    render_listed(fields, values, problems, &[])
}

/// As [`render`], with the names a [`Control::Listed`] field offers.
pub(crate) fn render_listed(
    fields: &[Field],
    values: &Values,
    problems: &Problems,
    listed: &[String],
) -> askama::Result<Vec<Html>> {
    fields
        .iter()
        .map(|field| render_field(field, values, problems, listed))
        .collect()
}

/// A select of `(value, text)` options the page reads from the database, after a first
/// option `prompt` with an empty value, keeping what `values` chose.
pub(crate) fn select(
    name: &str,
    label: &str,
    prompt: &str,
    options: Vec<(String, String)>,
    values: &Values,
    problems: &Problems,
) -> askama::Result<Html> {
    let chosen = values.get(name).cloned();
    Html::render(&forms::listed_select(
        name,
        label,
        prompt,
        options,
        chosen,
        &problems.errors,
    ))
}

fn render_field(
    field: &Field,
    values: &Values,
    problems: &Problems,
    listed: &[String],
) -> askama::Result<Html> {
    let value = |name: &str| values.get(name).filter(|v| !v.is_empty()).cloned();
    let error_message = problems.errors.message(field.name);
    let hint = field.hint.map(|text| Hint {
        text: Some(text.to_owned()),
        ..Hint::default()
    });
    let legend = || {
        Some(Fieldset {
            legend: Some(Legend {
                text: Some(field.label.to_owned()),
                classes: Some("govuk-fieldset__legend--s".into()),
                ..Legend::default()
            }),
            ..Fieldset::default()
        })
    };
    let label = || {
        Some(Label {
            text: Some(field.label.to_owned()),
            classes: Some("govuk-label--s".into()),
            ..Label::default()
        })
    };
    match field.control {
        Control::Date { .. } => {
            let wrong = problems
                .date_parts
                .iter()
                .find(|(name, _)| *name == field.name)
                .map(|(_, parts)| *parts);
            let items = PARTS
                .iter()
                .enumerate()
                .map(|(i, part)| DateItem {
                    name: Some((*part).to_owned()),
                    value: value(&format!("{}-{part}", field.name)),
                    error: wrong.map(|w| w[i]),
                    ..DateItem::default()
                })
                .collect();
            Html::render(&DateInput {
                id: field.name.to_owned(),
                name_prefix: Some(field.name.to_owned()),
                items,
                hint,
                error_message,
                fieldset: legend(),
                ..DateInput::default()
            })
        }
        Control::Radios(items) => Html::render(&Radios {
            name: field.name.to_owned(),
            items: items
                .iter()
                .map(|(v, text)| {
                    Some(crate::components::ChoiceItem {
                        value: Some((*v).to_owned()),
                        text: Some((*text).to_owned()),
                        ..Default::default()
                    })
                })
                .collect(),
            value: value(field.name),
            hint,
            error_message,
            fieldset: legend(),
            ..Radios::default()
        }),
        Control::Listed if !listed.is_empty() => {
            let current = value(field.name);
            // A name recorded before the list (or since retired) stays choosable when shown.
            let kept = current
                .as_ref()
                .filter(|c| !listed.contains(c))
                .into_iter()
                .cloned();
            let names = listed.iter().cloned().chain(kept);
            let items = std::iter::once(Some(SelectItem {
                value: Some(String::new()),
                text: Some("Not recorded".into()),
                ..SelectItem::default()
            }))
            .chain(names.map(|name| {
                Some(SelectItem {
                    value: Some(name.clone()),
                    text: Some(name),
                    ..SelectItem::default()
                })
            }))
            .collect();
            Html::render(&Select {
                id: Some(field.name.to_owned()),
                name: field.name.to_owned(),
                items,
                value: current,
                label: label(),
                hint,
                error_message,
                ..Select::default()
            })
        }
        Control::Text | Control::Listed => Html::render(&Input {
            id: Some(field.name.to_owned()),
            name: field.name.to_owned(),
            value: value(field.name),
            label: label(),
            hint,
            error_message,
            classes: Some("govuk-input--width-20".into()),
            spellcheck: Some(false),
            ..Input::default()
        }),
        Control::Textarea => Html::render(&Textarea {
            id: Some(field.name.to_owned()),
            name: field.name.to_owned(),
            value: value(field.name),
            label: label(),
            hint,
            error_message,
            rows: Some(4),
            ..Textarea::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(day: &str, month: &str, year: &str) -> Result<Option<Date>, (String, [bool; 3])> {
        read_date("Date of decision", [day, month, year])
    }

    #[test]
    fn dates_are_read_and_refused_in_govuk_words() {
        assert_eq!(parts("", "", ""), Ok(None));
        assert_eq!(
            parts("10", "2", "2026"),
            Ok(Date::from_ymd_opt(2026, 2, 10))
        );
        assert_eq!(
            parts("10", "Feb", "2026"),
            Ok(Date::from_ymd_opt(2026, 2, 10))
        );
        let cases = [
            (
                ("10", "", "2026"),
                "Date of decision must include a month",
                [false, true, false],
            ),
            (
                ("", "", "2026"),
                "Date of decision must include a day and month",
                [true, true, false],
            ),
            (
                ("30", "2", "2026"),
                "Date of decision must be a real date",
                [true; 3],
            ),
            (
                ("10", "13", "2026"),
                "Date of decision must be a real date",
                [false, true, false],
            ),
            (
                ("10", "2", "26"),
                "Date of decision year must include 4 numbers",
                [false, false, true],
            ),
            (
                ("x", "2", "2026"),
                "Date of decision must be a real date",
                [true, false, false],
            ),
        ];
        for ((d, m, y), message, wrong) in cases {
            assert_eq!(
                parts(d, m, y),
                Err((message.to_owned(), wrong)),
                "{d}/{m}/{y}"
            );
        }
    }

    #[test]
    fn every_event_type_has_a_form_whose_answers_make_its_event() {
        let today = Date::from_ymd_opt(2026, 3, 2).expect("date");
        for kind in EventType::ALL {
            let fields = fields(*kind);
            assert!(!fields.is_empty(), "{kind}");
            // Fill every field with its first valid answer.
            let mut values = Values::new();
            for field in &fields {
                match field.control {
                    Control::Date { .. } => {
                        for (part, text) in PARTS.iter().zip(["1", "3", "2026"]) {
                            values.insert(format!("{}-{part}", field.name), text.into());
                        }
                    }
                    Control::Radios(items) => {
                        values.insert(field.name.into(), items[0].0.into());
                    }
                    Control::Text | Control::Textarea | Control::Listed => {
                        values.insert(field.name.into(), "text".into());
                    }
                }
            }
            let read = read(&fields, &values, today).expect("valid answers");
            let built = event(*kind, &fields, &read).expect("an event");
            assert_eq!(built.event_type(), *kind);
            assert_eq!(values_of(&built, &fields), values, "{kind} round-trips");
            assert_eq!(describe(&built).len(), fields.len(), "{kind}");
        }
    }

    #[test]
    fn required_fields_conditions_and_the_future() {
        let today = Date::from_ymd_opt(2026, 3, 2).expect("date");
        let fields = fields(EventType::Exception);
        let values: Values = [
            ("kind", "school_closure"),
            ("from-day", "3"),
            ("from-month", "3"),
            ("from-year", "2026"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let problems = read(&fields, &values, today).unwrap_err();
        let summary = problems.errors.summary().unwrap().unwrap().to_string();
        for expected in [
            "Start date must be today or in the past",
            "Enter the date the school or setting closed",
            "Enter the date the school or setting reopens",
            "Enter why it made meeting the time limit impractical",
            "Enter the evidence",
            "href=\"#from-day\"",
        ] {
            assert!(summary.contains(expected), "{expected} in {summary}");
        }
        assert!(
            !summary.contains("Select which advice"),
            "asked only for missed appointments"
        );
    }
}
