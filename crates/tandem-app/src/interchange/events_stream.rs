//! Reading a large events CSV (contracts/metrics.md §3) on every core, in bounded memory.
//!
//! [`events_csv::read`](super::events_csv::read) holds the whole file's cases before handing
//! any out, because a case's rows may be anywhere in the file. A national extract (a million
//! cases, 750 MB) is written case by case, though, so this reader bets on that and checks it:
//!
//! - one thread reads the file in chunks that end on a row boundary and counts their lines;
//! - workers parse the chunks' bytes into events, group adjacent rows of one reference into a
//!   case, and hand each whole case to the caller's accumulator (one accumulator per worker);
//! - a case cut by a chunk boundary is joined up in order by the calling thread;
//! - every case handed out leaves a hash of its reference behind. If a reference turns out to
//!   have been handed out twice (its rows were not adjacent), the file is read a second time
//!   with fresh accumulators, and the rows of those references (and only those) are gathered
//!   whole before being handed out. The answer is the same either way; only a file whose cases
//!   are scattered pays for the second pass, and in memory for its scattered cases.
//!
//! Rows are parsed exactly as [`events_csv::read`](super::events_csv::read) parses them (the
//! same header rules, trimming and field names, the same event parser); chunks that need
//! RFC 4180 quoting rules (a `"` or a carriage return in them) go through the `csv` crate, the
//! rest through a plain split on commas and newlines, which for such bytes is the same thing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use tandem_core::event::{EventError, Fields};
use tandem_core::{CaseFile, Child, Event, Reference};

use super::events_csv::HEADER;
use super::{Located, Problem};

/// How the file is read: chunk size and threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    /// Bytes read at a time (a chunk holds at least one whole row whatever this says).
    pub chunk_bytes: usize,
    /// Threads that parse chunks and add cases up.
    pub workers: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            chunk_bytes: 1 << 22,
            workers: std::thread::available_parallelism().map_or(2, usize::from),
        }
    }
}

/// The columns of the header: where each field the event parser may ask for is.
#[derive(Debug, Clone)]
struct Columns {
    /// Fields a row must have.
    count: usize,
    /// Every column's name, trimmed, in order.
    names: Vec<String>,
    reference: usize,
    kind_of_event: usize,
    date: Option<usize>,
    from: Option<usize>,
}

impl Columns {
    /// Reads the header row's names, or says why the header is refused (as
    /// [`events_csv::read`](super::events_csv::read) does).
    fn new(names: Vec<String>) -> Result<Self, String> {
        let position = |name: &str| names.iter().position(|n| n == name);
        let (reference, kind_of_event) = match (position("reference"), position("type")) {
            (Some(r), Some(t)) => (r, t),
            (r, t) => {
                let missing: Vec<&str> = [("reference", r), ("type", t)]
                    .into_iter()
                    .filter(|(_, at)| at.is_none())
                    .map(|(n, _)| n)
                    .collect();
                return Err(format!(
                    "the header must have the columns {}; it lacks {}",
                    HEADER.join(","),
                    missing.join(", ")
                ));
            }
        };
        Ok(Self {
            count: names.len(),
            date: position("date"),
            from: position("from"),
            reference,
            kind_of_event,
            names,
        })
    }

    fn position(&self, name: &str) -> Option<usize> {
        match name {
            "reference" => Some(self.reference),
            "type" => Some(self.kind_of_event),
            "date" => self.date,
            "from" => self.from,
            _ => self.names.iter().position(|n| n == name),
        }
    }
}

/// One row's trimmed fields, read by name as the event parser asks for them.
struct Row<'r, 'c> {
    columns: &'c Columns,
    values: &'r [&'r str],
}

impl Row<'_, '_> {
    fn get(&self, at: Option<usize>) -> &str {
        at.and_then(|i| self.values.get(i)).copied().unwrap_or("")
    }
}

impl Fields for Row<'_, '_> {
    fn text(&self, name: &str) -> Result<Option<&str>, EventError> {
        let value = match self.columns.position(name) {
            Some(at) => self.get(Some(at)),
            // For an exception the contract allows the date in `from` with `date` empty; the
            // date column stands in for a missing `from` column (as events_csv::read does).
            None if name == "from" && self.get(Some(self.columns.kind_of_event)) == "exception" => {
                self.get(self.columns.date)
            }
            None => "",
        };
        Ok(Some(value).filter(|v| !v.is_empty()))
    }
}

