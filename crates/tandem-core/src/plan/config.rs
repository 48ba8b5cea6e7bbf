//! What the plan checks look for and how they are weighed: the area's own choices (its vague
//! words, house rules, acronyms everyone knows, weights and grade boundaries), so they are data
//! (a TOML file like `examples/plan-checks.toml`), never code. [`PlanCheckConfig::default`] is
//! the documented default; a file sets only what it changes.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::checks::Rule;
use crate::names::machine_names;

machine_names! {
    /// The details of a provision P1 asks for besides what it is.
    ProvisionField {
        /// Who delivers it: a role or qualification.
        Who => "who",
        /// How often.
        Frequency => "frequency",
        /// How long each session lasts.
        Duration => "duration",
        /// Group size or ratio.
        Group => "group",
        /// Until when, or the review point.
        Until => "until",
    }
}

impl ProvisionField {
    /// What the field says, after "does not say": "who delivers it (a role or qualification)".
    pub fn question(self) -> &'static str {
        match self {
            Self::Who => "who delivers it (a role or qualification)",
            Self::Frequency => "how often",
            Self::Duration => "how long each session lasts",
            Self::Group => "the group size or adult-to-child ratio",
            Self::Until => "until when, or when it will be reviewed",
        }
    }
}

/// Everything the plan checks can be told. Each part is named after the rule that reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanCheckConfig {
    /// P1: the details every provision must give, and the words that name a role.
    #[serde(rename = "P1")]
    pub p1: ProvisionDetail,
    /// P2: the vague words.
    #[serde(rename = "P2")]
    pub p2: VagueTerms,
    /// P3: the therapies that educate or train, so belong in F.
    #[serde(rename = "P3")]
    pub p3: EducationalTherapies,
    /// S6: the words that mark preparing for adulthood.
    #[serde(rename = "S6")]
    pub s6: Adulthood,
    /// O1: the phrases by which an outcome restates a service.
    #[serde(rename = "O1")]
    pub o1: ServicePhrases,
    /// L1: acronyms and sentence length.
    #[serde(rename = "L1")]
    pub l1: Readability,
    /// L2: the house rules.
    #[serde(rename = "L2")]
    pub l2: HouseRules,
    /// Q1: how much each rule counts towards the score. A rule left out keeps its default.
    pub weights: BTreeMap<Rule, u32>,
    /// Q1: the lowest score of each grade.
    pub grades: GradeBoundaries,
}

/// P1's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProvisionDetail {
    /// The details a provision must give. `until` is left out by default: a plan is reviewed
    /// at least every 12 months (CFA 2014 s.44), so provision with no end point runs to the
    /// next review; when an `until` is given it must still be a date or review point.
    pub required: Vec<ProvisionField>,
    /// Words or phrases naming a role or qualification; a single word of five letters or more
    /// also matches the end of a word ("therapist" in "physiotherapist").
    pub roles: Vec<String>,
}

/// P2's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VagueTerms {
    /// Words and phrases that leave room for doubt when a provision is not quantified.
    pub terms: Vec<String>,
}

/// P3's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EducationalTherapies {
    /// The therapies, each with the words that name it.
    pub therapy: Vec<Therapy>,
}

/// A therapy that educates or trains, and the words that name it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Therapy {
    /// Its name in findings: "speech and language therapy".
    pub name: String,
    /// The words that name it in a plan: "SALT", "speech therapist"…
    pub terms: Vec<String>,
}

/// S6's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Adulthood {
    /// Words marking an outcome or provision as preparing for adulthood, for items not marked
    /// `preparing_for_adulthood`.
    pub terms: Vec<String>,
}

/// O1's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServicePhrases {
    /// Phrases by which an outcome describes a service the child gets instead of what the child
    /// will achieve: "will receive", "will have access to".
    pub phrases: Vec<String>,
}

