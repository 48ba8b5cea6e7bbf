//! Moving cases in and out of the store in bulk: `tandem import`, `export` and `generate`.
//!
//! An import is all or nothing (contracts/cli.md): every file is read and checked first, every
//! problem is reported as `FILE:LINE: message`, and only a clean run writes — in one transaction,
//! so that a crash part way leaves the database as it was. The one exception is
//! `--skip-invalid` for a legacy tracker, which imports the sound rows and hands back the
//! refused ones for correction.
//!
//! An events CSV whose cases' rows are each together (as Tandem writes them) is read twice
//! rather than held: checked on every core first, then read again and written a batch at a time
//! while the next batch is read ([`import_grouped_csv`]), so memory stays flat however large the
//! file. Any other file, or one with problems, is read whole.

use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use serde_json::json;
use tandem_core::access::provider_key;
use tandem_core::improvement_plan::ImprovementPlan;
use tandem_core::returns::sen2::Header;
use tandem_core::returns::{AnnexList, Collection};
use tandem_core::{CaseFile, Date, EventDetail, Reference, Role, UserId};
use tandem_store::{
    Attribution, AuditEntry, ImportSummary, NewCase, Source, Store, StoreError, Tx, UserRecord,
};

use crate::generate::{GenerateOptions, generate};
use crate::interchange::events_stream::{self, Folded, StreamOptions};
use crate::interchange::{self, Format, Located, Problem, events_csv, tracker};
use crate::returns;

/// How many cases go to the store at a time: progress is reported between batches, all in the
/// one transaction.
const BATCH: usize = 2_000;

/// Why a transfer did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The input was refused: one `FILE:LINE: message` per problem. Nothing was written.
    #[error("{} problem(s) found; nothing was imported", .0.len())]
    Rejected(Vec<String>),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned, as given (`output` for an export's output).
        path: String,
        /// The error reading or writing it.
        source: std::io::Error,
    },
}

/// A file to import and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    /// Where the file is.
    pub path: PathBuf,
    /// How to read it.
    pub kind: ImportKind,
}

/// What kind of file an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Whole cases in one of the case formats (case files or the events CSV).
    Cases(Format),
    /// A legacy tracker spreadsheet, one row per case, cleansed as it is read
    /// ([`tracker`]).
    Tracker,
}

/// How an import goes about its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// Check everything and report what would be written, but write nothing.
    pub dry_run: bool,
    /// Replace cases whose reference is already held (their history is kept, see
    /// [`Tx::replace_case`]) instead of refusing them.
    pub replace: bool,
    /// Trackers only: import the sound rows and return the others.
    pub skip_invalid: bool,
    /// The last date a fact can carry (trackers are checked against it).
    pub today: Date,
}

/// Rows of a tracker that were refused, as CSV with a `problems` column, to correct and import
/// again.
#[derive(Debug)]
pub struct RejectedRows {
    /// The tracker file the rows came from.
    pub source: PathBuf,
    /// How many rows were refused.
    pub rows: usize,
    /// The CSV itself: the tracker's header plus `problems`, then each refused row as given
    /// with its problems joined by `; `.
    pub csv: Vec<u8>,
}

/// What an import wrote (or, on a dry run, would have written).
#[derive(Debug, Default)]
pub struct ImportReport {
    /// How many cases and events were written, replacements included.
    pub written: ImportSummary,
    /// Cases that replaced ones already held (included in `written`).
    pub replaced: u64,
    /// Problems skipped over with `--skip-invalid`, as `FILE:LINE: message`.
    pub skipped: Vec<String>,
    /// With `--skip-invalid`, the refused rows of each tracker that had any.
    pub rejected: Vec<RejectedRows>,
    /// Advice providers the files named that the list did not have, added to it (or, on a dry
    /// run, that would be added).
    pub providers_added: Vec<String>,
}

/// Progress of long work, for a progress bar.
pub trait Progress {
    /// Work begins: `what` says what it is ("Importing cases"), `total` how many steps it
    /// has, when known.
    fn start(&mut self, what: &str, total: Option<u64>);
    /// `done` steps are finished so far (a running count, not an increment). Called every so
    /// often rather than after every step.
    fn advance(&mut self, done: u64);
    /// The work is over. Not called when it fails part way.
    fn finish(&mut self);
}

/// A case read from a file, with where it came from.
struct Incoming {
    origin: String,
    new: NewCase,
    /// The tracker row and its cleanse, when it came from a tracker (so that `--skip-invalid`
    /// can hand it back).
    row: Option<(usize, Vec<String>)>,
}

