//! Limits on what people type into a case, whatever the route (form, JSON API, import): how
//! long a text may be, which characters it may hold, and which dates are plausible.
//!
//! An outside security test saved a 1.9 MB name, names with NUL and right-to-left override
//! characters (which make text display differently from what it says), and dates of birth in
//! the year 0. Each limit here is a plain bound on input, not a statutory rule, except where
//! one is cited.

use chrono::Months;

use crate::case_file::CaseFile;
use crate::dates::{self, Date};
use crate::event::EventDetail;

/// A person's name (a child's given or family name).
pub const MAX_NAME: usize = 100;
/// A short label: a service asked for advice, a setting, an identifier.
pub const MAX_LABEL: usize = 200;
/// A sentence or paragraph: a reason, a note, evidence for an exception.
pub const MAX_TEXT: usize = 5_000;

/// The earliest date anything on a case may be dated: well before the first EHC needs
/// assessment (Children and Families Act 2014, Part 3, in force from 1 September 2014), so that
/// history carried over from statements still fits, and far from year 0.
pub const EARLIEST: Date = match Date::from_ymd_opt(2000, 1, 1) {
    Some(date) => date,
    None => panic!("a valid date"),
};

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// Longer than the limit, in characters.
    TooLong {
        /// The limit.
        max: usize,
    },
    /// A control character (NUL and the like), or a line break in a one-line field.
    Control,
    /// A character that changes the direction text is shown in (U+202A–U+202E, U+2066–U+2069).
    DirectionOverride,
}

impl TextProblem {
    /// The problem in a sentence, for the field called `label` ("Name", "Reason").
    pub fn message(self, label: &str) -> String {
        match self {
            Self::TooLong { max } => format!("{label} must be {max} characters or fewer"),
            Self::Control => format!("{label} must not contain control characters"),
            Self::DirectionOverride => {
                format!("{label} must not contain characters that change the direction of text")
            }
        }
    }
}

/// Checks a text against `max` characters; line breaks and tabs are allowed only when
/// `multiline`. The text is checked as given: trim it first if surrounding space is not wanted.
pub fn check_text(text: &str, max: usize, multiline: bool) -> Result<(), TextProblem> {
    if text.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    for c in text.chars() {
        if matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            return Err(TextProblem::DirectionOverride);
        }
        if c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')) {
            return Err(TextProblem::Control);
        }
    }
    Ok(())
}

/// Whether a date of birth is plausible for a request received on `received`: not before
/// [`EARLIEST`] less 25 years, and the child or young person under 25 on that day (an EHC plan
/// is for a child or a young person under 25: Children and Families Act 2014, s.83(2)).
pub fn plausible_birth(born: Date, received: Date) -> bool {
    let twenty_five_years = Months::new(25 * 12);
    let under_25 = received
        .checked_sub_months(twenty_five_years)
        .is_some_and(|turned_25| born > turned_25);
    let after_earliest = EARLIEST
        .checked_sub_months(twenty_five_years)
        .is_some_and(|earliest| born >= earliest);
    under_25 && after_earliest
}

/// Checks a detail of the child (`child.other`) by its field name: names against [`MAX_NAME`],
/// any other detail against [`MAX_LABEL`], all on one line.
pub fn check_child_field(field: &str, text: &str) -> Result<(), TextProblem> {
    let max = match field {
        "given_name" | "family_name" => MAX_NAME,
        _ => MAX_LABEL,
    };
    check_text(text, max, false)
}

/// Checks a text field of an event by its name (as in [`crate::event::Event::to_fields`]):
/// references and services are one-line labels, reasons and evidence are paragraphs. Fields
/// that are not free text (dates, codes) pass.
pub fn check_event_field(field: &str, text: &str) -> Result<(), TextProblem> {
    match field {
        "id" | "provider" => check_text(text, MAX_LABEL, false),
        "reason" | "evidence" => check_text(text, MAX_TEXT, true),
        _ => Ok(()),
    }
}

