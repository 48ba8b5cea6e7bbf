//! The EHC plan services on both databases: saving revisions without ever losing a concurrent
//! edit, issuing a draft with its event, and the rules of the final plan (who signs it off,
//! blocking findings acknowledged, the family's comment period) enforced whatever the caller.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Days, TimeZone, Utc};
use serde_json::json;
use tandem_app::services::{
    Acknowledgement, Caller, DraftComment, NewRequest, ServiceError, Services, SignOff,
    after_comment_period, blocking, finding_key,
};
use tandem_core::access::PlanSignOff;
use tandem_core::plan::{Need, PlanStatus, Section, TextSection};
use tandem_core::{Actor, Child, EventDetail, Reference, Role};
use tandem_store::{CaseRelation, Source, Store};
use tandem_test_support::{Ctx, add_user, audit_entries, contract, date};

contract!(
    concurrent_edits_never_silently_lose_text,
    a_draft_is_issued_with_its_event_and_read_by_the_family,
    only_the_signer_issues_the_final_plan_and_only_as_the_rules_allow,
    the_sign_off_setting_names_who_issues_the_final_plan,
    a_plan_asked_to_be_signed_off_waits_on_the_signers_list_until_it_is_final,
    people_outside_the_case_team_cannot_reach_the_plan,
    the_family_comments_on_the_open_draft_and_staff_read_it,
    a_review_decision_to_amend_leads_to_proposed_amendments_and_an_amended_plan,
);

/// The services with a clock that starts at noon on 2 March 2026 and moves on by whole days.
fn services(store: &Store) -> (Services, Arc<AtomicI64>) {
    let days = Arc::new(AtomicI64::new(0));
    let offset = days.clone();
    let noon = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
    let clock = Arc::new(move || noon + chrono::Duration::days(offset.load(Ordering::SeqCst)));
    (Services::with_clock(store.clone(), clock), days)
}

async fn person(store: &Store, email: &str, role: Role) -> Caller {
    let actor = Actor {
        id: add_user(store, email, role, None).await,
        role,
        team: None,
        provider: None,
    };
    Caller::new(actor, Source::Form)
}

/// A case assigned to `manager`, opened by `opener`.
async fn case_of(services: &Services, opener: &Caller, manager: &Caller) -> Reference {
    let mut child = Child {
        date_of_birth: Some(date("2015-06-01")),
        ..Child::default()
    };
    child.other.insert("given_name".into(), json!("Robin"));
    child.other.insert("family_name".into(), json!("Testcase"));
    let request = NewRequest {
        reference: Some(Reference::parse("EHC-PLAN-1").expect("reference")),
        requested_by: None,
        child,
        received: date("2026-01-05"),
        case_manager: Some(manager.actor.id),
        same_child_as: None,
        different_child: false,
    };
    services
        .open_case(opener, &request)
        .await
        .expect("open")
        .reference
}

async fn events(store: &Store, reference: &Reference) -> Vec<EventDetail> {
    let mut tx = store.begin().await.expect("begin");
    let case = tx.case(reference).await.expect("case").expect("found");
    tx.commit().await.expect("commit");
    case.case_file()
        .events
        .into_iter()
        .map(|e| e.detail)
        .collect()
}

