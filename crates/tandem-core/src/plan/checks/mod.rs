//! The plan quality checks of `shared/docs/plan-quality.md`, as pure functions: a plan and a
//! configuration in, findings, a score and a grade out.
//!
//! Each rule is one function. It returns `None` when the plan lacks the facts the rule needs
//! (no date of birth for S4, no case facts for S5, L3 and T1, no advice text for P4, a child
//! below Year 9 for S6): such a rule is listed in [`PlanReport::not_checked`] and left out of
//! the score, rather than passed. Every finding names its rule, section and item, says what is
//! wrong and how to put it right, and quotes what it was triggered by.

mod links;
mod provision;
mod record;
mod structure;
mod wording;

use chrono::Datelike;
use serde::Serialize;

use super::config::PlanCheckConfig;
use super::{Plan, Section};
use crate::dates::Date;
use crate::names::machine_names;

machine_names! {
    /// The rules of `shared/docs/plan-quality.md`. Q1, the grade, is [`PlanReport`] itself.
    Rule {
        /// Every section A–K is present; an empty C, D, G or H says none was identified.
        S1 => "S1",
        /// Section I is blank in a draft and names a setting or type in a final plan.
        S2 => "S2",
        /// Section K lists every advice received (preparing-for-adulthood advice from Year 9).
        S3 => "S3",
        /// H1 only for under-18s.
        S4 => "S4",
        /// Section J agrees with the personal-budget request on record.
        S5 => "S5",
        /// From Year 9, preparing-for-adulthood outcomes and provision.
        S6 => "S6",
        /// Every need in B has provision in F.
        G1 => "G1",
        /// Every provision in F is linked to a need.
        G2 => "G2",
        /// Every outcome is linked to a need and supported by provision.
        G3 => "G3",
        /// The same links for C with G, and D with H1/H2.
        G4 => "G4",
        /// Each provision says what, who, how often, how long, group size, until when.
        P1 => "P1",
        /// No vague wording in provision that is not quantified.
        P2 => "P2",
        /// Therapy that educates or trains is in F, not only in G.
        P3 => "P3",
        /// Quantities in F are traceable to the advice in K.
        P4 => "P4",
        /// Outcomes are time-bound and about the child, not a service.
        O1 => "O1",
        /// Acronyms explained at first use; sentences of readable length.
        L1 => "L1",
        /// House rules: no practitioners' names, no banned terms such as medicine names.
        L2 => "L2",
        /// The child's details agree with the case record.
        L3 => "L3",
        /// Advice came before the plan; the 20-week limit met or an exception recorded.
        T1 => "T1",
    }
}

impl Rule {
    /// What the rule asks, in a few words, for lists of findings.
    pub fn title(self) -> &'static str {
        match self {
            Self::S1 => "Every section is present",
            Self::S2 => "Section I suits the kind of plan",
            Self::S3 => "Section K lists all the advice received",
            Self::S4 => "H1 only for under-18s",
            Self::S5 => "Section J agrees with the personal budget request",
            Self::S6 => "Preparing for adulthood from Year 9",
            Self::G1 => "Every need has provision",
            Self::G2 => "Every provision meets a need",
            Self::G3 => "Every outcome has a need and provision",
            Self::G4 => "Health and social care needs are linked to provision",
            Self::P1 => "Provision is specific",
            Self::P2 => "No vague wording",
            Self::P3 => "Therapy that educates is in F",
            Self::P4 => "Quantities come from the advice",
            Self::O1 => "Outcomes are time-bound and about the child",
            Self::L1 => "Plain language",
            Self::L2 => "House rules",
            Self::L3 => "The child's details agree with the record",
            Self::T1 => "Advice and time limits",
        }
    }
}

machine_names! {
    /// How serious a finding is.
    Severity {
        /// Worth a look: the plan may be less clear or specific than it should be.
        Warning => "warning",
        /// The plan breaks the law, the guidance or its own links, and must be corrected.
        Error => "error",
    }
}

