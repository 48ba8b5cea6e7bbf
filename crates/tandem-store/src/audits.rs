//! The quality assurance audit cycle of issued EHC plans: rounds drawn term by term, the plan
//! versions sampled, the auditors given each, their grades, the moderator's settled grade, and
//! the pseudonymised copies kept as examples. The rules (who may do what, what a draw takes)
//! live in the services and in `tandem_core::plan::audit`; this module only keeps the facts.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::types::Json;
use tandem_core::UserId;
use tandem_core::plan::Plan;
use tandem_core::plan::audit::{Criterion, Discipline, Method, Term};
use tandem_core::plan::checks::Grade;

use crate::error::StoreError;
use crate::model::CaseId;
use crate::store::{Tx, on};

/// A round to record: what was asked for and the seed the draw used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditRound {
    /// The term audited.
    pub term: Term,
    /// How the sample was drawn.
    pub method: Method,
    /// The team, for [`Method::Team`].
    pub team: Option<String>,
    /// How many plans were asked for.
    pub size: i64,
    /// The seed of the draw.
    pub seed: u64,
}

/// A round as kept, with its progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRound {
    /// Its id.
    pub id: i64,
    /// What was drawn, and how.
    pub round: NewAuditRound,
    /// Who drew it.
    pub drawn_by: UserId,
    /// Their name.
    pub drawn_by_name: String,
    /// When.
    pub drawn_at: DateTime<Utc>,
    /// Plans in the sample.
    pub plans: i64,
    /// Of them, plans with a settled grade.
    pub moderated: i64,
}

/// A final (or amended) plan version that a round may draw.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalPlan {
    /// The case.
    pub case_id: CaseId,
    /// The case's reference.
    pub reference: String,
    /// The case's team.
    pub team: Option<String>,
    /// The version's number.
    pub version: i64,
    /// The plan as issued.
    pub plan: Plan,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
}

/// The grade a moderator settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moderation {
    /// The grade.
    pub grade: Grade,
    /// Why, in the moderator's words.
    pub comment: String,
    /// The moderator.
    pub by: UserId,
    /// Their name.
    pub by_name: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// One plan version in a round's sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSample {
    /// Its id.
    pub id: i64,
    /// The round.
    pub round_id: i64,
    /// The round's term.
    pub term: Term,
    /// The case.
    pub case_id: CaseId,
    /// The case's reference.
    pub reference: String,
    /// The plan version's number.
    pub version: i64,
    /// The automated checks' score when drawn.
    pub automated_score: i64,
    /// The settled grade, once settled.
    pub moderation: Option<Moderation>,
    /// Whether a pseudonymised copy is kept as an example.
    pub example: bool,
}

/// An auditor given a sampled plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAssignment {
    /// The sampled plan.
    pub sample_id: i64,
    /// The auditor.
    pub auditor_id: UserId,
    /// Their name.
    pub auditor_name: String,
    /// The side they audit for.
    pub discipline: Discipline,
    /// When they were given it.
    pub assigned_at: DateTime<Utc>,
}

/// One auditor's grade of one criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditScore {
    /// The sampled plan.
    pub sample_id: i64,
    /// The auditor.
    pub auditor_id: UserId,
    /// The criterion.
    pub criterion: Criterion,
    /// The grade.
    pub grade: Grade,
    /// What the auditor wrote.
    pub comment: String,
    /// When.
    pub scored_at: DateTime<Utc>,
}

/// A plan kept, pseudonymised, as an example of what good looks like.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditExample {
    /// The sampled plan it was made from (its id, not the case's).
    pub sample_id: i64,
    /// Its name in place of the child's ("Example 3").
    pub label: String,
    /// The pseudonymised copy.
    pub plan: Plan,
    /// The term audited.
    pub term: Term,
    /// The settled grade.
    pub grade: Grade,
    /// When it was marked.
    pub marked_at: DateTime<Utc>,
}

/// Whose assignments, or which round's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditScope {
    /// Every round.
    All,
    /// One round.
    Round(i64),
    /// The plans given to one auditor.
    Auditor(UserId),
}

fn corrupt(what: &str, text: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {text:?}"))
}