/// L1's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Readability {
    /// Acronyms a family knows without explanation ("NHS", "GP").
    pub well_known: Vec<String>,
    /// Acronyms with what they stand for, so a finding can suggest the words; mixed-case ones
    /// ("SENCo") are recognised only when listed here.
    pub expansions: BTreeMap<String, String>,
    /// A sentence longer than this many words is flagged.
    pub max_sentence_words: usize,
}

/// L2's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HouseRules {
    /// Words the plan must not use, such as the names of medicines (which change more often
    /// than the plan; the health advice names them).
    pub banned_terms: Vec<String>,
    /// Titles that, before a capitalised word, mark a person's name ("Dr Okafor").
    pub practitioner_titles: Vec<String>,
}

/// The lowest score of each grade; below `requires_improvement` is Inadequate.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradeBoundaries {
    /// Lowest score graded Outstanding.
    pub outstanding: u8,
    /// Lowest score graded Good.
    pub good: u8,
    /// Lowest score graded Requires improvement.
    pub requires_improvement: u8,
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// The default weights: the law's structure and links count most, then specific provision and
/// outcomes, then language. They add up to 100.
pub const DEFAULT_WEIGHTS: &[(Rule, u32)] = &[
    (Rule::S1, 8),
    (Rule::S2, 4),
    (Rule::S3, 6),
    (Rule::S4, 3),
    (Rule::S5, 3),
    (Rule::S6, 5),
    (Rule::G1, 8),
    (Rule::G2, 5),
    (Rule::G3, 7),
    (Rule::G4, 5),
    (Rule::P1, 8),
    (Rule::P2, 8),
    (Rule::P3, 4),
    (Rule::P4, 4),
    (Rule::O1, 6),
    (Rule::L1, 3),
    (Rule::L2, 2),
    (Rule::L3, 4),
    (Rule::T1, 7),
];

impl Default for ProvisionDetail {
    fn default() -> Self {
        use ProvisionField as F;
        Self {
            required: vec![F::Who, F::Frequency, F::Duration, F::Group],
            roles: strings(&[
                "assistant",
                "teacher",
                "therapist",
                "practitioner",
                "worker",
                "nurse",
                "psychologist",
                "paediatrician",
                "mentor",
                "tutor",
                "coach",
                "trainer",
                "instructor",
                "coordinator",
                "specialist",
                "consultant",
                "carer",
                "audiologist",
                "dietitian",
                "lecturer",
                "senco",
                "hlta",
                "lsa",
                "ta",
                "ep",
                "ot",
                "slt",
            ]),
        }
    }
}

impl Default for VagueTerms {
    fn default() -> Self {
        // The list of shared/docs/plan-quality.md (P2), from the case law on specificity.
        Self {
            terms: strings(&[
                "access to",
                "opportunities",
                "support",
                "input",
                "regular",
                "as required",
                "as appropriate",
                "where possible",
                "up to",
                "some",
                "ongoing",
                "subject to availability",
            ]),
        }
    }
}

impl Default for EducationalTherapies {
    fn default() -> Self {
        let therapy = |name: &str, terms: &[&str]| Therapy {
            name: name.to_owned(),
            terms: strings(terms),
        };
        Self {
            therapy: vec![
                therapy(
                    "speech and language therapy",
                    &[
                        "speech and language therapy",
                        "speech and language therapist",
                        "speech therapy",
                        "speech therapist",
                        "SALT",
                        "SLT",
                    ],
                ),
                therapy(
                    "occupational therapy",
                    &["occupational therapy", "occupational therapist", "OT"],
                ),
                therapy(
                    "physiotherapy",
                    &["physiotherapy", "physiotherapist", "physio"],
                ),
            ],
        }
    }
}

impl Default for Adulthood {
    fn default() -> Self {
        // The four preparing-for-adulthood areas of the Code of Practice (chapter 8).
        Self {
            terms: strings(&[
                "preparing for adulthood",
                "adulthood",
                "employment",
                "paid work",
                "work experience",
                "supported internship",
                "apprenticeship",
                "career",
                "independent living",
                "live independently",
                "independent travel",
                "travel independently",
                "travel training",
                "community",
                "friendships",
                "relationships",
                "further education",
                "higher education",
            ]),
        }
    }
}

