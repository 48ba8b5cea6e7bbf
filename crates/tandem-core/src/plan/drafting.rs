//! Writing a plan: a blank plan to start from, advice pulled in with its source, the family's
//! comment period on a draft, and the plan rendered as lines to print and compare.

use std::fmt::Write as _;

use similar::{Algorithm, DiffOp, capture_diff_slices};

use super::{
    Advice, ItemSection, Need, Outcome, Plan, PlanChild, PlanStatus, Provision, Section, Sections,
    TextSection,
};
use crate::AdviceKind;
use crate::advice::AdviceForm;
use crate::dates::Date;

/// How many days a family has to comment on a draft plan (reg 13(1)(a)), the day it is served
/// being the first.
pub const COMMENT_DAYS: u64 = 15;

/// The last day the family may comment on a draft served on `served`.
pub fn comment_period_ends(served: Date) -> Date {
    served + chrono::Days::new(COMMENT_DAYS - 1)
}

impl Plan {
    /// A draft with every section present and empty, for `child`.
    pub fn blank(child: PlanChild) -> Self {
        fn items<T>() -> Option<ItemSection<T>> {
            Some(ItemSection {
                text: None,
                items: Vec::new(),
                none_identified: false,
            })
        }
        Self {
            status: PlanStatus::Draft,
            child,
            advice_received: Vec::new(),
            issued_on: None,
            case: None,
            sections: Sections {
                a: Some(TextSection::default()),
                b: items(),
                c: items(),
                d: items(),
                e: items(),
                f: items(),
                g: items(),
                h1: items(),
                h2: items(),
                i: Some(TextSection::default()),
                j: Some(TextSection::default()),
                k: items(),
            },
        }
    }

    /// Whether `id` is used by any item of the plan.
    pub fn has_id(&self, id: &str) -> bool {
        let s = &self.sections;
        s.need_sections().any(|(_, n)| n.iter().any(|n| n.id == id))
            || s.outcomes().iter().any(|o| o.id == id)
            || s.provision_sections()
                .any(|(_, p)| p.iter().any(|p| p.id == id))
            || s.advice().iter().any(|a| a.id.as_deref() == Some(id))
    }

    /// The first id `prefix1`, `prefix2`… not used in the plan.
    pub fn next_id(&self, prefix: &str) -> String {
        (1..)
            .map(|n| format!("{prefix}{n}"))
            .find(|id| !self.has_id(id))
            .unwrap_or_default()
    }

