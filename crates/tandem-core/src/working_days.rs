//! Working days in England: Monday to Friday, less the bank holidays of England and Wales.
//!
//! The holidays are `data/bank-holidays-england-and-wales.csv`, copied from GOV.UK's published
//! list (www.gov.uk/bank-holidays). Keep it current: add each year when GOV.UK publishes it. A
//! date past the last year in the file counts weekends only, and
//! [`BankHolidays::covers`] says so, so that callers can warn rather than guess.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{Datelike, Days, Weekday};

use crate::Date;
use crate::dates::parse_iso;

/// The bank holidays of England and Wales known to Tandem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHolidays {
    days: BTreeSet<Date>,
}

impl BankHolidays {
    /// The list kept with Tandem.
    #[expect(clippy::expect_used, reason = "the file is checked by a test")]
    pub fn england_and_wales() -> &'static Self {
        static LIST: OnceLock<BankHolidays> = OnceLock::new();
        LIST.get_or_init(|| {
            Self::parse(include_str!("../data/bank-holidays-england-and-wales.csv"))
                .expect("the bank holidays file is valid")
        })
    }

    /// Reads `date,name` lines after a header; the line number of the first bad one otherwise.
    fn parse(text: &str) -> Result<Self, usize> {
        let days = text
            .lines()
            .enumerate()
            .skip(1)
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(n, line)| {
                let date = line.split(',').next().unwrap_or_default();
                parse_iso(date).map_err(|_| n + 1)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { days })
    }

    /// Whether the list knows the holidays of `date`'s year.
    pub fn covers(&self, date: Date) -> bool {
        self.days
            .last()
            .is_some_and(|last| date.year() <= last.year())
    }

    /// Whether `date` is a working day: a weekday that is not a bank holiday.
    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.days.contains(&date)
    }

    /// The `n`th working day after `start` (`start` itself not counted, whatever it is): a
    /// reply "within 3 working days" of a message on Friday is due by Wednesday.
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day + Days::new(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// `date` if it is a working day, else the next one.
    pub fn on_or_after(&self, date: Date) -> Date {
        let mut day = date;
        while !self.is_working_day(day) {
            day = day + Days::new(1);
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn the_file_reads_and_every_holiday_is_a_weekday() {
        let list = BankHolidays::england_and_wales();
        assert!(list.days.len() >= 40);
        for day in &list.days {
            assert!(
                !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
                "{day}"
            );
        }
        assert_eq!(BankHolidays::parse("date,name\n2026-13-01,x\n"), Err(2));
    }

    #[test]
    fn three_working_days_skip_weekends_and_bank_holidays() {
        let list = BankHolidays::england_and_wales();
        // Friday 4 December 2026 → Wednesday 9 December.
        assert_eq!(list.add_working_days(d("2026-12-04"), 3), d("2026-12-09"));
        // Wednesday 23 December 2026: Christmas Day and the Boxing Day substitute (Monday 28th)
        // are not counted → Wednesday 30 December.
        assert_eq!(list.add_working_days(d("2026-12-23"), 3), d("2026-12-30"));
        // Thursday 2 April 2026: Good Friday and Easter Monday are not counted, so Tuesday 7,
        // Wednesday 8 and Thursday 9 April.
        assert_eq!(list.add_working_days(d("2026-04-02"), 3), d("2026-04-09"));
        // A message on a Saturday: Monday, Tuesday, Wednesday.
        assert_eq!(list.add_working_days(d("2026-12-05"), 3), d("2026-12-09"));
    }

    #[test]
    fn a_deadline_on_a_non_working_day_moves_to_the_next_working_day() {
        let list = BankHolidays::england_and_wales();
        assert_eq!(list.on_or_after(d("2026-08-31")), d("2026-09-01"));
        assert_eq!(list.on_or_after(d("2027-12-25")), d("2027-12-29"));
        assert_eq!(list.on_or_after(d("2026-12-07")), d("2026-12-07"));
    }

    #[test]
    fn the_list_says_which_years_it_covers() {
        let list = BankHolidays::england_and_wales();
        assert!(list.covers(d("2028-12-31")));
        assert!(!list.covers(d("2029-01-01")));
    }
}
