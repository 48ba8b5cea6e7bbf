//! The workforce (issue 17 item 2): who may see and keep staff records, when a case manager's
//! supervision is due, the reproducible sample of cases a supervision looks at, training
//! completion with expiry, and new starters' induction checklists.
//!
//! The targets come from the Written Statement of Action's workforce objective ("an agile and
//! skilled workforce"): "all staff in SNAS receive at least monthly supervision", "100% of
//! social workers completed SEND Code of Practice training", "all staff in SNAS receive
//! induction training and access to induction handbook" and "buddy put in place for new
//! starters". They are local commitments, not statutory duties; the SEND Code of Practice
//! (2015) asks for staff "with the knowledge and skills" to run assessments (paragraph 9.8 on
//! the local authority's EHC needs assessment staff, 9.11 on their training).
//!
//! Everything here is pure: the caller gives the records and "today".

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Months};

use crate::access::{Actor, Role, UserId};
use crate::caseload::RagStatus;
use crate::dates::{self, Date};
use crate::metrics::Rate;
use crate::plan::audit::seeded_shuffle;

/// How often a case manager is supervised, in months: the WSOA's "at least monthly supervision".
pub const SUPERVISION_MONTHS: u32 = 1;

/// How many cases a supervision samples unless asked otherwise.
pub const DEFAULT_SAMPLE: usize = 3;

/// The most cases one supervision may sample: a supervision looks at a few cases in depth.
pub const MAX_SAMPLE: usize = 10;

/// A member of staff as the workforce rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Their account.
    pub id: UserId,
    /// Their role.
    pub role: Role,
    /// Their team, if any.
    pub team: Option<String>,
}

impl Person {
    /// Whether the account is the council's own staff (not a professional, setting or family).
    pub fn is_staff(&self) -> bool {
        !self.role.is_external()
    }
}

/// What someone may do with workforce records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duty {
    /// See the service's workforce figures: supervision on time, training completion,
    /// caseloads per person and turnover, as totals.
    SeeFigures,
    /// See one person's supervisions, training and induction.
    SeeRecords,
    /// Record a person's supervision and follow its actions up.
    Supervise,
    /// Record a person's training and keep their induction checklist.
    KeepTraining,
    /// Add courses and say who must take them.
    ManageCourses,
}

impl Duty {
    /// Every duty, for checking the rules as a whole.
    pub const ALL: &'static [Duty] = &[
        Duty::SeeFigures,
        Duty::SeeRecords,
        Duty::Supervise,
        Duty::KeepTraining,
        Duty::ManageCourses,
    ];

    /// Whether the duty is about one person (`true`) or the service as a whole.
    pub fn is_about_a_person(self) -> bool {
        matches!(
            self,
            Duty::SeeRecords | Duty::Supervise | Duty::KeepTraining
        )
    }
}

/// Whether `actor` may do `duty`, about `person` for the duties about one person (`None` for the
/// others; a mismatch is refused).
///
/// Least privilege: the head of service oversees every member of staff; a team manager the
/// staff of their own team (every member of staff when they lead no named team: a service with
/// one manager); everyone on the staff sees their own records. Only case managers are
/// supervised here (the WSOA's measure is about SNAS case officers). Auditors and analysts see
/// the figures only, administrators keep the list of courses only, and people outside the
/// council see nothing.
pub fn may(actor: &Actor, duty: Duty, person: Option<&Person>) -> bool {
    let person = match (duty.is_about_a_person(), person) {
        (true, Some(person)) if person.is_staff() => person,
        (false, None) => {
            return match duty {
                Duty::SeeFigures => matches!(
                    actor.role,
                    Role::TeamManager | Role::HeadOfService | Role::QaAuditor | Role::Analyst
                ),
                Duty::ManageCourses => actor.role == Role::Admin,
                _ => false,
            };
        }
        _ => return false,
    };
    let oversees = match actor.role {
        Role::HeadOfService => true,
        Role::TeamManager => actor.team.is_none() || actor.team == person.team,
        _ => false,
    };
    match duty {
        Duty::SeeRecords => (oversees || person.id == actor.id) && !actor.role.is_external(),
        Duty::Supervise => oversees && person.role == Role::CaseManager,
        Duty::KeepTraining => oversees && person.id != actor.id,
        Duty::SeeFigures | Duty::ManageCourses => false,
    }
}

