//! Cursor pagination: `limit` (1–100, default 50), an opaque `cursor`
//! naming the last item seen, and `sort` (`created_at`, the default, or
//! `-created_at` for newest first). Ids are UUIDv7, so ordering by id is
//! ordering by creation, and a page never shifts when rows are added before it.
//! A list without such ids (a queue's jobs) pages by position
//! ([`OffsetRequest`]) under the same `limit` and cursor rules.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    sea_query::{Condition, Expr, ExprTrait, NullOrdering, Order, SelectStatement},
};
use uuid::Uuid;

use crate::platform::{
    error::{DomainError, FieldError},
    text::Msg,
};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 100;

/// The `sort` values every list accepts: oldest first (the default) or newest first.
pub const SORTS: [&str; 2] = ["created_at", "-created_at"];

/// A request for one page.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: u64,
    /// The id of the last item seen: the page starts just past it, in the order asked for.
    pub after: Option<Uuid>,
    /// Newest first (`sort=-created_at`).
    pub descending: bool,
}

impl PageRequest {
    /// Checks `limit` and decodes `cursor` (as received from a client), oldest first.
    pub fn new(limit: Option<u64>, cursor: Option<&str>) -> Result<Self, DomainError> {
        Self::new_sorted(limit, cursor, None)
    }

    /// Like [`PageRequest::new`], with the client's `sort`: `created_at`
    /// (or none) is oldest first, `-created_at` newest first.
    pub fn new_sorted(limit: Option<u64>, cursor: Option<&str>, sort: Option<&str>) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let (limit, after) = limit_and_cursor(limit, MAX_LIMIT, cursor, decode, &mut errors);
        let descending = match sort.filter(|s| !s.is_empty()) {
            None | Some("created_at") => false,
            Some("-created_at") => true,
            Some(_) => {
                let values = SORTS.iter().map(|s| (*s).to_owned()).collect();
                errors.push(FieldError::new("/sort", Msg::OneOf { values }));
                false
            }
        };
        if errors.is_empty() {
            Ok(Self {
                limit,
                after,
                descending,
            })
        } else {
            Err(DomainError::Validation(errors))
        }
    }

    /// Runs `query` for this page, ordered by `id_column` (descending when
    /// newest first, the cursor then bounding ids from above).
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
        let items = self.select(query, id_column).all(db).await?;
        Ok(self.cut(items, id_of))
    }

    /// `query` narrowed to this page, one row beyond it to tell whether another follows.
    fn select<E: EntityTrait, C: ColumnTrait>(self, query: Select<E>, id_column: C) -> Select<E> {
        let query = if self.descending {
            query.order_by_desc(id_column)
        } else {
            query.order_by_asc(id_column)
        }
        .limit(self.limit + 1);
        match (self.after, self.descending) {
            (None, _) => query,
            (Some(after), false) => query.filter(id_column.gt(after)),
            (Some(after), true) => query.filter(id_column.lt(after)),
        }
    }

    /// The page out of the rows `select` fetched, with the next cursor when a row was left over.
    fn cut<T>(self, items: Vec<T>, id_of: impl Fn(&T) -> Uuid) -> Page<T> {
        cut_after_last(self.limit, items, |last| encode(id_of(last)))
    }
}

/// A request for one page of a list in the order of an instant some rows
/// lack (a customer's next due time): soonest first (or latest first),
/// rows without one last, ties by id. The cursor names the last row's
/// instant and id, so a page continues exactly after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyedRequest {
    pub limit: u64,
    /// The last row seen: its instant (if it had one) and id.
    pub after: Option<(Option<DateTime<Utc>>, Uuid)>,
    /// Latest first.
    pub descending: bool,
}

impl KeyedRequest {
    /// Checks `limit` and decodes `cursor` (as received from a client).
    pub fn new(limit: Option<u64>, cursor: Option<&str>, descending: bool) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let (limit, after) = limit_and_cursor(limit, MAX_LIMIT, cursor, decode_keyed, &mut errors);
        if errors.is_empty() {
            Ok(Self {
                limit,
                after,
                descending,
            })
        } else {
            Err(DomainError::Validation(errors))
        }
    }

    /// `query` ordered by `key` (nulls last) then `id`, narrowed to this
    /// page, one row beyond it to tell whether another follows.
    pub fn select(self, query: &mut SelectStatement, key: Expr, id: Expr) {
        let order = if self.descending { Order::Desc } else { Order::Asc };
        // Nothing due last either way, written so that an index on (key, id) serves it.
        query
            .order_by_expr_with_nulls(key.clone(), order.clone(), NullOrdering::Last)
            .order_by_expr(id.clone(), order)
            .limit(self.limit + 1);
        let Some((at, after_id)) = self.after else {
            return;
        };
        let beyond = |e: Expr, v: sea_orm::Value| if self.descending { e.lt(v) } else { e.gt(v) };
        let condition = match at {
            Some(at) => Condition::any()
                .add(beyond(key.clone(), at.into()))
                .add(
                    Condition::all()
                        .add(key.clone().eq(at))
                        .add(beyond(id.clone(), after_id.into())),
                )
                .add(key.is_null()),
            None => Condition::all().add(key.is_null()).add(beyond(id, after_id.into())),
        };
        query.cond_where(condition);
    }

    /// The page out of the rows `select` fetched, with the next cursor when a row was left over.
    pub fn cut<T>(self, items: Vec<T>, key_of: impl Fn(&T) -> (Option<DateTime<Utc>>, Uuid)) -> Page<T> {
        cut_after_last(self.limit, items, |last| encode_keyed(key_of(last)))
    }
}

