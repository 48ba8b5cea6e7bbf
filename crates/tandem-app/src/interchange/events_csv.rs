//! The events CSV: one row per event, rows of a case in any order (contracts/metrics.md §3).

use std::collections::HashMap;
use std::io::{Read, Write};

use tandem_core::{CaseFile, Child, Event, Reference};

use super::{Located, Problem, ReadOutcome};

/// The contract's header, in order.
pub const HEADER: [&str; 11] = [
    "reference",
    "type",
    "date",
    "outcome",
    "advice",
    "id",
    "kind",
    "from",
    "to",
    "setting_closed_from",
    "setting_reopens",
];

/// Reads every case in an events CSV. Extra columns (such as `reason`) are read where an event
/// has such a field and otherwise ignored.
pub fn read(input: impl Read) -> ReadOutcome<CaseFile> {
    let mut outcome = ReadOutcome::default();
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(e) => {
            outcome
                .problems
                .push(Problem::new(1, format!("cannot read the header: {e}")));
            return outcome;
        }
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let missing: Vec<&str> = ["reference", "type"]
        .into_iter()
        .filter(|n| !names.iter().any(|h| h == n))
        .collect();
    if !missing.is_empty() {
        let message = format!(
            "the header must have the columns {}; it lacks {}",
            HEADER.join(","),
            missing.join(", ")
        );
        outcome.problems.push(Problem::new(1, message));
        return outcome;
    }
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                outcome
                    .problems
                    .push(Problem::new(line, format!("unreadable row: {e}")));
                // A broken quote or a wrong number of fields: the rest cannot be trusted.
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        let mut fields: Vec<(&str, &str)> = names
            .iter()
            .map(String::as_str)
            .zip(record.iter().map(str::trim))
            .collect();
        // For an exception the contract allows the date in `from` with `date` empty; accept the
        // date column as `from` too when only it is given.
        let given = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .and_then(|i| record.get(i))
                .map_or("", str::trim)
        };
        if given("type") == "exception" && given("from").is_empty() && !given("date").is_empty() {
            fields.push(("from", given("date")));
        }
        let reference = given("reference");
        let reference = match Reference::parse(reference) {
            Ok(reference) => reference,
            Err(e) => {
                outcome.problems.push(Problem::new(line, e.to_string()));
                continue;
            }
        };
        match Event::from_fields(fields.as_slice()) {
            Ok(event) => {
                let slot = *index
                    .entry(reference.as_str().to_owned())
                    .or_insert_with(|| {
                        outcome.cases.push(Located {
                            line,
                            value: CaseFile {
                                reference,
                                child: Child::default(),
                                events: Vec::new(),
                                request: Default::default(),
                            },
                        });
                        outcome.cases.len() - 1
                    });
                outcome.cases[slot].value.events.push(event);
            }
            Err(e) => outcome.problems.push(Problem::new(line, e.to_string())),
        }
    }
    outcome
}

/// Writes cases as an events CSV with the contract's header.
pub struct Writer<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> Writer<W> {
    /// Starts the CSV on `output`, writing the header row at once.
    pub fn new(output: W) -> csv::Result<Self> {
        let mut inner = csv::Writer::from_writer(output);
        inner.write_record(HEADER)?;
        Ok(Self { inner })
    }

    /// Writes one row per event of `case`, in the case's order; the child's details are not
    /// part of the events CSV and are left out.
    pub fn write_case(&mut self, case: &CaseFile) -> csv::Result<()> {
        for event in &case.events {
            let fields = event.to_fields();
            let row = HEADER.map(|column| {
                if column == "reference" {
                    return case.reference.as_str();
                }
                fields
                    .iter()
                    .find(|(n, _)| *n == column)
                    .map_or("", |(_, v)| v.as_str())
            });
            self.inner.write_record(row)?;
        }
        Ok(())
    }

