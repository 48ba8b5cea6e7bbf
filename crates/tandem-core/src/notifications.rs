//! Email notifications: which changes and which coming deadlines send an email, to whom, and
//! what it says. Subjects never carry personal details (no name, no reference), because a
//! subject line shows on lock screens and in shared inboxes; the body says what changed and what
//! is due, with a link to the page where the reader acts.

use crate::access::provider_key;
use crate::rules::{RuleId, rule};
use crate::timeline::Timeline;
use crate::{CaseFile, Date, Event, EventDetail, Reference, Status, UserId, dates, rights};

/// Days before advice is due that its service is reminded.
pub const ADVICE_REMINDER_DAYS: u64 = 7;
/// Days before the end of the draft plan's comment period that the family is reminded.
pub const COMMENT_REMINDER_DAYS: u64 = 3;
/// How long after its day a reminder missed by the daily run (Tandem was stopped, say) is still
/// sent; older ones are dropped, so that loading a backlog of old cases sends nothing stale.
pub const CATCH_UP_DAYS: u64 = 7;

/// How long to wait before trying again an email whose `attempts`-th attempt failed: a minute,
/// doubling with each failure, at most 6 hours, so that a mail server that is down for a day is
/// tried a few times an hour at first and then four times a day, and nothing is ever dropped.
pub fn retry_after(attempts: u32) -> chrono::Duration {
    const MAX_MINUTES: i64 = 6 * 60;
    let doublings = attempts.saturating_sub(1).min(16);
    chrono::Duration::minutes((1_i64 << doublings).min(MAX_MINUTES))
}

crate::names::machine_names! {
    /// What an email is about.
    NotificationKind {
        /// A service was asked for advice on a case.
        AdviceRequested => "advice_requested",
        /// Advice is due within a week.
        AdviceDueSoon => "advice_due_soon",
        /// Advice is past its due date.
        AdviceOverdue => "advice_overdue",
        /// The draft plan is ready for the family's comments.
        DraftReady => "draft_ready",
        /// The draft plan's comment period ends within 3 days.
        CommentPeriodEnding => "comment_period_ending",
        /// The final plan was issued.
        FinalPlanIssued => "final_plan_issued",
        /// A message in Tandem is waiting to be read.
        NewMessage => "new_message",
        /// An invitation to set a password and start using Tandem.
        Invitation => "invitation",
        /// A one-use link to a survey after a key moment of a case.
        Survey => "survey",
        /// A one-use link to set a new password, asked for by the account's owner.
        PasswordReset => "password_reset",
    }
}

impl NotificationKind {
    /// The kind's name for people (the administrator's list of notifications).
    pub fn label(self) -> &'static str {
        match self {
            Self::AdviceRequested => "Advice requested",
            Self::AdviceDueSoon => "Advice due in 1 week",
            Self::AdviceOverdue => "Advice overdue",
            Self::DraftReady => "Draft plan ready for comment",
            Self::CommentPeriodEnding => "Comment period ends in 3 days",
            Self::FinalPlanIssued => "Final plan issued",
            Self::NewMessage => "New message",
            Self::Invitation => "Invitation",
            Self::Survey => "Survey",
            Self::PasswordReset => "Password reset",
        }
    }
}

/// Who receives a notice; the store finds their accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every enabled member of a service, named by its [`provider_key`].
    Service(String),
    /// The parents and young people linked to the case.
    Family,
    /// The case's case manager.
    CaseManager,
    /// One account.
    Person(UserId),
}

/// Something to tell people about one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What it is about.
    pub kind: NotificationKind,
    /// The case.
    pub reference: Reference,
    /// The day something is due, when there is one.
    pub due: Option<Date>,
    /// Who receives it.
    pub audience: Audience,
    /// What makes it this notice and no other (with the recipient, the outbox's dedupe key):
    /// the same reminder found again on another run has the same key.
    pub key: String,
}

/// An email's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The subject line: no personal details.
    pub subject: String,
    /// The plain-text body: what changed, what is due, and the link.
    pub body: String,
}

