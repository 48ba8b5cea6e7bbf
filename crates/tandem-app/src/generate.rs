//! Synthetic case histories for the demo, benchmarks and tests (`tandem generate`).
//!
//! One local area's last three years: requests arriving through the year, refusals, assessments
//! with advice from several bodies, plans issued on time and late, statutory exceptions (some
//! wrongly claimed), annual reviews, amendments, phase transfers and ceased plans. Timeliness
//! improves over the three years, as an area working to a written statement of action would hope
//! to show, and late advice (health most of all) is the main reason plans are late.
//!
//! Each case draws from its own generator seeded from (seed, index): the output for a seed is the
//! same on every machine and release of Tandem's dependencies, and memory does not grow with the
//! number of cases. Names and settings are synthetic combinations of common words.

use std::ops::RangeInclusive;

use chrono::{Datelike, Days, Months, Weekday};
use rand_pcg::Pcg64Mcg;
use rand_pcg::rand_core::Rng;
use serde_json::{Map, Value};
use tandem_core::request::RequestDetails;
use tandem_core::returns::Rule;
use tandem_core::{
    AdviceKind, AssessOutcome, CaseFile, Child, Date, Event, EventDetail, ExceptionClaim,
    ExceptionKind, IssueOutcome, PhaseKind, Reference, ReviewOutcome,
};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateOptions {
    /// How many cases to generate; their references run `EHC-YYYY-000001` upwards.
    pub cases: usize,
    /// Chooses the histories: the same seed (with the same other options) gives the same cases
    /// on every machine.
    pub seed: u64,
    /// The day the histories are known up to: requests fall in the three years before it, and no
    /// event is dated after it except planned phase transfers.
    pub as_of: Date,
    /// How many case managers the cases are spread over (at least one).
    pub case_managers: usize,
}

/// One generated case and who manages it.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedCase {
    /// The case's history as a case file, ready to import.
    pub case: CaseFile,
    /// Index of the case manager, below [`GenerateOptions::case_managers`].
    pub case_manager: usize,
    /// The data problems deliberately planted in the child's return details (a missing UPN
    /// with no reason, an impossible setting date): what the data-quality rules must find on
    /// this case whenever it goes into a return, and nothing else.
    pub planted: Vec<Rule>,
}

/// The cases, one at a time, in the order their requests arrived.
///
/// # Panics
///
/// When `case_managers` is 0.
pub fn generate(options: &GenerateOptions) -> impl Iterator<Item = GeneratedCase> + use<> {
    assert!(
        options.case_managers > 0,
        "cases need at least one case manager"
    );
    let options = *options;
    let arrivals = Arrivals::new(options.as_of);
    (0..options.cases).map(move |index| generate_case(&options, &arrivals, index))
}

/// The window requests arrive in.
const WINDOW_DAYS: u64 = 3 * 365;
/// "At least 15 days" to comment on a draft (reg 13(1)).
const COMMENT_PERIOD_DAYS: u64 = 15;

// Shares of cases in a typical English area (issue 3, item 6; statutory-timescales §10).
const NOT_ASSESSED: f64 = 0.25;
const WITHDRAWN: f64 = 0.04;
const NOT_ISSUED: f64 = 0.05;
/// Outside phase-transfer reviews (which always amend, to name the next setting), so that all
/// reviews come to about 55% maintain, 40% amend and 3% cease. A decision to cease is the one
/// the council ends with (a decision overturned on appeal is not made up), so the plan always
/// stops 4 to 10 weeks after it.
const REVIEW_OUTCOMES: [(ReviewOutcome, u32); 3] = [
    (ReviewOutcome::Maintain, 70),
    (ReviewOutcome::Amend, 26),
    (ReviewOutcome::Cease, 4),
];
/// Each year some families move to another area, which takes the plan over (reg 15). With the
/// reviews that cease plans, about 4% of plans cease a year.
const MOVED_AWAY: f64 = 0.012;
/// Assessments held up for months (disputes over the setting, re-consultation): plans over a year.
const STALLED: f64 = 0.05;
const FINAL_TOO_SOON: f64 = 0.015;
const AMENDMENTS_WITH_DECISION: f64 = 0.85;
const ISSUE_DECISION_RECORDED: f64 = 0.85;
// Statutory exceptions: about 4% of assessments, a few of them claimed wrongly.
const ABSENT_FROM_AREA: f64 = 0.008;
const PERSONAL_CIRCUMSTANCES: f64 = 0.01;
const MISSED_APPOINTMENT: f64 = 0.01;
const SUMMER_CLOSURE_CLAIMED: f64 = 0.15;
const CLAIM_QUALIFIES: f64 = 0.8;

