//! Caseload services: a caseload page with its counts, the team's caseloads side by side, the
//! backlog of requests past 20 weeks, and the staff a case can be given to.

use std::sync::Arc;

use serde_json::json;
use tandem_core::caseload::{AWAITING_PLAN, backlog_cutoff, open_stages};
use tandem_core::{Action, Date, Resource, Role, can};
pub use tandem_store::StaffMember;
use tandem_store::{
    AuditEntry, BacklogPage, CaseFilter, CasePage, CaseSort, Caseload, CaseloadCount, LinkedTo,
    Page,
};

use super::{Caller, ServiceError, Services, authorise_service};

/// One page of a caseload, with how many of the caseload's cases (whatever the status filter)
/// are overdue or due within two weeks.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseloadPage {
    /// The page of cases asked for, with how many match the filter across all pages.
    pub cases: CasePage,
    /// Cases whose next statutory step was due before the filter's `as_of`.
    pub overdue: i64,
    /// Cases whose next statutory step is due on the filter's `as_of` or in the two weeks
    /// after it (none of them overdue).
    pub due_soon: i64,
    /// Cases whose next statutory step is due from the filter's `as_of` to the end of its week.
    pub due_this_week: i64,
    /// Cases whose final plan is at risk of missing its 20 weeks.
    pub at_risk: i64,
}

/// One line of the team page: a case manager's open cases (`member` is `None` for the cases no
/// one holds, and for cases of accounts no longer active).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamCaseload {
    /// Whose cases these are; `None` for the line of cases held by no one listed (unassigned,
    /// or held by an account no longer active).
    pub member: Option<StaffMember>,
    /// Open cases held on the day asked about.
    pub cases: i64,
    /// Of those, cases whose next statutory step was due before that day.
    pub overdue: i64,
    /// Of those, cases whose next statutory step is due that day or in the two weeks after it.
    pub due_soon: i64,
    /// Of those, cases whose final plan is at risk of missing its 20 weeks.
    pub at_risk: i64,
}

/// The filter a caller may use: a case manager's is narrowed to their own and their team's
/// cases, and anyone who may not list the service's cases to the cases linked to them, whatever
/// was asked. A service asked for advice counts while its request is open or closed on or after
/// `closed_since`.
pub(super) fn narrowed(caller: &Caller, filter: &CaseFilter, closed_since: Date) -> CaseFilter {
    let mut filter = filter.clone();
    if caller.actor.role == Role::CaseManager {
        filter.caseload_of = Some(Caseload {
            user: caller.actor.id,
            team: caller.actor.team.clone(),
        });
    }
    if !can(&caller.actor, Action::ListCases, Resource::Service) {
        filter.linked_to = Some(LinkedTo {
            user: caller.actor.id,
            provider: caller.actor.provider.clone(),
            closed_since,
        });
    }
    filter
}

/// The permission a list of cases needs from `caller`: the service's cases for staff, the cases
/// linked to them for professionals, settings and families (narrowed by [`narrowed`]).
pub(super) fn listing_action(caller: &Caller) -> Action {
    if can(&caller.actor, Action::ListCases, Resource::Service) {
        Action::ListCases
    } else {
        Action::ListLinkedCases
    }
}

