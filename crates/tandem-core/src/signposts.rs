//! Signposts for families (issue 11): the area's local offer and local schemes (a leisure-access
//! card for children with SEND, a parent carer forum, the SEND information and advice service).
//! The inspection found families unaware of them, so the family's pages link to them. They are
//! the area's own, so they are data (`TANDEM_SIGNPOSTS`, a TOML file like
//! `examples/signposts.toml`), never code.

use serde::Deserialize;

/// One link with a short text saying what it offers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signpost {
    /// The link text, e.g. "Our local offer".
    pub title: String,
    /// Where it goes: an `https://` address (or `http://`, `mailto:`, `tel:`).
    pub href: String,
    /// One or two sentences on what the family finds there.
    pub text: String,
}

/// The area's signposts, in the order the file gives them; empty when none are configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signposts(pub Vec<Signpost>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignpostsToml {
    #[serde(default)]
    signpost: Vec<Signpost>,
}

/// Longest title and text accepted: a signpost is a pointer, not a page.
const MAX_TITLE: usize = 80;
const MAX_TEXT: usize = 300;

impl Signposts {
    /// Reads `[[signpost]]` tables of `title`, `href` and `text`. Every problem is reported, by
    /// signpost number (from 1), so that a mistake is found before the server starts.
    pub fn from_toml(text: &str) -> Result<Self, Vec<String>> {
        let raw: SignpostsToml =
            toml::from_str(text).map_err(|e| vec![e.message().trim().to_owned()])?;
        let mut problems = Vec::new();
        for (number, signpost) in (1..).zip(&raw.signpost) {
            let mut problem =
                |message: &str| problems.push(format!("signpost {number}: {message}"));
            let title = signpost.title.trim();
            if title.is_empty() || title.chars().count() > MAX_TITLE {
                problem(&format!("title must be 1 to {MAX_TITLE} characters"));
            }
            if signpost.text.trim().is_empty() || signpost.text.chars().count() > MAX_TEXT {
                problem(&format!("text must be 1 to {MAX_TEXT} characters"));
            }
            let href = signpost.href.trim();
            let allowed = ["https://", "http://", "mailto:", "tel:"];
            if !allowed.iter().any(|scheme| href.starts_with(scheme))
                || href.chars().any(char::is_whitespace)
            {
                problem(
                    "href must be an https://, http://, mailto: or tel: address without spaces",
                );
            }
        }
        if problems.is_empty() {
            Ok(Self(raw.signpost))
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_signposts_in_order() {
        let read = Signposts::from_toml(
            r#"
[[signpost]]
title = "Local offer"
href = "https://www.example.gov.uk/local-offer"
text = "Schools, services and support in the area."

[[signpost]]
title = "SENDIASS"
href = "tel:01234567890"
text = "Free, impartial advice about SEND."
"#,
        )
        .expect("valid");
        let titles: Vec<&str> = read.0.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Local offer", "SENDIASS"]);
        assert_eq!(Signposts::from_toml(""), Ok(Signposts::default()));
    }

    #[test]
    fn refuses_unsafe_addresses_and_empty_texts_naming_each_signpost() {
        let problems = Signposts::from_toml(
            r#"
[[signpost]]
title = "Fine"
href = "https://example.org"
text = "ok"

[[signpost]]
title = ""
href = "javascript:alert(1)"
text = " "
"#,
        )
        .expect_err("invalid");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().all(|p| p.starts_with("signpost 2: ")));
        let unknown = Signposts::from_toml(
            "[[signpost]]\ntitle = \"a\"\nhref = \"https://x\"\ntext = \"t\"\ncolour = \"red\"\n",
        )
        .expect_err("unknown field");
        assert!(unknown[0].contains("colour"), "{unknown:?}");
    }
}
