//! Advice from the services asked: the work tray of requests open to a service, and the standard
//! advice form, saved as drafts and submitted once, which records `advice_received` on the case.

use serde_json::json;
use tandem_core::access::provider_key;
use tandem_core::advice::{AdviceForm, AdviceProblem};
use tandem_core::timeline::{self, Milestone};
use tandem_core::{Action, AdviceKind, Date, Event, EventDetail, Reference, Role, Status};
use tandem_store::{AdviceResponse, Attribution, AuditEntry, StoredCase};

use super::cases::finish;
use super::{Caller, FieldError, ServiceError, Services};

/// One request on a service's work tray.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayItem {
    /// The case's reference.
    pub reference: Reference,
    /// The child's given name, if recorded.
    pub given_name: Option<String>,
    /// The child's family name, if recorded.
    pub family_name: Option<String>,
    /// The request's milestone key (`advice:health`), which names it in addresses.
    pub request_key: String,
    /// What was asked for.
    pub advice: AdviceKind,
    /// When it was asked for.
    pub requested: Date,
    /// The last day the advice is in time (six weeks from the request).
    pub due: Option<Date>,
    /// Pending or overdue, on the day the tray was read.
    pub status: Status,
    /// Where the service's own answer stands.
    pub draft: DraftState,
}

/// Where a service's answer to a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftState {
    /// Nothing written yet.
    NotStarted,
    /// A draft is saved.
    Draft,
}

/// A request open to the caller's service, with what has been written so far.
#[derive(Debug, Clone, PartialEq)]
pub struct AdviceRequestView {
    /// The case asked about: its record, the child's details, and nothing of other services'
    /// advice.
    pub case: StoredCase,
    /// The request's milestone: what, when asked, when due, where it stands.
    pub request: Milestone,
    /// The service's answer so far; `None` before the first save.
    pub response: Option<AdviceResponse>,
}

/// What saving or submitting advice led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdviceSaved {
    /// Saved as a draft at this version.
    Draft(i64),
    /// Submitted: `advice_received` is recorded on the case.
    Submitted,
}

