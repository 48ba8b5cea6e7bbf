//! Events: the dated facts a case's history is made of (contracts/case-file.md §1).
//!
//! Parsing goes through [`Fields`], a flat name → text view, so that a JSON event object and a
//! row of the events CSV are read by the same code and fail with the same messages.

use std::fmt;

use crate::dates::{self, Date, DateProblem};
use crate::names::{
    AdviceKind, AssessOutcome, EventType, ExceptionKind, IssueOutcome, PhaseKind, ReviewOutcome,
};

/// One dated fact. For an `exception`, `date` is its `from` date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Event {
    /// The day it happened (for an exception, the first day of the circumstance).
    pub date: Date,
    /// What happened.
    pub detail: EventDetail,
}

/// What happened, with the fields each event type carries.
///
/// Variant order matches [`EventType`] so that the derived `Ord` sorts same-day events into a
/// sensible, deterministic order (a request before its advice, advice requested before received).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventDetail {
    /// The council received a request for an EHC needs assessment.
    RequestReceived,
    /// The council claims a statutory exception to a time limit.
    /// Boxed: claims are rare and large, and every event is sized to its largest variant.
    Exception(Box<ExceptionClaim>),
    /// The parent or young person was told whether the council will assess.
    DecisionToAssess {
        /// Assess or not.
        outcome: AssessOutcome,
    },
    /// Advice was asked of a person or body.
    AdviceRequested {
        /// The kind of advice asked for.
        advice: AdviceKind,
        /// A name for this request, to match its answer when there are several of one kind.
        id: Option<String>,
        /// Who was asked: the service or body (such as an NHS trust), for the breakdown of
        /// advice by provider. An addition to the contract's fields.
        provider: Option<String>,
    },
    /// Requested advice arrived. It answers the request with the same `id`, or else the earliest
    /// open request of the same kind.
    AdviceReceived {
        /// The kind of advice received.
        advice: AdviceKind,
        /// The `id` of the request it answers, if the request had one.
        id: Option<String>,
    },
    /// After the assessment, the council decided whether to issue a plan.
    DecisionToIssue {
        /// Issue or not.
        outcome: IssueOutcome,
    },
    /// The draft plan was sent to the parent or young person.
    DraftPlanIssued,
    /// The final EHC plan was issued.
    FinalPlanIssued,
    /// An annual (or phase-transfer) review meeting was held.
    ReviewMeetingHeld,
    /// The council notified its decision after a review meeting.
    ReviewDecision {
        /// Maintain, amend or cease the plan.
        outcome: ReviewOutcome,
    },
    /// Proposed amendments were sent with the plan (reg 22(2)).
    AmendmentNoticeIssued,
    /// The final amended plan was issued.
    AmendedPlanIssued,
    /// A move between phases of education is planned; the event's date is the first day at the
    /// new setting.
    PhaseTransfer {
        /// Which kind of transfer, which decides the deadline for amending the plan.
        kind: PhaseKind,
    },
    /// The request was withdrawn; open assessment duties end.
    RequestWithdrawn,
    /// The council ceased to maintain the plan; later duties end.
    PlanCeased,
}

/// A statutory exception claimed by the LA. Whether it qualifies is decided by the engine from
/// these facts ([`crate::exceptions`]), never taken on trust.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExceptionClaim {
    /// Which exception is claimed.
    pub kind: ExceptionKind,
    /// Last day of the circumstance; `None` when it is continuing.
    pub to: Option<Date>,
    /// The advice request a missed appointment belongs to (by kind, or by `id`).
    pub advice: Option<AdviceKind>,
    /// The `id` of the advice request a missed appointment belongs to, when it has one.
    pub id: Option<String>,
    /// For `school_closure`: the first day the setting was closed.
    pub setting_closed_from: Option<Date>,
    /// For `school_closure`: the day the setting reopens.
    pub setting_reopens: Option<Date>,
    /// Why the LA relies on the exception (rule 1 of statutory-timescales §4.1).
    pub reason: Option<String>,
    /// What shows the circumstance happened (rule 1 of statutory-timescales §4.1).
    pub evidence: Option<String>,
}

impl Event {
    /// `detail`, happening on `date`.
    pub fn new(date: Date, detail: EventDetail) -> Self {
        Self { date, detail }
    }

