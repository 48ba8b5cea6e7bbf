//! Decision panels (issue 17 item 1): panels with terms of reference and members, meetings,
//! agendas built from the cases awaiting each panel's kind of decision, decisions recorded onto
//! the cases as their ordinary statutory events, minutes, papers for members and figures.
//!
//! Team managers and the head of service run panels ([`Action::ManagePanels`]). A member who is
//! not a manager reads the papers of the panels they sit on ([`Action::SitOnPanel`]), without
//! names or dates of birth unless the panel lets them see identity. A decision goes through
//! [`Services::record`], so it is checked, audited and moves the case's milestones exactly as the
//! case's own form would; the meeting it came from and the reason are kept with it.

use serde_json::json;
use tandem_core::disclosure::SmallNumbers;
use tandem_core::panels::{self, AgendaItem, HeardCase, KindFigures, PanelDecides};
use tandem_core::{Action, Actor, Date, EventType, Reference, Resource, Role, UserId, can, input};
use tandem_store::{AuditEntry, Panel, PanelDecision, PanelMeeting, PanelMember, Tx};

use super::cases::{Provenance, checked_text};
use super::providers::audited;
use super::{Caller, FieldError, Recorded, ServiceError, Services, authorise_service, denied};

/// A panel with its next meeting, for the list of panels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelSummary {
    /// The panel.
    pub panel: Panel,
    /// Its first meeting today or later, if one is planned.
    pub next_meeting: Option<PanelMeeting>,
    /// How many members it has.
    pub members: usize,
}

/// What the panels page shows its reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelsOverview {
    /// The panels the reader runs (all of them) or sits on.
    pub panels: Vec<PanelSummary>,
    /// Whether the reader runs panels (may add them and see every one).
    pub may_manage: bool,
    /// What the panels decided, for those who see aggregate figures; counts hidden below the
    /// threshold for those who may not open the cases.
    pub figures: Option<Vec<KindFigures>>,
}

/// Someone who may be made a member of a panel: staff whose role may sit on one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Their account.
    pub id: UserId,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// One panel as its managers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelDetail {
    /// The panel.
    pub panel: Panel,
    /// Its members.
    pub members: Vec<PanelMember>,
    /// Its meetings, earliest first.
    pub meetings: Vec<PanelMeeting>,
    /// Who may be added.
    pub candidates: Vec<Candidate>,
}

/// One case on a meeting's agenda, as its reader may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaEntry {
    /// The case's place and dates on the agenda.
    pub item: AgendaItem,
    /// How the case is named: the child's name, or "Case 3" on pseudonymised papers.
    pub label: String,
    /// The child's date of birth, on identified papers only.
    pub date_of_birth: Option<Date>,
    /// The child's primary need as recorded.
    pub need: Option<String>,
    /// The case's version, to record a decision against.
    pub version: i64,
}

/// A meeting with its agenda, decisions and minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingView {
    /// The panel.
    pub panel: Panel,
    /// The meeting.
    pub meeting: PanelMeeting,
    /// The panel's next meeting after this one, if planned.
    pub next_meeting: Option<Date>,
    /// The cases awaiting the panel's decision.
    pub agenda: Vec<AgendaEntry>,
    /// The decisions this meeting recorded (for managers and identified papers only).
    pub decisions: Vec<PanelDecision>,
    /// Whether the papers name the children (managers, and members allowed to see identity).
    pub identified: bool,
    /// Whether the reader may record decisions and minutes.
    pub may_manage: bool,
}

/// A decision taken at a meeting, to record onto a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelDecisionInput<'a> {
    /// The case.
    pub reference: &'a Reference,
    /// The case's version as read with the agenda.
    pub version: i64,
    /// The outcome's machine name ([`PanelDecides::outcomes`]).
    pub outcome: &'a str,
    /// Why the panel decided so.
    pub reason: &'a str,
}

fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(field, message)])
}

