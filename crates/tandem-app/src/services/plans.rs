//! The EHC plan of a case: written by case staff as working revisions (each save checked for
//! quality), started from the advice received, issued as a numbered draft and then a final
//! version, and read by the family once issued.
//!
//! The rules of issuing live here, not in the pages, so that the JSON API cannot bypass them: a
//! draft is issued by anyone who may edit the plan; the final plan only by a signer the area's
//! sign-off setting names ([`tandem_core::access::PlanSignOff`]: the head of service unless
//! set), after a draft, acknowledging each blocking finding with a reason, and giving a reason if
//! the family's comment period on the draft has not ended.
//!
//! After the final plan, the plan changes only through an annual review (SEND Regulations 2014,
//! reg 22): once a review decision to amend it is recorded, the next "draft" is the notice of the
//! proposed amendments (reg 22(2), recorded as `amendment_notice_issued`, with the family's 15
//! days to comment), and the next final plan is the amended plan (reg 22(3),
//! `amended_plan_issued`), under the same sign-off rules.

use serde_json::json;
use tandem_core::plan::{
    self, CaseFacts, Finding, Plan, PlanCheckConfig, PlanChild, PlanReport, PlanStatus,
    ReceivedAdvice, Severity,
};
use tandem_core::timeline;
use tandem_core::{Action, Date, Event, EventDetail, Reference, Resource, ReviewOutcome, can};
use tandem_store::{
    Attribution, PlanComment, PlanRevision, PlanVersion, SignOffRequest, StoredCase, Tx,
};

use super::cases::finish;
use super::{Caller, FieldError, ServiceError, Services};

/// A case's plan as its writers see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanView {
    /// The case: the child's details and history.
    pub case: StoredCase,
    /// The working plan: the latest revision, or a blank plan before the first save.
    pub plan: Plan,
    /// The latest revision, `None` before the first save; a save names its number.
    pub saved: Option<PlanRevision>,
    /// The quality checks of the working plan, with the case's facts.
    pub report: PlanReport,
    /// The checks of the working plan as it would be issued as the final plan today: its errors
    /// are what the signer must acknowledge.
    pub as_final: PlanReport,
    /// Every version issued, oldest first.
    pub versions: Vec<PlanVersion>,
    /// The last day of the family's comment period on the latest draft issued, if any.
    pub comment_period_ends: Option<Date>,
    /// Whether the caller may issue the final plan.
    pub may_issue_final: bool,
    /// How many pieces of submitted advice are not yet in the plan.
    pub advice_to_add: usize,
    /// The family's comments on the drafts, oldest first.
    pub comments: Vec<PlanComment>,
    /// The request for sign-off waiting for a final plan, if there is one.
    pub sign_off_request: Option<SignOffRequest>,
}

/// A plan waiting for sign-off, as the signers' list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SignOffWaiting {
    /// The case.
    pub reference: Reference,
    /// The child's name.
    pub child: String,
    /// The request.
    pub request: SignOffRequest,
    /// The last day of the family's comment period on the latest draft.
    pub comment_period_ends: Option<Date>,
}

impl PlanView {
    /// The revision the next save is based on (`0` before the first save).
    pub fn revision(&self) -> i64 {
        self.saved.as_ref().map_or(0, |r| r.revision)
    }
}

/// A save that worked: the new revision and what the checks found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSaved {
    /// The revision saved.
    pub revision: i64,
    /// The checks of the plan as saved.
    pub report: PlanReport,
}

/// A blocking finding the signer acknowledged, and why the plan is issued regardless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// The finding, by [`finding_key`].
    pub finding: String,
    /// Why the plan is issued with it.
    pub reason: String,
}

/// What the signer of a final plan confirms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignOff {
    /// One for each blocking finding.
    pub acknowledgements: Vec<Acknowledgement>,
    /// Why the plan is issued before the family's comment period on the draft ended.
    pub early_reason: Option<String>,
}

impl SignOff {
    /// A sign-off that acknowledges every blocking finding of `report` with one `reason`,
    /// giving `early_reason` for issuing within the family's comment period: what a signer who
    /// agrees every finding gives (the demo, and tests that are not about the findings).
    pub fn acknowledging_all(
        report: &PlanReport,
        reason: &str,
        early_reason: Option<&str>,
    ) -> Self {
        Self {
            acknowledgements: blocking(report)
                .map(|f| Acknowledgement {
                    finding: finding_key(f),
                    reason: reason.to_owned(),
                })
                .collect(),
            early_reason: early_reason.map(str::to_owned),
        }
    }
}

