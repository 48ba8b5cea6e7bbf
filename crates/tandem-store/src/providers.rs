//! The list of advice providers the administrators keep (migration 0020): each provider's name
//! now, whether it is retired, and every name it has had (by its matching form), so that a name
//! recorded before a rename still finds it.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use tandem_core::access::provider_key;

use crate::error::StoreError;
use crate::store::{Conn, Store, Tx, on};

/// A provider on the list.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AdviceProvider {
    /// Its id, stable across renames.
    pub id: i64,
    /// The name requests record and tables show now.
    pub name: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was retired (no longer offered), if it was.
    pub retired_at: Option<DateTime<Utc>>,
}

impl AdviceProvider {
    /// Whether it may still be asked for advice.
    pub fn is_current(&self) -> bool {
        self.retired_at.is_none()
    }
}

const COLUMNS: &str = "p.id, p.name, p.created_at, p.retired_at";

async fn all(mut conn: Conn<'_>) -> Result<Vec<AdviceProvider>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM advice_providers p ORDER BY lower(p.name), p.id");
    Ok(
        on!(conn.reborrow(), c => sqlx::query_as::<_, AdviceProvider>(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await?),
    )
}

async fn by_key(mut conn: Conn<'_>, key: &str) -> Result<Option<AdviceProvider>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM advice_providers p \
         JOIN advice_provider_names n ON n.provider_id = p.id WHERE n.key = $1"
    );
    Ok(
        on!(conn.reborrow(), c => sqlx::query_as::<_, AdviceProvider>(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_optional(&mut *c)
            .await?),
    )
}

async fn by_id(mut conn: Conn<'_>, id: i64) -> Result<Option<AdviceProvider>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM advice_providers p WHERE p.id = $1");
    Ok(
        on!(conn.reborrow(), c => sqlx::query_as::<_, AdviceProvider>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?),
    )
}

async fn add_name(mut conn: Conn<'_>, key: &str, id: i64) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO advice_provider_names (key, provider_id) VALUES ($1, $2)";
    on!(conn.reborrow(), c => sqlx::query(SQL).bind(key).bind(id).execute(&mut *c).await.map(|_| ())?);
    Ok(())
}

impl Tx {
    /// Every provider on the list, current and retired, by name.
    pub async fn advice_providers(&mut self) -> Result<Vec<AdviceProvider>, StoreError> {
        all(self.conn()).await
    }

    /// The provider that has (or had) `name`, matched as
    /// [`provider_key`](tandem_core::access::provider_key) matches; `None` if none has.
    pub async fn advice_provider_named(
        &mut self,
        name: &str,
    ) -> Result<Option<AdviceProvider>, StoreError> {
        by_key(self.conn(), &provider_key(name)).await
    }

    /// The provider with this id.
    pub async fn advice_provider(&mut self, id: i64) -> Result<Option<AdviceProvider>, StoreError> {
        by_id(self.conn(), id).await
    }

    /// Adds a provider; [`StoreError::DuplicateProvider`] if any provider has or had the name.
    pub async fn add_advice_provider(&mut self, name: &str) -> Result<AdviceProvider, StoreError> {
        let key = provider_key(name);
        if by_key(self.conn(), &key).await?.is_some() {
            return Err(StoreError::DuplicateProvider);
        }
        let now = self.now();
        const SQL: &str =
            "INSERT INTO advice_providers (name, created_at) VALUES ($1, $2) RETURNING id";
        let id = on!(self.conn(), c => sqlx::query_scalar::<_, i64>(SQL)
            .bind(name)
            .bind(now)
            .fetch_one(&mut *c)
            .await?);
        add_name(self.conn(), &key, id).await?;
        by_id(self.conn(), id)
            .await?
            .ok_or(StoreError::ProviderNotFound { id })
    }

    /// The provider that has (or had) `name`, added to the list if none has.
    pub async fn ensure_advice_provider(
        &mut self,
        name: &str,
    ) -> Result<AdviceProvider, StoreError> {
        match self.advice_provider_named(name).await? {
            Some(provider) => Ok(provider),
            None => self.add_advice_provider(name.trim()).await,
        }
    }

    /// Gives a provider a new name, keeping its earlier ones as names it can be found by;
    /// [`StoreError::DuplicateProvider`] if another provider has or had the name.
    pub async fn rename_advice_provider(
        &mut self,
        id: i64,
        name: &str,
    ) -> Result<AdviceProvider, StoreError> {
        let key = provider_key(name);
        match by_key(self.conn(), &key).await? {
            Some(other) if other.id != id => return Err(StoreError::DuplicateProvider),
            Some(_) => {}
            None => {
                if by_id(self.conn(), id).await?.is_none() {
                    return Err(StoreError::ProviderNotFound { id });
                }
                add_name(self.conn(), &key, id).await?;
            }
        }
        const SQL: &str = "UPDATE advice_providers SET name = $2 WHERE id = $1";
        on!(self.conn(), c => sqlx::query(SQL).bind(id).bind(name).execute(&mut *c).await.map(|_| ())?);
        by_id(self.conn(), id)
            .await?
            .ok_or(StoreError::ProviderNotFound { id })
    }

    /// Retires a provider (`retired`) or brings it back.
    pub async fn set_advice_provider_retired(
        &mut self,
        id: i64,
        retired: bool,
    ) -> Result<AdviceProvider, StoreError> {
        let at = retired.then(|| self.now());
        const SQL: &str = "UPDATE advice_providers SET retired_at = $2 WHERE id = $1";
        let affected = on!(self.conn(), c => sqlx::query(SQL)
            .bind(id)
            .bind(at)
            .execute(&mut *c)
            .await?
            .rows_affected());
        if affected == 0 {
            return Err(StoreError::ProviderNotFound { id });
        }
        by_id(self.conn(), id)
            .await?
            .ok_or(StoreError::ProviderNotFound { id })
    }
}

impl Store {
    /// Every provider on the list, as [`Tx::advice_providers`].
    pub async fn advice_providers(&self) -> Result<Vec<AdviceProvider>, StoreError> {
        let mut held = self.acquire().await?;
        all(held.conn()).await
    }
}
