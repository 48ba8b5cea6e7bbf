//! The public API of the case store: reads on [`Store`], reads and writes inside a [`Tx`].

use sqlx::types::Json;
use sqlx::{AssertSqlSafe, FromRow};
use tandem_core::request::RequestDetails;
use tandem_core::{Child, Date, Event, Reference, Stage, UserId};

use super::children::{ChildColumns, insert_child};
use super::events::{EventInsert, insert_events, next_seq};
use super::listing::{backlog, caseload_counts, existing_references, list_cases};
use super::records::{
    bump_version, load_case_where, map_duplicate_reference, recompute_projection,
    upsert_projections,
};
use super::request::{REQUEST_COLUMNS, REQUEST_COUNT, bind_request, write_request};
use crate::error::{StoreError, is_unique_violation};
use crate::model::{
    Assignment, Attribution, BacklogPage, CaseFilter, CaseId, CasePage, CaseRecord, CaseSort,
    CaseloadCount, ChildId, ChildMatch, Correction, EventId, NewCase, Page, Projection,
    Reassignment, StoredCase, parse_reference,
};
use crate::projection::derive;
use crate::store::{Conn, Store, Tx, on};

impl Store {
    /// A case with its child, full history (with attribution) and projection.
    pub async fn case(&self, reference: &Reference) -> Result<Option<StoredCase>, StoreError> {
        let mut held = self.acquire().await?;
        load_case_where(held.conn(), Some(reference.as_str()), None).await
    }

    /// As [`Store::case`], by database id.
    pub async fn case_by_id(&self, id: CaseId) -> Result<Option<StoredCase>, StoreError> {
        let mut held = self.acquire().await?;
        load_case_where(held.conn(), None, Some(id)).await
    }

    /// One page of cases matching `filter`, ordered by next due date (nothing due last), then
    /// reference.
    pub async fn list_cases(
        &self,
        filter: &CaseFilter,
        page: Page,
    ) -> Result<CasePage, StoreError> {
        let mut held = self.acquire().await?;
        list_cases(held.conn(), filter, CaseSort::Due, page).await
    }

    /// How many cases the store holds.
    pub async fn count_cases(&self) -> Result<i64, StoreError> {
        let mut held = self.acquire().await?;
        let count = on!(held.conn(), c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cases")
            .fetch_one(&mut *c)
            .await?);
        Ok(count)
    }

    /// A value that changes whenever any case does: the change counter (migration 0011), moved
    /// by triggers in the transaction of every change to a case or its summary row (one row
    /// read, however many cases). Lets readers keep results computed from every case (the
    /// dashboard) until the cases change.
    pub async fn cases_version(&self) -> Result<i64, StoreError> {
        let mut held = self.acquire().await?;
        change_count(held.conn()).await
    }

    /// How many history rows the store holds, corrections and withdrawals included.
    pub async fn count_events(&self) -> Result<i64, StoreError> {
        let mut held = self.acquire().await?;
        let count = on!(held.conn(), c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM events")
            .fetch_one(&mut *c)
            .await?);
        Ok(count)
    }
}

impl Tx {
    /// Reads a case inside the transaction (to authorise and decide before writing).
    pub async fn case(&mut self, reference: &Reference) -> Result<Option<StoredCase>, StoreError> {
        load_case_where(self.conn(), Some(reference.as_str()), None).await
    }

    /// As [`Tx::case`], failing with [`StoreError::CaseNotFound`].
    pub async fn require_case(&mut self, reference: &Reference) -> Result<StoredCase, StoreError> {
        self.case(reference)
            .await?
            .ok_or_else(|| StoreError::CaseNotFound {
                reference: reference.to_string(),
            })
    }

    /// As [`Tx::case`], by database id.
    pub(crate) async fn case_by_id(
        &mut self,
        id: CaseId,
    ) -> Result<Option<StoredCase>, StoreError> {
        load_case_where(self.conn(), None, Some(id)).await
    }

    /// As [`Store::list_cases`], inside the transaction.
    pub async fn list_cases(
        &mut self,
        filter: &CaseFilter,
        page: Page,
    ) -> Result<CasePage, StoreError> {
        list_cases(self.conn(), filter, CaseSort::Due, page).await
    }

