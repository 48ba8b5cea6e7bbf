//! The quality assurance audit cycle of issued EHC plans (issue 12 item 5): the criteria people
//! grade a plan on, the school terms audits are run in, the seeded draw of a term's sample, the
//! term-on-term results, and the pseudonymised copy kept as a "what good looks like" example.
//!
//! The automated checks ([`super::check`]) look for what a rule can see; an audit is people from
//! education, health and social care reading the whole plan and judging it, criterion by
//! criterion, on the four-point scale councils' QA frameworks use (the same [`Grade`]s as the
//! checks' overall grade). A moderator then settles one grade for the plan.
//!
//! Everything here is pure: the caller gives the candidates, the seed and the scores.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde_json::Value;

use super::checks::Grade;
use super::{Plan, Section};
use crate::dates::Date;
use crate::names::machine_names;

machine_names! {
    /// What an auditor grades a plan on: one criterion per group of sections of
    /// `shared/docs/plan-quality.md`, and the golden thread that runs through them.
    Criterion {
        /// Section A: the child's and family's views, interests and aspirations, in their words.
        Views => "views",
        /// Sections B to D: needs described specifically enough to plan for.
        Needs => "needs",
        /// Section E: outcomes specific, measurable and time-bound, about the child.
        Outcomes => "outcomes",
        /// Sections F to H: provision specific and quantified (what, who, how often, how long,
        /// group size, until when).
        Provision => "provision",
        /// Section I: the placement named in a final plan.
        Placement => "placement",
        /// Section K: every piece of advice received listed, and used.
        Advice => "advice",
        /// Needs, outcomes and provision linked: every need met, every provision for a need.
        GoldenThread => "golden_thread",
    }
}

impl Criterion {
    /// The criterion's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Views => "Views, interests and aspirations",
            Self::Needs => "Needs",
            Self::Outcomes => "Outcomes",
            Self::Provision => "Provision",
            Self::Placement => "Placement",
            Self::Advice => "Advice and information",
            Self::GoldenThread => "The golden thread",
        }
    }

    /// What the auditor looks for (from plan-quality.md and the Code of Practice 9.61–9.69).
    pub fn question(self) -> &'static str {
        match self {
            Self::Views => {
                "Does section A give the child's and family's views, interests and aspirations, \
                 in their own words where possible?"
            }
            Self::Needs => {
                "Do sections B, C and D describe every need specifically enough to plan for, \
                 and say plainly where none was identified?"
            }
            Self::Outcomes => {
                "Are the outcomes in section E specific, measurable and time-bound, and about the \
                 child rather than a service?"
            }
            Self::Provision => {
                "Is the provision in sections F, G and H specific and quantified: what, who \
                 delivers it, how often, for how long, in what group, and until when?"
            }
            Self::Placement => {
                "Does section I name the school or type of setting, matching the record?"
            }
            Self::Advice => {
                "Does section K list every piece of advice received, and is that advice reflected \
                 in the plan (nothing invented, nothing dropped)?"
            }
            Self::GoldenThread => {
                "Can you follow each need to the provision that meets it and the outcome it \
                 supports, with no provision for a need that is not there?"
            }
        }
    }

    /// The sections the criterion is about, for results by section.
    pub fn sections(self) -> &'static [Section] {
        use Section as S;
        match self {
            Self::Views => &[S::A],
            Self::Needs => &[S::B, S::C, S::D],
            Self::Outcomes => &[S::E],
            Self::Provision => &[S::F, S::G, S::H1, S::H2],
            Self::Placement => &[S::I],
            Self::Advice => &[S::K],
            Self::GoldenThread => &[S::B, S::C, S::D, S::E, S::F, S::G, S::H1, S::H2],
        }
    }
}

/// A grade as points, for averages: Outstanding 4, Good 3, Requires improvement 2,
/// Inadequate 1.
pub fn points(grade: Grade) -> u8 {
    match grade {
        Grade::Outstanding => 4,
        Grade::Good => 3,
        Grade::RequiresImprovement => 2,
        Grade::Inadequate => 1,
    }
}

/// The grade nearest an average of points (halves round up: 2.5 is Good).
pub fn grade_of_mean(mean: f64) -> Grade {
    match mean {
        m if m >= 3.5 => Grade::Outstanding,
        m if m >= 2.5 => Grade::Good,
        m if m >= 1.5 => Grade::RequiresImprovement,
        _ => Grade::Inadequate,
    }
}

