//! The browser test harness: the server on a loopback port over generated demo data,
//! chromedriver as a child process (killed with its browsers when the test ends, panics
//! included), and a [`Browser`] that finds fields by their labels, presses buttons by their text,
//! takes screenshots and runs axe-core; and the pieces every journey file shares (`both_ways`).

#![allow(
    dead_code,
    reason = "each browser test file uses a different part of the harness"
)]

use std::fmt::Write as _;
use std::future::Future;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, Utc};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde::Deserialize;
use serde_json::json;
use tandem_app::accounts::{self, ExternalTwoFactor, NewAccount};
use tandem_app::generate::GenerateOptions;
use tandem_app::services::{Caller, Services, Source};
use tandem_app::transfer::{self, Progress};
use tandem_core::Role;
use tandem_core::plan::TextSection;
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

/// The authenticator-app key of the accounts that sign in with two factors in the journeys.
pub const TWO_FACTOR_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The account that has set two-factor sign-in up, one per run (`js`, `no-js`), so that
/// neither run's code is a replay of the other's.
pub fn two_factor_email(run: &str) -> String {
    format!("two-factor.{run}@demo.test")
}

/// The code an authenticator app given [`TWO_FACTOR_SECRET`] shows now.
pub fn two_factor_code() -> String {
    code_for(TWO_FACTOR_SECRET)
}

/// The code an authenticator app given the base32 `secret` shows now.
pub fn code_for(secret: &str) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("base32"))
        .build()
        .expect("totp")
        .generate(u64::try_from(Utc::now().timestamp()).expect("after 1970"))
        .to_string()
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
                provider: match role {
                    Role::SocialCareProfessional => Some(SOCIAL_CARE.to_owned()),
                    _ => role
                        .gives_advice()
                        .then(|| "Community paediatrics".to_owned()),
                },
                password: PASSWORD.to_owned(),
            })
            .chain(std::iter::once(NewAccount {
                email: "amira.hussain@demo.test".into(),
                name: "Amira Hussain".into(),
                role: Role::CaseManager,
                team: Some("north".into()),
                provider: None,
                password: PASSWORD.to_owned(),
            }));
        for account in accounts {
            accounts::create_account(&store, None, account, Utc::now())
                .await
                .expect("create an account");
        }
        for run in ["js", "no-js"] {
            let account = NewAccount {
                email: two_factor_email(run),
                name: "Tess Factor".into(),
                role: Role::HealthProfessional,
                team: None,
                provider: Some("Community paediatrics".into()),
                password: PASSWORD.to_owned(),
            };
            let id = accounts::create_account(&store, None, account, Utc::now())
                .await
                .expect("create an account");
            let mut tx = store.begin().await.expect("begin");
            tx.set_pending_two_factor_secret(id, TWO_FACTOR_SECRET)
                .await
                .expect("secret");
            tx.confirm_two_factor(id, 0).await.expect("set up");
            tx.commit().await.expect("commit");
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
        link_parent_to_first_case(&store).await;
        issue_final_plans(&store).await;
        advice_for_plans(&store).await;
        advice_waiting(&store).await;
        social_care_requests(&store).await;
        late_assessments(&store).await;
        let plan = tandem_app::interchange::improvement_plan::read(
            include_str!("../../../../examples/improvement-plan.csv").as_bytes(),
        )
        .expect("the example plan");
        transfer::import_improvement_plan(&store, &plan, false)
            .await
            .expect("keep the example plan");

        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("listen");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        // The journeys sign parents and professionals in with the demo password alone.
        let config = WebConfig {
            external_two_factor: ExternalTwoFactor::Optional,
            ..WebConfig::default()
        };
        let state = AppState::new(store, config);
        let task = tokio::spawn(async move {
            tandem_web::serve_on(state, listener).await.expect("serve");
        });
        Self {
            base,
            task,
            _dir: dir,
        }
    }

    /// The address of the server's database, for journeys that need what only it holds (a
    /// survey link, which is emailed and never shown on a page).
    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self._dir.path().join("tandem.db").display())
    }
}

/// The demo parent is the parent of the first generated child, as in `tandem demo`, whose draft
/// plan (section A only) the head of service has issued for the family to comment on.
async fn link_parent_to_first_case(store: &Store) {
    let parent = store
        .user_by_email(&email(Role::Parent))
        .await
        .expect("read")
        .expect("the parent's account");
    let first = store
        .list_cases(
            &tandem_test_support::tandem_store::CaseFilter::as_of(Utc::now().date_naive()),
            tandem_test_support::tandem_store::Page::number(1, 1),
        )
        .await
        .expect("list");
    let case = first.cases.first().expect("a generated case");
    let mut tx = store.begin().await.expect("begin");
    tx.link_person(
        case.id,
        parent.id,
        tandem_test_support::tandem_store::CaseRelation::Family,
    )
    .await
    .expect("link");
    tx.commit().await.expect("commit");

    let head = store
        .user_by_email(&email(Role::HeadOfService))
        .await
        .expect("read")
        .expect("the head of service's account");
    let head = Caller::new(head.actor(), Source::Form);
    let services = Services::new(store.clone());
    let mut plan = services
        .plan(&head, &case.reference)
        .await
        .expect("the plan")
        .plan;
    plan.sections.a = Some(TextSection {
        text: "Sam loves trains and wants to be a driver.".into(),
    });
    let saved = services
        .save_plan(&head, &case.reference, plan, 0)
        .await
        .expect("save");
    services
        .issue_draft_plan(&head, &case.reference, saved.revision)
        .await
        .expect("issue the draft");
}