/// A chunk of whole rows, with the line its first byte is on.
struct Chunk {
    seq: usize,
    line: u64,
    bytes: Vec<u8>,
}

/// The rows of one reference that were next to each other.
struct Run {
    reference: Reference,
    line: u64,
    events: Vec<Event>,
}

impl Run {
    fn into_case(self) -> Located<CaseFile> {
        Located {
            line: self.line,
            value: CaseFile {
                reference: self.reference,
                child: Child::default(),
                events: self.events,
                request: Default::default(),
            },
        }
    }
}

/// What a worker made of one chunk, for the joining thread.
#[derive(Default)]
struct ChunkResult {
    /// The chunk's first run (it may carry on from the previous chunk).
    first: Option<Run>,
    /// Its last run (it may carry on into the next), when it is not the first.
    last: Option<Run>,
    /// Whole runs whose reference is held for gathering (second pass only).
    held: Vec<Run>,
    /// Hashes of the references of the runs the worker added up.
    added: Vec<u64>,
    problems: Vec<Problem>,
    /// A row that stops the reading (not UTF-8): nothing after it is read.
    fatal: bool,
}

type Hasher = BuildHasherDefault<DefaultHasher>;

fn hash_of(reference: &str) -> u64 {
    Hasher::default().hash_one(reference)
}

/// What [`fold_cases`] made of a file.
#[derive(Debug)]
pub struct Folded<A> {
    /// One accumulator per thread; together they have seen every case once.
    pub parts: Vec<A>,
    /// Whether the rows of every case were adjacent (so [`for_each_case_in_order`] can stream
    /// the file).
    pub grouped: bool,
}

/// Calls `each` on every case of the events CSV at `path`, on `options.workers` threads, each
/// with its own accumulator made by `make`; returns the accumulators, or every problem found
/// (then nothing should be taken from the accumulators, and none is returned). A case is
/// handed out once, whole, with the line of its first row, whatever the order of the file's
/// rows; the order in which cases are handed out is not the file's.
pub fn fold_cases<A: Send>(
    path: &Path,
    options: StreamOptions,
    make: &(dyn Fn() -> A + Sync),
    each: &(dyn Fn(&mut A, Located<CaseFile>) + Sync),
) -> Result<Folded<A>, Vec<Problem>> {
    let first = pass(path, options, make, each, None)?;
    if first.repeated.is_empty() {
        return Ok(Folded {
            parts: first.accumulators,
            grouped: true,
        });
    }
    drop(first.accumulators);
    let again = pass(path, options, make, each, Some(&first.repeated))?;
    Ok(Folded {
        parts: again.accumulators,
        grouped: false,
    })
}

