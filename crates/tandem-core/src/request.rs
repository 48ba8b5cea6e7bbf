//! Facts of one request for an assessment and the plan it led to, held on the case rather than
//! on the child: who asked, the mediation and tribunal indicators, personal budget, why the plan
//! ceased, transfers between local authorities. A child with two requests has two sets.
//!
//! They are typed and checked when read (the case file's optional `request` object, the forms,
//! the tracker), and the database checks them again (migration 0025). The codes are SEN2's
//! (`../shared/docs/statutory-returns.md` §4.3–§4.5, §5); `docs/statutory-returns.md` lists them.

use serde::{Deserialize, Serialize};

use crate::returns::codes;

/// Who made the request for an EHC needs assessment (Children and Families Act 2014 s.36(1) and
/// reg 3: the parent, the young person, or a person acting for a school or post-16 institution;
/// anyone else, such as health or social care, may bring a child to the LA's notice, s.24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requester {
    /// The child's parent or carer.
    Parent,
    /// The young person themself.
    YoungPerson,
    /// A school, college or other education setting.
    School,
    /// Health care professionals.
    Health,
    /// Social care professionals.
    SocialCare,
    /// Anyone else.
    Other,
}

impl Requester {
    /// Every requester, in the order forms list them.
    pub const ALL: [Self; 6] = [
        Self::Parent,
        Self::YoungPerson,
        Self::School,
        Self::Health,
        Self::SocialCare,
        Self::Other,
    ];

    /// The value stored and written in case files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Parent => "parent",
            Self::YoungPerson => "young_person",
            Self::School => "school",
            Self::Health => "health",
            Self::SocialCare => "social_care",
            Self::Other => "other",
        }
    }

    /// Reads a stored value.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Parent => "Parent or carer",
            Self::YoungPerson => "Young person",
            Self::School => "School or other education setting",
            Self::Health => "Health professional",
            Self::SocialCare => "Social care professional",
            Self::Other => "Someone else",
        }
    }

    /// SEN2 `RequestSource` (fact sheet §5.4): `1` young person or parent, `2` education
    /// setting, `3` health, `4` social care, `5` other.
    pub fn sen2_code(self) -> &'static str {
        match self {
            Self::Parent | Self::YoungPerson => "1",
            Self::School => "2",
            Self::Health => "3",
            Self::SocialCare => "4",
            Self::Other => "5",
        }
    }
}

/// The facts of the request and its plan that the statutory returns need and the history of
/// events does not hold. Every field is optional: an absent yes/no item is no.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RequestDetails {
    /// Who asked (SEN2 `RequestSource`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<Requester>,
    /// The request was made while in relevant youth accommodation (SEN2 `RYA`).
    #[serde(skip_serializing_if = "is_false")]
    pub rya: bool,
    /// Mediation about the decision whether to assess (`RequestMediation`).
    #[serde(skip_serializing_if = "is_false")]
    pub request_mediation: bool,
    /// Appeal to the tribunal about the decision whether to assess (`RequestTribunal`).
    #[serde(skip_serializing_if = "is_false")]
    pub request_tribunal: bool,
    /// Mediation about the decision whether to issue a plan (`AssessmentMediation`).
    #[serde(skip_serializing_if = "is_false")]
    pub assessment_mediation: bool,
    /// Appeal about a decision not to issue a plan (`AssessmentTribunal`).
    #[serde(skip_serializing_if = "is_false")]
    pub assessment_tribunal: bool,
    /// Mediation about other appealable decisions (`OtherMediation`).
    #[serde(skip_serializing_if = "is_false")]
    pub other_mediation: bool,
    /// Appeal on other matters (`OtherTribunal`).
    #[serde(skip_serializing_if = "is_false")]
    pub other_tribunal: bool,
    /// A personal budget was taken up (`PB`).
    #[serde(skip_serializing_if = "is_false")]
    pub personal_budget: bool,
    /// Organised arrangements for the personal budget (`OA`; only with a personal budget).
    #[serde(skip_serializing_if = "is_false")]
    pub organised_arrangements: bool,
    /// Direct payments for the personal budget (`DP`): `E` education, `S` social care, `H`
    /// health, `I` integrated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_payments: Option<String>,
    /// Residential provision named in the plan (`PlanRes`): `A` or `B`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_residential: Option<String>,
    /// Work-based learning named in the plan (`PlanWBP`): `A` apprenticeship, `T` traineeship,
    /// `S` supported internship.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_work_based: Option<String>,
    /// Why the plan ceased (`CeaseReason` 1–9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cease_reason: Option<String>,
    /// The LA the plan was transferred in from (`TransferLA`): an LA number or `XXX`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_la: Option<String>,
    /// The LA the child moved to before the assessment finished (`Exported`): an LA number or
    /// `XXX`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exported_la: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A request detail that is not one of its codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("request.{field}: {given:?} is not {expected}")]
