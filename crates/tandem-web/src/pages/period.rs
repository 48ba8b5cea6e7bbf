//! The reporting period and "as at" date every reporting page shows: read from the query string
//! (the GOV.UK form's day, month and year fields, or the ISO dates links carry), checked, and
//! written back as the query of every link, so a drill-down or download shows what its page did.

use serde::Deserialize;
use tandem_app::services::FieldError;
use tandem_core::dashboard::{DashboardSpec, Month};
use tandem_core::metrics::Period;
use tandem_core::targets::LocalTargets;
use tandem_core::{Date, dates};

use crate::Html;
use crate::components::{
    ChoiceItem, DateInput, DateItem, Fieldset, Hint, Label, Legend, Radios, Select, SelectItem,
};
use crate::pages::forms::{self, FormErrors};

/// Months offered in the month chooser, counting back from the as-at month.
const MONTHS_OFFERED: u32 = 36;

/// The period form as sent: `period` is `month` or `range`; dates come either as ISO text
/// (`start`, `end`, `as_at`: what links carry) or as the form's day, month and year fields.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct PeriodForm {
    period: Option<String>,
    month: Option<String>,
    start: Option<String>,
    end: Option<String>,
    as_at: Option<String>,
    #[serde(rename = "start-day")]
    start_day: Option<String>,
    #[serde(rename = "start-month")]
    start_month: Option<String>,
    #[serde(rename = "start-year")]
    start_year: Option<String>,
    #[serde(rename = "end-day")]
    end_day: Option<String>,
    #[serde(rename = "end-month")]
    end_month: Option<String>,
    #[serde(rename = "end-year")]
    end_year: Option<String>,
    #[serde(rename = "as_at-day")]
    as_at_day: Option<String>,
    #[serde(rename = "as_at-month")]
    as_at_month: Option<String>,
    #[serde(rename = "as_at-year")]
    as_at_year: Option<String>,
}

/// A period and as-at date that passed the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Chosen {
    pub(crate) period: Period,
    pub(crate) as_of: Date,
    /// Set when the period is one calendar month.
    pub(crate) month: Option<Month>,
}

/// The day, month and year fields of one date as typed.
pub(crate) type Typed = [Option<String>; 3];

fn typed(parts: [&Option<String>; 3]) -> Typed {
    parts.map(|p| {
        p.as_ref()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    })
}

/// An ISO date split into what the form's fields would hold.
fn split(date: Date) -> Typed {
    let text = date.format("%-d %-m %Y").to_string();
    let mut parts = text.split(' ').map(|p| Some(p.to_owned()));
    [
        parts.next().flatten(),
        parts.next().flatten(),
        parts.next().flatten(),
    ]
}

/// A date from an ISO field (what links carry) or from its three fields, read by the same
/// GOV.UK rules as every other date input: `Ok(None)` when nothing was given.
fn read_date(iso: &Option<String>, parts: &Typed, what: &str) -> Result<Option<Date>, String> {
    if let Some(text) = iso.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        return dates::parse_iso(text)
            .map(Some)
            .map_err(|_| format!("{what} must be a real date"));
    }
    forms::read_date(what, parts.each_ref().map(|p| p.as_deref().unwrap_or("")))
        .map_err(|(message, _)| message)
}

/// "2026-03" as a month.
fn parse_month(text: &str) -> Option<Month> {
    let (year, month) = text.trim().split_once('-')?;
    // A plausible year only: far-off years overflow the date arithmetic of a period.
    let year = year
        .parse::<i32>()
        .ok()
        .filter(|y| (1900..=2200).contains(y))?;
    let month = Month {
        year,
        month: month.parse().ok()?,
    };
    Date::from_ymd_opt(month.year, month.month, 1).map(|_| month)
}

impl PeriodForm {
    fn start_parts(&self) -> Typed {
        typed([&self.start_day, &self.start_month, &self.start_year])
    }