fn term_of(text: &str) -> Result<Term, StoreError> {
    Term::parse(text).ok_or_else(|| corrupt("audit term", text))
}

fn grade_of(text: &str) -> Result<Grade, StoreError> {
    Grade::parse(text).ok_or_else(|| corrupt("audit grade", text))
}

#[derive(FromRow)]
struct RoundRow {
    id: i64,
    term: String,
    method: String,
    team: Option<String>,
    size: i64,
    seed: i64,
    drawn_by: i64,
    drawn_by_name: String,
    drawn_at: DateTime<Utc>,
    plans: i64,
    moderated: i64,
}

impl TryFrom<RoundRow> for AuditRound {
    type Error = StoreError;

    fn try_from(row: RoundRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            round: NewAuditRound {
                term: term_of(&row.term)?,
                method: Method::parse(&row.method)
                    .ok_or_else(|| corrupt("audit method", &row.method))?,
                team: row.team,
                size: row.size,
                seed: u64::from_ne_bytes(row.seed.to_ne_bytes()),
            },
            drawn_by: row.drawn_by,
            drawn_by_name: row.drawn_by_name,
            drawn_at: row.drawn_at,
            plans: row.plans,
            moderated: row.moderated,
        })
    }
}

#[derive(FromRow)]
struct SampleRow {
    id: i64,
    round_id: i64,
    term: String,
    case_id: i64,
    reference: String,
    version: i64,
    automated_score: i64,
    moderated_grade: Option<String>,
    moderation_comment: Option<String>,
    moderated_by: Option<i64>,
    moderator_name: Option<String>,
    moderated_at: Option<DateTime<Utc>>,
    example: bool,
}

impl TryFrom<SampleRow> for AuditSample {
    type Error = StoreError;

    fn try_from(row: SampleRow) -> Result<Self, StoreError> {
        let moderation = match (row.moderated_grade, row.moderated_by, row.moderated_at) {
            (Some(grade), Some(by), Some(at)) => Some(Moderation {
                grade: grade_of(&grade)?,
                comment: row.moderation_comment.unwrap_or_default(),
                by,
                by_name: row.moderator_name.unwrap_or_default(),
                at,
            }),
            _ => None,
        };
        Ok(Self {
            id: row.id,
            round_id: row.round_id,
            term: term_of(&row.term)?,
            case_id: row.case_id,
            reference: row.reference,
            version: row.version,
            automated_score: row.automated_score,
            moderation,
            example: row.example,
        })
    }
}

