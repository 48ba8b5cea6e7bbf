//! The timeline: every statutory milestone of a case, derived from its dated history
//! (contracts/case-file.md §2).
//!
//! The engine sorts the events into one canonical order, gathers the facts the rules need, then
//! walks the rules table ([`crate::rules`]) to build each milestone with its due date, status,
//! qualifying exception and a sentence explaining it.

use std::collections::HashMap;

use serde::Serialize;

use crate::case_file::{CaseFile, Reference};
use crate::dates::{self, Date};
use crate::event::{Event, EventDetail, ExceptionClaim};
use crate::exceptions::{self, AdviceRequestRef, Context, Limit};
use crate::names::{
    AdviceKind, AssessOutcome, EventType, ExceptionKind, IssueOutcome, PhaseKind, ReviewOutcome,
    Stage, Status, WarningCode,
};
use crate::rules::{Ending, Rule, RuleId, rule};

/// "At least 15 days, beginning with the day on which the draft plan was served" (reg 13(1)(a)):
/// the earliest lawful final plan is the draft's date plus 15 days.
const COMMENT_PERIOD_DAYS: u64 = 15;

/// A case's milestones and warnings as known on `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// The case's reference.
    pub reference: Reference,
    /// The date the timeline is judged on: what is overdue or pending, and which events were
    /// known.
    pub as_of: Date,
    /// Every milestone, in order of due date (none last), then key.
    pub milestones: Vec<Milestone>,
    /// Problems found in the history, such as a final plan without a draft.
    pub warnings: Vec<Warning>,
    /// Where the case is.
    pub stage: Stage,
    /// Each exception claimed, and which time limits it disapplies or why it does not qualify.
    pub exceptions: Vec<ExceptionReport>,
    /// The last draft plan issued on or before the final plan (or the last one, without a final).
    #[serde(skip)]
    pub draft_issued: Option<Date>,
}

/// One statutory duty with its due date and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Milestone {
    /// The milestone's key, unique in the timeline (`final_plan`, `advice:health`, `review:2`).
    pub key: String,
    /// The last day on which the duty is done in time; `None` when the duty no longer arises
    /// before a due date could be set.
    pub due: Option<Date>,
    /// The day the duty was done, if it was.
    pub done: Option<Date>,
    /// Where it stands on the as-of date.
    pub status: Status,
    /// The regulation or section the duty comes from.
    pub rule: &'static str,
    /// One plain-English sentence saying why it is due when it is, for a parent to read.
    pub explanation: String,
    /// The qualifying exception that disapplies its time limit, if any.
    pub exception: Option<AppliedException>,
    /// The date that started the clock.
    pub start: Date,
    /// For an advice milestone: whose advice it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<AdviceKind>,
    /// For an advice milestone: who was asked for it, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// For an advice milestone: the request's own `id`, if it has one, which a receipt names to
    /// answer this request and no other (not in the contract's JSON).
    #[serde(skip)]
    pub request_id: Option<String>,
    /// Which time limit of the rules table it is.
    #[serde(skip)]
    pub rule_id: RuleId,
}

/// A qualifying exception that disapplies a milestone's time limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedException {
    /// Which exception it is.
    pub kind: ExceptionKind,
    /// Why it qualifies and what it means for the duty, in plain English.
    pub explanation: String,
}

/// Something questionable in a case's history (contracts/case-file.md §2, "Warnings").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// What kind of problem it is; fixed by the contract.
    pub code: WarningCode,
    /// The problem in words, naming the dates concerned.
    pub message: String,
}

/// What the engine made of one claimed exception.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceptionReport {
    /// Position of the `exception` event in the case file's `events`.
    pub event_index: usize,
    /// Which exception was claimed.
    pub kind: ExceptionKind,
    /// The first day of the circumstance claimed.
    pub from: Date,
    /// Keys of the milestones whose time limit it disapplies; empty when it does not qualify.
    pub disapplies: Vec<String>,
    /// Why it does not qualify, when it does not.
    pub reason: Option<String>,
}

