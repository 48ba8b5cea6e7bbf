//! An improvement plan, such as a written statement of action after a local area SEND
//! inspection: priorities, each with objectives; each objective with dated actions that someone
//! owns, and the measures that will show whether it worked ("how will we know?"). A measure may
//! be linked to a live dashboard rate, and so to the local target for it.

use crate::dashboard::Reading;
use crate::dates::Date;
use crate::metrics::Metrics;
use crate::names::machine_names;
use crate::targets::Targets;

machine_names! {
    /// Where an action stands.
    ActionStatus {
        /// Not begun yet.
        NotStarted => "not_started",
        /// Under way.
        InProgress => "in_progress",
        /// Finished.
        Done => "done",
        /// Stopped on purpose (superseded or no longer needed): never overdue.
        Dropped => "dropped",
    }
}

impl ActionStatus {
    /// The status's name for people ("In progress").
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::InProgress => "In progress",
            Self::Done => "Done",
            Self::Dropped => "Dropped",
        }
    }
}

/// One dated step towards an objective, with the person answerable for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// Its id once the plan is kept in the database (`None` in a plan read from a file).
    pub id: Option<i64>,
    /// What is to be done.
    pub text: String,
    /// The officer or role answerable for it.
    pub owner: String,
    /// The date it should be finished by.
    pub due: Date,
    /// Where it stands.
    pub status: ActionStatus,
    /// What shows it was done, or how far it has got (a document, a meeting's minutes); may
    /// be empty.
    pub evidence: String,
}

/// One field of an action changed by an update, as people read it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActionChange {
    /// The field's name for people ("Due", "Status").
    pub field: String,
    /// What it said before.
    pub from: String,
    /// What it says now.
    pub to: String,
}

impl Action {
    /// What `after` changes in this action, field by field in the form's order (the text,
    /// owner, due date, status and evidence); empty when nothing changed.
    pub fn changes(&self, after: &Action) -> Vec<ActionChange> {
        let fields = [
            ("Action", self.text.clone(), after.text.clone()),
            ("Owner", self.owner.clone(), after.owner.clone()),
            (
                "Due",
                crate::dates::long(self.due),
                crate::dates::long(after.due),
            ),
            (
                "Status",
                self.status.label().to_owned(),
                after.status.label().to_owned(),
            ),
            ("Evidence", self.evidence.clone(), after.evidence.clone()),
        ];
        fields
            .into_iter()
            .filter(|(_, from, to)| from != to)
            .map(|(field, from, to)| ActionChange {
                field: field.to_owned(),
                from,
                to,
            })
            .collect()
    }

    /// Still to be finished after its due date.
    pub fn is_overdue(&self, today: Date) -> bool {
        matches!(
            self.status,
            ActionStatus::NotStarted | ActionStatus::InProgress
        ) && self.due < today
    }
}

/// "How will we know?": evidence that an objective is met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessMeasure {
    /// The evidence, in words (e.g. "90% of plans issued within 20 weeks").
    pub text: String,
    /// A rate key of [`Metrics::rate`] that tracks it live, if any.
    pub metric: Option<String>,
}

impl SuccessMeasure {
    /// The linked rate in `metrics` against the target in force on `date`; `None` when the
    /// measure is not linked.
    pub fn reading<'a>(
        &self,
        metrics: &Metrics,
        targets: &'a Targets,
        date: Date,
    ) -> Option<Reading<'a>> {
        let key = self.metric.as_deref()?;
        Some(Reading::new(targets, key, date, metrics.rate(key)?))
    }
}

/// What a priority sets out to achieve, with the actions towards it and the measures of success.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Objective {
    /// The objective, in words; unique within its priority.
    pub title: String,
    /// The actions towards it, in the order given.
    pub actions: Vec<Action>,
    /// How success will be known, in the order given.
    pub measures: Vec<SuccessMeasure>,
}

/// An area the plan must improve (such as one named by an inspection), with its objectives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Priority {
    /// The priority, in words; unique within the plan.
    pub title: String,
    /// Its objectives, in the order first given.
    pub objectives: Vec<Objective>,
}

/// Priorities and objectives keep the order they were first given in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImprovementPlan {
    /// The plan's priorities, in the order first given.
    pub priorities: Vec<Priority>,
}

impl ImprovementPlan {
    /// The objective titled `objective` under the priority titled `priority`, created if new.
    pub fn objective_mut(&mut self, priority: &str, objective: &str) -> &mut Objective {
        let p = match self.priorities.iter().position(|p| p.title == priority) {
            Some(i) => i,
            None => {
                self.priorities.push(Priority {
                    title: priority.to_owned(),
                    objectives: Vec::new(),
                });
                self.priorities.len() - 1
            }
        };
        let objectives = &mut self.priorities[p].objectives;
        let o = match objectives.iter().position(|o| o.title == objective) {
            Some(i) => i,
            None => {
                objectives.push(Objective {
                    title: objective.to_owned(),
                    ..Objective::default()
                });
                objectives.len() - 1
            }
        };
        &mut objectives[o]
    }

