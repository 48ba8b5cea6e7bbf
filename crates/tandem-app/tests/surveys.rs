//! Surveys of families and partners, on both databases, through a real SMTP server on loopback:
//! a survey goes by email when a case reaches its moment (and in a manager's batch), each link
//! works once and expires, and the results an analyst reads say nothing of who answered.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tandem_app::accounts::{self, NewAccount};
use tandem_app::interchange::improvement_plan;
use tandem_app::mail::Mailer;
use tandem_app::services::{
    Answered, Caller, FieldError, ServiceError, Services, Source, SurveyDraft, SurveyLink,
    YouSaidDraft,
};
use tandem_app::transfer;
use tandem_core::surveys::{Moment, QuestionKind, SurveyAudience};
use tandem_core::{CaseFile, Child, Reference, Role};
use tandem_store::{Attribution, CaseRelation, NewCase, Store};
use tandem_test_support::{Ctx, SmtpSink, add_user, at, audited, contract, date, event};

contract!(
    a_survey_goes_at_its_moment_and_its_link_works_once,
    a_link_expires_and_then_stores_nothing,
    an_analyst_reads_counts_but_never_who_answered_or_what_they_wrote,
    you_said_we_did_is_linked_to_the_improvement_plan_and_checked,
);

const PUBLIC_URL: &str = "https://tandem.council.test";
const SECRET_WORDS: &str = "Our key worker Sam was brilliant";

#[derive(Clone)]
struct Clock(Arc<Mutex<DateTime<Utc>>>);

impl Clock {
    fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap() = now;
    }
}

struct World {
    services: Services,
    clock: Clock,
    manager: Caller,
    case_manager: Caller,
    analyst: Caller,
    reference: Reference,
    version: i64,
}

/// How the services see the account `id`.
async fn caller(store: &Store, id: i64) -> Caller {
    let user = store.user(id).await.expect("read").expect("user");
    Caller::new(user.actor(), Source::Form)
}

/// A case opened from a request on 5 January 2026, with a family and a member of a service
/// that will be asked for health advice, a survey of families after the decision whether to
/// assess, and the people who read its results.
async fn world(store: &Store) -> World {
    let clock = Clock(Arc::new(Mutex::new(at("2026-02-10"))));
    let reading = clock.clone();
    let services =
        Services::with_clock(store.clone(), Arc::new(move || *reading.0.lock().unwrap()))
            .with_public_url(PUBLIC_URL);
    let manager = add_user(store, "tm@council.test", Role::TeamManager, None).await;
    let case_manager = add_user(store, "cm@council.test", Role::CaseManager, Some("north")).await;
    let analyst = add_user(store, "analyst@council.test", Role::Analyst, None).await;
    let parent = add_user(store, "parent@family.test", Role::Parent, None).await;
    let nurse = NewAccount {
        email: "nurse@nhs.test".into(),
        name: "A nurse".into(),
        role: Role::HealthProfessional,
        team: None,
        provider: Some("Community paediatrics".into()),
        password: "a long enough password".into(),
    };
    accounts::create_account(store, None, nurse, Utc::now())
        .await
        .expect("nurse");
    let case = CaseFile {
        reference: Reference::parse("EHC-1").unwrap(),
        child: Child::default(),
        events: vec![event(&[
            ("type", "request_received"),
            ("date", "2026-01-05"),
        ])],
        request: Default::default(),
    };
    let mut tx = store.begin_at(at("2026-01-05")).await.expect("begin");
    let opened = tx
        .open_case(
            &NewCase::new(case),
            Attribution::new(Some(manager), Source::Import),
        )
        .await
        .expect("open");
    tx.link_person(opened.id, parent, CaseRelation::Family)
        .await
        .expect("family");
    tx.commit().await.expect("commit");
    let world = World {
        services,
        clock,
        manager: caller(store, manager).await,
        case_manager: caller(store, case_manager).await,
        analyst: caller(store, analyst).await,
        reference: opened.reference,
        version: opened.version,
    };
    world
        .services
        .create_survey(&world.manager, &draft(SurveyAudience::Families))
        .await
        .expect("survey");
    world
}

