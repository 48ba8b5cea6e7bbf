//! The list of advice providers (issue 14, finding 17). A request for advice names a provider
//! from the list, never free text: a name typed once could be a person's, or a service seen by
//! one child, and would reach the analysts' tables as it was typed. Administrators keep the list
//! (add, rename, retire, each audited); a request recorded through a form or the API must name
//! a current provider, and is recorded under the provider's name now (an earlier name, or the
//! same name in other capitals or spacing, finds it). The case history keeps every request
//! under the name it was recorded with: a rename changes new requests, never old ones.

use serde_json::json;
use tandem_core::input;
use tandem_core::{Action, Event, EventDetail};
use tandem_store::{AdviceProvider, AuditEntry, Tx};

use super::{Caller, FieldError, ServiceError, Services, authorise_service};

/// Checks a provider's name as typed: one line, within the label limit, not empty.
fn checked_name(name: &str) -> Result<&str, ServiceError> {
    let name = name.trim();
    let invalid = |message: String| ServiceError::Invalid(vec![FieldError::new("name", message)]);
    if name.is_empty() {
        return Err(invalid("Enter the provider's name".into()));
    }
    input::check_text(name, input::MAX_LABEL, false)
        .map_err(|problem| invalid(problem.message("Name")))?;
    Ok(name)
}

impl Services {
    /// Every provider on the list, current and retired, by name. Any signed-in caller may read
    /// it: it holds the names of services, not of people.
    pub async fn advice_providers(
        &self,
        _caller: &Caller,
    ) -> Result<Vec<AdviceProvider>, ServiceError> {
        Ok(self.store().advice_providers().await?)
    }

    /// Adds a provider to the list (administrators), audited as `advice_provider.add`.
    pub async fn add_advice_provider(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<AdviceProvider, ServiceError> {
        let name = checked_name(name)?;
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ManageAccounts).await?;
        let added = tx.add_advice_provider(name).await?;
        audited(
            tx,
            caller,
            "advice_provider.add",
            json!({ "provider": added.id, "name": name }),
        )
        .await?;
        Ok(added)
    }

    /// Renames a provider (administrators), audited as `advice_provider.rename` with both
    /// names. Requests already recorded keep the name they were recorded with; the earlier name
    /// still finds the provider.
    pub async fn rename_advice_provider(
        &self,
        caller: &Caller,
        id: i64,
        name: &str,
    ) -> Result<AdviceProvider, ServiceError> {
        let name = checked_name(name)?;
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ManageAccounts).await?;
        let before = tx
            .advice_provider(id)
            .await?
            .ok_or(tandem_store::StoreError::ProviderNotFound { id })?;
        let renamed = tx.rename_advice_provider(id, name).await?;
        audited(
            tx,
            caller,
            "advice_provider.rename",
            json!({ "provider": id, "from": before.name, "to": name }),
        )
        .await?;
        Ok(renamed)
    }

    /// Retires a provider (`retired`: no longer offered for new requests) or brings it back
    /// (administrators), audited as `advice_provider.retire` or `advice_provider.reinstate`.
    pub async fn retire_advice_provider(
        &self,
        caller: &Caller,
        id: i64,
        retired: bool,
    ) -> Result<AdviceProvider, ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ManageAccounts).await?;
        let changed = tx.set_advice_provider_retired(id, retired).await?;
        let action = if retired {
            "advice_provider.retire"
        } else {
            "advice_provider.reinstate"
        };
        audited(tx, caller, action, json!({ "provider": id })).await?;
        Ok(changed)
    }
}

/// Appends `action`'s audit entry (a change to the service's settings, not to a case) and
/// commits.
pub(super) async fn audited(
    mut tx: Tx,
    caller: &Caller,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), ServiceError> {
    tx.audit(&AuditEntry::new(Some(caller.actor.id), action).detail(caller.detail(detail)))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// `event` as it is to be recorded: a request for advice naming a provider must name a current
/// one on the list, and is recorded under that provider's name now. Any other event is as given.
pub(super) async fn listed_provider(tx: &mut Tx, event: &Event) -> Result<Event, ServiceError> {
    let EventDetail::AdviceRequested {
        provider: Some(named),
        ..
    } = &event.detail
    else {
        return Ok(event.clone());
    };
    let found = tx.advice_provider_named(named).await?;
    match found {
        Some(provider) if provider.is_current() => {
            let mut listed = event.clone();
            if let EventDetail::AdviceRequested { provider: p, .. } = &mut listed.detail {
                *p = Some(provider.name);
            }
            Ok(listed)
        }
        Some(_) => Err(ServiceError::Invalid(vec![FieldError::new(
            "provider",
            "That provider has been retired: choose a current provider from the list",
        )])),
        None => Err(ServiceError::Invalid(vec![FieldError::new(
            "provider",
            "Choose a provider from the list of advice providers (administrators add providers \
             on the Advice providers page)",
        )])),
    }
}