    /// Every action with its priority and objective, in plan order.
    pub fn actions(&self) -> impl Iterator<Item = (&Priority, &Objective, &Action)> {
        self.priorities.iter().flat_map(|p| {
            p.objectives
                .iter()
                .flat_map(move |o| o.actions.iter().map(move |a| (p, o, a)))
        })
    }

    /// Actions overdue on `today`, earliest due first.
    pub fn overdue(&self, today: Date) -> Vec<(&Priority, &Objective, &Action)> {
        let mut overdue: Vec<_> = self
            .actions()
            .filter(|(_, _, a)| a.is_overdue(today))
            .collect();
        overdue.sort_by_key(|(_, _, a)| a.due);
        overdue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_iso;
    use crate::metrics::Period;
    use crate::targets::Target;

    fn d(text: &str) -> Date {
        parse_iso(text).unwrap()
    }

    fn action(text: &str, due: &str, status: ActionStatus) -> Action {
        Action {
            id: None,
            text: text.into(),
            owner: "Head of SEND".into(),
            due: d(due),
            status,
            evidence: String::new(),
        }
    }

    #[test]
    fn an_update_lists_the_fields_it_changed_in_the_forms_order() {
        let before = action(
            "Train case managers",
            "2021-02-28",
            ActionStatus::NotStarted,
        );
        assert_eq!(before.changes(&before), []);
        let after = Action {
            due: d("2021-03-31"),
            status: ActionStatus::InProgress,
            evidence: "Two sessions booked".into(),
            ..before.clone()
        };
        let changes = before.changes(&after);
        let read: Vec<(&str, &str, &str)> = changes
            .iter()
            .map(|c| (c.field.as_str(), c.from.as_str(), c.to.as_str()))
            .collect();
        assert_eq!(
            read,
            [
                ("Due", "28 February 2021", "31 March 2021"),
                ("Status", "Not started", "In progress"),
                ("Evidence", "", "Two sessions booked"),
            ]
        );
    }

    #[test]
    fn unfinished_actions_past_their_due_date_are_overdue() {
        let mut plan = ImprovementPlan::default();
        let o = plan.objective_mut("Timeliness", "Backlog");
        o.actions.extend([
            action("late", "2020-09-30", ActionStatus::InProgress),
            action("due today", "2020-10-01", ActionStatus::NotStarted),
            action("done late", "2020-06-30", ActionStatus::Done),
            action("dropped", "2020-06-30", ActionStatus::Dropped),
        ]);
        plan.objective_mut("Quality", "Audits").actions.push(action(
            "later",
            "2020-08-31",
            ActionStatus::NotStarted,
        ));
        let overdue: Vec<&str> = plan
            .overdue(d("2020-10-01"))
            .iter()
            .map(|(_, _, a)| a.text.as_str())
            .collect();
        // Due on the day is not yet overdue; earliest due first.
        assert_eq!(overdue, ["later", "late"]);
        assert_eq!(plan.overdue(d("2020-08-31")).len(), 0);
    }

    #[test]
    fn objectives_are_grouped_under_priorities_in_first_seen_order() {
        let mut plan = ImprovementPlan::default();
        plan.objective_mut("P1", "A");
        plan.objective_mut("P2", "B");
        plan.objective_mut("P1", "C");
        plan.objective_mut("P1", "A");
        let titles: Vec<(&str, Vec<&str>)> = plan
            .priorities
            .iter()
            .map(|p| {
                let objectives = p.objectives.iter().map(|o| o.title.as_str()).collect();
                (p.title.as_str(), objectives)
            })
            .collect();
        assert_eq!(titles, [("P1", vec!["A", "C"]), ("P2", vec!["B"])]);
    }

    #[test]
    fn a_linked_measure_reads_its_rate_against_the_target() {
        let key = "advice_within_6_weeks.all";
        let targets = Targets(vec![Target {
            measure: key.into(),
            from: d("2020-07-01"),
            rate: 0.65,
        }]);
        let period = Period {
            start: d("2020-07-01"),
            end: d("2020-07-31"),
        };
        let metrics = Metrics::new(period, d("2020-08-01"));
        let linked = SuccessMeasure {
            text: "Advice on time".into(),
            metric: Some(key.into()),
        };
        let reading = linked.reading(&metrics, &targets, period.end).unwrap();
        assert_eq!(reading.target.unwrap().rate, 0.65);
        // Nothing measured: neither on nor off track.
        assert_eq!(reading.on_track, None);
        let unlinked = SuccessMeasure {
            text: "Parents understand the process".into(),
            metric: None,
        };
        assert_eq!(unlinked.reading(&metrics, &targets, period.end), None);
    }
}