#[expect(
    clippy::expect_used,
    reason = "synthetic dates stay far inside chrono's range and references are made valid"
)]
fn generate_case(options: &GenerateOptions, arrivals: &Arrivals, index: usize) -> GeneratedCase {
    let mut dice = Dice::for_case(options.seed, index as u64);
    // Stratified over the window so that references follow the order requests arrived in.
    let (request, progress) = arrivals.at((index as f64 + dice.unit()) / options.cases as f64);
    let case_manager = dice.below(options.case_managers as u64) as usize;
    let age = dice.weighted(&AGES_AT_REQUEST);
    let date_of_birth = request
        .checked_sub_months(Months::new(12 * age))
        .and_then(|d| d.checked_sub_days(Days::new(dice.days(0..=364))))
        .expect("dates of birth stay in range");
    let child = Child {
        date_of_birth: Some(date_of_birth),
        other: child_details(&mut dice, age),
    };
    let mut story = Story {
        dice,
        events: Vec::with_capacity(32),
        as_of: options.as_of,
        progress,
        // A quarter of case managers carry more than they can: their drafts are slower.
        overloaded: case_manager % 4 == 3,
    };
    if let Some(plan) = story.assessment(request, age) {
        story.plan(plan, date_of_birth);
    }
    let as_of = options.as_of;
    let mut events = story.events;
    // Nothing happens to a plan after it stopped (contracts/case-file.md §1): amendments still
    // in hand and planned moves fall away with it.
    let ceased = events
        .iter()
        .find(|e| e.detail == EventDetail::PlanCeased)
        .map(|e| e.date);
    events.retain(|e| {
        (e.date <= as_of || matches!(e.detail, EventDetail::PhaseTransfer { .. }))
            && ceased.is_none_or(|c| e.date <= c)
    });
    events.sort();
    let mut child = child;
    let mut asked = RequestDetails::default();
    let planted = crate::generate_returns::add(options, index, &mut child, &events, &mut asked);
    let reference = format!("EHC-{}-{:06}", request.year(), index + 1);
    GeneratedCase {
        case: CaseFile {
            reference: Reference::parse(&reference).expect("generated references are valid"),
            child,
            events,
            request: asked,
        },
        case_manager,
        planted,
    }
}

/// Names, primary need and setting: synthetic combinations, never a real record.
fn child_details(dice: &mut Dice, age: u32) -> Map<String, Value> {
    let setting_kinds: &[&str] = match age {
        0..=3 => &["Nursery", "Pre-School", "Children's Centre"],
        4..=10 => &["Primary School", "Infant School", "Junior School"],
        11..=15 => &["Academy", "High School", "School"],
        _ => &["College", "Sixth Form College"],
    };
    let setting = format!("{} {}", dice.pick(&PLACES), dice.pick(setting_kinds));
    [
        ("given_name", dice.pick(&GIVEN_NAMES).to_string()),
        ("family_name", dice.pick(&FAMILY_NAMES).to_string()),
        ("primary_need", dice.weighted(&PRIMARY_NEEDS).to_string()),
        ("setting", setting),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), Value::String(value)))
    .collect()
}