fn not_found(what: &str, id: i64) -> ServiceError {
    ServiceError::NotFound {
        reference: format!("{what} {id}"),
    }
}

fn allowed(caller: &Caller, action: Action) -> bool {
    can(&caller.actor, action, Resource::Service)
}

/// Whether an account's role may sit on a panel.
fn may_sit(role: Role) -> bool {
    let actor = Actor {
        id: 0,
        role,
        team: None,
        provider: None,
    };
    can(&actor, Action::SitOnPanel, Resource::Service)
}

impl Services {
    /// The panels the caller runs or sits on, and the panels' figures for those who see
    /// aggregates (counts under `configured` hidden from those who may not open the cases).
    /// Refused, and audited, for anyone who does none of these.
    pub async fn panels_overview(
        &self,
        caller: &Caller,
        configured: SmallNumbers,
    ) -> Result<PanelsOverview, ServiceError> {
        let may_manage = allowed(caller, Action::ManagePanels);
        let sits = allowed(caller, Action::SitOnPanel);
        let sees_figures = allowed(caller, Action::ViewAggregates);
        if !(may_manage || sits || sees_figures) {
            return Err(self.refuse(caller, Action::ManagePanels).await);
        }
        let mut read = self.snapshot().await?;
        let today = read.today();
        let mut panels = Vec::new();
        if may_manage || sits {
            for panel in read.panels().await? {
                let members = read.panel_members(panel.id).await?;
                if !may_manage && !members.iter().any(|m| m.user_id == caller.actor.id) {
                    continue;
                }
                let next_meeting = read
                    .panel_meetings(panel.id)
                    .await?
                    .into_iter()
                    .find(|m| m.meets_on >= today);
                panels.push(PanelSummary {
                    panel,
                    next_meeting,
                    members: members.len(),
                });
            }
        }
        let figures = if sees_figures {
            let small = if allowed(caller, Action::ListCases) {
                SmallNumbers::SHOWN
            } else {
                configured
            };
            Some(panels::figures(&heard_cases(&mut read).await?, small))
        } else {
            None
        };
        drop(read);
        self.audit_read(AuditEntry::new(Some(caller.actor.id), "panel.list").detail(
            caller.detail(json!({
                "panels": panels.len(),
                "figures": figures.is_some(),
            })),
        ))
        .await?;
        Ok(PanelsOverview {
            panels,
            may_manage,
            figures,
        })
    }

