//! Closed vocabularies of the case file (contracts/case-file.md §1), each with its machine name.

/// Declares a fieldless enum whose variants have fixed machine names, with `ALL`, `as_str`,
/// `parse`, `Display` and serde support, so every vocabulary behaves the same way.
macro_rules! machine_names {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// Every machine name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The machine name used in files, URLs and the API.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// The value with this machine name, if any.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown value {text:?}, expected one of: {}",
                        Self::NAMES.join(", ")
                    ))
                })
            }
        }
    };
}

machine_names! {
    /// The kind of event in a case's history. Declaration order is the order of events that
    /// share a date, so that a canonical order exists whatever order a file lists them in.
    EventType {
        RequestReceived => "request_received",
        Exception => "exception",
        DecisionToAssess => "decision_to_assess",
        AdviceRequested => "advice_requested",
        AdviceReceived => "advice_received",
        DecisionToIssue => "decision_to_issue",
        DraftPlanIssued => "draft_plan_issued",
        FinalPlanIssued => "final_plan_issued",
        ReviewMeetingHeld => "review_meeting_held",
        ReviewDecision => "review_decision",
        AmendmentNoticeIssued => "amendment_notice_issued",
        AmendedPlanIssued => "amended_plan_issued",
        PhaseTransfer => "phase_transfer",
        RequestWithdrawn => "request_withdrawn",
        PlanCeased => "plan_ceased",
    }
}

machine_names! {
    /// Whose advice or information was sought for the assessment (reg 6(1)).
    AdviceKind {
        Education => "education",
        Health => "health",
        SocialCare => "social_care",
        EducationalPsychology => "educational_psychology",
        Parent => "parent",
        PreparingForAdulthood => "preparing_for_adulthood",
        Other => "other",
    }
}

impl AdviceKind {
    /// "Health advice", as a sentence would start.
    pub fn label(self) -> &'static str {
        match self {
            Self::Education => "Education advice",
            Self::Health => "Health advice",
            Self::SocialCare => "Social care advice",
            Self::EducationalPsychology => "Educational psychology advice",
            Self::Parent => "Advice from the parent or young person",
            Self::PreparingForAdulthood => "Preparing for adulthood advice",
            Self::Other => "Other advice",
        }
    }
}

machine_names! {
    /// The decision whether to carry out an EHC needs assessment (reg 5).
    AssessOutcome { Assess => "assess", NotAssess => "not_assess" }
}

machine_names! {
    /// The decision after the assessment whether to issue a plan (reg 10).
    IssueOutcome { Issue => "issue", NotIssue => "not_issue" }
}

machine_names! {
    /// The decision after an annual review meeting (reg 20(10)).
    ReviewOutcome { Maintain => "maintain", Amend => "amend", Cease => "cease" }
}

machine_names! {
    /// The kind of transfer between phases of education (reg 18(1)).
    PhaseKind {
        /// Any transfer except secondary school to post-16: deadline 15 February.
        School => "school",
        /// Secondary school to a post-16 institution: deadline 31 March.
        Post16 => "post16",
    }
}

machine_names! {
    /// A statutory exception the LA may rely on (regs 5(4), 8(2), 10(4), 13(3)).
    ExceptionKind {
        AbsentFromArea => "absent_from_area",
        ExceptionalPersonalCircumstances => "exceptional_personal_circumstances",
        SchoolClosure => "school_closure",
        MissedAppointment => "missed_appointment",
    }
}