/// How an assessment ended.
enum Ending {
    /// A decision not to assess or not to issue, on this date.
    Refused(Date),
    /// The final plan, issued on this date.
    Plan(Date),
}

/// One case's history as it is being made.
struct Story {
    dice: Dice,
    events: Vec<Event>,
    as_of: Date,
    /// How far through the three years the request came (0 oldest, 1 newest).
    progress: f64,
    overloaded: bool,
}

impl Story {
    /// Records a step taken by the council or a partner; offices act on working days.
    fn act(&mut self, date: Date, detail: EventDetail) -> Date {
        let date = working_day(date);
        self.events.push(Event::new(date, detail));
        date
    }

    fn record_claim(&mut self, from: Date, mut claim: ExceptionClaim) {
        // A circumstance still going on at the as-of date has no known end yet.
        claim.to = claim.to.filter(|to| *to <= self.as_of);
        self.events
            .push(Event::new(from, EventDetail::Exception(Box::new(claim))));
    }

    /// A share that moves from `first` for the oldest requests to `last` for the newest: the
    /// service improving.
    fn improving(&self, first: f64, last: f64) -> f64 {
        first + (last - first) * self.progress
    }

    /// The assessment; the final plan's date if one was issued.
    fn assessment(&mut self, request: Date, age: u32) -> Option<Date> {
        self.events
            .push(Event::new(request, EventDetail::RequestReceived));
        let withdrawn = self
            .dice
            .chance(WITHDRAWN)
            .then(|| plus(request, self.dice.days(14..=150)));
        let (ended, plan) = match self.assess(request, age) {
            Ending::Refused(date) => (date, None),
            Ending::Plan(date) => (date, Some(date)),
        };
        match withdrawn {
            Some(withdrawn) if withdrawn < ended => {
                self.events.retain(|e| e.date <= withdrawn);
                self.act(withdrawn, EventDetail::RequestWithdrawn);
                None
            }
            _ => plan,
        }
    }

    fn assess(&mut self, request: Date, age: u32) -> Ending {
        let late = self.improving(0.15, 0.03);
        let decided = plus(request, self.dice.spread(late, 14..=42, 43..=60));
        if self.dice.chance(NOT_ASSESSED) {
            let outcome = AssessOutcome::NotAssess;
            return Ending::Refused(self.act(decided, EventDetail::DecisionToAssess { outcome }));
        }
        let outcome = AssessOutcome::Assess;
        let decided = self.act(decided, EventDetail::DecisionToAssess { outcome });
        let held_up = self.family_circumstances(decided);
        // Advice from year 9 includes preparing for adulthood (reg 6(1)(g)).
        let adult = (age >= 14).then_some(AdviceKind::PreparingForAdulthood);
        let mut complete = decided;
        for kind in ADVICE_SOUGHT.into_iter().chain(adult) {
            complete = complete.max(self.advice(kind, decided));
        }
        let panel = working_day(plus(complete, self.dice.days(2..=10) + held_up));
        if self.dice.chance(NOT_ISSUED) {
            let outcome = IssueOutcome::NotIssue;
            return Ending::Refused(self.act(panel, EventDetail::DecisionToIssue { outcome }));
        }
        if self.dice.chance(ISSUE_DECISION_RECORDED) {
            let outcome = IssueOutcome::Issue;
            self.act(panel, EventDetail::DecisionToIssue { outcome });
        }
        let draft = self.drafting_days();
        let draft = self.act(plus(panel, draft), EventDetail::DraftPlanIssued);
        let comments = self.consultation_days();
        Ending::Plan(self.act(plus(draft, comments), EventDetail::FinalPlanIssued))
    }

