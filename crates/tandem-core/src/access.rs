//! Who may do what: pure permission decisions for the ten roles of contracts/cli.md.
//!
//! Least privilege: a role may do only what its work needs. Case managers work on their own and
//! their team's cases; team managers and the head of service oversee the whole service; QA
//! auditors read cases but change nothing; analysts see aggregates and pseudonymised lists only;
//! admins manage accounts but never see case content. Professionals, settings and parents reach
//! only cases they are linked to (an advice request addressed to them, their own child).

use std::collections::BTreeMap;

use crate::timeline::Timeline;
use crate::{CaseFile, Date, Status};

crate::names::machine_names! {
    /// A user's role (machine names as in contracts/cli.md).
    Role {
        /// Runs assessments and plans: their own and their team's cases.
        CaseManager => "case_manager",
        /// Manages case managers: oversees every case, assigns them and sees team caseloads.
        TeamManager => "team_manager",
        /// Leads the SEND service: a team manager's view, plus bulk export and import.
        HeadOfService => "head_of_service",
        /// Gives health advice: sees only cases with an advice request addressed to them.
        HealthProfessional => "health_professional",
        /// Gives social care advice: sees only cases with an advice request addressed to them.
        SocialCareProfessional => "social_care_professional",
        /// A school or other setting giving educational advice: sees only cases with an advice
        /// request addressed to it.
        EducationSetting => "education_setting",
        /// A parent or carer (or the young person): sees only their own case and comments on the draft.
        Parent => "parent",
        /// Audits quality: reads cases and the service's figures, changes nothing.
        QaAuditor => "qa_auditor",
        /// Analyses performance: sees aggregate figures and pseudonymised lists, never names.
        Analyst => "analyst",
        /// Manages accounts and roles; never sees case content.
        Admin => "admin",
    }
}

impl Role {
    /// Whether the role gives advice to assessments from outside the council's team (a health or
    /// social care professional, an education setting), and so may belong to a service.
    pub fn gives_advice(self) -> bool {
        matches!(
            self,
            Self::HealthProfessional | Self::SocialCareProfessional | Self::EducationSetting
        )
    }

    /// Whether the account belongs to someone outside the council's SEND service: a
    /// professional, a setting, or a parent or carer. Such accounts sign in with two factors
    /// unless the service turns the requirement off.
    pub fn is_external(self) -> bool {
        self.gives_advice() || self == Self::Parent
    }

    /// The role's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::CaseManager => "Case manager",
            Self::TeamManager => "Team manager",
            Self::HeadOfService => "Head of service",
            Self::HealthProfessional => "Health professional",
            Self::SocialCareProfessional => "Social care professional",
            Self::EducationSetting => "Education setting",
            Self::Parent => "Parent or carer",
            Self::QaAuditor => "Quality assurance auditor",
            Self::Analyst => "Performance analyst",
            Self::Admin => "Administrator",
        }
    }
}

/// A user id as the store knows it.
pub type UserId = i64;

/// The user asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's account id.
    pub id: UserId,
    /// The one role the account holds; it decides what the user may do.
    pub role: Role,
    /// The case-management team the user belongs to, if any; a case manager also works on their
    /// team's cases.
    pub team: Option<String>,
    /// The service a professional or setting belongs to, as a [`provider_key`]; advice requests
    /// to that service are addressed to them.
    pub provider: Option<String>,
}

