//! Crash safety of `tandem import` itself: the command is killed with SIGKILL at random moments
//! while it writes, round after round, into one SQLite database. Afterwards the database must
//! open, pass `PRAGMA integrity_check` and the foreign key check, and hold each file's cases
//! either all or not at all, with an audit entry exactly for the imports that committed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tandem_core::Reference;
use tandem_store::{AuditFilter, Store};
use tandem_test_support::{Lcg, TempDatabase};

const ROUNDS: usize = 10;
const CASES_PER_FILE: usize = 1_500;

#[test]
fn kill_9_during_import_leaves_whole_imports() {
    let database = TempDatabase::sqlite();
    let dir = database.dir.path();
    // One generated file cut into rounds, so that every round brings its own references.
    let all = dir.join("all.jsonl");
    let generated = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args([
            "generate",
            "--cases",
            &(ROUNDS * CASES_PER_FILE).to_string(),
        ])
        .args(["--as-of", "2026-06-01", "--out"])
        .arg(&all)
        .output()
        .expect("generate");
    assert!(generated.status.success());
    let text = std::fs::read_to_string(&all).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let mut files = Vec::new();
    for (round, chunk) in lines.chunks(CASES_PER_FILE).enumerate() {
        let path = dir.join(format!("round-{round}.jsonl"));
        std::fs::write(&path, chunk.join("\n") + "\n").expect("write");
        let references: Vec<Reference> = chunk
            .iter()
            .map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).expect("json");
                Reference::parse(value["reference"].as_str().expect("reference"))
                    .expect("reference")
            })
            .collect();
        files.push((path, references));
    }

    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let mut random = Lcg(seed ^ u64::from(std::process::id()));
    let mut finished = 0;
    for (path, _) in &files {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
            .arg("import")
            .arg(path)
            .args(["--database", &database.url])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn import");
        std::thread::sleep(Duration::from_millis(random.below(900)));
        if child.try_wait().expect("poll").is_some() {
            finished += 1;
        }
        child.kill().ok(); // SIGKILL; harmless if it has already exited
        child.wait().expect("reap");
    }
    eprintln!("seed {seed}: {finished} of {ROUNDS} imports finished before their kill");

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = Store::open(&database.url).await.expect("open after kills");
        let pool = store.sqlite_pool().expect("sqlite");
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(pool)
            .await
            .expect("integrity check");
        assert_eq!(check, "ok");
        let broken: Vec<(String, i64)> =
            sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
                .fetch_all(pool)
                .await
                .expect("foreign key check");
        assert!(broken.is_empty(), "{broken:?}");

        let mut whole = 0;
        for (round, (_, references)) in files.iter().enumerate() {
            let mut tx = store.begin().await.expect("begin");
            let held = tx.existing_references(references).await.expect("lookup");
            tx.rollback().await.expect("rollback");
            assert!(
                held.is_empty() || held.len() == references.len(),
                "round {round} (seed {seed}): {} of {} cases held",
                held.len(),
                references.len()
            );
            whole += usize::from(!held.is_empty());
        }
        let imports = store
            .audit_log(&AuditFilter {
                action: Some("import".into()),
                ..AuditFilter::default()
            })
            .await
            .expect("audit");
        assert_eq!(imports.len(), whole, "one audit entry per committed import");
        let cases = store.count_cases().await.expect("count");
        assert_eq!(cases as usize, whole * CASES_PER_FILE);
        store.close().await;
    });

    // The database still takes an import after all that.
    let (last, _) = files.last().expect("a file");
    let output = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("import")
        .arg("--replace")
        .arg(last)
        .args(["--database", &database.url])
        .output()
        .expect("import");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