    /// Asks for one kind of advice soon after the decision; the day it comes back.
    fn advice(&mut self, kind: AdviceKind, decided: Date) -> Date {
        let asked = plus(decided, self.dice.days(0..=3));
        let (provider, lateness) = self.dice.weighted(providers(kind));
        let requested = self.act(
            asked,
            EventDetail::AdviceRequested {
                advice: kind,
                id: None,
                provider: Some(provider.to_owned()),
            },
        );
        let delayed = match kind {
            AdviceKind::Education => self.summer_closure(requested),
            AdviceKind::Health => self.missed_appointment(requested),
            _ => None,
        };
        let received = delayed.unwrap_or_else(|| {
            let (first, last) = late_advice(kind);
            let late = (self.improving(first, last) * lateness).min(0.95);
            plus(requested, self.dice.spread(late, 7..=42, 43..=80))
        });
        self.act(
            received,
            EventDetail::AdviceReceived {
                advice: kind,
                id: None,
            },
        )
    }

    /// A school asked for advice just before or during the summer holiday answers after it
    /// reopens; sometimes the council relies on the closure exception (reg 10(4)(a)).
    fn summer_closure(&mut self, requested: Date) -> Option<Date> {
        let year = requested.year();
        let closed = ymd(year, 7, 23);
        let reopens = ymd(year, 9, 3);
        let week = Days::new(7);
        if !(closed - week..=reopens - week).contains(&requested) {
            return None;
        }
        if self.dice.chance(SUMMER_CLOSURE_CLAIMED) {
            let reason =
                "The school was closed for the summer holiday when its advice was requested.";
            let claim = ExceptionClaim {
                advice: Some(AdviceKind::Education),
                setting_closed_from: Some(closed),
                setting_reopens: Some(reopens),
                ..claim(ExceptionKind::SchoolClosure, reason)
            };
            self.record_claim(requested, claim);
        }
        Some(plus(reopens, self.dice.days(3..=25)))
    }

    /// A missed health appointment delays the health advice. It disapplies the advice's time
    /// limit only when it fell within the 6 weeks (reg 8(2)); now and then it is claimed late.
    fn missed_appointment(&mut self, requested: Date) -> Option<Date> {
        if !self.dice.chance(MISSED_APPOINTMENT) {
            return None;
        }
        let missed = if self.dice.chance(CLAIM_QUALIFIES) {
            self.dice.days(7..=40)
        } else {
            self.dice.days(44..=60)
        };
        let missed = plus(requested, missed);
        let reason = self.dice.pick(&MISSED_REASONS);
        let claim = ExceptionClaim {
            advice: Some(AdviceKind::Health),
            ..claim(ExceptionKind::MissedAppointment, reason)
        };
        self.record_claim(missed, claim);
        Some(plus(missed, self.dice.days(21..=56)))
    }

    /// Absence from the area or exceptional personal circumstances during the assessment
    /// (reg 10(4)(c),(d)); the days it holds the assessment up. Some absences claimed are too
    /// short to qualify.
    fn family_circumstances(&mut self, decided: Date) -> u64 {
        let roll = self.dice.unit();
        if roll >= ABSENT_FROM_AREA + PERSONAL_CIRCUMSTANCES {
            return 0;
        }
        let from = plus(decided, self.dice.days(0..=70));
        let (kind, days, to_known, reasons) = if roll < ABSENT_FROM_AREA {
            let days = if self.dice.chance(CLAIM_QUALIFIES) {
                self.dice.days(28..=70)
            } else {
                self.dice.days(10..=25)
            };
            (ExceptionKind::AbsentFromArea, days, true, &ABSENCE_REASONS)
        } else {
            let days = self.dice.days(14..=90);
            let to_known = self.dice.chance(0.7);
            let kind = ExceptionKind::ExceptionalPersonalCircumstances;
            (kind, days, to_known, &PERSONAL_REASONS)
        };
        let reason = self.dice.pick(reasons);
        let claim = ExceptionClaim {
            // `days` counts both ends.
            to: to_known.then(|| plus(from, days - 1)),
            ..claim(kind, reason)
        };
        self.record_claim(from, claim);
        days
    }

