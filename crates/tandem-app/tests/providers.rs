//! The list of advice providers on both databases (issue 14, finding 17): administrators keep
//! it, each change audited; a request must name a current provider and is recorded under its
//! name now; imports add the names the list lacks.

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
use tandem_app::transfer::{self, ImportFile, ImportKind, ImportOptions, Progress};
use tandem_core::{Actor, Child, EventDetail, Reference, Role};
use tandem_store::{AuditFilter, NewUser, Source, Store};
use tandem_test_support::{Ctx, TempDatabase, contract, date, event};

contract!(
    administrators_keep_the_list_and_each_change_is_audited,
    a_request_names_a_current_provider_under_its_name_now,
);

// An import's progress is not `Send`, so the import runs on the test's own thread: once per
// database, by hand.
#[tokio::test]
async fn an_import_adds_the_providers_the_list_lacks_on_sqlite() {
    let database = TempDatabase::sqlite();
    an_import_adds_the_providers_the_list_lacks(&database.open().await).await;
}

#[tokio::test]
async fn an_import_adds_the_providers_the_list_lacks_on_postgres() {
    if let Some(database) = TempDatabase::postgres().await {
        an_import_adds_the_providers_the_list_lacks(&database.open().await).await;
        database.remove().await;
    }
}

struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: &str, _: Option<u64>) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

fn services(store: &Store) -> Services {
    let noon = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
    Services::with_clock(store.clone(), Arc::new(move || noon))
}

