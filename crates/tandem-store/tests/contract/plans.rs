//! The EHC plan: working revisions saved against the one they were based on, and numbered
//! versions issued from them with the case's event, never changed afterwards.

use serde_json::json;
use tandem_core::plan::{Plan, PlanChild, PlanStatus, Section, TextSection};
use tandem_core::{Event, EventDetail, Role};
use tandem_store::{NewPlanComment, StoreError};
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(
    each_save_is_a_revision_and_a_stale_save_is_refused,
    issuing_keeps_the_version_and_its_event_together,
    issued_versions_and_saved_revisions_never_change,
    comments_name_an_issued_draft_and_never_change,
);

fn plan_saying(text: &str) -> Plan {
    let mut plan = Plan::blank(PlanChild::default());
    plan.sections.a = Some(TextSection { text: text.into() });
    plan
}

async fn each_save_is_a_revision_and_a_stale_save_is_refused(ctx: Ctx) {
    let store = &ctx.store;
    let user = add_user(store, "plans@example.test", Role::CaseManager, None).await;
    let case = open(store, requested("EHC-P1", "2026-01-05"), at("2026-01-06")).await;

    let mut tx = store.begin_at(at("2026-03-02")).await.expect("begin");
    assert_eq!(tx.plan_revision(case.id).await.expect("read"), None);
    let first = tx
        .save_plan(case.id, user, &plan_saying("Sam likes trains."), 0)
        .await
        .expect("first save");
    let second = tx
        .save_plan(
            case.id,
            user,
            &plan_saying("Sam likes trains and buses."),
            first,
        )
        .await
        .expect("second save");
    assert_eq!((first, second), (1, 2));
    tx.commit().await.expect("commit");

    // A save based on revision 1 (someone else's stale page) is refused, naming revision 2.
    let mut tx = store.begin_at(at("2026-03-02")).await.expect("begin");
    let stale = tx
        .save_plan(case.id, user, &plan_saying("Overwritten?"), first)
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { current_version: 2 })),
        "{stale:?}"
    );
    // Neither may a save name a revision that was never made.
    let ahead = tx.save_plan(case.id, user, &plan_saying("Ahead"), 7).await;
    assert!(matches!(
        ahead,
        Err(StoreError::Conflict { current_version: 2 })
    ));
    let latest = tx
        .plan_revision(case.id)
        .await
        .expect("read")
        .expect("saved");
    assert_eq!(latest.revision, 2);
    assert_eq!(latest.plan, plan_saying("Sam likes trains and buses."));
    assert_eq!(
        (latest.author_id, latest.saved_at),
        (user, at("2026-03-02"))
    );
    tx.commit().await.expect("commit");
    assert_eq!(count(store, "plan_revisions").await, 2);
}

async fn issuing_keeps_the_version_and_its_event_together(ctx: Ctx) {
    let store = &ctx.store;
    let user = add_user(store, "issuer@example.test", Role::CaseManager, None).await;
    let case = open(store, requested("EHC-P2", "2026-01-05"), at("2026-01-06")).await;
    let mut tx = store.begin_at(at("2026-03-02")).await.expect("begin");
    tx.save_plan(case.id, user, &plan_saying("Draft"), 0)
        .await
        .expect("save");
    tx.commit().await.expect("commit");

    // A transaction that issues and then fails leaves neither the event nor the version.
    let mut tx = store.begin_at(at("2026-03-03")).await.expect("begin");
    let draft = Event::new(date("2026-03-03"), EventDetail::DraftPlanIssued);
    tx.append_events(
        case.id,
        case.version,
        std::slice::from_ref(&draft),
        by_form(Some(user)),
    )
    .await
    .expect("event");
    tx.issue_plan_version(case.id, 1, PlanStatus::Draft, user, &json!({}))
        .await
        .expect("issue");
    tx.rollback().await.expect("rollback");
    assert_eq!(count(store, "plan_versions").await, 0);
    assert_eq!(count(store, "events").await, 1);

    let mut tx = store.begin_at(at("2026-03-03")).await.expect("begin");
    let version = tx
        .append_events(case.id, case.version, &[draft], by_form(Some(user)))
        .await
        .expect("event");
    let number = tx
        .issue_plan_version(
            case.id,
            1,
            PlanStatus::Draft,
            user,
            &json!({"acknowledged": []}),
        )
        .await
        .expect("issue");
    assert_eq!(number, 1);
    // Only a saved revision can be issued.
    let missing = tx
        .issue_plan_version(case.id, 9, PlanStatus::Draft, user, &json!({}))
        .await;
    assert!(
        matches!(missing, Err(StoreError::Corrupt(_))),
        "{missing:?}"
    );
    tx.commit().await.expect("commit");

    let mut tx = store.begin().await.expect("begin");
    let versions = tx.plan_versions(case.id).await.expect("versions");
    assert_eq!(versions.len(), 1);
    let issued = &versions[0];
    assert_eq!(
        (issued.number, issued.kind, issued.revision),
        (1, PlanStatus::Draft, 1)
    );
    assert_eq!(issued.plan, plan_saying("Draft"));
    assert_eq!(
        (issued.issued_by, issued.issued_at),
        (user, at("2026-03-03"))
    );
    assert_eq!(issued.sign_off, json!({"acknowledged": []}));
    let stored = tx
        .case(&case.reference)
        .await
        .expect("case")
        .expect("found");
    assert_eq!(stored.record.version, version);
    assert_eq!(
        stored
            .history
            .last()
            .and_then(|r| r.event.as_ref())
            .map(|e| &e.detail),
        Some(&EventDetail::DraftPlanIssued)
    );
    tx.commit().await.expect("commit");
    let linked = count(
        store,
        "plan_versions v JOIN events e ON e.id = v.event_id WHERE e.type = 'draft_plan_issued'",
    )
    .await;
    assert_eq!(linked, 1, "the version names the event issued with it");
}

