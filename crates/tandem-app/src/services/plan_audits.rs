//! The quality assurance audit cycle of issued EHC plans (issue 12 item 5).
//!
//! Each term a head of service or team manager draws a sample of the final plans issued in the
//! term, at random or targeted (lowest automated score, issued late, one team), with a seed that
//! is recorded so the draw can be repeated. They give each sampled plan to auditors from
//! education, health and social care, who read that plan version (only the versions given to
//! them) and grade every criterion with comments. A moderator (a head of service or team manager
//! who did not audit that plan) settles one grade. The results are reported term by term, by
//! criterion and by section, and plans graded Good or better can be kept, pseudonymised, as
//! "what good looks like" examples for training.
//!
//! Every read and write is audited; an entry about one plan names its case's reference, never
//! the child.

use chrono::Utc;
use serde_json::json;
use tandem_core::input::{self, MAX_TEXT};
use tandem_core::plan::audit::{
    self, AuditedPlan, Candidate, Criterion, Discipline, Method, Term, TermResults,
};
use tandem_core::plan::checks::Grade;
use tandem_core::{Action, EventDetail, Reference, Resource, Role, UserId, can, dates};
use tandem_store::{
    AuditAssignment, AuditEntry, AuditExample, AuditRound, AuditSample, AuditScope, AuditScore,
    NewAuditRound, PlanVersion, StoreError, Tx,
};

use super::plans::check_against_case;
use super::{Caller, FieldError, ServiceError, Services, authorise_service, denied};

/// The most plans one round may draw.
pub const MAX_SAMPLE: i64 = 50;

/// What the "Draw a sample" form asks for, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrawRequest {
    /// The term, as [`Term::key`] (`2025-autumn`).
    pub term: String,
    /// The method's machine name.
    pub method: String,
    /// The team, for a team's sample.
    pub team: String,
    /// How many plans.
    pub size: String,
    /// The seed (a whole number); empty for a fresh random one.
    pub seed: String,
}

/// The audit pages' front page: the rounds, and the caller's own plans to audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditOverview {
    /// Every round, latest term first (for those who run the cycle; empty for auditors).
    pub rounds: Vec<AuditRound>,
    /// The plans given to the caller, with whether they have graded them.
    pub tray: Vec<(AuditSample, Discipline, bool)>,
    /// Whether the caller may draw samples and assign auditors.
    pub may_manage: bool,
    /// The terms a sample may be drawn for: the current one and the five before it.
    pub terms: Vec<Term>,
    /// The teams cases are assigned to, for a team's sample.
    pub teams: Vec<String>,
}

/// One sampled plan in a round, with who audits it and how far they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleProgress {
    /// The sampled plan.
    pub sample: AuditSample,
    /// Its auditors, each with whether they have graded it.
    pub auditors: Vec<(AuditAssignment, bool)>,
    /// The grade the auditors' scores point to.
    pub suggested: Option<Grade>,
}

/// A round as those who run the cycle see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundView {
    /// The round.
    pub round: AuditRound,
    /// Its plans.
    pub samples: Vec<SampleProgress>,
    /// Who may be given a plan to audit: enabled QA auditors and team managers.
    pub auditors: Vec<(UserId, String, Role)>,
}

/// A sampled plan with what has been said about it, as one auditor or the moderator reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditedPlanView {
    /// The sampled plan.
    pub sample: AuditSample,
    /// The plan version, as issued.
    pub version: PlanVersion,
    /// The child's name, from the case record.
    pub child_name: String,
    /// The plan's auditors.
    pub assignments: Vec<AuditAssignment>,
    /// The caller's discipline, if the plan is given to them.
    pub discipline: Option<Discipline>,
    /// The grades the caller may see: their own, or everyone's for those who run the cycle.
    pub scores: Vec<AuditScore>,
    /// The grade the scores point to.
    pub suggested: Option<Grade>,
    /// Whether the caller may grade it now (given to them, not yet settled).
    pub may_score: bool,
    /// Whether the caller may settle its grade now.
    pub may_moderate: bool,
    /// Whether the caller may keep it as an example now.
    pub may_mark_example: bool,
}