async fn concurrent_edits_never_silently_lose_text(ctx: Ctx) {
    let store = &ctx.store;
    let (services, _) = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let ann = person(store, "ann@example.test", Role::CaseManager).await;
    let reference = case_of(&services, &head, &ann).await;

    let opened = services.plan(&ann, &reference).await.expect("plan");
    assert_eq!(opened.revision(), 0);
    assert!(opened.plan.sections.has(tandem_core::plan::Section::K));
    assert!(
        !opened.report.findings.is_empty(),
        "an empty plan has findings"
    );

    // Ann and the team manager both open revision 1.
    let mut plan = opened.plan.clone();
    plan.sections.a = Some(TextSection {
        text: "Robin loves drawing.".into(),
    });
    let saved = services
        .save_plan(&ann, &reference, plan.clone(), 0)
        .await
        .expect("first save");
    assert_eq!(saved.revision, 1);
    let manager = person(store, "tm@example.test", Role::TeamManager).await;
    let theirs = services.plan(&manager, &reference).await.expect("read");
    let mine = services.plan(&ann, &reference).await.expect("read");
    assert_eq!((theirs.revision(), mine.revision()), (1, 1));

    let mut their_plan = theirs.plan.clone();
    their_plan.sections.a = Some(TextSection {
        text: "Robin loves drawing and football.".into(),
    });
    services
        .save_plan(&manager, &reference, their_plan.clone(), 1)
        .await
        .expect("their save");
    let mut my_plan = mine.plan.clone();
    my_plan.sections.a = Some(TextSection {
        text: "Robin loves drawing and music.".into(),
    });
    // Ann's save is refused, naming the revision to look at: neither text is lost silently.
    let refused = services
        .save_plan(&ann, &reference, my_plan.clone(), 1)
        .await;
    assert!(
        matches!(refused, Err(ServiceError::Conflict { current_version: 2 })),
        "{refused:?}"
    );
    let now = services.plan(&ann, &reference).await.expect("read");
    assert_eq!(now.plan, their_plan);
    // Saving again, deliberately, on the revision she was shown keeps hers as the next.
    services
        .save_plan(&ann, &reference, my_plan.clone(), 2)
        .await
        .expect("save again");
    assert_eq!(
        services.plan(&ann, &reference).await.expect("read").plan,
        my_plan
    );

    // Ids must stay unique: a plan that reuses one is refused before anything is saved.
    let mut duplicate = my_plan.clone();
    let need = Need {
        id: "n1".into(),
        text: "Reading".into(),
    };
    let needs = duplicate.sections.b.as_mut().expect("B");
    needs.items = vec![need.clone(), need];
    let refused = services.save_plan(&ann, &reference, duplicate, 3).await;
    assert!(
        matches!(refused, Err(ServiceError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(
        audit_entries(store, "plan.save").await.len(),
        3,
        "each save is audited"
    );
}

async fn a_draft_is_issued_with_its_event_and_read_by_the_family(ctx: Ctx) {
    let store = &ctx.store;
    let (services, _) = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let ann = person(store, "ann@example.test", Role::CaseManager).await;
    let parent = person(store, "parent@example.test", Role::Parent).await;
    let reference = case_of(&services, &head, &ann).await;
    {
        let mut tx = store.begin().await.expect("begin");
        let case = tx.case(&reference).await.expect("case").expect("found");
        tx.link_person(case.record.id, parent.actor.id, CaseRelation::Family)
            .await
            .expect("link");
        tx.commit().await.expect("commit");
    }
    assert_eq!(
        services
            .issued_plan(&parent, &reference)
            .await
            .expect("read"),
        None,
        "nothing is issued yet, and the working copy is not the family's"
    );
    let refused = services.issue_draft_plan(&ann, &reference, 0).await;
    assert!(
        matches!(refused, Err(ServiceError::Invalid(_))),
        "{refused:?}"
    );

    let mut plan = services.plan(&ann, &reference).await.expect("plan").plan;
    plan.sections.a = Some(TextSection {
        text: "Robin loves drawing.".into(),
    });
    services
        .save_plan(&ann, &reference, plan, 0)
        .await
        .expect("save");
    let stale = services.issue_draft_plan(&ann, &reference, 0).await;
    assert!(
        matches!(stale, Err(ServiceError::Conflict { current_version: 1 })),
        "{stale:?}"
    );
    let number = services
        .issue_draft_plan(&ann, &reference, 1)
        .await
        .expect("issue");
    assert_eq!(number, 1);
    assert_eq!(
        events(store, &reference).await.last(),
        Some(&EventDetail::DraftPlanIssued)
    );
    // Changes after issuing are the working copy's; the family reads what was issued.
    let view = services.plan(&ann, &reference).await.expect("plan");
    assert_eq!(
        view.revision(),
        2,
        "the plan as issued is a revision of its own"
    );
    assert_eq!(view.comment_period_ends, Some(date("2026-03-16")));
    let mut changed = view.plan.clone();
    changed.sections.a = Some(TextSection {
        text: "Not yet issued".into(),
    });
    services
        .save_plan(&ann, &reference, changed, 2)
        .await
        .expect("save after issue");
    let (_, issued) = services
        .issued_plan(&parent, &reference)
        .await
        .expect("read")
        .expect("issued");
    assert_eq!((issued.number, issued.kind), (1, PlanStatus::Draft));
    assert_eq!(issued.plan.issued_on, Some(date("2026-03-02")));
    assert_eq!(
        issued.plan.sections.prose(tandem_core::plan::Section::A),
        "Robin loves drawing."
    );
}

async fn only_the_signer_issues_the_final_plan_and_only_as_the_rules_allow(ctx: Ctx) {
    let store = &ctx.store;
    let (services, days) = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let ann = person(store, "ann@example.test", Role::CaseManager).await;
    let reference = case_of(&services, &head, &ann).await;
    let plan = services.plan(&ann, &reference).await.expect("plan").plan;
    services
        .save_plan(&ann, &reference, plan, 0)
        .await
        .expect("save");

    // No final plan before a draft, even for the head of service.
    let early = services
        .issue_final_plan(&head, &reference, 1, SignOff::default())
        .await;
    let Err(ServiceError::Invalid(problems)) = early else {
        panic!("{early:?}");
    };
    assert!(problems.iter().any(|p| p.message.contains("draft")));
    services
        .issue_draft_plan(&ann, &reference, 1)
        .await
        .expect("draft");

    // A case manager may not issue the final plan however they ask.
    let refused = services
        .issue_final_plan(&ann, &reference, 2, SignOff::default())
        .await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden)),
        "{refused:?}"
    );

    // The head of service must acknowledge each blocking finding and, within the family's 15
    // days, say why the plan cannot wait.
    let view = services.plan(&head, &reference).await.expect("plan");
    assert!(view.may_issue_final);
    let to_acknowledge: Vec<String> = blocking(&view.as_final).map(finding_key).collect();
    assert!(
        !to_acknowledge.is_empty(),
        "an empty plan has blocking findings"
    );
    let Err(ServiceError::Invalid(problems)) = services
        .issue_final_plan(&head, &reference, 2, SignOff::default())
        .await
    else {
        panic!("issued without sign-off");
    };
    assert!(problems.iter().any(|p| p.field == "early_reason"));
    for key in &to_acknowledge {
        assert!(
            problems
                .iter()
                .any(|p| p.field == format!("acknowledge-{key}")),
            "{key} not asked for"
        );
    }
    let acknowledged = |reason: &str| SignOff {
        acknowledgements: to_acknowledge
            .iter()
            .map(|key| Acknowledgement {
                finding: key.clone(),
                reason: reason.into(),
            })
            .collect(),
        early_reason: None,
    };
    // A blank reason is no acknowledgement.
    let Err(ServiceError::Invalid(problems)) = services
        .issue_final_plan(&head, &reference, 2, acknowledged("  "))
        .await
    else {
        panic!("issued with blank reasons");
    };
    assert!(problems.iter().any(|p| p.field.starts_with("acknowledge-")));
    assert_eq!(
        events(store, &reference).await.last(),
        Some(&EventDetail::DraftPlanIssued),
        "nothing was recorded by the refusals"
    );

    // On the 15th day the period has not ended; the day after, no reason is needed.
    days.store(14, Ordering::SeqCst);
    let Err(ServiceError::Invalid(problems)) = services
        .issue_final_plan(&head, &reference, 2, acknowledged("Agreed at panel"))
        .await
    else {
        panic!("issued within the comment period");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, "early_reason");
    days.store(15, Ordering::SeqCst);
    let view = services.plan(&head, &reference).await.expect("plan");
    let today_blocking: Vec<String> = blocking(&view.as_final).map(finding_key).collect();
    assert_eq!(today_blocking, to_acknowledge);
    let number = services
        .issue_final_plan(&head, &reference, 2, acknowledged("Agreed at panel"))
        .await
        .expect("final");
    assert_eq!(number, 2);
    assert_eq!(
        events(store, &reference).await.last(),
        Some(&EventDetail::FinalPlanIssued)
    );
    let view = services.plan(&head, &reference).await.expect("plan");
    let final_version = view.versions.last().expect("final");
    assert_eq!(final_version.kind, PlanStatus::Final);
    assert_eq!(
        final_version.plan.issued_on,
        Some(date("2026-03-02") + Days::new(15))
    );
    assert_eq!(
        final_version.sign_off["acknowledged"][0]["reason"],
        json!("Agreed at panel")
    );
    let again = services
        .issue_final_plan(&head, &reference, view.revision(), acknowledged("Again"))
        .await;
    assert!(matches!(again, Err(ServiceError::Invalid(_))), "{again:?}");
}