fn encode_keyed((at, id): (Option<DateTime<Utc>>, Uuid)) -> String {
    // Nanoseconds: SQLite keeps the instant as written, to the nanosecond.
    let at = at
        .and_then(|at| at.timestamp_nanos_opt())
        .map_or_else(|| "-".to_owned(), |nanos| nanos.to_string());
    format!("k1.{at}.{}", id.simple())
}

fn decode_keyed(cursor: &str) -> Option<(Option<DateTime<Utc>>, Uuid)> {
    let (at, id) = cursor.strip_prefix("k1.")?.split_once('.')?;
    let at = match at {
        "-" => None,
        nanos => Some(DateTime::from_timestamp_nanos(nanos.parse().ok()?)),
    };
    Some((at, Uuid::try_parse(id).ok()?))
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

    /// As [`Page::map`], failing with the first item that cannot be converted.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next_cursor: self.next_cursor,
        })
    }
}

/// A request for one page of a list that has no UUIDv7 ids to continue
/// from (a queue's jobs): the same `limit` rule with the list's own bound,
/// and an opaque cursor naming how many items the pages before held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetRequest {
    pub limit: u64,
    /// How many items come before this page.
    pub offset: u64,
}

impl OffsetRequest {
    /// Checks `limit` (1 to `max_limit`, default [`DEFAULT_LIMIT`]) and
    /// decodes `cursor` (as received from a client).
    pub fn new(limit: Option<u64>, cursor: Option<&str>, max_limit: u64) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let (limit, offset) = limit_and_cursor(limit, max_limit, cursor, decode_offset, &mut errors);
        let offset = offset.unwrap_or(0);
        if errors.is_empty() {
            Ok(Self { limit, offset })
        } else {
            Err(DomainError::Validation(errors))
        }
    }

    /// The page out of up to `limit + 1` items read from `offset`, with the
    /// next cursor when one was left over.
    pub fn cut<T>(self, items: Vec<T>) -> Page<T> {
        cut_after_last(self.limit, items, |_| encode_offset(self.offset + self.limit))
    }
}

/// Up to `limit` of `items` (read one beyond the page), with the cursor
/// naming the last one when a row was left over.
fn cut_after_last<T>(limit: u64, mut items: Vec<T>, cursor_of: impl Fn(&T) -> String) -> Page<T> {
    let next_cursor = if items.len() as u64 > limit {
        items.truncate(limit as usize);
        items.last().map(cursor_of)
    } else {
        None
    };
    Page { items, next_cursor }
}

/// `limit` (or the default) and the decoded `cursor` (none when absent or
/// empty), with an error in `errors` for each that is wrong.
fn limit_and_cursor<C>(
    limit: Option<u64>,
    max: u64,
    cursor: Option<&str>,
    decode: impl Fn(&str) -> Option<C>,
    errors: &mut Vec<FieldError>,
) -> (u64, Option<C>) {
    let limit = checked_limit(limit, max, errors);
    let cursor = cursor.filter(|c| !c.is_empty()).and_then(|c| {
        let decoded = decode(c);
        if decoded.is_none() {
            errors.push(FieldError::new("/cursor", Msg::NotACursor));
        }
        decoded
    });
    (limit, cursor)
}

/// `limit` or the default, with an error when it is outside 1 to `max`.
fn checked_limit(limit: Option<u64>, max: u64, errors: &mut Vec<FieldError>) -> u64 {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=max).contains(&limit) {
        errors.push(FieldError::new("/limit", Msg::Between { min: 1, max }));
    }
    limit
}

fn encode_offset(offset: u64) -> String {
    format!("o1.{offset}")
}

