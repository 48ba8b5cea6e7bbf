//! What the forms that change a case read first: the case as someone who may record on it sees
//! it, and the people a new case can be given to.

use serde_json::json;
use tandem_core::{Action, Reference, Resource, Role, UserId, can, timeline};

use super::cases::finish;
use super::{Caller, CaseView, ServiceError, Services, authorise_service};

/// Someone a case can be given to: an enabled case manager or team manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseManager {
    /// Their account id, to assign a case to.
    pub id: UserId,
    /// Their name as shown on pages.
    pub name: String,
    /// Their team, which a case given to them goes to as well; `None` when they are in none.
    pub team: Option<String>,
}

impl Services {
    /// Reads a case in order to change it (record, correct or withdraw an event, claim an
    /// exception): refused, and audited as refused, unless the caller may record events on it.
    /// The reading is audited as `case.view` with the purpose `record`.
    pub async fn case_for_recording(
        &self,
        caller: &Caller,
        reference: &Reference,
    ) -> Result<CaseView, ServiceError> {
        let (mut tx, case, access) = self
            .load_for(caller, Action::RecordEvent, reference)
            .await?;
        let as_of = tx.today();
        let advice_providers = tx
            .advice_providers()
            .await?
            .into_iter()
            .filter(|p| p.is_current())
            .map(|p| p.name)
            .collect();
        let timeline = timeline::compute(&case.case_file(), as_of);
        let view = CaseView {
            may_record: true,
            may_assign: can(
                &caller.actor,
                Action::AssignCaseManager,
                Resource::Case(&access),
            ),
            case,
            timeline,
            advice: Vec::new(),
            assignments: Vec::new(),
            detail_changes: Vec::new(),
            advice_providers,
            decision_sources: Vec::new(),
        };
        let detail = caller.detail(json!({
            "as_of": as_of,
            "purpose": "record",
        }));
        finish(tx, caller, "case.view", reference, detail).await?;
        Ok(view)
    }

    /// The people a new case can be given to, by name, for those who may open cases. Staff names
    /// are not a child's record, so an allowed reading leaves no audit entry; a refusal does.
    pub async fn case_managers(&self, caller: &Caller) -> Result<Vec<CaseManager>, ServiceError> {
        let tx = self.begin().await?;
        let tx = authorise_service(tx, caller, Action::OpenCase).await?;
        tx.rollback().await?;
        let mut people: Vec<CaseManager> = self
            .store()
            .users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled && matches!(u.role, Role::CaseManager | Role::TeamManager))
            .map(|u| CaseManager {
                id: u.id,
                name: u.name,
                team: u.team,
            })
            .collect();
        people.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(people)
    }
}
