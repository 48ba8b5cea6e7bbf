//! How deadlines read to the people working on a case (`tandem_core::guidance`), on hand-built
//! cases. The request is received on Monday 5 January 2026 throughout: the decision to assess
//! is due 16 February (6 weeks), the 16-week notice 27 April, the final plan 25 May (20 weeks).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use serde_json::{Value, json};
use support::{case, date, timeline_of};
use tandem_core::guidance::{
    Reading, comment_period, counts_as_overdue, forecast_final_plan, headline, next_action,
    reading, warnings_if_recorded,
};
use tandem_core::{Event, Status, timeline};

fn request() -> Value {
    json!({ "type": "request_received", "date": "2026-01-05" })
}

/// Decided to assess on 10 February; all four kinds of advice the council must seek asked for
/// on 11 February and received on 20 March.
fn assessed_with_advice() -> Vec<Value> {
    let mut events = vec![
        request(),
        json!({ "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" }),
    ];
    for advice in [
        "education",
        "health",
        "educational_psychology",
        "social_care",
    ] {
        events.push(json!({ "type": "advice_requested", "date": "2026-02-11", "advice": advice }));
        events.push(json!({ "type": "advice_received", "date": "2026-03-20", "advice": advice }));
    }
    events
}

fn with(mut events: Vec<Value>, more: &[Value]) -> Value {
    events.extend(more.iter().cloned());
    Value::Array(events)
}

#[test]
fn the_16_week_notice_past_its_date_undecided_is_not_overdue_and_not_next() {
    let t = timeline_of(with(assessed_with_advice(), &[]), "2026-05-01");
    let notice = t.milestone("notice_not_to_issue").unwrap();
    // The contract's status is overdue (due 27 April, not done) ...
    assert_eq!(notice.status, Status::Overdue);
    // ... but it is a duty only once the council decides not to issue.
    assert_eq!(reading(notice), Reading::NoDecisionYet);
    assert_eq!(reading(notice).label(), "No decision yet");
    assert!(!counts_as_overdue(notice));
    // What the manager acts on is the final plan, due 25 May.
    let next = next_action(&t).unwrap();
    assert_eq!(next.key, "final_plan");
    assert_eq!(next.due, Some(date("2026-05-25")));
    assert_eq!(headline(&t).unwrap().key, "final_plan");
}

#[test]
fn before_week_16_the_notice_is_the_next_step_and_reads_decide_whether_to_issue() {
    let t = timeline_of(with(assessed_with_advice(), &[]), "2026-04-20");
    let next = next_action(&t).unwrap();
    assert_eq!(next.key, "notice_not_to_issue");
    assert_eq!(next.due, Some(date("2026-04-27")));
    assert_eq!(reading(next), Reading::Pending);
    assert_eq!(
        tandem_core::rules::action(&next.key),
        "Decide whether to issue a plan"
    );
}

#[test]
fn a_decision_to_issue_ends_the_notice_and_an_overdue_decision_to_assess_is_next() {
    let t = timeline_of(
        with(
            assessed_with_advice(),
            &[json!({ "type": "decision_to_issue", "date": "2026-04-10", "outcome": "issue" })],
        ),
        "2026-05-01",
    );
    assert_eq!(
        reading(t.milestone("notice_not_to_issue").unwrap()),
        Reading::NotNeeded
    );
    // A request with no decision at all, on 1 March: the decision (16 February) is overdue,
    // counts against the case and is what to do next.
    let t = timeline_of(json!([request()]), "2026-03-01");
    let decision = t.milestone("decision_to_assess").unwrap();
    assert_eq!(reading(decision), Reading::Overdue);
    assert!(counts_as_overdue(decision));
    assert_eq!(next_action(&t).unwrap().key, "decision_to_assess");
}

