//! Measures on a hand-built set of cases, each answer worked out in the comments
//! (contracts/metrics.md). Period: calendar 2026; as of 1 March 2027.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use serde_json::{Value, json};
use support::{case, date};
use tandem_core::metrics::{Metrics, Period};

fn cases() -> Vec<Value> {
    vec![
        // A: decision 10 Feb (due 16 Feb, met); health advice met; final 18 May, 133 days = 19 weeks (met).
        json!([
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
            { "type": "advice_requested", "date": "2026-02-11", "advice": "health" },
            { "type": "advice_received", "date": "2026-03-20", "advice": "health" },
            { "type": "draft_plan_issued", "date": "2026-04-20" },
            { "type": "final_plan_issued", "date": "2026-05-18" }
        ]),
        // B: decision 20 Mar (due 16 Mar, late); health late, education met; a qualifying absence
        // disapplies the 20-week limit; final 20 Jul (168 days, late): in the "including" rate only.
        json!([
            { "type": "request_received", "date": "2026-02-02" },
            { "type": "decision_to_assess", "date": "2026-03-20", "outcome": "assess" },
            { "type": "advice_requested", "date": "2026-03-23", "advice": "health" },
            { "type": "advice_requested", "date": "2026-03-23", "advice": "education" },
            { "type": "advice_received", "date": "2026-04-20", "advice": "education" },
            { "type": "advice_received", "date": "2026-06-15", "advice": "health" },
            { "type": "exception", "kind": "absent_from_area", "from": "2026-05-01", "to": "2026-06-05" },
            { "type": "draft_plan_issued", "date": "2026-06-29" },
            { "type": "final_plan_issued", "date": "2026-07-20" }
        ]),
        // C: requested in 2025; final 1 Jul 2026 after 394 days (late, over 52 weeks); its decision
        // (2025) is outside the period.
        json!([
            { "type": "request_received", "date": "2025-06-02" },
            { "type": "decision_to_assess", "date": "2025-07-01", "outcome": "assess" },
            { "type": "draft_plan_issued", "date": "2026-06-01" },
            { "type": "final_plan_issued", "date": "2026-07-01" }
        ]),
        // D: decision met; no final plan, due 19 Jan 2027: open and overdue on 1 Mar 2027.
        json!([
            { "type": "request_received", "date": "2026-09-01" },
            { "type": "decision_to_assess", "date": "2026-10-01", "outcome": "assess" }
        ]),
        // E: request 15 Dec 2025; not_assess on 26 Jan 2026, the last day (met); not overdue.
        json!([
            { "type": "request_received", "date": "2025-12-15" },
            { "type": "decision_to_assess", "date": "2026-01-26", "outcome": "not_assess" }
        ]),
        // F: all in 2024: contributes nothing but the case count.
        json!([
            { "type": "request_received", "date": "2024-11-01" },
            { "type": "decision_to_assess", "date": "2024-12-31", "outcome": "not_assess" }
        ]),
        // G: plan of 10 Jan 2025; review:1 due 9 Jan 2026 (in the period), met on 5 Jan; decision
        // due 2 Feb, made 10 Feb (late); amendments sent 10 Feb, amended plan due 7 Apr, issued
        // 20 Apr (late). review:2 is due in 2027: outside the period.
        json!([
            { "type": "draft_plan_issued", "date": "2024-12-01" },
            { "type": "final_plan_issued", "date": "2025-01-10" },
            { "type": "review_meeting_held", "date": "2026-01-05" },
            { "type": "review_decision", "date": "2026-02-10", "outcome": "amend" },
            { "type": "amendment_notice_issued", "date": "2026-02-10" },
            { "type": "amended_plan_issued", "date": "2026-04-20" }
        ]),
    ]
}

fn measure(period: Period, as_of: &str) -> Value {
    let mut metrics = Metrics::new(period, date(as_of));
    for events in cases() {
        metrics.add_case(&case(events));
    }
    metrics.to_json()
}

fn rate(numerator: u64, denominator: u64) -> Value {
    let rate = (denominator > 0).then(|| numerator as f64 / denominator as f64);
    json!({ "numerator": numerator, "denominator": denominator, "rate": rate })
}

#[test]
fn every_measure_on_a_hand_built_set() {
    let as_of = date("2027-03-01");
    let period = Period::last_complete_year(as_of);
    assert_eq!(
        (period.start, period.end),
        (date("2026-01-01"), date("2026-12-31"))
    );
    let m = measure(period, "2027-03-01");
    assert_eq!(m["period_start"], "2026-01-01");
    assert_eq!(m["period_end"], "2026-12-31");
    assert_eq!(m["as_of"], "2027-03-01");
    assert_eq!(m["cases"], 7);
    // Headline: A met, C late; B's exception takes it out of both numerator and denominator.
    assert_eq!(m["final_plans_within_20_weeks_excl_exceptions"], rate(1, 2));
    assert_eq!(m["final_plans_within_20_weeks_incl_exceptions"], rate(1, 3));
    assert_eq!(m["final_plans_issued"], 3);
    // (133 + 394) / 2 / 7 = 37.64… → 37.6
    assert_eq!(m["weeks_to_issue_mean_excl_exceptions"], 37.6);
    assert_eq!(m["final_plans_over_52_weeks"], 1);
    // A met, B late, D met, E met on its last day.
    assert_eq!(m["decisions_to_assess_within_6_weeks"], rate(3, 4));
    let advice = &m["advice_within_6_weeks"];
    assert_eq!(advice["health"], rate(1, 2));
    assert_eq!(advice["education"], rate(1, 1));
    assert_eq!(advice["social_care"], rate(0, 0));
    assert_eq!(advice["all"], rate(2, 3));
    assert_eq!(m["review_meetings_on_time"], rate(1, 1));
    assert_eq!(m["review_decisions_within_4_weeks"], rate(0, 1));
    assert_eq!(m["amended_plans_within_8_weeks"], rate(0, 1));
    assert_eq!(m["open_assessments_overdue"], 1);
}

