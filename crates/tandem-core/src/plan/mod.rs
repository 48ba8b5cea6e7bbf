//! The EHC plan as data (issue 12), in the JSON shape of `shared/docs/plan-quality.md`, and the
//! plan quality checks ([`checks`]) that read it.
//!
//! A plan has the sections of SEND Regulations 2014 reg 12(1): A (views, interests and
//! aspirations) to K (advice and information), with H split into H1 and H2. Needs (B, C, D),
//! outcomes (E) and provision (F, G, H1, H2) are items with stable ids, and provision names the
//! needs and outcomes it is for, so that the links between them are data the checks can follow
//! rather than prose.
//!
//! Tandem's additions to the shape, all optional: `issued_on` (the date the plan was issued),
//! `child.name`, `child.primary_need`, `case` (facts from the case record that some checks
//! compare the plan with), `by` on an outcome, `preparing_for_adulthood` on outcomes and
//! provision, and `id` and `text` on advice in K. Other unknown fields are ignored.

pub mod audit;
pub mod checks;
pub mod config;
mod drafting;
mod text;

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::dates::{self, Date};
use crate::names::machine_names;

pub use checks::{Finding, Grade, PlanReport, Rule, Severity, check};
pub use config::PlanCheckConfig;
pub use drafting::{
    COMMENT_DAYS, Change, ComparedLine, ReceivedAdvice, comment_period_ends, compare,
};

machine_names! {
    /// Where the plan is in its life.
    PlanStatus {
        /// A draft sent to the family for comment (reg 13(1)): section I must still be blank.
        Draft => "draft",
        /// The final plan as issued.
        Final => "final",
        /// A final plan amended after a review.
        Amended => "amended",
    }
}

impl PlanStatus {
    /// Whether this is an issued plan rather than a draft.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Final | Self::Amended)
    }
}

machine_names! {
    /// The sections of an EHC plan (SEND Regulations 2014 reg 12(1)), in the plan's order.
    Section {
        /// The views, interests and aspirations of the child and parent or the young person.
        A => "A",
        /// The child's or young person's special educational needs.
        B => "B",
        /// Health care needs which relate to the special educational needs.
        C => "C",
        /// Social care needs which relate to the special educational needs or disability.
        D => "D",
        /// The outcomes sought.
        E => "E",
        /// The special educational provision.
        F => "F",
        /// Health care provision reasonably required by the needs.
        G => "G",
        /// Social care provision under s.2 of the Chronically Sick and Disabled Persons Act 1970.
        H1 => "H1",
        /// Other social care provision reasonably required by the needs.
        H2 => "H2",
        /// The school or other institution, or its type (the placement).
        I => "I",
        /// The personal budget, if any.
        J => "J",
        /// The advice and information gathered during the assessment.
        K => "K",
    }
}

impl Section {
    /// "section F (special educational provision)": how a finding names the section.
    pub fn describe(self) -> String {
        let what = match self {
            Self::A => "views, interests and aspirations",
            Self::B => "special educational needs",
            Self::C => "health needs",
            Self::D => "social care needs",
            Self::E => "outcomes",
            Self::F => "special educational provision",
            Self::G => "health provision",
            Self::H1 => "social care provision under the Chronically Sick and Disabled Persons Act",
            Self::H2 => "other social care provision",
            Self::I => "placement",
            Self::J => "personal budget",
            Self::K => "advice and information",
        };
        format!("section {self} ({what})")
    }
}

/// One EHC plan, draft or final.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Draft, final or amended.
    pub status: PlanStatus,
    /// Who the plan is for.
    #[serde(default)]
    pub child: PlanChild,
    /// The kinds of advice actually received on the case (`education`, `health`,
    /// `social_care`, `educational_psychology`, `parent`, `preparing_for_adulthood`, `other`,
    /// the names of [`crate::AdviceKind`]); section K must list each.
    #[serde(default)]
    pub advice_received: Vec<String>,
    /// The date the plan (draft or final) was issued. Ages are worked out on this date, and
    /// advice in K must be dated no later.
    #[serde(
        default,
        deserialize_with = "optional_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub issued_on: Option<Date>,
    /// Facts from the case record for the checks that compare the plan with it (S5, L3, T1);
    /// without them those checks are not made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseFacts>,
    /// The sections, each absent when the plan leaves it out.
    #[serde(default)]
    pub sections: Sections,
}

