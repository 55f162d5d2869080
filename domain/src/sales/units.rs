//! Units (房源) for sale: project, building and number identify one; its
//! layout, floor area and list price describe it. Staff move a unit between
//! `available` and `reserved`; `subscribed` and `sold` are set only by the
//! deal that takes it (see `deals`), so a unit is never sold twice.

use chrono::{DateTime, Utc};
use entities::units;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::audit::{self, AuditContext},
    platform::error::{DomainError, FieldError},
    platform::money::{self, Floor},
    platform::page::{Page, PageRequest},
    platform::version,
};

/// A unit's statuses, stored and named as `entities` spells them.
pub use entities::units::UnitStatus as Status;

/// Who moves a unit into a status.
pub trait StatusRules {
    /// Staff may set it by hand; the other statuses belong to deals.
    fn is_manual(&self) -> bool;
}

impl StatusRules for Status {
    fn is_manual(&self) -> bool {
        matches!(self, Status::Available | Status::Reserved)
    }
}

/// The statuses staff may set, in order.
pub fn manual_statuses() -> impl Iterator<Item = Status> {
    Status::iter().filter(Status::is_manual)
}

/// A status staff set by hand, or the rule it breaks at `/status`.
fn parse_manual(text: &str) -> Result<Status, FieldError> {
    text.parse()
        .ok()
        .filter(Status::is_manual)
        .ok_or_else(|| FieldError::new("/status", Msg::UnitStatusManual))
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitView {
    pub id: Uuid,
    pub project: String,
    pub building: String,
    pub number: String,
    pub layout: String,
    /// Square metres with two decimals, e.g. "89.50".
    pub area_sqm: String,
    pub list_price_fen: i64,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<units::Model> for UnitView {
    fn from(m: units::Model) -> Self {
        Self {
            id: m.id,
            project: m.project,
            building: m.building,
            number: m.number,
            layout: m.layout,
            area_sqm: format_area(m.area_sqm_centi),
            list_price_fen: m.list_price_fen,
            status: m.status.to_string(),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn audit_json(v: &UnitView) -> serde_json::Value {
    json!({"project": v.project, "building": v.building, "number": v.number, "layout": v.layout,
           "area_sqm": v.area_sqm, "list_price_fen": v.list_price_fen, "status": v.status})
}

/// Hundredths of a square metre as a decimal string ("89.50").
pub fn format_area(centi: i32) -> String {
    format!("{}.{:02}", centi / 100, centi % 100)
}

/// A positive decimal of square metres with at most two decimals, in hundredths.
pub fn parse_area(text: &str) -> Option<i32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 6 || fraction.len() > 2 || !digits(whole) || !digits(fraction) {
        return None;
    }
    if text.contains('.') && fraction.is_empty() {
        return None;
    }
    let whole: i32 = whole.parse().ok()?;
    let fraction: i32 = format!("{fraction:0<2}").parse().ok()?;
    let centi = whole.checked_mul(100)?.checked_add(fraction)?;
    (centi > 0).then_some(centi)
}

/// Fields of a new unit or a change to one.
#[derive(Debug, Clone, Default)]
pub struct UnitInput {
    pub project: Option<String>,
    pub building: Option<String>,
    pub number: Option<String>,
    pub layout: Option<String>,
    pub area_sqm: Option<String>,
    pub list_price_fen: Option<i64>,
    pub status: Option<String>,
}

fn text_field(value: &Option<String>, pointer: &str, max: usize, required: bool, errors: &mut Vec<FieldError>) {
    match value {
        Some(v) if v.trim().is_empty() || v.chars().count() > max => {
            errors.push(FieldError::new(pointer, Msg::OneToChars { max }));
        }
        None if required => errors.push(FieldError::new(pointer, Msg::Required)),
        _ => {}
    }
}

/// The area in hundredths and the status of `input`, each if given and valid.
fn check(input: &UnitInput, creating: bool, errors: &mut Vec<FieldError>) -> (Option<i32>, Option<Status>) {
    text_field(&input.project, "/project", 120, creating, errors);
    text_field(&input.building, "/building", 40, creating, errors);
    text_field(&input.number, "/number", 40, creating, errors);
    text_field(&input.layout, "/layout", 40, creating, errors);
    let area = match &input.area_sqm {
        Some(text) => {
            let area = parse_area(text.trim());
            if area.is_none() {
                errors.push(FieldError::new("/area_sqm", Msg::AreaFormat));
            }
            area
        }
        None => {
            if creating {
                errors.push(FieldError::new("/area_sqm", Msg::Required));
            }
            None
        }
    };
    match input.list_price_fen {
        Some(price) => money::check(price, Floor::OneFen, "/list_price_fen", errors),
        None if creating => errors.push(FieldError::new("/list_price_fen", Msg::Required)),
        None => {}
    }
    let status = crate::platform::input::optional(input.status.as_deref(), parse_manual, errors);
    (area, status)
}

/// Adds a unit; the same project, building and number twice is a conflict.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    input: UnitInput,
) -> Result<UnitView, DomainError> {
    let mut errors = Vec::new();
    let (area, status) = check(&input, true, &mut errors);
    let (Some(area), true) = (area, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let now = Utc::now();
    let txn = crate::platform::db::begin_write(db).await?;
    let trimmed = |v: Option<String>| v.unwrap_or_default().trim().to_owned();
    let unit = units::ActiveModel {
        id: Set(Uuid::now_v7()),
        project: Set(trimmed(input.project)),
        building: Set(trimmed(input.building)),
        number: Set(trimmed(input.number)),
        layout: Set(trimmed(input.layout)),
        area_sqm_centi: Set(area),
        list_price_fen: Set(input.list_price_fen.unwrap_or_default()),
        status: Set(status.unwrap_or(Status::Available)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| match DomainError::from(e) {
        DomainError::Conflict(_) => DomainError::Conflict(Msg::UnitExists),
        other => other,
    })?;
    let view = UnitView::from(unit);
    audit::record(&txn, ctx, "create", "unit", view.id, None, Some(&audit_json(&view))).await?;
    txn.commit().await?;
    Ok(view)
}

/// What to look for among units.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub status: Option<String>,
    pub project: Option<String>,
    pub building: Option<String>,
    pub layout: Option<String>,
    pub min_list_price_fen: Option<i64>,
    pub max_list_price_fen: Option<i64>,
}

/// Units are the company's stock: everyone with `units:read` sees them all.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: UnitFilter,
    page: PageRequest,
) -> Result<Page<UnitView>, DomainError> {
    use units::Column as C;
    let status = filter
        .status
        .as_deref()
        .map(|s| crate::platform::input::variant::<Status>(s, "/status"))
        .transpose()?;
    let mut query = units::Entity::find();
    if let Some(status) = status {
        query = query.filter(C::Status.eq(status));
    }
    if let Some(project) = filter.project {
        query = query.filter(C::Project.eq(project));
    }
    if let Some(building) = filter.building {
        query = query.filter(C::Building.eq(building));
    }
    if let Some(layout) = filter.layout {
        query = query.filter(C::Layout.eq(layout));
    }
    if let Some(min) = filter.min_list_price_fen {
        query = query.filter(C::ListPriceFen.gte(min));
    }
    if let Some(max) = filter.max_list_price_fen {
        query = query.filter(C::ListPriceFen.lte(max));
    }
    Ok(page.fetch(db, query, C::Id, |u| u.id).await?.map(UnitView::from))
}

/// One unit by id.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<UnitView, DomainError> {
    units::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(UnitView::from)
        .ok_or(DomainError::NotFound(Msg::NounUnit))
}

/// Changes list price, layout, area, or the status between available and reserved.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    input: UnitInput,
    if_match: Option<&str>,
) -> Result<UnitView, DomainError> {
    let mut errors = Vec::new();
    let (area, status) = check(&input, false, &mut errors);
    for (given, pointer) in [
        (input.project.is_some(), "/project"),
        (input.building.is_some(), "/building"),
        (input.number.is_some(), "/number"),
    ] {
        if given {
            errors.push(FieldError::new(pointer, Msg::CannotBeChanged));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let unit = units::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounUnit))?;
    let before = UnitView::from(unit.clone());
    version::check(if_match, &before)?;
    if status.is_some() && !unit.status.is_manual() {
        return Err(DomainError::Rule {
            code: "unit_unavailable",
            detail: Msg::UnitSetByDeal {
                status: unit.status.to_string(),
            },
        });
    }
    let mut active: units::ActiveModel = unit.into();
    if let Some(layout) = input.layout {
        active.layout = Set(layout.trim().to_owned());
    }
    if let Some(area) = area {
        active.area_sqm_centi = Set(area);
    }
    if let Some(price) = input.list_price_fen {
        active.list_price_fen = Set(price);
    }
    if let Some(status) = status {
        active.status = Set(status);
    }
    active.updated_at = Set(Utc::now());
    let after = UnitView::from(active.update(&txn).await?);
    audit::record(
        &txn,
        ctx,
        "update",
        "unit",
        id,
        Some(&audit_json(&before)),
        Some(&audit_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message names the statuses by hand and by deal as [`StatusRules`] sorts them.
    #[test]
    fn the_refusal_of_a_status_names_the_manual_ones() {
        let names = |manual: bool| {
            Status::iter()
                .filter(|s| s.is_manual() == manual)
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        };
        let expected = format!(
            "must be {} ({} are set by deals)",
            names(true).join(" or "),
            names(false).join(" and ")
        );
        assert_eq!(Msg::UnitStatusManual.to_string(), expected);
    }

    #[test]
    fn areas_are_decimal_strings_with_at_most_two_decimals() {
        assert_eq!(parse_area("89.50"), Some(8950));
        assert_eq!(parse_area("89.5"), Some(8950));
        assert_eq!(parse_area("120"), Some(12000));
        assert_eq!(parse_area("0.01"), Some(1));
        for bad in [
            "", "0", "0.00", "-1", "1.234", "1.", ".5", "1e3", "abc", "1,5", "9999999",
        ] {
            assert_eq!(parse_area(bad), None, "{bad}");
        }
        assert_eq!(format_area(8950), "89.50");
        assert_eq!(format_area(5), "0.05");
    }

    #[test]
    fn staff_set_only_available_and_reserved_by_hand() {
        let cases = [
            ("available", Ok(Status::Available)),
            ("reserved", Ok(Status::Reserved)),
            ("subscribed", Err(())),
            ("sold", Err(())),
            ("AVAILABLE", Err(())),
            ("", Err(())),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_manual(text).map_err(|_| ()), expected, "{text:?}");
        }
        assert_eq!(
            manual_statuses().collect::<Vec<_>>(),
            [Status::Available, Status::Reserved]
        );
        let rule = parse_manual("sold").expect_err("sold is set by deals");
        assert_eq!(
            rule.detail.to_string(),
            "must be available or reserved (subscribed and sold are set by deals)"
        );
    }
}
