//! `tandem remind` as a scheduler runs it: the real binary, a real SMTP server on loopback, and
//! two runs at once on one database, as two servers' daily runs would be. Every email arrives
//! exactly once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use chrono::Utc;
use serde_json::json;
use tandem_app::accounts::{self, NewAccount};
use tandem_app::services::{Caller, NewRequest, Services, Source};
use tandem_core::{Child, Reference, Role, dates};
use tandem_test_support::{SmtpSink, TempDatabase, date, event};

/// Cases with a request for health advice due in a week, so that each run has plenty to claim.
const CASES: usize = 12;

fn both_databases(test: fn(&TempDatabase)) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    test(&TempDatabase::sqlite());
    if let Some(postgres) = runtime.block_on(TempDatabase::postgres()) {
        test(&postgres);
        runtime.block_on(postgres.remove());
    }
}

/// Two members of the health service and `CASES` cases whose health advice, requested 35 days
/// before `today`, is due in a week. Recording each request queues one email per member.
async fn seed(url: &str, today: chrono::NaiveDate) {
    let store = tandem_store::Store::open(url).await.unwrap();
    store.migrate().await.unwrap();
    let mut ids = Vec::new();
    for (email, role, provider) in [
        ("cm@council.test", Role::CaseManager, None),
        (
            "nurse.a@nhs.test",
            Role::HealthProfessional,
            Some("Community paediatrics"),
        ),
        (
            "nurse.b@nhs.test",
            Role::HealthProfessional,
            Some("Community paediatrics"),
        ),
    ] {
        let account = NewAccount {
            email: email.into(),
            name: format!("Person {email}"),
            role,
            team: Some("north".into()).filter(|_| role == Role::CaseManager),
            provider: provider.map(str::to_owned),
            password: "a long enough password".into(),
        };
        ids.push(
            accounts::create_account(&store, None, account, Utc::now())
                .await
                .unwrap(),
        );
    }
    let manager = Caller::new(
        store.user(ids[0]).await.unwrap().unwrap().actor(),
        Source::Form,
    );
    let services = Services::new(store.clone());
    let requested = (today - chrono::Days::new(35)).to_string();
    for n in 1..=CASES {
        let reference = Reference::parse(&format!("EHC-{n}")).unwrap();
        let mut child = Child {
            date_of_birth: Some(date("2015-06-01")),
            ..Child::default()
        };
        child.other.insert("given_name".into(), json!("Sam"));
        child.other.insert("family_name".into(), json!("Example"));
        let opened = services
            .open_case(
                &manager,
                &NewRequest {
                    reference: Some(reference.clone()),
                    requested_by: None,
                    child,
                    received: today - chrono::Days::new(60),
                    case_manager: None,
                    same_child_as: None,
                    different_child: true,
                },
            )
            .await
            .unwrap();
        services
            .record_event(
                &manager,
                &reference,
                opened.version,
                &event(&[
                    ("type", "advice_requested"),
                    ("date", &requested),
                    ("advice", "health"),
                    ("provider", "Community paediatrics"),
                ]),
            )
            .await
            .unwrap();
    }
    store.close().await;
}

/// How many emails a run says it sent.
fn sent(said: &str) -> usize {
    said.lines()
        .find_map(|line| line.strip_suffix(" email(s) sent."))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of emails sent in {said}"))
}

#[test]
fn two_reminder_runs_at_once_send_each_email_once() {
    both_databases(|database| {
        let Some(sink) = SmtpSink::start() else {
            return;
        };
        let today = dates::england_date(Utc::now());
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(seed(&database.url, today));
        let day = today.to_string();
        let run = || {
            Command::new(env!("CARGO_BIN_EXE_tandem"))
                .args(["remind", "--database", &database.url, "--date", &day])
                .env("TANDEM_SMTP_URL", sink.url())
                .env("TANDEM_MAIL_FROM", "tandem@council.test")
                .env("TANDEM_PUBLIC_URL", "https://tandem.council.test")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("run tandem remind")
        };
        let (first, second) = (run(), run());
        let mut sent_by_runs = 0;
        for child in [first, second] {
            let output = child.wait_with_output().unwrap();
            let said = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(output.status.success(), "{said}");
            sent_by_runs += sent(&said);
        }
        // And once more the same day: nothing new to queue or send.
        let again = run().wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&again.stderr).into_owned();
        assert!(said.contains("0 reminder email(s) queued"), "{said}");
        assert!(said.contains("0 email(s) sent"), "{said}");

        let received = sink.received();
        // What the two runs say they sent is what arrived: neither counted an email twice.
        assert_eq!(sent_by_runs, received.len());
        // Per case and member: the request when it was recorded, and the reminder today.
        assert_eq!(received.len(), CASES * 2 * 2, "{received:#?}");
        let distinct: BTreeSet<(Vec<String>, String)> = received
            .iter()
            .map(|e| (e.to.clone(), e.body.clone()))
            .collect();
        assert_eq!(distinct.len(), received.len(), "an email went twice");
        let reminders: Vec<_> = received
            .iter()
            .filter(|e| e.subject == "Tandem: advice from your service is due in 1 week")
            .collect();
        assert_eq!(reminders.len(), CASES * 2);
        for email in reminders {
            assert!(!email.subject.contains("EHC-") && !email.body.contains("Sam"));
            assert!(email.body.contains("https://tandem.council.test/advice"));
        }
    });
}
