//! Notifications by email. A change that tells someone (advice requested, a draft or final plan,
//! a message) queues its emails in the write's own transaction; the daily run queues the
//! reminders of coming and missed deadlines; delivery claims queued emails one at a time, sends
//! them and records the outcome, retrying failures with back-off. The outbox's unique keys make
//! each notice go once, however many runs or servers find it.

use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use futures_util::TryStreamExt;
use serde_json::json;
use tandem_core::dates::{england_date, england_time};
use tandem_core::notifications::{self, Notice};
use tandem_core::{Action, Date, timeline};
use tandem_store::{AuditEntry, Tx, UnsentNotification};

use super::{Caller, ServiceError, Services};
use crate::mail::Mailer;

/// How long a claim on an email lasts: well beyond the SMTP timeout, so that only a sender that
/// died loses it.
const LEASE_MINUTES: i64 = 10;

/// What one delivery run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Emails sent.
    pub sent: u64,
    /// Emails that failed and wait to be tried again.
    pub failed: u64,
}

/// The notifications not sent yet, for the administrator, and how many have been.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbox {
    /// Waiting or failed, next to be tried first.
    pub unsent: Vec<UnsentNotification>,
    /// How many have been sent.
    pub sent: u64,
}

impl Services {
    /// Queues the emails of `notice` in `tx`, the transaction of the write that causes it.
    pub(super) async fn queue(&self, tx: &mut Tx, notice: &Notice) -> Result<u64, ServiceError> {
        let email = notice.compose(&self.public_url);
        Ok(tx.queue_notice(notice, &email).await?)
    }

    /// The daily run: queues the reminders due on `today` (advice due within a week or overdue,
    /// the end of a draft plan's comment period), each at most once whenever and however often
    /// it runs. Returns how many emails were queued.
    pub async fn queue_reminders(&self, today: Date) -> Result<u64, ServiceError> {
        let mut due = Vec::new();
        let mut cases = std::pin::pin!(self.store().case_files());
        while let Some(case) = cases.try_next().await? {
            let timeline = timeline::compute(&case, today);
            due.extend(notifications::reminders(&case, &timeline, today));
        }
        let mut tx = self.begin().await?;
        let mut queued = 0;
        for notice in &due {
            queued += self.queue(&mut tx, notice).await?;
        }
        let reminded: Vec<&str> = due.iter().map(|n| n.reference.as_str()).collect();
        tx.audit(
            &AuditEntry::new(None, "notifications.remind").detail(json!({
                "as_of": today,
                "cases": reminded,
                "queued": queued,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// Sends every queued email that is due, one claim at a time: a failure is kept, to be tried
    /// again after [`notifications::retry_after`].
    pub async fn deliver(&self, mailer: &Mailer) -> Result<Delivery, ServiceError> {
        let mut done = Delivery::default();
        loop {
            let mut tx = self.begin().await?;
            let lease = tx.now() + chrono::Duration::minutes(LEASE_MINUTES);
            let Some(claim) = tx.claim_email(lease).await? else {
                tx.rollback().await?;
                break;
            };
            tx.commit().await?;
            let outcome = mailer.send(&claim.to, &claim.subject, &claim.body).await;
            let mut tx = self.begin().await?;
            let recorded = match &outcome {
                Ok(()) => tx.email_sent(&claim).await?,
                Err(error) => {
                    let retry_at = tx.now() + notifications::retry_after(claim.attempts);
                    tx.email_failed(&claim, error, retry_at).await?
                }
            };
            tx.commit().await?;
            if recorded {
                match outcome {
                    Ok(()) => done.sent += 1,
                    Err(_) => done.failed += 1,
                }
            }
        }
        if done != Delivery::default() {
            let mut tx = self.begin().await?;
            tx.audit(
                &AuditEntry::new(None, "notifications.deliver")
                    .detail(json!({ "sent": done.sent, "failed": done.failed })),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(done)
    }

    /// The notifications not sent yet, with why the last attempt failed: administrators only.
    /// Their text is not shown, so no case details reach the administrator.
    pub async fn outbox(&self, caller: &Caller) -> Result<Outbox, ServiceError> {
        self.authorise_read(caller, Action::ManageAccounts).await?;
        let (unsent, sent) = self.store().unsent_notifications().await?;
        Ok(Outbox { unsent, sent })
    }

    /// Runs for as long as the server does: every minute, sends what is queued (when a mailer
    /// is set), and once a day at `remind_at` (England's time), or on the first minute after it
    /// if the server was down then, queues the day's reminders. Problems are logged and tried
    /// again on the next minute.
    pub async fn run_notifications(self, mailer: Option<Mailer>, remind_at: Option<NaiveTime>) {
        let mut minute = tokio::time::interval(Duration::from_secs(60));
        let mut reminded_on = None;
        loop {
            minute.tick().await;
            if let Some(today) = reminder_day(remind_at, reminded_on, (self.clock)()) {
                match self.queue_reminders(today).await {
                    Ok(queued) => {
                        reminded_on = Some(today);
                        tracing::info!(queued, "reminders queued");
                    }
                    Err(error) => tracing::error!(%error, "queueing reminders failed"),
                }
            }
            if let Some(mailer) = &mailer {
                match self.deliver(mailer).await {
                    Ok(Delivery { sent: 0, failed: 0 }) => {}
                    Ok(Delivery { sent, failed }) => tracing::info!(sent, failed, "emails sent"),
                    Err(error) => tracing::error!(%error, "sending emails failed"),
                }
            }
        }
    }
}

/// The day whose reminders the server should queue at `now`, if any: today, once England's clock
/// has reached `remind_at` and today's have not been queued yet.
fn reminder_day(
    remind_at: Option<NaiveTime>,
    reminded_on: Option<Date>,
    now: DateTime<Utc>,
) -> Option<Date> {
    let at = remind_at?.format("%H:%M").to_string();
    let today = england_date(now);
    (reminded_on != Some(today) && england_time(now) >= at).then_some(today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_are_queued_once_a_day_from_the_time_set_in_england() {
        let at = NaiveTime::from_hms_opt(7, 0, 0);
        let utc = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        let day = |text: &str| text.parse::<Date>().unwrap();
        // 06:30 UTC is 07:30 in British Summer Time, but 06:30 in winter.
        assert_eq!(
            reminder_day(at, None, utc("2026-06-01T06:30:00Z")),
            Some(day("2026-06-01"))
        );
        assert_eq!(reminder_day(at, None, utc("2026-12-01T06:30:00Z")), None);
        assert_eq!(
            reminder_day(at, None, utc("2026-12-01T15:00:00Z")),
            Some(day("2026-12-01")),
            "a server started later in the day catches up"
        );
        let done = Some(day("2026-12-01"));
        assert_eq!(reminder_day(at, done, utc("2026-12-01T16:00:00Z")), None);
        assert_eq!(
            reminder_day(at, done, utc("2026-12-02T07:00:00Z")),
            Some(day("2026-12-02"))
        );
        assert_eq!(reminder_day(None, None, utc("2026-12-01T15:00:00Z")), None);
    }
}
