//! The service's teams: a managed list that accounts and cases name, instead of free text that
//! drifts ("North", "north team"). What may be added or removed, and by whom, is decided by the
//! accounts use-cases.

use sqlx::FromRow;

use crate::error::StoreError;
use crate::store::{Store, Tx, on};

/// A team with how many accounts and cases are in it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TeamRecord {
    /// Its name, as accounts and cases hold it.
    pub name: String,
    /// Accounts in it (enabled or not).
    pub people: i64,
    /// Cases in it (open or closed).
    pub cases: i64,
}

impl Tx {
    /// Whether a team of this name (in any case of letters) is on the list; its name as listed.
    pub async fn team_named(&mut self, name: &str) -> Result<Option<String>, StoreError> {
        const SQL: &str = "SELECT name FROM teams WHERE LOWER(name) = LOWER($1)";
        Ok(on!(self.conn(), c => sqlx::query_scalar::<_, String>(SQL)
            .bind(name.trim())
            .fetch_optional(&mut *c)
            .await?))
    }

    /// Adds a team to the list (the caller has checked that no team has the name).
    pub async fn add_team(&mut self, name: &str) -> Result<(), StoreError> {
        on!(self.conn(), c => sqlx::query("INSERT INTO teams (name) VALUES ($1)")
            .bind(name.trim())
            .execute(&mut *c)
            .await
            .map(drop)?);
        Ok(())
    }

    /// Removes a team from the list; whether it was there.
    pub async fn remove_team(&mut self, name: &str) -> Result<bool, StoreError> {
        Ok(
            on!(self.conn(), c => sqlx::query("DELETE FROM teams WHERE name = $1")
            .bind(name)
            .execute(&mut *c)
            .await?
            .rows_affected())
                > 0,
        )
    }

    /// Every team with its counts, by name.
    pub async fn teams(&mut self) -> Result<Vec<TeamRecord>, StoreError> {
        const SQL: &str = "SELECT t.name, \
             (SELECT COUNT(*) FROM users u WHERE u.team = t.name) AS people, \
             (SELECT COUNT(*) FROM cases c WHERE c.team = t.name) AS cases \
             FROM teams t ORDER BY t.name";
        Ok(on!(self.conn(), c => sqlx::query_as::<_, TeamRecord>(SQL)
            .fetch_all(&mut *c)
            .await?))
    }
}

impl Store {
    /// The teams' names, by name, for forms that choose one.
    pub async fn team_names(&self) -> Result<Vec<String>, StoreError> {
        let mut held = self.acquire().await?;
        Ok(
            on!(held.conn(), c => sqlx::query_scalar::<_, String>("SELECT name FROM teams ORDER BY name")
            .fetch_all(&mut *c)
            .await?),
        )
    }
}
