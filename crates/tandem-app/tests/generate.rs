//! The synthetic case generator: deterministic, well-formed, and telling a realistic story when
//! its histories are run through the timeline engine. Bands are tolerant; run with
//! `--nocapture` to see the measured shares.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use tandem_app::generate::{GenerateOptions, GeneratedCase, generate};
use tandem_core::lateness::first_late_step;
use tandem_core::{
    AssessOutcome, CaseFile, Date, EventDetail, IssueOutcome, ReviewOutcome, Stage, Status,
    Timeline, WarningCode, dates, timeline,
};

const CASE_MANAGERS: usize = 8;

fn as_of() -> Date {
    dates::parse_iso("2026-03-31").unwrap()
}

fn options(cases: usize, seed: u64) -> GenerateOptions {
    GenerateOptions {
        cases,
        seed,
        as_of: as_of(),
        case_managers: CASE_MANAGERS,
    }
}

/// 5,000 cases with their timelines, made once for all the tests.
static SAMPLE: LazyLock<Vec<(GeneratedCase, Timeline)>> = LazyLock::new(|| {
    generate(&options(5_000, 2026))
        .map(|g| {
            let timeline = timeline::compute(&g.case, as_of());
            (g, timeline)
        })
        .collect()
});

fn cases() -> impl Iterator<Item = &'static CaseFile> {
    SAMPLE.iter().map(|(g, _)| &g.case)
}

fn timelines() -> impl Iterator<Item = &'static Timeline> {
    SAMPLE.iter().map(|(_, t)| t)
}

fn count_events(case: &CaseFile, wanted: impl Fn(&EventDetail) -> bool) -> usize {
    case.events.iter().filter(|e| wanted(&e.detail)).count()
}

fn has_event(case: &CaseFile, wanted: impl Fn(&EventDetail) -> bool) -> bool {
    count_events(case, wanted) > 0
}

fn share(numerator: usize, denominator: usize) -> f64 {
    assert!(denominator > 0, "nothing to measure");
    numerator as f64 / denominator as f64
}

fn in_band(name: &str, value: f64, band: std::ops::RangeInclusive<f64>) {
    eprintln!("{name}: {:.1}%", value * 100.0);
    assert!(
        band.contains(&value),
        "{name} is {:.1}%, expected {:.0}%–{:.0}%",
        value * 100.0,
        band.start() * 100.0,
        band.end() * 100.0
    );
}

fn has_warning(timeline: &Timeline, code: WarningCode) -> bool {
    timeline.warnings.iter().any(|w| w.code == code)
}

