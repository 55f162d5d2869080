//! Customer feedback (客户经理：收集客户对产品、服务的意见，反馈至相关部门):
//! what a customer said about the product, the service, property
//! management or prices, recorded by staff with a category and where it
//! was heard, and routed at once to the department concerned.
//!
//! The routing table has one route per category: the department's code and
//! its name in Chinese and English, and who hears of it — the active
//! holders of a role and named staff accounts. The director or an
//! administrator (`feedback:route`) changes it as a whole; each change
//! raises its version, which every feedback record keeps with the
//! department it was routed to, so history reads as it was routed.
//!
//! Recording feedback notifies each recipient in their language, leaves a
//! timeline entry on the customer and remembers the recipients, who reach
//! the feedback (`feedback:read` with scope `own`) and resolve it with a
//! note (open → resolved). Staff otherwise reach feedback as they reach its
//! customer: `own` the customers they own (and what they recorded), `team`
//! their teams', `all` every one; in SQL.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entities::{
    customers, feedback, feedback::FeedbackCategory as Category, feedback::FeedbackSource as Source,
    feedback::FeedbackStatus as Status, feedback_recipients, feedback_routes, roles, users,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Set, TransactionSession, TransactionTrait, sea_query::Condition,
};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    access::actor::{Actor, ActorKind},
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    access::record::{self, Record},
    outbox::notifications::{self, Kind, Notice},
    platform::error::{DomainError, FieldError},
    platform::input,
    platform::page::{Page, PageRequest},
    platform::text::{Msg, Named},
    platform::version,
    sales::{customers as customer_records, timeline},
};

const MAX_TEXT: usize = 4000;
const MAX_RESOLUTION: usize = 4000;
const MAX_NAME: usize = 100;
/// Most accounts one route names.
const MAX_RECIPIENTS: usize = 20;

/// What a category is called in prose.
pub fn category_name(category: Category) -> Msg {
    match category {
        Category::Product => Msg::FeedbackProduct,
        Category::Service => Msg::FeedbackService,
        Category::PropertyManagement => Msg::FeedbackPropertyManagement,
        Category::Pricing => Msg::FeedbackPricing,
        Category::Other => Msg::FeedbackOther,
    }
}

/// A piece of feedback as the service shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub category: Category,
    pub source: Source,
    pub text: String,
    /// The department it was routed to: its code and its names.
    pub department: String,
    pub department_zh: String,
    pub department_en: String,
    pub route_version: i32,
    pub status: Status,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub recorded_by: Option<Uuid>,
    pub visit_id: Option<Uuid>,
    /// Who it was routed to.
    pub recipient_ids: Vec<Uuid>,
    pub resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FeedbackView {
    fn of(m: feedback::Model, recipient_ids: Vec<Uuid>) -> Self {
        Self {
            id: m.id,
            customer_id: m.customer_id,
            category: m.category,
            source: m.source,
            text: m.text,
            department: m.department,
            department_zh: m.department_zh,
            department_en: m.department_en,
            route_version: m.route_version,
            status: m.status,
            consultant_id: m.consultant_id,
            team_id: m.team_id,
            recorded_by: m.recorded_by,
            visit_id: m.visit_id,
            recipient_ids,
            resolution: m.resolution,
            resolved_by: m.resolved_by,
            resolved_at: m.resolved_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }

    /// The department's name in both languages.
    pub fn department_name(&self) -> Named {
        Named {
            zh: self.department_zh.clone(),
            en: self.department_en.clone(),
        }
    }
}

impl Record for FeedbackView {
    type Entity = feedback::Entity;
    const NAME: Msg = Msg::NounFeedback;
    const AUDITED: &'static str = "feedback";
    fn audit_json(&self) -> Value {
        json!({"customer_id": self.customer_id, "category": self.category, "source": self.source,
               "department": self.department, "route_version": self.route_version, "status": self.status,
               "recipient_ids": self.recipient_ids, "visit_id": self.visit_id, "resolution": self.resolution,
               "resolved_by": self.resolved_by})
    }
}

/// The feedback a caller reaches with `scope`: as it reaches the customers
/// (the customer's consultant and team when recorded), what it recorded,
/// and what was routed to it. Partners reach none.
pub fn reach(actor: &Actor, scope: Scope) -> Condition {
    use feedback::Column as C;
    if actor.kind == ActorKind::Client {
        return Condition::all().add(C::Id.is_null());
    }
    if scope == Scope::All {
        return Condition::all();
    }
    let routed_to_me = feedback_recipients::Entity::find()
        .select_only()
        .column(feedback_recipients::Column::FeedbackId)
        .filter(feedback_recipients::Column::UserId.eq(actor.id))
        .into_query();
    Condition::any()
        .add(actor.reach(scope, C::ConsultantId, Some(C::TeamId)))
        .add(C::RecordedBy.eq(actor.id))
        .add(C::Id.in_subquery(routed_to_me))
}

async fn recipients_of(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>, DomainError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(feedback_recipients::Entity::find()
        .filter(feedback_recipients::Column::FeedbackId.is_in(ids.iter().copied()))
        .order_by_asc(feedback_recipients::Column::UserId)
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.feedback_id, r.user_id))
        .collect())
}