    /// Flushes what is buffered and hands back the output.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.inner.flush()?;
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
reference,type,date,outcome,advice,id,kind,from,to,setting_closed_from,setting_reopens
A-1,request_received,2026-01-05,,,,,,,,
B-2,request_received,2026-01-06,,,,,,,,
A-1,decision_to_assess,2026-02-10,assess,,,,,,,
A-1,exception,,,,,absent_from_area,2026-03-01,2026-04-01,,
B-2,advice_requested,2026-02-11,,health,h1,,,,,
";

    #[test]
    fn groups_rows_by_case_and_round_trips() {
        let outcome = read(SAMPLE.as_bytes());
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        let refs: Vec<_> = outcome
            .cases
            .iter()
            .map(|c| (c.value.reference.as_str(), c.line))
            .collect();
        assert_eq!(refs, [("A-1", 2), ("B-2", 3)]);
        assert_eq!(outcome.cases[0].value.events.len(), 3);
        let mut writer = Writer::new(Vec::new()).unwrap();
        for case in &outcome.cases {
            writer.write_case(&case.value).unwrap();
        }
        let written = String::from_utf8(writer.finish().unwrap()).unwrap();
        let again = read(written.as_bytes());
        let values = |cases: &[Located<CaseFile>]| -> Vec<CaseFile> {
            cases.iter().map(|c| c.value.clone()).collect()
        };
        assert_eq!(values(&again.cases), values(&outcome.cases));
        assert!(written.starts_with(&HEADER.join(",")));
    }

    #[test]
    fn an_extra_provider_column_is_read_but_not_written() {
        let text = "\
reference,type,date,outcome,advice,id,kind,from,to,setting_closed_from,setting_reopens,provider
A-1,advice_requested,2026-02-11,,health,,,,,,,Community paediatrics
";
        let outcome = read(text.as_bytes());
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        let event = &outcome.cases[0].value.events[0];
        assert!(matches!(
            &event.detail,
            tandem_core::EventDetail::AdviceRequested { provider: Some(p), .. }
                if p == "Community paediatrics"
        ));
        let mut writer = Writer::new(Vec::new()).unwrap();
        writer.write_case(&outcome.cases[0].value).unwrap();
        let written = String::from_utf8(writer.finish().unwrap()).unwrap();
        assert_eq!(
            written.lines().collect::<Vec<_>>(),
            [
                HEADER.join(",").as_str(),
                "A-1,advice_requested,2026-02-11,,health,,,,,,"
            ]
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let text = "\
reference,type,date,outcome,advice,id,kind,from,to,setting_closed_from,setting_reopens
A-1,request_received,2026-02-30,,,,,,,,
A 1,request_received,2026-01-05,,,,,,,,
A-1,decision_to_assess,2026-02-10,perhaps,,,,,,,
A-1,teleported,2026-02-10,,,,,,,,
A-1,request_received,2026-01-05,,,,,,,,
";
        let outcome = read(text.as_bytes());
        let lines: Vec<u64> = outcome.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert!(
            outcome.problems[0]
                .message
                .contains("not a real calendar date")
        );
        assert!(outcome.problems[1].message.contains("reference \"A 1\""));
        assert!(
            outcome.problems[2]
                .message
                .contains("unknown value \"perhaps\"")
        );
        assert!(
            outcome.problems[3]
                .message
                .contains("unknown event type \"teleported\"")
        );
        assert_eq!(
            outcome.problems[0].located("events.csv"),
            format!("events.csv:2: {}", outcome.problems[0].message)
        );
    }

    #[test]
    fn a_header_without_the_key_columns_is_refused() {
        let outcome = read("ref,kind\nA,b\n".as_bytes());
        assert_eq!(outcome.problems.len(), 1);
        assert!(
            outcome.problems[0]
                .message
                .contains("it lacks reference, type")
        );
    }

    #[test]
    fn rows_with_the_wrong_number_of_fields_are_reported() {
        let text = "reference,type,date\nA-1,request_received\nA-1,request_received,2026-01-05\n";
        let outcome = read(text.as_bytes());
        assert_eq!(outcome.problems.len(), 1);
        assert_eq!(outcome.problems[0].line, 2);
        assert_eq!(outcome.cases.len(), 1);
    }
}