/// The service the demo social care professional belongs to: requests to it are theirs alone,
/// so the keyboard journey's submissions leave the health professional's tray as it was.
const SOCIAL_CARE: &str = "Children's social care";

/// A case (team north, the demo case manager's) whose request was received 40 days ago, with
/// the decision to assess and a request for `advice` from `provider` made 29 days ago.
async fn open_with_advice_requested(store: &Store, reference: &str, advice: &str, provider: &str) {
    open_for_the_case_manager(
        store,
        reference,
        json!([
            { "type": "request_received", "date": days_ago(40) },
            { "type": "decision_to_assess", "date": days_ago(30), "outcome": "assess" },
            { "type": "advice_requested", "date": days_ago(29), "advice": advice, "provider": provider },
        ]),
    )
    .await;
}

fn days_ago(days: u64) -> String {
    (Utc::now().date_naive() - chrono::Days::new(days)).to_string()
}

/// Opens a case of the demo case manager's with `events`, as an import would.
async fn open_for_the_case_manager(store: &Store, reference: &str, events: serde_json::Value) {
    use tandem_test_support::tandem_store::{Attribution, NewCase, Source as Via};
    let manager = store
        .user_by_email(&email(Role::CaseManager))
        .await
        .expect("read")
        .expect("the case manager's account");
    let case = tandem_core::CaseFile::from_value(json!({
        "reference": reference,
        "child": { "given_name": "Sam", "family_name": "Advice", "date_of_birth": "2016-04-09" },
        "events": events,
    }))
    .expect("a case file");
    let mut tx = store.begin_at(Utc::now()).await.expect("begin");
    tx.open_case(
        &NewCase {
            case,
            case_manager: Some(manager.id),
            team: Some("north".to_owned()),
        },
        Attribution::new(None, Via::Import),
    )
    .await
    .expect("open the case");
    tx.commit().await.expect("commit");
}

/// Four assessments 18 weeks old with no advice asked for yet (`E2E-LATE-1` to 4): six weeks
/// for advice no longer fit in their 20 weeks, so their final plans are at risk; two for each
/// run of the reassignment journey.
async fn late_assessments(store: &Store) {
    for n in 1..=4 {
        open_for_the_case_manager(
            store,
            &format!("E2E-LATE-{n}"),
            json!([
                { "type": "request_received", "date": days_ago(126) },
                { "type": "decision_to_assess", "date": days_ago(80), "outcome": "assess" },
            ]),
        )
        .await;
    }
}

/// Two requests for social care advice, one for each run of the keyboard journey.
async fn social_care_requests(store: &Store) {
    for n in 1..=2 {
        let reference = format!("E2E-SOCIAL-{n}");
        open_with_advice_requested(store, &reference, "social_care", SOCIAL_CARE).await;
    }
}

/// Three final plans issued today, on cases of their own (`E2E-FINAL-1` to 3, opened twenty
/// weeks ago), for the plan audit journey to draw a sample from.
/// `E2E-PLAN-1` and `-2`: cases of the case manager's with the health professional's advice
/// submitted on the standard form, one for each run of the plan journey to start a plan from.
async fn advice_for_plans(store: &Store) {
    use tandem_core::advice::{AdviceForm, Provision};
    let nurse = store
        .user_by_email(&email(Role::HealthProfessional))
        .await
        .expect("read")
        .expect("a demo account");
    let nurse = Caller::new(nurse.actor(), Source::Form);
    for n in 1..=2 {
        let reference = format!("E2E-PLAN-{n}");
        open_with_advice_requested(store, &reference, "health", "Community paediatrics").await;
        let reference = tandem_core::Reference::parse(&reference).expect("a reference");
        let advice = AdviceForm {
            needs: "Epilepsy, with seizures most weeks".to_owned(),
            outcomes: "By July 2027, Sam tells an adult when an aura starts".to_owned(),
            provision: vec![Provision {
                what: "Seizure care training for the staff who teach Sam".to_owned(),
                who: "The epilepsy specialist nurse".to_owned(),
                how_often: "Once a term".to_owned(),
                how_long: "One hour".to_owned(),
            }],
            consulted: "Sam and his parents".to_owned(),
        };
        let services = Services::new(store.clone());
        let tray = services.work_tray(&nurse).await.expect("the work tray");
        let request = tray
            .iter()
            .find(|item| item.reference == reference)
            .expect("the request in the nurse's tray");
        services
            .save_advice(&nurse, &reference, &request.request_key, advice, 0, true)
            .await
            .expect("submit the advice");
    }
}