/// One criterion as an auditor grades it on the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionScore {
    /// The criterion.
    pub criterion: Criterion,
    /// The grade, if chosen.
    pub grade: Option<Grade>,
    /// The auditor's comment.
    pub comment: String,
}

fn sample_not_found(id: i64) -> ServiceError {
    ServiceError::NotFound {
        reference: format!("audit sample {id}"),
    }
}

fn may(caller: &Caller, action: Action) -> bool {
    can(&caller.actor, action, Resource::Service)
}

impl Services {
    /// The rounds (for those who run the cycle) and the caller's own plans to audit.
    pub async fn audit_overview(&self, caller: &Caller) -> Result<AuditOverview, ServiceError> {
        let may_manage = may(caller, Action::ManageAudits);
        let action = if may_manage {
            Action::ManageAudits
        } else {
            Action::AuditPlans
        };
        let mut tx = authorise_service(self.begin().await?, caller, action).await?;
        let rounds = if may_manage {
            tx.audit_rounds().await?
        } else {
            Vec::new()
        };
        let tray = self.tray(&mut tx, caller.actor.id).await?;
        let teams = if may_manage {
            let mut teams: Vec<String> = tx
                .users()
                .await?
                .into_iter()
                .filter_map(|u| u.team)
                .collect();
            teams.sort();
            teams.dedup();
            teams
        } else {
            Vec::new()
        };
        let current = Term::containing(tx.today());
        let terms = std::iter::successors(Some(current), |t| Some(t.previous()))
            .take(6)
            .collect();
        let detail = caller.detail(json!({ "rounds": rounds.len(), "tray": tray.len() }));
        audit_service(tx, caller, "audit.overview", detail).await?;
        Ok(AuditOverview {
            rounds,
            tray,
            may_manage,
            terms,
            teams,
        })
    }

    async fn tray(
        &self,
        tx: &mut Tx,
        auditor: UserId,
    ) -> Result<Vec<(AuditSample, Discipline, bool)>, ServiceError> {
        let samples = tx.audit_samples(AuditScope::Auditor(auditor)).await?;
        let assignments = tx.audit_assignments(AuditScope::Auditor(auditor)).await?;
        let scores = tx.audit_scores(AuditScope::Auditor(auditor)).await?;
        Ok(samples
            .into_iter()
            .filter_map(|s| {
                let discipline = assignments.iter().find(|a| a.sample_id == s.id)?.discipline;
                let scored = scores.iter().any(|x| x.sample_id == s.id);
                Some((s, discipline, scored))
            })
            .collect())
    }

