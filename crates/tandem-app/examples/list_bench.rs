//! Times the first page of the case list filtered by status (overdue), as the caseload page asks
//! for it, over a database that already holds cases. Not a test: `scripts/bench` runs it in
//! release mode after `tandem generate` and `tandem user add`.
//!
//! ```sh
//! cargo run --release -p tandem-app --example list_bench -- sqlite://bench.db manager@bench.test
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark driver stops at the first failure"
)]

use std::time::{Duration, Instant};

use tandem_app::services::{Caller, Services};
use tandem_core::Actor;
use tandem_store::{CaseFilter, Page, Source, StatusFilter, Store};

const ROUNDS: usize = 200;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("a database URL");
    let email = args.next().expect("the email of a team manager");
    let store = Store::open(&url).await.expect("open the database");
    let user = store
        .users()
        .await
        .expect("read accounts")
        .into_iter()
        .find(|u| u.email == email)
        .expect("the account exists");
    let caller = Caller::new(
        Actor {
            id: user.id,
            role: user.role,
            team: user.team,
            provider: None,
        },
        Source::Form,
    );
    let services = Services::new(store.clone());
    let cases = store.count_cases().await.expect("count cases");
    let mut filter = CaseFilter::as_of(chrono::Utc::now().date_naive());
    filter.status = Some(StatusFilter::Overdue);

    let mut times: Vec<Duration> = Vec::with_capacity(ROUNDS);
    let mut total = 0;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let page = services
            .list_cases(&caller, &filter, Page::number(1, 50))
            .await
            .expect("list cases");
        times.push(started.elapsed());
        total = page.total;
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "first page of 50 overdue cases ({total} overdue of {cases}), {ROUNDS} rounds: \
         median {:.2} ms, p99 {:.2} ms",
        ms(times[ROUNDS / 2]),
        ms(times[ROUNDS * 99 / 100]),
    );
}