impl Default for ServicePhrases {
    fn default() -> Self {
        Self {
            phrases: strings(&[
                "will receive",
                "will be given",
                "will be provided",
                "will have access to",
                "will access",
                "will attend",
                "will be supported",
                "will continue to receive",
                "to receive",
                "to be provided with",
                "to have access to",
            ]),
        }
    }
}

impl Default for Readability {
    fn default() -> Self {
        let expansions = [
            ("ADHD", "attention deficit hyperactivity disorder"),
            ("ASC", "autism spectrum condition"),
            ("ASD", "autism spectrum disorder"),
            ("CAMHS", "child and adolescent mental health services"),
            ("DCD", "developmental coordination disorder"),
            ("EHC", "education, health and care"),
            ("EHCP", "education, health and care plan"),
            ("ELSA", "emotional literacy support assistant"),
            ("EP", "educational psychologist"),
            ("HLTA", "higher level teaching assistant"),
            ("KS", "Key Stage"),
            ("LSA", "learning support assistant"),
            ("MLD", "moderate learning difficulty"),
            ("OT", "occupational therapy"),
            ("PfA", "preparing for adulthood"),
            ("SALT", "speech and language therapy"),
            ("SEMH", "social, emotional and mental health"),
            ("SEN", "special educational needs"),
            ("SENCo", "special educational needs co-ordinator"),
            ("SEND", "special educational needs and disabilities"),
            ("SLCN", "speech, language and communication needs"),
            ("SLT", "speech and language therapy"),
            ("SpLD", "specific learning difficulty"),
            ("TA", "teaching assistant"),
        ];
        Self {
            well_known: strings(&["UK", "NHS", "GP", "TV", "PE", "ICT", "IT", "OK"]),
            expansions: expansions
                .iter()
                .map(|(a, e)| ((*a).to_owned(), (*e).to_owned()))
                .collect(),
            // Plain-English guidance commonly puts the limit for easy reading at 20–25 words;
            // 30 leaves room for the lists plans are full of.
            max_sentence_words: 30,
        }
    }
}

impl Default for HouseRules {
    fn default() -> Self {
        Self {
            // Medicines often named in plans; an area's own list replaces this one.
            banned_terms: strings(&[
                "methylphenidate",
                "Ritalin",
                "Concerta",
                "Equasym",
                "Medikinet",
                "lisdexamfetamine",
                "Elvanse",
                "atomoxetine",
                "guanfacine",
                "melatonin",
                "risperidone",
                "aripiprazole",
                "fluoxetine",
                "sertraline",
                "sodium valproate",
                "Epilim",
                "levetiracetam",
                "Keppra",
                "lamotrigine",
                "carbamazepine",
                "midazolam",
                "Buccolam",
                "baclofen",
            ]),
            practitioner_titles: strings(&[
                "Dr",
                "Mr",
                "Mrs",
                "Ms",
                "Miss",
                "Mx",
                "Prof",
                "Professor",
            ]),
        }
    }
}

impl Default for GradeBoundaries {
    fn default() -> Self {
        Self {
            outstanding: 90,
            good: 75,
            requires_improvement: 50,
        }
    }
}

impl Default for PlanCheckConfig {
    fn default() -> Self {
        Self {
            p1: ProvisionDetail::default(),
            p2: VagueTerms::default(),
            p3: EducationalTherapies::default(),
            s6: Adulthood::default(),
            o1: ServicePhrases::default(),
            l1: Readability::default(),
            l2: HouseRules::default(),
            weights: DEFAULT_WEIGHTS.iter().copied().collect(),
            grades: GradeBoundaries::default(),
        }
    }
}