/// What a user may ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read a child's record and its timeline.
    ViewCase,
    /// Record an event, a correction or an exception on a case.
    RecordEvent,
    /// Open a case for a new request.
    OpenCase,
    /// Give a case to a case manager.
    AssignCaseManager,
    /// List cases with names (the caseload and backlog pages).
    ListCases,
    /// List only the cases linked to the user: an advice request addressed to them, their own
    /// child. Professionals, settings and families see their cases this way.
    ListLinkedCases,
    /// See aggregate figures (dashboard, metrics).
    ViewAggregates,
    /// List cases behind a figure, pseudonymised.
    ViewPseudonymisedList,
    /// Export or import case data in bulk.
    TransferData,
    /// Create and disable accounts and assign roles.
    ManageAccounts,
    /// Answer an advice request addressed to the user (a family gives the parent's advice, their
    /// own views, on their child's case).
    RespondToAdviceRequest,
    /// Comment on a draft plan of the user's own child.
    CommentOnDraft,
    /// Write to the council about a case linked to the user (a family about their child, a
    /// service about a case it was asked about); staff answer under [`Action::RecordEvent`].
    SendMessage,
    /// See every case manager's caseload side by side (the team page).
    ViewTeamCaseloads,
    /// Write the EHC plan of a case, see its working copy and findings, and issue it as a draft.
    EditPlan,
    /// Sign off and issue the final EHC plan: senior leaders only. Both manager roles may be
    /// signers here; which of them sign in a given area is [`PlanSignOff`], which the services
    /// apply on top.
    IssueFinalPlan,
    /// Run the plan audit cycle: draw a term's sample, assign auditors, settle grades as
    /// moderator (never on a plan one audited), mark examples of good plans.
    ManageAudits,
    /// Read and grade the plans one is assigned to audit (only those).
    AuditPlans,
    /// Read the pseudonymised "what good looks like" example plans, for training.
    ViewAuditExamples,
    /// Change the service's improvement plan: its actions' owners, due dates, status and
    /// evidence, with an update each time, and replace it from a file.
    EditImprovementPlan,
    /// Run the decision panels: set panels up with their terms of reference and members, plan
    /// meetings, read agendas with names, record decisions and minutes. Recording a decision
    /// onto a case also needs [`Action::RecordEvent`] on it.
    ManagePanels,
    /// Read the papers of the panels one sits on (pseudonymised unless the panel's managers let
    /// the member see identity); the services check membership.
    SitOnPanel,
    /// Configure surveys of families and partners, send them in a batch, and record what was
    /// done about their results ("you said, we did").
    ManageSurveys,
    /// Read what families and partners wrote in their own words in surveys: the few roles who
    /// act on it, never analysts (what someone writes can name them or their child).
    ReadSurveyComments,
}

impl Action {
    /// Every action, in declaration order (for checking the permission matrix as a whole).
    pub const ALL: &'static [Action] = &[
        Action::ViewCase,
        Action::RecordEvent,
        Action::OpenCase,
        Action::AssignCaseManager,
        Action::ListCases,
        Action::ListLinkedCases,
        Action::ViewAggregates,
        Action::ViewPseudonymisedList,
        Action::TransferData,
        Action::ManageAccounts,
        Action::RespondToAdviceRequest,
        Action::CommentOnDraft,
        Action::SendMessage,
        Action::ViewTeamCaseloads,
        Action::EditPlan,
        Action::IssueFinalPlan,
        Action::ManageAudits,
        Action::AuditPlans,
        Action::ViewAuditExamples,
        Action::EditImprovementPlan,
        Action::ManagePanels,
        Action::SitOnPanel,
        Action::ManageSurveys,
        Action::ReadSurveyComments,
    ];
}

impl Action {
    /// Whether the action is about one case (`true`) or the service as a whole.
    pub fn is_about_a_case(self) -> bool {
        matches!(
            self,
            Action::ViewCase
                | Action::RecordEvent
                | Action::AssignCaseManager
                | Action::RespondToAdviceRequest
                | Action::CommentOnDraft
                | Action::SendMessage
                | Action::EditPlan
                | Action::IssueFinalPlan
        )
    }
}

/// How a case relates to people, as far as access depends on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseAccess {
    /// The case manager the case is assigned to, if any.
    pub case_manager: Option<UserId>,
    /// The team the case is assigned to, if any.
    pub team: Option<String>,
    /// Users an advice request on this case is addressed to.
    pub advice_recipients: Vec<UserId>,
    /// Services (as [`provider_key`]s) asked for advice on this case whose request is open, or
    /// closed so recently that its access window has not ended; see [`AdviceWindow`].
    pub advice_providers: Vec<String>,
    /// Parents or carers (and the young person) linked to this case.
    pub family: Vec<UserId>,
}

/// What an action is about: the service as a whole, or one case.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    /// The service as a whole: lists, aggregates, accounts, bulk data.
    Service,
    /// One case, described by who is linked to it.
    Case(&'a CaseAccess),
}

