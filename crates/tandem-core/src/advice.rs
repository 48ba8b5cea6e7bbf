//! The standard advice form: what a health or social care professional or an education setting
//! gives the assessment, in one shape for every service (the WSOA's "standard format for
//! professional advice"), so that the plan can be written from it.
//!
//! Advice is sought under reg. 6(1) of the SEND Regulations 2014 and given within six weeks of
//! the request (reg. 8(1); SEND Code of Practice 2015, para 9.40 for everyone asked). The Code
//! asks that it be clear, specific and say what the child's needs are, what outcomes are sought
//! and what provision meets them (paras 9.46–9.49), provision being "detailed and specific and
//! should normally be quantified" (para 9.69).

use serde::{Deserialize, Serialize};

use crate::AdviceKind;

/// Most provision rows one piece of advice may hold; more is a sign of a pasted report.
pub const MAX_PROVISION: usize = 30;

/// Longest text of one field, in characters.
pub const MAX_TEXT: usize = 10_000;

/// One piece of advice as written on the form: saved as a draft as often as wanted, checked
/// only when submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdviceForm {
    /// The child's needs as the service sees them.
    pub needs: String,
    /// The outcomes the service would like the child to reach.
    pub outcomes: String,
    /// The provision the service recommends, one row each.
    pub provision: Vec<Provision>,
    /// Who was consulted in writing it: the child, the family, other professionals.
    pub consulted: String,
}

/// A recommended provision, specific enough to be written into section F, G or H of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provision {
    /// What is to be provided ("speech and language therapy targeting attention and listening").
    pub what: String,
    /// Who delivers it, by role or qualification ("a speech and language therapist").
    pub who: String,
    /// How often ("weekly").
    pub how_often: String,
    /// For how long each time, and over what period ("45 minutes, for two terms").
    pub how_long: String,
}

impl Provision {
    /// Whether nothing was written in the row (a spare row of the form).
    pub fn is_blank(&self) -> bool {
        [&self.what, &self.who, &self.how_often, &self.how_long]
            .iter()
            .all(|f| f.trim().is_empty())
    }
}

/// A problem that stops advice being submitted, named by the form field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceProblem {
    /// The form field: `needs`, `outcomes`, `consulted`, `provision`, or
    /// `provision-{n}-{what|who|how_often|how_long}` for row `n` (from 1).
    pub field: String,
    /// What to do, in words to show the person writing.
    pub message: String,
}

impl AdviceForm {
    /// The form with blank provision rows dropped and every text trimmed.
    pub fn tidied(mut self) -> Self {
        for text in [&mut self.needs, &mut self.outcomes, &mut self.consulted] {
            *text = text.trim().to_owned();
        }
        self.provision.retain(|p| !p.is_blank());
        for row in &mut self.provision {
            for text in [
                &mut row.what,
                &mut row.who,
                &mut row.how_often,
                &mut row.how_long,
            ] {
                *text = text.trim().to_owned();
            }
        }
        self
    }

    /// What stops a draft being saved at all: only sizes, so that half-written advice is never
    /// lost.
    pub fn draft_problems(&self) -> Vec<AdviceProblem> {
        let mut problems = Vec::new();
        if self.provision.len() > MAX_PROVISION {
            problems.push(problem(
                "provision",
                format!("Give {MAX_PROVISION} provisions or fewer; attach a report for more"),
            ));
        }
        let mut texts = vec![
            ("needs", &self.needs),
            ("outcomes", &self.outcomes),
            ("consulted", &self.consulted),
        ];
        for row in &self.provision {
            texts.extend([
                ("provision", &row.what),
                ("provision", &row.who),
                ("provision", &row.how_often),
                ("provision", &row.how_long),
            ]);
        }
        for (field, text) in texts {
            if text.chars().count() > MAX_TEXT {
                problems.push(problem(
                    field,
                    format!("Keep each answer to {MAX_TEXT} characters or fewer"),
                ));
            }
        }
        problems.dedup();
        problems
    }

