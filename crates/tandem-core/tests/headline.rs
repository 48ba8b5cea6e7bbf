//! The headline tiles and the board report's summary on hand-built cases, each figure worked
//! out in the comments. March 2026 as at 15 April 2026, with a 24-month trend; final plans are
//! due 20 weeks (140 days) after the request.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use serde_json::json;
use support::date;
use tandem_core::dashboard::{Dashboard, DashboardSpec, Month};
use tandem_core::disclosure::SmallNumbers;
use tandem_core::headline::{summary, tiles};
use tandem_core::metrics::{FINAL_PLANS_EXCL, Period, Rate};
use tandem_core::targets::{EnglandFigure, Target, Targets};
use tandem_core::{CaseFile, timeline};

fn spec() -> DashboardSpec {
    DashboardSpec {
        period: Period {
            start: date("2026-03-01"),
            end: date("2026-03-31"),
        },
        as_of: date("2026-04-15"),
        trend_months: 24,
        draft_plan_weeks: 14,
    }
}

/// A final plan issued on `issued`, requested `days` days before (met when 140 or fewer), the
/// decision to assess 14 days after the request.
fn plan(reference: &str, issued: &str, days: u64) -> CaseFile {
    let issued = date(issued);
    let requested = issued - chrono::Days::new(days);
    let decided = requested + chrono::Days::new(14);
    CaseFile::from_value(json!({
        "reference": reference,
        "events": [
            { "type": "request_received", "date": requested.to_string() },
            { "type": "decision_to_assess", "date": decided.to_string(), "outcome": "assess" },
            { "type": "final_plan_issued", "date": issued.to_string() }
        ]
    }))
    .unwrap()
}

fn dashboard() -> Dashboard {
    let target = |from: &str, rate| Target {
        measure: FINAL_PLANS_EXCL.into(),
        from: date(from),
        rate,
    };
    let targets = Targets(vec![target("2025-01-01", 0.5), target("2026-06-01", 0.6)]);
    let mut d = Dashboard::new(spec(), targets);
    let cases = [
        // March 2025, late: 13 months back, outside the rolling 12 months.
        plan("A", "2025-03-20", 200),
        // October 2025: two on time.
        plan("B", "2025-10-10", 100),
        plan("C", "2025-10-20", 140),
        // February 2026: one on time, three late (25%).
        plan("D", "2026-02-10", 100),
        plan("E", "2026-02-11", 141),
        plan("F", "2026-02-12", 200),
        plan("G", "2026-02-13", 200),
        // March 2026: three on time, one late (75%).
        plan("H", "2026-03-10", 100),
        plan("I", "2026-03-11", 120),
        plan("J", "2026-03-12", 139),
        plan("K", "2026-03-13", 180),
    ];
    for case in &cases {
        let t = timeline::compute(case, spec().as_of);
        d.add(&t, &tandem_core::dashboard::CaseGroups::of(case, None));
    }
    d
}

fn rate(numerator: u64, denominator: u64) -> Rate {
    Rate {
        numerator,
        denominator,
    }
}

#[test]
fn a_tile_reads_this_month_the_rolling_year_the_target_and_england() {
    let d = dashboard();
    let england = [EnglandFigure {
        measure: FINAL_PLANS_EXCL.into(),
        label: "England, 2024".into(),
        rate: 0.464,
    }];
    let tiles = tiles(&d, &england);
    let measures: Vec<&str> = tiles.iter().map(|t| t.measure).collect();
    assert_eq!(
        measures,
        [
            FINAL_PLANS_EXCL,
            "decisions_to_assess_within_6_weeks",
            "advice_within_6_weeks.all",
            "review_meetings_on_time"
        ]
    );
    let plans = &tiles[0];
    assert_eq!(
        plans.month,
        Month {
            year: 2026,
            month: 3
        }
    );
    assert_eq!(plans.this_month, rate(3, 4));
    assert_eq!(plans.last_month, Some(rate(1, 4)));
    // April 2025 to March 2026: October's 2 of 2, February's 1 of 4 and March's 3 of 4; March
    // 2025 is left out.
    assert_eq!(plans.rolling, rate(6, 10));
    assert_eq!(plans.rolling_months, 12);
    assert_eq!(plans.change_points(), Some(50.0));
    assert_eq!(plans.target.unwrap().rate, 0.5);
    assert_eq!(plans.next_step.unwrap().from, date("2026-06-01"));
    assert_eq!(plans.on_track, Some(true));
    assert_eq!(plans.england.unwrap().rate, 0.464);
    // Decisions were all made months before: nothing counted this month, no change, no
    // judgement, and nothing to compare with England.
    let decisions = &tiles[1];
    assert_eq!(decisions.this_month, rate(0, 0));
    assert_eq!(decisions.change_points(), None);
    assert_eq!(decisions.on_track, None);
    assert_eq!(decisions.target, None);
    assert_eq!(decisions.england, None);
    // Every decision but A's (September 2024) was made from April 2025 on, each 14 days after
    // its request: 10 of 10 in the rolling year.
    assert_eq!(decisions.rolling, rate(10, 10));
}

