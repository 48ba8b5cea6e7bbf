//! The EHC plan of a case: working revisions, one per save, and the numbered versions issued
//! from them. Both are kept unchanged once written (the migration's triggers refuse updates).

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::FromRow;
use sqlx::types::Json;
use tandem_core::UserId;
use tandem_core::plan::{Plan, PlanStatus, Section};

use crate::error::StoreError;
use crate::model::CaseId;
use crate::store::{Tx, on};

/// A request that the case's final plan be signed off, with the case it is about.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SignOffRequest {
    /// The case.
    pub case_id: CaseId,
    /// The case's reference.
    pub reference: String,
    /// The working revision the request was made on.
    pub revision: i64,
    /// Who asked.
    pub requested_by: UserId,
    /// Their name.
    pub requester_name: String,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// What they want the signer to know (may be empty).
    pub note: String,
}

/// The requests columns, joined to the case and the requester.
const SIGN_OFF_REQUEST: &str = "SELECT r.case_id, c.reference, r.revision, r.requested_by, \
     u.name AS requester_name, r.requested_at, r.note \
     FROM plan_sign_off_requests r JOIN cases c ON c.id = r.case_id \
     JOIN users u ON u.id = r.requested_by";

/// One save of a case's working plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRevision {
    /// 1 for the first save, then one more for each.
    pub revision: i64,
    /// The plan as saved.
    pub plan: Plan,
    /// Who saved it.
    pub author_id: UserId,
    /// When.
    pub saved_at: DateTime<Utc>,
}

/// A plan as issued: a draft sent to the family, or the final (or an amended) plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanVersion {
    /// 1 for the first version issued on the case, then one more for each.
    pub number: i64,
    /// Draft, final or amended.
    pub kind: PlanStatus,
    /// The working revision it was issued from.
    pub revision: i64,
    /// The plan as issued.
    pub plan: Plan,
    /// Who issued it.
    pub issued_by: UserId,
    /// When.
    pub issued_at: DateTime<Utc>,
    /// What the signer acknowledged in issuing it.
    pub sign_off: Value,
}

/// A family's comment on an issued draft plan (SEND Regulations 2014, reg 13(1)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlanComment {
    /// The draft version commented on.
    pub version: i64,
    /// The section it is about, or `None` for the plan as a whole.
    pub section: Option<Section>,
    /// What they say (may be empty when they only name a setting or ask for a meeting).
    pub body: String,
    /// The school or other institution they would like named in section I.
    pub preferred_setting: Option<String>,
    /// Whether they ask to meet an officer of the council about the draft.
    pub wants_meeting: bool,
}

/// A comment as kept, with who made it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanComment {
    /// Its id.
    pub id: i64,
    /// What was said.
    pub comment: NewPlanComment,
    /// The account that made it.
    pub author_id: UserId,
    /// That account's name.
    pub author_name: String,
    /// When.
    pub made_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct CommentRow {
    id: i64,
    version: i64,
    section: Option<String>,
    body: String,
    preferred_setting: Option<String>,
    wants_meeting: bool,
    author_id: i64,
    author_name: String,
    made_at: DateTime<Utc>,
}

impl TryFrom<CommentRow> for PlanComment {
    type Error = StoreError;

    fn try_from(row: CommentRow) -> Result<Self, StoreError> {
        let section = match row.section.as_deref() {
            None => None,
            Some(text) => Some(
                Section::parse(text)
                    .ok_or_else(|| StoreError::Corrupt(format!("plan comment section {text:?}")))?,
            ),
        };
        Ok(Self {
            id: row.id,
            comment: NewPlanComment {
                version: row.version,
                section,
                body: row.body,
                preferred_setting: row.preferred_setting,
                wants_meeting: row.wants_meeting,
            },
            author_id: row.author_id,
            author_name: row.author_name,
            made_at: row.made_at,
        })
    }
}

