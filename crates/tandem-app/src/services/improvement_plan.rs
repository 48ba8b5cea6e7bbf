//! The service's improvement plan (issue 13 item 6), kept in the database: anyone who sees the
//! dashboard reads it; heads of service and team managers keep its actions up to date. Each
//! change names the version of the action it was based on, so that two people editing the same
//! action cannot silently overwrite each other: the second is told and shown the action as it
//! now is. Every change is kept as a dated, attributed update and audited in its own
//! transaction. Replacing the whole plan from a file is `tandem improvement-plan import`
//! ([`crate::transfer::import_improvement_plan`]).

use serde_json::json;
use tandem_core::improvement_plan::{Action as PlanAction, ActionStatus, ImprovementPlan};
use tandem_core::input::{self, MAX_LABEL, MAX_TEXT};
use tandem_core::{Action, Date, Resource, can};
use tandem_store::{AuditEntry, StoredAction};

use super::{Caller, FieldError, ServiceError, Services, authorise_service};

/// The plan, and whether the caller may change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOverview {
    /// The plan as kept (empty when none is).
    pub plan: ImprovementPlan,
    /// Whether the caller may change its actions.
    pub may_edit: bool,
}

/// One action with its history, and whether the caller may change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionOverview {
    /// The action as kept.
    pub stored: StoredAction,
    /// Whether the caller may change it.
    pub may_edit: bool,
}

/// An action as the edit form sends it, with the update's note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionEdit {
    /// What is to be done.
    pub text: String,
    /// Who is answerable for it.
    pub owner: String,
    /// When it is due (`None` when the form's date was left empty).
    pub due: Option<Date>,
    /// Where it stands (`None` when none was chosen).
    pub status: Option<ActionStatus>,
    /// What shows it was done or how far it has got.
    pub evidence: String,
    /// What happened, in the updater's words.
    pub note: String,
}

/// Where a new action goes: an objective of the plan, named by its priority's and its own title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanPlace {
    /// The priority's title.
    pub priority: String,
    /// The objective's title.
    pub objective: String,
}

fn action_not_found(id: i64) -> ServiceError {
    ServiceError::NotFound {
        reference: format!("improvement plan action {id}"),
    }
}

impl Services {
    /// The plan, for anyone who may see the service's figures.
    pub async fn improvement_plan(&self, caller: &Caller) -> Result<PlanOverview, ServiceError> {
        self.authorise_read(caller, Action::ViewAggregates).await?;
        let mut read = self.snapshot().await?;
        let plan = read.improvement_plan().await?;
        drop(read);
        Ok(PlanOverview {
            plan,
            may_edit: can(
                &caller.actor,
                Action::EditImprovementPlan,
                Resource::Service,
            ),
        })
    }

