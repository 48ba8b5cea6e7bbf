//! Case services: open a case for a new request, record what happened, correct it, assign it,
//! list cases and read one with its timeline.

use chrono::Datelike;
use serde_json::json;
use tandem_core::access::provider_key;
use tandem_core::input;
use tandem_core::notifications;
use tandem_core::request::{RequestDetails, Requester};
use tandem_core::{
    Action, Actor, CaseAccess, CaseFile, Child, Date, Event, EventDetail, EventType, Reference,
    Resource, Role, Timeline, UserId, can,
};
use tandem_store::{
    AdviceResponse, Assignment, Attribution, AuditEntry, CaseFilter, CasePage, ChildId,
    DecisionSource, DetailChanges, EventId, MessageRecord, NewCase, NewPanelDecision, Page,
    Reassignment, StoredCase, Tx,
};

use super::caseload::{listing_action, narrowed};
use super::documents::DocumentList;
use super::providers;
use super::{
    Caller, FieldError, ServiceError, Services, authorise_case, authorise_service, denied, refusal,
};

/// A new request for an EHC needs assessment (Children and Families Act 2014 s.36(1)).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequest {
    /// The new case's reference, refused if a case already has it; when `None`, the next one
    /// the council's pattern makes ([`Services::with_reference_pattern`]).
    pub reference: Option<Reference>,
    /// Who made the request, when known.
    pub requested_by: Option<Requester>,
    /// The child's details; `given_name` and `family_name` in `other`, as in a case file, with
    /// whatever else the front door records (setting, needs, contacts…).
    pub child: Child,
    /// The day the council received the request, from which the statutory timescales run;
    /// today or earlier.
    pub received: Date,
    /// Who will manage the case; a case manager opening a request takes it themselves.
    pub case_manager: Option<UserId>,
    /// Set when the caller has seen the duplicate check and says the request is for this child,
    /// who already has a case.
    pub same_child_as: Option<ChildId>,
    /// Set when the caller has seen the duplicate check and says this is a different child.
    pub different_child: bool,
}

/// A case just opened for a new request.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedCase {
    /// The new case's reference.
    pub reference: Reference,
    /// The case's first version, to send back with the next write.
    pub version: i64,
}

/// Where an event being recorded came from, kept with it in the same transaction.
#[derive(Debug, Clone, Copy)]
pub(super) enum Provenance<'a> {
    /// Entered as it is.
    Plain,
    /// Entered after a warning, with why the person went on (kept on the history row).
    DespiteWarning(&'a str),
    /// A decision of a panel meeting, with the outcome and reason the meeting gave.
    Panel {
        meeting_id: i64,
        outcome: &'a str,
        reason: &'a str,
    },
}

/// What a write left: the case's new version, to send back with the next write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// The case's version after the write.
    pub version: i64,
}

/// A case as its reader may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    /// The case as stored: its record, the child and every row of its history, oldest first,
    /// superseded ones (corrected or withdrawn) included.
    pub case: StoredCase,
    /// The case's milestones and warnings, worked out from its events as of the day asked for.
    pub timeline: Timeline,
    /// Whether the reader may record events on the case (pages hide what they cannot do).
    pub may_record: bool,
    /// Whether the reader may give the case to another case manager.
    pub may_assign: bool,
    /// Advice submitted on Tandem's standard form, when council staff read the case
    /// ([`Services::view_case`]); empty otherwise (a service reads only its own advice, a family
    /// none yet).
    pub advice: Vec<AdviceResponse>,
    /// Every change of case manager, oldest first, for those who may reassign the case; empty
    /// otherwise.
    pub assignments: Vec<Assignment>,
    /// Every change of the case's details after it was opened, oldest first, for those who may
    /// record on the case ([`Services::view_case`]); empty otherwise.
    pub detail_changes: Vec<DetailChanges>,
    /// The names of the advice providers a request may name now, for the recording forms
    /// ([`Services::case_for_recording`]); empty otherwise.
    pub advice_providers: Vec<String>,
    /// Which panel meeting each decision a panel recorded came from, with its reason, when
    /// council staff read the case ([`Services::view_case`]); empty otherwise.
    pub decision_sources: Vec<DecisionSource>,
}