async fn views(db: &impl ConnectionTrait, rows: Vec<feedback::Model>) -> Result<Vec<FeedbackView>, DomainError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let recipients = recipients_of(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mine = recipients
                .iter()
                .filter(|(f, _)| *f == row.id)
                .map(|(_, u)| *u)
                .collect();
            FeedbackView::of(row, mine)
        })
        .collect())
}

/// One row as a view, with its recipients.
async fn view_of(db: &impl ConnectionTrait, row: feedback::Model) -> Result<FeedbackView, DomainError> {
    let id = row.id;
    views(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| DomainError::Internal(format!("feedback {id} read and lost")))
}

/// One route of the routing table.
#[derive(Debug, Clone, Serialize)]
pub struct RouteView {
    pub category: Category,
    pub department: String,
    pub department_zh: String,
    pub department_en: String,
    pub recipient_role: Option<String>,
    pub recipient_user_ids: Vec<Uuid>,
}

/// The routing table: every category's route and the table's version.
#[derive(Debug, Clone, Serialize)]
pub struct RoutingTable {
    pub version: i32,
    pub routes: Vec<RouteView>,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

fn user_ids(value: &Value) -> Vec<Uuid> {
    crate::platform::db::strings(value)
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// The routing table as it stands, its routes in the order of the categories.
pub async fn routing_table(db: &impl ConnectionTrait) -> Result<RoutingTable, DomainError> {
    let rows = feedback_routes::Entity::find().all(db).await?;
    let mut routes = Vec::new();
    for category in Category::iter() {
        let row = rows
            .iter()
            .find(|r| r.category == category)
            .ok_or_else(|| DomainError::Internal(format!("the feedback routing table has no route for {category}")))?;
        routes.push(RouteView {
            category,
            department: row.department.clone(),
            department_zh: row.department_zh.clone(),
            department_en: row.department_en.clone(),
            recipient_role: row.recipient_role.clone(),
            recipient_user_ids: user_ids(&row.recipient_user_ids),
        });
    }
    let latest = rows.iter().max_by_key(|r| (r.version, r.updated_at));
    Ok(RoutingTable {
        version: latest.map_or(1, |r| r.version),
        routes,
        updated_by: latest.and_then(|r| r.updated_by),
        updated_at: latest.map_or_else(Utc::now, |r| r.updated_at),
    })
}

/// One route as a director sends it.
#[derive(Debug, Clone)]
pub struct RouteInput {
    pub category: String,
    pub department: String,
    pub department_zh: String,
    pub department_en: String,
    pub recipient_role: Option<String>,
    pub recipient_user_ids: Vec<Uuid>,
}

fn department_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Replaces the whole routing table (every category once); its next version.
pub async fn update_routes(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    input: Vec<RouteInput>,
    if_match: Option<&str>,
) -> Result<RoutingTable, DomainError> {
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    let mut parsed = Vec::new();
    for (i, route) in input.iter().enumerate() {
        let at = |field: &str| format!("/routes/{i}/{field}");
        match input::variant::<Category>(&route.category, &at("category")) {
            Ok(category) if !seen.insert(category.to_string()) => {
                errors.push(FieldError::new(at("category"), Msg::PartTwice));
            }
            Ok(category) => parsed.push((category, route)),
            Err(e) => errors.push(e),
        }
        if !department_code(&route.department) {
            errors.push(FieldError::new(at("department"), Msg::FeedbackRouteDepartmentCode));
        }
        for (name, field) in [
            (&route.department_zh, "department_zh"),
            (&route.department_en, "department_en"),
        ] {
            if name.trim().is_empty() || name.chars().count() > MAX_NAME {
                errors.push(FieldError::new(at(field), Msg::OneToChars { max: MAX_NAME }));
            }
        }
        if route.recipient_role.is_none() && route.recipient_user_ids.is_empty() {
            errors.push(FieldError::new(at("recipient_user_ids"), Msg::FeedbackRouteRecipients));
        }
        if route.recipient_user_ids.len() > MAX_RECIPIENTS {
            errors.push(FieldError::new(
                at("recipient_user_ids"),
                Msg::AtMostUsers { max: MAX_RECIPIENTS },
            ));
        }
    }
    let all: Vec<String> = Category::iter().map(|c| c.to_string()).collect();
    if errors.is_empty() && seen.len() != all.len() {
        errors.push(FieldError::new(
            "/routes",
            Msg::FeedbackRouteEachCategoryOnce { categories: all },
        ));
    }
    // Roles and accounts named must exist (accounts: active staff): one
    // query for the roles and one for the accounts of the whole table.
    let named_roles = input.iter().filter_map(|r| r.recipient_role.clone());
    let roles: Vec<String> = roles::Entity::find()
        .select_only()
        .column(roles::Column::Name)
        .filter(roles::Column::Name.is_in(named_roles))
        .into_tuple()
        .all(db)
        .await?;
    let named_users = input
        .iter()
        .filter(|r| r.recipient_user_ids.len() <= MAX_RECIPIENTS)
        .flat_map(|r| r.recipient_user_ids.iter().copied());
    let active: Vec<Uuid> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::Id.is_in(named_users))
        .filter(users::Column::Status.eq(users::UserStatus::Active))
        .into_tuple()
        .all(db)
        .await?;
    for (i, route) in input.iter().enumerate() {
        if route.recipient_role.as_ref().is_some_and(|role| !roles.contains(role)) {
            errors.push(FieldError::new(
                format!("/routes/{i}/recipient_role"),
                Msg::FeedbackRouteNoSuchRole,
            ));
        }
        if route.recipient_user_ids.len() <= MAX_RECIPIENTS {
            for (j, user) in route.recipient_user_ids.iter().enumerate() {
                if !active.contains(user) {
                    errors.push(FieldError::new(
                        format!("/routes/{i}/recipient_user_ids/{j}"),
                        Msg::FeedbackRouteNoSuchActiveUser,
                    ));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let before = routing_table(&txn).await?;
    version::check(if_match, &before)?;
    let now = Utc::now();
    let next = before.version + 1;
    for (category, route) in parsed {
        let mut ids: Vec<Uuid> = route.recipient_user_ids.clone();
        ids.dedup();
        feedback_routes::ActiveModel {
            category: Set(category),
            department: Set(route.department.clone()),
            department_zh: Set(route.department_zh.trim().to_owned()),
            department_en: Set(route.department_en.trim().to_owned()),
            recipient_role: Set(route.recipient_role.clone()),
            recipient_user_ids: Set(json!(ids.iter().map(Uuid::to_string).collect::<Vec<_>>())),
            version: Set(next),
            updated_by: Set(ctx.actor_user_id),
            updated_at: Set(now),
        }
        .update(&txn)
        .await?;
    }
    let after = routing_table(&txn).await?;
    let (b, a) = (json!(before), json!(after));
    audit::record(&txn, ctx, "update", "feedback_routes", "table", Some(&b), Some(&a)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Feedback as staff record it.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub category: String,
    pub source: String,
    pub text: String,
}

/// What [`check`] made of a piece of feedback.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    category: Category,
    source: Source,
    text: String,
}

/// The rules of new feedback, each broken one in `errors`; `prefix` is the
/// pointer of the object it came in (`""`, or a visit's fields).
pub(crate) fn check(input: &NewFeedback, pointers: [&str; 3], errors: &mut Vec<FieldError>) -> Option<Checked> {
    let category = input::variant::<Category>(&input.category, pointers[0])
        .map_err(|e| errors.push(e))
        .ok();
    let source = input::variant::<Source>(&input.source, pointers[1])
        .map_err(|e| errors.push(e))
        .ok();
    let text = input.text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(pointers[2], Msg::OneToChars { max: MAX_TEXT }));
    } else if let Some(problem) = input::text_problem(text) {
        errors.push(FieldError::new(pointers[2], problem));
    }
    Some(Checked {
        category: category?,
        source: source?,
        text: text.to_owned(),
    })
}

/// The active accounts a route names: the holders of its role and its named users.
async fn recipients(db: &impl ConnectionTrait, route: &feedback_routes::Model) -> Result<Vec<Uuid>, DomainError> {
    let mut condition = Condition::any().add(users::Column::Id.is_in(user_ids(&route.recipient_user_ids)));
    if let Some(role) = &route.recipient_role {
        condition = condition.add(users::Column::Id.in_subquery(crate::access::roles::holders(role)));
    }
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(condition)
        .filter(users::Column::Status.eq(users::UserStatus::Active))
        .order_by_asc(users::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// Records checked feedback on `customer` in the open transaction `txn`:
/// routes it by the table, remembers and notifies the recipients, and
/// writes the customer's timeline and the audit entry.
pub(crate) async fn record_in(
    txn: &impl ConnectionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    tz: Tz,
    customer: &customers::Model,
    input: Checked,
    visit_id: Option<Uuid>,
) -> Result<FeedbackView, DomainError> {
    let route = feedback_routes::Entity::find_by_id(input.category)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("no feedback route for {}", input.category)))?;
    let now = Utc::now();
    let row = feedback::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer.id),
        category: Set(input.category),
        source: Set(input.source),
        text: Set(input.text),
        department: Set(route.department.clone()),
        department_zh: Set(route.department_zh.clone()),
        department_en: Set(route.department_en.clone()),
        route_version: Set(route.version),
        status: Set(Status::Open),
        consultant_id: Set(customer.owner_id),
        team_id: Set(customer.team_id),
        recorded_by: Set(actor.user_id()),
        visit_id: Set(visit_id),
        resolution: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    let to = recipients(txn, &route).await?;
    if !to.is_empty() {
        let rows = to.iter().map(|user| feedback_recipients::ActiveModel {
            feedback_id: Set(row.id),
            user_id: Set(*user),
        });
        feedback_recipients::Entity::insert_many(rows).exec(txn).await?;
    }
    let view = FeedbackView::of(row, to.clone());
    let title = Msg::NoticeFeedbackRouted {
        department: Box::new(view.department_name()),
        category: Box::new(category_name(view.category)),
        customer: customer.name.clone(),
    };
    let body = Msg::NoticeFeedbackBody {
        text: view.text.chars().take(200).collect(),
    };
    let notices = to
        .iter()
        .map(|user| Notice {
            user_id: *user,
            kind: Kind::FeedbackRouted,
            title: title.clone(),
            body: Some(body.clone()),
            subject_type: Some("feedback"),
            subject_id: Some(view.id),
            due_at: None,
            dedupe_key: format!("feedback:{}:routed:{user}", view.id),
        })
        .collect();
    notifications::notify(txn, tz, notices).await?;
    let event = timeline::Event {
        customer_id: customer.id,
        kind: timeline::Kind::Feedback,
        occurred_at: now,
        subject_id: Some(view.id),
        data: json!({"feedback_id": view.id, "category": view.category, "source": view.source,
                     "department": view.department, "route_version": view.route_version,
                     "recipient_ids": view.recipient_ids, "visit_id": view.visit_id}),
    };
    timeline::record(txn, Some(actor), event).await?;
    audit::record(
        txn,
        ctx,
        "create",
        FeedbackView::AUDITED,
        view.id,
        None,
        Some(&view.audit_json()),
    )
    .await?;
    Ok(view)
}

/// Records feedback on a customer within the caller's reach (by its
/// `feedback:write` scope, as customers are reached); a customer outside it
/// is "not found".
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    tz: Tz,
    customer_id: Uuid,
    input: NewFeedback,
) -> Result<FeedbackView, DomainError> {
    let mut errors = Vec::new();
    let checked = check(&input, ["/category", "/source", "/text"], &mut errors);
    let (Some(checked), true) = (checked, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let txn = crate::platform::db::begin_write(db).await?;
    let customer = customer_records::find(&txn, actor, scope, customer_id).await?;
    if customer.merged_into_id.is_some() {
        return Err(DomainError::Rule {
            code: "customer_merged",
            detail: Msg::MergedRecordThere,
        });
    }
    let view = record_in(&txn, ctx, actor, tz, &customer, checked, None).await?;
    txn.commit().await?;
    Ok(view)
}

/// What to look for among feedback.
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    pub category: Option<String>,
    pub department: Option<String>,
    pub status: Option<String>,
    pub customer_id: Option<Uuid>,
    /// Recorded in [from, to).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: FeedbackFilter,
    page: PageRequest,
) -> Result<Page<FeedbackView>, DomainError> {
    use feedback::Column as C;
    let mut errors = Vec::new();
    let category = input::optional(
        filter.category.as_deref(),
        |s| input::variant::<Category>(s, "/category"),
        &mut errors,
    );
    let status = input::optional(
        filter.status.as_deref(),
        |s| input::variant::<Status>(s, "/status"),
        &mut errors,
    );
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to < from
    {
        errors.push(FieldError::new("/to", Msg::ApprovalPeriodEnd));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let mut query = feedback::Entity::find().filter(reach(actor, scope));
    if let Some(category) = category {
        query = query.filter(C::Category.eq(category));
    }
    if let Some(department) = filter.department {
        query = query.filter(C::Department.eq(department));
    }
    if let Some(status) = status {
        query = query.filter(C::Status.eq(status));
    }
    if let Some(customer) = filter.customer_id {
        query = query.filter(C::CustomerId.eq(customer));
    }
    if let Some(from) = filter.from {
        query = query.filter(C::CreatedAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(C::CreatedAt.lt(to));
    }
    let page = page.fetch(db, query, C::Id, |f| f.id).await?;
    let items = views(db, page.items).await?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// One piece of feedback within the caller's reach; outside it, "not found".
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<FeedbackView, DomainError> {
    let row = record::find::<FeedbackView>(db, reach(actor, scope), id).await?;
    view_of(db, row).await
}

/// Resolves open feedback with a note (open → resolved); resolved feedback
/// stays resolved (409 `illegal_transition`).
#[allow(clippy::too_many_arguments)]
pub async fn resolve(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    note: String,
    if_match: Option<&str>,
) -> Result<FeedbackView, DomainError> {
    let note = note.trim().to_owned();
    if note.is_empty() || note.chars().count() > MAX_RESOLUTION {
        return Err(DomainError::invalid(
            "/resolution",
            Msg::OneToChars { max: MAX_RESOLUTION },
        ));
    }
    if let Some(problem) = input::text_problem(&note) {
        return Err(DomainError::invalid("/resolution", problem));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let model = record::find::<FeedbackView>(&txn, reach(actor, scope), id).await?;
    let before = view_of(&txn, model.clone()).await?;
    version::check(if_match, &before)?;
    if before.status == Status::Resolved {
        return Err(DomainError::IllegalTransition {
            what: Box::new(Msg::NounFeedback),
            from: Status::Resolved.to_string(),
            to: Status::Resolved.to_string(),
            allowed: Vec::new(),
        });
    }
    let now = Utc::now();
    let mut active: feedback::ActiveModel = model.into();
    active.status = Set(Status::Resolved);
    active.resolution = Set(Some(note.clone()));
    active.resolved_by = Set(actor.user_id());
    active.resolved_at = Set(Some(now));
    active.updated_at = Set(now);
    let after = FeedbackView::of(active.update(&txn).await?, before.recipient_ids.clone());
    let event = timeline::Event {
        customer_id: after.customer_id,
        kind: timeline::Kind::FeedbackResolved,
        occurred_at: now,
        subject_id: Some(after.id),
        data: json!({"feedback_id": after.id, "department": after.department, "resolution": note}),
    };
    timeline::record(&txn, Some(actor), event).await?;
    record::commit_changed(txn, ctx, "resolve", id, &before, &after).await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn department_codes_are_lowercase_words() {
        for (code, ok) in [
            ("property_management", true),
            ("dept2", true),
            ("", false),
            ("Property", false),
            ("物业", false),
            ("a-b", false),
        ] {
            assert_eq!(department_code(code), ok, "{code}");
        }
        assert!(!department_code(&"a".repeat(65)));
    }

    #[test]
    fn every_category_has_a_name_in_prose() {
        for category in Category::iter() {
            assert_ne!(category_name(category).key(), "");
        }
    }
}
