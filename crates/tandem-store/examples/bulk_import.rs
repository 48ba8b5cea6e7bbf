//! Rough timing of the bulk paths on SQLite (a benchmark aid, not a test):
//! `cargo run --release -p tandem-store --example bulk_import -- 1000000`
//! imports about that many events (worked-example cases of 6 events), lists the first page of
//! overdue cases, and streams everything back out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark driver stops at the first failure"
)]

use std::time::Instant;

use futures_util::TryStreamExt;
use tandem_core::{CaseFile, Reference};
use tandem_store::{Attribution, CaseFilter, NewCase, Page, Source, StatusFilter, Store};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let events: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let template = CaseFile::from_json(include_str!("../../../examples/worked-example.json"))?;
    let cases: Vec<NewCase> = (0..events.div_ceil(template.events.len()))
        .map(|i| {
            let mut case = template.clone();
            case.reference = Reference::parse(&format!("EHC-BENCH-{i:07}"))?;
            // Vary the shape so that statuses differ.
            case.events.truncate(1 + i % template.events.len());
            Ok(NewCase::new(case))
        })
        .collect::<Result<_, Box<dyn std::error::Error>>>()?;
    let total_events: usize = cases.iter().map(|c| c.case.events.len()).sum();

    let dir = tempfile::tempdir()?;
    let store = Store::open(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await?;
    store.migrate().await?;

    let start = Instant::now();
    let mut tx = store.begin().await?;
    let summary = tx
        .import_cases(cases.clone(), Attribution::new(None, Source::Import))
        .await?;
    tx.commit().await?;
    let took = start.elapsed();
    eprintln!(
        "import: {} cases, {} events ({total_events} expected) in {took:.2?} ({:.0} events/s)",
        summary.cases,
        summary.events,
        summary.events as f64 / took.as_secs_f64()
    );

    let start = Instant::now();
    let filter = CaseFilter {
        status: Some(StatusFilter::Overdue),
        ..CaseFilter::as_of(tandem_core::dates::england_date(chrono::Utc::now()))
    };
    let page = store.list_cases(&filter, Page::number(1, 25)).await?;
    eprintln!(
        "first page of overdue cases: {} of {} in {:.2?}",
        page.cases.len(),
        page.total,
        start.elapsed()
    );

    let start = Instant::now();
    let streamed = store
        .case_files()
        .try_fold(0usize, |n, case| async move { Ok(n + case.events.len()) })
        .await?;
    eprintln!("streamed {streamed} events back in {:.2?}", start.elapsed());
    store.close().await;
    Ok(())
}
