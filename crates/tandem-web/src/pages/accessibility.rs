//! The accessibility statement (`/accessibility`), in the format of GOV.UK's sample statement
//! for public-sector websites, linked from every page's footer. Anyone may read it, signed in
//! or not: the law asks for it to be public.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::error::{WebError, html};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;

#[derive(Template)]
#[template(path = "pages/accessibility.html")]
struct AccessibilityPage {
    layout: Layout,
}

/// `GET /accessibility`.
pub(crate) async fn show(user: Option<CurrentUser>) -> Result<Response, WebError> {
    const TITLE: &str = "Accessibility statement";
    let layout = match &user {
        // No navigation item is current: the statement belongs to no section.
        Some(user) => Layout::signed_in(user, TITLE, ""),
        None => Layout::bare(TITLE),
    };
    Ok(html(StatusCode::OK, AccessibilityPage { layout }.render()?))
}
