//! Documents on a case: the "Documents" section of the case pages, the upload form
//! (`/cases/{reference}/documents/new`, a multipart form), downloads
//! (`/cases/{reference}/documents/{id}`, always as an attachment, never shown inline) and
//! withdrawal (`/cases/{reference}/documents/{id}/withdraw`). The services decide who may do
//! what and audit it.

use askama::Template;
use axum::Form;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tandem_app::services::{DocumentList, DocumentRecord, ServiceError, Source, Upload};
use tandem_core::{Reference, Role, dates};

use crate::Html;
use crate::error::{WebError, html};
use crate::pages::case_fields::{self, Control, Field, Problems, Required, Values};
use crate::pages::forms::{self, FormPage, back_link, button};
use crate::pages::layout::Layout;
use crate::session::CurrentUser;
use crate::state::AppState;

const SECTION: &str = "/cases";

/// The kinds offered, as `DocumentKind` names and labels them (a test checks they agree).
const KINDS: &[(&str, &str)] = &[
    ("advice_report", "Advice or report"),
    ("letter", "Letter"),
    ("draft_plan", "Draft plan"),
    ("final_plan", "Final plan"),
    ("minutes", "Minutes"),
    ("other", "Other"),
];

const KIND: Field = Field {
    name: "kind",
    label: "What is the document?",
    hint: None,
    control: Control::Radios(KINDS),
    required: Required::Yes("Select what kind of document it is"),
};

const TITLE: Field = Field {
    name: "title",
    label: "Title",
    hint: Some("For example, Paediatric report, March 2026"),
    control: Control::Text,
    required: Required::Yes("Enter a title for the document"),
};

/// The file input, drawn by the page itself; named here so that its problems are placed on it.
const FILE: Field = Field {
    name: "file",
    label: "Upload a file",
    hint: None,
    control: Control::Text,
    required: Required::Yes("Select a file"),
};

const WITHDRAW_REASON: Field = Field {
    name: "reason",
    label: "Why is the document being withdrawn?",
    hint: Some("It stays listed on the case with your name and reason"),
    control: Control::Textarea,
    required: Required::Yes("Enter why the document is being withdrawn"),
};

/// The upload form's "Share with the family" checkbox.
const SHARE: &str = "shared_with_family";

/// One document as the case pages list it.
struct DocumentRow {
    id: i64,
    title: String,
    kind: &'static str,
    added_by: String,
    added: String,
    format: &'static str,
    size: String,
    /// The download address, when the reader may download it.
    href: Option<String>,
    /// "on 3 March 2026: reason", when withdrawn.
    withdrawn: Option<String>,
    /// Shown to the family (marked for staff, who see every document).
    shared: bool,
}

/// The "Documents" section of a case page.
#[derive(Template)]
#[template(path = "pages/_documents.html")]
struct DocumentsSection {
    reference: String,
    rows: Vec<DocumentRow>,
    empty: &'static str,
    may_add: bool,
    may_withdraw: bool,
}

/// The "Documents" section of the case `reference` as `user` may see it (`list` read through
/// `services.case_page`, which audits it).
pub(crate) fn section(
    user: &CurrentUser,
    reference: &Reference,
    list: DocumentList,
) -> Result<Html, WebError> {
    let DocumentList {
        documents,
        may_add,
        may_withdraw,
    } = list;
    let rows = documents
        .into_iter()
        .map(|listed| {
            let d = listed.document;
            DocumentRow {
                href: listed
                    .downloadable
                    .then(|| format!("/cases/{reference}/documents/{}", d.id)),
                withdrawn: d.withdrawn.as_ref().map(|w| {
                    format!(
                        "on {}: {}",
                        dates::long(dates::england_date(w.at)),
                        w.reason
                    )
                }),
                id: d.id,
                shared: d.shared_with_family && user.user.role != Role::Parent,
                kind: d.kind.label(),
                added_by: d.added_by_name,
                added: dates::long(dates::england_date(d.added_at)),
                format: d.media_type.label(),
                size: readable_size(d.size),
                title: d.title,
            }
        })
        .collect();
    let empty = if user.user.role.gives_advice() {
        "Your service has not added any documents to this case."
    } else if user.user.role == Role::Parent {
        "The council has not shared any documents with you yet. Letters and plans it sends you will be here."
    } else {
        "No documents have been added to this case."
    };
    Ok(Html::render(&DocumentsSection {
        reference: reference.to_string(),
        rows,
        empty,
        may_add,
        may_withdraw,
    })?)
}

