//! The plan audit cycle on both databases: a seeded draw of a term's final plans, auditors who
//! read and grade only the plans given to them, a moderator who did not audit the plan, the term
//! report, and examples that name nobody; every step audited.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::json;
use tandem_app::services::{
    Caller, CriterionScore, DrawRequest, NewRequest, ServiceError, Services, SignOff,
};
use tandem_core::plan::TextSection;
use tandem_core::plan::audit::{Criterion, Discipline};
use tandem_core::plan::checks::Grade;
use tandem_core::{Child, Reference, Role};
use tandem_store::{Source, Store};
use tandem_test_support::{Ctx, actor, audited, contract, date};

contract!(
    a_term_is_sampled_graded_moderated_and_reported,
    only_the_plans_given_to_an_auditor_can_be_read_or_graded,
    a_plan_is_taken_back_from_an_auditor_only_before_they_grade_it,
);

/// A final plan on case `reference`, drawn alone into a random sample of this term; the round's
/// and the sampled plan's ids.
async fn one_plan_drawn(services: &Services, head: &Caller, reference: &str) -> (i64, i64) {
    final_plan(services, head, reference).await;
    let round = services
        .draw_audit_sample(head, &spring("1", ""))
        .await
        .expect("draw");
    let sample = services
        .audit_round(head, round)
        .await
        .expect("round")
        .samples[0]
        .sample
        .id;
    (round, sample)
}

/// The services at noon on 18 March 2026 (the spring term).
fn services(store: &Store) -> Services {
    let noon = Utc.with_ymd_and_hms(2026, 3, 18, 12, 0, 0).unwrap();
    Services::with_clock(store.clone(), Arc::new(move || noon))
}

async fn person(store: &Store, email: &str, role: Role) -> Caller {
    Caller::new(actor(store, email, role).await, Source::Form)
}

/// A case for Robin Testcase with a final plan issued, signed off by `head`.
async fn final_plan(services: &Services, head: &Caller, reference: &str) -> Reference {
    let mut child = Child {
        date_of_birth: Some(date("2015-06-01")),
        ..Child::default()
    };
    child.other.insert("given_name".into(), json!("Robin"));
    child.other.insert("family_name".into(), json!("Testcase"));
    let request = NewRequest {
        reference: Some(Reference::parse(reference).expect("reference")),
        requested_by: None,
        child,
        received: date("2025-10-01"),
        case_manager: None,
        same_child_as: None,
        // Each case is another Robin Testcase, born the same day.
        different_child: true,
    };
    let reference = services
        .open_case(head, &request)
        .await
        .expect("open")
        .reference;
    let mut plan = services.plan(head, &reference).await.expect("plan").plan;
    plan.sections.a = Some(TextSection {
        text: "Robin Testcase loves trains; Robin wants to be a driver.".into(),
    });
    services
        .save_plan(head, &reference, plan, 0)
        .await
        .expect("save");
    services
        .issue_draft_plan(head, &reference, 1)
        .await
        .expect("draft");
    let view = services.plan(head, &reference).await.expect("plan");
    let sign_off = SignOff::acknowledging_all(
        &view.as_final,
        "Agreed at panel",
        Some("The family agreed the draft"),
    );
    services
        .issue_final_plan(head, &reference, view.revision(), sign_off)
        .await
        .expect("final");
    reference
}

fn spring(size: &str, seed: &str) -> DrawRequest {
    DrawRequest {
        term: "2026-spring".into(),
        method: "random".into(),
        team: String::new(),
        size: size.into(),
        seed: seed.into(),
    }
}

fn grades(grade: Grade, comment: &str) -> Vec<CriterionScore> {
    Criterion::ALL
        .iter()
        .map(|c| CriterionScore {
            criterion: *c,
            grade: Some(grade),
            comment: comment.into(),
        })
        .collect()
}