/// A finding's key, by which a signer acknowledges it: rule, section and item
/// (`G1:B:n2`, `S2:I:`).
pub fn finding_key(finding: &Finding) -> String {
    format!(
        "{}:{}:{}",
        finding.rule,
        finding.section,
        finding.item.as_deref().unwrap_or_default()
    )
}

/// The findings a final plan may not be issued with unless acknowledged: the errors.
pub fn blocking(report: &PlanReport) -> impl Iterator<Item = &Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
}

impl Services {
    /// The case's working plan, its findings and its issued versions. Case staff only.
    pub async fn plan(
        &self,
        caller: &Caller,
        reference: &Reference,
    ) -> Result<PlanView, ServiceError> {
        let (mut tx, case, access) = self.load_for(caller, Action::EditPlan, reference).await?;
        let today = tx.today();
        let saved = tx.plan_revision(case.record.id).await?;
        let versions = tx.plan_versions(case.record.id).await?;
        let comments = tx.plan_comments(case.record.id).await?;
        let sign_off_request = tx.open_sign_off_request(case.record.id).await?;
        let plan = saved
            .as_ref()
            .map_or_else(|| blank_for(&case), |r| r.plan.clone());
        let received = received_advice(&mut tx, &case, today).await?;
        let mut with_advice = plan.clone();
        let advice_to_add = with_advice.add_advice(&received);
        let view = PlanView {
            report: check_against_case(&plan, &case, today),
            as_final: check_against_case(
                &as_issued(plan.clone(), PlanStatus::Final, today),
                &case,
                today,
            ),
            comment_period_ends: last_draft(&case).map(plan::comment_period_ends),
            may_issue_final: self.plan_sign_off.allows(caller.actor.role)
                && can(
                    &caller.actor,
                    Action::IssueFinalPlan,
                    Resource::Case(&access),
                ),
            advice_to_add,
            comments,
            sign_off_request,
            case,
            plan,
            saved,
            versions,
        };
        let detail = caller.detail(json!({ "revision": view.revision() }));
        finish(tx, caller, "plan.view", reference, detail).await?;
        Ok(view)
    }

    /// Saves `plan` as the next revision of the case's working plan, based on
    /// `expected_revision`, and checks it. A save based on a stale revision is refused with
    /// [`ServiceError::Conflict`] naming the latest, and saves nothing.
    pub async fn save_plan(
        &self,
        caller: &Caller,
        reference: &Reference,
        plan: Plan,
        expected_revision: i64,
    ) -> Result<PlanSaved, ServiceError> {
        plan.check_ids()
            .map_err(|e| ServiceError::Invalid(vec![FieldError::new(e.at, e.message)]))?;
        let (mut tx, case, _) = self.load_for(caller, Action::EditPlan, reference).await?;
        let revision = tx
            .save_plan(case.record.id, caller.actor.id, &plan, expected_revision)
            .await?;
        let report = check_against_case(&plan, &case, tx.today());
        let detail = caller.detail(json!({ "revision": revision }));
        finish(tx, caller, "plan.save", reference, detail).await?;
        Ok(PlanSaved { revision, report })
    }

    /// Pulls the advice submitted on the standard forms into the working plan (B/C/D, E,
    /// F/G/H2 and K, each item naming its source) and saves it as the next revision.
    pub async fn add_advice_to_plan(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_revision: i64,
    ) -> Result<PlanSaved, ServiceError> {
        let (mut tx, case, _) = self.load_for(caller, Action::EditPlan, reference).await?;
        let today = tx.today();
        let mut plan = tx
            .plan_revision(case.record.id)
            .await?
            .map_or_else(|| blank_for(&case), |r| r.plan);
        let received = received_advice(&mut tx, &case, today).await?;
        let added = plan.add_advice(&received);
        let revision = tx
            .save_plan(case.record.id, caller.actor.id, &plan, expected_revision)
            .await?;
        let report = check_against_case(&plan, &case, today);
        let detail = caller.detail(json!({ "revision": revision, "advice_added": added }));
        finish(tx, caller, "plan.add_advice", reference, detail).await?;
        Ok(PlanSaved { revision, report })
    }

    /// Issues the working plan at `expected_revision` as a draft, recording
    /// `draft_plan_issued` (dated today) on the case in the same transaction. Returns the
    /// version's number.
    pub async fn issue_draft_plan(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_revision: i64,
    ) -> Result<i64, ServiceError> {
        let (tx, case, _) = self.load_for(caller, Action::EditPlan, reference).await?;
        self.issue(
            tx,
            caller,
            case,
            expected_revision,
            PlanStatus::Draft,
            SignOff::default(),
        )
        .await
    }