/// Whether `actor` may do `action` on `resource`. An action about a case asked of the service
/// (or the reverse) is always refused.
pub fn can(actor: &Actor, action: Action, resource: Resource) -> bool {
    use Action as A;
    use Role as R;
    match (actor.role, resource) {
        (_, Resource::Service) if action.is_about_a_case() => false,
        (_, Resource::Case(_)) if !action.is_about_a_case() => false,
        (R::TeamManager | R::HeadOfService, Resource::Case(_)) => {
            matches!(
                action,
                A::ViewCase
                    | A::RecordEvent
                    | A::AssignCaseManager
                    | A::EditPlan
                    | A::IssueFinalPlan
            )
        }
        (R::TeamManager | R::HeadOfService, Resource::Service) => {
            matches!(
                action,
                A::OpenCase
                    | A::ListCases
                    | A::ViewAggregates
                    | A::ViewPseudonymisedList
                    | A::ViewTeamCaseloads
                    | A::ManageAudits
                    | A::AuditPlans
                    | A::ViewAuditExamples
                    | A::EditImprovementPlan
                    | A::ManagePanels
                    | A::SitOnPanel
                    | A::ManageSurveys
                    | A::ReadSurveyComments
            ) || (actor.role == R::HeadOfService && action == A::TransferData)
        }
        (R::CaseManager, Resource::Service) => {
            matches!(
                action,
                A::OpenCase | A::ListCases | A::ViewAuditExamples | A::SitOnPanel
            )
        }
        (R::CaseManager, Resource::Case(case)) => {
            matches!(action, A::ViewCase | A::RecordEvent | A::EditPlan) && works_on(actor, case)
        }
        (R::QaAuditor, Resource::Service) => matches!(
            action,
            A::ListCases
                | A::ViewAggregates
                | A::AuditPlans
                | A::ViewAuditExamples
                | A::SitOnPanel
                | A::ReadSurveyComments
        ),
        (R::QaAuditor, Resource::Case(_)) => action == A::ViewCase,
        (R::Analyst, Resource::Service) => {
            matches!(action, A::ViewAggregates | A::ViewPseudonymisedList)
        }
        (R::Admin, Resource::Service) => action == A::ManageAccounts,
        (R::Analyst | R::Admin, Resource::Case(_)) => false,
        (
            R::HealthProfessional | R::SocialCareProfessional | R::EducationSetting,
            Resource::Case(case),
        ) => {
            matches!(
                action,
                A::ViewCase | A::RespondToAdviceRequest | A::SendMessage
            ) && asked_for_advice(actor, case)
        }
        (R::Parent, Resource::Case(case)) => {
            matches!(
                action,
                A::ViewCase | A::CommentOnDraft | A::SendMessage | A::RespondToAdviceRequest
            ) && case.family.contains(&actor.id)
        }
        (
            R::HealthProfessional | R::SocialCareProfessional | R::EducationSetting | R::Parent,
            Resource::Service,
        ) => action == A::ListLinkedCases,
    }
}

/// A professional or setting was asked for advice on the case: by name, or through their service.
fn asked_for_advice(actor: &Actor, case: &CaseAccess) -> bool {
    case.advice_recipients.contains(&actor.id)
        || actor
            .provider
            .as_ref()
            .is_some_and(|p| case.advice_providers.contains(p))
}

/// Who signs off final EHC plans in this area (`TANDEM_PLAN_SIGN_OFF`). The Written Statement
/// of Action asks for final plans to be signed off by senior leaders; areas differ in how senior,
/// so the most junior role that may sign is a setting. Case managers never sign: sign-off is a
/// check on their work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlanSignOff {
    /// The head of service alone (the default).
    #[default]
    HeadOfService,
    /// Team managers, and the head of service.
    TeamManager,
}

impl PlanSignOff {
    /// Reads the setting's machine name: `head_of_service` or `team_manager`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "head_of_service" => Some(Self::HeadOfService),
            "team_manager" => Some(Self::TeamManager),
            _ => None,
        }
    }

    /// Whether someone in `role` may sign off a final plan under this setting.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Self::HeadOfService => role == Role::HeadOfService,
            Self::TeamManager => matches!(role, Role::TeamManager | Role::HeadOfService),
        }
    }
}

