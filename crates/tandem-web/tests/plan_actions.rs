//! Updating an improvement-plan action from its page without JavaScript: the form with its
//! errors (what was typed kept), a saved update in the dated history, a stale form answered
//! with a conflict that saves nothing, and read-only pages for those who may not edit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use support::TestApp;
use tandem_app::interchange::improvement_plan;
use tandem_app::transfer;
use tandem_core::Role;
use tandem_core::improvement_plan::ActionStatus;

/// The app keeping the example plan; returns it with the id of the action "Train case managers
/// to summarise…" (not started, due 28 February 2021, owned by the Head of SEND).
async fn app() -> (TestApp, i64) {
    let app = TestApp::new().await;
    let plan =
        improvement_plan::read(include_str!("../../../examples/improvement-plan.csv").as_bytes())
            .unwrap();
    transfer::import_improvement_plan(app.store(), &plan, false)
        .await
        .unwrap();
    let kept = transfer::export_improvement_plan(app.store())
        .await
        .unwrap();
    let id = kept
        .actions()
        .find(|(_, _, a)| a.text.starts_with("Train case managers"))
        .and_then(|(_, _, a)| a.id)
        .unwrap();
    (app, id)
}

fn form<'a>(
    version: &'a str,
    owner: &'a str,
    year: &'a str,
    note: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        (
            "text",
            "Train case managers to summarise health and social care advice in plans",
        ),
        ("owner", owner),
        ("due-day", "31"),
        ("due-month", "3"),
        ("due-year", year),
        ("status", "in_progress"),
        ("evidence", "Two sessions booked"),
        ("note", note),
    ]
}

#[tokio::test]
async fn an_action_is_updated_from_its_form_and_the_update_is_kept() {
    let (app, id) = app().await;
    let head = app.sign_in(Role::HeadOfService).await;
    let address = format!("/plan/actions/{id}");
    let page = app.get(&address, Some(&head)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.texts("h1")[0].starts_with("Train case managers"));
    assert_eq!(page.texts("form input[name=version]").len(), 1);
    assert!(page.body.contains("value=\"1\""));
    assert_eq!(
        page.texts("main p.govuk-body").last().unwrap(),
        "No updates yet: the action is as it was imported."
    );

    // Errors first: an empty owner and a date without its year; what was typed is kept.
    let wrong = app
        .post_form(&address, Some(&head), &form("1", "", "", "Booked"))
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert_eq!(
        wrong.texts(".govuk-error-summary__list a"),
        [
            "Enter the officer or role answerable for the action",
            "Due must include a year"
        ]
    );
    assert!(wrong.body.contains("href=\"#due-year\""));
    assert!(wrong.body.contains(">Booked</textarea>"));
    let unchanged = transfer::export_improvement_plan(app.store())
        .await
        .unwrap();
    let (_, _, action) = unchanged
        .actions()
        .find(|(_, _, a)| a.id == Some(id))
        .unwrap();
    assert_eq!(action.status, ActionStatus::NotStarted);

    let saved = app
        .post_form(
            &address,
            Some(&head),
            &form("1", "Head of SEND", "2021", "Trainer found"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), Some(&*format!("{address}?done=updated")));
    let page = app
        .get(&format!("{address}?done=updated"), Some(&head))
        .await;
    assert_eq!(
        page.texts(".govuk-notification-banner__heading"),
        ["The action is updated"]
    );
    assert_eq!(page.texts("main ol h3").len(), 1);
    assert!(
        page.texts("main ol h3")[0].ends_with(", Demo Head of service"),
        "{:?}",
        page.texts("main ol h3")
    );
    assert_eq!(
        page.texts("main ol ul li"),
        [
            "Due changed from 28 February 2021 to 31 March 2021",
            "Status changed from Not started to In progress",
            "Evidence added: Two sessions booked",
        ]
    );
    assert!(
        page.texts("main ol p")
            .contains(&"Trainer found".to_owned())
    );
    // The form now names the new version.
    assert!(page.body.contains("name=\"version\" value=\"2\""));
    assert_eq!(app.audit("improvement_plan.update").await.len(), 1);
}