/// Whether a grade is good enough for the plan to be kept as a "what good looks like" example.
pub fn is_good_example(grade: Grade) -> bool {
    matches!(grade, Grade::Outstanding | Grade::Good)
}

machine_names! {
    /// Which part of the partnership an auditor audits for: a plan is read from each side.
    Discipline {
        /// Education (the council's SEND team, a school or an educational psychologist).
        Education => "education",
        /// Health (the designated clinical officer's team).
        Health => "health",
        /// Social care.
        SocialCare => "social_care",
    }
}

impl Discipline {
    /// The discipline's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Education => "Education",
            Self::Health => "Health",
            Self::SocialCare => "Social care",
        }
    }
}

machine_names! {
    /// The three terms of the English school year, in calendar order within a year.
    Season {
        /// 1 January to 31 March.
        Spring => "spring",
        /// 1 April to 31 August (the summer holiday belongs to the summer term).
        Summer => "summer",
        /// 1 September to 31 December.
        Autumn => "autumn",
    }
}

/// A term of the English school year, as audits are reported: autumn (1 September to
/// 31 December), spring (1 January to 31 March) and summer (1 April to 31 August). The dates
/// are whole quarters of the calendar rather than one school's term dates, so that every day
/// belongs to exactly one term and holidays are not lost: Easter and summer holidays fall in the
/// spring or summer term as most council QA frameworks count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Term {
    /// The calendar year the term falls in.
    pub year: i32,
    /// Which term.
    pub season: Season,
}

impl Term {
    /// The term `date` falls in.
    pub fn containing(date: Date) -> Self {
        let season = match date.month() {
            1..=3 => Season::Spring,
            4..=8 => Season::Summer,
            _ => Season::Autumn,
        };
        Self {
            year: date.year(),
            season,
        }
    }

    /// Its first day.
    pub fn first_day(self) -> Date {
        let month = match self.season {
            Season::Spring => 1,
            Season::Summer => 4,
            Season::Autumn => 9,
        };
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Its last day.
    pub fn last_day(self) -> Date {
        let (month, day) = match self.season {
            Season::Spring => (3, 31),
            Season::Summer => (8, 31),
            Season::Autumn => (12, 31),
        };
        NaiveDate::from_ymd_opt(self.year, month, day).unwrap_or(NaiveDate::MAX)
    }

    /// The instant the term starts and the instant the next one starts: midnight in England.
    pub fn instants(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = |day: Date| {
            let naive = day.and_time(chrono::NaiveTime::MIN);
            chrono_tz::Europe::London
                .from_local_datetime(&naive)
                .earliest()
                .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
        };
        (
            midnight(self.first_day()),
            midnight(self.last_day() + chrono::Days::new(1)),
        )
    }

    /// Whether `date` is in the term.
    pub fn contains(self, date: Date) -> bool {
        (self.first_day()..=self.last_day()).contains(&date)
    }

    /// The term before.
    pub fn previous(self) -> Self {
        match self.season {
            Season::Spring => Self {
                year: self.year - 1,
                season: Season::Autumn,
            },
            Season::Summer => Self {
                season: Season::Spring,
                ..self
            },
            Season::Autumn => Self {
                season: Season::Summer,
                ..self
            },
        }
    }

    /// "2025-autumn": how the term is stored and put in addresses.
    pub fn key(self) -> String {
        format!("{}-{}", self.year, self.season)
    }

    /// The term a [`Term::key`] names.
    pub fn parse(text: &str) -> Option<Self> {
        let (year, season) = text.split_once('-')?;
        let year: i32 = year.parse().ok()?;
        (1900..=9999).contains(&year).then_some(())?;
        Some(Self {
            year,
            season: Season::parse(season)?,
        })
    }

    /// "Autumn term 2025".
    pub fn label(self) -> String {
        let season = match self.season {
            Season::Spring => "Spring",
            Season::Summer => "Summer",
            Season::Autumn => "Autumn",
        };
        format!("{season} term {}", self.year)
    }

    /// "Aut 2025": short, for a chart's axis.
    pub fn short_label(self) -> String {
        let season = match self.season {
            Season::Spring => "Spr",
            Season::Summer => "Sum",
            Season::Autumn => "Aut",
        };
        format!("{season} {}", self.year)
    }
}

machine_names! {
    /// How a term's sample is drawn.
    Method {
        /// At random from every final plan issued in the term.
        Random => "random",
        /// The plans the automated checks scored lowest (ties broken at random).
        LowestScore => "lowest_score",
        /// At random from the final plans issued after the 20-week limit.
        Late => "late",
        /// At random from one team's final plans.
        Team => "team",
    }
}

impl Method {
    /// The method's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Random => "Random",
            Self::LowestScore => "Lowest automated score",
            Self::Late => "Issued late",
            Self::Team => "One team",
        }
    }
}

