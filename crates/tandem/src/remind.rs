//! `tandem remind`: the daily reminder run, for a scheduler outside Tandem or a script; and the
//! mail settings it shares with `serve`.

use chrono::NaiveTime;
use tandem_app::mail::Mailer;
use tandem_app::services::{DEFAULT_PUBLIC_URL, Delivery, ServiceError, Services};
use tandem_core::Date;

use crate::cli_error::CliError;
use crate::database::{Database, block_on};
use crate::timeline::{parse_date, today};

/// Where emails go and what they link to.
#[derive(clap::Args)]
pub struct MailArgs {
    /// The mail server: smtp://HOST:PORT, smtps://USER:PASSWORD@HOST, or `log` to print emails
    /// to standard error instead (demonstrations only). Without it, emails stay queued.
    #[arg(long = "smtp-url", env = "TANDEM_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of every email.
    #[arg(
        long = "mail-from",
        env = "TANDEM_MAIL_FROM",
        default_value = "tandem@localhost"
    )]
    mail_from: String,
    /// The address people reach Tandem at, which emails link to.
    #[arg(long = "public-url", env = "TANDEM_PUBLIC_URL", default_value = DEFAULT_PUBLIC_URL)]
    pub public_url: String,
}

impl MailArgs {
    /// The mailer, or `None` when no mail server is set.
    pub fn mailer(&self) -> Result<Option<Mailer>, CliError> {
        self.smtp_url
            .as_deref()
            .map(|url| Mailer::from_settings(url, &self.mail_from))
            .transpose()
            .map_err(|e| CliError::rejected(e.to_string()))
    }

    /// The same settings for the demo: emails printed unless a mail server is set.
    pub fn or_log(self) -> Self {
        Self {
            smtp_url: self
                .smtp_url
                .or_else(|| Some(tandem_app::mail::LOG_URL.to_owned())),
            ..self
        }
    }
}

/// When `serve` queues the day's reminders: a time of day in England, or never (`off`).
#[derive(Debug, Clone, Copy)]
pub struct RemindAt(pub Option<NaiveTime>);

/// Reads `HH:MM` or `off`.
pub fn parse_remind_at(text: &str) -> Result<RemindAt, String> {
    if text == "off" {
        return Ok(RemindAt(None));
    }
    NaiveTime::parse_from_str(text, "%H:%M")
        .map(|at| RemindAt(Some(at)))
        .map_err(|_| format!("{text:?} is not a time of day like 07:00, nor `off`"))
}

#[derive(clap::Args)]
pub struct Args {
    /// The day whose reminders to queue (YYYY-MM-DD); defaults to today in Europe/London.
    #[arg(long, value_parser = parse_date)]
    date: Option<Date>,
    #[command(flatten)]
    database: Database,
    #[command(flatten)]
    mail: MailArgs,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let mailer = args.mail.mailer()?;
    block_on(async {
        let store = args.database.open().await?;
        let services = Services::new(store).with_public_url(&args.mail.public_url);
        let day = args.date.unwrap_or_else(today);
        let queued = services.queue_reminders(day).await.map_err(failed)?;
        eprintln!("{queued} reminder email(s) queued for {day}.");
        match mailer {
            Some(mailer) => {
                let Delivery { sent, failed } = services.deliver(&mailer).await.map_err(failed)?;
                eprintln!("{sent} email(s) sent.");
                if failed > 0 {
                    eprintln!(
                        "{failed} email(s) could not be sent; they will be tried again (see Notifications under Accounts)."
                    );
                }
            }
            None => eprintln!("No mail server is set (TANDEM_SMTP_URL): emails stay queued."),
        }
        Ok(())
    })
}

fn failed(error: ServiceError) -> CliError {
    CliError::Internal(error.into())
}
