//! The improvement plan kept in the database: its actions and success measures in the plan's
//! order, each action's version, and the dated history of every change to an action. What an
//! edit may say, and who may make it, is decided by the services.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::types::Json;
use tandem_core::improvement_plan::{
    Action, ActionChange, ActionStatus, ImprovementPlan, SuccessMeasure,
};
use tandem_core::{Date, UserId};

use crate::error::StoreError;
use crate::store::{Tx, on};

/// One action as kept, with where it sits in the plan and its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAction {
    /// The priority it sits under.
    pub priority: String,
    /// The objective it sits under.
    pub objective: String,
    /// The action (its `id` is set).
    pub action: Action,
    /// Moved on by every change; an edit names the version it was based on.
    pub version: i64,
    /// Every change made to it, newest first.
    pub updates: Vec<ActionUpdate>,
}

/// One change to an action: when, by whom, why, and what it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionUpdate {
    /// The action's version this change made.
    pub version: i64,
    /// Who made it.
    pub made_by: UserId,
    /// Their name.
    pub made_by_name: String,
    /// When.
    pub made_at: DateTime<Utc>,
    /// What they wrote about it (may be empty when fields changed).
    pub note: String,
    /// The fields it changed (may be empty when it only adds a note).
    pub changes: Vec<ActionChange>,
}

#[derive(FromRow)]
struct ItemRow {
    id: i64,
    priority: String,
    objective: String,
    kind: String,
    text: String,
    owner: Option<String>,
    due: Option<Date>,
    status: Option<String>,
    evidence: String,
    metric: Option<String>,
    version: i64,
}

impl ItemRow {
    fn action(&self) -> Result<Action, StoreError> {
        let corrupt = || StoreError::Corrupt(format!("improvement plan action {}", self.id));
        let status = self.status.as_deref().ok_or_else(corrupt)?;
        Ok(Action {
            id: Some(self.id),
            text: self.text.clone(),
            owner: self.owner.clone().ok_or_else(corrupt)?,
            due: self.due.ok_or_else(corrupt)?,
            status: ActionStatus::parse(status).ok_or_else(corrupt)?,
            evidence: self.evidence.clone(),
        })
    }
}

#[derive(FromRow)]
struct UpdateRow {
    version: i64,
    made_by: i64,
    made_by_name: String,
    made_at: DateTime<Utc>,
    note: String,
    changes: Json<Vec<ActionChange>>,
}

const ITEMS: &str = "SELECT id, priority, objective, kind, text, owner, due, status, evidence, \
     metric, version FROM improvement_items";

impl Tx {
    /// The plan as kept: priorities and objectives in the order first met, actions and measures
    /// in the order given. Empty when none is kept.
    pub async fn improvement_plan(&mut self) -> Result<ImprovementPlan, StoreError> {
        let sql = format!("{ITEMS} ORDER BY position, id");
        let rows = on!(self.conn(), c => sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await?);
        let mut plan = ImprovementPlan::default();
        for row in rows {
            let objective = plan.objective_mut(&row.priority, &row.objective);
            if row.kind == "action" {
                objective.actions.push(row.action()?);
            } else {
                objective.measures.push(SuccessMeasure {
                    text: row.text,
                    metric: row.metric,
                });
            }
        }
        Ok(plan)
    }

    /// Replaces the whole plan with `plan` (actions' ids are ignored: every item is new, and the
    /// history of the actions replaced goes with them); returns how many items it holds.
    pub async fn replace_improvement_plan(
        &mut self,
        plan: &ImprovementPlan,
    ) -> Result<i64, StoreError> {
        on!(self.conn(), c => {
            sqlx::query("DELETE FROM improvement_updates").execute(&mut *c).await?;
            sqlx::query("DELETE FROM improvement_items").execute(&mut *c).await?;
        });
        const SQL: &str = "INSERT INTO improvement_items (position, priority, objective, kind, \
             text, owner, due, status, evidence, metric) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        let mut position = 0i64;
        for p in &plan.priorities {
            for o in &p.objectives {
                for a in &o.actions {
                    position += 1;
                    on!(self.conn(), c => sqlx::query(SQL)
                        .bind(position)
                        .bind(&p.title)
                        .bind(&o.title)
                        .bind("action")
                        .bind(&a.text)
                        .bind(&a.owner)
                        .bind(a.due)
                        .bind(a.status.as_str())
                        .bind(&a.evidence)
                        .bind(None::<String>)
                        .execute(&mut *c)
                        .await
                        .map(drop)?);
                }
                for m in &o.measures {
                    position += 1;
                    on!(self.conn(), c => sqlx::query(SQL)
                        .bind(position)
                        .bind(&p.title)
                        .bind(&o.title)
                        .bind("measure")
                        .bind(&m.text)
                        .bind(None::<String>)
                        .bind(None::<Date>)
                        .bind(None::<String>)
                        .bind("")
                        .bind(m.metric.as_deref())
                        .execute(&mut *c)
                        .await
                        .map(drop)?);
                }
            }
        }
        Ok(position)
    }

