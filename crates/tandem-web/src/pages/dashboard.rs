//! The performance dashboard (`GET /dashboard`), the cases behind any of its figures
//! (`GET /dashboard/cases`); its tables download through [`super::downloads`].
//! All take the same period and as-at query ([`PeriodForm`]), so a list or a download
//! always shows what its page did. The figures come from `tandem_app::reports`, which checks the
//! permission, reads every case once and audits the read.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_app::reports::{self, CasesBehind, Naming};
use tandem_app::services::Caller;
use tandem_app::services::Source;
use tandem_core::dashboard::{BACKLOG_BUCKETS, Backlog, Dashboard, Figure, Part, Reading, Slice};
use tandem_core::disclosure::{MARKER, SmallNumbers};
use tandem_core::headline::{Tile, tiles};
use tandem_core::messages::ReplyTimes;
use tandem_core::metrics::{FINAL_PLANS_EXCL, Metrics};
use tandem_core::names::AdviceKind;
use tandem_core::targets::EnglandFigure;
use tandem_core::{Action, Date, dates};

use crate::Html;
use crate::charts::{
    Breakdown, advice_chart, backlog_chart, breakdown_chart, count_cell, count_shown,
    lateness_chart, percent, provider_chart, provider_label, rate_shown, thousands, trend_chart,
};
use crate::error::{WebError, html};
use crate::pages::downloads::{Downloads, workbook_link};
use crate::pages::forms::{FormErrors, capitalised};
use crate::pages::layout::Layout;
use crate::pages::listing::page_links;
use crate::pages::period::{Chosen, PeriodForm, chosen_period_form, period_form};
use crate::session::CurrentUser;
use crate::state::AppState;

const SECTION: &str = "/dashboard";
/// Cases listed per page of a drill-down.
const PAGE_SIZE: usize = 50;

/// The rates of contracts/metrics.md the dashboard leads with, in the contract's order.
pub(crate) const RATES: [&str; 7] = [
    FINAL_PLANS_EXCL,
    "final_plans_within_20_weeks_incl_exceptions",
    "decisions_to_assess_within_6_weeks",
    "advice_within_6_weeks.all",
    "review_meetings_on_time",
    "review_decisions_within_4_weeks",
    "amended_plans_within_8_weeks",
];

/// The counts of contracts/metrics.md.
const COUNTS: [&str; 3] = [
    "final_plans_issued",
    "final_plans_over_52_weeks",
    "open_assessments_overdue",
];

/// A rate's name in a few words, for a sheet's name (which may hold 31 characters).
fn short_label(key: &str) -> &str {
    match key {
        FINAL_PLANS_EXCL => "plans excl. exceptions",
        "final_plans_within_20_weeks_incl_exceptions" => "all plans",
        "decisions_to_assess_within_6_weeks" => "decisions to assess",
        "advice_within_6_weeks.all" => "advice",
        "review_meetings_on_time" => "review meetings",
        "review_decisions_within_4_weeks" => "review decisions",
        "amended_plans_within_8_weeks" => "amended plans",
        other => other,
    }
}

/// A measure's name for people.
pub(crate) fn measure_label(key: &str) -> String {
    match key {
        FINAL_PLANS_EXCL => "Final plans issued within 20 weeks (exception cases left out)".into(),
        "final_plans_within_20_weeks_incl_exceptions" => {
            "Final plans issued within 20 weeks (all plans)".into()
        }
        "decisions_to_assess_within_6_weeks" => "Decisions whether to assess within 6 weeks".into(),
        "advice_within_6_weeks.all" => "Advice within 6 weeks (all kinds)".into(),
        "review_meetings_on_time" => "Annual review meetings held on time".into(),
        "review_decisions_within_4_weeks" => {
            "Review decisions within 4 weeks of the meeting".into()
        }
        "amended_plans_within_8_weeks" => "Amended plans within 8 weeks of the notice".into(),
        "final_plans_issued" => "Final plans issued".into(),
        "final_plans_over_52_weeks" => {
            "Final plans issued more than 52 weeks after the request".into()
        }
        "open_assessments_overdue" => "Open assessments past the 20-week limit".into(),
        "weeks_to_issue_mean_excl_exceptions" => {
            "Mean weeks from request to final plan (exception cases left out)".into()
        }
        other => match other
            .strip_prefix("advice_within_6_weeks.")
            .and_then(AdviceKind::parse)
        {
            Some(kind) => format!("{} within 6 weeks", kind.label()),
            None => other.to_owned(),
        },
    }
}

/// "trend-final-plans-within-20-weeks-excl-exceptions": a key as part of an id or file name.
fn slug(key: &str) -> String {
    key.replace(['.', '_'], "-")
}

/// The address of the cases behind `figure`, for the period and date in `chosen`.
#[expect(clippy::expect_used, reason = "a figure serialises; encodes")]
pub(crate) fn cases_link(chosen: &Chosen, figure: &Figure) -> String {
    let figure = serde_json::to_string(figure).expect("a figure serialises");
    let figure = serde_urlencoded::to_string([("figure", figure)]).expect("encodes");
    format!("/dashboard/cases?{}&{figure}", chosen.query())
}

