//! The reporting pages over generated cases: the dashboard with its period form, drill-downs
//! that agree with their figures (references for managers, pseudonyms for analysts), CSV
//! downloads, the improvement plan and the board report.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use calamine::Reader;
use support::{TestApp, TestResponse};
use tandem_app::generate::GenerateOptions;
use tandem_app::interchange::improvement_plan;
use tandem_app::transfer::{self, Progress};
use tandem_core::Role;
use tandem_core::disclosure::SmallNumbers;
use tandem_core::improvement_plan::ImprovementPlan;
use tandem_core::targets::LocalTargets;
use tandem_web::{Reporting, WebConfig};

struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: &str, _: Option<u64>) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

const CASES: usize = 300;
/// A year of figures as at its last day, well inside the generated history.
const YEAR: &str = "period=range&start=2025-04-01&end=2026-03-31&as_at=2026-03-31";

fn example_plan() -> ImprovementPlan {
    improvement_plan::read(include_str!("../../../examples/improvement-plan.csv").as_bytes())
        .expect("example plan")
}

/// The application with the example targets and plan, and generated cases up to today; every
/// count shown to everyone, so that analysts' lists can be checked against their figures.
async fn app() -> TestApp {
    app_hiding(SmallNumbers::SHOWN).await
}

/// As [`app`], with analysts' tables hiding the counts `small` hides.
async fn app_hiding(small: SmallNumbers) -> TestApp {
    let mut reporting = Reporting::new().expect("reporting");
    reporting.small_numbers = small;
    reporting.targets = LocalTargets::from_toml(include_str!("../../../examples/targets.toml"))
        .expect("example targets");
    let app = TestApp::with_config(WebConfig {
        reporting,
        ..support::config()
    })
    .await;
    transfer::import_improvement_plan(app.store(), &example_plan(), false)
        .await
        .expect("keep the example plan");
    let options = GenerateOptions {
        cases: CASES,
        seed: 5,
        as_of: tandem_core::dates::england_date(app.now()),
        case_managers: 1,
    };
    transfer::generate_into(app.store(), options, &mut Quiet)
        .await
        .expect("generate");
    app
}

/// "55.8% (2,703 of 4,843)" → 4843; "612" → 612.
fn counted(display: &str) -> u64 {
    let number = match display.split_once(" of ") {
        Some((_, rest)) => rest.trim_end_matches(')'),
        None => display,
    };
    number.replace(',', "").parse().expect("a count")
}