fn decode_offset(cursor: &str) -> Option<u64> {
    cursor.strip_prefix("o1.").and_then(|n| n.parse().ok())
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

    #[test]
    fn sort_is_oldest_first_by_default_and_anything_but_created_at_is_rejected() {
        let sorted = |sort| PageRequest::new_sorted(None, None, sort).map(|p| p.descending);
        assert_eq!(sorted(None).ok(), Some(false));
        assert_eq!(sorted(Some("")).ok(), Some(false));
        assert_eq!(sorted(Some("created_at")).ok(), Some(false));
        assert_eq!(sorted(Some("-created_at")).ok(), Some(true));
        match sorted(Some("price")) {
            Err(DomainError::Validation(errors)) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].pointer, "/sort");
                assert!(
                    errors[0].detail.to_string().contains("-created_at"),
                    "{}",
                    errors[0].detail
                );
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        assert_eq!(PageRequest::new(None, None).map(|p| p.descending).ok(), Some(false));
    }

    #[test]
    fn offset_pages_share_the_limit_rule_with_their_own_bound_and_continue_where_the_last_ended() {
        assert_eq!(
            OffsetRequest::new(None, None, 500).ok(),
            Some(OffsetRequest {
                limit: DEFAULT_LIMIT,
                offset: 0
            })
        );
        assert!(OffsetRequest::new(Some(500), None, 500).is_ok());
        for (limit, cursor) in [
            (Some(0), None),
            (Some(501), None),
            (None, Some("50")),
            (None, Some("c1.x")),
        ] {
            assert!(OffsetRequest::new(limit, cursor, 500).is_err(), "{limit:?} {cursor:?}");
        }
        let id = Uuid::now_v7();
        assert!(OffsetRequest::new(None, Some(&encode(id)), 500).is_err());
        assert!(PageRequest::new(None, Some(&encode_offset(2))).is_err());

        let first = OffsetRequest::new(Some(2), Some(""), 500).expect("page");
        let page = first.cut(vec!["a", "b", "c"]);
        assert_eq!(page.items, ["a", "b"]);
        let next = OffsetRequest::new(Some(2), page.next_cursor.as_deref(), 500).expect("page");
        assert_eq!(next.offset, 2);
        let last = next.cut(vec!["c"]);
        assert_eq!((last.items, last.next_cursor), (vec!["c"], None));
    }

    fn sql(page: PageRequest) -> String {
        use entities::customers;
        use sea_orm::{DbBackend, QueryTrait};
        page.select(customers::Entity::find(), customers::Column::Id)
            .build(DbBackend::Postgres)
            .to_string()
    }

    #[test]
    fn newest_first_orders_by_id_descending_and_continues_below_the_cursor() {
        let id = Uuid::now_v7();
        let cursor = encode(id);
        let newest = PageRequest::new_sorted(Some(2), Some(&cursor), Some("-created_at")).expect("page");
        let query = sql(newest);
        assert!(query.contains(&format!("\"id\" < '{id}'")), "{query}");
        assert!(query.contains("ORDER BY \"customers\".\"id\" DESC"), "{query}");
        assert!(query.contains("LIMIT 3"), "{query}");

        let oldest = PageRequest::new_sorted(Some(2), Some(&cursor), Some("created_at")).expect("page");
        let query = sql(oldest);
        assert!(query.contains(&format!("\"id\" > '{id}'")), "{query}");
        assert!(query.contains("ORDER BY \"customers\".\"id\" ASC"), "{query}");

        let first = sql(PageRequest::new_sorted(None, None, Some("-created_at")).expect("page"));
        assert!(!first.contains("WHERE"), "{first}");
    }

    #[test]
    fn a_full_page_names_its_last_item_as_the_next_cursor_in_either_order() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        let newest_first: Vec<Uuid> = ids.iter().rev().copied().collect();
        let page = PageRequest::new_sorted(Some(2), None, Some("-created_at")).expect("page");
        // `select` asks for one row more than the limit.
        let cut = page.cut(newest_first[..3].to_vec(), |id| *id);
        assert_eq!(cut.items, newest_first[..2]);
        assert_eq!(cut.next_cursor, Some(encode(newest_first[1])));
        let next = PageRequest::new_sorted(Some(2), cut.next_cursor.as_deref(), Some("-created_at")).expect("page");
        assert_eq!(next.after, Some(newest_first[1]));
        assert!(next.descending);
        // The last page holds what is left and no cursor.
        let last = next.cut(newest_first[4..].to_vec(), |id| *id);
        assert_eq!(last.items, vec![ids[0]]);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn keyed_cursors_round_trip_with_and_without_an_instant() {
        let id = Uuid::now_v7();
        let at = DateTime::from_timestamp_nanos(1_790_000_000_123_456_789);
        for key in [(Some(at), id), (None, id)] {
            let cursor = encode_keyed(key);
            assert_eq!(
                KeyedRequest::new(None, Some(&cursor), false).map(|p| p.after).ok(),
                Some(Some(key))
            );
        }
        for bad in ["k1.x.y", "c1.abc", &encode(id), "k1.12"] {
            assert!(KeyedRequest::new(None, Some(bad), false).is_err(), "{bad}");
        }
    }
}
