//! The dashboard on a hand-built set of cases, each answer worked out in the comments.
//! Period: 1 February to 31 March 2026 (both days counted); as of 30 April 2026; a trend of
//! three months (January to March 2026).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use serde_json::{Value, json};
use support::date;
use tandem_core::dashboard::{
    AdviceSource, AgeGroup, Backlog, CaseGroups, Dashboard, DashboardSpec, Figure, Month, Part,
    ProviderWorkload, PseudonymKey, Slice, pseudonym,
};
use tandem_core::lateness::LateStep;
use tandem_core::metrics::{FINAL_PLANS_EXCL, Period, Rate};
use tandem_core::targets::{Target, Targets};
use tandem_core::{AdviceKind, CaseFile, Reference, Timeline, timeline};

const INCL: &str = "final_plans_within_20_weeks_incl_exceptions";
const DECISIONS: &str = "decisions_to_assess_within_6_weeks";

fn spec() -> DashboardSpec {
    DashboardSpec {
        period: Period {
            start: date("2026-02-01"),
            end: date("2026-03-31"),
        },
        as_of: date("2026-04-30"),
        trend_months: 3,
        draft_plan_weeks: 14,
    }
}

/// (reference, case manager, primary need, date of birth, events)
type CaseSpec = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    Value,
);

fn cases() -> Vec<CaseSpec> {
    vec![
        // A: decision met; health advice due 18 Nov, received 1 Dec (late); final due 19 Jan,
        // issued 1 Feb, the period's first day (late, 153 days): first late step health advice.
        // Aged 9 at the request.
        (
            "A",
            Some("Ann"),
            Some("ASD"),
            "2016-05-10",
            json!([
                { "type": "request_received", "date": "2025-09-01" },
                { "type": "decision_to_assess", "date": "2025-10-06", "outcome": "assess" },
                { "type": "advice_requested", "date": "2025-10-07", "advice": "health" },
                { "type": "advice_received", "date": "2025-12-01", "advice": "health" },
                { "type": "draft_plan_issued", "date": "2026-01-05" },
                { "type": "final_plan_issued", "date": "2026-02-01" }
            ]),
        ),
        // B: final due 2 March, issued that day (met, 140 days). Aged 13.
        (
            "B",
            Some("Ann"),
            Some("SLCN"),
            "2012-03-31",
            json!([
                { "type": "request_received", "date": "2025-10-13" },
                { "type": "decision_to_assess", "date": "2025-11-10", "outcome": "assess" },
                { "type": "advice_requested", "date": "2025-11-11", "advice": "education" },
                { "type": "advice_received", "date": "2025-12-01", "advice": "education" },
                { "type": "draft_plan_issued", "date": "2026-02-16" },
                { "type": "final_plan_issued", "date": "2026-03-02" }
            ]),
        ),
        // C: decision due 1 Dec, made 15 Dec (late); final due 9 March, issued 31 March, the
        // period's last day (late, 162 days): first late step the decision. Aged 3.
        (
            "C",
            Some("Bob"),
            Some("ASD"),
            "2022-01-15",
            json!([
                { "type": "request_received", "date": "2025-10-20" },
                { "type": "decision_to_assess", "date": "2025-12-15", "outcome": "assess" },
                { "type": "draft_plan_issued", "date": "2026-03-02" },
                { "type": "final_plan_issued", "date": "2026-03-31" }
            ]),
        ),
        // D: away from the area for 40 days during the assessment, a qualifying exception;
        // final due 23 March, issued 30 March (late): in the "including exceptions" rate only,
        // and not among the reasons for lateness. No primary need recorded. Aged 15.
        (
            "D",
            Some("Bob"),
            None,
            "2010-06-01",
            json!([
                { "type": "request_received", "date": "2025-11-03" },
                { "type": "exception", "kind": "absent_from_area", "from": "2025-12-01", "to": "2026-01-09" },
                { "type": "decision_to_assess", "date": "2025-12-08", "outcome": "assess" },
                { "type": "draft_plan_issued", "date": "2026-03-02" },
                { "type": "final_plan_issued", "date": "2026-03-30" }
            ]),
        ),
        // E: decision on 12 January, its last day (met, in January's trend only); final due
        // 20 April, none by 30 April: open and overdue, 150 days = 21 weeks (backlog bar
        // "20 to 23 weeks"). No case manager; 26 at the request, outside every age band.
        (
            "E",
            None,
            Some("ASD"),
            "1999-06-01",
            json!([
                { "type": "request_received", "date": "2025-12-01" },
                { "type": "decision_to_assess", "date": "2026-01-12", "outcome": "assess" }
            ]),
        ),
        // F: requested 3 days before the as-of date: awaiting the decision, backlog bar 0. Aged 8.
        (
            "F",
            Some("Ann"),
            Some("SEMH"),
            "2018-02-01",
            json!([
                { "type": "request_received", "date": "2026-04-27" }
            ]),
        ),
        // G: requested after the as-of date: not yet known, so in no figure. Aged 10.
        (
            "G",
            Some("Ann"),
            Some("ASD"),
            "2015-06-01",
            json!([
                { "type": "request_received", "date": "2026-05-10" }
            ]),
        ),
        // H: refused on 16 February, the last day (met). Aged 6.
        (
            "H",
            Some("Bob"),
            Some("ASD"),
            "2019-09-01",
            json!([
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": "2026-02-16", "outcome": "not_assess" }
            ]),
        ),
        // I: withdrawn in 2025: closed. Aged 11.
        (
            "I",
            None,
            Some("SLCN"),
            "2014-01-01",
            json!([
                { "type": "request_received", "date": "2025-06-02" },
                { "type": "request_withdrawn", "date": "2025-08-01" }
            ]),
        ),
        // J: assessing since January 2025: 479 days = 68 weeks, the "52 weeks or more" bar;
        // overdue. Aged 10.
        (
            "J",
            Some("Bob"),
            Some("MLD"),
            "2015-01-01",
            json!([
                { "type": "request_received", "date": "2025-01-06" },
                { "type": "decision_to_assess", "date": "2025-02-03", "outcome": "assess" }
            ]),
        ),
    ]
}