fn links(page: &TestResponse, css: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(&page.body);
    let selector = scraper::Selector::parse(css).expect("selector");
    doc.select(&selector)
        .map(|a| {
            let own: String = a
                .children()
                .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                .collect();
            (
                a.value().attr("href").expect("href").to_owned(),
                own.trim().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_dashboard_shows_the_chosen_period_and_as_at_date_with_every_chart() {
    let app = app().await;
    let manager = app.session(Role::TeamManager).await;
    let page = app.get(&format!("/dashboard?{YEAR}"), Some(&manager)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts("h1"), ["Performance dashboard"]);
    // First, the headline tiles for the period's last month; then the period form, folded.
    assert_eq!(page.texts("#on-track"), ["Are we on track? March 2026"]);
    assert_eq!(
        page.texts(".tandem-tile h3"),
        [
            "Final plans issued within 20 weeks (exception cases left out)",
            "Decisions whether to assess within 6 weeks",
            "Advice within 6 weeks (all kinds)",
            "Annual review meetings held on time"
        ]
    );
    let facts = page.texts(".tandem-tile:first-child dt");
    assert_eq!(
        facts,
        [
            "Last 12 months",
            "Since February 2026",
            "Target and trajectory",
            "England"
        ]
    );
    assert!(
        page.texts(".tandem-tile:first-child dd")[3].starts_with("46.4% (England, 2024"),
        "{:?}",
        page.texts(".tandem-tile:first-child dd")
    );
    assert!(page.body.find("class=\"tandem-tiles\"") < page.body.find("id=\"start-day\""));
    assert_eq!(
        page.texts("#shown"),
        [format!(
            "Figures for 1 April 2025 to 31 March 2026, as at 31 March 2026, from {CASES} cases."
        )]
    );
    // The form shows what it chose.
    assert_eq!(page.attr("#start-day", "value").as_deref(), Some("1"));
    assert_eq!(page.attr("#end-month", "value").as_deref(), Some("3"));
    assert_eq!(page.attr("#as_at-year", "value").as_deref(), Some("2026"));
    assert_eq!(
        page.attr("input[name=period][value=range]", "checked")
            .as_deref(),
        Some("")
    );
    // 7 trends, 3 breakdowns, advice by kind and by provider, the backlog and the reasons for
    // lateness.
    assert_eq!(page.texts("figure > svg[role=img]").len(), 14);
    assert_eq!(
        page.texts("figure .tandem-table-scroll > table caption")
            .len(),
        14
    );
    // The generator asks three health providers; each is a row of its own.
    let providers = page.texts("#advice-provider table tbody th");
    for health in [
        "Community paediatrics (health advice)",
        "Children's therapy services (health advice)",
        "Child and adolescent mental health services (health advice)",
    ] {
        assert!(providers.iter().any(|p| p == health), "{providers:?}");
    }
    let headline = page.texts("#headline + details table tbody tr th");
    assert_eq!(headline.len(), 11);
    // The headline measure is judged against the target in force (70% since 2021).
    let first = page.texts("#headline + details table tbody tr:first-child td");
    assert_eq!(first[1], "70.0%");
    assert!(
        first[2] == "On track" || first[2] == "Off track",
        "{first:?}"
    );
    // One audited aggregate read.
    let audit = app.audit("view_dashboard").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].detail["as_of"], "2026-03-31");
    assert_eq!(audit[0].detail["cases"], CASES);

    // The figures and the form are drawn once per period and kept: the same period again is
    // the same page, read and audited again; another period shows its own choice in the form.
    let again = app.get(&format!("/dashboard?{YEAR}"), Some(&manager)).await;
    assert_eq!(again.body, page.body);
    assert_eq!(app.audit("view_dashboard").await.len(), 2);
    let month = app
        .get(
            "/dashboard?period=month&month=2026-02&as_at=2026-03-31",
            Some(&manager),
        )
        .await;
    assert_eq!(
        month.attr("#month option[selected]", "value").as_deref(),
        Some("2026-02")
    );
    assert_eq!(
        month
            .attr("input[name=period][value=month]", "checked")
            .as_deref(),
        Some("")
    );
    assert_eq!(month.texts("#on-track"), ["Are we on track? February 2026"]);
}

#[tokio::test]
async fn by_default_the_dashboard_shows_last_month_as_at_today() {
    let app = app().await;
    let analyst = app.session(Role::Analyst).await;
    let page = app.get("/dashboard", Some(&analyst)).await;
    assert_eq!(page.status, StatusCode::OK);
    let today = tandem_core::dates::england_date(app.now());
    let last_month = tandem_core::dashboard::Month::of(today).back(1);
    let shown = page.texts("#shown").join("");
    assert!(shown.starts_with(&format!("Figures for {} (1 ", last_month.label())));
    assert!(shown.contains(&format!("as at {}", tandem_core::dates::long(today))));
    assert_eq!(
        page.attr("#month option[selected]", "value"),
        Some(last_month.to_string())
    );
}

#[tokio::test]
async fn a_period_that_makes_no_sense_shows_the_form_again_with_its_errors() {
    let app = app().await;
    let manager = app.session(Role::HeadOfService).await;
    let page = app
        .get(
            "/dashboard?period=range&start-day=31&start-month=2&start-year=2026&end-day=1&end-month=3&end-year=2026",
            Some(&manager),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.texts(".govuk-error-summary__list a"),
        ["The start date must be a real date"]
    );
    assert_eq!(page.attr("#start-day", "value").as_deref(), Some("31"));
    assert!(page.texts("#shown").is_empty());
    assert!(app.audit("view_dashboard").await.is_empty());
}

#[tokio::test]
async fn a_far_off_month_is_refused_on_every_reporting_page_not_a_server_error() {
    let app = app().await;
    let manager = app.session(Role::HeadOfService).await;
    for path in ["/dashboard", "/report", "/plan", "/dashboard/cases"] {
        for month in ["262142-12", "-5-01", "99999-01"] {
            let page = app
                .get(
                    &format!("{path}?period=month&month={month}"),
                    Some(&manager),
                )
                .await;
            assert!(
                page.status.is_client_error() || page.status.is_success(),
                "{path} month={month}: {}",
                page.status
            );
        }
    }
}

#[tokio::test]
async fn every_drill_down_lists_as_many_cases_as_its_figure_counts() {
    let app = app().await;
    let manager = app.session(Role::TeamManager).await;
    let page = app.get(&format!("/dashboard?{YEAR}"), Some(&manager)).await;
    // The headline figures, a month of a trend, a breakdown, advice by provider (the generator
    // asks each provider once per case, so its requests are its cases), the backlog and lateness.
    let mut checked = 0;
    for css in [
        "#headline + details table a",
        "#trend-final-plans-within-20-weeks-excl-exceptions table a",
        "#case-manager-final-plans-within-20-weeks-excl-exceptions table a",
        "#advice-provider table a",
        "#backlog table a",
        "#lateness table a",
    ] {
        let found = links(&page, css);
        assert!(!found.is_empty(), "no links in {css}");
        for (href, display) in found.into_iter().take(3) {
            let list = app.get(&href, Some(&manager)).await;
            assert_eq!(list.status, StatusCode::OK, "{href}");
            let total = counted(&display);
            let expected = if total == 1 {
                "1 case".to_owned()
            } else {
                format!("{} cases", tandem_web::charts::thousands(total))
            };
            // The mean weeks link lists the plans it is a mean of.
            if !display.contains('.') || display.contains('%') {
                assert_eq!(list.texts("#total"), [expected], "{href}");
                assert_eq!(
                    list.texts(".tandem-case-list tbody tr").len() as u64,
                    total.min(50),
                    "{href}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 10);
}

#[tokio::test]
async fn analysts_see_pseudonyms_and_managers_see_references() {
    let app = app().await;
    let figure = r#"{"figure":"measure","key":"final_plans_within_20_weeks_excl_exceptions","slice":{"slice":"all"},"part":"counted"}"#;
    let backlog = format!(
        "/dashboard/cases?{YEAR}&{}",
        serde_urlencoded::to_string([("figure", figure)]).unwrap()
    );
    let analyst = app.session(Role::Analyst).await;
    let pseudonymised = app.get(&backlog, Some(&analyst)).await;
    assert_eq!(pseudonymised.status, StatusCode::OK);
    let names = pseudonymised.texts(".tandem-case-list tbody th");
    assert!(!names.is_empty());
    // No child's name for an analyst: no such column.
    assert!(
        !pseudonymised
            .texts(".tandem-case-list thead th")
            .contains(&"Child".to_owned())
    );
    assert!(names.iter().all(|n| n.starts_with("P-") && n.len() == 18));
    assert!(links(&pseudonymised, ".tandem-case-list a").is_empty());
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "pseudonyms are listed in sorted order");

    let manager = app.session(Role::TeamManager).await;
    let named = app.get(&backlog, Some(&manager)).await;
    let references = links(&named, ".tandem-case-list a");
    assert_eq!(references.len(), names.len());
    // Managers see the child's name and the weeks taken; "late only" keeps the plans issued
    // past 20 weeks, each tagged Late.
    assert_eq!(
        named.texts(".tandem-case-list thead th"),
        ["Case", "Child", "Weeks from the request", "20 weeks"]
    );
    let children = named.texts(".tandem-case-list td[data-label=Child]");
    assert!(
        children
            .iter()
            .all(|c| !c.is_empty() && c != "Not recorded"),
        "{children:?}"
    );
    let late_only = app
        .get(&format!("{backlog}&late=yes"), Some(&manager))
        .await;
    let late_rows = late_only.texts(".tandem-case-list tbody tr");
    assert!(!late_rows.is_empty() && late_rows.len() <= references.len());
    assert!(
        late_rows.iter().all(|r| r.ends_with("Late")),
        "{late_rows:?}"
    );
    assert!(late_only.texts("#total")[0].ends_with("past 20 weeks"));
    assert_eq!(
        late_only.texts("#late-filter"),
        ["Show every case behind the figure"]
    );
    for (href, reference) in &references {
        assert_eq!(href, &format!("/cases/{reference}"));
        assert!(!pseudonymised.body.contains(reference.as_str()));
    }
    let audit = app.audit("view_cases_behind").await;
    let namings: Vec<&str> = audit
        .iter()
        .map(|a| a.detail["naming"].as_str().unwrap())
        .collect();
    assert_eq!(namings, ["references", "references", "pseudonyms"]);
    // Case managers see no aggregates, so no lists behind them either.
    let case_manager = app.session(Role::CaseManager).await;
    let refused = app.get(&backlog, Some(&case_manager)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_table_downloads_as_csv_and_xlsx_with_the_page_figures() {
    let app = app().await;
    let analyst = app.session(Role::Analyst).await;
    let page = app.get(&format!("/dashboard?{YEAR}"), Some(&analyst)).await;
    let downloads = links(&page, "a[href^='/dashboard/tables/']");
    // The headline table and 14 charts, each as CSV and XLSX, and the workbook of them all.
    assert_eq!(downloads.len(), 15 * 2 + 1);
    let mut sheets = Vec::new();
    for (href, _) in &downloads {
        let file = app.get(href, Some(&analyst)).await;
        assert_eq!(file.status, StatusCode::OK, "{href}");
        let disposition = file.header("content-disposition").unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\""),
            "{disposition}"
        );
        if href.contains(".csv?") {
            assert_eq!(file.header("content-type"), Some("text/csv; charset=utf-8"));
            assert!(disposition.ends_with("-2026-03-31.csv\""), "{disposition}");
            let xlsx = app
                .get(&href.replace(".csv?", ".xlsx?"), Some(&analyst))
                .await;
            let sheet = only_sheet(&xlsx.bytes);
            assert_eq!(sheet, csv_cells(&file.body), "{href} as XLSX");
            sheets.push(sheet);
        } else {
            assert_eq!(file.header("content-type"), Some(XLSX));
            assert!(disposition.ends_with("-2026-03-31.xlsx\""), "{disposition}");
        }
    }
    // The workbook holds every table, a sheet each, in the page's order.
    let all: Vec<&String> = downloads
        .iter()
        .map(|(href, _)| href)
        .filter(|href| href.starts_with("/dashboard/tables/all.xlsx?"))
        .collect();
    let [all] = all[..] else {
        panic!("one link to the workbook: {all:?}")
    };
    let workbook = app.get(all, Some(&analyst)).await;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook.bytes)).unwrap();
    let names = book.sheet_names();
    // Then the health lead's table (on its own page), the plan and its measures.
    assert_eq!(names.len(), 18);
    assert_eq!(
        names[15..],
        [
            "Health advice by provider",
            "Improvement plan",
            "Plan measures"
        ]
    );
    assert_eq!(names[0], "Headline measures");
    assert!(names.iter().all(|n| n.chars().count() <= 31), "{names:?}");
    let all_sheets: Vec<Vec<Vec<String>>> = names[..15]
        .iter()
        .map(|n| cells(&book.worksheet_range(n).unwrap()))
        .collect();
    assert_eq!(all_sheets, sheets);
    let headline = app
        .get(
            &format!("/dashboard/tables/headline.csv?{YEAR}"),
            Some(&analyst),
        )
        .await;
    let mut reader = csv::Reader::from_reader(headline.body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "measure_key",
            "measure",
            "value",
            "met",
            "counted",
            "percent",
            "target_percent",
            "against_target"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 11);
    assert_eq!(&rows[0][0], "final_plans_within_20_weeks_excl_exceptions");
    assert_eq!(&rows[0][6], "70.0");
    let shown = links(&page, "#headline + details table a")[0].1.clone();
    assert_eq!(rows[0][4].parse::<u64>().unwrap(), counted(&shown));
    let unknown = app
        .get(
            &format!("/dashboard/tables/nothing.csv?{YEAR}"),
            Some(&analyst),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_plan_tags_overdue_actions_and_reads_its_measures_live() {
    let app = app().await;
    let manager = app.session(Role::HeadOfService).await;
    let page = app.get(&format!("/plan?{YEAR}"), Some(&manager)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts("h1"), ["Improvement plan"]);
    // The example plan's unfinished actions were due in 2020 and 2021.
    let overdue = page.texts("tr.tandem-overdue");
    assert!(!overdue.is_empty());
    assert!(overdue.iter().all(|row| row.contains("Overdue")));
    assert_eq!(
        page.texts(".govuk-warning-text__text").len(),
        1,
        "one warning names how many are overdue"
    );
    // A linked measure shows its live value, its target and a judgement in words.
    let judged: Vec<String> = page
        .texts("td .govuk-tag")
        .into_iter()
        .filter(|t| t == "On track" || t == "Off track")
        .collect();
    assert!(!judged.is_empty());
    assert!(!links(&page, "td a[href^='/dashboard/cases?']").is_empty());

    // The plan downloads in the columns it is imported from, and reads back as the same plan.
    let downloads = links(&page, "a[href^='/dashboard/tables/']");
    assert_eq!(downloads.len(), 4);
    let plan = app.get(&downloads[0].0, Some(&manager)).await;
    assert_eq!(plan.status, StatusCode::OK);
    assert_eq!(
        improvement_plan::read(plan.body.as_bytes()).expect("the download reads back"),
        example_plan()
    );
    let rows = csv_cells(&plan.body);
    assert_eq!(rows[0], improvement_plan::header());
    // The page's rows: the overdue summary (one per overdue action), then each objective's
    // actions and its measures; the download has a row for each action and measure.
    let rows_on_page = page.texts("table tbody tr").len();
    assert_eq!(rows.len() - 1, rows_on_page - overdue.len());
    // Each action opens on its own page, to update it.
    let updates = links(&page, "td a[href^='/plan/actions/']");
    assert_eq!(updates.len(), example_plan().actions().count());
    assert!(
        updates.iter().all(|(_, text)| text == "Update"),
        "{updates:?}"
    );
    let measures = app.get(&downloads[2].0, Some(&manager)).await;
    let measures = csv_cells(&measures.body);
    assert_eq!(
        measures[0][..4],
        ["priority", "objective", "measure", "metric"]
    );
    assert!(
        measures
            .iter()
            .any(|r| r[3] == "final_plans_within_20_weeks_excl_exceptions" && !r[5].is_empty())
    );
}

#[tokio::test]
async fn the_board_report_is_one_printable_page() {
    let app = app().await;
    let manager = app.session(Role::TeamManager).await;
    let page = app
        .get(
            "/report?period=month&month=2026-03&as_at=2026-04-15",
            Some(&manager),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts("h1"), ["EHC needs assessments: March 2026"]);
    assert!(page.texts(".govuk-body-l")[0].starts_with(
        "Performance for March 2026 (1 March 2026 to 31 March 2026), as at 15 April 2026"
    ));
    // 3 trends, the backlog and lateness; the headline table; the plan's progress.
    assert_eq!(page.texts("figure > svg[role=img]").len(), 5);
    // It opens with the summary in words, then 3 trends, the backlog and lateness; the
    // headline table; the plan's progress.
    assert_eq!(
        page.texts("#summary"),
        ["Summary: March 2026 against the month before"]
    );
    let said = page.texts("#summary ~ ul.govuk-list--bullet li");
    assert!(
        said.iter()
            .any(|s| s.contains("final plans issued within 20 weeks")),
        "{said:?}"
    );
    // ... the workforce's figures (supervision, training, caseloads, turnover), and what
    // families and partners say.
    assert_eq!(page.texts("main h2").len(), 8);
    assert_eq!(
        page.texts("main h2").last().map(String::as_str),
        Some("What families and partners say")
    );
    assert!(!page.texts("tr .govuk-tag--red").is_empty());
    // Strict CSP: no inline styles; printing is the stylesheet's business.
    assert!(!page.body.contains("style="));
    assert!(!page.body.contains("<style"));
}

#[cfg(feature = "pdf")]
#[tokio::test]
async fn the_board_report_downloads_as_a_pdf_with_the_same_figures() {
    let app = app().await;
    let manager = app.session(Role::HeadOfService).await;
    let query = "period=month&month=2026-03&as_at=2026-04-15";
    let page = app.get(&format!("/report?{query}"), Some(&manager)).await;
    let pdf_links = links(&page, "a[href^='/report.pdf?']");
    assert_eq!(pdf_links.len(), 1);
    let pdf = app.get(&pdf_links[0].0, Some(&manager)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert_eq!(
        pdf.header("content-disposition"),
        Some("attachment; filename=\"board-report-2026-04-15.pdf\"")
    );
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let text = support::pdf_text(&pdf.bytes);
    // The HTML report's sections and its headline figures, word for word.
    for heading in page.texts("main h2") {
        assert!(text.contains(&heading), "{heading}");
    }
    let headline = links(&page, "h2 + table tbody tr td a");
    assert!(headline.len() >= 7, "{headline:?}");
    for (_, figure) in headline {
        assert!(text.contains(&figure), "{figure}");
    }
    assert!(text.contains("Page 1 of "));
    // A PDF is a read of the figures like any other: audited.
    assert_eq!(app.audit("view_dashboard").await.len(), 2);
    let case_manager = app.session(Role::CaseManager).await;
    let refused = app.get(&pdf_links[0].0, Some(&case_manager)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The cells of a workbook's one sheet as text, as a CSV reader would see them.
fn only_sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 1);
    cells(&book.worksheet_range(&names[0]).unwrap())
}

/// Text of each cell; numbers as they were written in the CSV, and typed as numbers.
fn cells(range: &calamine::Range<calamine::Data>) -> Vec<Vec<String>> {
    use calamine::Data;
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect()
}

/// A CSV file's cells, numbers written as the spreadsheet would show them.
fn csv_cells(body: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes());
    reader
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(|cell| match cell.parse::<f64>() {
                    Ok(f) => format!("{f}"),
                    Err(_) => cell.to_owned(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_health_advice_report_counts_each_provider_and_opens_the_cases_behind_each_figure() {
    let app = app().await;
    let analyst = app.session(Role::Analyst).await;
    let page = app
        .get(&format!("/dashboard/health?{YEAR}"), Some(&analyst))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let providers = page.texts("tbody th");
    assert!(
        providers.iter().all(|p| p.contains("health advice")),
        "{providers:?}"
    );
    assert!(
        providers.len() >= 2,
        "the generator asks several health services: {providers:?}"
    );
    // Each figure opens as many cases as it counts (the generator asks each provider once per
    // case, so its requests are its cases); analysts see pseudonyms, never references.
    let figures = links(&page, "tbody td a");
    assert_eq!(figures.len(), providers.len() * 6);
    let mut opened = 0;
    for (href, display) in figures.iter().filter(|(_, d)| d != "0").take(8) {
        let list = app.get(href, Some(&analyst)).await;
        assert_eq!(list.status, StatusCode::OK, "{href}");
        let total: u64 = display.parse().expect("a count");
        let expected = if total == 1 {
            "1 case".to_owned()
        } else {
            format!("{total} cases")
        };
        assert_eq!(list.texts("#total"), [expected], "{href}");
        assert!(!list.body.contains("EHC-"), "{href}");
        opened += 1;
    }
    assert!(opened >= 4);
    // Received = within 6 weeks + late, on every line.
    for row in page.texts("tbody tr") {
        let numbers: Vec<u64> = row
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        assert_eq!(numbers[1], numbers[2] + numbers[3], "{row}");
    }
    // The download holds the same figures.
    let csv = app
        .get(
            &format!("/dashboard/tables/health-advice.csv?{YEAR}"),
            Some(&analyst),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some(
            "provider,requested,received,received_within_6_weeks,received_late,awaited,awaited_past_6_weeks"
        )
    );
    assert_eq!(lines.count(), providers.len());
    // Only those who see the service's figures.
    let case_manager = app.session(Role::CaseManager).await;
    assert_eq!(
        app.get(&format!("/dashboard/health?{YEAR}"), Some(&case_manager))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

/// Issue 14, finding 17: a provider asked about one child would single that child out in an
/// analyst's tables. Below the threshold (5 by default) the analyst sees "fewer than 5" (and
/// `[c]` in downloads) with the reason, and the drill-down lists no pseudonyms; a manager, who may
/// open the cases anyway, sees the figures.
#[tokio::test]
async fn an_analyst_sees_fewer_than_5_for_a_provider_of_one_case() {
    let app = app_hiding(SmallNumbers::below(5)).await;
    let case = serde_json::json!({
        "reference": "EHC-LONE-1",
        "child": { "given_name": "Sam", "family_name": "Lone", "date_of_birth": "2016-04-09" },
        "events": [
            { "type": "request_received", "date": "2025-06-02" },
            { "type": "decision_to_assess", "date": "2025-06-30", "outcome": "assess" },
            { "type": "advice_requested", "date": "2025-07-01", "advice": "health",
              "provider": "Lone Practice Therapy" },
            { "type": "advice_received", "date": "2025-07-20", "advice": "health" },
        ],
    });
    app.add_case(case, None).await;
    let row_of = |page: &TestResponse| {
        page.texts("tr")
            .into_iter()
            .find(|row| row.contains("Lone Practice Therapy"))
            .unwrap_or_else(|| panic!("no row for the provider: {}", page.body))
    };

    let analyst = app.session(Role::Analyst).await;
    let page = app.get(&format!("/dashboard?{YEAR}"), Some(&analyst)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let row = row_of(&page);
    assert!(row.contains("not shown: a count is fewer than 5"), "{row}");
    assert!(!row.contains("1 of 1"), "{row}");
    assert!(page.texts("#suppressed")[0].contains("counts from 1 to 4"));

    let csv = app
        .get(
            &format!("/dashboard/tables/advice-provider.csv?{YEAR}"),
            Some(&analyst),
        )
        .await;
    let line = csv
        .body
        .lines()
        .find(|l| l.starts_with("Lone Practice Therapy"))
        .expect("the provider's line")
        .to_owned();
    assert!(
        line.starts_with("Lone Practice Therapy,health,[c],[c],[c],"),
        "{line}"
    );

    let health = app
        .get(&format!("/dashboard/health?{YEAR}"), Some(&analyst))
        .await;
    let row = row_of(&health);
    assert!(row.contains("fewer than 5"), "{row}");
    assert!(!row.split_whitespace().any(|w| w == "1"), "{row}");

    // The cases behind it: neither how many nor who.
    let (href, display) = links(&health, "tbody tr a")
        .into_iter()
        .find(|(href, _)| href.contains("Lone"))
        .expect("a figure of the provider");
    assert_eq!(display, "fewer than 5");
    let list = app.get(&href, Some(&analyst)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.texts("#total"), ["Fewer than 5 cases"]);
    assert!(!list.body.contains("tandem-pseudonym"), "{}", list.body);

    // A manager may open the case, so sees its figures.
    let manager = app.session(Role::TeamManager).await;
    let page = app.get(&format!("/dashboard?{YEAR}"), Some(&manager)).await;
    let row = row_of(&page);
    assert!(row.contains("100.0% (1 of 1)"), "{row}");
    assert!(page.texts("#suppressed").is_empty());
}