/// A health request waiting in the nurse's tray for each run (with and without JavaScript),
/// whatever the day: the generated cases' open requests depend on the date they are generated
/// as at, and on some days the demo service has only one.
async fn advice_waiting(store: &Store) {
    for n in 1..=2 {
        let reference = format!("E2E-WAIT-{n}");
        open_with_advice_requested(store, &reference, "health", "Community paediatrics").await;
    }
}

async fn issue_final_plans(store: &Store) {
    use tandem_app::services::{NewRequest, SignOff};
    let head = store
        .user_by_email(&email(Role::HeadOfService))
        .await
        .expect("read")
        .expect("the head of service's account");
    let head = Caller::new(head.actor(), Source::Form);
    let services = Services::new(store.clone());
    for n in 1..=3 {
        let mut child = tandem_core::Child {
            date_of_birth: NaiveDate::from_ymd_opt(2016, 5, n),
            ..tandem_core::Child::default()
        };
        child.other.insert("given_name".into(), json!("Alex"));
        child.other.insert("family_name".into(), json!("Final"));
        let request = NewRequest {
            reference: Some(
                tandem_core::Reference::parse(&format!("E2E-FINAL-{n}")).expect("reference"),
            ),
            requested_by: None,
            child,
            received: Utc::now().date_naive() - chrono::Days::new(140),
            case_manager: None,
            same_child_as: None,
            different_child: true,
        };
        let reference = services
            .open_case(&head, &request)
            .await
            .expect("open")
            .reference;
        let mut plan = services.plan(&head, &reference).await.expect("plan").plan;
        plan.sections.a = Some(TextSection {
            text: "Alex loves swimming and wants to work with animals.".into(),
        });
        let saved = services
            .save_plan(&head, &reference, plan, 0)
            .await
            .expect("save");
        services
            .issue_draft_plan(&head, &reference, saved.revision)
            .await
            .expect("draft");
        let view = services.plan(&head, &reference).await.expect("plan");
        let sign_off = SignOff::acknowledging_all(
            &view.as_final,
            "Agreed at panel",
            Some("The family has no comments"),
        );
        services
            .issue_final_plan(&head, &reference, view.revision(), sign_off)
            .await
            .expect("final");
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

/// The window a browser session shows pages in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// 1280 × 1000 CSS pixels.
    Desktop,
    /// 320 × 800 CSS pixels: a phone, or a desktop at 400% zoom (WCAG 2.2 success criterion
    /// 1.4.10, Reflow).
    Narrow,
    /// 1280 × 1000 with the browser's text size doubled (32 px instead of 16: WCAG 2.2 success
    /// criterion 1.4.4, Resize text).
    LargeText,
}

impl Window {
    /// The width pages must fit, when the window's own is not the measure.
    fn width(self) -> Option<u32> {
        (self == Self::Narrow).then_some(NARROW_WIDTH)
    }
}

/// The narrow window's width in CSS pixels.
const NARROW_WIDTH: u32 = 320;

/// The longest run of Tab presses looking for one element.
const TAB_LIMIT: usize = 150;

/// How many pages of one address shape (digits folded, query left out) a crawl visits.
const PAGES_PER_SHAPE: usize = 1;

/// Describes the element with keyboard focus, as [`Focus`]. Remembers it, so that the next call
/// can tell whether focus moved forward in the document's order.
const FOCUS_SCRIPT: &str = r"
const el = document.activeElement || document.body;
const previous = window.tandemLastFocus;
window.tandemLastFocus = el;
const labels = el.labels ? [...el.labels] : [];
const text = (el.getAttribute('aria-label') || (labels.length ? labels[0].innerText : '')
  || el.innerText || '').replace(/\s+/g, ' ').trim();
const colour = 'rgb(255, 221, 0)';
const shows = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
    && !/^rgba\(.*, 0\)$/.test(s.outlineColor))
  || s.backgroundColor === colour || s.boxShadow.includes(colour);
return {
  tag: el.tagName.toLowerCase(),
  text,
  classes: String(el.getAttribute('class') || ''),
  href: el.getAttribute('href') || '',
  visible: shows(getComputedStyle(el)) || labels.some((l) => shows(getComputedStyle(l, '::before'))),
  style: ((s) => `outline ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}; `
    + `box-shadow ${s.boxShadow}; background ${s.backgroundColor}`)(getComputedStyle(el)),
  in_main: !!el.closest('main'),
  in_order: !previous || !previous.isConnected || previous === document.body
    || !!(previous.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING),
};";

