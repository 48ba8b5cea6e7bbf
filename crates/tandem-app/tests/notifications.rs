//! Notifications by email, on both databases, through a real SMTP server on loopback: who gets
//! which email when a case changes, reminders queued once however often the daily run finds
//! them, and a mail server that is down (emails kept, retried later, shown to administrators).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde_json::json;
use tandem_app::accounts::{self, NewAccount};
use tandem_app::mail::Mailer;
use tandem_app::services::{Caller, Delivery, NewRequest, ServiceError, Services, Source};
use tandem_core::{Child, Reference, Role};
use tandem_store::Store;
use tandem_test_support::{Ctx, Received, SmtpSink, at, contract, date, event};

contract!(
    changes_email_the_people_they_concern,
    reminders_go_once_however_often_the_run_finds_them,
    a_mail_server_that_is_down_delays_emails_until_it_is_back,
);

const PUBLIC_URL: &str = "https://tandem.council.test";

/// A clock the test moves on by hand.
#[derive(Clone)]
struct Clock(Arc<Mutex<DateTime<Utc>>>);

impl Clock {
    fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap() = now;
    }
}

/// The people of one case: its case manager, the two members of the service asked for health
/// advice, a member of another service, the family, and an administrator.
struct World {
    services: Services,
    clock: Clock,
    manager: Caller,
    parent: Caller,
    admin: Caller,
    reference: Reference,
    version: i64,
}

async fn account(
    store: &Store,
    email: &str,
    role: Role,
    team: Option<&str>,
    provider: Option<&str>,
) -> Caller {
    let new = NewAccount {
        email: email.into(),
        name: format!("Person {email}"),
        role,
        team: team.map(str::to_owned),
        provider: provider.map(str::to_owned),
        password: "a long enough password".into(),
    };
    let id = accounts::create_account(store, None, new, Utc::now())
        .await
        .expect("account");
    caller(store, id).await
}

async fn caller(store: &Store, id: i64) -> Caller {
    let user = store.user(id).await.expect("read").expect("user");
    Caller::new(user.actor(), Source::Form)
}