/// The day a supervision is next due: a month after the last one, or a month after the person
/// started when they have had none. Overdue from the day after.
pub fn supervision_due(last: Option<Date>, started: Date) -> Date {
    dates::period_starting_with(last.unwrap_or(started), SUPERVISION_MONTHS)
        .succ_opt()
        .unwrap_or(Date::MAX)
}

/// Whether a supervision is overdue on `today`.
pub fn supervision_overdue(last: Option<Date>, started: Date, today: Date) -> bool {
    today > supervision_due(last, started)
}

/// One open case of a caseload, as a supervision sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadCase {
    /// The case's database id (the canonical order of a draw).
    pub case_id: i64,
    /// Its reference.
    pub reference: String,
    /// Whether any statutory step of it was overdue ([`RagStatus::Overdue`]).
    pub overdue: bool,
}

impl CaseloadCase {
    /// A case whose next step is due on `next_due`, with `overdue_steps` steps past their date,
    /// judged on `today` by the caseload's own rule ([`RagStatus::of_case`]).
    pub fn judged(
        case_id: i64,
        reference: String,
        next_due: Option<Date>,
        overdue_steps: usize,
        today: Date,
    ) -> Self {
        Self {
            case_id,
            reference,
            overdue: RagStatus::of_case(next_due, overdue_steps, today) == Some(RagStatus::Overdue),
        }
    }
}

/// How timely a caseload was: its open cases, and how many were on time (none overdue).
pub fn timeliness(caseload: &[CaseloadCase]) -> Rate {
    let mut rate = Rate::default();
    for case in caseload {
        rate.count(!case.overdue);
    }
    rate
}

/// Draws up to `size` cases of `caseload` with `seed`, in the order drawn. The draw depends only
/// on the cases (whatever order they come in), the size and the seed, so a recorded seed
/// repeats it.
pub fn draw_sample(caseload: &[CaseloadCase], size: usize, seed: u64) -> Vec<CaseloadCase> {
    let mut pool: Vec<&CaseloadCase> = caseload.iter().collect();
    pool.sort_by_key(|c| c.case_id);
    pool.dedup_by_key(|c| c.case_id);
    seeded_shuffle(&mut pool, seed);
    pool.into_iter().take(size).cloned().collect()
}

/// A course and who must take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// How many months a completion stays valid; `None` for good.
    pub valid_months: Option<u32>,
    /// The roles that must complete it.
    pub required_for: BTreeSet<Role>,
}

impl Course {
    /// The last day a completion on `completed_on` counts: the end of its period of validity
    /// (a 12-month course done on 5 March 2026 counts to 4 March 2027); `None` when it never
    /// expires.
    pub fn valid_until(&self, completed_on: Date) -> Option<Date> {
        self.valid_months
            .map(|months| dates::period_starting_with(completed_on, months))
    }

    /// Whether a completion on `completed_on` counts on `today`: done by then and not expired.
    pub fn counts(&self, completed_on: Date, today: Date) -> bool {
        completed_on <= today
            && self
                .valid_until(completed_on)
                .is_none_or(|end| today <= end)
    }

    /// Whether `person` holds a completion of this course among `records` that counts on
    /// `today`.
    pub fn held_by(&self, person: UserId, records: &[Completion], today: Date) -> bool {
        records.iter().any(|r| {
            r.person == person && r.course == self.id && self.counts(r.completed_on, today)
        })
    }
}

/// One person's completion of one course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Who.
    pub person: UserId,
    /// Which course.
    pub course: i64,
    /// When they completed it.
    pub completed_on: Date,
}

/// A course's completion: of the people who must take it, how many hold a completion that counts
/// on the day, overall and by role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseCompletion {
    /// The course's id.
    pub course: i64,
    /// Everyone who must take it.
    pub overall: Rate,
    /// The same, role by role (only the roles that must take it).
    pub by_role: BTreeMap<Role, Rate>,
}