/// One row of the headline table.
pub(crate) struct HeadlineRow {
    pub(crate) label: String,
    pub(crate) display: String,
    pub(crate) href: Option<String>,
    pub(crate) target: Option<String>,
    /// On track (`Some(true)`), off track, or not judged.
    pub(crate) on_track: Option<bool>,
}

/// The contract's measures for the period, each linking to the cases it counts.
pub(crate) fn headline_rows(
    d: &Dashboard,
    chosen: &Chosen,
    small: SmallNumbers,
) -> Vec<HeadlineRow> {
    let counted = |key: &str| {
        cases_link(
            chosen,
            &Figure::Measure {
                key: key.to_owned(),
                slice: Slice::All,
                part: Part::Counted,
            },
        )
    };
    let mut rows: Vec<HeadlineRow> = RATES
        .iter()
        .filter_map(|key| d.reading(key).map(|r| (key, r)))
        .map(|(key, reading)| HeadlineRow {
            label: measure_label(key),
            display: rate_shown(small, reading.rate),
            href: (reading.rate.denominator > 0).then(|| counted(key)),
            target: reading.target.map(|t| percent(t.rate)),
            on_track: reading.on_track,
        })
        .collect();
    for key in COUNTS {
        let count = d.headline.count(key).unwrap_or_default();
        rows.push(HeadlineRow {
            label: measure_label(key),
            display: count_shown(small, count),
            href: (count > 0).then(|| counted(key)),
            target: None,
            on_track: None,
        });
    }
    rows.push(HeadlineRow {
        label: measure_label("weeks_to_issue_mean_excl_exceptions"),
        display: d
            .headline
            .weeks_to_issue_mean_excl_exceptions()
            .map_or_else(|| "none issued".to_owned(), |w| format!("{w:.1}")),
        href: d
            .headline
            .weeks_to_issue_mean_excl_exceptions()
            .map(|_| counted(FINAL_PLANS_EXCL)),
        target: None,
        on_track: None,
    });
    rows
}

/// A table of the dashboard: drawn as a chart (the headline measures as a table) and
/// downloadable as CSV or XLSX under [`Table::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Headline,
    Trend(&'static str),
    Breakdown(Breakdown),
    Advice,
    Provider,
    Backlog,
    Lateness,
    /// Health advice by provider for the Designated Medical Officer: requested, received (on
    /// time or late) and still awaited. Shown on its own page, not as a chart.
    HealthAdvice,
}

