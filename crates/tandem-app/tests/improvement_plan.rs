//! The improvement plan: reading it from CSV and XLSX (the example plan, each kind of bad row,
//! a round trip through the export), and keeping it in the database on SQLite and PostgreSQL
//! (import, edits with their history, stale edits refused, who may edit, every write audited).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use tandem_app::interchange::improvement_plan::{read, read_xlsx, to_csv, to_xlsx};
use tandem_app::services::{ActionEdit, Caller, PlanPlace, ServiceError, Services};
use tandem_app::transfer::{self, TransferError};
use tandem_core::Role;
use tandem_core::dates::parse_iso;
use tandem_core::improvement_plan::{ActionStatus, ImprovementPlan};
use tandem_store::{Source, Store};
use tandem_test_support::{Ctx, actor, audit_entries, audited, contract, date};

contract!(
    a_kept_plan_is_edited_with_its_history_and_exported,
    a_stale_edit_is_refused_and_writes_nothing,
    an_edit_is_checked_whole_and_refused_whole,
    only_heads_of_service_and_team_managers_may_edit,
    a_kept_plan_is_replaced_only_when_asked,
    an_action_is_added_under_its_objective_with_its_history,
);

const EXAMPLE: &str = include_str!("../../../examples/improvement-plan.csv");

const HEADER: &str = "priority,objective,item,text,owner,due,status,metric\n";

fn problems(body: &str) -> Vec<String> {
    read(format!("{HEADER}{body}").as_bytes())
        .unwrap_err()
        .iter()
        .map(|p| p.located("plan.csv"))
        .collect()
}

#[test]
fn the_example_plan_reads_in_plan_order() {
    let text = include_str!("../../../examples/improvement-plan.csv");
    let plan = read(text.as_bytes()).unwrap();
    assert_eq!(plan.priorities.len(), 2);
    let first = &plan.priorities[0];
    let objectives: Vec<&str> = first.objectives.iter().map(|o| o.title.as_str()).collect();
    assert_eq!(
        objectives,
        [
            "Clear the backlog",
            "Plans issued within 20 weeks",
            "Good quality plans",
            "A skilled and stable team",
            "One case management system"
        ]
    );
    let timeliness = &first.objectives[1];
    assert_eq!(timeliness.actions.len(), 5);
    assert_eq!(timeliness.measures.len(), 4);
    assert_eq!(
        timeliness.measures[0].metric.as_deref(),
        Some("final_plans_within_20_weeks_excl_exceptions")
    );
    assert_eq!(timeliness.measures[3].metric, None);
    assert_eq!(timeliness.actions[0].status, ActionStatus::InProgress);
    assert_eq!(timeliness.actions[0].due, parse_iso("2021-03-31").unwrap());
    // Quoted titles with commas keep them.
    assert_eq!(
        plan.priorities[1].objectives[0].title,
        "Shared vision, strategy and governance"
    );
    // On 1 January 2021: the unfinished actions due before then.
    let overdue = plan.overdue(parse_iso("2021-01-01").unwrap());
    let owners: Vec<&str> = overdue.iter().map(|(_, _, a)| a.owner.as_str()).collect();
    assert_eq!(
        owners,
        [
            "Head of SEND",
            "Designated Medical Officer",
            "Head of Schools ICT"
        ]
    );
}

#[test]
fn a_good_row_of_each_kind() {
    let plan = read(
        format!(
            "{HEADER}P,O,action,Do it,Head of SEND,31/01/2021,not_started,\n\
             P,O,measure,It is done,,,,review_meetings_on_time\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let objective = &plan.priorities[0].objectives[0];
    assert_eq!(objective.actions[0].due, parse_iso("2021-01-31").unwrap());
    assert_eq!(objective.actions[0].owner, "Head of SEND");
    assert_eq!(
        objective.measures[0].metric.as_deref(),
        Some("review_meetings_on_time")
    );
}

#[test]
fn columns_may_come_in_any_order_and_case_but_must_be_known() {
    let text = "Item , TEXT,objective,priority\nmeasure,Known,O,P\n";
    assert_eq!(read(text.as_bytes()).unwrap().priorities.len(), 1);
    let text = "item,text,objective,priority,colour\nmeasure,Known,O,P,red\n";
    let found: Vec<String> = read(text.as_bytes())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found, ["line 1: unknown column \"colour\""]);
    let found: Vec<String> = read("item,text,objective\n".as_bytes())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found, ["line 1: missing column \"priority\""]);
}

