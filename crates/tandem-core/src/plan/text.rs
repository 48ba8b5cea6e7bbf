//! Word-level reading of plan text for the quality checks: words with their place in the text,
//! phrases matched on word boundaries, and the few patterns the checks look for (how often, how
//! long, group size, a date or end point, quantities, acronyms, practitioners' titles).
//!
//! Everything here is deliberately simple and explainable: a finding quotes the words it was
//! triggered by, so a case manager can see why and disagree.

/// One word (a run of letters) or number (a run of digits, with `.` or `,` inside it) of a text.
/// Letters and digits never share a token, so "30min" is "30" then "min" and "KS2" is "KS" then
/// "2"; hyphens and apostrophes separate words ("one-to-one" is three).
#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    /// The token as written.
    pub(crate) raw: &'a str,
    /// The token in lower case, for matching.
    pub(crate) lower: String,
    /// Byte offset of its first character.
    pub(crate) start: usize,
    /// Byte offset just after its last character.
    pub(crate) end: usize,
}

impl Token<'_> {
    fn is_number(&self) -> bool {
        self.raw.starts_with(|c: char| c.is_ascii_digit())
    }
}

/// The words and numbers of `text`, in order.
pub(crate) fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, first)) = chars.next() {
        let digits = first.is_ascii_digit();
        if !digits && !first.is_alphabetic() {
            continue;
        }
        let mut end = start + first.len_utf8();
        while let Some(&(at, next)) = chars.peek() {
            let continues = if digits {
                next.is_ascii_digit()
                    || (matches!(next, '.' | ',')
                        && text[at + 1..].starts_with(|c: char| c.is_ascii_digit()))
            } else {
                next.is_alphabetic()
            };
            if !continues {
                break;
            }
            end = at + next.len_utf8();
            chars.next();
        }
        let raw = &text[start..end];
        out.push(Token {
            raw,
            lower: raw.to_lowercase(),
            start,
            end,
        });
    }
    out
}

/// Whether `word` is `term` or a simple inflection of it: "supported" and "supports" for
/// "support", "regularly" for "regular", "opportunity" for "opportunities". Both lower case.
pub(crate) fn same_word(term: &str, word: &str) -> bool {
    if word == term {
        return true;
    }
    if let Some(suffix) = word.strip_prefix(term) {
        return matches!(suffix, "s" | "es" | "ly" | "ed" | "d" | "ing");
    }
    let stem = |w: &'_ str| {
        w.strip_suffix("ies")
            .or_else(|| w.strip_suffix('y'))
            .map(str::to_owned)
    };
    matches!((stem(term), stem(word)), (Some(a), Some(b)) if a == b && a.len() >= 3)
}

/// Where `phrase` first occurs in the tokens, as the byte range it covers. Words must follow one
/// another; the last may be inflected ([`same_word`]). Case does not matter.
pub(crate) fn find_phrase(tokens: &[Token<'_>], phrase: &str) -> Option<(usize, usize)> {
    let words: Vec<String> = self::tokens(phrase).into_iter().map(|t| t.lower).collect();
    let (last, init) = words.split_last()?;
    tokens.windows(words.len()).find_map(|window| {
        let (window_last, window_init) = window.split_last()?;
        let matches = window_init.iter().zip(init).all(|(t, w)| t.lower == *w)
            && same_word(last, &window_last.lower);
        matches.then(|| (window[0].start, window_last.end))
    })
}

/// The first of `phrases` found in `text`, with the words as written there.
pub(crate) fn first_phrase<'t>(
    text: &'t str,
    tokens: &[Token<'_>],
    phrases: &[String],
) -> Option<&'t str> {
    phrases
        .iter()
        .find_map(|phrase| find_phrase(tokens, phrase))
        .map(|(start, end)| &text[start..end])
}

/// Every one of `phrases` found in `text`, each once, as written there, in the list's order.
pub(crate) fn all_phrases<'t>(
    text: &'t str,
    tokens: &[Token<'_>],
    phrases: &[String],
) -> Vec<&'t str> {
    phrases
        .iter()
        .filter_map(|phrase| find_phrase(tokens, phrase))
        .map(|(start, end)| &text[start..end])
        .collect()
}