/// A final plan that could be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The case (the store's id).
    pub case_id: i64,
    /// The plan version's number on the case.
    pub version: i64,
    /// The automated checks' score (0 to 100).
    pub score: u8,
    /// Whether the final plan was issued after the 20 weeks.
    pub late: bool,
    /// The case's team, if any.
    pub team: Option<String>,
}

/// A small, well-mixed generator (SplitMix64): the same seed always gives the same draw, on
/// every machine, without a dependency whose algorithm could change under us.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `bound` (bound > 0), without modulo bias worth speaking of for samples.
    fn below(&mut self, bound: usize) -> usize {
        ((u128::from(self.next()) * bound as u128) >> 64) as usize
    }
}

/// Shuffles `items` with `seed` (Fisher–Yates over SplitMix64): the same items in the same
/// order and the same seed always give the same order. Samples drawn with a recorded seed
/// (plan audits, supervision) use it so that anyone can repeat the draw.
pub(crate) fn seeded_shuffle<T>(items: &mut [T], seed: u64) {
    let mut rng = SplitMix64(seed);
    for i in (1..items.len()).rev() {
        let j = rng.below(i + 1);
        items.swap(i, j);
    }
}

/// Draws up to `size` of `candidates` by `method` with `seed` (`team` for [`Method::Team`]),
/// returning the chosen ones ordered by case and version. The draw depends only on the
/// candidates (whatever order they come in), the method, the size and the seed: recording the
/// seed lets anyone repeat it and get the same plans.
pub fn draw(
    candidates: &[Candidate],
    method: Method,
    team: Option<&str>,
    size: usize,
    seed: u64,
) -> Vec<Candidate> {
    let mut pool: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| match method {
            Method::Random | Method::LowestScore => true,
            Method::Late => c.late,
            Method::Team => team.is_some_and(|t| c.team.as_deref() == Some(t)),
        })
        .collect();
    // A canonical order first, so that the order the store lists them in cannot change the draw.
    pool.sort_by_key(|c| (c.case_id, c.version));
    pool.dedup_by_key(|c| (c.case_id, c.version));
    // For the lowest scores, a stable sort by score after the shuffle, so that it only breaks
    // ties.
    seeded_shuffle(&mut pool, seed);
    if method == Method::LowestScore {
        pool.sort_by_key(|c| c.score);
    }
    let mut chosen: Vec<Candidate> = pool.into_iter().take(size).cloned().collect();
    chosen.sort_by_key(|c| (c.case_id, c.version));
    chosen
}

/// Whether a final plan issued on `issued` for a request received on `requested` came after the
/// 20 weeks (SEND Regulations 2014 reg 13(2)). Exceptions are not weighed here: targeting late
/// plans is about looking at them, not about blame.
pub fn issued_late(requested: Date, issued: Date) -> bool {
    issued > requested + chrono::Days::new(20 * 7)
}

/// One audited plan's grades, as the results count them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditedPlan {
    /// The term of the round it was drawn in.
    pub term: Term,
    /// Every auditor's grade for every criterion they graded.
    pub scores: Vec<(Criterion, Grade)>,
    /// The grade the moderator settled, once settled.
    pub moderated: Option<Grade>,
}

/// The grade the auditors' scores point to (the mean of all their points), for the moderator to
/// start from; `None` before anyone has scored.
pub fn suggested_grade(scores: &[(Criterion, Grade)]) -> Option<Grade> {
    mean(scores.iter().map(|(_, g)| *g)).map(grade_of_mean)
}