#[test]
fn every_bad_row_is_reported_with_its_line() {
    let found = problems(
        "P,O,task,Do it,Owner,2021-01-31,done,\n\
         ,O,action,Do it,Owner,2021-01-31,done,\n\
         P,,measure,,,,,\n\
         P,O,action,Do it,,,,\n\
         P,O,action,Do it,Owner,2021-02-30,finished,\n\
         P,O,action,Do it,Owner,2021-01-31,done,final_plans_issued\n\
         P,O,measure,Known,Owner,2021-01-31,,\n\
         P,O,measure,Known,,,,plans_on_time\n\
         P,O,action,Do it,Owner\n\
         P,O,measure,Fine,,,,\n",
    );
    let (last, found) = found.split_last().unwrap();
    assert!(
        last.starts_with("plan.csv:10: unreadable row:") && last.contains("5 fields"),
        "{last}"
    );
    assert_eq!(
        found,
        [
            "plan.csv:2: item must be \"action\" or \"measure\", not \"task\"",
            "plan.csv:3: priority is empty",
            "plan.csv:4: objective is empty",
            "plan.csv:4: text is empty",
            "plan.csv:5: an action needs an owner",
            "plan.csv:5: an action needs a due date",
            "plan.csv:5: an action needs a status",
            "plan.csv:6: due \"2021-02-30\" is not a real date (YYYY-MM-DD or DD/MM/YYYY)",
            "plan.csv:6: status \"finished\" is not one of not_started, in_progress, done, dropped",
            "plan.csv:7: only a measure can be linked to a metric",
            "plan.csv:8: a measure has no owner; only actions do",
            "plan.csv:8: a measure has no due; only actions do",
            "plan.csv:9: metric \"plans_on_time\" is not a dashboard rate; use one of final_plans_within_20_weeks_excl_exceptions, final_plans_within_20_weeks_incl_exceptions, decisions_to_assess_within_6_weeks, advice_within_6_weeks.all, advice_within_6_weeks.education, advice_within_6_weeks.health, advice_within_6_weeks.social_care, advice_within_6_weeks.educational_psychology, advice_within_6_weeks.parent, advice_within_6_weeks.preparing_for_adulthood, advice_within_6_weeks.other, review_meetings_on_time, review_decisions_within_4_weeks, amended_plans_within_8_weeks",
        ]
    );
}

#[test]
fn a_broken_quote_stops_the_read_with_its_line() {
    let found = problems("P,O,measure,\"unterminated,,,,\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("plan.csv:2: unreadable row"),
        "{found:?}"
    );
}

#[test]
fn evidence_is_read_for_actions_only() {
    let text = "priority,objective,item,text,owner,due,status,evidence\n\
                P,O,action,Do it,Owner,2021-01-31,done,Minutes of 3 March\n\
                P,O,measure,Known,,,,Not for a measure\n";
    let found: Vec<String> = read(text.as_bytes())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        ["line 3: a measure has no evidence; only actions do"]
    );
    let plan = read(
        text.lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        plan.priorities[0].objectives[0].actions[0].evidence,
        "Minutes of 3 March"
    );
}

#[test]
fn an_exported_plan_reads_back_the_same_from_csv_and_from_xlsx() {
    let mut plan = read(EXAMPLE.as_bytes()).unwrap();
    // Text a spreadsheet would run is written defused and read back as typed.
    plan.priorities[0].objectives[0].actions[0].evidence = "=HYPERLINK(\"x\") and - more".into();
    let csv = to_csv(&plan).unwrap();
    assert!(String::from_utf8_lossy(&csv).contains("'=HYPERLINK"));
    assert_eq!(read(csv.as_slice()).unwrap(), plan);
    assert_eq!(read_xlsx(&to_xlsx(&plan).unwrap()).unwrap(), plan);
    let found: Vec<String> = read_xlsx(b"not a workbook")
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(found[0].starts_with("line 1: not a workbook"), "{found:?}");
}

