//! Surveys of families and partners: the surveys and their questions, the one-use links sent
//! (only their tokens' digests), and the anonymous responses. A response is stored with its
//! survey and term only, under a random key, so nothing read from it leads back to the link,
//! the case or the person; what may be read, and by whom, is decided by the services.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use tandem_core::surveys::{Answer, Moment, Question, QuestionKind, Survey, SurveyAudience};
use tandem_core::{Date, UserId};

use crate::error::StoreError;
use crate::model::CaseId;
use crate::store::{Tx, on};

/// A new survey, as a manager configured it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSurvey {
    /// Its title.
    pub title: String,
    /// After which moment it is sent.
    pub moment: Moment,
    /// Whom it asks.
    pub audience: SurveyAudience,
    /// Its questions, in order.
    pub questions: Vec<(QuestionKind, String)>,
}

/// A link about to be sent: to whom, about which case, and until when it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSurveyLink<'a> {
    /// The survey.
    pub survey_id: i64,
    /// The case whose moment it follows.
    pub case_id: CaseId,
    /// The person asked.
    pub user_id: UserId,
    /// The digest of the link's token.
    pub token_hash: &'a str,
    /// The term it is sent in (`Term::key`).
    pub term: &'a str,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// How many links one survey sent in one term, and how many were answered.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SurveyTermCount {
    /// The term (`Term::key`).
    pub term: String,
    /// Links sent.
    pub sent: i64,
    /// Responses received.
    pub responses: i64,
}

/// How many responses of one term chose one point for one question.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ScaleCount {
    /// The term (`Term::key`).
    pub term: String,
    /// The question.
    pub question_id: i64,
    /// The point chosen, 1 to 5.
    pub scale: i32,
    /// How many chose it.
    pub count: i64,
}

/// Words written in answer to one question, in one term.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct WrittenAnswer {
    /// The term (`Term::key`).
    pub term: String,
    /// The question.
    pub question_id: i64,
    /// What was written.
    pub words: String,
}

#[derive(FromRow)]
struct SurveyRow {
    id: i64,
    title: String,
    moment: String,
    audience: String,
    active: bool,
}

#[derive(FromRow)]
struct QuestionRow {
    id: i64,
    survey_id: i64,
    kind: String,
    text: String,
}

/// A "you said, we did" entry about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewYouSaid<'a> {
    /// The survey whose answers it follows.
    pub survey_id: i64,
    /// What people said, in the service's summary.
    pub you_said: &'a str,
    /// What the service did or is doing about it.
    pub we_did: &'a str,
    /// The improvement plan action that carries it, if any.
    pub action_id: Option<i64>,
    /// Who recorded it.
    pub recorded_by: UserId,
}