#[test]
fn the_summary_says_what_improved_and_where_plans_were_held_up() {
    let s = summary(&dashboard(), SmallNumbers::SHOWN);
    assert_eq!(s.month, "March 2026");
    assert_eq!(
        s.improved,
        [
            "3 of 4 final plans issued within 20 weeks (exception cases left out): 75%, \
             against 25% in February 2026; on track for the target of 50%."
        ]
    );
    assert!(s.worsened.is_empty(), "{:?}", s.worsened);
    // A's plan (20 March 2025) was due its first annual review by 20 March 2026, and none is
    // recorded; with no review due in February there is nothing to compare it with. Nothing
    // else was counted in March, so nothing else is said.
    assert_eq!(
        s.steady,
        ["0 of 1 annual review meetings held on time: 0%."]
    );
    // March's one late plan (K), and no open assessment.
    assert_eq!(s.where_.len(), 1, "{:?}", s.where_);
    assert!(
        s.where_[0].starts_with("The one plan issued late was first held up at: "),
        "{:?}",
        s.where_
    );
}

#[test]
fn a_worse_month_is_a_worsened_sentence_and_off_track() {
    // February (1 of 4 on time) against January (1 of 1): worse, and off track (25% < 50%).
    let mut spec = spec();
    spec.period = Period {
        start: date("2026-02-01"),
        end: date("2026-02-28"),
    };
    spec.as_of = date("2026-02-28");
    let targets = Targets(vec![Target {
        measure: FINAL_PLANS_EXCL.into(),
        from: date("2025-01-01"),
        rate: 0.5,
    }]);
    let mut d = Dashboard::new(spec, targets);
    for case in [
        plan("L", "2026-01-10", 100),
        plan("M", "2026-02-10", 100),
        plan("N", "2026-02-11", 200),
        plan("O", "2026-02-12", 200),
        plan("P", "2026-02-13", 200),
    ] {
        let t = timeline::compute(&case, spec.as_of);
        d.add(&t, &tandem_core::dashboard::CaseGroups::of(&case, None));
    }
    let s = summary(&d, SmallNumbers::SHOWN);
    assert_eq!(
        s.worsened,
        [
            "1 of 4 final plans issued within 20 weeks (exception cases left out): 25%, \
             against 100% in January 2026; off track for the target of 50%."
        ]
    );
    assert!(s.improved.is_empty());
    assert_eq!(
        s.where_[0],
        "Of the 3 plans issued late, 3 were first held up at: drafting the plan."
    );
}

#[test]
fn weeks_taken_run_to_the_final_plan_or_to_the_as_of_date() {
    use tandem_core::dashboard::{CaseGroups, WeeksTaken};
    let as_of = spec().as_of;
    let taken = |case: &CaseFile| {
        WeeksTaken::of(&timeline::compute(case, as_of), CaseGroups::requested(case))
    };
    // Issued 100 days (14.3 weeks) after the request: in time.
    let h = taken(&plan("H", "2026-03-10", 100));
    assert_eq!(h.weeks, Some(100.0 / 7.0));
    assert!(!h.late);
    // Issued 180 days (25.7 weeks) after: late.
    let k = taken(&plan("K", "2026-03-13", 180));
    assert_eq!(k.weeks, Some(180.0 / 7.0));
    assert!(k.late);
    // Still open on 15 April 2026, 196 days (28 weeks) after a request of 1 October 2025: past
    // its 20 weeks.
    let open = CaseFile::from_value(json!({
        "reference": "Q",
        "events": [{ "type": "request_received", "date": "2025-10-01" }]
    }))
    .unwrap();
    let q = taken(&open);
    assert_eq!(q.weeks, Some(28.0));
    assert!(q.late);
}