    /// What stops the advice being submitted, for advice of `kind`: every question answered,
    /// at least one provision, and every provision saying what, who, how often and how long
    /// (Code of Practice para 9.69: provision "detailed and specific and should normally be
    /// quantified").
    pub fn submit_problems(&self, kind: AdviceKind) -> Vec<AdviceProblem> {
        let mut problems = self.draft_problems();
        let labels = FormLabels::for_kind(kind);
        if !labels.strict {
            // A family's views: their own words about needs are all that is asked for.
            if self.needs.trim().is_empty() {
                problems.push(problem(
                    "needs",
                    format!("Enter {}", lower_first(labels.needs)),
                ));
            }
            return problems;
        }
        for (field, text, label) in [
            ("needs", &self.needs, labels.needs),
            ("outcomes", &self.outcomes, labels.outcomes),
            ("consulted", &self.consulted, labels.consulted),
        ] {
            if text.trim().is_empty() {
                problems.push(problem(field, format!("Enter {}", lower_first(label))));
            }
        }
        if self.provision.iter().all(Provision::is_blank) {
            problems.push(problem(
                "provision-1-what",
                "Enter at least one provision you recommend",
            ));
        }
        for (n, row) in self
            .provision
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_blank())
        {
            for (name, text, what) in [
                ("what", &row.what, "what is to be provided"),
                ("who", &row.who, "who will provide it"),
                ("how_often", &row.how_often, "how often"),
                ("how_long", &row.how_long, "for how long"),
            ] {
                if text.trim().is_empty() {
                    problems.push(problem(
                        &format!("provision-{}-{name}", n + 1),
                        format!("Enter {what} for provision {}", n + 1),
                    ));
                }
            }
        }
        problems
    }
}

/// "The child’s health needs" as the object of "Enter …".
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