/// Hands every case of an events CSV whose cases' rows are adjacent to `each`, in the file's
/// order, on the calling thread, holding one chunk at a time. Meant for a second pass over a
/// file [`fold_cases`] has checked and found grouped: a reference met again later is handed out
/// again (as another case), and a row with a problem is skipped. Stops at the first error
/// `each` returns.
pub fn for_each_case_in_order<E>(
    path: &Path,
    chunk_bytes: usize,
    each: &mut dyn FnMut(Located<CaseFile>) -> Result<(), E>,
) -> Result<Result<(), E>, Vec<Problem>> {
    let unreadable = |e: std::io::Error| vec![Problem::new(1, format!("unreadable file: {e}"))];
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let chunk_bytes = chunk_bytes.max(1);
    let mut buffer = Vec::with_capacity(chunk_bytes * 2);
    let (columns, consumed, mut line) = read_header(&mut file, &mut buffer, chunk_bytes)?;
    buffer.drain(..consumed);
    let mut open: Option<Run> = None;
    let mut at_end = false;
    loop {
        if !at_end {
            let want = chunk_bytes.max(buffer.len() + 1);
            at_end = fill(&mut file, &mut buffer, want)
                .map_err(|e| vec![Problem::new(line, format!("unreadable row: {e}"))])?;
        }
        let end = if at_end {
            buffer.len()
        } else {
            match last_row_end(&buffer) {
                Some(end) => end,
                None => {
                    let grown = buffer.len() * 2;
                    at_end = fill(&mut file, &mut buffer, grown)
                        .map_err(|e| vec![Problem::new(line, format!("unreadable row: {e}"))])?;
                    continue;
                }
            }
        };
        let chunk = Chunk {
            seq: 0,
            line,
            bytes: buffer.drain(..end).collect(),
        };
        line += count_lines(&chunk.bytes);
        let mut inner = Vec::new();
        let result = parse_chunk(&chunk, &columns, None, &mut |run| inner.push(run));
        if !result.problems.is_empty() {
            return Err(result.problems);
        }
        if let Some(first) = result.first {
            match &mut open {
                Some(run) if run.reference == first.reference => run.events.extend(first.events),
                _ => {
                    if let Some(run) = open.replace(first)
                        && let Err(e) = each(run.into_case())
                    {
                        return Ok(Err(e));
                    }
                }
            }
        }
        if !inner.is_empty() || result.last.is_some() {
            let whole = open.take().into_iter().chain(inner);
            for run in whole {
                if let Err(e) = each(run.into_case()) {
                    return Ok(Err(e));
                }
            }
            open = result.last;
        }
        if at_end && buffer.is_empty() {
            break;
        }
    }
    if let Some(run) = open
        && let Err(e) = each(run.into_case())
    {
        return Ok(Err(e));
    }
    Ok(Ok(()))
}

struct Pass<A> {
    accumulators: Vec<A>,
    /// Hashes of references handed out more than once (not adjacent).
    repeated: HashSet<u64>,
}

fn pass<A: Send>(
    path: &Path,
    options: StreamOptions,
    make: &(dyn Fn() -> A + Sync),
    each: &(dyn Fn(&mut A, Located<CaseFile>) + Sync),
    held: Option<&HashSet<u64>>,
) -> Result<Pass<A>, Vec<Problem>> {
    let unreadable = |e: std::io::Error| vec![Problem::new(1, format!("unreadable file: {e}"))];
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut buffer = Vec::with_capacity(options.chunk_bytes.max(1) * 2);
    let (columns, consumed, line) = read_header(&mut file, &mut buffer, options.chunk_bytes)?;
    buffer.drain(..consumed);

    let workers = options.workers.max(1);
    let stop = AtomicBool::new(false);
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(workers * 2);
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let (result_tx, result_rx) = sync_channel::<(usize, ChunkResult)>(workers * 4);
    let columns = &columns;
    let stop = &stop;

    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            read_chunks(
                file,
                buffer,
                line,
                options.chunk_bytes.max(1),
                &chunk_tx,
                stop,
            )
        });
        let mut threads = Vec::with_capacity(workers);
        for _ in 0..workers {
            let chunk_rx = Arc::clone(&chunk_rx);
            let result_tx = result_tx.clone();
            threads.push(scope.spawn(move || {
                let mut accumulator = make();
                loop {
                    let next = match chunk_rx.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => break,
                    };
                    let Ok(chunk) = next else { break };
                    let seq = chunk.seq;
                    let result = parse_chunk(&chunk, columns, held, &mut |run| {
                        each(&mut accumulator, run.into_case())
                    });
                    if result_tx.send((seq, result)).is_err() {
                        break;
                    }
                }
                accumulator
            }));
        }
        // Only the workers hold the chunks' receiver and the results' sender, so that each side
        // sees the other go if it stops.
        drop(chunk_rx);
        drop(result_tx);

        let mut join = Join::new(make(), held);
        join.run(&result_rx, each, stop);
        drop(result_rx);
        // The reader's own failure (the file could not be read part way) is a problem.
        let read_problem = reader.join().ok().and_then(Result::err);
        let mut accumulators: Vec<A> = threads
            .into_iter()
            .filter_map(|thread| thread.join().ok())
            .collect();
        let (accumulator, problems, repeated) = join.finish(each, read_problem);
        if !problems.is_empty() {
            return Err(problems);
        }
        if accumulators.len() != workers {
            return Err(vec![Problem::new(1, "a reading thread failed")]);
        }
        accumulators.push(accumulator);
        Ok(Pass {
            accumulators,
            repeated,
        })
    })
}

