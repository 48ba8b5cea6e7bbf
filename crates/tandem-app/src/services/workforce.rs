//! The workforce (issue 17 item 2): case managers' monthly supervision with a reproducible
//! sample of their cases, training against courses with expiry, induction checklists with a
//! buddy, and the service's workforce figures. Who may do what is
//! [`tandem_core::workforce::may`]; every call is authorised, audited (refusals and reads too)
//! and, when it writes, done in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;
use serde_json::json;
use tandem_core::caseload::open_stages;
use tandem_core::dates::{self, england_date};
use tandem_core::input::{self, MAX_LABEL, MAX_TEXT};
use tandem_core::metrics::Rate;
use tandem_core::workforce::{
    self, CaseloadCase, Completion, Course, CourseCompletion, DEFAULT_SAMPLE, Duty,
    INDUCTION_ITEMS, MAX_SAMPLE, MonthTurnover, Person, Tenure, may,
};
use tandem_core::{Date, Role, UserId};
use tandem_store::{
    AuditEntry, CaseFilter, CaseSort, InductionRecord, NewCourse, NewSupervision, Page,
    StaffTenure, SupervisionRecord, Tx, UserRecord,
};

use super::plan_audits::fresh_seed;
use super::{Caller, FieldError, ServiceError, Services};

/// The most actions one supervision may agree: a supervision agrees a few things to do.
pub const MAX_ACTIONS: usize = 10;

/// A member of staff as the workforce pages name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// Their account.
    pub id: UserId,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Their team, if any.
    pub team: Option<String>,
    /// The day their account was made: when they started, as far as Tandem knows.
    pub started: Date,
}

impl Staff {
    fn of(user: &UserRecord) -> Self {
        Self {
            id: user.id,
            name: user.name.clone(),
            role: user.role,
            team: user.team.clone(),
            started: england_date(user.created_at),
        }
    }

    fn person(&self) -> Person {
        Person {
            id: self.id,
            role: self.role,
            team: self.team.clone(),
        }
    }
}

/// One line of the workforce list: a person, their supervision and their training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffLine {
    /// Who.
    pub staff: Staff,
    /// For a case manager: their latest supervision, when it is next due and whether it is
    /// overdue today. `None` for roles not supervised here.
    pub supervision: Option<SupervisionDue>,
    /// The courses their role must take that they hold a current completion of.
    pub training: Rate,
    /// Their induction's items ticked and in all, if they have one.
    pub induction: Option<(usize, usize)>,
}

/// When a case manager was last supervised and is next due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupervisionDue {
    /// Their latest supervision.
    pub last: Option<Date>,
    /// The day the next one is due.
    pub due: Date,
    /// Whether it is overdue today.
    pub overdue: bool,
}

/// The service's workforce figures, for those who may see them.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkforceFigures {
    /// Case managers whose supervision is not overdue, of all case managers.
    pub supervision_on_time: Rate,
    /// Each course with its completion by role.
    pub training: Vec<(Course, CourseCompletion)>,
    /// For each of the last twelve months: how many case managers were supervised and their
    /// open cases at those supervisions, as recorded then.
    pub caseloads: Vec<CaseloadMonth>,
    /// For each of the last twelve months: staff in post at its start, joiners and leavers.
    pub turnover: Vec<MonthTurnover>,
}

/// Caseloads in one month, as the month's supervisions recorded them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseloadMonth {
    /// The month's first day.
    pub month: Date,
    /// Case managers supervised in the month.
    pub people: u64,
    /// Their open cases at their latest supervision of the month, added up.
    pub cases: u64,
    /// Of those, cases with a statutory step overdue.
    pub overdue: u64,
}

impl CaseloadMonth {
    /// Open cases per case manager supervised, if anyone was.
    pub fn per_person(&self) -> Option<f64> {
        (self.people > 0).then(|| self.cases as f64 / self.people as f64)
    }
}

/// The workforce page's content for one caller.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkforceOverview {
    /// The people whose records the caller may see (only themselves for most).
    pub people: Vec<StaffLine>,
    /// The service's figures, for those who may see them.
    pub figures: Option<WorkforceFigures>,
    /// Every course.
    pub courses: Vec<Course>,
    /// Whether the caller may add courses.
    pub may_manage_courses: bool,
}

