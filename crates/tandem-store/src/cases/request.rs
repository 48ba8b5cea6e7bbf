//! A case's request details in their own typed, checked columns of `cases` (migration 0025): the
//! facts of one request and its plan, so that a child's two requests each keep their own.

use sqlx::{AssertSqlSafe, FromRow};
use tandem_core::request::{RequestDetails, Requester};

use crate::error::StoreError;
use crate::model::CaseId;
use crate::store::{Conn, on};

/// The columns, in the order [`bind_request!`] binds them.
pub(crate) const REQUEST_COLUMNS: &str = "requested_by, rya, request_mediation, \
     request_tribunal, assessment_mediation, assessment_tribunal, other_mediation, \
     other_tribunal, personal_budget, organised_arrangements, direct_payments, \
     plan_residential, plan_work_based, cease_reason, transfer_la, exported_la";

/// How many columns [`REQUEST_COLUMNS`] names.
pub(crate) const REQUEST_COUNT: usize = 16;

/// The same columns of `cases` aliased `c`, for reading with [`RequestColumns`].
pub(crate) const REQUEST_SELECT: &str = "c.requested_by, c.rya, c.request_mediation, \
     c.request_tribunal, c.assessment_mediation, c.assessment_tribunal, c.other_mediation, \
     c.other_tribunal, c.personal_budget, c.organised_arrangements, c.direct_payments, \
     c.plan_residential, c.plan_work_based, c.cease_reason, c.transfer_la, c.exported_la";

/// Binds a [`RequestDetails`]'s values in the order of [`REQUEST_COLUMNS`] (a macro because
/// the query types of the two backends differ).
macro_rules! bind_request {
    ($query:expr, $r:expr) => {{
        let r: &tandem_core::request::RequestDetails = $r;
        $query
            .bind(r.requested_by.map(tandem_core::request::Requester::as_str))
            .bind(r.rya)
            .bind(r.request_mediation)
            .bind(r.request_tribunal)
            .bind(r.assessment_mediation)
            .bind(r.assessment_tribunal)
            .bind(r.other_mediation)
            .bind(r.other_tribunal)
            .bind(r.personal_budget)
            .bind(r.organised_arrangements)
            .bind(r.direct_payments.as_deref())
            .bind(r.plan_residential.as_deref())
            .bind(r.plan_work_based.as_deref())
            .bind(r.cease_reason.as_deref())
            .bind(r.transfer_la.as_deref())
            .bind(r.exported_la.as_deref())
    }};
}
pub(crate) use bind_request;

/// The columns as read.
#[derive(FromRow)]
pub(crate) struct RequestColumns {
    requested_by: Option<String>,
    rya: bool,
    request_mediation: bool,
    request_tribunal: bool,
    assessment_mediation: bool,
    assessment_tribunal: bool,
    other_mediation: bool,
    other_tribunal: bool,
    personal_budget: bool,
    organised_arrangements: bool,
    direct_payments: Option<String>,
    plan_residential: Option<String>,
    plan_work_based: Option<String>,
    cease_reason: Option<String>,
    transfer_la: Option<String>,
    exported_la: Option<String>,
}

impl RequestColumns {
    /// The details, checked again as the core reads them.
    pub(crate) fn into_details(self) -> Result<RequestDetails, StoreError> {
        let requested_by = self
            .requested_by
            .map(|text| {
                Requester::parse(&text)
                    .ok_or_else(|| StoreError::Corrupt(format!("requested_by {text:?}")))
            })
            .transpose()?;
        let details = RequestDetails {
            requested_by,
            rya: self.rya,
            request_mediation: self.request_mediation,
            request_tribunal: self.request_tribunal,
            assessment_mediation: self.assessment_mediation,
            assessment_tribunal: self.assessment_tribunal,
            other_mediation: self.other_mediation,
            other_tribunal: self.other_tribunal,
            personal_budget: self.personal_budget,
            organised_arrangements: self.organised_arrangements,
            direct_payments: self.direct_payments,
            plan_residential: self.plan_residential,
            plan_work_based: self.plan_work_based,
            cease_reason: self.cease_reason,
            transfer_la: self.transfer_la,
            exported_la: self.exported_la,
        };
        details
            .check()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(details)
    }
}

/// Replaces the request details of case `case_id`.
pub(crate) async fn write_request(
    mut conn: Conn<'_>,
    case_id: CaseId,
    request: &RequestDetails,
) -> Result<(), StoreError> {
    let set: Vec<String> = REQUEST_COLUMNS
        .split(',')
        .zip(2..)
        .map(|(column, i)| format!("{} = ${i}", column.trim()))
        .collect();
    let sql = format!("UPDATE cases SET {} WHERE id = $1", set.join(", "));
    on!(conn.reborrow(), c => {
        let query = sqlx::query(AssertSqlSafe(sql)).bind(case_id);
        bind_request!(query, request).execute(&mut *c).await?;
    });
    Ok(())
}