/// The child or young person, as the plan describes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanChild {
    /// Date of birth: decides H1 (under-18s only).
    #[serde(
        default,
        deserialize_with = "optional_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_of_birth: Option<Date>,
    /// National Curriculum year group (0 for Reception): from Year 9 the plan must prepare for
    /// adulthood. When absent it is worked out from the date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_group: Option<i32>,
    /// The name the plan gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The primary need the plan records (e.g. "Speech, language and communication needs").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_need: Option<String>,
}

/// What the case record says, for comparing with the plan. Every field is optional; a check
/// that needs a missing one is not made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseFacts {
    /// The child's name on the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The date of birth on the record.
    #[serde(
        default,
        deserialize_with = "optional_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_of_birth: Option<Date>,
    /// The setting the record names for the child: a final plan's section I must name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    /// The primary need on the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_need: Option<String>,
    /// Whether the parent or young person asked for a personal budget (CFA 2014 s.49).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_budget_requested: Option<bool>,
    /// When the request for an assessment was received: starts the 20-week clock.
    #[serde(
        default,
        deserialize_with = "optional_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_received: Option<Date>,
    /// Whether an exception to the time limits (reg 10(4)) is recorded on the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_recorded: Option<bool>,
}

/// The sections of a plan; `None` where the plan leaves a section out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sections {
    /// Views, interests and aspirations.
    #[serde(rename = "A", default, skip_serializing_if = "Option::is_none")]
    pub a: Option<TextSection>,
    /// Special educational needs.
    #[serde(rename = "B", default, skip_serializing_if = "Option::is_none")]
    pub b: Option<ItemSection<Need>>,
    /// Health needs related to the special educational needs.
    #[serde(rename = "C", default, skip_serializing_if = "Option::is_none")]
    pub c: Option<ItemSection<Need>>,
    /// Social care needs related to the special educational needs or disability.
    #[serde(rename = "D", default, skip_serializing_if = "Option::is_none")]
    pub d: Option<ItemSection<Need>>,
    /// Outcomes.
    #[serde(rename = "E", default, skip_serializing_if = "Option::is_none")]
    pub e: Option<ItemSection<Outcome>>,
    /// Special educational provision.
    #[serde(rename = "F", default, skip_serializing_if = "Option::is_none")]
    pub f: Option<ItemSection<Provision>>,
    /// Health provision.
    #[serde(rename = "G", default, skip_serializing_if = "Option::is_none")]
    pub g: Option<ItemSection<Provision>>,
    /// Social care provision under s.2 CSDPA 1970 (under-18s).
    #[serde(rename = "H1", default, skip_serializing_if = "Option::is_none")]
    pub h1: Option<ItemSection<Provision>>,
    /// Other social care provision.
    #[serde(rename = "H2", default, skip_serializing_if = "Option::is_none")]
    pub h2: Option<ItemSection<Provision>>,
    /// Placement.
    #[serde(rename = "I", default, skip_serializing_if = "Option::is_none")]
    pub i: Option<TextSection>,
    /// Personal budget.
    #[serde(rename = "J", default, skip_serializing_if = "Option::is_none")]
    pub j: Option<TextSection>,
    /// Advice and information.
    #[serde(rename = "K", default, skip_serializing_if = "Option::is_none")]
    pub k: Option<ItemSection<Advice>>,
}

/// A section that is prose: A, I, J.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextSection {
    /// The section's text; blank when nothing is written.
    #[serde(default)]
    pub text: String,
}

/// A section of items, with an optional introduction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// Serde would ask `T: Default` for the defaulted `items`, which `Vec` does not need.
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct ItemSection<T> {
    /// Prose before the items, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The items, in the plan's order.
    #[serde(default)]
    pub items: Vec<T>,
    /// The section says on purpose that there is nothing to record (C, D, G, H1, H2).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub none_identified: bool,
}

/// A need in B, C or D.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Need {
    /// Stable id, unique in the plan.
    pub id: String,
    /// The need, in words.
    #[serde(default)]
    pub text: String,
}

/// An outcome in E.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Stable id, unique in the plan.
    pub id: String,
    /// What the child will achieve.
    #[serde(default)]
    pub text: String,
    /// The ids of the needs it is about.
    #[serde(default)]
    pub needs: Vec<String>,
    /// When it should be achieved ("July 2027", "end of Key Stage 3"), if not in the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Marks a preparing-for-adulthood outcome (employment, independent living, community,
    /// health); without the mark the text is read for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preparing_for_adulthood: bool,
}

