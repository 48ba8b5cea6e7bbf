//! Decision panels (migration 0028): panels, their members and meetings, and which event on a
//! case each meeting's decision became.

use sqlx::FromRow;
use tandem_core::panels::PanelDecides;
use tandem_core::{Date, Reference, Stage, UserId};

use crate::error::StoreError;
use crate::model::{CaseId, EventId};
use crate::store::{Tx, on};

/// A panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    /// Its id.
    pub id: i64,
    /// Its name, unique.
    pub name: String,
    /// The question it decides.
    pub decides: PanelDecides,
    /// What it is for, who sits on it and how it decides, as the service wrote it.
    pub terms_of_reference: String,
}

#[derive(FromRow)]
struct PanelRow {
    id: i64,
    name: String,
    decides: String,
    terms_of_reference: String,
}

impl PanelRow {
    fn into_panel(self) -> Result<Panel, StoreError> {
        let decides = PanelDecides::parse(&self.decides).ok_or_else(|| {
            StoreError::Corrupt(format!("panel {}: decides {:?}", self.id, self.decides))
        })?;
        Ok(Panel {
            id: self.id,
            name: self.name,
            decides,
            terms_of_reference: self.terms_of_reference,
        })
    }
}

/// A member of a panel: a staff account.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PanelMember {
    /// The account.
    pub user_id: UserId,
    /// Its name.
    pub name: String,
    /// Whether the member sees who each child is; otherwise their papers are pseudonymised.
    pub sees_identity: bool,
}

/// A meeting of a panel.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PanelMeeting {
    /// Its id.
    pub id: i64,
    /// The panel meeting.
    pub panel_id: i64,
    /// The day it meets.
    pub meets_on: Date,
    /// Its minutes, once written.
    pub minutes: Option<String>,
}

/// A decision a meeting recorded onto a case.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PanelDecision {
    /// The meeting.
    pub meeting_id: i64,
    /// The case, by reference.
    pub reference: String,
    /// The event it became in the case's history.
    pub event_id: EventId,
    /// The outcome's machine name, as the meeting decided it.
    pub outcome: String,
    /// The panel's reason.
    pub reason: String,
    /// Who recorded it.
    pub decided_by: Option<UserId>,
}

/// Where a decision in a case's history came from: which panel, meeting on which day, and why.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DecisionSource {
    /// The event in the case's history.
    pub event_id: EventId,
    /// The panel's name.
    pub panel: String,
    /// The meeting's day.
    pub meets_on: Date,
    /// The panel's reason.
    pub reason: String,
}

/// What a meeting's decision records, for [`Tx::record_panel_decision`].
#[derive(Debug, Clone, Copy)]
pub struct NewPanelDecision<'a> {
    /// The meeting.
    pub meeting_id: i64,
    /// The case.
    pub case_id: CaseId,
    /// The event just appended to the case's history.
    pub event_id: EventId,
    /// The outcome's machine name.
    pub outcome: &'a str,
    /// The panel's reason.
    pub reason: &'a str,
    /// Who recorded it.
    pub by: UserId,
}

const PANEL_COLUMNS: &str = "id, name, decides, terms_of_reference";
const MEETING_COLUMNS: &str = "id, panel_id, meets_on, minutes";

impl Tx {
    /// Every panel, by name.
    pub async fn panels(&mut self) -> Result<Vec<Panel>, StoreError> {
        let sql = format!("SELECT {PANEL_COLUMNS} FROM panels ORDER BY name, id");
        let rows = on!(self.conn(), c => sqlx::query_as::<_, PanelRow>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter().map(PanelRow::into_panel).collect()
    }

    /// The panel with this id.
    pub async fn panel(&mut self, id: i64) -> Result<Option<Panel>, StoreError> {
        let sql = format!("SELECT {PANEL_COLUMNS} FROM panels WHERE id = $1");
        let row = on!(self.conn(), c => sqlx::query_as::<_, PanelRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        row.map(PanelRow::into_panel).transpose()
    }

    /// Whether a panel has this name (ignoring case).
    pub async fn panel_name_taken(&mut self, name: &str) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM panels WHERE lower(name) = lower($1)";
        let count = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(name)
            .fetch_one(&mut *c)
            .await?);
        Ok(count > 0)
    }