impl Services {
    /// One page of the cases the caller works on or oversees in the order asked, with the counts
    /// shown above the list.
    pub async fn caseload(
        &self,
        caller: &Caller,
        filter: &CaseFilter,
        sort: CaseSort,
        page: Page,
    ) -> Result<CaseloadPage, ServiceError> {
        // The most read page: it is read from a snapshot, so that many people can read their
        // caseloads at once (a write transaction would queue them behind one another on
        // SQLite), and shown only once the read is audited (group commit: `audit_read`).
        self.authorise_read(caller, listing_action(caller)).await?;
        let filter = narrowed(caller, filter, self.advice_closed_since(filter.as_of));
        // The counts are of the list before its quick filters (status, due this week, at risk).
        let counted = CaseFilter {
            status: None,
            due_before: None,
            at_risk: false,
            ..filter.clone()
        };
        // Kept by the change counter read in the same snapshot: the same filter, order and page
        // give the same answer until a case or its summary row changes (on any server).
        let mut read = self.snapshot().await?;
        let changes = read.change_count().await?;
        let cache = &self.caches.caseloads;
        let found = match cache.get(changes, &filter, sort, page) {
            Some(found) => found,
            None => {
                let counts = read.caseload_counts(&counted).await?;
                let cases = read.list_cases_sorted(&filter, sort, page).await?;
                let found = Arc::new((counts, cases));
                cache.put(changes, &filter, sort, page, found.clone());
                found
            }
        };
        drop(read);
        let (counts, cases) = found.as_ref();
        let cases = cases.clone();
        let shown: Vec<&str> = cases.cases.iter().map(|c| c.reference.as_str()).collect();
        self.audit_read(
            AuditEntry::new(Some(caller.actor.id), "case.list").detail(caller.detail(json!({
                "total": cases.total,
                "shown": shown,
            }))),
        )
        .await?;
        Ok(CaseloadPage {
            overdue: counts.iter().map(|c| c.overdue).sum(),
            due_soon: counts.iter().map(|c| c.due_soon).sum(),
            due_this_week: counts.iter().map(|c| c.due_this_week).sum(),
            at_risk: counts.iter().map(|c| c.at_risk).sum(),
            cases,
        })
    }

    /// Every case manager's open cases on `as_of`, side by side, with those nobody holds last.
    pub async fn team_caseloads(
        &self,
        caller: &Caller,
        as_of: Date,
    ) -> Result<Vec<TeamCaseload>, ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ViewTeamCaseloads).await?;
        let filter = CaseFilter {
            stages: open_stages(),
            ..CaseFilter::as_of(as_of)
        };
        let counts = tx.caseload_counts(&filter).await?;
        let staff = tx.staff().await?;
        let mut lines: Vec<TeamCaseload> = staff
            .into_iter()
            .map(|member| {
                let held = counts.iter().find(|c| c.case_manager == Some(member.id));
                line(Some(member), held.into_iter())
            })
            .collect();
        let unheld = counts.iter().filter(|c| {
            c.case_manager.is_none_or(|id| {
                !lines
                    .iter()
                    .any(|l| l.member.as_ref().map(|m| m.id) == Some(id))
            })
        });
        let unheld = line(None, unheld);
        if unheld.cases > 0 {
            lines.push(unheld);
        }
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "team.view").detail(caller.detail(json!({
                "as_of": as_of,
            }))),
        )
        .await?;
        tx.commit().await?;
        Ok(lines)
    }

    /// One page of the requests past the statutory 20 weeks (reg 13(2)) on `filter.as_of` that
    /// have no final plan and no decision against one, oldest request first; a case manager's is
    /// narrowed to their caseload.
    pub async fn backlog(
        &self,
        caller: &Caller,
        filter: &CaseFilter,
        page: Page,
    ) -> Result<BacklogPage, ServiceError> {
        let tx = self.begin().await?;
        let mut tx = authorise_service(tx, caller, Action::ListCases).await?;
        let filter = CaseFilter {
            stages: AWAITING_PLAN.to_vec(),
            ..narrowed(caller, filter, self.advice_closed_since(filter.as_of))
        };
        let found = tx
            .backlog(&filter, backlog_cutoff(filter.as_of), page)
            .await?;
        let shown: Vec<&str> = found.cases.iter().map(|c| c.reference.as_str()).collect();
        tx.audit(
            &AuditEntry::new(Some(caller.actor.id), "case.backlog").detail(caller.detail(json!({
                "total": found.total,
                "shown": shown,
            }))),
        )
        .await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The enabled case managers and team managers, by name: who a case can be given to.
    pub async fn staff(&self) -> Result<Vec<StaffMember>, ServiceError> {
        Ok(self.store.staff().await?)
    }
}

fn line<'a>(
    member: Option<StaffMember>,
    counts: impl Iterator<Item = &'a CaseloadCount>,
) -> TeamCaseload {
    let mut line = TeamCaseload {
        member,
        cases: 0,
        overdue: 0,
        due_soon: 0,
        at_risk: 0,
    };
    for count in counts {
        line.cases += count.cases;
        line.overdue += count.overdue;
        line.due_soon += count.due_soon;
        line.at_risk += count.at_risk;
    }
    line
}