#[test]
fn an_exception_reads_late_exception_applies_on_the_steps_it_covers_only() {
    // Health advice asked for on 11 February (due 25 March): the appointment of 2 March was
    // missed, which disapplies that advice's limit (reg 8(2)(c)) and no other.
    let events = json!([
        request(),
        { "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" },
        { "type": "advice_requested", "date": "2026-02-11", "advice": "health" },
        { "type": "advice_requested", "date": "2026-02-11", "advice": "education" },
        { "type": "exception", "kind": "missed_appointment", "from": "2026-03-02", "advice": "health" },
        { "type": "advice_received", "date": "2026-04-02", "advice": "health" },
        { "type": "advice_received", "date": "2026-04-02", "advice": "education" }
    ]);
    let t = timeline_of(events, "2026-04-10");
    let health = t.milestone("advice:health").unwrap();
    let education = t.milestone("advice:education").unwrap();
    assert_eq!(health.status, Status::Late);
    assert_eq!(reading(health), Reading::LateExceptionApplies);
    assert_eq!(reading(health).label(), "Late – exception applies");
    assert_eq!(reading(education), Reading::Late, "not covered");
    // The decision, met in time, is untouched.
    assert_eq!(
        reading(t.milestone("decision_to_assess").unwrap()),
        Reading::OnTime
    );
    // A step past its date under an exception does not make the case late.
    assert!(!counts_as_overdue(health));
}

#[test]
fn the_forecast_puts_the_final_plan_after_the_remaining_steps() {
    // All advice in, nothing drafted, on 1 May: a draft today allows the final plan on
    // 16 May (1 May + 15 days), inside 25 May.
    let t = timeline_of(with(assessed_with_advice(), &[]), "2026-05-01");
    let case_ = case(with(assessed_with_advice(), &[]));
    let f = forecast_final_plan(&case_, &t).unwrap();
    assert_eq!(
        (f.due, f.earliest),
        (date("2026-05-25"), date("2026-05-16"))
    );
    assert!(!f.at_risk(t.as_of));
    // The same on 15 May: 30 May, after the 20 weeks.
    let t = timeline::compute(&case_, date("2026-05-15"));
    let f = forecast_final_plan(&case_, &t).unwrap();
    assert_eq!(f.earliest, date("2026-05-30"));
    assert!(f.at_risk(t.as_of));
    // Once the 20 weeks are over the case is overdue, not at risk.
    let t = timeline::compute(&case_, date("2026-05-26"));
    assert!(!forecast_final_plan(&case_, &t).unwrap().at_risk(t.as_of));
}

#[test]
fn a_draft_served_by_10_may_still_allows_the_final_plan_on_25_may() {
    for (draft, earliest, at_risk) in [
        ("2026-05-10", "2026-05-25", false),
        ("2026-05-11", "2026-05-26", true),
    ] {
        let case_ = case(with(
            assessed_with_advice(),
            &[json!({ "type": "draft_plan_issued", "date": draft })],
        ));
        let t = timeline::compute(&case_, date("2026-05-12"));
        let f = forecast_final_plan(&case_, &t).unwrap();
        assert_eq!(f.earliest, date(earliest), "draft {draft}");
        assert_eq!(f.at_risk(t.as_of), at_risk, "draft {draft}");
    }
}

#[test]
fn awaited_and_unasked_advice_push_the_forecast() {
    // No decision by 10 April: asking for advice today means it is due 22 May, the draft
    // then, the final plan 6 June: at risk, and the overdue decision is what to do next.
    let case_ = case(json!([request()]));
    let t = timeline::compute(&case_, date("2026-04-10"));
    let f = forecast_final_plan(&case_, &t).unwrap();
    assert_eq!(f.earliest, date("2026-06-06"));
    assert!(f.at_risk(t.as_of));
    // On 20 January the same path ends on 18 March: on track.
    let t = timeline::compute(&case_, date("2026-01-20"));
    assert_eq!(
        forecast_final_plan(&case_, &t).unwrap().earliest,
        date("2026-03-18")
    );
    // Health advice asked for again on 20 April is due 1 June: the final plan no earlier than
    // 16 June.
    let case_ = case(with(
        assessed_with_advice(),
        &[json!({ "type": "advice_requested", "date": "2026-04-20", "advice": "health" })],
    ));
    let t = timeline::compute(&case_, date("2026-04-21"));
    let f = forecast_final_plan(&case_, &t).unwrap();
    assert_eq!(f.earliest, date("2026-06-16"));
    assert!(f.at_risk(t.as_of));
}

