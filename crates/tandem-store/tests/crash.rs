//! Crash safety on SQLite: a writer process is killed with SIGKILL at random moments, many
//! times, and the database must still open, pass `PRAGMA integrity_check`, and hold each
//! transaction entirely or not at all.
//!
//! The writer is this test binary run again with `TANDEM_CRASH_DB` set (see `crash_writer`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use tandem_core::{CaseFile, Event, Reference};
use tandem_store::{
    Attribution, AuditEntry, AuditFilter, CaseFilter, NewCase, Page, Source, Store,
};
use tandem_test_support::Lcg;

const ROUNDS: u32 = 12;
const IMPORT_SIZE: usize = 100;

fn case(reference: &str) -> CaseFile {
    CaseFile {
        reference: Reference::parse(reference).expect("reference"),
        child: Default::default(),
        events: vec![
            event("request_received", "2026-01-05"),
            event("draft_plan_issued", "2026-04-20"),
            event("final_plan_issued", "2026-05-18"),
        ],
        request: Default::default(),
    }
}

fn event(kind: &str, date: &str) -> Event {
    Event::from_fields(&[("type", kind), ("date", date)][..]).expect("event")
}

/// The writer: opens cases, appends to them and imports batches, each in one transaction with
/// its audit entry, until it is killed.
#[test]
#[ignore = "run by kill_9_leaves_whole_transactions as a child process"]
fn crash_writer() {
    let Ok(path) = std::env::var("TANDEM_CRASH_DB") else {
        return;
    };
    let tag = std::env::var("TANDEM_CRASH_TAG").expect("tag");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let store = Store::open(&format!("sqlite://{path}"))
            .await
            .expect("open");
        store.migrate().await.expect("migrate");
        let by = Attribution::new(None, Source::Form);
        for i in 0.. {
            let reference = format!("W-{tag}-{i}");
            let mut tx = store.begin().await.expect("begin");
            let record = tx
                .open_case(&NewCase::new(case(&reference)), by)
                .await
                .expect("open case");
            tx.audit(&AuditEntry::new(None, "case.open").case(&record.reference))
                .await
                .expect("audit");
            tx.commit().await.expect("commit");
            if i == 0 {
                println!("ready");
            }

            // Append to an earlier case of this writer.
            let earlier = Reference::parse(&format!("W-{tag}-{}", i / 2)).expect("ref");
            let mut tx = store.begin().await.expect("begin");
            let stored = tx.require_case(&earlier).await.expect("case");
            tx.append_events(
                stored.record.id,
                stored.record.version,
                &[
                    event("review_meeting_held", "2027-04-01"),
                    event("plan_ceased", "2027-06-01"),
                ],
                by,
            )
            .await
            .expect("append");
            tx.audit(&AuditEntry::new(None, "case.record_event").case(&earlier))
                .await
                .expect("audit");
            tx.commit().await.expect("commit");

            if i % 5 == 0 {
                let cases: Vec<NewCase> = (0..IMPORT_SIZE)
                    .map(|k| NewCase::new(case(&format!("I-{tag}-{i}-{k}"))))
                    .collect();
                let mut tx = store.begin().await.expect("begin");
                tx.import_cases(cases.clone(), Attribution::new(None, Source::Import))
                    .await
                    .expect("import");
                tx.audit(
                    &AuditEntry::new(None, "import")
                        .detail(json!({ "batch": format!("{tag}-{i}") })),
                )
                .await
                .expect("audit");
                tx.commit().await.expect("commit");
            }
        }
    });
}

#[test]
fn kill_9_leaves_whole_transactions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("crash.db");
    let mut random = Lcg(u64::from(std::process::id()) ^ Utc::now().timestamp_micros() as u64);
    let exe = std::env::current_exe().expect("test binary");
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "crash_writer",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("TANDEM_CRASH_DB", &path)
            .env("TANDEM_CRASH_TAG", round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        // Wait until it has committed something, then let it run a random while.
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.contains("ready") => break,
                Some(_) => {}
                None => panic!("writer exited before it was ready (round {round})"),
            }
        }
        std::thread::sleep(Duration::from_millis(20 + random.below(400)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
    }

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = Store::open(&format!("sqlite://{}", path.display()))
            .await
            .expect("open after crashes");
        let pool = store.sqlite_pool().expect("sqlite");
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(pool)
            .await
            .expect("integrity check");
        assert_eq!(check, "ok");
        let fk: Vec<(String, i64)> =
            sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
                .fetch_all(pool)
                .await
                .expect("foreign key check");
        assert!(fk.is_empty(), "{fk:?}");

        let total = store.count_cases().await.expect("count");
        let listed = store
            .list_cases(
                &CaseFilter::as_of(tandem_core::dates::england_date(Utc::now())),
                Page::number(1, 1),
            )
            .await
            .expect("list");
        assert_eq!(listed.total, total, "every case has its projection row");

        let audit = store
            .audit_log(&AuditFilter {
                limit: Some(i64::MAX),
                ..Default::default()
            })
            .await
            .expect("audit");
        let mut audit_counts: HashMap<(String, String), i64> = HashMap::new();
        for row in &audit {
            let key = (
                row.action.clone(),
                row.case_reference.clone().unwrap_or_default(),
            );
            *audit_counts.entry(key).or_default() += 1;
        }

        let references: Vec<String> = sqlx::query_scalar("SELECT reference FROM cases")
            .fetch_all(pool)
            .await
            .expect("references");
        let mut import_groups: HashMap<String, usize> = HashMap::new();
        let mut writes = 0;
        for reference in &references {
            if let Some(rest) = reference.strip_prefix("I-") {
                let group = rest.rsplit_once('-').map(|(g, _)| g).unwrap_or(rest);
                *import_groups.entry(group.to_owned()).or_default() += 1;
                continue;
            }
            let stored = store
                .case(&Reference::parse(reference).expect("ref"))
                .await
                .expect("read")
                .expect("found");
            let appends = stored.record.version - 1;
            assert_eq!(
                stored.history.len() as i64,
                3 + 2 * appends,
                "{reference}: every append is whole"
            );
            assert!(stored.projection.is_some(), "{reference}: projection");
            let opened = audit_counts
                .get(&("case.open".to_owned(), reference.clone()))
                .copied()
                .unwrap_or(0);
            let recorded = audit_counts
                .get(&("case.record_event".to_owned(), reference.clone()))
                .copied()
                .unwrap_or(0);
            assert_eq!(
                (opened, recorded),
                (1, appends),
                "{reference}: one audit row per write"
            );
            writes += 1;
        }
        assert!(
            writes >= ROUNDS as usize,
            "each writer committed at least once"
        );
        for (group, count) in &import_groups {
            assert_eq!(*count, IMPORT_SIZE, "import {group} is all or nothing");
        }
        let import_audits = audit.iter().filter(|r| r.action == "import").count();
        assert_eq!(
            import_audits,
            import_groups.len(),
            "one audit row per import"
        );
        eprintln!(
            "after {ROUNDS} kills: {writes} written cases, {} whole imports, {} audit rows",
            import_groups.len(),
            audit.len()
        );
        store.close().await;
    });
}
