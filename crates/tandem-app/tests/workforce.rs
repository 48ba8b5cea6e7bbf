//! The workforce on both databases: supervisions with a reproducible sample and the caseload's
//! timeliness kept as it was, their actions followed up, courses and training completion with
//! expiry, induction with a buddy, who may see and keep which records, and every step audited.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::sync::Arc;

use chrono::{Days, Utc};
use serde_json::json;
use tandem_app::services::{
    Caller, CourseForm, NewRequest, ServiceError, Services, SupervisionForm,
};
use tandem_core::dates::england_date;
use tandem_core::metrics::Rate;
use tandem_core::workforce::{CaseloadCase, draw_sample};
use tandem_core::{Actor, Child, Date, Reference, Role};
use tandem_store::{Source, Store};
use tandem_test_support::{Ctx, add_user, audit_entries, audited, contract};

contract!(
    a_supervision_draws_a_reproducible_sample_and_keeps_the_caseload_as_it_was,
    agreed_actions_are_followed_up_once_with_a_date,
    a_supervision_form_is_checked_whole,
    who_may_see_and_keep_workforce_records,
    training_completion_counts_expired_courses_as_not_complete,
    an_induction_has_a_buddy_and_dated_ticks,
);

fn services(store: &Store) -> Services {
    // The accounts are made now, so the services' today is now's date too.
    let now = Utc::now();
    Services::with_clock(store.clone(), Arc::new(move || now))
}

fn today() -> Date {
    england_date(Utc::now())
}