#[tokio::test]
async fn a_stale_form_is_answered_with_a_conflict_and_saves_nothing() {
    let (app, id) = app().await;
    let head = app.sign_in(Role::HeadOfService).await;
    let manager = app.sign_in(Role::TeamManager).await;
    let address = format!("/plan/actions/{id}");
    // Both opened the form at version 1; the team manager saved first.
    let first = app
        .post_form(
            &address,
            Some(&manager),
            &form("1", "Head of SEND", "2021", "Moved to March"),
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let stale = app
        .post_form(
            &address,
            Some(&head),
            &form("1", "Principal educational psychologist", "2021", "Mine"),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(
        stale.texts(".govuk-error-summary__list a")[0]
            .starts_with("Someone else updated this action after you opened it")
    );
    // The action as it is now, above the form; what was typed, in the form; the version seen.
    assert!(stale.texts("dd").contains(&"Head of SEND".to_owned()));
    assert!(
        stale
            .body
            .contains("value=\"Principal educational psychologist\"")
    );
    assert!(stale.body.contains("name=\"version\" value=\"2\""));
    let now = transfer::export_improvement_plan(app.store())
        .await
        .unwrap();
    let (_, _, action) = now.actions().find(|(_, _, a)| a.id == Some(id)).unwrap();
    assert_eq!(action.owner, "Head of SEND");
    assert_eq!(app.audit("improvement_plan.update").await.len(), 1);
}

#[tokio::test]
async fn those_who_may_not_edit_read_the_history_without_a_form() {
    let (app, id) = app().await;
    let address = format!("/plan/actions/{id}");
    for role in [Role::QaAuditor, Role::Analyst] {
        let reader = app.sign_in(role).await;
        let page = app.get(&address, Some(&reader)).await;
        assert_eq!(page.status, StatusCode::OK, "{role}");
        assert!(page.texts("main form").is_empty(), "{role}");
        let plan = app.get("/plan", Some(&reader)).await;
        assert!(
            plan.body.contains(&format!("href=\"{address}\">History")),
            "{role}"
        );
        let refused = app
            .post_form(&address, Some(&reader), &form("1", "Me", "2021", "No"))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role}");
    }
    let missing = app
        .get(
            "/plan/actions/999999",
            Some(&app.sign_in(Role::HeadOfService).await),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(app.audit("improvement_plan.update").await.len(), 0);
}

#[tokio::test]
async fn a_head_of_service_adds_an_action_under_an_objective() {
    let (app, _) = app().await;
    let head = app.session(Role::HeadOfService).await;
    let plan = app.get("/plan", Some(&head)).await;
    assert!(plan.body.contains("href=\"/plan/actions/new\""));
    let form = app.get("/plan/actions/new", Some(&head)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.texts("h1"), ["Add an action"]);
    let objectives = form.texts("#objective option");
    assert!(objectives.len() > 2, "{objectives:?}");

    // Nothing chosen or typed: each problem, in the form's order.
    let blank = app
        .post_form("/plan/actions/new", Some(&head), &[("objective", "")])
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = blank.texts(".govuk-error-summary__list li");
    assert!(
        summary.contains(&"Select the objective the action is for".to_owned()),
        "{summary:?}"
    );
    assert!(
        summary.contains(&"Enter what the action is".to_owned()),
        "{summary:?}"
    );

    let text = "Publish the panel terms of reference on the local offer";
    let added = app
        .post_form(
            "/plan/actions/new",
            Some(&head),
            &[
                ("objective", "0-0"),
                ("text", text),
                ("owner", "Head of SEND"),
                ("due-day", "30"),
                ("due-month", "6"),
                ("due-year", "2027"),
                ("status", "not_started"),
                ("evidence", ""),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let location = added.location().unwrap().to_owned();
    assert!(location.ends_with("?done=added"), "{location}");
    let page = app.get(&location, Some(&head)).await;
    assert_eq!(
        page.texts(".govuk-notification-banner__heading"),
        ["The action is added to the plan"]
    );
    assert!(page.body.contains(text));
    assert!(page.body.contains("Added to the plan"));
    let plan = app.get("/plan", Some(&head)).await;
    assert!(plan.body.contains(text), "listed on the plan");

    // Those who read the plan but may not change it get no form.
    let analyst = app.session(Role::Analyst).await;
    let refused = app.get("/plan/actions/new", Some(&analyst)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