    /// Asks the signers to sign off the plan at `expected_revision` as the final plan, with a
    /// note for them (may be blank). Only once a draft has been issued since the last final
    /// plan, and not twice for the same revision; the plan then waits on the signers' list
    /// ([`Services::sign_off_queue`]) until a final plan is issued.
    pub async fn request_sign_off(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_revision: i64,
        note: &str,
    ) -> Result<(), ServiceError> {
        let note = note.trim();
        if let Err(problem) =
            tandem_core::input::check_text(note, tandem_core::input::MAX_TEXT, true)
        {
            return Err(invalid("note", &problem.message("The note")));
        }
        let (mut tx, case, _) = self.load_for(caller, Action::EditPlan, reference).await?;
        let saved = tx.plan_revision(case.record.id).await?;
        let revision = saved.as_ref().map_or(0, |r| r.revision);
        if revision != expected_revision {
            tx.rollback().await?;
            return Err(ServiceError::Conflict {
                current_version: revision,
            });
        }
        let versions = tx.plan_versions(case.record.id).await?;
        if versions.last().is_none_or(|v| v.kind != PlanStatus::Draft) {
            tx.rollback().await?;
            return Err(invalid(
                "note",
                "Issue the draft plan to the family before asking for sign-off",
            ));
        }
        if tx
            .open_sign_off_request(case.record.id)
            .await?
            .is_some_and(|r| r.revision == revision)
        {
            tx.rollback().await?;
            return Err(invalid(
                "note",
                "Sign-off has already been asked for on this version of the plan",
            ));
        }
        tx.request_sign_off(case.record.id, revision, caller.actor.id, note)
            .await?;
        let detail = caller.detail(json!({ "revision": revision }));
        finish(tx, caller, "plan.sign_off_requested", reference, detail).await
    }

    /// The plans waiting for sign-off, oldest request first, for those who sign final plans
    /// off here ([`tandem_core::access::PlanSignOff`]); anyone else is refused.
    pub async fn sign_off_queue(
        &self,
        caller: &Caller,
    ) -> Result<Vec<SignOffWaiting>, ServiceError> {
        let mut tx = self.begin().await?;
        if !self.plan_sign_off.allows(caller.actor.role) {
            tx.audit(&super::denied(caller, Action::IssueFinalPlan))
                .await?;
            tx.commit().await?;
            return Err(ServiceError::Forbidden);
        }
        let mut waiting = Vec::new();
        for request in tx.sign_off_requests_waiting().await? {
            let Ok(reference) = Reference::parse(&request.reference) else {
                continue;
            };
            let Some(case) = tx.case(&reference).await? else {
                continue;
            };
            waiting.push(SignOffWaiting {
                child: child_name(&case),
                comment_period_ends: last_draft(&case).map(plan::comment_period_ends),
                reference,
                request,
            });
        }
        let cases: Vec<&str> = waiting.iter().map(|w| w.reference.as_str()).collect();
        tx.audit(
            &tandem_store::AuditEntry::new(Some(caller.actor.id), "plan.sign_off_queue")
                .detail(caller.detail(json!({ "cases": cases }))),
        )
        .await?;
        tx.commit().await?;
        Ok(waiting)
    }

    /// Issues the working plan at `expected_revision` as the final plan, recording
    /// `final_plan_issued` on the case. Only a signer who may issue final plans may; a draft
    /// must have been issued; every blocking finding must be acknowledged with a reason, and a
    /// reason given if the family's comment period on the draft has not ended.
    pub async fn issue_final_plan(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_revision: i64,
        sign_off: SignOff,
    ) -> Result<i64, ServiceError> {
        let (mut tx, case, _) = self
            .load_for(caller, Action::IssueFinalPlan, reference)
            .await?;
        if !self.plan_sign_off.allows(caller.actor.role) {
            tx.audit(&super::denied(caller, Action::IssueFinalPlan).case(reference))
                .await?;
            tx.commit().await?;
            return Err(ServiceError::Forbidden);
        }
        self.issue(
            tx,
            caller,
            case,
            expected_revision,
            PlanStatus::Final,
            sign_off,
        )
        .await
    }

