//! The browser test harness: the server on a loopback port over generated demo data,
//! chromedriver as a child process (killed with its browsers when the test ends, panics
//! included), and a [`Browser`] that finds fields by their labels, presses buttons by their text,
//! takes screenshots and runs axe-core.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, Utc};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tandem_app::accounts::{self, NewAccount};
use tandem_app::generate::GenerateOptions;
use tandem_app::transfer::{self, Progress};
use tandem_core::Role;
use tandem_test_support::tandem_store::Store;
use tandem_web::{AppState, WebConfig};

pub const PASSWORD: &str = "correct horse battery staple";

/// The WCAG 2.2 AA rules of axe-core (its tags are cumulative per version and level).
const AXE_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// How many synthetic cases the database holds: enough for full caseloads and overdue cases.
const CASES: usize = 250;

/// Room for the window's frame when it is grown to take a screenshot of a whole page.
const WINDOW_FRAME: u32 = 150;

/// How long a page may take to replace the previous one after a click.
const NAVIGATION_LIMIT: Duration = Duration::from_secs(15);

pub fn required() -> bool {
    std::env::var("TANDEM_BROWSER_TESTS").is_ok_and(|v| v == "required")
}

pub fn email(role: Role) -> String {
    format!("{}@demo.test", role.as_str())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What the browser journeys need from the machine.
pub struct Prerequisites {
    chromedriver: PathBuf,
    chromium: Option<PathBuf>,
    axe: String,
}

impl Prerequisites {
    pub fn find() -> Result<Self, String> {
        let chromedriver = program("CHROMEDRIVER", &["chromedriver"]).ok_or(
            "chromedriver was not found (set CHROMEDRIVER, or on Debian apt-get install chromium chromium-driver)",
        )?;
        // chromedriver looks in the usual places itself when none is found here.
        let chromium = program(
            "CHROME_BIN",
            &["chromium", "chromium-browser", "google-chrome"],
        );
        let axe_path = workspace_root().join("web/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path).map_err(|e| {
            format!(
                "axe-core is missing ({}: {e}); run npm ci --prefix web",
                axe_path.display()
            )
        })?;
        Ok(Self {
            chromedriver,
            chromium,
            axe,
        })
    }
}

/// The program named by the environment variable, or the first of `names` on the `PATH`.
fn program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The application, served on a free loopback port from a temporary SQLite database.
pub struct Server {
    base: String,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: &str, _: Option<u64>) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

impl Server {
    /// One account per role (`<role>@demo.test`, password [`PASSWORD`]), a second case manager
    /// in the same team to hand cases to, and [`CASES`] generated cases spread over the two.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("tandem.db").display());
        let store = Store::open(&url).await.expect("open the store");
        store.migrate().await.expect("migrate");
        let accounts = Role::ALL
            .iter()
            .map(|&role| NewAccount {
                email: email(role),
                name: format!("Demo {}", role.label().to_lowercase()),
                role,
                team: (role == Role::CaseManager).then(|| "north".to_owned()),
                password: PASSWORD.to_owned(),
            })
            .chain(std::iter::once(NewAccount {
                email: "amira.hussain@demo.test".into(),
                name: "Amira Hussain".into(),
                role: Role::CaseManager,
                team: Some("north".into()),
                password: PASSWORD.to_owned(),
            }));
        for account in accounts {
            accounts::create_account(&store, None, account, Utc::now())
                .await
                .expect("create an account");
        }
        let options = GenerateOptions {
            cases: CASES,
            seed: 2026,
            as_of: Utc::now().date_naive(),
            case_managers: 1,
        };
        transfer::generate_into(&store, options, &mut Quiet)
            .await
            .expect("generate cases");

        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("listen");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let state = AppState::new(store, WebConfig::default());
        let task = tokio::spawn(async move {
            tandem_web::serve_on(state, listener).await.expect("serve");
        });
        Self {
            base,
            task,
            _dir: dir,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// chromedriver on a free port, in its own process group so that dropping this (at the end of
/// the test, or while a failed assertion unwinds) kills it and every browser it started.
pub struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    pub fn start(prerequisites: &Prerequisites) -> Self {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&prerequisites.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // A negative id signals the whole process group this test created (chromedriver and
        // the browsers it started).
        let group = format!("-{}", self.child.id());
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &group])
            .status();
        let _ = self.child.wait();
    }
}

