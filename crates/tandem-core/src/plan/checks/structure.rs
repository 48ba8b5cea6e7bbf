//! The plan's shape: its sections (S1), the placement (S2), the advice listed (S3), H1 and age
//! (S4), and preparing for adulthood from Year 9 (S6).

use std::collections::BTreeSet;

use super::{ADULTHOOD_YEAR, Checked, Context, Finding, Rule};
use crate::names::AdviceKind;
use crate::plan::text::{first_phrase, tokens};
use crate::plan::{ItemSection, Section};

/// The number of items and whether "none identified" is said, of a section of items.
fn listing<T>(body: &Option<ItemSection<T>>) -> Option<(usize, bool)> {
    body.as_ref().map(|b| (b.items.len(), b.none_identified))
}

/// S1: every section is there; A, B, E, F and K have something in them; C, D, G, H1 and H2
/// either list something or say on purpose that nothing was identified. (I and J may be blank:
/// S2 and S5 say when they must not be.)
pub(super) fn sections_present(cx: &Context<'_>) -> Checked {
    let s = &cx.plan.sections;
    let mut out = Vec::new();
    for section in Section::ALL.iter().copied() {
        // H1 is for under-18s only (S4): an adult's plan may leave it out.
        let optional = section == Section::H1 && cx.is_adult();
        if !s.has(section) && !optional {
            out.push(Finding::error(
                Rule::S1,
                section,
                format!(
                    "The plan has no {}. Every plan has sections A to K (SEND Regulations 2014, reg 12(1)); add it, and if there is nothing to record say so.",
                    section.describe()
                ),
            ));
        }
    }
    if s.a.is_some() && s.prose(Section::A).is_empty() {
        out.push(Finding::error(
            Rule::S1,
            Section::A,
            "Section A is blank. Record the views, interests and aspirations of the child and their family, in their own words where possible.".to_owned(),
        ));
    }
    let must_list = [
        (
            Section::B,
            listing(&s.b),
            "the child's special educational needs",
        ),
        (Section::E, listing(&s.e), "the outcomes sought"),
        (
            Section::F,
            listing(&s.f),
            "the special educational provision",
        ),
        (
            Section::K,
            listing(&s.k),
            "the advice and information gathered",
        ),
    ];
    for (section, listed, what) in must_list {
        if let Some((0, _)) = listed {
            out.push(Finding::error(
                Rule::S1,
                section,
                format!("Section {section} lists nothing. It must set out {what}."),
            ));
        }
    }
    let may_be_none = [
        (Section::C, listing(&s.c)),
        (Section::D, listing(&s.d)),
        (Section::G, listing(&s.g)),
        (Section::H1, listing(&s.h1)),
        (Section::H2, listing(&s.h2)),
    ];
    for (section, listed) in may_be_none {
        match listed {
            Some((0, false)) => out.push(Finding::error(
                Rule::S1,
                section,
                format!(
                    "{} is empty without saying that none was identified. List what there is, or say explicitly that none was identified (`none_identified`), so a reader knows it was considered.",
                    capitalised(&section.describe())
                ),
            )),
            Some((count @ 1.., true)) => out.push(Finding::warning(
                Rule::S1,
                section,
                format!(
                    "Section {section} says none was identified but lists {count} item(s). Remove one or the other."
                ),
            )),
            _ => {}
        }
    }
    Some(out)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// What a section I holds when no setting has been decided yet.
const PLACEHOLDERS: &[&str] = &[
    "tbc",
    "tba",
    "tbd",
    "to be confirmed",
    "to be decided",
    "to be agreed",
    "pending",
    "n/a",
    "not applicable",
    "none",
    "unknown",
];

/// S2: a draft leaves I blank; a final plan names a setting or a type of setting there.
pub(super) fn placement(cx: &Context<'_>) -> Checked {
    let s = &cx.plan.sections;
    if !s.has(Section::I) {
        // S1 reports the missing section.
        return Some(Vec::new());
    }
    let text = s.prose(Section::I);
    let placeholder = PLACEHOLDERS.contains(&text.trim_end_matches('.').to_lowercase().as_str());
    let finding = if cx.plan.status.is_final() {
        (text.is_empty() || placeholder).then(|| {
            Finding::error(
                Rule::S2,
                Section::I,
                "A final plan must name the school or other institution, or the type of setting, in section I (Children and Families Act 2014, ss.39 and 40). Name it.".to_owned(),
            )
        })
    } else {
        (!text.is_empty()).then(|| {
            Finding::error(
                Rule::S2,
                Section::I,
                "A draft plan must leave section I blank (Children and Families Act 2014, s.38(5)): the family first has the chance to ask for a particular school. Clear it, and name the setting in the final plan.".to_owned(),
            )
        })
    };
    Some(
        finding
            .into_iter()
            .map(|f| if text.is_empty() { f } else { f.evidence(text) })
            .collect(),
    )
}

/// What a finding calls an advice kind: "Educational psychology advice", or "Advice (kind)"
/// for a kind Tandem does not know.
fn advice_label(kind: &str) -> String {
    AdviceKind::parse(kind).map_or_else(|| format!("Advice ({kind})"), |k| k.label().to_owned())
}

/// S3: K lists each kind of advice received, and, from Year 9, advice on preparing for
/// adulthood; each entry says who gave it and when.
pub(super) fn advice_listed(cx: &Context<'_>) -> Checked {
    let s = &cx.plan.sections;
    if !s.has(Section::K) {
        return Some(Vec::new());
    }
    let normal = |kind: &str| kind.trim().to_lowercase();
    let listed: BTreeSet<String> = s.advice().iter().map(|a| normal(&a.advice)).collect();
    let mut out = Vec::new();
    let mut reported = BTreeSet::new();
    for kind in &cx.plan.advice_received {
        let kind = normal(kind);
        if !listed.contains(&kind) && reported.insert(kind.clone()) {
            out.push(
                Finding::error(
                    Rule::S3,
                    Section::K,
                    format!(
                        "{} was received but is not listed in section K. List every piece of advice and information gathered (SEND Regulations 2014, reg 12(1)(k)).",
                        advice_label(&kind)
                    ),
                )
                .evidence(kind),
            );
        }
    }
    let pfa = AdviceKind::PreparingForAdulthood.as_str();
    if cx.adulthood_applies() == Some(true) && !listed.contains(pfa) && !reported.contains(pfa) {
        out.push(Finding::error(
            Rule::S3,
            Section::K,
            "From Year 9 the assessment must include advice on preparing for adulthood and independent living (SEND Regulations 2014, reg 6(1)(g)), and section K lists none. Seek it and list it.".to_owned(),
        ));
    }
    for advice in s.advice() {
        let mut gaps = Vec::new();
        if advice.from.trim().is_empty() {
            gaps.push("who gave it");
        }
        if advice.date.is_none() {
            gaps.push("when it was received");
        }
        if !gaps.is_empty() {
            out.push(
                Finding::warning(
                    Rule::S3,
                    Section::K,
                    format!(
                        "{} in section K does not say {}. Add it, so the plan shows what it rests on.",
                        advice_label(&normal(&advice.advice)),
                        gaps.join(" or ")
                    ),
                )
                .at(advice.id.as_deref()),
            );
        }
    }
    Some(out)
}

/// S4: H1 (social care under s.2 of the Chronically Sick and Disabled Persons Act 1970) is for
/// under-18s only. Not checked without a date of birth.
pub(super) fn h1_for_children(cx: &Context<'_>) -> Checked {
    let eighteen = cx.eighteenth_birthday()?;
    if !cx.is_adult() {
        return Some(Vec::new());
    }
    let message = format!(
        "The young person turned 18 on {}, before the plan's date of {}, but this provision is in section H1, which is only for under-18s (Chronically Sick and Disabled Persons Act 1970, s.2). Move it to H2 (adult social care under the Care Act 2014).",
        crate::dates::long(eighteen),
        crate::dates::long(cx.on)
    );
    Some(
        cx.plan
            .sections
            .provision(Section::H1)
            .iter()
            .map(|p| Finding::error(Rule::S4, Section::H1, message.clone()).at(Some(&p.id)))
            .collect(),
    )
}

/// S6: from Year 9, at least one outcome and one provision prepare for adulthood: marked so, or
/// naming one of the configured adulthood words. Not checked below Year 9 or when the year group
/// cannot be known.
pub(super) fn preparing_for_adulthood(cx: &Context<'_>) -> Checked {
    let year = cx.year_group()?;
    if year < ADULTHOOD_YEAR {
        return None;
    }
    let terms = &cx.config.s6.terms;
    let about_adulthood =
        |marked: bool, text: &str| marked || first_phrase(text, &tokens(text), terms).is_some();
    let s = &cx.plan.sections;
    let outcome = s
        .outcomes()
        .iter()
        .any(|o| about_adulthood(o.preparing_for_adulthood, &o.text));
    let provision = s
        .provision_sections()
        .flat_map(|(_, items)| items)
        .any(|p| about_adulthood(p.preparing_for_adulthood, &p.text));
    // A year group worked out from the age of someone past school says little.
    let stage = if year <= 13 {
        format!("The child is in Year {year}")
    } else {
        "The young person is past Year 13".to_owned()
    };
    let mut out = Vec::new();
    if !outcome {
        out.push(Finding::error(
            Rule::S6,
            Section::E,
            format!(
                "{stage}, so the plan must prepare for adulthood (SEND Code of Practice, chapter 8), but no outcome in section E is about employment, independent living, community participation or health. Add one, agreed with the young person, and mark it `preparing_for_adulthood`."
            ),
        ));
    }
    if !provision {
        out.push(Finding::error(
            Rule::S6,
            Section::F,
            format!(
                "{stage}, so the plan must prepare for adulthood, but no provision is about it. Add the provision that will help the young person towards adult life, and mark it `preparing_for_adulthood`."
            ),
        ));
    }
    Some(out)
}
