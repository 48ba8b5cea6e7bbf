//! Workforce records (migration 0032): supervisions with the sample of cases they looked at and
//! their agreed actions, courses and training completions, and induction checklists. Who may
//! read or write them is decided by the services ([`tandem_core::workforce::may`]).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tandem_core::workforce::{CaseloadCase, Completion, Course};
use tandem_core::{Date, Role, UserId};

use crate::error::StoreError;
use crate::store::{Tx, on};

/// A supervision to record: the sample and timeliness are as the services computed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSupervision {
    /// The case manager supervised.
    pub person: UserId,
    /// The day it was held.
    pub held_on: Date,
    /// The seed the sample was drawn with.
    pub seed: u64,
    /// The caseload's open cases on the day it was recorded.
    pub open_cases: i64,
    /// Of those, the cases with a statutory step overdue.
    pub overdue_cases: i64,
    /// The cases drawn, in the order drawn.
    pub sample: Vec<CaseloadCase>,
    /// The actions agreed, in order.
    pub actions: Vec<String>,
    /// Anything else the supervisor wrote down.
    pub notes: String,
}

/// A supervision as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionRecord {
    /// Its id.
    pub id: i64,
    /// The case manager supervised.
    pub person: UserId,
    /// Who supervised them.
    pub supervisor: UserId,
    /// The supervisor's name.
    pub supervisor_name: String,
    /// The day it was held.
    pub held_on: Date,
    /// The seed its sample was drawn with.
    pub seed: u64,
    /// The caseload's open cases when it was recorded.
    pub open_cases: i64,
    /// Of those, the cases with a statutory step overdue.
    pub overdue_cases: i64,
    /// The cases drawn, in the order drawn, with whether each was overdue then.
    pub sample: Vec<CaseloadCase>,
    /// The actions agreed, in order, with their follow-up.
    pub actions: Vec<AgreedAction>,
    /// The supervisor's notes.
    pub notes: String,
}

/// An action agreed at a supervision, and its follow-up once made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreedAction {
    /// Its id.
    pub id: i64,
    /// What was agreed.
    pub text: String,
    /// Whether it was done, and on which day that was checked; `None` until followed up.
    pub follow_up: Option<(bool, Date)>,
}

/// A person's most recent supervision day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct LastSupervision {
    /// The person supervised.
    pub person: UserId,
    /// Their latest supervision.
    pub held_on: Date,
}

/// A course to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCourse {
    /// Its title (unique).
    pub title: String,
    /// How many months a completion counts; `None` for good.
    pub valid_months: Option<u32>,
    /// The roles that must take it.
    pub required_for: BTreeSet<Role>,
}

/// A new starter's induction: their buddy and the items ticked so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InductionRecord {
    /// The new starter.
    pub person: UserId,
    /// Their buddy.
    pub buddy: UserId,
    /// The buddy's name.
    pub buddy_name: String,
    /// The day it started.
    pub started_on: Date,
    /// The items ticked: key and day.
    pub ticked: Vec<(String, Date)>,
}

#[derive(FromRow)]
struct SupervisionRow {
    id: i64,
    person: i64,
    supervisor: i64,
    supervisor_name: String,
    held_on: Date,
    seed: i64,
    open_cases: i64,
    overdue_cases: i64,
    notes: String,
}

#[derive(FromRow)]
struct SampleRow {
    case_id: i64,
    reference: String,
    overdue: bool,
}

#[derive(FromRow)]
struct ActionRow {
    id: i64,
    text: String,
    done: Option<bool>,
    followed_up_on: Option<Date>,
}

#[derive(FromRow)]
struct CourseRow {
    id: i64,
    title: String,
    valid_months: Option<i64>,
    required_for: String,
}

#[derive(FromRow)]
struct CompletionRow {
    person: i64,
    course_id: i64,
    completed_on: Date,
}

#[derive(FromRow)]
struct InductionRow {
    person: i64,
    buddy: i64,
    buddy_name: String,
    started_on: Date,
}

#[derive(FromRow)]
struct TickRow {
    item: String,
    done_on: Date,
}

const SUPERVISIONS: &str = "SELECT s.id, s.person, s.supervisor, u.name AS supervisor_name, \
     s.held_on, s.seed, s.open_cases, s.overdue_cases, s.notes FROM supervisions s \
     JOIN users u ON u.id = s.supervisor";

