//! Whether a claimed statutory exception qualifies for a time limit (statutory-timescales §4;
//! contracts/case-file.md §3).
//!
//! An exception never moves a deadline: it disapplies the time limit, and the duty falls back to
//! "as soon as practicable". It qualifies only if its conditions hold during the limit's period,
//! from the clock's start to its due date; the engine checks them, never trusts them.

use crate::case_file::CaseFile;
use crate::dates::{self, Date};
use crate::event::{Event, EventDetail, ExceptionClaim};
use crate::names::{AdviceKind, ExceptionKind};
use crate::rules::Rule;

/// "Not less than 4 weeks" (regs 5(4)(d), 8(2)(b), 10(4)(a),(d)), counted in days.
const FOUR_WEEKS: i64 = 28;

/// A time limit an exception is tested against.
pub(crate) struct Limit<'a> {
    /// The rule that sets the limit.
    pub(crate) rule: &'static Rule,
    /// The day the clock started.
    pub(crate) start: Date,
    /// The last day in time.
    pub(crate) due: Date,
    /// For an advice limit: which request it is.
    pub(crate) advice: Option<AdviceRequestRef<'a>>,
}

/// An advice request, as far as exceptions care.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AdviceRequestRef<'a> {
    /// The kind of advice asked for.
    pub(crate) kind: AdviceKind,
    /// The request's `id`, if it has one.
    pub(crate) id: Option<&'a str>,
    /// The day it was asked for.
    pub(crate) requested: Date,
    /// Who was asked, if recorded.
    pub(crate) provider: Option<&'a str>,
}

/// The facts outside the claim that qualification depends on.
pub(crate) struct Context<'a> {
    /// The date the case is judged on: an absence still going on counts up to it.
    pub(crate) as_of: Date,
    /// Every advice request of the case (school closures depend on education requests).
    pub(crate) advice_requests: &'a [AdviceRequestRef<'a>],
}

/// Tests a claim (dated `from`) against a limit: `Ok` with a parent-readable explanation of the
/// exception, or `Err` with the reason it does not qualify.
pub(crate) fn check(
    claim: &ExceptionClaim,
    from: Date,
    limit: &Limit,
    context: &Context,
) -> Result<String, String> {
    let rule = limit.rule;
    let Some(paragraph) = rule.exception_paragraph(claim.kind) else {
        return Err(format!(
            "it cannot disapply the time limit to {}",
            rule.duty
        ));
    };
    let within = format!(
        "the period from {} to {}",
        dates::long(limit.start),
        dates::long(limit.due)
    );
    let consequence = format!(
        "so the {} time limit does not apply ({}); it must still be done as soon as practicable",
        rule.short_title(),
        paragraph
    );
    match claim.kind {
        ExceptionKind::AbsentFromArea => {
            // An absence still going on counts up to the as-of date.
            let to = claim.to.unwrap_or(context.as_of);
            let days = dates::inclusive_days(from, to);
            if days < FOUR_WEEKS {
                return Err(format!(
                    "the absence from {} to {} lasted {days} days, and the law needs a continuous period of at least 4 weeks",
                    dates::long(from),
                    dates::long(to)
                ));
            }
            if !overlaps(from, Some(to), limit.start, limit.due) {
                return Err(format!("the absence was not during {within}"));
            }
            Ok(format!(
                "The child or family was away from the area from {} to {}, at least 4 weeks in a row during this time, {consequence}.",
                dates::long(from),
                dates::long(to)
            ))
        }
        ExceptionKind::ExceptionalPersonalCircumstances => {
            if !overlaps(from, claim.to, limit.start, limit.due) {
                return Err(format!("the circumstances were not during {within}"));
            }
            Ok(format!(
                "Exceptional personal circumstances affected the child or family from {}, {consequence}.",
                dates::long(from)
            ))
        }
        ExceptionKind::SchoolClosure => {
            school_closure(claim, limit, context, &within, &consequence)
        }
        ExceptionKind::MissedAppointment => {
            let Some(request) = limit.advice else {
                return Err("a missed appointment only affects the advice it was for".to_owned());
            };
            let named = match (&claim.id, claim.advice) {
                (Some(id), _) => request.id == Some(id.as_str()),
                (None, Some(kind)) => request.kind == kind,
                (None, None) => {
                    return Err(
                        "it does not say which advice request the appointment was for".to_owned(),
                    );
                }
            };
            if !named {
                return Err("it names a different advice request".to_owned());
            }
            if !(limit.start..=limit.due).contains(&from) {
                return Err(format!(
                    "the missed appointment on {} was not during {within}",
                    dates::long(from)
                ));
            }
            Ok(format!(
                "An appointment for an examination or test on {} was missed, {consequence}.",
                dates::long(from)
            ))
        }
    }
}

