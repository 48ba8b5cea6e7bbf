//! Plan audits: a round with its drawn plan versions and seed, auditors given each plan once,
//! grades replaced by the auditor's next save, one settled grade, one example per plan.

use serde_json::json;
use tandem_core::plan::audit::{Criterion, Discipline, Method, Term};
use tandem_core::plan::checks::Grade;
use tandem_core::plan::{Plan, PlanChild, PlanStatus};
use tandem_core::{Event, EventDetail, Role};
use tandem_store::{AuditScope, NewAuditRound};
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(a_round_keeps_its_draw_grades_and_one_settled_grade,);

async fn a_round_keeps_its_draw_grades_and_one_settled_grade(ctx: Ctx) {
    let store = &ctx.store;
    let head = add_user(store, "head@example.test", Role::HeadOfService, None).await;
    let auditor = add_user(store, "qa@example.test", Role::QaAuditor, None).await;
    let case = open(store, requested("EHC-Q1", "2026-01-05"), at("2026-01-06")).await;
    let mut tx = store.begin_at(at("2026-03-02")).await.expect("begin");
    let plan = Plan::blank(PlanChild::default());
    tx.save_plan(case.id, head, &plan, 0).await.expect("save");
    let event = Event::new(date("2026-03-02"), EventDetail::FinalPlanIssued);
    tx.append_events(case.id, case.version, &[event], by_form(Some(head)))
        .await
        .expect("event");
    tx.issue_plan_version(case.id, 1, PlanStatus::Final, head, &json!({}))
        .await
        .expect("issue");
    tx.commit().await.expect("commit");

    let mut tx = store.begin_at(at("2026-03-31")).await.expect("begin");
    let spring = Term::parse("2026-spring").expect("term");
    let (from, to) = spring.instants();
    let finals = tx.final_plans_issued(from, to).await.expect("finals");
    assert_eq!(finals.len(), 1);
    assert_eq!(
        (finals[0].reference.as_str(), finals[0].version),
        ("EHC-Q1", 1)
    );
    let (autumn_from, autumn_to) = Term::parse("2025-autumn").expect("term").instants();
    assert!(
        tx.final_plans_issued(autumn_from, autumn_to)
            .await
            .expect("none")
            .is_empty()
    );
    // The seed is kept whole, even above i64::MAX.
    let asked = NewAuditRound {
        term: spring,
        method: Method::Random,
        team: None,
        size: 5,
        seed: u64::MAX - 1,
    };
    let round = tx
        .add_audit_round(&asked, head, &[(case.id, 1, 64)])
        .await
        .expect("round");
    let sample = tx
        .audit_samples(AuditScope::Round(round))
        .await
        .expect("samples")[0]
        .id;
    assert!(
        tx.assign_auditor(sample, auditor, Discipline::Health, head)
            .await
            .expect("assign")
    );
    assert!(
        !tx.assign_auditor(sample, auditor, Discipline::Education, head)
            .await
            .expect("again"),
        "the first assignment stands"
    );
    let grades = |grade: Grade| -> Vec<(Criterion, Grade, String)> {
        Criterion::ALL
            .iter()
            .map(|c| (*c, grade, String::new()))
            .collect()
    };
    tx.save_audit_scores(sample, auditor, &grades(Grade::Inadequate))
        .await
        .expect("grade");
    tx.save_audit_scores(sample, auditor, &grades(Grade::Good))
        .await
        .expect("regrade");
    assert!(
        tx.moderate_audit_sample(sample, Grade::Good, "Agreed", head)
            .await
            .expect("settle")
    );
    assert!(
        !tx.moderate_audit_sample(sample, Grade::Inadequate, "No", head)
            .await
            .expect("again")
    );
    assert!(
        tx.add_audit_example(sample, "Example 1", &plan, head)
            .await
            .expect("example")
    );
    assert!(
        !tx.add_audit_example(sample, "Example 2", &plan, head)
            .await
            .expect("again")
    );
    tx.commit().await.expect("commit");

    let mut tx = store.begin().await.expect("begin");
    let rounds = tx.audit_rounds().await.expect("rounds");
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].round, asked);
    assert_eq!((rounds[0].plans, rounds[0].moderated), (1, 1));
    let found = tx
        .audit_sample(sample)
        .await
        .expect("read")
        .expect("sample");
    assert_eq!(found.automated_score, 64);
    assert!(found.example);
    let settled = found.moderation.expect("settled");
    assert_eq!(
        (settled.grade, settled.comment.as_str()),
        (Grade::Good, "Agreed")
    );
    let assignments = tx
        .audit_assignments(AuditScope::Auditor(auditor))
        .await
        .expect("mine");
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0].discipline, Discipline::Health);
    let scores = tx.audit_scores(AuditScope::All).await.expect("scores");
    assert_eq!(scores.len(), Criterion::ALL.len());
    assert!(scores.iter().all(|s| s.grade == Grade::Good));
    let examples = tx.audit_examples().await.expect("examples");
    assert_eq!(
        (examples[0].label.as_str(), examples[0].grade),
        ("Example 1", Grade::Good)
    );
    assert_eq!(tx.audit_example_count().await.expect("count"), 1);
    tx.commit().await.expect("commit");
}
