//! The checks that compare the plan with the case record (S5, L3) and its dates (T1). They need
//! facts the plan text cannot give, taken from the plan's `case` and `issued_on`; without them
//! they are not checked.

use super::{Checked, Context, Finding, Rule};
use crate::dates::long;
use crate::names::AdviceKind;
use crate::plan::Section;
use crate::plan::text::opening;
use crate::rules::{self, RuleId};

/// S5: section J agrees with the personal-budget request on record (Children and Families Act
/// 2014, s.49): a request needs J to set the budget out (or say why it is refused); with no
/// request, J should not set out a budget (an amount in pounds).
pub(super) fn personal_budget(cx: &Context<'_>) -> Checked {
    let requested = cx.plan.case.as_ref()?.personal_budget_requested?;
    let s = &cx.plan.sections;
    let j = s.prose(Section::J);
    let finding = if !s.has(Section::J) {
        // S1 reports the missing section.
        None
    } else if requested && j.is_empty() {
        Some(Finding::error(
            Rule::S5,
            Section::J,
            "A personal budget was requested, but section J is blank. Set out the personal budget (what it pays for, how much, and how it is paid), or why the request was refused (SEND Regulations 2014, reg 12(1)(j)).".to_owned(),
        ))
    } else if !requested && j.contains('£') {
        Some(
            Finding::warning(
                Rule::S5,
                Section::J,
                "Section J sets out a personal budget, but the case record has no request for one. Record the request on the case, or correct section J.".to_owned(),
            )
            .evidence(opening(j, 12)),
        )
    } else {
        None
    };
    Some(finding.into_iter().collect())
}

/// Text compared as a person would: case and spacing aside.
fn normal(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// L3: the plan's facts agree with the case record: the child's name and date of birth (front
/// matter, reported against section A), the primary need (B) and, in a final plan, the setting
/// (section I must name the setting on record). Each fact is compared only when both sides give
/// it; not checked when none can be.
pub(super) fn facts_match(cx: &Context<'_>) -> Checked {
    let record = cx.plan.case.as_ref()?;
    let child = &cx.plan.child;
    let mut compared = false;
    let mut out = Vec::new();
    let mut differs = |section: Section, what: &str, plan: String, on_record: String| {
        compared = true;
        if normal(&plan) != normal(&on_record) {
            out.push(
                Finding::error(
                    Rule::L3,
                    section,
                    format!(
                        "The plan gives the {what} as \"{plan}\" but the case record has \"{on_record}\". Correct whichever is wrong before the plan is sent."
                    ),
                )
                .evidence(plan),
            );
        }
    };
    if let (Some(plan), Some(on_record)) = (&child.name, &record.name) {
        differs(Section::A, "child's name", plan.clone(), on_record.clone());
    }
    if let (Some(plan), Some(on_record)) = (child.date_of_birth, record.date_of_birth) {
        differs(Section::A, "date of birth", long(plan), long(on_record));
    }
    if let (Some(plan), Some(on_record)) = (&child.primary_need, &record.primary_need) {
        differs(Section::B, "primary need", plan.clone(), on_record.clone());
    }
    let placement = cx.plan.sections.prose(Section::I);
    if let Some(setting) = &record.setting
        && cx.plan.status.is_final()
        && !placement.is_empty()
    {
        compared = true;
        if !normal(placement).contains(&normal(setting)) {
            out.push(
                Finding::error(
                    Rule::L3,
                    Section::I,
                    format!(
                        "Section I does not name \"{setting}\", the setting on the case record. Correct section I or the record."
                    ),
                )
                .evidence(opening(placement, 12)),
            );
        }
    }
    compared.then_some(out)
}

/// T1: the process was lawful. Advice in K must be dated no later than the plan's issue date
/// (a plan cannot rest on advice it did not have), and a final plan must be issued within 20
/// weeks of the request (SEND Regulations 2014, reg 13(2)) unless an exception is recorded.
/// Not checked without `issued_on`; the 20 weeks only with `case.request_received`.
pub(super) fn process(cx: &Context<'_>) -> Checked {
    let issued = cx.plan.issued_on?;
    let mut out = Vec::new();
    for advice in cx.plan.sections.advice() {
        let Some(date) = advice.date.filter(|d| *d > issued) else {
            continue;
        };
        let kind = AdviceKind::parse(advice.advice.trim())
            .map_or_else(|| advice.advice.clone(), |k| k.label().to_owned());
        out.push(
            Finding::error(
                Rule::T1,
                Section::K,
                format!(
                    "{kind} is dated {}, after the plan was issued on {}. A plan can only rest on advice received before it is issued: correct the date, or take the advice into account and issue the plan again.",
                    long(date),
                    long(issued)
                ),
            )
            .at(advice.id.as_deref())
            .evidence(date.to_string()),
        );
    }
    let case = cx.plan.case.as_ref();
    if cx.plan.status == crate::plan::PlanStatus::Final
        && let Some(request) = case.and_then(|c| c.request_received)
    {
        let rule = rules::rule(RuleId::FinalPlan);
        let due = rule.length.due(request);
        let excepted = case.and_then(|c| c.exception_recorded) == Some(true);
        if issued > due && !excepted {
            let late = (issued - due).num_days();
            out.push(
                Finding::error(
                    Rule::T1,
                    Section::K,
                    format!(
                        "The final plan was issued on {}, {late} day(s) after the {} limit ({}, counting from the request received on {}), and no exception is recorded ({}). Record the exception that applies, or the reason for the delay.",
                        long(issued),
                        rule.length.adjective(),
                        long(due),
                        long(request),
                        rule.citation
                    ),
                )
                .evidence(issued.to_string()),
            );
        }
    }
    Some(out)
}