async fn world(store: &Store) -> World {
    let clock = Clock(Arc::new(Mutex::new(at("2026-03-02"))));
    let reading = clock.clone();
    let services =
        Services::with_clock(store.clone(), Arc::new(move || *reading.0.lock().unwrap()))
            .with_public_url(PUBLIC_URL);
    let manager = account(
        store,
        "cm@council.test",
        Role::CaseManager,
        Some("north"),
        None,
    )
    .await;
    for email in ["nurse.a@nhs.test", "nurse.b@nhs.test"] {
        account(
            store,
            email,
            Role::HealthProfessional,
            None,
            Some("Community paediatrics"),
        )
        .await;
    }
    account(
        store,
        "ot@nhs.test",
        Role::HealthProfessional,
        None,
        Some("Children's therapy"),
    )
    .await;
    let admin = account(store, "admin@council.test", Role::Admin, None, None).await;
    let mut child = Child {
        date_of_birth: Some(date("2015-06-01")),
        ..Child::default()
    };
    child.other.insert("given_name".into(), json!("Robin"));
    child.other.insert("family_name".into(), json!("Testcase"));
    let reference = Reference::parse("EHC-1").unwrap();
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
        .expect("open");
    let parent = NewAccount {
        email: "parent@family.test".into(),
        name: "A parent".into(),
        role: Role::Parent,
        team: None,
        provider: None,
        password: "a long enough password".into(),
    };
    let parent_id = accounts::create_linked_account(
        store,
        None,
        parent,
        std::slice::from_ref(&reference),
        Utc::now(),
    )
    .await
    .expect("parent");
    World {
        parent: caller(store, parent_id).await,
        services,
        clock,
        manager,
        admin,
        reference,
        version: opened.version,
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

    async fn request_health_advice(&mut self, day: &str) {
        self.record(&[
            ("type", "advice_requested"),
            ("date", day),
            ("advice", "health"),
            ("provider", "Community  Paediatrics"),
        ])
        .await;
    }
}

fn mailer(sink: &SmtpSink) -> Mailer {
    Mailer::from_settings(&sink.url(), "tandem@council.test").expect("mailer")
}

/// Who received each subject, sorted.
fn by_subject(received: &[Received]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for email in received {
        out.entry(email.subject.clone())
            .or_default()
            .extend(email.to.iter().cloned());
    }
    out.values_mut().for_each(|to| to.sort());
    out
}

/// What no subject may carry: the child's names, the reference, anything identifying; nor may
/// the text name the child.
fn assert_no_personal_details(received: &[Received]) {
    for email in received {
        for detail in ["Robin", "Testcase", "EHC-1", "@"] {
            assert!(
                !email.subject.contains(detail),
                "{detail} in {:?}",
                email.subject
            );
        }
        for name in ["Robin", "Testcase"] {
            assert!(!email.body.contains(name), "{name} in {:?}", email.body);
        }
    }
}

async fn changes_email_the_people_they_concern(ctx: Ctx) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let mut world = world(&ctx.store).await;
    world
        .record(&[
            ("type", "decision_to_assess"),
            ("date", "2026-02-10"),
            ("outcome", "assess"),
        ])
        .await;
    world.request_health_advice("2026-03-02").await;
    let message = world
        .services
        .send_message(
            &world.parent,
            &world.reference,
            "Could we meet after school?",
        )
        .await
        .expect("message");
    world
        .services
        .reply(&world.manager, &world.reference, message, "Yes, at 4pm.")
        .await
        .expect("reply");
    world
        .record(&[("type", "draft_plan_issued"), ("date", "2026-03-02")])
        .await;

    let sent = world
        .services
        .deliver(&mailer(&sink))
        .await
        .expect("deliver");
    assert_eq!(sent, Delivery { sent: 5, failed: 0 });
    let received = sink.received();
    assert_no_personal_details(&received);
    let expected: BTreeMap<String, Vec<String>> = [
        (
            "Tandem: advice has been requested from your service",
            vec!["nurse.a@nhs.test", "nurse.b@nhs.test"],
        ),
        (
            "Tandem: you have a new message",
            vec!["cm@council.test", "parent@family.test"],
        ),
        (
            "Tandem: a draft plan is ready for your comments",
            vec!["parent@family.test"],
        ),
    ]
    .into_iter()
    .map(|(subject, to)| {
        (
            subject.to_owned(),
            to.into_iter().map(str::to_owned).collect(),
        )
    })
    .collect();
    assert_eq!(by_subject(&received), expected);
    for email in &received {
        let link = if email.subject.contains("advice") {
            format!("{PUBLIC_URL}/advice")
        } else {
            format!("{PUBLIC_URL}/cases/EHC-1")
        };
        assert!(email.body.contains(&link), "{link} not in {:?}", email.body);
    }
    let request = received
        .iter()
        .find(|e| e.subject.contains("advice"))
        .unwrap();
    assert!(
        request.body.contains("due by 13 April 2026"),
        "{}",
        request.body
    );
    let draft = received
        .iter()
        .find(|e| e.subject.contains("draft"))
        .unwrap();
    assert!(draft.body.contains("until 16 March 2026"), "{}", draft.body);

    // Nothing is sent twice: a second run finds nothing to send.
    let again = world
        .services
        .deliver(&mailer(&sink))
        .await
        .expect("deliver");
    assert_eq!(again, Delivery::default());
    assert_eq!(sink.received().len(), 5);
}

