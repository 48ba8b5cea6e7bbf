//! `tandem plan check FILE` (shared/docs/plan-quality.md, contract at its end): the quality
//! findings, score and grade of one EHC plan. No database.

use std::io::Write;
use std::path::PathBuf;

use tandem_core::Date;
use tandem_core::plan::{self, Plan, PlanCheckConfig};

use crate::cli_error::CliError;
use crate::timeline::{parse_date, read_input, today};

#[derive(clap::Subcommand)]
pub enum PlanCommand {
    /// Check one EHC plan (JSON) and print its findings, score and grade as JSON. Findings are
    /// not errors of the command: it exits 0 whatever it finds.
    Check(CheckArgs),
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// The plan (JSON); `-` reads standard input.
    file: PathBuf,
    /// What the checks look for and how they are weighed: a TOML file like
    /// examples/plan-checks.toml. Without it, the documented defaults.
    #[arg(long, env = "TANDEM_PLAN_CHECKS", value_name = "FILE")]
    config: Option<PathBuf>,
    /// The date ages and year groups are taken on when the plan has no `issued_on`
    /// (YYYY-MM-DD); defaults to today in Europe/London.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
}

pub fn run(command: PlanCommand) -> Result<(), CliError> {
    let PlanCommand::Check(args) = command;
    let config = match &args.config {
        Some(path) => {
            let shown = path.display();
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::rejected(format!("{shown}: cannot read: {e}")))?;
            PlanCheckConfig::from_toml(&text).map_err(|problems| {
                CliError::Rejected(problems.iter().map(|p| format!("{shown}: {p}")).collect())
            })?
        }
        None => PlanCheckConfig::default(),
    };
    let text = read_input(&args.file)?;
    let (plan, unknown) = Plan::from_json_naming_unknown(&text)
        .map_err(|e| CliError::rejected(format!("{}: {e}", args.file.display())))?;
    if !unknown.is_empty() {
        // The contract allows more fields; a misspelt section is one, so say which were skipped.
        eprintln!(
            "Not fields of a plan, so not checked: {}",
            unknown.join(", ")
        );
    }
    let report = plan::check(&plan, &config, args.as_of.unwrap_or_else(today));
    if !report.not_checked.is_empty() {
        let rules: Vec<&str> = report.not_checked.iter().map(|r| r.as_str()).collect();
        eprintln!(
            "Not checked, for lack of the facts they need (see docs/plan-quality.md): {}",
            rules.join(", ")
        );
    }
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &report).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}
