//! `tandem import`, `export`, `generate`, `metrics` (from the database) and `backup` end to end,
//! on SQLite and (when `TEST_DATABASE_URL` is set) on PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tandem_app::interchange::case_files;
use tandem_core::{CaseFile, Date, Role, timeline};
use tandem_store::NewUser;
use tandem_test_support::TempDatabase;

const AS_OF: &str = "2026-06-01";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("runtime")
}

/// Runs `check` with the URL of an empty SQLite database, then of an empty PostgreSQL one.
fn on_each_database(check: impl Fn(&str, &Path)) {
    let sqlite = TempDatabase::sqlite();
    check(&sqlite.url, sqlite.dir.path());
    let runtime = runtime();
    if let Some(postgres) = runtime.block_on(TempDatabase::postgres()) {
        check(&postgres.url, postgres.dir.path());
        runtime.block_on(postgres.remove());
    }
}

fn tandem(database: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .arg("--database")
        .arg(database)
        .output()
        .expect("run tandem")
}

fn ok(output: Output) -> Output {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Cases by reference, from a `.jsonl` file.
fn cases_in(path: &Path) -> BTreeMap<String, CaseFile> {
    let text = std::fs::read_to_string(path).expect("read");
    let outcome = case_files::read_jsonl(text.as_bytes());
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    outcome
        .cases
        .into_iter()
        .map(|c| (c.value.reference.to_string(), c.value))
        .collect()
}

fn exported(database: &str, dir: &Path, name: &str) -> BTreeMap<String, CaseFile> {
    let out = dir.join(name);
    ok(tandem(
        database,
        &["export", "--format", "case-files", "--out", path_text(&out)],
    ));
    cases_in(&out)
}

fn generated(dir: &Path, cases: usize, name: &str) -> PathBuf {
    let path = dir.join(name);
    let output = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["generate", "--cases", &cases.to_string(), "--seed", "7"])
        .args(["--as-of", AS_OF, "--out", path_text(&path)])
        .output()
        .expect("generate");
    ok(output);
    path
}

/// Each case's timeline as JSON, by reference.
fn timelines(cases: &BTreeMap<String, CaseFile>) -> BTreeMap<String, serde_json::Value> {
    let as_of: Date = AS_OF.parse().expect("date");
    cases
        .iter()
        .map(|(reference, case)| {
            let timeline = serde_json::to_value(timeline::compute(case, as_of)).expect("json");
            (reference.clone(), timeline)
        })
        .collect()
}

/// Timelines as JSON with every advice milestone's provider left out.
fn without_providers(
    mut timelines: BTreeMap<String, serde_json::Value>,
) -> BTreeMap<String, serde_json::Value> {
    for timeline in timelines.values_mut() {
        for milestone in timeline["milestones"].as_array_mut().expect("milestones") {
            milestone
                .as_object_mut()
                .expect("object")
                .remove("provider");
        }
    }
    timelines
}

#[test]
fn export_then_import_gives_the_same_cases_and_timelines() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let source = generated(scratch.path(), 150, "source.jsonl");
    let original = cases_in(&source);
    on_each_database(|database, dir| {
        ok(tandem(database, &["import", path_text(&source)]));
        let once = exported(database, dir, "once.jsonl");
        assert_eq!(once, original, "the database gives back what it was given");
        let csv = dir.join("events.csv");
        ok(tandem(
            database,
            &["export", "--format", "events-csv", "--out", path_text(&csv)],
        ));

        // Into empty SQLite databases: the case files give the same cases; the events CSV
        // (which carries no child details) gives the same timelines.
        let again = TempDatabase::sqlite();
        ok(tandem(
            &again.url,
            &["import", path_text(&dir.join("once.jsonl"))],
        ));
        assert_eq!(
            exported(&again.url, again.dir.path(), "twice.jsonl"),
            original
        );
        let from_csv = TempDatabase::sqlite();
        ok(tandem(&from_csv.url, &["import", path_text(&csv)]));
        let events_only = exported(&from_csv.url, from_csv.dir.path(), "csv.jsonl");
        // The events CSV keeps to the contract's columns, so the advice providers (an addition
        // of Tandem's) travel in case files only.
        assert_eq!(
            timelines(&events_only),
            without_providers(timelines(&original))
        );
    });
}