/// A provision in F, G, H1 or H2: what is done, by whom, how often, for how long, in what
/// group, until when; each detail a field of its own or written in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provision {
    /// Stable id, unique in the plan.
    pub id: String,
    /// What the provision is.
    #[serde(default)]
    pub text: String,
    /// The ids of the needs it meets.
    #[serde(default)]
    pub needs: Vec<String>,
    /// The ids of the outcomes it supports.
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Who delivers it: a role or qualification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub who: Option<String>,
    /// How often.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// How long each session lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// Group size or adult-to-child ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Until when, or the review point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Marks provision that prepares for adulthood; without the mark the text is read for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preparing_for_adulthood: bool,
}

impl Provision {
    /// The structured detail `field`, when given and not blank.
    pub fn field(&self, field: config::ProvisionField) -> Option<&str> {
        use config::ProvisionField as F;
        let value = match field {
            F::Who => &self.who,
            F::Frequency => &self.frequency,
            F::Duration => &self.duration,
            F::Group => &self.group,
            F::Until => &self.until,
        };
        value.as_deref().filter(|v| !v.trim().is_empty())
    }
}

/// One piece of advice or information listed in K.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// An id, if the plan gives advice ids (findings then name it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The kind of advice, a name of [`crate::AdviceKind`] (`education`, `health`…).
    pub advice: String,
    /// Who gave it (a service or role).
    #[serde(default)]
    pub from: String,
    /// When it was received.
    #[serde(
        default,
        deserialize_with = "optional_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<Date>,
    /// What it recommends, where the plan quotes it: quantities in F are traced to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Why a plan could not be read: where (a JSON path such as `sections.F.items[2].id`, empty for
/// the whole text) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if at.is_empty() { String::new() } else { format!("{at}: ") })]
pub struct PlanError {
    /// Where the problem is, as a path into the JSON; empty for the text as a whole.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl Plan {
    /// Reads a plan from JSON text. Besides the shape, item ids must be present, not blank and
    /// unique across the plan, since links are followed by id; a link to an id that does not
    /// exist is not an error here but a finding of the checks. Fields the plan does not have are
    /// ignored, as the contract allows; [`Plan::from_json_naming_unknown`] lists them.
    pub fn from_json(text: &str) -> Result<Self, PlanError> {
        Self::from_json_naming_unknown(text).map(|(plan, _)| plan)
    }

    /// As [`Plan::from_json`], also giving the path of every field the plan does not have
    /// (such as `sections.a` for a section written in lower case), in the order met.
    pub fn from_json_naming_unknown(text: &str) -> Result<(Self, Vec<String>), PlanError> {
        let invalid = |e: serde_json::Error| PlanError {
            at: String::new(),
            message: format!("invalid JSON: {e}"),
        };
        let mut unknown = Vec::new();
        let mut json = serde_json::Deserializer::from_str(text);
        // serde_ignored marks each optional value it passes through with a `?` segment.
        let mut note = |path: serde_ignored::Path<'_>| {
            let segments: Vec<String> = path
                .to_string()
                .split('.')
                .filter(|s| *s != "?")
                .map(str::to_owned)
                .collect();
            unknown.push(segments.join("."));
        };
        let noting = serde_ignored::Deserializer::new(&mut json, &mut note);
        let plan: Self = serde_path_to_error::deserialize(noting).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            if inner.is_data() {
                PlanError {
                    at: if path == "." { String::new() } else { path },
                    message: inner.to_string(),
                }
            } else {
                invalid(inner)
            }
        })?;
        json.end().map_err(invalid)?;
        plan.check_ids()?;
        Ok((plan, unknown))
    }

    /// Checks that item ids are present, not blank and unique across the plan.
    pub fn check_ids(&self) -> Result<(), PlanError> {
        let s = &self.sections;
        let mut ids: Vec<(String, &str)> = Vec::new();
        for (section, items) in s.need_sections() {
            for (n, need) in items.iter().enumerate() {
                ids.push((format!("sections.{section}.items[{n}].id"), &need.id));
            }
        }
        for (n, outcome) in s.outcomes().iter().enumerate() {
            ids.push((format!("sections.E.items[{n}].id"), &outcome.id));
        }
        for (section, items) in s.provision_sections() {
            for (n, provision) in items.iter().enumerate() {
                ids.push((format!("sections.{section}.items[{n}].id"), &provision.id));
            }
        }
        for (n, advice) in s.advice().iter().enumerate() {
            if let Some(id) = &advice.id {
                ids.push((format!("sections.K.items[{n}].id"), id));
            }
        }
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for (at, id) in &ids {
            if id.trim().is_empty() {
                return Err(PlanError {
                    at: at.clone(),
                    message: "an item id must not be blank".to_owned(),
                });
            }
            if let Some(first) = seen.insert(id, at) {
                return Err(PlanError {
                    at: at.clone(),
                    message: format!(
                        "id {id:?} is already used at {first}; ids must be unique in the plan"
                    ),
                });
            }
        }
        Ok(())
    }
}