/// Reads until the header row is whole; returns its columns, the bytes it took (with any
/// byte-order mark) and the line the first row starts on.
fn read_header(
    file: &mut std::fs::File,
    buffer: &mut Vec<u8>,
    chunk_bytes: usize,
) -> Result<(Columns, usize, u64), Vec<Problem>> {
    let header_problem = |message: String| vec![Problem::new(1, message)];
    let mut at_end = false;
    loop {
        if !at_end {
            at_end = fill(file, buffer, buffer.len() + chunk_bytes.max(1024))
                .map_err(|e| header_problem(format!("cannot read the header: {e}")))?;
        }
        let bom = if buffer.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let Some(end) = record_ends(&buffer[bom..]).next() else {
            if at_end {
                // No header at all: an empty file has no columns.
                let columns = Columns::new(Vec::new()).map_err(header_problem)?;
                return Ok((columns, buffer.len(), 1));
            }
            continue;
        };
        let end = bom + end;
        if end == buffer.len() && !at_end {
            // The header may go on past what was read.
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&buffer[bom..end]);
        let mut record = csv::StringRecord::new();
        let names = match reader.read_record(&mut record) {
            Ok(_) => record.iter().map(|h| h.trim().to_owned()).collect(),
            Err(e) => return Err(header_problem(format!("cannot read the header: {e}"))),
        };
        let columns = Columns::new(names).map_err(header_problem)?;
        let line = 1 + count_lines(&buffer[..end]);
        return Ok((columns, end, line));
    }
}

/// Reads into `buffer` until it holds `want` bytes or the file ends; true at the end.
fn fill(file: &mut std::fs::File, buffer: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    while buffer.len() < want {
        let start = buffer.len();
        buffer.resize(want, 0);
        match file.read(&mut buffer[start..]) {
            Ok(0) => {
                buffer.truncate(start);
                return Ok(true);
            }
            Ok(n) => buffer.truncate(start + n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buffer.truncate(start),
            Err(e) => {
                buffer.truncate(start);
                return Err(e);
            }
        }
    }
    Ok(false)
}

fn count_lines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// Whether these bytes need the full RFC 4180 rules (quoting, carriage returns) to be split
/// into rows and fields; without either, rows end at `\n` and fields at `,`.
fn needs_csv_rules(bytes: &[u8]) -> bool {
    memchr::memchr2(b'"', b'\r', bytes).is_some()
}

/// Where each record of `bytes` ends (the byte after its terminator), by the `csv` crate's
/// rules; the last may be cut short by the end of the bytes.
fn record_ends(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    std::iter::from_fn(move || match reader.read_byte_record(&mut record) {
        Ok(true) => usize::try_from(reader.position().byte()).ok(),
        _ => None,
    })
}

/// Where the last whole row of `bytes` ends, if any row is known to be whole (the bytes go on
/// after it).
fn last_row_end(bytes: &[u8]) -> Option<usize> {
    if !needs_csv_rules(bytes) {
        return memchr::memrchr(b'\n', bytes).map(|i| i + 1);
    }
    // Every record but the last is whole: the last may go on in the next bytes.
    let mut ends = record_ends(bytes).peekable();
    let mut whole = None;
    while let Some(end) = ends.next() {
        if ends.peek().is_some() {
            whole = Some(end);
        }
    }
    whole
}

/// The reading thread: sends chunks of whole rows, numbered, with their first line.
fn read_chunks(
    mut file: std::fs::File,
    mut buffer: Vec<u8>,
    mut line: u64,
    chunk_bytes: usize,
    chunks: &SyncSender<Chunk>,
    stop: &AtomicBool,
) -> Result<(), Problem> {
    let mut seq = 0;
    let mut at_end = false;
    let mut send = |bytes: Vec<u8>, line: &mut u64| {
        let chunk = Chunk {
            seq,
            line: *line,
            bytes,
        };
        *line += count_lines(&chunk.bytes);
        seq += 1;
        chunks.send(chunk).is_ok()
    };
    while !stop.load(Ordering::Relaxed) {
        if !at_end {
            let want = chunk_bytes.max(buffer.len() + 1);
            at_end = fill(&mut file, &mut buffer, want)
                .map_err(|e| Problem::new(line, format!("unreadable row: {e}")))?;
        }
        if at_end {
            if !buffer.is_empty() {
                send(buffer, &mut line);
            }
            return Ok(());
        }
        let Some(end) = last_row_end(&buffer) else {
            // One row longer than a chunk: read on.
            let grown = buffer.len() * 2;
            at_end = fill(&mut file, &mut buffer, grown)
                .map_err(|e| Problem::new(line, format!("unreadable row: {e}")))?;
            continue;
        };
        let mut next = Vec::with_capacity(chunk_bytes + chunk_bytes / 4);
        next.extend_from_slice(&buffer[end..]);
        buffer.truncate(end);
        if !send(std::mem::replace(&mut buffer, next), &mut line) {
            return Ok(());
        }
    }
    Ok(())
}

/// Parses one chunk: adjacent rows of a reference become a run; whole runs inside the chunk go
/// to `add` (or to `held`, when their reference is held), the first and last to the joining
/// thread.
fn parse_chunk(
    chunk: &Chunk,
    columns: &Columns,
    held: Option<&HashSet<u64>>,
    add: &mut dyn FnMut(Run),
) -> ChunkResult {
    let mut result = ChunkResult::default();
    let mut grouper = Grouper {
        columns,
        held,
        result: &mut result,
        add,
        current: None,
        current_text: String::new(),
        current_bad: None,
        runs: 0,
    };
    match std::str::from_utf8(&chunk.bytes) {
        Ok(text) if !needs_csv_rules(&chunk.bytes) => grouper.plain(text, chunk.line),
        _ => grouper.quoted(&chunk.bytes, chunk.line),
    }
    grouper.finish();
    result
}

struct Grouper<'g> {
    columns: &'g Columns,
    held: Option<&'g HashSet<u64>>,
    result: &'g mut ChunkResult,
    add: &'g mut dyn FnMut(Run),
    /// The run being read.
    current: Option<Run>,
    /// The reference text of the last row read, as given (trimmed).
    current_text: String,
    /// Why that reference was refused, if it was.
    current_bad: Option<String>,
    /// Runs begun in this chunk.
    runs: usize,
}

