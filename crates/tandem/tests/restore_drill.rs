//! The restore drill (issue 14): `tandem backup` taken while writes run, restored into a fresh
//! database, gives back every case exactly as it stood at one moment. SQLite here; PostgreSQL's
//! `pg_dump`/`pg_restore` drill is `scripts/restore-drill-postgres` (docs/hardening.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tandem_app::generate::GenerateOptions;
use tandem_app::transfer::{self, Progress};
use tandem_core::{CaseFile, Event, Reference, timeline};
use tandem_store::{Attribution, Source, Store};
use tandem_test_support::TempDatabase;

struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: &str, _: Option<u64>) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

const CASES: usize = 120;
const AS_OF: &str = "2026-06-01";

/// Every case of `store` by reference: its version and its case file.
async fn cases(store: &Store) -> BTreeMap<Reference, (i64, CaseFile)> {
    let mut read = store.begin_snapshot().await.unwrap();
    let ids: Vec<_> = read
        .case_headers()
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    let files = read.versioned_case_files(&ids).await.unwrap();
    files
        .into_iter()
        .map(|(_, version, (case, _))| (case.reference.clone(), (version, case)))
        .collect()
}

/// Appends one request for advice to case `n % cases` after another until `stop`, counting the
/// writes acknowledged (committed).
async fn keep_writing(
    store: Store,
    references: Vec<Reference>,
    stop: Arc<AtomicBool>,
    acknowledged: Arc<AtomicU64>,
) {
    let mut n: u64 = 0;
    while !stop.load(Ordering::SeqCst) {
        let reference = &references[(n as usize) % references.len()];
        let mut tx = store.begin().await.unwrap();
        let case = tx.require_case(reference).await.unwrap();
        let id = format!("drill-{n}");
        let fields: &[(&str, &str)] = &[
            ("type", "advice_requested"),
            ("date", AS_OF),
            ("advice", "other"),
            ("id", &id),
        ];
        let event = Event::from_fields(fields).unwrap();
        tx.append_events(
            case.record.id,
            case.record.version,
            &[event],
            Attribution::new(None, Source::Import),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        acknowledged.fetch_add(1, Ordering::SeqCst);
        n += 1;
    }
}

fn backup(url: &str, path: &std::path::Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["backup", path.to_str().unwrap(), "--database", url])
        .output()
        .expect("run tandem backup");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_backup_taken_during_writes_restores_every_case_as_it_stood() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let database = TempDatabase::sqlite();
    let store = runtime.block_on(database.open());
    let options = GenerateOptions {
        cases: CASES,
        seed: 14,
        as_of: AS_OF.parse().unwrap(),
        case_managers: 1,
    };
    runtime
        .block_on(transfer::generate_into(&store, options, &mut Quiet))
        .unwrap();
    let before = runtime.block_on(cases(&store));
    let references: Vec<Reference> = before.keys().cloned().collect();

    // Writes run on the runtime while `tandem backup` copies the database from another process.
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(AtomicU64::new(0));
    let writer = runtime.spawn(keep_writing(
        store.clone(),
        references.clone(),
        stop.clone(),
        acknowledged.clone(),
    ));
    while acknowledged.load(Ordering::SeqCst) < 50 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let during = database.dir.path().join("during.db");
    backup(&database.url, &during);
    let at_backup = acknowledged.load(Ordering::SeqCst);
    while acknowledged.load(Ordering::SeqCst) < at_backup + 50 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    stop.store(true, Ordering::SeqCst);
    runtime.block_on(writer).unwrap();
    let written = acknowledged.load(Ordering::SeqCst);

    // Restoring a SQLite backup is opening (a copy of) the file as the database.
    let restored_path = database.dir.path().join("restored.db");
    std::fs::copy(&during, &restored_path).unwrap();
    let restored_url = format!("sqlite://{}", restored_path.display());
    let restored = runtime.block_on(async {
        let store = Store::open(&restored_url).await.unwrap();
        store.migrate().await.unwrap();
        store
    });
    let after = runtime.block_on(cases(&store));
    let copy = runtime.block_on(cases(&restored));
    assert_eq!(copy.len(), CASES, "every case is in the backup");
    let as_of = AS_OF.parse().unwrap();
    let mut in_copy = 0;
    for (reference, (version, case)) in &copy {
        let (final_version, original) = &after[reference];
        assert!(version <= final_version, "{reference}");
        // The copy holds a prefix of the case's history: the events up to some moment.
        let n = case.events.len();
        assert_eq!(case.events[..], original.events[..n], "{reference}");
        let as_it_stood = CaseFile {
            events: original.events[..n].to_vec(),
            ..original.clone()
        };
        assert_eq!(
            timeline::compute(case, as_of),
            timeline::compute(&as_it_stood, as_of),
            "{reference}"
        );
        in_copy += n - before[reference].1.events.len();
    }
    // Writes ran on both sides of the backup, and the backup holds those acknowledged before it
    // started, at least.
    let in_final: usize = after
        .iter()
        .map(|(r, (_, c))| c.events.len() - before[r].1.events.len())
        .sum();
    assert_eq!(in_final as u64, written, "every acknowledged write is kept");
    assert!(in_copy as u64 >= 50, "{in_copy} writes in the backup");
    assert!(
        (in_copy as u64) < written,
        "{in_copy} of {written}: writes went on after it"
    );

    // A backup taken once writes have stopped restores every timeline exactly.
    let quiet = database.dir.path().join("quiet.db");
    backup(&database.url, &quiet);
    let quiet_url = format!("sqlite://{}", quiet.display());
    let quiet_cases = runtime.block_on(async {
        let store = Store::open(&quiet_url).await.unwrap();
        cases(&store).await
    });
    assert_eq!(quiet_cases.len(), after.len());
    for (reference, (version, case)) in &quiet_cases {
        let (original_version, original) = &after[reference];
        assert_eq!(version, original_version, "{reference}");
        assert_eq!(
            timeline::compute(case, as_of),
            timeline::compute(original, as_of),
            "{reference}"
        );
    }
}
