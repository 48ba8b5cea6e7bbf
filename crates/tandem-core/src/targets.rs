//! Local targets (issue 5): a trajectory of percentages, each in force from a date, against which
//! a measure is judged on track or off track. Targets are the area's own choice (no national
//! percentage exists in law: statutory-timescales §11), so they are data, never code.

use serde::{Deserialize, Serialize};

use crate::dates::Date;

/// One step of a trajectory: from `from`, `measure` should reach `rate` (0 to 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// A measure key of contracts/metrics.md, e.g. `final_plans_within_20_weeks_excl_exceptions`
    /// or `advice_within_6_weeks.health`.
    pub measure: String,
    /// The first day the step is in force; it holds until a later step of the same measure.
    pub from: Date,
    /// The rate the measure should reach, as a fraction (0.6 for 60%).
    pub rate: f64,
}

/// Whether a measured rate meets the target in force.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Judgement<'a> {
    /// The target in force.
    pub(crate) target: &'a Target,
    /// Whether the rate reached it.
    pub(crate) on_track: bool,
}

/// All targets of an area.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Targets(pub Vec<Target>);

impl Targets {
    /// The target for `measure` in force on `date`: the one with the latest `from` not after it.
    pub fn in_force(&self, measure: &str, date: Date) -> Option<&Target> {
        self.0
            .iter()
            .filter(|t| t.measure == measure && t.from <= date)
            .max_by_key(|t| t.from)
    }

    /// The trajectory's next step for `measure` after `date`: the earliest target starting later.
    pub fn next_after(&self, measure: &str, date: Date) -> Option<&Target> {
        self.0
            .iter()
            .filter(|t| t.measure == measure && t.from > date)
            .min_by_key(|t| t.from)
    }

    /// Judges a rate measured for `date`; `None` when no target is in force or nothing was
    /// measured (an empty denominator is neither on nor off track).
    pub(crate) fn judge(
        &self,
        measure: &str,
        date: Date,
        rate: Option<f64>,
    ) -> Option<Judgement<'_>> {
        let target = self.in_force(measure, date)?;
        Some(Judgement {
            target,
            on_track: rate? >= target.rate,
        })
    }
}

/// The local draft-plan target when the configuration names none: 14 weeks after the request,
/// so that the 15-day comment period (reg 13(1)) and consultation fit before week 20 (the
/// practice IPSEA describes; see [`crate::lateness`]).
pub const DEFAULT_DRAFT_PLAN_WEEKS: u32 = 14;

/// A published figure for England as a whole, shown beside the area's own for comparison (the
/// DfE's annual "Education, health and care plans" statistics, say).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnglandFigure {
    /// The rate key it compares with.
    pub measure: String,
    /// What it covers and where it was published, in words ("2024, DfE June 2025").
    pub label: String,
    /// The rate, as a fraction.
    pub rate: f64,
}

/// An area's local targets as configured: the trajectories, the week by which a draft plan
/// should be issued (used to tell late drafting from late consultation), and the published
/// England figures to compare with.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalTargets {
    /// Weeks after the request by which the draft plan should be issued.
    pub draft_plan_weeks: u32,
    /// The trajectories of the area's measures.
    pub targets: Targets,
    /// England's published figures, at most one per measure.
    pub england: Vec<EnglandFigure>,
}

impl LocalTargets {
    /// England's published figure for `measure`, if one is configured.
    pub fn england(&self, measure: &str) -> Option<&EnglandFigure> {
        self.england.iter().find(|e| e.measure == measure)
    }
}

impl Default for LocalTargets {
    fn default() -> Self {
        Self {
            draft_plan_weeks: DEFAULT_DRAFT_PLAN_WEEKS,
            targets: Targets::default(),
            england: Vec::new(),
        }
    }
}

/// One problem in a targets file, with the line it is on (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct TargetsError {
    /// The line of the targets file the problem is on, counting from 1.
    pub line: usize,
    /// What is wrong, in words.
    pub message: String,
}

