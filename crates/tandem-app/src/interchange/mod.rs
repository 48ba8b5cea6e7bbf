//! Files Tandem reads and writes: case files (JSON, JSON Lines), the events CSV
//! (contracts/metrics.md §3), a legacy tracker spreadsheet and an improvement plan.
//!
//! Readers never stop at the first problem: they return every problem found, each with its line,
//! so that a whole file can be put right in one go.

pub mod case_files;
pub mod events_csv;
pub mod events_stream;
pub mod improvement_plan;
pub mod tables;
pub mod tracker;

use std::fmt;

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file (the header of a CSV file is line 1).
    pub line: u64,
    /// What is wrong, in words for the person who will correct the file (without the line).
    pub message: String,
}

impl Problem {
    pub(crate) fn new(line: u64, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }

    /// `FILE:LINE: message`, the form the command line prints (contracts/cli.md).
    pub fn located(&self, file: &str) -> String {
        format!("{file}:{}: {}", self.line, self.message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A value read from a file, with the 1-based line it starts on (to point at it later, e.g. when
/// its reference clashes with a case already held).
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// 1-based line the value starts on (1 for a whole-file JSON case file).
    pub line: u64,
    /// What was read there.
    pub value: T,
}

/// What a reader found: the cases it could read, and every problem.
#[derive(Debug)]
pub struct ReadOutcome<T> {
    /// The sound cases, in the order they were read.
    pub cases: Vec<Located<T>>,
    /// Every problem found; the cases they concern are not in `cases`.
    pub problems: Vec<Problem>,
}

impl<T> Default for ReadOutcome<T> {
    fn default() -> Self {
        Self {
            cases: Vec::new(),
            problems: Vec::new(),
        }
    }
}

/// The formats a case file can come in, told by the file's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One case file (`.json`).
    Json,
    /// One case file per line (`.jsonl`).
    JsonLines,
    /// The events CSV (`.csv`).
    EventsCsv,
}

impl Format {
    /// The format a file name implies, if any.
    pub fn of_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "jsonl" | "ndjson" => Some(Self::JsonLines),
            "csv" => Some(Self::EventsCsv),
            _ => None,
        }
    }
}

/// Reads every case of a file in any of the case formats, handing each to `each` with the line it
/// starts on. JSON Lines are streamed; the events CSV is grouped by reference first, since a
/// case's rows may be anywhere.
pub fn for_each_case(
    format: Format,
    input: impl std::io::BufRead,
    mut each: impl FnMut(Located<tandem_core::CaseFile>),
) -> Vec<Problem> {
    let outcome = match format {
        Format::JsonLines => return case_files::for_each_jsonl(input, each),
        Format::Json => {
            let mut text = String::new();
            let mut input = input;
            if let Err(e) = std::io::Read::read_to_string(&mut input, &mut text) {
                return vec![Problem::new(1, format!("unreadable file: {e}"))];
            }
            case_files::read_json(&text)
        }
        Format::EventsCsv => events_csv::read(input),
    };
    outcome.cases.into_iter().for_each(&mut each);
    outcome.problems
}