    /// One page of cases matching `filter` in the order `sort` asks for.
    pub async fn list_cases_sorted(
        &mut self,
        filter: &CaseFilter,
        sort: CaseSort,
        page: Page,
    ) -> Result<CasePage, StoreError> {
        list_cases(self.conn(), filter, sort, page).await
    }

    /// The change counter: moved on (by triggers, migration 0011) in the transaction of every
    /// change to a case or its summary row, so an answer computed from the cases is still the
    /// database's answer while the counter, read in the same transaction, stays the same.
    pub async fn change_count(&mut self) -> Result<i64, StoreError> {
        change_count(self.conn()).await
    }

    /// How many cases matching `filter` each case manager holds, and how many are overdue or
    /// due within two weeks on `filter.as_of` (the status filter, if any, applies too).
    pub async fn caseload_counts(
        &mut self,
        filter: &CaseFilter,
    ) -> Result<Vec<CaseloadCount>, StoreError> {
        caseload_counts(self.conn(), filter).await
    }

    /// One page of the cases matching `filter` whose request was received before
    /// `requested_before`, oldest request first.
    pub async fn backlog(
        &mut self,
        filter: &CaseFilter,
        requested_before: Date,
        page: Page,
    ) -> Result<BacklogPage, StoreError> {
        backlog(self.conn(), filter, requested_before, page).await
    }

    /// Creates a case (version 1) with its child and events, and its projection.
    pub async fn open_case(
        &mut self,
        new: &NewCase,
        by: Attribution,
    ) -> Result<CaseRecord, StoreError> {
        let child_id = insert_child(self.conn(), &new.case.child).await?;
        self.open_case_with_child(new, child_id, by).await
    }

    /// Creates a case for a child the store already holds (a new request for a child with an
    /// earlier case); the new case file's `child` is not stored again.
    pub async fn open_case_for_child(
        &mut self,
        new: &NewCase,
        child_id: ChildId,
        by: Attribution,
    ) -> Result<CaseRecord, StoreError> {
        self.open_case_with_child(new, child_id, by).await
    }

