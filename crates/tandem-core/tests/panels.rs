//! Panel agendas and figures (`tandem_core::panels`) on hand-built cases. A decision to assess is
//! due 6 weeks after the request (reg 5(1)); a decision not to issue 16 weeks after it
//! (reg 10(1)). Meetings fall at the ends of months, so the limits cross month and year ends.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use serde_json::{Value, json};
use support::date;
use tandem_core::disclosure::SmallNumbers;
use tandem_core::panels::{Count, HeardCase, NOT_RECORDED, PanelDecides, agenda, figures};
use tandem_core::{CaseFile, EventDetail, IssueOutcome, Timeline, timeline};

fn timeline(reference: &str, events: Value, as_of: &str) -> Timeline {
    let case = CaseFile::from_value(json!({ "reference": reference, "events": events })).unwrap();
    timeline::compute(&case, date(as_of))
}

fn request(on: &str) -> Value {
    json!({ "type": "request_received", "date": on })
}

fn assessed(requested: &str, decided: &str) -> Value {
    json!([
        request(requested),
        { "type": "decision_to_assess", "date": decided, "outcome": "assess" },
    ])
}

/// (reference, due, late at the meeting, misses if deferred) of each agenda item.
fn rows(items: &[tandem_core::panels::AgendaItem]) -> Vec<(String, String, bool, bool)> {
    items
        .iter()
        .map(|i| {
            (
                i.reference.to_string(),
                i.due.to_string(),
                i.late_at_meeting,
                i.misses_if_deferred,
            )
        })
        .collect()
}

fn row(reference: &str, due: &str, late: bool, misses: bool) -> (String, String, bool, bool) {
    (reference.into(), due.into(), late, misses)
}

fn assess_cases() -> Vec<Timeline> {
    let as_of = "2026-02-20";
    vec![
        // Due 30 March: after the next meeting (26 March).
        timeline("B", json!([request("2026-02-16")]), as_of),
        // Due 2 March, four days after 26 February and before the next meeting.
        timeline("A", json!([request("2026-01-19")]), as_of),
        // Due 16 February: already late on the meeting's day.
        timeline("C", json!([request("2026-01-05")]), as_of),
        // Due 26 March, the next meeting's own day: still in time there.
        timeline("D", json!([request("2026-02-12")]), as_of),
        // Already decided, withdrawn, or waiting for the other panel: not on this agenda.
        timeline("E", assessed("2026-01-20", "2026-02-10"), as_of),
        timeline(
            "F",
            json!([request("2026-01-21"), { "type": "request_withdrawn", "date": "2026-02-02" }]),
            as_of,
        ),
        // Received the day after the meeting: not before it.
        timeline("G", json!([request("2026-02-27")]), "2026-02-27"),
    ]
}

#[test]
fn a_case_whose_limit_falls_before_the_next_meeting_is_flagged() {
    let cases = assess_cases();
    let items = agenda(
        PanelDecides::Assess,
        date("2026-02-26"),
        Some(date("2026-03-26")),
        &cases,
    );
    assert_eq!(
        rows(&items),
        vec![
            row("C", "2026-02-16", true, false),
            row("A", "2026-03-02", false, true),
            row("D", "2026-03-26", false, false),
            row("B", "2026-03-30", false, false),
        ]
    );
    assert_eq!(items[1].received, date("2026-01-19"));
}

#[test]
fn with_no_next_meeting_planned_every_case_in_time_is_flagged() {
    let cases = assess_cases();
    let items = agenda(PanelDecides::Assess, date("2026-02-26"), None, &cases);
    let flagged: Vec<_> = items
        .iter()
        .filter(|i| i.misses_if_deferred)
        .map(|i| i.reference.as_str())
        .collect();
    assert_eq!(flagged, ["A", "D", "B"]);
}

#[test]
fn the_plan_panel_hears_assessed_cases_against_the_16_week_limit_across_the_year_end() {
    let as_of = "2026-12-20";
    let cases = vec![
        // 25 September + 16 weeks = 15 January 2027, before the meeting of 28 January.
        timeline("P-1", assessed("2026-09-25", "2026-10-20"), as_of),
        // 15 October + 16 weeks = 4 February 2027, after it.
        timeline("P-2", assessed("2026-10-15", "2026-11-10"), as_of),
        // Not yet decided whether to assess: the other panel's case.
        timeline("P-3", json!([request("2026-11-30")]), as_of),
        // Already decided to issue: nothing left for this panel.
        timeline(
            "P-4",
            json!([
                request("2026-08-03"),
                { "type": "decision_to_assess", "date": "2026-09-01", "outcome": "assess" },
                { "type": "decision_to_issue", "date": "2026-11-02", "outcome": "issue" },
            ]),
            as_of,
        ),
    ];
    let items = agenda(
        PanelDecides::Issue,
        date("2026-12-31"),
        Some(date("2027-01-28")),
        &cases,
    );
    assert_eq!(
        rows(&items),
        vec![
            row("P-1", "2027-01-15", false, true),
            row("P-2", "2027-02-04", false, false),
        ]
    );
}

