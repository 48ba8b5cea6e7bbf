//! `tandem migrate`, `import`, `export`, `generate` and `backup`.

use std::io::Write;
use std::path::PathBuf;

use tandem_app::generate::GenerateOptions;
use tandem_app::interchange::Format;
use tandem_app::transfer::{
    self, ExportFormat, ImportFile, ImportKind, ImportOptions, ReturnKind, ReturnOptions,
};
use tandem_core::Date;
use tandem_core::returns::Collection;
use tandem_core::returns::sen2::Header;

use crate::cli_error::CliError;
use crate::database::{Bar, Database, block_on};
use crate::timeline::{parse_date, today};

#[derive(clap::Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    database: Database,
}

pub fn migrate(args: MigrateArgs) -> Result<(), CliError> {
    block_on(async {
        args.database.open().await?;
        eprintln!("The database schema is up to date.");
        Ok(())
    })
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum InputFormat {
    /// Told by each file's name: .json, .jsonl or .csv (events CSV).
    Auto,
    /// A legacy tracker spreadsheet saved as CSV, one row per case (see the README).
    Tracker,
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Case files (.json, .jsonl), events CSV (.csv) or, with --format tracker, trackers (.csv).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    format: InputFormat,
    /// Check everything and report what would be imported, without writing.
    #[arg(long)]
    dry_run: bool,
    /// Replace cases whose reference is already held (their earlier history is kept).
    #[arg(long)]
    replace: bool,
    /// Trackers only: import the sound rows; the others are written to FILE.rejected.csv.
    #[arg(long, requires = "format")]
    skip_invalid: bool,
    #[command(flatten)]
    database: Database,
}

pub fn import(args: ImportArgs) -> Result<(), CliError> {
    if args.skip_invalid && matches!(args.format, InputFormat::Auto) {
        return Err(CliError::Usage(
            "--skip-invalid applies to --format tracker only".into(),
        ));
    }
    let mut files = Vec::with_capacity(args.files.len());
    let mut problems = Vec::new();
    for path in &args.files {
        let kind = match args.format {
            InputFormat::Tracker => Some(ImportKind::Tracker),
            InputFormat::Auto => Format::of_path(path).map(ImportKind::Cases),
        };
        match kind {
            Some(kind) => files.push(ImportFile {
                path: path.clone(),
                kind,
            }),
            None => problems.push(format!(
                "{}: use a .json, .jsonl or .csv file, or --format tracker",
                path.display()
            )),
        }
    }
    if !problems.is_empty() {
        return Err(CliError::Rejected(problems));
    }
    let options = ImportOptions {
        dry_run: args.dry_run,
        replace: args.replace,
        skip_invalid: args.skip_invalid,
        today: today(),
    };
    block_on(async {
        let store = args.database.open().await?;
        let report = transfer::import(&store, &files, options, &mut Bar::default()).await?;
        for problem in &report.skipped {
            eprintln!("skipped: {problem}");
        }
        for rejected in &report.rejected {
            let path = rejected.source.with_extension("rejected.csv");
            std::fs::write(&path, &rejected.csv)
                .map_err(|e| CliError::rejected(format!("{}: {e}", path.display())))?;
            eprintln!(
                "{} row(s) of {} were not imported; they are in {} to correct and import again.",
                rejected.rows,
                rejected.source.display(),
                path.display()
            );
        }
        let verb = if args.dry_run {
            "Would import"
        } else {
            "Imported"
        };
        eprintln!(
            "{verb} {} case(s) with {} event(s){}.",
            report.written.cases,
            report.written.events,
            if report.replaced > 0 {
                format!(", replacing {}", report.replaced)
            } else {
                String::new()
            }
        );
        if !report.providers_added.is_empty() {
            eprintln!(
                "{} {} advice provider(s) to the list (rename or retire them on the Advice \
                 providers page): {}.",
                if args.dry_run { "Would add" } else { "Added" },
                report.providers_added.len(),
                report.providers_added.join("; ")
            );
        }
        Ok(())
    })
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OutputFormat {
    /// Case files, one per line (JSON Lines): everything Tandem holds of each case.
    CaseFiles,
    /// The events CSV of contracts/metrics.md: events only, without the child's details.
    EventsCsv,
    /// The DfE's SEN2 person-level return as XML (with a CSV per module beside it).
    Sen2,
    /// Ofsted's Annex A lists 1 and 2 as one XLSX workbook (with a CSV per list beside it).
    AnnexA,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    format: OutputFormat,
    /// Write here instead of to standard output (required for sen2 and annex-a, whose other
    /// files are written beside it).
    #[arg(long)]
    out: Option<PathBuf>,
    /// sen2 and annex-a: write the return even with data problems, with the problems report
    /// (`…-problems.csv`) beside it. Without it, problems refuse the export.
    #[arg(long)]
    allow_invalid: bool,
    /// sen2: the collection year (the January census's year); defaults to the next census.
    #[arg(long)]
    year: Option<i32>,
    /// sen2: the local authority's 3-digit number for the header.
    #[arg(long, env = "TANDEM_LA_CODE")]
    la: Option<String>,
    /// sen2: is a Designated Medical Officer in post (Y, N, or R recruiting)?
    #[arg(long, default_value = "Y")]
    dmo: String,
    /// sen2: is a Designated Clinical Officer in post (Y, N, R)?
    #[arg(long, default_value = "Y")]
    dco: String,
    /// sen2: is a Designated Social Care Officer in post (Y, N, R)?
    #[arg(long, default_value = "Y")]
    dsco: String,
    /// sen2: the file's serial number (1–999) when sending more than one.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=999))]
    serial: u16,
    /// The day the return is made on; defaults to today.
    #[arg(long, value_parser = parse_date)]
    today: Option<Date>,
    #[command(flatten)]
    database: Database,
}

pub fn export(args: ExportArgs) -> Result<(), CliError> {
    let format = match args.format {
        OutputFormat::CaseFiles => ExportFormat::CaseFiles,
        OutputFormat::EventsCsv => ExportFormat::EventsCsv,
        OutputFormat::Sen2 => return export_return(args, ReturnKind::Sen2),
        OutputFormat::AnnexA => return export_return(args, ReturnKind::AnnexA),
    };
    block_on(async {
        let store = args.database.open().await?;
        let output: Box<dyn Write> = match &args.out {
            Some(path) => Box::new(
                std::fs::File::create(path)
                    .map_err(|e| CliError::rejected(format!("{}: {e}", path.display())))?,
            ),
            None => Box::new(std::io::stdout().lock()),
        };
        let written = transfer::export(&store, format, output, &mut Bar::default()).await?;
        if let Some(path) = &args.out {
            eprintln!("Exported {written} case(s) to {}.", path.display());
        }
        Ok(())
    })
}

fn export_return(args: ExportArgs, kind: ReturnKind) -> Result<(), CliError> {
    let Some(out) = args.out.clone() else {
        return Err(CliError::Usage(
            "--out is required for sen2 and annex-a (their other files go beside it)".into(),
        ));
    };
    let today = args.today.unwrap_or_else(today);
    let collection = match args.year {
        Some(year) => Collection::of_year(year, today),
        None => Collection::next(today),
    };
    let la = match (kind, args.la) {
        (_, Some(la)) => la,
        (ReturnKind::AnnexA, None) => String::new(),
        (ReturnKind::Sen2, None) => {
            return Err(CliError::Usage(
                "--la (or TANDEM_LA_CODE) is required for sen2: the LA's 3-digit number".into(),
            ));
        }
    };
    let options = ReturnOptions {
        collection,
        header: Header {
            la,
            software: "Tandem".into(),
            release: env!("CARGO_PKG_VERSION").into(),
            serial: args.serial,
            created: chrono::Utc::now()
                .with_timezone(&chrono_tz::Europe::London)
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string(),
            dmo: args.dmo,
            dco: args.dco,
            dsco: args.dsco,
        },
        allow_invalid: args.allow_invalid,
    };
    block_on(async {
        let store = args.database.open().await?;
        let summary =
            transfer::export_return(&store, kind, &out, &options, &mut Bar::default()).await?;
        eprintln!(
            "Wrote {} row(s) for the {} collection (census {}), {} data problem(s):",
            summary.rows, collection.year, collection.census, summary.problems
        );
        for file in &summary.files {
            eprintln!("  {}", file.display());
        }
        Ok(())
    })
}

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// How many cases.
    #[arg(long)]
    cases: usize,
    /// The same seed gives the same cases.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The day the histories run up to; defaults to today.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    /// Write to a .jsonl (case files) or .csv (events CSV) file instead of the database.
    #[arg(long)]
    out: Option<PathBuf>,
    /// With --out: how many case managers the cases are spread over. Into the database, the
    /// cases go to its case managers.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..))]
    case_managers: u16,
    #[command(flatten)]
    database: Database,
}

pub fn generate(args: GenerateArgs) -> Result<(), CliError> {
    let options = GenerateOptions {
        cases: args.cases,
        seed: args.seed,
        as_of: args.as_of.unwrap_or_else(today),
        case_managers: usize::from(args.case_managers),
    };
    if let Some(path) = &args.out {
        let written = transfer::generate_to_file(&options, path, &mut Bar::default())?;
        eprintln!("Wrote {written} synthetic case(s) to {}.", path.display());
        return Ok(());
    }
    block_on(async {
        let store = args.database.open().await?;
        let summary = transfer::generate_into(&store, options, &mut Bar::default()).await?;
        eprintln!(
            "Generated {} synthetic case(s) with {} event(s).",
            summary.cases, summary.events
        );
        Ok(())
    })
}

#[derive(clap::Args)]
pub struct BackupArgs {
    /// Where to write the copy (SQLite); it must not exist yet.
    path: PathBuf,
    #[command(flatten)]
    database: Database,
}

pub fn backup(args: BackupArgs) -> Result<(), CliError> {
    block_on(async {
        let store = args.database.open().await?;
        match store.backup(&args.path).await {
            Ok(()) => {
                eprintln!("Backed up to {}.", args.path.display());
                Ok(())
            }
            Err(tandem_store::StoreError::BackupNotSupported(how)) => Err(CliError::rejected(how)),
            Err(tandem_store::StoreError::Backup(why)) => Err(CliError::rejected(why)),
            Err(other) => Err(other.into()),
        }
    })
}