    /// Draws a term's sample as asked and records it with its seed; returns the round's id.
    /// Refused, drawing nothing, when the request is incomplete or no final plan issued in the
    /// term fits it.
    pub async fn draw_audit_sample(
        &self,
        caller: &Caller,
        request: &DrawRequest,
    ) -> Result<i64, ServiceError> {
        let mut tx = authorise_service(self.begin().await?, caller, Action::ManageAudits).await?;
        let asked = match checked_draw(request) {
            Ok(asked) => asked,
            Err(e) => {
                tx.rollback().await?;
                return Err(e);
            }
        };
        let (from, to) = asked.term.instants();
        let finals = tx.final_plans_issued(from, to).await?;
        let mut candidates = Vec::new();
        for plan in &finals {
            let issued = plan
                .plan
                .issued_on
                .unwrap_or_else(|| dates::england_date(plan.issued_at));
            let reference = Reference::parse(&plan.reference)
                .map_err(|_| StoreError::Corrupt(format!("reference {:?}", plan.reference)))?;
            let Some(case) = tx.case(&reference).await? else {
                continue;
            };
            let requested = case
                .case_file()
                .events
                .iter()
                .filter(|e| e.detail == EventDetail::RequestReceived)
                .map(|e| e.date)
                .min();
            let report = check_against_case(&plan.plan, &case, issued);
            candidates.push(Candidate {
                case_id: plan.case_id,
                version: plan.version,
                score: report.score,
                late: requested.is_some_and(|r| audit::issued_late(r, issued)),
                team: plan.team.clone(),
            });
        }
        let size = usize::try_from(asked.size).unwrap_or(0);
        let drawn = audit::draw(
            &candidates,
            asked.method,
            asked.team.as_deref(),
            size,
            asked.seed,
        );
        if drawn.is_empty() {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "method",
                format!(
                    "No final plan issued in the {} fits this sample: choose another term or \
                     method",
                    asked.term.label().to_lowercase()
                ),
            )]));
        }
        let rows: Vec<(i64, i64, i64)> = drawn
            .iter()
            .map(|c| (c.case_id, c.version, i64::from(c.score)))
            .collect();
        let id = tx.add_audit_round(&asked, caller.actor.id, &rows).await?;
        let detail = caller.detail(json!({
            "round": id,
            "term": asked.term.key(),
            "method": asked.method.as_str(),
            "size": asked.size,
            "seed": asked.seed.to_string(),
            "drawn": drawn.len(),
            "from": candidates.len(),
        }));
        audit_service(tx, caller, "audit.round.draw", detail).await?;
        Ok(id)
    }

    /// A round with its plans, their auditors and progress: for those who run the cycle.
    pub async fn audit_round(&self, caller: &Caller, id: i64) -> Result<RoundView, ServiceError> {
        let mut tx = authorise_service(self.begin().await?, caller, Action::ManageAudits).await?;
        let Some(round) = tx.audit_round(id).await? else {
            tx.rollback().await?;
            return Err(ServiceError::NotFound {
                reference: format!("audit round {id}"),
            });
        };
        let samples = tx.audit_samples(AuditScope::Round(id)).await?;
        let assignments = tx.audit_assignments(AuditScope::Round(id)).await?;
        let scores = tx.audit_scores(AuditScope::Round(id)).await?;
        let samples = samples
            .into_iter()
            .map(|sample| {
                let auditors = assignments
                    .iter()
                    .filter(|a| a.sample_id == sample.id)
                    .map(|a| {
                        let scored = scores
                            .iter()
                            .any(|s| s.sample_id == sample.id && s.auditor_id == a.auditor_id);
                        (a.clone(), scored)
                    })
                    .collect();
                let suggested = suggested(&scores, sample.id);
                SampleProgress {
                    sample,
                    auditors,
                    suggested,
                }
            })
            .collect();
        let mut auditors: Vec<(UserId, String, Role)> = tx
            .users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled && may_audit(u.role))
            .map(|u| (u.id, u.name, u.role))
            .collect();
        auditors.sort_by(|a, b| a.1.cmp(&b.1));
        let detail = caller.detail(json!({ "round": id }));
        audit_service(tx, caller, "audit.round.view", detail).await?;
        Ok(RoundView {
            round,
            samples,
            auditors,
        })
    }

    /// Takes sampled plan `sample` back from `auditor` (given to the wrong person, or they are
    /// away), while they have not graded it: once they have, their grades stand.
    pub async fn unassign_audit(
        &self,
        caller: &Caller,
        sample: i64,
        auditor: UserId,
    ) -> Result<(), ServiceError> {
        let mut tx = authorise_service(self.begin().await?, caller, Action::ManageAudits).await?;
        let Some(found) = tx.audit_sample(sample).await? else {
            tx.rollback().await?;
            return Err(sample_not_found(sample));
        };
        if found.moderation.is_some() || !tx.unassign_auditor(sample, auditor).await? {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "auditor",
                "Only an auditor who has not graded the plan can be taken off it, before its \
                 grade is settled",
            )]));
        }
        let detail = caller.detail(json!({ "sample": sample, "auditor": auditor }));
        audit_case(tx, caller, "audit.unassign", &reference_of(&found)?, detail).await
    }

    /// Gives sampled plan `sample` to `auditor` (an enabled QA auditor or team manager) to audit
    /// for `discipline`.
    pub async fn assign_audit(
        &self,
        caller: &Caller,
        sample: i64,
        auditor: Option<UserId>,
        discipline: Option<Discipline>,
    ) -> Result<(), ServiceError> {
        let mut tx = authorise_service(self.begin().await?, caller, Action::ManageAudits).await?;
        let Some(found) = tx.audit_sample(sample).await? else {
            tx.rollback().await?;
            return Err(sample_not_found(sample));
        };
        let mut problems = Vec::new();
        let person = match auditor {
            Some(id) => tx.user(id).await?,
            None => None,
        };
        let auditor = person
            .filter(|u| !u.disabled && may_audit(u.role))
            .map(|u| u.id);
        if auditor.is_none() {
            problems.push(FieldError::new(
                "auditor",
                "Choose an auditor with an active account",
            ));
        }
        if discipline.is_none() {
            problems.push(FieldError::new(
                "discipline",
                "Choose whether they audit for education, health or social care",
            ));
        }
        if found.moderation.is_some() {
            problems.push(FieldError::new(
                "auditor",
                "The plan's grade is settled: it needs no more auditors",
            ));
        }
        let (Some(auditor), Some(discipline), true) = (auditor, discipline, problems.is_empty())
        else {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(problems));
        };
        let added = tx
            .assign_auditor(sample, auditor, discipline, caller.actor.id)
            .await?;
        let detail = caller.detail(json!({
            "sample": sample,
            "auditor": auditor,
            "discipline": discipline.as_str(),
            "added": added,
        }));
        audit_case(tx, caller, "audit.assign", &reference_of(&found)?, detail).await
    }

    /// A sampled plan to read and grade: for its auditors (only the plans given to them) and
    /// for those who run the cycle.
    pub async fn audited_plan(
        &self,
        caller: &Caller,
        sample: i64,
    ) -> Result<AuditedPlanView, ServiceError> {
        let (mut tx, found, assignments) = self.load_sample(caller, sample).await?;
        let reference = reference_of(&found)?;
        let manager = may(caller, Action::ManageAudits);
        let discipline = assignments
            .iter()
            .find(|a| a.auditor_id == caller.actor.id)
            .map(|a| a.discipline);
        let version = tx
            .plan_versions(found.case_id)
            .await?
            .into_iter()
            .find(|v| v.number == found.version)
            .ok_or_else(|| {
                StoreError::Corrupt(format!("audit sample {sample} without its plan version"))
            })?;
        let child_name = match tx.case(&reference).await? {
            Some(case) => child_name(&case),
            None => String::new(),
        };
        let round_scores = tx.audit_scores(AuditScope::Round(found.round_id)).await?;
        let all: Vec<AuditScore> = round_scores
            .into_iter()
            .filter(|s| s.sample_id == sample)
            .collect();
        let suggested = audit::suggested_grade(
            &all.iter()
                .map(|s| (s.criterion, s.grade))
                .collect::<Vec<_>>(),
        );
        let scores = if manager {
            all
        } else {
            all.into_iter()
                .filter(|s| s.auditor_id == caller.actor.id)
                .collect()
        };
        let settled = found.moderation.clone();
        let audited_it = discipline.is_some();
        let view = AuditedPlanView {
            may_score: audited_it && settled.is_none() && may(caller, Action::AuditPlans),
            may_moderate: manager && !audited_it && settled.is_none() && suggested.is_some(),
            may_mark_example: manager
                && !found.example
                && settled
                    .as_ref()
                    .is_some_and(|m| audit::is_good_example(m.grade)),
            sample: found,
            version,
            child_name,
            assignments,
            discipline,
            scores,
            suggested,
        };
        let detail = caller.detail(json!({ "sample": sample, "version": view.version.number }));
        audit_case(tx, caller, "audit.plan.read", &reference, detail).await?;
        Ok(view)
    }

    /// Keeps the caller's grades of a plan given to them: every criterion graded, with a
    /// comment on each graded below Good. Grades may be changed until the plan is settled.
    pub async fn score_audited_plan(
        &self,
        caller: &Caller,
        sample: i64,
        scores: &[CriterionScore],
    ) -> Result<(), ServiceError> {
        let (tx, found, assignments) = self.load_sample(caller, sample).await?;
        let reference = reference_of(&found)?;
        if !may(caller, Action::AuditPlans)
            || !assignments.iter().any(|a| a.auditor_id == caller.actor.id)
        {
            return refuse(tx, caller, Action::AuditPlans, &reference).await;
        }
        let mut tx = tx;
        let mut problems = Vec::new();
        if found.moderation.is_some() {
            problems.push(FieldError::new(
                "grade",
                "The plan's grade has been settled: grades can no longer be changed",
            ));
        }
        let mut kept = Vec::new();
        for criterion in Criterion::ALL {
            let given = scores.iter().find(|s| s.criterion == *criterion);
            let comment = given.map_or("", |s| s.comment.trim()).to_owned();
            let field = |what: &str| format!("{what}-{criterion}");
            if let Err(problem) = input::check_text(&comment, MAX_TEXT, true) {
                problems.push(FieldError::new(
                    field("comment"),
                    problem.message(&format!("Your comment on {}", criterion.label())),
                ));
            }
            match given.and_then(|s| s.grade) {
                None => problems.push(FieldError::new(
                    field("grade"),
                    format!("Choose a grade for {}", criterion.label().to_lowercase()),
                )),
                Some(grade) if !audit::is_good_example(grade) && comment.is_empty() => problems
                    .push(FieldError::new(
                        field("comment"),
                        format!(
                            "Say what would make {} better",
                            criterion.label().to_lowercase()
                        ),
                    )),
                Some(grade) => kept.push((*criterion, grade, comment)),
            }
        }
        if !problems.is_empty() {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(problems));
        }
        tx.save_audit_scores(sample, caller.actor.id, &kept).await?;
        let detail = caller.detail(json!({
            "sample": sample,
            "grades": kept.iter().map(|(c, g, _)| (c.as_str(), g.as_str()))
                .collect::<std::collections::BTreeMap<_, _>>(),
        }));
        audit_case(tx, caller, "audit.score", &reference, detail).await
    }

    /// Settles a sampled plan's grade, as a moderator who did not audit it, once an auditor has
    /// graded it.
    pub async fn moderate_audited_plan(
        &self,
        caller: &Caller,
        sample: i64,
        grade: Option<Grade>,
        comment: &str,
    ) -> Result<(), ServiceError> {
        let (mut tx, found, assignments) = self.load_sample(caller, sample).await?;
        let reference = reference_of(&found)?;
        if !may(caller, Action::ManageAudits)
            || assignments.iter().any(|a| a.auditor_id == caller.actor.id)
        {
            return refuse(tx, caller, Action::ManageAudits, &reference).await;
        }
        let comment = comment.trim();
        let scored = !tx
            .audit_scores(AuditScope::Round(found.round_id))
            .await?
            .iter()
            .any(|s| s.sample_id == sample);
        let mut problems = Vec::new();
        if scored {
            problems.push(FieldError::new(
                "grade",
                "No auditor has graded the plan yet: settle its grade once they have",
            ));
        }
        if found.moderation.is_some() {
            problems.push(FieldError::new(
                "grade",
                "The plan's grade is already settled",
            ));
        }
        if grade.is_none() {
            problems.push(FieldError::new("grade", "Choose the settled grade"));
        }
        if comment.is_empty() {
            problems.push(FieldError::new(
                "moderation_comment",
                "Say why this is the grade, especially where the auditors differ",
            ));
        } else if let Err(problem) = input::check_text(comment, MAX_TEXT, true) {
            problems.push(FieldError::new(
                "moderation_comment",
                problem.message("Your reason"),
            ));
        }
        let Some(grade) = grade.filter(|_| problems.is_empty()) else {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(problems));
        };
        let settled = tx
            .moderate_audit_sample(sample, grade, comment, caller.actor.id)
            .await?;
        if !settled {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "grade",
                "The plan's grade is already settled",
            )]));
        }
        let detail = caller.detail(json!({ "sample": sample, "grade": grade.as_str() }));
        audit_case(tx, caller, "audit.moderate", &reference, detail).await
    }

    /// Keeps a plan settled as Good or better as a "what good looks like" example: a copy with
    /// the child's names and the case reference replaced, and nothing from the case record.
    /// Returns the example's label.
    pub async fn mark_audit_example(
        &self,
        caller: &Caller,
        sample: i64,
    ) -> Result<String, ServiceError> {
        let (mut tx, found, _) = self.load_sample(caller, sample).await?;
        let reference = reference_of(&found)?;
        if !may(caller, Action::ManageAudits) {
            return refuse(tx, caller, Action::ManageAudits, &reference).await;
        }
        if !found
            .moderation
            .as_ref()
            .is_some_and(|m| audit::is_good_example(m.grade))
        {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "example",
                "Only a plan whose settled grade is Good or Outstanding can be an example",
            )]));
        }
        let version = tx
            .plan_versions(found.case_id)
            .await?
            .into_iter()
            .find(|v| v.number == found.version)
            .ok_or_else(|| StoreError::Corrupt(format!("audit sample {sample} without plan")))?;
        let case = tx.case(&reference).await?;
        let mut names: Vec<String> = vec![reference.to_string()];
        if let Some(case) = &case {
            names.push(child_name(case));
            names.extend(
                ["given_name", "family_name", "preferred_name"]
                    .iter()
                    .filter_map(|k| case.child.text(k))
                    .map(str::to_owned),
            );
        }
        if let Some(name) = &version.plan.child.name {
            names.push(name.clone());
            names.extend(name.split_whitespace().map(str::to_owned));
        }
        let label = format!("Example {}", tx.audit_example_count().await? + 1);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let copy = audit::pseudonymise(&version.plan, &names, "the child");
        let copy = tandem_core::plan::Plan {
            child: tandem_core::plan::PlanChild {
                name: Some(label.clone()),
                ..copy.child
            },
            ..copy
        };
        if !tx
            .add_audit_example(sample, &label, &copy, caller.actor.id)
            .await?
        {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "example",
                "This plan is already an example",
            )]));
        }
        let detail = caller.detail(json!({ "sample": sample, "label": label }));
        audit_case(tx, caller, "audit.example", &reference, detail).await?;
        Ok(label)
    }

    /// The results of every term audited, oldest first: figures only, no names.
    pub async fn audit_report(&self, caller: &Caller) -> Result<Vec<TermResults>, ServiceError> {
        let mut tx = authorise_service(self.begin().await?, caller, Action::ViewAggregates).await?;
        let samples = tx.audit_samples(AuditScope::All).await?;
        let scores = tx.audit_scores(AuditScope::All).await?;
        let plans: Vec<AuditedPlan> = samples
            .iter()
            .map(|s| AuditedPlan {
                term: s.term,
                scores: scores
                    .iter()
                    .filter(|x| x.sample_id == s.id)
                    .map(|x| (x.criterion, x.grade))
                    .collect(),
                moderated: s.moderation.as_ref().map(|m| m.grade),
            })
            .collect();
        let results = audit::results(&plans);
        let detail = caller.detail(json!({ "terms": results.len() }));
        audit_service(tx, caller, "audit.report", detail).await?;
        Ok(results)
    }

    /// The pseudonymised example plans, newest first.
    pub async fn audit_examples(&self, caller: &Caller) -> Result<Vec<AuditExample>, ServiceError> {
        let mut tx =
            authorise_service(self.begin().await?, caller, Action::ViewAuditExamples).await?;
        let examples = tx.audit_examples().await?;
        let detail = caller.detail(json!({ "examples": examples.len() }));
        audit_service(tx, caller, "audit.examples", detail).await?;
        Ok(examples)
    }

    /// Opens a transaction and reads a sampled plan with its auditors, for someone who runs the
    /// cycle or is one of its auditors; anyone else's attempt is audited and refused.
    async fn load_sample(
        &self,
        caller: &Caller,
        sample: i64,
    ) -> Result<(Tx, AuditSample, Vec<AuditAssignment>), ServiceError> {
        let mut tx = self.begin().await?;
        let found = tx.audit_sample(sample).await?;
        let Some(found) = found else {
            let action = if may(caller, Action::ManageAudits) {
                Action::ManageAudits
            } else {
                Action::AuditPlans
            };
            let tx = authorise_service(tx, caller, action).await?;
            tx.rollback().await?;
            return Err(sample_not_found(sample));
        };
        let assignments: Vec<AuditAssignment> = tx
            .audit_assignments(AuditScope::Round(found.round_id))
            .await?
            .into_iter()
            .filter(|a| a.sample_id == sample)
            .collect();
        let assigned = assignments.iter().any(|a| a.auditor_id == caller.actor.id);
        let allowed =
            may(caller, Action::ManageAudits) || (assigned && may(caller, Action::AuditPlans));
        if !allowed {
            let reference = reference_of(&found)?;
            return refuse(tx, caller, Action::AuditPlans, &reference).await;
        }
        Ok((tx, found, assignments))
    }
}

