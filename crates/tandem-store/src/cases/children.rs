//! Children: their names in their own columns, every other field kept as given.

use serde_json::{Map, Value};
use sqlx::types::Json;
use tandem_core::{Child, Date};

use crate::error::StoreError;
use crate::model::ChildId;
use crate::store::{Conn, on};

/// The child's names go in their own columns (so that they can be searched and, one day, erased);
/// every other field is kept as given in `other`.
pub(crate) struct ChildColumns {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<Date>,
    pub other: Map<String, Value>,
}

impl ChildColumns {
    pub(crate) fn from_child(child: &Child) -> Self {
        let mut other = child.other.clone();
        let mut take = |name: &str| match other.get(name) {
            Some(Value::String(_)) => match other.remove(name) {
                Some(Value::String(text)) => Some(text),
                _ => None,
            },
            _ => None,
        };
        let given_name = take("given_name");
        let family_name = take("family_name");
        Self {
            given_name,
            family_name,
            date_of_birth: child.date_of_birth,
            other,
        }
    }

    pub(crate) fn into_child(self) -> Child {
        let mut other = Map::new();
        other.extend(
            self.given_name
                .map(|n| ("given_name".to_owned(), Value::String(n))),
        );
        other.extend(
            self.family_name
                .map(|n| ("family_name".to_owned(), Value::String(n))),
        );
        other.extend(self.other);
        Child {
            date_of_birth: self.date_of_birth,
            other,
        }
    }
}

pub(super) async fn insert_child(mut conn: Conn<'_>, child: &Child) -> Result<ChildId, StoreError> {
    let columns = ChildColumns::from_child(child);
    const SQL: &str = "INSERT INTO children (given_name, family_name, date_of_birth, other) \
                       VALUES ($1, $2, $3, $4) RETURNING id";
    let id = on!(conn.reborrow(), c => sqlx::query_scalar::<_, i64>(SQL)
        .bind(columns.given_name)
        .bind(columns.family_name)
        .bind(columns.date_of_birth)
        .bind(Json(columns.other))
        .fetch_one(&mut *c)
        .await?);
    Ok(id)
}