/// Imports `files` into the store, all or nothing (see the module documentation).
pub async fn import(
    store: &Store,
    files: &[ImportFile],
    options: ImportOptions,
    progress: &mut dyn Progress,
) -> Result<ImportReport, TransferError> {
    if options.skip_invalid && files.iter().any(|f| f.kind != ImportKind::Tracker) {
        // Rows of a case file or events CSV are not whole cases: skipping one would import a
        // case with a hole in its history.
        return Err(TransferError::Rejected(vec![
            "--skip-invalid applies to --format tracker only".into(),
        ]));
    }
    if let [file] = files
        && file.kind == ImportKind::Cases(Format::EventsCsv)
        && let Some(report) = import_grouped_csv(store, &file.path, options, progress).await?
    {
        return Ok(report);
    }
    let users = store.users().await?;
    let case_managers: HashMap<String, &UserRecord> = users
        .iter()
        .filter(|u| !u.disabled && matches!(u.role, Role::CaseManager | Role::TeamManager))
        .map(|u| (u.email.clone(), u))
        .collect();

    let mut problems: Vec<String> = Vec::new();
    let mut incoming: Vec<Incoming> = Vec::new();
    let mut cleanses: Vec<(PathBuf, tracker::Cleanse)> = Vec::new();
    for file in files {
        let name = file.path.display().to_string();
        let opened = std::fs::File::open(&file.path).map_err(|source| TransferError::Io {
            path: name.clone(),
            source,
        })?;
        let input = BufReader::new(opened);
        match file.kind {
            ImportKind::Cases(format) => {
                let found = interchange::for_each_case(format, input, |case| {
                    incoming.push(Incoming {
                        origin: format!("{name}:{}", case.line),
                        new: NewCase::new(case.value),
                        row: None,
                    })
                });
                problems.extend(found.iter().map(|p| p.located(&name)));
            }
            ImportKind::Tracker => {
                let known =
                    |email: &str| case_managers.contains_key(&tandem_store::normalise_email(email));
                let cleanse = tracker::read(input, &known, options.today);
                problems.extend(cleanse.problems().iter().map(|p| p.located(&name)));
                for accepted in &cleanse.accepted {
                    let manager = accepted
                        .case_manager
                        .as_deref()
                        .and_then(|e| case_managers.get(&tandem_store::normalise_email(e)));
                    incoming.push(Incoming {
                        origin: format!("{name}:{}", accepted.line),
                        new: NewCase {
                            case: accepted.case.clone(),
                            case_manager: manager.map(|u| u.id),
                            team: manager.and_then(|u| u.team.clone()),
                        },
                        row: Some((cleanses.len(), accepted.fields.clone())),
                    });
                }
                cleanses.push((file.path.clone(), cleanse));
            }
        }
    }

    // References clash within the run (across files) and, unless replacing, with the store.
    let mut first_seen: HashMap<Reference, String> = HashMap::new();
    let mut refusals: Vec<(usize, String)> = Vec::new();
    for (index, case) in incoming.iter().enumerate() {
        let reference = &case.new.case.reference;
        match first_seen.get(reference) {
            Some(first) => refusals.push((
                index,
                format!(
                    "{}: reference {reference} is also used at {first}",
                    case.origin
                ),
            )),
            None => {
                first_seen.insert(reference.clone(), case.origin.clone());
            }
        }
    }
    // Whatever another system wrote is held to the limits the forms and the API apply.
    for (index, case) in incoming.iter().enumerate() {
        for problem in tandem_core::input::case_file_problems(&case.new.case) {
            refusals.push((index, format!("{}: {problem}", case.origin)));
        }
    }
    let references: Vec<Reference> = first_seen.into_keys().collect();
    let held: HashSet<Reference> = {
        let mut tx = store.begin().await?;
        let held = tx.existing_references(&references).await?;
        tx.rollback().await?;
        held.into_iter().collect()
    };
    if !options.replace {
        for (index, case) in incoming.iter().enumerate() {
            if held.contains(&case.new.case.reference) {
                refusals.push((
                    index,
                    format!(
                        "{}: a case with reference {} is already held (use --replace to replace it)",
                        case.origin, case.new.case.reference
                    ),
                ));
            }
        }
    }

    let mut report = ImportReport::default();
    if options.skip_invalid {
        // Refused rows go back to their tracker's rejected list; the rest go ahead.
        let refused: HashSet<usize> = refusals.iter().map(|(i, _)| *i).collect();
        for (index, message) in refusals {
            if let Some((file, fields)) = &incoming[index].row {
                let line = incoming[index]
                    .origin
                    .rsplit(':')
                    .next()
                    .and_then(|l| l.parse().ok());
                cleanses[*file].1.rejected.push(tracker::RejectedRow {
                    line: line.unwrap_or(0),
                    fields: fields.clone(),
                    problems: vec![Problem::new(line.unwrap_or(0), message.clone())],
                });
            }
            problems.push(message);
        }
        incoming = incoming
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !refused.contains(i))
            .map(|(_, case)| case)
            .collect();
        report.skipped = problems;
        for (source, cleanse) in &cleanses {
            if cleanse.rejected.is_empty() {
                continue;
            }
            let mut csv = Vec::new();
            cleanse
                .write_rejected(&mut csv)
                .map_err(|e| TransferError::Io {
                    path: source.display().to_string(),
                    source: e.into(),
                })?;
            report.rejected.push(RejectedRows {
                source: source.clone(),
                rows: cleanse.rejected.len(),
                csv,
            });
        }
    } else {
        problems.extend(refusals.into_iter().map(|(_, message)| message));
        if !problems.is_empty() {
            return Err(TransferError::Rejected(problems));
        }
    }

    let providers = ProviderNames::resolve(
        store,
        incoming.iter().flat_map(|c| named_providers(&c.new.case)),
    )
    .await?;
    for case in &mut incoming {
        providers.rename(&mut case.new.case);
    }
    report.providers_added = providers.added;
    let (fresh, replacing): (Vec<Incoming>, Vec<Incoming>) = incoming
        .into_iter()
        .partition(|case| !held.contains(&case.new.case.reference));
    report.replaced = replacing.len() as u64;
    report.written = ImportSummary {
        cases: (fresh.len() + replacing.len()) as u64,
        events: fresh
            .iter()
            .chain(&replacing)
            .map(|c| c.new.case.events.len() as u64)
            .sum(),
    };
    if options.dry_run {
        return Ok(report);
    }

    let by = Attribution::new(None, Source::Import);
    let mut tx = store.begin().await?;
    progress.start("Importing cases", Some(report.written.cases));
    let mut done = 0;
    for name in &report.providers_added {
        tx.add_advice_provider(name).await?;
    }
    let mut fresh = fresh.into_iter().map(|c| c.new).peekable();
    while fresh.peek().is_some() {
        let batch: Vec<NewCase> = fresh.by_ref().take(BATCH).collect();
        done += tx.import_cases(batch, by).await?.cases;
        progress.advance(done);
    }
    for case in &replacing {
        replace_held(&mut tx, &case.new, by).await?;
        done += 1;
        progress.advance(done);
    }
    finish_import(tx, store, &report, files.len(), progress).await?;
    Ok(report)
}