impl Grouper<'_> {
    /// Rows without quotes or carriage returns: a plain split.
    fn plain(&mut self, text: &str, first_line: u64) {
        let mut values: Vec<&str> = Vec::with_capacity(self.columns.count);
        for (line, row) in (first_line..).zip(text.split('\n')) {
            if row.is_empty() {
                continue;
            }
            values.clear();
            values.extend(row.split(',').map(str::trim));
            self.row(line, &values);
        }
    }

    /// Rows that need RFC 4180's rules, through the `csv` crate.
    fn quoted(&mut self, bytes: &[u8], first_line: u64) {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = first_line + reader.position().line() - 1;
                    self.result
                        .problems
                        .push(Problem::new(line, format!("unreadable row: {e}")));
                    self.result.fatal = true;
                    return;
                }
            }
            let line = first_line + record.position().map_or(1, |p| p.line()) - 1;
            let mut values: Vec<&str> = Vec::with_capacity(record.len());
            for field in record.iter() {
                match std::str::from_utf8(field) {
                    Ok(text) => values.push(text.trim()),
                    Err(e) => {
                        self.result.problems.push(Problem::new(
                            line,
                            format!("unreadable row: invalid UTF-8 in the row ({e})"),
                        ));
                        self.result.fatal = true;
                        return;
                    }
                }
            }
            self.row(line, &values);
        }
    }

    fn row(&mut self, line: u64, values: &[&str]) {
        if values.len() != self.columns.count {
            let message = format!(
                "unreadable row: found record with {} fields, but the header has {} fields",
                values.len(),
                self.columns.count
            );
            self.result.problems.push(Problem::new(line, message));
            return;
        }
        let text = values[self.columns.reference];
        if text != self.current_text || self.current.is_none() && self.current_bad.is_none() {
            self.start(text, line);
        }
        if let Some(why) = &self.current_bad {
            self.result.problems.push(Problem::new(line, why.clone()));
            return;
        }
        let row = Row {
            columns: self.columns,
            values,
        };
        match Event::from_fields(&row) {
            Ok(event) => {
                if let Some(run) = &mut self.current {
                    run.events.push(event);
                }
            }
            Err(e) => self.result.problems.push(Problem::new(line, e.to_string())),
        }
    }

    /// A row of another reference: the run read so far is over.
    fn start(&mut self, text: &str, line: u64) {
        self.end_run();
        text.clone_into(&mut self.current_text);
        match Reference::parse(text) {
            Ok(reference) => {
                self.current_bad = None;
                self.current = Some(Run {
                    reference,
                    line,
                    events: Vec::new(),
                });
            }
            Err(e) => {
                self.current_bad = Some(e.to_string());
                self.current = None;
            }
        }
    }

    fn end_run(&mut self) {
        let Some(run) = self.current.take() else {
            return;
        };
        self.runs += 1;
        if self.runs == 1 {
            self.result.first = Some(run);
            return;
        }
        let hash = hash_of(run.reference.as_str());
        if self.held.is_some_and(|held| held.contains(&hash)) {
            self.result.held.push(run);
        } else {
            self.result.added.push(hash);
            (self.add)(run);
        }
    }

    fn finish(&mut self) {
        let Some(run) = self.current.take() else {
            return;
        };
        if self.runs == 0 {
            self.result.first = Some(run);
        } else {
            self.result.last = Some(run);
        }
    }
}