struct Case {
    file: CaseFile,
    manager: Option<&'static str>,
    timeline: Timeline,
}

impl Case {
    fn groups(&self) -> CaseGroups<'_> {
        CaseGroups::of(&self.file, self.manager)
    }
}

fn built() -> Vec<Case> {
    cases()
        .into_iter()
        .map(|(reference, manager, need, born, events)| {
            let mut child = json!({ "date_of_birth": born });
            if let Some(need) = need {
                child["primary_need"] = json!(need);
            }
            let file = CaseFile::from_value(
                json!({ "reference": reference, "child": child, "events": events }),
            )
            .unwrap();
            let timeline = timeline::compute(&file, spec().as_of);
            Case {
                file,
                manager,
                timeline,
            }
        })
        .collect()
}

fn wsoa() -> Targets {
    let target = |from: &str, rate| Target {
        measure: FINAL_PLANS_EXCL.into(),
        from: date(from),
        rate,
    };
    Targets(vec![target("2026-01-01", 0.3), target("2026-03-01", 0.4)])
}

fn dashboard() -> Dashboard {
    let mut dashboard = Dashboard::new(spec(), wsoa());
    for case in built() {
        dashboard.add(&case.timeline, &case.groups());
    }
    dashboard
}

fn rate(numerator: u64, denominator: u64) -> Rate {
    Rate {
        numerator,
        denominator,
    }
}

/// References of the cases behind a figure, by the drill-down.
fn behind(figure: &Figure) -> Vec<String> {
    built()
        .iter()
        .filter(|c| spec().includes(&c.timeline, &c.groups(), figure))
        .map(|c| c.file.reference.to_string())
        .collect()
}

fn measure(key: &str, slice: Slice, part: Part) -> Figure {
    Figure::Measure {
        key: key.into(),
        slice,
        part,
    }
}

#[test]
fn the_exception_in_the_set_qualifies() {
    let d = &built()[3];
    assert!(
        d.timeline
            .milestone("final_plan")
            .unwrap()
            .exception
            .is_some()
    );
}