impl Notice {
    /// The email for this notice, linking into Tandem at `base_url` (such as
    /// `https://tandem.council.example`).
    pub fn compose(&self, base_url: &str) -> Email {
        let base = base_url.trim_end_matches('/');
        let reference = &self.reference;
        let case_link = format!("{base}/cases/{reference}");
        let tray_link = format!("{base}/advice");
        let due = self.due.map(dates::long).unwrap_or_default();
        let (subject, said, link) = match self.kind {
            NotificationKind::AdviceRequested => (
                "Tandem: advice has been requested from your service",
                format!(
                    "Your service has been asked for advice for an EHC needs assessment (case {reference}). The advice is due by {due}."
                ),
                tray_link,
            ),
            NotificationKind::AdviceDueSoon => (
                "Tandem: advice from your service is due in 1 week",
                format!(
                    "Advice your service was asked for (case {reference}) is due by {due} and has not been received yet."
                ),
                tray_link,
            ),
            NotificationKind::AdviceOverdue => (
                "Tandem: advice from your service is overdue",
                format!(
                    "Advice your service was asked for (case {reference}) was due by {due} and has not been received. Please send it as soon as you can."
                ),
                tray_link,
            ),
            NotificationKind::DraftReady => (
                "Tandem: a draft plan is ready for your comments",
                format!(
                    "The draft EHC plan (case {reference}) is ready. You have until {due} to comment on it and to name the school or setting you would like."
                ),
                case_link,
            ),
            NotificationKind::CommentPeriodEnding => (
                "Tandem: 3 days left to comment on a draft plan",
                format!(
                    "The time to comment on the draft EHC plan (case {reference}) ends on {due}."
                ),
                case_link,
            ),
            NotificationKind::FinalPlanIssued => (
                "Tandem: a final EHC plan has been issued",
                format!(
                    "The final EHC plan (case {reference}) has been issued. The case page shows your rights to mediation and appeal, and the dates they run to."
                ),
                case_link,
            ),
            NotificationKind::NewMessage => (
                "Tandem: you have a new message",
                format!("There is a new message for you about case {reference}."),
                case_link,
            ),
            // Invitations are composed by [`invitation`], password resets by
            // [`password_reset`] and surveys by [`crate::surveys::invitation_email`]: their
            // links are the person's own.
            NotificationKind::Invitation
            | NotificationKind::Survey
            | NotificationKind::PasswordReset => (
                "Tandem: you have been invited to use Tandem",
                format!("You have been invited to use Tandem for case {reference}."),
                case_link,
            ),
        };
        Email {
            subject: subject.to_owned(),
            body: format!(
                "{said}\n\nSign in to Tandem to see it:\n{link}\n\nThis email was sent by Tandem. Please do not reply to it.\n"
            ),
        }
    }
}

/// The invitation email: a single-use link at `base_url` to set a password, working until the
/// end of `expires`. Its subject, like every subject, names no one.
pub fn invitation(base_url: &str, token: &str, expires: Date) -> Email {
    let base = base_url.trim_end_matches('/');
    Email {
        subject: "Tandem: you have been invited to use Tandem".to_owned(),
        body: format!(
            "You have been invited to use Tandem, the council's system for EHC needs assessments and plans.\n\nSet your password to start:\n{base}/invitations/{token}\n\nThe link works once, until {}. If it has expired, ask the person who invited you to send a new one.\n\nThis email was sent by Tandem. Please do not reply to it.\n",
            dates::long(expires)
        ),
    }
}

/// The password reset email: a single-use link at `base_url` to set a new password, working for
/// `minutes`. It says what to do if someone else asked, since anyone may type an address.
pub fn password_reset(base_url: &str, token: &str, minutes: i64) -> Email {
    let base = base_url.trim_end_matches('/');
    Email {
        subject: "Tandem: set a new password".to_owned(),
        body: format!(
            "Someone asked to set a new password for your Tandem account.\n\nSet a new password:\n{base}/password-reset/{token}\n\nThe link works once, for {minutes} minutes. Setting a new password signs your account out everywhere.\n\nIf you did not ask, you can ignore this email: your password has not changed.\n\nThis email was sent by Tandem. Please do not reply to it.\n"
        ),
    }
}

