//! An improvement plan as CSV (`examples/improvement-plan.csv`): one row per action or
//! success measure, grouped under their priority and objective by title, in first-seen order.
//!
//! Columns (header names, any order, case and surrounding spaces ignored) are listed in
//! [`COLUMNS`] and in docs/reporting.md. Reading reports every problem with its line; a plan is
//! returned only when there are none, so an import is all or nothing.

use std::io::Read;

use tandem_core::improvement_plan::{Action, ActionStatus, ImprovementPlan, SuccessMeasure};
use tandem_core::metrics;

use super::Problem;
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
        name: "metric",
        required: false,
        meaning: "for a measure, optionally: the dashboard rate that tracks it, e.g. `final_plans_within_20_weeks_excl_exceptions`",
    },
];

/// Reads a plan; on any problem, every problem in line order instead.
pub fn read(input: impl Read) -> Result<ImprovementPlan, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let names: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(|h| h.trim().to_lowercase()).collect(),
        Err(e) => {
            return Err(vec![Problem::new(
                1,
                format!("cannot read the header: {e}"),
            )]);
        }
    };
    let mut problems: Vec<Problem> = names
        .iter()
        .filter(|name| !COLUMNS.iter().any(|c| c.name == *name))
        .map(|name| Problem::new(1, format!("unknown column {name:?}")))
        .collect();
    for column in COLUMNS.iter().filter(|c| c.required) {
        if !names.iter().any(|n| n == column.name) {
            problems.push(Problem::new(1, format!("missing column {:?}", column.name)));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut plan = ImprovementPlan::default();
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
        let cell = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .and_then(|i| record.get(i))
                .map(str::trim)
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
                text: text.to_owned(),
                owner: owner.to_owned(),
                due,
                status,
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
        for column in ["owner", "due", "status"] {
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