#[test]
fn no_forecast_once_the_plan_is_issued_or_an_exception_disapplies_its_limit() {
    let issued = case(with(
        assessed_with_advice(),
        &[
            json!({ "type": "draft_plan_issued", "date": "2026-04-20" }),
            json!({ "type": "final_plan_issued", "date": "2026-05-18" }),
        ],
    ));
    let t = timeline::compute(&issued, date("2026-05-19"));
    assert_eq!(forecast_final_plan(&issued, &t), None);
    // The family abroad for five weeks within the 20 weeks (reg 10(4)(d), applied by 13(3)).
    let away = case(with(
        assessed_with_advice(),
        &[
            json!({ "type": "exception", "kind": "absent_from_area", "from": "2026-03-02", "to": "2026-04-05" }),
        ],
    ));
    let t = timeline::compute(&away, date("2026-05-20"));
    assert!(t.milestone("final_plan").unwrap().exception.is_some());
    assert_eq!(forecast_final_plan(&away, &t), None);
}

fn event(value: Value) -> Event {
    case(json!([value])).events.remove(0)
}

#[test]
fn warnings_before_saving_name_what_the_step_would_make_questionable() {
    let drafted = case(with(
        assessed_with_advice(),
        &[json!({ "type": "draft_plan_issued", "date": "2026-04-20" })],
    ));
    let today = date("2026-05-20");
    // A final plan on 1 May is inside the 15 days after the draft of 20 April (reg 13(1)).
    let early = warnings_if_recorded(
        &drafted,
        &event(json!({ "type": "final_plan_issued", "date": "2026-05-01" })),
        today,
    );
    assert_eq!(early.len(), 1, "{early:?}");
    assert!(early[0].contains("5 May 2026"), "{early:?}");
    // On 5 May it is lawful: nothing to warn about.
    let lawful = warnings_if_recorded(
        &drafted,
        &event(json!({ "type": "final_plan_issued", "date": "2026-05-05" })),
        today,
    );
    assert!(lawful.is_empty(), "{lawful:?}");
    // Advice received that no request asked for.
    let stray = warnings_if_recorded(
        &case(json!([request()])),
        &event(json!({ "type": "advice_received", "date": "2026-02-01", "advice": "health" })),
        today,
    );
    assert_eq!(stray.len(), 1, "{stray:?}");
    // Advice asked for before the decision to assess.
    let early_ask = warnings_if_recorded(
        &case(json!([request()])),
        &event(json!({ "type": "advice_requested", "date": "2026-01-20", "advice": "health" })),
        today,
    );
    assert_eq!(early_ask.len(), 1, "{early_ask:?}");
    assert!(early_ask[0].contains("20 January 2026"), "{early_ask:?}");
    // An ordinary decision: nothing.
    assert!(
        warnings_if_recorded(
            &case(json!([request()])),
            &event(
                json!({ "type": "decision_to_assess", "date": "2026-02-10", "outcome": "assess" })
            ),
            today,
        )
        .is_empty()
    );
    // A warning the case already had is not repeated: a second early final plan adds nothing
    // new beyond its own date's.
    let already = case(with(
        assessed_with_advice(),
        &[
            json!({ "type": "draft_plan_issued", "date": "2026-04-20" }),
            json!({ "type": "final_plan_issued", "date": "2026-05-01" }),
        ],
    ));
    let again = warnings_if_recorded(
        &already,
        &event(json!({ "type": "decision_to_issue", "date": "2026-04-10", "outcome": "issue" })),
        today,
    );
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn the_comment_period_ends_on_the_fifteenth_day_counting_the_draft_day() {
    let t = timeline_of(
        with(
            assessed_with_advice(),
            &[json!({ "type": "draft_plan_issued", "date": "2026-04-20" })],
        ),
        "2026-04-21",
    );
    assert_eq!(
        comment_period(&t),
        Some((date("2026-04-20"), date("2026-05-04")))
    );
    // Across a month end in a leap year: 20 February 2028 to 5 March 2028.
    let t = timeline_of(
        json!([
            { "type": "request_received", "date": "2027-11-01" },
            { "type": "draft_plan_issued", "date": "2028-02-20" }
        ]),
        "2028-02-21",
    );
    assert_eq!(
        comment_period(&t),
        Some((date("2028-02-20"), date("2028-03-05")))
    );
    assert_eq!(
        comment_period(&timeline_of(json!([request()]), "2026-02-01")),
        None
    );
}
