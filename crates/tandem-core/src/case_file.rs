//! The JSON case file (contracts/case-file.md §1): one child's EHC history.

use serde_json::{Map, Value};

use crate::dates::{self, Date};
use crate::event::{Event, EventError};
use crate::request::RequestDetails;

/// One child's or young person's case: an assessment and, if a plan follows, its reviews.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFile {
    /// The case's reference, unique within the service (e.g. `EHC-2026-0001`).
    pub reference: Reference,
    /// The child or young person the case is about.
    pub child: Child,
    /// Events as given; the engine sorts its own copy.
    pub events: Vec<Event>,
    /// Facts of this request and its plan that the events do not hold (the optional `request`
    /// object; absent when nothing is recorded).
    pub request: RequestDetails,
}

/// A case reference: 1–64 letters, digits, `-`, `_` or `.`, starting with a letter or digit, so
/// that it is safe in a web address (`/cases/{reference}`) and a file name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Reference(String);

impl Reference {
    /// Checks `text` against the reference rules above and wraps it, or says why it is refused.
    pub fn parse(text: &str) -> Result<Self, CaseFileError> {
        let ok = (1..=64).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_alphanumeric())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(CaseFileError::Reference {
                given: text.to_owned(),
            })
        }
    }

    /// The reference as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The child or young person. Only the date of birth is typed; other fields (names, UPN,
/// primary need…) are kept as given so that export gives back what import took in.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Child {
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_date_opt"
    )]
    /// The child's date of birth, when the case file gives one.
    pub date_of_birth: Option<Date>,
    /// Every other field of `child` (names, UPN, primary need…), exactly as given.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

fn serialize_date_opt<S: serde::Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => s.serialize_str(&date.to_string()),
        None => s.serialize_none(),
    }
}

impl Child {
    /// A text field other than the date of birth, if present.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.other.get(name).and_then(Value::as_str)
    }
}

/// Why a case file was refused: one line, naming where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseFileError {
    /// The text is not JSON; carries the parser's message.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// The JSON is not an object.
    #[error("a case file must be a JSON object")]
    NotAnObject,
    /// A required top-level field (`reference` or `events`) is absent.
    #[error("missing field \"{0}\"")]
    Missing(&'static str),
    /// A top-level field has the wrong JSON type.
    #[error("field \"{field}\" must be {expected}")]
    Shape {
        /// The field's name.
        field: &'static str,
        /// What it must be, e.g. "a string".
        expected: &'static str,
    },
    #[error(
        "reference {given:?} must be 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit"
    )]
    /// The reference breaks the rules of [`Reference`].
    Reference {
        /// The reference as given.
        given: String,
    },
    #[error("child.date_of_birth: {given:?} is not a real date of the form YYYY-MM-DD")]
    /// `child.date_of_birth` is not a real ISO calendar date.
    DateOfBirth {
        /// The value as given.
        given: String,
    },
    /// The `request` object could not be read; says which field and why.
    #[error("{0}")]
    Request(String),
    #[error("events[{index}]: {source}")]
    /// One event could not be read.
    Event {
        /// The event's position in `events`, counting from 0.
        index: usize,
        /// What is wrong with it.
        source: EventError,
    },
}