/// The completion of each course on `today` among `people` (the current staff): a person counts
/// as complete when any of their completions of the course counts ([`Course::counts`]), so an
/// expired completion is not complete.
pub fn completion(
    courses: &[Course],
    people: &[Person],
    records: &[Completion],
    today: Date,
) -> Vec<CourseCompletion> {
    courses
        .iter()
        .map(|course| {
            let mut overall = Rate::default();
            let mut by_role: BTreeMap<Role, Rate> = course
                .required_for
                .iter()
                .map(|role| (*role, Rate::default()))
                .collect();
            for person in people {
                let Some(rate) = by_role.get_mut(&person.role) else {
                    continue;
                };
                let done = course.held_by(person.id, records, today);
                rate.count(done);
                overall.count(done);
            }
            CourseCompletion {
                course: course.id,
                overall,
                by_role,
            }
        })
        .collect()
}

/// What a new starter's induction covers, in order: `(key, what)`. From the WSOA's workforce
/// actions (induction handbook, buddy, supervision, Code of Practice training).
pub const INDUCTION_ITEMS: &[(&str, &str)] = &[
    (
        "handbook",
        "Given the SNAS induction handbook and talked through it",
    ),
    ("buddy", "Met their buddy and agreed when to meet"),
    (
        "systems",
        "Shown Tandem, their caseload and how to record on a case",
    ),
    (
        "timescales",
        "Walked through the statutory timescales of an EHC needs assessment",
    ),
    (
        "shadowing",
        "Shadowed an experienced case manager through an assessment",
    ),
    ("supervision", "Had their first supervision"),
];

/// The item with this key, if there is one.
pub fn induction_item(key: &str) -> Option<&'static str> {
    INDUCTION_ITEMS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, what)| *what)
}

/// One month of staff turnover: who was in post at its start, who joined and who left in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthTurnover {
    /// The month's first day.
    pub month: Date,
    /// In post on the first day.
    pub at_start: u64,
    /// Started in the month.
    pub joiners: u64,
    /// Left in the month.
    pub leavers: u64,
}

/// When someone was in post: from `started`, to `left` (their last day) if they have gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenure {
    /// Their first day.
    pub started: Date,
    /// Their last day, once they have left.
    pub left: Option<Date>,
}