/// A CSV table: its header and rows.
pub(crate) type Rows = (Vec<&'static str>, Vec<Vec<String>>);

const RATE_COLUMNS: [&str; 5] = [
    "met",
    "counted",
    "percent",
    "target_percent",
    "against_target",
];

/// The CSV cells of a rate read against its target: where `small` hides the rate, the number
/// that met the limit and the percentage are `[c]` (and the number counted too when it is small).
pub(crate) fn rate_cells(reading: &Reading, small: SmallNumbers) -> Vec<String> {
    let one_decimal = |r: f64| format!("{:.1}", r * 100.0);
    let hidden = small.hides_rate(reading.rate);
    let or_marker = |cell: String| if hidden { MARKER.to_owned() } else { cell };
    vec![
        or_marker(reading.rate.numerator.to_string()),
        count_cell(small, reading.rate.denominator),
        or_marker(reading.rate.rate().map(one_decimal).unwrap_or_default()),
        reading
            .target
            .map(|t| one_decimal(t.rate))
            .unwrap_or_default(),
        match reading.on_track {
            Some(true) => "on track".into(),
            Some(false) => "off track".into(),
            None => String::new(),
        },
    ]
}

pub(crate) fn with_rate(first: &[&'static str]) -> Vec<&'static str> {
    first.iter().chain(RATE_COLUMNS.iter()).copied().collect()
}

impl Table {
    /// Every table, in the order the dashboard shows them.
    pub(crate) fn all() -> Vec<Self> {
        std::iter::once(Self::Headline)
            .chain(RATES.iter().map(|k| Self::Trend(k)))
            .chain(
                [
                    Breakdown::CaseManager,
                    Breakdown::PrimaryNeed,
                    Breakdown::AgeGroup,
                ]
                .map(Self::Breakdown),
            )
            .chain([
                Self::Advice,
                Self::Provider,
                Self::Backlog,
                Self::Lateness,
                Self::HealthAdvice,
            ])
            .collect()
    }

    /// The table's name: its chart's id and its CSV file's name.
    pub(crate) fn name(self) -> String {
        match self {
            Self::Headline => "headline".into(),
            Self::Trend(key) => format!("trend-{}", slug(key)),
            Self::Breakdown(by) => format!("{}-{}", by.slug(), slug(FINAL_PLANS_EXCL)),
            Self::Advice => "advice-kind".into(),
            Self::Provider => "advice-provider".into(),
            Self::Backlog => "backlog".into(),
            Self::Lateness => "lateness".into(),
            Self::HealthAdvice => "health-advice".into(),
        }
    }

    /// The table's sheet in a workbook: at most 31 characters, as Excel allows.
    pub(crate) fn sheet_name(self) -> String {
        match self {
            Self::Headline => "Headline measures".into(),
            Self::Trend(key) => format!("Trend - {}", short_label(key)),
            Self::Breakdown(by) => format!("Plans on time by {}", by.heading().to_lowercase()),
            Self::Advice => "Advice by kind".into(),
            Self::Provider => "Advice by provider".into(),
            Self::Backlog => "Open assessments by week".into(),
            Self::Lateness => "Reasons for lateness".into(),
            Self::HealthAdvice => "Health advice by provider".into(),
        }
    }

    /// The chart, with its data table linking to the cases (none for the headline table).
    pub(crate) fn chart(
        self,
        d: &Dashboard,
        chosen: &Chosen,
        small: SmallNumbers,
    ) -> askama::Result<Option<Html>> {
        let link = |figure: &Figure| cases_link(chosen, figure);
        let name = self.name();
        let html = match self {
            Self::Headline | Self::HealthAdvice => return Ok(None),
            Self::Trend(key) => {
                trend_chart(d, key, &measure_label(key), &link, small).map(|mut c| {
                    c.id = name;
                    c.render()
                })
            }
            Self::Breakdown(by) => breakdown_chart(
                d,
                by,
                FINAL_PLANS_EXCL,
                &measure_label(FINAL_PLANS_EXCL),
                &link,
                small,
            )
            .map(|mut c| {
                c.id = name;
                c.render()
            }),
            Self::Advice => Some(advice_chart(d, &link, small).render()),
            Self::Provider => Some(provider_chart(d, &link, small).render()),
            Self::Backlog => Some(backlog_chart(d, &link, small).render()),
            Self::Lateness => Some(lateness_chart(d, &link, small).render()),
        };
        html.transpose()
    }

    /// The table's figures as CSV rows: counts and rates as numbers, with the target and the
    /// judgement beside each rate.
    /// Counts and rates that `small` hides are written `[c]`.
    pub(crate) fn rows(self, d: &Dashboard, small: SmallNumbers) -> Rows {
        let end = d.spec.period.end;
        let read = |metrics: &Metrics, key: &str| {
            Reading::new(&d.targets, key, end, metrics.rate(key).unwrap_or_default())
        };
        match self {
            Self::Headline => {
                let mut rows: Vec<Vec<String>> = RATES
                    .iter()
                    .map(|key| {
                        let mut row = vec![key.to_string(), measure_label(key), String::new()];
                        row.extend(rate_cells(&read(&d.headline, key), small));
                        row
                    })
                    .collect();
                for key in COUNTS {
                    let count = count_cell(small, d.headline.count(key).unwrap_or_default());
                    rows.push(vec![key.into(), measure_label(key), count]);
                }
                let mean = "weeks_to_issue_mean_excl_exceptions";
                rows.push(vec![
                    mean.into(),
                    measure_label(mean),
                    d.headline
                        .weeks_to_issue_mean_excl_exceptions()
                        .map(|w| format!("{w:.1}"))
                        .unwrap_or_default(),
                ]);
                let header = with_rate(&["measure_key", "measure", "value"]);
                // Counts have no rate: their rate cells stay empty.
                for row in &mut rows {
                    row.resize(header.len(), String::new());
                }
                (header, rows)
            }
            Self::Trend(key) => {
                let rows = d
                    .trend_of(key)
                    .unwrap_or_default()
                    .iter()
                    .map(|(month, reading)| {
                        let mut row = vec![month.to_string()];
                        row.extend(rate_cells(reading, small));
                        row
                    })
                    .collect();
                (with_rate(&["month"]), rows)
            }
            Self::Breakdown(by) => {
                let rows: Vec<(String, &Metrics)> = match by {
                    Breakdown::CaseManager => d
                        .by_case_manager
                        .iter()
                        .map(|(k, m)| (k.clone().unwrap_or_default(), m))
                        .collect(),
                    Breakdown::PrimaryNeed => d
                        .by_primary_need
                        .iter()
                        .map(|(k, m)| (k.clone().unwrap_or_default(), m))
                        .collect(),
                    Breakdown::AgeGroup => d
                        .by_age_group
                        .iter()
                        .map(|(k, m)| (k.map(|a| a.label().to_owned()).unwrap_or_default(), m))
                        .collect(),
                };
                let header = match by {
                    Breakdown::CaseManager => "case_manager",
                    Breakdown::PrimaryNeed => "primary_need",
                    Breakdown::AgeGroup => "age_at_request",
                };
                let rows = rows
                    .into_iter()
                    .map(|(group, metrics)| {
                        let mut row = vec![group];
                        row.extend(rate_cells(&read(metrics, FINAL_PLANS_EXCL), small));
                        row
                    })
                    .collect();
                (with_rate(&[header]), rows)
            }
            Self::Advice => {
                let rows = AdviceKind::ALL
                    .iter()
                    .map(|kind| {
                        let mut row = vec![kind.as_str().to_owned()];
                        let key = format!("advice_within_6_weeks.{kind}");
                        row.extend(rate_cells(&read(&d.headline, &key), small));
                        row
                    })
                    .collect();
                (with_rate(&["advice_kind"]), rows)
            }
            Self::Provider => {
                let rows = d
                    .by_provider
                    .iter()
                    .map(|(source, rate)| {
                        let mut row = vec![
                            source.provider.clone().unwrap_or_default(),
                            source.kind.as_str().to_owned(),
                        ];
                        let key = format!("advice_within_6_weeks.{}", source.kind);
                        let reading = Reading::new(&d.targets, &key, end, *rate);
                        row.extend(rate_cells(&reading, small));
                        row
                    })
                    .collect();
                (with_rate(&["provider", "advice_kind"]), rows)
            }
            Self::Backlog => {
                let rows = d
                    .backlog
                    .counts
                    .iter()
                    .enumerate()
                    .map(|(bucket, count)| {
                        let (first, last) = Backlog::weeks(bucket);
                        vec![
                            first.to_string(),
                            last.map(|l| l.to_string()).unwrap_or_default(),
                            count_cell(small, *count),
                            if Backlog::past_20_weeks(bucket) {
                                "yes"
                            } else {
                                "no"
                            }
                            .into(),
                        ]
                    })
                    .collect();
                (
                    vec![
                        "weeks_from",
                        "weeks_to",
                        "open_assessments",
                        "at_or_past_20_weeks",
                    ],
                    rows,
                )
            }
            Self::Lateness => {
                let rows = d
                    .lateness
                    .ranked()
                    .into_iter()
                    .map(|(step, count)| vec![step.key(), step.label(), count_cell(small, count)])
                    .collect();
                (vec!["first_late_step", "description", "late_plans"], rows)
            }
            Self::HealthAdvice => {
                let rows = d
                    .providers_of(AdviceKind::Health)
                    .into_iter()
                    .map(|(source, rate, workload)| {
                        vec![
                            source.provider.clone().unwrap_or_default(),
                            count_cell(small, workload.requested),
                            count_cell(small, rate.denominator),
                            count_cell(small, rate.numerator),
                            count_cell(small, rate.denominator - rate.numerator),
                            count_cell(small, workload.outstanding),
                            count_cell(small, workload.overdue),
                        ]
                    })
                    .collect();
                (
                    vec![
                        "provider",
                        "requested",
                        "received",
                        "received_within_6_weeks",
                        "received_late",
                        "awaited",
                        "awaited_past_6_weeks",
                    ],
                    rows,
                )
            }
        }
    }
}

/// One provider's line of the health lead's report: each figure with the link to its cases.
struct HealthLine {
    provider: String,
    figures: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "pages/health-report.html")]
struct HealthPage {
    layout: Layout,
    error_summary: Option<Html>,
    form: Html,
    shown: Option<(String, String, Vec<HealthLine>, Downloads)>,
    /// Why some counts say "fewer than 5", when they may.
    suppressed: Option<String>,
}

/// `GET /dashboard/health`: the health lead's monthly report for the Designated Medical
/// Officer: health advice requested, received within 6 weeks or late, and still awaited, by
/// provider, each figure opening the cases behind it.
pub(crate) async fn health(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(form): Query<PeriodForm>,
) -> Result<Response, WebError> {
    require(&user)?;
    let small = small_numbers(&state, &user);
    let today = state.today();
    let (chosen, errors) = match form.choose(today) {
        Ok(chosen) => (Some(chosen), FormErrors::default()),
        Err(errors) => (None, errors),
    };
    let shown = match &chosen {
        Some(chosen) => {
            let d = read(&state, &user, chosen).await?;
            let link = |figure: Figure| cases_link(chosen, &figure);
            let lines = d
                .providers_of(AdviceKind::Health)
                .into_iter()
                .map(|(source, rate, workload)| {
                    let received = |part| Figure::Provider {
                        source: source.clone(),
                        part,
                    };
                    let outstanding = |overdue| Figure::ProviderOutstanding {
                        source: source.clone(),
                        overdue,
                    };
                    HealthLine {
                        provider: provider_label(source),
                        figures: vec![
                            (
                                count_shown(small, workload.requested),
                                link(Figure::ProviderRequested {
                                    source: source.clone(),
                                }),
                            ),
                            (
                                count_shown(small, rate.denominator),
                                link(received(Part::Counted)),
                            ),
                            (
                                count_shown(small, rate.numerator),
                                link(received(Part::Met)),
                            ),
                            (
                                count_shown(small, rate.denominator - rate.numerator),
                                link(received(Part::NotMet)),
                            ),
                            (
                                count_shown(small, workload.outstanding),
                                link(outstanding(false)),
                            ),
                            (
                                count_shown(small, workload.overdue),
                                link(outstanding(true)),
                            ),
                        ],
                    }
                })
                .collect();
            Some((
                chosen.describe(),
                dates::long(chosen.as_of),
                lines,
                Downloads::of(Table::HealthAdvice, chosen),
            ))
        }
        None => None,
    };
    let page = HealthPage {
        layout: Layout::signed_in(&user, "Health advice report", SECTION)
            .with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        form: period_form(&form, chosen.as_ref(), today, &errors)?,
        shown,
        suppressed: suppressed_note(small),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(status, page.render()?))
}

/// The counts the signed-in user's tables leave out: none for staff who may open the cases,
/// the area's threshold for analysts (`tandem_app::reports::Naming::small_numbers`).
pub(crate) fn small_numbers(state: &AppState, user: &CurrentUser) -> SmallNumbers {
    let reporting = &state.config().reporting;
    let caller = Caller::new(user.actor(), Source::Form);
    Naming::for_caller(&caller, &reporting.pseudonym_key)
        .map_or(reporting.small_numbers, |naming| {
            naming.small_numbers(reporting.small_numbers)
        })
}

/// The sentence under a heading that says why some counts are not shown, for those whose
/// tables leave small counts out.
pub(crate) fn suppressed_note(small: SmallNumbers) -> Option<String> {
    small.suppresses().then(|| {
        format!(
            "To protect children's privacy, counts from 1 to {} are shown as \"{}\" (and as {MARKER} \
             in downloads), and so is any rate made from such a count: a small number beside a \
             provider, a need or a month could single a child out.",
            small.threshold() - 1,
            small.words()
        )
    })
}

pub(crate) fn require(user: &CurrentUser) -> Result<(), WebError> {
    if user.can(Action::ViewAggregates) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

/// The dashboard for a checked period, read for the signed-in user (audited once), from the
/// cache while no case has changed.
pub(crate) async fn read(
    state: &AppState,
    user: &CurrentUser,
    chosen: &Chosen,
) -> Result<Arc<Dashboard>, WebError> {
    let local = &state.config().reporting.targets;
    let caller = Caller::new(user.actor(), Source::Form);
    Ok(reports::read_dashboard(
        state.store(),
        &caller,
        chosen.spec(local),
        local.targets.clone(),
        state.dashboards(),
    )
    .await?)
}

/// A headline measure as a tile at the top of the dashboard.
pub(crate) struct TileView {
    label: String,
    /// This month's rate ("75.0%"), or that nothing was counted.
    value: String,
    /// "3 of 4".
    counted: String,
    /// On track or off track, as a tag's class and words.
    tag: Option<(&'static str, &'static str)>,
    /// The tile's other figures as (term, description): the rolling year, the change since last
    /// month, the target and trajectory, England.
    facts: Vec<(String, String)>,
}

impl TileView {
    fn new(tile: &Tile, small: SmallNumbers) -> Self {
        let previous = tile.month.back(1).label();
        let rolling = match tile.rolling.rate() {
            Some(_) if small.hides_rate(tile.rolling) => rate_shown(small, tile.rolling),
            Some(r) => format!(
                "{} ({} of {})",
                percent(r),
                thousands(tile.rolling.numerator),
                thousands(tile.rolling.denominator)
            ),
            None => "None counted".to_owned(),
        };
        let change = match (tile.change_points(), tile.last_month.and_then(|r| r.rate())) {
            (Some(points), Some(before)) if points >= 0.05 => {
                format!("Up {points:.1} points (from {})", percent(before))
            }
            (Some(points), Some(before)) if points <= -0.05 => {
                format!("Down {:.1} points (from {})", -points, percent(before))
            }
            (Some(_), Some(before)) => format!("No change ({})", percent(before)),
            _ => "Nothing to compare: none counted in one of the months".to_owned(),
        };
        let target = match (tile.target, tile.next_step) {
            (Some(now), Some(next)) => format!(
                "{}; {} from {}",
                percent(now.rate),
                percent(next.rate),
                dates::long(next.from)
            ),
            (Some(now), None) => percent(now.rate),
            (None, Some(next)) => {
                format!(
                    "None yet; {} from {}",
                    percent(next.rate),
                    dates::long(next.from)
                )
            }
            (None, None) => "None set".to_owned(),
        };
        let mut facts = vec![
            (format!("Last {} months", tile.rolling_months), rolling),
            (format!("Since {previous}"), change),
            ("Target and trajectory".to_owned(), target),
        ];
        if let Some(england) = tile.england {
            facts.push((
                "England".to_owned(),
                format!("{} ({})", percent(england.rate), england.label),
            ));
        }
        Self {
            label: measure_label(tile.measure),
            value: match tile.this_month.rate() {
                _ if small.hides_rate(tile.this_month) => "Not shown".to_owned(),
                Some(r) => percent(r),
                None => "None counted".to_owned(),
            },
            counted: if small.hides_rate(tile.this_month) {
                format!("A count is {}", small.words())
            } else {
                format!(
                    "{} of {}",
                    thousands(tile.this_month.numerator),
                    thousands(tile.this_month.denominator)
                )
            },
            tag: match tile.on_track {
                Some(true) => Some(("govuk-tag--green", "On track")),
                Some(false) => Some(("govuk-tag--red", "Off track")),
                None => None,
            },
            facts,
        }
    }
}

/// A chart on the page with its download links.
struct ChartSection {
    chart: Html,
    downloads: Downloads,
}

struct Group {
    heading: &'static str,
    id: &'static str,
    sections: Vec<ChartSection>,
}

/// What the page says about the figures it shows, drawn once per dashboard and period and kept
/// with it ([`FiguresCache`]): a cached dashboard's page then only fills in the layout and the
/// replies, which are read afresh.
pub(crate) struct Figures {
    /// The summary line and the headline tiles.
    tiles: Html,
    /// The period form, showing this period.
    form: Html,
    /// The links, the headline table and the charts with their downloads.
    tables: Html,
    as_at: String,
}

/// What [`Figures`] are drawn from.
struct FigureParts {
    /// The month the tiles are about ("March 2026").
    month: String,
    tiles: Vec<TileView>,
    period: String,
    as_at: String,
    cases: String,
    query: String,
    headline: Vec<HeadlineRow>,
    headline_downloads: Downloads,
    workbook: String,
    groups: Vec<Group>,
    /// Why some counts say "fewer than 5", when they may.
    suppressed: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/_dashboard-tiles.html")]
struct TilesPart<'a> {
    f: &'a FigureParts,
}

#[derive(Template)]
#[template(path = "pages/_dashboard-tables.html")]
struct TablesPart<'a> {
    f: &'a FigureParts,
}

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
struct DashboardPage<'a> {
    layout: Layout,
    error_summary: Option<Html>,
    form: &'a Html,
    figures: Option<&'a Figures>,
    /// Rows of the replies table: what, how many.
    replies: Vec<(&'static str, u64)>,
}

fn figures(
    d: &Dashboard,
    chosen: &Chosen,
    england: &[EnglandFigure],
    small: SmallNumbers,
) -> askama::Result<Figures> {
    let tiles = tiles(d, england);
    let mut groups = vec![
        Group {
            heading: "Trends over 24 months",
            id: "trends",
            sections: Vec::new(),
        },
        Group {
            heading: "Breakdowns",
            id: "breakdowns",
            sections: Vec::new(),
        },
        Group {
            heading: "Open assessments",
            id: "backlog",
            sections: Vec::new(),
        },
        Group {
            heading: "Reasons for lateness",
            id: "lateness",
            sections: Vec::new(),
        },
    ];
    for table in Table::all() {
        let Some(chart) = table.chart(d, chosen, small)? else {
            continue;
        };
        let group = match table {
            Table::Headline | Table::Trend(_) => 0,
            Table::Breakdown(_) | Table::Advice | Table::Provider => 1,
            Table::Backlog => 2,
            Table::Lateness | Table::HealthAdvice => 3,
        };
        groups[group].sections.push(ChartSection {
            chart,
            downloads: Downloads::of(table, chosen),
        });
    }
    let parts = FigureParts {
        month: tiles.first().map(|t| t.month.label()).unwrap_or_default(),
        tiles: tiles.iter().map(|t| TileView::new(t, small)).collect(),
        period: chosen.describe(),
        as_at: dates::long(chosen.as_of),
        cases: thousands(d.headline.cases),
        query: chosen.query(),
        headline: headline_rows(d, chosen, small),
        headline_downloads: Downloads::of(Table::Headline, chosen),
        workbook: workbook_link(chosen),
        groups,
        suppressed: suppressed_note(small),
    };
    Ok(Figures {
        tiles: Html::render(&TilesPart { f: &parts })?,
        form: chosen_period_form(chosen)?,
        tables: Html::render(&TablesPart { f: &parts })?,
        as_at: parts.as_at,
    })
}

/// The replies table: how the council answered the messages of the period.
fn reply_rows(times: ReplyTimes) -> Vec<(&'static str, u64)> {
    vec![
        ("Messages received", times.received),
        ("Answered within the set time", times.answered_on_time),
        ("Answered late", times.answered_late),
        (
            "Not yet answered, past the set time",
            times.awaiting_overdue,
        ),
        ("Not yet answered, still in time", times.awaiting_in_time),
    ]
}

/// `GET /dashboard`: the form, and the figures for what it chose.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(form): Query<PeriodForm>,
) -> Result<Response, WebError> {
    require(&user)?;
    let today = state.today();
    let (chosen, errors) = match form.choose(today) {
        Ok(chosen) => (Some(chosen), FormErrors::default()),
        Err(errors) => (None, errors),
    };
    let small = small_numbers(&state, &user);
    let (figures, replies) = match &chosen {
        Some(chosen) => {
            let d = read(&state, &user, chosen).await?;
            // The charts and tables of a dashboard are drawn once for all who read it with the
            // same small-number threshold.
            let shown = match state.dashboard_figures().get(&d, chosen, small) {
                Some(shown) => shown,
                None => {
                    let england = &state.config().reporting.targets.england;
                    let shown = Arc::new(figures(&d, chosen, england, small)?);
                    state.dashboard_figures().put(&d, chosen, small, &shown);
                    shown
                }
            };
            let caller = Caller::new(user.actor(), Source::Form);
            let local = &state.config().reporting.targets;
            let times =
                reports::read_reply_times(state.store(), &caller, &chosen.spec(local)).await?;
            (Some(shown), reply_rows(times))
        }
        None => (None, Vec::new()),
    };
    // The tab names the period shown, as the board report's does.
    let title = match &chosen {
        Some(chosen) => format!("Performance dashboard: {}", chosen.title()),
        None => "Performance dashboard".to_owned(),
    };
    // A period chosen shows the form kept with its figures; otherwise what was typed, with its
    // problems.
    let typed;
    let form = match &figures {
        Some(f) => &f.form,
        None => {
            typed = period_form(&form, None, today, &errors)?;
            &typed
        }
    };
    let page = DashboardPage {
        layout: Layout::signed_in(&user, title, SECTION).with_errors(!errors.is_empty()),
        error_summary: errors.summary()?,
        form,
        figures: figures.as_deref(),
        replies,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(status, page.render()?))
}

/// Checks the period of a link (which only pages make): a bad one is not a page of ours.
fn chosen_from_link(form: &PeriodForm, today: Date) -> Result<Chosen, WebError> {
    form.choose(today).map_err(|_| WebError::NotFound)
}

/// For the pages and downloads reached by a link from the dashboard (plan, board report,
/// tables): the permission, the period of the link, today's date and the figures.
pub(crate) async fn read_linked(
    state: &AppState,
    user: &CurrentUser,
    form: &PeriodForm,
) -> Result<(Chosen, Date, Arc<Dashboard>), WebError> {
    require(user)?;
    let today = state.today();
    let chosen = chosen_from_link(form, today)?;
    let d = read(state, user, &chosen).await?;
    Ok((chosen, today, d))
}

/// The figure and page of a drill-down, beside its period; `late=yes` keeps only the cases
/// that missed 20 weeks.
#[derive(Deserialize)]
pub(crate) struct DrilldownQuery {
    figure: String,
    page: Option<u64>,
    late: Option<String>,
}

/// Whether a figure names something the dashboard shows.
fn known(figure: &Figure, chosen: &Chosen) -> bool {
    match figure {
        Figure::Measure { key, .. } => {
            let metrics = Metrics::new(chosen.period, chosen.as_of);
            metrics.rate(key).is_some() || metrics.count(key).is_some()
        }
        Figure::Provider { .. }
        | Figure::ProviderRequested { .. }
        | Figure::ProviderOutstanding { .. }
        | Figure::LateStep { .. } => true,
        Figure::Backlog { bucket } => *bucket < BACKLOG_BUCKETS,
    }
}

/// The figure in words, as summary list rows.
fn describe(figure: &Figure, chosen: &Chosen) -> Vec<(&'static str, String)> {
    let mut rows = match figure {
        Figure::Measure { key, slice, part } => {
            let is_rate = Metrics::new(chosen.period, chosen.as_of)
                .rate(key)
                .is_some();
            let part = match (part, is_rate) {
                (_, false) | (Part::Counted, true) => "Every case counted in the measure",
                (Part::Met, true) => "Those that met the time limit",
                (Part::NotMet, true) => "Those that did not meet the time limit",
            };
            let (group, period) = match slice {
                Slice::All => ("All cases".to_owned(), chosen.describe()),
                Slice::Month(month) => ("All cases".to_owned(), month.label()),
                Slice::CaseManager(m) => (
                    format!(
                        "Case manager: {}",
                        m.as_deref().unwrap_or("no case manager")
                    ),
                    chosen.describe(),
                ),
                Slice::PrimaryNeed(n) => (
                    format!("Primary need: {}", n.as_deref().unwrap_or("not recorded")),
                    chosen.describe(),
                ),
                Slice::AgeGroup(a) => (
                    format!("Age at request: {}", a.map_or("not known", |a| a.label())),
                    chosen.describe(),
                ),
            };
            vec![
                ("Measure", measure_label(key)),
                ("Cases", part.to_owned()),
                ("Group", group),
                ("Period", period),
            ]
        }
        Figure::Backlog { bucket } => vec![
            ("Figure", "Open assessments".to_owned()),
            ("Weeks since the request", Backlog::label(*bucket)),
        ],
        Figure::Provider { source, part } => vec![
            ("Measure", "Advice within 6 weeks".to_owned()),
            (
                "Cases",
                match part {
                    Part::Counted => "With advice from this provider counted in the measure",
                    Part::Met => "With advice from this provider on time",
                    Part::NotMet => "With advice from this provider late",
                }
                .to_owned(),
            ),
            ("Provider", provider_label(source)),
            ("Period", chosen.describe()),
        ],
        Figure::ProviderRequested { source } => vec![
            ("Figure", "Advice requested".to_owned()),
            ("Provider", provider_label(source)),
            ("Period", chosen.describe()),
        ],
        Figure::ProviderOutstanding { source, overdue } => vec![
            (
                "Figure",
                if *overdue {
                    "Advice awaited past its 6 weeks"
                } else {
                    "Advice still awaited"
                }
                .to_owned(),
            ),
            ("Provider", provider_label(source)),
        ],
        Figure::LateStep { step } => vec![
            ("Figure", "Final plans issued late".to_owned()),
            ("First step that ran late", step.label()),
            ("Period", chosen.describe()),
        ],
    };
    rows.push(("As at", dates::long(chosen.as_of)));
    rows
}

struct Listed {
    name: String,
    href: Option<String>,
    /// The child's name, for those who may open the case.
    child: Option<String>,
    /// Weeks from the request to the final plan, or to the as-at date while there is none.
    weeks: String,
    /// Past the 20 weeks.
    late: bool,
}

#[derive(Template)]
#[template(path = "pages/dashboard-cases.html")]
struct CasesPage {
    layout: Layout,
    back: String,
    rows: Vec<(&'static str, String)>,
    total: String,
    pseudonyms: bool,
    /// Why the cases are not listed, when there are too few to list.
    suppressed: Option<String>,
    /// Only the cases past 20 weeks are listed.
    late_only: bool,
    /// The same list with the filter switched the other way.
    switch: String,
    names: Vec<Listed>,
    first: u64,
    pagination: Option<Html>,
}

/// `GET /dashboard/cases`: the cases behind one figure, by reference for those who may open
/// cases and by pseudonym for analysts.
pub(crate) async fn cases(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(form): Query<PeriodForm>,
    Query(query): Query<DrilldownQuery>,
) -> Result<Response, WebError> {
    require(&user)?;
    let chosen = chosen_from_link(&form, state.today())?;
    let figure: Figure = serde_json::from_str(&query.figure).map_err(|_| WebError::NotFound)?;
    if !known(&figure, &chosen) {
        return Err(WebError::NotFound);
    }
    let page = query.page.unwrap_or(1).max(1);
    let skip = (page - 1) * PAGE_SIZE as u64;
    let late_only = query.late.as_deref() == Some("yes");
    let caller = Caller::new(user.actor(), Source::Form);
    let reporting = &state.config().reporting;
    let (found, naming): (CasesBehind, Naming) = reports::read_cases_behind(
        state.store(),
        &caller,
        chosen.spec(&reporting.targets),
        &figure,
        &reporting.pseudonym_key,
        reporting.small_numbers,
        late_only,
        (skip, PAGE_SIZE),
    )
    .await?;
    let pseudonyms = matches!(naming, Naming::Pseudonyms(_));
    let small = naming.small_numbers(reporting.small_numbers);
    let pages = found.total.div_ceil(PAGE_SIZE as u64);
    let all = cases_link(&chosen, &figure);
    let base = if late_only {
        format!("{all}&late=yes")
    } else {
        all.clone()
    };
    let page_view = CasesPage {
        layout: Layout::signed_in(&user, "Cases behind a figure", SECTION),
        back: format!("/dashboard?{}", chosen.query()),
        rows: describe(&figure, &chosen),
        total: match found.total {
            n if small.hides(n) => capitalised(&format!("{} cases", small.words())),
            1 => "1 case".to_owned(),
            n => format!("{} cases", thousands(n)),
        },
        pseudonyms,
        suppressed: small.hides(found.total).then(|| {
            format!(
                "To protect children's privacy, neither how many cases there are nor their \
                 pseudonyms are shown when there are {}.",
                small.words()
            )
        }),
        late_only,
        switch: if late_only {
            all
        } else {
            format!("{all}&late=yes")
        },
        names: found
            .cases
            .into_iter()
            .map(|case| Listed {
                href: (!pseudonyms).then(|| format!("/cases/{}", case.name)),
                child: case.child,
                weeks: case
                    .taken
                    .weeks
                    .map_or_else(|| "No request recorded".to_owned(), |w| format!("{w:.1}")),
                late: case.taken.late,
                name: case.name,
            })
            .collect(),
        first: skip + 1,
        pagination: page_links(
            i64::try_from(page).unwrap_or(i64::MAX),
            i64::try_from(pages).unwrap_or(i64::MAX),
            |n| format!("{base}&page={n}"),
            Some("Pages of cases"),
        )?,
    };
    Ok(html(StatusCode::OK, page_view.render()?))
}

/// The figures drawn for the dashboards read most recently: kept with the very dashboard they
/// were drawn from (the same `Arc` from `reports`' cache), so a dashboard recomputed after a
/// change is drawn afresh.
#[derive(Default)]
pub(crate) struct FiguresCache {
    entries: std::sync::Mutex<std::collections::VecDeque<DrawnFigures>>,
}

/// A dashboard, the period it was drawn for, and what was drawn.
type DrawnFigures = (Arc<Dashboard>, Chosen, SmallNumbers, Arc<Figures>);

impl FiguresCache {
    const SIZE: usize = 8;

    fn get(
        &self,
        d: &Arc<Dashboard>,
        chosen: &Chosen,
        small: SmallNumbers,
    ) -> Option<Arc<Figures>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .find(|(kept, c, s, _)| Arc::ptr_eq(kept, d) && c == chosen && *s == small)
            .map(|(_, _, _, f)| f.clone())
    }

    fn put(
        &self,
        d: &Arc<Dashboard>,
        chosen: &Chosen,
        small: SmallNumbers,
        figures: &Arc<Figures>,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::SIZE {
            entries.pop_front();
        }
        entries.push_back((d.clone(), *chosen, small, figures.clone()));
    }
}