    /// Adds `action` as the last action under the objective `objective` of priority
    /// `priority` (after its measures, before the next objective), with a first update by `by`
    /// saying `note`; returns its id. The objective must be in the plan: the services check.
    pub async fn add_improvement_action(
        &mut self,
        priority: &str,
        objective: &str,
        action: &Action,
        by: UserId,
        note: &str,
    ) -> Result<i64, StoreError> {
        const LAST: &str = "SELECT MAX(position) FROM improvement_items \
             WHERE priority = $1 AND objective = $2";
        let last = on!(self.conn(), c => sqlx::query_scalar::<_, Option<i64>>(LAST)
            .bind(priority)
            .bind(objective)
            .fetch_one(&mut *c)
            .await?)
        .ok_or_else(|| StoreError::Corrupt(format!("no objective {objective:?} to add to")))?;
        // Positions after it move one on, so the plan's order is kept.
        const MAKE_ROOM: &str =
            "UPDATE improvement_items SET position = position + 1 WHERE position > $1";
        const INSERT: &str = "INSERT INTO improvement_items (position, priority, objective, \
             kind, text, owner, due, status, evidence) \
             VALUES ($1, $2, $3, 'action', $4, $5, $6, $7, $8) RETURNING id";
        const FIRST_UPDATE: &str = "INSERT INTO improvement_updates (item_id, version, \
             made_by, made_at, note, changes) VALUES ($1, 1, $2, $3, $4, $5)";
        let now = self.now();
        let no_changes: Json<Vec<ActionChange>> = Json(Vec::new());
        let id = on!(self.conn(), c => {
            sqlx::query(MAKE_ROOM).bind(last).execute(&mut *c).await?;
            let id = sqlx::query_scalar::<_, i64>(INSERT)
                .bind(last + 1)
                .bind(priority)
                .bind(objective)
                .bind(&action.text)
                .bind(&action.owner)
                .bind(action.due)
                .bind(action.status.as_str())
                .bind(&action.evidence)
                .fetch_one(&mut *c)
                .await?;
            sqlx::query(FIRST_UPDATE)
                .bind(id)
                .bind(by)
                .bind(now)
                .bind(note)
                .bind(&no_changes)
                .execute(&mut *c)
                .await?;
            id
        });
        Ok(id)
    }

    /// One action with its history, if there is an action with this id.
    pub async fn improvement_action(
        &mut self,
        id: i64,
    ) -> Result<Option<StoredAction>, StoreError> {
        let sql = format!("{ITEMS} WHERE id = $1 AND kind = 'action'");
        let row = on!(self.conn(), c => sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        let Some(row) = row else { return Ok(None) };
        const UPDATES: &str = "SELECT u.version, u.made_by, us.name AS made_by_name, u.made_at, \
             u.note, u.changes FROM improvement_updates u JOIN users us ON us.id = u.made_by \
             WHERE u.item_id = $1 ORDER BY u.version DESC";
        let updates = on!(self.conn(), c => sqlx::query_as::<_, UpdateRow>(UPDATES)
            .bind(id)
            .fetch_all(&mut *c)
            .await?);
        Ok(Some(StoredAction {
            action: row.action()?,
            priority: row.priority,
            objective: row.objective,
            version: row.version,
            updates: updates
                .into_iter()
                .map(|u| ActionUpdate {
                    version: u.version,
                    made_by: u.made_by,
                    made_by_name: u.made_by_name,
                    made_at: u.made_at,
                    note: u.note,
                    changes: u.changes.0,
                })
                .collect(),
        }))
    }

    /// Writes `action`'s fields over the action with its id, if it is still at version
    /// `based_on`, and keeps the update (by `by`, with `note` and the `changes` made); returns
    /// the new version. [`StoreError::Conflict`] names the version now if another change got
    /// there first, and nothing is written.
    pub async fn update_improvement_action(
        &mut self,
        action: &Action,
        based_on: i64,
        by: UserId,
        note: &str,
        changes: &[ActionChange],
    ) -> Result<i64, StoreError> {
        let id = action
            .id
            .ok_or_else(|| StoreError::Corrupt("an action without an id".into()))?;
        const SQL: &str = "UPDATE improvement_items SET text = $3, owner = $4, due = $5, \
             status = $6, evidence = $7, version = version + 1 \
             WHERE id = $1 AND version = $2 AND kind = 'action'";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(id)
            .bind(based_on)
            .bind(&action.text)
            .bind(&action.owner)
            .bind(action.due)
            .bind(action.status.as_str())
            .bind(&action.evidence)
            .execute(&mut *c)
            .await?
            .rows_affected());
        if affected != 1 {
            const NOW: &str = "SELECT version FROM improvement_items WHERE id = $1";
            let current = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(NOW)
                .bind(id)
                .fetch_optional(&mut *c)
                .await?);
            return Err(StoreError::Conflict {
                current_version: current.unwrap_or(0),
            });
        }
        let now = self.now();
        let version = based_on + 1;
        const UPDATE: &str = "INSERT INTO improvement_updates (item_id, version, made_by, \
             made_at, note, changes) VALUES ($1, $2, $3, $4, $5, $6)";
        on!(self.conn(), c => sqlx::query(UPDATE)
            .bind(id)
            .bind(version)
            .bind(by)
            .bind(now)
            .bind(note)
            .bind(Json(changes))
            .execute(&mut *c)
            .await
            .map(drop)?);
        Ok(version)
    }
}
