//! The caseload services on both databases: counts with the page, the team's caseloads, the
//! backlog, the staff list; permissions, narrowing and one audit entry per call.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::json;
use tandem_app::services::{Caller, NewRequest, ServiceError, Services};
use tandem_core::{Actor, AssessOutcome, Child, Date, Event, EventDetail, Reference, Role, Stage};
use tandem_store::{
    AuditFilter, CaseFilter, CaseSearch, CaseSort, NewUser, Page, Source, StatusFilter, Store,
};
use tandem_test_support::{Ctx, audited, contract, date};

contract!(
    a_caseload_page_comes_with_its_counts,
    kept_caseloads_follow_changes_made_on_another_server,
    every_read_is_audited_when_many_come_at_once,
    the_team_page_is_for_managers,
    the_backlog_is_narrowed_and_audited,
    staff_are_the_active_case_and_team_managers,
    a_search_finds_references_names_and_birth_dates,
    cases_at_risk_of_missing_20_weeks_are_counted_and_listed,
    bulk_reassignment_is_all_or_none_and_kept_in_each_history,
);

/// "Today" is 2 March 2026.
fn services(store: &Store) -> Services {
    let noon = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
    Services::with_clock(store.clone(), Arc::new(move || noon))
}

fn today() -> Date {
    date("2026-03-02")
}

async fn person(store: &Store, name: &str, role: Role, team: Option<&str>) -> Caller {
    let mut tx = store.begin().await.expect("begin");
    let id = tx
        .create_user(&NewUser {
            email: format!("{}@example.test", name.to_lowercase()),
            name: name.into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            role,
            team: team.map(str::to_owned),
            provider: None,
        })
        .await
        .expect("user");
    tx.commit().await.expect("commit");
    Caller::new(
        Actor {
            id,
            role,
            team: team.map(str::to_owned),
            provider: None,
        },
        Source::Form,
    )
}

async fn open(services: &Services, by: &Caller, reference: &str, received: &str, to: Option<i64>) {
    let mut child = Child {
        date_of_birth: Some(date("2015-06-01")),
        ..Child::default()
    };
    child.other.insert("given_name".into(), json!("Kim"));
    child.other.insert("family_name".into(), json!(reference));
    services
        .open_case(
            by,
            &NewRequest {
                reference: Some(Reference::parse(reference).expect("reference")),
                requested_by: None,
                child,
                received: date(received),
                case_manager: to,
                same_child_as: None,
                different_child: true,
            },
        )
        .await
        .expect("open");
}

struct World {
    services: Services,
    manager: Caller,
    ann: Caller,
    ben: Caller,
}

/// Ann (north) holds an overdue case and one due soon; Ben (south) one on track and a
/// request past 20 weeks; one case is nobody's.
async fn world(store: &Store) -> World {
    let services = services(store);
    let manager = person(store, "Manager", Role::TeamManager, None).await;
    let ann = person(store, "Ann", Role::CaseManager, Some("north")).await;
    let ben = person(store, "Ben", Role::CaseManager, Some("south")).await;
    open(
        &services,
        &manager,
        "A-OVERDUE",
        "2026-01-05",
        Some(ann.actor.id),
    )
    .await;
    open(
        &services,
        &manager,
        "A-SOON",
        "2026-01-25",
        Some(ann.actor.id),
    )
    .await;
    open(
        &services,
        &manager,
        "B-LATER",
        "2026-02-20",
        Some(ben.actor.id),
    )
    .await;
    open(
        &services,
        &manager,
        "B-OLD",
        "2025-09-01",
        Some(ben.actor.id),
    )
    .await;
    open(&services, &manager, "NOBODY", "2026-02-25", None).await;
    World {
        services,
        manager,
        ann,
        ben,
    }
}

