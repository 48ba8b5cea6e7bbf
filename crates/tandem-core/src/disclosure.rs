//! Small-number suppression: what the tables of people who see aggregates only (performance
//! analysts) leave out so that no child can be singled out.
//!
//! A count of one or two cases beside a provider, a need or a month can be enough to recognise a
//! child. Following the Government Statistical Service's guidance on disclosure control (and the
//! practice of the DfE's own SEN2 tables), a count from 1 up to one less than a threshold is
//! not shown: the table says "fewer than 5" (`[c]` in a download, the GSS marker for a
//! confidential cell). A zero is shown, since it singles nobody out. A rate is left out whenever
//! any of its three counts would be (those on time, those counted, those late), so a rate cannot
//! be turned back into a hidden count. The threshold is the area's choice (`TANDEM_SUPPRESS_BELOW`,
//! 5 by default); staff who may open the cases see every count.

use crate::metrics::Rate;

/// The threshold most local authorities and the DfE use: counts of 1 to 4 are hidden.
pub const DEFAULT_BELOW: u64 = 5;

/// The marker a download writes in place of a hidden count.
pub const MARKER: &str = "[c]";

/// Which counts a reader's tables leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SmallNumbers {
    /// Counts from 1 up to `below - 1` are hidden; 0 or 1 hides nothing.
    below: u64,
}

impl SmallNumbers {
    /// Every count shown: for those who may open the cases behind them anyway.
    pub const SHOWN: Self = Self { below: 0 };

    /// Counts of 1 to `below - 1` hidden.
    pub fn below(below: u64) -> Self {
        Self { below }
    }

    /// The threshold: counts under it (and over zero) are hidden.
    pub fn threshold(self) -> u64 {
        self.below
    }

    /// Whether anything is hidden at all.
    pub fn suppresses(self) -> bool {
        self.below > 1
    }

    /// Whether this count is left out.
    pub fn hides(self, count: u64) -> bool {
        count > 0 && count < self.below
    }

    /// Whether this rate is left out: any of its met, counted and late counts is small.
    pub fn hides_rate(self, rate: Rate) -> bool {
        self.hides(rate.numerator)
            || self.hides(rate.denominator)
            || self.hides(rate.denominator.saturating_sub(rate.numerator))
    }

    /// The words that stand for a hidden count: "fewer than 5".
    pub fn words(self) -> String {
        format!("fewer than {}", self.below)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(numerator: u64, denominator: u64) -> Rate {
        Rate {
            numerator,
            denominator,
        }
    }

    #[test]
    fn counts_of_one_to_four_are_hidden_and_zero_and_five_are_not() {
        let small = SmallNumbers::below(DEFAULT_BELOW);
        assert!(!small.hides(0));
        for n in 1..=4 {
            assert!(small.hides(n), "{n}");
        }
        assert!(!small.hides(5));
        assert!(!small.hides(20_000));
        assert_eq!(small.words(), "fewer than 5");
    }

    #[test]
    fn a_rate_is_hidden_when_any_of_its_counts_is_small() {
        let small = SmallNumbers::below(5);
        assert!(small.hides_rate(rate(1, 1)), "1 of 1");
        assert!(small.hides_rate(rate(3, 40)), "3 on time");
        assert!(small.hides_rate(rate(38, 40)), "2 late");
        assert!(!small.hides_rate(rate(30, 40)));
        assert!(!small.hides_rate(rate(40, 40)), "none late is a zero");
        assert!(!small.hides_rate(rate(0, 0)));
    }

    #[test]
    fn shown_hides_nothing() {
        assert!(!SmallNumbers::SHOWN.suppresses());
        assert!(!SmallNumbers::SHOWN.hides(1));
        assert!(!SmallNumbers::SHOWN.hides_rate(rate(1, 1)));
        assert!(!SmallNumbers::below(1).suppresses());
    }
}