impl Timeline {
    /// The timeline without its words (explanations, warnings, the exceptions report): what the
    /// figures of a dashboard read, kept for many cases at once in a fraction of the memory.
    pub fn figures_only(mut self) -> Self {
        for milestone in &mut self.milestones {
            milestone.explanation = String::new();
            if let Some(exception) = &mut milestone.exception {
                exception.explanation = String::new();
            }
        }
        self.milestones.shrink_to_fit();
        self.warnings = Vec::new();
        self.exceptions = Vec::new();
        self
    }

    /// The earliest milestone still to be done (overdue or pending).
    pub fn next_due(&self) -> Option<&Milestone> {
        self.milestones
            .iter()
            .filter(|m| matches!(m.status, Status::Overdue | Status::Pending))
            .min_by_key(|m| (m.due, m.key.clone()))
    }

    /// The milestone with this key, if the timeline has one.
    pub fn milestone(&self, key: &str) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.key == key)
    }
}

/// Computes the timeline of `case` as known on `as_of`. Events dated after `as_of` had not
/// happened then and are left out (with a warning); a planned phase transfer, dated with the
/// future day of the move, is known before that day and always counts.
pub fn compute(case: &CaseFile, as_of: Date) -> Timeline {
    compute_with(case, as_of, true)
}

/// The timeline of `case` as at `as_of` without its words: exactly
/// `compute(case, as_of).figures_only()`, but without writing the explanations, warnings and
/// exception reports only to throw them away (most of the work of [`compute`]). For figures
/// over many cases: the measures, the dashboard.
pub fn compute_figures(case: &CaseFile, as_of: Date) -> Timeline {
    compute_with(case, as_of, false)
}

fn compute_with(case: &CaseFile, as_of: Date, words: bool) -> Timeline {
    let known_on = |e: &Event| e.date <= as_of || e.event_type() == EventType::PhaseTransfer;
    let mut known: Vec<(usize, &Event)> = case
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| known_on(e))
        .collect();
    let left_out = case.events.len() - known.len();
    // One canonical order whatever order the file lists events in: by date, then by type and
    // fields, so that shuffling a file never changes its timeline.
    known.sort_by(|a, b| a.1.cmp(b.1));
    let facts = Facts::gather(&known);
    let mut engine = Engine::new(as_of, &facts, words);
    if left_out > 0 && words {
        engine.warn(
            WarningCode::EventsAfterAsOf,
            format!(
                "{left_out} event(s) dated after {} were left out, as they were not yet known on that date.",
                dates::long(as_of)
            ),
        );
    }
    engine.assessment();
    engine.reviews();
    engine.phase_transfers();
    let exceptions = if words {
        engine.plan_warnings();
        engine.exception_reports()
    } else {
        Vec::new()
    };
    let mut milestones = engine.milestones;
    milestones
        .sort_by(|a, b| (a.due.is_none(), a.due, &a.key).cmp(&(b.due.is_none(), b.due, &b.key)));
    Timeline {
        reference: case.reference.clone(),
        as_of,
        milestones,
        warnings: engine.warnings,
        stage: facts.stage(),
        exceptions,
        draft_issued: facts
            .drafts
            .iter()
            .copied()
            .rfind(|d| facts.final_plan.is_none_or(|f| *d <= f)),
    }
}

/// An advice request and the receipt matched to it.
struct AdviceRequest<'a> {
    key: String,
    kind: AdviceKind,
    id: Option<&'a str>,
    requested: Date,
    received: Option<Date>,
    provider: Option<&'a str>,
}

impl<'a> AdviceRequest<'a> {
    fn to_ref(&self) -> AdviceRequestRef<'a> {
        AdviceRequestRef {
            kind: self.kind,
            id: self.id,
            requested: self.requested,
            provider: self.provider,
        }
    }
}