/// The notice a newly recorded event sends, if any: a request for advice tells the service asked
/// (when the request names it); a draft plan and a final plan tell the family.
pub fn on_event(reference: &Reference, event: &Event, version: i64) -> Option<Notice> {
    let (kind, audience, due) = match &event.detail {
        EventDetail::AdviceRequested {
            provider: Some(provider),
            ..
        } => (
            NotificationKind::AdviceRequested,
            Audience::Service(provider_key(provider)),
            Some(rule(RuleId::Advice).length.due(event.date)),
        ),
        // Proposed amendments after a review are a draft of the amended plan, with the same 15
        // days to comment (reg 22(2)).
        EventDetail::DraftPlanIssued | EventDetail::AmendmentNoticeIssued => (
            NotificationKind::DraftReady,
            Audience::Family,
            Some(event.date + chrono::Days::new(14)),
        ),
        EventDetail::FinalPlanIssued | EventDetail::AmendedPlanIssued => {
            (NotificationKind::FinalPlanIssued, Audience::Family, None)
        }
        _ => return None,
    };
    // The case's version after the write names the write, so a notice is queued once; one write
    // can ask several services for advice, so a service's notice also names the service.
    let key = match &audience {
        Audience::Service(service) => format!("{kind}:{reference}:v{version}:{service}"),
        _ => format!("{kind}:{reference}:v{version}"),
    };
    Some(Notice {
        kind,
        reference: reference.clone(),
        due,
        audience,
        key,
    })
}

/// A message in Tandem (id `message`) for `audience` to read: a family's or a service's message
/// for the case manager, or the council's reply for the one who wrote.
pub fn new_message(reference: &Reference, message: i64, audience: Audience) -> Notice {
    let kind = NotificationKind::NewMessage;
    Notice {
        kind,
        reference: reference.clone(),
        due: None,
        audience,
        key: format!("{kind}:{reference}:{message}"),
    }
}

/// A family's comment on a draft plan (id `comment`), for `audience` (the case manager) to read.
/// It is sent as a new message: the subject names no one, and the case page shows the comment.
pub fn plan_comment(reference: &Reference, comment: i64, audience: Audience) -> Notice {
    Notice {
        kind: NotificationKind::NewMessage,
        reference: reference.clone(),
        due: None,
        audience,
        key: format!("plan_comment:{reference}:{comment}"),
    }
}