async fn a_caseload_page_comes_with_its_counts(ctx: Ctx) {
    let store = &ctx.store;
    let w = world(store).await;
    let everything = CaseFilter::as_of(today());
    let anns = w
        .services
        .caseload(
            &w.ann,
            &everything,
            CaseSort::Reference,
            Page::number(1, 50),
        )
        .await
        .expect("caseload");
    let refs: Vec<&str> = anns
        .cases
        .cases
        .iter()
        .map(|c| c.reference.as_str())
        .collect();
    assert_eq!(refs, ["A-OVERDUE", "A-SOON"], "narrowed to Ann's caseload");
    assert_eq!((anns.overdue, anns.due_soon), (1, 1));
    // The counts describe the caseload whatever the status filter.
    let only_soon = CaseFilter {
        status: Some(StatusFilter::DueSoon),
        ..everything.clone()
    };
    let soon = w
        .services
        .caseload(&w.manager, &only_soon, CaseSort::Due, Page::number(1, 50))
        .await
        .expect("caseload");
    let refs: Vec<&str> = soon
        .cases
        .cases
        .iter()
        .map(|c| c.reference.as_str())
        .collect();
    assert_eq!(refs, ["A-SOON"]);
    assert_eq!(soon.cases.total, 1);
    assert_eq!((soon.overdue, soon.due_soon), (2, 1));
    assert_eq!(audited(store, "case.list").await, 2);
    // Someone who lists no cases is refused, and the refusal is audited.
    let analyst = person(store, "Analyst", Role::Analyst, None).await;
    let refused = w
        .services
        .caseload(&analyst, &everything, CaseSort::Due, Page::number(1, 50))
        .await;
    assert!(matches!(refused, Err(ServiceError::Forbidden)));
    assert_eq!(audited(store, "denied").await, 1);
}