    /// From the panel to the draft: quick for most; slow when the team is behind (less so as
    /// the service improves, more so for overloaded case managers); stalled for a few.
    fn drafting_days(&mut self) -> u64 {
        let slow = self.improving(0.55, 0.05) + if self.overloaded { 0.1 } else { 0.0 };
        let mut days = self.dice.spread(slow, 3..=14, 20..=90);
        if self.dice.chance(STALLED) {
            days += self.dice.days(180..=330);
        }
        days
    }

    /// From the draft to the final plan: the comment period and consultation with the school,
    /// longer when it disagrees; a few plans are finalised too soon.
    fn consultation_days(&mut self) -> u64 {
        if self.dice.chance(FINAL_TOO_SOON) {
            return self.dice.days(7..=COMMENT_PERIOD_DAYS - 1);
        }
        COMMENT_PERIOD_DAYS + self.dice.spread(0.08, 0..=14, 15..=60)
    }

    /// The plan's life up to the as-of date: annual reviews and their decisions, amendments,
    /// phase transfers, and ceasing.
    fn plan(&mut self, issued: Date, date_of_birth: Date) {
        // Only transfers whose year starts with the plan in place get a phase-transfer review.
        let transfers: Vec<(Date, PhaseKind)> = phase_transfers(date_of_birth)
            .into_iter()
            .filter(|(moving, _)| transfer_year_start(*moving) >= issued)
            .collect();
        let ceased = self.reviews(issued, date_of_birth, &transfers);
        for (moving, kind) in transfers {
            let known = transfer_year_start(moving);
            if known <= self.as_of && ceased.is_none_or(|c| c > known) {
                // Dated the day of the move, which may be still to come.
                self.events
                    .push(Event::new(moving, EventDetail::PhaseTransfer { kind }));
            }
        }
    }

    /// Reviews until the as-of date; the day the plan ceased, if it did.
    #[expect(
        clippy::expect_used,
        reason = "a date of birth plus 25 years stays inside chrono's range"
    )]
    fn reviews(
        &mut self,
        issued: Date,
        date_of_birth: Date,
        transfers: &[(Date, PhaseKind)],
    ) -> Option<Date> {
        let turns_25 = date_of_birth
            .checked_add_months(Months::new(12 * 25))
            .expect("date range");
        let mut transfers = transfers.iter().peekable();
        let mut start = issued;
        loop {
            let late = self.improving(0.25, 0.12);
            let due_soon = plus(start, self.dice.spread(late, 300..=362, 366..=450));
            while transfers.next_if(|(moving, _)| *moving <= start).is_some() {}
            // The review in the year before a move is held in the autumn, so that the amended
            // plan can name the new setting before the deadline (reg 18).
            let transfer =
                transfers.next_if(|(moving, _)| due_soon >= transfer_year_start(*moving));
            let meeting = match transfer {
                Some((moving, _)) => {
                    let autumn = plus(ymd(moving.year() - 1, 9, 15), self.dice.days(0..=80));
                    due_soon.min(autumn).max(plus(start, 28))
                }
                None => due_soon,
            };
            // Plans end at 25 (CFA s.46 allows no later than the end of that school year).
            if meeting > turns_25 {
                return Some(self.act(turns_25.max(start), EventDetail::PlanCeased));
            }
            if self.dice.chance(MOVED_AWAY) {
                let moved = plus(
                    start,
                    self.dice.days(1..=(meeting - start).num_days() as u64),
                );
                return Some(self.act(moved, EventDetail::PlanCeased));
            }
            if meeting > self.as_of {
                return None;
            }
            let meeting = self.act(meeting, EventDetail::ReviewMeetingHeld);
            let outcome = if transfer.is_some() {
                ReviewOutcome::Amend
            } else {
                self.dice.weighted(&REVIEW_OUTCOMES)
            };
            let decided = plus(meeting, self.dice.spread(0.2, 7..=28, 29..=42));
            let decided = self.act(decided, EventDetail::ReviewDecision { outcome });
            match outcome {
                ReviewOutcome::Amend => self.amend(decided),
                ReviewOutcome::Cease => {
                    // Stopping takes effect weeks later; a decision near the as-of date stops
                    // the plan by then, so that no cease decision is left without its end.
                    let ceased = working_day(plus(decided, self.dice.days(28..=70)));
                    let ceased = if ceased > self.as_of {
                        decided.max(self.as_of)
                    } else {
                        ceased
                    };
                    self.events
                        .push(Event::new(ceased, EventDetail::PlanCeased));
                    return Some(ceased);
                }
                ReviewOutcome::Maintain => {}
            }
            start = decided;
        }
    }

    /// The proposed amendments, usually sent with the decision as Devon (2022) requires, and
    /// the amended plan 3 to 12 weeks later.
    fn amend(&mut self, decided: Date) {
        let notice = if self.dice.chance(AMENDMENTS_WITH_DECISION) {
            decided
        } else {
            plus(decided, self.dice.days(3..=35))
        };
        let notice = self.act(notice, EventDetail::AmendmentNoticeIssued);
        let amended = plus(notice, self.dice.spread(0.25, 21..=56, 57..=84));
        self.act(amended, EventDetail::AmendedPlanIssued);
    }
}

