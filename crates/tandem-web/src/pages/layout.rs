//! The page frame every page shares: header, service navigation, the signed-in user with a
//! sign-out button, and footer.

use tandem_core::signposts::Signpost;
use tandem_core::{Action, Role};

use crate::assets::{GOVUK_FRONTEND_CSS, TANDEM_CSS, TANDEM_JS};
use crate::components::{GenericHeader, SkipLink};
use crate::session::CurrentUser;
use crate::{Html, WebConfig};

const SERVICE_NAME: &str = "Tandem";

/// The area's signposts, for a family's pages only (professionals and staff know the local offer).
pub(crate) fn family_signposts(user: &CurrentUser, config: &WebConfig) -> Vec<Signpost> {
    if user.user.role == Role::Parent {
        config.signposts.0.clone()
    } else {
        Vec::new()
    }
}

pub(crate) struct NavItem {
    pub(crate) href: &'static str,
    pub(crate) text: &'static str,
    pub(crate) current: bool,
}

/// Who is signed in, as the header shows them.
pub(crate) struct Account {
    pub(crate) name: String,
    pub(crate) role: &'static str,
    pub(crate) csrf_token: String,
}

pub(crate) struct Layout {
    /// The page's own title; the browser tab shows it with the service name.
    pub(crate) title: String,
    /// Prefix the tab title with "Error: " (a form shown again with errors).
    pub(crate) has_errors: bool,
    pub(crate) account: Option<Account>,
    pub(crate) nav: Vec<NavItem>,
    pub(crate) stylesheets: [&'static str; 2],
    pub(crate) script: &'static str,
}

impl Layout {
    /// The navigation section the page belongs to, for the browser tab's title ("Thing –
    /// Section – Tandem", as on GOV.UK), unless the page's own title already names it.
    pub(crate) fn section_title(&self) -> Option<&'static str> {
        let title = self.title.to_lowercase();
        self.nav
            .iter()
            .find(|item| item.current)
            .map(|item| item.text)
            .filter(|section| !title.contains(&section.to_lowercase()))
    }

    /// The frame without a signed-in user (sign-in page, error pages).
    pub(crate) fn bare(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            has_errors: false,
            account: None,
            nav: Vec::new(),
            stylesheets: [GOVUK_FRONTEND_CSS, TANDEM_CSS],
            script: TANDEM_JS,
        }
    }

    /// The frame for a signed-in user, with the navigation their role can use; `section` is the
    /// address of the navigation item the page belongs to.
    pub(crate) fn signed_in(user: &CurrentUser, title: impl Into<String>, section: &str) -> Self {
        // Case lists are for roles that list cases and for the people linked to cases
        // (professionals, settings, parents); analysts and administrators see none.
        let sees_cases = user.can(Action::ListCases) || user.can(Action::ListLinkedCases);
        let nav = [
            ("/advice", "Advice requests", user.user.role.gives_advice()),
            ("/cases", "Cases", sees_cases),
            ("/team", "Team", user.can(Action::ViewTeamCaseloads)),
            ("/backlog", "Backlog", user.can(Action::ListCases)),
            ("/duty", "Messages", user.can(Action::ViewTeamCaseloads)),
            ("/dashboard", "Dashboard", user.can(Action::ViewAggregates)),
            (
                "/data-quality",
                "Data quality",
                user.can(Action::ViewAggregates),
            ),
            (
                "/plan",
                "Improvement plan",
                user.can(Action::ViewAggregates),
            ),
            ("/surveys", "Surveys", user.can(Action::ViewAggregates)),
            (
                "/audits",
                "Audits",
                user.can(Action::ManageAudits) || user.can(Action::AuditPlans),
            ),
            (
                "/panels",
                "Panels",
                user.can(Action::ManagePanels)
                    || user.can(Action::SitOnPanel)
                    || user.can(Action::ViewAggregates),
            ),
            ("/admin/users", "Accounts", user.can(Action::ManageAccounts)),
            // Every member of staff has their own workforce records; people outside the
            // council have none.
            ("/workforce", "Workforce", !user.user.role.is_external()),
        ]
        .into_iter()
        .filter(|(_, _, shown)| *shown)
        .map(|(href, text, _)| NavItem {
            href,
            text,
            current: href == section,
        })
        .collect();
        Self {
            account: Some(Account {
                name: user.user.name.clone(),
                role: user.user.role.label(),
                csrf_token: user.csrf_token(),
            }),
            nav,
            ..Self::bare(title)
        }
    }

    pub(crate) fn with_errors(mut self, has_errors: bool) -> Self {
        self.has_errors = has_errors;
        self
    }

    pub(crate) fn skip_link(&self) -> askama::Result<Html> {
        Html::render(&SkipLink {
            text: Some("Skip to main content".into()),
            href: Some("#main-content".into()),
            ..SkipLink::default()
        })
    }

    pub(crate) fn header(&self) -> askama::Result<Html> {
        Html::render(&GenericHeader {
            logo_text: Some(SERVICE_NAME.into()),
            ..GenericHeader::default()
        })
    }
}