#[derive(FromRow)]
struct RevisionRow {
    revision: i64,
    plan: Json<Plan>,
    author_id: i64,
    saved_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct VersionRow {
    number: i64,
    kind: String,
    revision: i64,
    plan: Json<Plan>,
    issued_by: i64,
    issued_at: DateTime<Utc>,
    sign_off: Json<Value>,
}

impl TryFrom<VersionRow> for PlanVersion {
    type Error = StoreError;

    fn try_from(row: VersionRow) -> Result<Self, StoreError> {
        Ok(Self {
            number: row.number,
            kind: PlanStatus::parse(&row.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("plan version kind {:?}", row.kind)))?,
            revision: row.revision,
            plan: row.plan.0,
            issued_by: row.issued_by,
            issued_at: row.issued_at,
            sign_off: row.sign_off.0,
        })
    }
}

impl Tx {
    /// The latest saved revision of the case's working plan, if it has one.
    pub async fn plan_revision(
        &mut self,
        case_id: CaseId,
    ) -> Result<Option<PlanRevision>, StoreError> {
        const SQL: &str = "SELECT revision, plan, author_id, saved_at FROM plan_revisions \
             WHERE case_id = $1 ORDER BY revision DESC LIMIT 1";
        let row = on!(self.conn(), c => sqlx::query_as::<_, RevisionRow>(SQL)
            .bind(case_id)
            .fetch_optional(&mut *c)
            .await?);
        Ok(row.map(|r| PlanRevision {
            revision: r.revision,
            plan: r.plan.0,
            author_id: r.author_id,
            saved_at: r.saved_at,
        }))
    }

