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
    pub from: Date,
    pub rate: f64,
}

/// Whether a measured rate meets the target in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement<'a> {
    pub target: &'a Target,
    pub on_track: bool,
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

    /// Judges a rate measured for `date`; `None` when no target is in force or nothing was
    /// measured (an empty denominator is neither on nor off track).
    pub fn judge(&self, measure: &str, date: Date, rate: Option<f64>) -> Option<Judgement<'_>> {
        let target = self.in_force(measure, date)?;
        Some(Judgement {
            target,
            on_track: rate? >= target.rate,
        })
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
