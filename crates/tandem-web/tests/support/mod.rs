//! The web test harness: the application over a fresh SQLite store in a temporary folder, with
//! one account per role (`<role>@demo.test`, password [`PASSWORD`]) and a clock tests can move
//! on, driven in-process with `tower::ServiceExt::oneshot`.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, Duration, Utc};
use http_body_util::BodyExt;
use tandem_app::accounts::{self, ExternalTwoFactor, SessionToken};
use tandem_app::services::{Caller, NewRequest};
use tandem_core::{Child, Reference, Role, UserId};
use tandem_test_support::TempDatabase;
use tandem_test_support::tandem_store::{self, AuditFilter, AuditRecord, NewUser, Store};
use tandem_web::{AppState, WebConfig};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";
pub const SESSION_COOKIE: &str = "__Host-tandem_session";
pub const SIGN_IN_COOKIE: &str = "__Host-tandem_sign_in";

/// One argon2id hash of [`PASSWORD`] for every account: hashing is slow, verifying once per
/// sign-in is enough.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| accounts::hash_password(PASSWORD).expect("hash"))
}

pub fn email(role: Role) -> String {
    format!("{}@demo.test", role.as_str())
}

pub struct TestApp {
    pub state: AppState,
    router: Router,
    offset_seconds: Arc<AtomicI64>,
    pub users: HashMap<Role, UserId>,
    /// An account no test signs in as, for administrators to act on.
    pub target: UserId,
    database: TempDatabase,
}

/// A signed-in browser: its session cookie and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent, for downloads that are not text.
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// The value of a cookie this response sets (`Some("")` when it deletes it).
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next()?.split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.to_owned())
    }

    pub fn set_cookie_line(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// The value of the first hidden `csrf_token` field on the page.
    pub fn csrf_field(&self) -> Option<String> {
        let doc = scraper::Html::parse_document(&self.body);
        let selector = scraper::Selector::parse(r#"input[name="csrf_token"]"#).expect("selector");
        doc.select(&selector)
            .next()
            .and_then(|e| e.value().attr("value"))
            .map(str::to_owned)
    }

    /// Text of the elements matching a CSS selector.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let doc = scraper::Html::parse_document(&self.body);
        let selector = scraper::Selector::parse(css).expect("selector");
        doc.select(&selector)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// An attribute of the first element matching a CSS selector.
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        let doc = scraper::Html::parse_document(&self.body);
        let selector = scraper::Selector::parse(css).expect("selector");
        doc.select(&selector)
            .next()
            .and_then(|e| e.value().attr(name))
            .map(str::to_owned)
    }
}

/// The service each test professional belongs to; a case asking it for advice is theirs to see.
pub fn service(role: Role) -> Option<&'static str> {
    match role {
        Role::HealthProfessional => Some("Community paediatrics"),
        Role::SocialCareProfessional => Some("Children's social care"),
        Role::EducationSetting => Some("Hillside Primary School"),
        _ => None,
    }
}

