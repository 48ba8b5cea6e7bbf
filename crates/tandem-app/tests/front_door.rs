//! The front door on both databases (issue 13 item 1; issue 16): references made from the
//! council's pattern, never the same twice even when requests are opened at once; who asked and
//! the other facts of a request kept on the case, so that a child's two requests keep their own,
//! in every way the store reads cases; changes to the details kept as the case's history.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use futures_util::TryStreamExt;
use serde_json::json;
use tandem_app::services::{
    Caller, EDITABLE, NewRequest, REQUEST_EDITABLE, ReturnDetailsEdit, ServiceError, Services,
    Source,
};
use tandem_core::reference_pattern::ReferencePattern;
use tandem_core::request::Requester;
use tandem_core::{Actor, Child, Reference, Role};
use tandem_test_support::{Ctx, add_user, audit_entries, contract, date};

contract!(
    references_are_made_from_the_pattern_and_never_twice,
    each_request_keeps_its_own_facts_everywhere_cases_are_read,
    edits_to_the_details_are_checked_and_kept_as_history,
    every_setting_is_changed_added_ended_and_removed,
);

/// The services with "today" fixed at 2 March 2026.
fn services(ctx: &Ctx) -> Services {
    let noon = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
    Services::with_clock(ctx.store.clone(), Arc::new(move || noon))
}

async fn case_manager(ctx: &Ctx) -> Caller {
    let id = add_user(
        &ctx.store,
        "cm@example.test",
        Role::CaseManager,
        Some("north"),
    )
    .await;
    Caller::new(
        Actor {
            id,
            role: Role::CaseManager,
            team: Some("north".into()),
            provider: None,
        },
        Source::Form,
    )
}

/// A request for a child of its own, without a reference.
fn request(n: usize, requested_by: Option<Requester>) -> NewRequest {
    let mut child = Child {
        date_of_birth: Some(date("2015-06-01")),
        ..Child::default()
    };
    child
        .other
        .insert("given_name".into(), json!(format!("Child{n}")));
    child.other.insert("family_name".into(), json!("Frontdoor"));
    NewRequest {
        reference: None,
        requested_by,
        child,
        received: date("2026-02-20"),
        case_manager: None,
        same_child_as: None,
        different_child: false,
    }
}

async fn references_are_made_from_the_pattern_and_never_twice(ctx: Ctx) {
    let services = services(&ctx);
    let cm = case_manager(&ctx).await;
    // Eight requests at once, each in its own task: every one gets its own number.
    let opened = futures_util::future::join_all((0..8).map(|n| {
        let (services, cm) = (services.clone(), cm.clone());
        tokio::spawn(async move { services.open_case(&cm, &request(n, None)).await })
    }))
    .await;
    let made: BTreeSet<String> = opened
        .into_iter()
        .map(|o| o.unwrap().unwrap().reference.to_string())
        .collect();
    let expected: BTreeSet<String> = (1..=8).map(|n| format!("EHC-2026-{n:06}")).collect();
    assert_eq!(made, expected);
    // A typed reference the pattern would make next is skipped, not clashed with.
    let mut typed = request(8, None);
    typed.reference = Some(Reference::parse("EHC-2026-000009").unwrap());
    services.open_case(&cm, &typed).await.unwrap();
    let next = services.open_case(&cm, &request(9, None)).await.unwrap();
    assert_eq!(next.reference.as_str(), "EHC-2026-000010");
    // A request refused (here, a possible duplicate) gives its number back.
    let refused = services.open_case(&cm, &request(9, None)).await;
    assert!(matches!(
        refused,
        Err(ServiceError::PossibleDuplicate { .. })
    ));
    // Another pattern counts on its own.
    let own = services
        .clone()
        .with_reference_pattern(ReferencePattern::parse("SEND{seq:03}").unwrap());
    let first = own.open_case(&cm, &request(10, None)).await.unwrap();
    assert_eq!(first.reference.as_str(), "SEND001");
    let again = services.open_case(&cm, &request(11, None)).await.unwrap();
    assert_eq!(again.reference.as_str(), "EHC-2026-000011");
    let audit = audit_entries(&ctx.store, "case.open").await;
    assert_eq!(audit.len(), 12);
}