async fn the_team_page_is_for_managers(ctx: Ctx) {
    let store = &ctx.store;
    let w = world(store).await;
    let lines = w
        .services
        .team_caseloads(&w.manager, today())
        .await
        .expect("team");
    let shown: Vec<(Option<&str>, i64, i64, i64)> = lines
        .iter()
        .map(|l| {
            (
                l.member.as_ref().map(|m| m.name.as_str()),
                l.cases,
                l.overdue,
                l.due_soon,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (Some("Ann"), 2, 1, 1),
            (Some("Ben"), 2, 1, 0),
            (Some("Manager"), 0, 0, 0),
            (None, 1, 0, 0),
        ]
    );
    assert_eq!(audited(store, "team.view").await, 1);
    for caller in [&w.ann, &w.ben] {
        assert!(matches!(
            w.services.team_caseloads(caller, today()).await,
            Err(ServiceError::Forbidden)
        ));
    }
    assert_eq!(audited(store, "denied").await, 2);
}

async fn the_backlog_is_narrowed_and_audited(ctx: Ctx) {
    let store = &ctx.store;
    let w = world(store).await;
    let filter = CaseFilter::as_of(today());
    let all = w
        .services
        .backlog(&w.manager, &filter, Page::number(1, 50))
        .await
        .expect("backlog");
    let refs: Vec<&str> = all.cases.iter().map(|c| c.reference.as_str()).collect();
    assert_eq!(refs, ["B-OLD"]);
    assert_eq!(all.cases[0].stage, Stage::AwaitingDecision);
    let anns = w
        .services
        .backlog(&w.ann, &filter, Page::number(1, 50))
        .await
        .expect("backlog");
    assert_eq!(anns.total, 0, "Ann's caseload has no old request");
    let bens = w
        .services
        .backlog(&w.ben, &filter, Page::number(1, 50))
        .await
        .expect("backlog");
    assert_eq!(bens.total, 1);
    let audit = store
        .audit_log(&AuditFilter {
            action: Some("case.backlog".into()),
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.len(), 3);
    assert!(audit.iter().any(|a| a.detail["shown"] == json!(["B-OLD"])));
}

async fn staff_are_the_active_case_and_team_managers(ctx: Ctx) {
    let store = &ctx.store;
    let w = world(store).await;
    person(store, "Aaron", Role::Parent, None).await;
    let mut tx = store.begin().await.expect("begin");
    tx.set_user_disabled(w.ben.actor.id, true)
        .await
        .expect("disable");
    tx.commit().await.expect("commit");
    let staff = w.services.staff().await.expect("staff");
    let names: Vec<&str> = staff.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Ann", "Manager"]);
    assert_eq!(staff[0].team.as_deref(), Some("north"));
}

fn refs(page: &tandem_app::services::CaseloadPage) -> Vec<String> {
    page.cases
        .cases
        .iter()
        .map(|c| c.reference.to_string())
        .collect()
}

/// Two servers over one database, each with its own caches: a caseload kept by one is read
/// again as soon as the other changes a case (an event recorded, a case reassigned), and every
/// read is audited, kept or not.
async fn kept_caseloads_follow_changes_made_on_another_server(ctx: Ctx) {
    let store = &ctx.store;
    let w = world(store).await;
    let (one, other) = (services(store), services(store));
    let everything = CaseFilter::as_of(today());
    let read = |s: &Services, who: &Caller| {
        let (s, who, filter) = (s.clone(), who.clone(), everything.clone());
        async move {
            s.caseload(&who, &filter, CaseSort::Reference, Page::number(1, 50))
                .await
                .expect("caseload")
        }
    };
    let before = read(&one, &w.ann).await;
    assert_eq!((before.overdue, before.due_soon), (1, 1));
    assert_eq!(read(&one, &w.ann).await, before, "kept, and the same");

    // The overdue decision is made (late) on the other server: nothing of Ann's is overdue now.
    let overdue = Reference::parse("A-OVERDUE").expect("reference");
    other
        .record_event(
            &w.ann,
            &overdue,
            1,
            &Event {
                date: date("2026-02-20"),
                detail: EventDetail::DecisionToAssess {
                    outcome: AssessOutcome::Assess,
                },
            },
        )
        .await
        .expect("recorded");
    let after = read(&one, &w.ann).await;
    assert_eq!((after.overdue, after.due_soon), (0, 1));
    assert_eq!(refs(&after), ["A-OVERDUE", "A-SOON"]);

    // Ben's old request is given to Ann on the other server: her list and counts follow.
    let old = Reference::parse("B-OLD").expect("reference");
    other
        .assign_case(&w.manager, &old, 1, Some(w.ann.actor.id), None)
        .await
        .expect("assigned");
    let after = read(&one, &w.ann).await;
    assert_eq!(refs(&after), ["A-OVERDUE", "A-SOON", "B-OLD"]);
    assert_eq!((after.overdue, after.due_soon), (1, 1));
    let manager_view = read(&one, &w.manager).await;
    assert_eq!(manager_view.cases.total, 5);

    // Five reads, each audited, whether computed or kept.
    assert_eq!(audited(store, "case.list").await, 5);
}

/// Page views arriving together are each audited once (their entries share transactions), and
/// each has its entry committed before it returns.
async fn every_read_is_audited_when_many_come_at_once(ctx: Ctx) {
    let store = &ctx.store;
    let w = world(store).await;
    let reference = Reference::parse("A-SOON").expect("reference");
    let reads = 40;
    let tasks: Vec<_> = (0..reads)
        .map(|n| {
            let (services, ann, reference) = (w.services.clone(), w.ann.clone(), reference.clone());
            tokio::spawn(async move {
                if n % 2 == 0 {
                    services
                        .caseload(
                            &ann,
                            &CaseFilter::as_of(today()),
                            CaseSort::Due,
                            Page::number(1, 50),
                        )
                        .await
                        .expect("caseload");
                } else {
                    services
                        .view_case(&ann, &reference, None)
                        .await
                        .expect("case");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    assert_eq!(audited(store, "case.list").await, reads / 2);
    assert_eq!(audited(store, "case.view").await, reads / 2);
    // A case the reader may not see is refused as missing, and the refusal audited.
    let bens = Reference::parse("B-LATER").expect("reference");
    let refused = w.services.view_case(&w.ann, &bens, None).await;
    assert!(matches!(refused, Err(ServiceError::NotFound { .. })));
    assert_eq!(audited(store, "denied").await, 1);
}

/// The references of the manager's list for `filter` (open cases, as of today).
async fn listed(w: &World, filter: CaseFilter) -> tandem_app::services::CaseloadPage {
    w.services
        .caseload(
            &w.manager,
            &CaseFilter {
                stages: tandem_core::caseload::open_stages(),
                ..filter
            },
            CaseSort::Reference,
            Page::number(1, 50),
        )
        .await
        .expect("caseload")
}

async fn a_search_finds_references_names_and_birth_dates(ctx: Ctx) {
    let w = world(&ctx.store).await;
    let search = |search| CaseFilter {
        search: Some(search),
        ..CaseFilter::as_of(today())
    };
    // A reference's beginning, in either case.
    let found = listed(&w, search(CaseSearch::Text("a-s".into()))).await;
    assert_eq!(refs(&found), ["A-SOON"]);
    // Part of the child's name ("Kim B-LATER").
    let found = listed(&w, search(CaseSearch::Text("kim b-la".into()))).await;
    assert_eq!(refs(&found), ["B-LATER"]);
    assert_eq!(found.cases.total, 1);
    // LIKE's wildcards match only themselves.
    let found = listed(&w, search(CaseSearch::Text("%".into()))).await;
    assert!(refs(&found).is_empty());
    // Every child here was born on 1 June 2015; nobody on the day after.
    let found = listed(&w, search(CaseSearch::BirthDate(date("2015-06-01")))).await;
    assert_eq!(found.cases.total, 5);
    let found = listed(&w, search(CaseSearch::BirthDate(date("2015-06-02")))).await;
    assert_eq!(found.cases.total, 0);
    // The counts are of what the search found.
    let found = listed(&w, search(CaseSearch::Text("a-".into()))).await;
    assert_eq!((found.overdue, found.due_soon), (1, 1));
}

async fn cases_at_risk_of_missing_20_weeks_are_counted_and_listed(ctx: Ctx) {
    let w = world(&ctx.store).await;
    // Received 10 November 2025: the final plan is due 30 March 2026, but with no decision
    // by 2 March, advice asked for today is due 13 April and the final plan can follow the
    // draft's 15 days no earlier than 28 April.
    open(
        &w.services,
        &w.manager,
        "C-RISK",
        "2025-11-10",
        Some(w.ann.actor.id),
    )
    .await;
    let all = listed(&w, CaseFilter::as_of(today())).await;
    // A-OVERDUE (due 25 May, forecast 28 April) is late on its decision but not at risk;
    // B-OLD is past its 20 weeks already: overdue, not "at risk".
    assert_eq!(all.at_risk, 1);
    let at_risk = listed(
        &w,
        CaseFilter {
            at_risk: true,
            ..CaseFilter::as_of(today())
        },
    )
    .await;
    assert_eq!(refs(&at_risk), ["C-RISK"]);
    let team = w
        .services
        .team_caseloads(&w.manager, today())
        .await
        .expect("team");
    let ann = team
        .iter()
        .find(|l| l.member.as_ref().is_some_and(|m| m.id == w.ann.actor.id))
        .expect("Ann's line");
    assert_eq!(ann.at_risk, 1);
    // Due this week (2 March is a Monday, so to Sunday 8 March): A-SOON's decision, due on
    // the Sunday (received 25 January + 6 weeks).
    assert_eq!(all.due_this_week, 1);
}

async fn bulk_reassignment_is_all_or_none_and_kept_in_each_history(ctx: Ctx) {
    let store = &ctx.store;
    let w = world(store).await;
    let r = |text: &str| Reference::parse(text).expect("reference");
    let holder = |reference: &'static str| {
        let store = store.clone();
        async move {
            store
                .case(&Reference::parse(reference).unwrap())
                .await
                .unwrap()
                .unwrap()
                .record
                .case_manager
        }
    };
    // No reason: refused, nothing changed.
    let blank = w
        .services
        .reassign_cases(&w.manager, &[r("A-SOON")], Some(w.ben.actor.id), "  ")
        .await;
    assert!(matches!(blank, Err(ServiceError::Invalid(_))), "{blank:?}");
    // One missing reference refuses the lot.
    let missing = w
        .services
        .reassign_cases(
            &w.manager,
            &[r("A-SOON"), r("NOT-THERE")],
            Some(w.ben.actor.id),
            "Ann is on leave",
        )
        .await;
    assert!(
        matches!(missing, Err(ServiceError::NotFound { .. })),
        "{missing:?}"
    );
    assert_eq!(holder("A-SOON").await, Some(w.ann.actor.id));
    // A case manager may not reassign.
    let refused = w
        .services
        .reassign_cases(&w.ann, &[r("A-SOON")], Some(w.ben.actor.id), "Swap")
        .await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(holder("A-SOON").await, Some(w.ann.actor.id));

    let moved = w
        .services
        .reassign_cases(
            &w.manager,
            &[r("A-SOON"), r("A-OVERDUE")],
            Some(w.ben.actor.id),
            "Ann is on leave",
        )
        .await
        .expect("reassigned");
    assert_eq!(moved, 2);
    assert_eq!(holder("A-SOON").await, Some(w.ben.actor.id));
    assert_eq!(holder("A-OVERDUE").await, Some(w.ben.actor.id));
    let view = w
        .services
        .view_case(&w.manager, &r("A-SOON"), None)
        .await
        .expect("view");
    assert_eq!(view.assignments.len(), 1, "the one change, from Ann to Ben");
    let last = view.assignments.last().unwrap();
    assert_eq!(
        (last.from_user, last.to_user, last.reason.as_deref()),
        (
            Some(w.ann.actor.id),
            Some(w.ben.actor.id),
            Some("Ann is on leave")
        )
    );
    assert_eq!(last.assigned_by, Some(w.manager.actor.id));
    assert_eq!(audited(store, "case.assign").await, 2);
    // The case takes the new holder's team: Ben's list has them.
    let bens = w
        .services
        .caseload(
            &w.ben,
            &CaseFilter::as_of(today()),
            CaseSort::Reference,
            Page::number(1, 50),
        )
        .await
        .expect("caseload");
    assert!(refs(&bens).contains(&"A-SOON".to_owned()));
}