/// The services at noon on 1 January 2021.
fn services(store: &Store) -> Services {
    let noon = Utc.with_ymd_and_hms(2021, 1, 1, 12, 0, 0).unwrap();
    Services::with_clock(store.clone(), Arc::new(move || noon))
}

async fn person(store: &Store, email: &str, role: Role) -> Caller {
    Caller::new(actor(store, email, role).await, Source::Form)
}

/// The example plan, kept; returns it as read back.
async fn example_kept(store: &Store) -> ImprovementPlan {
    let plan = read(EXAMPLE.as_bytes()).unwrap();
    let items = transfer::import_improvement_plan(store, &plan, false)
        .await
        .unwrap();
    assert_eq!(items, 31);
    transfer::export_improvement_plan(store).await.unwrap()
}

/// The example's "Train case managers…" action: not started, due 28 February 2021.
fn training(plan: &ImprovementPlan) -> i64 {
    plan.actions()
        .find(|(_, _, a)| a.text.starts_with("Train case managers"))
        .and_then(|(_, _, a)| a.id)
        .unwrap()
}

fn edit_of(plan: &ImprovementPlan, id: i64) -> ActionEdit {
    let (_, _, a) = plan.actions().find(|(_, _, a)| a.id == Some(id)).unwrap();
    ActionEdit {
        text: a.text.clone(),
        owner: a.owner.clone(),
        due: Some(a.due),
        status: Some(a.status),
        evidence: a.evidence.clone(),
        note: String::new(),
    }
}

async fn a_kept_plan_is_edited_with_its_history_and_exported(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let analyst = person(store, "analyst@example.test", Role::Analyst).await;
    let kept = example_kept(store).await;
    // Kept in the order given, and the same plan as the file once ids are set aside.
    let mut without_ids = kept.clone();
    for p in &mut without_ids.priorities {
        for o in &mut p.objectives {
            for a in &mut o.actions {
                assert!(a.id.is_some());
                a.id = None;
            }
        }
    }
    assert_eq!(without_ids, read(EXAMPLE.as_bytes()).unwrap());

    let overview = services.improvement_plan(&analyst).await.unwrap();
    assert!(!overview.may_edit);
    assert_eq!(overview.plan, kept);
    assert!(services.improvement_plan(&head).await.unwrap().may_edit);

    let id = training(&kept);
    let before = services.improvement_action(&head, id).await.unwrap();
    assert_eq!(before.stored.version, 1);
    assert!(before.stored.updates.is_empty());
    assert_eq!(before.stored.objective, "Good quality plans");

    let mut edit = edit_of(&kept, id);
    edit.status = Some(ActionStatus::InProgress);
    edit.due = Some(date("2021-03-31"));
    edit.evidence = "  Two sessions booked  ".into();
    edit.note = "Trainer found; first session in February".into();
    assert_eq!(
        services
            .update_improvement_action(&head, id, 1, &edit)
            .await
            .unwrap(),
        2
    );
    // A note alone is an update too.
    let note_only = ActionEdit {
        evidence: "Two sessions booked".into(),
        note: "First session held".into(),
        ..edit.clone()
    };
    assert_eq!(
        services
            .update_improvement_action(&head, id, 2, &note_only)
            .await
            .unwrap(),
        3
    );

    let after = services.improvement_action(&analyst, id).await.unwrap();
    assert_eq!(after.stored.version, 3);
    assert_eq!(after.stored.action.status, ActionStatus::InProgress);
    assert_eq!(after.stored.action.evidence, "Two sessions booked");
    let history: Vec<(i64, &str, Vec<&str>)> = after
        .stored
        .updates
        .iter()
        .map(|u| {
            (
                u.version,
                u.note.as_str(),
                u.changes.iter().map(|c| c.field.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            (3, "First session held", vec![]),
            (
                2,
                "Trainer found; first session in February",
                vec!["Due", "Status", "Evidence"]
            ),
        ]
    );
    assert_eq!(after.stored.updates[1].made_by, head.actor.id);
    assert_eq!(after.stored.updates[1].changes[0].from, "28 February 2021");
    assert_eq!(audited(store, "improvement_plan.update").await, 2);

    // The export holds the change, and reads back as the plan now kept.
    let exported = transfer::export_improvement_plan(store).await.unwrap();
    let csv = to_csv(&exported).unwrap();
    let reread = read(csv.as_slice()).unwrap();
    let (_, _, changed) = reread
        .actions()
        .find(|(_, _, a)| a.text.starts_with("Train case managers"))
        .unwrap();
    assert_eq!(changed.due, date("2021-03-31"));
    assert_eq!(changed.evidence, "Two sessions booked");
    assert_eq!(audited(store, "improvement_plan.export").await, 2);
}

async fn a_stale_edit_is_refused_and_writes_nothing(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let manager = person(store, "tm@example.test", Role::TeamManager).await;
    let kept = example_kept(store).await;
    let id = training(&kept);
    // Both open the form at version 1; the team manager saves first.
    let mut theirs = edit_of(&kept, id);
    theirs.status = Some(ActionStatus::Done);
    services
        .update_improvement_action(&manager, id, 1, &theirs)
        .await
        .unwrap();
    let mut mine = edit_of(&kept, id);
    mine.owner = "Principal educational psychologist".into();
    let refused = services
        .update_improvement_action(&head, id, 1, &mine)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ServiceError::Conflict { current_version: 2 }),
        "{refused:?}"
    );
    let now = services.improvement_action(&head, id).await.unwrap().stored;
    assert_eq!(now.action.status, ActionStatus::Done);
    assert_eq!(now.action.owner, "Head of SEND");
    assert_eq!(now.updates.len(), 1);
    assert_eq!(audited(store, "improvement_plan.update").await, 1);
    // Based on the version now, the same change goes through.
    services
        .update_improvement_action(&head, id, 2, &mine)
        .await
        .unwrap();
}

