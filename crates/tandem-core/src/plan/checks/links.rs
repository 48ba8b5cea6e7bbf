//! The links between needs, outcomes and provision (G1–G4), followed by id.

use std::collections::{HashMap, HashSet};

use super::{Checked, Context, Finding, Rule};
use crate::plan::text::opening;
use crate::plan::{Plan, Provision, Section};

/// Every need id with the section it is in.
fn need_index(plan: &Plan) -> HashMap<&str, Section> {
    plan.sections
        .need_sections()
        .flat_map(|(section, needs)| needs.iter().map(move |n| (n.id.as_str(), section)))
        .collect()
}

/// Needs of `need_section` that no provision in `provided_by` is linked to, under `rule`.
fn unmet_needs(
    plan: &Plan,
    rule: Rule,
    need_section: Section,
    provided_by: &[Section],
) -> Vec<Finding> {
    let s = &plan.sections;
    let linked: HashSet<&str> = provided_by
        .iter()
        .flat_map(|section| s.provision(*section))
        .flat_map(|p| p.needs.iter().map(String::as_str))
        .collect();
    let sections: Vec<String> = provided_by.iter().map(ToString::to_string).collect();
    let sections = super::or_list(&sections);
    s.need_sections()
        .filter(|(section, _)| *section == need_section)
        .flat_map(|(_, needs)| needs)
        .filter(|need| !linked.contains(need.id.as_str()))
        .map(|need| {
            Finding::error(
                rule,
                need_section,
                format!(
                    "Need {} has no provision in section {sections} to meet it. Every need must have provision that meets it: add it, and link it to the need with `needs`.",
                    need.id
                ),
            )
            .at(Some(&need.id))
            .evidence(opening(&need.text, 12))
        })
        .collect()
}

/// Provision of `section` linked to no need, or to an id that is not a need, under `rule`.
fn unlinked_provision(
    rule: Rule,
    section: Section,
    items: &[Provision],
    needs: &HashMap<&str, Section>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for provision in items {
        let at = Some(provision.id.as_str());
        if provision.needs.is_empty() {
            out.push(
                Finding::error(
                    rule,
                    section,
                    format!(
                        "Provision {} is not linked to any need. Say which need it meets (its `needs`), or remove it if it meets none.",
                        provision.id
                    ),
                )
                .at(at)
                .evidence(opening(&provision.text, 12)),
            );
        }
        for link in provision
            .needs
            .iter()
            .filter(|l| !needs.contains_key(l.as_str()))
        {
            out.push(
                Finding::error(
                    rule,
                    section,
                    format!(
                        "Provision {} is linked to \"{link}\", which is not a need in section B, C or D. Correct the link.",
                        provision.id
                    ),
                )
                .at(at)
                .evidence(link.clone()),
            );
        }
    }
    out
}

/// G1: every special educational need (B) has provision in F (R v Secretary of State for
/// Education and Science ex p E 1992: provision for every need).
pub(super) fn needs_have_provision(cx: &Context<'_>) -> Checked {
    Some(unmet_needs(cx.plan, Rule::G1, Section::B, &[Section::F]))
}

/// G2: every provision in F is linked to a need that exists.
pub(super) fn provision_has_needs(cx: &Context<'_>) -> Checked {
    let needs = need_index(cx.plan);
    let f = cx.plan.sections.provision(Section::F);
    Some(unlinked_provision(Rule::G2, Section::F, f, &needs))
}

/// G3: every outcome is linked to a need that exists and supported by at least one provision;
/// every outcome a provision names exists.
pub(super) fn outcomes_linked(cx: &Context<'_>) -> Checked {
    let s = &cx.plan.sections;
    let needs = need_index(cx.plan);
    let outcome_ids: HashSet<&str> = s.outcomes().iter().map(|o| o.id.as_str()).collect();
    let supported: HashSet<&str> = s
        .provision_sections()
        .flat_map(|(_, items)| items)
        .flat_map(|p| p.outcomes.iter().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for outcome in s.outcomes() {
        let at = Some(outcome.id.as_str());
        let finding = |message: String| Finding::error(Rule::G3, Section::E, message).at(at);
        if outcome.needs.is_empty() {
            out.push(
                finding(format!(
                    "Outcome {} is not linked to any need. Say which need in section B, C or D it is about (its `needs`).",
                    outcome.id
                ))
                .evidence(opening(&outcome.text, 12)),
            );
        }
        for link in outcome
            .needs
            .iter()
            .filter(|l| !needs.contains_key(l.as_str()))
        {
            out.push(
                finding(format!(
                    "Outcome {} is linked to \"{link}\", which is not a need in section B, C or D. Correct the link.",
                    outcome.id
                ))
                .evidence(link.clone()),
            );
        }
        if !supported.contains(outcome.id.as_str()) {
            out.push(
                finding(format!(
                    "No provision supports outcome {}. Link the provision that will help the child achieve it (the provision's `outcomes`), or add it.",
                    outcome.id
                ))
                .evidence(opening(&outcome.text, 12)),
            );
        }
    }
    for (section, items) in s.provision_sections() {
        for provision in items {
            for link in provision
                .outcomes
                .iter()
                .filter(|l| !outcome_ids.contains(l.as_str()))
            {
                out.push(
                    Finding::error(
                        Rule::G3,
                        section,
                        format!(
                            "Provision {} is linked to outcome \"{link}\", which is not in section E. Correct the link.",
                            provision.id
                        ),
                    )
                    .at(Some(&provision.id))
                    .evidence(link.clone()),
                );
            }
        }
    }
    Some(out)
}

/// G4: health needs (C) have health provision (G), social care needs (D) have social care
/// provision (H1 or H2), and provision in G, H1 and H2 is linked to needs that exist.
pub(super) fn health_and_care_linked(cx: &Context<'_>) -> Checked {
    let needs = need_index(cx.plan);
    let mut out = unmet_needs(cx.plan, Rule::G4, Section::C, &[Section::G]);
    out.extend(unmet_needs(
        cx.plan,
        Rule::G4,
        Section::D,
        &[Section::H1, Section::H2],
    ));
    for section in [Section::G, Section::H1, Section::H2] {
        let items = cx.plan.sections.provision(section);
        out.extend(unlinked_provision(Rule::G4, section, items, &needs));
    }
    Some(out)
}