/// A "you said, we did" entry as kept, with its improvement plan action's text and status
/// when it names one still in the plan.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct YouSaidWeDid {
    /// Its id.
    pub id: i64,
    /// The survey whose answers it follows.
    pub survey_id: i64,
    /// What people said.
    pub you_said: String,
    /// What the service did about it.
    pub we_did: String,
    /// The improvement plan action, if any.
    pub action_id: Option<i64>,
    /// That action's text.
    pub action_text: Option<String>,
    /// That action's status (`tandem_core::improvement_plan::ActionStatus::as_str`).
    pub action_status: Option<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl Tx {
    /// Stores a new survey with its questions; returns its id.
    pub async fn create_survey(
        &mut self,
        survey: &NewSurvey,
        created_by: UserId,
    ) -> Result<i64, StoreError> {
        const SURVEY: &str = "INSERT INTO surveys (title, moment, audience, active, created_by, \
             created_at) VALUES ($1, $2, $3, TRUE, $4, $5) RETURNING id";
        const QUESTION: &str = "INSERT INTO survey_questions (survey_id, position, kind, text) \
             VALUES ($1, $2, $3, $4)";
        let now = self.now();
        let id = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SURVEY)
            .bind(survey.title.as_str())
            .bind(survey.moment.as_str())
            .bind(survey.audience.as_str())
            .bind(created_by)
            .bind(now)
            .fetch_one(&mut *c)
            .await?);
        for (position, (kind, text)) in (1_i64..).zip(&survey.questions) {
            on!(self.conn(), c => sqlx::query(QUESTION)
                .bind(id)
                .bind(position)
                .bind(kind.as_str())
                .bind(text.as_str())
                .execute(&mut *c)
                .await
                .map(drop)?);
        }
        Ok(id)
    }

    /// Every survey with its questions, newest first.
    pub async fn surveys(&mut self) -> Result<Vec<Survey>, StoreError> {
        const SURVEYS: &str =
            "SELECT id, title, moment, audience, active FROM surveys ORDER BY id DESC";
        const QUESTIONS: &str =
            "SELECT id, survey_id, kind, text FROM survey_questions ORDER BY survey_id, position";
        let rows = on!(self.conn(), c => sqlx::query_as::<_, SurveyRow>(SURVEYS)
            .fetch_all(&mut *c)
            .await?);
        let questions = on!(self.conn(), c => sqlx::query_as::<_, QuestionRow>(QUESTIONS)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter()
            .map(|row| {
                let corrupt = || StoreError::Corrupt(format!("survey {}", row.id));
                Ok(Survey {
                    id: row.id,
                    moment: Moment::parse(&row.moment).ok_or_else(corrupt)?,
                    audience: SurveyAudience::parse(&row.audience).ok_or_else(corrupt)?,
                    title: row.title,
                    active: row.active,
                    questions: questions
                        .iter()
                        .filter(|q| q.survey_id == row.id)
                        .map(|q| {
                            Ok(Question {
                                id: q.id,
                                kind: QuestionKind::parse(&q.kind).ok_or_else(corrupt)?,
                                text: q.text.clone(),
                            })
                        })
                        .collect::<Result<_, StoreError>>()?,
                })
            })
            .collect()
    }

    /// The people a survey for `audience` goes to on case `case_id`, with their addresses:
    /// the family linked to it, or the members of the services asked for advice on it. Only
    /// enabled accounts.
    pub async fn survey_recipients(
        &mut self,
        case_id: CaseId,
        audience: SurveyAudience,
    ) -> Result<Vec<(UserId, String)>, StoreError> {
        let sql = match audience {
            SurveyAudience::Families => {
                "SELECT u.id, u.email FROM case_people p JOIN users u ON u.id = p.user_id \
                 WHERE p.case_id = $1 AND p.relation = 'family' AND NOT u.disabled ORDER BY u.id"
            }
            SurveyAudience::Partners => {
                "SELECT DISTINCT u.id, u.email FROM case_advice_providers p \
                 JOIN users u ON u.provider = p.provider \
                 WHERE p.case_id = $1 AND NOT u.disabled ORDER BY u.id"
            }
        };
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, (i64, String)>(sql)
            .bind(case_id)
            .fetch_all(&mut *c)
            .await?),
        )
    }

    /// The cases (id and reference) whose history holds, in force, an event of `event_type`
    /// dated from `since` to `until`: those that reached a survey's moment in that time.
    pub async fn cases_with_event_between(
        &mut self,
        event_type: &str,
        since: Date,
        until: Date,
    ) -> Result<Vec<(CaseId, String)>, StoreError> {
        const SQL: &str = "SELECT DISTINCT c.id, c.reference FROM events e \
             JOIN cases c ON c.id = e.case_id \
             WHERE e.type = $1 AND e.date >= $2 AND e.date <= $3 \
             AND NOT EXISTS (SELECT 1 FROM events s WHERE s.supersedes = e.id) ORDER BY c.id";
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, (i64, String)>(SQL)
            .bind(event_type)
            .bind(since)
            .bind(until)
            .fetch_all(&mut *c)
            .await?),
        )
    }

    /// Stores a link, unless this survey was sent to this person about this case before.
    /// Returns whether it was stored (and so is to be emailed).
    pub async fn create_survey_link(
        &mut self,
        link: &NewSurveyLink<'_>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "INSERT INTO survey_links (survey_id, case_id, user_id, token_hash, \
             term, sent_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (survey_id, case_id, user_id) DO NOTHING";
        let now = self.now();
        let stored = on!(self.conn(), c => sqlx::query(SQL)
            .bind(link.survey_id)
            .bind(link.case_id)
            .bind(link.user_id)
            .bind(link.token_hash)
            .bind(link.term)
            .bind(now)
            .bind(link.expires_at)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(stored == 1)
    }

    /// The survey and term of the link with this digest, if it is unused and unexpired now.
    pub async fn open_survey_link(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        self.open_link(
            "SELECT survey_id, term FROM survey_links \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            token_hash,
        )
        .await
    }

    /// Marks the link with this digest used, if it is unused and unexpired, returning its survey
    /// and term; `None` (and nothing changed) otherwise. One `UPDATE`, so two answers sent at
    /// once cannot both be taken.
    pub async fn use_survey_link(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        self.open_link(
            "UPDATE survey_links SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING survey_id, term",
            token_hash,
        )
        .await
    }

    /// Runs `sql`, which finds an open link by its digest (`$1`) at this moment (`$2`) and gives
    /// its survey and term.
    async fn open_link(
        &mut self,
        sql: &'static str,
        token_hash: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        let now = self.now();
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, (i64, String)>(sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *c)
            .await?),
        )
    }

    /// Stores one anonymous response under the random key `response_id`: its survey, its term
    /// and its answers, nothing else.
    pub async fn record_survey_response(
        &mut self,
        response_id: &str,
        survey_id: i64,
        term: &str,
        answers: &[(i64, Answer)],
    ) -> Result<(), StoreError> {
        const RESPONSE: &str =
            "INSERT INTO survey_responses (id, survey_id, term) VALUES ($1, $2, $3)";
        const ANSWER: &str = "INSERT INTO survey_answers (response_id, question_id, scale, words) \
             VALUES ($1, $2, $3, $4)";
        on!(self.conn(), c => sqlx::query(RESPONSE)
            .bind(response_id)
            .bind(survey_id)
            .bind(term)
            .execute(&mut *c)
            .await
            .map(drop)?);
        for (question_id, answer) in answers {
            let (scale, words) = match answer {
                Answer::Scale(point) => (Some(i32::from(*point)), None),
                Answer::Text(words) => (None, Some(words.as_str())),
            };
            on!(self.conn(), c => sqlx::query(ANSWER)
                .bind(response_id)
                .bind(question_id)
                .bind(scale)
                .bind(words)
                .execute(&mut *c)
                .await
                .map(drop)?);
        }
        Ok(())
    }

    /// Links sent and responses received by survey `survey_id`, term by term (in no order).
    pub async fn survey_term_counts(
        &mut self,
        survey_id: i64,
    ) -> Result<Vec<SurveyTermCount>, StoreError> {
        self.rows_of_survey(
            "SELECT t.term, \
             (SELECT COUNT(*) FROM survey_links l WHERE l.survey_id = $1 AND l.term = t.term) \
             AS sent, \
             (SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = $1 AND r.term = t.term) \
             AS responses FROM (SELECT term FROM survey_links WHERE survey_id = $1 \
             UNION SELECT term FROM survey_responses WHERE survey_id = $1) t",
            survey_id,
        )
        .await
    }

    /// How many responses chose each point of each scale question of survey `survey_id`, term
    /// by term: counts only, never a response.
    pub async fn survey_scale_counts(
        &mut self,
        survey_id: i64,
    ) -> Result<Vec<ScaleCount>, StoreError> {
        self.rows_of_survey(
            "SELECT r.term, a.question_id, a.scale, COUNT(*) AS count \
             FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id \
             WHERE r.survey_id = $1 AND a.scale IS NOT NULL \
             GROUP BY r.term, a.question_id, a.scale",
            survey_id,
        )
        .await
    }

    /// Everything written in answer to survey `survey_id`, by question and in alphabetical
    /// order (never the order it came in), without saying which answers came together.
    pub async fn survey_written_answers(
        &mut self,
        survey_id: i64,
    ) -> Result<Vec<WrittenAnswer>, StoreError> {
        self.rows_of_survey(
            "SELECT r.term, a.question_id, a.words \
             FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id \
             WHERE r.survey_id = $1 AND a.words IS NOT NULL \
             ORDER BY a.question_id, a.words",
            survey_id,
        )
        .await
    }

    /// Stores a "you said, we did" entry; returns its id. The services check that the action,
    /// if named, is in the plan.
    pub async fn add_you_said_we_did(&mut self, entry: &NewYouSaid<'_>) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO survey_you_said (survey_id, you_said, we_did, action_id, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
        let now = self.now();
        Ok(on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(entry.survey_id)
            .bind(entry.you_said)
            .bind(entry.we_did)
            .bind(entry.action_id)
            .bind(entry.recorded_by)
            .bind(now)
            .fetch_one(&mut *c)
            .await?))
    }

    /// Every "you said, we did" entry, newest first, with its action's text and status.
    pub async fn you_said_we_did(&mut self) -> Result<Vec<YouSaidWeDid>, StoreError> {
        const SQL: &str = "SELECT y.id, y.survey_id, y.you_said, y.we_did, y.action_id, \
             i.text AS action_text, i.status AS action_status, y.recorded_at \
             FROM survey_you_said y LEFT JOIN improvement_items i ON i.id = y.action_id \
             ORDER BY y.id DESC";
        Ok(on!(self.conn(), c => sqlx::query_as::<_, YouSaidWeDid>(SQL)
            .fetch_all(&mut *c)
            .await?))
    }

    /// The rows `sql` gives about survey `survey_id` (its `$1`).
    async fn rows_of_survey<T>(
        &mut self,
        sql: &'static str,
        survey_id: i64,
    ) -> Result<Vec<T>, StoreError>
    where
        T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
    {
        Ok(on!(self.conn(), c => sqlx::query_as::<_, T>(sql)
            .bind(survey_id)
            .fetch_all(&mut *c)
            .await?))
    }
}
