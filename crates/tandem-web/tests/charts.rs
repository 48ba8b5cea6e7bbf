//! The dashboard's charts: accessible SVG structure and the data table beside it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use scraper::{ElementRef, Html as Document, Selector};
use serde_json::json;
use tandem_core::dashboard::{Dashboard, DashboardSpec, Figure};
use tandem_core::disclosure::SmallNumbers;
use tandem_core::metrics::{FINAL_PLANS_EXCL, Period};
use tandem_core::targets::{Target, Targets};
use tandem_core::{CaseFile, dates};
use tandem_web::charts::{
    Bar, BarChart, Breakdown, Mark, TrendChart, TrendPoint, backlog_chart, breakdown_chart,
    lateness_chart, trend_chart,
};

fn select<'a>(doc: &'a Document, css: &str) -> Vec<ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn text(element: &ElementRef) -> String {
    element.text().collect::<String>().trim().to_owned()
}

/// The structure every chart shares: an SVG image named by its title and description, text
/// no smaller than 14, and a table with one body row per value.
fn check_accessible(doc: &Document, id: &str, values: usize) {
    let svg = select(doc, "figure > svg");
    assert_eq!(svg.len(), 1);
    let svg = svg[0].value();
    assert_eq!(svg.attr("role"), Some("img"));
    assert_eq!(
        svg.attr("aria-labelledby"),
        Some(format!("{id}-title {id}-desc").as_str())
    );
    let title = select(doc, &format!("svg > title#{id}-title"));
    let desc = select(doc, &format!("svg > desc#{id}-desc"));
    assert!(!text(&title[0]).is_empty());
    assert!(!text(&desc[0]).is_empty());
    let base: f64 = svg.attr("font-size").unwrap().parse().unwrap();
    assert!(base >= 14.0);
    for t in select(doc, "svg text") {
        let size: f64 = t
            .value()
            .attr("font-size")
            .map_or(base, |s| s.parse().unwrap());
        assert!(size >= 14.0, "text {:?} at {size}", text(&t));
    }
    // The figures as a table, folded in a details component under the chart.
    let table =
        "figure > details.govuk-details .govuk-details__text > .tandem-table-scroll > table";
    assert_eq!(select(doc, &format!("{table} tbody tr")).len(), values);
    assert_eq!(select(doc, &format!("{table} caption")).len(), 1);
    assert_eq!(
        select(
            doc,
            "figure > details > summary .govuk-details__summary-text"
        )
        .len(),
        1
    );
}

fn bar(label: &str, value: Option<f64>, mark: Mark) -> Bar {
    Bar {
        label: label.into(),
        value,
        display: value.map_or("none measured".into(), |v| format!("{:.0}%", v * 100.0)),
        href: value.map(|_| format!("/dashboard/cases?group={label}")),
        mark,
    }
}

fn rates_chart(target: Option<f64>) -> BarChart {
    BarChart {
        id: "by-manager".into(),
        title: "Final plans within 20 weeks by case manager".into(),
        description: "Ann 80%, Bob 50%, <Cy> none.".into(),
        category: "Case manager".into(),
        measure: "Final plans within 20 weeks".into(),
        bars: vec![
            bar("Ann", Some(0.8), Mark::OnTrack),
            bar("Bob", Some(0.5), Mark::OffTrack),
            bar("<Cy>", None, Mark::Plain),
        ],
        rates: true,
        target: target.map(|t| (t, format!("Target {:.0}%", t * 100.0))),
        flagged_means: None,
    }
}

