//! `tandem`: one binary for every command of contracts/cli.md.

mod accounts;
mod cli_error;
mod database;
mod demo_panels;
mod demo_surveys;
mod demo_workforce;
mod improvement_plan;
mod metrics;
mod plan;
mod remind;
mod timeline;
mod transfer;
mod web;

use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: with a thread per core and many requests at once,
/// glibc's arenas kept freed memory from the dashboard's computations, and the server's own
/// memory stayed about 120 MiB above what it used (docs/benchmarks.md, "Memory").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// EHC plans: check one for quality.
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// Create or upgrade the database schema.
    Migrate(transfer::MigrateArgs),
    /// Import case files, events CSV or a legacy tracker: all or nothing.
    Import(transfer::ImportArgs),
    /// Export every case as case files (JSON Lines) or the events CSV.
    Export(transfer::ExportArgs),
    /// Generate realistic synthetic cases (deterministic for a seed).
    Generate(transfer::GenerateArgs),
    /// Make a consistent online copy of the database (SQLite), or say how (PostgreSQL).
    Backup(transfer::BackupArgs),
    /// Serve the web application and JSON API.
    // Boxed: its many settings make it far larger than every other command.
    Serve(Box<web::ServeArgs>),
    /// A fresh demo database with synthetic cases and one account per role, then serve it.
    Demo(web::DemoArgs),
    /// Queue the day's reminder emails and send what is queued.
    Remind(remind::Args),
    /// Manage accounts.
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// The improvement plan: import it from a spreadsheet (CSV or XLSX) or export it.
    #[command(subcommand)]
    ImprovementPlan(improvement_plan::ImprovementPlanCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Timeline(args) => timeline::run(args),
        Command::Metrics(args) => metrics::run(args),
        Command::Plan(command) => plan::run(command),
        Command::Migrate(args) => transfer::migrate(args),
        Command::Import(args) => transfer::import(args),
        Command::Export(args) => transfer::export(args),
        Command::Generate(args) => transfer::generate(args),
        Command::Backup(args) => transfer::backup(args),
        Command::Serve(args) => web::serve(*args),
        Command::Demo(args) => web::demo(args),
        Command::Remind(args) => remind::run(args),
        Command::User(command) => accounts::run(command),
        Command::ImprovementPlan(command) => improvement_plan::run(command),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}