/// Audits an import, commits it and brings the planner's statistics up to date.
async fn finish_import(
    mut tx: Tx,
    store: &Store,
    report: &ImportReport,
    files: usize,
    progress: &mut dyn Progress,
) -> Result<(), TransferError> {
    tx.audit(&AuditEntry::new(None, "import").detail(json!({
        "cases": report.written.cases,
        "events": report.written.events,
        "replaced": report.replaced,
        "files": files,
        "providers_added": report.providers_added,
    })))
    .await?;
    tx.commit().await?;
    store.optimize().await?;
    progress.finish();
    Ok(())
}

/// What the first pass over a grouped events CSV keeps of a case: enough for the second pass
/// to check that it reads the same file.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    line: u64,
    reference: Reference,
    events: usize,
}

/// What one thread of the first pass made of the cases it was handed.
#[derive(Default)]
struct FirstPass {
    cases: Vec<Seen>,
    /// Each provider name (by [`provider_key`]) with where it is first given: the case's line
    /// and the event's place in the case.
    providers: HashMap<String, ((u64, usize), String)>,
    /// Cases the forms and the API would refuse.
    refused: usize,
}

impl FirstPass {
    fn add(&mut self, case: Located<CaseFile>) {
        if !tandem_core::input::case_file_problems(&case.value).is_empty() {
            self.refused += 1;
        }
        for (at, named) in named_providers(&case.value).enumerate() {
            keep_earliest(
                &mut self.providers,
                provider_key(named),
                (case.line, at),
                named,
            );
        }
        self.cases.push(Seen {
            line: case.line,
            reference: case.value.reference,
            events: case.value.events.len(),
        });
    }

    /// The threads' findings as one: the cases in the file's order, each provider name once in
    /// the order first given.
    fn merge(parts: Vec<Self>) -> (Vec<Seen>, Vec<String>, usize) {
        let mut cases = Vec::new();
        let mut providers: HashMap<String, ((u64, usize), String)> = HashMap::new();
        let mut refused = 0;
        for part in parts {
            cases.extend(part.cases);
            refused += part.refused;
            for (key, (first, named)) in part.providers {
                keep_earliest(&mut providers, key, first, &named);
            }
        }
        cases.sort_by_key(|case| case.line);
        let mut providers: Vec<_> = providers.into_values().collect();
        providers.sort();
        (
            cases,
            providers.into_iter().map(|(_, named)| named).collect(),
            refused,
        )
    }
}