    async fn issue(
        &self,
        mut tx: Tx,
        caller: &Caller,
        case: StoredCase,
        expected_revision: i64,
        kind: PlanStatus,
        sign_off: SignOff,
    ) -> Result<i64, ServiceError> {
        let reference = case.record.reference.clone();
        let today = tx.today();
        let Some(saved) = tx.plan_revision(case.record.id).await? else {
            tx.rollback().await?;
            return Err(invalid("plan", "Save the plan before issuing it"));
        };
        if saved.revision != expected_revision {
            tx.rollback().await?;
            return Err(ServiceError::Conflict {
                current_version: saved.revision,
            });
        }
        let versions = tx.plan_versions(case.record.id).await?;
        let amending = match amendment(&case, &versions) {
            Ok(amending) => amending,
            Err(refused) => {
                tx.rollback().await?;
                return Err(refused);
            }
        };
        let kind = if amending && kind.is_final() {
            PlanStatus::Amended
        } else {
            kind
        };
        let plan = as_issued(saved.plan, kind, today);
        let problems = if kind.is_final() {
            final_problems(
                &check_against_case(&plan, &case, today),
                &case,
                &versions,
                &sign_off,
                today,
            )
        } else {
            Vec::new()
        };
        if !problems.is_empty() {
            tx.rollback().await?;
            return Err(ServiceError::Invalid(problems));
        }
        // The plan as issued (its status and date) is a revision of its own, so the issued
        // version is exactly a saved revision.
        let revision = tx
            .save_plan(case.record.id, caller.actor.id, &plan, expected_revision)
            .await?;
        let detail = match (amending, kind.is_final()) {
            (false, false) => EventDetail::DraftPlanIssued,
            (false, true) => EventDetail::FinalPlanIssued,
            (true, false) => EventDetail::AmendmentNoticeIssued,
            (true, true) => EventDetail::AmendedPlanIssued,
        };
        let by = Attribution::new(Some(caller.actor.id), caller.source);
        let case_version = tx
            .append_events(
                case.record.id,
                case.record.version,
                &[Event::new(today, detail)],
                by,
            )
            .await?;
        let acknowledged: Vec<_> = sign_off
            .acknowledgements
            .iter()
            .map(|a| json!({ "finding": a.finding, "reason": a.reason.trim() }))
            .collect();
        let signed = json!({
            "acknowledged": acknowledged,
            "early_reason": sign_off.early_reason.as_deref().map(str::trim),
        });
        let number = tx
            .issue_plan_version(case.record.id, revision, kind, caller.actor.id, &signed)
            .await?;
        let detail = caller.detail(json!({
            "kind": kind.as_str(),
            "number": number,
            "revision": revision,
            "version": case_version,
            "acknowledged": acknowledged.len(),
            "early": sign_off.early_reason.is_some(),
        }));
        finish(tx, caller, "plan.issue", &reference, detail).await?;
        Ok(number)
    }

    /// The latest plan issued on the case (draft or final), as the family reads it: never a
    /// working revision. `None` before any is issued.
    pub async fn issued_plan(
        &self,
        caller: &Caller,
        reference: &Reference,
    ) -> Result<Option<(StoredCase, PlanVersion)>, ServiceError> {
        let (mut tx, case, _) = self
            .load_for(caller, Action::CommentOnDraft, reference)
            .await?;
        let latest = tx.plan_versions(case.record.id).await?.pop();
        let detail = caller.detail(json!({ "number": latest.as_ref().map(|v| v.number) }));
        finish(tx, caller, "plan.read_issued", reference, detail).await?;
        Ok(latest.map(|v| (case, v)))
    }
}

/// Whether issuing now amends a final plan already issued: refused after a final plan unless a
/// review decided after it to amend it (reg 22).
fn amendment(case: &StoredCase, versions: &[PlanVersion]) -> Result<bool, ServiceError> {
    let Some(last_final) = versions.iter().rev().find(|v| v.kind.is_final()) else {
        return Ok(false);
    };
    let since = last_final
        .plan
        .issued_on
        .unwrap_or_else(|| tandem_core::dates::england_date(last_final.issued_at));
    // A decision dated after the latest final (or amended) plan: the one amended plan it leads
    // to uses it up.
    let decided_to_amend = case.effective().filter_map(|r| r.event.as_ref()).any(|e| {
        e.date > since
            && e.detail
                == EventDetail::ReviewDecision {
                    outcome: ReviewOutcome::Amend,
                }
    });
    if decided_to_amend {
        Ok(true)
    } else {
        Err(invalid(
            "plan",
            "The final plan has already been issued: it changes only after an annual review \
             decides to amend it (record that decision, then send the proposed amendments)",
        ))
    }
}