/// The facts of a history the rules depend on, gathered in canonical order. Where the law knows
/// one occurrence (the request, the decisions, the final plan) the first one recorded counts.
#[derive(Default)]
struct Facts<'a> {
    request: Option<Date>,
    assess: Option<(Date, AssessOutcome)>,
    issue: Option<(Date, IssueOutcome)>,
    drafts: Vec<Date>,
    final_plan: Option<Date>,
    withdrawn: Option<Date>,
    ceased: Option<Date>,
    advice: Vec<AdviceRequest<'a>>,
    stray_receipts: Vec<(Date, AdviceKind)>,
    meetings: Vec<Date>,
    decisions: Vec<(Date, ReviewOutcome)>,
    notices: Vec<Date>,
    amended: Vec<Date>,
    transfers: Vec<(Date, PhaseKind)>,
    claims: Vec<(usize, Date, &'a ExceptionClaim)>,
    /// Events of the assessment, to check none comes before the request.
    assessment_events: Vec<&'a Event>,
}

impl<'a> Facts<'a> {
    fn gather(events: &[(usize, &'a Event)]) -> Self {
        let mut facts = Self::default();
        let mut keys = KeyCounter::default();
        for &(index, event) in events {
            let date = event.date;
            if matches!(
                event.event_type(),
                EventType::DecisionToAssess
                    | EventType::AdviceRequested
                    | EventType::AdviceReceived
                    | EventType::DecisionToIssue
                    | EventType::DraftPlanIssued
                    | EventType::FinalPlanIssued
                    | EventType::RequestWithdrawn
            ) {
                facts.assessment_events.push(event);
            }
            match &event.detail {
                EventDetail::RequestReceived => {
                    facts.request.get_or_insert(date);
                }
                EventDetail::DecisionToAssess { outcome } => {
                    facts.assess.get_or_insert((date, *outcome));
                }
                EventDetail::DecisionToIssue { outcome } => {
                    facts.issue.get_or_insert((date, *outcome));
                }
                EventDetail::AdviceRequested {
                    advice,
                    id,
                    provider,
                } => {
                    let base = id.as_deref().unwrap_or(advice.as_str());
                    facts.advice.push(AdviceRequest {
                        key: keys.next(rule(RuleId::Advice), base),
                        kind: *advice,
                        id: id.as_deref(),
                        requested: date,
                        received: None,
                        provider: provider.as_deref(),
                    });
                }
                EventDetail::AdviceReceived { advice, id } => {
                    facts.receive(date, *advice, id.as_deref())
                }
                EventDetail::DraftPlanIssued => facts.drafts.push(date),
                EventDetail::FinalPlanIssued => {
                    facts.final_plan.get_or_insert(date);
                }
                EventDetail::Exception(claim) => facts.claims.push((index, date, claim)),
                EventDetail::RequestWithdrawn => {
                    facts.withdrawn.get_or_insert(date);
                }
                EventDetail::ReviewMeetingHeld => facts.meetings.push(date),
                EventDetail::ReviewDecision { outcome } => facts.decisions.push((date, *outcome)),
                EventDetail::AmendmentNoticeIssued => facts.notices.push(date),
                EventDetail::AmendedPlanIssued => facts.amended.push(date),
                EventDetail::PhaseTransfer { kind } => facts.transfers.push((date, *kind)),
                EventDetail::PlanCeased => {
                    facts.ceased.get_or_insert(date);
                }
            }
        }
        facts
    }

    /// Matches a receipt to the open request with the same `id`, or else to the earliest open
    /// request of the same kind (contracts/case-file.md §1).
    fn receive(&mut self, date: Date, kind: AdviceKind, id: Option<&str>) {
        let open = |r: &&mut AdviceRequest| r.received.is_none();
        let by_id = id.and_then(|id| {
            self.advice
                .iter_mut()
                .filter(open)
                .find(|r| r.id == Some(id))
        });
        let request = match by_id {
            Some(request) => Some(request),
            None => self.advice.iter_mut().filter(open).find(|r| r.kind == kind),
        };
        match request {
            Some(request) => request.received = Some(date),
            None => self.stray_receipts.push((date, kind)),
        }
    }

    /// When `ending` happened, if it did. A final plan issued before a clock started does not
    /// end that clock (advice asked for after the plan was made).
    fn ending(&self, ending: Ending, start: Date) -> Option<Date> {
        match ending {
            Ending::Withdrawn => self.withdrawn,
            Ending::DecidedNotToAssess => self
                .assess
                .filter(|a| a.1 == AssessOutcome::NotAssess)
                .map(|a| a.0),
            Ending::DecidedToIssue => self
                .issue
                .filter(|i| i.1 == IssueOutcome::Issue)
                .map(|i| i.0),
            Ending::DecidedNotToIssue => self
                .issue
                .filter(|i| i.1 == IssueOutcome::NotIssue)
                .map(|i| i.0),
            Ending::FinalPlanIssued => self.final_plan.filter(|f| *f >= start),
            Ending::PlanCeased => self.ceased,
            // Decided per review by the engine; there is no case-wide date for it.
            Ending::DecisionNotToAmend => None,
        }
    }

    /// The earliest of the rule's endings that happened and stops a duty due on `due` and done
    /// on `done`, if any.
    fn earliest_ending(
        &self,
        rule: &Rule,
        start: Date,
        due: Option<Date>,
        done: Option<Date>,
    ) -> Option<(Ending, Date)> {
        rule.ends_when
            .iter()
            .filter_map(|(ending, cutoff)| {
                let ended = self.ending(*ending, start)?;
                cutoff.applies(ended, due, done).then_some((*ending, ended))
            })
            .min_by_key(|(_, d)| *d)
    }

    fn stage(&self) -> Stage {
        let outcome_is = |o: Option<(Date, AssessOutcome)>, want| o.is_some_and(|o| o.1 == want);
        if self.ceased.is_some() {
            Stage::Ceased
        } else if self.final_plan.is_some() {
            Stage::PlanMaintained
        } else if self.withdrawn.is_some() {
            Stage::Withdrawn
        } else if outcome_is(self.assess, AssessOutcome::NotAssess) {
            Stage::NotAssessed
        } else if self.issue.is_some_and(|i| i.1 == IssueOutcome::NotIssue) {
            Stage::NotIssued
        } else if !self.drafts.is_empty() {
            Stage::DraftIssued
        } else if outcome_is(self.assess, AssessOutcome::Assess) {
            Stage::Assessing
        } else if self.request.is_some() {
            Stage::AwaitingDecision
        } else {
            Stage::NoRequest
        }
    }
}

/// Gives a rule's key for `base` (`advice:health`), then `advice:health:2`, `advice:health:3`
/// for repeats.
#[derive(Default)]
struct KeyCounter(HashMap<String, usize>);

impl KeyCounter {
    fn next(&mut self, rule: &Rule, base: &str) -> String {
        let key = rule.key_for(base);
        let seen = self.0.entry(key.clone()).or_default();
        *seen += 1;
        if *seen == 1 {
            key
        } else {
            format!("{key}:{seen}")
        }
    }
}

/// A milestone before its status and exception are worked out.
struct Spec<'a> {
    rule: &'static Rule,
    key: String,
    start: Date,
    due: Option<Date>,
    done: Option<Date>,
    /// The ending that stops the duty, when one does: the milestone is then not applicable.
    ending: Option<(Ending, Date)>,
    explanation: String,
    advice: Option<AdviceRequestRef<'a>>,
}

struct Engine<'f, 'a> {
    as_of: Date,
    facts: &'f Facts<'a>,
    advice_refs: Vec<AdviceRequestRef<'a>>,
    milestones: Vec<Milestone>,
    warnings: Vec<Warning>,
    /// Per claim (same order as `facts.claims`): milestones it disapplies, and the first reason
    /// it failed to qualify for a limit it could have applied to.
    claim_results: Vec<(Vec<String>, Option<String>)>,
    /// Whether to write explanations and warnings ([`compute_figures`] does not).
    words: bool,
}

impl<'f, 'a> Engine<'f, 'a> {
    fn new(as_of: Date, facts: &'f Facts<'a>, words: bool) -> Self {
        let advice_refs = facts.advice.iter().map(AdviceRequest::to_ref).collect();
        Self {
            as_of,
            facts,
            advice_refs,
            milestones: Vec::new(),
            warnings: Vec::new(),
            claim_results: vec![(Vec::new(), None); facts.claims.len()],
            words,
        }
    }