/// Shares of advice returned after 6 weeks, for the oldest and the newest requests: health most
/// often late, then social care and educational psychology (as in the seed WSOA).
fn late_advice(kind: AdviceKind) -> (f64, f64) {
    match kind {
        AdviceKind::Health => (0.6, 0.3),
        AdviceKind::SocialCare => (0.45, 0.25),
        AdviceKind::EducationalPsychology => (0.35, 0.15),
        AdviceKind::PreparingForAdulthood => (0.25, 0.12),
        AdviceKind::Education => (0.14, 0.06),
        AdviceKind::Parent | AdviceKind::Other => (0.06, 0.04),
    }
}

/// Who is asked for each kind of advice the generator seeks (the services of one fictional
/// area), how often, and how much more or less often than the kind's usual share their advice
/// comes late: within health, mental health services slowest and therapies quickest.
fn providers(kind: AdviceKind) -> &'static [((&'static str, f64), u32)] {
    match kind {
        AdviceKind::Health => &[
            (("Community paediatrics", 1.1), 5),
            (("Children's therapy services", 0.6), 3),
            (("Child and adolescent mental health services", 1.35), 2),
        ],
        AdviceKind::Education => &[(("The child's school or setting", 1.0), 1)],
        AdviceKind::EducationalPsychology => &[(("Educational psychology service", 1.0), 1)],
        AdviceKind::SocialCare => &[(("Children's social care", 1.0), 1)],
        AdviceKind::PreparingForAdulthood => &[(("Preparing for adulthood team", 1.0), 1)],
        AdviceKind::Parent => &[(("The parent or young person", 1.0), 1)],
        AdviceKind::Other => &[(("Another service", 1.0), 1)],
    }
}

/// Every provider the generator asks for advice, so that they can be put on the list of advice
/// providers before generated cases name them.
pub fn provider_names() -> impl Iterator<Item = &'static str> {
    AdviceKind::ALL
        .iter()
        .flat_map(|kind| providers(*kind).iter().map(|((name, _), _)| *name))
}

/// A claim with its kind and reason; the caller fills in the rest.
fn claim(kind: ExceptionKind, reason: &str) -> ExceptionClaim {
    ExceptionClaim {
        kind,
        to: None,
        advice: None,
        id: None,
        setting_closed_from: None,
        setting_reopens: None,
        reason: Some(reason.to_owned()),
        evidence: None,
    }
}