    /// The event's type.
    pub fn event_type(&self) -> EventType {
        self.detail.event_type()
    }

    /// Reads one event from named text fields (`type` included). Empty text counts as absent.
    pub fn from_fields(fields: &(impl Fields + ?Sized)) -> Result<Self, EventError> {
        let type_name = fields.text("type")?.ok_or(EventError::MissingType)?;
        let event_type = EventType::parse(type_name).ok_or_else(|| EventError::UnknownType {
            given: type_name.to_owned(),
        })?;
        let reader = Reader { fields, event_type };
        reader.read()
    }

    /// The event as named text fields, in contract order, absent fields left out. The inverse
    /// of [`Event::from_fields`].
    pub fn to_fields(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("type", self.event_type().as_str().to_owned())];
        let date = self.date.to_string();
        let id_field = |id: &Option<String>| id.clone().map(|id| ("id", id));
        match &self.detail {
            EventDetail::Exception(claim) => {
                out.push(("kind", claim.kind.as_str().to_owned()));
                out.push(("from", date));
                out.extend(claim.to.map(|d| ("to", d.to_string())));
                out.extend(claim.advice.map(|a| ("advice", a.as_str().to_owned())));
                out.extend(id_field(&claim.id));
                out.extend(
                    claim
                        .setting_closed_from
                        .map(|d| ("setting_closed_from", d.to_string())),
                );
                out.extend(
                    claim
                        .setting_reopens
                        .map(|d| ("setting_reopens", d.to_string())),
                );
                out.extend(claim.reason.clone().map(|r| ("reason", r)));
                out.extend(claim.evidence.clone().map(|e| ("evidence", e)));
            }
            other => {
                out.push(("date", date));
                match other {
                    EventDetail::DecisionToAssess { outcome } => {
                        out.push(("outcome", outcome.as_str().to_owned()))
                    }
                    EventDetail::DecisionToIssue { outcome } => {
                        out.push(("outcome", outcome.as_str().to_owned()))
                    }
                    EventDetail::ReviewDecision { outcome } => {
                        out.push(("outcome", outcome.as_str().to_owned()))
                    }
                    EventDetail::AdviceRequested {
                        advice,
                        id,
                        provider,
                    } => {
                        out.push(("advice", advice.as_str().to_owned()));
                        out.extend(id_field(id));
                        out.extend(provider.clone().map(|p| ("provider", p)));
                    }
                    EventDetail::AdviceReceived { advice, id } => {
                        out.push(("advice", advice.as_str().to_owned()));
                        out.extend(id_field(id));
                    }
                    EventDetail::PhaseTransfer { kind } => {
                        out.push(("kind", kind.as_str().to_owned()))
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// The event as a JSON object in the case-file shape.
    pub fn to_json(&self) -> serde_json::Map<String, serde_json::Value> {
        self.to_fields()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), serde_json::Value::String(value)))
            .collect()
    }
}

impl EventDetail {
    /// The event type this detail belongs to.
    pub fn event_type(&self) -> EventType {
        match self {
            Self::RequestReceived => EventType::RequestReceived,
            Self::Exception(_) => EventType::Exception,
            Self::DecisionToAssess { .. } => EventType::DecisionToAssess,
            Self::AdviceRequested { .. } => EventType::AdviceRequested,
            Self::AdviceReceived { .. } => EventType::AdviceReceived,
            Self::DecisionToIssue { .. } => EventType::DecisionToIssue,
            Self::DraftPlanIssued => EventType::DraftPlanIssued,
            Self::FinalPlanIssued => EventType::FinalPlanIssued,
            Self::ReviewMeetingHeld => EventType::ReviewMeetingHeld,
            Self::ReviewDecision { .. } => EventType::ReviewDecision,
            Self::AmendmentNoticeIssued => EventType::AmendmentNoticeIssued,
            Self::AmendedPlanIssued => EventType::AmendedPlanIssued,
            Self::PhaseTransfer { .. } => EventType::PhaseTransfer,
            Self::RequestWithdrawn => EventType::RequestWithdrawn,
            Self::PlanCeased => EventType::PlanCeased,
        }
    }
}

impl serde::Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let fields = self.to_fields();
        let mut map = s.serialize_map(Some(fields.len()))?;
        for (name, value) in &fields {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// A flat view of one event's fields as text.
pub trait Fields {
    /// The field's text; `Ok(None)` when absent or empty; `Err` when present but not text.
    fn text(&self, name: &str) -> Result<Option<&str>, EventError>;
}

impl Fields for serde_json::Map<String, serde_json::Value> {
    fn text(&self, name: &str) -> Result<Option<&str>, EventError> {
        match self.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(EventError::NotText {
                field: name.to_owned(),
            }),
        }
    }
}

impl Fields for [(&str, &str)] {
    fn text(&self, name: &str) -> Result<Option<&str>, EventError> {
        Ok(self
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .filter(|v| !v.is_empty()))
    }
}

/// Why an event could not be read. The caller adds where it was (`events[2]`, `file.csv:14`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The event has no `type` (or is not an object).
    #[error("missing field \"type\"")]
    MissingType,
    /// The `type` is not one of the contract's event types.
    #[error("unknown event type {given:?} (expected one of: {})", EventType::NAMES.join(", "))]
    UnknownType {
        /// The type as given.
        given: String,
    },
    /// A field the event type requires is absent or empty.
    #[error("{event_type}: missing field {field:?}")]
    Missing {
        /// The type of the event being read.
        event_type: EventType,
        /// The name of the missing field.
        field: &'static str,
    },
    /// A JSON field holds something other than a string.
    #[error("field {field:?} must be a string")]
    NotText {
        /// The field's name.
        field: String,
    },
    /// A date field is not written `YYYY-MM-DD`.
    #[error("{event_type}: field {field:?}: {given:?} is not a date of the form YYYY-MM-DD")]
    DateForm {
        /// The type of the event being read.
        event_type: EventType,
        /// The name of the date field.
        field: &'static str,
        /// The text as given.
        given: String,
    },
    /// A date field has the right form but names no real day (`2026-02-30`).
    #[error("{event_type}: field {field:?}: {given:?} is not a real calendar date")]
    NoSuchDay {
        /// The type of the event being read.
        event_type: EventType,
        /// The name of the date field.
        field: &'static str,
        /// The text as given.
        given: String,
    },
    /// A field with a closed vocabulary (`advice`, `outcome`, `kind`) holds an unknown value.
    #[error("{event_type}: field {field:?}: unknown value {given:?} (expected one of: {})", expected.join(", "))]
    Value {
        /// The type of the event being read.
        event_type: EventType,
        /// The name of the field.
        field: &'static str,
        /// The value as given.
        given: String,
        /// The machine names the field accepts.
        expected: &'static [&'static str],
    },
    /// An exception's period ends before it starts.
    #[error("{event_type}: field \"to\" ({to}) is before \"from\" ({from})")]
    ToBeforeFrom {
        /// The type of the event being read.
        event_type: EventType,
        /// The first day of the period.
        from: Date,
        /// The last day, as given.
        to: Date,
    },
}

