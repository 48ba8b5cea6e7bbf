//! `tandem timeline FILE [--as-of DATE]` (contracts/case-file.md §2).

use std::io::{Read, Write};
use std::path::PathBuf;

use tandem_core::{CaseFile, Date, dates, timeline};

use crate::cli_error::CliError;

#[derive(clap::Args)]
pub struct Args {
    /// The case file (JSON); `-` reads standard input.
    file: PathBuf,
    /// The date to compute the timeline as at (YYYY-MM-DD); defaults to today in Europe/London.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
}

/// Parses a command-line date strictly, as the case file does.
pub fn parse_date(text: &str) -> Result<Date, String> {
    dates::parse_iso(text)
        .map_err(|_| format!("{text:?} is not a real date of the form YYYY-MM-DD"))
}

/// Today's date in England.
pub fn today() -> Date {
    dates::england_date(chrono::Utc::now())
}

/// Reads a whole file, or standard input for `-`.
pub fn read_input(path: &PathBuf) -> Result<String, CliError> {
    let shown = path.display();
    let mut text = String::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text).map(|_| ()))
    };
    result.map_err(|e| CliError::rejected(format!("{shown}: cannot read: {e}")))?;
    Ok(text)
}

pub fn run(args: Args) -> Result<(), CliError> {
    let text = read_input(&args.file)?;
    let case = CaseFile::from_json(&text)
        .map_err(|e| CliError::rejected(format!("{}: {e}", args.file.display())))?;
    let timeline = timeline::compute(&case, args.as_of.unwrap_or_else(today));
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &timeline).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}