/// One course as a person's record shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingLine {
    /// The course.
    pub course: Course,
    /// Whether the person's role must take it.
    pub required: bool,
    /// Their latest completion, if any.
    pub completed_on: Option<Date>,
    /// Whether that completion counts today.
    pub current: bool,
}

/// One person's workforce record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    /// Who.
    pub staff: Staff,
    /// When their next supervision is due (case managers only).
    pub supervision: Option<SupervisionDue>,
    /// Their supervisions, latest first.
    pub supervisions: Vec<SupervisionRecord>,
    /// Every course, with their completion of it.
    pub training: Vec<TrainingLine>,
    /// Their induction, if they have one.
    pub induction: Option<InductionRecord>,
    /// Whether the caller may record their supervision.
    pub may_supervise: bool,
    /// Whether the caller may record their training and keep their induction.
    pub may_keep_training: bool,
    /// The staff who could be their buddy (other enabled staff who list cases).
    pub buddies: Vec<Staff>,
}

/// A supervision with whose it is and what the caller may do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionView {
    /// The supervision as kept.
    pub record: SupervisionRecord,
    /// The case manager supervised.
    pub staff: Staff,
    /// Whether the caller may follow its actions up.
    pub may_follow_up: bool,
}

/// A supervision as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupervisionForm {
    /// The day it was held (`None` when the form's date was left empty or unreadable).
    pub held_on: Option<Date>,
    /// How many cases to sample (empty for [`DEFAULT_SAMPLE`]).
    pub sample_size: String,
    /// The seed to draw with (empty for a fresh one).
    pub seed: String,
    /// The actions agreed, one a line.
    pub actions: String,
    /// Anything else to keep.
    pub notes: String,
}

/// A course as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseForm {
    /// Its title.
    pub title: String,
    /// Months a completion stays valid (empty: for good).
    pub valid_months: String,
    /// The machine names of the roles that must take it.
    pub required_for: Vec<String>,
}

fn not_found(what: &str) -> ServiceError {
    ServiceError::NotFound {
        reference: what.to_owned(),
    }
}

/// The audit entry of a refused workforce request.
fn denied(caller: &Caller, duty: Duty, person: Option<UserId>) -> AuditEntry {
    AuditEntry::new(Some(caller.actor.id), "denied").detail(caller.detail(json!({
        "asked": format!("{duty:?}"),
        "role": caller.actor.role.as_str(),
        "person": person,
    })))
}

/// Allows `duty` about `person`, or audits and commits the refusal and refuses.
async fn authorise(
    mut tx: Tx,
    caller: &Caller,
    duty: Duty,
    person: Option<&Staff>,
) -> Result<Tx, ServiceError> {
    if may(&caller.actor, duty, person.map(Staff::person).as_ref()) {
        return Ok(tx);
    }
    tx.audit(&denied(caller, duty, person.map(|p| p.id)))
        .await?;
    tx.commit().await?;
    Err(ServiceError::Forbidden)
}

/// The staff member with account `id`, if it is one (an account outside the council is not).
async fn staff_member(tx: &mut Tx, id: UserId) -> Result<Option<Staff>, ServiceError> {
    Ok(tx
        .user(id)
        .await?
        .filter(|u| !u.role.is_external())
        .map(|u| Staff::of(&u)))
}

/// The enabled staff, by name.
fn enabled_staff(users: &[UserRecord]) -> Vec<Staff> {
    let mut staff: Vec<Staff> = users
        .iter()
        .filter(|u| !u.disabled && !u.role.is_external())
        .map(Staff::of)
        .collect();
    staff.sort_by_key(|s| (s.name.to_lowercase(), s.id));
    staff
}

fn supervision_due(staff: &Staff, last: Option<Date>, today: Date) -> Option<SupervisionDue> {
    (staff.role == Role::CaseManager).then(|| SupervisionDue {
        last,
        due: workforce::supervision_due(last, staff.started),
        overdue: workforce::supervision_overdue(last, staff.started, today),
    })
}