async fn person(store: &Store, email: &str, role: Role) -> Caller {
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .create_user(&NewUser {
            email: email.into(),
            name: format!("Staff {email}"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            role,
            team: None,
            provider: None,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Caller::new(
        Actor {
            id,
            role,
            team: None,
            provider: None,
        },
        Source::Form,
    )
}

async fn audited(store: &Store, action: &str) -> Vec<serde_json::Value> {
    store
        .audit_log(&AuditFilter {
            action: Some(action.into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.detail)
        .collect()
}

fn invalid(error: ServiceError) -> Vec<(String, String)> {
    match error {
        ServiceError::Invalid(errors) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn administrators_keep_the_list_and_each_change_is_audited(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let admin = person(store, "admin@council.test", Role::Admin).await;
    let manager = person(store, "tm@council.test", Role::TeamManager).await;

    let added = services
        .add_advice_provider(&admin, "  Northshire CHT ")
        .await
        .unwrap();
    assert_eq!(added.name, "Northshire CHT");
    assert!(added.is_current());
    // The same name in other capitals or spacing is the same provider.
    let again = services
        .add_advice_provider(&admin, "northshire   cht")
        .await
        .unwrap_err();
    assert_eq!(invalid(again)[0].0, "name");
    assert_eq!(
        invalid(services.add_advice_provider(&admin, " ").await.unwrap_err())[0].1,
        "Enter the provider's name"
    );
    let long = "x".repeat(201);
    assert_eq!(
        invalid(
            services
                .add_advice_provider(&admin, &long)
                .await
                .unwrap_err()
        )[0]
        .0,
        "name"
    );
    // Only administrators, and the refusal is audited.
    assert!(matches!(
        services.add_advice_provider(&manager, "Other").await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(audited(store, "denied").await.len(), 1);

    let renamed = services
        .rename_advice_provider(&admin, added.id, "Northshire Community Health NHS Trust")
        .await
        .unwrap();
    assert_eq!(renamed.id, added.id);
    // The earlier name is still this provider's: no other may take it.
    let other = services
        .add_advice_provider(&admin, "Southshire Trust")
        .await
        .unwrap();
    let taken = services
        .rename_advice_provider(&admin, other.id, "Northshire CHT")
        .await
        .unwrap_err();
    assert_eq!(invalid(taken)[0].0, "name");
    let retired = services
        .retire_advice_provider(&admin, other.id, true)
        .await
        .unwrap();
    assert!(!retired.is_current());
    let back = services
        .retire_advice_provider(&admin, other.id, false)
        .await
        .unwrap();
    assert!(back.is_current());
    assert!(matches!(
        services.retire_advice_provider(&admin, 999_999, true).await,
        Err(ServiceError::NotFound { .. })
    ));

    let names: Vec<String> = services
        .advice_providers(&manager)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        names,
        ["Northshire Community Health NHS Trust", "Southshire Trust"]
    );
    assert_eq!(audited(store, "advice_provider.add").await.len(), 2);
    let rename = audited(store, "advice_provider.rename").await;
    assert_eq!(rename.len(), 1);
    assert_eq!(rename[0]["from"], "Northshire CHT");
    assert_eq!(rename[0]["to"], "Northshire Community Health NHS Trust");
    assert_eq!(audited(store, "advice_provider.retire").await.len(), 1);
    assert_eq!(audited(store, "advice_provider.reinstate").await.len(), 1);
}

async fn a_request_names_a_current_provider_under_its_name_now(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let admin = person(store, "admin@council.test", Role::Admin).await;
    let manager = person(store, "tm@council.test", Role::TeamManager).await;
    let mut child = Child {
        date_of_birth: Some(date("2015-06-01")),
        ..Child::default()
    };
    child.other.insert("given_name".into(), json!("Robin"));
    child.other.insert("family_name".into(), json!("Testcase"));
    let reference = Reference::parse("EHC-P-1").unwrap();
    let opened = services
        .open_case(
            &manager,
            &NewRequest {
                reference: Some(reference.clone()),
                requested_by: None,
                child,
                received: date("2026-01-05"),
                case_manager: None,
                same_child_as: None,
                different_child: false,
            },
        )
        .await
        .unwrap();
    let asking = |provider: &str, id: &str| {
        event(&[
            ("type", "advice_requested"),
            ("date", "2026-02-11"),
            ("advice", "health"),
            ("id", id),
            ("provider", provider),
        ])
    };

    // Not on the list: refused on the provider field.
    let refused = services
        .record_event(
            &manager,
            &reference,
            opened.version,
            &asking("Dr Jones", "a"),
        )
        .await
        .unwrap_err();
    assert_eq!(invalid(refused)[0].0, "provider");

    let trust = services
        .add_advice_provider(&admin, "Northshire CHT")
        .await
        .unwrap();
    services
        .rename_advice_provider(&admin, trust.id, "Northshire Community Health NHS Trust")
        .await
        .unwrap();
    // The earlier name, in other capitals, finds the provider: recorded under its name now.
    let recorded = services
        .record_event(
            &manager,
            &reference,
            opened.version,
            &asking("NORTHSHIRE  cht", "b"),
        )
        .await
        .unwrap();
    let stored = store.case(&reference).await.unwrap().unwrap();
    let provider = stored
        .history
        .iter()
        .rev()
        .find_map(|row| match &row.event {
            Some(tandem_core::Event {
                detail: EventDetail::AdviceRequested { provider, .. },
                ..
            }) => provider.clone(),
            _ => None,
        });
    assert_eq!(
        provider.as_deref(),
        Some("Northshire Community Health NHS Trust")
    );

    // A retired provider is offered no more.
    services
        .retire_advice_provider(&admin, trust.id, true)
        .await
        .unwrap();
    let retired = services
        .record_event(
            &manager,
            &reference,
            recorded.version,
            &asking("Northshire Community Health NHS Trust", "c"),
        )
        .await
        .unwrap_err();
    assert!(invalid(retired)[0].1.contains("retired"));
    // A request naming no provider needs no list.
    services
        .record_event(
            &manager,
            &reference,
            recorded.version,
            &event(&[
                ("type", "advice_requested"),
                ("date", "2026-02-11"),
                ("advice", "social_care"),
            ]),
        )
        .await
        .unwrap();
}

/// The provider the first advice request of the case `reference` names, as stored.
async fn provider_requested(store: &Store, reference: &str) -> Option<String> {
    let stored = store
        .case(&Reference::parse(reference).unwrap())
        .await
        .unwrap()
        .unwrap();
    stored
        .case_file()
        .events
        .iter()
        .find_map(|e| match &e.detail {
            EventDetail::AdviceRequested { provider, .. } => provider.clone(),
            _ => None,
        })
}

async fn an_import_adds_the_providers_the_list_lacks(store: &Store) {
    let services = services(store);
    let admin = person(store, "admin@council.test", Role::Admin).await;
    services
        .add_advice_provider(&admin, "Community paediatrics")
        .await
        .unwrap();
    let case = |reference: &str, provider: &str| {
        json!({
            "reference": reference,
            "child": { "given_name": "Sam", "family_name": "Import", "date_of_birth": "2016-01-01" },
            "events": [
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "advice_requested", "date": "2026-02-11", "advice": "health", "provider": provider },
            ],
        })
        .to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.jsonl");
    std::fs::write(
        &path,
        [
            case("EHC-I-1", "COMMUNITY PAEDIATRICS"),
            case("EHC-I-2", "Old Tracker Clinic"),
            case("EHC-I-3", "old tracker  clinic"),
        ]
        .join("\n"),
    )
    .unwrap();
    let files = [ImportFile {
        path,
        kind: ImportKind::Cases(tandem_app::interchange::Format::JsonLines),
    }];
    let options = ImportOptions {
        dry_run: true,
        replace: false,
        skip_invalid: false,
        today: date("2026-03-02"),
    };
    let dry = transfer::import(store, &files, options, &mut Quiet)
        .await
        .unwrap();
    assert_eq!(dry.providers_added, ["Old Tracker Clinic"]);
    assert_eq!(services.advice_providers(&admin).await.unwrap().len(), 1);

    let writing = ImportOptions {
        dry_run: false,
        ..options
    };
    let report = transfer::import(store, &files, writing, &mut Quiet)
        .await
        .unwrap();
    assert_eq!(report.providers_added, ["Old Tracker Clinic"]);
    let names: Vec<String> = services
        .advice_providers(&admin)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Community paediatrics", "Old Tracker Clinic"]);
    // Each request is recorded under the list's name.
    for (reference, name) in [
        ("EHC-I-1", "Community paediatrics"),
        ("EHC-I-3", "Old Tracker Clinic"),
    ] {
        assert_eq!(
            provider_requested(store, reference).await.as_deref(),
            Some(name),
            "{reference}"
        );
    }
    let import = audited(store, "import").await;
    assert_eq!(import[0]["providers_added"], json!(["Old Tracker Clinic"]));

    // The same from an events CSV whose cases' rows are together, which is read twice rather
    // than held: names mapped to the list's, new ones added once, in the order first given.
    let csv = dir.path().join("cases.csv");
    let row = |reference: &str, provider: &str| {
        format!(
            "{reference},request_received,2026-01-05,,,,,,,,,\n\
             {reference},advice_requested,2026-02-11,,health,,,,,,,{provider}\n"
        )
    };
    std::fs::write(
        &csv,
        format!(
            "{},provider\n{}{}{}{}",
            tandem_app::interchange::events_csv::HEADER.join(","),
            row("EHC-C-1", "old tracker clinic"),
            row("EHC-C-2", "Second New Clinic"),
            row("EHC-C-3", "First New Clinic"),
            row("EHC-C-4", "second  new clinic"),
        ),
    )
    .unwrap();
    let files = [ImportFile {
        path: csv,
        kind: ImportKind::Cases(tandem_app::interchange::Format::EventsCsv),
    }];
    let report = transfer::import(store, &files, writing, &mut Quiet)
        .await
        .unwrap();
    assert_eq!(report.written.cases, 4);
    assert_eq!(
        report.providers_added,
        ["Second New Clinic", "First New Clinic"]
    );
    for (reference, name) in [
        ("EHC-C-1", "Old Tracker Clinic"),
        ("EHC-C-2", "Second New Clinic"),
        ("EHC-C-4", "Second New Clinic"),
    ] {
        assert_eq!(
            provider_requested(store, reference).await.as_deref(),
            Some(name),
            "{reference}"
        );
    }
}