/// Keeps `named` as the name first given for `key` unless one was given before `first` (a case's
/// line and the request's place in it).
fn keep_earliest(
    providers: &mut HashMap<String, ((u64, usize), String)>,
    key: String,
    first: (u64, usize),
    named: &str,
) {
    if providers.get(&key).is_none_or(|(seen, _)| first < *seen) {
        providers.insert(key, (first, named.to_owned()));
    }
}

/// Imports an events CSV whose cases' rows are each together (as `tandem export` and
/// `tandem generate` write them) without holding the file in memory. A first pass on every core
/// checks it and keeps only each case's line, reference and number of events; a second reads
/// it again in order on a thread of its own and hands the writer batches of cases while it
/// writes the batch before, all in one transaction. A case read the second time that is not
/// the one checked (the file changed meanwhile) fails the import and rolls it all back.
///
/// Returns `None`, having written nothing, when the file's rows are not grouped by case or it
/// has any problem: the whole-file import then reads it and reports every problem as always.
async fn import_grouped_csv(
    store: &Store,
    path: &Path,
    options: ImportOptions,
    progress: &mut dyn Progress,
) -> Result<Option<ImportReport>, TransferError> {
    let file = path.to_owned();
    let checked = tokio::task::spawn_blocking(move || {
        events_stream::fold_cases(
            &file,
            StreamOptions::default(),
            &FirstPass::default,
            &FirstPass::add,
        )
    })
    .await
    .unwrap_or_else(|failed| std::panic::resume_unwind(failed.into_panic()));
    let Ok(Folded {
        parts,
        grouped: true,
    }) = checked
    else {
        return Ok(None);
    };
    let (cases, named, refused) = FirstPass::merge(parts);
    if refused > 0 {
        return Ok(None);
    }
    let references: Vec<Reference> = cases.iter().map(|c| c.reference.clone()).collect();
    let held: HashSet<Reference> = {
        let mut tx = store.begin().await?;
        let held = tx.existing_references(&references).await?;
        tx.rollback().await?;
        held.into_iter().collect()
    };
    drop(references);
    if !held.is_empty() && !options.replace {
        return Ok(None);
    }
    let providers = ProviderNames::resolve(store, named.iter().map(String::as_str)).await?;
    let report = ImportReport {
        written: ImportSummary {
            cases: cases.len() as u64,
            events: cases.iter().map(|c| c.events as u64).sum(),
        },
        replaced: held.len() as u64,
        providers_added: providers.added.clone(),
        ..ImportReport::default()
    };
    if options.dry_run {
        return Ok(Some(report));
    }

    let by = Attribution::new(None, Source::Import);
    let mut tx = store.begin().await?;
    progress.start("Importing cases", Some(report.written.cases));
    for name in &report.providers_added {
        tx.add_advice_provider(name).await?;
    }
    let (hand_over, mut handed) = tokio::sync::mpsc::channel(1);
    let file = path.to_owned();
    let reading = std::thread::spawn(move || read_again(&file, &cases, &hand_over));
    let mut done = 0;
    while let Some(batch) = handed.recv().await {
        let (replacing, fresh): (Vec<NewCase>, Vec<NewCase>) = batch?
            .into_iter()
            .map(|mut case| {
                providers.rename(&mut case);
                NewCase::new(case)
            })
            .partition(|new| held.contains(&new.case.reference));
        done += tx.import_cases(fresh, by).await?.cases;
        for new in &replacing {
            replace_held(&mut tx, new, by).await?;
            done += 1;
        }
        progress.advance(done);
    }
    if let Err(panic) = reading.join() {
        std::panic::resume_unwind(panic);
    }
    finish_import(tx, store, &report, 1, progress).await?;
    Ok(Some(report))
}

/// The second pass of [`import_grouped_csv`]: reads the file at `path` in order and hands its
/// cases over in batches, checking each against what the first pass saw (`expected`). Stops
/// quietly if the writer has stopped.
fn read_again(
    path: &Path,
    expected: &[Seen],
    hand_over: &tokio::sync::mpsc::Sender<Result<Vec<CaseFile>, TransferError>>,
) {
    let changed = || {
        TransferError::Rejected(vec![format!(
            "{}: the file changed while it was being imported",
            path.display()
        )])
    };
    let mut next = expected.iter();
    let mut batch = Vec::with_capacity(BATCH);
    // `Err(None)`: the writer has stopped, and reports its own error.
    let read = events_stream::for_each_case_in_order(
        path,
        StreamOptions::default().chunk_bytes,
        &mut |case| {
            let seen = Seen {
                line: case.line,
                reference: case.value.reference.clone(),
                events: case.value.events.len(),
            };
            if next.next() != Some(&seen) {
                return Err(Some(changed()));
            }
            batch.push(case.value);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                hand_over.blocking_send(Ok(full)).map_err(|_| None)?;
            }
            Ok(())
        },
    );
    let last = match read {
        Ok(Ok(())) if next.next().is_none() => Ok(batch),
        Ok(Err(None)) => return,
        Ok(Err(Some(error))) => Err(error),
        Ok(Ok(())) | Err(_) => Err(changed()),
    };
    // Nothing is lost if the writer has gone: it reports its own error.
    let _ = hand_over.blocking_send(last);
}