async fn each_request_keeps_its_own_facts_everywhere_cases_are_read(ctx: Ctx) {
    let services = services(&ctx);
    let cm = case_manager(&ctx).await;
    let first = services
        .open_case(&cm, &request(1, Some(Requester::Parent)))
        .await
        .unwrap();
    let child_id = ctx
        .store
        .case(&first.reference)
        .await
        .unwrap()
        .unwrap()
        .record
        .child_id;
    // A second request for the same child, made by the school.
    let mut second = request(1, Some(Requester::School));
    second.same_child_as = Some(child_id);
    let second = services.open_case(&cm, &second).await.unwrap();
    let one = |r: &Reference| {
        let store = ctx.store.clone();
        let r = r.clone();
        async move { store.case(&r).await.unwrap().unwrap() }
    };
    let (a, b) = (one(&first.reference).await, one(&second.reference).await);
    assert_eq!(a.record.child_id, b.record.child_id, "one child");
    assert_eq!(a.request.requested_by, Some(Requester::Parent));
    assert_eq!(b.request.requested_by, Some(Requester::School));
    // The stream of every case (exports, returns) and the dashboard's many-case read agree.
    let streamed: Vec<_> = ctx.store.case_files().try_collect().await.unwrap();
    let by_stream: Vec<_> = streamed
        .iter()
        .map(|c| (c.reference.to_string(), c.request.requested_by))
        .collect();
    assert_eq!(
        by_stream,
        [
            (first.reference.to_string(), Some(Requester::Parent)),
            (second.reference.to_string(), Some(Requester::School)),
        ]
    );
    let mut read = ctx.store.begin_snapshot().await.unwrap();
    let versioned = read
        .versioned_case_files(&[a.record.id, b.record.id])
        .await
        .unwrap();
    let by_version: Vec<_> = versioned
        .iter()
        .map(|(_, _, (c, _))| c.request.requested_by)
        .collect();
    assert_eq!(
        by_version,
        [Some(Requester::Parent), Some(Requester::School)]
    );
    let paged = read.versioned_case_files_after(0).await.unwrap();
    assert_eq!(paged.len(), 2);
    assert_eq!(paged[1].2.0.request.requested_by, Some(Requester::School));
    // The case file written out carries the request, and reads back the same.
    let file = a.case_file().to_value();
    assert_eq!(file["request"], json!({ "requested_by": "parent" }));
    assert_eq!(
        tandem_core::CaseFile::from_value(file).unwrap().request,
        a.request
    );
}

fn edit(request: &[(&str, &str)]) -> ReturnDetailsEdit {
    let value = |names: &[&str], given: &[(&str, &str)]| {
        names
            .iter()
            .map(|n| {
                given
                    .iter()
                    .find(|(k, _)| k == n)
                    .map_or(String::new(), |(_, v)| (*v).to_owned())
            })
            .collect()
    };
    ReturnDetailsEdit {
        values: value(
            &EDITABLE,
            &[("primary_need", "ASD"), ("interpreter_needed", "yes")],
        ),
        request: value(&REQUEST_EDITABLE, request),
        placements: Vec::new(),
    }
}

async fn edits_to_the_details_are_checked_and_kept_as_history(ctx: Ctx) {
    let services = services(&ctx);
    let cm = case_manager(&ctx).await;
    let opened = services
        .open_case(&cm, &request(1, Some(Requester::Parent)))
        .await
        .unwrap();
    let reference = opened.reference.clone();
    let wrong = services
        .update_return_details(
            &cm,
            &reference,
            opened.version,
            &edit(&[("cease_reason", "12"), ("rya", "maybe")]),
        )
        .await
        .unwrap_err();
    let fields: Vec<String> = match wrong {
        ServiceError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid fields, got {other:?}"),
    };
    assert_eq!(fields, ["rya", "cease_reason"]);
    let saved = services
        .update_return_details(
            &cm,
            &reference,
            opened.version,
            &edit(&[
                ("requested_by", "health"),
                ("request_mediation", "yes"),
                ("personal_budget", "yes"),
                ("direct_payments", "e"),
            ]),
        )
        .await
        .unwrap();
    let stored = ctx.store.case(&reference).await.unwrap().unwrap();
    assert_eq!(stored.request.requested_by, Some(Requester::Health));
    assert!(stored.request.request_mediation && stored.request.personal_budget);
    assert_eq!(stored.request.direct_payments.as_deref(), Some("E"));
    assert_eq!(stored.child.other["interpreter_needed"], json!(true));
    // The case shows who changed what, with the values before and after.
    let view = services.view_case(&cm, &reference, None).await.unwrap();
    assert_eq!(view.detail_changes.len(), 1);
    let change = &view.detail_changes[0];
    assert_eq!(change.changed_by, Some(cm.actor.id));
    let fields: Vec<(&str, Option<&str>, Option<&str>)> = change
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.from.as_deref(), c.to.as_deref()))
        .collect();
    assert_eq!(
        fields,
        [
            ("interpreter_needed", None, Some("yes")),
            ("primary_need", None, Some("ASD")),
            ("requested_by", Some("parent"), Some("health")),
            ("request_mediation", None, Some("yes")),
            ("personal_budget", None, Some("yes")),
            ("direct_payments", None, Some("E")),
        ]
    );
    // Saving the same again changes nothing and adds no history.
    services
        .update_return_details(
            &cm,
            &reference,
            saved,
            &edit(&[
                ("requested_by", "health"),
                ("request_mediation", "yes"),
                ("personal_budget", "yes"),
                ("direct_payments", "E"),
            ]),
        )
        .await
        .unwrap();
    let view = services.view_case(&cm, &reference, None).await.unwrap();
    assert_eq!(view.detail_changes.len(), 1);
    assert_eq!(
        audit_entries(&ctx.store, "case.update_return_details")
            .await
            .len(),
        2
    );
}