/// Fetches `arguments[0]` synchronously with the page's cookies; answers the status, the content
/// type and the first five bytes (each byte one character).
const DOWNLOAD_SCRIPT: &str = r"
const request = new XMLHttpRequest();
request.open('GET', arguments[0], false);
request.overrideMimeType('text/plain; charset=x-user-defined');
request.send();
return [request.status, request.getResponseHeader('Content-Type') || '', request.responseText.slice(0, 5)];
";

/// What a screen reader user navigates by: how many `h1`s, the headings that go down more than
/// one level from the one before (an h3 straight after an h1), the title, tables with no name
/// (a caption, or `aria-label`/`aria-labelledby`), header cells without `scope`, and boxes that
/// scroll a wide table but that a keyboard cannot reach or a screen reader cannot name (GOV.UK's
/// pattern: `role="region"`, `tabindex="0"` and a name).
const OUTLINE_SCRIPT: &str = r"
let level = 0;
const skipped = [];
for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
  const next = Number(h.tagName[1]);
  if (level && next > level + 1) skipped.push(h.outerHTML.slice(0, 120));
  level = next;
}
const named = (t) => (t.caption && t.caption.textContent.trim())
  || t.getAttribute('aria-label') || t.getAttribute('aria-labelledby');
return {
  h1: document.querySelectorAll('h1').length,
  skipped,
  title: document.title,
  uncaptioned: [...document.querySelectorAll('table')].filter((t) => !named(t))
    .slice(0, 3).map((t) => t.outerHTML.slice(0, 160)),
  unscoped: [...document.querySelectorAll('th')]
    .filter((th) => !['col', 'row', 'colgroup', 'rowgroup'].includes(th.getAttribute('scope')))
    .slice(0, 3).map((th) => th.outerHTML.slice(0, 160)),
  unlabelled_boxes: [...document.querySelectorAll('.tandem-table-scroll')]
    .filter((b) => b.getAttribute('role') !== 'region' || b.getAttribute('tabindex') !== '0'
      || !(b.getAttribute('aria-label') || b.getAttribute('aria-labelledby')))
    .slice(0, 3).map((b) => b.outerHTML.slice(0, 160)),
};";

/// The page's width against the window's (or the width given: a phone's layout viewport grows
/// to fit a page too wide for it), and the first elements that stick out (outside the boxes wide
/// tables scroll in).
const WIDTH_SCRIPT: &str = r"
const width = arguments[0] || document.documentElement.clientWidth;
const wide = [...document.querySelectorAll('body *')]
  .filter((e) => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && !e.closest('.tandem-table-scroll'); })
  .slice(0, 3).map((e) => e.outerHTML.slice(0, 160));
return { page: document.documentElement.scrollWidth, window: width, wide };";

/// Text that a box cuts off: elements hiding what overflows them whose content is bigger than
/// the box (visually hidden text, which is meant to be cut, is left out). Also the root font
/// size, to show the larger text setting took effect.
const CUT_OFF_SCRIPT: &str = r"
const cut = [...document.querySelectorAll('body *')].filter((e) => {
  const s = getComputedStyle(e);
  if (!/hidden|clip/.test(s.overflowX + s.overflowY) || s.clipPath !== 'none') return false;
  if (e.closest('.govuk-visually-hidden')) return false;
  return e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1;
}).slice(0, 3).map((e) => e.outerHTML.slice(0, 160));
return { font: getComputedStyle(document.documentElement).fontSize, cut };";

/// The element with keyboard focus.
#[derive(Debug, Deserialize)]
pub struct Focus {
    pub tag: String,
    /// Its label (form fields) or its text, visually hidden text included.
    pub text: String,
    pub classes: String,
    pub href: String,
    /// Whether a focus indicator is drawn: an outline, or GOV.UK's yellow focus colour on the
    /// element or on the label that draws a radio button.
    pub visible: bool,
    /// The styles that draw focus, to say why none was seen.
    pub style: String,
    pub in_main: bool,
    /// Whether it comes after the element that had focus before, in the document's order.
    pub in_order: bool,
}

impl Focus {
    pub fn has_class(&self, class: &str) -> bool {
        self.classes.split_whitespace().any(|c| c == class)
    }
}

/// What [`OUTLINE_SCRIPT`] finds.
#[derive(Deserialize)]
struct Outline {
    h1: usize,
    skipped: Vec<String>,
    title: String,
    uncaptioned: Vec<String>,
    unscoped: Vec<String>,
    unlabelled_boxes: Vec<String>,
}

impl Outline {
    /// The page's title without the service's name: "Thing – Section".
    fn own_title(&self) -> Option<&str> {
        self.title
            .strip_suffix(" – Tandem")
            .filter(|t| !t.trim().is_empty())
    }