    /// Pulls submitted advice into the plan: its needs into B, C or D, its outcomes into E and
    /// its provision into F, G or H2, linked to each other, and the advice itself into K. Every
    /// item's id starts with the advice's id (`advice-health-need`), so its source stays on
    /// record; advice already pulled in is left alone. Returns how many pieces were added.
    pub fn add_advice(&mut self, advice: &[ReceivedAdvice]) -> usize {
        let mut added = 0;
        for given in advice {
            let request = given.key.strip_prefix("advice:").unwrap_or(&given.key);
            let source = format!("advice-{}", request.replace(':', "-"));
            if self.has_id(&source) {
                continue;
            }
            added += 1;
            let (needs_in, provision_in) = match given.kind {
                AdviceKind::Health => (Section::C, Section::G),
                AdviceKind::SocialCare => (Section::D, Section::H2),
                _ => (Section::B, Section::F),
            };
            let form = &given.form;
            let need = (!form.needs.trim().is_empty()).then(|| Need {
                id: format!("{source}-need"),
                text: form.needs.trim().to_owned(),
            });
            let need_ids: Vec<String> = need.iter().map(|n| n.id.clone()).collect();
            if let Some(need) = need {
                needs_section(&mut self.sections, needs_in).items.push(need);
            }
            let outcome_ids: Vec<String> = if form.outcomes.trim().is_empty() {
                Vec::new()
            } else {
                let id = format!("{source}-outcome");
                item_section(&mut self.sections.e).items.push(Outcome {
                    id: id.clone(),
                    text: form.outcomes.trim().to_owned(),
                    needs: need_ids.clone(),
                    by: None,
                    preparing_for_adulthood: given.kind == AdviceKind::PreparingForAdulthood,
                });
                vec![id]
            };
            let rows = form.provision.iter().filter(|p| !p.is_blank());
            for (n, row) in rows.enumerate() {
                let given_text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
                provision_section(&mut self.sections, provision_in)
                    .items
                    .push(Provision {
                        id: format!("{source}-provision-{}", n + 1),
                        text: row.what.trim().to_owned(),
                        needs: need_ids.clone(),
                        outcomes: outcome_ids.clone(),
                        who: given_text(&row.who),
                        frequency: given_text(&row.how_often),
                        duration: given_text(&row.how_long),
                        group: None,
                        until: None,
                        preparing_for_adulthood: false,
                    });
            }
            let mut text = form.needs.trim().to_owned();
            for row in form.provision.iter().filter(|p| !p.is_blank()) {
                let _ = write!(
                    text,
                    "\n{}: {}, {}, {}",
                    row.what.trim(),
                    row.who.trim(),
                    row.how_often.trim(),
                    row.how_long.trim()
                );
            }
            item_section(&mut self.sections.k).items.push(Advice {
                id: Some(source),
                advice: given.kind.as_str().to_owned(),
                from: given.from.clone(),
                date: Some(given.date),
                text: Some(text),
            });
            if !self
                .advice_received
                .iter()
                .any(|a| a == given.kind.as_str())
            {
                self.advice_received.push(given.kind.as_str().to_owned());
            }
        }
        added
    }

    /// The plan as lines of text, section by section in the plan's order: what is printed, and
    /// what two versions are compared on.
    pub fn rendered(&self) -> Vec<(Section, Vec<String>)> {
        let s = &self.sections;
        Section::ALL
            .iter()
            .map(|&section| {
                let mut lines: Vec<String> = Vec::new();
                let mut push = |line: String| {
                    if !line.trim().is_empty() {
                        lines.push(line);
                    }
                };
                match section {
                    Section::A | Section::I | Section::J => {
                        s.prose(section).lines().for_each(|l| push(l.to_owned()));
                    }
                    _ => {
                        if let Some(intro) = s.intro(section) {
                            intro.lines().for_each(|l| push(l.to_owned()));
                        }
                    }
                }
                match section {
                    Section::B | Section::C | Section::D => {
                        let needs = s.need_sections().find(|(n, _)| *n == section);
                        for need in needs.map_or(&[][..], |(_, n)| n) {
                            push(format!("[{}] {}", need.id, need.text));
                        }
                    }
                    Section::E => {
                        for o in s.outcomes() {
                            let by =
                                o.by.as_deref()
                                    .map_or(String::new(), |b| format!(" By {b}."));
                            push(format!("[{}] {}{by}", o.id, o.text));
                        }
                    }
                    Section::F | Section::G | Section::H1 | Section::H2 => {
                        for p in s.provision(section) {
                            push(p.describe());
                        }
                    }
                    Section::K => {
                        for a in s.advice() {
                            let date = a.date.map_or(String::new(), |d| format!(", {d}"));
                            push(format!("{} advice from {}{date}", a.advice, a.from));
                        }
                    }
                    Section::A | Section::I | Section::J => {}
                }
                if lines.is_empty() && s.none_identified(section) {
                    lines.push("None identified.".to_owned());
                }
                (section, lines)
            })
            .collect()
    }
}

impl Provision {
    /// The provision in one line: what, then each detail given, then the needs and outcomes it
    /// is for.
    pub fn describe(&self) -> String {
        let mut line = format!("[{}] {}", self.id, self.text.trim());
        let details = [
            ("Who", &self.who),
            ("How often", &self.frequency),
            ("How long", &self.duration),
            ("Group", &self.group),
            ("Until", &self.until),
        ];
        for (label, value) in details {
            if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                let _ = write!(line, ". {label}: {}", value.trim());
            }
        }
        if !self.needs.is_empty() || !self.outcomes.is_empty() {
            let links: Vec<&str> = self
                .needs
                .iter()
                .chain(&self.outcomes)
                .map(String::as_str)
                .collect();
            let _ = write!(line, ". For: {}", links.join(", "));
        }
        line
    }
}