    /// Cases held for a child with these names (compared without regard to case or surrounding
    /// spaces) and date of birth, newest first.
    pub async fn cases_of_child(
        &mut self,
        given_name: &str,
        family_name: &str,
        date_of_birth: Date,
    ) -> Result<Vec<ChildMatch>, StoreError> {
        const SQL: &str = "SELECT ch.id, c.id, c.reference, p.stage FROM children ch \
             JOIN cases c ON c.child_id = ch.id \
             LEFT JOIN case_projection p ON p.case_id = c.id \
             WHERE lower(ch.given_name) = lower($1) AND lower(ch.family_name) = lower($2) \
             AND ch.date_of_birth = $3 ORDER BY c.id DESC";
        let rows = on!(self.conn(), c => sqlx::query_as::<_, (i64, i64, String, Option<String>)>(SQL)
            .bind(given_name.trim())
            .bind(family_name.trim())
            .bind(date_of_birth)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter()
            .map(|(child_id, case_id, reference, stage)| {
                let stage = match stage {
                    Some(text) => Some(
                        Stage::parse(&text)
                            .ok_or_else(|| StoreError::Corrupt(format!("stage {text:?}")))?,
                    ),
                    None => None,
                };
                Ok(ChildMatch {
                    child_id,
                    case_id,
                    reference: parse_reference(reference)?,
                    stage,
                })
            })
            .collect()
    }

    async fn open_case_with_child(
        &mut self,
        new: &NewCase,
        child_id: ChildId,
        by: Attribution,
    ) -> Result<CaseRecord, StoreError> {
        let (now, today) = (self.now(), self.today());
        let marks: Vec<String> = (6..6 + REQUEST_COUNT).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO cases (reference, child_id, case_manager_id, team, opened_at, \
             {REQUEST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, {}) RETURNING id, version",
            marks.join(", ")
        );
        let reference = &new.case.reference;
        let (id, version) = on!(self.conn(), c => {
            let query = sqlx::query_as::<_, (i64, i64)>(AssertSqlSafe(sql))
                .bind(reference.as_str())
                .bind(child_id)
                .bind(new.case_manager)
                .bind(new.team.as_deref())
                .bind(now);
            bind_request!(query, &new.case.request)
                .fetch_one(&mut *c)
                .await
                .map_err(|e| map_duplicate_reference(e, reference))?
        });
        let rows: Vec<EventInsert> = new
            .case
            .events
            .iter()
            .zip(1..)
            .map(|(event, seq)| EventInsert::new(id, seq, event))
            .collect();
        insert_events(self.conn(), &rows, by, now).await?;
        upsert_projections(self.conn(), &[(id, derive(&new.case, today))]).await?;
        Ok(CaseRecord {
            id,
            reference: reference.clone(),
            version,
            child_id,
            case_manager: new.case_manager,
            team: new.team.clone(),
            opened_at: now,
        })
    }

    /// Appends events to a case written at `expected_version`; returns the new version.
    pub async fn append_events(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        events: &[Event],
        by: Attribution,
    ) -> Result<i64, StoreError> {
        let rows = |first| {
            events
                .iter()
                .zip(first..)
                .map(|(event, seq)| EventInsert::new(case_id, seq, event))
                .collect()
        };
        self.append_rows(case_id, expected_version, rows, by).await
    }

    /// Appends events recorded despite the warnings shown before saving, keeping the reason
    /// given for going on with each one's history row; returns the new version.
    pub async fn append_events_noting(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        events: &[Event],
        reason: &str,
        by: Attribution,
    ) -> Result<i64, StoreError> {
        let rows = |first| {
            events
                .iter()
                .zip(first..)
                .map(|(event, seq)| EventInsert {
                    reason: Some(reason.to_owned()),
                    ..EventInsert::new(case_id, seq, event)
                })
                .collect()
        };
        self.append_rows(case_id, expected_version, rows, by).await
    }

    /// Writes the rows `rows` makes from the case's next sequence number, at `expected_version`.
    async fn append_rows(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        rows: impl FnOnce(i64) -> Vec<EventInsert>,
        by: Attribution,
    ) -> Result<i64, StoreError> {
        let (now, today) = (self.now(), self.today());
        let version = bump_version(self.conn(), case_id, expected_version).await?;
        let first = next_seq(self.conn(), case_id).await?;
        insert_events(self.conn(), &rows(first), by, now).await?;
        recompute_projection(self.conn(), case_id, today).await?;
        Ok(version)
    }

    /// Replaces event `event_id` by `corrected`: a new history row that supersedes it, with a
    /// reason. Both rows stay in the history. Returns the new version.
    pub async fn correct_event(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        event_id: EventId,
        corrected: &Event,
        reason: &str,
        by: Attribution,
    ) -> Result<i64, StoreError> {
        self.supersede(
            case_id,
            expected_version,
            event_id,
            Some(corrected),
            reason,
            by,
        )
        .await
    }

    /// Withdraws event `event_id`: a new history row says it no longer counts, and why.
    /// Returns the new version.
    pub async fn withdraw_event(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        event_id: EventId,
        reason: &str,
        by: Attribution,
    ) -> Result<i64, StoreError> {
        self.supersede(case_id, expected_version, event_id, None, reason, by)
            .await
    }

    async fn supersede(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        event_id: EventId,
        replacement: Option<&Event>,
        reason: &str,
        by: Attribution,
    ) -> Result<i64, StoreError> {
        let (now, today) = (self.now(), self.today());
        let version = bump_version(self.conn(), case_id, expected_version).await?;
        #[derive(FromRow)]
        struct Target {
            has_event: bool,
            superseded: bool,
        }
        const TARGET: &str = "SELECT (e.event IS NOT NULL) AS has_event, \
             EXISTS (SELECT 1 FROM events s WHERE s.supersedes = e.id) AS superseded \
             FROM events e WHERE e.id = $1 AND e.case_id = $2";
        let target = on!(self.conn(), c => sqlx::query_as::<_, Target>(TARGET)
            .bind(event_id)
            .bind(case_id)
            .fetch_optional(&mut *c)
            .await?);
        match target {
            None
            | Some(Target {
                has_event: false, ..
            }) => return Err(StoreError::EventNotFound { case_id, event_id }),
            Some(Target {
                superseded: true, ..
            }) => return Err(StoreError::AlreadySuperseded { event_id }),
            Some(_) => {}
        }
        let seq = next_seq(self.conn(), case_id).await?;
        let correction = match replacement {
            Some(_) => Correction::Correct,
            None => Correction::Withdraw,
        };
        const INSERT: &str = "INSERT INTO events (case_id, seq, event, type, date, recorded_by, \
             recorded_at, source, supersedes, correction, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        on!(self.conn(), c => { sqlx::query(INSERT)
            .bind(case_id)
            .bind(seq)
            .bind(replacement.map(|e| Json(e.to_json())))
            .bind(replacement.map(|e| e.event_type().as_str()))
            .bind(replacement.map(|e| e.date))
            .bind(by.by)
            .bind(now)
            .bind(by.source.as_str())
            .bind(event_id)
            .bind(correction.as_str())
            .bind(reason)
            .execute(&mut *c)
            .await
            .map_err(|e| {
                if is_unique_violation(&e, "events", "supersedes") {
                    StoreError::AlreadySuperseded { event_id }
                } else {
                    StoreError::Database(e)
                }
            })?; });
        recompute_projection(self.conn(), case_id, today).await?;
        Ok(version)
    }

    /// Gives the case to a case manager and/or team (`None` clears). Returns the new version.
    pub async fn assign_case(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        change: &Reassignment<'_>,
    ) -> Result<i64, StoreError> {
        let version = bump_version(self.conn(), case_id, expected_version).await?;
        let now = self.now();
        const PREVIOUS: &str = "SELECT case_manager_id FROM cases WHERE id = $1";
        let from = on!(self.conn(), c => sqlx::query_scalar::<_, Option<i64>>(PREVIOUS)
            .bind(case_id)
            .fetch_one(&mut *c)
            .await?);
        const SQL: &str = "UPDATE cases SET case_manager_id = $2, team = $3 WHERE id = $1";
        const HISTORY: &str = "INSERT INTO case_assignments \
             (case_id, from_user, to_user, reason, assigned_by, assigned_at) \
             VALUES ($1, $2, $3, $4, $5, $6)";
        on!(self.conn(), c => {
            sqlx::query(SQL)
                .bind(case_id)
                .bind(change.to)
                .bind(change.team)
                .execute(&mut *c)
                .await?;
            sqlx::query(HISTORY)
                .bind(case_id)
                .bind(from)
                .bind(change.to)
                .bind(change.reason)
                .bind(change.by)
                .bind(now)
                .execute(&mut *c)
                .await?;
        });
        Ok(version)
    }

    /// Every change of a case's case manager, oldest first.
    pub async fn assignments(&mut self, case_id: CaseId) -> Result<Vec<Assignment>, StoreError> {
        const SQL: &str = "SELECT a.from_user, a.to_user, a.reason, a.assigned_by, \
             u.name AS assigned_by_name, a.assigned_at FROM case_assignments a \
             LEFT JOIN users u ON u.id = a.assigned_by WHERE a.case_id = $1 ORDER BY a.id";
        Ok(on!(self.conn(), c => sqlx::query_as::<_, Assignment>(SQL)
            .bind(case_id)
            .fetch_all(&mut *c)
            .await?))
    }

    /// The cases assigned to `user_id`, as `(id, version, reference)`, in reference order.
    pub async fn cases_assigned_to(
        &mut self,
        user_id: UserId,
    ) -> Result<Vec<(CaseId, i64, String)>, StoreError> {
        const SQL: &str = "SELECT id, version, reference FROM cases \
             WHERE case_manager_id = $1 ORDER BY reference";
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, (CaseId, i64, String)>(SQL)
            .bind(user_id)
            .fetch_all(&mut *c)
            .await?),
        )
    }

    /// Replaces the child's details (names, date of birth, other fields). Returns the new version.
    pub async fn update_child(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        child: &Child,
        request: &RequestDetails,
    ) -> Result<i64, StoreError> {
        let today = self.today();
        let version = bump_version(self.conn(), case_id, expected_version).await?;
        let columns = ChildColumns::from_child(child);
        const SQL: &str = "UPDATE children SET given_name = $2, family_name = $3, \
             date_of_birth = $4, other = $5 \
             WHERE id = (SELECT child_id FROM cases WHERE id = $1)";
        on!(self.conn(), c => {
            sqlx::query(SQL)
                .bind(case_id)
                .bind(columns.given_name)
                .bind(columns.family_name)
                .bind(columns.date_of_birth)
                .bind(Json(columns.other))
                .execute(&mut *c)
                .await?;
        });
        write_request(self.conn(), case_id, request).await?;
        recompute_projection(self.conn(), case_id, today).await?;
        Ok(version)
    }

    /// Replaces a case's content with `new` (an import with `--replace`; `new`'s reference is
    /// not used, the case keeps its own): the child's details
    /// are overwritten, every effective event is withdrawn with `reason`, and `new`'s events are
    /// appended, so the history keeps what was there before. The case manager and team change
    /// only where `new` names one. Returns the new version.
    pub async fn replace_case(
        &mut self,
        case_id: CaseId,
        expected_version: i64,
        new: &NewCase,
        reason: &str,
        by: Attribution,
    ) -> Result<i64, StoreError> {
        let (now, today) = (self.now(), self.today());
        let version = bump_version(self.conn(), case_id, expected_version).await?;
        let current = self
            .case_by_id(case_id)
            .await?
            .ok_or(StoreError::CaseIdNotFound { id: case_id })?;
        let columns = ChildColumns::from_child(&new.case.child);
        const CHILD: &str = "UPDATE children SET given_name = $2, family_name = $3, \
             date_of_birth = $4, other = $5 WHERE id = $1";
        on!(self.conn(), c => {
            sqlx::query(CHILD)
                .bind(current.record.child_id)
                .bind(columns.given_name)
                .bind(columns.family_name)
                .bind(columns.date_of_birth)
                .bind(Json(columns.other))
                .execute(&mut *c)
                .await?;
        });
        write_request(self.conn(), case_id, &new.case.request).await?;
        if new.case_manager.is_some() || new.team.is_some() {
            const ASSIGN: &str = "UPDATE cases SET case_manager_id = COALESCE($2, case_manager_id), \
                 team = COALESCE($3, team) WHERE id = $1";
            on!(self.conn(), c => {
                sqlx::query(ASSIGN)
                    .bind(case_id)
                    .bind(new.case_manager)
                    .bind(new.team.as_deref())
                    .execute(&mut *c)
                    .await?;
            });
        }
        let mut seq = next_seq(self.conn(), case_id).await?;
        for old in current.effective() {
            const WITHDRAW: &str = "INSERT INTO events (case_id, seq, recorded_by, recorded_at, \
                 source, supersedes, correction, reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'withdraw', $7)";
            on!(self.conn(), c => {
                sqlx::query(WITHDRAW)
                    .bind(case_id)
                    .bind(seq)
                    .bind(by.by)
                    .bind(now)
                    .bind(by.source.as_str())
                    .bind(old.id)
                    .bind(reason)
                    .execute(&mut *c)
                    .await?;
            });
            seq += 1;
        }
        let rows: Vec<EventInsert> = new
            .case
            .events
            .iter()
            .zip(seq..)
            .map(|(event, seq)| EventInsert::new(case_id, seq, event))
            .collect();
        insert_events(self.conn(), &rows, by, now).await?;
        recompute_projection(self.conn(), case_id, today).await?;
        Ok(version)
    }

    /// Recomputes one case's projection as of [`Tx::today`] without changing its version.
    pub async fn refresh_projection(&mut self, case_id: CaseId) -> Result<Projection, StoreError> {
        let today = self.today();
        recompute_projection(self.conn(), case_id, today).await
    }

    /// Which of `references` already name a case (to report every clash of an import at once).
    pub async fn existing_references(
        &mut self,
        references: &[Reference],
    ) -> Result<Vec<Reference>, StoreError> {
        existing_references(self.conn(), references).await
    }
}

async fn change_count(mut conn: Conn<'_>) -> Result<i64, StoreError> {
    const SQL: &str = "SELECT n FROM change_counter WHERE id = 1";
    Ok(on!(conn.reborrow(), c => sqlx::query_scalar::<_, i64>(SQL)
        .fetch_one(&mut *c)
        .await?))
}