/// Reads the fields of one event type, naming the type in every error.
struct Reader<'a, F: ?Sized> {
    fields: &'a F,
    event_type: EventType,
}

impl<F: Fields + ?Sized> Reader<'_, F> {
    fn optional_text(&self, field: &'static str) -> Result<Option<String>, EventError> {
        Ok(self.fields.text(field)?.map(str::to_owned))
    }

    fn optional_date(&self, field: &'static str) -> Result<Option<Date>, EventError> {
        let Some(text) = self.fields.text(field)? else {
            return Ok(None);
        };
        let (event_type, given) = (self.event_type, text.to_owned());
        dates::parse_iso(text)
            .map(Some)
            .map_err(|problem| match problem {
                DateProblem::Form => EventError::DateForm {
                    event_type,
                    field,
                    given,
                },
                DateProblem::NoSuchDay => EventError::NoSuchDay {
                    event_type,
                    field,
                    given,
                },
            })
    }

    fn date(&self, field: &'static str) -> Result<Date, EventError> {
        self.optional_date(field)?.ok_or(EventError::Missing {
            event_type: self.event_type,
            field,
        })
    }

    fn optional_name<T>(
        &self,
        field: &'static str,
        parse: fn(&str) -> Option<T>,
        expected: &'static [&'static str],
    ) -> Result<Option<T>, EventError> {
        let Some(text) = self.fields.text(field)? else {
            return Ok(None);
        };
        parse(text).map(Some).ok_or_else(|| EventError::Value {
            event_type: self.event_type,
            field,
            given: text.to_owned(),
            expected,
        })
    }

    fn name<T>(
        &self,
        field: &'static str,
        parse: fn(&str) -> Option<T>,
        expected: &'static [&'static str],
    ) -> Result<T, EventError> {
        self.optional_name(field, parse, expected)?
            .ok_or(EventError::Missing {
                event_type: self.event_type,
                field,
            })
    }

    fn advice(&self) -> Result<AdviceKind, EventError> {
        self.name("advice", AdviceKind::parse, AdviceKind::NAMES)
    }

    fn read(&self) -> Result<Event, EventError> {
        use EventDetail as D;
        if self.event_type == EventType::Exception {
            return self.read_exception();
        }
        let date = self.date("date")?;
        let detail = match self.event_type {
            EventType::RequestReceived => D::RequestReceived,
            EventType::DecisionToAssess => D::DecisionToAssess {
                outcome: self.name("outcome", AssessOutcome::parse, AssessOutcome::NAMES)?,
            },
            EventType::AdviceRequested => D::AdviceRequested {
                advice: self.advice()?,
                id: self.optional_text("id")?,
                provider: self.optional_text("provider")?,
            },
            EventType::AdviceReceived => D::AdviceReceived {
                advice: self.advice()?,
                id: self.optional_text("id")?,
            },
            EventType::DecisionToIssue => D::DecisionToIssue {
                outcome: self.name("outcome", IssueOutcome::parse, IssueOutcome::NAMES)?,
            },
            EventType::DraftPlanIssued => D::DraftPlanIssued,
            EventType::FinalPlanIssued => D::FinalPlanIssued,
            EventType::ReviewMeetingHeld => D::ReviewMeetingHeld,
            EventType::ReviewDecision => D::ReviewDecision {
                outcome: self.name("outcome", ReviewOutcome::parse, ReviewOutcome::NAMES)?,
            },
            EventType::AmendmentNoticeIssued => D::AmendmentNoticeIssued,
            EventType::AmendedPlanIssued => D::AmendedPlanIssued,
            EventType::PhaseTransfer => D::PhaseTransfer {
                kind: self.name("kind", PhaseKind::parse, PhaseKind::NAMES)?,
            },
            EventType::RequestWithdrawn => D::RequestWithdrawn,
            EventType::PlanCeased => D::PlanCeased,
            EventType::Exception => unreachable!("read_exception handles exceptions"),
        };
        Ok(Event::new(date, detail))
    }

    fn read_exception(&self) -> Result<Event, EventError> {
        let from = self.date("from")?;
        let to = self.optional_date("to")?;
        if let Some(to) = to.filter(|to| *to < from) {
            return Err(EventError::ToBeforeFrom {
                event_type: self.event_type,
                from,
                to,
            });
        }
        let claim = ExceptionClaim {
            kind: self.name("kind", ExceptionKind::parse, ExceptionKind::NAMES)?,
            to,
            advice: self.optional_name("advice", AdviceKind::parse, AdviceKind::NAMES)?,
            id: self.optional_text("id")?,
            setting_closed_from: self.optional_date("setting_closed_from")?,
            setting_reopens: self.optional_date("setting_reopens")?,
            reason: self.optional_text("reason")?,
            evidence: self.optional_text("evidence")?,
        };
        Ok(Event::new(from, EventDetail::Exception(Box::new(claim))))
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}", self.event_type(), self.date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Event, EventError> {
        Event::from_fields(pairs)
    }

    #[test]
    fn every_event_type_round_trips_through_fields() {
        let samples: Vec<Vec<(&str, &str)>> = vec![
            vec![("type", "request_received"), ("date", "2026-01-05")],
            vec![
                ("type", "decision_to_assess"),
                ("date", "2026-02-10"),
                ("outcome", "not_assess"),
            ],
            vec![
                ("type", "advice_requested"),
                ("date", "2026-02-11"),
                ("advice", "health"),
                ("id", "h1"),
                ("provider", "Northshire Community Health NHS Trust"),
            ],
            vec![
                ("type", "advice_received"),
                ("date", "2026-03-20"),
                ("advice", "social_care"),
            ],
            vec![
                ("type", "decision_to_issue"),
                ("date", "2026-04-01"),
                ("outcome", "not_issue"),
            ],
            vec![("type", "draft_plan_issued"), ("date", "2026-04-20")],
            vec![("type", "final_plan_issued"), ("date", "2026-05-18")],
            vec![
                ("type", "exception"),
                ("kind", "school_closure"),
                ("from", "2026-07-20"),
                ("to", "2026-09-02"),
                ("advice", "education"),
                ("id", "e1"),
                ("setting_closed_from", "2026-07-22"),
                ("setting_reopens", "2026-09-03"),
                ("reason", "summer closure"),
                ("evidence", "school calendar"),
            ],
            vec![("type", "request_withdrawn"), ("date", "2026-03-01")],
            vec![("type", "review_meeting_held"), ("date", "2027-04-01")],
            vec![
                ("type", "review_decision"),
                ("date", "2027-04-20"),
                ("outcome", "amend"),
            ],
            vec![("type", "amendment_notice_issued"), ("date", "2027-04-20")],
            vec![("type", "amended_plan_issued"), ("date", "2027-06-01")],
            vec![
                ("type", "phase_transfer"),
                ("date", "2027-09-01"),
                ("kind", "post16"),
            ],
            vec![("type", "plan_ceased"), ("date", "2028-01-01")],
        ];
        assert_eq!(
            samples.len(),
            EventType::ALL.len(),
            "one sample per event type"
        );
        for sample in samples {
            let event = read(&sample).unwrap();
            let fields = event.to_fields();
            let mut expected = sample.clone();
            let mut actual: Vec<(&str, &str)> =
                fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
            expected.sort();
            actual.sort();
            assert_eq!(actual, expected);
        }
    }

    #[test]
    fn errors_name_the_field_and_the_value() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("date", "2026-01-05")], "missing field \"type\""),
            (
                &[("type", "request_recieved"), ("date", "2026-01-05")],
                "unknown event type \"request_recieved\"",
            ),
            (
                &[("type", "request_received")],
                "request_received: missing field \"date\"",
            ),
            (
                &[("type", "request_received"), ("date", "2026-02-30")],
                "request_received: field \"date\": \"2026-02-30\" is not a real calendar date",
            ),
            (
                &[("type", "request_received"), ("date", "05/01/2026")],
                "is not a date of the form YYYY-MM-DD",
            ),
            (
                &[("type", "decision_to_assess"), ("date", "2026-02-10")],
                "decision_to_assess: missing field \"outcome\"",
            ),
            (
                &[
                    ("type", "decision_to_assess"),
                    ("date", "2026-02-10"),
                    ("outcome", "yes"),
                ],
                "field \"outcome\": unknown value \"yes\" (expected one of: assess, not_assess)",
            ),
            (
                &[
                    ("type", "advice_requested"),
                    ("date", "2026-02-10"),
                    ("advice", "dental"),
                ],
                "field \"advice\": unknown value \"dental\"",
            ),
            (
                &[
                    ("type", "exception"),
                    ("kind", "absent_from_area"),
                    ("from", "2026-03-10"),
                    ("to", "2026-03-01"),
                ],
                "field \"to\" (2026-03-01) is before \"from\" (2026-03-10)",
            ),
            (
                &[
                    ("type", "exception"),
                    ("kind", "holiday"),
                    ("from", "2026-03-10"),
                ],
                "field \"kind\": unknown value \"holiday\"",
            ),
            (
                &[("type", "exception"), ("kind", "absent_from_area")],
                "exception: missing field \"from\"",
            ),
        ];
        for (fields, expected) in cases {
            let message = read(fields).unwrap_err().to_string();
            assert!(
                message.contains(expected),
                "{message:?} should contain {expected:?}"
            );
        }
    }

    #[test]
    fn json_values_that_are_not_text_are_refused() {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"type":"request_received","date":20260105}"#).unwrap();
        assert_eq!(
            Event::from_fields(&object).unwrap_err().to_string(),
            "field \"date\" must be a string"
        );
    }
}
