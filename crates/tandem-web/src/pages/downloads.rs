//! Every table of the dashboard as a download (`GET /dashboard/tables/{name}.csv` or `.xlsx`),
//! and all of them as one workbook with a sheet each (`GET /dashboard/tables/all.xlsx`). They take
//! the dashboard's period and as-at query, so a download always holds what its page showed.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{DocProperties, Format, Workbook, XlsxError};

use crate::error::WebError;
use crate::pages::dashboard::{self, Rows, Table};
use crate::pages::period::PeriodForm;
use crate::session::CurrentUser;
use crate::state::AppState;

/// The name of the workbook holding every table.
const ALL: &str = "all";

/// What a download address asks for.
enum Download {
    Csv(Table),
    Xlsx(Table),
    Workbook,
}

impl Download {
    fn parse(file: &str) -> Option<Self> {
        let table = |name: &str| Table::all().into_iter().find(|t| t.name() == name);
        if let Some(name) = file.strip_suffix(".csv") {
            return table(name).map(Self::Csv);
        }
        let name = file.strip_suffix(".xlsx")?;
        if name == ALL {
            return Some(Self::Workbook);
        }
        table(name).map(Self::Xlsx)
    }
}

/// `GET /dashboard/tables/{file}`: one table as CSV or XLSX, or every table as a workbook.
pub(crate) async fn table(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
    Query(form): Query<PeriodForm>,
) -> Result<Response, WebError> {
    dashboard::require(&user)?;
    let download = Download::parse(&file).ok_or(WebError::NotFound)?;
    let chosen = dashboard::chosen_from_link(&form, &state)?;
    let d = dashboard::read(&state, &user, &chosen).await?;
    let title = format!(
        "Tandem dashboard: {}, as at {}",
        chosen.describe(),
        chosen.as_of
    );
    let (name, content_type, body) = match download {
        Download::Csv(table) => (
            table.name(),
            "text/csv; charset=utf-8",
            csv(&table.rows(&d))?,
        ),
        Download::Xlsx(table) => (
            table.name(),
            XLSX,
            xlsx(&title, &[(table.sheet_name(), table.rows(&d))])?,
        ),
        Download::Workbook => {
            let sheets: Vec<(String, Rows)> = Table::all()
                .into_iter()
                .map(|t| (t.sheet_name(), t.rows(&d)))
                .collect();
            (ALL.to_owned(), XLSX, xlsx(&title, &sheets)?)
        }
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
fn defused(cell: &str) -> std::borrow::Cow<'_, str> {
    let looks_like_formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if looks_like_formula && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn csv((header, rows): &Rows) -> Result<Vec<u8>, WebError> {
    let failed = |e: csv::Error| WebError::Internal(format!("writing CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| defused(cell).into_owned()))
            .map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|e| WebError::Internal(format!("writing CSV: {e}")))
}

/// A workbook with a sheet per table: a bold, frozen header row, and numbers as numbers so that
/// they can be summed and charted.
fn xlsx(title: &str, sheets: &[(String, Rows)]) -> Result<Vec<u8>, WebError> {
    let failed = |e: XlsxError| WebError::Internal(format!("writing XLSX: {e}"));
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(title).set_author("Tandem"));
    let bold = Format::new().set_bold();
    for (name, (header, rows)) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).map_err(failed)?;
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
        assert_eq!(defused(""), "");
    }

    #[test]
    fn only_known_tables_and_the_workbook_are_downloads() {
        assert!(matches!(
            Download::parse("backlog.csv"),
            Some(Download::Csv(Table::Backlog))
        ));
        assert!(matches!(
            Download::parse("backlog.xlsx"),
            Some(Download::Xlsx(Table::Backlog))
        ));
        assert!(matches!(
            Download::parse("all.xlsx"),
            Some(Download::Workbook)
        ));
        assert!(Download::parse("all.csv").is_none());
        assert!(Download::parse("backlog.pdf").is_none());
        assert!(Download::parse("backlog").is_none());
    }
}
