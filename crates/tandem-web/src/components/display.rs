//! Components that present information: error summary, summary list, table, notification
//! banner and pagination.

use askama::Template;
use serde::Deserialize;

use crate::html::{Attributes, Content, Html, impl_content, lenient};

/// An entry of the error summary's `errorList`, linking to the field when `href` is set.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ErrorLink {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub href: Option<String>,
    pub attributes: Attributes,
}

/// `govukErrorSummary`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/error-summary.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorSummary {
    pub(crate) title_text: Option<String>,
    pub(crate) title_html: Option<Html>,
    pub(crate) description_text: Option<String>,
    pub(crate) description_html: Option<Html>,
    pub(crate) error_list: Vec<ErrorLink>,
    pub(crate) disable_auto_focus: Option<bool>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

impl ErrorSummary {
    fn title(&self) -> Content<'_> {
        Content::new(self.title_html.as_ref(), self.title_text.as_deref())
    }

    fn description(&self) -> Content<'_> {
        Content::new(
            self.description_html.as_ref(),
            self.description_text.as_deref(),
        )
    }
}

/// The key or value cell of a summary list row.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SummaryCell {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub classes: Option<String>,
}

/// A link in a summary list row or card.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SummaryAction {
    pub href: String,
    pub text: Option<String>,
    pub html: Option<Html>,
    pub visually_hidden_text: Option<String>,
    pub classes: Option<String>,
    pub attributes: Attributes,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SummaryActions {
    pub items: Vec<SummaryAction>,
    pub classes: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SummaryRow {
    pub key: SummaryCell,
    pub value: SummaryCell,
    pub actions: Option<SummaryActions>,
    pub classes: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CardTitle {
    pub text: Option<String>,
    pub html: Option<Html>,
    pub heading_level: Option<u8>,
    pub classes: Option<String>,
}

/// The `card` option: wraps the list in a summary card.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SummaryCard {
    pub title: Option<CardTitle>,
    pub actions: Option<SummaryActions>,
    pub classes: Option<String>,
    pub attributes: Attributes,
}

/// `govukSummaryList`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/summary-list.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SummaryList {
    /// `None` rows are skipped.
    pub(crate) rows: Vec<Option<SummaryRow>>,
    pub(crate) card: Option<SummaryCard>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

impl SummaryList {
    fn any_row_has_actions(&self) -> bool {
        self.rows.iter().flatten().any(|r| r.has_actions())
    }

    fn card_title(&self) -> Option<&CardTitle> {
        self.card.as_ref()?.title.as_ref()
    }
}

impl SummaryRow {
    fn has_actions(&self) -> bool {
        self.actions.as_ref().is_some_and(|a| !a.items.is_empty())
    }
}

impl SummaryAction {
    fn hidden_text(&self) -> Option<&str> {
        self.visually_hidden_text
            .as_deref()
            .filter(|t| !t.is_empty())
    }
}

impl SummaryActions {
    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// A header or body cell of `govukTable`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct TableCell {
    #[serde(deserialize_with = "lenient")]
    pub text: Option<String>,
    pub html: Option<Html>,
    /// `"numeric"` right-aligns the cell.
    pub format: Option<String>,
    pub classes: Option<String>,
    pub colspan: Option<u32>,
    pub rowspan: Option<u32>,
    pub attributes: Attributes,
}

/// `govukTable`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/table.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Table {
    pub(crate) caption: Option<String>,
    pub(crate) caption_classes: Option<String>,
    pub(crate) first_cell_is_header: bool,
    pub(crate) head: Option<Vec<TableCell>>,
    /// `None` rows are skipped.
    pub(crate) rows: Vec<Option<Vec<TableCell>>>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

/// `govukNotificationBanner`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/notification-banner.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationBanner {
    pub(crate) text: Option<String>,
    pub(crate) html: Option<Html>,
    pub(crate) title_text: Option<String>,
    pub(crate) title_html: Option<Html>,
    pub(crate) title_heading_level: Option<u8>,
    /// `"success"` for the green banner.
    #[serde(rename = "type")]
    pub(crate) banner_type: Option<String>,
    pub(crate) role: Option<String>,
    pub(crate) title_id: Option<String>,
    pub(crate) disable_auto_focus: Option<bool>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

impl NotificationBanner {
    fn is_success(&self) -> bool {
        self.banner_type.as_deref() == Some("success")
    }

    fn role(&self) -> &str {
        let default = if self.is_success() { "alert" } else { "region" };
        crate::html::or(&self.role, default)
    }

    fn title_id(&self) -> &str {
        crate::html::or(&self.title_id, "govuk-notification-banner-title")
    }

    fn heading_level(&self) -> u8 {
        self.title_heading_level.filter(|l| *l != 0).unwrap_or(2)
    }

    fn title(&self) -> Content<'_> {
        Content::new(self.title_html.as_ref(), self.title_text.as_deref())
    }

    fn default_title(&self) -> &'static str {
        if self.is_success() {
            "Success"
        } else {
            "Important"
        }
    }
}

/// The `previous` and `next` links of `govukPagination`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PaginationLink {
    pub href: String,
    pub text: Option<String>,
    pub html: Option<Html>,
    pub label_text: Option<String>,
    pub attributes: Attributes,
}

/// A numbered page (or an ellipsis) of `govukPagination`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PaginationItem {
    #[serde(deserialize_with = "lenient")]
    pub number: Option<String>,
    pub href: Option<String>,
    pub visually_hidden_text: Option<String>,
    pub current: bool,
    pub ellipsis: bool,
    pub attributes: Attributes,
}

/// `govukPagination`.
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/pagination.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Pagination {
    /// `None` (and empty) items are skipped.
    pub(crate) items: Vec<Option<PaginationItem>>,
    pub(crate) previous: Option<PaginationLink>,
    pub(crate) next: Option<PaginationLink>,
    pub(crate) landmark_label: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

impl Pagination {
    /// Only previous/next links: the stacked "block" layout.
    fn block_level(&self) -> bool {
        self.items.is_empty() && (self.previous.is_some() || self.next.is_some())
    }
}

impl PaginationItem {
    fn is_empty(&self) -> bool {
        self.number.is_none() && !self.ellipsis
    }

    fn aria_label(&self) -> String {
        match &self.visually_hidden_text {
            Some(text) => text.clone(),
            None => format!("Page {}", self.number.as_deref().unwrap_or_default()),
        }
    }
}

impl_content!(
    ErrorLink,
    SummaryCell,
    SummaryAction,
    CardTitle,
    TableCell,
    NotificationBanner,
    PaginationLink
);