/// The TOML form (`examples/targets.toml`): spans kept so that problems name their line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsToml {
    draft_plan_weeks: Option<toml::Spanned<i64>>,
    #[serde(default)]
    target: Vec<TargetToml>,
    #[serde(default)]
    england: Vec<EnglandToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnglandToml {
    measure: toml::Spanned<String>,
    label: String,
    percent: toml::Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetToml {
    measure: toml::Spanned<String>,
    from: toml::Spanned<toml::value::Datetime>,
    percent: toml::Spanned<f64>,
}

impl LocalTargets {
    /// Parses a targets file. Every problem is reported, each with its line; a file that does
    /// not parse as TOML at all gives the one problem the parser found.
    pub fn from_toml(text: &str) -> Result<Self, Vec<TargetsError>> {
        let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let raw: TargetsToml = toml::from_str(text).map_err(|e| {
            vec![TargetsError {
                line: e.span().map_or(1, |s| line(s.start)),
                message: e.message().trim().to_owned(),
            }]
        })?;
        let mut problems = Vec::new();
        let mut problem = |offset: usize, message: String| {
            problems.push(TargetsError {
                line: line(offset),
                message,
            })
        };
        let draft_plan_weeks = match &raw.draft_plan_weeks {
            None => DEFAULT_DRAFT_PLAN_WEEKS,
            Some(weeks) => match u32::try_from(*weeks.get_ref()) {
                Ok(w @ 1..=20) => w,
                _ => {
                    let message = format!(
                        "draft_plan_weeks must be a whole number of weeks from 1 to 20, not {}",
                        weeks.get_ref()
                    );
                    problem(weeks.span().start, message);
                    DEFAULT_DRAFT_PLAN_WEEKS
                }
            },
        };
        let known: Vec<String> = crate::metrics::rate_keys().collect();
        let mut targets: Vec<Target> = Vec::with_capacity(raw.target.len());
        for t in &raw.target {
            let measure = t.measure.get_ref();
            if !known.contains(measure) {
                let message = format!(
                    "unknown measure {measure:?}; targets can be set for: {}",
                    known.join(", ")
                );
                problem(t.measure.span().start, message);
            }
            let datetime = t.from.get_ref();
            let from = match (datetime.date, datetime.time, datetime.offset) {
                (Some(d), None, None) => {
                    Date::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                }
                _ => None,
            };
            if from.is_none() {
                let message = format!("from must be a date such as 2020-01-01, not {datetime}");
                problem(t.from.span().start, message);
            }
            let percent = *t.percent.get_ref();
            if !(0.0..=100.0).contains(&percent) {
                let message = format!("percent must be from 0 to 100, not {percent}");
                problem(t.percent.span().start, message);
            }
            let Some(from) = from else { continue };
            if targets
                .iter()
                .any(|o| &o.measure == measure && o.from == from)
            {
                let message = format!("a second target for {measure} from {from}");
                problem(t.measure.span().start, message);
                continue;
            }
            targets.push(Target {
                measure: measure.clone(),
                from,
                rate: percent / 100.0,
            });
        }
        let mut england: Vec<EnglandFigure> = Vec::with_capacity(raw.england.len());
        for e in &raw.england {
            let measure = e.measure.get_ref();
            if !known.contains(measure) {
                let message = format!(
                    "unknown measure {measure:?}; England figures can be given for: {}",
                    known.join(", ")
                );
                problem(e.measure.span().start, message);
            } else if england.iter().any(|o| &o.measure == measure) {
                problem(
                    e.measure.span().start,
                    format!("a second England figure for {measure}"),
                );
            }
            let percent = *e.percent.get_ref();
            if !(0.0..=100.0).contains(&percent) {
                let message = format!("percent must be from 0 to 100, not {percent}");
                problem(e.percent.span().start, message);
            }
            england.push(EnglandFigure {
                measure: measure.clone(),
                label: e.label.trim().to_owned(),
                rate: percent / 100.0,
            });
        }
        if problems.is_empty() {
            Ok(Self {
                draft_plan_weeks,
                targets: Targets(targets),
                england,
            })
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_iso;

    fn d(text: &str) -> Date {
        parse_iso(text).unwrap()
    }

    /// The seed WSOA's trajectory: 60% of plans on time from January 2020, 65% from October 2020,
    /// 70% from January 2021.
    fn wsoa() -> Targets {
        let measure = "final_plans_within_20_weeks_excl_exceptions";
        Targets(
            [
                ("2020-01-01", 0.60),
                ("2020-10-01", 0.65),
                ("2021-01-01", 0.70),
            ]
            .into_iter()
            .map(|(from, rate)| Target {
                measure: measure.into(),
                from: d(from),
                rate,
            })
            .collect(),
        )
    }

    #[test]
    fn the_target_in_force_follows_the_trajectory() {
        let t = wsoa();
        let m = "final_plans_within_20_weeks_excl_exceptions";
        assert_eq!(t.in_force(m, d("2019-12-31")), None);
        assert_eq!(t.in_force(m, d("2020-01-01")).unwrap().rate, 0.60);
        assert_eq!(t.in_force(m, d("2020-09-30")).unwrap().rate, 0.60);
        assert_eq!(t.in_force(m, d("2020-10-01")).unwrap().rate, 0.65);
        assert_eq!(t.in_force(m, d("2024-01-01")).unwrap().rate, 0.70);
        assert_eq!(
            t.in_force("advice_within_6_weeks.all", d("2024-01-01")),
            None
        );
    }

    #[test]
    fn on_and_off_track() {
        let t = wsoa();
        let m = "final_plans_within_20_weeks_excl_exceptions";
        assert!(t.judge(m, d("2020-11-01"), Some(0.65)).unwrap().on_track);
        assert!(!t.judge(m, d("2020-11-01"), Some(0.649)).unwrap().on_track);
        assert_eq!(t.judge(m, d("2020-11-01"), None), None);
    }
}

#[cfg(test)]
mod parsing {
    use super::*;
    use crate::dates::parse_iso;

    fn errors(text: &str) -> Vec<String> {
        LocalTargets::from_toml(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn the_example_file_is_the_wsoa_trajectory() {
        let text = include_str!("../../../examples/targets.toml");
        let local = LocalTargets::from_toml(text).unwrap();
        assert_eq!(local.draft_plan_weeks, 14);
        let plans = "final_plans_within_20_weeks_excl_exceptions";
        let at = |m, d| {
            local
                .targets
                .in_force(m, parse_iso(d).unwrap())
                .map(|t| t.rate)
        };
        assert_eq!(at(plans, "2019-12-31"), None);
        assert_eq!(at(plans, "2020-01-01"), Some(0.60));
        assert_eq!(at(plans, "2020-10-01"), Some(0.65));
        assert_eq!(at(plans, "2021-01-01"), Some(0.70));
        let advice = "advice_within_6_weeks.all";
        assert_eq!(at(advice, "2020-06-30"), None);
        assert_eq!(at(advice, "2020-07-01"), Some(0.65));
        assert_eq!(at(advice, "2020-12-01"), Some(0.70));
        assert_eq!(at(advice, "2021-03-31"), Some(0.80));
        let england = local.england(plans).unwrap();
        assert!((england.rate - 0.464).abs() < 1e-12, "{}", england.rate);
        assert!(england.label.contains("2024"), "{}", england.label);
        assert_eq!(local.england(advice), None);
    }

    #[test]
    fn every_bad_england_figure_is_reported_with_its_line() {
        let text = "[[england]]\n\
            measure = \"plans_on_time\"\n\
            label = \"2024\"\n\
            percent = 46\n\
            [[england]]\n\
            measure = \"review_meetings_on_time\"\n\
            label = \"2024\"\n\
            percent = 146\n\
            [[england]]\n\
            measure = \"review_meetings_on_time\"\n\
            label = \"2023\"\n\
            percent = 50\n";
        let found = errors(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("line 2: unknown measure \"plans_on_time\""));
        assert_eq!(found[1], "line 8: percent must be from 0 to 100, not 146");
        assert_eq!(
            found[2],
            "line 10: a second England figure for review_meetings_on_time"
        );
    }

    #[test]
    fn an_empty_file_has_no_targets_and_the_default_draft_week() {
        assert_eq!(
            LocalTargets::from_toml("").unwrap(),
            LocalTargets::default()
        );
    }

    #[test]
    fn every_bad_target_is_reported_with_its_line() {
        let text = "draft_plan_weeks = 30\n\
            [[target]]\n\
            measure = \"plans_on_time\"\n\
            from = 2020-01-01\n\
            percent = 60\n\
            [[target]]\n\
            measure = \"advice_within_6_weeks.health\"\n\
            from = 2020-01-01T09:00:00\n\
            percent = 160\n\
            [[target]]\n\
            measure = \"decisions_to_assess_within_6_weeks\"\n\
            from = 2020-01-01\n\
            percent = 90\n\
            [[target]]\n\
            measure = \"decisions_to_assess_within_6_weeks\"\n\
            from = 2020-01-01\n\
            percent = 95\n";
        let found = errors(text);
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(found[0].starts_with("line 1: draft_plan_weeks must be"));
        assert!(found[1].starts_with("line 3: unknown measure \"plans_on_time\""));
        assert!(found[2].starts_with("line 8: from must be a date"));
        assert_eq!(found[3], "line 9: percent must be from 0 to 100, not 160");
        assert_eq!(
            found[4],
            "line 15: a second target for decisions_to_assess_within_6_weeks from 2020-01-01"
        );
    }

    #[test]
    fn toml_syntax_errors_and_unknown_fields_name_their_line() {
        let found = errors("[[target]]\nmeasure = \"review_meetings_on_time\"\nfrom = \n");
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("line 3: "), "{found:?}");
        let found = errors(
            "[[target]]\nmeasure = \"review_meetings_on_time\"\nfrom = 2020-01-01\npercent = 50\nowner = \"x\"\n",
        );
        assert!(
            found[0].starts_with("line 5: unknown field `owner`"),
            "{found:?}"
        );
        let found = errors("[[target]]\nmeasure = \"review_meetings_on_time\"\npercent = 50\n");
        assert!(found[0].contains("missing field `from`"), "{found:?}");
    }
}