impl Services {
    /// The requests still open to the caller's service, due soonest first. Professionals and
    /// settings without a service have an empty tray; anyone else is refused.
    pub async fn work_tray(&self, caller: &Caller) -> Result<Vec<TrayItem>, ServiceError> {
        if !caller.actor.role.gives_advice() {
            let mut tx = self.begin().await?;
            tx.audit(&super::denied(caller, Action::RespondToAdviceRequest))
                .await?;
            tx.commit().await?;
            return Err(ServiceError::Forbidden);
        }
        let Some(provider) = caller.actor.provider.as_deref() else {
            return Ok(Vec::new());
        };
        let mut tx = self.begin().await?;
        let today = tx.today();
        let mut items = Vec::new();
        for found in self.store().cases_awaiting_advice(provider).await? {
            let Some(case) = tx.case(&found.reference).await? else {
                continue;
            };
            let drafts = tx.advice_responses(found.case_id).await?;
            let timeline = timeline::compute(&case.case_file(), today);
            for milestone in open_requests_to(&timeline.milestones, provider) {
                let Some(advice) = milestone.advice else {
                    continue;
                };
                let draft = if drafts.iter().any(|d| d.request_key == milestone.key) {
                    DraftState::Draft
                } else {
                    DraftState::NotStarted
                };
                items.push(TrayItem {
                    reference: found.reference.clone(),
                    given_name: found.given_name.clone(),
                    family_name: found.family_name.clone(),
                    request_key: milestone.key.clone(),
                    advice,
                    requested: milestone.start,
                    due: milestone.due,
                    status: milestone.status,
                    draft,
                });
            }
        }
        items.sort_by(|a, b| {
            (a.due.is_none(), a.due, &a.reference).cmp(&(b.due.is_none(), b.due, &b.reference))
        });
        let shown: Vec<&str> = items.iter().map(|i| i.reference.as_str()).collect();
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "advice.tray")
                .detail(caller.detail(json!({ "shown": shown }))),
        )
        .await?;
        tx.commit().await?;
        Ok(items)
    }

    /// The request `request_key` of a case, as the service answering it sees it. Refused unless
    /// the caller may answer advice requests on the case and the request is open to their
    /// service.
    pub async fn advice_request(
        &self,
        caller: &Caller,
        reference: &Reference,
        request_key: &str,
    ) -> Result<AdviceRequestView, ServiceError> {
        let (mut tx, case, _) = self
            .load_for(caller, Action::RespondToAdviceRequest, reference)
            .await?;
        let request = requested_of(caller, &case, request_key, tx.today())?;
        let response = tx.advice_response(case.record.id, request_key).await?;
        let detail = caller.detail(json!({ "request": request_key }));
        finish(tx, caller, "advice.view", reference, detail).await?;
        Ok(AdviceRequestView {
            case,
            request,
            response,
        })
    }

    /// Saves `form` as the service's draft answer to `request_key`, based on `expected_version`
    /// (`0` before the first save), or with `submit` checks it and submits it: `advice_received`
    /// is recorded on the case, dated today and attributed to the caller, in the same
    /// transaction. A draft is saved however incomplete; a submission with problems saves
    /// nothing and names each one.
    pub async fn save_advice(
        &self,
        caller: &Caller,
        reference: &Reference,
        request_key: &str,
        form: AdviceForm,
        expected_version: i64,
        submit: bool,
    ) -> Result<AdviceSaved, ServiceError> {
        let form = form.tidied();
        let (mut tx, case, _) = self
            .load_for(caller, Action::RespondToAdviceRequest, reference)
            .await?;
        let today = tx.today();
        let request = requested_of(caller, &case, request_key, today)?;
        let advice = request.advice.ok_or_else(|| not_open(request_key))?;
        let problems = if submit {
            form.submit_problems(advice)
        } else {
            form.draft_problems()
        };
        if !problems.is_empty() {
            tx.rollback().await?;
            return Err(invalid(problems));
        }
        let version = tx
            .save_advice_draft(
                case.record.id,
                request_key,
                caller.actor.id,
                &form,
                expected_version,
            )
            .await?;
        if !submit {
            let detail = caller.detail(json!({ "request": request_key, "version": version }));
            finish(tx, caller, "advice.save", reference, detail).await?;
            return Ok(AdviceSaved::Draft(version));
        }
        let received = Event::new(
            today,
            EventDetail::AdviceReceived {
                advice,
                id: request.request_id.clone(),
            },
        );
        let by = Attribution::new(Some(caller.actor.id), caller.source);
        let case_version = tx
            .append_events(
                case.record.id,
                case.record.version,
                std::slice::from_ref(&received),
                by,
            )
            .await?;
        tx.mark_advice_submitted(case.record.id, request_key)
            .await?;
        let detail = caller.detail(json!({
            "request": request_key,
            "type": "advice_received",
            "version": case_version,
        }));
        finish(tx, caller, "advice.submit", reference, detail).await?;
        Ok(AdviceSaved::Submitted)
    }
}

/// The requests on a timeline still waiting for advice from `provider` (a provider key).
fn open_requests_to<'t>(
    milestones: &'t [Milestone],
    provider: &'t str,
) -> impl Iterator<Item = &'t Milestone> + 't {
    milestones.iter().filter(move |m| {
        is_open(m) && m.provider.as_deref().map(provider_key).as_deref() == Some(provider)
    })
}

fn is_open(milestone: &Milestone) -> bool {
    matches!(milestone.status, Status::Pending | Status::Overdue)
}

/// The request `request_key` of `case`, if it is open to the caller: to their service, or, for
/// a family, a request for the parent's advice (their own views) on their child's case.
fn requested_of(
    caller: &Caller,
    case: &StoredCase,
    request_key: &str,
    today: Date,
) -> Result<Milestone, ServiceError> {
    let timeline = timeline::compute(&case.case_file(), today);
    let found = if caller.actor.role == Role::Parent {
        timeline
            .milestones
            .iter()
            .find(|m| is_open(m) && m.advice == Some(AdviceKind::Parent) && m.key == request_key)
    } else {
        let provider = caller.actor.provider.as_deref().unwrap_or_default();
        open_requests_to(&timeline.milestones, provider).find(|m| m.key == request_key)
    };
    found.cloned().ok_or_else(|| not_open(request_key))
}

fn not_open(request_key: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(
        "request",
        format!(
            "The request {request_key} is not waiting for your advice: it may have been answered \
             or withdrawn"
        ),
    )])
}

fn invalid(problems: Vec<AdviceProblem>) -> ServiceError {
    ServiceError::Invalid(
        problems
            .into_iter()
            .map(|p| FieldError::new(p.field, p.message))
            .collect(),
    )
}