machine_names! {
    /// The overall grade, on the scale councils' quality assurance uses; best first.
    Grade {
        /// Score at or above the Outstanding boundary, and no errors.
        Outstanding => "Outstanding",
        /// Score at or above the Good boundary, and no errors.
        Good => "Good",
        /// Score at or above its boundary, or better but with an error.
        RequiresImprovement => "Requires improvement",
        /// Score below the Requires improvement boundary.
        Inadequate => "Inadequate",
    }
}

/// One thing to put right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule broken.
    pub rule: Rule,
    /// Where: the section.
    pub section: Section,
    /// Where: the item's id, when the finding is about one item.
    pub item: Option<String>,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong and how to put it right, in plain English.
    pub message: String,
    /// What the finding was triggered by (a vague word, an acronym, an amount), when useful.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl Finding {
    fn new(rule: Rule, severity: Severity, section: Section, message: String) -> Self {
        Self {
            rule,
            section,
            item: None,
            severity,
            message,
            evidence: None,
        }
    }

    fn error(rule: Rule, section: Section, message: String) -> Self {
        Self::new(rule, Severity::Error, section, message)
    }

    fn warning(rule: Rule, section: Section, message: String) -> Self {
        Self::new(rule, Severity::Warning, section, message)
    }

    fn at(mut self, item: Option<&str>) -> Self {
        self.item = item.map(str::to_owned);
        self
    }

    fn evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = Some(evidence.into());
        self
    }
}

/// The outcome of checking one plan: the JSON of `tandem plan check`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanReport {
    /// Every finding, rule by rule in the table's order, each rule's in the plan's order.
    pub findings: Vec<Finding>,
    /// 0 to 100: the weighted share of the checked rules the plan meets (Q1).
    pub score: u8,
    /// The grade the score and findings give (Q1).
    pub grade: Grade,
    /// Rules not checked for lack of the facts they need; they do not count in the score.
    #[serde(skip)]
    pub not_checked: Vec<Rule>,
}

/// What a rule's check found: `None` when the plan lacks what the rule needs.
type Checked = Option<Vec<Finding>>;