    fn end_parts(&self) -> Typed {
        typed([&self.end_day, &self.end_month, &self.end_year])
    }

    fn as_at_parts(&self) -> Typed {
        typed([&self.as_at_day, &self.as_at_month, &self.as_at_year])
    }

    fn is_range(&self) -> bool {
        self.period.as_deref() == Some("range")
    }

    /// Checks the form. Without a period, the month before the as-at date's month; without an
    /// as-at date, `today`.
    pub(crate) fn choose(&self, today: Date) -> Result<Chosen, FormErrors> {
        let mut errors = Vec::new();
        let mut error = |field: &'static str, message: String| {
            errors.push(FieldError::new(field, message));
        };
        let as_of = match read_date(&self.as_at, &self.as_at_parts(), "The as-at date") {
            Ok(Some(date)) if date > today => {
                error(
                    "as_at",
                    "The as-at date must be today or in the past".into(),
                );
                None
            }
            Ok(date) => Some(date.unwrap_or(today)),
            Err(message) => {
                error("as_at", message);
                None
            }
        };
        let chosen = if self.is_range() {
            let start = read_date(&self.start, &self.start_parts(), "The start date");
            let end = read_date(&self.end, &self.end_parts(), "The end date");
            match (start, end) {
                (Ok(Some(start)), Ok(Some(end))) if end < start => {
                    error(
                        "end",
                        "The end date must be the same as or after the start date".into(),
                    );
                    None
                }
                (Ok(Some(start)), Ok(Some(end))) => Some((Period { start, end }, None)),
                (start, end) => {
                    for (field, result, what) in [("start", start, "start"), ("end", end, "end")] {
                        match result {
                            Ok(Some(_)) => {}
                            Ok(None) => error(field, format!("Enter the {what} date")),
                            Err(message) => error(field, message),
                        }
                    }
                    None
                }
            }
        } else {
            let month = match self.month.as_deref().map(str::trim) {
                None | Some("") => as_of.map(|d| Month::of(d).back(1)),
                Some(text) => {
                    let month = parse_month(text);
                    if month.is_none() {
                        error("month", "Choose a month".into());
                    }
                    month
                }
            };
            month.map(|m| (m.period(), Some(m)))
        };
        match (chosen, as_of) {
            (Some((period, month)), Some(as_of)) if errors.is_empty() => Ok(Chosen {
                period,
                as_of,
                month,
            }),
            _ => Err(FormErrors::new(errors)),
        }
    }

    /// The form as the page shows it again: what was chosen, or else what was typed.
    fn shown(&self, chosen: Option<&Chosen>) -> Shown {
        match chosen {
            Some(c) => Shown {
                range: c.month.is_none(),
                month: c.month.map(|m| m.to_string()),
                start: if c.month.is_none() {
                    split(c.period.start)
                } else {
                    Default::default()
                },
                end: if c.month.is_none() {
                    split(c.period.end)
                } else {
                    Default::default()
                },
                as_at: split(c.as_of),
            },
            None => {
                let or_iso = |iso: &Option<String>, parts: Typed| {
                    iso.as_deref()
                        .and_then(|t| dates::parse_iso(t.trim()).ok())
                        .map_or(parts, split)
                };
                Shown {
                    range: self.is_range(),
                    month: self.month.clone(),
                    start: or_iso(&self.start, self.start_parts()),
                    end: or_iso(&self.end, self.end_parts()),
                    as_at: or_iso(&self.as_at, self.as_at_parts()),
                }
            }
        }
    }
}

/// What the form's fields show.
struct Shown {
    range: bool,
    month: Option<String>,
    start: Typed,
    end: Typed,
    as_at: Typed,
}

impl Chosen {
    /// The query string of links to what this page shows (ISO dates).
    pub(crate) fn query(&self) -> String {
        match self.month {
            Some(month) => format!("period=month&month={month}&as_at={}", self.as_of),
            None => format!(
                "period=range&start={}&end={}&as_at={}",
                self.period.start, self.period.end, self.as_of
            ),
        }
    }

