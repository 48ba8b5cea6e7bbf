//! Invariants of the engine over arbitrary histories (proptest).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use proptest::prelude::*;
use tandem_core::timeline::{self, Timeline};
use tandem_core::{
    AdviceKind, AssessOutcome, CaseFile, Child, Date, Event, EventDetail, ExceptionClaim,
    ExceptionKind, IssueOutcome, PhaseKind, Reference, ReviewOutcome, Status,
};

fn day(offset: u32) -> Date {
    Date::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(u64::from(offset))
}

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(all)
}

/// A claim starting `from` days after 1 January 2024, ending on or after that day if it ends.
fn claim(from: u32) -> impl Strategy<Value = ExceptionClaim> {
    (
        pick(ExceptionKind::ALL),
        proptest::option::of((0u32..120).prop_map(move |len| from + len)),
        proptest::option::of(pick(AdviceKind::ALL)),
        proptest::option::of(pick(&["a", "b"])),
        proptest::option::of((0u32..900, 0u32..80)),
    )
        .prop_map(|(kind, to, advice, id, closure)| ExceptionClaim {
            kind,
            to: to.map(day),
            advice,
            id: id.map(str::to_owned),
            setting_closed_from: closure.map(|(c, _)| day(c)),
            setting_reopens: closure.map(|(c, len)| day(c + len)),
            reason: None,
            evidence: None,
        })
}

/// Any event dated within about two and a half years of 1 January 2024.
fn event() -> impl Strategy<Value = Event> {
    let id = || proptest::option::of(pick(&["a", "b", "c"]).prop_map(str::to_owned));
    let detail = prop_oneof![
        3 => Just(EventDetail::RequestReceived),
        2 => pick(AssessOutcome::ALL).prop_map(|outcome| EventDetail::DecisionToAssess { outcome }),
        3 => (pick(HISTORY_ADVICE), id(), proptest::option::of(pick(&["North Trust", "Council"])))
            .prop_map(|(advice, id, provider)| EventDetail::AdviceRequested { advice, id, provider: provider.map(str::to_owned) }),
        3 => (pick(HISTORY_ADVICE), id()).prop_map(|(advice, id)| EventDetail::AdviceReceived { advice, id }),
        1 => pick(IssueOutcome::ALL).prop_map(|outcome| EventDetail::DecisionToIssue { outcome }),
        1 => Just(EventDetail::DraftPlanIssued),
        2 => Just(EventDetail::FinalPlanIssued),
        2 => Just(EventDetail::ReviewMeetingHeld),
        2 => pick(ReviewOutcome::ALL).prop_map(|outcome| EventDetail::ReviewDecision { outcome }),
        1 => Just(EventDetail::AmendmentNoticeIssued),
        1 => Just(EventDetail::AmendedPlanIssued),
        1 => pick(PhaseKind::ALL).prop_map(|kind| EventDetail::PhaseTransfer { kind }),
        1 => Just(EventDetail::RequestWithdrawn),
        1 => Just(EventDetail::PlanCeased),
    ];
    let exception = (0u32..900).prop_flat_map(|from| {
        claim(from)
            .prop_map(move |claim| Event::new(day(from), EventDetail::Exception(Box::new(claim))))
    });
    prop_oneof![
        24 => (0u32..900, detail).prop_map(|(offset, detail)| Event::new(day(offset), detail)),
        1 => exception,
    ]
}

/// Advice kinds in generated histories; `Other` is kept for the "unrelated advice" property, since
/// a receipt without an id may rightly answer any open request of its own kind.
const HISTORY_ADVICE: &[AdviceKind] = &[
    AdviceKind::Education,
    AdviceKind::Health,
    AdviceKind::SocialCare,
    AdviceKind::EducationalPsychology,
    AdviceKind::Parent,
    AdviceKind::PreparingForAdulthood,
];

fn case_of(events: Vec<Event>) -> CaseFile {
    CaseFile {
        reference: Reference::parse("P-1").unwrap(),
        child: Child::default(),
        events,
        request: Default::default(),
    }
}

fn as_of() -> impl Strategy<Value = Date> {
    (0u32..1200).prop_map(day)
}

fn compute(events: &[Event], as_of: Date) -> Timeline {
    timeline::compute(&case_of(events.to_vec()), as_of)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn deadlines_are_never_before_their_start(events in prop::collection::vec(event(), 0..30), as_of in as_of()) {
        for m in compute(&events, as_of).milestones {
            if let Some(due) = m.due {
                prop_assert!(due >= m.start, "{} due {} before start {}", m.key, due, m.start);
            }
        }
    }

    #[test]
    fn event_order_never_changes_the_result(
        events in prop::collection::vec(event(), 0..30),
        as_of in as_of(),
        seed in any::<u64>(),
    ) {
        let mut shuffled = events.clone();
        // A deterministic shuffle from the seed: reverse, then rotate.
        shuffled.reverse();
        let len = shuffled.len().max(1);
        shuffled.rotate_left((seed as usize) % len);
        let (a, b) = (compute(&events, as_of), compute(&shuffled, as_of));
        prop_assert_eq!(a.milestones, b.milestones);
        prop_assert_eq!(a.warnings, b.warnings);
        prop_assert_eq!(a.stage, b.stage);
    }

    #[test]
    fn unrelated_advice_never_changes_an_existing_milestone(
        events in prop::collection::vec(event(), 0..30),
        requested in 0u32..900,
        received in proptest::option::of(0u32..60),
        as_of in as_of(),
    ) {
        // Advice under an id no other event uses: it adds its own milestone and nothing else moves.
        let before = compute(&events, as_of);
        let mut more = events.clone();
        let (advice, id) = (AdviceKind::Other, Some("unrelated".to_owned()));
        more.push(Event::new(day(requested), EventDetail::AdviceRequested { advice, id: id.clone(), provider: None }));
        if let Some(after) = received {
            more.push(Event::new(day(requested + after), EventDetail::AdviceReceived { advice, id }));
        }
        let after = compute(&more, as_of);
        for m in &before.milestones {
            let same = after.milestone(&m.key);
            prop_assert!(same.is_some(), "{} disappeared", m.key);
            let same = same.unwrap();
            prop_assert_eq!((m.due, m.done, m.status), (same.due, same.done, same.status), "{}", &m.key);
        }
    }

    #[test]
    fn an_exception_never_turns_met_into_anything_else(
        events in prop::collection::vec(event(), 0..30),
        (from, claim) in (0u32..900).prop_flat_map(|from| (Just(from), claim(from))),
        as_of in as_of(),
    ) {
        let before = compute(&events, as_of);
        let mut more = events.clone();
        more.push(Event::new(day(from), EventDetail::Exception(Box::new(claim))));
        let after = compute(&more, as_of);
        for m in before.milestones.iter().filter(|m| m.status == Status::Met) {
            prop_assert_eq!(after.milestone(&m.key).map(|m| m.status), Some(Status::Met), "{}", &m.key);
        }
    }

    #[test]
    fn the_timeline_without_words_is_the_timeline_with_its_words_left_out(
        events in prop::collection::vec(event(), 0..30),
        as_of in as_of(),
    ) {
        let case = case_of(events);
        let figures = timeline::compute_figures(&case, as_of);
        prop_assert_eq!(figures, timeline::compute(&case, as_of).figures_only());
    }

    #[test]
    fn every_case_file_round_trips_through_json(events in prop::collection::vec(event(), 0..20)) {
        let case = case_of(events);
        prop_assert_eq!(CaseFile::from_value(case.to_value()).unwrap(), case);
    }
}