/// One rule's check.
type Check = fn(&Context<'_>) -> Checked;

/// The rules' checks, in the table's order.
const CHECKS: &[(Rule, Check)] = &[
    (Rule::S1, structure::sections_present),
    (Rule::S2, structure::placement),
    (Rule::S3, structure::advice_listed),
    (Rule::S4, structure::h1_for_children),
    (Rule::S5, record::personal_budget),
    (Rule::S6, structure::preparing_for_adulthood),
    (Rule::G1, links::needs_have_provision),
    (Rule::G2, links::provision_has_needs),
    (Rule::G3, links::outcomes_linked),
    (Rule::G4, links::health_and_care_linked),
    (Rule::P1, provision::details),
    (Rule::P2, provision::vague_terms),
    (Rule::P3, provision::educational_therapy),
    (Rule::P4, provision::traceable_to_advice),
    (Rule::O1, wording::outcomes),
    (Rule::L1, wording::readability),
    (Rule::L2, wording::house_rules),
    (Rule::L3, record::facts_match),
    (Rule::T1, record::process),
];

/// Checks `plan`. Ages and year groups are worked out on the plan's `issued_on`, or `today`
/// for a plan not yet issued.
pub fn check(plan: &Plan, config: &PlanCheckConfig, today: Date) -> PlanReport {
    let cx = Context {
        plan,
        config,
        on: plan.issued_on.unwrap_or(today),
    };
    let mut findings = Vec::new();
    let mut checked = Vec::new();
    let mut not_checked = Vec::new();
    for (rule, check) in CHECKS {
        match check(&cx) {
            Some(found) => {
                checked.push(*rule);
                findings.extend(found);
            }
            None => not_checked.push(*rule),
        }
    }
    let score = score(&findings, &checked, config);
    let any_error = findings.iter().any(|f| f.severity == Severity::Error);
    PlanReport {
        grade: grade(score, any_error, config),
        findings,
        score,
        not_checked,
    }
}

/// The weighted share of the checked rules met: a rule with no findings earns its weight, one
/// with warnings only half, one with an error nothing. With nothing to weigh, 100.
fn score(findings: &[Finding], checked: &[Rule], config: &PlanCheckConfig) -> u8 {
    let (mut earned, mut possible) = (0.0, 0.0);
    for rule in checked {
        let weight = f64::from(config.weights.get(rule).copied().unwrap_or(0));
        let worst = findings
            .iter()
            .filter(|f| f.rule == *rule)
            .map(|f| f.severity)
            .max();
        possible += weight;
        earned += weight
            * match worst {
                None => 1.0,
                Some(Severity::Warning) => 0.5,
                Some(Severity::Error) => 0.0,
            };
    }
    if possible == 0.0 {
        return 100;
    }
    // Between 0 and 100 by construction.
    (100.0 * earned / possible).round().clamp(0.0, 100.0) as u8
}

/// The grade of a score. An error is a breach of the law, the guidance or the plan's own links,
/// so a plan with one is at best Requires improvement, whatever its score.
fn grade(score: u8, any_error: bool, config: &PlanCheckConfig) -> Grade {
    let bounds = &config.grades;
    let by_score = if score >= bounds.outstanding {
        Grade::Outstanding
    } else if score >= bounds.good {
        Grade::Good
    } else if score >= bounds.requires_improvement {
        Grade::RequiresImprovement
    } else {
        Grade::Inadequate
    };
    if any_error {
        by_score.max(Grade::RequiresImprovement)
    } else {
        by_score
    }
}

/// What every check reads: the plan, the configuration, and the date ages are taken on.
struct Context<'a> {
    plan: &'a Plan,
    config: &'a PlanCheckConfig,
    on: Date,
}

/// From Year 9 a plan must prepare for adulthood (SEND Code of Practice, chapter 8; the advice
/// of SEND Regulations 2014 reg 6(1)(g)).
const ADULTHOOD_YEAR: i32 = 9;

impl Context<'_> {
    /// The 18th birthday, when the date of birth is known. Someone born on 29 February comes of
    /// age on 1 March in a common year.
    fn eighteenth_birthday(&self) -> Option<Date> {
        let born = self.plan.child.date_of_birth?;
        let year = born.year() + 18;
        Date::from_ymd_opt(year, born.month(), born.day())
            .or_else(|| Date::from_ymd_opt(year, 3, 1))
    }

    /// Whether the young person is 18 or over on the plan's date.
    fn is_adult(&self) -> bool {
        self.eighteenth_birthday().is_some_and(|d| self.on >= d)
    }

    /// The year group the plan gives, or else the one a child born on the date of birth is in
    /// on the plan's date, if educated with their age group.
    fn year_group(&self) -> Option<i32> {
        let child = &self.plan.child;
        child
            .year_group
            .or_else(|| child.date_of_birth.map(|born| year_group_of(born, self.on)))
    }

    /// Whether preparing for adulthood applies; `None` when the year group cannot be known.
    fn adulthood_applies(&self) -> Option<bool> {
        self.year_group().map(|year| year >= ADULTHOOD_YEAR)
    }
}

/// The National Curriculum year of a child born on `born`, on `on`: children born from
/// September to August are one cohort, which starts Reception (year 0) in the September after
/// they turn four.
fn year_group_of(born: Date, on: Date) -> i32 {
    let school_year = |d: Date| {
        if d.month() >= 9 {
            d.year()
        } else {
            d.year() - 1
        }
    };
    school_year(on) - school_year(born) - 5
}

/// One piece of text in the plan, with where it is.
struct Place<'a> {
    section: Section,
    item: Option<&'a str>,
    text: &'a str,
}