/// A member of staff's time in post, as their account tells it (migration 0033).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StaffTenure {
    /// The account.
    pub id: UserId,
    /// Its role's machine name.
    pub role: String,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
    /// Whether it is disabled now.
    pub disabled: bool,
    /// The (UTC) day it was last disabled, if it is; `None` for an account never enabled (an
    /// invitation not accepted) or disabled before migration 0033.
    pub disabled_on: Option<Date>,
}

impl CourseRow {
    fn course(self) -> Result<Course, StoreError> {
        let corrupt = || StoreError::Corrupt(format!("course {}", self.id));
        let required_for = self
            .required_for
            .split(',')
            .filter(|r| !r.is_empty())
            .map(|r| Role::parse(r).ok_or_else(corrupt))
            .collect::<Result<_, _>>()?;
        Ok(Course {
            id: self.id,
            valid_months: self
                .valid_months
                .map(|m| u32::try_from(m).map_err(|_| corrupt()))
                .transpose()?,
            title: self.title,
            required_for,
        })
    }
}

impl Tx {
    /// Records a supervision with its sample and actions, by `supervisor`; returns its id.
    pub async fn insert_supervision(
        &mut self,
        supervision: &NewSupervision,
        supervisor: UserId,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        const SQL: &str = "INSERT INTO supervisions (person, supervisor, held_on, seed, \
             open_cases, overdue_cases, notes, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
        // Seeds are drawn below 2^53, so they fit a signed column; the bits are kept either way.
        let seed = i64::from_ne_bytes(supervision.seed.to_ne_bytes());
        let id = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(supervision.person)
            .bind(supervisor)
            .bind(supervision.held_on)
            .bind(seed)
            .bind(supervision.open_cases)
            .bind(supervision.overdue_cases)
            .bind(&supervision.notes)
            .bind(now)
            .fetch_one(&mut *c)
            .await?);
        const SAMPLE: &str = "INSERT INTO supervision_sample (supervision_id, position, case_id, \
             reference, overdue) VALUES ($1, $2, $3, $4, $5)";
        for (position, case) in (0i64..).zip(&supervision.sample) {
            on!(self.conn(), c => sqlx::query(SAMPLE)
                .bind(id)
                .bind(position)
                .bind(case.case_id)
                .bind(&case.reference)
                .bind(case.overdue)
                .execute(&mut *c)
                .await
                .map(drop)?);
        }
        const ACTION: &str = "INSERT INTO supervision_actions (supervision_id, position, text) \
             VALUES ($1, $2, $3)";
        for (position, text) in (0i64..).zip(&supervision.actions) {
            on!(self.conn(), c => sqlx::query(ACTION)
                .bind(id)
                .bind(position)
                .bind(text)
                .execute(&mut *c)
                .await
                .map(drop)?);
        }
        Ok(id)
    }

    /// One supervision with its sample and actions, if there is one with this id.
    pub async fn supervision(&mut self, id: i64) -> Result<Option<SupervisionRecord>, StoreError> {
        let sql = format!("{SUPERVISIONS} WHERE s.id = $1");
        let row = on!(self.conn(), c => sqlx::query_as::<_, SupervisionRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        match row {
            Some(row) => Ok(Some(self.supervision_of(row).await?)),
            None => Ok(None),
        }
    }

    /// Every supervision of `person`, latest first.
    pub async fn supervisions_of(
        &mut self,
        person: UserId,
    ) -> Result<Vec<SupervisionRecord>, StoreError> {
        let sql = format!("{SUPERVISIONS} WHERE s.person = $1 ORDER BY s.held_on DESC, s.id DESC");
        let rows = on!(self.conn(), c => sqlx::query_as::<_, SupervisionRow>(sqlx::AssertSqlSafe(sql))
            .bind(person)
            .fetch_all(&mut *c)
            .await?);
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            records.push(self.supervision_of(row).await?);
        }
        Ok(records)
    }

    async fn supervision_of(
        &mut self,
        row: SupervisionRow,
    ) -> Result<SupervisionRecord, StoreError> {
        const SAMPLE: &str = "SELECT case_id, reference, overdue FROM supervision_sample \
             WHERE supervision_id = $1 ORDER BY position";
        let sample = on!(self.conn(), c => sqlx::query_as::<_, SampleRow>(SAMPLE)
            .bind(row.id)
            .fetch_all(&mut *c)
            .await?);
        const ACTIONS: &str = "SELECT id, text, done, followed_up_on FROM supervision_actions \
             WHERE supervision_id = $1 ORDER BY position";
        let actions = on!(self.conn(), c => sqlx::query_as::<_, ActionRow>(ACTIONS)
            .bind(row.id)
            .fetch_all(&mut *c)
            .await?);
        Ok(SupervisionRecord {
            id: row.id,
            person: row.person,
            supervisor: row.supervisor,
            supervisor_name: row.supervisor_name,
            held_on: row.held_on,
            seed: u64::from_ne_bytes(row.seed.to_ne_bytes()),
            open_cases: row.open_cases,
            overdue_cases: row.overdue_cases,
            sample: sample
                .into_iter()
                .map(|s| CaseloadCase {
                    case_id: s.case_id,
                    reference: s.reference,
                    overdue: s.overdue,
                })
                .collect(),
            actions: actions
                .into_iter()
                .map(|a| AgreedAction {
                    id: a.id,
                    text: a.text,
                    follow_up: a.done.zip(a.followed_up_on),
                })
                .collect(),
            notes: row.notes,
        })
    }

    /// Records the follow-up of action `action` of supervision `supervision`: done or not, on
    /// `on`, by `by`. Returns whether there was such an action.
    pub async fn follow_up_action(
        &mut self,
        supervision: i64,
        action: i64,
        done: bool,
        on: Date,
        by: UserId,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE supervision_actions SET done = $1, followed_up_on = $2, \
             followed_up_by = $3 WHERE id = $4 AND supervision_id = $5";
        let changed = on!(self.conn(), c => sqlx::query(SQL)
            .bind(done)
            .bind(on)
            .bind(by)
            .bind(action)
            .bind(supervision)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(changed == 1)
    }

    /// Each supervised person's latest supervision.
    pub async fn last_supervisions(&mut self) -> Result<Vec<LastSupervision>, StoreError> {
        const SQL: &str =
            "SELECT person, MAX(held_on) AS held_on FROM supervisions GROUP BY person";
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, LastSupervision>(SQL)
            .fetch_all(&mut *c)
            .await?),
        )
    }

    /// Every supervision held from `from` to `to` (both included): whose, when, and the
    /// timeliness of the caseload then, oldest first; for the figures over time.
    pub async fn supervisions_between(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<SupervisionRecord>, StoreError> {
        let sql = format!(
            "{SUPERVISIONS} WHERE s.held_on >= $1 AND s.held_on <= $2 ORDER BY s.held_on, s.id"
        );
        let rows = on!(self.conn(), c => sqlx::query_as::<_, SupervisionRow>(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .fetch_all(&mut *c)
            .await?);
        // The figures need the counts, not the samples and actions.
        Ok(rows
            .into_iter()
            .map(|row| SupervisionRecord {
                id: row.id,
                person: row.person,
                supervisor: row.supervisor,
                supervisor_name: row.supervisor_name,
                held_on: row.held_on,
                seed: u64::from_ne_bytes(row.seed.to_ne_bytes()),
                open_cases: row.open_cases,
                overdue_cases: row.overdue_cases,
                sample: Vec::new(),
                actions: Vec::new(),
                notes: row.notes,
            })
            .collect())
    }

    /// Every account's time in post, for turnover.
    pub async fn staff_tenures(&mut self) -> Result<Vec<StaffTenure>, StoreError> {
        const SQL: &str =
            "SELECT id, role, created_at, disabled, disabled_on FROM users ORDER BY id";
        Ok(on!(self.conn(), c => sqlx::query_as::<_, StaffTenure>(SQL)
            .fetch_all(&mut *c)
            .await?))
    }

    /// Every course, by title.
    pub async fn courses(&mut self) -> Result<Vec<Course>, StoreError> {
        const SQL: &str =
            "SELECT id, title, valid_months, required_for FROM courses ORDER BY title, id";
        let rows = on!(self.conn(), c => sqlx::query_as::<_, CourseRow>(SQL)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter().map(CourseRow::course).collect()
    }

    /// Adds a course; returns its id, or `None` when a course already has the title.
    pub async fn add_course(&mut self, course: &NewCourse) -> Result<Option<i64>, StoreError> {
        const EXISTS: &str = "SELECT COUNT(*) FROM courses WHERE title = $1";
        let taken = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(EXISTS)
            .bind(&course.title)
            .fetch_one(&mut *c)
            .await?);
        if taken > 0 {
            return Ok(None);
        }
        let now = self.now();
        let roles: Vec<&str> = course.required_for.iter().map(|r| r.as_str()).collect();
        const SQL: &str = "INSERT INTO courses (title, valid_months, required_for, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id";
        let id = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(&course.title)
            .bind(course.valid_months.map(i64::from))
            .bind(roles.join(","))
            .bind(now)
            .fetch_one(&mut *c)
            .await?);
        Ok(Some(id))
    }

    /// Records that `person` completed course `course` on `completed_on`; returns the record's
    /// id.
    pub async fn add_training(
        &mut self,
        person: UserId,
        course: i64,
        completed_on: Date,
        by: UserId,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        const SQL: &str = "INSERT INTO training_records (person, course_id, completed_on, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
        Ok(on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(person)
            .bind(course)
            .bind(completed_on)
            .bind(by)
            .bind(now)
            .fetch_one(&mut *c)
            .await?))
    }

    /// Every training completion, or only `person`'s, latest first.
    pub async fn training(
        &mut self,
        person: Option<UserId>,
    ) -> Result<Vec<Completion>, StoreError> {
        const SQL: &str = "SELECT person, course_id, completed_on FROM training_records \
             WHERE $1 IS NULL OR person = $1 ORDER BY completed_on DESC, id DESC";
        let rows = on!(self.conn(), c => sqlx::query_as::<_, CompletionRow>(SQL)
            .bind(person)
            .fetch_all(&mut *c)
            .await?);
        Ok(rows
            .into_iter()
            .map(|r| Completion {
                person: r.person,
                course: r.course_id,
                completed_on: r.completed_on,
            })
            .collect())
    }

    /// Starts `person`'s induction with `buddy` on `started_on`; returns `false` when they
    /// already have one (it is kept as it is).
    pub async fn start_induction(
        &mut self,
        person: UserId,
        buddy: UserId,
        started_on: Date,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "INSERT INTO inductions (person, buddy, started_on) VALUES ($1, $2, $3) \
             ON CONFLICT (person) DO NOTHING";
        let added = on!(self.conn(), c => sqlx::query(SQL)
            .bind(person)
            .bind(buddy)
            .bind(started_on)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(added == 1)
    }

    /// Ticks item `item` of `person`'s induction as done on `done_on`; a tick already made is
    /// kept. Returns whether the tick is new.
    pub async fn tick_induction(
        &mut self,
        person: UserId,
        item: &str,
        done_on: Date,
        by: UserId,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "INSERT INTO induction_ticks (person, item, done_on, ticked_by) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (person, item) DO NOTHING";
        let added = on!(self.conn(), c => sqlx::query(SQL)
            .bind(person)
            .bind(item)
            .bind(done_on)
            .bind(by)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(added == 1)
    }

    /// Every induction with its ticks, or only `person`'s.
    pub async fn inductions(
        &mut self,
        person: Option<UserId>,
    ) -> Result<Vec<InductionRecord>, StoreError> {
        const SQL: &str = "SELECT i.person, i.buddy, u.name AS buddy_name, i.started_on \
             FROM inductions i JOIN users u ON u.id = i.buddy \
             WHERE $1 IS NULL OR i.person = $1 ORDER BY i.started_on, i.person";
        let rows = on!(self.conn(), c => sqlx::query_as::<_, InductionRow>(SQL)
            .bind(person)
            .fetch_all(&mut *c)
            .await?);
        const TICKS: &str =
            "SELECT item, done_on FROM induction_ticks WHERE person = $1 ORDER BY done_on, item";
        let mut inductions = Vec::with_capacity(rows.len());
        for row in rows {
            let ticks = on!(self.conn(), c => sqlx::query_as::<_, TickRow>(TICKS)
                .bind(row.person)
                .fetch_all(&mut *c)
                .await?);
            inductions.push(InductionRecord {
                person: row.person,
                buddy: row.buddy,
                buddy_name: row.buddy_name,
                started_on: row.started_on,
                ticked: ticks.into_iter().map(|t| (t.item, t.done_on)).collect(),
            });
        }
        Ok(inductions)
    }
}
