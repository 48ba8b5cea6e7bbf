//! Every table of the dashboard and of the improvement plan as a download
//! (`GET /dashboard/tables/{name}.csv` or `.xlsx`), and all of them as one workbook with a sheet
//! each (`GET /dashboard/tables/all.xlsx`). They take the dashboard's period and as-at query, so
//! a download always holds what its page showed.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tandem_app::interchange::tables::{self, SheetRef, TableError};

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
    let (chosen, _, d) = dashboard::read_linked(&state, &user, &form).await?;
    let kept = plan::kept(&state, &user).await?;
    let small = dashboard::small_numbers(&state, &user);
    let mut sheets: Vec<Sheet> = Table::all()
        .into_iter()
        .map(|t| Sheet {
            name: t.name(),
            title: t.sheet_name(),
            rows: t.rows(&d, small),
        })
        .chain(plan::sheets(&kept.plan, &d, small))
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

fn failed(e: TableError) -> WebError {
    WebError::internal("writing a download", e)
}

fn csv((header, rows): &Rows) -> Result<Vec<u8>, WebError> {
    tables::csv(header, rows).map_err(failed)
}

/// A workbook with a sheet per table.
fn xlsx(title: &str, sheets: &[Sheet]) -> Result<Vec<u8>, WebError> {
    let sheets: Vec<SheetRef> = sheets
        .iter()
        .map(|s| SheetRef {
            title: &s.title,
            header: &s.rows.0,
            rows: &s.rows.1,
        })
        .collect();
    tables::xlsx(title, &sheets).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_tables_and_the_workbook_are_downloads() {
        let csv = |name: &str| Some(Download::Csv(name.into()));
        assert_eq!(Download::parse("backlog.csv"), csv("backlog"));
        assert_eq!(
            Download::parse("improvement-plan.csv"),
            csv("improvement-plan")
        );
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