fn problem(field: &str, message: impl Into<String>) -> AdviceProblem {
    AdviceProblem {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The questions of the form in the words of the person answering it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormLabels {
    /// The question about needs ("The child's health needs").
    pub needs: &'static str,
    /// Its hint.
    pub needs_hint: &'static str,
    /// The question about outcomes.
    pub outcomes: &'static str,
    /// Its hint.
    pub outcomes_hint: &'static str,
    /// The question about who was consulted.
    pub consulted: &'static str,
    /// Its hint.
    pub consulted_hint: &'static str,
    /// Which section of the plan the provision goes to, for the hint.
    pub provision_section: &'static str,
    /// Whether every question and each provision's who, how often and how long must be
    /// answered: for professionals, not for a family giving their views.
    pub strict: bool,
}

const PROFESSIONAL: FormLabels = FormLabels {
    needs: "The child’s special educational needs",
    needs_hint: "What the child finds hard to learn or do, and what helps",
    outcomes: "The outcomes sought",
    outcomes_hint: "What the child should be able to do, and by when (for example, by the end of \
                    Year 4)",
    consulted: "Who was consulted",
    consulted_hint: "The child or young person, the family, and other professionals you spoke to",
    provision_section: "F (special educational provision)",
    strict: true,
};

impl FormLabels {
    /// The labels for advice of `kind`.
    pub fn for_kind(kind: AdviceKind) -> Self {
        match kind {
            AdviceKind::Health => Self {
                needs: "The child’s health needs",
                needs_hint: "Health needs related to their special educational needs: diagnoses, \
                             what they mean day to day, what affects learning",
                provision_section: "G (health provision)",
                ..PROFESSIONAL
            },
            AdviceKind::SocialCare => Self {
                needs: "The child’s social care needs",
                needs_hint: "Social care needs related to their special educational needs or \
                             disability, at home and in the community",
                provision_section: "H (social care provision)",
                ..PROFESSIONAL
            },
            AdviceKind::PreparingForAdulthood => Self {
                needs: "The young person’s needs in preparing for adulthood",
                needs_hint: "Employment, independent living, friends and community, and health",
                provision_section: "F, G or H",
                ..PROFESSIONAL
            },
            AdviceKind::Parent => Self {
                needs: "Your child’s needs, as you see them",
                needs_hint: "What your child finds hard, what they enjoy and are good at, and what \
                             helps at home and at school",
                outcomes: "What you would like your child to achieve",
                outcomes_hint: "In the next year or two, and when they are older",
                consulted: "Who helped you write this (optional)",
                consulted_hint: "For example, your child, a relative or a SENDIASS adviser",
                provision_section: "F, G or H",
                strict: false,
            },
            AdviceKind::Education | AdviceKind::EducationalPsychology | AdviceKind::Other => {
                PROFESSIONAL
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(what: &str, who: &str, how_often: &str, how_long: &str) -> Provision {
        Provision {
            what: what.into(),
            who: who.into(),
            how_often: how_often.into(),
            how_long: how_long.into(),
        }
    }

    fn complete() -> AdviceForm {
        AdviceForm {
            needs: "Delayed expressive language".into(),
            outcomes: "By July 2027, uses three-word phrases in class".into(),
            provision: vec![row(
                "Speech and language therapy",
                "A speech and language therapist",
                "Weekly",
                "45 minutes, for two terms",
            )],
            consulted: "Parents; class teacher".into(),
        }
    }

    fn fields(problems: &[AdviceProblem]) -> Vec<&str> {
        problems.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn complete_advice_can_be_submitted() {
        assert!(complete().submit_problems(AdviceKind::Health).is_empty());
    }

    #[test]
    fn an_empty_form_names_every_missing_answer_in_the_services_words() {
        let problems = AdviceForm::default().submit_problems(AdviceKind::Health);
        assert_eq!(
            fields(&problems),
            ["needs", "outcomes", "consulted", "provision-1-what"]
        );
        assert_eq!(problems[0].message, "Enter the child’s health needs");
        let social = AdviceForm::default().submit_problems(AdviceKind::SocialCare);
        assert_eq!(social[0].message, "Enter the child’s social care needs");
    }

    #[test]
    fn a_provision_must_say_what_who_how_often_and_how_long() {
        let mut form = complete();
        form.provision.push(row("Sensory circuit", "", "daily", ""));
        let problems = form.submit_problems(AdviceKind::Education);
        assert_eq!(
            fields(&problems),
            ["provision-2-who", "provision-2-how_long"]
        );
        assert_eq!(
            problems[0].message,
            "Enter who will provide it for provision 2"
        );
    }

    #[test]
    fn a_family_giving_their_views_is_asked_only_for_their_childs_needs() {
        let problems = AdviceForm::default().submit_problems(AdviceKind::Parent);
        assert_eq!(fields(&problems), ["needs"]);
        assert_eq!(
            problems[0].message,
            "Enter your child’s needs, as you see them"
        );
        let views = AdviceForm {
            needs: "Loud places are hard for her.".into(),
            provision: vec![row("A quiet space at lunchtime", "", "", "")],
            ..AdviceForm::default()
        };
        assert!(views.submit_problems(AdviceKind::Parent).is_empty());
    }

    #[test]
    fn blank_rows_are_spare_and_dropped_when_tidied() {
        let mut form = complete();
        form.provision.insert(0, row(" ", "", "", ""));
        form.needs = "  Delayed expressive language \n".into();
        assert!(form.submit_problems(AdviceKind::Health).is_empty());
        let tidied = form.tidied();
        assert_eq!(tidied.provision.len(), 1);
        assert_eq!(tidied.needs, "Delayed expressive language");
    }

    #[test]
    fn a_draft_may_be_half_written_but_not_oversized() {
        let half = AdviceForm {
            needs: "Started".into(),
            ..AdviceForm::default()
        };
        assert!(half.draft_problems().is_empty());
        let huge = AdviceForm {
            needs: "x".repeat(MAX_TEXT + 1),
            provision: vec![row("a", "b", "c", "d"); MAX_PROVISION + 1],
            ..AdviceForm::default()
        };
        assert_eq!(fields(&huge.draft_problems()), ["provision", "needs"]);
    }
}