    /// "March 2026 (1 March 2026 to 31 March 2026)", or "1 April 2025 to 31 March 2026".
    pub(crate) fn describe(&self) -> String {
        let span = format!(
            "{} to {}",
            dates::long(self.period.start),
            dates::long(self.period.end)
        );
        match self.month {
            Some(month) => format!("{} ({span})", month.label()),
            None => span,
        }
    }

    /// A title for the period: "March 2026", or "1 April 2025 to 31 March 2026".
    pub(crate) fn title(&self) -> String {
        self.month.map_or_else(|| self.describe(), |m| m.label())
    }

    pub(crate) fn spec(&self, local: &LocalTargets) -> DashboardSpec {
        DashboardSpec::new(self.period, self.as_of, local)
    }
}

pub(crate) fn date_input(
    name: &'static str,
    legend: &str,
    hint: &str,
    value: &Typed,
    errors: &FormErrors,
) -> askama::Result<Html> {
    let error_message = errors.message(name);
    let error = if error_message.is_some() {
        " govuk-input--error"
    } else {
        ""
    };
    let items = [("day", 2), ("month", 2), ("year", 4)]
        .into_iter()
        .zip(value)
        .map(|((part, width), typed)| DateItem {
            name: Some(part.to_owned()),
            value: typed.clone(),
            classes: Some(format!("govuk-input--width-{width}{error}")),
            ..DateItem::default()
        })
        .collect();
    Html::render(&DateInput {
        id: name.to_owned(),
        name_prefix: Some(name.to_owned()),
        items,
        hint: Some(Hint {
            text: Some(hint.to_owned()),
            ..Hint::default()
        }),
        error_message,
        fieldset: Some(Fieldset {
            legend: Some(Legend {
                text: Some(legend.to_owned()),
                classes: Some("govuk-fieldset__legend--s".into()),
                ..Legend::default()
            }),
            role: Some("group".into()),
            ..Fieldset::default()
        }),
        ..DateInput::default()
    })
}

/// The GOV.UK form (GET) choosing the period and the as-at date, filled in with what is shown
/// (or what was typed, when it had errors).
pub(crate) fn period_form(
    form: &PeriodForm,
    chosen: Option<&Chosen>,
    today: Date,
    errors: &FormErrors,
) -> askama::Result<Html> {
    let latest = Month::of(chosen.map_or(today, |c| c.as_of));
    draw_period_form(form.shown(chosen), latest, errors)
}

/// The form showing the period `chosen`, without problems: the same for everyone who looks at
/// that period, so a dashboard keeps it with its figures.
pub(crate) fn chosen_period_form(chosen: &Chosen) -> askama::Result<Html> {
    let shown = PeriodForm::default().shown(Some(chosen));
    draw_period_form(shown, Month::of(chosen.as_of), &FormErrors::default())
}

