//! An improvement plan as CSV (`examples/improvement-plan.csv`) or as the first sheet of an
//! XLSX workbook: one row per action or success measure, grouped under their priority and
//! objective by title, in first-seen order.
//!
//! Columns (header names, any order, case and surrounding spaces ignored) are listed in
//! [`COLUMNS`] and in docs/reporting.md. Reading reports every problem with its line; a plan is
//! returned only when there are none, so an import is all or nothing. [`rows`] writes a plan
//! back in the same columns, so that an exported plan can be edited and imported again.

use std::io::{Cursor, Read};

use calamine::{Data, Reader};
use tandem_core::improvement_plan::{Action, ActionStatus, ImprovementPlan, SuccessMeasure};
use tandem_core::metrics;

use super::Problem;
use super::tables::{self, SheetRef, TableError};
use super::tracker::{Column, parse_tracker_date};

/// Every column of the plan.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "priority",
        required: true,
        meaning: "the priority the row belongs to, by its title",
    },
    Column {
        name: "objective",
        required: true,
        meaning: "the objective under that priority, by its title",
    },
    Column {
        name: "item",
        required: true,
        meaning: "`action` (something to do) or `measure` (how we will know it worked)",
    },
    Column {
        name: "text",
        required: true,
        meaning: "what the action or measure is",
    },
    Column {
        name: "owner",
        required: false,
        meaning: "for an action: the officer or role answerable for it",
    },
    Column {
        name: "due",
        required: false,
        meaning: "for an action: when it is due (YYYY-MM-DD or DD/MM/YYYY)",
    },
    Column {
        name: "status",
        required: false,
        meaning: "for an action: `not_started`, `in_progress`, `done` or `dropped`",
    },
    Column {
        name: "evidence",
        required: false,
        meaning: "for an action, optionally: what shows it was done or how far it has got",
    },
    Column {
        name: "metric",
        required: false,
        meaning: "for a measure, optionally: the dashboard rate that tracks it, e.g. `final_plans_within_20_weeks_excl_exceptions`",
    },
];

/// Reads a plan from CSV; on any problem, every problem in line order instead.
pub fn read(input: impl Read) -> Result<ImprovementPlan, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(str::to_owned).collect(),
        Err(e) => {
            return Err(vec![Problem::new(
                1,
                format!("cannot read the header: {e}"),
            )]);
        }
    };
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                problems.push(Problem::new(line, format!("unreadable row: {e}")));
                // Only a row of the wrong length leaves the rest of the file readable.
                if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    continue;
                }
                break;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    from_rows(&header, rows, problems)
}

/// Reads a plan from the first sheet of an XLSX workbook (header on the first row); on any
/// problem, every problem in row order instead. Dates may be typed as text or be real dates.
pub fn read_xlsx(bytes: &[u8]) -> Result<ImprovementPlan, Vec<Problem>> {
    let unreadable = |e: &dyn std::fmt::Display| {
        vec![Problem::new(
            1,
            format!("not a workbook Tandem can read: {e}"),
        )]
    };
    let mut workbook =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let sheet = match workbook.worksheet_range_at(0) {
        Some(Ok(sheet)) => sheet,
        Some(Err(e)) => return Err(unreadable(&e)),
        None => return Err(vec![Problem::new(1, "the workbook has no sheet")]),
    };
    let mut lines = sheet
        .rows()
        .map(|row| row.iter().map(cell_text).collect::<Vec<_>>());
    let header = lines.next().unwrap_or_default();
    let rows = (2u64..)
        .zip(lines)
        .filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()))
        .collect();
    from_rows(&header, rows, Vec::new())
}

/// A cell's text; a date as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::DateTime(when) => {
            // Spreadsheet days count from 30 December 1899.
            let days = when.as_f64().floor();
            tandem_core::Date::from_ymd_opt(1899, 12, 30)
                .and_then(|epoch| {
                    let days = u64::try_from(days as i64).ok()?;
                    epoch.checked_add_days(chrono::Days::new(days))
                })
                .map_or_else(|| cell.to_string(), |date| date.to_string())
        }
        Data::Float(number) if number.fract() == 0.0 => format!("{number:.0}"),
        other => other.to_string(),
    }
}

