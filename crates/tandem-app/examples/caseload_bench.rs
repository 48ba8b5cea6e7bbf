//! Times the caseload services over N generated cases in a SQLite database (or the database of
//! `TANDEM_DATABASE_URL`): a team manager's first caseload page with its counts, a filtered and
//! sorted page, a case manager's caseload, the team page and the backlog. Not a test: run it in
//! release mode.
//!
//! ```sh
//! cargo run --release -p tandem-app --example caseload_bench -- 20000
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark driver stops at the first failure"
)]

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use tandem_app::generate::GenerateOptions;
use tandem_app::services::{Caller, Services};
use tandem_app::transfer::{Progress, generate_into};
use tandem_core::caseload::open_stages;
use tandem_core::{Actor, Role, Stage};
use tandem_store::{CaseFilter, CaseSort, NewUser, Page, Source, StatusFilter, Store};

struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: &str, _: Option<u64>) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

async fn timed<T>(what: &str, run: impl std::future::Future<Output = T>) -> T {
    let started = Instant::now();
    let out = run.await;
    println!("{what}: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    out
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cases: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("the number of cases"))
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("TANDEM_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store = Store::open(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    let now = Utc.with_ymd_and_hms(2026, 3, 31, 12, 0, 0).unwrap();
    let as_of = tandem_core::dates::england_date(now);

    let mut tx = store.begin_at(now).await.expect("begin");
    let mut people = Vec::new();
    for n in 0..40 {
        let role = if n == 0 {
            Role::TeamManager
        } else {
            Role::CaseManager
        };
        let team = format!("team{}", n % 4);
        let id = tx
            .create_user(&NewUser {
                email: format!("staff{n}@bench.test"),
                name: format!("Staff {n:02}"),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                role,
                team: Some(team.clone()),
                provider: None,
            })
            .await
            .expect("user");
        people.push(Caller::new(
            Actor {
                id,
                role,
                team: Some(team),
                provider: None,
            },
            Source::Form,
        ));
    }
    tx.commit().await.expect("commit");
    let options = GenerateOptions {
        cases,
        seed: 2026,
        as_of,
        case_managers: 39,
    };
    timed(&format!("generate {cases} cases"), async {
        generate_into(&store, options, &mut Quiet)
            .await
            .expect("generate")
    })
    .await;

    let services = Services::with_clock(store.clone(), Arc::new(move || now));
    let (manager, case_manager) = (&people[0], &people[1]);
    let open = CaseFilter {
        stages: open_stages(),
        ..CaseFilter::as_of(as_of)
    };
    let page = Page::number(1, 50);
    let first = timed("caseload, manager, open cases by due date", async {
        services
            .caseload(manager, &open, CaseSort::Due, page)
            .await
            .expect("caseload")
    })
    .await;
    println!(
        "  {} open cases, {} overdue, {} due within 2 weeks",
        first.cases.total, first.overdue, first.due_soon
    );
    let filtered = CaseFilter {
        stages: vec![Stage::Assessing],
        status: Some(StatusFilter::DueSoon),
        ..open.clone()
    };
    timed(
        "caseload, manager, assessing and due soon, by name, page 3",
        async {
            services
                .caseload(manager, &filtered, CaseSort::Name, Page::number(3, 50))
                .await
                .expect("caseload")
        },
    )
    .await;
    let theirs = timed("caseload, case manager (own and team)", async {
        services
            .caseload(case_manager, &open, CaseSort::Due, page)
            .await
            .expect("caseload")
    })
    .await;
    println!("  {} cases", theirs.cases.total);
    timed("team page", async {
        services.team_caseloads(manager, as_of).await.expect("team")
    })
    .await;
    let backlog = timed("backlog, first page", async {
        services
            .backlog(manager, &CaseFilter::as_of(as_of), page)
            .await
            .expect("backlog")
    })
    .await;
    println!("  {} requests past 20 weeks", backlog.total);
}
