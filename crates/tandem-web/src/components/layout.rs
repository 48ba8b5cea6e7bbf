//! The page frame: the generic (non-crown) service header and the footer without the crown.

use askama::Template;
use serde::Deserialize;

use crate::html::{Attributes, Html, double_option, impl_content};

/// `govukGenericHeader`: the header for services not on GOV.UK (no crown, no GOV.UK logo).
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/generic-header.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct GenericHeader {
    pub(crate) logo_text: Option<String>,
    pub(crate) logo_html: Option<Html>,
    /// The homepage link; defaults to `/`.
    pub(crate) url: Option<String>,
    pub(crate) container_classes: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

impl GenericHeader {
    fn logo(&self) -> crate::Content<'_> {
        crate::Content::new(self.logo_html.as_ref(), self.logo_text.as_deref())
    }
}

/// A link in the footer's navigation or meta lists.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FooterLink {
    pub href: String,
    pub text: String,
    pub attributes: Attributes,
}

/// A titled group of links in the footer.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FooterNavigation {
    pub title: String,
    pub items: Vec<FooterLink>,
    pub columns: Option<u8>,
    /// Grid width such as `one-half`; defaults to `full`.
    pub width: Option<String>,
}

/// The footer's support links and custom text.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FooterMeta {
    pub visually_hidden_title: Option<String>,
    pub items: Vec<FooterLink>,
    pub text: Option<String>,
    pub html: Option<Html>,
}

/// Text or HTML, as for `contentLicence` and `copyright`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FooterText {
    pub text: Option<String>,
    pub html: Option<Html>,
}

/// `govukFooter`, rendered without the crown logo (Tandem is not a GOV.UK service).
#[derive(Clone, Debug, Default, Deserialize, Template)]
#[template(path = "components/footer.html")]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Footer {
    pub(crate) navigation: Vec<FooterNavigation>,
    pub(crate) meta: Option<FooterMeta>,
    /// Absent: the Open Government Licence statement; `Some(None)` (`null`): no licence at all.
    #[serde(deserialize_with = "double_option")]
    pub(crate) content_licence: Option<Option<FooterText>>,
    /// Absent or empty: "© Crown copyright". Councils should set their own.
    pub(crate) copyright: Option<FooterText>,
    pub(crate) container_classes: Option<String>,
    pub(crate) classes: Option<String>,
    pub(crate) attributes: Attributes,
}

impl Footer {
    /// The custom licence text; `None` also when showing the default statement.
    fn licence(&self) -> Option<crate::Content<'_>> {
        self.content_licence
            .as_ref()
            .and_then(Option::as_ref)
            .map(FooterText::content)
            .filter(|c| c.is_some())
    }

    fn shows_licence(&self) -> bool {
        !matches!(self.content_licence, Some(None))
    }

    fn copyright(&self) -> Option<crate::Content<'_>> {
        self.copyright
            .as_ref()
            .map(FooterText::content)
            .filter(|c| c.is_some())
    }
}

impl_content!(FooterMeta, FooterText);