    fn warn(&mut self, code: WarningCode, message: String) {
        self.warnings.push(Warning { code, message });
    }

    /// A spec for `rule` with its due date from the table and its endings from the facts. The
    /// explanation is the table's for the clock start `started_by`, filled in with `fill`.
    fn spec(
        &self,
        id: RuleId,
        key: String,
        (started_by, start): (&str, Date),
        done: Option<Date>,
        fill: &[(&str, &str)],
    ) -> Spec<'a> {
        let rule = rule(id);
        let explanation = if self.words {
            rule.explain(started_by, start, fill)
        } else {
            String::new()
        };
        let due = Some(rule.length.due(start));
        Spec {
            rule,
            key,
            start,
            due,
            done,
            ending: self.facts.earliest_ending(rule, start, due, done),
            explanation,
            advice: None,
        }
    }

    fn push(&mut self, spec: Spec<'a>) {
        let status = self.status(&spec);
        let explanation = match (status, spec.ending) {
            _ if !self.words => String::new(),
            (Status::NotApplicable, Some((ending, date))) => {
                format!("Not needed any more: {}.", ending.describe(date))
            }
            _ => spec.explanation.clone(),
        };
        let exception = spec
            .due
            .and_then(|due| self.qualifying_exception(&spec, due));
        self.milestones.push(Milestone {
            key: spec.key,
            due: spec.due,
            done: spec.done,
            status,
            rule: spec.rule.citation,
            explanation,
            exception,
            start: spec.start,
            advice: spec.advice.map(|a| a.kind),
            provider: spec.advice.and_then(|a| a.provider).map(str::to_owned),
            request_id: spec.advice.and_then(|a| a.id).map(str::to_owned),
            rule_id: spec.rule.id,
        });
    }

