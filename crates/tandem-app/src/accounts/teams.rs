//! Teams as a managed list (issue 13 item 4): administrators add and remove teams on
//! `/admin/teams`, and an account's team is chosen from the list, never typed, so that one team
//! is never two ("North", "north team") in the caseload's filters and the workforce figures.
//! The command line, whose operator already holds the database, names teams freely: a team it
//! names joins the list, as a service it names joins the list of advice providers.

use chrono::{DateTime, Utc};
use serde_json::json;
use tandem_core::Actor;
use tandem_store::{AuditEntry, Store, TeamRecord, Tx};

use super::{AccountError, MAX_TEAM_LENGTH, require_account_manager};
use crate::services::FieldError;

/// Every team with how many accounts and cases are in it, for administrators.
pub async fn teams(store: &Store, actor: &Actor) -> Result<Vec<TeamRecord>, AccountError> {
    require_account_manager(actor)?;
    let mut tx = store.begin().await?;
    let teams = tx.teams().await?;
    tx.rollback().await?;
    Ok(teams)
}

/// Adds a team to the list; refuses an empty or over-long name, or one already listed (in any
/// case of letters).
pub async fn add_team(
    store: &Store,
    actor: &Actor,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    require_account_manager(actor)?;
    let name = name.trim();
    let problem = if name.is_empty() {
        Some("Enter the team’s name".to_owned())
    } else {
        tandem_core::input::check_text(name, MAX_TEAM_LENGTH, false)
            .err()
            .map(|p| p.message("Team name"))
    };
    if let Some(problem) = problem {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "name", problem,
        )]));
    }
    let mut tx = store.begin_at(now).await?;
    if let Some(listed) = tx.team_named(name).await? {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "name",
            format!("There is already a team called {listed}"),
        )]));
    }
    tx.add_team(name).await?;
    tx.audit(&AuditEntry::new(Some(actor.id), "team.add").detail(json!({ "team": name })))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a team from the list, only once no account and no case is in it.
pub async fn remove_team(
    store: &Store,
    actor: &Actor,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    require_account_manager(actor)?;
    let mut tx = store.begin_at(now).await?;
    let Some(team) = tx.teams().await?.into_iter().find(|t| t.name == name) else {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "team",
            "That team is not on the list: it may have been removed already",
        )]));
    };
    if team.people > 0 || team.cases > 0 {
        return Err(AccountError::Invalid(vec![FieldError::new(
            "team",
            format!(
                "{} still has {} and {}: move them to another team first",
                team.name,
                counted(team.people, "person", "people"),
                counted(team.cases, "case", "cases"),
            ),
        )]));
    }
    tx.remove_team(&team.name).await?;
    tx.audit(&AuditEntry::new(Some(actor.id), "team.remove").detail(json!({ "team": team.name })))
        .await?;
    tx.commit().await?;
    Ok(())
}

fn counted(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The team an account is given, as listed: an administrator (`by`) must choose one on the
/// list; the command line (`by` is `None`) adds a team it names.
pub(super) async fn listed_team(
    tx: &mut Tx,
    by: Option<&Actor>,
    team: Option<String>,
) -> Result<Option<String>, AccountError> {
    let Some(team) = team else { return Ok(None) };
    match (tx.team_named(&team).await?, by) {
        (Some(listed), _) => Ok(Some(listed)),
        (None, None) => {
            tx.add_team(&team).await?;
            Ok(Some(team))
        }
        (None, Some(_)) => Err(AccountError::Invalid(vec![FieldError::new(
            "team",
            "Choose a team from the list",
        )])),
    }
}
