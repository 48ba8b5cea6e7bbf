//! Surveys of families and partners (issue 17 item 3). A survey is sent by email when a case
//! reaches its moment (in the transaction that records the event), or in a batch by a manager;
//! each person gets their own one-use link, of which only the token's digest is kept. Answering
//! needs no account: the link is used and the anonymous response stored in one transaction.
//!
//! Who reads what: anyone who sees the service's figures reads the counts and rates, with small
//! counts left out for every reader (the families asked are few enough to be guessed at);
//! only those allowed to read survey comments ([`Action::ReadSurveyComments`]: managers and QA
//! auditors, never analysts) get the words people wrote.

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::json;
use tandem_core::dates::england_date;
use tandem_core::input::MAX_TEXT;
use tandem_core::input::{self, MAX_LABEL};
use tandem_core::metrics::Rate;
use tandem_core::notifications::NotificationKind;
use tandem_core::plan::audit::Term;
use tandem_core::surveys::{
    self, DEFAULT_LINK_DAYS, Moment, Question, QuestionKind, ScaleTally, Survey, SurveyAudience,
    TermFigures,
};
use tandem_core::{Action, Date, Event, Resource, can};
use tandem_store::{
    AuditEntry, CaseId, NewSurvey, NewSurveyLink, NewYouSaid, StoreError, Tx, YouSaidWeDid,
};

use super::{Caller, FieldError, ServiceError, Services, authorise_service};
use crate::accounts::{SessionToken, digest};

/// A survey as a manager's form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyDraft {
    /// Its title.
    pub title: String,
    /// After which moment it is sent (`None` when none was chosen).
    pub moment: Option<Moment>,
    /// Whom it asks (`None` when none was chosen).
    pub audience: Option<SurveyAudience>,
    /// The questions answered on the agreement scale, one per line.
    pub scale_questions: String,
    /// The questions answered in words, one per line.
    pub text_questions: String,
}

/// A "you said, we did" entry as a manager's form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YouSaidDraft {
    /// What people said, in the service's words (a summary, never a quotation that could name
    /// someone: it is shown to everyone who reads the survey's figures).
    pub you_said: String,
    /// What the service did, or is doing, about it.
    pub we_did: String,
    /// The improvement plan action that carries it, if any.
    pub action: Option<i64>,
}

/// One scale question and how it was answered, all terms together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionResults {
    /// The question.
    pub question: Question,
    /// How many chose each point.
    pub tally: ScaleTally,
}

/// One survey's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyResults {
    /// The survey.
    pub survey: Survey,
    /// Term by term, oldest first.
    pub terms: Vec<TermFigures>,
    /// Each scale question, all terms together.
    pub questions: Vec<QuestionResults>,
    /// What was written, question by question (those with answers only), in alphabetical
    /// order; `None` for readers not allowed to read it.
    pub comments: Option<Vec<(Question, Vec<String>)>>,
    /// What the service said it did about the answers, newest first.
    pub you_said_we_did: Vec<YouSaidWeDid>,
}

impl SurveyResults {
    /// Responses received in all terms.
    pub fn responses(&self) -> u64 {
        self.terms.iter().map(|t| t.responses).sum()
    }
}

/// Every survey's results, and what the reader may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveysOverview {
    /// Newest survey first.
    pub surveys: Vec<SurveyResults>,
    /// Whether the reader may add surveys and send them in a batch.
    pub may_manage: bool,
}

/// The survey a link opens, for the person answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveyLink {
    /// The link works: here is its survey.
    Open(Survey),
    /// The link is unknown, used or expired: deliberately indistinguishable.
    Closed,
}

/// What became of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// Stored; the link no longer works.
    Thanks,
    /// The link is unknown, used or expired; nothing was stored.
    Closed,
    /// Something needs putting right (question id, message); the link still works.
    Invalid(Survey, Vec<(i64, String)>),
}

/// A new random token, for a link or a response's key.
fn random_token() -> Result<SessionToken, ServiceError> {
    SessionToken::generate()
        .map_err(|e| ServiceError::Store(StoreError::Io(std::io::Error::other(e.to_string()))))
}

/// The digest a survey link's token is stored as.
fn link_digest(token: &str) -> String {
    digest("tandem survey link", token)
}

