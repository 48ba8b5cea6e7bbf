//! Surveys of families and partners after the key moments of a case (issue 17 item 3): which
//! moments send a survey, what its questions are, how an answer is checked, and how answers add
//! up to results per question and term by term.
//!
//! Asking families and partners what the assessment was like is how an area shows that it
//! works with them (SEND Code of Practice 2015, paragraphs 1.1 to 1.7 on participation, and
//! 4.9 on the local offer's feedback); the answers are anonymous, so nothing here knows which
//! case or family an answer came from.

use std::collections::BTreeMap;

use crate::disclosure::SmallNumbers;
use crate::input::{self, MAX_LABEL, MAX_TEXT};
use crate::metrics::Rate;
use crate::names::EventType;
use crate::notifications::Email;
use crate::plan::audit::Term;
use crate::{Date, EventDetail, dates};

/// How many days a survey link works unless configured (`TANDEM_SURVEY_DAYS`): four weeks, long
/// enough for a family to come back to it after a busy week.
pub const DEFAULT_LINK_DAYS: u32 = 28;

/// The most questions one survey may ask: a short survey is answered more often.
pub const MAX_QUESTIONS: usize = 10;

crate::names::machine_names! {
    /// The moment of a case after which a survey is sent.
    Moment {
        /// The family was told whether the council will assess (reg 4(2): within 6 weeks).
        AfterDecision => "after_decision",
        /// The final EHC plan was issued (reg 13(2): within 20 weeks).
        AfterFinalPlan => "after_final_plan",
        /// An annual review meeting was held (reg 18 and 20).
        AfterAnnualReview => "after_annual_review",
    }
}

impl Moment {
    /// The moment's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::AfterDecision => "After the decision whether to assess",
            Self::AfterFinalPlan => "After the final plan",
            Self::AfterAnnualReview => "After an annual review",
        }
    }

    /// The type of event that marks the moment.
    pub fn event_type(self) -> EventType {
        match self {
            Self::AfterDecision => EventType::DecisionToAssess,
            Self::AfterFinalPlan => EventType::FinalPlanIssued,
            Self::AfterAnnualReview => EventType::ReviewMeetingHeld,
        }
    }

    /// The moment an event marks, if it marks one.
    pub fn of(detail: &EventDetail) -> Option<Self> {
        match detail {
            EventDetail::DecisionToAssess { .. } => Some(Self::AfterDecision),
            EventDetail::FinalPlanIssued => Some(Self::AfterFinalPlan),
            EventDetail::ReviewMeetingHeld => Some(Self::AfterAnnualReview),
            _ => None,
        }
    }
}

crate::names::machine_names! {
    /// Who a survey asks.
    SurveyAudience {
        /// The parents, carers and young people linked to the case.
        Families => "families",
        /// The services asked for advice on the case (health, social care, settings).
        Partners => "partners",
    }
}

impl SurveyAudience {
    /// The audience's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Families => "Families",
            Self::Partners => "Partners",
        }
    }
}

crate::names::machine_names! {
    /// How a question is answered.
    QuestionKind {
        /// On the five-point agreement scale ([`SCALE`]); an answer is required.
        Scale => "scale",
        /// In the person's own words; optional.
        Text => "text",
    }
}

/// The first point that agrees, as an index into [`SCALE`].
const AGREE: usize = 3;

/// Whether a point on the scale agrees (4 or 5).
pub fn agrees(point: u8) -> bool {
    usize::from(point) > AGREE
}

/// The five-point agreement scale, from 1 to 5. Agreeing (4 or 5) counts as positive.
pub const SCALE: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];

/// One question of a survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Its id in the store.
    pub id: i64,
    /// How it is answered.
    pub kind: QuestionKind,
    /// What it asks.
    pub text: String,
}

/// A survey as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    /// Its id in the store.
    pub id: i64,
    /// Its title, shown at the top of the answer page.
    pub title: String,
    /// After which moment it is sent.
    pub moment: Moment,
    /// Whom it asks.
    pub audience: SurveyAudience,
    /// Whether it is sent at its moment; a survey replaced by another is stopped, and its
    /// results kept.
    pub active: bool,
    /// Its questions, in order.
    pub questions: Vec<Question>,
}

/// One answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A point on the scale, 1 to 5.
    Scale(u8),
    /// Words (never empty).
    Text(String),
}

/// A problem with an answer to the question of this id, in words for the person answering.
pub type AnswerProblem = (i64, String);