async fn the_sign_off_setting_names_who_issues_the_final_plan(ctx: Ctx) {
    let store = &ctx.store;
    let (services, days) = services(store);
    let manager = person(store, "tm@example.test", Role::TeamManager).await;
    let ann = person(store, "ann@example.test", Role::CaseManager).await;
    let reference = case_of(&services, &manager, &ann).await;
    let plan = services.plan(&ann, &reference).await.expect("plan").plan;
    services
        .save_plan(&ann, &reference, plan, 0)
        .await
        .expect("save");
    services
        .issue_draft_plan(&ann, &reference, 1)
        .await
        .expect("draft");
    days.store(15, Ordering::SeqCst);
    let acknowledge_all = |view: &tandem_app::services::PlanView| {
        SignOff::acknowledging_all(&view.as_final, "Agreed at panel", None)
    };

    // Unless the area says otherwise, only the head of service signs: a team manager is
    // refused, the refusal is audited, and nothing is issued.
    let view = services.plan(&manager, &reference).await.expect("plan");
    assert!(!view.may_issue_final);
    let refused = services
        .issue_final_plan(&manager, &reference, 2, acknowledge_all(&view))
        .await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden)),
        "{refused:?}"
    );
    assert!(
        audit_entries(store, "denied")
            .await
            .iter()
            .any(|entry| entry.detail["asked"] == json!("IssueFinalPlan")),
        "the refusal is audited"
    );
    assert_eq!(
        events(store, &reference).await.last(),
        Some(&EventDetail::DraftPlanIssued)
    );

    // With team managers named as signers, the same request issues the final plan, and a case
    // manager is still refused.
    let signers = services.with_plan_sign_off(PlanSignOff::TeamManager);
    let refused = signers
        .issue_final_plan(&ann, &reference, 2, SignOff::default())
        .await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden)),
        "{refused:?}"
    );
    let view = signers.plan(&manager, &reference).await.expect("plan");
    assert!(view.may_issue_final);
    let number = signers
        .issue_final_plan(&manager, &reference, 2, acknowledge_all(&view))
        .await
        .expect("final");
    assert_eq!(number, 2);
    assert_eq!(
        events(store, &reference).await.last(),
        Some(&EventDetail::FinalPlanIssued)
    );
}