/// The moves between phases a child makes on 1 September, into reception, to secondary school
/// and to post-16, by school year group (children born September to August start together).
fn phase_transfers(date_of_birth: Date) -> [(Date, PhaseKind); 3] {
    let cohort = date_of_birth.year() + i32::from(date_of_birth.month() >= 9);
    [
        (4, PhaseKind::School),
        (11, PhaseKind::School),
        (16, PhaseKind::Post16),
    ]
    .map(|(age, kind)| (ymd(cohort + age, 9, 1), kind))
}

/// The first day of the 12 months before a move (reg 18: "within 12 months of a transfer").
#[expect(clippy::expect_used, reason = "1 September exists in every year")]
fn transfer_year_start(moving: Date) -> Date {
    moving
        .checked_sub_months(Months::new(12))
        .expect("date range")
}

fn plus(date: Date, days: u64) -> Date {
    date + Days::new(days)
}

#[expect(
    clippy::expect_used,
    reason = "callers pass fixed days that exist in every year"
)]
fn ymd(year: i32, month: u32, day: u32) -> Date {
    Date::from_ymd_opt(year, month, day).expect("a fixed day of the year")
}

/// The next working day on or after `date`: not a weekend, Christmas or New Year's Day (other
/// bank holidays move from year to year and are left aside).
fn working_day(mut date: Date) -> Date {
    while matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        || matches!((date.month(), date.day()), (12, 25 | 26) | (1, 1))
    {
        date = plus(date, 1);
    }
    date
}

/// When requests arrive: the three years before the as-of date, mostly on working days, fewer
/// in August and over Christmas, with demand growing about 10% a year as it has nationally.
struct Arrivals {
    first: Date,
    /// Running total of each day's weight.
    cumulative: Vec<f64>,
}

impl Arrivals {
    fn new(as_of: Date) -> Self {
        let first = as_of - Days::new(WINDOW_DAYS - 1);
        let mut total = 0.0;
        let cumulative = (0..WINDOW_DAYS)
            .map(|offset| {
                let day = plus(first, offset);
                let weekday = match day.weekday() {
                    Weekday::Sat | Weekday::Sun => 0.15,
                    _ => 1.0,
                };
                let season = match (day.month(), day.day()) {
                    (8, _) => 0.45,
                    (12, 24..) | (1, 1) => 0.3,
                    _ => 1.0,
                };
                total += weekday * season * (1.0 + 0.3 * offset as f64 / WINDOW_DAYS as f64);
                total
            })
            .collect();
        Self { first, cumulative }
    }

    /// The day at quantile `q` (0 to 1) of all arrivals, and how far through the window it is.
    fn at(&self, q: f64) -> (Date, f64) {
        let total = self.cumulative.last().copied().unwrap_or_default();
        let offset = self
            .cumulative
            .partition_point(|c| *c <= q * total)
            .min(self.cumulative.len() - 1);
        let progress = offset as f64 / (WINDOW_DAYS - 1) as f64;
        (plus(self.first, offset as u64), progress)
    }
}

/// Random draws for one case. PCG's output is fixed by its specification and the draws below
/// use only integer arithmetic and exact conversions, so a seed gives the same cases everywhere.
pub(crate) struct Dice(Pcg64Mcg);

impl Dice {
    pub(crate) fn for_case(seed: u64, index: u64) -> Self {
        let high = splitmix(seed ^ splitmix(index));
        let low = splitmix(high ^ index);
        Self(Pcg64Mcg::new(u128::from(high) << 64 | u128::from(low)))
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform below `n` (multiply-shift; the bias is far below anything measured here).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.0.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub(crate) fn days(&mut self, range: RangeInclusive<u64>) -> u64 {
        range.start() + self.below(range.end() - range.start() + 1)
    }

    /// Days in `usual`, or in `late` with chance `late_share`.
    fn spread(
        &mut self,
        late_share: f64,
        usual: RangeInclusive<u64>,
        late: RangeInclusive<u64>,
    ) -> u64 {
        if self.chance(late_share) {
            self.days(late)
        } else {
            self.days(usual)
        }
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub(crate) fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            match roll.checked_sub(u64::from(*weight)) {
                Some(rest) => roll = rest,
                None => return *item,
            }
        }
        unreachable!("the roll is below the total weight")
    }
}