    fn status(&self, spec: &Spec) -> Status {
        if spec.ending.is_some() {
            return Status::NotApplicable;
        }
        match (spec.done, spec.due) {
            (_, None) => Status::NotApplicable,
            (Some(done), Some(due)) if done <= due => Status::Met,
            (Some(_), Some(_)) => Status::Late,
            (None, Some(due)) if due < self.as_of => Status::Overdue,
            (None, Some(_)) => Status::Pending,
        }
    }

    /// The first claimed exception that qualifies for this milestone, recording for every claim
    /// whether it did and, if not, why.
    fn qualifying_exception(&mut self, spec: &Spec<'a>, due: Date) -> Option<AppliedException> {
        if spec.rule.exceptions.is_empty() {
            return None;
        }
        let limit = Limit {
            rule: spec.rule,
            start: spec.start,
            due,
            advice: spec.advice,
        };
        let context = Context {
            as_of: self.as_of,
            advice_requests: &self.advice_refs,
        };
        let mut applied = None;
        for (i, (_, from, claim)) in self.facts.claims.iter().enumerate() {
            if !spec.rule.allows(claim.kind) {
                continue;
            }
            let (disapplies, reason) = &mut self.claim_results[i];
            match exceptions::check(claim, *from, &limit, &context) {
                Ok(explanation) => {
                    disapplies.push(spec.key.clone());
                    applied.get_or_insert(AppliedException {
                        kind: claim.kind,
                        explanation: if self.words {
                            explanation
                        } else {
                            String::new()
                        },
                    });
                }
                Err(why) => {
                    reason.get_or_insert(why);
                }
            }
        }
        applied
    }

