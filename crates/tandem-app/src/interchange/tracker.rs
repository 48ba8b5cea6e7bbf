//! A legacy tracker spreadsheet (CSV, one row per case), as councils keep before moving onto
//! Tandem. Reading it is a cleanse: every problem is reported with its line so that the council
//! can put the tracker right, and rows are only turned into cases when they are sound.
//!
//! Columns (header names, any order, case and surrounding spaces ignored) are listed in [`COLUMNS`]
//! and in the README. Dates may be `YYYY-MM-DD` or `DD/MM/YYYY`.

use std::collections::HashMap;
use std::io::Read;

use serde_json::Value;
use tandem_core::request::{RequestDetails, Requester};
use tandem_core::{
    AdviceKind, AssessOutcome, CaseFile, Child, Date, Event, EventDetail, Reference, dates,
};

use super::Problem;

/// One column of the tracker.
pub struct Column {
    /// The header name, in lower case as it is matched.
    pub name: &'static str,
    /// Whether a file without this column is refused outright.
    pub required: bool,
    /// What the column holds, for people preparing a file.
    pub meaning: &'static str,
}

/// Every column the tracker may have.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "reference",
        required: true,
        meaning: "the case reference, unique in the file",
    },
    Column {
        name: "given_name",
        required: true,
        meaning: "the child's given name",
    },
    Column {
        name: "family_name",
        required: true,
        meaning: "the child's family name",
    },
    Column {
        name: "date_of_birth",
        required: true,
        meaning: "the child's date of birth",
    },
    Column {
        name: "request_received",
        required: true,
        meaning: "date the request for assessment was received",
    },
    Column {
        name: "decision_date",
        required: false,
        meaning: "date the decision whether to assess was sent",
    },
    Column {
        name: "decision",
        required: false,
        meaning: "`assess` or `not_assess` (also `yes` / `no`)",
    },
    Column {
        name: "education_advice_requested",
        required: false,
        meaning: "date education advice was asked for",
    },
    Column {
        name: "education_advice_received",
        required: false,
        meaning: "date education advice arrived",
    },
    Column {
        name: "health_advice_requested",
        required: false,
        meaning: "date health advice was asked for",
    },
    Column {
        name: "health_advice_received",
        required: false,
        meaning: "date health advice arrived",
    },
    Column {
        name: "social_care_advice_requested",
        required: false,
        meaning: "date social care advice was asked for",
    },
    Column {
        name: "social_care_advice_received",
        required: false,
        meaning: "date social care advice arrived",
    },
    Column {
        name: "draft_issued",
        required: false,
        meaning: "date the draft plan was issued",
    },
    Column {
        name: "final_issued",
        required: false,
        meaning: "date the final plan was issued",
    },
    Column {
        name: "case_manager",
        required: false,
        meaning: "the case manager's email address (must be a known user)",
    },
    Column {
        name: "unique_id",
        required: false,
        meaning: "the council's own identifier for the child (Annex A's Unique ID)",
    },
    Column {
        name: "upn",
        required: false,
        meaning: "the Unique Pupil Number",
    },
    Column {
        name: "uln",
        required: false,
        meaning: "the Unique Learner Number",
    },
    Column {
        name: "upn_unknown",
        required: false,
        meaning: "why neither UPN nor ULN is known (SEN2 code UN1 to UN10)",
    },
    Column {
        name: "sex",
        required: false,
        meaning: "M or F",
    },
    Column {
        name: "ethnicity",
        required: false,
        meaning: "the CBDS ethnicity code (WBRI, BAFR…)",
    },
    Column {
        name: "primary_need",
        required: false,
        meaning: "the primary SEN need (SEN2 code: ASD, SLCN, SEMH…)",
    },
    Column {
        name: "secondary_need",
        required: false,
        meaning: "the secondary SEN need (SEN2 code)",
    },
    Column {
        name: "request_source",
        required: false,
        meaning: "who made the request: parent, young_person, school, health, social_care or other (or the SEN2 code 1 to 5; 1 is read as parent)",
    },
    Column {
        name: "setting_urn",
        required: false,
        meaning: "the main setting's URN (or give setting_ukprn, or setting_code)",
    },
    Column {
        name: "setting_ukprn",
        required: false,
        meaning: "the main setting's UKPRN, for a college or provider",
    },
    Column {
        name: "setting_code",
        required: false,
        meaning: "where there is no URN or UKPRN: EHE, OLA, OPA, EYP, OTH, NEET, NIEC, NIEO",
    },
    Column {
        name: "setting_phase",
        required: false,
        meaning: "the main setting's phase as GIAS names it (Primary, Secondary, 16 plus…)",
    },
    Column {
        name: "setting_entry_date",
        required: false,
        meaning: "the day the child started at the main setting",
    },
];

