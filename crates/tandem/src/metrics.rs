//! `tandem metrics` (contracts/metrics.md).

use std::io::Write;
use std::path::PathBuf;

use tandem_app::interchange::events_stream::{self, StreamOptions};
use tandem_app::interchange::{self, Format};
use tandem_core::Date;
use tandem_core::metrics::{Metrics, Period};

use futures_util::TryStreamExt;

use crate::cli_error::CliError;
use crate::database::{Database, block_on};
use crate::timeline::{parse_date, today};

#[derive(clap::Args)]
pub struct Args {
    /// Read case files (`.jsonl`, `.json`) or the events CSV (`.csv`) instead of the database.
    #[arg(long)]
    from: Option<PathBuf>,
    /// First day of the period (inclusive); defaults to 1 January of the last complete year.
    #[arg(long, value_parser = parse_date)]
    period_start: Option<Date>,
    /// Last day of the period (inclusive); defaults to 31 December of the last complete year.
    #[arg(long, value_parser = parse_date)]
    period_end: Option<Date>,
    /// The date the figures are computed as at; defaults to today in Europe/London.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    #[command(flatten)]
    database: Database,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let as_of = args.as_of.unwrap_or_else(today);
    let default = Period::last_complete_year(as_of);
    let period = Period {
        start: args.period_start.unwrap_or(default.start),
        end: args.period_end.unwrap_or(default.end),
    };
    if period.end < period.start {
        return Err(CliError::rejected(format!(
            "the period ends ({}) before it starts ({})",
            period.end, period.start
        )));
    }
    let mut metrics = Metrics::new(period, as_of);
    let Some(path) = args.from else {
        block_on(async {
            let store = args.database.open().await?;
            let mut cases = std::pin::pin!(store.case_files());
            while let Some(case) = cases.try_next().await? {
                metrics.add_case(&case);
            }
            Ok(())
        })?;
        return print(&metrics);
    };
    let shown = path.display().to_string();
    let format = Format::of_path(&path)
        .ok_or_else(|| CliError::rejected(format!("{shown}: use a .jsonl, .json or .csv file")))?;
    if format == Format::EventsCsv {
        // The events CSV is read on every core, a chunk at a time (interchange::events_stream).
        let (period, as_of) = (metrics.period, metrics.as_of);
        let parts = events_stream::fold_cases(
            &path,
            StreamOptions::default(),
            &|| Metrics::new(period, as_of),
            &|part, case| part.add_case(&case.value),
        )
        .map_err(|problems| {
            CliError::Rejected(problems.iter().map(|p| p.located(&shown)).collect())
        })?;
        for part in &parts.parts {
            metrics.merge(part);
        }
        return print(&metrics);
    }
    let file = std::fs::File::open(&path)
        .map_err(|e| CliError::rejected(format!("{shown}: cannot read: {e}")))?;
    let problems = interchange::for_each_case(format, std::io::BufReader::new(file), |case| {
        metrics.add_case(&case.value)
    });
    if !problems.is_empty() {
        return Err(CliError::Rejected(
            problems.iter().map(|p| p.located(&shown)).collect(),
        ));
    }
    print(&metrics)
}

fn print(metrics: &Metrics) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    // Through io::Error, so that a closed pipe (`| head`) is recognised as such.
    serde_json::to_writer_pretty(&mut out, &metrics.to_json()).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}