/// Reg 10(4)(a)/(b): advice was asked of the setting's head, principal or early years lead from one
/// week before a closure of at least 4 weeks until one week before it reopened.
fn school_closure(
    claim: &ExceptionClaim,
    limit: &Limit,
    context: &Context,
    within: &str,
    consequence: &str,
) -> Result<String, String> {
    let (Some(closed), Some(reopens)) = (claim.setting_closed_from, claim.setting_reopens) else {
        return Err("it needs the dates the setting closed and reopens".to_owned());
    };
    let closed_days = (reopens - closed).num_days();
    if closed_days < FOUR_WEEKS {
        return Err(format!(
            "the setting was closed for {closed_days} days, and the law needs a closure of at least 4 weeks"
        ));
    }
    let window = (closed - chrono::Days::new(7))..=(reopens - chrono::Days::new(7));
    let request = context.advice_requests.iter().find(|r| {
        r.kind == AdviceKind::Education
            && claim.id.as_deref().is_none_or(|id| r.id == Some(id))
            && window.contains(&r.requested)
            && (limit.start..=limit.due).contains(&r.requested)
    });
    match request {
        Some(request) => Ok(format!(
            "Education advice was requested on {} while the setting was closed from {} to {}, {consequence}.",
            dates::long(request.requested),
            dates::long(closed),
            dates::long(reopens)
        )),
        None => Err(format!(
            "no education advice was requested between {} and {} (one week before the closure until one week before reopening) during {within}",
            dates::long(*window.start()),
            dates::long(*window.end())
        )),
    }
}

/// Whether `[from, to]` (open-ended when `to` is `None`) meets `[start, end]`.
fn overlaps(from: Date, to: Option<Date>, start: Date, end: Date) -> bool {
    from <= end && to.is_none_or(|to| to >= start)
}

/// What the engine makes of an exception someone is about to claim on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The time limits it disapplies, in the timeline's order; empty when it does not qualify.
    pub disapplies: Vec<Disapplied>,
    /// Why it does not qualify, when it disapplies nothing.
    pub reason: Option<String>,
}

/// One time limit a claim disapplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disapplied {
    /// The milestone's key (`final_plan`, `advice:health`…).
    pub key: String,
    /// The regulation that sets the time limit.
    pub rule: &'static str,
    /// Why it qualifies, naming the paragraph of the exception list, as a parent would read it.
    pub explanation: String,
}

impl Verdict {
    /// Whether the claim disapplies at least one time limit.
    pub fn qualifies(&self) -> bool {
        !self.disapplies.is_empty()
    }
}

/// Tests a claim dated `from` against `case` as known on `as_of`, on its own (other claims on the
/// case are set aside, so the explanation is this claim's): the same judgement the timeline will
/// make once it is recorded.
#[expect(
    clippy::expect_used,
    reason = "the trial history holds exactly the one claim, dated on or before as_of"
)]
pub fn assess_claim(case: &CaseFile, from: Date, claim: &ExceptionClaim, as_of: Date) -> Verdict {
    if from > as_of {
        return Verdict {
            disapplies: Vec::new(),
            reason: Some(format!(
                "it starts on {}, after {}, so it cannot have affected the case yet",
                dates::long(from),
                dates::long(as_of)
            )),
        };
    }
    let mut trial = case.clone();
    trial
        .events
        .retain(|e| e.event_type() != crate::names::EventType::Exception);
    trial.events.push(Event::new(
        from,
        EventDetail::Exception(Box::new(claim.clone())),
    ));
    let timeline = crate::timeline::compute(&trial, as_of);
    let report = timeline
        .exceptions
        .into_iter()
        .next()
        .expect("the claim was known on as_of, so the timeline reports it");
    let disapplies = timeline
        .milestones
        .iter()
        .filter(|m| report.disapplies.contains(&m.key))
        .filter_map(|m| {
            let applied = m.exception.as_ref()?;
            Some(Disapplied {
                key: m.key.clone(),
                rule: m.rule,
                explanation: applied.explanation.clone(),
            })
        })
        .collect();
    Verdict {
        disapplies,
        reason: report.reason,
    }
}
