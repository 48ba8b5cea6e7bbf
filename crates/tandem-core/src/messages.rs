//! The communications log's vocabulary and its one rule: when a reply to an incoming message is
//! due. The WSOA promised families communication "within set timescales"; Tandem's default is 3
//! working days, set by the area.

use crate::Date;
use crate::working_days::BankHolidays;

/// Working days a reply is due in, unless the area sets another number.
pub const DEFAULT_REPLY_WORKING_DAYS: u32 = 3;

crate::names::machine_names! {
    /// Whether a message came to the council or went from it.
    Direction {
        /// From a family, a professional or anyone else, to the council.
        Incoming => "incoming",
        /// From the council.
        Outgoing => "outgoing",
    }
}

crate::names::machine_names! {
    /// How a message or contact travelled.
    Channel {
        /// Written in Tandem.
        Portal => "portal",
        /// An email, recorded by staff.
        Email => "email",
        /// A telephone call, recorded by staff.
        Phone => "phone",
        /// A letter, recorded by staff.
        Letter => "letter",
        /// A meeting, recorded by staff.
        Meeting => "meeting",
    }
}

impl Channel {
    /// The channel's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Portal => "Message in Tandem",
            Self::Email => "Email",
            Self::Phone => "Phone call",
            Self::Letter => "Letter",
            Self::Meeting => "Meeting",
        }
    }
}

/// The last day a reply to a message received on `received` is in time: `working_days` working
/// days after it, the day of receipt not counted.
pub fn reply_due(received: Date, working_days: u32) -> Date {
    BankHolidays::england_and_wales().add_working_days(received, working_days)
}

/// How the council answered the messages that came in over a period: the WSOA's
/// "communication within set timescales", as the dashboard shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplyTimes {
    /// Incoming messages received in the period.
    pub received: u64,
    /// Of those, answered by their due date.
    pub answered_on_time: u64,
    /// Answered after it.
    pub answered_late: u64,
    /// Not answered by the as-of date and past their due date.
    pub awaiting_overdue: u64,
    /// Not answered by the as-of date, and not yet due.
    pub awaiting_in_time: u64,
}

impl ReplyTimes {
    /// Counts one incoming message due on `due` and answered on `answered` (if it was by the
    /// as-of date `as_of`).
    pub fn add(&mut self, due: Date, answered: Option<Date>, as_of: Date) {
        self.received += 1;
        match answered.filter(|day| *day <= as_of) {
            Some(day) if day <= due => self.answered_on_time += 1,
            Some(_) => self.answered_late += 1,
            None if as_of > due => self.awaiting_overdue += 1,
            None => self.awaiting_in_time += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_counted_on_time_late_or_awaited_as_at_a_date() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let mut times = ReplyTimes::default();
        times.add(d("2026-12-09"), Some(d("2026-12-09")), d("2026-12-31"));
        times.add(d("2026-12-09"), Some(d("2026-12-10")), d("2026-12-31"));
        times.add(d("2026-12-09"), None, d("2026-12-31"));
        times.add(d("2026-12-30"), None, d("2026-12-30"));
        // Answered after the as-of date: still awaited as it stood then.
        times.add(d("2026-12-09"), Some(d("2027-01-04")), d("2026-12-31"));
        assert_eq!(
            times,
            ReplyTimes {
                received: 5,
                answered_on_time: 1,
                answered_late: 1,
                awaiting_overdue: 2,
                awaiting_in_time: 1,
            }
        );
    }

    #[test]
    fn a_reply_is_due_three_working_days_after_the_message() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(reply_due(d("2026-12-04"), 3), d("2026-12-09"));
        assert_eq!(
            reply_due(d("2026-12-23"), DEFAULT_REPLY_WORKING_DAYS),
            d("2026-12-30")
        );
    }
}