async fn reminders_go_once_however_often_the_run_finds_them(ctx: Ctx) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let mut world = world(&ctx.store).await;
    world.request_health_advice("2026-03-02").await;
    world.clock.set(at("2026-04-01"));
    world
        .record(&[("type", "draft_plan_issued"), ("date", "2026-04-01")])
        .await;
    let mailer = mailer(&sink);
    world.services.deliver(&mailer).await.expect("deliver");
    let notices = sink.received().len();

    // Advice due 13 April: reminded from 6 April. Comments end 15 April: reminded from 12 April.
    world.clock.set(at("2026-04-12"));
    let services = &world.services;
    assert_eq!(
        services.queue_reminders(date("2026-04-12")).await.unwrap(),
        3
    );
    assert_eq!(
        services.queue_reminders(date("2026-04-12")).await.unwrap(),
        0
    );
    assert_eq!(services.deliver(&mailer).await.unwrap().sent, 3);
    // The next day finds the same reminders, already sent.
    world.clock.set(at("2026-04-13"));
    assert_eq!(
        services.queue_reminders(date("2026-04-13")).await.unwrap(),
        0
    );
    assert_eq!(
        services.deliver(&mailer).await.unwrap(),
        Delivery::default()
    );

    let received = sink.received();
    let reminders = &received[notices..];
    assert_no_personal_details(reminders);
    assert_eq!(
        by_subject(reminders),
        BTreeMap::from([
            (
                "Tandem: 3 days left to comment on a draft plan".to_owned(),
                vec!["parent@family.test".to_owned()]
            ),
            (
                "Tandem: advice from your service is due in 1 week".to_owned(),
                vec!["nurse.a@nhs.test".to_owned(), "nurse.b@nhs.test".to_owned()]
            ),
        ])
    );
    let comment = reminders
        .iter()
        .find(|e| e.subject.contains("comment"))
        .unwrap();
    assert!(
        comment.body.contains("ends on 15 April 2026"),
        "{}",
        comment.body
    );
    assert!(comment.body.contains(&format!("{PUBLIC_URL}/cases/EHC-1")));

    // Once the advice is late, the service hears so, once.
    world.clock.set(at("2026-04-14"));
    assert_eq!(
        services.queue_reminders(date("2026-04-14")).await.unwrap(),
        2
    );
    assert_eq!(
        services.queue_reminders(date("2026-04-15")).await.unwrap(),
        0
    );
    assert_eq!(services.deliver(&mailer).await.unwrap().sent, 2);
    let overdue: Vec<Received> = sink
        .received()
        .into_iter()
        .filter(|e| e.subject == "Tandem: advice from your service is overdue")
        .collect();
    assert_eq!(overdue.len(), 2);
    assert!(overdue[0].body.contains("was due by 13 April 2026"));
}

async fn a_mail_server_that_is_down_delays_emails_until_it_is_back(ctx: Ctx) {
    let Some(mut sink) = SmtpSink::start() else {
        return;
    };
    let mut world = world(&ctx.store).await;
    let mailer = mailer(&sink);
    sink.stop();
    world.request_health_advice("2026-03-02").await;
    let services = &world.services;
    assert_eq!(
        services.deliver(&mailer).await.unwrap(),
        Delivery { sent: 0, failed: 2 }
    );

    let outbox = services.outbox(&world.admin).await.expect("outbox");
    assert_eq!(outbox.sent, 0);
    assert_eq!(outbox.unsent.len(), 2);
    for waiting in &outbox.unsent {
        assert_eq!(waiting.status, "failed");
        assert_eq!(waiting.attempts, 1);
        assert_eq!(
            waiting.last_error.as_deref(),
            Some("the mail server could not be reached")
        );
        assert_eq!(
            waiting.next_attempt_at,
            at("2026-03-02") + chrono::Duration::minutes(1)
        );
    }
    // Only administrators see the outbox.
    assert!(matches!(
        services.outbox(&world.manager).await,
        Err(ServiceError::Forbidden)
    ));

    // Back, but the emails wait for their next try; then each goes once.
    sink.restart();
    assert_eq!(
        services.deliver(&mailer).await.unwrap(),
        Delivery::default()
    );
    assert!(sink.received().is_empty());
    world
        .clock
        .set(at("2026-03-02") + chrono::Duration::minutes(2));
    assert_eq!(
        services.deliver(&mailer).await.unwrap(),
        Delivery { sent: 2, failed: 0 }
    );
    assert_eq!(
        services.deliver(&mailer).await.unwrap(),
        Delivery::default()
    );
    let mut to: Vec<String> = sink.received().into_iter().flat_map(|e| e.to).collect();
    to.sort();
    assert_eq!(to, ["nurse.a@nhs.test", "nurse.b@nhs.test"]);
    let outbox = services.outbox(&world.admin).await.expect("outbox");
    assert_eq!((outbox.unsent.len(), outbox.sent), (0, 2));
}
