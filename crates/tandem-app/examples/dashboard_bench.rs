//! Times the dashboard over N generated cases, and prints the figures that tell the demo's
//! story. Not a test: run it in release mode, with `/usr/bin/time -v` for peak memory.
//!
//! ```sh
//! cargo run --release -p tandem-app --example dashboard_bench -- 1000000
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark driver stops at the first failure"
)]

use std::time::Instant;

use tandem_app::generate::{GenerateOptions, generate};
use tandem_app::reports;
use tandem_core::dashboard::{DashboardSpec, Month};
use tandem_core::metrics::{FINAL_PLANS_EXCL, Period};
use tandem_core::targets::LocalTargets;
use tandem_core::{Date, dates};

fn main() {
    let cases: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("the number of cases"))
        .unwrap_or(20_000);
    let as_of: Date = dates::parse_iso("2026-03-31").expect("a date");
    let local = LocalTargets::from_toml(include_str!("../../../examples/targets.toml"))
        .expect("the example targets parse");
    let period = Period {
        start: dates::parse_iso("2025-04-01").expect("a date"),
        end: as_of,
    };
    let spec = DashboardSpec::new(period, as_of, &local);
    let options = GenerateOptions {
        cases,
        seed: 2026,
        as_of,
        case_managers: 40,
    };
    let started = Instant::now();
    let stream = generate(&options).map(|g| (g.case, Some(format!("CM{:02}", g.case_manager))));
    let dashboard = reports::dashboard(stream, spec, local.targets);
    let elapsed = started.elapsed();
    println!(
        "{cases} cases generated and added up in {:.2} s ({:.1} µs a case)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / cases as f64
    );

    let percent = |r: Option<f64>| r.map_or("–".to_owned(), |r| format!("{:.1}%", r * 100.0));
    let headline = dashboard.reading(FINAL_PLANS_EXCL).expect("a rate");
    println!(
        "final plans within 20 weeks, {} to {}: {} ({} of {}), target {}, {}",
        period.start,
        period.end,
        percent(headline.rate.rate()),
        headline.rate.numerator,
        headline.rate.denominator,
        percent(headline.target.map(|t| t.rate)),
        match headline.on_track {
            Some(true) => "on track",
            Some(false) => "off track",
            None => "not judged",
        }
    );
    println!("by quarter of issue (final plans within 20 weeks; advice within 6 weeks):");
    let trend = dashboard.trend_of(FINAL_PLANS_EXCL).expect("a rate");
    let advice = dashboard
        .trend_of("advice_within_6_weeks.all")
        .expect("a rate");
    for (plans, advice) in trend.chunks(3).zip(advice.chunks(3)) {
        let sum = |months: &[(Month, tandem_core::dashboard::Reading)]| {
            months.iter().fold((0, 0), |(n, d), (_, r)| {
                (n + r.rate.numerator, d + r.rate.denominator)
            })
        };
        let share = |(n, d): (u64, u64)| (d > 0).then(|| n as f64 / d as f64);
        println!(
            "  {} to {}: {}; {}",
            plans[0].0.short_label(),
            plans[plans.len() - 1].0.short_label(),
            percent(share(sum(plans))),
            percent(share(sum(advice)))
        );
    }
    println!(
        "reasons for lateness ({} late plans):",
        dashboard.lateness.late_plans
    );
    for (step, count) in dashboard.lateness.ranked() {
        println!(
            "  {}: {count} ({:.0}%)",
            step.label(),
            100.0 * count as f64 / dashboard.lateness.late_plans as f64
        );
    }
    println!(
        "open assessments: {} (by 4-week bar: {:?})",
        dashboard.backlog.total(),
        dashboard.backlog.counts
    );
}