    /// What is wrong: not exactly one `h1`, skipped heading levels, a title that does not say
    /// where the page is ("Thing – Section – Tandem"), tables without a name, header cells
    /// without a scope.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.h1 != 1 {
            problems.push(format!("{} h1 elements, not one", self.h1));
        }
        if !self.skipped.is_empty() {
            problems.push(format!("headings skip a level at {:?}", self.skipped));
        }
        if self.own_title().is_none() {
            problems.push(format!(
                "the title {:?} does not say where you are, then \"– Tandem\"",
                self.title
            ));
        }
        if !self.uncaptioned.is_empty() {
            problems.push(format!("tables without a caption: {:?}", self.uncaptioned));
        }
        if !self.unscoped.is_empty() {
            problems.push(format!("header cells without scope: {:?}", self.unscoped));
        }
        if !self.unlabelled_boxes.is_empty() {
            problems.push(format!(
                "scrolling boxes without role=region, tabindex=0 and a name: {:?}",
                self.unlabelled_boxes
            ));
        }
        problems
    }
}

#[derive(Deserialize)]
struct Width {
    page: f64,
    window: f64,
    wide: Vec<String>,
}

#[derive(Deserialize)]
struct CutOff {
    font: String,
    cut: Vec<String>,
}

/// One browser session: JavaScript on (pages are checked with axe-core) or off.
pub struct Browser {
    client: Client,
    base: String,
    window: Window,
    javascript: bool,
    axe: String,
    screenshots: PathBuf,
    violations: Vec<String>,
    /// Pages that failed a reflow or text size check.
    problems: Vec<String>,
    /// The address shapes a crawl has run axe-core on: once each is enough, whoever signed in.
    axe_checked: std::collections::HashSet<String>,
}