fn draft(audience: SurveyAudience) -> SurveyDraft {
    SurveyDraft {
        title: "How was the decision?".into(),
        moment: Some(Moment::AfterDecision),
        audience: Some(audience),
        scale_questions: "We were listened to\nThe letter was clear".into(),
        text_questions: "What could we do better?".into(),
    }
}

impl World {
    async fn record(&mut self, fields: &[(&str, &str)]) {
        self.version = self
            .services
            .record_event(&self.manager, &self.reference, self.version, &event(fields))
            .await
            .expect("record")
            .version;
    }

    async fn decide(&mut self) {
        self.record(&[
            ("type", "decision_to_assess"),
            ("date", "2026-02-10"),
            ("outcome", "assess"),
        ])
        .await;
    }

    /// Records the decision and sends what it queued: the family's link's token.
    async fn family_token(&mut self, sink: &SmtpSink) -> String {
        self.decide().await;
        self.services.deliver(&mailer(sink)).await.expect("deliver");
        token_in(&sink.received()[0].body)
    }

    /// The answers: agreement with every statement at `point`, and `words` for the rest.
    async fn answers(&self, token: &str, point: &str, words: &str) -> BTreeMap<i64, String> {
        let SurveyLink::Open(survey) = self.services.survey_link(token).await.expect("link") else {
            panic!("the link should work");
        };
        survey
            .questions
            .iter()
            .map(|q| {
                let answer = match q.kind {
                    QuestionKind::Scale => point,
                    QuestionKind::Text => words,
                };
                (q.id, answer.to_owned())
            })
            .collect()
    }
}

fn mailer(sink: &SmtpSink) -> Mailer {
    Mailer::from_settings(&sink.url(), "tandem@council.test").expect("mailer")
}

/// The token of the survey link in an email's text.
fn token_in(body: &str) -> String {
    let start = body.find("/feedback/").expect("a survey link") + "/feedback/".len();
    body[start..]
        .split_whitespace()
        .next()
        .expect("a token")
        .to_owned()
}

async fn a_survey_goes_at_its_moment_and_its_link_works_once(ctx: Ctx) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let mut world = world(&ctx.store).await;
    world.decide().await;
    let sent = world
        .services
        .deliver(&mailer(&sink))
        .await
        .expect("deliver");
    assert_eq!(sent.sent, 1);
    let received = sink.received();
    assert_eq!(received[0].to, vec!["parent@family.test".to_owned()]);
    assert!(!received[0].subject.contains("EHC-1"));
    assert!(!received[0].body.contains("EHC-1"));
    let token = token_in(&received[0].body);
    assert!(
        received[0]
            .body
            .contains(&format!("{PUBLIC_URL}/feedback/{token}"))
    );

    // A scale question left unanswered is refused, and the link still works.
    let mut answers = world.answers(&token, "4", "More phone calls").await;
    let first = *answers.keys().next().unwrap();
    answers.insert(first, String::new());
    let Answered::Invalid(_, problems) = world
        .services
        .answer_survey(&token, &answers)
        .await
        .expect("answer")
    else {
        panic!("an unanswered statement must be refused");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, first);

    let answers = world.answers(&token, "4", "More phone calls").await;
    assert_eq!(
        world
            .services
            .answer_survey(&token, &answers)
            .await
            .expect("answer"),
        Answered::Thanks
    );
    assert_eq!(
        world
            .services
            .answer_survey(&token, &answers)
            .await
            .expect("again"),
        Answered::Closed
    );
    assert_eq!(
        world.services.survey_link(&token).await.expect("link"),
        SurveyLink::Closed
    );
    assert_eq!(audited(&ctx.store, "survey.answer").await, 1);
    assert_eq!(audited(&ctx.store, "survey.link_refused").await, 1);

    // A partners' survey added later goes to the service asked, in a manager's batch, once.
    world
        .record(&[
            ("type", "advice_requested"),
            ("date", "2026-02-10"),
            ("advice", "health"),
            ("provider", "Community paediatrics"),
        ])
        .await;
    let partners = world
        .services
        .create_survey(&world.manager, &draft(SurveyAudience::Partners))
        .await
        .expect("survey");
    world.clock.set(at("2026-02-12"));
    let refused = world
        .services
        .send_survey_batch(&world.case_manager, partners, Some(date("2026-02-01")))
        .await;
    assert!(matches!(refused, Err(ServiceError::Forbidden)));
    let batch = |since| {
        world
            .services
            .send_survey_batch(&world.manager, partners, Some(since))
    };
    assert_eq!(batch(date("2026-02-11")).await.expect("none reached it"), 0);
    assert_eq!(batch(date("2026-02-01")).await.expect("batch"), 1);
    assert_eq!(batch(date("2026-02-01")).await.expect("again"), 0);
    world
        .services
        .deliver(&mailer(&sink))
        .await
        .expect("deliver");
    // Besides the service's own notice that advice was asked of it.
    let received = sink.received();
    let surveys: Vec<_> = received
        .iter()
        .filter(|email| email.body.contains("/feedback/"))
        .collect();
    assert_eq!(surveys.len(), 2);
    assert_eq!(surveys[1].to, vec!["nurse@nhs.test".to_owned()]);
}

