//! Every component against the `fixtures.json` that ships in govuk-frontend: the fixture's
//! options are deserialised into the component's options struct, rendered, and compared with the
//! fixture's HTML as normalised trees (attribute and class order and whitespace do not count).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use askama::Template;
use scraper::{ElementRef, Node};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tandem_web::components::*;

#[derive(Deserialize)]
struct FixtureFile {
    component: String,
    fixtures: Vec<Fixture>,
}

#[derive(Deserialize)]
struct Fixture {
    name: String,
    options: serde_json::Value,
    html: String,
}

fn load(component: &str) -> FixtureFile {
    let web = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web");
    let path = web.join(format!(
        "node_modules/govuk-frontend/dist/govuk/components/{component}/fixtures.json"
    ));
    let json = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): the govuk-frontend package is not installed; \
             run `npm ci --prefix web` in the repository root first",
            path.display()
        )
    });
    let file: FixtureFile = serde_json::from_str(&json).expect("fixtures.json parses");
    assert_eq!(file.component, component);
    file
}

/// Canonical text of an HTML fragment: one node per line, indented by depth, attributes sorted,
/// class lists as sorted sets, text with whitespace collapsed and empty text dropped.
fn normalise(html: &str, drop: Option<&str>) -> String {
    let doc = scraper::Html::parse_fragment(html);
    let dropped = drop.map(|s| scraper::Selector::parse(s).expect("selector"));
    let mut out = String::new();
    write_children(doc.root_element(), dropped.as_ref(), 0, &mut out);
    out
}

fn write_children(
    parent: ElementRef<'_>,
    drop: Option<&scraper::Selector>,
    depth: usize,
    out: &mut String,
) {
    let indent = "  ".repeat(depth);
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut String| {
        let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !collapsed.is_empty() {
            let _ = writeln!(out, "{indent}{collapsed:?}");
        }
        text.clear();
    };
    for child in parent.children() {
        match child.value() {
            Node::Text(t) => text.push_str(t),
            Node::Element(e) => {
                let element = ElementRef::wrap(child).expect("element");
                if drop.is_some_and(|s| s.matches(&element)) {
                    continue;
                }
                flush(&mut text, out);
                let attrs: BTreeSet<String> = e
                    .attrs()
                    .map(|(name, value)| {
                        let value = if name == "class" {
                            let classes: BTreeSet<&str> = value.split_whitespace().collect();
                            classes.into_iter().collect::<Vec<_>>().join(" ")
                        } else {
                            value.to_owned()
                        };
                        format!("{name}={value:?}")
                    })
                    .collect();
                let attrs = attrs.into_iter().collect::<Vec<_>>().join(" ");
                let _ = writeln!(out, "{indent}<{} {attrs}>", e.name());
                write_children(element, drop, depth + 1, out);
            }
            _ => {}
        }
    }
    flush(&mut text, out);
}

/// A fixture this library deliberately does not render, with the reason.
type Skip = (&'static str, &'static str);

/// Renders every fixture of `component` with `T` and compares; `skips` must name real fixtures.
/// `drop` removes matching elements from the expected HTML (markup Tandem deliberately omits).
fn check<T: DeserializeOwned + Template>(component: &str, skips: &[Skip], drop: Option<&str>) {
    let file = load(component);
    for (name, _) in skips {
        assert!(
            file.fixtures.iter().any(|f| f.name == *name),
            "{component}: skipped fixture {name:?} does not exist"
        );
    }
    let mut failures = Vec::new();
    let mut passed = 0;
    for fixture in &file.fixtures {
        if skips.iter().any(|(name, _)| *name == fixture.name) {
            continue;
        }
        let options: T = match serde_json::from_value(fixture.options.clone()) {
            Ok(options) => options,
            Err(e) => {
                failures.push(format!("{:?}: options rejected: {e}", fixture.name));
                continue;
            }
        };
        let rendered = options.render().expect("renders");
        let (expected, actual) = (normalise(&fixture.html, drop), normalise(&rendered, None));
        if expected == actual {
            passed += 1;
        } else {
            failures.push(format!(
                "{:?}: markup differs\n--- expected\n{expected}--- actual\n{actual}--- rendered\n{rendered}\n",
                fixture.name
            ));
        }
    }
    println!(
        "{component}: {passed} passed, {} failed, {} skipped",
        failures.len(),
        skips.len()
    );
    assert!(
        failures.is_empty(),
        "{component}: {} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn button() {
    check::<Button>("button", &[], None);
}

#[test]
fn tag() {
    check::<Tag>("tag", &[], None);
}

#[test]
fn back_link() {
    check::<BackLink>("back-link", &[], None);
}

#[test]
fn skip_link() {
    check::<SkipLink>("skip-link", &[], None);
}

#[test]
fn inset_text() {
    check::<InsetText>("inset-text", &[], None);
}

#[test]
fn warning_text() {
    check::<WarningText>("warning-text", &[], None);
}

#[test]
fn label() {
    check::<Label>("label", &[], None);
}

#[test]
fn hint() {
    check::<Hint>("hint", &[], None);
}

#[test]
fn error_message() {
    check::<ErrorMessage>("error-message", &[], None);
}

#[test]
fn fieldset() {
    check::<Fieldset>("fieldset", &[], None);
}

#[test]
fn input() {
    check::<Input>("input", &[], None);
}

#[test]
fn textarea() {
    check::<Textarea>("textarea", &[], None);
}

#[test]
fn select() {
    check::<Select>("select", &[FALSY_ITEMS], None);
}

const FALSY_ITEMS: Skip = (
    "with falsy items",
    "`false`/`\"\"` entries in `items` are a Nunjucks truthiness quirk; Rust callers use None",
);

#[test]
fn radios() {
    let skips = [
        FALSY_ITEMS,
        (
            "with empty conditional",
            "`conditional: { html: false }` is a truthiness quirk; omit `conditional` instead",
        ),
    ];
    check::<Radios>("radios", &skips, None);
}

#[test]
fn checkboxes() {
    let skips = [
        ("with falsy values", FALSY_ITEMS.1),
        (
            "empty conditional",
            "`conditional: { html: false }` is a truthiness quirk; omit `conditional` instead",
        ),
    ];
    check::<Checkboxes>("checkboxes", &skips, None);
}

#[test]
fn error_summary() {
    check::<ErrorSummary>("error-summary", &[], None);
}

#[test]
fn summary_list() {
    check::<SummaryList>(
        "summary-list",
        &[("with falsy values", FALSY_ITEMS.1)],
        None,
    );
}

#[test]
fn table() {
    check::<Table>("table", &[FALSY_ITEMS], None);
}

#[test]
fn notification_banner() {
    check::<NotificationBanner>("notification-banner", &[], None);
}

#[test]
fn pagination() {
    check::<Pagination>("pagination", &[], None);
}

#[test]
fn generic_header() {
    check::<GenericHeader>("generic-header", &[], None);
}

#[test]
fn footer() {
    // Tandem's footer omits the crown logo (it is for GOV.UK services only).
    check::<Footer>("footer", &[], Some(".govuk-footer__crown"));
}

#[test]
fn date_input() {
    const OMIT: &str =
        "`day`/`month`/`year: false` drops a field; Rust callers list `items` instead";
    check::<DateInput>(
        "date-input",
        &[("day and month", OMIT), ("month and year", OMIT)],
        None,
    );
}
