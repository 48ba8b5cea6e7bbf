//! Tandem's printable reports as PDF: a small document model (a title, headings, paragraphs,
//! tables, trend lines and bar charts) laid out on A4 pages by [`render`].
//!
//! The pages use the PDF standard Helvetica faces, which readers supply, so no font file is
//! embedded or committed. Printpdf cannot tag a PDF for screen readers, so the HTML report, from
//! the same figures, stays the accessible version; this is its printed copy (docs/reporting.md).

#![deny(missing_docs)]

mod fonts;

use printpdf::{
    Color, Line, LineDashPattern, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem,
};

use fonts::Face;
pub use fonts::printable;

/// A report: its title (also the PDF's title and every page's footer) and its content.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The report's name: set as the PDF's title and printed at the foot of every page. It is
    /// not drawn at the top; add a [`Block::Title`] for that.
    pub title: String,
    /// Who made the report, recorded in the PDF's metadata only.
    pub author: String,
    /// When the report was made: the PDF's creation date.
    pub created: std::time::SystemTime,
    /// The content, laid out top to bottom in this order, starting new pages as needed.
    pub blocks: Vec<Block>,
}

/// One piece of a report's content, in the order it appears down the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The report's title at the top of its first page.
    Title(String),
    /// A section heading; never left alone at the foot of a page.
    Heading(String),
    /// Body text, wrapped to the page's width and split across pages between lines.
    Paragraph(String),
    /// A captioned table.
    Table(Table),
    /// A line chart of a rate against its target.
    Trend(TrendChart),
    /// A horizontal bar chart.
    Bars(BarChart),
}

/// A table; its header row is repeated on every page it runs onto.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// A bold line above the table, kept on the same page as its header and first rows.
    pub caption: String,
    /// The columns, left to right; their widths are fitted to the cells' text.
    pub columns: Vec<Column>,
    /// The body rows, each one cell per column in column order (cells beyond the last column
    /// are not shown). With no rows, the table reads "None." under its header.
    pub rows: Vec<Vec<String>>,
}

/// A table column: its header and how its cells are aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The text of the column's header cell, in bold.
    pub heading: String,
    /// Numbers are right-aligned.
    pub numeric: bool,
}

/// A rate month by month (0 to 1), with the target in force each month.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendChart {
    /// A bold line above the chart, kept on the same page as it.
    pub title: String,
    /// One point per month, oldest first, drawn left to right.
    pub points: Vec<TrendPoint>,
}

/// One month of a [`TrendChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// The month's name on the horizontal axis; when there are many months only some are
    /// labelled (at most eight, counted back from the latest).
    pub label: String,
    /// The rate achieved, from 0 to 1 (values outside are drawn at the chart's edge); `None`
    /// when nothing was measured that month, which breaks the line there.
    pub rate: Option<f64>,
    /// The target in force that month, from 0 to 1, drawn as a dashed line; `None` when no
    /// target applied, which breaks the dashed line there.
    pub target: Option<f64>,
}

/// Horizontal bars, one per row, each with its value written at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// A bold line above the chart, kept on the same page as its first bars.
    pub title: String,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
    /// What a flagged bar means (such as "at or past the 20-week limit"); flagged bars are
    /// darker and starred, so the difference never rests on colour alone.
    pub flagged_means: Option<String>,
}

/// One row of a [`BarChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// What the bar counts, written to its left (wrapped if long).
    pub label: String,
    /// Sets the bar's length, in proportion to the largest value in the chart.
    pub value: f64,
    /// The value as written at the bar's end, formatted by the caller (such as "12" or "35%").
    pub display: String,
    /// Whether the bar is drawn darker with a star after its label; the chart's
    /// [`BarChart::flagged_means`] says why.
    pub flagged: bool,
}

/// The document as PDF bytes, compressed.
pub fn render(document: &Document) -> Vec<u8> {
    save(document, true)
}