/// Turnover for the `months` calendar months starting with the month of `first`.
pub fn turnover(tenures: &[Tenure], first: Date, months: u32) -> Vec<MonthTurnover> {
    let start = first.with_day0(0).unwrap_or(first);
    (0..months)
        .filter_map(|n| start.checked_add_months(Months::new(n)))
        .map(|month| {
            let next = month
                .checked_add_months(Months::new(1))
                .unwrap_or(Date::MAX);
            let within = |day: Date| month <= day && day < next;
            MonthTurnover {
                month,
                at_start: tenures
                    .iter()
                    .filter(|t| t.started < month && t.left.is_none_or(|left| left >= month))
                    .count() as u64,
                joiners: tenures.iter().filter(|t| within(t.started)).count() as u64,
                leavers: tenures
                    .iter()
                    .filter(|t| t.left.is_some_and(within))
                    .count() as u64,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        dates::parse_iso(text).unwrap()
    }

    fn actor(role: Role, team: Option<&str>) -> Actor {
        Actor {
            id: 1,
            role,
            team: team.map(str::to_owned),
            provider: None,
        }
    }

    fn person(id: UserId, role: Role, team: Option<&str>) -> Person {
        Person {
            id,
            role,
            team: team.map(str::to_owned),
        }
    }

    /// The whole matrix: every role (with and without a team) against every duty, about a case
    /// manager of the same team, one of another team, themselves, and a parent.
    #[test]
    fn who_may_do_what_with_workforce_records() {
        let same = person(2, Role::CaseManager, Some("north"));
        let other = person(3, Role::CaseManager, Some("south"));
        let parent = person(4, Role::Parent, None);
        for &role in Role::ALL {
            for team in [Some("north"), None] {
                let me = actor(role, team);
                let myself = person(1, role, team);
                let staff = !role.is_external();
                let manager = matches!(role, Role::TeamManager | Role::HeadOfService);
                let over_other =
                    role == Role::HeadOfService || (role == Role::TeamManager && team.is_none());
                let check = |duty, about: Option<&Person>, want: bool| {
                    assert_eq!(
                        may(&me, duty, about),
                        want,
                        "{role:?} in {team:?}: {duty:?} about {about:?}"
                    );
                };
                check(
                    Duty::SeeFigures,
                    None,
                    manager || matches!(role, Role::QaAuditor | Role::Analyst),
                );
                check(Duty::ManageCourses, None, role == Role::Admin);
                check(Duty::SeeRecords, Some(&same), manager);
                check(Duty::SeeRecords, Some(&other), over_other);
                check(Duty::SeeRecords, Some(&myself), staff);
                check(Duty::Supervise, Some(&same), manager);
                check(Duty::Supervise, Some(&other), over_other);
                check(Duty::Supervise, Some(&myself), false);
                check(Duty::KeepTraining, Some(&same), manager);
                check(Duty::KeepTraining, Some(&other), over_other);
                check(Duty::KeepTraining, Some(&myself), false);
                for &duty in Duty::ALL {
                    // Nobody keeps records of people outside the council, and a duty is never
                    // granted about the wrong kind of subject.
                    if duty.is_about_a_person() {
                        check(duty, Some(&parent), false);
                        check(duty, None, false);
                    } else {
                        check(duty, Some(&same), false);
                    }
                }
            }
        }
    }

    #[test]
    fn a_supervision_is_due_a_month_after_the_last_one() {
        let started = day("2025-09-01");
        assert_eq!(supervision_due(None, started), day("2025-10-01"));
        let last = Some(day("2026-01-31"));
        // Clamped to the end of February.
        assert_eq!(supervision_due(last, started), day("2026-02-28"));
        assert!(!supervision_overdue(last, started, day("2026-02-28")));
        assert!(supervision_overdue(last, started, day("2026-03-01")));
        assert!(supervision_overdue(None, started, day("2025-10-02")));
    }

    fn caseload() -> Vec<CaseloadCase> {
        (1..=12)
            .map(|id| CaseloadCase {
                case_id: id,
                reference: format!("EHC-{id}"),
                overdue: id % 4 == 0,
            })
            .collect()
    }

    #[test]
    fn a_sample_is_the_same_for_the_same_seed_and_caseload_whatever_the_order() {
        let cases = caseload();
        let mut reversed = cases.clone();
        reversed.reverse();
        let drawn = draw_sample(&cases, 3, 42);
        assert_eq!(drawn, draw_sample(&reversed, 3, 42));
        assert_eq!(drawn.len(), 3);
        // Fixed for ever: a recorded seed must repeat its draw after any upgrade.
        let ids: Vec<i64> = drawn.iter().map(|c| c.case_id).collect();
        assert_eq!(ids, [10, 8, 12]);
        assert_ne!(drawn, draw_sample(&cases, 3, 7));
        // A caseload smaller than the sample is drawn whole, each case once.
        let mut small = draw_sample(&cases[..2], 5, 42);
        small.sort_by_key(|c| c.case_id);
        assert_eq!(small, cases[..2].to_vec());
    }

    #[test]
    fn timeliness_counts_the_cases_with_nothing_overdue() {
        let today = day("2026-03-10");
        let cases = [
            CaseloadCase::judged(1, "A".into(), Some(day("2026-03-09")), 0, today),
            CaseloadCase::judged(2, "B".into(), Some(day("2026-03-10")), 0, today),
            CaseloadCase::judged(3, "C".into(), Some(day("2026-04-10")), 1, today),
            CaseloadCase::judged(4, "D".into(), None, 0, today),
        ];
        let overdue: Vec<bool> = cases.iter().map(|c| c.overdue).collect();
        assert_eq!(overdue, [true, false, true, false]);
        assert_eq!(
            timeliness(&cases),
            Rate {
                numerator: 2,
                denominator: 4
            }
        );
        assert_eq!(timeliness(&[]).rate(), None);
    }

    fn course(id: i64, valid_months: Option<u32>, roles: &[Role]) -> Course {
        Course {
            id,
            title: format!("Course {id}"),
            valid_months,
            required_for: roles.iter().copied().collect(),
        }
    }

    #[test]
    fn a_completion_counts_until_its_validity_ends() {
        let yearly = course(1, Some(12), &[]);
        let done = day("2026-03-05");
        assert_eq!(yearly.valid_until(done), Some(day("2027-03-04")));
        assert!(!yearly.counts(done, day("2026-03-04")), "not yet done");
        assert!(yearly.counts(done, day("2027-03-04")));
        assert!(!yearly.counts(done, day("2027-03-05")), "expired");
        let for_good = course(2, None, &[]);
        assert!(for_good.counts(done, day("2040-01-01")));
    }

    #[test]
    fn completion_by_course_and_role_counts_expired_as_not_complete() {
        let today = day("2026-06-30");
        let code = course(1, Some(24), &[Role::CaseManager, Role::TeamManager]);
        let plans = course(2, None, &[Role::CaseManager]);
        let people = [
            person(10, Role::CaseManager, Some("north")),
            person(11, Role::CaseManager, Some("north")),
            person(12, Role::CaseManager, Some("south")),
            person(13, Role::TeamManager, None),
            person(14, Role::Analyst, None),
        ];
        let done = |person, course, on| Completion {
            person,
            course,
            completed_on: day(on),
        };
        let records = [
            // Current.
            done(10, 1, "2025-01-10"),
            // Expired (two years ended 2026-01-09), then renewed: complete.
            done(11, 1, "2024-01-10"),
            done(11, 1, "2026-02-01"),
            // Expired and not renewed: not complete.
            done(12, 1, "2024-06-01"),
            // The manager has done it; the analyst's completion is not required, not counted.
            done(13, 1, "2026-01-01"),
            done(14, 1, "2026-01-01"),
            // Only one case manager has done the plan-writing course; a later date is not yet.
            done(10, 2, "2023-05-01"),
            done(11, 2, "2026-07-01"),
        ];
        let got = completion(&[code, plans], &people, &records, today);
        let rate = |numerator, denominator| Rate {
            numerator,
            denominator,
        };
        assert_eq!(got[0].course, 1);
        assert_eq!(got[0].overall, rate(3, 4));
        assert_eq!(got[0].by_role[&Role::CaseManager], rate(2, 3));
        assert_eq!(got[0].by_role[&Role::TeamManager], rate(1, 1));
        assert!(!got[0].by_role.contains_key(&Role::Analyst));
        assert_eq!(got[1].overall, rate(1, 3));
        assert_eq!(got[1].by_role.len(), 1);
    }

    #[test]
    fn turnover_counts_joiners_and_leavers_by_month() {
        let tenure = |started: &str, left: Option<&str>| Tenure {
            started: day(started),
            left: left.map(day),
        };
        let tenures = [
            tenure("2025-01-01", None),
            tenure("2025-06-15", Some("2026-02-10")),
            tenure("2026-01-31", None),
            tenure("2026-02-01", Some("2026-02-28")),
        ];
        let months = turnover(&tenures, day("2026-01-20"), 3);
        let row = |m: &str, at_start, joiners, leavers| MonthTurnover {
            month: day(m),
            at_start,
            joiners,
            leavers,
        };
        assert_eq!(
            months,
            [
                row("2026-01-01", 2, 1, 0),
                row("2026-02-01", 3, 1, 2),
                row("2026-03-01", 2, 0, 0),
            ]
        );
    }

    #[test]
    fn induction_items_have_distinct_keys() {
        let keys: BTreeSet<&str> = INDUCTION_ITEMS.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys.len(), INDUCTION_ITEMS.len());
        assert_eq!(induction_item("buddy"), Some(INDUCTION_ITEMS[1].1));
        assert_eq!(induction_item("nothing"), None);
    }
}
