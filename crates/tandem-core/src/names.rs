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

pub(crate) use machine_names;

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

machine_names! {
    /// Where a milestone stands on the as-of date (contracts/case-file.md §2).
    Status {
        /// Done on or before its due date.
        Met => "met",
        /// Done after its due date.
        Late => "late",
        /// Not done, and the due date has passed.
        Overdue => "overdue",
        /// Not done, and the due date is today or later.
        Pending => "pending",
        /// The duty no longer arises.
        NotApplicable => "not_applicable",
    }
}

machine_names! {
    /// Where a case is, derived from its history.
    Stage {
        NoRequest => "no_request",
        AwaitingDecision => "awaiting_decision",
        Assessing => "assessing",
        DraftIssued => "draft_issued",
        PlanMaintained => "plan_maintained",
        NotAssessed => "not_assessed",
        NotIssued => "not_issued",
        Withdrawn => "withdrawn",
        Ceased => "ceased",
    }
}

impl Stage {
    /// Whether the council still has work to do on the case.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::AwaitingDecision | Self::Assessing | Self::DraftIssued | Self::PlanMaintained
        )
    }

    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::NoRequest => "No request recorded",
            Self::AwaitingDecision => "Deciding whether to assess",
            Self::Assessing => "Assessment under way",
            Self::DraftIssued => "Draft plan issued",
            Self::PlanMaintained => "Plan in place",
            Self::NotAssessed => "Decided not to assess",
            Self::NotIssued => "Decided not to issue a plan",
            Self::Withdrawn => "Request withdrawn",
            Self::Ceased => "Plan stopped",
        }
    }
}

machine_names! {
    /// Warnings about a case's history. The first six are fixed by contracts/case-file.md §2.
    WarningCode {
        FinalBeforeCommentPeriodEnd => "final_before_comment_period_end",
        FinalWithoutAdvice => "final_without_advice",
        FinalWithoutDraft => "final_without_draft",
        ExceptionNotQualifying => "exception_not_qualifying",
        AmendmentsAfterDecision => "amendments_after_decision",
        EventBeforeRequest => "event_before_request",
        /// Events dated after the as-of date were left out (they were not yet known then).
        EventsAfterAsOf => "events_after_as_of",
        /// Advice was recorded as received with no open request it could answer.
        AdviceReceivedWithoutRequest => "advice_received_without_request",
        /// A final plan was issued when advice the council must seek was never asked for
        /// (reg 6(1)); raised by [`crate::caseload::advice_not_sought`], not by the timeline.
        AdviceNotSought => "advice_not_sought",
    }
}