/// The advice providers incoming cases name, put on the list (issue 14, finding 17): a name the
/// list has, or had before a rename, is recorded under the provider's name now; a name it lacks
/// is to be added. Imports carry the history of the council's earlier systems, whose providers
/// are its own, so they are added rather than refused; the report and the audit entry name each
/// one, for an administrator to rename or retire.
struct ProviderNames {
    /// Each name given (by [`provider_key`]) and the name to record.
    listed: HashMap<String, String>,
    /// The names to add to the list, in the order first given.
    added: Vec<String>,
}

impl ProviderNames {
    async fn resolve<'a>(
        store: &Store,
        named: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, TransferError> {
        let mut listed: HashMap<String, String> = HashMap::new();
        let mut added = Vec::new();
        let mut tx = store.begin().await?;
        for named in named {
            let key = provider_key(named);
            if listed.contains_key(&key) {
                continue;
            }
            let name = match tx.advice_provider_named(named).await? {
                Some(provider) => provider.name,
                None => {
                    added.push(named.trim().to_owned());
                    named.trim().to_owned()
                }
            };
            listed.insert(key, name);
        }
        tx.rollback().await?;
        Ok(Self { listed, added })
    }

    /// Records each provider `case` names under its name on the list.
    fn rename(&self, case: &mut CaseFile) {
        for event in &mut case.events {
            if let EventDetail::AdviceRequested {
                provider: Some(named),
                ..
            } = &mut event.detail
                && let Some(listed) = self.listed.get(&provider_key(named))
            {
                named.clone_from(listed);
            }
        }
    }
}

/// The advice providers `case`'s requests name, in order.
fn named_providers(case: &CaseFile) -> impl Iterator<Item = &str> {
    case.events.iter().filter_map(|event| match &event.detail {
        EventDetail::AdviceRequested {
            provider: Some(named),
            ..
        } => Some(named.as_str()),
        _ => None,
    })
}

async fn replace_held(tx: &mut Tx, new: &NewCase, by: Attribution) -> Result<(), StoreError> {
    let held = tx.require_case(&new.case.reference).await?;
    tx.replace_case(held.record.id, held.record.version, new, "re-imported", by)
        .await?;
    Ok(())
}

/// What `tandem export` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Case files, one per line (JSON Lines).
    CaseFiles,
    /// The events CSV of contracts/metrics.md.
    EventsCsv,
}

impl ExportFormat {
    /// The format's name in the export's audit entry.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::CaseFiles => "case-files",
            Self::EventsCsv => "events-csv",
        }
    }
}

/// Writes cases one at a time in either export format.
enum CaseWriter<W: Write> {
    Lines(std::io::BufWriter<W>),
    // Boxed: the CSV writer carries its own buffers and is far larger than the other.
    Csv(Box<events_csv::Writer<W>>),
}

impl<W: Write> CaseWriter<W> {
    fn new(format: ExportFormat, output: W) -> std::io::Result<Self> {
        Ok(match format {
            ExportFormat::CaseFiles => Self::Lines(std::io::BufWriter::new(output)),
            ExportFormat::EventsCsv => Self::Csv(Box::new(events_csv::Writer::new(output)?)),
        })
    }

    fn write(&mut self, case: &CaseFile) -> std::io::Result<()> {
        match self {
            Self::Lines(output) => interchange::case_files::write_jsonl_line(output, case),
            Self::Csv(writer) => Ok(writer.write_case(case)?),
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Self::Lines(mut output) => output.flush(),
            Self::Csv(writer) => writer.finish().map(drop),
        }
    }
}

/// Writes every case, read from one consistent snapshot, and audits the export. Returns how many
/// cases were written.
pub async fn export(
    store: &Store,
    format: ExportFormat,
    output: impl Write,
    progress: &mut dyn Progress,
) -> Result<u64, TransferError> {
    let io = |source| TransferError::Io {
        path: "output".into(),
        source,
    };
    let total = store.count_cases().await?;
    progress.start("Exporting cases", Some(total.max(0) as u64));
    let mut writer = CaseWriter::new(format, output).map_err(io)?;
    let mut cases = std::pin::pin!(store.case_files());
    let mut written = 0;
    while let Some(case) = cases.try_next().await? {
        writer.write(&case).map_err(io)?;
        written += 1;
        tick(progress, written);
    }
    writer.finish().map_err(io)?;
    let mut tx = store.begin().await?;
    tx.audit(
        &AuditEntry::new(None, "export").detail(json!({"format": format.name(), "cases": written})),
    )
    .await?;
    tx.commit().await?;
    progress.finish();
    Ok(written)
}