#[test]
fn metrics_from_the_database_match_metrics_from_the_file() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let source = generated(scratch.path(), 120, "source.jsonl");
    on_each_database(|database, _| {
        ok(tandem(database, &["import", path_text(&source)]));
        let args = ["metrics", "--as-of", AS_OF];
        let from_database = ok(tandem(database, &args)).stdout;
        let from_file = ok(Command::new(env!("CARGO_BIN_EXE_tandem"))
            .args(args)
            .args(["--from", path_text(&source)])
            .output()
            .expect("metrics"))
        .stdout;
        assert_eq!(
            String::from_utf8_lossy(&from_database),
            String::from_utf8_lossy(&from_file)
        );
    });
}

#[test]
fn import_is_all_or_nothing_and_names_every_problem() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let good = generated(scratch.path(), 5, "good.jsonl");
    let mut text = std::fs::read_to_string(&good).expect("read");
    text.push_str("{\"reference\": \"BAD-1\", \"events\": [{\"type\": \"draft_plan_issued\"}]}\n");
    text.push_str("not json\n");
    let bad = scratch.path().join("bad.jsonl");
    std::fs::write(&bad, text).expect("write");
    on_each_database(|database, dir| {
        let refused = tandem(database, &["import", path_text(&good), path_text(&bad)]);
        assert_eq!(refused.status.code(), Some(1));
        let problems = stderr(&refused);
        let bad_name = path_text(&bad);
        assert!(
            problems.contains(&format!("{bad_name}:6: events[0]")),
            "{problems}"
        );
        assert!(problems.contains(&format!("{bad_name}:7: ")), "{problems}");
        // The same five cases are in both files.
        let first = cases_in(&good).into_keys().next().expect("a case");
        assert!(
            problems.contains(&format!(
                "{bad_name}:1: reference {first} is also used at {}:1",
                path_text(&good)
            )),
            "{problems}"
        );
        assert!(
            exported(database, dir, "none.jsonl").is_empty(),
            "nothing written"
        );

        let dry = ok(tandem(database, &["import", "--dry-run", path_text(&good)]));
        assert!(
            stderr(&dry).contains("Would import 5 case(s)"),
            "{}",
            stderr(&dry)
        );
        assert!(exported(database, dir, "still-none.jsonl").is_empty());

        ok(tandem(database, &["import", path_text(&good)]));
        let again = tandem(database, &["import", path_text(&good)]);
        assert_eq!(again.status.code(), Some(1));
        assert!(stderr(&again).contains("already held (use --replace"));
        let replaced = ok(tandem(database, &["import", "--replace", path_text(&good)]));
        assert!(
            stderr(&replaced).contains("replacing 5"),
            "{}",
            stderr(&replaced)
        );
        assert_eq!(exported(database, dir, "five.jsonl"), cases_in(&good));
    });
}