impl CaseFile {
    /// Parses a case file from JSON text.
    pub fn from_json(text: &str) -> Result<Self, CaseFileError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| CaseFileError::Json(e.to_string()))?;
        Self::from_value(value)
    }

    /// Parses a case file from a JSON value.
    pub fn from_value(value: Value) -> Result<Self, CaseFileError> {
        let Value::Object(mut object) = value else {
            return Err(CaseFileError::NotAnObject);
        };
        let reference = match object.remove("reference") {
            Some(Value::String(text)) => Reference::parse(&text)?,
            Some(_) => {
                return Err(CaseFileError::Shape {
                    field: "reference",
                    expected: "a string",
                });
            }
            None => return Err(CaseFileError::Missing("reference")),
        };
        let child = match object.remove("child") {
            Some(Value::Object(fields)) => Child::from_object(fields)?,
            None | Some(Value::Null) => Child::default(),
            Some(_) => {
                return Err(CaseFileError::Shape {
                    field: "child",
                    expected: "an object",
                });
            }
        };
        let events = match object.remove("events") {
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| {
                    let Value::Object(fields) = item else {
                        return Err(CaseFileError::Event {
                            index,
                            source: EventError::MissingType,
                        });
                    };
                    Event::from_fields(&fields)
                        .map_err(|source| CaseFileError::Event { index, source })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(CaseFileError::Shape {
                    field: "events",
                    expected: "an array",
                });
            }
            None => return Err(CaseFileError::Missing("events")),
        };
        let request = match object.remove("request") {
            None | Some(Value::Null) => RequestDetails::default(),
            Some(value) => RequestDetails::from_value(value).map_err(CaseFileError::Request)?,
        };
        Ok(Self {
            reference,
            child,
            events,
            request,
        })
    }

    /// A case file with nothing recorded about its request beyond its events.
    pub fn new(reference: Reference, child: Child, events: Vec<Event>) -> Self {
        Self {
            reference,
            child,
            events,
            request: RequestDetails::default(),
        }
    }

    /// The case file as JSON in the contract's shape, with `request` when anything is recorded.
    pub fn to_value(&self) -> Value {
        let mut value = serde_json::json!({
            "reference": self.reference,
            "child": self.child,
            "events": self.events,
        });
        if !self.request.is_empty()
            && let Value::Object(fields) = &mut value
        {
            fields.insert("request".into(), serde_json::json!(self.request));
        }
        value
    }
}

impl Child {
    fn from_object(mut fields: Map<String, Value>) -> Result<Self, CaseFileError> {
        let date_of_birth = match fields.remove("date_of_birth") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(
                dates::parse_iso(&text).map_err(|_| CaseFileError::DateOfBirth { given: text })?,
            ),
            Some(other) => {
                return Err(CaseFileError::DateOfBirth {
                    given: other.to_string(),
                });
            }
        };
        Ok(Self {
            date_of_birth,
            other: fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{
      "reference": "EHC-2026-0001",
      "child": { "date_of_birth": "2014-03-02", "given_name": "Alex" },
      "events": [
        { "type": "request_received", "date": "2026-01-05" },
        { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" }
      ]
    }"#;

    #[test]
    fn parses_and_writes_back_the_same_shape() {
        let case = CaseFile::from_json(EXAMPLE).unwrap();
        assert_eq!(case.reference.as_str(), "EHC-2026-0001");
        assert_eq!(case.child.text("given_name"), Some("Alex"));
        let again = CaseFile::from_value(case.to_value()).unwrap();
        assert_eq!(again, case);
        let expected: Value = serde_json::from_str(EXAMPLE).unwrap();
        assert_eq!(case.to_value(), expected);
        let mut with_request = expected;
        with_request["request"] = serde_json::json!({ "requested_by": "parent", "rya": true });
        let case = CaseFile::from_value(with_request.clone()).unwrap();
        assert!(case.request.rya);
        assert_eq!(case.to_value(), with_request);
    }

    #[test]
    fn refusals_say_where() {
        let cases = [
            ("{", "invalid JSON"),
            ("[]", "must be a JSON object"),
            (r#"{"events":[]}"#, "missing field \"reference\""),
            (
                r#"{"reference":"a b","events":[]}"#,
                "reference \"a b\" must be",
            ),
            (r#"{"reference":"R1"}"#, "missing field \"events\""),
            (
                r#"{"reference":"R1","events":{}}"#,
                "field \"events\" must be an array",
            ),
            (
                r#"{"reference":"R1","child":{"date_of_birth":"2014-02-30"},"events":[]}"#,
                "child.date_of_birth",
            ),
            (
                r#"{"reference":"R1","events":[{"type":"request_received","date":"2026-01-05"},{"type":"teleport","date":"2026-01-06"}]}"#,
                "events[1]: unknown event type \"teleport\"",
            ),
            (
                r#"{"reference":"R1","events":[42]}"#,
                "events[0]: missing field \"type\"",
            ),
            (
                r#"{"reference":"R1","events":[],"request":{"cease_reason":"12"}}"#,
                "request.cease_reason: \"12\" is not",
            ),
        ];
        for (text, expected) in cases {
            let message = CaseFile::from_json(text).unwrap_err().to_string();
            assert!(
                message.contains(expected),
                "{message:?} should contain {expected:?}"
            );
        }
    }
}