    fn assessment(&mut self) {
        let facts = self.facts;
        let Some(request) = facts.request else { return };
        for event in &facts.assessment_events {
            if event.date < request && self.words {
                let on = dates::long(request);
                let message = format!(
                    "{} is dated {}, before the request was received on {on}.",
                    event.event_type(),
                    dates::long(event.date)
                );
                self.warn(WarningCode::EventBeforeRequest, message);
            }
        }
        let decision = facts.assess.map(|a| a.0);
        let spec = self.spec(
            RuleId::DecisionToAssess,
            rule(RuleId::DecisionToAssess).key.into(),
            ("request", request),
            decision,
            &[],
        );
        self.push(spec);

        for request_made in &facts.advice {
            let mut spec = self.spec(
                RuleId::Advice,
                request_made.key.clone(),
                ("requested", request_made.requested),
                request_made.received,
                &[("advice", request_made.kind.label())],
            );
            spec.advice = Some(request_made.to_ref());
            self.push(spec);
        }
        let words = self.words;
        for (date, kind) in facts.stray_receipts.iter().filter(|_| words) {
            let message = format!(
                "{} was recorded as received on {} but no open request for it was found.",
                kind.label(),
                dates::long(*date)
            );
            self.warn(WarningCode::AdviceReceivedWithoutRequest, message);
        }

        let not_issue = facts
            .issue
            .filter(|i| i.1 == IssueOutcome::NotIssue)
            .map(|i| i.0);
        let spec = self.spec(
            RuleId::NoticeNotToIssue,
            rule(RuleId::NoticeNotToIssue).key.into(),
            ("request", request),
            not_issue,
            &[],
        );
        self.push(spec);
        let spec = self.spec(
            RuleId::FinalPlan,
            rule(RuleId::FinalPlan).key.into(),
            ("request", request),
            facts.final_plan,
            &[],
        );
        self.push(spec);
    }

    /// Annual reviews (CFA s.44(1)): the first within 12 months starting with the plan's issue,
    /// each later one within 12 months starting with the previous review's decision (IPSEA's
    /// reading: the review concludes when the decision is notified).
    fn reviews(&mut self) {
        let facts = self.facts;
        let Some(plan) = facts.final_plan else { return };
        let (mut meetings, mut decisions, mut notices, mut amended) = (0, 0, 0, 0);
        let mut start = plan;
        for n in 1.. {
            let next_meeting = facts.meetings[meetings..].iter().position(|m| *m >= start);
            let meeting = next_meeting.map(|i| facts.meetings[meetings + i]);
            let started_by = if n == 1 { "plan" } else { "decision" };
            let spec = self.spec(
                RuleId::Review,
                rule(RuleId::Review).key_for(&n.to_string()),
                (started_by, start),
                meeting,
                &[],
            );
            self.push(spec);
            let (Some(i), Some(meeting)) = (next_meeting, meeting) else {
                return;
            };
            meetings += i + 1;

            let next_decision = facts.decisions[decisions..]
                .iter()
                .position(|d| d.0 >= meeting);
            let decision = next_decision.map(|i| facts.decisions[decisions + i]);
            let spec = self.spec(
                RuleId::ReviewDecision,
                rule(RuleId::ReviewDecision).key_for(&n.to_string()),
                ("meeting", meeting),
                decision.map(|d| d.0),
                &[],
            );
            self.push(spec);
            let (Some(i), Some((decided, outcome))) = (next_decision, decision) else {
                return;
            };
            decisions += i + 1;

            self.amended_plan(n, decided, outcome, meeting, (&mut notices, &mut amended));
            start = decided;
        }
    }

    /// The amended plan after review `n` (reg 22(3)), due 8 weeks after the proposed amendments
    /// were sent. Under R (L, M, P) v Devon [2022] the amendments go with the decision, so when
    /// none are recorded the clock runs from the decision itself.
    fn amended_plan(
        &mut self,
        n: usize,
        decided: Date,
        outcome: ReviewOutcome,
        meeting: Date,
        (notices, amended): (&mut usize, &mut usize),
    ) {
        let facts = self.facts;
        let rule = rule(RuleId::AmendedPlan);
        let key = rule.key_for(&n.to_string());
        if outcome != ReviewOutcome::Amend {
            let ending = Some((Ending::DecisionNotToAmend, decided));
            let spec = Spec {
                rule,
                key,
                start: decided,
                due: None,
                done: None,
                ending,
                explanation: String::new(),
                advice: None,
            };
            self.push(spec);
            return;
        }
        let next_notice = facts.notices[*notices..].iter().position(|d| *d >= meeting);
        let notice = next_notice.map(|i| facts.notices[*notices + i]);
        if let Some(i) = next_notice {
            *notices += i + 1;
        }
        let (started_by, start) = match notice {
            Some(sent) => {
                if sent > decided && self.words {
                    let message = format!(
                        "The decision to amend on {} was not accompanied by the proposed amendments, which were sent on {} (R (L, M, P) v Devon CC [2022] EWHC 493).",
                        dates::long(decided),
                        dates::long(sent)
                    );
                    self.warn(WarningCode::AmendmentsAfterDecision, message);
                }
                ("notice", sent)
            }
            None => ("decision", decided),
        };
        let next_plan = facts.amended[*amended..].iter().position(|d| *d >= start);
        let done = next_plan.map(|i| facts.amended[*amended + i]);
        if let Some(i) = next_plan {
            *amended += i + 1;
        }
        let spec = self.spec(RuleId::AmendedPlan, key, (started_by, start), done, &[]);
        self.push(spec);
    }

