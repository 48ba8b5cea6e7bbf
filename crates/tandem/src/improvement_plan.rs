//! `tandem improvement-plan import` and `export`: the improvement plan kept in the database, to
//! and from a spreadsheet in the columns of examples/improvement-plan.csv.

use std::io::Write;
use std::path::{Path, PathBuf};

use tandem_app::interchange::improvement_plan::{self, read, read_xlsx};
use tandem_app::transfer;
use tandem_core::improvement_plan::ImprovementPlan;

use crate::cli_error::CliError;
use crate::database::{Database, block_on};

#[derive(clap::Subcommand)]
pub enum ImprovementPlanCommand {
    /// Keep a plan read from CSV or XLSX (all or nothing; problems as FILE:LINE: message).
    Import(ImportArgs),
    /// Write the plan kept, as CSV or XLSX, in the columns it is imported from.
    Export(ExportArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The plan: a .xlsx workbook (its first sheet) or a CSV file, with a header row.
    file: PathBuf,
    /// Replace the plan the database holds (the update history of its actions goes with it).
    #[arg(long)]
    replace: bool,
    /// Check the file and report what would be imported, without writing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    database: Database,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Csv,
    Xlsx,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// Write here instead of to standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    database: Database,
}

pub fn run(command: ImprovementPlanCommand) -> Result<(), CliError> {
    match command {
        ImprovementPlanCommand::Import(args) => import(args),
        ImprovementPlanCommand::Export(args) => export(args),
    }
}

/// Reads a plan file: a `.xlsx` file as a workbook, anything else as CSV. Every problem is
/// reported as `FILE:LINE: message`.
pub fn read_file(path: &Path) -> Result<ImprovementPlan, CliError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| CliError::rejected(format!("{name}: {e}")))?;
    let is_xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let read = if is_xlsx {
        read_xlsx(&bytes)
    } else {
        read(bytes.as_slice())
    };
    read.map_err(|problems| CliError::Rejected(problems.iter().map(|p| p.located(&name)).collect()))
}

fn import(args: ImportArgs) -> Result<(), CliError> {
    let plan = read_file(&args.file)?;
    let actions = plan.actions().count();
    if args.dry_run {
        eprintln!(
            "{} reads as a plan of {} priorities and {actions} actions; nothing was written.",
            args.file.display(),
            plan.priorities.len(),
        );
        return Ok(());
    }
    block_on(async {
        let store = args.database.open().await?;
        let items = transfer::import_improvement_plan(&store, &plan, args.replace).await?;
        eprintln!(
            "Imported the improvement plan: {} priorities, {actions} actions, {} measures.",
            plan.priorities.len(),
            items - i64::try_from(actions).unwrap_or(0),
        );
        Ok(())
    })
}

fn export(args: ExportArgs) -> Result<(), CliError> {
    block_on(async {
        let store = args.database.open().await?;
        let plan = transfer::export_improvement_plan(&store).await?;
        let bytes = match args.format {
            Format::Csv => improvement_plan::to_csv(&plan),
            Format::Xlsx => improvement_plan::to_xlsx(&plan),
        }
        .map_err(|e| CliError::Internal(e.into()))?;
        match &args.out {
            Some(path) => {
                std::fs::write(path, &bytes)
                    .map_err(|e| CliError::rejected(format!("{}: {e}", path.display())))?;
                eprintln!(
                    "Exported the improvement plan ({} actions) to {}.",
                    plan.actions().count(),
                    path.display()
                );
            }
            None => std::io::stdout().lock().write_all(&bytes)?,
        }
        Ok(())
    })
}