async fn a_term_is_sampled_graded_moderated_and_reported(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let manager = person(store, "tm@example.test", Role::TeamManager).await;
    let auditor = person(store, "qa@example.test", Role::QaAuditor).await;
    let analyst = person(store, "analyst@example.test", Role::Analyst).await;
    let case_manager = person(store, "cm@example.test", Role::CaseManager).await;
    for reference in ["EHC-A1", "EHC-A2", "EHC-A3"] {
        final_plan(&services, &head, reference).await;
    }

    // A request put right field by field; a QA auditor may not draw.
    let Err(ServiceError::Invalid(problems)) = services
        .draw_audit_sample(&head, &DrawRequest::default())
        .await
    else {
        panic!("drew from a blank request");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["term", "method", "size"]);
    assert!(matches!(
        services
            .draw_audit_sample(&auditor, &spring("2", "7"))
            .await,
        Err(ServiceError::Forbidden)
    ));
    // No final plan was issued in the autumn: nothing to draw, nothing recorded.
    let autumn = DrawRequest {
        term: "2025-autumn".into(),
        ..spring("2", "7")
    };
    assert!(matches!(
        services.draw_audit_sample(&head, &autumn).await,
        Err(ServiceError::Invalid(_))
    ));

    // The same seed draws the same plans.
    let round = services
        .draw_audit_sample(&head, &spring("2", "7"))
        .await
        .expect("draw");
    let again = services
        .draw_audit_sample(&manager, &spring("2", "7"))
        .await
        .expect("draw again");
    let view = services.audit_round(&head, round).await.expect("round");
    let other = services.audit_round(&head, again).await.expect("round");
    let cases = |v: &tandem_app::services::RoundView| {
        v.samples
            .iter()
            .map(|s| s.sample.reference.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(cases(&view).len(), 2);
    assert_eq!(cases(&view), cases(&other));
    assert_eq!(view.round.round.seed, 7);
    assert!(view.auditors.iter().any(|a| a.0 == auditor.actor.id));
    assert!(view.auditors.iter().all(|a| a.0 != case_manager.actor.id));
    let sample = view.samples[0].sample.id;

    // Only an auditor (or a team manager) may be given a plan.
    assert!(matches!(
        services
            .assign_audit(
                &head,
                sample,
                Some(case_manager.actor.id),
                Some(Discipline::Education)
            )
            .await,
        Err(ServiceError::Invalid(_))
    ));
    services
        .assign_audit(
            &head,
            sample,
            Some(auditor.actor.id),
            Some(Discipline::Education),
        )
        .await
        .expect("assign");
    services
        .assign_audit(
            &head,
            sample,
            Some(manager.actor.id),
            Some(Discipline::SocialCare),
        )
        .await
        .expect("assign the team manager");

    // The auditor's tray holds that plan; they grade every criterion, with a comment below Good.
    let tray = services.audit_overview(&auditor).await.expect("tray").tray;
    assert_eq!(tray.len(), 1);
    assert_eq!(tray[0].1, Discipline::Education);
    assert!(!tray[0].2, "not graded yet");
    let reading = services.audited_plan(&auditor, sample).await.expect("read");
    assert!(reading.may_score && !reading.may_moderate);
    let mut partial = grades(Grade::Good, "");
    partial[2].grade = Some(Grade::RequiresImprovement);
    partial[4].grade = None;
    let Err(ServiceError::Invalid(problems)) = services
        .score_audited_plan(&auditor, sample, &partial)
        .await
    else {
        panic!("kept incomplete grades");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["comment-outcomes", "grade-placement"]);
    services
        .score_audited_plan(&auditor, sample, &grades(Grade::Good, "Clear"))
        .await
        .expect("grade");
    let mut weaker = grades(Grade::RequiresImprovement, "Provision not quantified");
    weaker[0].grade = Some(Grade::Outstanding);
    services
        .score_audited_plan(&manager, sample, &weaker)
        .await
        .expect("the team manager grades");

    // The team manager audited it, so may not settle it; the head of service may.
    assert!(matches!(
        services
            .moderate_audited_plan(&manager, sample, Some(Grade::Good), "Agreed")
            .await,
        Err(ServiceError::Forbidden)
    ));
    let moderating = services.audited_plan(&head, sample).await.expect("read");
    assert!(moderating.may_moderate && !moderating.may_score);
    assert_eq!(moderating.scores.len(), 2 * Criterion::ALL.len());
    let Err(ServiceError::Invalid(problems)) = services
        .moderate_audited_plan(&head, sample, None, " ")
        .await
    else {
        panic!("settled without a grade");
    };
    assert_eq!(problems.len(), 2);
    services
        .moderate_audited_plan(&head, sample, Some(Grade::Good), "Clear, but F needs hours")
        .await
        .expect("settle");
    assert!(matches!(
        services
            .moderate_audited_plan(&head, sample, Some(Grade::Inadequate), "Again")
            .await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        services
            .score_audited_plan(&auditor, sample, &grades(Grade::Inadequate, "Changed"))
            .await,
        Err(ServiceError::Invalid(_))
    ));

    // Kept as an example, it names nobody.
    let label = services
        .mark_audit_example(&head, sample)
        .await
        .expect("example");
    assert_eq!(label, "Example 1");
    let examples = services
        .audit_examples(&case_manager)
        .await
        .expect("examples");
    assert_eq!(examples.len(), 1);
    let text = serde_json::to_string(&examples[0].plan).expect("json");
    assert!(
        !text.contains("Robin") && !text.contains("Testcase"),
        "{text}"
    );
    assert!(!text.contains("EHC-A"), "{text}");
    assert!(text.contains("the child loves trains"), "{text}");
    assert!(matches!(
        services.mark_audit_example(&head, sample).await,
        Err(ServiceError::Invalid(_))
    ));

    // The term's results, for those who see figures.
    let report = services.audit_report(&analyst).await.expect("report");
    assert_eq!(report.len(), 1);
    assert_eq!(report[0].term.key(), "2026-spring");
    assert_eq!((report[0].plans, report[0].moderated), (4, 1));
    assert_eq!(report[0].grades.count(Grade::Good), 1);
    let views = &report[0].by_criterion[0];
    assert_eq!(views.0, Criterion::Views);
    assert_eq!(views.1.count(Grade::Outstanding), 1);
    assert!(matches!(
        services.audit_report(&case_manager).await,
        Err(ServiceError::Forbidden)
    ));

    for action in [
        "audit.round.draw",
        "audit.assign",
        "audit.plan.read",
        "audit.score",
        "audit.moderate",
        "audit.example",
        "audit.report",
    ] {
        assert!(audited(store, action).await > 0, "{action} is audited");
    }
    assert_eq!(audited(store, "audit.score").await, 2);
}

async fn only_the_plans_given_to_an_auditor_can_be_read_or_graded(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let given = person(store, "given@example.test", Role::QaAuditor).await;
    let other = person(store, "other@example.test", Role::QaAuditor).await;
    let parent = person(store, "parent@example.test", Role::Parent).await;
    let (round, sample) = one_plan_drawn(&services, &head, "EHC-B1").await;
    services
        .assign_audit(
            &head,
            sample,
            Some(given.actor.id),
            Some(Discipline::Health),
        )
        .await
        .expect("assign");

    let denied_before = audited(store, "denied").await;
    assert!(matches!(
        services.audited_plan(&other, sample).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        services
            .score_audited_plan(&other, sample, &grades(Grade::Good, ""))
            .await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        services.audited_plan(&parent, sample).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        services.audit_round(&given, round).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        services.mark_audit_example(&given, sample).await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(
        audited(store, "denied").await,
        denied_before + 5,
        "each refusal is audited"
    );
    assert!(other.actor.id != given.actor.id);
    assert!(
        services
            .audit_overview(&other)
            .await
            .expect("tray")
            .tray
            .is_empty()
    );
    let reading = services.audited_plan(&given, sample).await.expect("read");
    assert_eq!(reading.discipline, Some(Discipline::Health));
    assert_eq!(reading.child_name, "Robin Testcase");
    // A plan not yet graded cannot be settled, and an example needs a settled Good.
    assert!(matches!(
        services
            .moderate_audited_plan(&head, sample, Some(Grade::Good), "Looks fine")
            .await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        services.mark_audit_example(&head, sample).await,
        Err(ServiceError::Invalid(_))
    ));
}

async fn a_plan_is_taken_back_from_an_auditor_only_before_they_grade_it(ctx: Ctx) {
    let store = &ctx.store;
    let services = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let away = person(store, "away@example.test", Role::QaAuditor).await;
    let grader = person(store, "grader@example.test", Role::QaAuditor).await;
    let (_, sample) = one_plan_drawn(&services, &head, "EHC-U1").await;
    for auditor in [&away, &grader] {
        services
            .assign_audit(
                &head,
                sample,
                Some(auditor.actor.id),
                Some(Discipline::Health),
            )
            .await
            .expect("assign");
    }
    services
        .score_audited_plan(&grader, sample, &grades(Grade::Good, ""))
        .await
        .expect("graded");

    // An auditor cannot take plans back; nor can anyone from one who has graded it.
    assert!(matches!(
        services
            .unassign_audit(&grader, sample, away.actor.id)
            .await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        services
            .unassign_audit(&head, sample, grader.actor.id)
            .await,
        Err(ServiceError::Invalid(_))
    ));
    services
        .unassign_audit(&head, sample, away.actor.id)
        .await
        .expect("taken back");
    assert!(matches!(
        services.audited_plan(&away, sample).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(services.audited_plan(&grader, sample).await.is_ok());
    assert!(matches!(
        services.unassign_audit(&head, sample, away.actor.id).await,
        Err(ServiceError::Invalid(_))
    ));
    assert_eq!(audited(store, "audit.unassign").await, 1);
}