/// The joining thread's work: results in chunk order, runs cut by chunk boundaries joined up,
/// held references gathered whole.
struct Join<'h, A> {
    accumulator: A,
    held: Option<&'h HashSet<u64>>,
    /// The run at the end of the chunks joined so far, which the next chunk may carry on.
    open: Option<Run>,
    /// Held cases by reference, in order of first row.
    gathered: Vec<Run>,
    gathered_at: HashMap<String, usize>,
    added: Vec<u64>,
    problems: Vec<Problem>,
    fatal: bool,
}

impl<'h, A> Join<'h, A> {
    fn new(accumulator: A, held: Option<&'h HashSet<u64>>) -> Self {
        Self {
            accumulator,
            held,
            open: None,
            gathered: Vec::new(),
            gathered_at: HashMap::new(),
            added: Vec::new(),
            problems: Vec::new(),
            fatal: false,
        }
    }

    fn run(
        &mut self,
        results: &Receiver<(usize, ChunkResult)>,
        each: &(dyn Fn(&mut A, Located<CaseFile>) + Sync),
        stop: &AtomicBool,
    ) {
        let mut waiting: BTreeMap<usize, ChunkResult> = BTreeMap::new();
        let mut next = 0;
        for (seq, result) in results {
            waiting.insert(seq, result);
            while let Some(result) = waiting.remove(&next) {
                next += 1;
                if !self.fatal {
                    self.take(result, each);
                    if self.fatal {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            }
        }
    }

    fn take(&mut self, result: ChunkResult, each: &(dyn Fn(&mut A, Located<CaseFile>) + Sync)) {
        self.added.extend(result.added);
        self.problems.extend(result.problems);
        self.fatal = result.fatal;
        // In the file's order: the first run, the whole runs inside the chunk, the last run.
        if let Some(first) = result.first {
            match &mut self.open {
                Some(open) if open.reference == first.reference => {
                    open.events.extend(first.events);
                }
                _ => {
                    self.close(each);
                    self.open = Some(first);
                }
            }
        }
        if !result.held.is_empty() || result.last.is_some() {
            self.close(each);
        }
        for run in result.held {
            self.gather(run);
        }
        if let Some(last) = result.last {
            self.open = Some(last);
        }
    }

    /// The open run is whole: hand it out (or gather it, when held).
    fn close(&mut self, each: &(dyn Fn(&mut A, Located<CaseFile>) + Sync)) {
        let Some(run) = self.open.take() else {
            return;
        };
        let hash = hash_of(run.reference.as_str());
        if self.held.is_some_and(|held| held.contains(&hash)) {
            self.gather(run);
        } else {
            self.added.push(hash);
            each(&mut self.accumulator, run.into_case());
        }
    }

    fn gather(&mut self, run: Run) {
        match self.gathered_at.get(run.reference.as_str()) {
            Some(&at) => self.gathered[at].events.extend(run.events),
            None => {
                self.gathered_at
                    .insert(run.reference.as_str().to_owned(), self.gathered.len());
                self.gathered.push(run);
            }
        }
    }

    /// The last run and the gathered cases handed out; the problems, with the reader's; the
    /// hashes of references handed out more than once.
    fn finish(
        mut self,
        each: &(dyn Fn(&mut A, Located<CaseFile>) + Sync),
        read_problem: Option<Problem>,
    ) -> (A, Vec<Problem>, HashSet<u64>) {
        if !self.fatal {
            self.problems.extend(read_problem);
        }
        self.close(each);
        for run in std::mem::take(&mut self.gathered) {
            each(&mut self.accumulator, run.into_case());
        }
        let mut added = std::mem::take(&mut self.added);
        added.sort_unstable();
        let repeated: HashSet<u64> = added
            .windows(2)
            .filter(|pair| pair[0] == pair[1])
            .map(|pair| pair[0])
            .collect();
        (self.accumulator, self.problems, repeated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::events_csv;

    fn cases_of(
        text: &str,
        options: StreamOptions,
    ) -> Result<Vec<Located<CaseFile>>, Vec<Problem>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        std::fs::write(&path, text).unwrap();
        let folded = fold_cases(&path, options, &Vec::new, &|cases, case| cases.push(case))?;
        let mut cases: Vec<Located<CaseFile>> = folded.parts.into_iter().flatten().collect();
        cases.sort_by_key(|c| c.line);
        Ok(cases)
    }

    fn options(chunk_bytes: usize, workers: usize) -> StreamOptions {
        StreamOptions {
            chunk_bytes,
            workers,
        }
    }

    /// The whole-file reader's answer, for comparison.
    fn read_whole(text: &str) -> Result<Vec<Located<CaseFile>>, Vec<Problem>> {
        let outcome = events_csv::read(text.as_bytes());
        if outcome.problems.is_empty() {
            Ok(outcome.cases)
        } else {
            Err(outcome.problems)
        }
    }

    const GROUPED: &str = "\
reference,type,date,outcome,advice,id,kind,from,to,setting_closed_from,setting_reopens
A-1,request_received,2026-01-05,,,,,,,,
A-1,decision_to_assess,2026-02-10,assess,,,,,,,
A-1,exception,,,,,absent_from_area,2026-03-01,2026-04-01,,
B-2,request_received,2026-01-06,,,,,,,,
B-2,advice_requested,2026-02-11,,health,h1,,,,,
C-3,request_received,2026-01-07,,,,,,,,
D-4,request_received,2026-01-08,,,,,,,,
D-4,decision_to_assess,2026-02-12,not_assess,,,,,,,
";

    #[test]
    fn every_chunk_size_and_thread_count_gives_the_whole_file_readers_cases() {
        let whole = read_whole(GROUPED).unwrap();
        assert_eq!(whole.len(), 4);
        for chunk_bytes in [1, 7, 40, 64, 100, 1 << 20] {
            for workers in [1, 2, 3] {
                let streamed = cases_of(GROUPED, options(chunk_bytes, workers)).unwrap();
                assert_eq!(
                    streamed, whole,
                    "chunks of {chunk_bytes}, {workers} workers"
                );
            }
        }
    }

    #[test]
    fn scattered_rows_of_a_case_are_gathered_whole() {
        // A-1's rows are not adjacent: its third row comes after B-2's, C-3 is split too.
        let text = "\
reference,type,date,outcome,advice,id,kind,from,to,setting_closed_from,setting_reopens
A-1,request_received,2026-01-05,,,,,,,,
C-3,request_received,2026-01-07,,,,,,,,
A-1,decision_to_assess,2026-02-10,assess,,,,,,,
B-2,request_received,2026-01-06,,,,,,,,
B-2,advice_requested,2026-02-11,,health,h1,,,,,
A-1,exception,,,,,absent_from_area,2026-03-01,2026-04-01,,
C-3,decision_to_assess,2026-02-12,not_assess,,,,,,,
";
        let whole = read_whole(text).unwrap();
        assert_eq!(whole.len(), 3);
        assert_eq!(whole[0].value.events.len(), 3);
        for chunk_bytes in [1, 50, 1 << 20] {
            for workers in [1, 2] {
                let streamed = cases_of(text, options(chunk_bytes, workers)).unwrap();
                assert_eq!(
                    streamed, whole,
                    "chunks of {chunk_bytes}, {workers} workers"
                );
            }
        }
    }

    #[test]
    fn quoted_fields_with_commas_and_newlines_and_crlf_rows_read_as_the_csv_crate_reads_them() {
        let text = "\u{feff}reference,type,date,outcome,advice,id,kind,from,to,setting_closed_from,setting_reopens,provider\r\n\
A-1,request_received,2026-01-05,,,,,,,,,\r\n\
A-1,advice_requested,2026-02-11,,health,,,,,,,\"Community paediatrics, north\nand east\"\r\n\
\r\n\
\"B-2\",request_received, 2026-01-06 ,,,,,,,,,\r\n";
        let whole = read_whole(text).unwrap();
        assert_eq!(whole.len(), 2);
        for chunk_bytes in [1, 30, 1 << 20] {
            let streamed = cases_of(text, options(chunk_bytes, 2)).unwrap();
            assert_eq!(streamed, whole, "chunks of {chunk_bytes}");
        }
    }

    #[test]
    fn every_bad_row_is_reported_with_the_whole_file_readers_lines_and_messages() {
        let text = "\
reference,type,date,outcome,advice,id,kind,from,to,setting_closed_from,setting_reopens
A-1,request_received,2026-02-30,,,,,,,,
A 1,request_received,2026-01-05,,,,,,,,
A 1,decision_to_assess,2026-01-05,assess,,,,,,,
A-1,decision_to_assess,2026-02-10,perhaps,,,,,,,

A-1,teleported,2026-02-10,,,,,,,,
A-1,request_received,2026-01-05,,,,,,,,
A-1,request_received
";
        let whole = read_whole(text).unwrap_err();
        for chunk_bytes in [1, 64, 1 << 20] {
            let streamed = cases_of(text, options(chunk_bytes, 2)).unwrap_err();
            let lines: Vec<u64> = streamed.iter().map(|p| p.line).collect();
            assert_eq!(lines, [2, 3, 4, 5, 7, 9]);
            // The same messages as the whole-file reader, but for the row of too few fields,
            // which names the header's count rather than the csv crate's record numbers; and
            // the line of the row itself after a blank line, where the csv crate counts from
            // the blank line (line 6).
            let messages = |problems: &[Problem]| -> Vec<String> {
                problems[..5].iter().map(|p| p.message.clone()).collect()
            };
            assert_eq!(messages(&streamed), messages(&whole));
            assert_eq!(streamed[..4], whole[..4]);
            assert_eq!(whole[4].line, 6);
            assert!(
                streamed[5]
                    .message
                    .contains("found record with 2 fields, but the header has 11 fields"),
                "{}",
                streamed[5].message
            );
        }
    }

    #[test]
    fn an_exception_dated_in_the_date_column_is_read_without_a_from_column() {
        let text = "reference,type,date,kind\nA-1,exception,2026-03-01,absent_from_area\n";
        let whole = read_whole(text).unwrap();
        assert_eq!(cases_of(text, options(1 << 20, 2)).unwrap(), whole);
    }

    #[test]
    fn a_header_without_the_key_columns_is_refused() {
        let problems = cases_of("ref,kind\nA,b\n", options(1 << 20, 2)).unwrap_err();
        assert_eq!(problems, read_whole("ref,kind\nA,b\n").unwrap_err());
        let problems = cases_of("", options(1 << 20, 2)).unwrap_err();
        assert_eq!(problems, read_whole("").unwrap_err());
    }

    #[test]
    fn a_row_that_is_not_utf8_stops_the_reading_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        let mut bytes = b"reference,type,date\nA-1,request_received,2026-01-05\n".to_vec();
        bytes.extend_from_slice(b"B-2,request_received,2026-01-0\xff\nC 3,x,y\n");
        std::fs::write(&path, &bytes).unwrap();
        let problems = fold_cases(&path, options(1 << 20, 2), &|| (), &|_, _| ()).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 3);
        assert!(problems[0].message.starts_with("unreadable row"));
    }
}