impl Services {
    /// Sends every active survey for the moment `event` marks, if it marks one, to the people
    /// of case `case_id` it asks, in `tx` (the transaction recording the event). Returns how
    /// many links were sent.
    pub(super) async fn send_surveys_at(
        &self,
        tx: &mut Tx,
        case_id: CaseId,
        event: &Event,
    ) -> Result<u64, ServiceError> {
        let Some(moment) = Moment::of(&event.detail) else {
            return Ok(0);
        };
        let mut sent = 0;
        for survey in tx.surveys().await? {
            if survey.active && survey.moment == moment {
                sent += self.send_survey_on(tx, &survey, case_id).await?;
            }
        }
        Ok(sent)
    }

    /// Sends `survey` to each person it asks on case `case_id` who has not had it about this
    /// case: a link each, emailed through the outbox.
    async fn send_survey_on(
        &self,
        tx: &mut Tx,
        survey: &Survey,
        case_id: CaseId,
    ) -> Result<u64, ServiceError> {
        let now = tx.now();
        let expires_at = now + Duration::days(i64::from(DEFAULT_LINK_DAYS));
        let term = Term::containing(tx.today()).key();
        let mut sent = 0;
        for (user_id, address) in tx.survey_recipients(case_id, survey.audience).await? {
            let token = random_token()?;
            let token_hash = link_digest(token.as_str());
            let link = NewSurveyLink {
                survey_id: survey.id,
                case_id,
                user_id,
                token_hash: &token_hash,
                term: &term,
                expires_at,
            };
            if !tx.create_survey_link(&link).await? {
                continue;
            }
            let email = surveys::invitation_email(
                &self.public_url,
                token.as_str(),
                survey,
                england_date(expires_at),
            );
            tx.queue_email(
                NotificationKind::Survey,
                user_id,
                &address,
                &format!("survey:{token_hash}"),
                &email,
            )
            .await?;
            sent += 1;
        }
        Ok(sent)
    }

