//! The demo's decision panels: the EHC needs assessment panel and the plan panel, meeting every
//! other Thursday, with past meetings that decided the most urgent cases of their agendas and
//! meetings still to come.

use chrono::{Datelike, Days};
use tandem_app::services::{Caller, PanelDecisionInput, Services, Source};
use tandem_core::panels::PanelDecides;
use tandem_core::{Date, Role};
use tandem_store::Store;

use crate::cli_error::CliError;

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Internal(anyhow::anyhow!("the demo panels: {e}"))
}

/// The panels, what they decide, their terms of reference, and the outcomes their past meetings
/// give the cases they decide, in turn.
const PANELS: &[(&str, PanelDecides, &str, &[&str])] = &[
    (
        "EHC needs assessment panel",
        PanelDecides::Assess,
        "Decides whether to carry out an EHC needs assessment (Children and Families Act 2014 \
         s.36; SEND Regulations 2014 reg 5(1): within 6 weeks of the request).\nMembers: the \
         head of SEND (chair), a team manager, an educational psychologist, health and social \
         care representatives, a SENCo.\nMeets every other Thursday; a case that would miss its \
         6 weeks waiting for the next meeting is decided by the chair between meetings.",
        &["assess", "assess", "not_assess"],
    ),
    (
        "EHC plan panel",
        PanelDecides::Issue,
        "Decides after the assessment whether to issue an EHC plan (SEND Regulations 2014 reg \
         10(1): a decision not to issue within 16 weeks of the request; reg 13(2): the final \
         plan within 20 weeks).\nMembers: the head of SEND (chair), team managers, an \
         educational psychologist, a finance officer.\nMeets every other Thursday.",
        &["issue", "issue", "not_issue"],
    ),
];

/// Sets the panels up, as the head of service, with members, meetings every other Thursday from
/// six weeks back to six weeks ahead, and the decisions of those already held.
pub(crate) async fn create(store: &Store, today: Date) -> Result<(), CliError> {
    let mut people = Vec::new();
    for role in [
        Role::HeadOfService,
        Role::TeamManager,
        Role::CaseManager,
        Role::QaAuditor,
    ] {
        let email = format!("{}@demo.test", role.as_str());
        match store.user_by_email(&email).await? {
            Some(user) => people.push(Caller::new(user.actor(), Source::Form)),
            None => return Ok(()),
        }
    }
    let head = &people[0];
    let services = Services::new(store.clone());
    let last_thursday =
        today - Days::new(u64::from((today.weekday().num_days_from_monday() + 4) % 7));
    for (name, decides, terms, outcomes) in PANELS {
        let panel = services
            .add_panel(head, name, decides.as_str(), terms)
            .await
            .map_err(failed)?;
        // The team manager and the auditor read named papers; the case manager, sitting as a
        // practitioner, reads them pseudonymised.
        for (member, sees_identity) in [(&people[1], true), (&people[2], false), (&people[3], true)]
        {
            services
                .set_panel_member(head, panel, member.actor.id, sees_identity)
                .await
                .map_err(failed)?;
        }
        let mut meetings = Vec::new();
        for weeks in [-6_i64, -4, -2, 0, 2, 4, 6] {
            let day = last_thursday + chrono::Duration::weeks(weeks);
            let id = services
                .plan_panel_meeting(head, panel, day)
                .await
                .map_err(failed)?;
            meetings.push((id, day));
        }
        for (meeting, day) in meetings.iter().filter(|(_, day)| *day < today) {
            decide(store, &services, head, (*meeting, *day), outcomes).await?;
        }
    }
    Ok(())
}

/// Decides the three most urgent cases of a past meeting's agenda whose histories end by its
/// day, giving them `outcomes` in turn, and writes its minutes.
async fn decide(
    store: &Store,
    services: &Services,
    head: &Caller,
    (meeting, day): (i64, Date),
    outcomes: &[&str],
) -> Result<(), CliError> {
    let papers = services
        .panel_meeting(head, meeting)
        .await
        .map_err(failed)?;
    let mut decided = 0;
    for entry in &papers.agenda {
        if decided == outcomes.len() {
            break;
        }
        let Some(case) = store.case(&entry.item.reference).await? else {
            continue;
        };
        if case.case_file().events.iter().any(|e| e.date > day) {
            continue;
        }
        let outcome = outcomes[decided];
        let reason = match outcome {
            "assess" | "issue" => {
                "The evidence shows needs that may call for provision beyond \
                                   what the setting can make from its own resources."
            }
            _ => {
                "The setting's support is meeting the child's needs; the panel advised on \
                  next steps under SEN support."
            }
        };
        services
            .record_panel_decision(
                head,
                meeting,
                &PanelDecisionInput {
                    reference: &entry.item.reference,
                    version: entry.version,
                    outcome,
                    reason,
                },
            )
            .await
            .map_err(failed)?;
        decided += 1;
    }
    services
        .save_panel_minutes(
            head,
            meeting,
            &format!(
                "Present: head of SEND (chair), team manager, case manager, QA auditor.\n\
                 {decided} cases decided; decisions and reasons recorded on each case."
            ),
        )
        .await
        .map_err(failed)
}