fn mean(grades: impl Iterator<Item = Grade>) -> Option<f64> {
    let (sum, n) = grades.fold((0u32, 0u32), |(s, n), g| (s + u32::from(points(g)), n + 1));
    (n > 0).then(|| f64::from(sum) / f64::from(n))
}

/// How often each grade was given, best first (Outstanding, Good, Requires improvement,
/// Inadequate).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Distribution(pub [usize; 4]);

impl Distribution {
    fn add(&mut self, grade: Grade) {
        self.0[4 - usize::from(points(grade))] += 1;
    }

    /// How many grades in all.
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }

    /// How many of `grade`.
    pub fn count(&self, grade: Grade) -> usize {
        self.0[4 - usize::from(points(grade))]
    }

    /// The share graded Good or Outstanding (0 to 1), or `None` when nothing was graded.
    pub fn good_or_better(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| (self.0[0] + self.0[1]) as f64 / total as f64)
    }

    /// The mean in points (1 to 4), or `None` when nothing was graded.
    pub fn mean(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| {
            let sum: usize = self.0.iter().zip([4, 3, 2, 1]).map(|(n, p)| n * p).sum();
            sum as f64 / total as f64
        })
    }
}

/// One term's audit results.
#[derive(Debug, Clone, PartialEq)]
pub struct TermResults {
    /// The term.
    pub term: Term,
    /// Plans sampled.
    pub plans: usize,
    /// Of them, plans with a settled grade.
    pub moderated: usize,
    /// The settled grades.
    pub grades: Distribution,
    /// Every auditor's grades for each criterion, in [`Criterion::ALL`] order.
    pub by_criterion: Vec<(Criterion, Distribution)>,
    /// For each section some criterion is about, the grades of those criteria, in the plan's
    /// order.
    pub by_section: Vec<(Section, Distribution)>,
}

/// The results of every term with audited plans, oldest first.
pub fn results(plans: &[AuditedPlan]) -> Vec<TermResults> {
    let mut terms: BTreeMap<Term, Vec<&AuditedPlan>> = BTreeMap::new();
    for plan in plans {
        terms.entry(plan.term).or_default().push(plan);
    }
    terms
        .into_iter()
        .map(|(term, plans)| {
            let mut grades = Distribution::default();
            let mut criteria: BTreeMap<Criterion, Distribution> = BTreeMap::new();
            let mut sections: BTreeMap<Section, Distribution> = BTreeMap::new();
            for plan in &plans {
                if let Some(grade) = plan.moderated {
                    grades.add(grade);
                }
                for &(criterion, grade) in &plan.scores {
                    criteria.entry(criterion).or_default().add(grade);
                    for &section in criterion.sections() {
                        sections.entry(section).or_default().add(grade);
                    }
                }
            }
            TermResults {
                term,
                plans: plans.len(),
                moderated: grades.total(),
                grades,
                by_criterion: Criterion::ALL
                    .iter()
                    .map(|c| (*c, criteria.get(c).copied().unwrap_or_default()))
                    .collect(),
                by_section: sections.into_iter().collect(),
            }
        })
        .collect()
}

/// A copy of `plan` that names nobody, for training: every occurrence of each of `names` (the
/// child's full name, given and family names, and the case reference) in any text becomes
/// `label`, and the child's name, date of birth and the facts from the case record are dropped.
/// Longer names are replaced first, so that "Sam Example" becomes one label, not two.
pub fn pseudonymise(plan: &Plan, names: &[&str], label: &str) -> Plan {
    let mut names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| n.chars().count() >= 2)
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut copy = plan.clone();
    copy.child.name = Some(label.to_owned());
    copy.child.date_of_birth = None;
    copy.case = None;
    let Ok(mut value) = serde_json::to_value(&copy) else {
        return copy;
    };
    replace_in(&mut value, &names, label);
    serde_json::from_value(value).unwrap_or(copy)
}

