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
        /// The council received a request for an EHC needs assessment (day 0 of the assessment).
        RequestReceived => "request_received",
        /// The council claims a statutory exception to a time limit (§3 of the contract).
        Exception => "exception",
        /// The parent or young person was told whether the council will assess.
        DecisionToAssess => "decision_to_assess",
        /// Advice or information for the assessment was asked of a person or body.
        AdviceRequested => "advice_requested",
        /// Requested advice arrived.
        AdviceReceived => "advice_received",
        /// After the assessment, the council decided whether to issue a plan.
        DecisionToIssue => "decision_to_issue",
        /// The draft plan was sent to the parent or young person.
        DraftPlanIssued => "draft_plan_issued",
        /// The final EHC plan was issued.
        FinalPlanIssued => "final_plan_issued",
        /// An annual (or phase-transfer) review meeting was held.
        ReviewMeetingHeld => "review_meeting_held",
        /// After a review meeting, the council notified its decision to maintain, amend or cease.
        ReviewDecision => "review_decision",
        /// Proposed amendments were sent with the plan (reg 22(2)).
        AmendmentNoticeIssued => "amendment_notice_issued",
        /// The final amended plan was issued.
        AmendedPlanIssued => "amended_plan_issued",
        /// A move between phases of education is planned, dated with the first day at the new setting.
        PhaseTransfer => "phase_transfer",
        /// The request was withdrawn; open assessment duties end.
        RequestWithdrawn => "request_withdrawn",
        /// The council stopped maintaining the plan; later duties end.
        PlanCeased => "plan_ceased",
    }
}

machine_names! {
    /// Whose advice or information was sought for the assessment (reg 6(1)).
    AdviceKind {
        /// Educational advice, from the child's school or setting (reg 6(1)(b)).
        Education => "education",
        /// Medical advice from a health care professional (reg 6(1)(c)).
        Health => "health",
        /// Social care advice (reg 6(1)(e)).
        SocialCare => "social_care",
        /// Psychological advice from an educational psychologist (reg 6(1)(d)).
        EducationalPsychology => "educational_psychology",
        /// The views and information of the parent or young person (reg 6(1)(a)).
        Parent => "parent",
        /// Advice on preparing for adulthood and independent living, from year 9 on (reg 6(1)(g)).
        PreparingForAdulthood => "preparing_for_adulthood",
        /// Advice from anyone else: a person the council thinks appropriate or one the family asks for.
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
    AssessOutcome {
        /// The council will carry out an EHC needs assessment.
        Assess => "assess",
        /// The council will not assess.
        NotAssess => "not_assess",
    }
}

machine_names! {
    /// The decision after the assessment whether to issue a plan (reg 10).
    IssueOutcome {
        /// The council will issue an EHC plan.
        Issue => "issue",
        /// The council will not issue a plan (the notice under reg 10).
        NotIssue => "not_issue",
    }
}

machine_names! {
    /// The decision after an annual review meeting (reg 20(10)).
    ReviewOutcome {
        /// Keep the plan as it is.
        Maintain => "maintain",
        /// Amend the plan (reg 22).
        Amend => "amend",
        /// Cease to maintain the plan.
        Cease => "cease",
    }
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
        /// The child or parent was away from the area for at least 4 weeks in a row.
        AbsentFromArea => "absent_from_area",
        /// Exceptional personal circumstances affecting the child or parent.
        ExceptionalPersonalCircumstances => "exceptional_personal_circumstances",
        /// The school or setting was closed for at least 4 weeks when educational advice was asked of it.
        SchoolClosure => "school_closure",
        /// The child or parent missed an appointment for the named advice.
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
        /// The history has no request for an assessment yet.
        NoRequest => "no_request",
        /// A request was received; the decision whether to assess is still to come.
        AwaitingDecision => "awaiting_decision",
        /// The council decided to assess; no draft plan yet.
        Assessing => "assessing",
        /// A draft plan was issued; the final plan is still to come.
        DraftIssued => "draft_issued",
        /// A final plan was issued and is maintained (reviews follow).
        PlanMaintained => "plan_maintained",
        /// The council decided not to assess.
        NotAssessed => "not_assessed",
        /// After assessing, the council decided not to issue a plan.
        NotIssued => "not_issued",
        /// The request was withdrawn before a plan was issued.
        Withdrawn => "withdrawn",
        /// The council ceased to maintain the plan.
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
        /// The final plan came before the 15-day comment period on the draft ended (reg 13(1)).
        FinalBeforeCommentPeriodEnd => "final_before_comment_period_end",
        /// The final plan was issued while requested advice had not arrived.
        FinalWithoutAdvice => "final_without_advice",
        /// A final plan was issued with no draft before it.
        FinalWithoutDraft => "final_without_draft",
        /// A claimed exception does not meet its statutory conditions, so it is ignored.
        ExceptionNotQualifying => "exception_not_qualifying",
        /// An `amend` decision whose proposed amendments were sent later than the decision.
        AmendmentsAfterDecision => "amendments_after_decision",
        /// An assessment event is dated before the request.
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