/// Checks the header and every row (`(line, cells)`) and builds the plan, or returns every
/// problem (with those found while reading the rows) in line order.
fn from_rows(
    header: &[String],
    rows: Vec<(u64, Vec<String>)>,
    mut problems: Vec<Problem>,
) -> Result<ImprovementPlan, Vec<Problem>> {
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    problems.extend(
        names
            .iter()
            .filter(|name| !COLUMNS.iter().any(|c| c.name == *name))
            .map(|name| Problem::new(1, format!("unknown column {name:?}"))),
    );
    for column in COLUMNS.iter().filter(|c| c.required) {
        if !names.iter().any(|n| n == column.name) {
            problems.push(Problem::new(1, format!("missing column {:?}", column.name)));
        }
    }
    if problems.iter().any(|p| p.line == 1) {
        return Err(problems);
    }
    let mut plan = ImprovementPlan::default();
    for (line, record) in rows {
        let cell = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .and_then(|i| record.get(i))
                .map(|v| tables::undefused(v.trim()))
                .filter(|v| !v.is_empty())
        };
        let mut row = Row {
            line,
            problems: &mut problems,
        };
        let priority = row.required(cell("priority"), "priority");
        let objective = row.required(cell("objective"), "objective");
        let text = row.required(cell("text"), "text");
        let item = match cell("item") {
            Some("action") => Some(Item::Action(row.action(&cell))),
            Some("measure") => Some(Item::Measure(row.measure(&cell))),
            other => {
                row.problem(format!(
                    "item must be \"action\" or \"measure\", not {:?}",
                    other.unwrap_or_default()
                ));
                None
            }
        };
        let (Some(priority), Some(objective), Some(text), Some(item)) =
            (priority, objective, text, item)
        else {
            continue;
        };
        let objective = plan.objective_mut(priority, objective);
        match item {
            Item::Action(Some((owner, due, status))) => objective.actions.push(Action {
                id: None,
                text: text.to_owned(),
                owner: owner.to_owned(),
                due,
                status,
                evidence: cell("evidence").unwrap_or_default().to_owned(),
            }),
            Item::Measure(Some(metric)) => objective.measures.push(SuccessMeasure {
                text: text.to_owned(),
                metric: metric.map(str::to_owned),
            }),
            Item::Action(None) | Item::Measure(None) => {}
        }
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

/// The plan's header: every column, in [`COLUMNS`]' order.
pub fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.name).collect()
}

/// The plan as rows under [`header`]: under each objective its actions, then its measures.
/// [`read`] reads them back into the same plan.
pub fn rows(plan: &ImprovementPlan) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for p in &plan.priorities {
        for o in &p.objectives {
            for a in &o.actions {
                rows.push(vec![
                    p.title.clone(),
                    o.title.clone(),
                    "action".into(),
                    a.text.clone(),
                    a.owner.clone(),
                    a.due.to_string(),
                    a.status.as_str().into(),
                    a.evidence.clone(),
                    String::new(),
                ]);
            }
            for m in &o.measures {
                rows.push(vec![
                    p.title.clone(),
                    o.title.clone(),
                    "measure".into(),
                    m.text.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    m.metric.clone().unwrap_or_default(),
                ]);
            }
        }
    }
    rows
}

/// The plan as CSV in the columns [`read`] takes.
pub fn to_csv(plan: &ImprovementPlan) -> Result<Vec<u8>, TableError> {
    tables::csv(&header(), &rows(plan))
}

/// The plan as a workbook of one sheet in the columns [`read_xlsx`] takes.
pub fn to_xlsx(plan: &ImprovementPlan) -> Result<Vec<u8>, TableError> {
    tables::xlsx(
        "Improvement plan",
        &[SheetRef {
            title: "Improvement plan",
            header: &header(),
            rows: &rows(plan),
        }],
    )
}

enum Item<A, M> {
    Action(Option<A>),
    Measure(Option<M>),
}

/// Checks one row, noting each problem with the row's line.
struct Row<'a> {
    line: u64,
    problems: &'a mut Vec<Problem>,
}

impl Row<'_> {
    fn problem(&mut self, message: String) {
        self.problems.push(Problem::new(self.line, message));
    }

    fn required<'v>(&mut self, value: Option<&'v str>, column: &str) -> Option<&'v str> {
        if value.is_none() {
            self.problem(format!("{column} is empty"));
        }
        value
    }

    fn action<'v>(
        &mut self,
        cell: &dyn Fn(&str) -> Option<&'v str>,
    ) -> Option<(&'v str, tandem_core::Date, ActionStatus)> {
        let owner = cell("owner");
        if owner.is_none() {
            self.problem("an action needs an owner".into());
        }
        let due = match cell("due") {
            None => {
                self.problem("an action needs a due date".into());
                None
            }
            Some(text) => {
                let due = parse_tracker_date(text);
                if due.is_none() {
                    self.problem(format!(
                        "due {text:?} is not a real date (YYYY-MM-DD or DD/MM/YYYY)"
                    ));
                }
                due
            }
        };
        let status = match cell("status") {
            None => {
                self.problem("an action needs a status".into());
                None
            }
            Some(text) => {
                let status = ActionStatus::parse(text);
                if status.is_none() {
                    self.problem(format!(
                        "status {text:?} is not one of {}",
                        ActionStatus::NAMES.join(", ")
                    ));
                }
                status
            }
        };
        if cell("metric").is_some() {
            self.problem("only a measure can be linked to a metric".into());
        }
        Some((owner?, due?, status?))
    }

    fn measure<'v>(&mut self, cell: &dyn Fn(&str) -> Option<&'v str>) -> Option<Option<&'v str>> {
        let mut sound = true;
        for column in ["owner", "due", "status", "evidence"] {
            if cell(column).is_some() {
                self.problem(format!("a measure has no {column}; only actions do"));
                sound = false;
            }
        }
        let metric = cell("metric");
        if let Some(key) = metric
            && !metrics::rate_keys().any(|k| k == key)
        {
            self.problem(format!(
                "metric {key:?} is not a dashboard rate; use one of {}",
                metrics::rate_keys().collect::<Vec<_>>().join(", ")
            ));
            sound = false;
        }
        sound.then_some(metric)
    }
}
