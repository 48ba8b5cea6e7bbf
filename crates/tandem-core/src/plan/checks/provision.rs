//! Whether provision is specific (P1, P2), in the right section (P3) and traceable to the
//! advice (P4). Provision in F, G, H1 and H2 is read the same way.

use super::{Checked, Context, Finding, Rule, or_list};
use crate::plan::config::{PlanCheckConfig, ProvisionField};
use crate::plan::text::{self, Quantity, all_phrases, opening, tokens};
use crate::plan::{Provision, Section};

/// Whether `text` gives the detail `field` asks for.
fn gives(field: ProvisionField, text: &str, config: &PlanCheckConfig) -> bool {
    let words = tokens(text);
    match field {
        ProvisionField::Who => text::names_role(&words, &config.p1.roles),
        ProvisionField::Frequency => text::has_frequency(&words),
        ProvisionField::Duration => text::has_duration(&words),
        ProvisionField::Group => text::has_group(text, &words),
        ProvisionField::Until => text::is_time_bound(&words),
    }
}

/// Whether the provision gives `field`, in its field or its text.
fn states(provision: &Provision, field: ProvisionField, config: &PlanCheckConfig) -> bool {
    provision
        .field(field)
        .is_some_and(|value| gives(field, value, config))
        || gives(field, &provision.text, config)
}

/// Every provision with its section, in the plan's order.
fn all_provision<'a>(cx: &Context<'a>) -> impl Iterator<Item = (Section, &'a Provision)> {
    cx.plan
        .sections
        .provision_sections()
        .flat_map(|(section, items)| items.iter().map(move |p| (section, p)))
}

/// P1: each provision says what it is, and gives each required detail, in its own field or in
/// its text; a detail given in its field must actually say it ("frequency": "as needed" does
/// not say how often), required or not.
pub(super) fn details(cx: &Context<'_>) -> Checked {
    let config = cx.config;
    let mut out = Vec::new();
    for (section, provision) in all_provision(cx) {
        let mut missing: Vec<&str> = Vec::new();
        let mut unclear: Vec<String> = Vec::new();
        if provision.text.trim().is_empty() {
            missing.push("what the provision is");
        }
        for field in ProvisionField::ALL.iter().copied() {
            match provision.field(field) {
                Some(value) if !gives(field, value, config) => {
                    unclear.push(format!(
                        "its {field} \"{value}\" does not say {}",
                        field.question()
                    ));
                }
                Some(_) => {}
                None if config.p1.required.contains(&field)
                    && !gives(field, &provision.text, config) =>
                {
                    missing.push(field.question());
                }
                None => {}
            }
        }
        if missing.is_empty() && unclear.is_empty() {
            continue;
        }
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("it does not say {}", or_list(&missing)));
        }
        problems.extend(unclear);
        out.push(
            Finding::warning(
                Rule::P1,
                section,
                format!(
                    "Provision {}: {}. Give each detail, in the item's fields or its text, so that everyone knows exactly what must happen (SEND Code of Practice 9.69: provision must be detailed, specific and normally quantified).",
                    provision.id,
                    problems.join("; ")
                ),
            )
            .at(Some(&provision.id))
            .evidence(opening(&provision.text, 16)),
        );
    }
    Some(out)
}

/// P2: vague words in a provision that is not quantified, i.e. that does not say both how often
/// and how long (in its fields or text). The words are looked for in the text and every field.
pub(super) fn vague_terms(cx: &Context<'_>) -> Checked {
    let config = cx.config;
    let mut out = Vec::new();
    for (section, provision) in all_provision(cx) {
        let quantified = states(provision, ProvisionField::Frequency, config)
            && states(provision, ProvisionField::Duration, config);
        if quantified {
            continue;
        }
        let fields = ProvisionField::ALL
            .iter()
            .filter_map(|f| provision.field(*f));
        let mut found: Vec<String> = Vec::new();
        for text in std::iter::once(provision.text.as_str()).chain(fields) {
            for term in all_phrases(text, &tokens(text), &config.p2.terms) {
                let quoted = format!("\"{term}\"");
                if !found.contains(&quoted) {
                    found.push(quoted);
                }
            }
        }
        if found.is_empty() {
            continue;
        }
        out.push(
            Finding::error(
                Rule::P2,
                section,
                format!(
                    "Provision {} uses vague wording ({}) and does not say how often and for how long. Words like these leave room for doubt about what must be provided (L v Clarke and Somerset CC 1998); say exactly what will be done, how often and for how long.",
                    provision.id,
                    found.join(", ")
                ),
            )
            .at(Some(&provision.id))
            .evidence(found.join(", ")),
        );
    }
    Some(out)
}