/// The reminders due about a case on `today`, from its `timeline` computed as of `today`:
/// advice due within [`ADVICE_REMINDER_DAYS`] or overdue, to the service asked, and the end of
/// the draft plan's comment period within [`COMMENT_REMINDER_DAYS`], to the family. Each has one
/// key for its whole window, so the daily run finds it again but it is queued only once.
pub fn reminders(case: &CaseFile, timeline: &Timeline, today: Date) -> Vec<Notice> {
    let mut found = Vec::new();
    let reference = &case.reference;
    let within = |from: Date, to: Date| from <= today && today <= to;
    for milestone in &timeline.milestones {
        let (Some(_), Some(provider), Some(due)) =
            (milestone.advice, &milestone.provider, milestone.due)
        else {
            continue;
        };
        let kind = match milestone.status {
            Status::Pending
                if within(
                    due - chrono::Days::new(ADVICE_REMINDER_DAYS),
                    due - chrono::Days::new(1),
                ) =>
            {
                NotificationKind::AdviceDueSoon
            }
            Status::Overdue
                if within(
                    due + chrono::Days::new(1),
                    due + chrono::Days::new(CATCH_UP_DAYS),
                ) =>
            {
                NotificationKind::AdviceOverdue
            }
            _ => continue,
        };
        found.push(Notice {
            kind,
            reference: reference.clone(),
            due: Some(due),
            audience: Audience::Service(provider_key(provider)),
            key: format!("{kind}:{reference}:{}:{due}", milestone.key),
        });
    }
    if let Some((served, last)) = rights::comment_window(case, today)
        && today >= last - chrono::Days::new(COMMENT_REMINDER_DAYS)
    {
        let kind = NotificationKind::CommentPeriodEnding;
        found.push(Notice {
            kind,
            reference: reference.clone(),
            due: Some(last),
            audience: Audience::Family,
            key: format!("{kind}:{reference}:{served}"),
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn case(events: &[(&str, EventDetail)]) -> CaseFile {
        CaseFile {
            reference: Reference::parse("EHC-7").unwrap(),
            child: crate::Child::default(),
            events: events
                .iter()
                .map(|(date, detail)| Event::new(d(date), detail.clone()))
                .collect(),
            request: Default::default(),
        }
    }

    fn health_request() -> EventDetail {
        EventDetail::AdviceRequested {
            advice: crate::AdviceKind::Health,
            id: None,
            provider: Some("Community  Paediatrics".into()),
        }
    }

    fn kinds_on(case: &CaseFile, today: &str) -> Vec<(NotificationKind, String)> {
        let today = d(today);
        reminders(case, &timeline::compute(case, today), today)
            .into_iter()
            .map(|n| (n.kind, n.key))
            .collect()
    }

    #[test]
    fn advice_is_reminded_in_its_last_week_and_after_it_is_due_with_one_key_each() {
        // Requested 2 March: due 13 April (6 weeks).
        let case = case(&[
            ("2026-02-02", EventDetail::RequestReceived),
            ("2026-03-02", health_request()),
        ]);
        assert!(kinds_on(&case, "2026-04-05").is_empty());
        let soon = kinds_on(&case, "2026-04-06");
        assert_eq!(soon.len(), 1);
        assert_eq!(soon[0].0, NotificationKind::AdviceDueSoon);
        assert_eq!(kinds_on(&case, "2026-04-12"), soon, "same key all week");
        assert!(
            kinds_on(&case, "2026-04-13").is_empty(),
            "due today: not late yet"
        );
        let overdue = kinds_on(&case, "2026-04-14");
        assert_eq!(overdue[0].0, NotificationKind::AdviceOverdue);
        assert_eq!(kinds_on(&case, "2026-04-20"), overdue);
        assert!(
            kinds_on(&case, "2026-04-21").is_empty(),
            "past the catch-up"
        );
    }

    #[test]
    fn received_advice_and_requests_without_a_service_are_not_reminded() {
        let received = case(&[
            ("2026-02-02", EventDetail::RequestReceived),
            ("2026-03-02", health_request()),
            (
                "2026-03-20",
                EventDetail::AdviceReceived {
                    advice: crate::AdviceKind::Health,
                    id: None,
                },
            ),
        ]);
        assert!(kinds_on(&received, "2026-04-08").is_empty());
        let nobody = case(&[
            ("2026-02-02", EventDetail::RequestReceived),
            (
                "2026-03-02",
                EventDetail::AdviceRequested {
                    advice: crate::AdviceKind::Health,
                    id: None,
                    provider: None,
                },
            ),
        ]);
        assert!(kinds_on(&nobody, "2026-04-08").is_empty());
    }

    #[test]
    fn the_family_is_reminded_in_the_last_three_days_of_the_comment_period() {
        // Served 1 June: the 15 days are 1 to 15 June.
        let case = case(&[
            ("2026-01-05", EventDetail::RequestReceived),
            ("2026-06-01", EventDetail::DraftPlanIssued),
        ]);
        assert!(kinds_on(&case, "2026-06-11").is_empty());
        let ending = kinds_on(&case, "2026-06-12");
        assert_eq!(ending[0].0, NotificationKind::CommentPeriodEnding);
        assert_eq!(kinds_on(&case, "2026-06-15"), ending);
        assert!(kinds_on(&case, "2026-06-16").is_empty());
    }

    #[test]
    fn events_that_tell_someone_send_one_notice_each() {
        let reference = Reference::parse("EHC-7").unwrap();
        let request = Event::new(d("2026-03-02"), health_request());
        let notice = on_event(&reference, &request, 4).unwrap();
        assert_eq!(
            notice.audience,
            Audience::Service("community paediatrics".into())
        );
        assert_eq!(notice.due, Some(d("2026-04-13")));
        let draft = on_event(
            &reference,
            &Event::new(d("2026-06-01"), EventDetail::DraftPlanIssued),
            5,
        )
        .unwrap();
        assert_eq!(
            (draft.kind, draft.due),
            (NotificationKind::DraftReady, Some(d("2026-06-15")))
        );
        assert!(
            on_event(
                &reference,
                &Event::new(d("2026-06-01"), EventDetail::RequestReceived),
                1
            )
            .is_none()
        );
    }

    #[test]
    fn retries_back_off_from_a_minute_to_six_hours() {
        let minutes = |n| retry_after(n).num_minutes();
        assert_eq!(
            [1, 2, 3, 4, 9, 10, 40].map(minutes),
            [1, 2, 4, 8, 256, 360, 360]
        );
    }

    #[test]
    fn subjects_carry_no_reference_and_bodies_link_to_the_page() {
        for kind in NotificationKind::ALL {
            let notice = Notice {
                kind: *kind,
                reference: Reference::parse("EHC-2026-0042").unwrap(),
                due: Some(d("2026-06-15")),
                audience: Audience::Family,
                key: String::new(),
            };
            let email = notice.compose("https://tandem.example/");
            assert!(email.subject.starts_with("Tandem: "), "{kind}");
            assert!(!email.subject.contains("0042"), "{kind}: {}", email.subject);
            assert!(
                email
                    .body
                    .contains("https://tandem.example/cases/EHC-2026-0042")
                    || email.body.contains("https://tandem.example/advice"),
                "{kind}: {}",
                email.body
            );
        }
    }
}
