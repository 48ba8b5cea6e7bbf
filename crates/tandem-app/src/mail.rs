//! Sending email: over SMTP through `lettre` (tokio, rustls), or printed to standard error for a
//! demonstration, whose data is synthetic.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one SMTP exchange may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The `TANDEM_SMTP_URL` value that prints emails instead of sending them.
pub const LOG_URL: &str = "log";

/// Where emails go.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server.
    Smtp {
        /// The connection settings (a new connection per email, so a restarted server is
        /// simply reached again). Boxed: one mailer per process, and `Log` need not be as large.
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        /// The sender.
        from: Mailbox,
    },
    /// Standard error, whole emails included: for demonstrations only.
    Log,
}

/// Settings that cannot make a mailer.
#[derive(Debug, thiserror::Error)]
pub enum MailSettingsError {
    /// The SMTP URL could not be read.
    #[error(
        "TANDEM_SMTP_URL is not a valid SMTP URL (such as smtp://127.0.0.1:25 or smtps://user:password@host)"
    )]
    Url,
    /// The sender is not an email address.
    #[error("TANDEM_MAIL_FROM is not an email address: {0}")]
    From(String),
}

impl Mailer {
    /// The mailer for `url` (`smtp://host:port`, `smtps://user:password@host`, or `log`),
    /// sending from `from`.
    pub fn from_settings(url: &str, from: &str) -> Result<Self, MailSettingsError> {
        if url == LOG_URL {
            return Ok(Self::Log);
        }
        let from = from
            .parse()
            .map_err(|_| MailSettingsError::From(from.to_owned()))?;
        let transport = Box::new(
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|_| MailSettingsError::Url)?
                .timeout(Some(SMTP_TIMEOUT))
                .build(),
        );
        Ok(Self::Smtp { transport, from })
    }

    /// Sends one plain-text email. The error says what went wrong in the mail server's terms,
    /// never the address or the text, since it is kept and shown to administrators.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let (transport, from) = match self {
            Self::Log => {
                eprintln!(
                    "---- email (not sent: TANDEM_SMTP_URL=log)\nTo: {to}\nSubject: {subject}\n\n{body}----"
                );
                return Ok(());
            }
            Self::Smtp { transport, from } => (transport, from),
        };
        let to: Mailbox = to
            .parse()
            .map_err(|_| "the recipient's address is not valid".to_owned())?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|_| "the email could not be built".to_owned())?;
        transport
            .send(message)
            .await
            .map(drop)
            .map_err(|error| describe(&error))
    }
}

fn describe(error: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = error.status() {
        format!("the mail server refused the email (SMTP {code})")
    } else if error.is_timeout() {
        "the mail server did not answer in time".to_owned()
    } else if error.is_tls() {
        "the secure connection to the mail server failed".to_owned()
    } else {
        "the mail server could not be reached".to_owned()
    }
}
