//! `tandem`: one binary for every command of contracts/cli.md.

mod cli_error;
mod metrics;
mod timeline;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "EHC needs assessments and plans, on time and accountable"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the statutory timeline of one case file as JSON.
    Timeline(timeline::Args),
    /// Print the performance measures of contracts/metrics.md as JSON.
    Metrics(metrics::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Timeline(args) => timeline::run(args),
        Command::Metrics(args) => metrics::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}