/// The courses `staff`'s role must take that they hold a current completion of.
fn training_of(staff: &Staff, courses: &[Course], records: &[Completion], today: Date) -> Rate {
    let mut rate = Rate::default();
    for course in courses
        .iter()
        .filter(|c| c.required_for.contains(&staff.role))
    {
        let done = course.held_by(staff.id, records, today);
        rate.numerator += u64::from(done);
        rate.denominator += 1;
    }
    rate
}

/// For each of the twelve months up to `today`'s, the case managers supervised in it and their
/// caseloads at their latest supervision of the month.
fn caseloads_by_month(supervisions: &[SupervisionRecord], today: Date) -> Vec<CaseloadMonth> {
    let this_month = today.with_day(1).unwrap_or(today);
    (0..12u32)
        .rev()
        .map(|back| dates::months_before(this_month, back))
        .map(|month| {
            let mut latest: BTreeMap<UserId, &SupervisionRecord> = BTreeMap::new();
            for s in supervisions
                .iter()
                .filter(|s| s.held_on.year() == month.year() && s.held_on.month() == month.month())
            {
                // Oldest first, so the latest of the month is kept.
                latest.insert(s.person, s);
            }
            CaseloadMonth {
                month,
                people: latest.len() as u64,
                cases: latest.values().map(|s| s.open_cases.unsigned_abs()).sum(),
                overdue: latest
                    .values()
                    .map(|s| s.overdue_cases.unsigned_abs())
                    .sum(),
            }
        })
        .collect()
}

/// The staff's times in post: joined when their account was made, left on the day it was
/// disabled. An account disabled without a day was never in post (an invitation not accepted)
/// or was disabled before Tandem kept the day, and is left out.
fn tenures(accounts: &[StaffTenure]) -> Vec<Tenure> {
    accounts
        .iter()
        .filter(|a| Role::parse(&a.role).is_some_and(|r| !r.is_external()))
        .filter_map(|a| {
            let started = england_date(a.created_at);
            match (a.disabled, a.disabled_on) {
                (false, _) => Some(Tenure {
                    started,
                    left: None,
                }),
                (true, Some(left)) => Some(Tenure {
                    started,
                    left: Some(left),
                }),
                (true, None) => None,
            }
        })
        .collect()
}

impl Services {
    fn today(&self) -> Date {
        england_date((self.clock)())
    }

