//! The case services on both databases: permissions, validation, conflicts, corrections and
//! exactly one audit entry per call.

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
use tandem_core::{Actor, Child, Reference, Role, Stage};
use tandem_store::{AuditFilter, CaseFilter, NewUser, Page, Source, StatusFilter, Store};
use tandem_test_support::{Ctx, contract, date, event};

contract!(
    opening_checks_the_request_and_the_duplicate,
    recording_is_limited_to_the_caseload,
    stale_writes_are_conflicts,
    corrections_and_withdrawals_need_a_reason_and_keep_history,
    managers_reassign_and_case_managers_do_not,
    lists_show_a_case_manager_their_caseload_only,
    every_call_leaves_exactly_one_audit_entry,
);

fn reference(text: &str) -> Reference {
    Reference::parse(text).expect("reference")
}

/// The services with "today" fixed at 2 March 2026.
fn services(store: &Store) -> Services {
    let noon = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
    Services::with_clock(store.clone(), Arc::new(move || noon))
}

async fn person(store: &Store, email: &str, role: Role, team: Option<&str>) -> Caller {
    let mut tx = store.begin().await.expect("begin");
    let id = tx
        .create_user(&NewUser {
            email: email.into(),
            name: format!("Staff {email}"),
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

fn child(given: &str, family: &str, born: &str) -> Child {
    let mut child = Child {
        date_of_birth: Some(date(born)),
        ..Child::default()
    };
    child.other.insert("given_name".into(), json!(given));
    child.other.insert("family_name".into(), json!(family));
    child
}

fn request(reference_text: &str, received: &str) -> NewRequest {
    NewRequest {
        reference: Some(reference(reference_text)),
        requested_by: None,
        child: child("Robin", "Testcase", "2015-06-01"),
        received: date(received),
        case_manager: None,
        same_child_as: None,
        different_child: false,
    }
}

fn invalid_fields(error: ServiceError) -> Vec<String> {
    match error {
        ServiceError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn audit_count(store: &Store) -> usize {
    store
        .audit_log(&AuditFilter::default())
        .await
        .expect("audit")
        .len()
}

async fn opening_checks_the_request_and_the_duplicate(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let cm = person(store, "cm@example.test", Role::CaseManager, Some("north")).await;

    let mut bad = request("EHC-1", "2026-03-03");
    bad.child = Child::default();
    assert_eq!(
        invalid_fields(services.open_case(&cm, &bad).await.unwrap_err()),
        ["given_name", "family_name", "date_of_birth", "received"]
    );
    let mut born_late = request("EHC-1", "2026-01-05");
    born_late.child = child("Robin", "Testcase", "2026-01-06");
    assert_eq!(
        invalid_fields(services.open_case(&cm, &born_late).await.unwrap_err()),
        ["date_of_birth"]
    );
    // The outside security test's inputs: huge, NUL and right-to-left override names, a birth
    // in year 0 and a request in year 1 (issue 14, findings 8, 9 and 16).
    let mut huge = request("EHC-1", "2026-01-05");
    huge.child = child(&"A".repeat(1_900_000), "Ro\0bin", "0000-01-01");
    huge.child
        .other
        .insert("setting".into(), "School\u{202e}fdp.exe".into());
    let mut fields = invalid_fields(services.open_case(&cm, &huge).await.unwrap_err());
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["date_of_birth", "family_name", "given_name", "setting"]
    );
    let mut ancient = request("EHC-1", "0001-01-01");
    ancient.child = child("Robin", "Testcase", "0000-06-01");
    assert_eq!(
        invalid_fields(services.open_case(&cm, &ancient).await.unwrap_err()),
        ["date_of_birth", "received"]
    );
    let mut grown_up = request("EHC-1", "2026-01-05");
    grown_up.child = child("Robin", "Testcase", "2001-01-05");
    assert_eq!(
        invalid_fields(services.open_case(&cm, &grown_up).await.unwrap_err()),
        ["date_of_birth"],
        "25 on the day of the request"
    );
    assert_eq!(store.count_cases().await.unwrap(), 0, "nothing half-saved");

    let opened = services
        .open_case(&cm, &request("EHC-1", "2026-01-05"))
        .await
        .expect("open");
    assert_eq!(opened.version, 1);
    let stored = store.case(&opened.reference).await.unwrap().unwrap();
    assert_eq!(
        stored.record.case_manager,
        Some(cm.actor.id),
        "taken by its opener"
    );
    assert_eq!(stored.record.team.as_deref(), Some("north"));

    // Same names (any case) and date of birth: the caller must say which child it is.
    let mut again = request("EHC-2", "2026-02-01");
    again.child = child(" robin", "TESTCASE ", "2015-06-01");
    let ServiceError::PossibleDuplicate { matches, elsewhere } =
        services.open_case(&cm, &again).await.unwrap_err()
    else {
        panic!("expected a possible duplicate");
    };
    assert!(!elsewhere);
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0].reference.as_str(), "EHC-1");
    assert_eq!(matches[0].stage, Some(Stage::AwaitingDecision));

    let mut unrelated = again.clone();
    unrelated.same_child_as = Some(matches[0].child_id + 1000);
    assert_eq!(
        invalid_fields(services.open_case(&cm, &unrelated).await.unwrap_err()),
        ["same_child_as"]
    );
    let mut same = again.clone();
    same.same_child_as = Some(matches[0].child_id);
    services.open_case(&cm, &same).await.expect("same child");
    let second = store.case(&reference("EHC-2")).await.unwrap().unwrap();
    assert_eq!(second.record.child_id, stored.record.child_id);

    let mut different = again.clone();
    different.reference = Some(reference("EHC-3"));
    different.different_child = true;
    services
        .open_case(&cm, &different)
        .await
        .expect("different child");
    let third = store.case(&reference("EHC-3")).await.unwrap().unwrap();
    assert_ne!(third.record.child_id, stored.record.child_id);

    // Another team's case manager is told a case may exist elsewhere, and whom to ask, but
    // not its reference or stage, and cannot add the request to that child's case.
    let south = person(
        store,
        "cm-south@example.test",
        Role::CaseManager,
        Some("south"),
    )
    .await;
    let mut elsewhere_request = again.clone();
    elsewhere_request.reference = Some(reference("EHC-4"));
    let ServiceError::PossibleDuplicate { matches, elsewhere } = services
        .open_case(&south, &elsewhere_request)
        .await
        .unwrap_err()
    else {
        panic!("expected a possible duplicate");
    };
    assert!(matches.is_empty() && elsewhere, "{matches:?}");
    let mut guessed = elsewhere_request.clone();
    guessed.same_child_as = Some(stored.record.child_id);
    assert_eq!(
        invalid_fields(services.open_case(&south, &guessed).await.unwrap_err()),
        ["same_child_as"]
    );
    elsewhere_request.different_child = true;
    services
        .open_case(&south, &elsewhere_request)
        .await
        .expect("a different child, on the caller's word");

    // A reference already used is a field error, not a crash.
    let mut reused = request("EHC-1", "2026-02-01");
    reused.child = child("Alex", "Other", "2016-01-01");
    assert_eq!(
        invalid_fields(services.open_case(&cm, &reused).await.unwrap_err()),
        ["reference"]
    );

    let analyst = person(store, "an@example.test", Role::Analyst, None).await;
    let mut fresh = request("EHC-9", "2026-02-01");
    fresh.child = child("Kit", "Fresh", "2016-01-01");
    assert!(matches!(
        services.open_case(&analyst, &fresh).await,
        Err(ServiceError::Forbidden)
    ));
}

async fn recording_is_limited_to_the_caseload(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let north = person(store, "n@example.test", Role::CaseManager, Some("north")).await;
    let south = person(store, "s@example.test", Role::CaseManager, Some("south")).await;
    let auditor = person(store, "qa@example.test", Role::QaAuditor, None).await;
    let opened = services
        .open_case(&north, &request("EHC-1", "2026-01-05"))
        .await
        .expect("open");
    let decision = event(&[
        ("type", "decision_to_assess"),
        ("date", "2026-02-10"),
        ("outcome", "assess"),
    ]);

    // Another team's case manager is told the case does not exist; an auditor may read only.
    assert!(matches!(
        services
            .record_event(&south, &opened.reference, 1, &decision)
            .await,
        Err(ServiceError::NotFound { .. })
    ));
    assert!(matches!(
        services.view_case(&south, &opened.reference, None).await,
        Err(ServiceError::NotFound { .. })
    ));
    assert!(matches!(
        services
            .record_event(&auditor, &opened.reference, 1, &decision)
            .await,
        Err(ServiceError::Forbidden)
    ));
    let seen = services
        .view_case(&auditor, &opened.reference, None)
        .await
        .expect("auditor reads");
    assert!(!seen.may_record && !seen.may_assign);

    let future = event(&[
        ("type", "decision_to_assess"),
        ("date", "2026-03-03"),
        ("outcome", "assess"),
    ]);
    assert_eq!(
        invalid_fields(
            services
                .record_event(&north, &opened.reference, 1, &future)
                .await
                .unwrap_err()
        ),
        ["date"]
    );
    let before_request = event(&[("type", "draft_plan_issued"), ("date", "2026-01-04")]);
    assert_eq!(
        invalid_fields(
            services
                .record_event(&north, &opened.reference, 1, &before_request)
                .await
                .unwrap_err()
        ),
        ["date"]
    );
    let second_request = event(&[("type", "request_received"), ("date", "2026-01-06")]);
    assert_eq!(
        invalid_fields(
            services
                .record_event(&north, &opened.reference, 1, &second_request)
                .await
                .unwrap_err()
        ),
        ["type"]
    );

    let recorded = services
        .record_event(&north, &opened.reference, 1, &decision)
        .await
        .expect("record");
    assert_eq!(recorded.version, 2);
    let view = services
        .view_case(&north, &opened.reference, Some(date("2026-03-02")))
        .await
        .expect("view");
    assert!(view.may_record);
    assert_eq!(view.timeline.stage, Stage::Assessing);
    assert_eq!(view.case.history.len(), 2);
    assert_eq!(view.case.history[1].recorded_by, Some(north.actor.id));
    assert_eq!(view.case.history[1].source, Source::Form);
}

async fn stale_writes_are_conflicts(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let cm = person(store, "cm@example.test", Role::CaseManager, None).await;
    let opened = services
        .open_case(&cm, &request("EHC-1", "2026-01-05"))
        .await
        .expect("open");
    let advice = |kind: &str| {
        event(&[
            ("type", "advice_requested"),
            ("date", "2026-02-11"),
            ("advice", kind),
        ])
    };
    services
        .record_event(&cm, &opened.reference, 1, &advice("health"))
        .await
        .expect("first writer");
    // The second writer read version 1 too.
    match services
        .record_event(&cm, &opened.reference, 1, &advice("education"))
        .await
    {
        Err(ServiceError::Conflict { current_version }) => assert_eq!(current_version, 2),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let case = store.case(&opened.reference).await.unwrap().unwrap();
    assert_eq!(case.history.len(), 2, "the stale write left nothing");
}

async fn corrections_and_withdrawals_need_a_reason_and_keep_history(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let cm = person(store, "cm@example.test", Role::CaseManager, None).await;
    let opened = services
        .open_case(&cm, &request("EHC-1", "2026-01-05"))
        .await
        .expect("open");
    let typo = event(&[
        ("type", "decision_to_assess"),
        ("date", "2026-01-20"),
        ("outcome", "not_assess"),
    ]);
    services
        .record_event(&cm, &opened.reference, 1, &typo)
        .await
        .expect("record");
    let wrong_id = store
        .case(&opened.reference)
        .await
        .unwrap()
        .unwrap()
        .history[1]
        .id;
    let right = event(&[
        ("type", "decision_to_assess"),
        ("date", "2026-01-20"),
        ("outcome", "assess"),
    ]);
    assert_eq!(
        invalid_fields(
            services
                .correct_event(&cm, &opened.reference, 2, wrong_id, &right, "  ")
                .await
                .unwrap_err()
        ),
        ["reason"]
    );
    let corrected = services
        .correct_event(
            &cm,
            &opened.reference,
            2,
            wrong_id,
            &right,
            "outcome mistyped",
        )
        .await
        .expect("correct");
    let view = services
        .view_case(&cm, &opened.reference, None)
        .await
        .expect("view");
    assert_eq!(view.timeline.stage, Stage::Assessing);
    assert_eq!(view.case.history.len(), 3, "both rows kept");
    assert!(!view.case.history[1].is_effective());
    assert_eq!(
        view.case.history[2].reason.as_deref(),
        Some("outcome mistyped")
    );

    let right_id = view.case.history[2].id;
    services
        .withdraw_event(
            &cm,
            &opened.reference,
            corrected.version,
            right_id,
            "recorded on the wrong case",
        )
        .await
        .expect("withdraw");
    let view = services
        .view_case(&cm, &opened.reference, None)
        .await
        .expect("view");
    assert_eq!(view.timeline.stage, Stage::AwaitingDecision);
    assert_eq!(view.case.history.len(), 4);
}

async fn managers_reassign_and_case_managers_do_not(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let ann = person(store, "ann@example.test", Role::CaseManager, Some("north")).await;
    let ben = person(store, "ben@example.test", Role::CaseManager, Some("south")).await;
    let boss = person(store, "tm@example.test", Role::TeamManager, None).await;
    let analyst = person(store, "an@example.test", Role::Analyst, None).await;
    let opened = services
        .open_case(&ann, &request("EHC-1", "2026-01-05"))
        .await
        .expect("open");
    assert!(matches!(
        services
            .assign_case(&ann, &opened.reference, 1, Some(ben.actor.id), None)
            .await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(
        invalid_fields(
            services
                .assign_case(&boss, &opened.reference, 1, Some(analyst.actor.id), None)
                .await
                .unwrap_err()
        ),
        ["case_manager"]
    );
    services
        .assign_case(&boss, &opened.reference, 1, Some(ben.actor.id), None)
        .await
        .expect("reassign");
    let case = store.case(&opened.reference).await.unwrap().unwrap();
    assert_eq!(case.record.case_manager, Some(ben.actor.id));
    assert_eq!(
        case.record.team.as_deref(),
        Some("south"),
        "team follows the case manager"
    );
    // Ann has lost the case; Ben has it.
    assert!(
        services
            .view_case(&ann, &opened.reference, None)
            .await
            .is_err()
    );
    assert!(
        services
            .view_case(&ben, &opened.reference, None)
            .await
            .is_ok()
    );
}

async fn lists_show_a_case_manager_their_caseload_only(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let ann = person(store, "ann@example.test", Role::CaseManager, Some("north")).await;
    let ben = person(store, "ben@example.test", Role::CaseManager, Some("south")).await;
    let head = person(store, "hos@example.test", Role::HeadOfService, None).await;
    let analyst = person(store, "an@example.test", Role::Analyst, None).await;
    for (n, who) in [(1, &ann), (2, &ann), (3, &ben)] {
        let mut new = request(&format!("EHC-{n}"), "2026-01-05");
        new.child = child("Sam", &format!("Family{n}"), "2015-01-01");
        services.open_case(who, &new).await.expect("open");
    }
    let overdue = CaseFilter {
        status: Some(StatusFilter::Overdue),
        ..CaseFilter::as_of(date("2026-03-02"))
    };
    let anns = services
        .list_cases(&ann, &overdue, Page::number(1, 20))
        .await
        .expect("list");
    assert_eq!(anns.total, 2, "decisions due 16 February are overdue");
    let all = services
        .list_cases(&head, &overdue, Page::number(1, 20))
        .await
        .expect("list");
    assert_eq!(all.total, 3);
    assert!(matches!(
        services
            .list_cases(&analyst, &overdue, Page::number(1, 20))
            .await,
        Err(ServiceError::Forbidden)
    ));
}

async fn every_call_leaves_exactly_one_audit_entry(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let cm = person(store, "cm@example.test", Role::CaseManager, Some("north")).await;
    let other = person(store, "x@example.test", Role::CaseManager, Some("south")).await;
    let boss = person(store, "tm@example.test", Role::TeamManager, None).await;
    let r = reference("EHC-1");
    let before = audit_count(store).await;
    services
        .open_case(&cm, &request("EHC-1", "2026-01-05"))
        .await
        .expect("open");
    let decision = event(&[
        ("type", "decision_to_assess"),
        ("date", "2026-02-10"),
        ("outcome", "assess"),
    ]);
    services.record_event(&cm, &r, 1, &decision).await.unwrap();
    services.view_case(&cm, &r, None).await.unwrap();
    let _ = services.view_case(&other, &r, None).await.unwrap_err();
    let _ = services
        .record_event(&cm, &r, 1, &decision)
        .await
        .unwrap_err(); // conflict: nothing written, nothing audited
    services
        .list_cases(
            &cm,
            &CaseFilter::as_of(date("2026-03-02")),
            Page::number(1, 5),
        )
        .await
        .unwrap();
    services
        .assign_case(&boss, &r, 2, Some(other.actor.id), None)
        .await
        .unwrap();
    let log = store.audit_log(&AuditFilter::default()).await.unwrap();
    let mut actions: Vec<&str> = log[..log.len() - before]
        .iter()
        .map(|e| e.action.as_str())
        .collect();
    actions.reverse(); // the log reads newest first
    assert_eq!(
        actions,
        [
            "case.open",
            "case.record_event",
            "case.view",
            "denied",
            "case.list",
            "case.assign"
        ]
    );
    let denial = &log[2];
    assert_eq!(denial.actor, Some(other.actor.id));
    assert_eq!(denial.case_reference.as_deref(), Some("EHC-1"));
    // Audit details never carry a child's name or date of birth.
    let text = serde_json::to_string(&log.iter().map(|e| &e.detail).collect::<Vec<_>>()).unwrap();
    assert!(
        !text.contains("Robin") && !text.contains("2015-06-01"),
        "{text}"
    );
}