/// Every piece of text in the plan in reading order: each section's prose and items, with the
/// detail fields of provision, outcomes' `by`, and who gave each advice and what it says.
fn texts<'a>(plan: &'a Plan) -> Vec<Place<'a>> {
    use Section::{A, E, I, J, K};
    let s = &plan.sections;
    let mut out = Vec::new();
    let mut push = |section: Section, item: Option<&'a str>, text: Option<&'a str>| {
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            out.push(Place {
                section,
                item,
                text,
            });
        }
    };
    push(A, None, Some(s.prose(A)));
    for (section, needs) in s.need_sections() {
        push(section, None, s.intro(section));
        for need in needs {
            push(section, Some(&need.id), Some(&need.text));
        }
    }
    push(E, None, s.intro(E));
    for outcome in s.outcomes() {
        push(E, Some(&outcome.id), Some(&outcome.text));
        push(E, Some(&outcome.id), outcome.by.as_deref());
    }
    for (section, items) in s.provision_sections() {
        push(section, None, s.intro(section));
        for provision in items {
            push(section, Some(&provision.id), Some(&provision.text));
            for field in super::config::ProvisionField::ALL {
                push(section, Some(&provision.id), provision.field(*field));
            }
        }
    }
    push(I, None, Some(s.prose(I)));
    push(J, None, Some(s.prose(J)));
    push(K, None, s.intro(K));
    for advice in s.advice() {
        push(K, advice.id.as_deref(), Some(&advice.from));
        push(K, advice.id.as_deref(), advice.text.as_deref());
    }
    out
}

/// "a, b or c".
fn or_list(parts: &[impl AsRef<str>]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} or {}", init.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        crate::dates::parse_iso(text).unwrap()
    }

    #[test]
    fn year_groups_run_september_to_august() {
        // Born March 2014: Reception from September 2018, Year 7 in 2025/26.
        assert_eq!(year_group_of(d("2014-03-02"), d("2026-05-01")), 7);
        assert_eq!(year_group_of(d("2014-03-02"), d("2026-09-01")), 8);
        // Born 31 August and 1 September 2013, a day apart: a year apart at school.
        assert_eq!(year_group_of(d("2013-08-31"), d("2026-01-10")), 8);
        assert_eq!(year_group_of(d("2013-09-01"), d("2026-01-10")), 7);
    }

    #[test]
    fn score_weighs_rules_met_half_met_and_failed() {
        let config = PlanCheckConfig::default();
        let found = |rule, severity| Finding::new(rule, severity, Section::F, String::new());
        let all: Vec<Rule> = Rule::ALL.to_vec();
        assert_eq!(score(&[], &all, &config), 100);
        // P2 (weight 8) failed and L1 (weight 3) half met: 100 - 8 - 1.5 = 90.5, rounded up.
        let findings = [
            found(Rule::P2, Severity::Error),
            found(Rule::P2, Severity::Warning),
            found(Rule::L1, Severity::Warning),
        ];
        assert_eq!(score(&findings, &all, &config), 91);
        // Only P2 and L1 checked: 1.5 of 11.
        assert_eq!(score(&findings, &[Rule::P2, Rule::L1], &config), 14);
        assert_eq!(score(&findings, &[], &config), 100);
    }

    #[test]
    fn grades_follow_the_boundaries_and_errors_cap_them() {
        let config = PlanCheckConfig::default();
        assert_eq!(grade(90, false, &config), Grade::Outstanding);
        assert_eq!(grade(89, false, &config), Grade::Good);
        assert_eq!(grade(75, false, &config), Grade::Good);
        assert_eq!(grade(74, false, &config), Grade::RequiresImprovement);
        assert_eq!(grade(49, false, &config), Grade::Inadequate);
        assert_eq!(grade(96, true, &config), Grade::RequiresImprovement);
        assert_eq!(grade(30, true, &config), Grade::Inadequate);
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(or_list(&["a"]), "a");
        assert_eq!(or_list(&["a", "b", "c"]), "a, b or c");
    }
}