/// Tracker columns copied to the child record's key of the same name as given: the statutory
/// returns' details, which the data-quality rules check (an import does not refuse them). Who
/// made the request is the case's, checked as it is read.
const RETURN_COLUMNS: [&str; 8] = [
    "unique_id",
    "upn",
    "uln",
    "upn_unknown",
    "sex",
    "ethnicity",
    "primary_need",
    "secondary_need",
];

const ADVICE: [(AdviceKind, &str, &str); 3] = [
    (
        AdviceKind::Education,
        "education_advice_requested",
        "education_advice_received",
    ),
    (
        AdviceKind::Health,
        "health_advice_requested",
        "health_advice_received",
    ),
    (
        AdviceKind::SocialCare,
        "social_care_advice_requested",
        "social_care_advice_received",
    ),
];

/// A sound row, turned into a case.
#[derive(Debug)]
pub struct TrackerCase {
    /// The row's 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The case the row describes: the child and the events its dates record.
    pub case: CaseFile,
    /// The case manager's email address from the `case_manager` column, trimmed and lower-cased
    /// (one `is_case_manager` accepted); `None` when the cell was empty.
    pub case_manager: Option<String>,
    /// The row as given, to write back out if the case is refused later (e.g. its reference is
    /// already held).
    pub fields: Vec<String>,
}

/// A row that was refused, with the text it had, to write back out for correction.
#[derive(Debug)]
pub struct RejectedRow {
    /// The row's 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The row's cells exactly as given, in the file's column order.
    pub fields: Vec<String>,
    /// Why the row was refused: at least one problem, each on the row's line.
    pub problems: Vec<Problem>,
}

/// Everything the cleanse found.
#[derive(Debug, Default)]
pub struct Cleanse {
    /// The file's header row as given, to head the rejected rows written back out.
    pub header: Vec<String>,
    /// Problems with the file as a whole (the header); when present no row was read.
    pub file_problems: Vec<Problem>,
    /// The sound rows, in file order.
    pub accepted: Vec<TrackerCase>,
    /// The refused rows, in file order, with their problems.
    pub rejected: Vec<RejectedRow>,
}

impl Cleanse {
    /// Every problem in line order: the cleanse report.
    pub fn problems(&self) -> Vec<&Problem> {
        let mut all: Vec<&Problem> = self.file_problems.iter().collect();
        all.extend(self.rejected.iter().flat_map(|r| &r.problems));
        all.sort_by_key(|p| p.line);
        all
    }

    /// The rejected rows as CSV: the original columns plus `problems`.
    pub fn write_rejected(&self, output: impl std::io::Write) -> csv::Result<()> {
        let mut writer = csv::Writer::from_writer(output);
        let mut header = self.header.clone();
        header.push("problems".into());
        writer.write_record(&header)?;
        for row in &self.rejected {
            let problems: Vec<String> = row.problems.iter().map(|p| p.message.clone()).collect();
            let mut record = row.fields.clone();
            record.push(problems.join("; "));
            writer.write_record(&record)?;
        }
        writer.flush()?;
        Ok(())
    }
}

/// Reads and cleanses a tracker. `is_case_manager` says whether an email belongs to a known case
/// manager; `today` is the last date a fact can have.
pub fn read(input: impl Read, is_case_manager: &dyn Fn(&str) -> bool, today: Date) -> Cleanse {
    let mut cleanse = Cleanse::default();
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(e) => {
            cleanse
                .file_problems
                .push(Problem::new(1, format!("cannot read the header: {e}")));
            return cleanse;
        }
    };
    cleanse.header = header.iter().map(str::to_owned).collect();
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    for name in &names {
        if !COLUMNS.iter().any(|c| c.name == name) {
            cleanse
                .file_problems
                .push(Problem::new(1, format!("unknown column {name:?}")));
        }
    }
    for column in COLUMNS.iter().filter(|c| c.required) {
        if !names.iter().any(|n| n == column.name) {
            cleanse
                .file_problems
                .push(Problem::new(1, format!("missing column {:?}", column.name)));
        }
    }
    if !cleanse.file_problems.is_empty() {
        return cleanse;
    }
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                cleanse
                    .file_problems
                    .push(Problem::new(line, format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let row = Row {
            line,
            names: &names,
            record: &record,
            problems: Vec::new(),
            today,
        };
        let (case, mut problems) = row.into_case(is_case_manager);
        if let Some(reference) =
            record_value(&names, &record, "reference").filter(|r| !r.is_empty())
        {
            if let Some(first) = first_line_of.get(reference) {
                problems.push(Problem::new(
                    line,
                    format!("reference {reference:?} is already used on line {first}"),
                ));
            } else {
                first_line_of.insert(reference.to_owned(), line);
            }
        }
        match case {
            Some(case) if problems.is_empty() => cleanse.accepted.push(case),
            _ => cleanse.rejected.push(RejectedRow {
                line,
                fields: record.iter().map(str::to_owned).collect(),
                problems,
            }),
        }
    }
    cleanse
}