/// A setting row of the form, in the order of `PLACEMENT_EDITABLE`.
fn setting(row: [&str; 7]) -> [String; 7] {
    row.map(str::to_owned)
}

/// The child's settings as stored, once the case is at `version`.
async fn placements_of(
    ctx: &Ctx,
    reference: &Reference,
    version: i64,
) -> Option<serde_json::Value> {
    let stored = ctx.store.case(reference).await.unwrap().unwrap();
    assert_eq!(stored.record.version, version);
    stored.child.other.get("placements").cloned()
}

async fn every_setting_is_changed_added_ended_and_removed(ctx: Ctx) {
    let services = services(&ctx);
    let cm = case_manager(&ctx).await;
    let opened = services.open_case(&cm, &request(1, None)).await.unwrap();
    let placements = |version| placements_of(&ctx, &opened.reference, version);
    // Two settings at once: a main school and a dual-registered unit.
    let mut details = edit(&[]);
    details.placements = vec![
        setting(["123456", "", "", "Primary", "1", "2019-09-01", ""]),
        setting(["654321", "", "", "Primary", "2", "2025-01-06", ""]),
        setting(["", "", "", "", "", "", ""]),
    ];
    let version = services
        .update_return_details(&cm, &opened.reference, opened.version, &details)
        .await
        .unwrap();
    let held = placements(version).await.expect("settings");
    assert_eq!(held.as_array().unwrap().len(), 2);
    assert_eq!(held[1]["rank"], json!("2"));
    // The unit ends; the school gains a name from elsewhere that the form keeps.
    let mut stored = ctx.store.case(&opened.reference).await.unwrap().unwrap();
    stored.child.other["placements"][0]["name"] = json!("Hillside Primary");
    let mut tx = ctx.store.begin().await.unwrap();
    let version = tx
        .update_child(stored.record.id, version, &stored.child, &stored.request)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    details.placements = vec![
        setting(["123456", "", "", "Primary", "1", "2019-09-01", ""]),
        setting(["654321", "", "", "Primary", "2", "2025-01-06", "2026-02-27"]),
        setting(["", "", "OTH", "", "2", "2026-03-02", ""]),
    ];
    let version = services
        .update_return_details(&cm, &opened.reference, version, &details)
        .await
        .unwrap();
    let held = placements(version).await.expect("settings");
    assert_eq!(held[0]["name"], json!("Hillside Primary"));
    assert_eq!(held[1]["leaving_date"], json!("2026-02-27"));
    assert_eq!(held[2]["setting"], json!("OTH"));
    // Emptying a row removes that setting, and only that one; emptying all removes them all.
    details.placements = vec![
        setting(["123456", "", "", "Primary", "1", "2019-09-01", ""]),
        setting(["", "", "", "", "", "", ""]),
        setting(["", "", "OTH", "", "2", "2026-03-02", ""]),
    ];
    let version = services
        .update_return_details(&cm, &opened.reference, version, &details)
        .await
        .unwrap();
    let held = placements(version).await.expect("settings");
    let urns: Vec<&serde_json::Value> = held
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["setting"])
        .collect();
    assert_eq!(urns, [&serde_json::Value::Null, &json!("OTH")]);
    details.placements = vec![setting(["", "", "", "", "", "", ""]); 2];
    let version = services
        .update_return_details(&cm, &opened.reference, version, &details)
        .await
        .unwrap();
    assert_eq!(placements(version).await, None);
    // Each change is in the case's history of details.
    let view = services
        .view_case(&cm, &opened.reference, None)
        .await
        .unwrap();
    assert_eq!(view.detail_changes.len(), 4);
}
