//! Text in the PDF standard fonts: which characters they can show, and how wide text is.
//!
//! The standard Helvetica faces need no font file (every PDF reader has them), and are written
//! in the WinAnsi (Windows-1252) encoding. Their widths come from the metrics printpdf ships;
//! its table lacks the space and has a few widths that differ from Adobe's published metrics,
//! which [`Face::advance`] puts right so that wrapped and right-aligned text lands where it should.

use printpdf::{BuiltinFont, ParsedFont};

/// Regular or bold Helvetica, with its widths.
pub(crate) struct Face {
    pub(crate) font: BuiltinFont,
    parsed: ParsedFont,
    bold: bool,
}

impl Face {
    pub(crate) fn regular() -> Self {
        Self::new(BuiltinFont::Helvetica, false)
    }

    pub(crate) fn bold() -> Self {
        Self::new(BuiltinFont::HelveticaBold, true)
    }

    #[expect(
        clippy::expect_used,
        reason = "printpdf ships the metrics of the standard fonts"
    )]
    fn new(font: BuiltinFont, bold: bool) -> Self {
        let parsed = font
            .get_parsed_font()
            .expect("printpdf ships the metrics of the standard fonts");
        Self { font, parsed, bold }
    }

    /// The advance of `c` in thousandths of an em (Adobe's Helvetica AFM where printpdf's
    /// table differs from it).
    fn advance(&self, c: char) -> f32 {
        match c {
            ' ' | '\u{a0}' => return 278.0,
            '\u{ad}' => return 333.0,
            '±' | '÷' => return 584.0,
            'µ' => return if self.bold { 611.0 } else { 556.0 },
            '”' => return if self.bold { 500.0 } else { 333.0 },
            '€' => return 556.0,
            _ => {}
        }
        let font = &self.parsed;
        let glyph = font
            .lookup_glyph_index(u32::from(c))
            .or_else(|| font.lookup_glyph_index(u32::from('?')))
            .unwrap_or(0);
        let width = font.get_glyph_width(glyph).unwrap_or(0);
        (f32::from(width) * 1000.0 / f32::from(font.units_per_em)).round()
    }

    /// The width of `text` set at `size` points, in points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size / 1000.0
    }

    /// `text` broken into lines no wider than `width` points: at spaces where it can be, and
    /// inside a word only when the word alone is too wide.
    pub(crate) fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size) <= width + 0.01 {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if self.width(&line, size) > width + 0.01 && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// Text the standard fonts can show: the few characters reports use beyond WinAnsi are
/// spelled out, and anything else becomes `?` (as the encoder would) rather than vanishing.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '≥' => out.push_str(">="),
            '≤' => out.push_str("<="),
            '→' => out.push_str("->"),
            '−' => out.push('-'),
            '\u{2009}' | '\u{202f}' => out.push(' '),
            c if win_ansi(c) => out.push(c),
            c if c.is_whitespace() => out.push(' '),
            _ => out.push('?'),
        }
    }
    out
}

/// Whether Windows-1252 has `c`.
fn win_ansi(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{ff}') || "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_adobe_metrics_including_the_space() {
        let face = Face::regular();
        // Helvetica AFM: space 278, "1" 556, "W" 944, en dash 556.
        assert_eq!(face.width(" ", 1000.0), 278.0);
        assert_eq!(face.width("1", 1000.0), 556.0);
        assert_eq!(face.width("W", 1000.0), 944.0);
        assert_eq!(face.width("–", 1000.0), 556.0);
        assert_eq!(face.width("11", 10.0), 11.12);
        assert!(Face::bold().width("Total", 10.0) > face.width("Total", 10.0));
    }

    #[test]
    fn text_wraps_at_spaces_and_breaks_only_overlong_words() {
        let face = Face::regular();
        let lines = face.wrap("the final plan was issued late", 10.0, 60.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(
            lines.iter().all(|l| face.width(l, 10.0) <= 60.0),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), "the final plan was issued late");
        let long = face.wrap("EHC-2026-000001-and-more", 10.0, 40.0);
        assert!(long.len() > 1);
        assert_eq!(long.concat(), "EHC-2026-000001-and-more");
        assert_eq!(face.wrap("", 10.0, 40.0), [""]);
    }

    #[test]
    fn characters_beyond_win_ansi_are_spelled_out_or_marked() {
        assert_eq!(printable("≥ 70% – £5 “ok” é"), ">= 70% – £5 “ok” é");
        assert_eq!(printable("a→b ✓"), "a->b ?");
        assert_eq!(printable("line\nbreak"), "line break");
    }
}
