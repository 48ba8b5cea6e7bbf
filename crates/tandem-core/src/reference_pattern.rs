//! References made for new requests when none is typed (issue 13, the front door), from a
//! pattern the council chooses (`TANDEM_REFERENCE_PATTERN`), such as `EHC-{year}-{seq:06}`:
//! `{year}` is the year the request was received, `{seq}` a counter (`{seq:06}` zero-padded to
//! six digits). The counter runs per *scope*, the pattern with its year filled in, so a yearly
//! pattern starts again at 1 each year and one without `{year}` never does.

use crate::case_file::Reference;

/// The pattern used unless the council sets another.
pub const DEFAULT_PATTERN: &str = "EHC-{year}-{seq:06}";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Year,
    Seq { width: usize },
}

/// A checked pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePattern {
    parts: Vec<Part>,
}

/// Why a pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("reference pattern {pattern:?}: {why}")]
pub struct PatternError {
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl ReferencePattern {
    /// Reads `pattern`: text, `{year}` and exactly one `{seq}` or `{seq:0N}` (N from 1 to 12),
    /// making references of letters, digits, `-`, `_` and `.` that start with a letter or digit
    /// (the rules of [`Reference`]).
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        let refuse = |why| PatternError {
            pattern: pattern.to_owned(),
            why,
        };
        let mut parts = Vec::new();
        let mut rest = pattern;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let end = after.find('}').ok_or_else(|| refuse("a { is not closed"))?;
                let part = match &after[..end] {
                    "year" => Part::Year,
                    "seq" => Part::Seq { width: 1 },
                    other => {
                        let width = other
                            .strip_prefix("seq:0")
                            .and_then(|w| w.parse::<usize>().ok())
                            .filter(|w| (1..=12).contains(w))
                            .ok_or_else(|| refuse("only {year}, {seq} and {seq:0N} are known"))?;
                        Part::Seq { width }
                    }
                };
                parts.push(part);
                rest = &after[end + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                let text = &rest[..end];
                if !text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                {
                    return Err(refuse(
                        "a reference holds only letters, digits, '-', '_' and '.'",
                    ));
                }
                parts.push(Part::Text(text.to_owned()));
                rest = &rest[end..];
            }
        }
        let seqs = parts
            .iter()
            .filter(|p| matches!(p, Part::Seq { .. }))
            .count();
        if seqs != 1 {
            return Err(refuse("it needs exactly one {seq}"));
        }
        let made = Self { parts };
        // The longest reference it can make must still be a reference.
        made.render(9999, 999_999_999_999).ok_or_else(|| {
            refuse(
                "its references must start with a letter or digit and have at most 64 characters",
            )
        })?;
        Ok(made)
    }

    /// The counter's scope for a request received in `year`.
    pub fn scope(&self, year: i32) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(text) => text.clone(),
                Part::Year => year.to_string(),
                Part::Seq { .. } => "{seq}".to_owned(),
            })
            .collect()
    }

    /// The reference numbered `seq` for a request received in `year`, if it is a reference.
    pub fn render(&self, year: i32, seq: u64) -> Option<Reference> {
        let text: String = self
            .parts
            .iter()
            .map(|p| match p {
                Part::Text(text) => text.clone(),
                Part::Year => year.to_string(),
                Part::Seq { width } => format!("{seq:0width$}"),
            })
            .collect();
        Reference::parse(&text).ok()
    }
}

impl Default for ReferencePattern {
    #[expect(
        clippy::expect_used,
        reason = "the default pattern is a constant tested below"
    )]
    fn default() -> Self {
        Self::parse(DEFAULT_PATTERN).expect("the default pattern is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_numbers_each_year_from_one() {
        let pattern = ReferencePattern::default();
        assert_eq!(
            pattern.render(2026, 123).unwrap().as_str(),
            "EHC-2026-000123"
        );
        assert_eq!(pattern.scope(2026), "EHC-2026-{seq}");
        assert_ne!(pattern.scope(2026), pattern.scope(2027));
    }

    #[test]
    fn other_patterns() {
        let plain = ReferencePattern::parse("SEND{seq}").unwrap();
        assert_eq!(plain.render(2026, 7).unwrap().as_str(), "SEND7");
        assert_eq!(plain.scope(2026), plain.scope(2030));
        let year_last = ReferencePattern::parse("R{seq:04}.{year}").unwrap();
        assert_eq!(year_last.render(2026, 42).unwrap().as_str(), "R0042.2026");
    }

    #[test]
    fn refusals() {
        for (bad, says) in [
            ("EHC-{year}", "exactly one {seq}"),
            ("{seq}-{seq}", "exactly one {seq}"),
            ("EHC/{seq}", "only letters"),
            ("EHC-{yr}-{seq}", "only {year}"),
            ("EHC-{seq:013}", "only {year}"),
            ("EHC-{seq", "not closed"),
            ("-{seq}", "start with a letter or digit"),
            (&format!("{}{{seq}}", "A".repeat(60)), "at most 64"),
        ] {
            let error = ReferencePattern::parse(bad).unwrap_err().to_string();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