#[derive(FromRow)]
struct AssignmentRow {
    sample_id: i64,
    auditor_id: i64,
    auditor_name: String,
    discipline: String,
    assigned_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct ScoreRow {
    sample_id: i64,
    auditor_id: i64,
    criterion: String,
    grade: String,
    comment: String,
    scored_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct FinalRow {
    case_id: i64,
    reference: String,
    team: Option<String>,
    number: i64,
    plan: Json<Plan>,
    issued_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct ExampleRow {
    sample_id: i64,
    label: String,
    plan: Json<Plan>,
    term: String,
    grade: String,
    marked_at: DateTime<Utc>,
}

const ROUNDS: &str = "SELECT r.id, r.term, r.method, r.team, r.size, r.seed, r.drawn_by, \
     u.name AS drawn_by_name, r.drawn_at, \
     (SELECT COUNT(*) FROM audit_samples s WHERE s.round_id = r.id) AS plans, \
     (SELECT COUNT(*) FROM audit_samples s WHERE s.round_id = r.id \
        AND s.moderated_grade IS NOT NULL) AS moderated \
     FROM audit_rounds r JOIN users u ON u.id = r.drawn_by";

const SAMPLES: &str = "SELECT s.id, s.round_id, r.term, s.case_id, c.reference, s.version, \
     s.automated_score, s.moderated_grade, s.moderation_comment, s.moderated_by, \
     m.name AS moderator_name, s.moderated_at, \
     EXISTS (SELECT 1 FROM audit_examples e WHERE e.sample_id = s.id) AS example \
     FROM audit_samples s JOIN audit_rounds r ON r.id = s.round_id \
     JOIN cases c ON c.id = s.case_id LEFT JOIN users m ON m.id = s.moderated_by";

impl Tx {
    /// The final and amended plan versions issued from `from` to before `to`, oldest first:
    /// what a round may draw from.
    pub async fn final_plans_issued(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<FinalPlan>, StoreError> {
        const SQL: &str = "SELECT v.case_id, c.reference, c.team, v.number, v.plan, v.issued_at \
             FROM plan_versions v JOIN cases c ON c.id = v.case_id \
             WHERE v.kind IN ('final', 'amended') AND v.issued_at >= $1 AND v.issued_at < $2 \
             ORDER BY v.issued_at, v.case_id, v.number";
        let rows = on!(self.conn(), c => sqlx::query_as::<_, FinalRow>(SQL)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *c)
            .await?);
        Ok(rows
            .into_iter()
            .map(|r| FinalPlan {
                case_id: r.case_id,
                reference: r.reference,
                team: r.team,
                version: r.number,
                plan: r.plan.0,
                issued_at: r.issued_at,
            })
            .collect())
    }

    /// Records a round drawn by `drawn_by` with the plan versions drawn (case, version,
    /// automated score); returns the round's id.
    pub async fn add_audit_round(
        &mut self,
        round: &NewAuditRound,
        drawn_by: UserId,
        drawn: &[(CaseId, i64, i64)],
    ) -> Result<i64, StoreError> {
        let now = self.now();
        const ROUND: &str = "INSERT INTO audit_rounds (term, method, team, size, seed, drawn_by, \
             drawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        let seed = i64::from_ne_bytes(round.seed.to_ne_bytes());
        let id = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(ROUND)
            .bind(round.term.key())
            .bind(round.method.as_str())
            .bind(round.team.as_deref())
            .bind(round.size)
            .bind(seed)
            .bind(drawn_by)
            .bind(now)
            .fetch_one(&mut *c)
            .await?);
        const SAMPLE: &str = "INSERT INTO audit_samples (round_id, case_id, version, \
             automated_score) VALUES ($1, $2, $3, $4)";
        for &(case_id, version, score) in drawn {
            on!(self.conn(), c => sqlx::query(SAMPLE)
                .bind(id)
                .bind(case_id)
                .bind(version)
                .bind(score)
                .execute(&mut *c)
                .await
                .map(drop)?);
        }
        Ok(id)
    }

    /// Every round, latest term first (latest drawn first within a term).
    pub async fn audit_rounds(&mut self) -> Result<Vec<AuditRound>, StoreError> {
        let sql = format!("{ROUNDS} ORDER BY r.term DESC, r.id DESC");
        let rows = on!(self.conn(), c => sqlx::query_as::<_, RoundRow>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await?);
        let mut rounds: Vec<AuditRound> = rows
            .into_iter()
            .map(AuditRound::try_from)
            .collect::<Result<_, _>>()?;
        // Term keys sort by year, then alphabetically by season; put them in time order.
        rounds.sort_by(|a, b| b.round.term.cmp(&a.round.term).then(b.id.cmp(&a.id)));
        Ok(rounds)
    }

    /// One round, if there is one with this id.
    pub async fn audit_round(&mut self, id: i64) -> Result<Option<AuditRound>, StoreError> {
        let sql = format!("{ROUNDS} WHERE r.id = $1");
        let row = on!(self.conn(), c => sqlx::query_as::<_, RoundRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        row.map(AuditRound::try_from).transpose()
    }

    /// The sampled plans in `scope` (an auditor's: those given to them), by round then id.
    pub async fn audit_samples(
        &mut self,
        scope: AuditScope,
    ) -> Result<Vec<AuditSample>, StoreError> {
        let (filter, id) = match scope {
            AuditScope::All => ("", None),
            AuditScope::Round(id) => (" WHERE s.round_id = $1", Some(id)),
            AuditScope::Auditor(id) => (
                " WHERE s.id IN (SELECT sample_id FROM audit_assignments WHERE auditor_id = $1)",
                Some(id),
            ),
        };
        let sql = format!("{SAMPLES}{filter} ORDER BY s.round_id, s.id");
        let rows = on!(self.conn(), c => {
            let query = sqlx::query_as::<_, SampleRow>(sqlx::AssertSqlSafe(sql));
            let query = match id { Some(id) => query.bind(id), None => query };
            query.fetch_all(&mut *c).await?
        });
        rows.into_iter().map(AuditSample::try_from).collect()
    }

    /// One sampled plan, if there is one with this id.
    pub async fn audit_sample(&mut self, id: i64) -> Result<Option<AuditSample>, StoreError> {
        let sql = format!("{SAMPLES} WHERE s.id = $1");
        let row = on!(self.conn(), c => sqlx::query_as::<_, SampleRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        row.map(AuditSample::try_from).transpose()
    }

    /// Gives sampled plan `sample` to `auditor` for `discipline`; `false` if they already have
    /// it (the first assignment stands).
    pub async fn assign_auditor(
        &mut self,
        sample: i64,
        auditor: UserId,
        discipline: Discipline,
        assigned_by: UserId,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        const SQL: &str = "INSERT INTO audit_assignments (sample_id, auditor_id, discipline, \
             assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (sample_id, auditor_id) DO NOTHING";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(sample)
            .bind(auditor)
            .bind(discipline.as_str())
            .bind(assigned_by)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }

    /// Takes sampled plan `sample` back from `auditor`, unless they have graded it (their
    /// grades stay, and with them the assignment). Returns whether it was taken back.
    pub async fn unassign_auditor(
        &mut self,
        sample: i64,
        auditor: UserId,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM audit_assignments WHERE sample_id = $1 AND auditor_id = $2 \
             AND NOT EXISTS (SELECT 1 FROM audit_scores s \
             WHERE s.sample_id = $1 AND s.auditor_id = $2)";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(sample)
            .bind(auditor)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }

    /// The auditors given the sampled plans in `scope`, by plan then name.
    pub async fn audit_assignments(
        &mut self,
        scope: AuditScope,
    ) -> Result<Vec<AuditAssignment>, StoreError> {
        let (filter, id) = match scope {
            AuditScope::All => ("", None),
            AuditScope::Round(id) => (
                " WHERE a.sample_id IN (SELECT id FROM audit_samples WHERE round_id = $1)",
                Some(id),
            ),
            AuditScope::Auditor(id) => (" WHERE a.auditor_id = $1", Some(id)),
        };
        let sql = format!(
            "SELECT a.sample_id, a.auditor_id, u.name AS auditor_name, a.discipline, \
             a.assigned_at FROM audit_assignments a JOIN users u ON u.id = a.auditor_id\
             {filter} ORDER BY a.sample_id, u.name, a.auditor_id"
        );
        let rows = on!(self.conn(), c => {
            let query = sqlx::query_as::<_, AssignmentRow>(sqlx::AssertSqlSafe(sql));
            let query = match id { Some(id) => query.bind(id), None => query };
            query.fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(AuditAssignment {
                    sample_id: r.sample_id,
                    auditor_id: r.auditor_id,
                    auditor_name: r.auditor_name,
                    discipline: Discipline::parse(&r.discipline)
                        .ok_or_else(|| corrupt("audit discipline", &r.discipline))?,
                    assigned_at: r.assigned_at,
                })
            })
            .collect()
    }

    /// Keeps `auditor`'s grades of sampled plan `sample`, in place of any they gave before.
    pub async fn save_audit_scores(
        &mut self,
        sample: i64,
        auditor: UserId,
        scores: &[(Criterion, Grade, String)],
    ) -> Result<(), StoreError> {
        let now = self.now();
        const CLEAR: &str = "DELETE FROM audit_scores WHERE sample_id = $1 AND auditor_id = $2";
        on!(self.conn(), c => sqlx::query(CLEAR)
            .bind(sample)
            .bind(auditor)
            .execute(&mut *c)
            .await
            .map(drop)?);
        const SQL: &str = "INSERT INTO audit_scores (sample_id, auditor_id, criterion, grade, \
             comment, scored_at) VALUES ($1, $2, $3, $4, $5, $6)";
        for (criterion, grade, comment) in scores {
            on!(self.conn(), c => sqlx::query(SQL)
                .bind(sample)
                .bind(auditor)
                .bind(criterion.as_str())
                .bind(grade.as_str())
                .bind(comment.as_str())
                .bind(now)
                .execute(&mut *c)
                .await
                .map(drop)?);
        }
        Ok(())
    }

    /// The grades given to the sampled plans in `scope` (an auditor's: their own), by plan,
    /// auditor and criterion.
    pub async fn audit_scores(&mut self, scope: AuditScope) -> Result<Vec<AuditScore>, StoreError> {
        let (filter, id) = match scope {
            AuditScope::All => ("", None),
            AuditScope::Round(id) => (
                " WHERE sample_id IN (SELECT id FROM audit_samples WHERE round_id = $1)",
                Some(id),
            ),
            AuditScope::Auditor(id) => (" WHERE auditor_id = $1", Some(id)),
        };
        let sql = format!(
            "SELECT sample_id, auditor_id, criterion, grade, comment, scored_at \
             FROM audit_scores{filter} ORDER BY sample_id, auditor_id, criterion"
        );
        let rows = on!(self.conn(), c => {
            let query = sqlx::query_as::<_, ScoreRow>(sqlx::AssertSqlSafe(sql));
            let query = match id { Some(id) => query.bind(id), None => query };
            query.fetch_all(&mut *c).await?
        });
        let mut scores = rows
            .into_iter()
            .map(|r| {
                Ok(AuditScore {
                    sample_id: r.sample_id,
                    auditor_id: r.auditor_id,
                    criterion: Criterion::parse(&r.criterion)
                        .ok_or_else(|| corrupt("audit criterion", &r.criterion))?,
                    grade: grade_of(&r.grade)?,
                    comment: r.comment,
                    scored_at: r.scored_at,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        scores.sort_by_key(|s| (s.sample_id, s.auditor_id, s.criterion));
        Ok(scores)
    }

    /// Settles sampled plan `sample`'s grade; `false` if it was already settled (the first
    /// moderator's grade stands).
    pub async fn moderate_audit_sample(
        &mut self,
        sample: i64,
        grade: Grade,
        comment: &str,
        moderator: UserId,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        const SQL: &str = "UPDATE audit_samples SET moderated_grade = $2, moderation_comment = $3, \
             moderated_by = $4, moderated_at = $5 WHERE id = $1 AND moderated_grade IS NULL";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(sample)
            .bind(grade.as_str())
            .bind(comment)
            .bind(moderator)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }

    /// Keeps `plan` (already pseudonymised) as the example made from sampled plan `sample`;
    /// `false` if it already is one.
    pub async fn add_audit_example(
        &mut self,
        sample: i64,
        label: &str,
        plan: &Plan,
        marked_by: UserId,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        const SQL: &str = "INSERT INTO audit_examples (sample_id, label, plan, marked_by, \
             marked_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sample_id) DO NOTHING";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(sample)
            .bind(label)
            .bind(Json(plan))
            .bind(marked_by)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(affected == 1)
    }

    /// How many examples are kept: the next one's number is one more.
    pub async fn audit_example_count(&mut self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM audit_examples";
        Ok(on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .fetch_one(&mut *c)
            .await?))
    }

    /// Every example kept, newest first.
    pub async fn audit_examples(&mut self) -> Result<Vec<AuditExample>, StoreError> {
        const SQL: &str = "SELECT e.sample_id, e.label, e.plan, r.term, s.moderated_grade AS \
             grade, e.marked_at FROM audit_examples e \
             JOIN audit_samples s ON s.id = e.sample_id \
             JOIN audit_rounds r ON r.id = s.round_id ORDER BY e.marked_at DESC, e.sample_id DESC";
        let rows = on!(self.conn(), c => sqlx::query_as::<_, ExampleRow>(SQL)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter()
            .map(|r| {
                Ok(AuditExample {
                    sample_id: r.sample_id,
                    label: r.label,
                    plan: r.plan.0,
                    term: term_of(&r.term)?,
                    grade: grade_of(&r.grade)?,
                    marked_at: r.marked_at,
                })
            })
            .collect()
    }
}