impl Sections {
    /// Whether the plan has `section` at all (present, even if empty).
    pub fn has(&self, section: Section) -> bool {
        match section {
            Section::A => self.a.is_some(),
            Section::B => self.b.is_some(),
            Section::C => self.c.is_some(),
            Section::D => self.d.is_some(),
            Section::E => self.e.is_some(),
            Section::F => self.f.is_some(),
            Section::G => self.g.is_some(),
            Section::H1 => self.h1.is_some(),
            Section::H2 => self.h2.is_some(),
            Section::I => self.i.is_some(),
            Section::J => self.j.is_some(),
            Section::K => self.k.is_some(),
        }
    }

    /// The needs of B, C and D, each with its section (absent sections give nothing).
    pub fn need_sections(&self) -> impl Iterator<Item = (Section, &[Need])> {
        [
            (Section::B, &self.b),
            (Section::C, &self.c),
            (Section::D, &self.d),
        ]
        .into_iter()
        .map(|(section, body)| (section, items_of(body)))
    }

    /// The provision of F, G, H1 and H2, each with its section.
    pub fn provision_sections(&self) -> impl Iterator<Item = (Section, &[Provision])> {
        [
            (Section::F, &self.f),
            (Section::G, &self.g),
            (Section::H1, &self.h1),
            (Section::H2, &self.h2),
        ]
        .into_iter()
        .map(|(section, body)| (section, items_of(body)))
    }

    /// The provision of one provision section; empty for any other section.
    pub fn provision(&self, section: Section) -> &[Provision] {
        self.provision_sections()
            .find(|(s, _)| *s == section)
            .map_or(&[], |(_, items)| items)
    }

    /// The outcomes in E.
    pub fn outcomes(&self) -> &[Outcome] {
        items_of(&self.e)
    }

    /// The advice listed in K.
    pub fn advice(&self) -> &[Advice] {
        items_of(&self.k)
    }

    /// The prose before the items of a section of items, if it has any.
    pub fn intro(&self, section: Section) -> Option<&str> {
        fn of<T>(body: &Option<ItemSection<T>>) -> Option<&str> {
            body.as_ref()?.text.as_deref()
        }
        match section {
            Section::B => of(&self.b),
            Section::C => of(&self.c),
            Section::D => of(&self.d),
            Section::E => of(&self.e),
            Section::F => of(&self.f),
            Section::G => of(&self.g),
            Section::H1 => of(&self.h1),
            Section::H2 => of(&self.h2),
            Section::K => of(&self.k),
            Section::A | Section::I | Section::J => None,
        }
    }

    /// The text of A, I or J: blank when the section is absent or not a prose section.
    pub fn prose(&self, section: Section) -> &str {
        let body = match section {
            Section::A => &self.a,
            Section::I => &self.i,
            Section::J => &self.j,
            _ => &None,
        };
        body.as_ref().map_or("", |b| b.text.trim())
    }
}

fn items_of<T>(body: &Option<ItemSection<T>>) -> &[T] {
    body.as_ref().map_or(&[], |b| &b.items)
}