/// Who may be given a plan to audit.
fn may_audit(role: Role) -> bool {
    matches!(role, Role::QaAuditor | Role::TeamManager)
}

fn suggested(scores: &[AuditScore], sample: i64) -> Option<Grade> {
    audit::suggested_grade(
        &scores
            .iter()
            .filter(|s| s.sample_id == sample)
            .map(|s| (s.criterion, s.grade))
            .collect::<Vec<_>>(),
    )
}

fn reference_of(sample: &AuditSample) -> Result<Reference, ServiceError> {
    Reference::parse(&sample.reference).map_err(|_| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "reference {:?}",
            sample.reference
        )))
    })
}

fn child_name(case: &tandem_store::StoredCase) -> String {
    [
        case.child.text("given_name"),
        case.child.text("family_name"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// Audits a refusal about one plan's case, commits, and refuses.
async fn refuse<T>(
    mut tx: Tx,
    caller: &Caller,
    action: Action,
    reference: &Reference,
) -> Result<T, ServiceError> {
    tx.audit(&denied(caller, action).case(reference)).await?;
    tx.commit().await?;
    Err(ServiceError::Forbidden)
}

async fn audit_service(
    mut tx: Tx,
    caller: &Caller,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), ServiceError> {
    tx.audit(&AuditEntry::new(Some(caller.actor.id), action).detail(detail))
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn audit_case(
    tx: Tx,
    caller: &Caller,
    action: &str,
    reference: &Reference,
    detail: serde_json::Value,
) -> Result<(), ServiceError> {
    super::cases::finish(tx, caller, action, reference, detail).await
}

/// The draw asked for, checked: a term, a method (a team for a team's sample), a size from 1 to
/// [`MAX_SAMPLE`], and a seed (a fresh one when none is given).
fn checked_draw(request: &DrawRequest) -> Result<NewAuditRound, ServiceError> {
    let mut problems = Vec::new();
    let term = Term::parse(request.term.trim());
    if term.is_none() {
        problems.push(FieldError::new("term", "Choose the term to audit"));
    }
    let method = Method::parse(request.method.trim());
    if method.is_none() {
        problems.push(FieldError::new("method", "Choose how to draw the sample"));
    }
    let team = Some(request.team.trim().to_owned()).filter(|t| !t.is_empty());
    if method == Some(Method::Team) && team.is_none() {
        problems.push(FieldError::new(
            "team",
            "Choose the team whose plans to draw",
        ));
    }
    let size = request.size.trim().parse::<i64>().ok();
    if !size.is_some_and(|s| (1..=MAX_SAMPLE).contains(&s)) {
        problems.push(FieldError::new(
            "size",
            format!("Enter how many plans to draw, from 1 to {MAX_SAMPLE}"),
        ));
    }
    let seed = match request.seed.trim() {
        "" => Some(fresh_seed()),
        text => text.parse::<u64>().ok(),
    };
    if seed.is_none() {
        problems.push(FieldError::new(
            "seed",
            "Enter the seed as a whole number, or leave it blank for a random one",
        ));
    }
    match (term, method, size, seed) {
        (Some(term), Some(method), Some(size), Some(seed)) if problems.is_empty() => {
            Ok(NewAuditRound {
                term,
                method,
                team: team.filter(|_| method == Method::Team),
                size,
                seed,
            })
        }
        _ => Err(ServiceError::Invalid(problems)),
    }
}

/// A random seed below 2^53, so that it reads back the same wherever numbers are doubles.
pub(super) fn fresh_seed() -> u64 {
    let mut bytes = [0u8; 8];
    // Without the system's randomness (never on a working system), the clock's nanoseconds.
    if getrandom::fill(&mut bytes).is_err() {
        bytes = Utc::now()
            .timestamp_nanos_opt()
            .unwrap_or_default()
            .to_le_bytes();
    }
    u64::from_le_bytes(bytes) >> 11
}