async fn a_plan_asked_to_be_signed_off_waits_on_the_signers_list_until_it_is_final(ctx: Ctx) {
    let store = &ctx.store;
    let (services, days) = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let manager = person(store, "tm@example.test", Role::TeamManager).await;
    let ann = person(store, "ann@example.test", Role::CaseManager).await;
    let reference = case_of(&services, &head, &ann).await;
    let plan = services.plan(&ann, &reference).await.expect("plan").plan;
    services
        .save_plan(&ann, &reference, plan, 0)
        .await
        .expect("save");

    // Nothing to sign off before a draft; issuing it saves revision 2, so 1 is now stale.
    let early = services
        .request_sign_off(&ann, &reference, 1, "Ready")
        .await;
    assert!(refusal(early)[0].starts_with("Issue the draft plan"));
    services
        .issue_draft_plan(&ann, &reference, 1)
        .await
        .expect("draft");
    let stale = services
        .request_sign_off(&ann, &reference, 1, "Ready")
        .await;
    assert!(
        matches!(stale, Err(ServiceError::Conflict { .. })),
        "{stale:?}"
    );
    assert!(
        services
            .sign_off_queue(&head)
            .await
            .expect("queue")
            .is_empty()
    );

    services
        .request_sign_off(
            &ann,
            &reference,
            2,
            "  The family agreed the draft at the meeting.  ",
        )
        .await
        .expect("asked");
    let again = services
        .request_sign_off(&ann, &reference, 2, "Again")
        .await;
    assert!(
        refusal(again)[0].contains("already been asked for"),
        "not twice for one revision"
    );
    let waiting = services.sign_off_queue(&head).await.expect("queue");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].reference, reference);
    assert_eq!(
        waiting[0].request.note,
        "The family agreed the draft at the meeting."
    );
    assert_eq!(waiting[0].request.requester_name, "User ann@example.test");
    assert_eq!(waiting[0].comment_period_ends, Some(date("2026-03-16")));
    let view = services.plan(&ann, &reference).await.expect("plan");
    assert_eq!(view.sign_off_request.map(|r| r.revision), Some(2));

    // Only signers read the list (a team manager is not one by default), and it is audited.
    let refused = services.sign_off_queue(&manager).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden)),
        "{refused:?}"
    );
    assert!(matches!(
        services.sign_off_queue(&ann).await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(
        audit_entries(store, "plan.sign_off_requested").await.len(),
        1
    );
    assert_eq!(audit_entries(store, "plan.sign_off_queue").await.len(), 2);

    // Once the final plan is issued, the plan leaves the list.
    days.store(15, Ordering::SeqCst);
    let view = services.plan(&head, &reference).await.expect("plan");
    let sign_off = SignOff::acknowledging_all(&view.as_final, "Agreed at panel", None);
    services
        .issue_final_plan(&head, &reference, 2, sign_off)
        .await
        .expect("final");
    assert!(
        services
            .sign_off_queue(&head)
            .await
            .expect("queue")
            .is_empty()
    );
    assert!(
        services
            .plan(&ann, &reference)
            .await
            .expect("plan")
            .sign_off_request
            .is_none()
    );
}

async fn people_outside_the_case_team_cannot_reach_the_plan(ctx: Ctx) {
    let store = &ctx.store;
    let (services, _) = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let ann = person(store, "ann@example.test", Role::CaseManager).await;
    let reference = case_of(&services, &head, &ann).await;
    let other = person(store, "other@example.test", Role::CaseManager).await;
    let auditor = person(store, "qa@example.test", Role::QaAuditor).await;
    let stranger = person(store, "stranger@example.test", Role::Parent).await;
    for caller in [&other, &stranger] {
        let refused = services.plan(caller, &reference).await;
        assert!(
            matches!(refused, Err(ServiceError::NotFound { .. })),
            "{refused:?}"
        );
    }
    let refused = services.plan(&auditor, &reference).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden)),
        "{refused:?}"
    );
    let refused = services.issued_plan(&ann, &reference).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden)),
        "{refused:?}"
    );
    assert_eq!(
        audit_entries(store, "denied").await.len(),
        4,
        "each refusal is audited"
    );
}

