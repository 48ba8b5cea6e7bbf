//! The readings the case-changing forms start from, on both databases: the case for recording
//! (allowed only to those who may record, audited either way) and the list of case managers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::json;
use tandem_app::services::{Caller, NewContact, NewRequest, ServiceError, Services, Upload};
use tandem_core::messages::{Channel, Direction};
use tandem_core::{
    Actor, AdviceKind, AssessOutcome, Child, Event, EventDetail, Reference, Role, Stage,
};
use tandem_store::{NewUser, Source, Store};
use tandem_test_support::{Ctx, audit_entries, contract, date};

contract!(
    only_those_who_record_read_a_case_for_recording,
    a_case_page_is_read_at_once_and_audited_as_its_three_reads,
    case_managers_are_listed_to_those_who_open_cases,
    advice_requests_made_together_are_saved_together_or_not_at_all,
);

/// The services with "today" fixed at 2 March 2026.
fn services(store: &Store) -> Services {
    let noon = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
    Services::with_clock(store.clone(), Arc::new(move || noon))
}

async fn person(store: &Store, email: &str, name: &str, role: Role, team: Option<&str>) -> Caller {
    let mut tx = store.begin().await.expect("begin");
    let id = tx
        .create_user(&NewUser {
            email: email.into(),
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

/// Case managers of two teams.
async fn north_and_south(store: &Store) -> (Caller, Caller) {
    (
        person(
            store,
            "n@example.test",
            "N",
            Role::CaseManager,
            Some("north"),
        )
        .await,
        person(
            store,
            "s@example.test",
            "S",
            Role::CaseManager,
            Some("south"),
        )
        .await,
    )
}

fn request(reference: &str) -> NewRequest {
    let mut child = Child {
        date_of_birth: Some(date("2015-06-01")),
        ..Child::default()
    };
    child.other.insert("given_name".into(), json!("Robin"));
    child.other.insert("family_name".into(), json!("Testcase"));
    NewRequest {
        reference: Some(Reference::parse(reference).expect("reference")),
        requested_by: None,
        child,
        received: date("2026-01-05"),
        case_manager: None,
        same_child_as: None,
        different_child: false,
    }
}

async fn only_those_who_record_read_a_case_for_recording(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let (north, south) = north_and_south(store).await;
    let auditor = person(store, "qa@example.test", "Q", Role::QaAuditor, None).await;
    let manager = person(store, "tm@example.test", "T", Role::TeamManager, None).await;
    let opened = services
        .open_case(&north, &request("EHC-1"))
        .await
        .expect("open");

    let view = services
        .case_for_recording(&north, &opened.reference)
        .await
        .expect("own case");
    assert_eq!(view.case.record.version, 1);
    assert_eq!(view.timeline.stage, Stage::AwaitingDecision);
    assert_eq!(view.timeline.as_of, date("2026-03-02"));
    assert!(view.may_record && !view.may_assign);
    let viewed = audit_entries(store, "case.view").await;
    assert_eq!(viewed.len(), 1);
    assert_eq!(viewed[0].detail["purpose"], "record");

    let managed = services
        .case_for_recording(&manager, &opened.reference)
        .await
        .expect("team manager");
    assert!(managed.may_assign);

    // An auditor may read the case but not change it; another team is told it does not exist.
    assert!(matches!(
        services
            .case_for_recording(&auditor, &opened.reference)
            .await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        services.case_for_recording(&south, &opened.reference).await,
        Err(ServiceError::NotFound { .. })
    ));
    assert!(matches!(
        services
            .case_for_recording(&north, &Reference::parse("EHC-404").unwrap())
            .await,
        Err(ServiceError::NotFound { .. })
    ));
    assert_eq!(
        audit_entries(store, "denied").await.len(),
        3,
        "every refusal audited, the missing case's too (one path for both)"
    );
    assert_eq!(audit_entries(store, "case.view").await.len(), 2);
}

/// What a case page shows (the case, its messages, its documents) is read in one go and is the
/// same as the three separate reads; each part is audited as it is apart, and a refusal once.
async fn a_case_page_is_read_at_once_and_audited_as_its_three_reads(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let (north, south) = north_and_south(store).await;
    let opened = services
        .open_case(&north, &request("EHC-1"))
        .await
        .expect("open");
    let reference = &opened.reference;
    services
        .record_contact(
            &north,
            reference,
            &NewContact {
                direction: Direction::Incoming,
                channel: Channel::Phone,
                counterpart: "Mother, by phone".into(),
                body: "Asked when the decision is due.".into(),
                at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
            },
        )
        .await
        .expect("contact");
    services
        .add_document(
            &north,
            reference,
            Upload {
                kind: "letter".into(),
                title: "Acknowledgement".into(),
                file_name: "letter.pdf".into(),
                content: b"%PDF-1.4\n%%EOF\n".to_vec(),
                shared_with_family: false,
            },
        )
        .await
        .expect("document");

    let page = services.case_page(&north, reference).await.expect("page");
    let counts = || async {
        (
            audit_entries(store, "case.view").await.len(),
            audit_entries(store, "messages.view").await.len(),
            audit_entries(store, "document.list").await.len(),
        )
    };
    assert_eq!(counts().await, (1, 1, 1));
    let view = services.view_case(&north, reference, None).await.unwrap();
    assert_eq!(page.view.case, view.case);
    assert_eq!(page.view.timeline, view.timeline);
    assert_eq!(page.view.may_record, view.may_record);
    let messages = services.case_messages(&north, reference).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(page.messages, messages);
    let documents = services.documents(&north, reference).await.unwrap();
    assert_eq!(documents.documents.len(), 1);
    assert_eq!(page.documents, documents);
    assert_eq!(counts().await, (2, 2, 2));

    // Another team's case manager is told there is no such case, audited once.
    let denied = audit_entries(store, "denied").await.len();
    assert!(matches!(
        services.case_page(&south, reference).await,
        Err(ServiceError::NotFound { .. })
    ));
    assert_eq!(audit_entries(store, "denied").await.len(), denied + 1);
    assert_eq!(counts().await, (2, 2, 2));
}

async fn case_managers_are_listed_to_those_who_open_cases(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let zed = person(
        store,
        "z@example.test",
        "Zed Able",
        Role::CaseManager,
        Some("north"),
    )
    .await;
    let amy = person(store, "a@example.test", "Amy Bell", Role::TeamManager, None).await;
    person(store, "p@example.test", "Pat Parent", Role::Parent, None).await;
    let analyst = person(store, "an@example.test", "Ann Alyst", Role::Analyst, None).await;
    let gone = person(
        store,
        "g@example.test",
        "Gone Away",
        Role::CaseManager,
        None,
    )
    .await;
    let mut tx = store.begin().await.expect("begin");
    tx.set_user_disabled(gone.actor.id, true)
        .await
        .expect("disable");
    tx.commit().await.expect("commit");

    let listed = services.case_managers(&zed).await.expect("list");
    let names: Vec<(&str, Option<&str>)> = listed
        .iter()
        .map(|m| (m.name.as_str(), m.team.as_deref()))
        .collect();
    assert_eq!(names, [("Amy Bell", None), ("Zed Able", Some("north"))]);
    assert_eq!(listed[0].id, amy.actor.id);
    assert!(
        audit_entries(store, "denied").await.is_empty(),
        "an allowed reading leaves no entry"
    );

    assert!(matches!(
        services.case_managers(&analyst).await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(audit_entries(store, "denied").await.len(), 1);
}

fn advice(kind: AdviceKind, provider: Option<&str>) -> Event {
    Event::new(
        date("2026-02-20"),
        EventDetail::AdviceRequested {
            advice: kind,
            id: None,
            provider: provider.map(str::to_owned),
        },
    )
}

/// The fields the service's problems name.
fn fields_of(result: Result<tandem_app::services::Recorded, ServiceError>) -> Vec<String> {
    match result {
        Err(ServiceError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

async fn advice_requests_made_together_are_saved_together_or_not_at_all(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let manager = person(
        store,
        "m@example.test",
        "M",
        Role::CaseManager,
        Some("north"),
    )
    .await;
    let reference = Reference::parse("EHC-MANY-1").unwrap();
    services
        .open_case(&manager, &request("EHC-MANY-1"))
        .await
        .expect("opened");
    let decided = Event::new(
        date("2026-02-16"),
        EventDetail::DecisionToAssess {
            outcome: AssessOutcome::Assess,
        },
    );
    services
        .record_event(&manager, &reference, 1, &decided)
        .await
        .expect("decided");
    let mut tx = store.begin().await.expect("begin");
    tx.ensure_advice_provider("Community Paediatrics")
        .await
        .expect("provider");
    tx.commit().await.expect("commit");

    // One unlisted provider: the problem names health's own field, and nothing is saved.
    let unlisted = services
        .request_advice(
            &manager,
            &reference,
            2,
            &[
                advice(AdviceKind::Education, None),
                advice(AdviceKind::Health, Some("Nowhere Trust")),
            ],
            None,
        )
        .await;
    assert_eq!(fields_of(unlisted), ["provider_health"]);
    // The same kind twice, nothing at all, or something other than a request: refused.
    let twice = services
        .request_advice(
            &manager,
            &reference,
            2,
            &[
                advice(AdviceKind::Health, None),
                advice(AdviceKind::Health, None),
            ],
            None,
        )
        .await;
    assert_eq!(fields_of(twice), ["advice"]);
    assert_eq!(
        fields_of(
            services
                .request_advice(&manager, &reference, 2, &[], None)
                .await
        ),
        ["advice"]
    );
    assert_eq!(
        fields_of(
            services
                .request_advice(
                    &manager,
                    &reference,
                    2,
                    std::slice::from_ref(&decided),
                    None
                )
                .await
        ),
        ["advice"]
    );
    let case = store.case(&reference).await.unwrap().expect("case");
    assert_eq!(case.record.version, 2, "nothing was saved");

    let saved = services
        .request_advice(
            &manager,
            &reference,
            2,
            &[
                advice(AdviceKind::Education, None),
                advice(AdviceKind::Health, Some("community paediatrics")),
                advice(AdviceKind::EducationalPsychology, None),
            ],
            None,
        )
        .await
        .expect("saved");
    assert_eq!(saved.version, 3, "one change for the three requests");
    let case = store.case(&reference).await.unwrap().expect("case");
    let asked: Vec<(AdviceKind, Option<String>)> = case
        .history
        .iter()
        .filter_map(|r| match r.event.as_ref().map(|e| &e.detail) {
            Some(EventDetail::AdviceRequested {
                advice, provider, ..
            }) => Some((*advice, provider.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        asked,
        [
            (AdviceKind::Education, None),
            (AdviceKind::Health, Some("Community Paediatrics".to_owned())),
            (AdviceKind::EducationalPsychology, None),
        ],
        "the provider is stored as the list spells it"
    );
    let recorded = audit_entries(store, "case.record_event").await;
    assert_eq!(recorded.len(), 2, "the decision and the three requests");
    assert!(
        recorded.iter().any(|e| e.detail["count"] == 3),
        "{recorded:?}"
    );

    // A stale version is a conflict, not a partial write.
    let stale = services
        .request_advice(
            &manager,
            &reference,
            2,
            &[advice(AdviceKind::SocialCare, None)],
            None,
        )
        .await;
    assert!(
        matches!(stale, Err(ServiceError::Conflict { .. })),
        "{stale:?}"
    );
}