#[test]
fn headline_measures_count_both_ends_of_the_period() {
    let h = dashboard().headline;
    assert_eq!(h.cases, 10);
    // A (1 Feb, late), B (met) and C (31 March, late); D is an exception case.
    assert_eq!(h.rate(FINAL_PLANS_EXCL), Some(rate(1, 3)));
    assert_eq!(h.rate(INCL), Some(rate(1, 4)));
    assert_eq!(h.count("final_plans_issued"), Some(4));
    // (153 + 140 + 162) / 3 / 7 = 21.67 → 21.7
    assert_eq!(h.weeks_to_issue_mean_excl_exceptions(), Some(21.7));
    // Only H's decision falls in the period.
    assert_eq!(h.rate(DECISIONS), Some(rate(1, 1)));
    // No advice arrived in the period: nothing to measure.
    assert_eq!(h.rate("advice_within_6_weeks.all"), Some(rate(0, 0)));
    assert_eq!(h.rate("advice_within_6_weeks.all").unwrap().rate(), None);
    // E and J, as at 30 April.
    assert_eq!(h.count("open_assessments_overdue"), Some(2));
}

#[test]
fn the_trend_splits_at_month_boundaries() {
    let d = dashboard();
    let months: Vec<String> = d.trend.iter().map(|(m, _)| m.to_string()).collect();
    assert_eq!(months, ["2026-01", "2026-02", "2026-03"]);
    let excl: Vec<Rate> = d
        .trend
        .iter()
        .map(|(_, m)| m.rate(FINAL_PLANS_EXCL).unwrap())
        .collect();
    // January: none (A's plan came on 1 February). February: A. March: B met, C late.
    assert_eq!(excl, [rate(0, 0), rate(0, 1), rate(1, 2)]);
    let decisions: Vec<Rate> = d
        .trend
        .iter()
        .map(|(_, m)| m.rate(DECISIONS).unwrap())
        .collect();
    assert_eq!(decisions, [rate(1, 1), rate(1, 1), rate(0, 0)]);
    // March also has D's plan (an exception) in the "including" rate.
    assert_eq!(d.trend[2].1.rate(INCL), Some(rate(1, 3)));
}

#[test]
fn the_trend_ends_with_the_as_of_month_when_that_is_earlier() {
    let spec = DashboardSpec {
        as_of: date("2026-02-10"),
        trend_months: 24,
        ..spec()
    };
    let months = spec.trend();
    assert_eq!(months.len(), 24);
    assert_eq!(months[0].to_string(), "2024-03");
    assert_eq!(months[23].to_string(), "2026-02");
}

#[test]
fn targets_are_read_for_the_period_and_for_each_month() {
    let d = dashboard();
    // In force on 31 March: 40%. The period's 1 of 3 (33%) is off track.
    let reading = d.reading(FINAL_PLANS_EXCL).unwrap();
    assert_eq!(reading.target.unwrap().rate, 0.4);
    assert_eq!(reading.on_track, Some(false));
    // A measure without a target: no judgement.
    assert_eq!(d.reading(DECISIONS).unwrap().on_track, None);
    let trend = d.trend_of(FINAL_PLANS_EXCL).unwrap();
    let judged: Vec<(Option<f64>, Option<bool>)> = trend
        .iter()
        .map(|(_, r)| (r.target.map(|t| t.rate), r.on_track))
        .collect();
    // January: nothing measured. February: 0% against 30%. March: 50% against 40%.
    assert_eq!(
        judged,
        [
            (Some(0.3), None),
            (Some(0.3), Some(false)),
            (Some(0.4), Some(true))
        ]
    );
    assert!(d.trend_of("no_such_measure").is_none());
}

