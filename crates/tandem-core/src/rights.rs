//! A family's rights after a final plan (or any appealable decision), with the dates they run
//! to: the mediation adviser first, then the First-tier Tribunal (SEND).
//!
//! - SEND Regulations 2014, reg 33: before appealing, the parent or young person contacts the
//!   mediation adviser within 2 months after written notice of the decision was sent (not needed
//!   for an appeal only about the school or setting named).
//! - Tribunal Procedure (First-tier Tribunal) (HESC) Rules 2008, rule 20(1)(c): the appeal must
//!   reach the tribunal within 2 months after the notice, or within 1 month of the mediation
//!   certificate if that is later. Rule 12(3)(a): for SEN appeals, a last day from 25 December
//!   to 1 January, or in August, moves to the first working day after 1 January or 31 August;
//!   rule 12(2): a last day that is not a working day moves to the next working day.
//!
//! Months are calendar months, a missing day being the month's last (31 October + 1 month =
//! 30 November), as `docs/statutory-timescales.md` §2 sets out.

use chrono::{Datelike, Months};

use crate::working_days::BankHolidays;
use crate::{CaseFile, Date, EventDetail};

/// The last days of a family's rights after a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppealRights {
    /// The last day to contact the mediation adviser (reg 33).
    pub mediation_by: Date,
    /// The last day for the appeal to reach the tribunal, without a mediation certificate
    /// (rules 20 and 12).
    pub appeal_by: Date,
}

/// The first and last day a family has to comment on the latest draft plan, "beginning with the
/// day on which the draft plan was served" (SEND Regulations 2014, reg 13(1)(a)), or on the
/// latest notice of proposed amendments after a review (reg 22(2), in the same words): the day of
/// service is day 1 of 15. `None` before any draft, once the final (or amended) plan that follows
/// it is issued, or after the period on `today`.
pub fn comment_window(case: &CaseFile, today: Date) -> Option<(Date, Date)> {
    let served = case
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.detail,
                EventDetail::DraftPlanIssued | EventDetail::AmendmentNoticeIssued
            )
        })
        .map(|e| e.date)
        .max()?;
    let finalised = case.events.iter().any(|e| {
        e.date >= served
            && matches!(
                e.detail,
                EventDetail::FinalPlanIssued | EventDetail::AmendedPlanIssued
            )
    });
    let last = crate::plan::comment_period_ends(served);
    (!finalised && today <= last).then_some((served, last))
}

/// The rights after written notice of a decision sent on `notice_sent` (the final plan's date).
pub fn after_notice(notice_sent: Date) -> AppealRights {
    let two_months = add_months(notice_sent, 2);
    AppealRights {
        mediation_by: two_months,
        appeal_by: tribunal_day(two_months),
    }
}

/// The last day to appeal within 1 month of a mediation certificate issued on `issued`, when
/// that is later than [`AppealRights::appeal_by`] (rule 20(1)(c)).
pub fn appeal_after_certificate(rights: AppealRights, issued: Date) -> Date {
    rights.appeal_by.max(tribunal_day(add_months(issued, 1)))
}

fn add_months(date: Date, months: u32) -> Date {
    // Only past the end of chrono's calendar (the year 262143) is there no answer.
    date.checked_add_months(Months::new(months))
        .unwrap_or(Date::MAX)
}

/// A tribunal's last day moved as rule 12 says.
fn tribunal_day(day: Date) -> Date {
    let holidays = BankHolidays::england_and_wales();
    let moved = match (day.month(), day.day()) {
        (12, 25..=31) => Date::from_ymd_opt(day.year() + 1, 1, 2),
        (1, 1) => Date::from_ymd_opt(day.year(), 1, 2),
        (8, _) => Date::from_ymd_opt(day.year(), 9, 1),
        _ => Some(day),
    };
    holidays.on_or_after(moved.unwrap_or(day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn two_calendar_months_from_the_notice() {
        // IPSEA's worked example: a letter dated 1 October gives 1 December.
        let rights = after_notice(d("2026-10-01"));
        assert_eq!(rights.mediation_by, d("2026-12-01"));
        assert_eq!(rights.appeal_by, d("2026-12-01"));
    }

    #[test]
    fn a_month_without_the_day_ends_on_its_last_day() {
        assert_eq!(after_notice(d("2026-12-31")).mediation_by, d("2027-02-28"));
        assert_eq!(after_notice(d("2027-12-31")).mediation_by, d("2028-02-29"));
    }

    #[test]
    fn august_and_christmas_move_the_appeal_day() {
        // 30 June + 2 months = 30 August: the first working day after 31 August 2026 is
        // Tuesday 1 September (the 31st was a bank holiday anyway).
        assert_eq!(after_notice(d("2026-06-30")).appeal_by, d("2026-09-01"));
        // 25 October + 2 months = 25 December: the first working day after 1 January 2027,
        // itself a bank holiday and a Friday, is Monday 4 January.
        let rights = after_notice(d("2026-10-25"));
        assert_eq!(rights.mediation_by, d("2026-12-25"));
        assert_eq!(rights.appeal_by, d("2027-01-04"));
    }

    #[test]
    fn a_weekend_moves_the_appeal_day_but_not_the_mediation_day() {
        // 5 December 2026 + 2 months = Friday 5 February 2027; 7 December → Sunday 7 February,
        // so the appeal may arrive on Monday 8 February.
        let rights = after_notice(d("2026-12-07"));
        assert_eq!(rights.mediation_by, d("2027-02-07"));
        assert_eq!(rights.appeal_by, d("2027-02-08"));
    }

    #[test]
    fn a_later_certificate_gives_a_month_from_its_date() {
        // IPSEA: certificate of 29 November after a letter of 1 October → 29 December, which
        // rule 12(3)(a) moves to the first working day after 1 January.
        let rights = after_notice(d("2026-10-01"));
        assert_eq!(
            appeal_after_certificate(rights, d("2026-11-29")),
            d("2027-01-04")
        );
        assert_eq!(
            appeal_after_certificate(rights, d("2026-10-10")),
            d("2026-12-01")
        );
    }
}