    /// Saves `plan` as the next revision of the case's working plan, based on
    /// `expected_revision` (`0` before the first save). Returns the new revision;
    /// [`StoreError::Conflict`] with the latest revision if someone saved in between.
    pub async fn save_plan(
        &mut self,
        case_id: CaseId,
        author: UserId,
        plan: &Plan,
        expected_revision: i64,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        // Inserted only if the latest revision is the one the save was based on; the primary
        // key stops two saves based on the same revision from both succeeding.
        const SQL: &str = "INSERT INTO plan_revisions (case_id, revision, plan, author_id, \
             saved_at) SELECT $1, $2, $3, $4, $5 WHERE (SELECT COALESCE(MAX(revision), 0) \
             FROM plan_revisions WHERE case_id = $1) = $6 \
             ON CONFLICT (case_id, revision) DO NOTHING";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(case_id)
            .bind(expected_revision + 1)
            .bind(Json(plan))
            .bind(author)
            .bind(now)
            .bind(expected_revision)
            .execute(&mut *c)
            .await?
            .rows_affected());
        if affected == 1 {
            return Ok(expected_revision + 1);
        }
        let current = self.plan_revision(case_id).await?.map_or(0, |r| r.revision);
        Err(StoreError::Conflict {
            current_version: current,
        })
    }

    /// Issues revision `revision` of the case's working plan as the next numbered version of
    /// `kind`, with the event that records it: the latest event of the case, appended in this
    /// transaction. Returns the version's number.
    pub async fn issue_plan_version(
        &mut self,
        case_id: CaseId,
        revision: i64,
        kind: PlanStatus,
        issued_by: UserId,
        sign_off: &Value,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        const SQL: &str = "INSERT INTO plan_versions (case_id, number, kind, revision, plan, \
             issued_by, issued_at, event_id, sign_off) \
             SELECT r.case_id, \
               (SELECT COALESCE(MAX(number), 0) + 1 FROM plan_versions WHERE case_id = $1), \
               $3, r.revision, r.plan, $4, $5, \
               (SELECT id FROM events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1), $6 \
             FROM plan_revisions r WHERE r.case_id = $1 AND r.revision = $2 \
             RETURNING number";
        let number = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(case_id)
            .bind(revision)
            .bind(kind.as_str())
            .bind(issued_by)
            .bind(now)
            .bind(Json(sign_off))
            .fetch_optional(&mut *c)
            .await?);
        number.ok_or_else(|| {
            StoreError::Corrupt(format!("no plan revision {revision} of case {case_id}"))
        })
    }

    /// Every version issued on the case, oldest first.
    pub async fn plan_versions(&mut self, case_id: CaseId) -> Result<Vec<PlanVersion>, StoreError> {
        const SQL: &str = "SELECT number, kind, revision, plan, issued_by, issued_at, sign_off \
             FROM plan_versions WHERE case_id = $1 ORDER BY number";
        let rows = on!(self.conn(), c => sqlx::query_as::<_, VersionRow>(SQL)
            .bind(case_id)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter().map(PlanVersion::try_from).collect()
    }

    /// Keeps a family member's comment on draft version `comment.version` of the case's plan;
    /// returns its id.
    pub async fn add_plan_comment(
        &mut self,
        case_id: CaseId,
        author: UserId,
        comment: &NewPlanComment,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        const SQL: &str = "INSERT INTO plan_comments (case_id, version, section, body, \
             preferred_setting, wants_meeting, author_id, made_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
        let id = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(case_id)
            .bind(comment.version)
            .bind(comment.section.map(Section::as_str))
            .bind(comment.body.as_str())
            .bind(comment.preferred_setting.as_deref())
            .bind(comment.wants_meeting)
            .bind(author)
            .bind(now)
            .fetch_one(&mut *c)
            .await?);
        Ok(id)
    }

    /// Every comment made on the case's draft plans, oldest first.
    pub async fn plan_comments(&mut self, case_id: CaseId) -> Result<Vec<PlanComment>, StoreError> {
        const SQL: &str = "SELECT c.id, c.version, c.section, c.body, c.preferred_setting, \
             c.wants_meeting, c.author_id, u.name AS author_name, c.made_at \
             FROM plan_comments c JOIN users u ON u.id = c.author_id \
             WHERE c.case_id = $1 ORDER BY c.id";
        let rows = on!(self.conn(), c => sqlx::query_as::<_, CommentRow>(SQL)
            .bind(case_id)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter().map(PlanComment::try_from).collect()
    }

    /// Records that `requested_by` asks for the plan at `revision` to be signed off.
    pub async fn request_sign_off(
        &mut self,
        case_id: CaseId,
        revision: i64,
        requested_by: UserId,
        note: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO plan_sign_off_requests \
             (case_id, revision, requested_by, requested_at, note) VALUES ($1, $2, $3, $4, $5)";
        let now = self.now();
        on!(self.conn(), c => sqlx::query(SQL)
            .bind(case_id)
            .bind(revision)
            .bind(requested_by)
            .bind(now)
            .bind(note)
            .execute(&mut *c)
            .await
            .map(drop)?);
        Ok(())
    }

    /// The case's latest request for sign-off, if a final or amended plan has not been issued
    /// since it was made.
    pub async fn open_sign_off_request(
        &mut self,
        case_id: CaseId,
    ) -> Result<Option<SignOffRequest>, StoreError> {
        let sql = format!(
            "{SIGN_OFF_REQUEST} WHERE r.case_id = $1 AND {OPEN} ORDER BY r.id DESC LIMIT 1"
        );
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, SignOffRequest>(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .fetch_optional(&mut *c)
            .await?),
        )
    }

    /// Every case's open request for sign-off (its latest, with no final or amended plan
    /// issued since), oldest first.
    pub async fn sign_off_requests_waiting(&mut self) -> Result<Vec<SignOffRequest>, StoreError> {
        let sql = format!(
            "{SIGN_OFF_REQUEST} WHERE r.id = (SELECT MAX(l.id) FROM plan_sign_off_requests l \
             WHERE l.case_id = r.case_id) AND {OPEN} ORDER BY r.requested_at, r.id"
        );
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, SignOffRequest>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await?),
        )
    }
}

/// A request is open until a final or amended plan is issued at or after it.
const OPEN: &str = "NOT EXISTS (SELECT 1 FROM plan_versions v WHERE v.case_id = r.case_id \
     AND v.kind IN ('final', 'amended') AND v.issued_at >= r.requested_at)";