impl Sections {
    /// Whether `section` says on purpose that there is nothing to record (C, D, G, H1, H2).
    pub fn none_identified(&self, section: Section) -> bool {
        fn of<T>(body: &Option<ItemSection<T>>) -> bool {
            body.as_ref().is_some_and(|b| b.none_identified)
        }
        match section {
            Section::C => of(&self.c),
            Section::D => of(&self.d),
            Section::G => of(&self.g),
            Section::H1 => of(&self.h1),
            Section::H2 => of(&self.h2),
            _ => false,
        }
    }
}

fn item_section<T>(body: &mut Option<ItemSection<T>>) -> &mut ItemSection<T> {
    let body = body.get_or_insert_with(|| ItemSection {
        text: None,
        items: Vec::new(),
        none_identified: false,
    });
    // Items now exist, so the section no longer says there are none.
    body.none_identified = false;
    body
}

fn needs_section(s: &mut Sections, section: Section) -> &mut ItemSection<Need> {
    match section {
        Section::C => item_section(&mut s.c),
        Section::D => item_section(&mut s.d),
        _ => item_section(&mut s.b),
    }
}

fn provision_section(s: &mut Sections, section: Section) -> &mut ItemSection<Provision> {
    match section {
        Section::G => item_section(&mut s.g),
        Section::H1 => item_section(&mut s.h1),
        Section::H2 => item_section(&mut s.h2),
        _ => item_section(&mut s.f),
    }
}

/// Advice submitted on the standard form, as the plan takes it in.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedAdvice {
    /// The request it answered (`advice:health`), which names its items' source.
    pub key: String,
    /// What kind of advice it is: decides the sections it goes to.
    pub kind: AdviceKind,
    /// Who gave it (the service asked).
    pub from: String,
    /// When it was submitted.
    pub date: Date,
    /// The answers.
    pub form: AdviceForm,
}

/// How a line of one version compares with the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The same in both.
    Same,
    /// Only in the later version.
    Added,
    /// Only in the earlier version.
    Removed,
    /// Replaced: the earlier line beside the later one.
    Changed,
}

/// One row of a side-by-side comparison: the earlier line, the later line, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparedLine {
    /// The line in the earlier version, if it has one here.
    pub before: Option<String>,
    /// The line in the later version, if it has one here.
    pub after: Option<String>,
    /// Whether the row is unchanged, or what changed.
    pub change: Change,
}

