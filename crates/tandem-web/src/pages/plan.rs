//! The improvement plan (`GET /plan`): priorities, objectives, actions with their owners, due
//! dates and status (overdue ones tagged), and the measures that show whether it is working,
//! each linked to its live dashboard rate and the target in force. The plan is kept in the
//! database; each action has a page (`/plan/actions/{id}`) with its evidence and dated history,
//! where those allowed update it.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use tandem_core::Date;
use tandem_core::dashboard::{Dashboard, Figure, Part, Slice};
use tandem_core::dates;
use tandem_core::disclosure::SmallNumbers;
use tandem_core::improvement_plan::{ActionStatus, ImprovementPlan, SuccessMeasure};

use tandem_app::interchange::improvement_plan;
use tandem_app::services::{PlanOverview, Source};

use crate::charts::{percent, rate_shown};
use crate::error::{WebError, html};
use crate::pages::dashboard::{self, cases_link, measure_label, rate_cells, with_rate};
use crate::pages::downloads::{Downloads, Sheet};
use crate::pages::layout::Layout;
use crate::pages::period::{Chosen, PeriodForm};
use crate::session::CurrentUser;
use crate::state::AppState;

/// A success measure with its live reading, when it is linked to a rate.
pub(crate) struct MeasureView {
    pub(crate) text: String,
    pub(crate) metric: Option<String>,
    pub(crate) value: Option<String>,
    pub(crate) href: Option<String>,
    pub(crate) target: Option<String>,
    pub(crate) on_track: Option<bool>,
}

pub(crate) struct ActionView {
    /// The action's page, where its history is read and it is updated.
    pub(crate) href: Option<String>,
    pub(crate) text: String,
    pub(crate) owner: String,
    pub(crate) due: String,
    pub(crate) status: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) overdue: bool,
}

pub(crate) struct ObjectiveView {
    pub(crate) title: String,
    pub(crate) actions: Vec<ActionView>,
    pub(crate) measures: Vec<MeasureView>,
}

pub(crate) struct PriorityView {
    pub(crate) title: String,
    pub(crate) objectives: Vec<ObjectiveView>,
}

/// An overdue action with where it sits in the plan.
pub(crate) struct OverdueView {
    pub(crate) priority: String,
    pub(crate) objective: String,
    pub(crate) action: ActionView,
}

/// The plan as the pages show it, judged on `today` and read against the dashboard.
pub(crate) struct PlanView {
    pub(crate) priorities: Vec<PriorityView>,
    pub(crate) overdue: Vec<OverdueView>,
    /// How many actions have each status, in the statuses' order.
    pub(crate) by_status: Vec<(&'static str, usize)>,
    pub(crate) actions: usize,
    /// Every measure linked to a rate, in plan order.
    pub(crate) linked: Vec<MeasureView>,
}

fn status_class(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::NotStarted => "govuk-tag--grey",
        ActionStatus::InProgress => "govuk-tag--blue",
        ActionStatus::Done => "govuk-tag--green",
        ActionStatus::Dropped => "govuk-tag--yellow",
    }
}

fn action_view(action: &tandem_core::improvement_plan::Action, today: Date) -> ActionView {
    ActionView {
        href: action.id.map(|id| format!("/plan/actions/{id}")),
        text: action.text.clone(),
        owner: action.owner.clone(),
        due: dates::long(action.due),
        status: action.status.label(),
        status_class: status_class(action.status),
        overdue: action.is_overdue(today),
    }
}

fn measure_view(
    measure: &SuccessMeasure,
    d: &Dashboard,
    chosen: &Chosen,
    small: SmallNumbers,
) -> MeasureView {
    let reading = measure.reading(&d.headline, &d.targets, d.spec.period.end);
    MeasureView {
        text: measure.text.clone(),
        metric: measure.metric.as_deref().map(measure_label),
        value: reading.map(|r| rate_shown(small, r.rate)),
        href: measure
            .metric
            .as_ref()
            .zip(reading.filter(|r| r.rate.denominator > 0))
            .map(|(key, _)| {
                cases_link(
                    chosen,
                    &Figure::Measure {
                        key: key.clone(),
                        slice: Slice::All,
                        part: Part::Counted,
                    },
                )
            }),
        target: reading.and_then(|r| r.target).map(|t| percent(t.rate)),
        on_track: reading.and_then(|r| r.on_track),
    }
}