/// What a case page shows ([`Services::case_page`]).
#[derive(Debug, Clone)]
pub struct CasePageReads {
    /// The case with its timeline as of today.
    pub view: CaseView,
    /// Its messages the caller may read ([`Services::case_messages`]).
    pub messages: Vec<MessageRecord>,
    /// Its documents the caller may see ([`Services::documents`]).
    pub documents: DocumentList,
}

impl Services {
    /// Opens a case for a new request. A child with the same names and date of birth who already
    /// has a case is reported as [`ServiceError::PossibleDuplicate`] until the caller says
    /// whether it is the same child.
    pub async fn open_case(
        &self,
        caller: &Caller,
        request: &NewRequest,
    ) -> Result<OpenedCase, ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::OpenCase).await?;
        check_request(request, tx.today())?;
        let all_matches = match child_key(&request.child) {
            Some((given, family, born)) => tx.cases_of_child(given, family, born).await?,
            None => Vec::new(),
        };
        // Only the caller's own matches are named: another team's case is not theirs to see,
        // nor to add this request to (the outside security test found references, stages and
        // then settings leaking this way).
        let closed_since = self.advice_closed_since(tx.today());
        let mut matches = Vec::with_capacity(all_matches.len());
        for found in all_matches.iter() {
            let access = tx.case_access(found.case_id, closed_since).await?;
            if can(&caller.actor, Action::ViewCase, Resource::Case(&access)) {
                matches.push(found.clone());
            }
        }
        let elsewhere = matches.len() < all_matches.len();
        let same_child = match request.same_child_as {
            Some(id) if matches.iter().any(|m| m.child_id == id) => Some(id),
            Some(_) => {
                return Err(ServiceError::Invalid(vec![FieldError::new(
                    "same_child_as",
                    "That child does not have the names and date of birth given",
                )]));
            }
            None if !all_matches.is_empty() && !request.different_child => {
                return Err(ServiceError::PossibleDuplicate { matches, elsewhere });
            }
            None => None,
        };
        let (case_manager, team) = match request.case_manager {
            Some(id) => {
                let team = assignee_team(&mut tx, id, "case_manager").await?;
                (Some(id), team)
            }
            None if caller.actor.role == Role::CaseManager => {
                (Some(caller.actor.id), caller.actor.team.clone())
            }
            None => (None, None),
        };
        let reference = match &request.reference {
            Some(typed) => typed.clone(),
            None => {
                tx.next_reference(&self.reference_pattern, request.received.year())
                    .await?
            }
        };
        let new = NewCase {
            case: CaseFile {
                reference,
                child: request.child.clone(),
                events: vec![Event {
                    date: request.received,
                    detail: EventDetail::RequestReceived,
                }],
                request: RequestDetails {
                    requested_by: request.requested_by,
                    ..RequestDetails::default()
                },
            },
            case_manager,
            team,
        };
        let by = Attribution::new(Some(caller.actor.id), caller.source);
        let record = match same_child {
            Some(child_id) => tx.open_case_for_child(&new, child_id, by).await?,
            None => tx.open_case(&new, by).await?,
        };
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "case.open")
                .case(&record.reference)
                .detail(caller.detail(json!({
                    "existing_child": same_child.is_some(),
                    "case_manager": case_manager,
                    "reference_made": request.reference.is_none(),
                }))),
        )
        .await?;
        tx.commit().await?;
        Ok(OpenedCase {
            reference: record.reference,
            version: record.version,
        })
    }

    /// Records what happened on a case, written against the version the caller read.
    pub async fn record_event(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_version: i64,
        event: &Event,
    ) -> Result<Recorded, ServiceError> {
        self.record(
            caller,
            reference,
            expected_version,
            std::slice::from_ref(event),
            Provenance::Plain,
        )
        .await
    }

    /// Records `event` after the person was shown what it would make questionable
    /// ([`tandem_core::guidance::warnings_if_recorded`]) and chose to go on, keeping their
    /// reason on the event's history row.
    pub async fn record_event_noting(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_version: i64,
        event: &Event,
        reason: &str,
    ) -> Result<Recorded, ServiceError> {
        let reason = going_on_reason(reason)?;
        self.record(
            caller,
            reference,
            expected_version,
            std::slice::from_ref(event),
            Provenance::DespiteWarning(reason),
        )
        .await
    }

    /// Records several requests for advice made together (the services asked at the end of a
    /// decision to assess): all of them or, if any is refused, none. Each kind of advice may be
    /// asked once in a write. Problems name the request's field with its kind (`provider_health`),
    /// so that a form showing every kind at once can put each beside its own answer. `reason` is
    /// given when the person was shown warnings and chose to go on (kept on every request).
    pub async fn request_advice(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_version: i64,
        requests: &[Event],
        reason: Option<&str>,
    ) -> Result<Recorded, ServiceError> {
        let mut kinds = Vec::new();
        for request in requests {
            let EventDetail::AdviceRequested { advice, .. } = &request.detail else {
                return Err(ServiceError::Invalid(vec![FieldError::new(
                    "advice",
                    "Only requests for advice can be made together",
                )]));
            };
            if kinds.contains(advice) {
                return Err(ServiceError::Invalid(vec![FieldError::new(
                    "advice",
                    format!("{} can be requested only once at a time", advice.label()),
                )]));
            }
            kinds.push(*advice);
        }
        if kinds.is_empty() {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "advice",
                "Select the advice to request",
            )]));
        }
        let provenance = match reason {
            Some(reason) => Provenance::DespiteWarning(going_on_reason(reason)?),
            None => Provenance::Plain,
        };
        self.record(caller, reference, expected_version, requests, provenance)
            .await
    }

    /// Checks and appends `events` in one write with one audit entry, noting where they came from
    /// in the same transaction (the caller must be allowed to record on the case, and the
    /// events' checks and notices apply). With several requests for advice, a problem's field
    /// other than the shared date is named with the advice kind of the request it belongs to
    /// (`provider_health`).
    pub(super) async fn record(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_version: i64,
        events: &[Event],
        provenance: Provenance<'_>,
    ) -> Result<Recorded, ServiceError> {
        let (mut tx, case, _) = self
            .load_for(caller, Action::RecordEvent, reference)
            .await?;
        let file = case.case_file();
        let today = tx.today();
        let mut listed = Vec::with_capacity(events.len());
        let mut errors = Vec::new();
        for event in events {
            let checked = match check_event(event, &file, today) {
                Ok(()) => providers::listed_provider(&mut tx, event).await,
                Err(error) => Err(error),
            };
            match (checked, &event.detail) {
                (Ok(event), _) => listed.push(event),
                (
                    Err(ServiceError::Invalid(found)),
                    EventDetail::AdviceRequested { advice, .. },
                ) if events.len() > 1 => {
                    for e in found {
                        let named = if e.field == "date" {
                            e
                        } else {
                            FieldError::new(format!("{}_{}", e.field, advice.as_str()), e.message)
                        };
                        if !errors.contains(&named) {
                            errors.push(named);
                        }
                    }
                }
                (Err(error), _) => return Err(error),
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let by = Attribution::new(Some(caller.actor.id), caller.source);
        let version = match provenance {
            Provenance::Plain | Provenance::Panel { .. } => {
                tx.append_events(case.record.id, expected_version, &listed, by)
                    .await?
            }
            Provenance::DespiteWarning(reason) => {
                tx.append_events_noting(case.record.id, expected_version, &listed, reason, by)
                    .await?
            }
        };
        let mut surveys = 0;
        for event in &listed {
            if let Some(notice) = notifications::on_event(reference, event, version) {
                self.queue(&mut tx, &notice).await?;
            }
            surveys += self.send_surveys_at(&mut tx, case.record.id, event).await?;
        }
        let mut detail = json!({
            "type": events[0].event_type().as_str(),
            "version": version,
        });
        if listed.len() > 1 {
            detail["count"] = json!(listed.len());
        }
        if surveys > 0 {
            detail["surveys_sent"] = json!(surveys);
        }
        match provenance {
            Provenance::Plain => {}
            Provenance::DespiteWarning(_) => detail["despite_warning"] = json!(true),
            Provenance::Panel {
                meeting_id,
                outcome,
                reason,
            } => {
                let event_id = tx.last_event_id(case.record.id).await?;
                tx.record_panel_decision(NewPanelDecision {
                    meeting_id,
                    case_id: case.record.id,
                    event_id,
                    outcome,
                    reason,
                    by: caller.actor.id,
                })
                .await?;
                detail["panel_meeting"] = json!(meeting_id);
            }
        }
        let detail = caller.detail(detail);
        finish(tx, caller, "case.record_event", reference, detail).await?;
        Ok(Recorded { version })
    }

    /// Replaces a recorded event by a corrected one; both stay in the history.
    pub async fn correct_event(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_version: i64,
        event_id: EventId,
        corrected: &Event,
        reason: &str,
    ) -> Result<Recorded, ServiceError> {
        let reason = required_reason(reason)?;
        let (mut tx, case, _) = self
            .load_for(caller, Action::RecordEvent, reference)
            .await?;
        let mut others = case.case_file();
        let position = case.effective().position(|r| r.id == event_id);
        if let Some(position) = position {
            others.events.remove(position);
        }
        check_event(corrected, &others, tx.today())?;
        let corrected = &providers::listed_provider(&mut tx, corrected).await?;
        let by = Attribution::new(Some(caller.actor.id), caller.source);
        let version = tx
            .correct_event(
                case.record.id,
                expected_version,
                event_id,
                corrected,
                reason,
                by,
            )
            .await?;
        let detail = caller.detail(json!({
            "event": event_id,
            "type": corrected.event_type().as_str(),
            "version": version,
        }));
        finish(tx, caller, "case.correct_event", reference, detail).await?;
        Ok(Recorded { version })
    }

    /// Withdraws an event that should not have been recorded; it stays in the history.
    pub async fn withdraw_event(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_version: i64,
        event_id: EventId,
        reason: &str,
    ) -> Result<Recorded, ServiceError> {
        let reason = required_reason(reason)?;
        let (mut tx, case, _) = self
            .load_for(caller, Action::RecordEvent, reference)
            .await?;
        let by = Attribution::new(Some(caller.actor.id), caller.source);
        let version = tx
            .withdraw_event(case.record.id, expected_version, event_id, reason, by)
            .await?;
        let detail = caller.detail(json!({
            "event": event_id,
            "version": version,
        }));
        finish(tx, caller, "case.withdraw_event", reference, detail).await?;
        Ok(Recorded { version })
    }

    /// Gives a case to a case manager (and their team), or leaves it unassigned with `None`.
    pub async fn assign_case(
        &self,
        caller: &Caller,
        reference: &Reference,
        expected_version: i64,
        case_manager: Option<UserId>,
        reason: Option<&str>,
    ) -> Result<Recorded, ServiceError> {
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| checked_text(r, ""))
            .transpose()?;
        let (mut tx, case, _) = self
            .load_for(caller, Action::AssignCaseManager, reference)
            .await?;
        let version = assign(
            &mut tx,
            caller,
            &case,
            expected_version,
            case_manager,
            reason,
        )
        .await?;
        tx.commit().await?;
        Ok(Recorded { version })
    }

    /// Gives every case of `references` to `case_manager` (or to no one), with one reason kept
    /// in each case's history: all or none. The caller must be allowed to reassign each case;
    /// one that does not exist or that they may not see refuses the whole change (audited, and
    /// answered as "not found" either way).
    pub async fn reassign_cases(
        &self,
        caller: &Caller,
        references: &[Reference],
        case_manager: Option<UserId>,
        reason: &str,
    ) -> Result<usize, ServiceError> {
        let reason = checked_text(reason, "Enter why the cases are being reassigned")?;
        if references.is_empty() {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "case",
                "Select the cases to reassign",
            )]));
        }
        let action = Action::AssignCaseManager;
        let mut tx = self.begin().await?;
        let closed_since = self.advice_closed_since(tx.today());
        let mut cases = Vec::with_capacity(references.len());
        for reference in references {
            let case = tx.case(reference).await?;
            let access = match &case {
                Some(case) => Some(tx.case_access(case.record.id, closed_since).await?),
                None => None,
            };
            match (refusal(caller, action, reference, access.as_ref()), case) {
                (None, Some(case)) => cases.push(case),
                (refused, _) => {
                    drop(tx);
                    self.audit_read(denied(caller, action).case(reference))
                        .await?;
                    return Err(refused.unwrap_or_else(|| ServiceError::NotFound {
                        reference: reference.to_string(),
                    }));
                }
            }
        }
        for case in &cases {
            let version = case.record.version;
            assign(&mut tx, caller, case, version, case_manager, Some(reason)).await?;
        }
        tx.commit().await?;
        Ok(cases.len())
    }

    /// One page of the cases the caller works on or oversees. A case manager sees their own and
    /// their team's cases only, whatever the filter asks.
    pub async fn list_cases(
        &self,
        caller: &Caller,
        filter: &CaseFilter,
        page: Page,
    ) -> Result<CasePage, ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, listing_action(caller)).await?;
        let closed_since = self.advice_closed_since(filter.as_of);
        let found = tx
            .list_cases(&narrowed(caller, filter, closed_since), page)
            .await?;
        // Which cases were shown is part of the trail: references, not names.
        let shown: Vec<&str> = found.cases.iter().map(|c| c.reference.as_str()).collect();
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "case.list").detail(caller.detail(json!({
                "total": found.total,
                "shown": shown,
            }))),
        )
        .await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Reads a case with its timeline as of `as_of` (today when `None`).
    pub async fn view_case(
        &self,
        caller: &Caller,
        reference: &Reference,
        as_of: Option<Date>,
    ) -> Result<CaseView, ServiceError> {
        // Read from a snapshot (many people read cases at once; none waits for a writer), and
        // returned only once the read is audited.
        let (mut read, case, access) = self
            .load_for_read(caller, Action::ViewCase, reference)
            .await?;
        let (view, entry) = self
            .case_view_in(&mut read, case, &access, caller, as_of)
            .await?;
        drop(read);
        self.audit_read(entry).await?;
        Ok(view)
    }

    /// What a case page shows: the case with its timeline as of today, its messages and its
    /// documents as the caller may see them. One snapshot and one access check instead of one
    /// of each per part (the page is the busiest there is); the three reads are audited as
    /// they would be apart, in one group commit, before anything is returned.
    pub async fn case_page(
        &self,
        caller: &Caller,
        reference: &Reference,
    ) -> Result<CasePageReads, ServiceError> {
        let (mut read, case, access) = self
            .load_for_read(caller, Action::ViewCase, reference)
            .await?;
        let (messages, messages_entry) =
            self.messages_in(&mut read, &case, &access, caller).await?;
        let (documents, documents_entry) =
            self.documents_in(&mut read, &case, &access, caller).await?;
        let (view, view_entry) = self
            .case_view_in(&mut read, case, &access, caller, None)
            .await?;
        drop(read);
        futures_util::try_join!(
            self.audit_read(view_entry),
            self.audit_read(messages_entry),
            self.audit_read(documents_entry),
        )?;
        Ok(CasePageReads {
            view,
            messages,
            documents,
        })
    }

    /// The case view of a case read and authorised in `read`, with the audit entry of the read.
    async fn case_view_in(
        &self,
        read: &mut Tx,
        mut case: StoredCase,
        access: &CaseAccess,
        caller: &Caller,
        as_of: Option<Date>,
    ) -> Result<(CaseView, AuditEntry), ServiceError> {
        let as_of = as_of.unwrap_or_else(|| read.today());
        let timeline = self
            .caches
            .timelines
            .get_or_compute(
                case.record.id,
                case.record.version,
                || case.case_file(),
                as_of,
            )
            .as_ref()
            .clone();
        let allowed = |action| can(&caller.actor, action, Resource::Case(access));
        let advice = if can(&caller.actor, Action::ListCases, Resource::Service) {
            let mut all = read.advice_responses(case.record.id).await?;
            all.retain(|r| r.submitted_at.is_some());
            all
        } else {
            Vec::new()
        };
        let decision_sources = if can(&caller.actor, Action::ListCases, Resource::Service) {
            read.decision_sources(case.record.id).await?
        } else {
            Vec::new()
        };
        let may_assign = allowed(Action::AssignCaseManager);
        let assignments = if may_assign {
            read.assignments(case.record.id).await?
        } else {
            Vec::new()
        };
        let may_record = allowed(Action::RecordEvent);
        let detail_changes = if may_record {
            read.detail_changes(case.record.id).await?
        } else {
            Vec::new()
        };
        if caller.actor.role.gives_advice() {
            only_what_a_service_needs(&mut case, &caller.actor);
        }
        let view = CaseView {
            may_record,
            may_assign,
            case,
            timeline,
            advice,
            assignments,
            detail_changes,
            advice_providers: Vec::new(),
            decision_sources,
        };
        let detail = caller.detail(json!({"as_of": as_of}));
        let entry = AuditEntry::new(Some(caller.actor.id), "case.view")
            .case(&view.case.record.reference)
            .detail(detail);
        Ok((view, entry))
    }

    /// As [`Services::load_for`], for a read: a snapshot instead of a write transaction, and a
    /// refusal audited through [`Services::audit_read`].
    pub(super) async fn load_for_read(
        &self,
        caller: &Caller,
        action: Action,
        reference: &Reference,
    ) -> Result<(Tx, StoredCase, CaseAccess), ServiceError> {
        let mut read = self.snapshot().await?;
        let case = read.case(reference).await?;
        let access = match &case {
            Some(case) => {
                let closed_since = self.advice_closed_since(read.today());
                read.case_access(case.record.id, closed_since).await?
            }
            None => CaseAccess::default(),
        };
        let refused = refusal(caller, action, reference, case.as_ref().map(|_| &access));
        match (refused, case) {
            (None, Some(case)) => Ok((read, case, access)),
            (refused, _) => {
                drop(read);
                self.audit_read(denied(caller, action).case(reference))
                    .await?;
                Err(refused.unwrap_or_else(|| ServiceError::NotFound {
                    reference: reference.to_string(),
                }))
            }
        }
    }

    /// Opens a transaction, reads the case and authorises `action` on it.
    pub(super) async fn load_for(
        &self,
        caller: &Caller,
        action: Action,
        reference: &Reference,
    ) -> Result<(Tx, StoredCase, CaseAccess), ServiceError> {
        let mut tx = self.begin().await?;
        let case = tx.case(reference).await?;
        let access = match &case {
            Some(case) => {
                let closed_since = self.advice_closed_since(tx.today());
                tx.case_access(case.record.id, closed_since).await?
            }
            None => CaseAccess::default(),
        };
        // A missing case and one the caller may not see take the same path (refusal audited,
        // then "not found"), so that neither the answer nor its timing tells them apart.
        let tx = authorise_case(
            tx,
            caller,
            action,
            reference,
            case.as_ref().map(|_| &access),
        )
        .await?;
        let case = case.ok_or_else(|| ServiceError::NotFound {
            reference: reference.to_string(),
        })?;
        Ok((tx, case, access))
    }
}

