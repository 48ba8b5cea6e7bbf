//! How the plan is written: outcomes (O1), plain language (L1) and the house rules (L2).

use std::collections::HashSet;

use super::{Checked, Context, Finding, Rule, texts};
use crate::plan::Section;
use crate::plan::text::{
    acronyms, all_phrases, first_phrase, is_time_bound, opening, sentences, titled_names, tokens,
};

/// O1: each outcome says by when (its `by`, or a date or end of a phase in its text) and is
/// about what the child will achieve, not a service the child will get. Whether an outcome is
/// measurable is left to a person: no word list can judge it honestly.
pub(super) fn outcomes(cx: &Context<'_>) -> Checked {
    let mut out = Vec::new();
    for outcome in cx.plan.sections.outcomes() {
        let at = Some(outcome.id.as_str());
        let text = outcome.text.trim();
        if text.is_empty() {
            out.push(
                Finding::warning(
                    Rule::O1,
                    Section::E,
                    format!(
                        "Outcome {} is blank. Say what the child will be able to do, and by when.",
                        outcome.id
                    ),
                )
                .at(at),
            );
            continue;
        }
        let words = tokens(text);
        let by = outcome.by.as_deref().unwrap_or("");
        if !is_time_bound(&words) && !is_time_bound(&tokens(by)) {
            let mut finding = Finding::warning(
                Rule::O1,
                Section::E,
                format!(
                    "Outcome {} does not say by when it should be achieved. Give a date or the end of a phase (\"by July 2027\", \"by the end of Key Stage 2\"), in its text or its `by`.",
                    outcome.id
                ),
            )
            .at(at);
            if !by.trim().is_empty() {
                finding = finding.evidence(format!("by: {by}"));
            }
            out.push(finding);
        }
        if let Some(phrase) = first_phrase(text, &words, &cx.config.o1.phrases) {
            out.push(
                Finding::warning(
                    Rule::O1,
                    Section::E,
                    format!(
                        "Outcome {} describes a service (\"{phrase}\") rather than what the child will achieve. Say what the child will be able to do; the service belongs in the provision.",
                        outcome.id
                    ),
                )
                .at(at)
                .evidence(phrase),
            );
        }
    }
    Some(out)
}

/// L1: each acronym is explained where it is first used (reading the plan in order), unless
/// it is one everyone knows; no sentence is longer than the configured number of words.
pub(super) fn readability(cx: &Context<'_>) -> Checked {
    let l1 = &cx.config.l1;
    let mixed_case: Vec<&str> = l1.expansions.keys().map(String::as_str).collect();
    let mut seen: HashSet<&str> = l1.well_known.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for place in texts(cx.plan) {
        let words = tokens(place.text);
        for (acronym, explained) in acronyms(place.text, &words, &mixed_case) {
            if !seen.insert(acronym) || explained {
                continue;
            }
            let suggestion = l1.expansions.get(acronym).map_or_else(
                || format!("Write it out in full the first time, with \"({acronym})\" after it"),
                |words| format!("Write \"{words} ({acronym})\" the first time"),
            );
            out.push(
                Finding::warning(
                    Rule::L1,
                    place.section,
                    format!(
                        "\"{acronym}\" is not explained where it is first used. {suggestion}, or use the words instead: families should not need to know the jargon."
                    ),
                )
                .at(place.item)
                .evidence(acronym),
            );
        }
        for sentence in sentences(place.text) {
            let length = tokens(sentence).len();
            if length > l1.max_sentence_words {
                out.push(
                    Finding::warning(
                        Rule::L1,
                        place.section,
                        format!(
                            "A sentence of {length} words is hard to follow (more than {}). Split it into shorter sentences.",
                            l1.max_sentence_words
                        ),
                    )
                    .at(place.item)
                    .evidence(opening(sentence, 10)),
                );
            }
        }
    }
    Some(out)
}

/// L2: the house rules, everywhere but K (which lists who gave each advice by design): no
/// banned terms such as medicine names, and no practitioners' names (a title before a
/// capitalised word, "Dr Okafor").
pub(super) fn house_rules(cx: &Context<'_>) -> Checked {
    let l2 = &cx.config.l2;
    let mut out = Vec::new();
    for place in texts(cx.plan) {
        if place.section == Section::K {
            continue;
        }
        let words = tokens(place.text);
        for term in all_phrases(place.text, &words, &l2.banned_terms) {
            out.push(
                Finding::warning(
                    Rule::L2,
                    place.section,
                    format!(
                        "The plan uses \"{term}\", which the house rules keep out of plans (medicines, for example, change more often than the plan and belong in the health advice). Describe the need or the care instead."
                    ),
                )
                .at(place.item)
                .evidence(term),
            );
        }
        for name in titled_names(place.text, &words, &l2.practitioner_titles) {
            out.push(
                Finding::warning(
                    Rule::L2,
                    place.section,
                    format!(
                        "The plan names a person (\"{name}\"). The house rules say practitioners are named by role, not by name, so the plan stays right when staff change: write the role instead."
                    ),
                )
                .at(place.item)
                .evidence(name),
            );
        }
    }
    Some(out)
}