/// Reads an optional `YYYY-MM-DD` date strictly, as the case file does: "2026-02-30" is refused.
fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    text.map(|t| {
        dates::parse_iso(&t).map_err(|_| {
            serde::de::Error::custom(format!("{t:?} is not a real date of the form YYYY-MM-DD"))
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the contract, with its "…" placeholders.
    const CONTRACT_EXAMPLE: &str = r#"{
      "status": "draft",
      "child": { "date_of_birth": "2014-03-02", "year_group": 7 },
      "advice_received": ["education", "health", "educational_psychology", "parent"],
      "sections": {
        "A": { "text": "…" },
        "B": { "items": [ { "id": "n1", "text": "…" } ] },
        "C": { "items": [], "none_identified": true },
        "D": { "items": [], "none_identified": true },
        "E": { "items": [ { "id": "o1", "text": "…", "needs": ["n1"] } ] },
        "F": { "items": [ { "id": "p1", "text": "…", "needs": ["n1"], "outcomes": ["o1"],
                            "who": "…", "frequency": "…", "duration": "…", "group": "…", "until": "…" } ] },
        "G": { "items": [], "none_identified": true },
        "H1": { "items": [], "none_identified": true },
        "H2": { "items": [], "none_identified": true },
        "I": { "text": "" },
        "J": { "text": "" },
        "K": { "items": [ { "advice": "education", "from": "…", "date": "2026-02-20" } ] }
      }
    }"#;

    #[test]
    fn reads_the_contract_example_and_writes_the_same_shape_back() {
        let plan = Plan::from_json(CONTRACT_EXAMPLE).unwrap();
        assert_eq!(plan.status, PlanStatus::Draft);
        assert_eq!(plan.child.year_group, Some(7));
        assert_eq!(
            plan.sections.provision(Section::F)[0].who.as_deref(),
            Some("…")
        );
        assert!(plan.sections.c.as_ref().unwrap().none_identified);
        let original: serde_json::Value = serde_json::from_str(CONTRACT_EXAMPLE).unwrap();
        assert_eq!(serde_json::to_value(&plan).unwrap(), original);
        assert_eq!(
            Plan::from_json(&serde_json::to_string(&plan).unwrap()).unwrap(),
            plan
        );
    }

    #[test]
    fn unknown_fields_are_ignored_and_sections_may_be_missing() {
        let plan = Plan::from_json(
            r#"{"status":"final","colour":"red","sections":{"B":{"items":[{"id":"n1","x":1}]},"Z":{}}}"#,
        )
        .unwrap();
        assert!(plan.sections.has(Section::B));
        assert!(!plan.sections.has(Section::A));
        assert_eq!(plan.sections.prose(Section::A), "");
    }

    #[test]
    fn the_fields_a_plan_does_not_have_are_named_by_path() {
        let (plan, unknown) = Plan::from_json_naming_unknown(
            r#"{"status":"draft","colour":"red","sections":{"a":{"text":"Lost"},"B":{"items":[{"id":"n1","x":1}]}}}"#,
        )
        .unwrap();
        assert_eq!(unknown, ["colour", "sections.a", "sections.B.items.0.x"]);
        assert_eq!(plan.sections.prose(Section::A), "");
        let (_, none) = Plan::from_json_naming_unknown(CONTRACT_EXAMPLE).unwrap();
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn refuses_what_cannot_be_read_naming_where() {
        let error = |text: &str| Plan::from_json(text).unwrap_err().to_string();
        assert!(error("{ not json").starts_with("invalid JSON: "));
        assert!(error(r#"{"status":"draft"} x"#).starts_with("invalid JSON: "));
        assert!(error(r#"{"sections":{}}"#).starts_with("missing field `status`"));
        assert!(error(r#"{"status":"sent"}"#).starts_with("status: unknown value \"sent\""));
        assert!(
            error(r#"{"status":"draft","child":{"date_of_birth":"2014-02-30"}}"#)
                .starts_with("child.date_of_birth: \"2014-02-30\" is not a real date")
        );
        assert!(
            error(r#"{"status":"draft","sections":{"F":{"items":[{"text":"x"}]}}}"#)
                .starts_with("sections.F.items[0]: missing field `id`")
        );
        assert_eq!(
            error(
                r#"{"status":"draft","sections":{"B":{"items":[{"id":"n1"}]},"F":{"items":[{"id":"n1"}]}}}"#
            ),
            "sections.F.items[0].id: id \"n1\" is already used at sections.B.items[0].id; ids must be unique in the plan"
        );
        assert_eq!(
            error(r#"{"status":"draft","sections":{"E":{"items":[{"id":" "}]}}}"#),
            "sections.E.items[0].id: an item id must not be blank"
        );
    }
}
