//! Documents on a case: uploaded through the multipart form, listed, downloaded as an
//! attachment, withdrawn; bad files refused with nothing saved; and nobody reaching a document
//! they may not see, even by guessing its id.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::json;
use support::{Session, TestApp, TestResponse};
use tandem_core::Role;
use tandem_web::WebConfig;

/// A small but real PDF.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
/// The start of a Linux executable.
const ELF: &[u8] = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0";

/// A case asking Community Paediatrics (the health professional's service) for advice.
async fn asking_paediatrics(app: &TestApp, reference: &str) {
    let asked = (app.today() - Duration::days(10)).to_string();
    let decided = (app.today() - Duration::days(11)).to_string();
    app.add_case(
        json!({
            "reference": reference,
            "child": { "given_name": "Robin", "family_name": "Testcase", "date_of_birth": "2016-04-09" },
            "events": [
                { "type": "request_received", "date": "2026-01-05" },
                { "type": "decision_to_assess", "date": decided, "outcome": "assess" },
                { "type": "advice_requested", "date": asked, "advice": "health", "provider": "Community Paediatrics" },
            ],
        }),
        Some(Role::CaseManager),
    )
    .await;
}

async fn upload(
    app: &TestApp,
    session: &Session,
    reference: &str,
    kind: &str,
    title: &str,
    file: Option<(&str, &[u8])>,
) -> TestResponse {
    app.post_multipart(
        &format!("/cases/{reference}/documents/new"),
        Some(session),
        &[("kind", kind), ("title", title)],
        file,
    )
    .await
}

/// The download links on a case page, by the title they show.
fn links(page: &TestResponse) -> Vec<(String, String)> {
    let html = scraper::Html::parse_document(&page.body);
    let selector = scraper::Selector::parse("#documents + table a[download]").expect("selector");
    html.select(&selector)
        .map(|a| {
            (
                a.text().next().unwrap_or_default().trim().to_owned(),
                a.value().attr("href").unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The case manager adds to EHC-1 a letter shared with the family ("Decision to assess") and
/// minutes that are not ("Panel minutes").
async fn add_a_shared_letter_and_internal_minutes(app: &TestApp, manager: &Session) {
    let shared = app
        .post_multipart(
            "/cases/EHC-1/documents/new",
            Some(manager),
            &[
                ("kind", "letter"),
                ("title", "Decision to assess"),
                ("shared_with_family", "yes"),
            ],
            Some(("decision.pdf", PDF)),
        )
        .await;
    assert_eq!(shared.status, StatusCode::SEE_OTHER, "{}", shared.body);
    let internal = upload(
        app,
        manager,
        "EHC-1",
        "minutes",
        "Panel minutes",
        Some(("minutes.pdf", PDF)),
    )
    .await;
    assert_eq!(internal.status, StatusCode::SEE_OTHER, "{}", internal.body);
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
    sqlx::query_scalar(sql)
        .fetch_one(app.store().sqlite_pool().expect("SQLite"))
        .await
        .expect("count")
}

#[tokio::test]
async fn a_case_manager_uploads_a_report_and_downloads_the_same_bytes_as_an_attachment() {
    let app = TestApp::new().await;
    asking_paediatrics(&app, "EHC-1").await;
    let manager = app.sign_in(Role::CaseManager).await;

    let form = app.get("/cases/EHC-1/documents/new", Some(&manager)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.attr("form[enctype]", "enctype").as_deref(),
        Some("multipart/form-data")
    );
    let action = form.attr("form[enctype]", "action").expect("action");
    assert_eq!(
        action,
        format!("/cases/EHC-1/documents/new?csrf_token={}", manager.csrf)
    );

    let saved = upload(
        &app,
        &manager,
        "EHC-1",
        "advice_report",
        "Paediatric report",
        Some(("C:\\scans\\report <final>.pdf", PDF)),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), Some("/cases/EHC-1?done=document"));

    let page = app.get("/cases/EHC-1?done=document", Some(&manager)).await;
    assert!(page.body.contains("Document added"));
    let rows = page.texts("#documents + table tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("Advice or report"), "{}", rows[0]);
    assert!(rows[0].contains("Demo Case manager"), "{}", rows[0]);
    assert!(rows[0].contains("PDF, 1 KB"), "{}", rows[0]);
    let links = links(&page);
    assert_eq!(links[0].0, "Paediatric report");

    let download = app.get(&links[0].1, Some(&manager)).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, PDF);
    assert_eq!(download.header("content-type"), Some("application/pdf"));
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename=\"report final .pdf\"")
    );
    assert_eq!(download.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(download.header("cache-control"), Some("no-store"));

    // One audit entry for each, holding ids and never the title or file name.
    let added = app.audit("document.add").await;
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].detail["kind"], "advice_report");
    assert!(!added[0].detail.to_string().contains("Paediatric"));
    assert_eq!(app.audit("document.download").await.len(), 1);
    app.remove().await;
}