    /// Adds a panel and returns its id.
    pub async fn add_panel(
        &mut self,
        name: &str,
        decides: PanelDecides,
        terms_of_reference: &str,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO panels (name, decides, terms_of_reference, created_at) \
                           VALUES ($1, $2, $3, $4) RETURNING id";
        let now = self.now();
        Ok(on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(name)
            .bind(decides.as_str())
            .bind(terms_of_reference)
            .bind(now)
            .fetch_one(&mut *c)
            .await?))
    }

    /// The panel's members, by name.
    pub async fn panel_members(&mut self, panel_id: i64) -> Result<Vec<PanelMember>, StoreError> {
        const SQL: &str = "SELECT m.user_id, u.name, m.sees_identity FROM panel_members m \
                           JOIN users u ON u.id = m.user_id WHERE m.panel_id = $1 \
                           ORDER BY u.name, u.id";
        Ok(on!(self.conn(), c => sqlx::query_as::<_, PanelMember>(SQL)
            .bind(panel_id)
            .fetch_all(&mut *c)
            .await?))
    }

    /// Makes `user_id` a member of the panel, or changes whether they see identity.
    pub async fn set_panel_member(
        &mut self,
        panel_id: i64,
        user_id: UserId,
        sees_identity: bool,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO panel_members (panel_id, user_id, sees_identity) \
                           VALUES ($1, $2, $3) ON CONFLICT (panel_id, user_id) \
                           DO UPDATE SET sees_identity = excluded.sees_identity";
        on!(self.conn(), c => sqlx::query(SQL)
            .bind(panel_id)
            .bind(user_id)
            .bind(sees_identity)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// Takes `user_id` off the panel; whether they were on it.
    pub async fn remove_panel_member(
        &mut self,
        panel_id: i64,
        user_id: UserId,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM panel_members WHERE panel_id = $1 AND user_id = $2";
        let done = on!(self.conn(), c => sqlx::query(SQL)
            .bind(panel_id)
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(done > 0)
    }

    /// Plans a meeting of the panel on `meets_on`; `None` when it already meets that day.
    pub async fn add_panel_meeting(
        &mut self,
        panel_id: i64,
        meets_on: Date,
    ) -> Result<Option<i64>, StoreError> {
        const SQL: &str = "INSERT INTO panel_meetings (panel_id, meets_on, created_at) \
                           VALUES ($1, $2, $3) ON CONFLICT (panel_id, meets_on) DO NOTHING \
                           RETURNING id";
        let now = self.now();
        Ok(on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(panel_id)
            .bind(meets_on)
            .bind(now)
            .fetch_optional(&mut *c)
            .await?))
    }

    /// The panel's meetings, earliest first.
    pub async fn panel_meetings(&mut self, panel_id: i64) -> Result<Vec<PanelMeeting>, StoreError> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM panel_meetings WHERE panel_id = $1 ORDER BY meets_on"
        );
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, PanelMeeting>(sqlx::AssertSqlSafe(sql))
                .bind(panel_id)
                .fetch_all(&mut *c)
                .await?),
        )
    }

    /// The meeting with this id.
    pub async fn panel_meeting(&mut self, id: i64) -> Result<Option<PanelMeeting>, StoreError> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM panel_meetings WHERE id = $1");
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, PanelMeeting>(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&mut *c)
                .await?),
        )
    }

    /// Replaces the meeting's minutes.
    pub async fn set_panel_minutes(&mut self, id: i64, minutes: &str) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE panel_meetings SET minutes = $2 WHERE id = $1";
        on!(self.conn(), c => sqlx::query(SQL)
            .bind(id)
            .bind(minutes)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// The id of the history row most recently added to the case.
    pub async fn last_event_id(&mut self, case_id: CaseId) -> Result<EventId, StoreError> {
        const SQL: &str = "SELECT id FROM events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1";
        Ok(on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(case_id)
            .fetch_one(&mut *c)
            .await?))
    }

    /// Keeps which meeting a decision just recorded on a case came from.
    pub async fn record_panel_decision(
        &mut self,
        decision: NewPanelDecision<'_>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO panel_decisions \
                           (meeting_id, case_id, event_id, outcome, reason, decided_by, decided_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let now = self.now();
        on!(self.conn(), c => sqlx::query(SQL)
            .bind(decision.meeting_id)
            .bind(decision.case_id)
            .bind(decision.event_id)
            .bind(decision.outcome)
            .bind(decision.reason)
            .bind(decision.by)
            .bind(now)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// The decisions of the meetings of `panel_id`, or of one meeting when `meeting_id` is set.
    pub async fn panel_decisions(
        &mut self,
        panel_id: Option<i64>,
        meeting_id: Option<i64>,
    ) -> Result<Vec<PanelDecision>, StoreError> {
        const SQL: &str = "SELECT d.meeting_id, c.reference, d.event_id, d.outcome, d.reason, \
                           d.decided_by FROM panel_decisions d \
                           JOIN cases c ON c.id = d.case_id \
                           JOIN panel_meetings m ON m.id = d.meeting_id \
                           WHERE ($1 IS NULL OR m.panel_id = $1) AND ($2 IS NULL OR m.id = $2) \
                           ORDER BY d.id";
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, PanelDecision>(SQL)
            .bind(panel_id)
            .bind(meeting_id)
            .fetch_all(&mut *c)
            .await?),
        )
    }

    /// Which panel meeting each panel decision in the case's history came from.
    pub async fn decision_sources(
        &mut self,
        case_id: CaseId,
    ) -> Result<Vec<DecisionSource>, StoreError> {
        const SQL: &str = "SELECT d.event_id, p.name AS panel, m.meets_on, d.reason \
                           FROM panel_decisions d \
                           JOIN panel_meetings m ON m.id = d.meeting_id \
                           JOIN panels p ON p.id = m.panel_id \
                           WHERE d.case_id = $1 ORDER BY d.id";
        Ok(
            on!(self.conn(), c => sqlx::query_as::<_, DecisionSource>(SQL)
            .bind(case_id)
            .fetch_all(&mut *c)
            .await?),
        )
    }

    /// The references of the cases whose summary row puts them in `stage`, in order.
    pub async fn references_in_stage(
        &mut self,
        stage: Stage,
    ) -> Result<Vec<Reference>, StoreError> {
        const SQL: &str = "SELECT c.reference FROM cases c \
                           JOIN case_projection p ON p.case_id = c.id \
                           WHERE p.stage = $1 ORDER BY c.reference";
        let found = on!(self.conn(), c => sqlx::query_scalar::<_, String>(SQL)
            .bind(stage.as_str())
            .fetch_all(&mut *c)
            .await?);
        found
            .iter()
            .map(|r| {
                Reference::parse(r).map_err(|e| StoreError::Corrupt(format!("reference: {e}")))
            })
            .collect()
    }
}