/// How many days after its last advice request on a case closes a service may still open the
/// case, unless configured otherwise: four weeks, to answer questions about the advice it gave.
pub const DEFAULT_ADVICE_ACCESS_DAYS: u32 = 28;

/// The form of a service's name that requests and accounts are matched on: trimmed, spaces
/// collapsed and lower-cased, so that "Community  Paediatrics" on a request reaches the members
/// of "community paediatrics".
pub fn provider_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A service asked for advice on a case, and whether its requests are still open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceWindow {
    /// The service, as a [`provider_key`].
    pub provider: String,
    /// `None` while any request to the service is open; otherwise the day its last request
    /// closed (advice received, or the duty ended).
    pub closed_on: Option<Date>,
}

impl AdviceWindow {
    /// The earliest closing day whose service may still see the case on `today`, `days` after.
    pub fn earliest_open_closing(today: Date, days: u32) -> Date {
        today - chrono::Days::new(u64::from(days))
    }

    /// Whether the service may see the case on `today`, with access lasting `days` after the
    /// last request closed.
    pub fn is_open_on(&self, today: Date, days: u32) -> bool {
        self.closed_on
            .is_none_or(|closed| closed >= Self::earliest_open_closing(today, days))
    }

    /// One window per service asked for advice on `case`, from its computed `timeline`. A
    /// request whose duty ended without advice (the request was withdrawn, say) closed on the
    /// case's last recorded day.
    pub fn of_case(case: &CaseFile, timeline: &Timeline) -> Vec<AdviceWindow> {
        let last_day = case.events.iter().map(|e| e.date).max();
        let mut windows: BTreeMap<String, Option<Date>> = BTreeMap::new();
        for milestone in &timeline.milestones {
            let Some(provider) = milestone.provider.as_deref() else {
                continue;
            };
            let closed = match milestone.status {
                Status::Pending | Status::Overdue => None,
                Status::Met | Status::Late => milestone.done,
                Status::NotApplicable => milestone.done.or(last_day),
            };
            windows
                .entry(provider_key(provider))
                .and_modify(|seen| *seen = seen.zip(closed).map(|(a, b)| a.max(b)))
                .or_insert(closed);
        }
        windows
            .into_iter()
            .map(|(provider, closed_on)| AdviceWindow {
                provider,
                closed_on,
            })
            .collect()
    }
}