fn replace_in(value: &mut Value, names: &[&str], label: &str) {
    match value {
        Value::String(text) => {
            for name in names {
                *text = replace_word(text, name, label);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_in(v, names, label)),
        Value::Object(fields) => fields
            .values_mut()
            .for_each(|v| replace_in(v, names, label)),
        _ => {}
    }
}

/// `text` with each whole-word, case-insensitive occurrence of `name` replaced by `label`
/// ("Sam's" is "the child's"; "Samuel" stays).
fn replace_word(text: &str, name: &str, label: &str) -> String {
    let lower_text = text.to_lowercase();
    let lower_name = name.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; then leave the text alone rather than
    // cut a character in two.
    if lower_text.len() != text.len() || lower_name.len() != name.len() {
        return text.to_owned();
    }
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut from = 0;
    while let Some(found) = lower_text[from..].find(&lower_name) {
        let start = from + found;
        let end = start + lower_name.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if !is_word(before) && !is_word(after) {
            out.push_str(&text[rest..start]);
            out.push_str(label);
            rest = end;
        }
        from = end;
    }
    out.push_str(&text[rest..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlanChild, TextSection};

    fn day(text: &str) -> Date {
        text.parse().expect("date")
    }

    #[test]
    fn terms_are_the_english_school_terms_as_whole_quarters() {
        // Worked examples: 31 August is still summer; 1 September starts autumn.
        let cases = [
            ("2025-09-01", "2025-autumn"),
            ("2025-12-31", "2025-autumn"),
            ("2026-01-01", "2026-spring"),
            ("2026-03-31", "2026-spring"),
            ("2026-04-01", "2026-summer"),
            ("2026-08-31", "2026-summer"),
        ];
        for (date, key) in cases {
            let term = Term::containing(day(date));
            assert_eq!(term.key(), key, "{date}");
            assert!(term.contains(day(date)));
            assert_eq!(Term::parse(key), Some(term));
        }
        let autumn = Term::parse("2025-autumn").expect("term");
        assert_eq!(
            (autumn.first_day(), autumn.last_day()),
            (day("2025-09-01"), day("2025-12-31"))
        );
        assert_eq!(autumn.label(), "Autumn term 2025");
        // Midnight in England: BST in September, GMT on 1 January.
        let (from, to) = autumn.instants();
        assert_eq!(from.to_rfc3339(), "2025-08-31T23:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(autumn.previous().key(), "2025-summer");
        assert_eq!(autumn.previous().previous().key(), "2025-spring");
        assert_eq!(autumn.previous().previous().previous().key(), "2024-autumn");
        // Terms sort in time order: spring, summer, autumn, then next spring.
        assert!(Term::parse("2025-summer") < Term::parse("2025-autumn"));
        assert!(Term::parse("2025-autumn") < Term::parse("2026-spring"));
        assert_eq!(Term::parse("2025-winter"), None);
        assert_eq!(Term::parse("autumn"), None);
    }

    fn candidates() -> Vec<Candidate> {
        (1..=10)
            .map(|i| Candidate {
                case_id: i,
                version: 2,
                score: u8::try_from(100 - i * 7).expect("score"),
                late: i % 3 == 0,
                team: Some(if i % 2 == 0 { "east" } else { "west" }.to_owned()),
            })
            .collect()
    }

    fn ids(drawn: &[Candidate]) -> Vec<i64> {
        drawn.iter().map(|c| c.case_id).collect()
    }

    #[test]
    fn a_draw_is_the_same_for_the_same_seed_whatever_the_order_given() {
        let all = candidates();
        let first = draw(&all, Method::Random, None, 4, 42);
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(first, draw(&reversed, Method::Random, None, 4, 42));
        assert_eq!(first.len(), 4);
        // Another seed gives another sample (for these ten, seeds 42 and 7 differ).
        assert_ne!(ids(&first), ids(&draw(&all, Method::Random, None, 4, 7)));
        // Fixed for ever: a recorded seed must repeat its draw after any upgrade.
        assert_eq!(ids(&first), [4, 6, 7, 9]);
        // Asking for more than there are gives them all.
        assert_eq!(draw(&all, Method::Random, None, 50, 1).len(), 10);
        assert!(draw(&[], Method::Random, None, 5, 1).is_empty());
    }

    #[test]
    fn targeted_draws_take_only_their_target() {
        let all = candidates();
        let late = draw(&all, Method::Late, None, 10, 3);
        assert_eq!(ids(&late), [3, 6, 9]);
        let east = draw(&all, Method::Team, Some("east"), 2, 3);
        assert_eq!(east.len(), 2);
        assert!(east.iter().all(|c| c.team.as_deref() == Some("east")));
        assert!(draw(&all, Method::Team, None, 5, 3).is_empty());
        // The lowest automated scores: cases 10, 9 and 8 score 30, 37 and 44.
        let lowest = draw(&all, Method::LowestScore, None, 3, 99);
        assert_eq!(ids(&lowest), [8, 9, 10]);
    }

    #[test]
    fn lateness_is_after_twenty_weeks() {
        assert!(!issued_late(day("2026-01-05"), day("2026-05-25")));
        assert!(issued_late(day("2026-01-05"), day("2026-05-26")));
    }

    #[test]
    fn grades_average_and_round_halves_up() {
        use Grade as G;
        assert_eq!(
            suggested_grade(&[
                (Criterion::Views, G::Outstanding),
                (Criterion::Needs, G::RequiresImprovement)
            ]),
            Some(G::Good)
        );
        assert_eq!(
            suggested_grade(&[
                (Criterion::Views, G::Inadequate),
                (Criterion::Needs, G::RequiresImprovement)
            ]),
            Some(G::RequiresImprovement)
        );
        assert_eq!(suggested_grade(&[]), None);
        assert!(is_good_example(G::Good) && !is_good_example(G::RequiresImprovement));
    }

    #[test]
    fn results_count_by_term_criterion_and_section() {
        use Grade as G;
        let autumn = Term::parse("2025-autumn").expect("term");
        let spring = Term::parse("2026-spring").expect("term");
        let plans = [
            AuditedPlan {
                term: spring,
                scores: vec![(Criterion::Provision, G::Good), (Criterion::Views, G::Good)],
                moderated: Some(G::Good),
            },
            AuditedPlan {
                term: autumn,
                scores: vec![
                    (Criterion::Provision, G::Inadequate),
                    (Criterion::Provision, G::RequiresImprovement),
                    (Criterion::GoldenThread, G::Good),
                ],
                moderated: Some(G::RequiresImprovement),
            },
            AuditedPlan {
                term: autumn,
                scores: vec![],
                moderated: None,
            },
        ];
        let found = results(&plans);
        assert_eq!(found.len(), 2);
        let first = &found[0];
        assert_eq!((first.term, first.plans, first.moderated), (autumn, 2, 1));
        assert_eq!(first.grades, Distribution([0, 0, 1, 0]));
        assert_eq!(first.grades.good_or_better(), Some(0.0));
        let provision = first
            .by_criterion
            .iter()
            .find(|(c, _)| *c == Criterion::Provision)
            .expect("provision");
        assert_eq!(provision.1, Distribution([0, 0, 1, 1]));
        assert_eq!(provision.1.mean(), Some(1.5));
        // Section F counts the two provision grades and the golden thread's.
        let f = first
            .by_section
            .iter()
            .find(|(s, _)| *s == Section::F)
            .expect("F");
        assert_eq!(f.1, Distribution([0, 1, 1, 1]));
        // Section A was not graded in the autumn, so it is not listed.
        assert!(first.by_section.iter().all(|(s, _)| *s != Section::A));
        assert_eq!(found[1].grades.good_or_better(), Some(1.0));
        assert_eq!(found[1].by_criterion.len(), Criterion::ALL.len());
    }

    #[test]
    fn an_example_names_nobody() {
        let mut plan = Plan::blank(PlanChild {
            name: Some("Sam Example".into()),
            date_of_birth: Some(day("2015-06-01")),
            ..PlanChild::default()
        });
        plan.sections.a = Some(TextSection {
            text: "Sam Example loves trains. Sam's mum says SAM sleeps badly. Samuel is his \
                   brother. Case EHC-1 refers."
                .into(),
        });
        let copy = pseudonymise(
            &plan,
            &["Sam Example", "Sam", "Example", "EHC-1"],
            "the child",
        );
        let a = copy.sections.a.expect("A").text;
        assert_eq!(
            a,
            "the child loves trains. the child's mum says the child sleeps badly. Samuel is \
             his brother. Case the child refers."
        );
        assert_eq!(copy.child.name.as_deref(), Some("the child"));
        assert_eq!(copy.child.date_of_birth, None);
        assert_eq!(copy.case, None);
    }
}