#[test]
fn measures_added_up_in_shares_and_merged_are_the_measures_of_the_whole() {
    let as_of = date("2027-03-01");
    let period = Period::last_complete_year(as_of);
    let whole = measure(period, "2027-03-01");
    // Every way of dealing the cases out between two threads gives the same answer.
    let all = cases();
    for split in 0..=all.len() {
        let (mut left, mut right) = (Metrics::new(period, as_of), Metrics::new(period, as_of));
        for (i, events) in all.iter().enumerate() {
            let share = if i % 2 == 0 && i < split * 2 {
                &mut left
            } else {
                &mut right
            };
            share.add_case(&case(events.clone()));
        }
        left.merge(&right);
        assert_eq!(left.to_json(), whole, "split {split}");
    }
}

#[test]
fn period_bounds_are_inclusive() {
    // Only 18 May 2026: A's final plan is counted; C's (1 July) is not.
    let day = Period {
        start: date("2026-05-18"),
        end: date("2026-05-18"),
    };
    let m = measure(day, "2027-03-01");
    assert_eq!(m["final_plans_within_20_weeks_incl_exceptions"], rate(1, 1));
    // 26 January 2026 is E's decision day: counted at both ends of the period.
    for period in [
        Period {
            start: date("2026-01-26"),
            end: date("2026-02-01"),
        },
        Period {
            start: date("2026-01-01"),
            end: date("2026-01-26"),
        },
    ] {
        assert_eq!(
            measure(period, "2027-03-01")["decisions_to_assess_within_6_weeks"],
            rate(1, 1)
        );
    }
}

#[test]
fn an_empty_period_has_null_rates() {
    let m = measure(
        Period {
            start: date("2030-01-01"),
            end: date("2030-12-31"),
        },
        "2031-01-01",
    );
    assert_eq!(m["final_plans_within_20_weeks_excl_exceptions"], rate(0, 0));
    assert_eq!(
        m["final_plans_within_20_weeks_excl_exceptions"]["rate"],
        Value::Null
    );
    assert_eq!(m["weeks_to_issue_mean_excl_exceptions"], Value::Null);
    assert_eq!(m["final_plans_issued"], 0);
    assert_eq!(m["cases"], 7);
}

#[test]
fn as_of_decides_what_was_known() {
    // On 1 June 2026 D had not been requested and C's plan not issued.
    let m = measure(
        Period {
            start: date("2026-01-01"),
            end: date("2026-12-31"),
        },
        "2026-06-01",
    );
    assert_eq!(m["final_plans_within_20_weeks_incl_exceptions"], rate(1, 1));
    // B (request 2 Feb, due 22 Jun) was not overdue yet; C (due 20 Oct 2025) was.
    assert_eq!(m["open_assessments_overdue"], 1);
}

#[test]
fn late_advice_that_arrives_after_the_final_plan_counts_against_the_advice_measure() {
    // Social care advice requested 2 Mar 2026 (due 13 Apr) arrives 1 Jun, after the final plan
    // of 25 May: it was received in the period, late, so it is in the denominator and not the
    // numerator. Health advice received on time beside it. Advice never received is not counted.
    let mut metrics = Metrics::new(
        Period::last_complete_year(date("2027-03-01")),
        date("2027-03-01"),
    );
    metrics.add_case(&case(json!([
        { "type": "request_received", "date": "2026-01-12" },
        { "type": "decision_to_assess", "date": "2026-02-16", "outcome": "assess" },
        { "type": "advice_requested", "date": "2026-03-02", "advice": "social_care" },
        { "type": "advice_requested", "date": "2026-03-02", "advice": "health" },
        { "type": "advice_requested", "date": "2026-03-02", "advice": "education" },
        { "type": "advice_received", "date": "2026-04-01", "advice": "health" },
        { "type": "draft_plan_issued", "date": "2026-05-01" },
        { "type": "final_plan_issued", "date": "2026-05-25" },
        { "type": "advice_received", "date": "2026-06-01", "advice": "social_care" }
    ])));
    let m = metrics.to_json();
    let advice = &m["advice_within_6_weeks"];
    assert_eq!(advice["social_care"], rate(0, 1));
    assert_eq!(advice["health"], rate(1, 1));
    assert_eq!(advice["education"], rate(0, 0));
    assert_eq!(advice["all"], rate(1, 2));
}