async fn a_link_expires_and_then_stores_nothing(ctx: Ctx) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let mut world = world(&ctx.store).await;
    let token = world.family_token(&sink).await;
    let answers = world.answers(&token, "5", "").await;
    // Four weeks less a minute after it was sent, the link still works; at four weeks it stops.
    world
        .clock
        .set(at("2026-03-10") - chrono::Duration::minutes(1));
    assert!(matches!(
        world.services.survey_link(&token).await.expect("link"),
        SurveyLink::Open(_)
    ));
    world.clock.set(at("2026-03-10"));
    assert_eq!(
        world.services.survey_link(&token).await.expect("link"),
        SurveyLink::Closed
    );
    assert_eq!(
        world
            .services
            .answer_survey(&token, &answers)
            .await
            .expect("answer"),
        Answered::Closed
    );
    let results = world
        .services
        .survey_results(&world.manager)
        .await
        .expect("results");
    let survey = &results.surveys[0];
    assert_eq!(survey.responses(), 0);
    assert_eq!(survey.terms[0].sent, 1);
    assert_eq!(
        world
            .services
            .survey_link("not-a-token")
            .await
            .expect("link"),
        SurveyLink::Closed
    );
}

async fn an_analyst_reads_counts_but_never_who_answered_or_what_they_wrote(ctx: Ctx) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let mut world = world(&ctx.store).await;
    let token = world.family_token(&sink).await;
    let answers = world.answers(&token, "2", SECRET_WORDS).await;
    world
        .services
        .answer_survey(&token, &answers)
        .await
        .expect("answer");

    // The manager reads the words; the analyst reads the same counts and nothing else.
    let managers = world
        .services
        .survey_results(&world.manager)
        .await
        .expect("results");
    let comments = managers.surveys[0].comments.as_ref().expect("comments");
    assert_eq!(comments[0].1, vec![SECRET_WORDS.to_owned()]);
    let analysts = world
        .services
        .survey_results(&world.analyst)
        .await
        .expect("results");
    let survey = &analysts.surveys[0];
    assert_eq!(survey.comments, None);
    assert_eq!(survey.responses(), 1);
    assert_eq!(survey.questions[0].tally.counts, [0, 1, 0, 0, 0]);
    assert!(!analysts.may_manage);
    // Nothing the analyst reads names the case, the family or the link.
    let everything = format!("{analysts:?}");
    for detail in ["EHC-1", "parent@family.test", "Sam", token.as_str()] {
        assert!(!everything.contains(detail), "{detail} in {everything}");
    }
    // Nor may an analyst add or send a survey; each refusal is audited.
    let refused = world
        .services
        .create_survey(&world.analyst, &draft(SurveyAudience::Partners))
        .await;
    assert!(matches!(refused, Err(ServiceError::Forbidden)));
    let refused = world
        .services
        .send_survey_batch(&world.analyst, survey.survey.id, Some(date("2026-02-01")))
        .await;
    assert!(matches!(refused, Err(ServiceError::Forbidden)));
    assert_eq!(audited(&ctx.store, "survey.results").await, 2);
}

