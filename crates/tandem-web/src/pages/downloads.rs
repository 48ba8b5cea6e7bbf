//! Every table of the dashboard and of the improvement plan as a download
//! (`GET /dashboard/tables/{name}.csv` or `.xlsx`), and all of them as one workbook with a sheet
//! each (`GET /dashboard/tables/all.xlsx`). They take the dashboard's period and as-at query, so
//! a download always holds what its page showed.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{DocProperties, Format, Workbook, XlsxError};

use crate::error::WebError;
use crate::pages::dashboard::{self, Rows, Table};
use crate::pages::period::{Chosen, PeriodForm};
use crate::pages::plan;
use crate::session::CurrentUser;
use crate::state::AppState;

/// The name of the workbook holding every table.
const ALL: &str = "all";

/// A table that can be downloaded: its file name, its sheet's name (at most 31 characters, as
/// Excel allows) and its rows.
pub(crate) struct Sheet {
    pub(crate) name: String,
    pub(crate) title: String,
    pub(crate) rows: Rows,
}

/// The addresses of one table's downloads.
pub(crate) struct Downloads {
    pub(crate) csv: String,
    pub(crate) xlsx: String,
}

impl Downloads {
    pub(crate) fn of(table: Table, chosen: &Chosen) -> Self {
        Self::named(&table.name(), chosen)
    }

    pub(crate) fn named(name: &str, chosen: &Chosen) -> Self {
        let link =
            |extension: &str| format!("/dashboard/tables/{name}.{extension}?{}", chosen.query());
        Self {
            csv: link("csv"),
            xlsx: link("xlsx"),
        }
    }
}

/// The address of the workbook with every table.
pub(crate) fn workbook_link(chosen: &Chosen) -> String {
    format!("/dashboard/tables/{ALL}.xlsx?{}", chosen.query())
}

/// The names of every table, in the order of the pages that show them.
fn names() -> impl Iterator<Item = String> {
    Table::all()
        .into_iter()
        .map(Table::name)
        .chain(plan::TABLES.map(str::to_owned))
}

/// What a download address asks for: one table by name, or the workbook of them all.
#[derive(Debug, PartialEq, Eq)]
enum Download {
    Csv(String),
    Xlsx(String),
    Workbook,
}

impl Download {
    fn parse(file: &str) -> Option<Self> {
        let known = |name: &str| names().any(|n| n == name).then(|| name.to_owned());
        if let Some(name) = file.strip_suffix(".csv") {
            return known(name).map(Self::Csv);
        }
        let name = file.strip_suffix(".xlsx")?;
        if name == ALL {
            return Some(Self::Workbook);
        }
        known(name).map(Self::Xlsx)
    }
}

