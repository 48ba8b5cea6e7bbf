//! Decision panels on both databases (issue 17 item 1): managers set a panel up with members and
//! meetings; a meeting's agenda lists the cases awaiting its decision with their due dates and
//! flags those that would miss their limit by waiting; a decision recorded by the panel is an
//! ordinary event on the case, moves its milestone and keeps its meeting and reason; members who
//! need not see identity read pseudonymised papers; figures hide small counts from analysts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::json;
use tandem_app::services::{Caller, NewRequest, PanelDecisionInput, ServiceError, Services};
use tandem_core::disclosure::SmallNumbers;
use tandem_core::panels::Count;
use tandem_core::{AssessOutcome, Child, EventDetail, Reference, Role, Status};
use tandem_store::{AuditFilter, Source, Store};
use tandem_test_support::{Ctx, actor, contract, date};

contract!(
    a_panel_decision_is_recorded_on_the_case_and_moves_its_milestone,
    members_who_need_not_see_identity_read_pseudonymised_papers,
    only_managers_run_panels_and_refusals_are_audited,
);

fn services(store: &Store) -> Services {
    // Monday 2 March 2026.
    let noon = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
    Services::with_clock(store.clone(), Arc::new(move || noon))
}

async fn person(store: &Store, email: &str, role: Role) -> Caller {
    Caller::new(actor(store, email, role).await, Source::Form)
}

async fn open(services: &Services, manager: &Caller, reference: &str, received: &str) {
    let mut child = Child {
        date_of_birth: Some(date("2016-05-04")),
        ..Child::default()
    };
    for (key, value) in [
        ("given_name", "Ada"),
        ("family_name", reference),
        ("primary_need", "ASD"),
    ] {
        child.other.insert(key.into(), json!(value));
    }
    services
        .open_case(
            manager,
            &NewRequest {
                reference: Some(Reference::parse(reference).unwrap()),
                requested_by: None,
                child,
                received: date(received),
                case_manager: None,
                same_child_as: None,
                different_child: false,
            },
        )
        .await
        .unwrap();
}

/// A needs assessment panel meeting on Thursday 26 February and Thursday 26 March, with two
/// requests waiting: PAN-1 (received 19 January, due 2 March) and PAN-2 (received 20 February,
/// due 3 April).
async fn set_up(services: &Services, manager: &Caller) -> (i64, i64, i64) {
    let panel = services
        .add_panel(
            manager,
            "EHC needs assessment panel",
            "assess",
            "Decides whether to assess. Meets monthly.",
        )
        .await
        .unwrap();
    let held = services
        .plan_panel_meeting(manager, panel, date("2026-02-26"))
        .await
        .unwrap();
    let next = services
        .plan_panel_meeting(manager, panel, date("2026-03-26"))
        .await
        .unwrap();
    open(services, manager, "PAN-1", "2026-01-19").await;
    open(services, manager, "PAN-2", "2026-02-20").await;
    (panel, held, next)
}

/// Records `outcome` for `reference` at `meeting`, with `reason`.
async fn decide(
    services: &Services,
    caller: &Caller,
    meeting: i64,
    (reference, version): (&Reference, i64),
    (outcome, reason): (&str, &str),
) -> Result<tandem_app::services::Recorded, ServiceError> {
    let decision = PanelDecisionInput {
        reference,
        version,
        outcome,
        reason,
    };
    services
        .record_panel_decision(caller, meeting, &decision)
        .await
}