#[test]
fn a_bar_chart_has_one_bar_per_value_a_target_line_and_hatching_for_off_track() {
    let doc = Document::parse_fragment(rates_chart(Some(0.7)).render().unwrap().as_str());
    check_accessible(&doc, "by-manager", 3);
    assert_eq!(select(&doc, "rect.tandem-chart__bar").len(), 3);
    let hatched = select(&doc, "rect.tandem-chart__bar--hatched");
    assert_eq!(hatched.len(), 1);
    assert_eq!(
        hatched[0].value().attr("fill"),
        Some("url(#by-manager-hatch)")
    );
    assert_eq!(select(&doc, "pattern#by-manager-hatch").len(), 1);
    // The plot runs from x = 190 over 380 units: 70% is at 190 + 266.
    let target = select(&doc, "line.tandem-chart__target");
    assert_eq!(target.len(), 1);
    assert_eq!(target[0].value().attr("x1"), Some("456"));
    // Bar lengths follow the rates: 80% of 380 and 50% of 380.
    let widths: Vec<&str> = select(&doc, "rect.tandem-chart__bar")
        .iter()
        .map(|r| r.value().attr("width").unwrap())
        .collect();
    assert_eq!(widths, ["304", "190", "0"]);
    // The table says on or off track in words and links each measured value to its cases.
    let statuses: Vec<String> = select(&doc, "tbody td:nth-child(3)")
        .iter()
        .map(text)
        .collect();
    assert_eq!(statuses, ["On track", "Off track", ""]);
    let links = select(&doc, "tbody a.govuk-link");
    assert_eq!(links.len(), 2);
    assert_eq!(
        links[0].value().attr("href"),
        Some("/dashboard/cases?group=Ann")
    );
    // Labels are escaped.
    assert!(select(&doc, "Cy").is_empty());
    assert!(select(&doc, "tbody th").iter().any(|th| text(th) == "<Cy>"));
}

#[test]
fn without_a_target_no_line_is_drawn() {
    let doc = Document::parse_fragment(rates_chart(None).render().unwrap().as_str());
    assert!(select(&doc, ".tandem-chart__target").is_empty());
}

fn point(label: &str, rate: Option<f64>, target: Option<f64>, mark: Mark) -> TrendPoint {
    TrendPoint {
        label: label.into(),
        rate,
        display: rate.map_or("none measured".into(), |r| format!("{:.0}%", r * 100.0)),
        target,
        href: None,
        mark,
    }
}

#[test]
fn a_trend_chart_has_one_point_per_measured_month_and_a_stepped_target() {
    let chart = TrendChart {
        id: "trend".into(),
        title: "Final plans within 20 weeks, by month".into(),
        description: "Rising from 40% to 75%.".into(),
        measure: "Final plans within 20 weeks".into(),
        period: "Month",
        points: vec![
            point("Jan 2026", Some(0.4), None, Mark::Plain),
            point("Feb 2026", None, Some(0.6), Mark::Plain),
            point("Mar 2026", Some(0.5), Some(0.6), Mark::OffTrack),
            point("Apr 2026", Some(0.75), Some(0.7), Mark::OnTrack),
        ],
    };
    let doc = Document::parse_fragment(chart.render().unwrap().as_str());
    check_accessible(&doc, "trend", 4);
    assert_eq!(select(&doc, ".tandem-chart__point").len(), 3);
    // Off track is a square, not only a colour.
    let off = select(&doc, "rect.tandem-chart__point--off-track");
    assert_eq!(off.len(), 1);
    assert_eq!(select(&doc, "circle.tandem-chart__point").len(), 2);
    // The line breaks at the unmeasured month; the target starts in February and steps up.
    let line = select(&doc, "path.tandem-chart__line")[0]
        .value()
        .attr("d")
        .unwrap();
    assert_eq!(line.matches('M').count(), 2, "{line}");
    let target = select(&doc, "path.tandem-chart__target")[0]
        .value()
        .attr("d")
        .unwrap();
    assert_eq!(target.matches('M').count(), 1, "{target}");
    assert_eq!(target.split_whitespace().count(), 6, "{target}");
    let targets: Vec<String> = select(&doc, "tbody td:nth-child(3)")
        .iter()
        .map(text)
        .collect();
    assert_eq!(targets, ["none", "60.0%", "60.0%", "70.0%"]);
}

fn dashboard() -> Dashboard {
    let date = |t| dates::parse_iso(t).unwrap();
    let spec = DashboardSpec {
        period: Period {
            start: date("2026-01-01"),
            end: date("2026-03-31"),
        },
        as_of: date("2026-03-31"),
        trend_months: 3,
        draft_plan_weeks: 14,
    };
    let targets = Targets(vec![Target {
        measure: FINAL_PLANS_EXCL.into(),
        from: date("2025-01-01"),
        rate: 0.7,
    }]);
    let mut d = Dashboard::new(spec, targets);
    let cases = [
        // Late because of health advice; final plan in February.
        json!([
            { "type": "request_received", "date": "2025-09-01" },
            { "type": "decision_to_assess", "date": "2025-10-06", "outcome": "assess" },
            { "type": "advice_requested", "date": "2025-10-07", "advice": "health" },
            { "type": "advice_received", "date": "2025-12-01", "advice": "health" },
            { "type": "draft_plan_issued", "date": "2026-01-05" },
            { "type": "final_plan_issued", "date": "2026-02-02" }
        ]),
        // On time in March.
        json!([
            { "type": "request_received", "date": "2025-10-13" },
            { "type": "decision_to_assess", "date": "2025-11-10", "outcome": "assess" },
            { "type": "draft_plan_issued", "date": "2026-02-16" },
            { "type": "final_plan_issued", "date": "2026-03-02" }
        ]),
        // Open for 30 weeks.
        json!([{ "type": "request_received", "date": "2025-08-26" }]),
    ];
    for (i, events) in cases.into_iter().enumerate() {
        let case = CaseFile::from_value(json!({
            "reference": format!("C{i}"),
            "child": { "date_of_birth": "2015-01-01", "primary_need": "ASD" },
            "events": events
        }))
        .unwrap();
        d.add_case(&case, Some(["Ann", "Bob", "Ann"][i]));
    }
    d
}