fn tick(progress: &mut dyn Progress, done: u64) {
    if done.is_multiple_of(1_000) {
        progress.advance(done);
    }
}

/// Generates synthetic cases into the store in one transaction, spread over its enabled case
/// managers in id order (unassigned when there are none).
pub async fn generate_into(
    store: &Store,
    options: GenerateOptions,
    progress: &mut dyn Progress,
) -> Result<ImportSummary, TransferError> {
    let managers: Vec<(UserId, Option<String>)> = store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.role == Role::CaseManager && !u.disabled)
        .map(|u| (u.id, u.team))
        .collect();
    let options = GenerateOptions {
        case_managers: managers.len().max(1),
        ..options
    };
    let by = Attribution::new(None, Source::Generate);
    let mut tx = store.begin().await?;
    // The generated cases name these providers: they go on the list first.
    for name in crate::generate::provider_names() {
        tx.ensure_advice_provider(name).await?;
    }
    progress.start("Generating cases", Some(options.cases as u64));
    let mut summary = ImportSummary::default();
    let mut cases = generate(&options).peekable();
    while cases.peek().is_some() {
        let batch = cases.by_ref().take(BATCH).map(|generated| {
            let manager = managers.get(generated.case_manager);
            NewCase {
                case: generated.case,
                case_manager: manager.map(|m| m.0),
                team: manager.and_then(|m| m.1.clone()),
            }
        });
        let written = tx.import_cases(batch.collect(), by).await?;
        summary.cases += written.cases;
        summary.events += written.events;
        progress.advance(summary.cases);
    }
    tx.audit(&AuditEntry::new(None, "generate").detail(json!({
        "cases": summary.cases,
        "events": summary.events,
        "seed": options.seed,
    })))
    .await?;
    tx.commit().await?;
    store.optimize().await?;
    progress.finish();
    Ok(summary)
}

/// Writes synthetic cases to a `.jsonl` (case files) or `.csv` (events CSV) file. Returns how
/// many.
pub fn generate_to_file(
    options: &GenerateOptions,
    path: &Path,
    progress: &mut dyn Progress,
) -> Result<u64, TransferError> {
    let io = |source| TransferError::Io {
        path: path.display().to_string(),
        source,
    };
    let format = match Format::of_path(path) {
        Some(Format::JsonLines) => ExportFormat::CaseFiles,
        Some(Format::EventsCsv) => ExportFormat::EventsCsv,
        _ => {
            return Err(TransferError::Rejected(vec![format!(
                "{}: use a .jsonl or .csv file name",
                path.display()
            )]));
        }
    };
    let file = std::fs::File::create(path).map_err(io)?;
    progress.start("Generating cases", Some(options.cases as u64));
    let mut writer = CaseWriter::new(format, file).map_err(io)?;
    let mut written = 0;
    for generated in generate(options) {
        writer.write(&generated.case).map_err(io)?;
        written += 1;
        tick(progress, written);
    }
    writer.finish().map_err(io)?;
    progress.finish();
    Ok(written)
}