    /// Sets a panel up, audited as `panel.add`; returns its id.
    pub async fn add_panel(
        &self,
        caller: &Caller,
        name: &str,
        decides: &str,
        terms_of_reference: &str,
    ) -> Result<i64, ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ManagePanels).await?;
        let mut errors = Vec::new();
        let name = name.trim();
        if name.is_empty() {
            errors.push(FieldError::new("name", "Enter the panel's name"));
        } else if let Err(problem) = input::check_text(name, input::MAX_LABEL, false) {
            errors.push(FieldError::new("name", problem.message("Name")));
        } else if tx.panel_name_taken(name).await? {
            errors.push(FieldError::new("name", "Another panel has that name"));
        }
        let decides = PanelDecides::parse(decides);
        if decides.is_none() {
            errors.push(FieldError::new("decides", "Choose what the panel decides"));
        }
        let terms = terms_of_reference.trim();
        if terms.is_empty() {
            errors.push(FieldError::new(
                "terms_of_reference",
                "Enter the panel's terms of reference",
            ));
        } else if let Err(problem) = input::check_text(terms, input::MAX_TEXT, true) {
            errors.push(FieldError::new(
                "terms_of_reference",
                problem.message("Terms of reference"),
            ));
        }
        let (Some(decides), true) = (decides, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let id = tx.add_panel(name, decides, terms).await?;
        audited(
            tx,
            caller,
            "panel.add",
            json!({ "panel": id, "decides": decides.as_str() }),
        )
        .await?;
        Ok(id)
    }

    /// One panel with its members, meetings and the staff who may join it, for its managers.
    /// Staff names are not a child's record: an allowed reading leaves no audit entry.
    pub async fn panel_detail(
        &self,
        caller: &Caller,
        panel_id: i64,
    ) -> Result<PanelDetail, ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ManagePanels).await?;
        let panel = tx
            .panel(panel_id)
            .await?
            .ok_or_else(|| not_found("panel", panel_id))?;
        let members = tx.panel_members(panel_id).await?;
        let meetings = tx.panel_meetings(panel_id).await?;
        let candidates = tx
            .users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled && may_sit(u.role))
            .filter(|u| !members.iter().any(|m| m.user_id == u.id))
            .map(|u| Candidate {
                id: u.id,
                name: u.name,
                role: u.role,
            })
            .collect();
        tx.rollback().await?;
        Ok(PanelDetail {
            panel,
            members,
            meetings,
            candidates,
        })
    }

    /// Adds a member to a panel (or changes whether they see identity), audited as
    /// `panel.member`.
    pub async fn set_panel_member(
        &self,
        caller: &Caller,
        panel_id: i64,
        user_id: UserId,
        sees_identity: bool,
    ) -> Result<(), ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ManagePanels).await?;
        tx.panel(panel_id)
            .await?
            .ok_or_else(|| not_found("panel", panel_id))?;
        match tx.user(user_id).await? {
            Some(user) if !user.disabled && may_sit(user.role) => {}
            _ => return Err(invalid("member", "Choose a member of staff to add")),
        }
        tx.set_panel_member(panel_id, user_id, sees_identity)
            .await?;
        audited(
            tx,
            caller,
            "panel.member",
            json!({ "panel": panel_id, "member": user_id, "sees_identity": sees_identity }),
        )
        .await
    }

    /// Takes a member off a panel, audited as `panel.member_removed`.
    pub async fn remove_panel_member(
        &self,
        caller: &Caller,
        panel_id: i64,
        user_id: UserId,
    ) -> Result<(), ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ManagePanels).await?;
        if !tx.remove_panel_member(panel_id, user_id).await? {
            return Err(not_found("panel member", user_id));
        }
        audited(
            tx,
            caller,
            "panel.member_removed",
            json!({ "panel": panel_id, "member": user_id }),
        )
        .await
    }

    /// Plans a meeting of a panel, audited as `panel.meeting`; returns its id.
    pub async fn plan_panel_meeting(
        &self,
        caller: &Caller,
        panel_id: i64,
        meets_on: Date,
    ) -> Result<i64, ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ManagePanels).await?;
        tx.panel(panel_id)
            .await?
            .ok_or_else(|| not_found("panel", panel_id))?;
        if meets_on < input::EARLIEST {
            return Err(invalid(
                "meets_on",
                "Enter a date for the meeting on or after 1 September 2014",
            ));
        }
        let id = tx
            .add_panel_meeting(panel_id, meets_on)
            .await?
            .ok_or_else(|| invalid("meets_on", "The panel already meets on that day"))?;
        audited(
            tx,
            caller,
            "panel.meeting",
            json!({ "panel": panel_id, "meeting": id, "meets_on": meets_on }),
        )
        .await?;
        Ok(id)
    }

    /// A meeting's papers: its agenda (every case awaiting the panel's kind of decision, with
    /// its statutory due date and whether waiting for the next meeting would miss it), the
    /// decisions it recorded and its minutes. Managers and members allowed to see identity get
    /// names and dates of birth; other members get "Case 1", "Case 2"… and no decisions list.
    /// The reading is audited as `panel.papers`, naming the cases shown.
    pub async fn panel_meeting(
        &self,
        caller: &Caller,
        meeting_id: i64,
    ) -> Result<MeetingView, ServiceError> {
        let may_manage = allowed(caller, Action::ManagePanels);
        if !may_manage && !allowed(caller, Action::SitOnPanel) {
            return Err(self.refuse(caller, Action::SitOnPanel).await);
        }
        let mut read = self.snapshot().await?;
        let (panel, meeting) = meeting_of(&mut read, meeting_id).await?;
        let membership = read
            .panel_members(panel.id)
            .await?
            .into_iter()
            .find(|m| m.user_id == caller.actor.id);
        let identified = match (may_manage, &membership) {
            (true, _) => true,
            (false, Some(member)) => member.sees_identity,
            (false, None) => {
                drop(read);
                return Err(self.refuse(caller, Action::SitOnPanel).await);
            }
        };
        let next_meeting = read
            .panel_meetings(panel.id)
            .await?
            .into_iter()
            .map(|m| m.meets_on)
            .find(|d| *d > meeting.meets_on);
        let today = read.today();
        let mut cases = Vec::new();
        for reference in read.references_in_stage(panel.decides.awaiting()).await? {
            if let Some(case) = read.case(&reference).await? {
                let timeline = tandem_core::timeline::compute(&case.case_file(), today);
                cases.push((case, timeline));
            }
        }
        let items = panels::agenda(
            panel.decides,
            meeting.meets_on,
            next_meeting,
            cases.iter().map(|(_, t)| t),
        );
        let agenda: Vec<AgendaEntry> = items
            .into_iter()
            .enumerate()
            .filter_map(|(index, item)| {
                let (case, _) = cases
                    .iter()
                    .find(|(c, _)| c.record.reference == item.reference)?;
                let child = &case.child;
                let label = if identified {
                    [child.text("given_name"), child.text("family_name")]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ")
                } else {
                    format!("Case {}", index + 1)
                };
                Some(AgendaEntry {
                    label,
                    date_of_birth: child.date_of_birth.filter(|_| identified),
                    need: child.text("primary_need").map(str::to_owned),
                    version: case.record.version,
                    item,
                })
            })
            .collect();
        let decisions = if identified {
            read.panel_decisions(None, Some(meeting_id)).await?
        } else {
            Vec::new()
        };
        drop(read);
        let shown: Vec<&str> = if identified {
            agenda.iter().map(|e| e.item.reference.as_str()).collect()
        } else {
            Vec::new()
        };
        self.audit_read(
            AuditEntry::new(Some(caller.actor.id), "panel.papers").detail(caller.detail(json!({
                "meeting": meeting_id,
                "identified": identified,
                "cases": agenda.len(),
                "shown": shown,
            }))),
        )
        .await?;
        Ok(MeetingView {
            panel,
            meeting,
            next_meeting,
            agenda,
            decisions,
            identified,
            may_manage,
        })
    }

    /// Records a meeting's decision onto a case as the statutory event it is (a decision to
    /// assess or not, a decision to issue or not), dated the day of the meeting, through the
    /// ordinary recording service: the caller must run panels and be allowed to record on the
    /// case; the event is checked, moves the case's milestones, queues its notices and is
    /// audited once (`case.record_event`, naming the meeting), with the meeting and the reason
    /// kept beside it.
    pub async fn record_panel_decision(
        &self,
        caller: &Caller,
        meeting_id: i64,
        decision: &PanelDecisionInput<'_>,
    ) -> Result<Recorded, ServiceError> {
        if !allowed(caller, Action::ManagePanels) {
            return Err(self.refuse(caller, Action::ManagePanels).await);
        }
        let mut read = self.snapshot().await?;
        let (panel, meeting) = meeting_of(&mut read, meeting_id).await?;
        let today = read.today();
        drop(read);
        let mut errors = Vec::new();
        if meeting.meets_on > today {
            errors.push(FieldError::new(
                "outcome",
                "The meeting has not happened yet: record its decisions from the day it meets",
            ));
        }
        let event = panel.decides.decision(decision.outcome, meeting.meets_on);
        if event.is_none() {
            errors.push(FieldError::new("outcome", "Choose the panel's decision"));
        }
        let reason = match checked_text(decision.reason, "Enter the panel's reason") {
            Ok(reason) => Some(reason),
            Err(ServiceError::Invalid(mut problems)) => {
                errors.append(&mut problems);
                None
            }
            Err(other) => return Err(other),
        };
        let (Some(event), Some(reason), true) = (event, reason, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let provenance = Provenance::Panel {
            meeting_id,
            outcome: decision.outcome,
            reason,
        };
        // The event is dated the meeting's day: a date the case's checks refuse (before the
        // request) is the decision's problem, not a field of this form.
        self.record(
            caller,
            decision.reference,
            decision.version,
            std::slice::from_ref(&event),
            provenance,
        )
        .await
        .map_err(|error| match error {
            ServiceError::Invalid(errors) => ServiceError::Invalid(
                errors
                    .into_iter()
                    .map(|e| match e.field.as_str() {
                        "date" => FieldError::new("outcome", e.message),
                        _ => e,
                    })
                    .collect(),
            ),
            other => other,
        })
    }

    /// Replaces a meeting's minutes, audited as `panel.minutes`.
    pub async fn save_panel_minutes(
        &self,
        caller: &Caller,
        meeting_id: i64,
        minutes: &str,
    ) -> Result<(), ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ManagePanels).await?;
        meeting_of(&mut tx, meeting_id).await?;
        let minutes = minutes.trim();
        if minutes.is_empty() {
            return Err(invalid("minutes", "Enter the minutes"));
        }
        if let Err(problem) = input::check_text(minutes, input::MAX_TEXT, true) {
            return Err(invalid("minutes", problem.message("Minutes")));
        }
        tx.set_panel_minutes(meeting_id, minutes).await?;
        audited(
            tx,
            caller,
            "panel.minutes",
            json!({ "meeting": meeting_id }),
        )
        .await
    }

    /// Audits a refusal of `action` in a transaction of its own, and gives the refusal.
    async fn refuse(&self, caller: &Caller, action: Action) -> ServiceError {
        match self.audit_read(denied(caller, action)).await {
            Ok(()) => ServiceError::Forbidden,
            Err(error) => error,
        }
    }
}