/// A family comments on the open draft (by section, naming a school, asking to meet); the case
/// staff read it with the plan. Nothing is kept when there is no draft, when the comment says
/// nothing, for someone outside the family, or once the final plan is issued; a comment after
/// the 15 days is kept and marked late.
async fn the_family_comments_on_the_open_draft_and_staff_read_it(ctx: Ctx) {
    let store = &ctx.store;
    let (services, days) = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let ann = person(store, "ann@example.test", Role::CaseManager).await;
    let parent = person(store, "parent@example.test", Role::Parent).await;
    let stranger = person(store, "other-parent@example.test", Role::Parent).await;
    let reference = case_of(&services, &head, &ann).await;
    link_family(store, &reference, &parent).await;
    let comment = |body: &str| DraftComment {
        section: Some(Section::F),
        body: body.into(),
        preferred_setting: "Riverside Primary School".into(),
        wants_meeting: true,
    };

    let early = services
        .comment_on_draft(&parent, &reference, comment("Too soon"))
        .await;
    assert_eq!(refusal(early), ["There is no draft plan to comment on yet"]);

    let plan = services.plan(&ann, &reference).await.expect("plan").plan;
    services
        .save_plan(&ann, &reference, plan, 0)
        .await
        .expect("save");
    services
        .issue_draft_plan(&ann, &reference, 1)
        .await
        .expect("draft");

    let open = services
        .draft_for_comment(&parent, &reference)
        .await
        .expect("open");
    assert_eq!(open.draft, Some(1));
    assert_eq!(
        open.period,
        Some((date("2026-03-02"), date("2026-03-16"))),
        "15 days beginning with the day served (reg 13(1)(a))"
    );
    let empty = DraftComment::default();
    assert_eq!(
        refusal(services.comment_on_draft(&parent, &reference, empty).await),
        ["Enter your comment, name the school or setting you would like, or ask for a meeting"]
    );
    let hidden = DraftComment {
        body: "Fine\u{202e}txt".into(),
        ..DraftComment::default()
    };
    assert_eq!(
        refusal(services.comment_on_draft(&parent, &reference, hidden).await),
        ["Your comment must not contain characters that change the direction of text"]
    );
    for outsider in [&stranger, &ann] {
        let refused = services
            .comment_on_draft(outsider, &reference, comment("Not mine to say"))
            .await;
        assert!(
            matches!(
                refused,
                Err(ServiceError::NotFound { .. } | ServiceError::Forbidden)
            ),
            "{refused:?}"
        );
    }
    assert_eq!(
        services
            .plan(&ann, &reference)
            .await
            .expect("plan")
            .comments,
        [],
        "nothing refused was kept"
    );

    services
        .comment_on_draft(
            &parent,
            &reference,
            comment("  Speech therapy should say how often.  "),
        )
        .await
        .expect("comment");
    days.store(15, Ordering::SeqCst);
    let whole = DraftComment {
        body: "One more thing.".into(),
        ..DraftComment::default()
    };
    services
        .comment_on_draft(&parent, &reference, whole)
        .await
        .expect("a comment after the 15 days is still taken");

    let comments = services
        .plan(&ann, &reference)
        .await
        .expect("plan")
        .comments;
    assert_eq!(comments.len(), 2);
    let first = &comments[0];
    assert_eq!(
        (
            first.comment.section,
            first.comment.body.as_str(),
            first.comment.preferred_setting.as_deref(),
            first.comment.wants_meeting,
            first.comment.version,
            first.author_id,
        ),
        (
            Some(Section::F),
            "Speech therapy should say how often.",
            Some("Riverside Primary School"),
            true,
            1,
            parent.actor.id,
        )
    );
    assert_eq!(comments[1].comment.section, None);
    let made = |i: usize| tandem_core::dates::england_date(comments[i].made_at);
    assert!(!after_comment_period(date("2026-03-02"), made(0)));
    assert!(after_comment_period(date("2026-03-02"), made(1)));
    assert_eq!(audit_entries(store, "plan.comment").await.len(), 2);

    // The family reads its own comments only.
    let theirs = services
        .draft_for_comment(&parent, &reference)
        .await
        .expect("read");
    assert_eq!(theirs.comments.len(), 2);
    link_family(store, &reference, &stranger).await;
    let other = services
        .draft_for_comment(&stranger, &reference)
        .await
        .expect("read");
    assert_eq!(other.comments, []);

    // Once the final plan is issued the draft is closed.
    let view = services.plan(&head, &reference).await.expect("plan");
    let sign_off = SignOff::acknowledging_all(&view.as_final, "Agreed at panel", None);
    services
        .issue_final_plan(&head, &reference, view.revision(), sign_off)
        .await
        .expect("final");
    let closed = services
        .draft_for_comment(&parent, &reference)
        .await
        .expect("read");
    assert_eq!((closed.draft, closed.period), (None, None));
    assert_eq!(
        refusal(
            services
                .comment_on_draft(&parent, &reference, comment("Late"))
                .await
        ),
        [
            "The final plan has been issued, so the draft is closed for comments. Send a message \
             to your case manager instead"
        ]
    );
}

