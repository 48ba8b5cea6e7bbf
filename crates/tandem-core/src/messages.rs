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

#[cfg(test)]
mod tests {
    use super::*;

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
