//! Case files: one JSON object (`.json`) or one per line (`.jsonl`, the export format).

use std::io::{BufRead, Write};

use tandem_core::CaseFile;

use super::{Located, Problem, ReadOutcome};

/// Reads a single case file.
pub fn read_json(text: &str) -> ReadOutcome<CaseFile> {
    let mut outcome = ReadOutcome::default();
    match CaseFile::from_json(text) {
        Ok(case) => outcome.cases.push(Located {
            line: 1,
            value: case,
        }),
        Err(e) => outcome.problems.push(Problem::new(1, e.to_string())),
    }
    outcome
}

/// Reads JSON Lines: one case file per line; blank lines are skipped.
pub fn read_jsonl(input: impl BufRead) -> ReadOutcome<CaseFile> {
    let mut cases = Vec::new();
    let problems = for_each_jsonl(input, |case| cases.push(case));
    ReadOutcome { cases, problems }
}

/// Streams JSON Lines, handing each sound case to `each` as it is read, so that a file of any
/// size is read in constant memory. Returns the problems found.
pub fn for_each_jsonl(
    input: impl BufRead,
    mut each: impl FnMut(Located<CaseFile>),
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (number, line) in input.lines().enumerate() {
        let line_number = number as u64 + 1;
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                problems.push(Problem::new(line_number, format!("unreadable line: {e}")));
                break;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match CaseFile::from_json(&line) {
            Ok(case) => each(Located {
                line: line_number,
                value: case,
            }),
            Err(e) => problems.push(Problem::new(line_number, e.to_string())),
        }
    }
    problems
}

/// Writes one case file as a line of JSON.
pub fn write_jsonl_line(output: &mut impl Write, case: &CaseFile) -> std::io::Result<()> {
    serde_json::to_writer(&mut *output, &case.to_value())?;
    output.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_report_each_bad_line() {
        let text = "{\"reference\":\"A\",\"events\":[]}\n\n{\"reference\":\"B\"}\nnot json\n";
        let outcome = read_jsonl(text.as_bytes());
        assert_eq!(outcome.cases.len(), 1);
        assert_eq!(outcome.cases[0].line, 1);
        let lines: Vec<u64> = outcome.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4]);
        let mut out = Vec::new();
        write_jsonl_line(&mut out, &outcome.cases[0].value).unwrap();
        assert_eq!(read_jsonl(out.as_slice()).cases, outcome.cases);
    }
}