async fn you_said_we_did_is_linked_to_the_improvement_plan_and_checked(ctx: Ctx) {
    let world = world(&ctx.store).await;
    let plan =
        improvement_plan::read(include_str!("../../../examples/improvement-plan.csv").as_bytes())
            .expect("plan");
    transfer::import_improvement_plan(&ctx.store, &plan, false)
        .await
        .expect("import");
    let kept = world
        .services
        .improvement_plan(&world.manager)
        .await
        .expect("plan");
    let (_, _, action) = kept.plan.actions().next().expect("an action");
    let action_id = action.id.expect("kept");
    let survey_id = world
        .services
        .survey_results(&world.manager)
        .await
        .expect("results")
        .surveys[0]
        .survey
        .id;
    let said = YouSaidDraft {
        you_said: "Letters were hard to follow.".into(),
        we_did: "  Every letter now says what happens next.  ".into(),
        action: Some(action_id),
    };

    // Every problem at once, and nothing kept.
    let empty = YouSaidDraft {
        you_said: " ".into(),
        we_did: String::new(),
        action: Some(action_id + 10_000),
    };
    let Err(ServiceError::Invalid(problems)) = world
        .services
        .record_you_said_we_did(&world.manager, survey_id, &empty)
        .await
    else {
        panic!("an empty entry is refused");
    };
    let fields: Vec<&str> = problems
        .iter()
        .map(|p: &FieldError| p.field.as_str())
        .collect();
    assert_eq!(fields, ["you_said", "we_did", "action"]);
    // Only those who manage surveys may record one; an unknown survey is not found.
    for caller in [&world.analyst, &world.case_manager] {
        let refused = world
            .services
            .record_you_said_we_did(caller, survey_id, &said)
            .await;
        assert!(
            matches!(refused, Err(ServiceError::Forbidden)),
            "{refused:?}"
        );
    }
    let missing = world
        .services
        .record_you_said_we_did(&world.manager, survey_id + 99, &said)
        .await;
    assert!(
        matches!(missing, Err(ServiceError::NotFound { .. })),
        "{missing:?}"
    );

    world
        .services
        .record_you_said_we_did(&world.manager, survey_id, &said)
        .await
        .expect("recorded");
    assert_eq!(audited(&ctx.store, "survey.you_said_we_did").await, 1);
    // Everyone who reads the figures reads it, with the action's text and status.
    let analysts = world
        .services
        .survey_results(&world.analyst)
        .await
        .expect("results");
    let entry = &analysts.surveys[0].you_said_we_did[0];
    assert_eq!(entry.we_did, "Every letter now says what happens next.");
    assert_eq!(entry.action_id, Some(action_id));
    assert_eq!(entry.action_text.as_deref(), Some(action.text.as_str()));
    assert_eq!(entry.action_status.as_deref(), Some(action.status.as_str()));

    // Replacing the plan from a file keeps what families were told, without the old action.
    transfer::import_improvement_plan(&ctx.store, &plan, true)
        .await
        .expect("import again");
    let after = world
        .services
        .survey_results(&world.manager)
        .await
        .expect("results");
    let entry = &after.surveys[0].you_said_we_did[0];
    assert_eq!(entry.you_said, "Letters were hard to follow.");
    assert_eq!(
        (entry.action_id, entry.action_text.as_deref()),
        (None, None)
    );
}