impl PlanView {
    pub(crate) fn new(
        plan: &ImprovementPlan,
        d: &Dashboard,
        chosen: &Chosen,
        today: Date,
        small: SmallNumbers,
    ) -> Self {
        let priorities = plan
            .priorities
            .iter()
            .map(|p| PriorityView {
                title: p.title.clone(),
                objectives: p
                    .objectives
                    .iter()
                    .map(|o| ObjectiveView {
                        title: o.title.clone(),
                        actions: o.actions.iter().map(|a| action_view(a, today)).collect(),
                        measures: o
                            .measures
                            .iter()
                            .map(|m| measure_view(m, d, chosen, small))
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let overdue = plan
            .overdue(today)
            .into_iter()
            .map(|(p, o, a)| OverdueView {
                priority: p.title.clone(),
                objective: o.title.clone(),
                action: action_view(a, today),
            })
            .collect();
        let by_status = ActionStatus::ALL
            .iter()
            .map(|s| {
                let count = plan.actions().filter(|(_, _, a)| a.status == *s).count();
                (s.label(), count)
            })
            .collect();
        let linked = plan
            .priorities
            .iter()
            .flat_map(|p| &p.objectives)
            .flat_map(|o| &o.measures)
            .filter(|m| m.metric.is_some())
            .map(|m| measure_view(m, d, chosen, small))
            .collect();
        Self {
            priorities,
            overdue,
            by_status,
            actions: plan.actions().count(),
            linked,
        }
    }
}

/// The plan's downloadable tables: the plan itself, in the columns `tandem improvement-plan
/// import` reads, and every measure with its live reading.
pub(crate) const TABLES: [&str; 2] = ["improvement-plan", "plan-measures"];

/// The plan as two flat tables: the plan as it is imported (a row per action and per measure
/// under their priority and objective), and its measures with their live figures.
pub(crate) fn sheets(plan: &ImprovementPlan, d: &Dashboard, small: SmallNumbers) -> [Sheet; 2] {
    let measures = plan
        .priorities
        .iter()
        .flat_map(|p| p.objectives.iter().map(move |o| (p, o)))
        .flat_map(|(p, o)| o.measures.iter().map(move |m| (p, o, m)))
        .map(|(p, o, m)| {
            let mut row = vec![
                p.title.clone(),
                o.title.clone(),
                m.text.clone(),
                m.metric.clone().unwrap_or_default(),
            ];
            match m.reading(&d.headline, &d.targets, d.spec.period.end) {
                Some(reading) => row.extend(rate_cells(&reading, small)),
                None => row.resize(row.len() + 5, String::new()),
            }
            row
        })
        .collect();
    let [plan_name, measures_name] = TABLES;
    [
        Sheet {
            name: plan_name.to_owned(),
            title: "Improvement plan".to_owned(),
            rows: (improvement_plan::header(), improvement_plan::rows(plan)),
        },
        Sheet {
            name: measures_name.to_owned(),
            title: "Plan measures".to_owned(),
            rows: (
                with_rate(&["priority", "objective", "measure", "metric"]),
                measures,
            ),
        },
    ]
}

/// The plan as kept, read for the signed-in user.
pub(crate) async fn kept(state: &AppState, user: &CurrentUser) -> Result<PlanOverview, WebError> {
    Ok(state
        .services()
        .improvement_plan(&user.caller(Source::Form))
        .await?)
}

#[derive(Template)]
#[template(path = "pages/plan.html")]
struct PlanPage {
    layout: Layout,
    period: String,
    as_at: String,
    today: String,
    query: String,
    plan: PlanView,
    may_edit: bool,
    actions: Downloads,
    measures: Downloads,
}

/// `GET /plan`: the plan as kept, its measures read over the period chosen on the dashboard
/// (by default the last complete month, as at today).
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(form): Query<PeriodForm>,
) -> Result<Response, WebError> {
    let (chosen, today, d) = dashboard::read_linked(&state, &user, &form).await?;
    let kept = kept(&state, &user).await?;
    let page = PlanPage {
        layout: Layout::signed_in(
            &user,
            format!("Improvement plan: {}", chosen.title()),
            "/plan",
        ),
        period: chosen.describe(),
        as_at: dates::long(chosen.as_of),
        today: dates::long(today),
        query: chosen.query(),
        plan: PlanView::new(
            &kept.plan,
            &d,
            &chosen,
            today,
            dashboard::small_numbers(&state, &user),
        ),
        may_edit: kept.may_edit,
        actions: Downloads::named(TABLES[0], &chosen),
        measures: Downloads::named(TABLES[1], &chosen),
    };
    Ok(html(StatusCode::OK, page.render()?))
}