/// The settings tests run with: production's, except that external accounts sign in with a
/// password alone. Two-factor sign-in has its own tests (`two_factor.rs`), with it required.
pub fn config() -> WebConfig {
    WebConfig {
        external_two_factor: ExternalTwoFactor::Optional,
        ..WebConfig::default()
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(config()).await
    }

    pub async fn with_config(config: WebConfig) -> Self {
        Self::over(TempDatabase::sqlite(), config).await
    }

    /// The application over `database` (SQLite or PostgreSQL); call [`TestApp::remove`] at the
    /// end so that a PostgreSQL database is dropped.
    pub async fn over(database: TempDatabase, config: WebConfig) -> Self {
        let store = database.open().await;
        let offset_seconds = Arc::new(AtomicI64::new(0));
        let start = Utc::now();
        let offset = offset_seconds.clone();
        let clock = Arc::new(move || start + Duration::seconds(offset.load(Ordering::SeqCst)));
        let state = AppState::with_clock(store.clone(), config, clock);
        let now = state.now();
        let mut tx = store.begin_at(now).await.expect("begin");
        let mut users = HashMap::new();
        for &role in Role::ALL {
            let id = tx
                .create_user(&NewUser {
                    email: email(role),
                    name: format!("Demo {}", role.label()),
                    password_hash: password_hash().to_owned(),
                    role,
                    team: (role == Role::CaseManager).then(|| "north".to_owned()),
                    provider: service(role).map(tandem_core::access::provider_key),
                })
                .await
                .expect("create user");
            users.insert(role, id);
            // The test services are on the list of advice providers, as an account's service is.
            if let Some(name) = service(role) {
                tx.ensure_advice_provider(name)
                    .await
                    .expect("list the service");
            }
        }
        // The teams the tests name, on the managed list as an administrator would keep it.
        for team in ["north", "south"] {
            tx.add_team(team).await.expect("list the team");
        }
        let target = tx
            .create_user(&NewUser {
                email: "target@demo.test".into(),
                name: "Target Account".into(),
                password_hash: password_hash().to_owned(),
                role: Role::Parent,
                team: None,
                provider: None,
            })
            .await
            .expect("create target");
        tx.commit().await.expect("commit");
        Self {
            router: tandem_web::router(state.clone()),
            state,
            offset_seconds,
            users,
            target,
            database,
        }
    }

    /// Closes the store and drops the test database.
    pub async fn remove(self) {
        self.state.store().close().await;
        self.database.remove().await;
    }

    pub fn store(&self) -> &Store {
        self.state.store()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.state.now()
    }

    /// Moves the application's clock on.
    pub fn advance(&self, by: Duration) {
        self.offset_seconds
            .fetch_add(by.num_seconds(), Ordering::SeqCst);
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, path: &str, session: Option<&Session>) -> TestResponse {
        let mut request = Request::builder().method(Method::GET).uri(path);
        if let Some(session) = session {
            request = request.header(header::COOKIE, &session.cookie);
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    /// Posts a URL-encoded form as a browser would: with the session's cookie and CSRF token.
    pub async fn post_form(
        &self,
        path: &str,
        session: Option<&Session>,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(session) = session {
            all.push(("csrf_token", &session.csrf));
            request = request.header(header::COOKIE, &session.cookie);
        }
        let body = serde_urlencoded::to_string(&all).expect("encode form");
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Posts a `multipart/form-data` form as the document upload form does: the session's CSRF
    /// token in the address (`?csrf_token=`), text `fields`, and `file` as `(name, content)`.
    pub async fn post_multipart(
        &self,
        path: &str,
        session: Option<&Session>,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> TestResponse {
        const BOUNDARY: &str = "tandem-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((file_name, content)) = file {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
                     filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let uri = match session {
            Some(session) => format!("{path}?csrf_token={}", session.csrf),
            None => path.to_owned(),
        };
        let mut request = Request::builder().method(Method::POST).uri(uri).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
        if let Some(session) = session {
            request = request.header(header::COOKIE, &session.cookie);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Signs in through the sign-in form, as a browser does.
    pub async fn sign_in_with(
        &self,
        email: &str,
        password: &str,
    ) -> (TestResponse, Option<Session>) {
        self.sign_in_posting(&[("email", email), ("password", password)])
            .await
    }

    /// Signs in with the sign-in form's hidden `next` address set to `next`.
    pub async fn sign_in_with_next(
        &self,
        email: &str,
        password: &str,
        next: &str,
    ) -> (TestResponse, Option<Session>) {
        self.sign_in_posting(&[("email", email), ("password", password), ("next", next)])
            .await
    }

    async fn sign_in_posting(&self, fields: &[(&str, &str)]) -> (TestResponse, Option<Session>) {
        let page = self.get("/sign-in", None).await;
        assert_eq!(page.status, StatusCode::OK);
        let pre = page.set_cookie(SIGN_IN_COOKIE).expect("sign-in cookie");
        let pre_session = Session {
            cookie: format!("{SIGN_IN_COOKIE}={pre}"),
            csrf: page.csrf_field().expect("csrf field"),
        };
        let response = self.post_form("/sign-in", Some(&pre_session), fields).await;
        let session = response
            .set_cookie(SESSION_COOKIE)
            .filter(|v| !v.is_empty())
            .map(|token| Session {
                csrf: session_csrf(&token),
                cookie: format!("{SESSION_COOKIE}={token}"),
            });
        (response, session)
    }

    pub async fn sign_in(&self, role: Role) -> Session {
        let (response, session) = self.sign_in_with(&email(role), PASSWORD).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        session.expect("session cookie")
    }

    /// A session for `role` made directly in the store, skipping the password check: for tests
    /// that need many sessions quickly (the role × route matrix).
    pub async fn session(&self, role: Role) -> Session {
        let token = SessionToken::generate().expect("token");
        let mut tx = self.store().begin_at(self.now()).await.expect("begin");
        tx.create_session(
            &token.hash(),
            self.users[&role],
            self.now() + self.state.config().sessions.absolute,
        )
        .await
        .expect("session");
        tx.commit().await.expect("commit");
        Session {
            cookie: format!("{SESSION_COOKIE}={}", token.as_str()),
            csrf: session_csrf(token.as_str()),
        }
    }

    pub async fn audit(&self, action: &str) -> Vec<AuditRecord> {
        self.store()
            .audit_log(&AuditFilter {
                action: Some(action.into()),
                ..AuditFilter::default()
            })
            .await
            .expect("audit log")
    }

    /// The path of the link in the next email to send whose text holds `marker` (such as
    /// `/invitations/`), read from the outbox as the mailer would and marked sent, so that the
    /// next call reads the next email.
    pub async fn emailed_link(&self, marker: &str) -> String {
        let mut tx = self.store().begin_at(self.now()).await.expect("begin");
        let email = tx
            .claim_email(self.now() + Duration::minutes(10))
            .await
            .expect("claim")
            .expect("an email queued");
        assert!(tx.email_sent(&email).await.expect("sent"));
        tx.commit().await.expect("commit");
        let line = email
            .body
            .lines()
            .find(|line| line.contains(marker))
            .expect("a link");
        line[line.find(marker).expect("a link")..].to_owned()
    }

    /// Today's date in England by the application's clock.
    pub fn today(&self) -> tandem_core::Date {
        self.state.today()
    }

    /// Opens a case through the services (as the team manager) with a known reference, the
    /// child's given and family names, the date the request was received and, optionally, the
    /// account of `case_manager` holding it. Returns the case's version.
    pub async fn open_case(
        &self,
        reference: &str,
        names: (&str, &str),
        received: tandem_core::Date,
        case_manager: Option<Role>,
    ) -> i64 {
        let born = received - chrono::Days::new(3000);
        let request = new_request(reference, names, born, received);
        let request = NewRequest {
            case_manager: case_manager.map(|role| self.users[&role]),
            ..request
        };
        self.open_as(Role::TeamManager, &request).await.version
    }

    /// Opens a case with `reference` through the services, as the case manager (so it is theirs
    /// and their team's): a request received 14 days ago for Robin Seed, born 1 June 2015.
    pub async fn seed_case(&self, reference: &str) -> Reference {
        let born = "2015-06-01".parse().expect("date");
        let received = tandem_core::dates::england_date(self.now()) - chrono::Days::new(14);
        let request = new_request(reference, ("Robin", "Seed"), born, received);
        self.open_as(Role::CaseManager, &request).await.reference
    }

    async fn open_as(&self, role: Role, request: &NewRequest) -> tandem_app::services::OpenedCase {
        self.state
            .services()
            .open_case(&self.caller(role), request)
            .await
            .expect("open case")
    }

    /// Records an event (given as case-file fields) on a case through the services, as the
    /// team manager. Returns the case's new version.
    pub async fn record(&self, reference: &str, fields: &[(&str, &str)]) -> i64 {
        let reference = tandem_core::Reference::parse(reference).expect("reference");
        let version = self.version(&reference).await;
        let event = tandem_core::Event::from_fields(fields).expect("event");
        self.state
            .services()
            .record_event(&self.caller(Role::TeamManager), &reference, version, &event)
            .await
            .expect("record event")
            .version
    }

    /// The case's current version.
    pub async fn version(&self, reference: &tandem_core::Reference) -> i64 {
        self.store()
            .case(reference)
            .await
            .expect("read case")
            .expect("case exists")
            .record
            .version
    }

    /// How the services see the account of `role`.
    pub fn caller(&self, role: Role) -> Caller {
        Caller::new(
            tandem_core::Actor {
                id: self.users[&role],
                role,
                team: (role == Role::CaseManager).then(|| "north".to_owned()),
                provider: None,
            },
            tandem_store::Source::Form,
        )
    }

    /// The URLs of the page's stylesheets and script, as the sign-in page links them.
    pub async fn asset_urls(&self) -> Vec<String> {
        let page = self.get("/sign-in", None).await;
        let doc = scraper::Html::parse_document(&page.body);
        let selector =
            scraper::Selector::parse(r#"link[rel="stylesheet"], script[src]"#).expect("selector");
        doc.select(&selector)
            .filter_map(|e| e.value().attr("href").or(e.value().attr("src")))
            .map(str::to_owned)
            .collect()
    }
}

/// The CSRF token of a session, derived as the application does; `csrf_token_matches_the_page`
/// checks it against the token the pages carry.
pub fn session_csrf(token: &str) -> String {
    accounts::digest("tandem csrf", token)
}

/// A request for a new child named `given family`, not yet assigned to anyone.
fn new_request(
    reference: &str,
    (given, family): (&str, &str),
    born: tandem_core::Date,
    received: tandem_core::Date,
) -> NewRequest {
    let mut child = Child {
        date_of_birth: Some(born),
        ..Child::default()
    };
    child.other.insert("given_name".into(), given.into());
    child.other.insert("family_name".into(), family.into());
    NewRequest {
        reference: Some(Reference::parse(reference).expect("reference")),
        requested_by: None,
        child,
        received,
        case_manager: None,
        same_child_as: None,
        different_child: true,
    }
}

impl TestResponse {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// The JSON API: requests with a JSON body, the session's cookie, its CSRF token as
/// `X-CSRF-Token` on changes, and optionally `If-Match`; and cases put straight into the store.
impl TestApp {
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        session: Option<&Session>,
        body: Option<&serde_json::Value>,
        if_match: Option<&str>,
    ) -> TestResponse {
        let changes = !matches!(method, Method::GET | Method::HEAD);
        let mut request = Request::builder().method(method).uri(path);
        if let Some(session) = session {
            request = request.header(header::COOKIE, &session.cookie);
            if changes {
                request = request.header("x-csrf-token", &session.csrf);
            }
        }
        if let Some(tag) = if_match {
            request = request.header(header::IF_MATCH, tag);
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("request")).await
    }

    /// Stores a case file as a case (version 1), managed by the account of `case_manager`
    /// (and so in their team), without going through the services or the audit log.
    pub async fn add_case(
        &self,
        case_file: serde_json::Value,
        case_manager: Option<Role>,
    ) -> tandem_store::CaseRecord {
        let case = tandem_core::CaseFile::from_value(case_file).expect("a case file");
        let (case_manager, team) = match case_manager {
            Some(role) => (
                Some(self.users[&role]),
                (role == Role::CaseManager).then(|| "north".to_owned()),
            ),
            None => (None, None),
        };
        let mut tx = self.store().begin_at(self.now()).await.expect("begin");
        let record = tx
            .open_case(
                &tandem_store::NewCase {
                    case,
                    case_manager,
                    team,
                },
                tandem_store::Attribution::new(None, tandem_store::Source::Import),
            )
            .await
            .expect("open case");
        tx.commit().await.expect("commit");
        record
    }

    /// A case as the store holds it now.
    pub async fn stored_case(&self, reference: &str) -> tandem_store::StoredCase {
        let reference = tandem_core::Reference::parse(reference).expect("reference");
        self.store()
            .case(&reference)
            .await
            .expect("read case")
            .expect("the case exists")
    }
}

/// The text a PDF's (deflated) content streams show, joined by newlines: each `Tj` operand,
/// literal or hex, decoded as Latin-1 (enough for the report's text).
#[cfg(feature = "pdf")]
pub fn pdf_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut shown = Vec::new();
    let mut rest = bytes;
    while let Some(start) = find(rest, b"stream\n") {
        let body = &rest[start + 7..];
        let end = find(body, b"endstream").expect("a stream ends");
        let mut inflated = Vec::new();
        if flate2::read::ZlibDecoder::new(&body[..end])
            .read_to_end(&mut inflated)
            .is_ok()
        {
            let content: String = inflated.iter().map(|b| char::from(*b)).collect();
            for operand in content.lines().filter_map(|l| l.strip_suffix(" Tj")) {
                shown.push(match operand.strip_prefix('<') {
                    Some(hex) => hex
                        .trim_end_matches('>')
                        .as_bytes()
                        .chunks(2)
                        .map(|pair| {
                            char::from(
                                u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap(),
                            )
                        })
                        .collect(),
                    None => operand[1..operand.len() - 1]
                        .replace("\\(", "(")
                        .replace("\\)", ")"),
                });
            }
        }
        rest = &body[end..];
    }
    shown.join("\n")
}

#[cfg(feature = "pdf")]
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