/// `GET /dashboard/tables/{file}`: one table as CSV or XLSX, or every table as a workbook.
pub(crate) async fn table(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
    Query(form): Query<PeriodForm>,
) -> Result<Response, WebError> {
    // Checked before the name, so that a refused caller learns nothing of which tables exist.
    dashboard::require(&user)?;
    let download = Download::parse(&file).ok_or(WebError::NotFound)?;
    let (chosen, today, d) = dashboard::read_linked(&state, &user, &form).await?;
    let mut sheets: Vec<Sheet> = Table::all()
        .into_iter()
        .map(|t| Sheet {
            name: t.name(),
            title: t.sheet_name(),
            rows: t.rows(&d),
        })
        .chain(plan::sheets(&state.config().reporting.plan, &d, today))
        .collect();
    let title = format!(
        "Tandem dashboard: {}, as at {}",
        chosen.describe(),
        chosen.as_of
    );
    let mut one = |name: &str| -> Result<Vec<Sheet>, WebError> {
        let at = sheets.iter().position(|s| s.name == name);
        let sheet = at.map(|i| sheets.swap_remove(i));
        sheet
            .map(|s| vec![s])
            .ok_or_else(|| WebError::internal("download", format!("no table {name}")))
    };
    let (name, content_type, body) = match download {
        Download::Csv(name) => {
            let body = csv(&one(&name)?[0].rows)?;
            (name, "text/csv; charset=utf-8", body)
        }
        Download::Xlsx(name) => {
            let body = xlsx(&title, &one(&name)?)?;
            (name, XLSX, body)
        }
        Download::Workbook => (ALL.to_owned(), XLSX, xlsx(&title, &sheets)?),
    };
    let extension = if content_type == XLSX { "xlsx" } else { "csv" };
    let disposition = format!(
        "attachment; filename=\"{name}-{}.{extension}\"",
        chosen.as_of
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A cell a spreadsheet would run as a formula if it were opened from CSV (OWASP's CSV
/// injection): names are typed by people, so such a cell is written with a leading `'`.
/// Spreadsheets skip leading spaces and line breaks before a formula, so the check looks past
/// any whitespace (the outside test got `" =HYPERLINK(…)"` through the API).
fn defused(cell: &str) -> std::borrow::Cow<'_, str> {
    let looks_like_formula = cell
        .trim_start_matches(|c: char| c.is_whitespace() && c != '\t' && c != '\r')
        .starts_with(['=', '+', '-', '@', '\t', '\r']);
    if looks_like_formula && cell.trim().parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn csv((header, rows): &Rows) -> Result<Vec<u8>, WebError> {
    let failed = |e: csv::Error| WebError::internal("writing CSV", e);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| defused(cell).into_owned()))
            .map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|e| WebError::internal("writing CSV", e))
}

/// A workbook with a sheet per table: a bold, frozen header row, and numbers as numbers so that
/// they can be summed and charted.
fn xlsx(title: &str, sheets: &[Sheet]) -> Result<Vec<u8>, WebError> {
    let failed = |e: XlsxError| WebError::internal("writing XLSX", e);
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(title).set_author("Tandem"));
    let bold = Format::new().set_bold();
    for Sheet {
        title,
        rows: (header, rows),
        ..
    } in sheets
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name(title).map_err(failed)?;
        for (column, text) in (0u16..).zip(header) {
            sheet
                .write_string_with_format(0, column, *text, &bold)
                .map_err(failed)?;
        }
        for (line, row) in (1u32..).zip(rows) {
            for (column, cell) in (0u16..).zip(row) {
                match cell.parse::<f64>() {
                    Ok(number) if number.is_finite() => sheet.write_number(line, column, number),
                    _ => sheet.write_string(line, column, cell),
                }
                .map_err(failed)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(failed)?;
        sheet.autofit();
    }
    workbook.save_to_buffer().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_defused_and_numbers_are_not() {
        assert_eq!(defused("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defused("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defused("+44 1234"), "'+44 1234");
        assert_eq!(defused("-12.5"), "-12.5");
        assert_eq!(defused("Jo Bloggs"), "Jo Bloggs");
        for hidden in [" =HYPERLINK(\"x\")", "\n=1+2", " \n @SUM(A1)", "\u{a0}=A1"] {
            assert_eq!(defused(hidden), format!("'{hidden}"), "{hidden:?}");
        }
        assert_eq!(defused(" -12.5"), " -12.5");
        assert_eq!(defused(""), "");
    }

    #[test]
    fn only_known_tables_and_the_workbook_are_downloads() {
        let csv = |name: &str| Some(Download::Csv(name.into()));
        assert_eq!(Download::parse("backlog.csv"), csv("backlog"));
        assert_eq!(Download::parse("plan-actions.csv"), csv("plan-actions"));
        assert_eq!(
            Download::parse("backlog.xlsx"),
            Some(Download::Xlsx("backlog".into()))
        );
        assert_eq!(Download::parse("all.xlsx"), Some(Download::Workbook));
        assert!(Download::parse("nothing.csv").is_none());
        assert!(Download::parse("all.csv").is_none());
        assert!(Download::parse("backlog.pdf").is_none());
        assert!(Download::parse("backlog").is_none());
    }
}