/// SplitMix64's finaliser: spreads nearby seeds and indexes over the whole state space.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Advice sought in every assessment (reg 6(1)).
const ADVICE_SOUGHT: [AdviceKind; 5] = [
    AdviceKind::Parent,
    AdviceKind::Education,
    AdviceKind::Health,
    AdviceKind::EducationalPsychology,
    AdviceKind::SocialCare,
];

/// Age in years at the request: mostly primary and secondary school ages.
const AGES_AT_REQUEST: [(u32, u32); 24] = [
    (0, 10),
    (1, 15),
    (2, 30),
    (3, 50),
    (4, 70),
    (5, 80),
    (6, 80),
    (7, 80),
    (8, 75),
    (9, 70),
    (10, 70),
    (11, 65),
    (12, 60),
    (13, 55),
    (14, 50),
    (15, 40),
    (16, 25),
    (17, 15),
    (18, 10),
    (19, 6),
    (20, 3),
    (21, 2),
    (22, 1),
    (23, 1),
];

/// SEN2 primary need codes (`SENtype`, with Down syndrome from 2025), roughly in the national
/// mix of EHC plans.
const PRIMARY_NEEDS: [(&str, u32); 13] = [
    ("ASD", 330),
    ("SLCN", 200),
    ("SEMH", 160),
    ("MLD", 80),
    ("SLD", 70),
    ("PD", 45),
    ("SPLD", 35),
    ("OTH", 25),
    ("PMLD", 20),
    ("HI", 15),
    ("VI", 10),
    ("DS", 7),
    ("MSI", 3),
];

const GIVEN_NAMES: [&str; 40] = [
    "Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Oscar", "Muhammad", "Jack", "Charlie",
    "Freddie", "Theo", "Alfie", "Henry", "Jacob", "Archie", "Thomas", "Joshua", "Daniel", "Samuel",
    "Olivia", "Amelia", "Isla", "Ava", "Lily", "Freya", "Ivy", "Florence", "Sophia", "Mia",
    "Grace", "Evie", "Poppy", "Ella", "Isabella", "Aisha", "Zara", "Ruby", "Emily", "Hannah",
];

const FAMILY_NAMES: [&str; 40] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Thomas", "Clarke", "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Hughes", "Moore", "King", "Lewis", "Baker", "Khan", "Ali", "Begum", "Ahmed",
    "Scott", "Young",
];

const PLACES: [&str; 24] = [
    "Oakfield",
    "Meadowbank",
    "Riverside",
    "Hillcrest",
    "Ashgrove",
    "Beechwood",
    "Brookside",
    "Elmhurst",
    "Fairfield",
    "Greenacre",
    "Hawthorn",
    "Kingsmead",
    "Larkrise",
    "Millbrook",
    "Northgate",
    "Parkside",
    "Queensway",
    "Redbrook",
    "Southfield",
    "Thornbury",
    "Westfield",
    "Willowbank",
    "St Mary's",
    "St John's",
];

const ABSENCE_REASONS: [&str; 3] = [
    "The family was abroad caring for a relative.",
    "The family was staying outside the area while their home was repaired.",
    "The child was away from the area with a parent on a long work posting.",
];

const PERSONAL_REASONS: [&str; 3] = [
    "A bereavement in the family.",
    "The child was in hospital for an extended stay.",
    "The parent was seriously ill.",
];

const MISSED_REASONS: [&str; 2] = [
    "The child did not attend the paediatric appointment; a new one was offered.",
    "The family missed the audiology appointment; it was rebooked.",
];