fn invalid(error: ServiceError) -> Vec<(String, String)> {
    match error {
        ServiceError::Invalid(errors) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn a_panel_decision_is_recorded_on_the_case_and_moves_its_milestone(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let manager = person(store, "tm@council.test", Role::TeamManager).await;
    let (_, held, next) = set_up(&services, &manager).await;

    let papers = services.panel_meeting(&manager, held).await.unwrap();
    assert!(papers.identified);
    assert_eq!(papers.next_meeting, Some(date("2026-03-26")));
    let agenda: Vec<_> = papers
        .agenda
        .iter()
        .map(|e| {
            (
                e.item.reference.as_str(),
                e.item.due,
                e.item.misses_if_deferred,
                e.label.as_str(),
            )
        })
        .collect();
    assert_eq!(
        agenda,
        [
            ("PAN-1", date("2026-03-02"), true, "Ada PAN-1"),
            ("PAN-2", date("2026-04-03"), false, "Ada PAN-2"),
        ]
    );

    // A decision needs an outcome and a reason; a meeting to come cannot decide yet.
    let pan1 = Reference::parse("PAN-1").unwrap();
    let blank = decide(
        &services,
        &manager,
        held,
        (&pan1, papers.agenda[0].version),
        ("", " "),
    )
    .await
    .unwrap_err();
    let fields: Vec<String> = invalid(blank).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["outcome", "reason"]);
    let early = decide(
        &services,
        &manager,
        next,
        (&pan1, papers.agenda[0].version),
        ("assess", "Evidence of needs"),
    )
    .await
    .unwrap_err();
    assert_eq!(invalid(early)[0].0, "outcome");

    decide(
        &services,
        &manager,
        held,
        (&pan1, papers.agenda[0].version),
        (
            "assess",
            "Evidence from the school of needs not met by SEN support",
        ),
    )
    .await
    .unwrap();

    // The case's history holds the statutory event, dated the meeting's day, and its decision
    // milestone is met; the page's reader learns which panel decided and why.
    let case = services.view_case(&manager, &pan1, None).await.unwrap();
    let decided = case
        .case
        .effective()
        .find_map(|r| match r.event.as_ref().map(|e| (&e.detail, e.date)) {
            Some((EventDetail::DecisionToAssess { outcome }, on)) => Some((r.id, *outcome, on)),
            _ => None,
        })
        .expect("a decision to assess");
    assert_eq!(decided.1, AssessOutcome::Assess);
    assert_eq!(decided.2, date("2026-02-26"));
    let milestone = case.timeline.milestone("decision_to_assess").unwrap();
    assert_eq!(milestone.status, Status::Met);
    assert_eq!(milestone.done, Some(date("2026-02-26")));
    assert_eq!(case.decision_sources.len(), 1);
    let source = &case.decision_sources[0];
    assert_eq!(source.event_id, decided.0);
    assert_eq!(source.panel, "EHC needs assessment panel");
    assert_eq!(source.meets_on, date("2026-02-26"));

    // Audited once, as any recorded event, naming the meeting.
    let entries = store
        .audit_log(&AuditFilter {
            action: Some("case.record_event".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].detail["panel_meeting"], json!(held));

    // The case has left the agenda; the meeting lists the decision.
    let papers = services.panel_meeting(&manager, held).await.unwrap();
    let left: Vec<_> = papers
        .agenda
        .iter()
        .map(|e| e.item.reference.as_str())
        .collect();
    assert_eq!(left, ["PAN-2"]);
    assert_eq!(papers.decisions.len(), 1);
    assert_eq!(papers.decisions[0].outcome, "assess");

    // Minutes are kept.
    services
        .save_panel_minutes(&manager, held, "Present: the panel. One case decided.")
        .await
        .unwrap();
    let papers = services.panel_meeting(&manager, held).await.unwrap();
    assert_eq!(
        papers.meeting.minutes.as_deref(),
        Some("Present: the panel. One case decided.")
    );

    // The figures count it for staff; an analyst sees the one case hidden.
    let overview = services
        .panels_overview(&manager, SmallNumbers::below(5))
        .await
        .unwrap();
    let figures = overview.figures.unwrap();
    assert_eq!(figures[0].heard, Count::Shown(1));
    assert_eq!(figures[0].median_days_to_panel, Some(38));
    let analyst = person(store, "analyst@council.test", Role::Analyst).await;
    let seen = services
        .panels_overview(&analyst, SmallNumbers::below(5))
        .await
        .unwrap();
    assert!(seen.panels.is_empty());
    assert_eq!(seen.figures.unwrap()[0].heard, Count::Hidden);
}

async fn members_who_need_not_see_identity_read_pseudonymised_papers(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let manager = person(store, "tm@council.test", Role::TeamManager).await;
    let member = person(store, "cm@council.test", Role::CaseManager).await;
    let named = person(store, "qa@council.test", Role::QaAuditor).await;
    let outsider = person(store, "cm2@council.test", Role::CaseManager).await;
    let (panel, held, _) = set_up(&services, &manager).await;
    services
        .set_panel_member(&manager, panel, member.actor.id, false)
        .await
        .unwrap();
    services
        .set_panel_member(&manager, panel, named.actor.id, true)
        .await
        .unwrap();

    let papers = services.panel_meeting(&member, held).await.unwrap();
    assert!(!papers.identified);
    assert!(!papers.may_manage);
    let labels: Vec<_> = papers.agenda.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["Case 1", "Case 2"]);
    assert!(papers.agenda.iter().all(|e| e.date_of_birth.is_none()));
    assert_eq!(papers.agenda[0].need.as_deref(), Some("ASD"));
    let named_papers = services.panel_meeting(&named, held).await.unwrap();
    assert!(named_papers.identified);
    assert_eq!(
        named_papers.agenda[0].date_of_birth,
        Some(date("2016-05-04"))
    );

    // A member sees the panels they sit on; someone on no panel sees none, nor its papers.
    let overview = services
        .panels_overview(&member, SmallNumbers::below(5))
        .await
        .unwrap();
    assert_eq!(overview.panels.len(), 1);
    assert!(overview.figures.is_none());
    let none = services
        .panels_overview(&outsider, SmallNumbers::below(5))
        .await
        .unwrap();
    assert!(none.panels.is_empty());
    assert!(matches!(
        services.panel_meeting(&outsider, held).await,
        Err(ServiceError::Forbidden)
    ));

    // Papers are audited reads: the pseudonymised ones name no case.
    let reads = store
        .audit_log(&AuditFilter {
            action: Some("panel.papers".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let member_read = reads
        .iter()
        .find(|r| r.actor == Some(member.actor.id))
        .unwrap();
    assert_eq!(member_read.detail["identified"], json!(false));
    assert_eq!(member_read.detail["shown"], json!([]));

    services
        .remove_panel_member(&manager, panel, member.actor.id)
        .await
        .unwrap();
    assert!(matches!(
        services.panel_meeting(&member, held).await,
        Err(ServiceError::Forbidden)
    ));
}

async fn only_managers_run_panels_and_refusals_are_audited(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let manager = person(store, "tm@council.test", Role::TeamManager).await;
    let case_manager = person(store, "cm@council.test", Role::CaseManager).await;
    let admin = person(store, "admin@council.test", Role::Admin).await;
    let (panel, held, _) = set_up(&services, &manager).await;

    assert!(matches!(
        services
            .add_panel(&case_manager, "Transport panel", "assess", "Terms")
            .await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        services
            .panels_overview(&admin, SmallNumbers::below(5))
            .await,
        Err(ServiceError::Forbidden)
    ));
    let pan1 = Reference::parse("PAN-1").unwrap();
    assert!(matches!(
        decide(
            &services,
            &case_manager,
            held,
            (&pan1, 1),
            ("assess", "Because")
        )
        .await,
        Err(ServiceError::Forbidden)
    ));
    let denied = store
        .audit_log(&AuditFilter {
            action: Some("denied".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(denied.len(), 3);

    // A second panel of the same name, an unknown kind and empty terms are refused together.
    let refused = services
        .add_panel(&manager, "ehc needs assessment panel", "transport", " ")
        .await
        .unwrap_err();
    let fields: Vec<String> = invalid(refused).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["name", "decides", "terms_of_reference"]);
    // A panel meets once a day; an admin may not be a member.
    let again = services
        .plan_panel_meeting(&manager, panel, date("2026-02-26"))
        .await
        .unwrap_err();
    assert_eq!(invalid(again)[0].0, "meets_on");
    let not_staff = services
        .set_panel_member(&manager, panel, admin.actor.id, true)
        .await
        .unwrap_err();
    assert_eq!(invalid(not_staff)[0].0, "member");
    assert!(matches!(
        services.panel_detail(&manager, 999_999).await,
        Err(ServiceError::NotFound { .. })
    ));
}