async fn issued_versions_and_saved_revisions_never_change(ctx: Ctx) {
    let store = &ctx.store;
    let user = add_user(store, "keeper@example.test", Role::CaseManager, None).await;
    let case = open(store, requested("EHC-P3", "2026-01-05"), at("2026-01-06")).await;
    let mut tx = store.begin_at(at("2026-03-02")).await.expect("begin");
    tx.save_plan(case.id, user, &plan_saying("As issued"), 0)
        .await
        .expect("save");
    let draft = Event::new(date("2026-03-02"), EventDetail::DraftPlanIssued);
    tx.append_events(case.id, case.version, &[draft], by_form(Some(user)))
        .await
        .expect("event");
    tx.issue_plan_version(case.id, 1, PlanStatus::Draft, user, &json!({}))
        .await
        .expect("issue");
    // Later saves make new revisions; the issued version keeps what was issued.
    tx.save_plan(case.id, user, &plan_saying("Changed after issue"), 1)
        .await
        .expect("save again");
    tx.commit().await.expect("commit");
    let mut tx = store.begin().await.expect("begin");
    let versions = tx.plan_versions(case.id).await.expect("versions");
    assert_eq!(versions[0].plan, plan_saying("As issued"));
    tx.commit().await.expect("commit");

    // Not even SQL can change them: the database refuses.
    for sql in [
        "UPDATE plan_versions SET kind = 'final'",
        "UPDATE plan_revisions SET author_id = author_id",
    ] {
        assert!(try_execute(store, sql).await.is_err(), "{sql} was allowed");
    }
    let mut tx = store.begin().await.expect("begin");
    assert_eq!(
        tx.plan_versions(case.id).await.expect("versions")[0].kind,
        PlanStatus::Draft
    );
    tx.commit().await.expect("commit");
}

async fn comments_name_an_issued_draft_and_never_change(ctx: Ctx) {
    let store = &ctx.store;
    let user = add_user(store, "writer@example.test", Role::CaseManager, None).await;
    let parent = add_user(store, "family@example.test", Role::Parent, None).await;
    let case = open(store, requested("EHC-P4", "2026-01-05"), at("2026-01-06")).await;
    let mut tx = store.begin_at(at("2026-03-02")).await.expect("begin");
    tx.save_plan(case.id, user, &plan_saying("Draft"), 0)
        .await
        .expect("save");
    let draft = Event::new(date("2026-03-02"), EventDetail::DraftPlanIssued);
    tx.append_events(case.id, case.version, &[draft], by_form(Some(user)))
        .await
        .expect("event");
    tx.issue_plan_version(case.id, 1, PlanStatus::Draft, user, &json!({}))
        .await
        .expect("issue");
    tx.commit().await.expect("commit");

    let comment = NewPlanComment {
        version: 1,
        section: Some(Section::H1),
        body: "More respite, please.".into(),
        preferred_setting: None,
        wants_meeting: false,
    };
    let mut tx = store.begin_at(at("2026-03-05")).await.expect("begin");
    tx.add_plan_comment(case.id, parent, &comment)
        .await
        .expect("comment");
    // A comment on a version never issued is refused by the database.
    let unissued = NewPlanComment {
        version: 2,
        ..comment.clone()
    };
    assert!(
        tx.add_plan_comment(case.id, parent, &unissued)
            .await
            .is_err()
    );
    tx.rollback().await.expect("rollback");
    assert_eq!(count(store, "plan_comments").await, 0, "nothing half-saved");

    let mut tx = store.begin_at(at("2026-03-05")).await.expect("begin");
    let kept = tx
        .add_plan_comment(case.id, parent, &comment)
        .await
        .expect("comment");
    tx.commit().await.expect("commit");
    let mut tx = store.begin().await.expect("begin");
    let comments = tx.plan_comments(case.id).await.expect("comments");
    tx.commit().await.expect("commit");
    assert_eq!(comments.len(), 1);
    assert_eq!(
        (
            comments[0].id,
            &comments[0].comment,
            comments[0].author_id,
            comments[0].made_at
        ),
        (kept, &comment, parent, at("2026-03-05"))
    );
    assert!(
        try_execute(store, "UPDATE plan_comments SET body = 'changed'")
            .await
            .is_err(),
        "a comment was changed"
    );
}