    /// The workforce page: the people whose records the caller may see, with their supervision
    /// and training, and the service's figures for those who may see them. Refused to people
    /// outside the council.
    pub async fn workforce(&self, caller: &Caller) -> Result<WorkforceOverview, ServiceError> {
        let today = self.today();
        let me = Person {
            id: caller.actor.id,
            role: caller.actor.role,
            team: caller.actor.team.clone(),
        };
        let sees_figures = may(&caller.actor, Duty::SeeFigures, None);
        if !sees_figures && !may(&caller.actor, Duty::SeeRecords, Some(&me)) {
            let mut tx = self.begin().await?;
            tx.audit(&denied(caller, Duty::SeeRecords, Some(me.id)))
                .await?;
            tx.commit().await?;
            return Err(ServiceError::Forbidden);
        }
        let mut read = self.snapshot().await?;
        let users = read.users().await?;
        let courses = read.courses().await?;
        let records = read.training(None).await?;
        let last: BTreeMap<UserId, Date> = read
            .last_supervisions()
            .await?
            .into_iter()
            .map(|l| (l.person, l.held_on))
            .collect();
        let inductions = read.inductions(None).await?;
        let (history, accounts) = if sees_figures {
            (
                read.supervisions_between(dates::months_before(today, 12), today)
                    .await?,
                read.staff_tenures().await?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        drop(read);
        let staff = enabled_staff(&users);
        let lines: Vec<StaffLine> = staff
            .iter()
            .filter(|s| may(&caller.actor, Duty::SeeRecords, Some(&s.person())))
            .map(|s| StaffLine {
                supervision: supervision_due(s, last.get(&s.id).copied(), today),
                training: training_of(s, &courses, &records, today),
                induction: inductions
                    .iter()
                    .find(|i| i.person == s.id)
                    .map(|i| (i.ticked.len(), INDUCTION_ITEMS.len())),
                staff: s.clone(),
            })
            .collect();
        let figures = sees_figures.then(|| {
            let mut on_time = Rate::default();
            for s in staff.iter().filter(|s| s.role == Role::CaseManager) {
                let overdue =
                    workforce::supervision_overdue(last.get(&s.id).copied(), s.started, today);
                on_time.numerator += u64::from(!overdue);
                on_time.denominator += 1;
            }
            let people: Vec<Person> = staff.iter().map(Staff::person).collect();
            let completion = workforce::completion(&courses, &people, &records, today);
            WorkforceFigures {
                supervision_on_time: on_time,
                training: courses.iter().cloned().zip(completion).collect(),
                caseloads: caseloads_by_month(&history, today),
                turnover: workforce::turnover(
                    &tenures(&accounts),
                    dates::months_before(today, 11),
                    12,
                ),
            }
        });
        self.audit_read(
            AuditEntry::new(Some(caller.actor.id), "workforce.view").detail(caller.detail(json!({
                "people": lines.len(),
                "figures": sees_figures,
            }))),
        )
        .await?;
        Ok(WorkforceOverview {
            people: lines,
            figures,
            courses,
            may_manage_courses: may(&caller.actor, Duty::ManageCourses, None),
        })
    }

    /// One person's supervisions, training and induction, for those who may see them.
    pub async fn staff_record(
        &self,
        caller: &Caller,
        id: UserId,
    ) -> Result<StaffRecord, ServiceError> {
        let today = self.today();
        let mut tx = self.begin().await?;
        let Some(staff) = staff_member(&mut tx, id).await? else {
            tx.audit(&denied(caller, Duty::SeeRecords, Some(id)))
                .await?;
            tx.commit().await?;
            return Err(not_found(&format!("staff member {id}")));
        };
        let mut tx = authorise(tx, caller, Duty::SeeRecords, Some(&staff)).await?;
        let supervisions = tx.supervisions_of(id).await?;
        let courses = tx.courses().await?;
        let records = tx.training(Some(id)).await?;
        let induction = tx.inductions(Some(id)).await?.into_iter().next();
        let buddies = enabled_staff(&tx.users().await?)
            .into_iter()
            .filter(|s| s.id != id && matches!(s.role, Role::CaseManager | Role::TeamManager))
            .collect();
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "workforce.person_view")
                .detail(caller.detail(json!({ "person": id }))),
        )
        .await?;
        tx.commit().await?;
        let training = courses
            .into_iter()
            .map(|course| {
                // Records come latest first.
                let completed_on = records
                    .iter()
                    .find(|r| r.course == course.id)
                    .map(|r| r.completed_on);
                TrainingLine {
                    required: course.required_for.contains(&staff.role),
                    current: course.held_by(id, &records, today),
                    completed_on,
                    course,
                }
            })
            .collect();
        let person = staff.person();
        Ok(StaffRecord {
            supervision: supervision_due(&staff, supervisions.first().map(|s| s.held_on), today),
            may_supervise: may(&caller.actor, Duty::Supervise, Some(&person)),
            may_keep_training: may(&caller.actor, Duty::KeepTraining, Some(&person)),
            staff,
            supervisions,
            training,
            induction,
            buddies,
        })
    }