#[test]
fn breakdowns_by_case_manager_primary_need_and_age_group() {
    let d = dashboard();
    let excl = |m: &tandem_core::metrics::Metrics| m.rate(FINAL_PLANS_EXCL).unwrap();
    let by_manager: Vec<(Option<&str>, u64, Rate)> = d
        .by_case_manager
        .iter()
        .map(|(k, m)| (k.as_deref(), m.cases, excl(m)))
        .collect();
    assert_eq!(
        by_manager,
        [
            (None, 2, rate(0, 0)),        // E, I
            (Some("Ann"), 4, rate(1, 2)), // A late, B met; F, G
            (Some("Bob"), 4, rate(0, 1)), // C late; D exception; H, J
        ]
    );
    assert_eq!(
        d.by_case_manager[&Some("Bob".into())].rate(DECISIONS),
        Some(rate(1, 1))
    );
    let by_need: Vec<(Option<&str>, u64, Rate)> = d
        .by_primary_need
        .iter()
        .map(|(k, m)| (k.as_deref(), m.cases, excl(m)))
        .collect();
    assert_eq!(
        by_need,
        [
            (None, 1, rate(0, 0)),        // D (an exception case)
            (Some("ASD"), 5, rate(0, 2)), // A, C late; E, G, H
            (Some("MLD"), 1, rate(0, 0)),
            (Some("SEMH"), 1, rate(0, 0)),
            (Some("SLCN"), 2, rate(1, 1)), // B met; I
        ]
    );
    let by_age: Vec<(Option<AgeGroup>, u64, Rate)> = d
        .by_age_group
        .iter()
        .map(|(k, m)| (*k, m.cases, excl(m)))
        .collect();
    assert_eq!(
        by_age,
        [
            (None, 1, rate(0, 0)),                       // E, 26
            (Some(AgeGroup::Under5), 1, rate(0, 1)),     // C
            (Some(AgeGroup::From5To10), 5, rate(0, 1)),  // A; F, G, H, J
            (Some(AgeGroup::From11To15), 3, rate(1, 1)), // B; D an exception; I
        ]
    );
}

#[test]
fn age_bands_turn_on_birthdays() {
    let born = date("2016-05-10");
    assert_eq!(
        AgeGroup::at(born, date("2021-05-09")),
        Some(AgeGroup::Under5)
    );
    assert_eq!(
        AgeGroup::at(born, date("2021-05-10")),
        Some(AgeGroup::From5To10)
    );
    assert_eq!(
        AgeGroup::at(born, date("2027-05-10")),
        Some(AgeGroup::From11To15)
    );
    assert_eq!(
        AgeGroup::at(born, date("2042-05-09")),
        Some(AgeGroup::From20To25)
    );
    assert_eq!(AgeGroup::at(born, date("2042-05-10")), None);
    assert_eq!(AgeGroup::at(born, date("2016-05-09")), None);
}

#[test]
fn the_backlog_counts_open_assessments_by_weeks_since_the_request() {
    let d = dashboard();
    let mut expected = [0; 14];
    expected[0] = 1; // F, 0 weeks
    expected[5] = 1; // E, 21 weeks
    expected[13] = 1; // J, 68 weeks
    assert_eq!(d.backlog.counts, expected);
    assert_eq!(d.backlog.total(), 3);
    assert_eq!(Backlog::label(0), "0 to 3 weeks");
    assert_eq!(Backlog::label(5), "20 to 23 weeks");
    assert_eq!(Backlog::label(13), "52 weeks or more");
    assert!(!Backlog::past_20_weeks(4));
    assert!(Backlog::past_20_weeks(5));
}

#[test]
fn the_backlog_bucket_edges_fall_on_whole_weeks() {
    let bucket_after = |days: u64| {
        let request = date("2026-01-05");
        let file = CaseFile::from_value(json!({
            "reference": "W",
            "events": [{ "type": "request_received", "date": request.to_string() }]
        }))
        .unwrap();
        let t = timeline::compute(&file, request + chrono::Days::new(days));
        tandem_core::dashboard::backlog_bucket(&t)
    };
    assert_eq!(bucket_after(0), Some(0));
    assert_eq!(bucket_after(27), Some(0)); // 3 weeks 6 days
    assert_eq!(bucket_after(28), Some(1)); // 4 weeks
    assert_eq!(bucket_after(140), Some(5)); // 20 weeks: due that day
    assert_eq!(bucket_after(363), Some(12)); // 51 weeks 6 days
    assert_eq!(bucket_after(364), Some(13)); // 52 weeks
}

#[test]
fn reasons_for_lateness_summarise_the_late_plans_of_the_headline() {
    let d = dashboard();
    // A (health advice) and C (decision); D's plan was late too but is an exception case.
    assert_eq!(d.lateness.late_plans, 2);
    assert_eq!(
        d.lateness.ranked(),
        [
            (LateStep::DecisionToAssess, 1),
            (LateStep::Advice(AdviceKind::Health), 1)
        ]
    );
}