async fn an_edit_is_checked_whole_and_refused_whole(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let kept = example_kept(store).await;
    let id = training(&kept);
    let bad = ActionEdit {
        text: "   ".into(),
        owner: String::new(),
        due: None,
        status: None,
        evidence: "Fine".into(),
        note: "A\u{202e}reversed note".into(),
    };
    let Err(ServiceError::Invalid(problems)) =
        services.update_improvement_action(&head, id, 1, &bad).await
    else {
        panic!("refused");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["note", "text", "owner", "due", "status"]);
    // Nothing changed and nothing said: refused on the note.
    let unchanged = edit_of(&kept, id);
    let Err(ServiceError::Invalid(problems)) = services
        .update_improvement_action(&head, id, 1, &unchanged)
        .await
    else {
        panic!("refused");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, "note");
    let missing = services
        .update_improvement_action(&head, 999_999, 1, &unchanged)
        .await
        .unwrap_err();
    assert!(
        matches!(missing, ServiceError::NotFound { .. }),
        "{missing:?}"
    );
    let now = services.improvement_action(&head, id).await.unwrap().stored;
    assert_eq!(now.version, 1);
    assert!(now.updates.is_empty());
    assert_eq!(audited(store, "improvement_plan.update").await, 0);
}

async fn only_heads_of_service_and_team_managers_may_edit(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let kept = example_kept(store).await;
    let id = training(&kept);
    let mut edit = edit_of(&kept, id);
    edit.note = "Tried".into();
    for (email, role) in [
        ("qa@example.test", Role::QaAuditor),
        ("analyst@example.test", Role::Analyst),
        ("cm@example.test", Role::CaseManager),
        ("admin@example.test", Role::Admin),
        ("parent@example.test", Role::Parent),
    ] {
        let caller = person(store, email, role).await;
        let refused = services
            .update_improvement_action(&caller, id, 1, &edit)
            .await
            .unwrap_err();
        assert!(matches!(refused, ServiceError::Forbidden), "{role}");
        // Those who see the figures read the plan; the others do not.
        let reads = services.improvement_plan(&caller).await.is_ok();
        assert_eq!(
            reads,
            matches!(role, Role::QaAuditor | Role::Analyst),
            "{role}"
        );
    }
    assert_eq!(audited(store, "denied").await, 5 + 3);
    let manager = person(store, "tm@example.test", Role::TeamManager).await;
    services
        .update_improvement_action(&manager, id, 1, &edit)
        .await
        .unwrap();
}