/// A number written in digits ("30", "1.5", "1,000") or in words ("three", "twenty").
fn number(token: &Token<'_>) -> Option<f64> {
    if token.is_number() {
        return token.lower.replace(',', "").parse().ok();
    }
    const WORDS: &[(&str, f64)] = &[
        ("one", 1.0),
        ("two", 2.0),
        ("three", 3.0),
        ("four", 4.0),
        ("five", 5.0),
        ("six", 6.0),
        ("seven", 7.0),
        ("eight", 8.0),
        ("nine", 9.0),
        ("ten", 10.0),
        ("eleven", 11.0),
        ("twelve", 12.0),
        ("fifteen", 15.0),
        ("twenty", 20.0),
        ("thirty", 30.0),
        ("forty", 40.0),
        ("fifty", 50.0),
        ("sixty", 60.0),
        ("ninety", 90.0),
    ];
    WORDS
        .iter()
        .find(|(word, _)| *word == token.lower)
        .map(|(_, n)| *n)
}

/// Minutes in one `unit` of time, for the units a session length is given in.
fn minutes_in(unit: &str) -> Option<f64> {
    match unit {
        "minute" | "minutes" | "min" | "mins" => Some(1.0),
        "hour" | "hours" | "hr" | "hrs" => Some(60.0),
        _ => None,
    }
}