/// Two versions compared, section by section, line by line.
pub fn compare(before: &Plan, after: &Plan) -> Vec<(Section, Vec<ComparedLine>)> {
    before
        .rendered()
        .into_iter()
        .zip(after.rendered())
        .map(|((section, old), (_, new))| {
            let mut rows = Vec::new();
            for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
                match op {
                    DiffOp::Equal { old_index, len, .. } => {
                        rows.extend(
                            old[old_index..old_index + len]
                                .iter()
                                .map(|l| ComparedLine {
                                    before: Some(l.clone()),
                                    after: Some(l.clone()),
                                    change: Change::Same,
                                }),
                        );
                    }
                    DiffOp::Delete {
                        old_index, old_len, ..
                    } => rows.extend(old[old_index..old_index + old_len].iter().map(|l| {
                        ComparedLine {
                            before: Some(l.clone()),
                            after: None,
                            change: Change::Removed,
                        }
                    })),
                    DiffOp::Insert {
                        new_index, new_len, ..
                    } => rows.extend(new[new_index..new_index + new_len].iter().map(|l| {
                        ComparedLine {
                            before: None,
                            after: Some(l.clone()),
                            change: Change::Added,
                        }
                    })),
                    DiffOp::Replace {
                        old_index,
                        old_len,
                        new_index,
                        new_len,
                    } => {
                        let old = &old[old_index..old_index + old_len];
                        let new = &new[new_index..new_index + new_len];
                        for n in 0..old_len.max(new_len) {
                            rows.push(ComparedLine {
                                before: old.get(n).cloned(),
                                after: new.get(n).cloned(),
                                change: match (n < old_len, n < new_len) {
                                    (true, true) => Change::Changed,
                                    (true, false) => Change::Removed,
                                    _ => Change::Added,
                                },
                            });
                        }
                    }
                }
            }
            (section, rows)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advice::Provision as Row;

    fn health() -> ReceivedAdvice {
        ReceivedAdvice {
            key: "advice:health".into(),
            kind: AdviceKind::Health,
            from: "Community paediatrics".into(),
            date: Date::from_ymd_opt(2026, 3, 2).unwrap(),
            form: AdviceForm {
                needs: "Sam has epilepsy.".into(),
                outcomes: "By July 2027 Sam will manage his own medication plan.".into(),
                provision: vec![
                    Row {
                        what: "Seizure care training for staff".into(),
                        who: "School nurse".into(),
                        how_often: "Once a term".into(),
                        how_long: "1 hour".into(),
                    },
                    Row::default(),
                ],
                consulted: "Sam and his mother".into(),
            },
        }
    }

    #[test]
    fn advice_goes_to_its_sections_linked_and_sourced_once() {
        let mut plan = Plan::blank(PlanChild::default());
        assert_eq!(plan.add_advice(&[health()]), 1);
        assert_eq!(plan.add_advice(&[health()]), 0, "pulled in twice");
        let s = &plan.sections;
        let need = &s.c.as_ref().unwrap().items[0];
        assert_eq!(need.id, "advice-health-need");
        let provision = &s.provision(Section::G)[0];
        assert_eq!(provision.needs, vec![need.id.clone()]);
        assert_eq!(provision.outcomes, vec!["advice-health-outcome"]);
        assert_eq!(provision.who.as_deref(), Some("School nurse"));
        assert_eq!(
            s.provision(Section::G).len(),
            1,
            "the blank row is left out"
        );
        assert!(s.provision(Section::F).is_empty());
        assert_eq!(s.advice()[0].from, "Community paediatrics");
        assert_eq!(plan.advice_received, vec!["health"]);
    }

    #[test]
    fn comparing_marks_added_removed_and_changed_lines() {
        let mut before = Plan::blank(PlanChild::default());
        before.sections.a = Some(TextSection {
            text: "Sam likes trains.\nSam wants to be a driver.".into(),
        });
        let mut after = before.clone();
        after.sections.a = Some(TextSection {
            text: "Sam likes trains.\nSam wants to be a pilot.".into(),
        });
        after.add_advice(&[health()]);
        let compared = compare(&before, &after);
        let (section, a) = &compared[0];
        assert_eq!(*section, Section::A);
        assert_eq!(a[0].change, Change::Same);
        assert_eq!(a[1].before.as_deref(), Some("Sam wants to be a driver."));
        assert_eq!(a[1].after.as_deref(), Some("Sam wants to be a pilot."));
        assert_eq!(a[1].change, Change::Changed);
        let g = &compared.iter().find(|(s, _)| *s == Section::G).unwrap().1;
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].change, Change::Added);
        assert!(
            compare(&after, &after)
                .iter()
                .all(|(_, rows)| rows.iter().all(|r| r.change == Change::Same))
        );
    }

    #[test]
    fn the_comment_period_is_fifteen_days_counting_the_day_served() {
        let served = Date::from_ymd_opt(2026, 4, 20).unwrap();
        assert_eq!(
            comment_period_ends(served),
            Date::from_ymd_opt(2026, 5, 4).unwrap()
        );
    }
}