/// P3: a therapy that educates or trains (speech and language therapy, by default also
/// occupational therapy and physiotherapy) is special educational provision (Children and
/// Families Act 2014, s.21(5)), so it must be in F; it is flagged where it appears in G and
/// nowhere in F.
pub(super) fn educational_therapy(cx: &Context<'_>) -> Checked {
    let s = &cx.plan.sections;
    let names = |p: &Provision, terms: &[String]| {
        [Some(p.text.as_str()), p.who.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|text| text::first_phrase(text, &tokens(text), terms).map(str::to_owned))
    };
    let mut out = Vec::new();
    for therapy in &cx.config.p3.therapy {
        let in_f = s
            .provision(Section::F)
            .iter()
            .any(|p| names(p, &therapy.terms).is_some());
        if in_f {
            continue;
        }
        for provision in s.provision(Section::G) {
            if let Some(named) = names(provision, &therapy.terms) {
                out.push(
                    Finding::warning(
                        Rule::P3,
                        Section::G,
                        format!(
                            "Provision {} is {}, which educates or trains the child and so is special educational provision (Children and Families Act 2014, s.21(5)), but it appears only in section G. Put it in section F, where the council must secure it.",
                            provision.id, therapy.name
                        ),
                    )
                    .at(Some(&provision.id))
                    .evidence(named),
                );
            }
        }
    }
    Some(out)
}

/// The amounts a provision states in its text, frequency and duration, each once.
fn provision_quantities(provision: &Provision) -> Vec<Quantity> {
    let texts = [
        Some(provision.text.as_str()),
        provision.frequency.as_deref(),
        provision.duration.as_deref(),
    ];
    let mut out = Vec::new();
    for text in texts.into_iter().flatten() {
        push_new(&mut out, text::quantities(&tokens(text)));
    }
    out
}

fn push_new(into: &mut Vec<Quantity>, quantities: Vec<Quantity>) {
    for q in quantities {
        if !into.contains(&q) {
            into.push(q);
        }
    }
}

/// P4: amounts (minutes or hours, numbers of sessions or times) stated in F must appear in the advice
/// quoted in K, and amounts the advice recommends must appear in some provision (F, G, H1, H2).
/// Only when the plan quotes the advice (`text` on K items); otherwise not checked.
pub(super) fn traceable_to_advice(cx: &Context<'_>) -> Checked {
    let s = &cx.plan.sections;
    let quoted: Vec<_> = s
        .advice()
        .iter()
        .filter_map(|a| a.text.as_deref().map(|t| (a, tokens(t))))
        .filter(|(_, words)| !words.is_empty())
        .collect();
    if quoted.is_empty() {
        return None;
    }
    let mut advised = Vec::new();
    for (_, words) in &quoted {
        push_new(&mut advised, text::quantities(words));
    }
    let mut provided = Vec::new();
    let mut out = Vec::new();
    for (section, provision) in all_provision(cx) {
        let amounts = provision_quantities(provision);
        if section == Section::F {
            for amount in amounts.iter().filter(|q| !advised.contains(q)) {
                out.push(
                    Finding::warning(
                        Rule::P4,
                        Section::F,
                        format!(
                            "Provision {} states {amount}, which none of the advice quoted in section K recommends. Check the amount against the advice; if the plan departs from it, say why.",
                            provision.id
                        ),
                    )
                    .at(Some(&provision.id))
                    .evidence(amount.to_string()),
                );
            }
        }
        push_new(&mut provided, amounts);
    }
    for (advice, words) in &quoted {
        let mut dropped = Vec::new();
        push_new(&mut dropped, text::quantities(words));
        for amount in dropped.iter().filter(|q| !provided.contains(q)) {
            out.push(
                Finding::warning(
                    Rule::P4,
                    Section::K,
                    format!(
                        "The {} advice{} recommends {amount}, but no provision in sections F, G or H states it. Add it, or say in the plan why it is not needed.",
                        advice.advice.replace('_', " "),
                        from_whom(&advice.from)
                    ),
                )
                .at(advice.id.as_deref())
                .evidence(amount.to_string()),
            );
        }
    }
    Some(out)
}

/// " from the Educational Psychology Service", or nothing when the advice does not say.
fn from_whom(from: &str) -> String {
    let from = from.trim();
    if from.is_empty() {
        String::new()
    } else {
        format!(" from {from}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_count_once_per_provision() {
        let p: Provision = serde_json::from_value(serde_json::json!({
            "id": "p1",
            "text": "30 minutes of reading, 30 minutes of writing",
            "duration": "30 minutes",
            "frequency": "3 times a week"
        }))
        .unwrap();
        assert_eq!(
            provision_quantities(&p),
            [Quantity::Minutes(30.0), Quantity::Occasions(3.0)]
        );
    }
}