/// What stops the final plan being issued as signed off.
fn final_problems(
    report: &PlanReport,
    case: &StoredCase,
    versions: &[PlanVersion],
    sign_off: &SignOff,
    today: Date,
) -> Vec<FieldError> {
    let mut problems = Vec::new();
    // The draft (or the proposed amendments) sent since the last final plan, if any.
    let since_final = versions
        .iter()
        .rposition(|v| v.kind.is_final())
        .map_or(versions, |i| &versions[i + 1..]);
    if !since_final.iter().any(|v| v.kind == PlanStatus::Draft) {
        problems.push(FieldError::new(
            "plan",
            "Issue a draft plan (or, after a review, the proposed amendments) to the family \
             before the final plan",
        ));
    }
    for finding in blocking(report) {
        let key = finding_key(finding);
        let given = sign_off
            .acknowledgements
            .iter()
            .any(|a| a.finding == key && !a.reason.trim().is_empty());
        if !given {
            problems.push(FieldError::new(
                format!("acknowledge-{key}"),
                format!(
                    "Acknowledge the finding on {} ({}) and say why the plan is issued with it",
                    finding.section.describe(),
                    finding.rule
                ),
            ));
        }
    }
    let ends = last_draft(case).map(plan::comment_period_ends);
    let early = ends.is_some_and(|ends| today <= ends);
    let reason = sign_off.early_reason.as_deref().map(str::trim);
    if early && reason.is_none_or(str::is_empty) {
        problems.push(FieldError::new(
            "early_reason",
            format!(
                "The family can comment on the draft until {}: say why the final plan is issued \
                 before then",
                ends.map_or_else(String::new, tandem_core::dates::long)
            ),
        ));
    }
    problems
}

/// `plan` as issued as `kind` on `today`.
fn as_issued(mut plan: Plan, kind: PlanStatus, today: Date) -> Plan {
    plan.status = kind;
    plan.issued_on = Some(today);
    plan
}

fn invalid(field: &str, message: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(field, message)])
}

/// The day the latest draft plan (or notice of proposed amendments) was served, from the case's
/// history: both give the family 15 days (regs 13(1) and 22(2)).
fn last_draft(case: &StoredCase) -> Option<Date> {
    case.effective()
        .filter_map(|r| r.event.as_ref())
        .filter(|e| {
            matches!(
                e.detail,
                EventDetail::DraftPlanIssued | EventDetail::AmendmentNoticeIssued
            )
        })
        .map(|e| e.date)
        .max()
}

/// A blank draft for the case's child.
fn blank_for(case: &StoredCase) -> Plan {
    Plan::blank(PlanChild {
        date_of_birth: case.child.date_of_birth,
        year_group: None,
        name: Some(child_name(case)).filter(|n| !n.is_empty()),
        primary_need: case.child.text("primary_need").map(str::to_owned),
    })
}

fn child_name(case: &StoredCase) -> String {
    [
        case.child.text("given_name"),
        case.child.text("family_name"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// The checks, with the default configuration, of `plan` with the facts of the case record:
/// the advice received and the child's details.
pub(super) fn check_against_case(plan: &Plan, case: &StoredCase, today: Date) -> PlanReport {
    let file = case.case_file();
    let mut plan = plan.clone();
    for event in &file.events {
        if let EventDetail::AdviceReceived { advice, .. } = &event.detail
            && !plan.advice_received.iter().any(|a| a == advice.as_str())
        {
            plan.advice_received.push(advice.as_str().to_owned());
        }
    }
    plan.case = Some(CaseFacts {
        name: Some(child_name(case)).filter(|n| !n.is_empty()),
        date_of_birth: case.child.date_of_birth,
        primary_need: case.child.text("primary_need").map(str::to_owned),
        request_received: file
            .events
            .iter()
            .filter(|e| e.detail == EventDetail::RequestReceived)
            .map(|e| e.date)
            .min(),
        exception_recorded: Some(
            file.events
                .iter()
                .any(|e| matches!(e.detail, EventDetail::Exception(_))),
        ),
        ..CaseFacts::default()
    });
    plan::check(&plan, &PlanCheckConfig::default(), today)
}

/// The advice submitted on the standard forms for the case, with what each answered.
async fn received_advice(
    tx: &mut Tx,
    case: &StoredCase,
    today: Date,
) -> Result<Vec<ReceivedAdvice>, ServiceError> {
    let timeline = timeline::compute(&case.case_file(), today);
    let responses = tx.advice_responses(case.record.id).await?;
    Ok(responses
        .into_iter()
        .filter_map(|r| {
            let submitted = r.submitted_at?;
            let request = timeline
                .milestones
                .iter()
                .find(|m| m.key == r.request_key)?;
            Some(ReceivedAdvice {
                kind: request.advice?,
                from: request.provider.clone().unwrap_or_default(),
                date: tandem_core::dates::england_date(submitted),
                key: r.request_key,
                form: r.form,
            })
        })
        .collect())
}