    /// Sends survey `survey_id` to every case that reached its moment from `since` to today and
    /// has not had it: a manager's batch, for surveys added after cases reached their moment.
    /// Returns how many links were sent.
    pub async fn send_survey_batch(
        &self,
        caller: &Caller,
        survey_id: i64,
        since: Option<Date>,
    ) -> Result<u64, ServiceError> {
        let mut tx = authorise_service(self.begin().await?, caller, Action::ManageSurveys).await?;
        let today = tx.today();
        let Some(survey) = tx.surveys().await?.into_iter().find(|s| s.id == survey_id) else {
            tx.rollback().await?;
            return Err(ServiceError::NotFound {
                reference: format!("survey {survey_id}"),
            });
        };
        let since = match since {
            Some(since) if since <= today => since,
            Some(_) => {
                tx.rollback().await?;
                return Err(invalid("since", "The date must be today or in the past"));
            }
            None => {
                tx.rollback().await?;
                return Err(invalid(
                    "since",
                    "Enter the date from which cases that reached the moment are sent the survey",
                ));
            }
        };
        let cases = tx
            .cases_with_event_between(survey.moment.event_type().as_str(), since, today)
            .await?;
        let mut sent = 0;
        for (case_id, _) in &cases {
            sent += self.send_survey_on(&mut tx, &survey, *case_id).await?;
        }
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "survey.send").detail(caller.detail(json!({
                "survey": survey_id,
                "since": since,
                "cases": cases.len(),
                "sent": sent,
            }))),
        )
        .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// Adds a survey, sent from now on whenever a case reaches its moment; returns its id.
    pub async fn create_survey(
        &self,
        caller: &Caller,
        draft: &SurveyDraft,
    ) -> Result<i64, ServiceError> {
        let mut tx = authorise_service(self.begin().await?, caller, Action::ManageSurveys).await?;
        let survey = match checked(draft) {
            Ok(survey) => survey,
            Err(problems) => {
                tx.rollback().await?;
                return Err(ServiceError::Invalid(problems));
            }
        };
        let id = tx.create_survey(&survey, caller.actor.id).await?;
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "survey.create").detail(caller.detail(json!({
                "survey": id,
                "moment": survey.moment.as_str(),
                "audience": survey.audience.as_str(),
                "questions": survey.questions.len(),
            }))),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records what the service did about survey `survey_id`'s answers ("you said, we did"),
    /// linked to an improvement plan action when `draft` names one; returns its id.
    pub async fn record_you_said_we_did(
        &self,
        caller: &Caller,
        survey_id: i64,
        draft: &YouSaidDraft,
    ) -> Result<i64, ServiceError> {
        let mut tx = authorise_service(self.begin().await?, caller, Action::ManageSurveys).await?;
        if !tx.surveys().await?.iter().any(|s| s.id == survey_id) {
            tx.rollback().await?;
            return Err(ServiceError::NotFound {
                reference: format!("survey {survey_id}"),
            });
        }
        let mut problems = Vec::new();
        for (field, text, empty, name) in [
            (
                "you_said",
                &draft.you_said,
                "Enter what people said",
                "What people said",
            ),
            (
                "we_did",
                &draft.we_did,
                "Enter what was done about it",
                "What was done",
            ),
        ] {
            if text.trim().is_empty() {
                problems.push(FieldError::new(field, empty));
            } else if let Err(problem) = input::check_text(text.trim(), MAX_TEXT, true) {
                problems.push(FieldError::new(field, problem.message(name)));
            }
        }
        if let Some(action) = draft.action
            && tx.improvement_action(action).await?.is_none()
        {
            problems.push(FieldError::new(
                "action",
                "Select an action that is in the improvement plan",
            ));
        }
        if !problems.is_empty() {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(problems));
        }
        let id = tx
            .add_you_said_we_did(&NewYouSaid {
                survey_id,
                you_said: draft.you_said.trim(),
                we_did: draft.we_did.trim(),
                action_id: draft.action,
                recorded_by: caller.actor.id,
            })
            .await?;
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "survey.you_said_we_did").detail(
                caller.detail(json!({ "survey": survey_id, "entry": id, "action": draft.action })),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every survey's results, for anyone who sees the service's figures; the words people
    /// wrote only for those allowed to read them. The read is audited.
    pub async fn survey_results(&self, caller: &Caller) -> Result<SurveysOverview, ServiceError> {
        self.authorise_read(caller, Action::ViewAggregates).await?;
        let comments = can(&caller.actor, Action::ReadSurveyComments, Resource::Service);
        let mut read = self.snapshot().await?;
        let mut results = Vec::new();
        let mut said = read.you_said_we_did().await?;
        for survey in read.surveys().await? {
            let (this, rest) = said.into_iter().partition(|y| y.survey_id == survey.id);
            said = rest;
            results.push(results_of(&mut read, survey, comments, this).await?);
        }
        drop(read);
        self.audit_read(
            AuditEntry::new(Some(caller.actor.id), "survey.results")
                .detail(caller.detail(json!({ "comments": comments }))),
        )
        .await?;
        Ok(SurveysOverview {
            surveys: results,
            may_manage: can(&caller.actor, Action::ManageSurveys, Resource::Service),
        })
    }

    /// The survey the link with this token opens, if it still works. Nothing about a child is
    /// read, so nothing is audited.
    pub async fn survey_link(&self, token: &str) -> Result<SurveyLink, ServiceError> {
        let mut read = self.snapshot().await?;
        let Some((survey_id, _)) = read.open_survey_link(&link_digest(token)).await? else {
            return Ok(SurveyLink::Closed);
        };
        let survey = read
            .surveys()
            .await?
            .into_iter()
            .find(|s| s.id == survey_id);
        Ok(survey.map_or(SurveyLink::Closed, SurveyLink::Open))
    }

    /// Stores the answers `submitted` (by question id) through the link with this token, and
    /// uses the link up, in one transaction. The response keeps no trace of the link: the
    /// audit entry names the survey only.
    pub async fn answer_survey(
        &self,
        token: &str,
        submitted: &BTreeMap<i64, String>,
    ) -> Result<Answered, ServiceError> {
        let token_hash = link_digest(token);
        let mut tx = self.begin().await?;
        let open = tx.open_survey_link(&token_hash).await?;
        let survey = match open {
            Some((survey_id, _)) => tx.surveys().await?.into_iter().find(|s| s.id == survey_id),
            None => None,
        };
        let Some(survey) = survey else {
            tx.audit(&AuditEntry::new(None, "survey.link_refused"))
                .await?;
            tx.commit().await?;
            return Ok(Answered::Closed);
        };
        let answers = match surveys::check_answers(&survey.questions, submitted) {
            Ok(answers) => answers,
            Err(problems) => {
                tx.rollback().await?;
                return Ok(Answered::Invalid(survey, problems));
            }
        };
        let Some((survey_id, term)) = tx.use_survey_link(&token_hash).await? else {
            tx.rollback().await?;
            return Ok(Answered::Closed);
        };
        let response_id = random_token()?;
        tx.record_survey_response(response_id.as_str(), survey_id, &term, &answers)
            .await?;
        tx.audit(&AuditEntry::new(None, "survey.answer").detail(json!({ "survey": survey_id })))
            .await?;
        tx.commit().await?;
        Ok(Answered::Thanks)
    }
}