/// Checks what was submitted for each question (by id; absent or empty when not answered):
/// every scale question needs a point from 1 to 5, words are optional and at most
/// [`MAX_TEXT`] characters. Returns the answers given, or every problem.
pub fn check_answers(
    questions: &[Question],
    submitted: &BTreeMap<i64, String>,
) -> Result<Vec<(i64, Answer)>, Vec<AnswerProblem>> {
    let mut answers = Vec::new();
    let mut problems = Vec::new();
    for question in questions {
        let given = submitted.get(&question.id).map_or("", |s| s.trim());
        match question.kind {
            QuestionKind::Scale => match given.parse::<u8>() {
                Ok(point @ 1..=5) => answers.push((question.id, Answer::Scale(point))),
                _ => problems.push((
                    question.id,
                    format!("Select how far you agree: {}", question.text),
                )),
            },
            QuestionKind::Text if given.is_empty() => {}
            QuestionKind::Text => match input::check_text(given, MAX_TEXT, true) {
                Ok(()) => answers.push((question.id, Answer::Text(given.to_owned()))),
                Err(problem) => problems.push((question.id, problem.message("Your answer"))),
            },
        }
    }
    if problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

/// What is wrong with a form, field by field: the field's name and the message.
pub type FieldProblems = Vec<(&'static str, String)>;

/// Reads a survey's questions as a manager types them: one question per line, scale questions
/// first, then those answered in words. Returns the questions or what is wrong, by field
/// (`scale_questions` or `text_questions`).
pub fn read_questions(
    scale: &str,
    text: &str,
) -> Result<Vec<(QuestionKind, String)>, FieldProblems> {
    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut problems = Vec::new();
    let mut questions = Vec::new();
    for (field, kind, typed) in [
        ("scale_questions", QuestionKind::Scale, scale),
        ("text_questions", QuestionKind::Text, text),
    ] {
        for line in lines(typed) {
            if let Err(problem) = input::check_text(&line, MAX_LABEL, false) {
                problems.push((field, problem.message("Each question")));
            }
            questions.push((kind, line));
        }
    }
    if !questions
        .iter()
        .any(|(kind, _)| *kind == QuestionKind::Scale)
    {
        problems.push((
            "scale_questions",
            "Enter at least one question answered on the agreement scale".to_owned(),
        ));
    }
    if questions.len() > MAX_QUESTIONS {
        problems.push((
            "text_questions",
            format!("A survey may ask at most {MAX_QUESTIONS} questions"),
        ));
    }
    if problems.is_empty() {
        Ok(questions)
    } else {
        problems.dedup();
        Err(problems)
    }
}

/// How the answers to one scale question add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScaleTally {
    /// How many chose each point, 1 to 5.
    pub counts: [u64; 5],
}

impl ScaleTally {
    /// Counts `times` answers of `point` (a point off the scale counts nowhere).
    pub fn add(&mut self, point: u8, times: u64) {
        if let Some(count) = usize::from(point)
            .checked_sub(1)
            .and_then(|i| self.counts.get_mut(i))
        {
            *count += times;
        }
    }

    /// How many answered.
    pub fn answered(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The share who agreed (4 or 5) of those who answered.
    pub fn positive(&self) -> Rate {
        Rate {
            numerator: self.counts[AGREE..].iter().sum(),
            denominator: self.answered(),
        }
    }
}

/// One term's figures for a survey: links sent, responses, and how positive the scale answers
/// were (every scale answer of every response counted once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermFigures {
    /// The term the links were sent in (a response counts in the term its link was sent).
    pub term: Term,
    /// Links sent.
    pub sent: u64,
    /// Responses received.
    pub responses: u64,
    /// Scale answers that agreed, of all scale answers.
    pub positive: Rate,
}

impl TermFigures {
    /// Responses of links sent.
    pub fn response_rate(&self) -> Rate {
        Rate {
            numerator: self.responses,
            denominator: self.sent,
        }
    }

    /// Whether the term's figures are too few to show to this reader: fewer responses than the
    /// threshold would let someone who knows which families were asked guess who said what,
    /// so the term's results are left out whole, and its response count with them.
    pub fn hidden(&self, small: SmallNumbers) -> bool {
        small.hides(self.responses)
    }
}

/// The email inviting someone to answer a survey: its one-use link at `base_url`, working until
/// `expires`. The subject names no case and no child.
pub fn invitation_email(base_url: &str, token: &str, survey: &Survey, expires: Date) -> Email {
    let base = base_url.trim_end_matches('/');
    let about = match survey.moment {
        Moment::AfterDecision => "the decision whether to carry out an EHC needs assessment",
        Moment::AfterFinalPlan => "the EHC plan that was issued",
        Moment::AfterAnnualReview => "the annual review of an EHC plan",
    };
    Email {
        subject: "Tandem: tell us how it went (a short survey)".to_owned(),
        body: format!(
            "We would like to know how you found {about}. The survey has {} questions and takes a few minutes.\n\nAnswer it here:\n{base}/feedback/{token}\n\nThe link works once, until {}. Your answers are anonymous: they are not kept with your name or the child's record.\n\nThis email was sent by Tandem. Please do not reply to it.\n",
            survey.questions.len(),
            dates::long(expires),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Vec<Question> {
        vec![
            Question {
                id: 1,
                kind: QuestionKind::Scale,
                text: "We were listened to".into(),
            },
            Question {
                id: 2,
                kind: QuestionKind::Text,
                text: "What could be better?".into(),
            },
        ]
    }

    fn submitted(pairs: &[(i64, &str)]) -> BTreeMap<i64, String> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }

    #[test]
    fn a_scale_answer_is_required_and_words_are_optional() {
        assert_eq!(
            check_answers(&questions(), &submitted(&[(1, "4")])),
            Ok(vec![(1, Answer::Scale(4))])
        );
        assert_eq!(
            check_answers(&questions(), &submitted(&[(1, "5"), (2, "  More calls  ")])),
            Ok(vec![
                (1, Answer::Scale(5)),
                (2, Answer::Text("More calls".into()))
            ])
        );
        for wrong in ["", "0", "6", "x"] {
            let problems = check_answers(&questions(), &submitted(&[(1, wrong)])).unwrap_err();
            assert_eq!(problems.len(), 1, "{wrong:?}");
            assert_eq!(problems[0].0, 1);
            assert!(problems[0].1.contains("We were listened to"));
        }
        let long = "a".repeat(MAX_TEXT + 1);
        let problems = check_answers(&questions(), &submitted(&[(1, "3"), (2, &long)]));
        assert_eq!(problems.unwrap_err()[0].0, 2);
    }

    #[test]
    fn questions_are_read_one_per_line_with_at_least_one_scale_question() {
        let read = read_questions(
            "We were listened to\n\n  It was clear  \n",
            "Anything else?",
        )
        .unwrap();
        assert_eq!(
            read,
            vec![
                (QuestionKind::Scale, "We were listened to".into()),
                (QuestionKind::Scale, "It was clear".into()),
                (QuestionKind::Text, "Anything else?".into()),
            ]
        );
        let none = read_questions("", "Anything else?").unwrap_err();
        assert_eq!(none[0].0, "scale_questions");
        let many = "q\n".repeat(MAX_QUESTIONS + 1);
        assert_eq!(
            read_questions(&many, "").unwrap_err()[0].0,
            "text_questions"
        );
    }

    #[test]
    fn tallies_count_each_point_and_agreement_is_positive() {
        let mut tally = ScaleTally::default();
        for point in [1, 4, 5, 3, 9, 0] {
            tally.add(point, 1);
        }
        tally.add(5, 1);
        assert_eq!(tally.counts, [1, 0, 1, 1, 2]);
        assert_eq!(tally.answered(), 5);
        assert!(agrees(4) && agrees(5) && !agrees(3) && !agrees(1));
        assert_eq!(
            tally.positive(),
            Rate {
                numerator: 3,
                denominator: 5
            }
        );
    }

    #[test]
    fn a_term_with_few_responses_is_hidden_from_readers_with_a_threshold() {
        let term = |responses| TermFigures {
            term: Term::containing(Date::from_ymd_opt(2026, 10, 1).unwrap()),
            sent: 40,
            responses,
            positive: Rate::default(),
        };
        let small = SmallNumbers::below(5);
        assert!(term(3).hidden(small));
        assert!(!term(0).hidden(small));
        assert!(!term(5).hidden(small));
        assert!(!term(3).hidden(SmallNumbers::SHOWN));
        assert_eq!(term(10).response_rate().numerator, 10);
    }

    #[test]
    fn moments_come_from_the_events_that_mark_them() {
        assert_eq!(
            Moment::of(&EventDetail::FinalPlanIssued),
            Some(Moment::AfterFinalPlan)
        );
        assert_eq!(
            Moment::of(&EventDetail::ReviewMeetingHeld),
            Some(Moment::AfterAnnualReview)
        );
        assert_eq!(Moment::of(&EventDetail::DraftPlanIssued), None);
        let marking = [
            EventDetail::DecisionToAssess {
                outcome: crate::names::AssessOutcome::Assess,
            },
            EventDetail::FinalPlanIssued,
            EventDetail::ReviewMeetingHeld,
        ];
        for detail in marking {
            let moment = Moment::of(&detail).expect("a moment");
            assert_eq!(moment.event_type(), detail.event_type());
        }
    }

    #[test]
    fn the_email_names_no_case_and_carries_the_link() {
        let survey = Survey {
            id: 1,
            title: "After your assessment".into(),
            moment: Moment::AfterDecision,
            audience: SurveyAudience::Families,
            active: true,
            questions: questions(),
        };
        let email = invitation_email(
            "https://tandem.example/",
            "TOKEN",
            &survey,
            Date::from_ymd_opt(2026, 3, 1).unwrap(),
        );
        assert!(!email.subject.contains("TOKEN"));
        assert!(email.body.contains("https://tandem.example/feedback/TOKEN"));
        assert!(email.body.contains("1 March 2026"));
    }
}