/// Keeps `plan` as the service's improvement plan, in one transaction, and audits it; returns
/// how many actions and measures it holds. A plan already kept is replaced only when `replace`
/// says so (its actions' update history goes with it); otherwise the import is refused and
/// nothing is written.
pub async fn import_improvement_plan(
    store: &Store,
    plan: &ImprovementPlan,
    replace: bool,
) -> Result<i64, TransferError> {
    let mut tx = store.begin().await?;
    let held = tx.improvement_plan().await?;
    if !held.priorities.is_empty() && !replace {
        return Err(TransferError::Rejected(vec![
            "the database already holds an improvement plan: use --replace to replace it (the \
             update history of its actions goes with it)"
                .into(),
        ]));
    }
    let items = tx.replace_improvement_plan(plan).await?;
    tx.audit(
        &AuditEntry::new(None, "improvement_plan.import").detail(json!({
            "items": items,
            "actions": plan.actions().count(),
            "replaced": !held.priorities.is_empty(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(items)
}

/// The improvement plan as kept (empty when none is), with the export audited.
pub async fn export_improvement_plan(store: &Store) -> Result<ImprovementPlan, TransferError> {
    let mut tx = store.begin().await?;
    let plan = tx.improvement_plan().await?;
    tx.audit(
        &AuditEntry::new(None, "improvement_plan.export")
            .detail(json!({"actions": plan.actions().count()})),
    )
    .await?;
    tx.commit().await?;
    Ok(plan)
}

/// Which statutory return `tandem export` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnKind {
    /// The DfE's SEN2 person-level return: XML, and a CSV per module beside it.
    Sen2,
    /// Ofsted's Annex A lists: one workbook, and a CSV per list beside it.
    AnnexA,
}

/// How a statutory return is made.
#[derive(Debug, Clone)]
pub struct ReturnOptions {
    /// The collection, its census day and today.
    pub collection: Collection,
    /// The SEN2 header's LA-level facts.
    pub header: Header,
    /// Write the return even with data problems, with the report beside it.
    pub allow_invalid: bool,
}

/// What a statutory return export wrote.
#[derive(Debug)]
pub struct ReturnSummary {
    /// Every file written, the main one first.
    pub files: Vec<PathBuf>,
    /// Rows (SEN2 persons, or Annex A children on either list).
    pub rows: usize,
    /// Data problems found (all written to the report when allowed).
    pub problems: usize,
}

/// A file beside `out`: `sen2.xml` + `person` → `sen2-person.csv`.
fn beside(out: &Path, suffix: &str, extension: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or_else(|| "return".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}-{suffix}.{extension}"))
}

/// Makes a statutory return from every case in the store. With data problems it refuses
/// (listing them, writing nothing) unless `allow_invalid`, which writes the return and the
/// problems report (`…-problems.csv`) beside it. The SEN2 XML is checked against the
/// specification's structure before it is written.
pub async fn export_return(
    store: &Store,
    kind: ReturnKind,
    out: &Path,
    options: &ReturnOptions,
    progress: &mut dyn Progress,
) -> Result<ReturnSummary, TransferError> {
    let total = store.count_cases().await?;
    progress.start("Reading cases", Some(total.max(0) as u64));
    let mut read = Vec::with_capacity(total.max(0) as usize);
    let mut cases = std::pin::pin!(store.case_files());
    while let Some(case) = cases.try_next().await? {
        read.push(case);
        tick(progress, read.len() as u64);
    }
    let assessed = returns::assess(read, &options.collection);
    progress.finish();
    let problems: usize = assessed.iter().map(|c| c.problems.len()).sum();
    let report = |why: &str| -> Vec<String> {
        let mut lines = vec![format!("{problems} data problem(s); {why}")];
        for case in &assessed {
            for p in &case.problems {
                lines.push(format!(
                    "{}: {} ({}): {}",
                    case.reference,
                    p.rule.title(),
                    p.rule.id(),
                    p.detail
                ));
            }
        }
        lines
    };
    if returns::has_errors(&assessed) && !options.allow_invalid {
        return Err(TransferError::Rejected(report(
            "nothing was written (use --allow-invalid to write the return with a report beside it)",
        )));
    }
    let csv_error = |e: csv::Error| TransferError::Io {
        path: out.display().to_string(),
        source: std::io::Error::other(e),
    };
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let rows = match kind {
        ReturnKind::Sen2 => {
            // The header is the operator's (LA, serial, officers): put right before anything is
            // made, whatever --allow-invalid says (rules H-01 to H-04).
            let header =
                tandem_core::returns::rules::check_header(&options.header, &options.collection);
            if !header.is_empty() {
                return Err(TransferError::Rejected(
                    header
                        .iter()
                        .map(|p| {
                            format!("header: {} ({}): {}", p.rule.title(), p.rule.id(), p.detail)
                        })
                        .collect(),
                ));
            }
            let made = returns::sen2(&assessed, &options.header, &options.collection)
                .map_err(csv_error)?;
            let structure = returns::check_sen2_xml(&made.xml);
            if !structure.is_empty() && !options.allow_invalid {
                let mut lines = vec![format!(
                    "the SEN2 file breaks the specification's structure in {} place(s); nothing was written",
                    structure.len()
                )];
                lines.extend(structure);
                return Err(TransferError::Rejected(lines));
            }
            files.push((out.to_path_buf(), made.xml.into_bytes()));
            if !structure.is_empty() {
                let mut text = structure.join("\n");
                text.push('\n');
                files.push((beside(out, "structure", "txt"), text.into_bytes()));
            }
            for (module, csv) in made.modules {
                files.push((beside(out, &module.to_lowercase(), "csv"), csv));
            }
            made.persons
        }
        ReturnKind::AnnexA => {
            let lists = returns::annex_a(&assessed, &options.collection);
            let workbook = returns::annex_a_workbook(&lists).map_err(|e| TransferError::Io {
                path: out.display().to_string(),
                source: std::io::Error::other(e),
            })?;
            files.push((out.to_path_buf(), workbook));
            for (list, rows, name) in [
                (AnnexList::Plans, &lists.list_1, "list-1"),
                (AnnexList::SenSupport, &lists.list_2, "list-2"),
            ] {
                files.push((
                    beside(out, name, "csv"),
                    returns::annex_a_csv(list, rows).map_err(csv_error)?,
                ));
            }
            lists.list_1.len() + lists.list_2.len()
        }
    };
    if problems > 0 {
        files.push((
            beside(out, "problems", "csv"),
            returns::report_csv(&assessed).map_err(csv_error)?,
        ));
    }
    for (path, bytes) in &files {
        std::fs::write(path, bytes).map_err(|source| TransferError::Io {
            path: path.display().to_string(),
            source,
        })?;
    }
    let format = match kind {
        ReturnKind::Sen2 => "sen2",
        ReturnKind::AnnexA => "annex-a",
    };
    let mut tx = store.begin().await?;
    tx.audit(&AuditEntry::new(None, "export").detail(json!({
        "format": format,
        "year": options.collection.year,
        "rows": rows,
        "problems": problems,
        "allow_invalid": options.allow_invalid,
    })))
    .await?;
    tx.commit().await?;
    Ok(ReturnSummary {
        files: files.into_iter().map(|(p, _)| p).collect(),
        rows,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grouped events CSV of `cases` generated cases, and what a first pass sees of it.
    fn grouped_csv(dir: &Path, cases: usize) -> (PathBuf, Vec<Seen>) {
        let path = dir.join("grouped.csv");
        let options = GenerateOptions {
            cases,
            seed: 7,
            as_of: Date::from_ymd_opt(2026, 3, 31).expect("a date"),
            case_managers: 1,
        };
        generate_to_file(&options, &path, &mut NoProgress).expect("generated");
        let folded = events_stream::fold_cases(
            &path,
            StreamOptions::default(),
            &FirstPass::default,
            &FirstPass::add,
        )
        .expect("a sound file");
        assert!(folded.grouped);
        (path, FirstPass::merge(folded.parts).0)
    }

    struct NoProgress;

    impl Progress for NoProgress {
        fn start(&mut self, _: &str, _: Option<u64>) {}
        fn advance(&mut self, _: u64) {}
        fn finish(&mut self) {}
    }

    /// Runs the second pass on a thread, as the import does, and gathers what it hands over.
    fn read_again_all(path: &Path, expected: Vec<Seen>) -> Vec<Result<Vec<CaseFile>, String>> {
        let (hand_over, mut handed) = tokio::sync::mpsc::channel(1);
        let path = path.to_owned();
        let reading = std::thread::spawn(move || read_again(&path, &expected, &hand_over));
        let mut batches = Vec::new();
        while let Some(batch) = handed.blocking_recv() {
            batches.push(batch.map_err(|e| match e {
                TransferError::Rejected(problems) => problems.join("; "),
                other => other.to_string(),
            }));
        }
        reading.join().expect("the reader ends");
        batches
    }

    #[test]
    fn the_second_pass_hands_over_every_case_in_batches_in_the_files_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (path, seen) = grouped_csv(dir.path(), BATCH + 5);
        let batches = read_again_all(&path, seen.clone());
        let sizes: Vec<usize> = batches
            .iter()
            .map(|b| b.as_ref().expect("a batch").len())
            .collect();
        assert_eq!(sizes, vec![BATCH, 5]);
        let references: Vec<Reference> = batches
            .into_iter()
            .flat_map(|b| b.expect("a batch"))
            .map(|case| case.reference)
            .collect();
        let expected: Vec<Reference> = seen.into_iter().map(|s| s.reference).collect();
        assert_eq!(references, expected);
    }

    #[test]
    fn a_file_that_is_not_the_one_checked_fails_the_second_pass() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (path, seen) = grouped_csv(dir.path(), 30);
        let changed = |batches: &[Result<Vec<CaseFile>, String>]| matches!(batches.last(), Some(Err(e)) if e.ends_with("the file changed while it was being imported"));
        // A case with another number of events than when it was checked.
        let mut other = seen.clone();
        other[12].events += 1;
        let batches = read_again_all(&path, other);
        assert!(changed(&batches), "{batches:?}");
        assert_eq!(
            batches.len(),
            1,
            "nothing handed over before the change is found"
        );
        // A file with a case more than was checked, and one with a case fewer.
        let batches = read_again_all(&path, seen[..29].to_vec());
        assert!(changed(&batches), "{batches:?}");
        let mut more = seen.clone();
        more.push(Seen {
            line: 1_000_000,
            reference: Reference::parse("EHC-LATE").expect("a reference"),
            events: 1,
        });
        let batches = read_again_all(&path, more);
        assert!(changed(&batches), "{batches:?}");
        // The file as checked.
        let batches = read_again_all(&path, seen);
        assert!(batches.iter().all(Result::is_ok));
    }
}