/// A case manager works on cases assigned to them or to their team.
fn works_on(actor: &Actor, case: &CaseAccess) -> bool {
    case.case_manager == Some(actor.id) || (actor.team.is_some() && case.team == actor.team)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;

    /// How a case relates to the actor in the matrix below.
    #[derive(Debug, Clone, Copy)]
    enum Link {
        Service,
        Own,
        Team,
        Other,
        AdviceAddressed,
        ProviderAddressed,
        Family,
    }

    fn case_for(actor: &Actor, link: Link) -> Option<CaseAccess> {
        let mut case = CaseAccess {
            case_manager: Some(999),
            team: Some("east".into()),
            ..Default::default()
        };
        match link {
            Link::Service => return None,
            Link::Own => case.case_manager = Some(actor.id),
            Link::Team => case.team = actor.team.clone(),
            Link::Other => {}
            Link::AdviceAddressed => case.advice_recipients.push(actor.id),
            Link::ProviderAddressed => case.advice_providers.push("community paediatrics".into()),
            Link::Family => case.family.push(actor.id),
        }
        Some(case)
    }

    /// The whole matrix, written out: for each role, the (action, link) pairs allowed. Anything
    /// not listed must be refused.
    fn allowed(role: Role) -> Vec<(Action, Link)> {
        use Link::*;
        let every_case = [Own, Team, Other, AdviceAddressed, ProviderAddressed, Family];
        let manager = |extra: &[Action], on_cases: &[Action]| {
            let mut v: Vec<(Action, Link)> = [
                A::OpenCase,
                A::ListCases,
                A::ViewAggregates,
                A::ViewPseudonymisedList,
                A::ViewTeamCaseloads,
                A::ManageAudits,
                A::AuditPlans,
                A::ViewAuditExamples,
                A::EditImprovementPlan,
                A::ManagePanels,
                A::SitOnPanel,
                A::ManageSurveys,
                A::ReadSurveyComments,
            ]
            .iter()
            .chain(extra)
            .map(|a| (*a, Service))
            .collect();
            for link in every_case {
                v.extend(
                    [
                        A::ViewCase,
                        A::RecordEvent,
                        A::AssignCaseManager,
                        A::EditPlan,
                    ]
                    .iter()
                    .chain(on_cases)
                    .map(|a| (*a, link)),
                );
            }
            v
        };
        match role {
            Role::TeamManager => manager(&[], &[A::IssueFinalPlan]),
            Role::HeadOfService => manager(&[A::TransferData], &[A::IssueFinalPlan]),
            Role::CaseManager => vec![
                (A::OpenCase, Service),
                (A::ListCases, Service),
                (A::ViewAuditExamples, Service),
                (A::SitOnPanel, Service),
                (A::ViewCase, Own),
                (A::RecordEvent, Own),
                (A::EditPlan, Own),
                (A::ViewCase, Team),
                (A::RecordEvent, Team),
                (A::EditPlan, Team),
            ],
            Role::QaAuditor => {
                let mut v = vec![
                    (A::ListCases, Service),
                    (A::ViewAggregates, Service),
                    (A::AuditPlans, Service),
                    (A::ViewAuditExamples, Service),
                    (A::SitOnPanel, Service),
                    (A::ReadSurveyComments, Service),
                ];
                v.extend(every_case.iter().map(|l| (A::ViewCase, *l)));
                v
            }
            Role::Analyst => vec![
                (A::ViewAggregates, Service),
                (A::ViewPseudonymisedList, Service),
            ],
            Role::Admin => vec![(A::ManageAccounts, Service)],
            Role::HealthProfessional | Role::SocialCareProfessional | Role::EducationSetting => {
                vec![
                    (A::ListLinkedCases, Service),
                    (A::ViewCase, AdviceAddressed),
                    (A::RespondToAdviceRequest, AdviceAddressed),
                    (A::SendMessage, AdviceAddressed),
                    (A::ViewCase, ProviderAddressed),
                    (A::RespondToAdviceRequest, ProviderAddressed),
                    (A::SendMessage, ProviderAddressed),
                ]
            }
            Role::Parent => vec![
                (A::ListLinkedCases, Service),
                (A::ViewCase, Family),
                (A::CommentOnDraft, Family),
                (A::SendMessage, Family),
                (A::RespondToAdviceRequest, Family),
            ],
        }
    }

    #[test]
    fn the_role_action_matrix_is_exactly_as_written() {
        use Link::*;
        for &role in Role::ALL {
            // Every role carries a service here, so that only the roles that may use it do.
            let actor = Actor {
                id: 7,
                role,
                team: Some("west".into()),
                provider: Some("community paediatrics".into()),
            };
            let allowed = allowed(role);
            for &action in Action::ALL {
                for link in [
                    Service,
                    Own,
                    Team,
                    Other,
                    AdviceAddressed,
                    ProviderAddressed,
                    Family,
                ] {
                    let case = case_for(&actor, link);
                    let resource = case.as_ref().map_or(Resource::Service, Resource::Case);
                    let expected = allowed.iter().any(|(a, l)| {
                        *a == action && std::mem::discriminant(l) == std::mem::discriminant(&link)
                    });
                    assert_eq!(
                        can(&actor, action, resource),
                        expected,
                        "{role} {action:?} {link:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn plan_sign_off_names_the_most_junior_signer_and_never_a_case_manager() {
        use PlanSignOff as S;
        assert_eq!(S::default(), S::HeadOfService);
        assert_eq!(S::parse("head_of_service"), Some(S::HeadOfService));
        assert_eq!(S::parse(" team_manager "), Some(S::TeamManager));
        assert_eq!(S::parse("case_manager"), None);
        assert_eq!(S::parse("Head of service"), None);
        let signers = |setting: S| -> Vec<Role> {
            Role::ALL
                .iter()
                .copied()
                .filter(|r| setting.allows(*r))
                .collect()
        };
        assert_eq!(signers(S::HeadOfService), [Role::HeadOfService]);
        assert_eq!(
            signers(S::TeamManager),
            [Role::TeamManager, Role::HeadOfService]
        );
    }

    fn professional(provider: &str) -> Actor {
        Actor {
            id: 7,
            role: Role::HealthProfessional,
            team: None,
            provider: Some(provider_key(provider)),
        }
    }

    #[test]
    fn a_service_sees_only_cases_where_it_was_asked() {
        let asked = CaseAccess {
            advice_providers: vec![provider_key("Community Paediatrics")],
            ..Default::default()
        };
        let case = Resource::Case(&asked);
        assert!(can(
            &professional("community  paediatrics"),
            A::ViewCase,
            case
        ));
        assert!(!can(&professional("CAMHS"), A::ViewCase, case));
        let no_service = Actor {
            provider: None,
            ..professional("x")
        };
        assert!(!can(&no_service, A::ViewCase, case));
    }

    fn case_with(events: serde_json::Value) -> CaseFile {
        CaseFile::from_json(
            &serde_json::json!({
                "reference": "T-1",
                "child": { "date_of_birth": "2016-05-01" },
                "events": events,
            })
            .to_string(),
        )
        .unwrap()
    }

    fn windows(events: serde_json::Value, today: &str) -> Vec<AdviceWindow> {
        let case = case_with(events);
        let timeline = crate::timeline::compute(&case, today.parse().unwrap());
        AdviceWindow::of_case(&case, &timeline)
    }

    #[test]
    fn a_window_is_open_while_any_request_to_the_service_is() {
        let events = serde_json::json!([
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "health", "provider": "Community Paediatrics" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "educational_psychology", "provider": "Educational Psychology Service" },
            { "type": "advice_received", "date": "2026-03-02", "advice": "educational_psychology" },
            { "type": "advice_requested", "date": "2026-02-12", "advice": "other", "provider": "community paediatrics" },
            { "type": "advice_received", "date": "2026-03-20", "advice": "health" },
        ]);
        let found = windows(events, "2026-04-01");
        assert_eq!(
            found,
            vec![
                AdviceWindow {
                    provider: "community paediatrics".into(),
                    closed_on: None
                },
                AdviceWindow {
                    provider: "educational psychology service".into(),
                    closed_on: Some("2026-03-02".parse().unwrap()),
                },
            ]
        );
    }

    #[test]
    fn access_lasts_the_configured_days_after_the_last_request_closed_inclusive() {
        let window = AdviceWindow {
            provider: "camhs".into(),
            closed_on: Some("2026-03-02".parse().unwrap()),
        };
        // 28 days after 2 March is 30 March: the last day the service may still look.
        assert!(window.is_open_on("2026-03-30".parse().unwrap(), 28));
        assert!(!window.is_open_on("2026-03-31".parse().unwrap(), 28));
        assert!(!window.is_open_on("2026-03-03".parse().unwrap(), 0));
        let open = AdviceWindow {
            closed_on: None,
            ..window
        };
        assert!(open.is_open_on("2030-01-01".parse().unwrap(), 0));
    }

    #[test]
    fn a_withdrawn_request_closes_on_the_cases_last_day() {
        let events = serde_json::json!([
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "social_care", "provider": "Children's Social Care" },
            { "type": "request_withdrawn", "date": "2026-02-20" },
        ]);
        let found = windows(events, "2026-06-01");
        assert_eq!(found[0].closed_on, Some("2026-02-20".parse().unwrap()));
    }

    #[test]
    fn a_case_manager_without_a_team_sees_only_their_own_cases() {
        let actor = Actor {
            id: 7,
            role: Role::CaseManager,
            team: None,
            provider: None,
        };
        let unassigned_team = CaseAccess {
            case_manager: None,
            team: None,
            ..Default::default()
        };
        assert!(!can(&actor, A::ViewCase, Resource::Case(&unassigned_team)));
    }
}