    /// Phase transfers (reg 18(1)): the plan must be reviewed and amended, naming the next
    /// setting, before 15 February (before 31 March for secondary to post-16) of the calendar
    /// year of the move. Read strictly, "before" makes the last day 14 February / 30 March.
    fn phase_transfers(&mut self) {
        let facts = self.facts;
        let mut keys = KeyCounter::default();
        for &(moving, kind) in &facts.transfers {
            let id = match kind {
                PhaseKind::School => RuleId::PhaseTransferSchool,
                PhaseKind::Post16 => RuleId::PhaseTransferPost16,
            };
            let year = dates::year_of(moving);
            let window_start = dates::months_before(moving, 12);
            let done = facts
                .amended
                .iter()
                .copied()
                .find(|d| (window_start..moving).contains(d));
            let year = year.to_string();
            // Due by the date in the year of the move; the window opens a year before it.
            let mut spec = self.spec(
                id,
                keys.next(rule(id), &year),
                ("move", moving),
                done,
                &[("year", &year)],
            );
            spec.start = window_start;
            self.push(spec);
        }
    }

    /// Warnings about how the final plan was made (reg 13(1); CoP 9.40).
    fn plan_warnings(&mut self) {
        let facts = self.facts;
        let Some(final_plan) = facts.final_plan else {
            return;
        };
        let issued = dates::long(final_plan);
        match facts.drafts.iter().rev().find(|d| **d <= final_plan) {
            None => self.warn(
                WarningCode::FinalWithoutDraft,
                format!("The final plan was issued on {issued} with no draft plan before it (reg 13(1))."),
            ),
            Some(draft) => {
                let earliest = *draft + chrono::Days::new(COMMENT_PERIOD_DAYS);
                if final_plan < earliest {
                    let message = format!(
                        "The final plan was issued on {issued}, before the 15-day comment period on the draft of {} had ended; the earliest lawful date was {} (reg 13(1)).",
                        dates::long(*draft),
                        dates::long(earliest)
                    );
                    self.warn(WarningCode::FinalBeforeCommentPeriodEnd, message);
                }
            }
        }
        for request in &facts.advice {
            if request.requested <= final_plan && request.received.is_none_or(|r| r > final_plan) {
                let message = format!(
                    "The final plan was issued on {issued} without the {} requested on {}.",
                    request.kind.label().to_lowercase(),
                    dates::long(request.requested)
                );
                self.warn(WarningCode::FinalWithoutAdvice, message);
            }
        }
    }

    /// One report per claimed exception, and a warning for each that qualifies for nothing.
    fn exception_reports(&mut self) -> Vec<ExceptionReport> {
        let mut reports = Vec::new();
        for (i, (index, from, claim)) in self.facts.claims.iter().enumerate() {
            let (disapplies, reason) = self.claim_results[i].clone();
            let reason = if disapplies.is_empty() {
                Some(reason.unwrap_or_else(|| {
                    "there is no time limit in this case it could apply to".to_owned()
                }))
            } else {
                None
            };
            if let Some(why) = &reason {
                let message = format!(
                    "The {} exception from {} does not qualify and is ignored: {why}.",
                    claim.kind.as_str().replace('_', " "),
                    dates::long(*from)
                );
                self.warn(WarningCode::ExceptionNotQualifying, message);
            }
            reports.push(ExceptionReport {
                event_index: *index,
                kind: claim.kind,
                from: *from,
                disapplies,
                reason,
            });
        }
        reports
    }
}