fn save(document: &Document, compress: bool) -> Vec<u8> {
    let faces = Faces {
        regular: Face::regular(),
        bold: Face::bold(),
    };
    let mut pages = Pages::new(&faces);
    for block in &document.blocks {
        pages.block(block);
    }
    let mut pdf = PdfDocument::new(&document.title);
    pdf.metadata.info.author = document.author.clone();
    pdf.metadata.info.creator = "Tandem".into();
    let seconds = document
        .created
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    if let Ok(created) = printpdf::DateTime::from_unix_timestamp(seconds) {
        pdf.metadata.info.creation_date = created;
        pdf.metadata.info.modification_date = created;
    }
    let pages = pages
        .finish(&printable(&document.title))
        .into_iter()
        .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
        .collect();
    pdf.with_pages(pages);
    let options = PdfSaveOptions {
        optimize: compress,
        ..PdfSaveOptions::default()
    };
    // Warnings concern fonts and images this document does not use.
    pdf.save(&options, &mut Vec::new())
}

// A4 in points, with margins of 18 mm at the sides and 20 mm above and below.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const LEFT: f32 = 51.0;
const WIDTH: f32 = PAGE_WIDTH - 2.0 * LEFT;
const TOP: f32 = PAGE_HEIGHT - 57.0;
const BOTTOM: f32 = 72.0;
const FOOTER: f32 = 40.0;

const BODY: f32 = 10.0;
const SMALL: f32 = 9.0;
const CELL_PADDING: f32 = 4.0;
const ROW_LEADING: f32 = SMALL * 1.3;

/// GOV.UK colours: text, link blue, dark blue and the mid grey of borders.
const TEXT: (f32, f32, f32) = (0.043, 0.047, 0.047);
const BLUE: (f32, f32, f32) = (0.114, 0.439, 0.722);
const DARK_BLUE: (f32, f32, f32) = (0.0, 0.188, 0.471);
const GREY: (f32, f32, f32) = (0.694, 0.706, 0.714);