/// What is wrong with a whole case file by these limits, one sentence each: for the importer,
/// which reads case files from other systems rather than through the forms and the API (whose
/// services name each field at fault instead).
pub fn case_file_problems(case: &CaseFile) -> Vec<String> {
    let mut problems = Vec::new();
    for (field, value) in &case.child.other {
        let Some(text) = value.as_str() else { continue };
        if let Err(problem) = check_child_field(field, text) {
            problems.push(problem.message(&format!("child.{field}")));
        }
    }
    for event in &case.events {
        if event.date < EARLIEST {
            problems.push(format!(
                "{} dated {} is before {}",
                event.event_type().as_str(),
                event.date,
                dates::long(EARLIEST)
            ));
        }
        for (field, text) in event.to_fields() {
            if let Err(problem) = check_event_field(field, &text) {
                problems.push(problem.message(&format!("{} {field}", event.event_type().as_str())));
            }
        }
    }
    let received = case
        .events
        .iter()
        .filter(|e| matches!(e.detail, EventDetail::RequestReceived))
        .map(|e| e.date)
        .min();
    if let (Some(born), Some(received)) = (case.child.date_of_birth, received)
        && !plausible_birth(born, received)
    {
        problems.push(format!(
            "child.date_of_birth {born} is not of a child or young person under 25 when the \
             request was received ({received})"
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().expect("date")
    }

    #[test]
    fn a_case_file_from_elsewhere_is_held_to_the_same_limits() {
        let case = CaseFile::from_json(&serde_json::json!({
            "reference": "EHC-1",
            "child": { "given_name": "Ro\u{202e}bin", "family_name": "Test", "date_of_birth": "0000-01-01" },
            "events": [
                { "type": "request_received", "date": "0001-01-01" },
                { "type": "advice_requested", "date": "2026-01-02", "advice": "health", "provider": "x".repeat(201) },
            ],
        }).to_string())
        .expect("a case file");
        assert_eq!(
            case_file_problems(&case),
            [
                "child.given_name must not contain characters that change the direction of text",
                "request_received dated 0001-01-01 is before 1 January 2000",
                "advice_requested provider must be 200 characters or fewer",
                "child.date_of_birth 0000-01-01 is not of a child or young person under 25 when \
                 the request was received (0001-01-01)",
            ]
        );
        let fine = CaseFile::from_json(&serde_json::json!({
            "reference": "EHC-2",
            "child": { "given_name": "Robin", "family_name": "Test", "date_of_birth": "2015-06-01" },
            "events": [{ "type": "request_received", "date": "2026-01-05" }],
        }).to_string())
        .expect("a case file");
        assert!(case_file_problems(&fine).is_empty());
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        assert_eq!(check_text(&"é".repeat(100), MAX_NAME, false), Ok(()));
        assert_eq!(
            check_text(&"é".repeat(101), MAX_NAME, false),
            Err(TextProblem::TooLong { max: 100 })
        );
    }

    #[test]
    fn control_and_direction_characters_are_refused() {
        assert_eq!(
            check_text("Ro\0bin", MAX_NAME, false),
            Err(TextProblem::Control)
        );
        assert_eq!(
            check_text("Robin\n", MAX_NAME, false),
            Err(TextProblem::Control)
        );
        assert_eq!(
            check_text("line one\r\nline two\t.", MAX_TEXT, true),
            Ok(())
        );
        assert_eq!(
            check_text("a\u{7}b", MAX_TEXT, true),
            Err(TextProblem::Control)
        );
        for c in ['\u{202e}', '\u{202a}', '\u{2066}', '\u{2069}'] {
            assert_eq!(
                check_text(&format!("Robin{c}txt.exe"), MAX_NAME, false),
                Err(TextProblem::DirectionOverride),
                "{c:?}"
            );
        }
        // Scripts written right to left are ordinary text.
        assert_eq!(check_text("مريم", MAX_NAME, false), Ok(()));
        assert_eq!(check_text("Zoë O’Brien-Łukasz", MAX_NAME, false), Ok(()));
    }

    #[test]
    fn a_birth_is_plausible_for_anyone_under_25_on_the_day_of_the_request() {
        let received = date("2026-03-10");
        assert!(plausible_birth(date("2001-03-11"), received));
        assert!(
            !plausible_birth(date("2001-03-10"), received),
            "25 that day"
        );
        assert!(!plausible_birth(date("0001-01-01"), received));
        // 29 February: 25 years before 29 Feb 2028 is 29 Feb 2003.
        assert!(plausible_birth(date("2003-03-01"), date("2028-02-29")));
        assert!(!plausible_birth(date("2003-02-28"), date("2028-02-29")));
        assert!(!plausible_birth(date("0001-01-01"), date("0001-06-01")));
    }
}