/// "820 KB", "1.4 MB".
fn readable_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    if bytes < KB * KB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        format!("{:.1} MB", bytes as f64 / (KB * KB) as f64)
    }
}

/// `?advice=health:2`: the upload is a report beside the advice form of that request, which the
/// form leads back to.
#[derive(Deserialize)]
pub(crate) struct NewParams {
    advice: Option<String>,
}

/// The advice form a report upload came from, when its part of the address is one a request
/// can have (`health`, `health:2`): anything else is ignored rather than redirected to.
fn advice_form(reference: &Reference, part: Option<&str>) -> Option<String> {
    let part = part?;
    let plausible = !part.is_empty()
        && part.len() <= 64
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'));
    plausible.then(|| format!("/advice/{reference}/{part}"))
}

/// The upload form.
#[derive(Template)]
#[template(path = "pages/document-new.html")]
struct UploadPage {
    layout: Layout,
    back_link: Html,
    reference: String,
    error_summary: Option<Html>,
    action: String,
    csrf_token: String,
    fields: Vec<Html>,
    file_error: Option<String>,
    max_mb: usize,
    button: Html,
    /// Whether to offer "Share with the family" (council staff only), and whether it is ticked.
    share: Option<bool>,
    /// The advice form the upload came from (its `?advice=` part), which it goes back to.
    advice: Option<String>,
    cancel: String,
}

fn upload_page(
    state: &AppState,
    user: &CurrentUser,
    reference: &Reference,
    values: &Values,
    problems: &Problems,
    advice: Option<&str>,
) -> Result<UploadPage, WebError> {
    let csrf_token = user.csrf_token();
    let form = advice_form(reference, advice);
    let (cancel, back_text) = match &form {
        Some(form) => (form.clone(), "Back to your advice"),
        None => (format!("/cases/{reference}"), "Back to the case"),
    };
    Ok(UploadPage {
        layout: Layout::signed_in(user, format!("Add a document – {reference}"), SECTION)
            .with_errors(!problems.is_empty()),
        back_link: back_link(&cancel, back_text)?,
        reference: reference.to_string(),
        error_summary: problems.errors.summary()?,
        action: format!("/cases/{reference}/documents/new?csrf_token={csrf_token}"),
        csrf_token,
        fields: case_fields::render(&[KIND, TITLE], values, problems)?,
        file_error: problems.errors.message(FILE.name).and_then(|m| m.text),
        max_mb: state.config().document_max_bytes / (1024 * 1024),
        button: button("Add document", None, None)?,
        share: (!user.user.role.gives_advice()).then(|| values.contains_key(SHARE)),
        advice: form.and(advice.map(str::to_owned)),
        cancel,
    })
}

/// `GET /cases/{reference}/documents/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Query(params): Query<NewParams>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    state
        .services()
        .document_form(&user.caller(Source::Form), &reference)
        .await?;
    // A report beside the advice form is an advice report unless the person says otherwise.
    let values: Values = params
        .advice
        .iter()
        .map(|_| ("kind".to_owned(), "advice_report".to_owned()))
        .collect();
    let page = upload_page(
        &state,
        &user,
        &reference,
        &values,
        &Problems::default(),
        params.advice.as_deref(),
    )?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /cases/{reference}/documents/new` (`multipart/form-data`): adds the document and goes
/// back to the case, or shows the form again with what was chosen and typed (a browser cannot
/// be given the file back) and what to put right.
pub(crate) async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let mut upload = Upload::default();
    let mut advice = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Ok(e.into_response()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == FILE.name {
            upload.file_name = field.file_name().unwrap_or_default().to_owned();
        }
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => return Ok(e.into_response()),
        };
        match name.as_str() {
            "kind" => upload.kind = String::from_utf8_lossy(&bytes).into_owned(),
            "title" => upload.title = String::from_utf8_lossy(&bytes).into_owned(),
            SHARE => upload.shared_with_family = bytes.as_ref() == b"yes",
            "file" => upload.content = bytes.to_vec(),
            "advice" => advice = Some(String::from_utf8_lossy(&bytes).into_owned()),
            _ => {}
        }
    }
    let mut values: Values = [
        ("kind".to_owned(), upload.kind.clone()),
        ("title".to_owned(), upload.title.clone()),
    ]
    .into_iter()
    .collect();
    if upload.shared_with_family {
        values.insert(SHARE.to_owned(), "yes".to_owned());
    }
    match state
        .services()
        .add_document(&user.caller(Source::Form), &reference, upload)
        .await
    {
        Ok(_) => {
            let next = advice_form(&reference, advice.as_deref()).map_or_else(
                || format!("/cases/{reference}?done=document"),
                |form| format!("{form}?done=report"),
            );
            Ok(Redirect::to(&next).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let problems = Problems::from_service(&[KIND, TITLE, FILE], errors);
            let page = upload_page(
                &state,
                &user,
                &reference,
                &values,
                &problems,
                advice.as_deref(),
            )?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /cases/{reference}/documents/{id}`: the file, as an attachment of its recognised type,
