//! The improvement plan: kept in plan order, read back whole; an action changed only from the
//! version it is at, each change kept with its author, note and the fields it changed; a
//! replaced plan takes its actions' history with it.

use tandem_core::Role;
use tandem_core::improvement_plan::{
    Action, ActionChange, ActionStatus, ImprovementPlan, SuccessMeasure,
};
use tandem_store::StoreError;
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(a_plan_is_kept_in_order_and_its_actions_change_from_their_version,);

fn action(text: &str, status: ActionStatus) -> Action {
    Action {
        id: None,
        text: text.into(),
        owner: "Head of SEND".into(),
        due: date("2026-09-30"),
        status,
        evidence: String::new(),
    }
}

async fn a_plan_is_kept_in_order_and_its_actions_change_from_their_version(ctx: Ctx) {
    let store = &ctx.store;
    let head = add_user(store, "head@example.test", Role::HeadOfService, None).await;
    let mut plan = ImprovementPlan::default();
    plan.objective_mut("Timeliness", "Backlog")
        .actions
        .push(action("Clear it", ActionStatus::InProgress));
    plan.objective_mut("Quality", "Audits")
        .measures
        .push(SuccessMeasure {
            text: "Plans improve".into(),
            metric: Some("review_meetings_on_time".into()),
        });
    plan.objective_mut("Timeliness", "Backlog")
        .measures
        .push(SuccessMeasure {
            text: "No backlog".into(),
            metric: None,
        });
    let mut tx = store.begin_at(at("2026-03-02")).await.expect("begin");
    assert!(
        tx.improvement_plan()
            .await
            .expect("none")
            .priorities
            .is_empty()
    );
    assert_eq!(tx.replace_improvement_plan(&plan).await.expect("keep"), 3);
    let kept = tx.improvement_plan().await.expect("read");
    tx.commit().await.expect("commit");
    let (_, _, first) = kept.actions().next().expect("an action");
    let id = first.id.expect("an id");
    let mut without_id = kept.clone();
    without_id.priorities[0].objectives[0].actions[0].id = None;
    assert_eq!(without_id, plan);

    let mut after = first.clone();
    after.status = ActionStatus::Done;
    after.evidence = "Minutes of the board".into();
    let changes = first.changes(&after);
    let mut tx = store.begin_at(at("2026-03-03")).await.expect("begin");
    assert_eq!(
        tx.update_improvement_action(&after, 1, head, "Finished", &changes)
            .await
            .expect("update"),
        2
    );
    // The same change from the old version is refused, naming the version now.
    let stale = tx
        .update_improvement_action(&after, 1, head, "Again", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(stale, StoreError::Conflict { current_version: 2 }),
        "{stale:?}"
    );
    tx.commit().await.expect("commit");

    let mut tx = store.begin().await.expect("begin");
    let stored = tx
        .improvement_action(id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(stored.version, 2);
    assert_eq!(stored.action, after);
    assert_eq!(
        (stored.priority.as_str(), stored.objective.as_str()),
        ("Timeliness", "Backlog")
    );
    assert_eq!(stored.updates.len(), 1);
    let update = &stored.updates[0];
    assert_eq!(
        (update.version, update.made_by, update.note.as_str()),
        (2, head, "Finished")
    );
    assert_eq!(update.made_at, at("2026-03-03"));
    assert_eq!(
        update.changes,
        [
            ActionChange {
                field: "Status".into(),
                from: "In progress".into(),
                to: "Done".into(),
            },
            ActionChange {
                field: "Evidence".into(),
                from: String::new(),
                to: "Minutes of the board".into(),
            },
        ]
    );
    // A measure is not an action.
    let measure_id = id + 1;
    assert!(
        tx.improvement_action(measure_id)
            .await
            .expect("read")
            .is_none()
    );

    // Replacing the plan replaces its actions and their history.
    let mut smaller = ImprovementPlan::default();
    smaller
        .objective_mut("Only", "One")
        .actions
        .push(action("New", ActionStatus::NotStarted));
    assert_eq!(
        tx.replace_improvement_plan(&smaller)
            .await
            .expect("replace"),
        1
    );
    assert!(tx.improvement_action(id).await.expect("read").is_none());
    assert_eq!(
        tx.improvement_plan().await.expect("read").actions().count(),
        1
    );
    tx.commit().await.expect("commit");
}
