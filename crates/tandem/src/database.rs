//! The database every stateful command works on (contracts/cli.md "Common rules"), and the
//! progress bar of long work.

use std::future::Future;

use indicatif::{ProgressBar, ProgressStyle};
use tandem_app::transfer::{Progress, TransferError};
use tandem_store::{Store, StoreError};

use crate::cli_error::CliError;

#[derive(clap::Args)]
pub struct Database {
    /// The database: sqlite://PATH (created with its folder if missing) or postgres://….
    #[arg(
        long = "database",
        env = "TANDEM_DATABASE_URL",
        default_value = "sqlite://data/tandem.db",
        hide_env_values = true
    )]
    url: String,
}

impl Database {
    pub fn from_url(url: &str) -> Self {
        Self {
            url: url.to_owned(),
        }
    }

    /// Opens the database and brings its schema up to date (migrations are idempotent).
    pub async fn open(&self) -> Result<Store, CliError> {
        let store = Store::open(&self.url).await.map_err(cannot_open)?;
        store.migrate().await.map_err(cannot_open)?;
        Ok(store)
    }
}

/// Opening fails on the user's side (a wrong URL, a server not running): say so, without the URL,
/// which may carry a password.
fn cannot_open(error: StoreError) -> CliError {
    CliError::rejected(format!("cannot open the database: {error}"))
}

/// Runs a command's async work on a runtime of its own.
pub fn block_on<F: Future<Output = Result<(), CliError>>>(work: F) -> Result<(), CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(work)
}

impl From<StoreError> for CliError {
    fn from(error: StoreError) -> Self {
        Self::Internal(error.into())
    }
}

impl From<TransferError> for CliError {
    fn from(error: TransferError) -> Self {
        match error {
            TransferError::Rejected(problems) => Self::Rejected(problems),
            TransferError::Io { path, source } => Self::rejected(format!("{path}: {source}")),
            TransferError::Store(error) => error.into(),
        }
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal (indicatif hides it otherwise,
/// so that piped output and logs stay clean).
#[derive(Default)]
pub struct Bar(Option<ProgressBar>);

impl Progress for Bar {
    fn start(&mut self, what: &str, total: Option<u64>) {
        let bar = match total {
            Some(total) => ProgressBar::new(total),
            None => ProgressBar::new_spinner(),
        };
        let style = ProgressStyle::with_template(
            "{msg} {wide_bar} {human_pos}/{human_len} ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_owned());
        self.0 = Some(bar);
    }

    fn advance(&mut self, done: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(done);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}