#[test]
fn a_meeting_on_the_last_day_of_february_flags_a_limit_on_the_first_of_march() {
    // 18 January 2027 + 6 weeks = 1 March 2027; meetings on 28 February and 31 March.
    let cases = vec![timeline(
        "M-1",
        json!([request("2027-01-18")]),
        "2027-02-27",
    )];
    let items = agenda(
        PanelDecides::Assess,
        date("2027-02-28"),
        Some(date("2027-03-31")),
        &cases,
    );
    assert_eq!(rows(&items), vec![row("M-1", "2027-03-01", false, true)]);
}

#[test]
fn a_panel_records_its_outcomes_as_the_statutory_events() {
    let event = PanelDecides::Issue
        .decision("not_issue", date("2026-03-05"))
        .unwrap();
    assert_eq!(
        event.detail,
        EventDetail::DecisionToIssue {
            outcome: IssueOutcome::NotIssue
        }
    );
    assert_eq!(event.date, date("2026-03-05"));
    assert_eq!(PanelDecides::Issue.outcome_of(&event), Some("not_issue"));
    assert_eq!(PanelDecides::Assess.outcome_of(&event), None);
    assert!(
        PanelDecides::Assess
            .decision("issue", date("2026-03-05"))
            .is_none()
    );
}

fn heard(outcome: &str, received: &str, heard: &str, need: Option<&str>) -> HeardCase {
    HeardCase {
        decides: PanelDecides::Assess,
        outcome: outcome.into(),
        received: date(received),
        heard: date(heard),
        need: need.map(str::to_owned),
        setting: Some("Oak Primary School".into()),
    }
}

fn heard_cases() -> Vec<HeardCase> {
    let mut cases: Vec<HeardCase> = (0..5)
        .map(|i| {
            heard(
                "assess",
                "2026-01-05",
                &format!("2026-02-{:02}", 10 + i),
                Some("ASD"),
            )
        })
        .collect();
    cases.push(heard(
        "not_assess",
        "2026-01-05",
        "2026-02-26",
        Some("SLCN"),
    ));
    cases.push(heard("not_assess", "2026-01-05", "2026-02-26", None));
    cases
}

#[test]
fn figures_count_cases_heard_outcomes_and_days_to_panel() {
    let all = figures(&heard_cases(), SmallNumbers::SHOWN);
    let assess = &all[0];
    assert_eq!(assess.decides, PanelDecides::Assess);
    assert_eq!(assess.heard, Count::Shown(7));
    assert_eq!(assess.outcomes, vec![Count::Shown(5), Count::Shown(2)]);
    // Days from 5 January: 36, 37, 38, 39, 40, 52, 52; the median is 39.
    assert_eq!(assess.median_days_to_panel, Some(39));
    let needs: Vec<_> = assess.by_need.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(needs, ["ASD", NOT_RECORDED, "SLCN"]);
    assert_eq!(
        assess.by_need[0].outcomes,
        vec![Count::Shown(5), Count::Shown(0)]
    );
    assert_eq!(assess.by_setting.len(), 1);
    assert_eq!(all[1].heard, Count::Shown(0));
    assert_eq!(all[1].median_days_to_panel, None);
}

#[test]
fn figures_hide_small_counts_from_those_who_see_aggregates_only() {
    let all = figures(&heard_cases(), SmallNumbers::below(5));
    let assess = &all[0];
    assert_eq!(assess.heard, Count::Shown(7));
    // Two "not assess" are hidden, and so are the five "assess" beside the total of seven.
    assert_eq!(assess.outcomes, vec![Count::Hidden, Count::Hidden]);
    assert_eq!(assess.median_days_to_panel, Some(39));
    // ASD (5) is shown; both groups of one are hidden.
    let heard: Vec<_> = assess.by_need.iter().map(|g| g.heard).collect();
    assert_eq!(heard, [Count::Shown(5), Count::Hidden, Count::Hidden]);
    assert_eq!(
        assess.by_need[0].outcomes,
        vec![Count::Shown(5), Count::Shown(0)]
    );
    // A median over a hidden count is hidden with it.
    let few = figures(&heard_cases()[5..], SmallNumbers::below(5));
    assert_eq!(few[0].heard, Count::Hidden);
    assert_eq!(few[0].median_days_to_panel, None);
}

#[test]
fn one_hidden_group_hides_the_smallest_group_shown_beside_it() {
    let mut cases = heard_cases();
    cases.truncate(6);
    cases.extend((0..6).map(|_| heard("assess", "2026-01-05", "2026-02-26", Some("SEMH"))));
    let all = figures(&cases, SmallNumbers::below(5));
    let heard: Vec<_> = all[0]
        .by_need
        .iter()
        .map(|g| (g.group.as_str(), g.heard))
        .collect();
    assert_eq!(
        heard,
        [
            ("ASD", Count::Hidden),
            ("SEMH", Count::Shown(6)),
            ("SLCN", Count::Hidden)
        ]
    );
}