fn record_value<'r>(
    names: &[String],
    record: &'r csv::StringRecord,
    column: &str,
) -> Option<&'r str> {
    names
        .iter()
        .position(|n| n == column)
        .and_then(|i| record.get(i))
        .map(str::trim)
}

/// One row being read; problems collect as it goes.
struct Row<'a> {
    line: u64,
    names: &'a [String],
    record: &'a csv::StringRecord,
    problems: Vec<Problem>,
    today: Date,
}

impl Row<'_> {
    fn text(&self, column: &str) -> Option<&str> {
        record_value(self.names, self.record, column).filter(|v| !v.is_empty())
    }

    fn problem(&mut self, message: String) {
        self.problems.push(Problem::new(self.line, message));
    }

    fn required(&mut self, column: &'static str) -> Option<String> {
        let value = self.text(column).map(str::to_owned);
        if value.is_none() {
            self.problem(format!("{column} is required but empty"));
        }
        value
    }

    fn date(&mut self, column: &'static str) -> Option<Date> {
        let text = self.text(column)?.to_owned();
        match parse_tracker_date(&text) {
            Some(date) if date > self.today => {
                self.problem(format!("{column} {text:?} is in the future"));
                None
            }
            Some(date) => Some(date),
            None => {
                self.problem(format!(
                    "{column} {text:?} is not a real date (use YYYY-MM-DD or DD/MM/YYYY)"
                ));
                None
            }
        }
    }

    /// Reports `later` (a column) dated before `earlier`.
    fn in_order(&mut self, earlier: (&str, Option<Date>), later: (&str, Option<Date>)) {
        if let ((first, Some(a)), (second, Some(b))) = (earlier, later)
            && b < a
        {
            self.problem(format!("{second} ({b}) is before {first} ({a})"));
        }
    }

    /// The statutory returns' columns, kept as given on the child record; the main setting,
    /// when one is named, as its one placement.
    fn return_details(&self, other: &mut serde_json::Map<String, Value>) {
        for column in RETURN_COLUMNS {
            if let Some(value) = self.text(column) {
                other.insert(column.to_owned(), Value::String(value.to_owned()));
            }
        }
        let setting = [
            ("urn", "setting_urn"),
            ("ukprn", "setting_ukprn"),
            ("setting", "setting_code"),
            ("phase", "setting_phase"),
        ];
        if ["setting_urn", "setting_ukprn", "setting_code"]
            .iter()
            .all(|c| self.text(c).is_none())
        {
            return;
        }
        let mut placement = serde_json::Map::new();
        for (key, column) in setting {
            if let Some(value) = self.text(column) {
                placement.insert(key.to_owned(), Value::String(value.to_owned()));
            }
        }
        placement.insert("rank".to_owned(), Value::String("1".to_owned()));
        if let Some(entry) = self.text("setting_entry_date") {
            // A date the tracker writes either way is stored as ISO; anything else as given,
            // for the data-quality rules to report.
            let entry =
                parse_tracker_date(entry).map_or_else(|| entry.to_owned(), |d| d.to_string());
            placement.insert("entry_date".to_owned(), Value::String(entry));
        }
        other.insert(
            "placements".to_owned(),
            Value::Array(vec![Value::Object(placement)]),
        );
    }

    fn into_case(
        mut self,
        is_case_manager: &dyn Fn(&str) -> bool,
    ) -> (Option<TrackerCase>, Vec<Problem>) {
        let reference = self.required("reference");
        let reference = reference.and_then(|r| match Reference::parse(&r) {
            Ok(reference) => Some(reference),
            Err(e) => {
                self.problem(e.to_string());
                None
            }
        });
        let given_name = self.required("given_name");
        let family_name = self.required("family_name");
        let has_birth = self.required("date_of_birth").is_some();
        let born = if has_birth {
            self.date("date_of_birth")
        } else {
            None
        };
        let has_request = self.required("request_received").is_some();
        let requested = if has_request {
            self.date("request_received")
        } else {
            None
        };
        self.in_order(("date_of_birth", born), ("request_received", requested));

        let decided = self.date("decision_date");
        let outcome = match self.text("decision").map(str::to_lowercase).as_deref() {
            None => None,
            Some("assess" | "yes" | "y") => Some(AssessOutcome::Assess),
            Some("not_assess" | "no" | "n") => Some(AssessOutcome::NotAssess),
            Some(other) => {
                self.problem(format!(
                    "decision {other:?} must be assess or not_assess (or yes / no)"
                ));
                None
            }
        };
        if self.text("decision").is_some() != self.text("decision_date").is_some() {
            self.problem("decision and decision_date must be given together".to_owned());
        }
        self.in_order(("request_received", requested), ("decision_date", decided));

        let mut events = Vec::new();
        let mut advice_events = Vec::new();
        for (kind, asked_column, got_column) in ADVICE {
            let asked = self.date(asked_column);
            let got = self.date(got_column);
            if got.is_some() && self.text(asked_column).is_none() {
                self.problem(format!("{got_column} is given but {asked_column} is empty"));
            }
            self.in_order(("request_received", requested), (asked_column, asked));
            self.in_order((asked_column, asked), (got_column, got));
            if let Some(asked) = asked {
                advice_events.push(Event::new(
                    asked,
                    EventDetail::AdviceRequested {
                        advice: kind,
                        id: None,
                        provider: None,
                    },
                ));
            }
            if let Some(got) = got {
                advice_events.push(Event::new(
                    got,
                    EventDetail::AdviceReceived {
                        advice: kind,
                        id: None,
                    },
                ));
            }
        }
        let draft = self.date("draft_issued");
        let issued = self.date("final_issued");
        self.in_order(("request_received", requested), ("draft_issued", draft));
        self.in_order(("request_received", requested), ("final_issued", issued));
        self.in_order(("draft_issued", draft), ("final_issued", issued));
        if outcome == Some(AssessOutcome::NotAssess)
            && (!advice_events.is_empty() || draft.is_some() || issued.is_some())
        {
            self.problem(
                "decision is not_assess but advice or plan dates are filled in".to_owned(),
            );
        }

        let source = self.text("request_source").map(str::to_owned);
        let requested_by = source.and_then(|given| {
            let read = requester(&given);
            if read.is_none() {
                self.problem(format!(
                    "request_source {given:?} is not parent, young_person, school, health, social_care, other or a code 1 to 5"
                ));
            }
            read
        });
        let case_manager = self.text("case_manager").map(str::to_lowercase);
        if let Some(email) = &case_manager
            && !is_case_manager(email)
        {
            self.problem(format!(
                "case_manager {email:?} is not a known case manager"
            ));
        }

        let (Some(reference), Some(requested)) = (reference, requested) else {
            return (None, self.problems);
        };
        events.push(Event::new(requested, EventDetail::RequestReceived));
        if let (Some(date), Some(outcome)) = (decided, outcome) {
            events.push(Event::new(date, EventDetail::DecisionToAssess { outcome }));
        }
        events.extend(advice_events);
        events.extend(draft.map(|d| Event::new(d, EventDetail::DraftPlanIssued)));
        events.extend(issued.map(|d| Event::new(d, EventDetail::FinalPlanIssued)));
        let mut other = serde_json::Map::new();
        other.extend(given_name.map(|n| ("given_name".to_owned(), Value::String(n))));
        other.extend(family_name.map(|n| ("family_name".to_owned(), Value::String(n))));
        self.return_details(&mut other);
        let case = CaseFile {
            reference,
            child: Child {
                date_of_birth: born,
                other,
            },
            events,
            request: RequestDetails {
                requested_by,
                ..RequestDetails::default()
            },
        };
        (
            Some(TrackerCase {
                line: self.line,
                case,
                case_manager,
                fields: self.record.iter().map(str::to_owned).collect(),
            }),
            self.problems,
        )
    }
}

/// Who made the request, by name or by its SEN2 code (`1`, "young person or parent", is read as
/// the parent: the code does not say which).
fn requester(given: &str) -> Option<Requester> {
    let given = given.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    Requester::parse(&given).or_else(|| {
        Requester::ALL
            .into_iter()
            .find(|r| r.sen2_code() == given && *r != Requester::YoungPerson)
    })
}

/// `YYYY-MM-DD` or the UK spreadsheet form `DD/MM/YYYY` (one-digit day and month allowed).
pub fn parse_tracker_date(text: &str) -> Option<Date> {
    if let Ok(date) = dates::parse_iso(text) {
        return Some(date);
    }
    let mut parts = text.split('/');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || day.len() > 2 || month.len() > 2 {
        return None;
    }
    Date::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}