/// The form's markup: months offered back from `latest`.
fn draw_period_form(shown: Shown, latest: Month, errors: &FormErrors) -> askama::Result<Html> {
    let months = std::iter::once(Some(SelectItem {
        value: Some(String::new()),
        text: Some("Choose a month".into()),
        ..SelectItem::default()
    }))
    .chain((0..MONTHS_OFFERED).map(|n| {
        let month = latest.back(n);
        Some(SelectItem {
            value: Some(month.to_string()),
            text: Some(month.label()),
            ..SelectItem::default()
        })
    }))
    .collect();
    let month = Html::render(&Select {
        id: Some("month".into()),
        name: "month".into(),
        items: months,
        value: shown.month.clone(),
        label: Some(Label {
            text: Some("Month, for a calendar month".into()),
            ..Label::default()
        }),
        error_message: errors.message("month"),
        ..Select::default()
    })?;
    let range = format!(
        "{}{}",
        date_input(
            "start",
            "Start date, between two dates",
            "For example, 1 4 2025",
            &shown.start,
            errors
        )?,
        date_input(
            "end",
            "End date, between two dates",
            "For example, 31 3 2026",
            &shown.end,
            errors
        )?
    );
    let radios = Html::render(&Radios {
        name: "period".into(),
        id_prefix: Some("period".into()),
        value: Some(if shown.range { "range" } else { "month" }.into()),
        fieldset: Some(Fieldset {
            legend: Some(Legend {
                text: Some("Period".into()),
                classes: Some("govuk-fieldset__legend--s".into()),
                ..Legend::default()
            }),
            ..Fieldset::default()
        }),
        items: vec![
            Some(ChoiceItem {
                value: Some("month".into()),
                text: Some("A calendar month".into()),
                ..ChoiceItem::default()
            }),
            Some(ChoiceItem {
                value: Some("range".into()),
                text: Some("Between two dates".into()),
                ..ChoiceItem::default()
            }),
        ],
        ..Radios::default()
    })?;
    let as_at = date_input(
        "as_at",
        "As at",
        "Figures use only what had been recorded by this date. For example, 31 3 2026",
        &shown.as_at,
        errors,
    )?;
    Ok(Html::trusted(format!(
        "<form method=\"get\" novalidate class=\"tandem-period-form\">{radios}{month}{range}{as_at}\
         <button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\">Show figures</button></form>"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        dates::parse_iso(text).unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> PeriodForm {
        serde_urlencoded::from_str(&serde_urlencoded::to_string(pairs).unwrap()).unwrap()
    }

    #[test]
    fn by_default_the_last_complete_month_as_at_today() {
        let chosen = PeriodForm::default().choose(d("2026-11-23")).unwrap();
        assert_eq!(chosen.period.start, d("2026-10-01"));
        assert_eq!(chosen.period.end, d("2026-10-31"));
        assert_eq!(chosen.as_of, d("2026-11-23"));
        assert_eq!(
            chosen.query(),
            "period=month&month=2026-10&as_at=2026-11-23"
        );
    }

    #[test]
    fn links_and_the_form_give_the_same_choice() {
        let today = d("2026-11-23");
        let typed = form(&[
            ("period", "range"),
            ("start-day", "1"),
            ("start-month", "4"),
            ("start-year", "2025"),
            ("end-day", "31"),
            ("end-month", "3"),
            ("end-year", "2026"),
            ("as_at-day", "30"),
            ("as_at-month", "4"),
            ("as_at-year", "2026"),
        ])
        .choose(today)
        .unwrap();
        let linked: PeriodForm = serde_urlencoded::from_str(&typed.query()).unwrap();
        assert_eq!(linked.choose(today).unwrap(), typed);
        assert_eq!(typed.describe(), "1 April 2025 to 31 March 2026");
    }

    #[test]
    fn every_problem_is_named_on_its_field() {
        let today = d("2026-11-23");
        let errors = form(&[
            ("period", "range"),
            ("start-day", "31"),
            ("start-month", "2"),
            ("start-year", "2026"),
            ("end-day", "1"),
            ("end-month", "3"),
            ("as_at-day", "1"),
            ("as_at-month", "1"),
            ("as_at-year", "2027"),
        ])
        .choose(today)
        .unwrap_err();
        assert_eq!(
            errors.message("as_at").unwrap().text.unwrap(),
            "The as-at date must be today or in the past"
        );
        assert_eq!(
            errors.message("start").unwrap().text.unwrap(),
            "The start date must be a real date"
        );
        assert_eq!(
            errors.message("end").unwrap().text.unwrap(),
            "The end date must include a year"
        );
        let errors = form(&[("month", "2026-13")]).choose(today).unwrap_err();
        assert_eq!(
            errors.message("month").unwrap().text.unwrap(),
            "Choose a month"
        );
    }
}
