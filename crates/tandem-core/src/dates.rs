//! Calendar arithmetic for statutory time limits.
//!
//! All statutory periods are calendar periods (statutory-timescales §2): they do not move for
//! weekends or holidays. "Within N weeks of D" ends on D + 7×N days (the day of the event is
//! excluded); "a period of 12 months starting with D" counts D as day 1, so it ends the day before
//! the same date a year later, clamped to the month's end.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

/// A calendar date in England: no time, no zone.
pub type Date = NaiveDate;

/// The calendar date in England at `now`: the statutory clocks count English calendar days, so a
/// step recorded at 00:30 BST on 1 April is dated 1 April, not 31 March (UTC).
pub fn england_date(now: DateTime<Utc>) -> Date {
    now.with_timezone(&chrono_tz::Europe::London).date_naive()
}

/// The time of day in England at `now`, as a 24-hour clock shows it ("14:05").
pub fn england_time(now: DateTime<Utc>) -> String {
    now.with_timezone(&chrono_tz::Europe::London)
        .format("%H:%M")
        .to_string()
}

/// Last day on which an act "within `weeks` weeks of `start`" is in time: `start` + 7×`weeks`
/// days, the day of `start` itself not counted.
pub fn add_weeks(start: Date, weeks: u32) -> Date {
    start + chrono::Days::new(7 * u64::from(weeks))
}

/// Last day of the period of `months` months *starting with* `start` (CFA 2014 s.44(1) wording).
///
/// `start + months` clamps to the month's end (31 January + 1 month = 28/29 February), then one day
/// is taken off because the start day is day 1. A plan issued on 29 February 2028 therefore has its
/// 12-month period end on 27 February 2029.
#[expect(
    clippy::expect_used,
    reason = "statutory periods stay far inside chrono's date range"
)]
pub fn period_starting_with(start: Date, months: u32) -> Date {
    let same_date_later = start
        .checked_add_months(Months::new(months))
        .expect("statutory periods stay far inside chrono's date range");
    same_date_later.pred_opt().expect("date range")
}

/// The day before `month`/`day` of `year` ("before 15 February" read strictly, reg 18(1)).
#[expect(
    clippy::expect_used,
    reason = "15 February and 31 March exist in every year"
)]
pub fn day_before(year: i32, month: u32, day: u32) -> Date {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.pred_opt())
        .expect("fixed statutory dates are valid in every year")
}

/// `date` minus `months` calendar months, clamped to the month's end.
#[expect(
    clippy::expect_used,
    reason = "statutory periods stay far inside chrono's date range"
)]
pub fn months_before(date: Date, months: u32) -> Date {
    date.checked_sub_months(Months::new(months))
        .expect("date range")
}

/// Days from `from` to `to` counting both ends ("a continuous period of not less than 4 weeks").
pub fn inclusive_days(from: Date, to: Date) -> i64 {
    (to - from).num_days() + 1
}

/// "5 January 2026": the long form a parent reads.
pub fn long(date: Date) -> String {
    date.format("%-d %B %Y").to_string()
}

/// "15 February": a day of the year in words (any year; 29 February too).
pub fn day_and_month(month: u32, day: u32) -> String {
    NaiveDate::from_ymd_opt(2000, month, day).map_or_else(
        || format!("{day}/{month}"),
        |d| d.format("%-d %B").to_string(),
    )
}

/// Why a text is not an ISO calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not of the form YYYY-MM-DD.
    Form,
    /// Of the right form, but no such day (2026-02-30, 2027-02-29, month 13).
    NoSuchDay,
}

/// Parses exactly `YYYY-MM-DD` (four-digit year, zero-padded month and day).
pub fn parse_iso(text: &str) -> Result<Date, DateProblem> {
    let bytes = text.as_bytes();
    let well_formed = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !well_formed {
        return Err(DateProblem::Form);
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<i32>();
    let (Ok(year), Ok(month), Ok(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return Err(DateProblem::Form);
    };
    let (month, day) = (month.unsigned_abs(), day.unsigned_abs());
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateProblem::NoSuchDay)
}

/// The calendar year a date falls in.
pub fn year_of(date: Date) -> i32 {
    date.year()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        parse_iso(text).unwrap()
    }

    #[test]
    fn weeks_exclude_the_start_day() {
        // statutory-timescales §2, worked example: Mon 1 Sep 2025.
        assert_eq!(add_weeks(d("2025-09-01"), 6), d("2025-10-13"));
        assert_eq!(add_weeks(d("2025-09-01"), 20), d("2026-01-19"));
        // Across 29 February in a leap year.
        assert_eq!(add_weeks(d("2028-02-01"), 4), d("2028-02-29"));
        assert_eq!(add_weeks(d("2027-02-01"), 4), d("2027-03-01"));
    }

    #[test]
    fn twelve_month_period_starting_with_a_date() {
        assert_eq!(period_starting_with(d("2026-05-18"), 12), d("2027-05-17"));
        // Leap day: 29 Feb 2028 + 12 months clamps to 28 Feb 2029, minus the start day.
        assert_eq!(period_starting_with(d("2028-02-29"), 12), d("2029-02-27"));
        // 1 March: the period ends on the last day of February, 29th in a leap year.
        assert_eq!(period_starting_with(d("2027-03-01"), 12), d("2028-02-29"));
        assert_eq!(period_starting_with(d("2026-03-01"), 12), d("2027-02-28"));
        // Month end.
        assert_eq!(period_starting_with(d("2026-01-31"), 1), d("2026-02-27"));
        assert_eq!(period_starting_with(d("2026-12-31"), 12), d("2027-12-30"));
    }

    #[test]
    fn fixed_dates_and_month_subtraction() {
        assert_eq!(day_before(2027, 2, 15), d("2027-02-14"));
        assert_eq!(day_before(2027, 3, 31), d("2027-03-30"));
        assert_eq!(months_before(d("2029-02-28"), 12), d("2028-02-28"));
        assert_eq!(months_before(d("2028-02-29"), 12), d("2027-02-28"));
    }

    #[test]
    fn inclusive_day_counts() {
        assert_eq!(inclusive_days(d("2026-03-01"), d("2026-03-28")), 28);
        assert_eq!(inclusive_days(d("2026-03-01"), d("2026-03-01")), 1);
    }

    #[test]
    fn strict_iso_parsing() {
        assert_eq!(parse_iso("2026-02-30"), Err(DateProblem::NoSuchDay));
        assert_eq!(parse_iso("2027-02-29"), Err(DateProblem::NoSuchDay));
        assert_eq!(parse_iso("2026-13-01"), Err(DateProblem::NoSuchDay));
        assert_eq!(parse_iso("2028-02-29"), Ok(d("2028-02-29")));
        for bad in [
            "2026-2-3",
            "26-02-03",
            "2026/02/03",
            "",
            "2026-02-03T00:00",
            "２０２６-02-03",
        ] {
            assert_eq!(parse_iso(bad), Err(DateProblem::Form), "{bad}");
        }
    }

    #[test]
    fn long_dates_read_naturally() {
        assert_eq!(long(d("2026-01-05")), "5 January 2026");
    }
}