/// One browser session: JavaScript on (pages are checked with axe-core) or off.
pub struct Browser {
    client: Client,
    base: String,
    javascript: bool,
    axe: String,
    screenshots: PathBuf,
    violations: Vec<String>,
}

impl Browser {
    pub async fn open(
        driver: &ChromeDriver,
        prerequisites: &Prerequisites,
        server: &Server,
        javascript: bool,
    ) -> Self {
        let mut options = json!({
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--disable-extensions",
                "--no-first-run",
                "--lang=en-GB",
                "--window-size=1280,1000",
            ],
        });
        if !javascript {
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        if let Some(binary) = &prerequisites.chromium {
            options["binary"] = json!(binary);
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("start a Chromium session");
        let screenshots = workspace_root().join("artifacts/screenshots");
        std::fs::create_dir_all(&screenshots).expect("screenshot folder");
        Self {
            client,
            base: server.base.clone(),
            javascript,
            axe: prerequisites.axe.clone(),
            screenshots,
            violations: Vec::new(),
        }
    }

    /// `js` or `no-js`: names what differs between the two runs.
    pub fn run_name(&self) -> &'static str {
        if self.javascript { "js" } else { "no-js" }
    }

    /// Ends the session and hands back the accessibility violations found.
    pub async fn close(self) -> Vec<String> {
        self.client.close().await.expect("end the session");
        self.violations
    }