/// The rows of an events CSV dealt out round-robin: every case's first row, then every case's
/// second row and so on, so that no case's rows are adjacent (each case's rows keep their order).
fn scattered(csv: &str) -> String {
    let mut lines = csv.lines();
    let header = lines.next().expect("header");
    let mut cases: Vec<Vec<&str>> = Vec::new();
    let mut last = "";
    for line in lines {
        let reference = line.split(',').next().expect("reference");
        if reference != last || cases.is_empty() {
            cases.push(Vec::new());
            last = reference;
        }
        cases.last_mut().expect("a case").push(line);
    }
    let longest = cases.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = format!("{header}\n");
    for row in 0..longest {
        for case in &cases {
            if let Some(line) = case.get(row) {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn an_events_csv_imports_the_same_whether_its_cases_rows_are_adjacent_or_scattered() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let grouped = generated(scratch.path(), 60, "grouped.csv");
    let text = std::fs::read_to_string(&grouped).expect("read");
    let scattered_path = scratch.path().join("scattered.csv");
    std::fs::write(&scattered_path, scattered(&text)).expect("write");
    let first = TempDatabase::sqlite();
    let imported = ok(tandem(&first.url, &["import", path_text(&grouped)]));
    assert!(
        stderr(&imported).contains("Imported 60 case(s)"),
        "{}",
        stderr(&imported)
    );
    let from_grouped = exported(&first.url, first.dir.path(), "grouped.jsonl");
    assert_eq!(from_grouped.len(), 60);
    let second = TempDatabase::sqlite();
    ok(tandem(&second.url, &["import", path_text(&scattered_path)]));
    assert_eq!(
        exported(&second.url, second.dir.path(), "scattered.jsonl"),
        from_grouped
    );

    // The streamed file is still all or nothing: a bad last row refuses the whole file.
    let bad = scratch.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("{text}ZZ-9,request_received,2026-02-30,,,,,,,,\n"),
    )
    .expect("write");
    let empty = TempDatabase::sqlite();
    let refused = tandem(&empty.url, &["import", path_text(&bad)]);
    assert_eq!(refused.status.code(), Some(1));
    let line = text.lines().count() + 1;
    assert!(
        stderr(&refused).contains(&format!("{}:{line}: ", path_text(&bad))),
        "{}",
        stderr(&refused)
    );
    assert!(exported(&empty.url, empty.dir.path(), "none.jsonl").is_empty());

    // Streamed cases replace held ones on request, and only then.
    let again = tandem(&first.url, &["import", path_text(&grouped)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already held (use --replace"));
    let replaced = ok(tandem(
        &first.url,
        &["import", "--replace", path_text(&grouped)],
    ));
    assert!(
        stderr(&replaced).contains("replacing 60"),
        "{}",
        stderr(&replaced)
    );
    assert_eq!(
        exported(&first.url, first.dir.path(), "replaced.jsonl"),
        from_grouped
    );
}

const TRACKER_HEADER: &str = "reference,given_name,family_name,date_of_birth,request_received,decision_date,decision,education_advice_requested,education_advice_received,health_advice_requested,health_advice_received,social_care_advice_requested,social_care_advice_received,draft_issued,final_issued,case_manager";

#[test]
fn a_tracker_is_cleansed_and_skip_invalid_hands_back_the_bad_rows() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let tracker = scratch.path().join("tracker.csv");
    let rows = [
        "T-1,Sam,Example,12/03/2015,2026-01-05,10/02/2026,yes,,,,,,,,,ann@council.test",
        "T-2,Alex,Example,31/02/2015,2026-01-05,,,,,,,,,,,",
        "T-3,Kit,Example,2015-01-01,2026-03-01,2026-02-01,assess,,,,,,,,,",
        "T-1,Robin,Example,2015-01-01,2026-01-05,,,,,,,,,,,",
        "T-5,Jo,Example,2015-01-01,2026-01-05,,,,,,,,,,,nobody@council.test",
        "T-6,Lee,Example,2015-01-01,2026-01-05,,,,,,,,,,,",
    ];
    std::fs::write(&tracker, format!("{TRACKER_HEADER}\n{}\n", rows.join("\n"))).expect("write");
    let name = path_text(&tracker);
    on_each_database(|database, dir| {
        let runtime = runtime();
        let ann = runtime.block_on(async {
            let store = tandem_store::Store::open(database).await.expect("open");
            store.migrate().await.expect("migrate");
            let mut tx = store.begin().await.expect("begin");
            let id = tx
                .create_user(&NewUser {
                    email: "ann@council.test".into(),
                    name: "Ann".into(),
                    password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                    role: Role::CaseManager,
                    team: Some("north".into()),
                    provider: None,
                })
                .await
                .expect("user");
            tx.commit().await.expect("commit");
            store.close().await;
            id
        });
        let refused = tandem(database, &["import", "--format", "tracker", name]);
        assert_eq!(refused.status.code(), Some(1));
        let problems = stderr(&refused);
        for line in [3, 4, 5, 6] {
            assert!(problems.contains(&format!("{name}:{line}: ")), "{problems}");
        }
        assert!(!problems.contains(&format!("{name}:2: ")), "{problems}");
        assert!(!problems.contains(&format!("{name}:7: ")), "{problems}");
        assert!(exported(database, dir, "none.jsonl").is_empty());

        let skipped = ok(tandem(
            database,
            &["import", "--format", "tracker", "--skip-invalid", name],
        ));
        assert!(
            stderr(&skipped).contains("Imported 2 case(s)"),
            "{}",
            stderr(&skipped)
        );
        let rejected_path = tracker.with_extension("rejected.csv");
        let rejected = std::fs::read_to_string(&rejected_path).expect("rejected rows");
        assert_eq!(rejected.lines().count(), 1 + 4, "{rejected}");
        assert!(rejected.lines().next().unwrap().ends_with(",problems"));
        std::fs::remove_file(&rejected_path).expect("tidy");

        let held = exported(database, dir, "two.jsonl");
        assert_eq!(held.keys().collect::<Vec<_>>(), ["T-1", "T-6"]);
        let store = runtime.block_on(async {
            let store = tandem_store::Store::open(database).await.expect("open");
            let case = store
                .case(&tandem_core::Reference::parse("T-1").expect("reference"))
                .await
                .expect("read")
                .expect("case");
            store.close().await;
            case
        });
        assert_eq!(store.record.case_manager, Some(ann));
        assert_eq!(store.record.team.as_deref(), Some("north"));
    });
}

#[test]
fn usage_and_refusals_have_their_exit_codes() {
    let database = TempDatabase::sqlite();
    let scratch = tempfile::tempdir().expect("temp dir");
    let source = generated(scratch.path(), 3, "three.jsonl");
    let usage = tandem(
        &database.url,
        &["import", "--skip-invalid", path_text(&source)],
    );
    assert_eq!(usage.status.code(), Some(2), "{}", stderr(&usage));
    let unknown = tandem(
        &database.url,
        &["import", path_text(&scratch.path().join("x.txt"))],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("use a .json, .jsonl or .csv file"));
    let scheme = tandem("mysql://localhost/tandem", &["migrate"]);
    assert_eq!(scheme.status.code(), Some(1));
    assert!(stderr(&scheme).contains("unsupported database URL scheme"));
    let bad_out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["generate", "--cases", "1", "--out"])
        .arg(scratch.path().join("cases.txt"))
        .output()
        .expect("generate");
    assert_eq!(bad_out.status.code(), Some(1));
}

#[test]
fn backup_copies_sqlite_and_explains_pg_dump() {
    let database = TempDatabase::sqlite();
    let scratch = tempfile::tempdir().expect("temp dir");
    let source = generated(scratch.path(), 20, "twenty.jsonl");
    ok(tandem(&database.url, &["import", path_text(&source)]));
    let copy = scratch.path().join("backups/copy.db");
    ok(tandem(&database.url, &["backup", path_text(&copy)]));
    let copy_url = format!("sqlite://{}", copy.display());
    assert_eq!(
        exported(&copy_url, scratch.path(), "copy.jsonl"),
        cases_in(&source)
    );
    let twice = tandem(&database.url, &["backup", path_text(&copy)]);
    assert_eq!(twice.status.code(), Some(1), "never overwrites");

    let runtime = runtime();
    if let Some(postgres) = runtime.block_on(TempDatabase::postgres()) {
        let refused = tandem(
            &postgres.url,
            &["backup", path_text(&scratch.path().join("pg"))],
        );
        assert_eq!(refused.status.code(), Some(1));
        assert!(stderr(&refused).contains("pg_dump"));
        runtime.block_on(postgres.remove());
    }
}

#[test]
fn an_improvement_plan_is_imported_once_exported_and_replaced_on_request() {
    on_each_database(|database, dir| {
        let example = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/improvement-plan.csv"
        );
        // Problems name the file and line, and nothing is kept.
        let bad = dir.join("bad-plan.csv");
        std::fs::write(&bad, "priority,objective,item,text\nP,O,wish,Do it\n").unwrap();
        let refused = tandem(database, &["improvement-plan", "import", path_text(&bad)]);
        assert_eq!(refused.status.code(), Some(1));
        assert!(
            stderr(&refused).starts_with(&format!("{}:2: item must be", bad.display())),
            "{}",
            stderr(&refused)
        );
        let empty = ok(tandem(database, &["improvement-plan", "export"]));
        assert_eq!(
            String::from_utf8_lossy(&empty.stdout).lines().count(),
            1,
            "the header only"
        );

        ok(tandem(database, &["improvement-plan", "import", example]));
        // A second import would lose the plan's history: refused without --replace.
        let again = tandem(database, &["improvement-plan", "import", example]);
        assert_eq!(again.status.code(), Some(1));
        assert!(stderr(&again).contains("--replace"), "{}", stderr(&again));

        // Exported as XLSX, the workbook imports back (replacing) as the same plan.
        let workbook = dir.join("plan.xlsx");
        ok(tandem(
            database,
            &[
                "improvement-plan",
                "export",
                "--format",
                "xlsx",
                "--out",
                path_text(&workbook),
            ],
        ));
        ok(tandem(
            database,
            &[
                "improvement-plan",
                "import",
                "--replace",
                path_text(&workbook),
            ],
        ));
        let csv = ok(tandem(database, &["improvement-plan", "export"]));
        let exported = tandem_app::interchange::improvement_plan::read(csv.stdout.as_slice())
            .expect("the export reads back");
        let original = tandem_app::interchange::improvement_plan::read(
            std::fs::read(example).unwrap().as_slice(),
        )
        .unwrap();
        assert_eq!(exported, original);
    });
}

/// The statutory returns from the database: refused while data problems remain, written with
/// the problems report beside them when allowed; both formats, on both databases.
#[test]
fn statutory_returns_are_refused_with_problems_unless_allowed() {
    on_each_database(|database, dir| {
        ok(tandem(database, &["migrate"]));
        let generate = [
            "generate",
            "--cases",
            "1500",
            "--seed",
            "9",
            "--as-of",
            "2026-12-01",
        ];
        ok(tandem(database, &generate));
        let sen2 = dir.join("sen2.xml");
        let args = |format: &str, out: &Path, extra: &[&str]| -> Output {
            let mut all = vec!["export", "--format", format, "--out", path_text(out)];
            all.extend(["--la", "212", "--today", "2026-12-01"]);
            all.extend(extra);
            tandem(database, &all)
        };
        // The generator planted missing UPNs and impossible dates: refused, nothing written.
        let refused = args("sen2", &sen2, &[]);
        assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
        assert!(stderr(&refused).contains("No UPN or ULN, and no reason (upn-missing)"));
        assert!(!sen2.exists());
        // Allowed: the return, a CSV per module and the report.
        let written = ok(args("sen2", &sen2, &["--allow-invalid"]));
        assert!(stderr(&written).contains("2027 collection (census 2027-01-21)"));
        let xml = std::fs::read_to_string(&sen2).unwrap();
        assert!(xml.contains("<ReferenceDate>2027-01-21</ReferenceDate>"));
        for module in [
            "person",
            "requests",
            "assessment",
            "namedplan",
            "plandetail",
            "activeplans",
            "placementdetail",
            "senneed",
            "problems",
        ] {
            assert!(dir.join(format!("sen2-{module}.csv")).exists(), "{module}");
        }
        let report = std::fs::read_to_string(dir.join("sen2-problems.csv")).unwrap();
        assert!(report.starts_with("reference,rule,severity,basis,problem,detail,what to do"));
        // Besides the planted problems, only the timeliness flags, which are for information.
        assert!(
            report
                .lines()
                .skip(1)
                .filter(|l| !l.contains(",info,"))
                .all(|l| l.contains(",upn-missing,") || l.contains(",placement-dates,"))
        );
        assert!(report.contains(",late-plan,info,SEN2 A-07,"));
        let annex = dir.join("annex-a.xlsx");
        assert_eq!(args("annex-a", &annex, &[]).status.code(), Some(1));
        ok(args("annex-a", &annex, &["--allow-invalid"]));
        assert!(std::fs::read(&annex).unwrap().starts_with(b"PK"));
        assert!(dir.join("annex-a-list-1.csv").exists() && dir.join("annex-a-list-2.csv").exists());
        // Usage: the other files need --out; SEN2 needs the LA.
        let no_out = tandem(database, &["export", "--format", "sen2", "--la", "212"]);
        assert_eq!(no_out.status.code(), Some(2));
        let no_la = tandem(
            database,
            &["export", "--format", "sen2", "--out", path_text(&sen2)],
        );
        assert_eq!(no_la.status.code(), Some(2));
    });
}