#[tokio::test]
async fn bad_uploads_are_refused_with_a_clear_message_and_nothing_saved() {
    let app = TestApp::with_config(WebConfig {
        document_max_bytes: 1024 * 1024,
        ..support::config()
    })
    .await;
    asking_paediatrics(&app, "EHC-1").await;
    let manager = app.sign_in(Role::CaseManager).await;
    let message = |page: &TestResponse| page.texts(".govuk-error-summary__list a");

    // An executable renamed to look like a PDF.
    let elf = upload(
        &app,
        &manager,
        "EHC-1",
        "letter",
        "Letter",
        Some(("x.pdf", ELF)),
    )
    .await;
    assert_eq!(elf.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        message(&elf),
        ["The selected file must be a PDF, Word document or image"]
    );
    assert!(elf.body.contains("govuk-file-upload--error"));
    // What was chosen and typed is kept.
    assert_eq!(
        elf.attr("input[name=title]", "value").as_deref(),
        Some("Letter")
    );
    assert_eq!(
        elf.attr("input[name=kind][checked]", "value").as_deref(),
        Some("letter")
    );

    // A PDF over the limit.
    let mut large = PDF.to_vec();
    large.resize(1024 * 1024 + 1, b' ');
    let too_large = upload(
        &app,
        &manager,
        "EHC-1",
        "letter",
        "Letter",
        Some(("big.pdf", &large)),
    )
    .await;
    assert_eq!(too_large.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        message(&too_large),
        ["The selected file must be smaller than 1 MB"]
    );

    // Far over it: the body itself is refused before it is read whole.
    large.resize(3 * 1024 * 1024, b' ');
    let far_too_large = upload(
        &app,
        &manager,
        "EHC-1",
        "letter",
        "Letter",
        Some(("big.pdf", &large)),
    )
    .await;
    assert_eq!(far_too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        far_too_large.texts("h1"),
        ["The file you chose is too large"]
    );

    // Nothing chosen at all.
    let empty = upload(&app, &manager, "EHC-1", "", "", None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        message(&empty),
        [
            "Select what kind of document it is",
            "Enter a title for the document",
            "Select a file"
        ]
    );

    // Without the CSRF token in the address, refused before anything is read.
    let forged = app
        .post_multipart(
            "/cases/EHC-1/documents/new",
            None,
            &[],
            Some(("x.pdf", PDF)),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    assert_eq!(count(&app, "documents").await, 0);
    assert_eq!(count(&app, "document_blobs").await, 0);
    assert!(app.audit("document.add").await.is_empty());
    app.remove().await;
}

#[tokio::test]
async fn only_those_allowed_reach_a_document_even_by_guessing_its_id() {
    let app = TestApp::new().await;
    asking_paediatrics(&app, "EHC-1").await;
    asking_paediatrics(&app, "EHC-2").await;
    let manager = app.sign_in(Role::TeamManager).await;
    let health = app.sign_in(Role::HealthProfessional).await;

    // The service asked adds its report; the council adds a letter.
    let report = upload(
        &app,
        &health,
        "EHC-1",
        "advice_report",
        "Paediatric report",
        Some(("report.pdf", PDF)),
    )
    .await;
    assert_eq!(report.status, StatusCode::SEE_OTHER, "{}", report.body);
    let letter = upload(
        &app,
        &manager,
        "EHC-1",
        "letter",
        "Letter to parents",
        Some(("letter.pdf", PDF)),
    )
    .await;
    assert_eq!(letter.status, StatusCode::SEE_OTHER, "{}", letter.body);

    let staff_links = links(&app.get("/cases/EHC-1", Some(&manager)).await);
    let titles: Vec<&str> = staff_links.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, ["Paediatric report", "Letter to parents"]);
    let (report_href, letter_href) = (&staff_links[0].1, &staff_links[1].1);

    // The professional sees their own service's report only, not the council's letter.
    let own = app.get("/cases/EHC-1", Some(&health)).await;
    let own_links = links(&own);
    assert_eq!(own_links.len(), 1);
    assert_eq!(&own_links[0].1, report_href);
    assert_eq!(
        app.get(report_href, Some(&health)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(letter_href, Some(&health)).await.status,
        StatusCode::NOT_FOUND
    );

    // An id of EHC-1 asked for through EHC-2, which the same people may see, is not there.
    let guessed = report_href.replace("EHC-1", "EHC-2");
    for session in [&manager, &health] {
        assert_eq!(
            app.get(&guessed, Some(session)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // Those who may not see the documents are told neither the case nor the document exists.
    for role in [
        Role::Parent,
        Role::Analyst,
        Role::Admin,
        Role::SocialCareProfessional,
        Role::EducationSetting,
    ] {
        let session = app.session(role).await;
        for path in [
            report_href.as_str(),
            letter_href.as_str(),
            "/cases/EHC-1/documents/999999",
        ] {
            assert_eq!(
                app.get(path, Some(&session)).await.status,
                StatusCode::NOT_FOUND,
                "{path} as {role}"
            );
        }
    }
    // Each attempt left a trace.
    assert!(app.audit("denied").await.len() >= 10);
    app.remove().await;
}

#[tokio::test]
async fn a_withdrawn_document_stays_listed_but_only_staff_may_download_it() {
    let app = TestApp::new().await;
    asking_paediatrics(&app, "EHC-1").await;
    let manager = app.sign_in(Role::TeamManager).await;
    let health = app.sign_in(Role::HealthProfessional).await;
    upload(
        &app,
        &health,
        "EHC-1",
        "advice_report",
        "Paediatric report",
        Some(("report.pdf", PDF)),
    )
    .await;
    let href = links(&app.get("/cases/EHC-1", Some(&manager)).await)[0]
        .1
        .clone();
    let withdraw = format!("{href}/withdraw");

    // The professional may not withdraw it.
    assert_eq!(
        app.get(&withdraw, Some(&health)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&withdraw, Some(&manager)).await.status,
        StatusCode::OK
    );
    let no_reason = app
        .post_form(&withdraw, Some(&manager), &[("reason", " ")])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        no_reason.texts(".govuk-error-summary__list a"),
        ["Enter why the document is being withdrawn"]
    );
    let done = app
        .post_form(
            &withdraw,
            Some(&manager),
            &[("reason", "Sent for the wrong child")],
        )
        .await;
    assert_eq!(
        done.location(),
        Some("/cases/EHC-1?done=document_withdrawn")
    );

    // Still listed, marked withdrawn with the reason; staff may still download it.
    let page = app.get("/cases/EHC-1", Some(&manager)).await;
    let rows = page.texts("#documents + table tbody tr");
    assert!(rows[0].contains("Withdrawn"), "{}", rows[0]);
    assert!(rows[0].contains("Sent for the wrong child"), "{}", rows[0]);
    assert_eq!(app.get(&href, Some(&manager)).await.status, StatusCode::OK);
    // The professional sees it listed as withdrawn, without a link, and cannot download it.
    let own = app.get("/cases/EHC-1", Some(&health)).await;
    assert!(links(&own).is_empty());
    assert!(own.texts("#documents + table tbody tr")[0].contains("Withdrawn"));
    assert_eq!(
        app.get(&href, Some(&health)).await.status,
        StatusCode::NOT_FOUND
    );
    // Withdrawing it again is refused with a message.
    let again = app
        .post_form(&withdraw, Some(&manager), &[("reason", "Again")])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.audit("document.withdraw").await.len(), 1);
    app.remove().await;
}

#[tokio::test]
async fn the_family_reads_and_downloads_only_what_the_council_shared_with_them() {
    let app = TestApp::new().await;
    asking_paediatrics(&app, "EHC-1").await;
    asking_paediatrics(&app, "EHC-2").await;
    for reference in ["EHC-1", "EHC-2"] {
        let case = app.stored_case(reference).await;
        let mut tx = app.store().begin_at(app.now()).await.unwrap();
        let parent = if reference == "EHC-1" {
            app.users[&Role::Parent]
        } else {
            app.target
        };
        tx.link_person(
            case.record.id,
            parent,
            tandem_test_support::tandem_store::CaseRelation::Family,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let manager = app.sign_in(Role::CaseManager).await;
    let health = app.sign_in(Role::HealthProfessional).await;
    let parent = app.sign_in(Role::Parent).await;

    let before = app.get("/cases/EHC-1", Some(&parent)).await;
    assert!(
        before
            .body
            .contains("The council has not shared any documents with you yet"),
        "{}",
        before.body
    );
    let form = app.get("/cases/EHC-1/documents/new", Some(&manager)).await;
    assert!(form.body.contains("Share with the family"));
    add_a_shared_letter_and_internal_minutes(&app, &manager).await;
    // A service cannot share with the family, not even by adding the field to the form.
    let by_health = app
        .post_multipart(
            "/cases/EHC-1/documents/new",
            Some(&health),
            &[
                ("kind", "advice_report"),
                ("title", "Report"),
                ("shared_with_family", "yes"),
            ],
            Some(("report.pdf", PDF)),
        )
        .await;
    assert_eq!(by_health.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !app.get("/cases/EHC-1/documents/new", Some(&health))
            .await
            .body
            .contains("Share with the family")
    );

    let staff_page = app.get("/cases/EHC-1", Some(&manager)).await;
    let staff_links = links(&staff_page);
    assert_eq!(staff_links.len(), 2);
    assert_eq!(
        staff_page.texts(".govuk-tag--blue"),
        ["Shared with the family"]
    );
    let family_page = app.get("/cases/EHC-1", Some(&parent)).await;
    let family_links = links(&family_page);
    assert_eq!(
        family_links,
        [("Decision to assess".to_owned(), staff_links[0].1.clone())]
    );
    let download = app.get(&family_links[0].1, Some(&parent)).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, PDF);
    // The council's own minutes, and the same letter through another family's case, are not
    // there for them.
    assert_eq!(
        app.get(&staff_links[1].1, Some(&parent)).await.status,
        StatusCode::NOT_FOUND
    );
    let guessed = family_links[0].1.replace("EHC-1", "EHC-2");
    assert_eq!(
        app.get(&guessed, Some(&parent)).await.status,
        StatusCode::NOT_FOUND
    );
    // Withdrawn, it is no longer theirs to read.
    let withdrawn = app
        .post_form(
            &format!("{}/withdraw", family_links[0].1),
            Some(&manager),
            &[("reason", "Sent to the wrong family")],
        )
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.body
    );
    assert!(links(&app.get("/cases/EHC-1", Some(&parent)).await).is_empty());
    assert_eq!(
        app.get(&family_links[0].1, Some(&parent)).await.status,
        StatusCode::NOT_FOUND
    );
    app.remove().await;
}

#[tokio::test]
async fn the_api_lists_and_downloads_exactly_the_documents_the_caller_may_see() {
    let app = TestApp::new().await;
    asking_paediatrics(&app, "EHC-1").await;
    let case = app.stored_case("EHC-1").await;
    let mut tx = app.store().begin_at(app.now()).await.unwrap();
    tx.link_person(
        case.record.id,
        app.users[&Role::Parent],
        tandem_test_support::tandem_store::CaseRelation::Family,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let manager = app.sign_in(Role::CaseManager).await;
    add_a_shared_letter_and_internal_minutes(&app, &manager).await;

    let get = |session, path: String| {
        let app = &app;
        async move {
            app.api(axum::http::Method::GET, &path, Some(session), None, None)
                .await
        }
    };
    let listed = |response: &TestResponse| -> Vec<(String, Option<String>)> {
        response.json()["documents"]
            .as_array()
            .expect("documents")
            .iter()
            .map(|d| {
                (
                    d["title"].as_str().expect("a title").to_owned(),
                    d["href"].as_str().map(str::to_owned),
                )
            })
            .collect()
    };
    let staff = get(&manager, "/api/v1/cases/EHC-1/documents".into()).await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    let staff = listed(&staff);
    assert_eq!(
        staff.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        ["Decision to assess", "Panel minutes"]
    );
    let minutes = staff[1].1.clone().expect("staff download the minutes");
    let download = get(&manager, minutes.clone()).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, PDF);
    assert_eq!(download.header("content-type"), Some("application/pdf"));
    assert!(
        download
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment"))
    );

    // The family sees only the letter shared with them; the minutes are "not found".
    let parent = app.sign_in(Role::Parent).await;
    let theirs = get(&parent, "/api/v1/cases/EHC-1/documents".into()).await;
    let theirs = listed(&theirs);
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].0, "Decision to assess");
    let letter = theirs[0]
        .1
        .clone()
        .expect("the family downloads the letter");
    assert_eq!(get(&parent, letter).await.bytes, PDF);
    assert_eq!(
        get(&parent, minutes.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    // Someone outside the case: not found, for the list and for each id.
    let outsider = app.sign_in(Role::SocialCareProfessional).await;
    assert_eq!(
        get(&outsider, "/api/v1/cases/EHC-1/documents".into())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&outsider, minutes).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.audit("document.download").await.len(), 2);
}

#[tokio::test]
async fn a_professional_attaches_a_report_from_the_advice_form_and_comes_back_to_it() {
    let app = TestApp::new().await;
    asking_paediatrics(&app, "EHC-1").await;
    let health = app.sign_in(Role::HealthProfessional).await;
    let tray = app.get("/advice", Some(&health)).await;
    let form = tray
        .attr("a[href^='/advice/EHC-1/']", "href")
        .expect("the request in the tray");
    let part = form.rsplit('/').next().expect("a part").to_owned();
    let page = app.get(&form, Some(&health)).await;
    let attach = format!("/cases/EHC-1/documents/new?advice={part}");
    assert!(page.body.contains(&attach), "{}", page.body);

    let upload_form = app.get(&attach, Some(&health)).await;
    assert_eq!(upload_form.status, StatusCode::OK);
    assert_eq!(
        upload_form
            .attr("input[name=kind][checked]", "value")
            .as_deref(),
        Some("advice_report"),
        "an advice report unless they say otherwise"
    );
    assert_eq!(
        upload_form.attr(".govuk-back-link", "href").as_deref(),
        Some(form.as_str())
    );
    // A mistake keeps them on the way back to the form.
    let refused = app
        .post_multipart(
            "/cases/EHC-1/documents/new",
            Some(&health),
            &[("kind", "advice_report"), ("title", ""), ("advice", &part)],
            Some(("report.pdf", PDF)),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.attr("input[name=advice]", "value").as_deref(),
        Some(part.as_str())
    );
    let added = app
        .post_multipart(
            "/cases/EHC-1/documents/new",
            Some(&health),
            &[
                ("kind", "advice_report"),
                ("title", "Paediatric report"),
                ("advice", &part),
            ],
            Some(("report.pdf", PDF)),
        )
        .await;
    assert_eq!(
        added.location(),
        Some(format!("{form}?done=report").as_str())
    );
    let back = app.get(&format!("{form}?done=report"), Some(&health)).await;
    assert!(back.body.contains("Report attached to the case."));
    // Only an advice form's address is gone back to; anything else goes to the case.
    let elsewhere = app
        .post_multipart(
            "/cases/EHC-1/documents/new",
            Some(&health),
            &[
                ("kind", "advice_report"),
                ("title", "Second report"),
                ("advice", "../../sign-out"),
            ],
            Some(("report.pdf", PDF)),
        )
        .await;
    assert_eq!(elsewhere.location(), Some("/cases/EHC-1?done=document"));
    assert_eq!(count(&app, "documents").await, 2);
}
