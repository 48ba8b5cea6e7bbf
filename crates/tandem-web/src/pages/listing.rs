//! What the list pages share: GOV.UK pagination, links that keep the list's query, and the
//! red/amber/green tag.

use askama::Template;
use tandem_core::RagStatus;

use crate::Html;
use crate::components::{Pagination, PaginationItem, PaginationLink, Tag};

/// Rows per page of a list.
pub(crate) const PAGE_SIZE: i64 = 50;

/// A list's query string: `(name, value)` pairs with empty values left out.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query(Vec<(&'static str, String)>);

impl Query {
    pub(crate) fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        let value = value.into();
        self.0.retain(|(n, _)| *n != name);
        if !value.is_empty() {
            self.0.push((name, value));
        }
        self
    }

    /// `path?query`, or `path` alone when nothing is set.
    #[expect(clippy::expect_used, reason = "string pairs encode")]
    pub(crate) fn href(&self, path: &str) -> String {
        if self.0.is_empty() {
            return path.to_owned();
        }
        let query = serde_urlencoded::to_string(&self.0).expect("string pairs encode");
        format!("{path}?{query}")
    }
}

/// How many pages `total` rows fill (at least one).
pub(crate) fn page_count(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

/// GOV.UK pagination for page `current` of a list of `total` rows at `path` with `query`.
/// `None` when everything fits on one page.
pub(crate) fn pagination(
    path: &str,
    query: &Query,
    current: i64,
    total: i64,
) -> askama::Result<Option<Html>> {
    let href = |n: i64| query.clone().with("page", n.to_string()).href(path);
    page_links(current, page_count(total), href, None)
}

/// GOV.UK pagination for page `current` of `pages`, each page's address from `href`: the first
/// and last pages, the current one and its neighbours, with ellipses between; `label` names the
/// navigation landmark when a page has more than one. `None` for a single page.
pub(crate) fn page_links(
    current: i64,
    pages: i64,
    href: impl Fn(i64) -> String,
    label: Option<&str>,
) -> askama::Result<Option<Html>> {
    if pages <= 1 {
        return Ok(None);
    }
    let mut items = Vec::new();
    let mut last_shown = 0;
    for n in 1..=pages {
        if n == 1 || n == pages || (n - current).abs() <= 1 {
            if n > last_shown + 1 {
                items.push(Some(PaginationItem {
                    ellipsis: true,
                    ..PaginationItem::default()
                }));
            }
            items.push(Some(PaginationItem {
                number: Some(n.to_string()),
                href: Some(href(n)),
                current: n == current,
                ..PaginationItem::default()
            }));
            last_shown = n;
        }
    }
    let link = |n: i64| PaginationLink {
        href: href(n),
        ..PaginationLink::default()
    };
    Html::render(&Pagination {
        items,
        previous: (current > 1).then(|| link(current - 1)),
        next: (current < pages).then(|| link(current + 1)),
        landmark_label: label.map(str::to_owned),
        ..Pagination::default()
    })
    .map(Some)
}

/// The status tag: its words always shown with its colour.
pub(crate) fn rag_tag(status: Option<RagStatus>) -> askama::Result<Html> {
    let (text, colour) = match status {
        Some(RagStatus::Overdue) => (RagStatus::Overdue.label(), "govuk-tag--red"),
        Some(RagStatus::DueSoon) => (RagStatus::DueSoon.label(), "govuk-tag--yellow"),
        Some(RagStatus::OnTrack) => (RagStatus::OnTrack.label(), "govuk-tag--green"),
        None => ("Nothing due", "govuk-tag--grey"),
    };
    Html::render(&Tag {
        text: Some(text.into()),
        classes: Some(colour.into()),
        ..Tag::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_drop_empty_values_and_replace_repeated_names() {
        let query = Query::default()
            .with("status", "overdue")
            .with("stage", "")
            .with("status", "on_track");
        assert_eq!(query.href("/cases"), "/cases?status=on_track");
        assert_eq!(Query::default().href("/cases"), "/cases");
    }

    #[test]
    fn pages_are_counted_up() {
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(50), 1);
        assert_eq!(page_count(51), 2);
    }

    #[test]
    fn long_lists_show_ends_neighbours_and_ellipses() {
        let html = pagination("/cases", &Query::default(), 5, 500)
            .expect("render")
            .expect("several pages");
        let text = html.as_str();
        for n in [1, 4, 5, 6, 10] {
            assert!(text.contains(&format!("/cases?page={n}\"")), "page {n}");
        }
        assert!(!text.contains("/cases?page=3\""));
        assert_eq!(text.matches("govuk-pagination__item--ellipsis").count(), 2);
        assert!(text.contains("aria-current=\"page\""));
        assert!(
            pagination("/cases", &Query::default(), 1, 50)
                .expect("render")
                .is_none()
        );
    }
}

/// A table of cases, as the caseload and the backlog show them: the reference (a link to the
/// case) first, then the page's own columns.
#[derive(Template)]
#[template(path = "pages/_case-table.html")]
pub(crate) struct CaseTable {
    pub(crate) caption: String,
    /// Every column's heading, the reference's included.
    pub(crate) columns: Vec<Column>,
    pub(crate) rows: Vec<CaseTableRow>,
    /// Each row starts with a checkbox (`case=REFERENCE`), for a form around the table.
    pub(crate) selectable: bool,
    /// The references whose checkboxes are ticked.
    pub(crate) selected: Vec<String>,
}

impl CaseTable {
    fn is_selected(&self, reference: &str) -> bool {
        self.selected.iter().any(|s| s == reference)
    }
}

/// A column heading; one with `href` sorts the list by that column.
#[derive(Default)]
pub(crate) struct Column {
    pub(crate) text: &'static str,
    pub(crate) href: Option<String>,
    /// The list is sorted by this column (`aria-sort`).
    pub(crate) current: bool,
    pub(crate) numeric: bool,
}

impl Column {
    pub(crate) fn plain(text: &'static str) -> Self {
        Self {
            text,
            ..Self::default()
        }
    }
}

/// One case's row: its reference, then a cell for each further column.
pub(crate) struct CaseTableRow {
    pub(crate) reference: String,
    pub(crate) cells: Vec<Cell>,
}

/// A cell: text, a number (right-aligned), or markup such as a status tag.
#[derive(Default)]
pub(crate) struct Cell {
    text: String,
    markup: Option<Html>,
    numeric: bool,
}

impl Cell {
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    pub(crate) fn number(value: i64) -> Self {
        Self {
            text: value.to_string(),
            numeric: true,
            ..Self::default()
        }
    }

    pub(crate) fn markup(markup: Html) -> Self {
        Self {
            markup: Some(markup),
            ..Self::default()
        }
    }
}