fn link(figure: &Figure) -> String {
    format!(
        "/dashboard/cases?figure={}",
        serde_json::to_string(figure).unwrap().len()
    )
}

#[test]
fn the_dashboard_charts_carry_its_figures_and_links() {
    let d = dashboard();
    let trend = trend_chart(
        &d,
        FINAL_PLANS_EXCL,
        "Final plans within 20 weeks",
        &link,
        SmallNumbers::SHOWN,
    )
    .unwrap();
    assert!(
        trend.description.contains("as at 31 March 2026"),
        "{}",
        trend.description
    );
    assert!(trend.description.contains("70.0%"), "{}", trend.description);
    let doc = Document::parse_fragment(trend.render().unwrap().as_str());
    check_accessible(&doc, &trend.id, 3);
    // January measured nothing; February 0% and March 100%.
    assert_eq!(select(&doc, ".tandem-chart__point").len(), 2);
    assert_eq!(select(&doc, ".tandem-chart__target").len(), 1);
    assert_eq!(select(&doc, "tbody a").len(), 2);
    assert!(trend_chart(&d, "no_such_rate", "x", &link, SmallNumbers::SHOWN).is_none());

    let by = breakdown_chart(
        &d,
        Breakdown::CaseManager,
        FINAL_PLANS_EXCL,
        "Plans on time",
        &link,
        SmallNumbers::SHOWN,
    )
    .unwrap();
    let labels: Vec<&str> = by.bars.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["Ann", "Bob"]);
    assert_eq!(by.bars[0].mark, Mark::OffTrack);
    assert_eq!(by.bars[1].mark, Mark::OnTrack);
    assert_eq!(by.bars[0].display, "0.0% (0 of 1)");
    assert!(
        by.description.contains("Below the target of 70.0%: Ann."),
        "{}",
        by.description
    );
    let doc = Document::parse_fragment(by.render().unwrap().as_str());
    check_accessible(&doc, &by.id, 2);
    // For analysts, Ann's one case is too few to show: no bar, no figures, only the words.
    let hidden = breakdown_chart(
        &d,
        Breakdown::CaseManager,
        FINAL_PLANS_EXCL,
        "Plans on time",
        &link,
        SmallNumbers::below(5),
    )
    .unwrap();
    assert_eq!(hidden.bars[0].value, None);
    assert_eq!(hidden.bars[0].display, "not shown: a count is fewer than 5");
    let html = hidden.render().unwrap();
    assert!(!html.as_str().contains("0 of 1"), "{}", html.as_str());
    assert_eq!(select(&doc, "line.tandem-chart__target").len(), 1);

    let backlog = backlog_chart(&d, &link, SmallNumbers::SHOWN);
    assert_eq!(backlog.bars.len(), 14);
    assert_eq!(backlog.bars[7].display, "1"); // 30 weeks: the 28–31 bar
    let doc = Document::parse_fragment(backlog.render().unwrap().as_str());
    check_accessible(&doc, "backlog", 14);
    // Bars from 20 weeks on are hatched: 9 of the 14.
    assert_eq!(select(&doc, "rect.tandem-chart__bar--hatched").len(), 9);
    assert_eq!(select(&doc, "tbody a").len(), 1);

    let late = lateness_chart(&d, &link, SmallNumbers::SHOWN);
    assert_eq!(late.bars.len(), 1);
    assert_eq!(late.bars[0].label, "Health advice");
    let doc = Document::parse_fragment(late.render().unwrap().as_str());
    check_accessible(&doc, "lateness", 1);
}
