//! The demo's workforce (issue 17 item 2): a year of monthly supervisions of every case
//! manager (two of whom have missed the latest month, so they show as overdue), the WSOA's
//! courses with completions (some expired), and a new starter's induction with a buddy. Made
//! through the services, dated by a clock set to each day, as a team would have recorded them.

use std::sync::Arc;

use chrono::{Datelike, Days};
use tandem_app::services::{Caller, CourseForm, Services, Source, SupervisionForm};
use tandem_core::dates::{self, Date};
use tandem_core::{Role, UserId};
use tandem_store::Store;

use crate::cli_error::CliError;
use crate::timeline::today;

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Internal(anyhow::anyhow!("the demo workforce: {e}"))
}

/// The courses: title, months valid (none: for good), roles that must take them.
const COURSES: [(&str, &str, &[&str]); 3] = [
    (
        "SEND Code of Practice for case managers and social workers",
        "24",
        &["case_manager", "team_manager"],
    ),
    (
        "What good looks like: writing EHC plans",
        "",
        &["case_manager"],
    ),
    (
        "Summarising health and social care advice in plans",
        "12",
        &["case_manager", "qa_auditor"],
    ),
];

/// The actions a supervision agrees, in turn.
const ACTIONS: [&str; 4] = [
    "Chase the overdue health advice on the oldest request",
    "Book the sampled cases into the next panel",
    "Write up the annual review that is waiting",
    "Shadow a colleague's co-production meeting",
];

/// The services as at noon on `day`.
fn on(store: &Store, day: Date) -> Services {
    let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    Services::with_clock(store.clone(), Arc::new(move || noon))
}

pub async fn create_demo_workforce(store: &Store) -> Result<(), CliError> {
    let users = store.users().await?;
    let caller = |role: Role| {
        users
            .iter()
            .find(|u| u.email == format!("{}@demo.test", role.as_str()))
            .map(|u| Caller::new(u.actor(), Source::Form))
    };
    let (Some(manager), Some(admin)) = (caller(Role::TeamManager), caller(Role::Admin)) else {
        return Ok(());
    };
    let case_managers: Vec<UserId> = users
        .iter()
        .filter(|u| u.role == Role::CaseManager && !u.disabled)
        .map(|u| u.id)
        .collect();
    let today = today();

    // A year of supervisions, on the 10th of each month (the 28th for some people); the last
    // two case managers missed the latest month.
    for back in (0..12u32).rev() {
        let month = dates::months_before(today, back);
        for (n, person) in case_managers.iter().enumerate() {
            let missed = back <= 1 && n + 2 >= case_managers.len();
            let first = month.with_day(1).unwrap_or(month);
            let day = first + Days::new(if n % 3 == 0 { 27 } else { 9 });
            if missed || day > today {
                continue;
            }
            let services = on(store, day);
            let form = SupervisionForm {
                held_on: Some(day),
                sample_size: "3".into(),
                seed: (2026 + u64::from(back) * 100 + n as u64).to_string(),
                actions: format!("{}\n{}", ACTIONS[n % 4], ACTIONS[(n + back as usize) % 4]),
                notes: String::new(),
            };
            let id = services
                .record_supervision(&manager, *person, &form)
                .await
                .map_err(failed)?;
            // Actions were followed up at the next supervision, four weeks on.
            let checked = day + Days::new(28);
            if checked <= today {
                let follow_up = on(store, checked);
                let view = follow_up.supervision(&manager, id).await.map_err(failed)?;
                for (i, action) in view.record.actions.iter().enumerate() {
                    follow_up
                        .follow_up_action(
                            &manager,
                            id,
                            action.id,
                            Some((i + n) % 5 != 0),
                            Some(checked),
                        )
                        .await
                        .map_err(failed)?;
                }
            }
        }
    }

    // The courses, and completions spread over the last three years: some have expired.
    let services = on(store, today);
    let mut courses = Vec::new();
    for (title, months, roles) in COURSES {
        let form = CourseForm {
            title: title.into(),
            valid_months: months.into(),
            required_for: roles.iter().map(|r| (*r).to_owned()).collect(),
        };
        courses.push(services.add_course(&admin, &form).await.map_err(failed)?);
    }
    let trained: Vec<&tandem_store::UserRecord> = users
        .iter()
        .filter(|u| matches!(u.role, Role::CaseManager | Role::QaAuditor))
        .collect();
    for (n, person) in trained.iter().enumerate() {
        for (c, course) in courses.iter().enumerate() {
            // Every fourth person has not done the second course; completions go back up to
            // three years, so the older yearly ones have expired.
            if (n + c) % 4 == 3 {
                continue;
            }
            let days_ago = 40 + ((n * 7 + c * 13) % 36) as u64 * 30;
            services
                .record_training(
                    &manager,
                    person.id,
                    &course.to_string(),
                    Some(today - Days::new(days_ago)),
                )
                .await
                .map_err(failed)?;
        }
    }

    // The newest case manager's induction, with a buddy from their team and two items ticked.
    if let [.., buddy, starter] = case_managers[..] {
        services
            .start_induction(&manager, starter, &buddy.to_string())
            .await
            .map_err(failed)?;
        for item in ["handbook", "buddy"] {
            services
                .tick_induction(&manager, starter, item, Some(today))
                .await
                .map_err(failed)?;
        }
    }
    Ok(())
}
