//! Tables written for spreadsheets: one table as CSV, or several as the sheets of an XLSX
//! workbook. The dashboard's downloads and the improvement plan's export (on the page and on
//! the command line) are written here, so that they are made safe the same way.

use rust_xlsxwriter::{DocProperties, Format, Workbook, XlsxError};

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// Writing CSV failed.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Writing the workbook failed.
    #[error("writing XLSX: {0}")]
    Xlsx(#[from] XlsxError),
    /// The CSV writer could not hand back what it wrote.
    #[error("writing CSV: {0}")]
    Io(#[from] std::io::Error),
}

/// One sheet of a workbook: its name (at most 31 characters, as Excel allows), its header and
/// its rows.
#[derive(Debug, Clone, Copy)]
pub struct SheetRef<'a> {
    /// The sheet's name.
    pub title: &'a str,
    /// The column names.
    pub header: &'a [&'a str],
    /// The rows, as text.
    pub rows: &'a [Vec<String>],
}

/// A cell a spreadsheet would run as a formula if it were opened from CSV (OWASP's CSV
/// injection): names and notes are typed by people, so such a cell is written with a leading
/// `'`. Spreadsheets skip leading spaces and line breaks before a formula, so the check looks
/// past any whitespace. [`undefused`] takes the `'` off again when a file is read back.
pub fn defused(cell: &str) -> std::borrow::Cow<'_, str> {
    if looks_like_formula(cell) && cell.trim().parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn looks_like_formula(cell: &str) -> bool {
    cell.trim_start_matches(|c: char| c.is_whitespace() && c != '\t' && c != '\r')
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell as it was before [`defused`]: without the `'` written in front of a formula.
pub fn undefused(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => cell,
    }
}

/// One table as CSV (RFC 4180), header first.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, TableError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row.iter().map(|cell| defused(cell).into_owned()))?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

/// A workbook titled `title` with a sheet per table: a bold, frozen header row, and numbers as
/// numbers so that they can be summed and charted.
pub fn xlsx(title: &str, sheets: &[SheetRef<'_>]) -> Result<Vec<u8>, TableError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(title).set_author("Tandem"));
    let bold = Format::new().set_bold();
    for table in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.title)?;
        for (column, text) in (0u16..).zip(table.header) {
            sheet.write_string_with_format(0, column, *text, &bold)?;
        }
        for (line, row) in (1u32..).zip(table.rows) {
            for (column, cell) in (0u16..).zip(row) {
                match cell.parse::<f64>() {
                    Ok(number) if number.is_finite() => sheet.write_number(line, column, number),
                    _ => sheet.write_string(line, column, cell),
                }?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofit();
    }
    Ok(workbook.save_to_buffer()?)
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
    fn a_defused_cell_reads_back_as_it_was_written() {
        for cell in ["=1+2", "- a bullet", "@home", "plain", "'quoted", ""] {
            assert_eq!(undefused(&defused(cell)), cell, "{cell:?}");
        }
    }
}