    pub async fn visit(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("visit {path}: {e}"));
    }

    /// The path and query of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current address");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Checks the page shown: JavaScript ran or not as this run intends, exactly one `h1`, a
    /// screenshot saved as `NAME.png` (`NAME-no-js.png` without JavaScript), and with JavaScript
    /// axe-core's WCAG 2.2 AA rules.
    pub async fn check(&mut self, name: &str) {
        let class = self.find(Locator::Css("body")).await.attr("class").await;
        let js_enabled = class
            .expect("body class")
            .unwrap_or_default()
            .split_whitespace()
            .any(|c| c == "js-enabled");
        assert_eq!(
            js_enabled, self.javascript,
            "{name}: GOV.UK Frontend started only when JavaScript is on"
        );
        let headings = self.client.find_all(Locator::Css("h1")).await.expect("h1");
        assert_eq!(headings.len(), 1, "{name}: one h1 per page");
        self.screenshot(name).await;
        if self.javascript {
            self.run_axe(name).await;
        }
    }

    /// A screenshot of the whole page, not only the window: the window grows to the page's
    /// height for it (with room for the window's own frame), then shrinks back.
    async fn screenshot(&self, name: &str) {
        let file = match self.javascript {
            true => format!("{name}.png"),
            false => format!("{name}-no-js.png"),
        };
        let (_, _, _, page_height) = self
            .find(Locator::Css("html"))
            .await
            .rectangle()
            .await
            .expect("page size");
        let (width, height) = self.client.get_window_size().await.expect("window size");
        let full_height = (page_height.ceil() as u32 + WINDOW_FRAME).max(height as u32);
        self.client
            .set_window_size(width as u32, full_height)
            .await
            .expect("resize");
        let png = self.client.screenshot().await.expect("screenshot");
        self.client
            .set_window_size(width as u32, height as u32)
            .await
            .expect("resize back");
        std::fs::write(self.screenshots.join(&file), png).expect("save the screenshot");
    }

    async fn run_axe(&mut self, name: &str) {
        self.client
            .execute(&self.axe, vec![])
            .await
            .expect("inject axe-core");
        let result = self
            .client
            .execute_async(
                r"const [tags, done] = arguments;
                axe.run(document, { runOnly: { type: 'tag', values: tags } })
                  .then(r => done({
                    passes: r.passes.length,
                    violations: r.violations.map(v => ({
                      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                      nodes: v.nodes.map(n => ({
                        target: n.target.join(' '), html: n.html, summary: n.failureSummary,
                      })),
                    })),
                  }))
                  .catch(e => done({ error: String(e) }));",
                vec![json!(AXE_TAGS)],
            )
            .await
            .expect("run axe-core");
        let (Some(passes), Some(violations)) =
            (result["passes"].as_u64(), result["violations"].as_array())
        else {
            panic!("{name}: axe-core failed: {result}");
        };
        // Rules that passed show that axe-core really checked the page.
        assert!(passes > 0, "{name}: axe-core checked nothing");
        let address = self.path().await;
        for violation in violations {
            let nodes: Vec<&serde_json::Value> = violation["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .collect();
            if nodes.is_empty() {
                continue;
            }
            let mut text = format!(
                "{name} ({address}): {} [{}] {} ({})",
                violation["id"].as_str().unwrap_or_default(),
                violation["impact"].as_str().unwrap_or("unknown impact"),
                violation["help"].as_str().unwrap_or_default(),
                violation["helpUrl"].as_str().unwrap_or_default(),
            );
            for node in nodes {
                let _ = write!(
                    text,
                    "\n    at {}: {}\n      {}",
                    node["target"].as_str().unwrap_or_default(),
                    node["html"].as_str().unwrap_or_default(),
                    node["summary"]
                        .as_str()
                        .unwrap_or_default()
                        .replace('\n', "\n      "),
                );
            }
            self.violations.push(text);
        }
    }

    async fn find(&self, locator: Locator<'_>) -> Element {
        self.client
            .find(locator)
            .await
            .unwrap_or_else(|e| panic!("{locator:?} ({} run): {e}", self.run_name()))
    }

    /// Clicks and waits until the next page has replaced this one.
    async fn click_and_wait(&self, element: Element, what: &str) {
        let old_page = self.find(Locator::Css("html")).await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {what}: {e}"));
        let deadline = Instant::now() + NAVIGATION_LIMIT;
        // An element of the old page goes stale once the new page has loaded.
        while old_page.tag_name().await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "{what}: no new page after {NAVIGATION_LIMIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Presses the button whose text is `text`.
    pub async fn press(&self, text: &str) {
        let xpath = format!("//button[normalize-space()={}]", xpath_literal(text));
        let button = self.find(Locator::XPath(&xpath)).await;
        self.click_and_wait(button, &format!("the {text:?} button"))
            .await;
    }

    /// Follows the link whose text is `text` (links styled as buttons included).
    pub async fn click_link(&self, text: &str) {
        let link = self.find(Locator::LinkText(text)).await;
        self.click_and_wait(link, &format!("the {text:?} link"))
            .await;
    }

    /// Follows the first link whose address starts with `prefix`.
    pub async fn click_first_link_to(&self, prefix: &str) {
        let css = format!("a[href^=\"{prefix}\"]");
        let link = self.find(Locator::Css(&css)).await;
        self.click_and_wait(link, &format!("a link to {prefix}"))
            .await;
    }

    /// The form control labelled `label`.
    async fn field(&self, label: &str) -> Element {
        let id = self
            .find(Locator::XPath(&label_xpath(label)))
            .await
            .attr("for")
            .await
            .expect("label")
            .unwrap_or_else(|| panic!("the label {label:?} names no field"));
        self.find(Locator::Id(&id)).await
    }

    /// Types `value` into the field labelled `label`, replacing what it held.
    pub async fn fill(&self, label: &str, value: &str) {
        let field = self.field(label).await;
        field.clear().await.expect("clear the field");
        field.send_keys(value).await.expect("type");
    }

    /// Chooses the radio button (or checkbox) labelled `label`, by clicking its label.
    pub async fn choose_radio(&self, label: &str) {
        self.find(Locator::XPath(&label_xpath(label)))
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("choose {label:?}: {e}"));
    }

    /// Whether the radio button (or checkbox) labelled `label` is chosen.
    pub async fn is_chosen(&self, label: &str) -> bool {
        self.field(label)
            .await
            .is_selected()
            .await
            .expect("selected")
    }

    /// Types a date into the day, month and year of the date input whose legend is `legend`.
    pub async fn fill_date(&self, legend: &str, date: NaiveDate) {
        let parts = [date.day(), date.month()].map(|n| n.to_string());
        self.fill_parts(legend, [&parts[0], &parts[1], &date.year().to_string()])
            .await;
    }

    /// Types day, month and year, as given, into the date input whose legend is `legend`.
    pub async fn fill_parts(&self, legend: &str, [day, month, year]: [&str; 3]) {
        for (part, value) in [("Day", day), ("Month", month), ("Year", year)] {
            let xpath = format!(
                "//fieldset[legend[normalize-space()={}]]{}",
                xpath_literal(legend),
                label_xpath(part)
            );
            let id = self
                .find(Locator::XPath(&xpath))
                .await
                .attr("for")
                .await
                .expect("label")
                .unwrap_or_else(|| panic!("{legend} {part} names no field"));
            let field = self.find(Locator::Id(&id)).await;
            field.clear().await.expect("clear the field");
            field.send_keys(value).await.expect("type");
        }
    }

    /// Follows the link starting with `text` in the table row that has a cell reading `cell`.
    pub async fn click_row_link(&self, cell: &str, text: &str) {
        let xpath = format!(
            "//tr[td[normalize-space()={}]]//a[starts-with(normalize-space(), {})]",
            xpath_literal(cell),
            xpath_literal(text)
        );
        let link = self.find(Locator::XPath(&xpath)).await;
        self.click_and_wait(link, &format!("{text:?} for {cell:?}"))
            .await;
    }

    /// Chooses the option `option` of the select box labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) {
        self.field(label)
            .await
            .select_by_label(option)
            .await
            .unwrap_or_else(|e| panic!("choose {option:?} for {label:?}: {e}"));
    }

    pub async fn field_value(&self, label: &str) -> String {
        self.field(label)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    pub async fn heading(&self) -> String {
        self.text(Locator::Css("h1")).await
    }

    async fn text(&self, locator: Locator<'_>) -> String {
        self.find(locator).await.text().await.expect("text")
    }

    /// The text of the first element matching a CSS selector.
    pub async fn text_of(&self, css: &str) -> String {
        self.text(Locator::Css(css)).await
    }

    /// The texts of the elements matching a CSS selector.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await.expect(css) {
            texts.push(element.text().await.expect("text"));
        }
        texts
    }

    /// The messages of the error summary (none when there is none).
    pub async fn error_summary(&self) -> Vec<String> {
        self.texts(".govuk-error-summary__list li").await
    }

    /// The heading of the notification banner.
    pub async fn banner(&self) -> String {
        self.text(Locator::Css(".govuk-notification-banner__heading"))
            .await
    }

    /// The value of a summary list row.
    pub async fn summary_value(&self, key: &str) -> String {
        let xpath = format!(
            "//dt[normalize-space()={}]/following-sibling::dd[1]",
            xpath_literal(key)
        );
        self.text(Locator::XPath(&xpath)).await
    }

    /// Signs in as the demo account of `role` through the form.
    pub async fn sign_in(&self, role: Role) {
        self.visit("/sign-in").await;
        self.fill("Email address", &email(role)).await;
        self.fill("Password", PASSWORD).await;
        self.press("Sign in").await;
        assert_ne!(self.path().await, "/sign-in", "signed in as {role}");
    }
}

/// The label reading `text`, anywhere below the current node.
fn label_xpath(text: &str) -> String {
    format!("//label[normalize-space()={}]", xpath_literal(text))
}

/// `text` as an XPath string literal.
fn xpath_literal(text: &str) -> String {
    if text.contains('\'') {
        format!("\"{text}\"")
    } else {
        format!("'{text}'")
    }
}