/// never to be shown in the browser.
pub(crate) async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let (document, content) = state
        .services()
        .document_content(&user.caller(Source::Form), &reference, id)
        .await?;
    Ok(download_response(&document, content))
}

/// A document's content as a download of its own type, never shown in the browser (pages and
/// API alike).
pub(crate) fn download_response(document: &DocumentRecord, content: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&attachment(&document.file_name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"document\""));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(document.media_type.as_str()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Body::from(content),
    )
        .into_response()
}

/// `Content-Disposition` for a download of `file_name` (already tidied: no quotes, slashes or
/// control characters): an ASCII name for every browser, and the name itself in UTF-8 (RFC 6266)
/// when it has other letters.
fn attachment(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    if ascii == file_name {
        return format!("attachment; filename=\"{file_name}\"");
    }
    let encoded: String = file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn withdraw_page(
    user: &CurrentUser,
    reference: &Reference,
    document: &DocumentRecord,
    values: &Values,
    problems: &Problems,
) -> Result<FormPage, WebError> {
    let case = format!("/cases/{reference}");
    let heading = format!("Withdraw: {}", document.title);
    Ok(FormPage {
        layout: Layout::signed_in(user, format!("{heading} – {reference}"), SECTION)
            .with_errors(!problems.is_empty()),
        back_link: back_link(&case, "Back to the case")?,
        caption: reference.to_string(),
        heading,
        error_summary: problems.errors.summary()?,
        notices: Vec::new(),
        intro: vec![Html::render(&crate::components::WarningText {
            text: Some(
                "The document stays listed on the case as withdrawn. Only the council’s staff \
                 can still download it."
                    .into(),
            ),
            ..Default::default()
        })?],
        action: format!("{case}/documents/{}/withdraw", document.id),
        csrf_token: user.csrf_token(),
        hidden: Vec::new(),
        fields: case_fields::render(&[WITHDRAW_REASON], values, problems)?,
        buttons: vec![button(
            "Withdraw document",
            None,
            Some("govuk-button--warning"),
        )?],
        cancel: case,
    })
}

/// `GET /cases/{reference}/documents/{id}/withdraw`.
pub(crate) async fn withdraw_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let document = state
        .services()
        .document_for_withdrawal(&user.caller(Source::Form), &reference, id)
        .await?;
    let page = withdraw_page(
        &user,
        &reference,
        &document,
        &Values::new(),
        &Problems::default(),
    )?;
    Ok(html(StatusCode::OK, page.render()?))
}

/// `POST /cases/{reference}/documents/{id}/withdraw`.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, i64)>,
    Form(values): Form<Values>,
) -> Result<Response, WebError> {
    let reference = forms::reference(&reference)?;
    let caller = user.caller(Source::Form);
    let services = state.services();
    let reason = values.get(WITHDRAW_REASON.name).map_or("", String::as_str);
    match services
        .withdraw_document(&caller, &reference, id, reason)
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/cases/{reference}?done=document_withdrawn")).into_response(),
        ),
        Err(ServiceError::Invalid(errors)) => {
            let document = services
                .document_for_withdrawal(&caller, &reference, id)
                .await?;
            let problems = Problems::from_service(&[WITHDRAW_REASON], errors);
            let page = withdraw_page(&user, &reference, &document, &values, &problems)?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?))
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use tandem_core::documents::DocumentKind;

    use super::*;

    #[test]
    fn the_kinds_offered_are_the_kinds_there_are() {
        let offered: Vec<(&str, &str)> = DocumentKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect();
        assert_eq!(offered, KINDS);
    }

    #[test]
    fn attachments_name_the_file_for_every_browser() {
        assert_eq!(attachment("a b.pdf"), "attachment; filename=\"a b.pdf\"");
        assert_eq!(
            attachment("Zoë.pdf"),
            "attachment; filename=\"Zo_.pdf\"; filename*=UTF-8''Zo%C3%AB.pdf"
        );
    }

    #[test]
    fn sizes_read_easily() {
        assert_eq!(readable_size(1), "1 KB");
        assert_eq!(readable_size(1536 * 1024), "1.5 MB");
    }
}
