//! Surveys: kept with their questions in order; a link stored once per survey, case and person,
//! used once and only before it expires; responses counted by term and question, with nothing
//! that leads back to a link; the outbox takes the survey and password reset kinds.

use tandem_core::Role;
use tandem_core::notifications::{Email, NotificationKind};
use tandem_core::surveys::{Answer, Moment, QuestionKind, SurveyAudience};
use tandem_store::{CaseRelation, NewSurvey, NewSurveyLink, ScaleCount, SurveyTermCount};
use tandem_test_support::{Ctx, contract};

use crate::helpers::*;

contract!(
    surveys_keep_their_questions_and_links_work_once_before_they_expire,
    the_outbox_takes_survey_and_password_reset_emails,
);

async fn surveys_keep_their_questions_and_links_work_once_before_they_expire(ctx: Ctx) {
    let store = &ctx.store;
    let manager = add_user(store, "tm@example.test", Role::TeamManager, None).await;
    let parent = add_user(store, "parent@example.test", Role::Parent, None).await;
    let case = open(store, worked_example("EHC-1"), at("2026-05-18")).await;
    let mut tx = store.begin_at(at("2026-05-20")).await.expect("begin");
    tx.link_person(case.id, parent, CaseRelation::Family)
        .await
        .expect("link");
    let id = tx
        .create_survey(
            &NewSurvey {
                title: "After the plan".into(),
                moment: Moment::AfterFinalPlan,
                audience: SurveyAudience::Families,
                questions: vec![
                    (QuestionKind::Scale, "We were listened to".into()),
                    (QuestionKind::Text, "Anything else?".into()),
                ],
            },
            manager,
        )
        .await
        .expect("survey");
    let surveys = tx.surveys().await.expect("surveys");
    assert_eq!(surveys.len(), 1);
    let survey = &surveys[0];
    assert_eq!((survey.id, survey.active), (id, true));
    let kinds: Vec<QuestionKind> = survey.questions.iter().map(|q| q.kind).collect();
    assert_eq!(kinds, [QuestionKind::Scale, QuestionKind::Text]);
    let (scale, words) = (survey.questions[0].id, survey.questions[1].id);

    let recipients = tx
        .survey_recipients(case.id, SurveyAudience::Families)
        .await
        .expect("recipients");
    assert_eq!(recipients, vec![(parent, "parent@example.test".to_owned())]);
    let cases = tx
        .cases_with_event_between("final_plan_issued", date("2026-05-01"), date("2026-05-31"))
        .await
        .expect("cases");
    assert_eq!(cases, vec![(case.id, "EHC-1".to_owned())]);
    let later = tx
        .cases_with_event_between("final_plan_issued", date("2026-05-19"), date("2026-05-31"))
        .await
        .expect("cases");
    assert!(later.is_empty());

    let link = |token_hash| NewSurveyLink {
        survey_id: id,
        case_id: case.id,
        user_id: parent,
        token_hash,
        term: "2026-summer",
        expires_at: at("2026-06-17"),
    };
    assert!(tx.create_survey_link(&link("first")).await.expect("link"));
    // The same person about the same case is not asked twice.
    assert!(!tx.create_survey_link(&link("second")).await.expect("again"));
    tx.commit().await.expect("commit");

    let mut tx = store.begin_at(at("2026-05-21")).await.expect("begin");
    assert_eq!(tx.open_survey_link("second").await.expect("open"), None);
    let found = Some((id, "2026-summer".to_owned()));
    assert_eq!(tx.open_survey_link("first").await.expect("open"), found);
    assert_eq!(tx.use_survey_link("first").await.expect("use"), found);
    assert_eq!(tx.use_survey_link("first").await.expect("used"), None);
    assert_eq!(tx.open_survey_link("first").await.expect("open"), None);
    for (key, point) in [("r1", 4), ("r2", 4), ("r3", 1)] {
        let mut answers = vec![(scale, Answer::Scale(point))];
        if key != "r2" {
            answers.push((words, Answer::Text(format!("Said in {key}"))));
        }
        tx.record_survey_response(key, id, "2026-summer", &answers)
            .await
            .expect("response");
    }
    tx.commit().await.expect("commit");

    let mut read = store.begin_at(at("2026-05-22")).await.expect("begin");
    assert_eq!(
        read.survey_term_counts(id).await.expect("terms"),
        vec![SurveyTermCount {
            term: "2026-summer".into(),
            sent: 1,
            responses: 3,
        }]
    );
    let mut counts = read.survey_scale_counts(id).await.expect("counts");
    counts.sort_by_key(|c| c.scale);
    let chose = |point, times| ScaleCount {
        term: "2026-summer".into(),
        question_id: scale,
        scale: point,
        count: times,
    };
    assert_eq!(counts, vec![chose(1, 1), chose(4, 2)]);
    let written: Vec<String> = read
        .survey_written_answers(id)
        .await
        .expect("words")
        .into_iter()
        .map(|w| w.words)
        .collect();
    assert_eq!(written, ["Said in r1", "Said in r3"]);
    drop(read);

    // A link past its expiry does not open and cannot be used.
    let mut tx = store.begin_at(at("2026-05-22")).await.expect("begin");
    let mut late = link("late");
    late.user_id = manager;
    late.expires_at = at("2026-05-23");
    assert!(tx.create_survey_link(&late).await.expect("link"));
    tx.commit().await.expect("commit");
    let mut tx = store.begin_at(at("2026-05-24")).await.expect("begin");
    assert_eq!(tx.open_survey_link("late").await.expect("open"), None);
    assert_eq!(tx.use_survey_link("late").await.expect("use"), None);
    drop(tx);
    // Responses carry no link, case or person: their table has the survey and the term alone.
    assert_eq!(count(store, "survey_responses").await, 3);
    assert!(
        try_execute(store, "SELECT case_id FROM survey_responses")
            .await
            .is_err()
    );
    assert!(
        try_execute(store, "SELECT user_id FROM survey_responses")
            .await
            .is_err()
    );
}

async fn the_outbox_takes_survey_and_password_reset_emails(ctx: Ctx) {
    let store = &ctx.store;
    let parent = add_user(store, "parent@example.test", Role::Parent, None).await;
    let email = Email {
        subject: "Tandem: tell us how it went".into(),
        body: "A link".into(),
    };
    let mut tx = store.begin_at(at("2026-05-20")).await.expect("begin");
    let queued = tx
        .queue_email(
            NotificationKind::Survey,
            parent,
            "parent@example.test",
            "survey:abc",
            &email,
        )
        .await
        .expect("queue");
    assert_eq!(queued, 1);
    tx.commit().await.expect("commit");
    let (unsent, _) = store.unsent_notifications().await.expect("outbox");
    assert_eq!(unsent[0].kind, NotificationKind::Survey);
    // The kind another change will send is allowed already; an unknown kind is still refused.
    let insert = |kind: &str| {
        format!(
            "INSERT INTO notifications (kind, user_id, email, dedupe_key, subject, body, status, \
             attempts, next_attempt_at, created_at) VALUES ('{kind}', {parent}, 'p@example.test', \
             '{kind}:1', 's', 'b', 'pending', 0, '2026-05-20T12:00:00Z', '2026-05-20T12:00:00Z')"
        )
    };
    assert!(try_execute(store, &insert("password_reset")).await.is_ok());
    assert!(try_execute(store, &insert("carrier_pigeon")).await.is_err());
}