#[test]
fn the_same_seed_gives_the_same_cases_and_another_seed_others() {
    let first: Vec<_> = generate(&options(300, 7)).collect();
    let again: Vec<_> = generate(&options(300, 7)).collect();
    let other: Vec<_> = generate(&options(300, 8)).collect();
    assert_eq!(first.len(), 300);
    assert_eq!(first, again);
    assert_ne!(first, other);
    let json = |cases: &[GeneratedCase]| {
        cases
            .iter()
            .map(|g| g.case.to_value().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(json(&first), json(&again));
}

#[test]
fn every_case_is_well_formed() {
    let mut references = HashSet::new();
    for (generated, timeline) in SAMPLE.iter() {
        let case = &generated.case;
        assert!(generated.case_manager < CASE_MANAGERS);
        assert!(
            references.insert(case.reference.as_str()),
            "{} repeated",
            case.reference
        );
        assert!(case.reference.as_str().starts_with("EHC-20"));
        let again = CaseFile::from_value(case.to_value()).expect("the case file parses back");
        assert_eq!(&again, case);
        for event in &case.events {
            let planned_move = matches!(event.detail, EventDetail::PhaseTransfer { .. });
            assert!(
                event.date <= as_of() || planned_move,
                "{}: {event} is after the as-of date",
                case.reference
            );
        }
        for code in [
            WarningCode::EventBeforeRequest,
            WarningCode::AdviceReceivedWithoutRequest,
            WarningCode::EventsAfterAsOf,
        ] {
            assert!(
                !has_warning(timeline, code),
                "{}: {code} in {:?}",
                case.reference,
                timeline.warnings
            );
        }
        let child = &case.child;
        for field in ["given_name", "family_name", "primary_need", "setting"] {
            assert!(
                child.text(field).is_some(),
                "{}: no {field}",
                case.reference
            );
        }
        let born = child.date_of_birth.expect("a date of birth");
        let request = case.events[0].date;
        assert!(born < request && request - born < chrono::TimeDelta::days(26 * 365));
    }
    let managers: HashSet<_> = SAMPLE.iter().map(|(g, _)| g.case_manager).collect();
    assert_eq!(
        managers.len(),
        CASE_MANAGERS,
        "every case manager has cases"
    );
}

#[test]
fn requests_are_refused_withdrawn_and_not_issued_in_realistic_shares() {
    let requests = cases().count();
    let decided = |outcome| {
        cases()
            .filter(|c| has_event(c, |d| *d == EventDetail::DecisionToAssess { outcome }))
            .count()
    };
    let (assessed, refused) = (
        decided(AssessOutcome::Assess),
        decided(AssessOutcome::NotAssess),
    );
    in_band(
        "not assessed",
        share(refused, assessed + refused),
        0.20..=0.30,
    );
    let withdrawn = cases()
        .filter(|c| has_event(c, |d| *d == EventDetail::RequestWithdrawn))
        .count();
    in_band("withdrawn", share(withdrawn, requests), 0.01..=0.05);
    let issue = |outcome| {
        cases()
            .filter(|c| has_event(c, |d| *d == EventDetail::DecisionToIssue { outcome }))
            .count()
    };
    in_band(
        "not issued, of assessed",
        share(issue(IssueOutcome::NotIssue), assessed),
        0.02..=0.09,
    );
    let finals = cases()
        .filter(|c| has_event(c, |d| *d == EventDetail::FinalPlanIssued))
        .count();
    in_band(
        "issue decision recorded, of final plans",
        share(issue(IssueOutcome::Issue), finals),
        0.6..=0.98,
    );
    // Some cases are at every stage on the as-of date.
    let stages: HashSet<Stage> = timelines().map(|t| t.stage).collect();
    for stage in [
        Stage::AwaitingDecision,
        Stage::Assessing,
        Stage::DraftIssued,
        Stage::PlanMaintained,
        Stage::NotAssessed,
        Stage::NotIssued,
        Stage::Withdrawn,
        Stage::Ceased,
    ] {
        assert!(stages.contains(&stage), "no case at {stage:?}");
    }
}

/// Final plans whose outcome is settled on the as-of date (met, late or overdue), by the year of
/// the window their request came in: (met, settled).
fn final_plans_by_year() -> [(usize, usize); 3] {
    let start = as_of() - chrono::Days::new(3 * 365);
    let mut years = [(0, 0); 3];
    for timeline in timelines() {
        let Some(plan) = timeline.milestone("final_plan") else {
            continue;
        };
        if !matches!(plan.status, Status::Met | Status::Late | Status::Overdue) {
            continue;
        }
        let year = (((plan.start - start).num_days() / 365) as usize).min(2);
        years[year].0 += usize::from(plan.status == Status::Met);
        years[year].1 += 1;
    }
    years
}

#[test]
fn final_plans_are_on_time_less_than_half_the_time_and_improving() {
    let years = final_plans_by_year();
    let (met, settled) = years
        .iter()
        .fold((0, 0), |(m, s), (ym, ys)| (m + ym, s + ys));
    let rates = years.map(|(m, s)| share(m, s));
    for (year, rate) in rates.iter().enumerate() {
        eprintln!(
            "final plans within 20 weeks, requests in year {}: {:.1}%",
            year + 1,
            rate * 100.0
        );
    }
    in_band(
        "final plans within 20 weeks",
        share(met, settled),
        0.38..=0.55,
    );
    assert!(rates[0] < rates[1] && rates[1] < rates[2], "{rates:?}");
    assert!(rates[2] - rates[0] > 0.15, "{rates:?}");

    let finals: Vec<_> = timelines()
        .filter_map(|t| t.milestone("final_plan"))
        .filter_map(|m| m.done.map(|done| (done - m.start).num_days()))
        .collect();
    let over_a_year = finals.iter().filter(|days| **days > 52 * 7).count();
    in_band(
        "final plans over 52 weeks",
        share(over_a_year, finals.len()),
        0.005..=0.08,
    );
    let too_soon = timelines()
        .filter(|t| has_warning(t, WarningCode::FinalBeforeCommentPeriodEnd))
        .count();
    in_band(
        "final plans before the comment period ended",
        share(too_soon, finals.len()),
        0.002..=0.04,
    );
}

#[test]
fn late_plans_are_mostly_late_because_of_advice_health_above_all() {
    let mut late_advice: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for timeline in timelines() {
        for m in timeline.milestones.iter().filter(|m| m.advice.is_some()) {
            let (Some(done), Some(due)) = (m.done, m.due) else {
                continue;
            };
            let entry = late_advice
                .entry(m.advice.unwrap().to_string())
                .or_default();
            entry.0 += usize::from(done > due);
            entry.1 += 1;
        }
    }
    let rate = |kind: &str| {
        let (late, received) = late_advice[kind];
        share(late, received)
    };
    in_band("health advice late", rate("health"), 0.35..=0.55);
    in_band("social care advice late", rate("social_care"), 0.25..=0.45);
    in_band(
        "educational psychology advice late",
        rate("educational_psychology"),
        0.15..=0.35,
    );
    in_band("education advice late", rate("education"), 0.06..=0.2);
    assert!(rate("health") > rate("social_care"));
    assert!(rate("social_care") > rate("educational_psychology"));
    assert!(rate("educational_psychology") > rate("education"));

    let mut causes: BTreeMap<String, usize> = BTreeMap::new();
    for step in timelines().filter_map(|t| first_late_step(t, 14)) {
        *causes.entry(step.key()).or_default() += 1;
    }
    let late_plans: usize = causes.values().sum();
    eprintln!("first late step of {late_plans} late plans: {causes:?}");
    let (top, _) = causes.iter().max_by_key(|(_, n)| **n).unwrap();
    assert_eq!(top, "advice:health");
    let advice: usize = causes
        .iter()
        .filter(|(k, _)| k.starts_with("advice:"))
        .map(|(_, n)| n)
        .sum();
    assert!(share(advice, late_plans) > 0.5, "{causes:?}");
    assert!(causes.get("drafting").copied().unwrap_or(0) > 0);
}

#[test]
fn exceptions_are_claimed_in_a_few_assessments_and_some_do_not_qualify() {
    let assessed = cases()
        .filter(|c| {
            has_event(c, |d| {
                *d == EventDetail::DecisionToAssess {
                    outcome: AssessOutcome::Assess,
                }
            })
        })
        .count();
    let claimed = cases()
        .filter(|c| has_event(c, |d| matches!(d, EventDetail::Exception(_))))
        .count();
    in_band(
        "assessments with an exception",
        share(claimed, assessed),
        0.02..=0.07,
    );
    let mut kinds = HashSet::new();
    let (mut reports, mut qualifying) = (0, 0);
    for timeline in timelines() {
        for report in &timeline.exceptions {
            kinds.insert(report.kind);
            reports += 1;
            qualifying += usize::from(!report.disapplies.is_empty());
        }
    }
    assert_eq!(kinds.len(), 4, "every kind of exception: {kinds:?}");
    // By design about 1 claim in 10 does not qualify; with about 170 claims in the
    // sample the share moves by a few points with the random draws, so the band is loose and
    // the count of failing claims is checked too.
    in_band(
        "exceptions qualifying",
        share(qualifying, reports),
        0.6..=0.97,
    );
    assert!(
        reports - qualifying >= 3,
        "{qualifying} of {reports} qualify"
    );
    for case in cases() {
        for event in &case.events {
            if let EventDetail::Exception(claim) = &event.detail {
                assert!(claim.reason.is_some(), "{}: a reason", case.reference);
            }
        }
    }
}

#[test]
fn plans_are_reviewed_amended_transferred_and_ceased() {
    let decisions = |outcome| {
        cases()
            .map(|c| count_events(c, |d| *d == EventDetail::ReviewDecision { outcome }))
            .sum::<usize>()
    };
    let (maintain, amend, cease) = (
        decisions(ReviewOutcome::Maintain),
        decisions(ReviewOutcome::Amend),
        decisions(ReviewOutcome::Cease),
    );
    let all = maintain + amend + cease;
    eprintln!("review decisions: {all}");
    in_band("reviews maintained", share(maintain, all), 0.4..=0.65);
    in_band("reviews amended", share(amend, all), 0.3..=0.55);
    in_band("reviews ceased", share(cease, all), 0.02..=0.1);

    let milestones = |prefix: &str, suffix: &str| {
        timelines()
            .flat_map(|t| &t.milestones)
            .filter(|m| m.key.starts_with(prefix) && m.key.ends_with(suffix))
            .filter(|m| matches!(m.status, Status::Met | Status::Late))
            .map(|m| m.status == Status::Met)
            .collect::<Vec<_>>()
    };
    let met = |done: &[bool]| share(done.iter().filter(|m| **m).count(), done.len());
    let amended = milestones("review:", ":amended_plan");
    in_band("amended plans within 8 weeks", met(&amended), 0.55..=0.9);
    let meetings: Vec<bool> = timelines()
        .flat_map(|t| &t.milestones)
        .filter(|m| m.key.starts_with("review:") && !m.key[7..].contains(':'))
        .filter(|m| matches!(m.status, Status::Met | Status::Late))
        .map(|m| m.status == Status::Met)
        .collect();
    in_band("review meetings on time", met(&meetings), 0.6..=0.95);
    let transfers = milestones("phase_transfer:", "");
    eprintln!("phase transfers settled: {}", transfers.len());
    in_band(
        "phase transfers amended in time",
        met(&transfers),
        0.6..=0.98,
    );
    let devon = timelines()
        .filter(|t| has_warning(t, WarningCode::AmendmentsAfterDecision))
        .count();
    in_band(
        "amend decisions without the amendments",
        share(devon, amend),
        0.05..=0.25,
    );
    let ceased = cases()
        .filter(|c| has_event(c, |d| *d == EventDetail::PlanCeased))
        .count();
    assert!(ceased > 0);
    assert!(cease > 0, "some reviews decide to cease");
    let future_moves = cases()
        .flat_map(|c| &c.events)
        .filter(|e| matches!(e.detail, EventDetail::PhaseTransfer { .. }) && e.date > as_of())
        .count();
    assert!(future_moves > 0, "planned moves after the as-of date");
}

#[test]
fn nothing_happens_after_a_plan_stops_and_every_cease_decision_stops_it() {
    let mut checked = 0;
    for case in cases() {
        let stopped = case
            .events
            .iter()
            .filter(|e| e.detail == EventDetail::PlanCeased)
            .map(|e| e.date)
            .collect::<Vec<_>>();
        assert!(stopped.len() <= 1, "{}: stopped twice", case.reference);
        if let Some(stopped) = stopped.first() {
            let after: Vec<_> = case.events.iter().filter(|e| e.date > *stopped).collect();
            assert!(
                after.is_empty(),
                "{}: events after the plan stopped on {stopped}: {after:?}",
                case.reference
            );
        }
        for decision in case.events.iter().filter(|e| {
            e.detail
                == EventDetail::ReviewDecision {
                    outcome: ReviewOutcome::Cease,
                }
        }) {
            assert!(
                stopped.first().is_some_and(|s| *s >= decision.date),
                "{}: the decision to cease on {} is not followed by plan_ceased",
                case.reference,
                decision.date
            );
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} cease decisions in the sample");
}
