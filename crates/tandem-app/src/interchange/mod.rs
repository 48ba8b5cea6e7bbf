//! Files Tandem reads and writes: case files (JSON, JSON Lines), the events CSV
//! (contracts/metrics.md §3) and a legacy tracker spreadsheet.
//!
//! Readers never stop at the first problem: they return every problem found, each with its line,
//! so that a whole file can be put right in one go.

pub mod case_files;
pub mod events_csv;
pub mod tracker;

use std::fmt;

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file (the header of a CSV file is line 1).
    pub line: u64,
    pub message: String,
}

impl Problem {
    pub fn new(line: u64, message: impl Into<String>) -> Self {
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

/// What a reader found: the cases it could read, and every problem.
#[derive(Debug)]
pub struct ReadOutcome<T> {
    pub cases: Vec<T>,
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