/// "an hour", "half an hour": `a`/`an` count as one only before a unit of time, so that
/// "twice a day" is not read as a day-long session.
fn number_before_time(tokens: &[Token<'_>], at: usize) -> Option<f64> {
    let token = &tokens[at];
    let n = match token.lower.as_str() {
        "a" | "an" => Some(1.0),
        _ => number(token),
    }?;
    let halved = at > 0 && tokens[at - 1].lower == "half";
    Some(if halved { n / 2.0 } else { n })
}

/// Whether the text says how long each session lasts: a number before minutes or hours ("30
/// minutes", "an hour", "1.5 hrs"), a number of days or nights ("5 days", "2 nights"), or a whole
/// day or lesson ("all day", "the whole lesson", "full school day").
pub(crate) fn has_duration(tokens: &[Token<'_>]) -> bool {
    const WHOLE: &[&str] = &["all", "full", "whole"];
    const SPANS: &[&str] = &["day", "lesson", "morning", "afternoon", "session"];
    let timed = tokens.windows(2).enumerate().any(|(at, pair)| {
        let unit = pair[1].lower.as_str();
        if minutes_in(unit).is_some() {
            number_before_time(tokens, at).is_some()
        } else {
            ["day", "night"].iter().any(|u| same_word(u, unit)) && number(&pair[0]).is_some()
        }
    });
    let whole = tokens.iter().enumerate().any(|(at, t)| {
        WHOLE.contains(&t.lower.as_str())
            && tokens
                .iter()
                .skip(at + 1)
                .take(2)
                .any(|next| SPANS.contains(&next.lower.as_str()))
    });
    timed || whole
}

/// Whether the text says how often: "daily", "weekly", "twice", "3 times", "every day",
/// "per week", "each lesson", "a week".
pub(crate) fn has_frequency(tokens: &[Token<'_>]) -> bool {
    const WORDS: &[&str] = &[
        "daily",
        "weekly",
        "fortnightly",
        "monthly",
        "termly",
        "annually",
        "yearly",
        "hourly",
        "once",
        "twice",
        "times",
        "everyday",
    ];
    const EVERY: &[&str] = &["every", "each", "per", "a", "an"];
    const PERIODS: &[&str] = &[
        "day",
        "week",
        "fortnight",
        "month",
        "term",
        "year",
        "lesson",
        "session",
        "morning",
        "afternoon",
        "lunchtime",
        "school",
    ];
    tokens.iter().any(|t| WORDS.contains(&t.lower.as_str()))
        || tokens.windows(2).any(|pair| {
            EVERY.contains(&pair[0].lower.as_str())
                && PERIODS.iter().any(|p| same_word(p, &pair[1].lower))
        })
}

/// Whether the text says the group size or ratio: "1:1", "1:3", "one to one", "individual",
/// "small group", "pairs", "whole class".
pub(crate) fn has_group(text: &str, tokens: &[Token<'_>]) -> bool {
    const WORDS: &[&str] = &[
        "individual",
        "individually",
        "group",
        "pair",
        "paired",
        "class",
        "ratio",
    ];
    let ratio = tokens.windows(2).any(|pair| {
        let between = text[pair[0].end..pair[1].start].trim();
        let numbers = number(&pair[0]).is_some() && number(&pair[1]).is_some();
        numbers && between == ":"
    });
    let spelt_ratio = tokens.windows(3).any(|three| {
        number(&three[0]).is_some() && three[1].lower == "to" && number(&three[2]).is_some()
    });
    ratio
        || spelt_ratio
        || tokens
            .iter()
            .any(|t| WORDS.iter().any(|w| same_word(w, &t.lower)))
}

/// Whether one of `roles` (a role or qualification) is named. A single word of five letters
/// or more also matches as the end of a word ("therapist" in "physiotherapist"); shorter ones
/// ("TA") and phrases must match whole words.
pub(crate) fn names_role(tokens: &[Token<'_>], roles: &[String]) -> bool {
    roles.iter().any(|role| {
        let role = role.to_lowercase();
        let single = !role.contains(|c: char| !c.is_alphabetic());
        if single && role.chars().count() >= 5 {
            tokens
                .iter()
                .any(|t| t.lower.ends_with(&role) || same_word(&role, &t.lower))
        } else {
            find_phrase(tokens, &role).is_some()
        }
    })
}

/// Whether the text gives a date or an end point: a year ("2027", which covers ISO dates and
/// "July 2027"), a month, a review ("annual review", "reviewed termly"), the end of a phase ("by
/// the end of Key Stage 2", "end of Year 6"), "by Year 9", "by age 16", "within 6 weeks", a
/// birthday.
pub(crate) fn is_time_bound(tokens: &[Token<'_>]) -> bool {
    const MONTHS: &[&str] = &[
        // "may" is left out: it is far more often the verb.
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    const PHASES: &[&str] = &[
        "year",
        "term",
        "key",
        "ks",
        "stage",
        "primary",
        "secondary",
        "school",
        "reception",
        "nursery",
        "college",
        "course",
        "programme",
        "academic",
        "autumn",
        "spring",
        "summer",
        "phase",
        "placement",
        "age",
    ];
    let year = |t: &Token<'_>| {
        t.raw.len() == 4
            && t.raw
                .parse::<u32>()
                .is_ok_and(|y| (1990..=2100).contains(&y))
    };
    let phase_within = |at: usize, span: usize| {
        tokens
            .iter()
            .skip(at + 1)
            .take(span)
            .any(|t| PHASES.contains(&t.lower.as_str()))
    };
    tokens.iter().enumerate().any(|(at, t)| {
        let word = t.lower.as_str();
        year(t)
            || MONTHS.contains(&word)
            // The noun or "reviewed", not "she reviews the programme".
            || matches!(word, "review" | "reviewed")
            || same_word("birthday", word)
            || (word == "end" && phase_within(at, 3))
            || (word == "by" && phase_within(at, 2))
            || (word == "within"
                && tokens
                    .get(at + 1)
                    .is_some_and(|n| number(n).is_some() || n.lower == "a"))
    })
}

/// An amount a provision or an advice states, normalised so that "1 hour" and "60 minutes",
/// or "3 sessions", "3 times" and "3 x", are the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Quantity {
    /// A length of time, in minutes.
    Minutes(f64),
    /// A number of sessions or times ("3 sessions", "3 times", "3 x", "twice"): plans and advice
    /// use the words for one another.
    Occasions(f64),
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Self::Minutes(m) if m >= 60.0 && m % 60.0 == 0.0 => {
                let hours = m / 60.0;
                write!(f, "{hours} hour{}", if hours == 1.0 { "" } else { "s" })
            }
            Self::Minutes(m) => write!(f, "{m} minute{}", if m == 1.0 { "" } else { "s" }),
            Self::Occasions(1.0) => f.write_str("once"),
            Self::Occasions(2.0) => f.write_str("twice"),
            Self::Occasions(n) => write!(f, "{n} times"),
        }
    }
}

/// Every amount of time, or number of sessions or times, the text states, in order.
pub(crate) fn quantities(tokens: &[Token<'_>]) -> Vec<Quantity> {
    let mut out = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        let unit = token.lower.as_str();
        let before = at.checked_sub(1).map(|b| &tokens[b]);
        if let Some(per) = minutes_in(unit) {
            if let Some(n) = before.and_then(|_| number_before_time(tokens, at - 1)) {
                out.push(Quantity::Minutes(n * per));
            }
        } else if unit == "once" {
            out.push(Quantity::Occasions(1.0));
        } else if unit == "twice" {
            out.push(Quantity::Occasions(2.0));
        } else if (same_word("session", unit) || unit == "times" || unit == "x")
            && let Some(n) = before.and_then(number)
        {
            out.push(Quantity::Occasions(n));
        }
    }
    out
}

/// The acronyms in `text` (two or more capital letters, or a mixed-case one listed in `known`
/// such as "SENCo"), each with whether it is explained where it stands: in brackets after the
/// words it stands for, "speech and language therapy (SALT)", or followed by them in brackets,
/// "SALT (speech and language therapy)".
pub(crate) fn acronyms<'t>(
    text: &'t str,
    tokens: &[Token<'t>],
    known: &[&str],
) -> Vec<(&'t str, bool)> {
    tokens
        .iter()
        .filter(|t| {
            let capitals = t.raw.chars().filter(|c| c.is_uppercase()).count();
            let all_capitals = t.raw.chars().all(char::is_uppercase);
            (capitals >= 2 && all_capitals) || known.contains(&t.raw)
        })
        .map(|t| {
            let bracketed = text[..t.start].trim_end().ends_with('(');
            let after = text[t.end..].trim_start_matches(|c: char| c.is_ascii_digit());
            let followed = after.trim_start().starts_with('(');
            (t.raw, bracketed || followed)
        })
        .collect()
}

/// Names after a title ("Dr Okafor", "Mrs. Lin"): the title as written in `titles`, capitalised,
/// then an optional full stop, then a word starting with a capital letter.
pub(crate) fn titled_names<'t>(
    text: &'t str,
    tokens: &[Token<'t>],
    titles: &[String],
) -> Vec<&'t str> {
    tokens
        .windows(2)
        .filter(|pair| {
            let between = text[pair[0].end..pair[1].start].trim();
            titles.iter().any(|title| title == pair[0].raw)
                && (between.is_empty() || between == ".")
                && pair[1].raw.starts_with(char::is_uppercase)
        })
        .map(|pair| &text[pair[0].start..pair[1].end])
        .collect()
}

/// The sentences of `text`, split at `.`, `!` or `?` followed by a space or the end, and at line
/// breaks (lists are often one item a line). Abbreviations such as "e.g." split too, which
/// only makes sentences look shorter.
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next_is_break = chars.peek().is_none_or(|(_, n)| n.is_whitespace());
        if c == '\n' || (matches!(c, '.' | '!' | '?') && next_is_break) {
            out.push(text[start..at].trim());
            start = at + c.len_utf8();
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// The first `n` words of `text`, with "…" when there were more.
pub(crate) fn opening(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = words[..n.min(words.len())].join(" ");
    if words.len() > n {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.lower).collect()
    }

    #[test]
    fn tokens_split_letters_from_digits_and_keep_decimals() {
        assert_eq!(
            lower("30min KS2, 1.5 hrs"),
            ["30", "min", "ks", "2", "1.5", "hrs"]
        );
        assert_eq!(lower("one-to-one; 1:1."), ["one", "to", "one", "1", "1"]);
        assert_eq!(lower("Year 9."), ["year", "9"]);
    }

    #[test]
    fn phrases_match_whole_words_with_simple_inflections() {
        let text = "She is supported to access the resource base; opportunity to join in.";
        let t = tokens(text);
        assert!(find_phrase(&t, "support").is_some());
        assert!(find_phrase(&t, "opportunities").is_some());
        assert!(
            find_phrase(&t, "access to").is_none(),
            "'access the' is not 'access to'"
        );
        assert!(find_phrase(&t, "some").is_none(), "not inside 'resource'");
        let t2 = tokens("Something some");
        assert_eq!(find_phrase(&t2, "some"), Some((10, 14)));
        assert!(same_word("regular", "regularly"));
        assert!(!same_word("some", "something"));
    }

    #[test]
    fn how_often_how_long_and_group() {
        let specific = "1:1 support from a teaching assistant for 30 minutes daily";
        let t = tokens(specific);
        assert!(has_frequency(&t) && has_duration(&t) && has_group(specific, &t));
        for often in [
            "twice a week",
            "3 times weekly",
            "every morning",
            "per term",
        ] {
            assert!(has_frequency(&tokens(often)), "{often}");
        }
        for not_often in ["regularly", "as required", "when needed"] {
            assert!(!has_frequency(&tokens(not_often)), "{not_often}");
        }
        for long in [
            "an hour",
            "half an hour",
            "45-minute",
            "1.5 hrs",
            "5 days",
            "all day",
            "the whole lesson",
            "full school day",
        ] {
            assert!(has_duration(&tokens(long)), "{long}");
        }
        assert!(
            !has_duration(&tokens("twice a day")),
            "'a day' is not a session length"
        );
        assert!(!has_duration(&tokens("as long as needed")));
        assert!(
            !has_duration(&tokens("in each lesson")),
            "how often, not how long"
        );
        for group in [
            "one-to-one",
            "small group of 4",
            "1:2",
            "individually",
            "pairs",
        ] {
            assert!(has_group(group, &tokens(group)), "{group}");
        }
        assert!(!has_group("with an adult", &tokens("with an adult")));
    }

    #[test]
    fn roles_match_word_endings_only_when_long() {
        let roles = vec!["therapist".to_owned(), "ta".to_owned()];
        assert!(names_role(&tokens("a physiotherapist"), &roles));
        assert!(names_role(&tokens("TA"), &roles));
        assert!(!names_role(&tokens("data from school"), &roles));
        let phrase = vec!["key worker".to_owned()];
        assert!(names_role(&tokens("her key workers"), &phrase));
    }

    #[test]
    fn end_points() {
        for bound in [
            "by July 2027",
            "until the end of Key Stage 2",
            "by the end of Year 6",
            "reviewed termly",
            "until the next annual review",
            "by age 16",
            "within 6 weeks",
            "2027-07-20",
        ] {
            assert!(is_time_bound(&tokens(bound)), "{bound}");
        }
        for open in ["at the end of each lesson", "Sam may read more", "ongoing"] {
            assert!(!is_time_bound(&tokens(open)), "{open}");
        }
    }

    #[test]
    fn quantities_are_normalised() {
        let q = quantities(&tokens(
            "an hour, 30 mins, 6 sessions, 3 times, twice, 1.5 hours",
        ));
        assert_eq!(
            q,
            [
                Quantity::Minutes(60.0),
                Quantity::Minutes(30.0),
                Quantity::Occasions(6.0),
                Quantity::Occasions(3.0),
                Quantity::Occasions(2.0),
                Quantity::Minutes(90.0),
            ]
        );
        // Three occasions of 30 minutes ("minute sessions" is no count).
        assert_eq!(
            quantities(&tokens("3 x 30-minute sessions")),
            [Quantity::Occasions(3.0), Quantity::Minutes(30.0)]
        );
        assert!(quantities(&tokens("Year 9, 2 days, 1:1")).is_empty());
        assert_eq!(Quantity::Minutes(60.0).to_string(), "1 hour");
        assert_eq!(Quantity::Minutes(120.0).to_string(), "2 hours");
        assert_eq!(Quantity::Minutes(45.0).to_string(), "45 minutes");
        assert_eq!(Quantity::Minutes(90.0).to_string(), "90 minutes");
        assert_eq!(Quantity::Occasions(1.0).to_string(), "once");
        assert_eq!(Quantity::Occasions(4.0).to_string(), "4 times");
    }

    #[test]
    fn acronyms_and_their_explanations() {
        let text = "speech and language therapy (SALT) and OT. KS2 (Key Stage 2), SENCo, Sam";
        let found = acronyms(text, &tokens(text), &["SENCo"]);
        assert_eq!(
            found,
            [
                ("SALT", true),
                ("OT", false),
                ("KS", true),
                ("SENCo", false)
            ]
        );
    }

    #[test]
    fn titled_names_need_a_capitalised_name() {
        let text = "Seen by Dr Okafor and Mrs. Lin; will Miss lessons; Dr who";
        let titles: Vec<String> = ["Dr", "Mrs", "Miss"].map(str::to_owned).into();
        assert_eq!(
            titled_names(text, &tokens(text), &titles),
            ["Dr Okafor", "Mrs. Lin"]
        );
    }

    #[test]
    fn sentences_split_at_stops_and_lines() {
        assert_eq!(
            sentences("One two. Three 2.5 four!\nFive"),
            ["One two", "Three 2.5 four", "Five"]
        );
        assert_eq!(opening("a b c d", 2), "a b…");
    }
}