#[test]
fn every_figure_lists_the_cases_behind_it() {
    assert_eq!(
        behind(&measure(FINAL_PLANS_EXCL, Slice::All, Part::Counted)),
        ["A", "B", "C"]
    );
    assert_eq!(
        behind(&measure(FINAL_PLANS_EXCL, Slice::All, Part::Met)),
        ["B"]
    );
    assert_eq!(
        behind(&measure(FINAL_PLANS_EXCL, Slice::All, Part::NotMet)),
        ["A", "C"]
    );
    let march = Slice::Month(Month {
        year: 2026,
        month: 3,
    });
    assert_eq!(
        behind(&measure(INCL, march, Part::Counted)),
        ["B", "C", "D"]
    );
    let bob = Slice::CaseManager(Some("Bob".into()));
    assert_eq!(behind(&measure(DECISIONS, bob, Part::Counted)), ["H"]);
    assert_eq!(
        behind(&measure(
            FINAL_PLANS_EXCL,
            Slice::CaseManager(None),
            Part::Counted
        )),
        Vec::<String>::new()
    );
    assert_eq!(
        behind(&measure(INCL, Slice::PrimaryNeed(None), Part::NotMet)),
        ["D"]
    );
    assert_eq!(
        behind(&measure(
            FINAL_PLANS_EXCL,
            Slice::AgeGroup(Some(AgeGroup::Under5)),
            Part::NotMet
        )),
        ["C"]
    );
    assert_eq!(
        behind(&measure(
            "open_assessments_overdue",
            Slice::All,
            Part::Counted
        )),
        ["E", "J"]
    );
    // A count has no "met" part.
    assert!(behind(&measure("final_plans_issued", Slice::All, Part::Met)).is_empty());
    assert_eq!(behind(&Figure::Backlog { bucket: 5 }), ["E"]);
    assert_eq!(behind(&Figure::Backlog { bucket: 13 }), ["J"]);
    let health = LateStep::Advice(AdviceKind::Health);
    assert_eq!(behind(&Figure::LateStep { step: health }), ["A"]);
}

#[test]
fn drill_downs_agree_with_the_totals() {
    let d = dashboard();
    // One final plan per case, so cases behind the rate equal its counts.
    let excl = d.headline.rate(FINAL_PLANS_EXCL).unwrap();
    let n = |part| behind(&measure(FINAL_PLANS_EXCL, Slice::All, part)).len() as u64;
    assert_eq!(
        (n(Part::Met), n(Part::Counted)),
        (excl.numerator, excl.denominator)
    );
    for bucket in 0..14 {
        let cases = behind(&Figure::Backlog { bucket }).len() as u64;
        assert_eq!(cases, d.backlog.counts[bucket], "bucket {bucket}");
    }
    for (step, count) in &d.lateness.by_step {
        assert_eq!(
            behind(&Figure::LateStep { step: *step }).len() as u64,
            *count
        );
    }
}