    /// Records case manager `id`'s supervision: draws the sample from their open cases with the
    /// seed given (or a fresh one), and keeps the caseload's timeliness on the day, judged by
    /// the caseload's own rule, with the actions agreed. Returns the supervision's id.
    pub async fn record_supervision(
        &self,
        caller: &Caller,
        id: UserId,
        form: &SupervisionForm,
    ) -> Result<i64, ServiceError> {
        let today = self.today();
        let mut tx = self.begin().await?;
        let staff = staff_member(&mut tx, id).await?;
        let mut tx = authorise(tx, caller, Duty::Supervise, staff.as_ref()).await?;
        let Some(staff) = staff else {
            tx.rollback().await?;
            return Err(not_found(&format!("staff member {id}")));
        };
        let checked = match checked_supervision(form, today) {
            Ok(checked) => checked,
            Err(problems) => {
                tx.rollback().await?;
                return Err(ServiceError::Invalid(problems));
            }
        };
        let filter = CaseFilter {
            case_manager: Some(staff.id),
            stages: open_stages(),
            ..CaseFilter::as_of(today)
        };
        let everything = Page {
            limit: i64::MAX,
            offset: 0,
        };
        let listed = tx
            .list_cases_sorted(&filter, CaseSort::Reference, everything)
            .await?;
        let caseload: Vec<CaseloadCase> = listed
            .cases
            .into_iter()
            .map(|c| {
                CaseloadCase::judged(
                    c.id,
                    c.reference.to_string(),
                    c.projection.next_due,
                    usize::try_from(c.projection.overdue_count).unwrap_or(0),
                    today,
                )
            })
            .collect();
        let timeliness = workforce::timeliness(&caseload);
        let (size, seed, actions, notes) = checked;
        let supervision = NewSupervision {
            person: staff.id,
            held_on: form.held_on.unwrap_or(today),
            seed,
            open_cases: i64::try_from(timeliness.denominator).unwrap_or(i64::MAX),
            overdue_cases: i64::try_from(timeliness.denominator - timeliness.numerator)
                .unwrap_or(i64::MAX),
            sample: workforce::draw_sample(&caseload, size, seed),
            actions,
            notes,
        };
        let sid = tx.insert_supervision(&supervision, caller.actor.id).await?;
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "workforce.supervision").detail(caller.detail(
                json!({
                    "person": staff.id,
                    "supervision": sid,
                    "seed": seed.to_string(),
                    "sampled": supervision.sample.len(),
                    "open_cases": supervision.open_cases,
                    "overdue_cases": supervision.overdue_cases,
                }),
            )),
        )
        .await?;
        tx.commit().await?;
        Ok(sid)
    }

    /// One supervision, for those who may see the supervised person's records.
    pub async fn supervision(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<SupervisionView, ServiceError> {
        let mut tx = self.begin().await?;
        let record = tx.supervision(id).await?;
        let staff = match &record {
            Some(r) => staff_member(&mut tx, r.person).await?,
            None => None,
        };
        let (Some(record), Some(staff)) = (record, staff) else {
            tx.rollback().await?;
            return Err(not_found(&format!("supervision {id}")));
        };
        let mut tx = authorise(tx, caller, Duty::SeeRecords, Some(&staff)).await?;
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "workforce.supervision_view")
                .detail(caller.detail(json!({ "supervision": id, "person": staff.id }))),
        )
        .await?;
        tx.commit().await?;
        Ok(SupervisionView {
            may_follow_up: may(&caller.actor, Duty::Supervise, Some(&staff.person())),
            record,
            staff,
        })
    }

    /// Records the follow-up of an agreed action: done or not (`None` when not chosen), on
    /// `on`.
    pub async fn follow_up_action(
        &self,
        caller: &Caller,
        supervision: i64,
        action: i64,
        done: Option<bool>,
        on: Option<Date>,
    ) -> Result<(), ServiceError> {
        let today = self.today();
        let mut tx = self.begin().await?;
        let record = tx.supervision(supervision).await?;
        let staff = match &record {
            Some(r) => staff_member(&mut tx, r.person).await?,
            None => None,
        };
        let (Some(record), Some(staff)) = (record, staff) else {
            tx.rollback().await?;
            return Err(not_found(&format!("supervision {supervision}")));
        };
        let mut tx = authorise(tx, caller, Duty::Supervise, Some(&staff)).await?;
        let mut problems = Vec::new();
        if done.is_none() {
            problems.push(FieldError::new(
                "done",
                "Select whether the action was done",
            ));
        }
        match on {
            None => problems.push(FieldError::new(
                "on",
                "Enter the date the action was followed up",
            )),
            Some(on) if on > today => problems.push(FieldError::new(
                "on",
                "The date of the follow-up must be today or in the past",
            )),
            Some(on) if on < record.held_on => problems.push(FieldError::new(
                "on",
                "The date of the follow-up must be on or after the supervision",
            )),
            Some(_) => {}
        }
        let (Some(done), Some(on), true) = (done, on, problems.is_empty()) else {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(problems));
        };
        if !tx
            .follow_up_action(supervision, action, done, on, caller.actor.id)
            .await?
        {
            tx.rollback().await?;
            return Err(not_found(&format!("action {action}")));
        }
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "workforce.follow_up").detail(
                caller
                    .detail(json!({ "supervision": supervision, "action": action, "done": done })),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a course (administrators); returns its id.
    pub async fn add_course(
        &self,
        caller: &Caller,
        form: &CourseForm,
    ) -> Result<i64, ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise(tx, caller, Duty::ManageCourses, None).await?;
        let course = match checked_course(form) {
            Ok(course) => course,
            Err(problems) => {
                tx.rollback().await?;
                return Err(ServiceError::Invalid(problems));
            }
        };
        let Some(id) = tx.add_course(&course).await? else {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "title",
                "A course with this title already exists",
            )]));
        };
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "workforce.course_add")
                .detail(caller.detail(json!({ "course": id }))),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records that person `id` completed `course` (its id, as the form sends it) on
    /// `completed_on`.
    pub async fn record_training(
        &self,
        caller: &Caller,
        id: UserId,
        course: &str,
        completed_on: Option<Date>,
    ) -> Result<(), ServiceError> {
        let today = self.today();
        let mut tx = self.begin().await?;
        let staff = staff_member(&mut tx, id).await?;
        let mut tx = authorise(tx, caller, Duty::KeepTraining, staff.as_ref()).await?;
        let courses = tx.courses().await?;
        let course = course
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|c| courses.iter().any(|known| known.id == *c));
        let mut problems = Vec::new();
        if course.is_none() {
            problems.push(FieldError::new("course", "Select the course completed"));
        }
        match completed_on {
            None => problems.push(FieldError::new(
                "completed_on",
                "Enter the date the course was completed",
            )),
            Some(on) if on > today => problems.push(FieldError::new(
                "completed_on",
                "The date of completion must be today or in the past",
            )),
            Some(_) => {}
        }
        let (Some(staff), Some(course), Some(on), true) =
            (staff, course, completed_on, problems.is_empty())
        else {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(problems));
        };
        let record = tx
            .add_training(staff.id, course, on, caller.actor.id)
            .await?;
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "workforce.training").detail(
                caller.detail(json!({ "person": staff.id, "course": course, "record": record })),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts person `id`'s induction with `buddy` (an account id, as the form sends it),
    /// today.
    pub async fn start_induction(
        &self,
        caller: &Caller,
        id: UserId,
        buddy: &str,
    ) -> Result<(), ServiceError> {
        let today = self.today();
        let mut tx = self.begin().await?;
        let staff = staff_member(&mut tx, id).await?;
        let mut tx = authorise(tx, caller, Duty::KeepTraining, staff.as_ref()).await?;
        let buddies = enabled_staff(&tx.users().await?);
        let buddy = buddy
            .trim()
            .parse::<UserId>()
            .ok()
            .filter(|b| *b != id && buddies.iter().any(|s| s.id == *b));
        let (Some(staff), Some(buddy)) = (staff, buddy) else {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "buddy",
                "Select the new starter's buddy",
            )]));
        };
        if !tx.start_induction(staff.id, buddy, today).await? {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "buddy",
                "Their induction has already started",
            )]));
        }
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "workforce.induction_start")
                .detail(caller.detail(json!({ "person": staff.id, "buddy": buddy }))),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ticks item `item` of person `id`'s induction as done on `done_on`.
    pub async fn tick_induction(
        &self,
        caller: &Caller,
        id: UserId,
        item: &str,
        done_on: Option<Date>,
    ) -> Result<(), ServiceError> {
        let today = self.today();
        let mut tx = self.begin().await?;
        let staff = staff_member(&mut tx, id).await?;
        let mut tx = authorise(tx, caller, Duty::KeepTraining, staff.as_ref()).await?;
        let started = tx.inductions(Some(id)).await?.into_iter().next();
        let (Some(staff), Some(started)) = (staff, started) else {
            tx.rollback().await?;
            return Err(not_found(&format!("induction of {id}")));
        };
        let mut problems = Vec::new();
        if workforce::induction_item(item).is_none() {
            problems.push(FieldError::new("item", "Select an item of the induction"));
        }
        match done_on {
            None => problems.push(FieldError::new("done_on", "Enter the date it was done")),
            Some(on) if on > today || on < started.started_on => problems.push(FieldError::new(
                "done_on",
                "The date must be from the start of the induction to today",
            )),
            Some(_) => {}
        }
        let (Some(on), true) = (done_on, problems.is_empty()) else {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(problems));
        };
        let new = tx
            .tick_induction(staff.id, item, on, caller.actor.id)
            .await?;
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "workforce.induction_tick")
                .detail(caller.detail(json!({ "person": staff.id, "item": item, "new": new }))),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The supervision form checked: the sample's size, the seed, the actions and the notes.