/// Narrows a case's history to what a service asked for advice needs (least privilege): the
/// request for an assessment and the decision to assess, its own requests, and the advice it
/// gave, not other services' requests or advice, nor the council's later steps.
fn only_what_a_service_needs(case: &mut StoredCase, actor: &Actor) {
    let own = |provider: &Option<String>| {
        provider.as_deref().map(provider_key).as_deref() == actor.provider.as_deref()
    };
    let own_ids: Vec<Option<String>> = case
        .history
        .iter()
        .filter_map(|row| match row.event.as_ref().map(|e| &e.detail) {
            Some(EventDetail::AdviceRequested { id, provider, .. }) if own(provider) => {
                Some(id.clone())
            }
            _ => None,
        })
        .collect();
    case.history
        .retain(|row| match row.event.as_ref().map(|e| &e.detail) {
            Some(EventDetail::RequestReceived | EventDetail::DecisionToAssess { .. }) => true,
            Some(EventDetail::AdviceRequested { provider, .. }) => own(provider),
            Some(EventDetail::AdviceReceived { id, .. }) => {
                row.recorded_by == Some(actor.id) || (id.is_some() && own_ids.contains(id))
            }
            _ => false,
        });
}

pub(super) async fn finish(
    mut tx: Tx,
    caller: &Caller,
    action: &str,
    reference: &Reference,
    detail: serde_json::Value,
) -> Result<(), ServiceError> {
    tx.audit(
        &AuditEntry::new(Some(caller.actor.id), action)
            .case(reference)
            .detail(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives `case` to `case_manager` inside `tx`, keeping the change in the case's history and
/// auditing it; returns the case's new version.
async fn assign(
    tx: &mut Tx,
    caller: &Caller,
    case: &StoredCase,
    expected_version: i64,
    case_manager: Option<UserId>,
    reason: Option<&str>,
) -> Result<i64, ServiceError> {
    let team = match case_manager {
        Some(id) => assignee_team(tx, id, "case_manager").await?,
        None => None,
    };
    let change = Reassignment {
        to: case_manager,
        team: team.as_deref(),
        reason,
        by: Some(caller.actor.id),
    };
    let version = tx
        .assign_case(case.record.id, expected_version, &change)
        .await?;
    tx.audit(
        &AuditEntry::new(Some(caller.actor.id), "case.assign")
            .case(&case.record.reference)
            .detail(caller.detail(json!({
                "from": case.record.case_manager,
                "to": case_manager,
                "version": version,
                "reason_given": reason.is_some(),
            }))),
    )
    .await?;
    Ok(version)
}

/// The team of the person a case is given to, who must be an enabled case manager or team
/// manager.
async fn assignee_team(
    tx: &mut Tx,
    id: UserId,
    field: &str,
) -> Result<Option<String>, ServiceError> {
    match tx.user(id).await? {
        Some(user)
            if !user.disabled && matches!(user.role, Role::CaseManager | Role::TeamManager) =>
        {
            Ok(user.team)
        }
        _ => Err(ServiceError::Invalid(vec![FieldError::new(
            field,
            "Choose a case manager who has an active account",
        )])),
    }
}

fn required_reason(reason: &str) -> Result<&str, ServiceError> {
    checked_text(reason, "Enter why the record is being changed")
}

/// A reason typed into the `reason` field: required (`missing` says so) and within the limits
/// of free text.
pub(super) fn checked_text<'a>(reason: &'a str, missing: &str) -> Result<&'a str, ServiceError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "reason", missing,
        )]));
    }
    if let Err(problem) = input::check_text(reason, input::MAX_TEXT, true) {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "reason",
            problem.message("Reason"),
        )]));
    }
    Ok(reason)
}