/// Advice by provider, on two cases of its own (period February to March 2026):
/// - P: health from North Trust requested 21 January, due 4 March, received 4 March (met, the
///   last day); education with no provider recorded, received 5 March (late by a day); social
///   care received 30 January, before the period (not counted).
/// - Q: health from North Trust requested 26 January, due 9 March, received 31 March, the
///   period's last day (late); health from South Trust received 1 April, after it (not counted).
#[test]
fn advice_is_broken_down_by_provider_per_request() {
    let case = |reference: &str, events: Value| {
        CaseFile::from_value(json!({ "reference": reference, "events": events })).unwrap()
    };
    let p = case(
        "P",
        json!([
            { "type": "request_received", "date": "2026-01-05" },
            { "type": "advice_requested", "date": "2026-01-21", "advice": "health", "provider": "North Trust" },
            { "type": "advice_requested", "date": "2026-01-21", "advice": "education" },
            { "type": "advice_requested", "date": "2026-01-21", "advice": "social_care", "provider": "Council" },
            { "type": "advice_received", "date": "2026-03-04", "advice": "health" },
            { "type": "advice_received", "date": "2026-03-05", "advice": "education" },
            { "type": "advice_received", "date": "2026-01-30", "advice": "social_care" }
        ]),
    );
    let q = case(
        "Q",
        json!([
            { "type": "request_received", "date": "2026-01-12" },
            { "type": "advice_requested", "date": "2026-01-26", "advice": "health", "id": "n", "provider": "North Trust" },
            { "type": "advice_requested", "date": "2026-02-02", "advice": "health", "id": "s", "provider": "South Trust" },
            { "type": "advice_received", "date": "2026-03-31", "advice": "health", "id": "n" },
            { "type": "advice_received", "date": "2026-04-01", "advice": "health", "id": "s" }
        ]),
    );
    let timelines: Vec<(CaseFile, Timeline)> = [p, q]
        .into_iter()
        .map(|file| {
            let timeline = timeline::compute(&file, spec().as_of);
            (file, timeline)
        })
        .collect();
    let mut d = Dashboard::new(spec(), wsoa());
    for (file, timeline) in &timelines {
        d.add(timeline, &CaseGroups::of(file, None));
    }
    let source = |provider: Option<&str>, kind| AdviceSource {
        provider: provider.map(str::to_owned),
        kind,
    };
    let north = source(Some("North Trust"), AdviceKind::Health);
    let unnamed = source(None, AdviceKind::Education);
    assert_eq!(
        d.by_provider.clone().into_iter().collect::<Vec<_>>(),
        [(unnamed.clone(), rate(0, 1)), (north.clone(), rate(1, 2))]
    );
    // Per request, as the advice measure counts: the rows add up to it.
    assert_eq!(d.headline.advice_all, rate(1, 3));
    let behind = |source: &AdviceSource, part| -> Vec<String> {
        let figure = Figure::Provider {
            source: source.clone(),
            part,
        };
        timelines
            .iter()
            .filter(|(file, t)| spec().includes(t, &CaseGroups::of(file, None), &figure))
            .map(|(file, _)| file.reference.to_string())
            .collect()
    };
    assert_eq!(behind(&north, Part::Counted), ["P", "Q"]);
    assert_eq!(behind(&north, Part::Met), ["P"]);
    assert_eq!(behind(&north, Part::NotMet), ["Q"]);
    assert_eq!(behind(&unnamed, Part::NotMet), ["P"]);
    let south = source(Some("South Trust"), AdviceKind::Health);
    assert!(behind(&south, Part::Counted).is_empty());
    let figure = Figure::Provider {
        source: north,
        part: Part::Met,
    };
    let text = serde_json::to_string(&figure).unwrap();
    assert_eq!(
        text,
        r#"{"figure":"provider","source":{"provider":"North Trust","kind":"health"},"part":"met"}"#
    );
    assert_eq!(serde_json::from_str::<Figure>(&text).unwrap(), figure);
}

#[test]
fn figures_travel_as_json() {
    let figure = measure(
        INCL,
        Slice::Month(Month {
            year: 2026,
            month: 3,
        }),
        Part::NotMet,
    );
    let text = serde_json::to_string(&figure).unwrap();
    assert_eq!(serde_json::from_str::<Figure>(&text).unwrap(), figure);
    let late = Figure::LateStep {
        step: LateStep::Advice(AdviceKind::SocialCare),
    };
    let text = serde_json::to_string(&late).unwrap();
    assert_eq!(
        text,
        r#"{"figure":"late_step","step":"advice:social_care"}"#
    );
    assert_eq!(serde_json::from_str::<Figure>(&text).unwrap(), late);
}

#[test]
fn an_empty_period_measures_nothing() {
    let spec = DashboardSpec {
        period: Period {
            start: date("2024-01-01"),
            end: date("2024-01-31"),
        },
        ..spec()
    };
    let mut d = Dashboard::new(spec, Targets::default());
    for case in built() {
        d.add(&case.timeline, &case.groups());
    }
    assert_eq!(d.headline.rate(FINAL_PLANS_EXCL), Some(rate(0, 0)));
    assert_eq!(d.headline.weeks_to_issue_mean_excl_exceptions(), None);
    assert_eq!(d.lateness.late_plans, 0);
    assert!(d.trend.iter().all(|(_, m)| m.final_plans_issued == 0));
    // The backlog is as at the as-of date, whatever the period.
    assert_eq!(d.backlog.total(), 3);
}