fn invalid(field: &str, message: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(field, message)])
}

/// The survey a draft describes, or every problem with it.
fn checked(draft: &SurveyDraft) -> Result<NewSurvey, Vec<FieldError>> {
    let mut problems = Vec::new();
    let title = draft.title.trim();
    if title.is_empty() {
        problems.push(FieldError::new("title", "Enter the survey’s title"));
    } else if let Err(problem) = input::check_text(title, MAX_LABEL, false) {
        problems.push(FieldError::new("title", problem.message("The title")));
    }
    if draft.moment.is_none() {
        problems.push(FieldError::new(
            "moment",
            "Select after which moment the survey is sent",
        ));
    }
    if draft.audience.is_none() {
        problems.push(FieldError::new("audience", "Select whom the survey asks"));
    }
    let questions =
        surveys::read_questions(&draft.scale_questions, &draft.text_questions).map_err(|found| {
            for (field, message) in found {
                problems.push(FieldError::new(field, message));
            }
        });
    match (draft.moment, draft.audience, questions) {
        (Some(moment), Some(audience), Ok(questions)) if problems.is_empty() => Ok(NewSurvey {
            title: title.to_owned(),
            moment,
            audience,
            questions,
        }),
        _ => Err(problems),
    }
}

/// One survey's figures, read in `read`.
async fn results_of(
    read: &mut Tx,
    survey: Survey,
    comments: bool,
    you_said_we_did: Vec<YouSaidWeDid>,
) -> Result<SurveyResults, ServiceError> {
    let corrupt = |term: &str| StoreError::Corrupt(format!("survey {}: term {term}", survey.id));
    let mut terms: BTreeMap<Term, TermFigures> = BTreeMap::new();
    for count in read.survey_term_counts(survey.id).await? {
        let term = Term::parse(&count.term).ok_or_else(|| corrupt(&count.term))?;
        terms.insert(
            term,
            TermFigures {
                term,
                sent: u64::try_from(count.sent).unwrap_or(0),
                responses: u64::try_from(count.responses).unwrap_or(0),
                positive: Rate::default(),
            },
        );
    }
    let mut tallies: BTreeMap<i64, ScaleTally> = BTreeMap::new();
    for count in read.survey_scale_counts(survey.id).await? {
        let term = Term::parse(&count.term).ok_or_else(|| corrupt(&count.term))?;
        let point = u8::try_from(count.scale).unwrap_or(0);
        let times = u64::try_from(count.count).unwrap_or(0);
        if let Some(figures) = terms.get_mut(&term) {
            figures.positive.denominator += times;
            if surveys::agrees(point) {
                figures.positive.numerator += times;
            }
        }
        tallies
            .entry(count.question_id)
            .or_default()
            .add(point, times);
    }
    let questions = survey
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Scale)
        .map(|q| QuestionResults {
            question: q.clone(),
            tally: tallies.get(&q.id).copied().unwrap_or_default(),
        })
        .collect();
    let comments = if comments {
        let written = read.survey_written_answers(survey.id).await?;
        Some(
            survey
                .questions
                .iter()
                .filter(|q| q.kind == QuestionKind::Text)
                .map(|q| {
                    let words = written
                        .iter()
                        .filter(|w| w.question_id == q.id)
                        .map(|w| w.words.clone())
                        .collect();
                    (q.clone(), words)
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(SurveyResults {
        survey,
        terms: terms.into_values().collect(),
        questions,
        comments,
        you_said_we_did,
    })
}