fn checked_supervision(
    form: &SupervisionForm,
    today: Date,
) -> Result<(usize, u64, Vec<String>, String), Vec<FieldError>> {
    let mut problems = Vec::new();
    match form.held_on {
        None => problems.push(FieldError::new(
            "held_on",
            "Enter the date the supervision was held",
        )),
        Some(on) if on > today => problems.push(FieldError::new(
            "held_on",
            "The date of the supervision must be today or in the past",
        )),
        Some(_) => {}
    }
    let size = match form.sample_size.trim() {
        "" => Some(DEFAULT_SAMPLE),
        text => text
            .parse::<usize>()
            .ok()
            .filter(|s| (1..=MAX_SAMPLE).contains(s)),
    };
    if size.is_none() {
        problems.push(FieldError::new(
            "sample_size",
            format!("Enter how many cases to sample, from 1 to {MAX_SAMPLE}"),
        ));
    }
    let seed = match form.seed.trim() {
        "" => Some(fresh_seed()),
        text => text.parse::<u64>().ok(),
    };
    if seed.is_none() {
        problems.push(FieldError::new(
            "seed",
            "Enter the seed as a whole number, or leave it blank for a random one",
        ));
    }
    let actions: Vec<String> = form
        .actions
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if actions.is_empty() {
        problems.push(FieldError::new(
            "actions",
            "Enter the actions agreed, one a line",
        ));
    } else if actions.len() > MAX_ACTIONS {
        problems.push(FieldError::new(
            "actions",
            format!("Agree at most {MAX_ACTIONS} actions, one a line"),
        ));
    } else if let Some(problem) = actions
        .iter()
        .find_map(|a| input::check_text(a, MAX_TEXT, false).err())
    {
        problems.push(FieldError::new("actions", problem.message("Each action")));
    }
    let notes = form.notes.trim().to_owned();
    if let Err(problem) = input::check_text(&notes, MAX_TEXT, true) {
        problems.push(FieldError::new("notes", problem.message("The notes")));
    }
    match (size, seed, problems.is_empty()) {
        (Some(size), Some(seed), true) => Ok((size, seed, actions, notes)),
        _ => Err(problems),
    }
}