fn colour((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

fn at(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

struct Faces {
    regular: Face,
    bold: Face,
}

/// A table row wrapped to its columns, and the height it takes.
struct Row {
    lines: Vec<Vec<String>>,
    height: f32,
    style: Style,
}

#[derive(Clone, Copy)]
enum Style {
    Regular,
    Bold,
}

/// The pages laid out so far and where the next line goes (`y`, from the page's foot).
struct Pages<'f> {
    faces: &'f Faces,
    done: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
}

impl<'f> Pages<'f> {
    fn new(faces: &'f Faces) -> Self {
        Self {
            faces,
            done: Vec::new(),
            ops: Vec::new(),
            y: TOP,
        }
    }

    fn face(&self, style: Style) -> &'f Face {
        match style {
            Style::Regular => &self.faces.regular,
            Style::Bold => &self.faces.bold,
        }
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn room(&mut self, height: f32) {
        if self.y - height < BOTTOM && self.y < TOP {
            self.new_page();
        }
    }

    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.ops));
        self.y = TOP;
    }

    fn text(&mut self, style: Style, size: f32, x: f32, baseline: f32, text: &str) {
        self.ops.extend([
            Op::SetFillColor { col: colour(TEXT) },
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::Builtin(self.face(style).font),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: at(x, baseline),
            },
            Op::ShowText {
                items: vec![TextItem::Text(printable(text))],
            },
            Op::EndTextSection,
        ]);
    }

    /// Wrapped text at the cursor, breaking the page between lines where it must.
    fn lines(&mut self, style: Style, size: f32, x: f32, width: f32, text: &str) {
        let leading = size * 1.35;
        for line in self.face(style).wrap(&printable(text), size, width) {
            self.room(leading);
            self.y -= leading;
            self.text(style, size, x, self.y + size * 0.3, &line);
        }
    }

    fn rectangle(&mut self, x: f32, y: f32, width: f32, height: f32, fill: (f32, f32, f32)) {
        self.ops.extend([
            Op::SetFillColor { col: colour(fill) },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(y),
                    width: Pt(width),
                    height: Pt(height),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            },
        ]);
    }

    fn stroke(
        &mut self,
        points: &[(f32, f32)],
        ink: (f32, f32, f32),
        thickness: f32,
        dash: &[f32],
    ) {
        if points.len() < 2 {
            return;
        }
        self.ops.extend([
            Op::SetOutlineColor { col: colour(ink) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::SetLineDashPattern {
                dash: LineDashPattern::new(0.0, dash),
            },
            Op::DrawLine {
                line: Line {
                    points: points
                        .iter()
                        .map(|&(x, y)| LinePoint {
                            p: at(x, y),
                            bezier: false,
                        })
                        .collect(),
                    is_closed: false,
                },
            },
        ]);
    }

    fn rule(&mut self, y: f32, ink: (f32, f32, f32), thickness: f32) {
        self.stroke(&[(LEFT, y), (LEFT + WIDTH, y)], ink, thickness, &[]);
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Title(text) => {
                self.lines(Style::Bold, 20.0, LEFT, WIDTH, text);
                self.y -= 8.0;
            }
            Block::Heading(text) => {
                // With room for a few lines after it, so it never ends a page.
                self.room(16.0 + 14.0 * 1.35 + 60.0);
                self.y -= 14.0;
                self.lines(Style::Bold, 14.0, LEFT, WIDTH, text);
                self.y -= 4.0;
            }
            Block::Paragraph(text) => {
                self.lines(Style::Regular, BODY, LEFT, WIDTH, text);
                self.y -= 6.0;
            }
            Block::Table(table) => self.table(table),
            Block::Trend(chart) => self.trend(chart),
            Block::Bars(chart) => self.bars(chart),
        }
    }

    /// Column widths: each at its natural width if all fit (the first column taking what is
    /// left); otherwise each gets at least its longest word, and the rest of the line is shared
    /// in proportion to how much more each needs, so that words are not broken.
    fn widths(&self, table: &Table) -> Vec<f32> {
        let cells = |i: usize| {
            let header = (&self.faces.bold, table.columns[i].heading.as_str());
            std::iter::once(header).chain(
                table
                    .rows
                    .iter()
                    .filter_map(move |row| row.get(i))
                    .map(|cell| (&self.faces.regular, cell.as_str())),
            )
        };
        let padded = |w: f32| w + 2.0 * CELL_PADDING;
        let (mut least, mut natural) = (Vec::new(), Vec::new());
        for i in 0..table.columns.len() {
            let (mut word, mut whole) = (0.0_f32, 0.0_f32);
            for (face, text) in cells(i) {
                let text = printable(text);
                whole = whole.max(face.width(&text, SMALL));
                for w in text.split_whitespace() {
                    word = word.max(face.width(w, SMALL));
                }
            }
            least.push(padded(word));
            natural.push(padded(whole));
        }
        let total: f32 = natural.iter().sum();
        if total <= WIDTH {
            natural[0] += WIDTH - total;
            return natural;
        }
        let floor: f32 = least.iter().sum();
        if floor >= WIDTH {
            return least.iter().map(|w| w * WIDTH / floor).collect();
        }
        let share = (WIDTH - floor) / (total - floor);
        least
            .iter()
            .zip(&natural)
            .map(|(l, n)| l + (n - l) * share)
            .collect()
    }

    /// A row's cells wrapped to their columns, in `style`.
    fn wrap_row(&self, cells: &[String], widths: &[f32], style: Style) -> Row {
        let lines: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(cell, w)| {
                self.face(style)
                    .wrap(&printable(cell), SMALL, w - 2.0 * CELL_PADDING)
            })
            .collect();
        let tallest = lines.iter().map(Vec::len).max().unwrap_or(1);
        Row {
            height: tallest as f32 * ROW_LEADING + 6.0,
            lines,
            style,
        }
    }

    fn row(&mut self, row: &Row, columns: &[Column], widths: &[f32]) {
        let top = self.y;
        let mut x = LEFT;
        for ((lines, width), column) in row.lines.iter().zip(widths).zip(columns) {
            for (n, line) in lines.iter().enumerate() {
                let baseline = top - 3.0 - (n as f32 + 1.0) * ROW_LEADING + SMALL * 0.3;
                let left = if column.numeric {
                    x + width - CELL_PADDING - self.face(row.style).width(line, SMALL)
                } else {
                    x + CELL_PADDING
                };
                self.text(row.style, SMALL, left, baseline, line);
            }
            x += width;
        }
        self.y -= row.height;
    }

    fn header(&mut self, header: &Row, table: &Table, widths: &[f32]) {
        self.row(header, &table.columns, widths);
        self.rule(self.y, TEXT, 1.0);
    }

    fn table(&mut self, table: &Table) {
        let widths = self.widths(table);
        let headings: Vec<String> = table.columns.iter().map(|c| c.heading.clone()).collect();
        let header = self.wrap_row(&headings, &widths, Style::Bold);
        // The caption, the header and the first rows together.
        self.room(BODY * 1.35 + header.height + 2.0 * ROW_LEADING);
        self.lines(Style::Bold, BODY, LEFT, WIDTH, &table.caption);
        self.y -= 2.0;
        self.header(&header, table, &widths);
        for cells in &table.rows {
            let row = self.wrap_row(cells, &widths, Style::Regular);
            if self.y - row.height < BOTTOM {
                self.new_page();
                self.header(&header, table, &widths);
            }
            self.row(&row, &table.columns, &widths);
            self.rule(self.y, GREY, 0.5);
        }
        if table.rows.is_empty() {
            self.lines(Style::Regular, SMALL, LEFT + CELL_PADDING, WIDTH, "None.");
        }
        self.y -= 12.0;
    }

    fn trend(&mut self, chart: &TrendChart) {
        const PLOT: f32 = 150.0;
        const AXIS: f32 = 34.0;
        self.room(BODY * 1.35 * 2.0 + PLOT + 40.0);
        self.lines(Style::Bold, BODY, LEFT, WIDTH, &chart.title);
        self.y -= 8.0;
        let (bottom, left, width) = (self.y - PLOT, LEFT + AXIS, WIDTH - AXIS);
        for quarter in 0..=4 {
            let y = bottom + PLOT * quarter as f32 / 4.0;
            self.stroke(&[(left, y), (left + width, y)], GREY, 0.5, &[]);
            let label = format!("{}%", quarter * 25);
            let w = self.faces.regular.width(&label, 8.0);
            self.text(Style::Regular, 8.0, left - 4.0 - w, y - 3.0, &label);
        }
        let n = chart.points.len().max(1);
        let step = width / n as f32;
        let x_of = |i: usize| left + step * (i as f32 + 0.5);
        let y_of = |rate: f64| bottom + PLOT * rate.clamp(0.0, 1.0) as f32;
        // Lines break where a month has nothing measured (or no target).
        let runs = |value: &dyn Fn(&TrendPoint) -> Option<f64>| -> Vec<Vec<(f32, f32)>> {
            let mut runs = Vec::new();
            let mut run = Vec::new();
            for (i, point) in chart.points.iter().enumerate() {
                match value(point) {
                    Some(v) => run.push((x_of(i), y_of(v))),
                    None => runs.push(std::mem::take(&mut run)),
                }
            }
            runs.push(run);
            runs
        };
        for run in runs(&|p| p.target) {
            self.stroke(&run, TEXT, 1.0, &[4.0, 3.0]);
        }
        for run in runs(&|p| p.rate) {
            self.stroke(&run, BLUE, 1.75, &[]);
            for (x, y) in run {
                self.rectangle(x - 2.0, y - 2.0, 4.0, 4.0, BLUE);
            }
        }
        let every = n.div_ceil(8);
        for (i, point) in chart.points.iter().enumerate() {
            if (n - 1 - i).is_multiple_of(every) {
                let w = self.faces.regular.width(&printable(&point.label), 8.0);
                let x = (x_of(i) - w / 2.0).clamp(left, left + width - w);
                self.text(Style::Regular, 8.0, x, bottom - 12.0, &point.label);
            }
        }
        // The key: line styles differ as well as colours.
        let key = bottom - 28.0;
        self.stroke(
            &[(left, key + 3.0), (left + 24.0, key + 3.0)],
            BLUE,
            1.75,
            &[],
        );
        self.text(Style::Regular, 8.0, left + 28.0, key, "Rate achieved");
        self.stroke(
            &[(left + 110.0, key + 3.0), (left + 134.0, key + 3.0)],
            TEXT,
            1.0,
            &[4.0, 3.0],
        );
        self.text(Style::Regular, 8.0, left + 138.0, key, "Target in force");
        self.y = key - 16.0;
    }

    fn bars(&mut self, chart: &BarChart) {
        const LABELS: f32 = 170.0;
        const VALUES: f32 = 110.0;
        let leading = SMALL * 1.3;
        self.room(BODY * 1.35 * 2.0 + 3.0 * (leading + 6.0));
        self.lines(Style::Bold, BODY, LEFT, WIDTH, &chart.title);
        self.y -= 4.0;
        let longest = chart.bars.iter().map(|b| b.value).fold(0.0, f64::max);
        let span = WIDTH - LABELS - VALUES;
        for bar in &chart.bars {
            let label = if bar.flagged {
                format!("{} *", bar.label)
            } else {
                bar.label.clone()
            };
            let lines = self
                .faces
                .regular
                .wrap(&printable(&label), SMALL, LABELS - 8.0);
            let height = (lines.len() as f32 * leading).max(14.0) + 6.0;
            self.room(height);
            let top = self.y;
            for (n, line) in lines.iter().enumerate() {
                let baseline = top - 3.0 - (n as f32 + 1.0) * leading + SMALL * 0.3;
                self.text(Style::Regular, SMALL, LEFT, baseline, line);
            }
            let length = if longest > 0.0 {
                (bar.value / longest) as f32 * span
            } else {
                0.0
            };
            let fill = if bar.flagged { DARK_BLUE } else { BLUE };
            let bar_top = top - 3.0;
            self.rectangle(LEFT + LABELS, bar_top - 12.0, length.max(0.5), 12.0, fill);
            self.text(
                Style::Regular,
                SMALL,
                LEFT + LABELS + length + 4.0,
                bar_top - 9.5,
                &bar.display,
            );
            self.y -= height;
        }
        if let Some(means) = &chart.flagged_means {
            self.y -= 2.0;
            self.lines(
                Style::Regular,
                8.0,
                LEFT,
                WIDTH,
                &format!("* {means} (darker bars)."),
            );
        }
        self.y -= 12.0;
    }

    /// The pages, each with the report's title and "Page n of m" at its foot.
    fn finish(mut self, title: &str) -> Vec<Vec<Op>> {
        if !self.ops.is_empty() || self.done.is_empty() {
            self.done.push(std::mem::take(&mut self.ops));
        }
        let count = self.done.len();
        let mut pages = std::mem::take(&mut self.done);
        for (n, page) in pages.iter_mut().enumerate() {
            self.ops = std::mem::take(page);
            let number = format!("Page {} of {count}", n + 1);
            let width = self.faces.regular.width(&number, 8.0);
            self.text(Style::Regular, 8.0, LEFT, FOOTER, title);
            self.text(Style::Regular, 8.0, LEFT + WIDTH - width, FOOTER, &number);
            *page = std::mem::take(&mut self.ops);
        }
        pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(blocks: Vec<Block>) -> Document {
        Document {
            title: "Board report: March 2026".into(),
            author: "Tandem".into(),
            created: std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_774_915_200),
            blocks,
        }
    }

    /// The text shown on the pages of an uncompressed PDF, in order: each `Tj` operand, a
    /// literal `(...)` string or a hex `<...>` one (Latin-1 is enough for these tests).
    fn shown(bytes: &[u8]) -> Vec<String> {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter_map(|line| line.strip_suffix(" Tj"))
            .map(|operand| {
                if let Some(hex) = operand.strip_prefix('<').and_then(|h| h.strip_suffix('>')) {
                    (0..hex.len())
                        .step_by(2)
                        .map(|i| char::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()))
                        .collect()
                } else {
                    operand
                        .trim_start_matches('(')
                        .trim_end_matches(')')
                        .replace("\\(", "(")
                        .replace("\\)", ")")
                }
            })
            .collect()
    }

    fn table(rows: usize) -> Table {
        Table {
            caption: "Headline measures".into(),
            columns: vec![
                Column {
                    heading: "Measure".into(),
                    numeric: false,
                },
                Column {
                    heading: "Figure".into(),
                    numeric: true,
                },
            ],
            rows: (0..rows)
                .map(|i| vec![format!("Measure number {i}"), format!("{i}.0%")])
                .collect(),
        }
    }

    #[test]
    fn a_document_is_a_pdf_with_its_title_text_and_numbered_pages() {
        let bytes = save(
            &document(vec![
                Block::Title("Board report".into()),
                Block::Paragraph("Performance for March 2026 – as at 31 March.".into()),
                Block::Table(table(3)),
            ]),
            false,
        );
        assert!(bytes.starts_with(b"%PDF-"));
        let text = shown(&bytes);
        assert!(text.contains(&"Board report".to_owned()), "{text:?}");
        assert!(text.contains(&"Measure number 2".to_owned()), "{text:?}");
        assert!(text.contains(&"Page 1 of 1".to_owned()), "{text:?}");
        // Made on 31 March 2026, not on the first day of 1970.
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.contains("/CreationDate(D:20260331"), "{raw}");
        assert!(render(&document(vec![])).starts_with(b"%PDF-"));
    }

    #[test]
    fn a_long_table_runs_onto_more_pages_repeating_its_header() {
        let bytes = save(&document(vec![Block::Table(table(120))]), false);
        let text = shown(&bytes);
        let pages = text.iter().filter(|t| t.starts_with("Page ")).count();
        assert!(pages >= 3, "{pages} pages");
        assert!(text.contains(&format!("Page {pages} of {pages}")));
        // The header row once per page, the caption once.
        assert_eq!(text.iter().filter(|t| *t == "Figure").count(), pages);
        assert_eq!(text.iter().filter(|t| *t == "Headline measures").count(), 1);
        assert!(text.contains(&"Measure number 119".to_owned()));
    }

    #[test]
    fn charts_label_their_axes_points_and_keys() {
        let points = (1..=24)
            .map(|m| TrendPoint {
                label: format!("M{m}"),
                rate: (m != 5).then_some(m as f64 / 30.0),
                target: (m > 12).then_some(0.7),
            })
            .collect();
        let bytes = save(
            &document(vec![
                Block::Trend(TrendChart {
                    title: "Final plans within 20 weeks".into(),
                    points,
                }),
                Block::Bars(BarChart {
                    title: "Open assessments".into(),
                    bars: vec![
                        Bar {
                            label: "0 to 3 weeks".into(),
                            value: 12.0,
                            display: "12".into(),
                            flagged: false,
                        },
                        Bar {
                            label: "20 to 23 weeks".into(),
                            value: 3.0,
                            display: "3".into(),
                            flagged: true,
                        },
                    ],
                    flagged_means: Some("at or past the 20-week limit".into()),
                }),
            ]),
            false,
        );
        let text = shown(&bytes);
        assert!(!text.contains(&"M23".to_owned()), "{text:?}");
        for wanted in [
            "0%",
            "100%",
            // Every third month, counted back from the last.
            "M3",
            "M21",
            "M24",
            "Rate achieved",
            "Target in force",
            "20 to 23 weeks *",
            "* at or past the 20-week limit (darker bars).",
        ] {
            assert!(text.contains(&wanted.to_owned()), "{wanted}: {text:?}");
        }
    }
}