async fn a_kept_plan_is_replaced_only_when_asked(ctx: Ctx) {
    let store = &ctx.store;
    let kept = example_kept(store).await;
    let smaller = read(
        "priority,objective,item,text,owner,due,status\nP,O,action,Only this,Owner,2021-01-31,done\n"
            .as_bytes(),
    )
    .unwrap();
    let refused = transfer::import_improvement_plan(store, &smaller, false)
        .await
        .unwrap_err();
    assert!(matches!(refused, TransferError::Rejected(_)), "{refused:?}");
    assert_eq!(
        transfer::export_improvement_plan(store).await.unwrap(),
        kept
    );
    assert_eq!(
        transfer::import_improvement_plan(store, &smaller, true)
            .await
            .unwrap(),
        1
    );
    let now = transfer::export_improvement_plan(store).await.unwrap();
    assert_eq!(now.actions().count(), 1);
    assert_eq!(audited(store, "improvement_plan.import").await, 2);
}

async fn an_action_is_added_under_its_objective_with_its_history(ctx: Ctx) {
    let store = &ctx.store;
    let plan = example_kept(store).await;
    let services = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let analyst = person(store, "analyst@example.test", Role::Analyst).await;
    let first = &plan.priorities[0];
    let place = PlanPlace {
        priority: first.title.clone(),
        objective: first.objectives[0].title.clone(),
    };
    let edit = ActionEdit {
        text: "Publish the panel's terms of reference on the local offer".into(),
        owner: "Head of SEND".into(),
        due: Some(date("2021-06-30")),
        status: Some(ActionStatus::NotStarted),
        evidence: String::new(),
        note: String::new(),
    };

    // Refused whole: an objective the plan does not have, and an action with no owner.
    let nowhere = PlanPlace {
        priority: first.title.clone(),
        objective: "No such objective".into(),
    };
    let ownerless = ActionEdit {
        owner: " ".into(),
        ..edit.clone()
    };
    let Err(ServiceError::Invalid(problems)) = services
        .add_improvement_action(&head, &nowhere, &ownerless)
        .await
    else {
        panic!("refused")
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["objective", "owner"]);
    let refused = services
        .add_improvement_action(&analyst, &place, &edit)
        .await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden)),
        "{refused:?}"
    );
    assert_eq!(
        transfer::export_improvement_plan(store).await.unwrap(),
        plan,
        "nothing was written"
    );

    let id = services
        .add_improvement_action(&head, &place, &edit)
        .await
        .expect("added");
    let after = transfer::export_improvement_plan(store).await.unwrap();
    let objective = &after.priorities[0].objectives[0];
    let added = objective.actions.last().expect("the new action");
    assert_eq!(added.id, Some(id));
    assert_eq!(added.text, edit.text);
    assert_eq!(
        objective.actions.len(),
        first.objectives[0].actions.len() + 1,
        "added under its own objective"
    );
    assert_eq!(
        after.priorities[0].objectives[1], first.objectives[1],
        "the next objective is untouched, in its place"
    );
    let overview = services.improvement_action(&head, id).await.unwrap();
    assert_eq!(overview.stored.version, 1);
    assert_eq!(overview.stored.updates.len(), 1);
    assert_eq!(overview.stored.updates[0].note, "Added to the plan");
    assert_eq!(audited(store, "improvement_plan.add").await, 1);
    assert!(
        audit_entries(store, "denied")
            .await
            .iter()
            .any(|e| e.detail["asked"] == "EditImprovementPlan"),
        "the analyst's refusal is audited"
    );
}