/// Links `person` to the case as family.
async fn link_family(store: &Store, reference: &Reference, person: &Caller) {
    let mut tx = store.begin().await.expect("begin");
    let case = tx.case(reference).await.expect("case").expect("found");
    tx.link_person(case.record.id, person.actor.id, CaseRelation::Family)
        .await
        .expect("link");
    tx.commit().await.expect("commit");
}

/// The messages of a refusal for invalid input.
fn refusal<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> Vec<String> {
    match result {
        Err(ServiceError::Invalid(errors)) => errors.into_iter().map(|e| e.message).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// After the final plan, nothing is issued until a review decides to amend it (reg 22); then the
/// draft is the notice of proposed amendments, with the family's 15 days, and the final plan is
/// the amended plan, signed off under the same rules; its decision is then used up.
async fn a_review_decision_to_amend_leads_to_proposed_amendments_and_an_amended_plan(ctx: Ctx) {
    let store = &ctx.store;
    let (services, days) = services(store);
    let head = person(store, "head@example.test", Role::HeadOfService).await;
    let ann = person(store, "ann@example.test", Role::CaseManager).await;
    let parent = person(store, "parent@example.test", Role::Parent).await;
    let reference = case_of(&services, &head, &ann).await;
    link_family(store, &reference, &parent).await;
    let plan = services.plan(&ann, &reference).await.expect("plan").plan;
    services
        .save_plan(&ann, &reference, plan, 0)
        .await
        .expect("save");
    services
        .issue_draft_plan(&ann, &reference, 1)
        .await
        .expect("draft");
    days.store(15, Ordering::SeqCst);
    let sign_off = |view: &tandem_app::services::PlanView, early: Option<&str>| {
        SignOff::acknowledging_all(&view.as_final, "Agreed at panel", early)
    };
    let view = services.plan(&head, &reference).await.expect("plan");
    services
        .issue_final_plan(&head, &reference, 2, sign_off(&view, None))
        .await
        .expect("final");

    let refused = services.issue_draft_plan(&ann, &reference, 3).await;
    assert_eq!(
        refusal(refused),
        [
            "The final plan has already been issued: it changes only after an annual review \
             decides to amend it (record that decision, then send the proposed amendments)"
        ]
    );

    days.store(300, Ordering::SeqCst);
    let today = date("2026-03-02") + Days::new(300);
    for detail in [
        EventDetail::ReviewMeetingHeld,
        EventDetail::ReviewDecision {
            outcome: tandem_core::ReviewOutcome::Amend,
        },
    ] {
        let version = {
            let mut tx = store.begin().await.expect("begin");
            let case = tx.case(&reference).await.expect("case").expect("found");
            tx.commit().await.expect("commit");
            case.record.version
        };
        services
            .record_event(
                &ann,
                &reference,
                version,
                &tandem_core::Event::new(today, detail),
            )
            .await
            .expect("record the review");
    }
    let mut plan = services.plan(&ann, &reference).await.expect("plan").plan;
    plan.sections.a = Some(TextSection {
        text: "Robin now loves swimming too.".into(),
    });
    let saved = services
        .save_plan(&ann, &reference, plan, 3)
        .await
        .expect("save the amendments");
    let number = services
        .issue_draft_plan(&ann, &reference, saved.revision)
        .await
        .expect("the proposed amendments");
    assert_eq!(number, 3);
    assert_eq!(
        events(store, &reference).await.last(),
        Some(&EventDetail::AmendmentNoticeIssued)
    );
    let open = services
        .draft_for_comment(&parent, &reference)
        .await
        .expect("open for comment");
    assert_eq!(open.draft, Some(3));
    assert_eq!(open.period, Some((today, today + Days::new(14))));

    let view = services.plan(&head, &reference).await.expect("plan");
    assert_eq!(view.comment_period_ends, Some(today + Days::new(14)));
    let early = services
        .issue_final_plan(&head, &reference, view.revision(), sign_off(&view, None))
        .await;
    assert!(
        refusal(early)
            .iter()
            .any(|m| m.starts_with("The family can comment on the draft until")),
    );
    let number = services
        .issue_final_plan(
            &head,
            &reference,
            view.revision(),
            sign_off(
                &view,
                Some("The family agreed the amendments at the meeting"),
            ),
        )
        .await
        .expect("the amended plan");
    assert_eq!(number, 4);
    assert_eq!(
        events(store, &reference).await.last(),
        Some(&EventDetail::AmendedPlanIssued)
    );
    let view = services.plan(&head, &reference).await.expect("plan");
    let kinds: Vec<PlanStatus> = view.versions.iter().map(|v| v.kind).collect();
    assert_eq!(
        kinds,
        [
            PlanStatus::Draft,
            PlanStatus::Final,
            PlanStatus::Draft,
            PlanStatus::Amended
        ]
    );
    // The decision was used by the amended plan: the next change needs another review.
    let again = services
        .issue_draft_plan(&ann, &reference, view.revision())
        .await;
    assert!(matches!(again, Err(ServiceError::Invalid(_))), "{again:?}");
}