impl PlanCheckConfig {
    /// Reads a configuration file; what it leaves out keeps its default (a list given replaces
    /// the default list; a weight given replaces that rule's weight only). Every problem is
    /// reported; a file that is not TOML gives the parser's one problem with its line.
    pub fn from_toml(text: &str) -> Result<Self, Vec<String>> {
        let mut config: Self = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            vec![format!("line {line}: {}", e.message().trim())]
        })?;
        for (rule, weight) in DEFAULT_WEIGHTS {
            config.weights.entry(*rule).or_insert(*weight);
        }
        let problems = config.problems();
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let g = &self.grades;
        if !(g.outstanding <= 100 && g.outstanding > g.good && g.good > g.requires_improvement) {
            problems
                .push("grades: need 100 >= outstanding > good > requires_improvement".to_owned());
        }
        if self.weights.values().all(|w| *w == 0) {
            problems.push("weights: at least one rule must have a weight above 0".to_owned());
        }
        if self.l1.max_sentence_words < 5 {
            problems.push("L1.max_sentence_words must be 5 or more".to_owned());
        }
        let lists: [(&str, &[String]); 7] = [
            ("P1.roles", &self.p1.roles),
            ("P2.terms", &self.p2.terms),
            ("S6.terms", &self.s6.terms),
            ("O1.phrases", &self.o1.phrases),
            ("L1.well_known", &self.l1.well_known),
            ("L2.banned_terms", &self.l2.banned_terms),
            ("L2.practitioner_titles", &self.l2.practitioner_titles),
        ];
        for (name, list) in lists {
            if list.iter().any(|w| w.trim().is_empty()) {
                problems.push(format!("{name}: an entry is blank"));
            }
        }
        for (number, therapy) in (1..).zip(&self.p3.therapy) {
            if therapy.name.trim().is_empty()
                || therapy.terms.is_empty()
                || therapy.terms.iter().any(|t| t.trim().is_empty())
            {
                problems.push(format!(
                    "P3.therapy {number}: needs a name and terms, none blank"
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_weights_cover_every_rule_and_add_up_to_100() {
        let config = PlanCheckConfig::default();
        assert_eq!(config.weights.len(), Rule::ALL.len());
        assert_eq!(config.weights.values().sum::<u32>(), 100);
        assert_eq!(PlanCheckConfig::from_toml(""), Ok(config));
    }

    #[test]
    fn the_example_file_reads() {
        let text = include_str!("../../../../examples/plan-checks.toml");
        let config = PlanCheckConfig::from_toml(text).unwrap();
        assert!(config.p2.terms.iter().any(|t| t == "as appropriate"));
    }

    #[test]
    fn a_file_changes_only_what_it_names() {
        let config = PlanCheckConfig::from_toml(
            "[P2]\nterms = [\"as needed\"]\n[weights]\nP2 = 20\n[grades]\ngood = 80\n",
        )
        .unwrap();
        assert_eq!(config.p2.terms, ["as needed"]);
        assert_eq!(config.weights[&Rule::P2], 20);
        assert_eq!(config.weights[&Rule::S1], 8, "others keep their default");
        assert_eq!(config.grades.good, 80);
        assert_eq!(config.grades.outstanding, 90);
        assert_eq!(config.p1, ProvisionDetail::default());
    }

    #[test]
    fn mistakes_are_reported() {
        let unknown = PlanCheckConfig::from_toml("\n[P2]\nwords = []\n").unwrap_err();
        assert!(
            unknown[0].starts_with("line 3: unknown field `words`"),
            "{unknown:?}"
        );
        let rule = PlanCheckConfig::from_toml("[weights]\nQ1 = 5\n").unwrap_err();
        assert!(rule[0].contains("unknown value \"Q1\""), "{rule:?}");
        let problems = PlanCheckConfig::from_toml(
            "[grades]\ngood = 95\n[L1]\nmax_sentence_words = 2\n[P2]\nterms = [\" \"]\n[[P3.therapy]]\nname = \"x\"\nterms = []\n",
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                "grades: need 100 >= outstanding > good > requires_improvement",
                "L1.max_sentence_words must be 5 or more",
                "P2.terms: an entry is blank",
                "P3.therapy 1: needs a name and terms, none blank",
            ]
        );
    }
}