/// The course form checked.
fn checked_course(form: &CourseForm) -> Result<NewCourse, Vec<FieldError>> {
    let mut problems = Vec::new();
    let title = form.title.trim().to_owned();
    if title.is_empty() {
        problems.push(FieldError::new("title", "Enter the course's title"));
    } else if let Err(problem) = input::check_text(&title, MAX_LABEL, false) {
        problems.push(FieldError::new("title", problem.message("The title")));
    }
    let valid_months = match form.valid_months.trim() {
        "" => Some(None),
        text => text
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=120).contains(m))
            .map(Some),
    };
    if valid_months.is_none() {
        problems.push(FieldError::new(
            "valid_months",
            "Enter how many months a completion stays valid, from 1 to 120, or leave it blank",
        ));
    }
    let required_for: Option<BTreeSet<Role>> = form
        .required_for
        .iter()
        .map(|r| Role::parse(r.trim()).filter(|r| !r.is_external()))
        .collect();
    if required_for.is_none() {
        problems.push(FieldError::new(
            "required_for",
            "Select roles of the council's own staff",
        ));
    }
    match (valid_months, required_for, problems.is_empty()) {
        (Some(valid_months), Some(required_for), true) => Ok(NewCourse {
            title,
            valid_months,
            required_for,
        }),
        _ => Err(problems),
    }
}