    /// One action with its dated history, for anyone who may see the plan.
    pub async fn improvement_action(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<ActionOverview, ServiceError> {
        self.authorise_read(caller, Action::ViewAggregates).await?;
        let mut read = self.snapshot().await?;
        let stored = read.improvement_action(id).await?;
        drop(read);
        Ok(ActionOverview {
            stored: stored.ok_or_else(|| action_not_found(id))?,
            may_edit: can(
                &caller.actor,
                Action::EditImprovementPlan,
                Resource::Service,
            ),
        })
    }

    /// Changes action `id` as `edit` says, if it is still at version `based_on`, keeping the
    /// update (what changed, and the note) in its history; returns the action's new version.
    /// Nothing is written when the edit is refused: [`ServiceError::Invalid`] lists every field
    /// to put right, [`ServiceError::Conflict`] says someone else changed the action first.
    pub async fn update_improvement_action(
        &self,
        caller: &Caller,
        id: i64,
        based_on: i64,
        edit: &ActionEdit,
    ) -> Result<i64, ServiceError> {
        let mut tx =
            authorise_service(self.begin().await?, caller, Action::EditImprovementPlan).await?;
        let Some(stored) = tx.improvement_action(id).await? else {
            tx.rollback().await?;
            return Err(action_not_found(id));
        };
        if stored.version != based_on {
            tx.rollback().await?;
            return Err(ServiceError::Conflict {
                current_version: stored.version,
            });
        }
        let after = match checked(edit, Some(&stored.action)) {
            Ok(after) => after,
            Err(problems) => {
                tx.rollback().await?;
                return Err(ServiceError::Invalid(problems));
            }
        };
        let changes = stored.action.changes(&after);
        let note = edit.note.trim();
        let version = tx
            .update_improvement_action(&after, based_on, caller.actor.id, note, &changes)
            .await?;
        let changed: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "improvement_plan.update").detail(
                caller.detail(json!({
                    "action": id,
                    "version": version,
                    "changed": changed,
                    "note": !note.is_empty(),
                })),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }
}

impl Services {
    /// Adds an action under the objective `place` of the plan, as `edit` says (its note, if
    /// any, starts the action's history; otherwise the history says it was added); returns its
    /// id. Nothing is written when refused: [`ServiceError::Invalid`] lists every field to put
    /// right (`objective` when the plan has no such objective).
    pub async fn add_improvement_action(
        &self,
        caller: &Caller,
        place: &PlanPlace,
        edit: &ActionEdit,
    ) -> Result<i64, ServiceError> {
        let mut tx =
            authorise_service(self.begin().await?, caller, Action::EditImprovementPlan).await?;
        let plan = tx.improvement_plan().await?;
        let known = plan
            .priorities
            .iter()
            .filter(|p| p.title == place.priority)
            .any(|p| p.objectives.iter().any(|o| o.title == place.objective));
        let checked = checked(edit, None);
        let action = match (known, checked) {
            (true, Ok(action)) => action,
            (known, checked) => {
                tx.rollback().await?;
                let mut problems = Vec::new();
                if !known {
                    problems.push(FieldError::new(
                        "objective",
                        "Select the objective the action is for",
                    ));
                }
                problems.extend(checked.err().unwrap_or_default());
                return Err(ServiceError::Invalid(problems));
            }
        };
        let note = match edit.note.trim() {
            "" => "Added to the plan",
            note => note,
        };
        let id = tx
            .add_improvement_action(
                &place.priority,
                &place.objective,
                &action,
                caller.actor.id,
                note,
            )
            .await?;
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "improvement_plan.add")
                .detail(caller.detail(json!({ "action": id }))),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// The action as the edit would leave it, or every problem with the edit. An edit of an action
/// (`before`) that changes nothing must at least say what happened.
fn checked(edit: &ActionEdit, before: Option<&PlanAction>) -> Result<PlanAction, Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut text = |field: &str, label: &str, value: &str, max: usize, multiline: bool| {
        let value = value.trim();
        if let Err(problem) = input::check_text(value, max, multiline) {
            problems.push(FieldError::new(field, problem.message(label)));
        }
        value.to_owned()
    };
    let action_text = text("text", "The action", &edit.text, MAX_TEXT, false);
    let owner = text("owner", "The owner", &edit.owner, MAX_LABEL, false);
    let evidence = text("evidence", "The evidence", &edit.evidence, MAX_TEXT, true);
    let note = text("note", "The update", &edit.note, MAX_TEXT, true);
    if action_text.is_empty() {
        problems.push(FieldError::new("text", "Enter what the action is"));
    }
    if owner.is_empty() {
        problems.push(FieldError::new(
            "owner",
            "Enter the officer or role answerable for the action",
        ));
    }
    if edit.due.is_none() {
        problems.push(FieldError::new("due", "Enter the date the action is due"));
    }
    if edit.status.is_none() {
        problems.push(FieldError::new("status", "Select where the action stands"));
    }
    let (Some(due), Some(status)) = (edit.due, edit.status) else {
        return Err(problems);
    };
    let after = PlanAction {
        id: before.and_then(|b| b.id),
        text: action_text,
        owner,
        due,
        status,
        evidence,
    };
    let unchanged = before.is_some_and(|b| b.changes(&after).is_empty());
    if problems.is_empty() && note.is_empty() && unchanged {
        problems.push(FieldError::new(
            "note",
            "Nothing has changed: change the action or write an update",
        ));
    }
    if problems.is_empty() {
        Ok(after)
    } else {
        Err(problems)
    }
}