async fn staff(store: &Store, email: &str, role: Role, team: Option<&str>) -> Caller {
    let id = add_user(store, email, role, team).await;
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

/// Opens case `reference` for `case_manager`, its request received `days_ago` days ago.
async fn case(
    services: &Services,
    head: &Caller,
    reference: &str,
    days_ago: u64,
    case_manager: i64,
) {
    let mut child = Child {
        date_of_birth: Some(today() - Days::new(3000)),
        ..Child::default()
    };
    child.other.insert("given_name".into(), json!("Sam"));
    child.other.insert("family_name".into(), json!(reference));
    let request = NewRequest {
        reference: Some(Reference::parse(reference).expect("reference")),
        requested_by: None,
        child,
        received: today() - Days::new(days_ago),
        case_manager: Some(case_manager),
        same_child_as: None,
        different_child: true,
    };
    services.open_case(head, &request).await.expect("open");
}

fn form(seed: &str, size: &str, actions: &str) -> SupervisionForm {
    SupervisionForm {
        held_on: Some(today()),
        sample_size: size.into(),
        seed: seed.into(),
        actions: actions.into(),
        notes: "Talked through the caseload.".into(),
    }
}

fn invalid_fields(error: ServiceError) -> Vec<String> {
    match error {
        ServiceError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn a_supervision_draws_a_reproducible_sample_and_keeps_the_caseload_as_it_was(ctx: Ctx) {
    let services = services(&ctx.store);
    let head = staff(&ctx.store, "head@example.test", Role::HeadOfService, None).await;
    let manager = staff(
        &ctx.store,
        "tm@example.test",
        Role::TeamManager,
        Some("north"),
    )
    .await;
    let worker = staff(
        &ctx.store,
        "cm@example.test",
        Role::CaseManager,
        Some("north"),
    )
    .await;
    let other = staff(
        &ctx.store,
        "other@example.test",
        Role::CaseManager,
        Some("north"),
    )
    .await;
    // Five cases: two received 30 weeks ago (past every limit: overdue), three this week.
    for (n, days) in [(1, 210), (2, 210), (3, 1), (4, 2), (5, 3)] {
        case(
            &services,
            &head,
            &format!("EHC-W{n}"),
            days,
            worker.actor.id,
        )
        .await;
    }
    case(&services, &head, "EHC-OTHER", 1, other.actor.id).await;

    let id = services
        .record_supervision(
            &manager,
            worker.actor.id,
            &form("42", "3", "Chase advice\n\nBook panel"),
        )
        .await
        .expect("recorded");
    let view = services.supervision(&manager, id).await.expect("view");
    let record = &view.record;
    assert_eq!(record.seed, 42);
    assert_eq!((record.open_cases, record.overdue_cases), (5, 2));
    assert_eq!(record.held_on, today());
    assert_eq!(record.supervisor, manager.actor.id);
    let actions: Vec<&str> = record.actions.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        actions,
        ["Chase advice", "Book panel"],
        "blank lines are dropped"
    );
    // The sample is the core's draw over the case manager's own open cases, with their status.
    assert_eq!(record.sample.len(), 3);
    let mut caseload = Vec::new();
    for n in 1..=5 {
        let reference = format!("EHC-W{n}");
        let summary = ctx
            .store
            .case(&Reference::parse(&reference).unwrap())
            .await
            .unwrap()
            .unwrap();
        caseload.push(CaseloadCase {
            case_id: summary.record.id,
            reference,
            overdue: n <= 2,
        });
    }
    assert_eq!(record.sample, draw_sample(&caseload, 3, 42));

    // The same seed over the same caseload draws the same cases again.
    let again = services
        .record_supervision(&manager, worker.actor.id, &form("42", "3", "Again"))
        .await
        .expect("again");
    let again = services.supervision(&manager, again).await.expect("view");
    assert_eq!(again.record.sample, record.sample);

    // The record keeps the caseload as it was: a sixth case later changes nothing in it.
    case(&services, &head, "EHC-W6", 1, worker.actor.id).await;
    let later = services.supervision(&manager, id).await.expect("view");
    assert_eq!(later.record, view.record);

    // A blank seed draws with a fresh one, which is kept.
    let fresh = services
        .record_supervision(&manager, worker.actor.id, &form("", "", "Fresh"))
        .await
        .expect("fresh seed");
    let fresh = services.supervision(&manager, fresh).await.expect("view");
    assert_eq!(fresh.record.sample.len(), 3, "three by default");
    assert_eq!(fresh.record.open_cases, 6);

    // Recorded supervisions are the case manager's latest, and nothing is overdue now.
    let mine = services
        .staff_record(&worker, worker.actor.id)
        .await
        .expect("own record");
    assert_eq!(mine.supervisions.len(), 3);
    let due = mine.supervision.expect("a case manager is supervised");
    assert_eq!(due.last, Some(today()));
    assert!(!due.overdue);
    assert!(!mine.may_supervise, "nobody supervises themselves");
    let entries = audit_entries(&ctx.store, "workforce.supervision").await;
    assert_eq!(entries.len(), 3);
    assert_eq!(entries.last().unwrap().detail["seed"], "42");
    assert_eq!(entries.last().unwrap().detail["overdue_cases"], 2);
}

async fn agreed_actions_are_followed_up_once_with_a_date(ctx: Ctx) {
    let services = services(&ctx.store);
    let manager = staff(&ctx.store, "tm@example.test", Role::TeamManager, None).await;
    let worker = staff(
        &ctx.store,
        "cm@example.test",
        Role::CaseManager,
        Some("north"),
    )
    .await;
    let id = services
        .record_supervision(
            &manager,
            worker.actor.id,
            &form("7", "", "Write to the school"),
        )
        .await
        .expect("recorded with an empty caseload");
    let view = services.supervision(&manager, id).await.expect("view");
    assert!(view.record.sample.is_empty());
    assert_eq!(view.record.open_cases, 0);
    assert!(view.may_follow_up);
    let action = view.record.actions[0].id;

    let refused = services
        .follow_up_action(&manager, id, action, None, Some(today() + Days::new(1)))
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(refused), ["done", "on"]);
    let refused = services
        .follow_up_action(
            &manager,
            id,
            action,
            Some(true),
            Some(today() - Days::new(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(refused), ["on"], "before the supervision");
    // The case manager may read their supervision but not follow it up.
    let own = services.supervision(&worker, id).await.expect("own");
    assert!(!own.may_follow_up);
    assert!(matches!(
        services
            .follow_up_action(&worker, id, action, Some(true), Some(today()))
            .await,
        Err(ServiceError::Forbidden)
    ));
    // An action of another supervision is not found.
    assert!(matches!(
        services
            .follow_up_action(&manager, id, action + 1000, Some(true), Some(today()))
            .await,
        Err(ServiceError::NotFound { .. })
    ));

    services
        .follow_up_action(&manager, id, action, Some(false), Some(today()))
        .await
        .expect("followed up");
    let view = services.supervision(&manager, id).await.expect("view");
    assert_eq!(view.record.actions[0].follow_up, Some((false, today())));
    assert_eq!(audited(&ctx.store, "workforce.follow_up").await, 1);
}

async fn a_supervision_form_is_checked_whole(ctx: Ctx) {
    let services = services(&ctx.store);
    let manager = staff(&ctx.store, "tm@example.test", Role::TeamManager, None).await;
    let worker = staff(&ctx.store, "cm@example.test", Role::CaseManager, None).await;
    let bad = SupervisionForm {
        held_on: Some(today() + Days::new(1)),
        sample_size: "11".into(),
        seed: "minus one".into(),
        actions: " \n ".into(),
        notes: String::new(),
    };
    let refused = services
        .record_supervision(&manager, worker.actor.id, &bad)
        .await
        .unwrap_err();
    assert_eq!(
        invalid_fields(refused),
        ["held_on", "sample_size", "seed", "actions"]
    );
    let too_many = (0..11).map(|n| format!("Action {n}\n")).collect::<String>();
    let refused = services
        .record_supervision(&manager, worker.actor.id, &form("1", "1", &too_many))
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(refused), ["actions"]);
    // Only case managers are supervised here.
    let analyst = staff(&ctx.store, "an@example.test", Role::Analyst, None).await;
    assert!(matches!(
        services
            .record_supervision(&manager, analyst.actor.id, &form("1", "1", "x"))
            .await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(audited(&ctx.store, "workforce.supervision").await, 0);
}

async fn who_may_see_and_keep_workforce_records(ctx: Ctx) {
    let services = services(&ctx.store);
    let head = staff(&ctx.store, "head@example.test", Role::HeadOfService, None).await;
    let north = staff(
        &ctx.store,
        "tmn@example.test",
        Role::TeamManager,
        Some("north"),
    )
    .await;
    let south = staff(
        &ctx.store,
        "tms@example.test",
        Role::TeamManager,
        Some("south"),
    )
    .await;
    let worker = staff(
        &ctx.store,
        "cm@example.test",
        Role::CaseManager,
        Some("north"),
    )
    .await;
    let colleague = staff(
        &ctx.store,
        "cm2@example.test",
        Role::CaseManager,
        Some("north"),
    )
    .await;
    let analyst = staff(&ctx.store, "an@example.test", Role::Analyst, None).await;
    let parent = staff(&ctx.store, "p@example.test", Role::Parent, None).await;

    // The other team's manager may neither see nor supervise; the refusal is audited.
    let denied = audited(&ctx.store, "denied").await;
    assert!(matches!(
        services.staff_record(&south, worker.actor.id).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        services
            .record_supervision(&south, worker.actor.id, &form("1", "1", "x"))
            .await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(audited(&ctx.store, "denied").await, denied + 2);
    // A case manager sees their own record only.
    assert!(
        services
            .staff_record(&worker, worker.actor.id)
            .await
            .is_ok()
    );
    assert!(matches!(
        services.staff_record(&worker, colleague.actor.id).await,
        Err(ServiceError::Forbidden)
    ));
    // A parent's account has no workforce record, and a parent sees no workforce page.
    assert!(matches!(
        services.staff_record(&head, parent.actor.id).await,
        Err(ServiceError::NotFound { .. })
    ));
    assert!(matches!(
        services.workforce(&parent).await,
        Err(ServiceError::Forbidden)
    ));

    // The north manager's list is their team (and themselves), with the figures; the head of
    // service's is everyone; a case manager's is themselves, without figures; an analyst's is
    // the figures and their own record.
    let names = |overview: &tandem_app::services::WorkforceOverview| -> Vec<i64> {
        overview.people.iter().map(|l| l.staff.id).collect()
    };
    let seen = services.workforce(&north).await.expect("north");
    assert_eq!(names(&seen).len(), 3);
    assert!(seen.figures.is_some());
    let figures = seen.figures.unwrap();
    assert_eq!(
        figures.supervision_on_time,
        Rate {
            numerator: 2,
            denominator: 2
        },
        "both case managers started today, so neither is overdue yet"
    );
    assert_eq!(figures.caseloads.len(), 12);
    assert_eq!(names(&services.workforce(&head).await.unwrap()).len(), 6);
    let own = services.workforce(&worker).await.unwrap();
    assert_eq!(names(&own), [worker.actor.id]);
    assert!(own.figures.is_none());
    let aggregates = services.workforce(&analyst).await.unwrap();
    assert_eq!(
        names(&aggregates),
        [analyst.actor.id],
        "their own record only"
    );
    assert!(aggregates.figures.is_some());
    assert_eq!(audited(&ctx.store, "workforce.view").await, 4);
}

async fn training_completion_counts_expired_courses_as_not_complete(ctx: Ctx) {
    let services = services(&ctx.store);
    let admin = staff(&ctx.store, "admin@example.test", Role::Admin, None).await;
    let manager = staff(&ctx.store, "tm@example.test", Role::TeamManager, None).await;
    let worker = staff(&ctx.store, "cm@example.test", Role::CaseManager, None).await;
    let colleague = staff(&ctx.store, "cm2@example.test", Role::CaseManager, None).await;
    let course = |title: &str, months: &str, roles: &[&str]| CourseForm {
        title: title.into(),
        valid_months: months.into(),
        required_for: roles.iter().map(|r| (*r).to_owned()).collect(),
    };
    let code = services
        .add_course(
            &admin,
            &course("SEND Code of Practice", "12", &["case_manager"]),
        )
        .await
        .expect("course");
    // Only administrators keep the list; titles are unique; parents cannot be required.
    assert!(matches!(
        services
            .add_course(&manager, &course("Other", "", &[]))
            .await,
        Err(ServiceError::Forbidden)
    ));
    let refused = services
        .add_course(&admin, &course("SEND Code of Practice", "0", &["parent"]))
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(refused), ["valid_months", "required_for"]);
    let refused = services
        .add_course(&admin, &course(" SEND Code of Practice ", "", &[]))
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(refused), ["title"]);

    // One completion current, one expired (two years ago, valid for one).
    let code_id = code.to_string();
    services
        .record_training(&manager, worker.actor.id, &code_id, Some(today()))
        .await
        .expect("current");
    services
        .record_training(
            &manager,
            colleague.actor.id,
            &code_id,
            Some(today() - Days::new(730)),
        )
        .await
        .expect("expired");
    let refused = services
        .record_training(
            &manager,
            worker.actor.id,
            "999",
            Some(today() + Days::new(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(refused), ["course", "completed_on"]);
    assert!(matches!(
        services
            .record_training(&worker, worker.actor.id, &code_id, Some(today()))
            .await,
        Err(ServiceError::Forbidden)
    ));

    let overview = services.workforce(&manager).await.expect("overview");
    let figures = overview.figures.expect("figures");
    let (_, completion) = &figures.training[0];
    let half = Rate {
        numerator: 1,
        denominator: 2,
    };
    assert_eq!(completion.overall, half);
    assert_eq!(completion.by_role[&Role::CaseManager], half);
    let record = services
        .staff_record(&manager, colleague.actor.id)
        .await
        .expect("record");
    assert!(record.training[0].required);
    assert!(!record.training[0].current, "expired");
    assert_eq!(audited(&ctx.store, "workforce.training").await, 2);
    assert_eq!(audited(&ctx.store, "workforce.course_add").await, 1);
}

async fn an_induction_has_a_buddy_and_dated_ticks(ctx: Ctx) {
    let services = services(&ctx.store);
    let manager = staff(&ctx.store, "tm@example.test", Role::TeamManager, None).await;
    let starter = staff(&ctx.store, "new@example.test", Role::CaseManager, None).await;
    let buddy = staff(&ctx.store, "buddy@example.test", Role::CaseManager, None).await;
    let refused = services
        .start_induction(&manager, starter.actor.id, &starter.actor.id.to_string())
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(refused), ["buddy"], "not their own buddy");
    assert!(matches!(
        services
            .tick_induction(&manager, starter.actor.id, "handbook", Some(today()))
            .await,
        Err(ServiceError::NotFound { .. })
    ));
    services
        .start_induction(&manager, starter.actor.id, &buddy.actor.id.to_string())
        .await
        .expect("started");
    let refused = services
        .start_induction(&manager, starter.actor.id, &buddy.actor.id.to_string())
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(refused), ["buddy"], "already started");
    let refused = services
        .tick_induction(
            &manager,
            starter.actor.id,
            "nothing",
            Some(today() - Days::new(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(refused), ["item", "done_on"]);
    services
        .tick_induction(&manager, starter.actor.id, "handbook", Some(today()))
        .await
        .expect("ticked");
    let record = services
        .staff_record(&starter, starter.actor.id)
        .await
        .expect("own record");
    let induction = record.induction.expect("induction");
    assert_eq!(induction.buddy, buddy.actor.id);
    assert_eq!(induction.ticked, [("handbook".to_owned(), today())]);
    let overview = services.workforce(&manager).await.expect("overview");
    let line = overview
        .people
        .iter()
        .find(|l| l.staff.id == starter.actor.id)
        .expect("listed");
    assert_eq!(line.induction, Some((1, 6)));
    assert_eq!(audited(&ctx.store, "workforce.induction_tick").await, 1);
}