pub struct RequestError {
    /// The field.
    pub field: &'static str,
    /// The value as given.
    pub given: String,
    /// What it must be.
    pub expected: &'static str,
}

impl RequestDetails {
    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Checks every code against its set (fact sheet §5.7, §5.11, §5.12; LA numbers §5.12 and
    /// the statistics appendix).
    pub fn check(&self) -> Result<(), RequestError> {
        let code = |field: &'static str,
                    value: &Option<String>,
                    set: &[&str],
                    expected: &'static str| match value {
            Some(v) if !set.contains(&v.as_str()) => Err(RequestError {
                field,
                given: v.clone(),
                expected,
            }),
            _ => Ok(()),
        };
        let la = |field: &'static str, value: &Option<String>| match value {
            Some(v) if !(v == "XXX" || codes::known(codes::LA, v)) => Err(RequestError {
                field,
                given: v.clone(),
                expected: "an LA number or XXX",
            }),
            _ => Ok(()),
        };
        code(
            "cease_reason",
            &self.cease_reason,
            codes::CEASE_REASON,
            "a cease reason 1 to 9",
        )?;
        code(
            "direct_payments",
            &self.direct_payments,
            codes::DIRECT_PAYMENTS,
            "E, S, H or I",
        )?;
        code(
            "plan_residential",
            &self.plan_residential,
            codes::RESIDENTIAL,
            "A or B",
        )?;
        code(
            "plan_work_based",
            &self.plan_work_based,
            codes::WORK_BASED,
            "A, T or S",
        )?;
        la("transfer_la", &self.transfer_la)?;
        la("exported_la", &self.exported_la)
    }

    /// Reads the case file's `request` object and checks it.
    pub fn from_value(value: serde_json::Value) -> Result<Self, String> {
        let details: Self = serde_path_to_error::deserialize(value)
            .map_err(|e| format!("request.{}: {}", e.path(), e.inner()))?;
        details.check().map_err(|e| e.to_string())?;
        Ok(details)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_checks_and_writes_back() {
        let value = json!({
            "requested_by": "school", "request_mediation": true, "cease_reason": "6",
            "transfer_la": "201", "direct_payments": "E", "personal_budget": true
        });
        let read = RequestDetails::from_value(value.clone()).unwrap();
        assert_eq!(read.requested_by, Some(Requester::School));
        assert_eq!(serde_json::to_value(&read).unwrap(), value);
        assert!(RequestDetails::default().is_empty());
        for (bad, says) in [
            (json!({"cease_reason": "10"}), "request.cease_reason"),
            (json!({"transfer_la": "999"}), "request.transfer_la"),
            (json!({"exported_la": "20"}), "request.exported_la"),
            (json!({"direct_payments": "X"}), "request.direct_payments"),
            (json!({"plan_residential": "C"}), "request.plan_residential"),
            (json!({"plan_work_based": "B"}), "request.plan_work_based"),
            (json!({"requested_by": "neighbour"}), "request.requested_by"),
            (json!({"rya": "maybe"}), "request.rya"),
            (json!({"colour": "red"}), "colour"),
        ] {
            let error = RequestDetails::from_value(bad).unwrap_err();
            assert!(error.contains(says), "{error}");
        }
        assert!(RequestDetails::from_value(json!({"exported_la": "XXX"})).is_ok());
    }

    #[test]
    fn request_sources() {
        let codes: Vec<_> = Requester::ALL.iter().map(|r| r.sen2_code()).collect();
        assert_eq!(codes, ["1", "1", "2", "3", "4", "5"]);
        for r in Requester::ALL {
            assert_eq!(Requester::parse(r.as_str()), Some(r));
        }
    }
}