async fn meeting_of(tx: &mut Tx, meeting_id: i64) -> Result<(Panel, PanelMeeting), ServiceError> {
    let meeting = tx
        .panel_meeting(meeting_id)
        .await?
        .ok_or_else(|| not_found("panel meeting", meeting_id))?;
    let panel = tx
        .panel(meeting.panel_id)
        .await?
        .ok_or_else(|| not_found("panel", meeting.panel_id))?;
    Ok((panel, meeting))
}

/// Every decision the panels recorded, with the case's request date, need and setting.
async fn heard_cases(tx: &mut Tx) -> Result<Vec<HeardCase>, ServiceError> {
    let mut heard = Vec::new();
    for panel in tx.panels().await? {
        let meetings = tx.panel_meetings(panel.id).await?;
        for decision in tx.panel_decisions(Some(panel.id), None).await? {
            let Some(meeting) = meetings.iter().find(|m| m.id == decision.meeting_id) else {
                continue;
            };
            let reference = Reference::parse(&decision.reference)
                .map_err(|e| tandem_store::StoreError::Corrupt(format!("reference: {e}")))?;
            let Some(case) = tx.case(&reference).await? else {
                continue;
            };
            let file = case.case_file();
            let Some(received) = file
                .events
                .iter()
                .filter(|e| e.event_type() == EventType::RequestReceived)
                .map(|e| e.date)
                .min()
            else {
                continue;
            };
            heard.push(HeardCase {
                decides: panel.decides,
                outcome: decision.outcome.clone(),
                received,
                heard: meeting.meets_on,
                need: file.child.text("primary_need").map(str::to_owned),
                setting: file.child.text("setting").map(str::to_owned),
            });
        }
    }
    Ok(heard)
}