impl Browser {
    pub async fn open(
        driver: &ChromeDriver,
        prerequisites: &Prerequisites,
        server: &Server,
        javascript: bool,
        window: Window,
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
            "prefs": {},
        });
        if !javascript {
            options["prefs"]["profile.managed_default_content_settings.javascript"] = json!(2);
        }
        match window {
            Window::Desktop => {}
            // A phone's screen: exactly 320 CSS pixels, scroll bars drawn over the page.
            Window::Narrow => {
                options["mobileEmulation"] = json!({
                    "deviceMetrics": { "width": NARROW_WIDTH, "height": 800, "pixelRatio": 1.0, "mobile": true },
                });
            }
            // Chrome's own text size setting (Settings, Appearance, Font size).
            Window::LargeText => {
                options["prefs"]["webkit.webprefs.default_font_size"] = json!(32);
                options["prefs"]["webkit.webprefs.default_fixed_font_size"] = json!(26);
            }
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
            window,
            javascript,
            axe: prerequisites.axe.clone(),
            screenshots,
            violations: Vec::new(),
            problems: Vec::new(),
            axe_checked: Default::default(),
        }
    }

    /// `js` or `no-js`: names what differs between the two runs.
    pub fn run_name(&self) -> &'static str {
        if self.javascript { "js" } else { "no-js" }
    }

    /// Ends the session and hands back the axe-core violations found, then the pages that
    /// failed a reflow or text size check.
    pub async fn close(self) -> (Vec<String>, Vec<String>) {
        self.client.close().await.expect("end the session");
        (self.violations, self.problems)
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

    /// Checks the page shown: JavaScript ran or not as this run intends, its outline
    /// ([`Outline::problems`]: one `h1`, headings that skip no level, a title saying where it
    /// is, named tables with scoped header cells), a screenshot saved as `NAME.png`
    /// (`NAME-no-js.png` without JavaScript), and axe-core's WCAG 2.2 AA rules, with
    /// JavaScript and without.
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
        let problems = self.outline().await.problems();
        assert!(problems.is_empty(), "{name}: {}", problems.join("; "));
        self.screenshot(name).await;
        // Without JavaScript too: the page's own scripts are off, but WebDriver's still run,
        // and what a browser without JavaScript shows (no `js-enabled` styles, GOV.UK
        // Frontend's components unstarted) must pass as well.
        self.run_axe(name).await;
    }

    /// The page's headings, title and tables, as [`OUTLINE_SCRIPT`] reads them.
    async fn outline(&self) -> Outline {
        serde_json::from_value(
            self.client
                .execute(OUTLINE_SCRIPT, vec![])
                .await
                .expect("read the headings, title and tables"),
        )
        .expect("an outline")
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
        if !self.javascript {
            // With the page's JavaScript off, WebDriver's scripts and promises still run but
            // timers never fire, and axe-core waits on `setTimeout`: run its callbacks as
            // promise jobs instead. The page has no script of its own to be disturbed by it.
            self.client
                .execute(
                    "window.setTimeout = (f, _, ...a) => { Promise.resolve().then(() => f(...a)); return 0; };
                    window.clearTimeout = () => {};",
                    vec![],
                )
                .await
                .expect("timers for axe-core");
        }
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
                "{name} ({address}, {}): {} [{}] {} ({})",
                self.run_name(),
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
        self.wait_for_new_page(old_page, what).await;
    }

    async fn wait_for_new_page(&self, old_page: Element, what: &str) {
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

    /// Opens the GOV.UK details component whose summary reads `text` (a click on its summary,
    /// as a person would; details open without JavaScript too).
    pub async fn open_details(&self, text: &str) {
        let xpath = format!("//summary[normalize-space()={}]", xpath_literal(text));
        self.find(Locator::XPath(&xpath))
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("open {text:?}: {e}"));
    }

    /// The page's width in CSS pixels, and how far down the page (from its top, in CSS pixels)
    /// the lowest element matching `css` ends.
    pub async fn lowest_bottom(&self, css: &str) -> (f64, f64) {
        let found = self
            .client
            .execute(
                "const bottoms = Array.from(document.querySelectorAll(arguments[0])) \
                   .map(e => e.getBoundingClientRect().bottom + window.scrollY); \
                 return [window.innerWidth, bottoms.length ? Math.max(...bottoms) : -1];",
                vec![json!(css)],
            )
            .await
            .expect("measure the page");
        serde_json::from_value(found).expect("two numbers")
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

    /// Types `value` into every field matching a CSS selector (a reason for each finding, say);
    /// returns how many there were.
    pub async fn fill_all(&self, css: &str, value: &str) -> usize {
        let fields = self.client.find_all(Locator::Css(css)).await.expect(css);
        for field in &fields {
            field.clear().await.expect("clear the field");
            field.send_keys(value).await.expect("type");
        }
        fields.len()
    }

    /// Fetches `href` with the browser's own session, as following its download link would
    /// (WebDriver cannot read a download): the status, the content type and the body's first
    /// five bytes.
    pub async fn download(&self, href: &str) -> (u64, String, String) {
        let answer = self
            .client
            .execute(DOWNLOAD_SCRIPT, vec![json!(href)])
            .await
            .expect("download");
        (
            answer[0].as_u64().expect("status"),
            answer[1].as_str().expect("content type").to_owned(),
            answer[2].as_str().expect("body").to_owned(),
        )
    }

    /// Chooses the file at `path` in the file input labelled `label`.
    pub async fn choose_file(&self, label: &str, path: &std::path::Path) {
        self.field(label)
            .await
            .send_keys(&path.display().to_string())
            .await
            .expect("choose the file");
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

    /// The attribute `name`, as written, of the elements matching a CSS selector that have it.
    pub async fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        let mut values = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await.expect(css) {
            values.extend(element.attr(name).await.expect("attribute"));
        }
        values
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

    /// Presses a key, with the keyboard alone (WebDriver key actions, no mouse): `modifier`
    /// (Shift, Control) held down if given.
    pub async fn key(&self, modifier: Option<Key>, key: impl Into<char>) {
        let key: char = key.into();
        let mut actions = KeyActions::new("keyboard".into());
        if let Some(modifier) = modifier {
            actions = actions.then(KeyAction::Down {
                value: modifier.into(),
            });
        }
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        if let Some(modifier) = modifier {
            actions = actions.then(KeyAction::Up {
                value: modifier.into(),
            });
        }
        self.client
            .perform_actions(actions)
            .await
            .unwrap_or_else(|e| panic!("press {key:?}: {e}"));
    }

    /// Presses a key that leads to another page (Enter on a link or in a form), and waits for it.
    pub async fn key_to_page(&self, key: Key, what: &str) {
        let old_page = self.find(Locator::Css("html")).await;
        self.key(None, key).await;
        self.wait_for_new_page(old_page, what).await;
    }

    /// Types into the focused field what a keyboard would.
    pub async fn type_text(&self, text: &str) {
        self.client
            .active_element()
            .await
            .expect("the focused element")
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type {text:?}: {e}"));
    }

    /// Replaces what the focused field holds (Control+A, then typing).
    pub async fn retype(&self, text: &str) {
        self.key(Some(Key::Control), 'a').await;
        self.type_text(text).await;
    }

    /// The element with keyboard focus.
    pub async fn focus(&self) -> Focus {
        let found = self
            .client
            .execute(FOCUS_SCRIPT, vec![])
            .await
            .expect("read the focus");
        serde_json::from_value(found).expect("a description of the focus")
    }

    /// Presses Tab (Shift+Tab with `back`) and checks where focus went: a visible focus
    /// indicator, and further along the page in the document's order (back: further back).
    /// Focus leaving the page for the browser's own controls is reported as `body`.
    pub async fn tab(&self, back: bool) -> Focus {
        self.key(back.then_some(Key::Shift), Key::Tab).await;
        let focus = self.focus().await;
        if focus.tag != "body" {
            let page = self.path().await;
            assert!(
                focus.visible,
                "{page}: no visible focus indicator ({}) on {focus:?}",
                focus.style
            );
            assert_eq!(
                focus.in_order, !back,
                "{page}: focus moved out of the reading order to {focus:?}"
            );
        }
        focus
    }

    /// Presses Tab until the focused element's label or text is `text`. Every stop passes
    /// [`Browser::tab`]'s checks.
    pub async fn tab_to(&self, text: &str) -> Focus {
        self.tab_until(text, |focus| focus.text == text).await
    }

    /// Presses Tab until the focused element is `what` the predicate looks for. Past the end of
    /// the page focus comes back to its start, once.
    pub async fn tab_until(&self, what: &str, wanted: impl Fn(&Focus) -> bool) -> Focus {
        let mut wrapped = false;
        for _ in 0..TAB_LIMIT * 2 {
            let focus = self.tab(false).await;
            if focus.tag == "body" {
                assert!(!wrapped, "{}: {what} not reached by Tab", self.path().await);
                wrapped = true;
            } else if wanted(&focus) {
                return focus;
            }
        }
        panic!("{}: {what} not reached by Tab", self.path().await);
    }

    /// Tabs into the next group of radio buttons and chooses the one labelled `label` with the
    /// arrow keys (Space when focus lands on it first).
    pub async fn choose_radio_by_keyboard(&self, label: &str) {
        let mut focus = self
            .tab_until("a radio button", |f| f.has_class("govuk-radios__input"))
            .await;
        for _ in 0..TAB_LIMIT {
            if focus.text == label {
                self.key(None, Key::Space).await;
                assert!(self.is_chosen(label).await, "{label:?} chosen");
                return;
            }
            self.key(None, Key::Down).await;
            focus = self.focus().await;
            assert!(focus.visible, "no visible focus on the radio {focus:?}");
        }
        panic!("no radio button labelled {label:?}");
    }

    /// Tabs from the top of the page to its end: every focusable element is reached in order
    /// with a visible indicator, the first is the skip link, the last the footer's link to the
    /// accessibility statement, and then focus leaves the page (nothing traps it).
    pub async fn tab_through_page(&self) {
        let page = self.path().await;
        let first = self.tab(false).await;
        assert_eq!(first.text, "Skip to main content", "{page}: first Tab stop");
        let mut last = first;
        for _ in 0..TAB_LIMIT * 2 {
            let focus = self.tab(false).await;
            if focus.tag == "body" {
                assert_eq!(
                    last.text, "Accessibility statement",
                    "{page}: the last Tab stop"
                );
                return;
            }
            last = focus;
        }
        panic!("{page}: focus never left the page: trapped at {last:?}?");
    }

    /// From the page shown, visits the pages its links lead to, breadth first, and theirs:
    /// same-site pages only, leaving out signing out, downloads and assets; one page of each
    /// address shape (digits folded, query left out), at most `limit` pages. Each page is checked
    /// for this session's window: in [`Window::Narrow`] no wider than the window, axe-core's
    /// rules (once per address shape in the session), one `h1`, headings in outline, a title of
    /// its own ("Thing – Section – Tandem", unique in the crawl), and tables with captions and
    /// scoped header cells; with [`Window::LargeText`] no wider than
    /// the window and no text cut off. Returns the addresses visited.
    pub async fn crawl(&mut self, who: &str, limit: usize) -> Vec<String> {
        let mut queue = std::collections::VecDeque::from([self.path().await]);
        let mut seen = std::collections::HashSet::new();
        let mut shapes: std::collections::HashMap<String, usize> = Default::default();
        let mut visited = Vec::new();
        // Each page's title, to tell pages apart: two kinds of page with one title are
        // indistinguishable in a list of tabs or the browser's history.
        let mut titles: std::collections::HashMap<String, String> = Default::default();
        while let Some(path) = queue.pop_front() {
            if visited.len() >= limit {
                break;
            }
            if !seen.insert(path.clone()) {
                continue;
            }
            let shape = address_shape(&path);
            let count = shapes.entry(shape.clone()).or_default();
            if *count >= PAGES_PER_SHAPE {
                continue;
            }
            *count += 1;
            self.visit(&path).await;
            visited.push(path.clone());
            self.check_window(&format!("{who} {path}"), shape).await;
            if self.window == Window::Narrow {
                let outline = self.outline().await;
                let mut problems = outline.problems();
                // Where the address led, after any redirect ("/" leads to the role's home).
                let landed = self.path().await;
                if let Some(earlier) = titles.insert(outline.title.clone(), landed.clone())
                    && earlier != landed
                {
                    problems.push(format!("the same title as {earlier}: {:?}", outline.title));
                }
                if !problems.is_empty() {
                    self.problems
                        .push(format!("{who} {path}: {}", problems.join("; ")));
                }
            }
            let links = self
                .client
                .execute(
                    "return [...document.querySelectorAll('a[href]')].map((a) => a.href);",
                    vec![],
                )
                .await
                .expect("links");
            for link in links.as_array().into_iter().flatten() {
                let Some(path) = link.as_str().and_then(|l| l.strip_prefix(&self.base)) else {
                    continue;
                };
                let path = path.split('#').next().unwrap_or_default();
                let leaves_out = ["/sign-out", "/assets/", "/api/", "/dashboard/tables/"]
                    .iter()
                    .any(|p| path.starts_with(p))
                    || [".pdf", "/pdf", ".csv", ".xlsx", ".json"]
                        .iter()
                        .any(|e| path.split('?').next().unwrap_or_default().ends_with(e))
                    || is_document_download(path);
                if !path.is_empty() && !leaves_out && !seen.contains(path) {
                    queue.push_back(path.to_owned());
                }
            }
        }
        visited
    }

    /// The checks [`Browser::crawl`] makes of each page.
    async fn check_window(&mut self, name: &str, shape: String) {
        let width: Width = serde_json::from_value(
            self.client
                .execute(WIDTH_SCRIPT, vec![json!(self.window.width())])
                .await
                .expect("measure the page"),
        )
        .expect("widths");
        if width.page > width.window {
            self.problems.push(format!(
                "{name} ({:?}): the page is {} px wide in a window of {} px; sticking out: {:?}",
                self.window, width.page, width.window, width.wide
            ));
        }
        match self.window {
            Window::Narrow => {
                if self.javascript && self.axe_checked.insert(shape) {
                    self.run_axe(name).await;
                }
            }
            Window::LargeText => {
                let text: CutOff = serde_json::from_value(
                    self.client
                        .execute(CUT_OFF_SCRIPT, vec![])
                        .await
                        .expect("look for cut-off text"),
                )
                .expect("cut-off text");
                assert_eq!(text.font, "32px", "the text size setting took effect");
                if !text.cut.is_empty() {
                    self.problems
                        .push(format!("{name}: text cut off at 200%: {:?}", text.cut));
                }
            }
            Window::Desktop => {}
        }
    }
}

/// A page address with its query left out and every run of digits written `N`: the pages of
/// one kind (a case, an account) share it.
fn address_shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let mut shape = String::new();
    for c in path.chars() {
        if !c.is_ascii_digit() {
            shape.push(c);
        } else if !shape.ends_with('N') {
            shape.push('N');
        }
    }
    shape
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

/// A document's download (`/cases/{reference}/documents/{id}`): a file, not a page.
fn is_document_download(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let id = parts.next().unwrap_or_default();
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && parts.next() == Some("documents")
}

/// Chromium and chromedriver, or `None` (having said so) when they are missing and the browser
/// tests are not required.
pub fn prerequisites(what: &str) -> Option<Prerequisites> {
    match Prerequisites::find() {
        Ok(found) => Some(found),
        Err(missing) if !required() => {
            eprintln!("SKIPPED {what}: {missing}.");
            None
        }
        Err(missing) => panic!("TANDEM_BROWSER_TESTS=required, but {missing}"),
    }
}

pub fn assert_no_violations(violations: &[String]) {
    assert!(
        violations.is_empty(),
        "axe-core found {} accessibility violation(s):\n\n{}",
        violations.len(),
        violations.join("\n\n")
    );
}

/// A journey through the pages, told whether JavaScript is on.
pub type Journey = for<'a> fn(&'a mut Browser, bool) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// A 1280 by 1000 window, with or without JavaScript.
pub async fn desktop(
    driver: &ChromeDriver,
    prerequisites: &Prerequisites,
    server: &Server,
    javascript: bool,
) -> Browser {
    Browser::open(driver, prerequisites, server, javascript, Window::Desktop).await
}

/// Runs `journey` against a fresh server, with JavaScript and then without, every page it checks
/// passed through axe-core.
pub async fn both_ways(what: &str, journey: Journey) {
    let Some(prerequisites) = prerequisites(what) else {
        return;
    };
    let server = Server::start().await;
    let driver = ChromeDriver::start(&prerequisites);
    let mut violations = Vec::new();
    for javascript in [true, false] {
        let mut browser = desktop(&driver, &prerequisites, &server, javascript).await;
        journey(&mut browser, javascript).await;
        let (found, _) = browser.close().await;
        violations.extend(found);
    }
    assert_no_violations(&violations);
}

/// Signs out with the header button and checks the session has ended.
pub async fn sign_out(browser: &Browser) {
    browser.press("Sign out").await;
    assert_eq!(browser.path().await, "/sign-in");
    browser.visit("/admin/users").await;
    assert_eq!(
        browser.path().await,
        "/sign-in?next=%2Fadmin%2Fusers",
        "the session has ended"
    );
}
