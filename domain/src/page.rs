//! Cursor pagination: `limit` (1–100, default 50) and an opaque `cursor`
//! naming the last item seen. Ids are UUIDv7, so ordering by id is ordering
//! by creation, and a page never shifts when rows are added before it.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use crate::error::{DomainError, FieldError};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 100;

/// A request for one page.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: u64,
    pub after: Option<Uuid>,
}

impl PageRequest {
    /// Checks `limit` and decodes `cursor` (as received from a client).
    pub fn new(limit: Option<u64>, cursor: Option<&str>) -> Result<Self, DomainError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        let mut errors = Vec::new();
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new("/limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(cursor) => match decode(cursor) {
                Some(id) => Some(id),
                None => {
                    errors.push(FieldError::new("/cursor", "is not a cursor this API returned"));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(Self { limit, after })
        } else {
            Err(DomainError::Validation(errors))
        }
    }

    /// Runs `query` for this page, ordered by `id_column`.
    pub async fn fetch<E, C>(
        self,
        db: &impl ConnectionTrait,
        query: Select<E>,
        id_column: C,
        id_of: impl Fn(&E::Model) -> Uuid,
    ) -> Result<Page<E::Model>, DomainError>
    where
        E: EntityTrait,
        C: ColumnTrait,
    {
        let mut query = query.order_by_asc(id_column).limit(self.limit + 1);
        if let Some(after) = self.after {
            query = query.filter(id_column.gt(after));
        }
        let mut items = query.all(db).await?;
        let next_cursor = if items.len() as u64 > self.limit {
            items.truncate(self.limit as usize);
            items.last().map(|last| encode(id_of(last)))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}

/// One page of results and the cursor of the next, if there is one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

fn encode(id: Uuid) -> String {
    format!("c1.{}", id.simple())
}

fn decode(cursor: &str) -> Option<Uuid> {
    cursor.strip_prefix("c1.").and_then(|id| Uuid::try_parse(id).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_1_to_100_are_rejected() {
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(Some(101), None).is_err());
        assert_eq!(PageRequest::new(None, None).map(|p| p.limit).ok(), Some(DEFAULT_LIMIT));
    }

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_rejected() {
        let id = Uuid::now_v7();
        assert_eq!(
            PageRequest::new(None, Some(&encode(id))).ok().and_then(|p| p.after),
            Some(id)
        );
        assert!(PageRequest::new(None, Some("garbage")).is_err());
        assert!(PageRequest::new(None, Some(&id.to_string())).is_err());
    }
}