/// Adds the problem, if any, with the text a person typed into `field` (labelled `label` in the
/// message).
fn text_problem(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    checked: Result<(), input::TextProblem>,
) {
    if let Err(problem) = checked {
        errors.push(FieldError::new(field, problem.message(label)));
    }
}

/// The names and date of birth the duplicate check compares, when all are given.
fn child_key(child: &Child) -> Option<(&str, &str, Date)> {
    let name = |key: &str| {
        child
            .other
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|n| !n.is_empty())
    };
    Some((
        name("given_name")?,
        name("family_name")?,
        child.date_of_birth?,
    ))
}

fn check_request(request: &NewRequest, today: Date) -> Result<(), ServiceError> {
    let mut errors = Vec::new();
    let named = |key: &str| {
        request
            .child
            .other
            .get(key)
            .and_then(|v| v.as_str())
            .is_some_and(|n| !n.trim().is_empty())
    };
    if !named("given_name") {
        errors.push(FieldError::new(
            "given_name",
            "Enter the child's first name",
        ));
    }
    if !named("family_name") {
        errors.push(FieldError::new(
            "family_name",
            "Enter the child's last name",
        ));
    }
    for (field, value) in &request.child.other {
        let Some(text) = value.as_str() else { continue };
        let label = match field.as_str() {
            "given_name" => "First name",
            "family_name" => "Last name",
            _ => "This detail",
        };
        text_problem(
            &mut errors,
            field,
            label,
            input::check_child_field(field, text),
        );
    }
    match request.child.date_of_birth {
        None => errors.push(FieldError::new(
            "date_of_birth",
            "Enter the child's date of birth",
        )),
        Some(born) if born > request.received => errors.push(FieldError::new(
            "date_of_birth",
            "Date of birth must be before the date the request was received",
        )),
        // Against the day received, or today when that is (wrongly) in the future.
        Some(born) if !input::plausible_birth(born, request.received.min(today)) => {
            errors.push(FieldError::new(
                "date_of_birth",
                "The child or young person must be under 25 on the date the request was received",
            ));
        }
        Some(_) => {}
    }
    if request.received > today {
        errors.push(FieldError::new(
            "received",
            "Date the request was received must be today or in the past",
        ));
    } else if request.received < input::EARLIEST {
        errors.push(FieldError::new(
            "received",
            format!(
                "Date the request was received must be on or after {}",
                tandem_core::dates::long(input::EARLIEST)
            ),
        ));
    }
    if request.same_child_as.is_some() && request.different_child {
        errors.push(FieldError::new(
            "same_child_as",
            "Say either that this is the same child or a different child, not both",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// Facts cannot be dated in the future (but for a planned phase transfer, reg 18) or before the
/// request that started the case; a case has one request.
/// The reason given for recording despite the warnings shown before saving.
fn going_on_reason(reason: &str) -> Result<&str, ServiceError> {
    checked_text(reason, "Enter why you are going on despite the warning")
}

fn check_event(event: &Event, case: &CaseFile, today: Date) -> Result<(), ServiceError> {
    let kind = event.event_type();
    let mut errors = Vec::new();
    if event.date > today && kind != EventType::PhaseTransfer {
        errors.push(FieldError::new(
            "date",
            "The date must be today or in the past",
        ));
    } else if event.date < input::EARLIEST {
        errors.push(FieldError::new(
            "date",
            format!(
                "The date must be on or after {}",
                tandem_core::dates::long(input::EARLIEST)
            ),
        ));
    }
    for (field, text) in event.to_fields() {
        let label = match field {
            "id" => "Reference",
            "provider" => "Service",
            "reason" => "Reason",
            "evidence" => "Evidence",
            _ => continue,
        };
        text_problem(
            &mut errors,
            field,
            label,
            input::check_event_field(field, &text),
        );
    }
    let request = case
        .events
        .iter()
        .filter(|e| e.event_type() == EventType::RequestReceived)
        .map(|e| e.date)
        .min();
    match request {
        Some(_) if kind == EventType::RequestReceived => errors.push(FieldError::new(
            "type",
            "The case already has a request; correct that event instead",
        )),
        Some(received) if event.date < received && kind != EventType::PhaseTransfer => {
            errors.push(FieldError::new(
                "date",
                format!(
                    "The date must be on or after the date the request was received ({})",
                    tandem_core::dates::long(received)
                ),
            ))
        }
        _ => {}
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}