#[test]
fn months_know_their_bounds() {
    let feb = Month::of(date("2024-02-10"));
    assert_eq!(feb.period().start, date("2024-02-01"));
    assert_eq!(feb.period().end, date("2024-02-29"));
    assert_eq!(Month::of(date("2026-01-31")).back(1).to_string(), "2025-12");
    assert_eq!(feb.label(), "February 2024");
    assert_eq!(feb.short_label(), "Feb 2024");
}

#[test]
fn pseudonyms_are_deterministic_keyed_and_do_not_show_the_reference() {
    let key = PseudonymKey::new(*b"a deployment key of 32 bytes....").unwrap();
    let other = PseudonymKey::new(*b"another deployment's secret key.").unwrap();
    let reference = Reference::parse("EHC-2026-000123").unwrap();
    let first = pseudonym(&key, &reference);
    assert_eq!(first, pseudonym(&key, &reference));
    assert_ne!(first, pseudonym(&other, &reference));
    assert_ne!(
        first,
        pseudonym(&key, &Reference::parse("EHC-2026-000124").unwrap())
    );
    assert_eq!(first.len(), 18);
    assert!(first.starts_with("P-"));
    assert!(
        first[2..]
            .chars()
            .all(|c| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c))
    );
    assert!(!first.contains("123"));
    // Pinned, so that pseudonyms stay comparable across releases.
    assert_eq!(first, PINNED);
    assert!(PseudonymKey::new(*b"too short").is_none());
}

/// HMAC-SHA-256 of the reference under the key above, first 80 bits in Crockford base 32
/// (checked with Python's hmac module).
const PINNED: &str = "P-HDCFTSFHGAHGVSJP";

/// The health lead's figures (period February to March 2026, as at 30 April): requests made in
/// the period, and those still awaited on the as-of date, overdue or not.
/// - R: South Trust asked 2 February, answered 10 March; asked again 1 March, still awaited and
///   past its 6 weeks (due 12 April); North Trust asked 20 April, after the period, awaited.
#[test]
fn each_providers_requests_and_awaited_advice_are_counted() {
    let file = CaseFile::from_value(json!({ "reference": "R", "events": [
        { "type": "request_received", "date": "2026-01-12" },
        { "type": "advice_requested", "date": "2026-02-02", "advice": "health", "id": "a", "provider": "South Trust" },
        { "type": "advice_received", "date": "2026-03-10", "advice": "health", "id": "a" },
        { "type": "advice_requested", "date": "2026-03-01", "advice": "health", "id": "b", "provider": "South Trust" },
        { "type": "advice_requested", "date": "2026-04-20", "advice": "health", "id": "c", "provider": "North Trust" }
    ]}))
    .unwrap();
    let timeline = timeline::compute(&file, spec().as_of);
    let mut d = Dashboard::new(spec(), wsoa());
    d.add(&timeline, &CaseGroups::of(&file, None));
    let source = |provider: &str| AdviceSource {
        provider: Some(provider.to_owned()),
        kind: AdviceKind::Health,
    };
    let (south, north) = (source("South Trust"), source("North Trust"));
    let workload = |requested, outstanding, overdue| ProviderWorkload {
        requested,
        outstanding,
        overdue,
    };
    assert_eq!(d.workload_by_provider[&south], workload(2, 1, 1));
    assert_eq!(d.workload_by_provider[&north], workload(0, 1, 0));
    let rows: Vec<(String, u64)> = d
        .providers_of(AdviceKind::Health)
        .into_iter()
        .map(|(s, rate, w)| (s.provider.clone().unwrap(), rate.denominator + w.requested))
        .collect();
    assert_eq!(
        rows,
        [("North Trust".to_owned(), 0), ("South Trust".to_owned(), 3)]
    );
    let includes =
        |figure: Figure| spec().includes(&timeline, &CaseGroups::of(&file, None), &figure);
    assert!(includes(Figure::ProviderRequested {
        source: south.clone()
    }));
    assert!(!includes(Figure::ProviderRequested {
        source: north.clone()
    }));
    assert!(includes(Figure::ProviderOutstanding {
        source: south,
        overdue: true
    }));
    assert!(!includes(Figure::ProviderOutstanding {
        source: north.clone(),
        overdue: true
    }));
    assert!(includes(Figure::ProviderOutstanding {
        source: north,
        overdue: false
    }));
}
