//! Customers (`/api/v1/customers`): partners push leads and read their
//! progress; staff work them within their scope. Lookups outside the
//! caller's reach are 404. Assignment, the status workflow, follow-ups and
//! the rest of the sales record build on this resource.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use domain::{
    sales::assignment::{AssignmentInput, Kind},
    sales::customers::{Created, CustomerFilter, CustomerInput, CustomerPage, CustomerView, StatusChange},
    sales::partner_view::{self, PartnerCustomerView},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use domain::access::actor::{Actor, ActorKind};

use crate::{
    auth::{Authorized, Presumed, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    state::AppState,
    vocab,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Customer {
    pub id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat_id: Option<String>,
    #[schema(value_type = vocab::Channel)]
    pub channel: String,
    #[schema(value_type = vocab::CustomerStatus)]
    pub status: String,
    pub lost_reason: Option<String>,
    /// A key account (重点客户): revisited on the `key_account_revisit` cadence.
    pub key_account: bool,
    /// The customer manager answering for the key account's revisits (the
    /// one who marked it or last revisited it); none: the consultant does.
    pub account_manager_id: Option<Uuid>,
    /// The consultant who owns the customer.
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// The partner's own id for a lead it pushed.
    pub external_id: Option<String>,
    /// When the current consultant got the customer.
    pub assigned_at: Option<DateTime<Utc>>,
    /// When a follow-up first reached the customer (初次接触).
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the needs were first assessed (需求分析).
    pub needs_assessed_at: Option<DateTime<Utc>>,
    pub last_follow_up_at: Option<DateTime<Utc>>,
    pub lost_at: Option<DateTime<Utc>>,
    /// Set when this record was merged into another customer.
    pub merged_into_id: Option<Uuid>,
    /// The project the lead asked about (routing rules may match it).
    pub project_of_interest: Option<String>,
    /// The district the lead asked about (routing rules may match it).
    pub district_of_interest: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the earliest item on the customer's agenda is due (a first
    /// response, a follow-up, a visit, a complaint…): in the list and in
    /// `GET /customers/{id}`; null there when nothing is due, absent from
    /// other answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_due_at: Option<Option<DateTime<Utc>>>,
    /// What that item asks for; as `next_due_at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<vocab::AgendaKind>)]
    pub next_due_kind: Option<Option<String>>,
    /// On creation only: other customers with the same phone number (their id and owner).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_duplicates: Option<Vec<PossibleDuplicate>>,
}

/// Another customer with the same phone number.
#[derive(Debug, Serialize, ToSchema)]
pub struct PossibleDuplicate {
    pub id: Uuid,
    pub owner_id: Option<Uuid>,
}

impl From<CustomerView> for Customer {
    fn from(v: CustomerView) -> Self {
        Self {
            id: v.id,
            name: v.name,
            phone: v.phone,
            email: v.email,
            wechat_id: v.wechat_id,
            channel: v.channel,
            status: v.status,
            lost_reason: v.lost_reason,
            key_account: v.key_account,
            account_manager_id: v.account_manager_id,
            owner_id: v.owner_id,
            team_id: v.team_id,
            external_id: v.external_id,
            assigned_at: v.assigned_at,
            first_response_at: v.first_response_at,
            needs_assessed_at: v.needs_assessed_at,
            last_follow_up_at: v.last_follow_up_at,
            lost_at: v.lost_at,
            merged_into_id: v.merged_into_id,
            project_of_interest: v.project_of_interest,
            district_of_interest: v.district_of_interest,
            created_at: v.created_at,
            updated_at: v.updated_at,
            next_due_at: None,
            next_due_kind: None,
            possible_duplicates: None,
        }
    }
}

/// A customer as a partner client sees a lead it pushed: its progress,
/// without the sales team's internals (no owner, team, key-account flag
/// or lost reason). See "What a partner sees" in the API guide.
#[derive(Debug, Serialize, ToSchema)]
// Closed (`additionalProperties: false`), so that a staff answer never
// passes for a partner's in the `oneOf`.
#[serde(deny_unknown_fields)]
pub struct PartnerCustomer {
    pub id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat_id: Option<String>,
    #[schema(value_type = vocab::Channel)]
    pub channel: String,
    #[schema(value_type = vocab::CustomerStatus)]
    pub status: String,
    /// The partner's own id for the lead.
    pub external_id: Option<String>,
    /// The project the lead asked about, as the partner sent it.
    pub project_of_interest: Option<String>,
    /// The district the lead asked about, as the partner sent it.
    pub district_of_interest: Option<String>,
    /// When a consultant got the lead.
    pub assigned_at: Option<DateTime<Utc>>,
    /// When a follow-up first reached the customer (初次接触).
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the needs were first assessed (需求分析).
    pub needs_assessed_at: Option<DateTime<Utc>>,
    pub last_follow_up_at: Option<DateTime<Utc>>,
    pub lost_at: Option<DateTime<Utc>>,
    /// Set when this lead was merged into another customer.
    pub merged_into_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// On creation only: the partner's other leads with the same phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_duplicates: Option<Vec<PartnerDuplicate>>,
}

/// Another of the partner's leads with the same phone number.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerDuplicate {
    pub id: Uuid,
}

impl From<PartnerCustomerView> for PartnerCustomer {
    fn from(v: PartnerCustomerView) -> Self {
        Self {
            id: v.id,
            name: v.name,
            phone: v.phone,
            email: v.email,
            wechat_id: v.wechat_id,
            channel: v.channel,
            status: v.status,
            external_id: v.external_id,
            project_of_interest: v.project_of_interest,
            district_of_interest: v.district_of_interest,
            assigned_at: v.assigned_at,
            first_response_at: v.first_response_at,
            needs_assessed_at: v.needs_assessed_at,
            last_follow_up_at: v.last_follow_up_at,
            lost_at: v.lost_at,
            merged_into_id: v.merged_into_id,
            created_at: v.created_at,
            updated_at: v.updated_at,
            possible_duplicates: None,
        }
    }
}

/// A customer as the caller may see it: staff get `Customer`, partner
/// clients `PartnerCustomer`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CustomerAnswer {
    Customer(Customer),
    PartnerCustomer(PartnerCustomer),
}

impl CustomerAnswer {
    fn of(actor: &Actor, view: CustomerView) -> Self {
        if actor.kind == ActorKind::Client {
            Self::PartnerCustomer(PartnerCustomerView::from(view).into())
        } else {
            Self::Customer(view.into())
        }
    }

    /// As [`Self::of`], for the reads that look up what is next due (list
    /// and detail); partners never see it.
    fn with_next_due(actor: &Actor, view: CustomerView) -> Self {
        if actor.kind == ActorKind::Client {
            Self::of(actor, view)
        } else {
            Self::Customer(with_next_due(view))
        }
    }
}

/// 200 with the customer as the caller may see it and the `ETag` of its version.
fn answer(actor: &Actor, view: CustomerView) -> Result<HttpResponse, ApiError> {
    let tag = super::respond::etag(&view)?;
    Ok(HttpResponse::Ok()
        .insert_header(tag)
        .json(CustomerAnswer::of(actor, view)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerList {
    pub items: Vec<CustomerAnswer>,
    pub next_cursor: Option<String>,
}

/// A new customer. Partners send `external_id` (their id for the lead); staff may name an `owner_id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "王先生", "phone": "13800138000", "channel": "partner_platform", "external_id": "lead-20261127-0042"}))]
pub struct NewCustomerBody {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat_id: Option<String>,
    #[schema(value_type = Option<vocab::Channel>)]
    pub channel: Option<String>,
    pub external_id: Option<String>,
    pub owner_id: Option<Uuid>,
    pub key_account: Option<bool>,
    /// The project the lead asked about, 1 to 120 characters; routing rules may match it.
    pub project_of_interest: Option<String>,
    /// The district the lead asked about, 1 to 120 characters; routing rules may match it.
    pub district_of_interest: Option<String>,
}

/// Only the fields given change; `null` clears a contact field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "13900139000", "key_account": true}))]
pub struct CustomerPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub wechat_id: Option<Option<String>>,
    pub key_account: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default), `-created_at` (newest
    /// first), `next_due_at` (soonest due first) or `-next_due_at` (latest
    /// due first); customers with nothing due come last.
    pub sort: Option<String>,
    #[param(value_type = Option<vocab::CustomerStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<vocab::Channel>)]
    pub channel: Option<String>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// A partner's own id for a lead.
    pub external_id: Option<String>,
    /// Part of the name, phone or e-mail.
    pub q: Option<String>,
    /// Customers with an agenda item due before this instant.
    pub due_before: Option<DateTime<Utc>>,
    /// `true`: customers with an overdue item; `false`: those without.
    pub overdue: Option<bool>,
    /// Customers whose next agenda item is of this kind.
    #[param(value_type = Option<vocab::AgendaKind>)]
    pub next_due_kind: Option<String>,
}

/// A customer as the list and the detail show it: with its next due item.
fn with_next_due(view: CustomerView) -> Customer {
    let next = view.next_due;
    Customer {
        next_due_at: Some(next.map(|n| n.at)),
        next_due_kind: Some(next.map(|n| n.kind.to_string())),
        ..Customer::from(view)
    }
}

fn location(id: Uuid) -> (header::HeaderName, String) {
    (header::LOCATION, format!("/api/v1/customers/{id}"))
}

/// Push a lead or record a new customer. A partner pushing the same
/// `external_id` again gets its earlier lead back (200), unchanged. Other
/// customers with the same phone number are listed in `possible_duplicates`
/// (merge them with `POST /customers/{id}/merge`).
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", operation_id = "create_customer",
    security(("bearer" = [])),
    request_body = NewCustomerBody,
    responses(
        (status = 201, description = "Created (partner clients get `PartnerCustomer`)", body = CustomerAnswer),
        (status = 200, description = "The partner pushed this external_id before: the existing lead", body = CustomerAnswer),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_customer(
    caller: Authorized<perm::CustomersWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewCustomerBody>,
) -> Result<HttpResponse, ApiError> {
    let input = CustomerInput {
        name: Some(body.name),
        phone: Some(body.phone),
        email: Some(body.email),
        wechat_id: Some(body.wechat_id),
        key_account: body.key_account,
        channel: body.channel,
        external_id: body.external_id,
        owner_id: body.owner_id,
        project_of_interest: body.project_of_interest,
        district_of_interest: body.district_of_interest,
    };
    match domain::sales::customers::create(&state.db, &caller.audit(), &caller.actor, caller.scope, input).await? {
        Created::New {
            customer,
            possible_duplicates,
        } => {
            let id = customer.id;
            let tag = super::respond::etag(&customer)?;
            let mut body = CustomerAnswer::of(&caller.actor, customer);
            match &mut body {
                CustomerAnswer::Customer(c) => {
                    c.possible_duplicates = Some(
                        possible_duplicates
                            .into_iter()
                            .map(|d| PossibleDuplicate {
                                id: d.id,
                                owner_id: d.owner_id,
                            })
                            .collect(),
                    );
                }
                CustomerAnswer::PartnerCustomer(c) => {
                    c.possible_duplicates = Some(
                        possible_duplicates
                            .into_iter()
                            .map(|d| PartnerDuplicate { id: d.id })
                            .collect(),
                    );
                }
            }
            Ok(HttpResponse::Created()
                .insert_header(location(id))
                .insert_header(tag)
                .json(body))
        }
        Created::Existing(c) => Ok(HttpResponse::Ok()
            .insert_header(location(c.id))
            .json(CustomerAnswer::of(&caller.actor, c))),
    }
}

/// Customers within the caller's reach.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", operation_id = "list_customers",
    security(("bearer" = [])),
    params(CustomerQuery),
    responses(
        (status = 200, description = "A page of customers, oldest first (newest first with `sort=-created_at`)", body = CustomerList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status, channel or next_due_kind, limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_customers(
    caller: Authorized<perm::CustomersRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<CustomerQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = CustomerPage::new(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = CustomerFilter {
        status: q.status,
        channel: q.channel,
        owner_id: q.owner_id,
        team_id: q.team_id,
        external_id: q.external_id,
        q: q.q,
        due_before: q.due_before,
        overdue: q.overdue,
        next_due_kind: q.next_due_kind,
    };
    let page = domain::sales::customers::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    let page = page.map(|v| CustomerAnswer::with_next_due(&caller.actor, v));
    Ok(super::respond::page(page, |items, next_cursor| CustomerList {
        items,
        next_cursor,
    }))
}

/// One customer; outside the caller's reach it is 404.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", operation_id = "get_customer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The customer (partner clients get `PartnerCustomer`); `ETag` names its version", body = CustomerAnswer),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_customer(
    caller: Presumed<perm::CustomersRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (actor, customer) = caller
        .read(async |actor, scope, kept_at| {
            domain::sales::customers::get_checking(&state.db, actor, scope, id, kept_at).await
        })
        .await?;
    let tag = super::respond::etag(&customer)?;
    Ok(HttpResponse::Ok()
        .insert_header(tag)
        .json(CustomerAnswer::with_next_due(&actor, customer)))
}

/// Change a customer's contact fields or key-account flag.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", operation_id = "update_customer",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Customer id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the customer still has this ETag"),
    ),
    request_body = CustomerPatch,
    responses(
        (status = 200, description = "Changed (partner clients get `PartnerCustomer`); `ETag` names the new version", body = CustomerAnswer),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_customer(
    caller: Authorized<perm::CustomersWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<CustomerPatch>,
) -> Result<HttpResponse, ApiError> {
    let input = CustomerInput {
        name: body.name,
        phone: body.phone,
        email: body.email,
        wechat_id: body.wechat_id,
        key_account: body.key_account,
        ..CustomerInput::default()
    };
    let customer = domain::sales::customers::update(
        &state.db,
        &caller.audit(),
        &caller.actor,
        caller.scope,
        id.into_inner(),
        input,
        if_match.as_deref(),
    )
    .await?;
    answer(&caller.actor, customer)
}

/// Delete a customer.
#[utoipa::path(delete, path = "/api/v1/customers/{id}", tag = "customers", operation_id = "delete_customer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:delete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_customer(
    caller: Authorized<perm::CustomersDelete>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    domain::sales::customers::delete(db, &audit, actor, caller.scope, id.into_inner(), if_match.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A status set by hand: `lost` (with the reason, for churn analysis) or `active`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "lost", "reason": "bought a resale flat elsewhere"}))]
pub struct StatusBody {
    #[schema(value_type = vocab::CustomerStatus)]
    pub status: String,
    pub reason: Option<String>,
}

/// Set a customer's status by hand. Only `lost` (reason required) and
/// `active` are set this way; the rest follow from follow-ups, needs and
/// deals. A move the workflow does not allow is 409 `illegal_transition`
/// with the allowed moves in `allowed`.
#[utoipa::path(post, path = "/api/v1/customers/{id}/status", tag = "customers", operation_id = "create_customer_status_change",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Customer id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the customer still has this ETag"),
    ),
    request_body = StatusBody,
    responses(
        (status = 200, description = "Changed (partner clients get `PartnerCustomer`)", body = CustomerAnswer),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition`, with `allowed`", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status or missing reason", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_customer_status_change(
    caller: Authorized<perm::CustomersWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<HttpResponse, ApiError> {
    let change = StatusChange {
        to: body.status,
        reason: body.reason,
    };
    let (db, audit, actor, scope) = (&state.db, caller.audit(), &caller.actor, caller.scope);
    let customer =
        domain::sales::customers::change_status(db, &audit, actor, scope, id.into_inner(), change, if_match.as_deref())
            .await?;
    answer(actor, customer)
}

/// To whom a lead goes: a named consultant, or round-robin in a team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"team_id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a10", "reason": "walk-in at the Pudong store"}))]
pub struct AssignmentBody {
    /// A named consultant.
    pub consultant_id: Option<Uuid>,
    /// Round-robin among the team's active, unpaused consultants.
    pub team_id: Option<Uuid>,
    /// Why; required to reassign.
    pub reason: Option<String>,
}

async fn assign(
    caller: Authorized<perm::CustomersAssign>,
    state: web::Data<AppState>,
    id: Uuid,
    kind: Kind,
    body: AssignmentBody,
) -> Result<HttpResponse, ApiError> {
    let input = AssignmentInput {
        consultant_id: body.consultant_id,
        team_id: body.team_id,
        reason: body.reason,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let customer = domain::sales::assignment::assign(db, &audit, actor, caller.scope, id, kind, input).await?;
    super::respond::tagged::<Customer, _>(customer)
}

/// Assign a lead that has no consultant yet: to a named consultant, or to
/// the next in turn among a team's active, unpaused consultants. The
/// decision and its reason go on the timeline.
#[utoipa::path(post, path = "/api/v1/customers/{id}/assignment", tag = "customers", operation_id = "create_customer_assignment",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body = AssignmentBody,
    responses(
        (status = 200, description = "Assigned", body = Customer),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:assign", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_assigned` (use reassignment) or `no_available_consultant`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither or both of consultant_id and team_id, or one outside the caller's teams", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_customer_assignment(
    caller: Authorized<perm::CustomersAssign>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<AssignmentBody>,
) -> Result<HttpResponse, ApiError> {
    assign(caller, state, id.into_inner(), Kind::Assign, body).await
}

/// Give a customer to another consultant (named, or next in turn in a
/// team), with the reason; recorded on the timeline.
#[utoipa::path(post, path = "/api/v1/customers/{id}/reassignment", tag = "customers", operation_id = "create_customer_reassignment",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body = AssignmentBody,
    responses(
        (status = 200, description = "Reassigned", body = Customer),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:assign", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_assigned` (use assignment) or `no_available_consultant`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing reason, neither or both targets, or one outside the caller's teams", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_customer_reassignment(
    caller: Authorized<perm::CustomersAssign>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<AssignmentBody>,
) -> Result<HttpResponse, ApiError> {
    assign(caller, state, id.into_inner(), Kind::Reassign, body).await
}

/// Whether a consultant takes round-robin leads.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"paused": true}))]
pub struct LeadIntakeBody {
    pub paused: bool,
}

/// Pause or resume a consultant's round-robin leads (holidays, training).
#[utoipa::path(put, path = "/api/v1/users/{id}/lead-intake", tag = "customers", operation_id = "update_lead_intake",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    request_body = LeadIntakeBody,
    responses(
        (status = 200, description = "Set", body = LeadIntakeBody),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:assign", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user within the caller's teams", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`paused` missing or not a boolean, or unknown fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_lead_intake(
    caller: Authorized<perm::CustomersAssign>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<LeadIntakeBody>,
) -> Result<HttpResponse, ApiError> {
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let intake =
        domain::sales::assignment::set_intake(db, &audit, actor, caller.scope, id.into_inner(), body.paused).await?;
    Ok(HttpResponse::Ok().json(LeadIntakeBody { paused: intake.paused }))
}

/// The duplicate to fold into this customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"duplicate_id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a10"}))]
pub struct MergeBody {
    pub duplicate_id: Uuid,
}

/// Merge a duplicate into this customer, keeping all history: the
/// duplicate's follow-ups, needs, deals, visits, complaints, invitations
/// and timeline move here, contact fields this record lacks are taken from
/// it, and the duplicate remains only as a pointer (`merged_into_id`).
#[utoipa::path(post, path = "/api/v1/customers/{id}/merge", tag = "customers", operation_id = "create_customer_merge",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The customer that stays")),
    request_body = MergeBody,
    responses(
        (status = 200, description = "Merged: the surviving customer (partner clients get `PartnerCustomer`)", body = CustomerAnswer),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`customer_merged`: this record was itself merged away", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The duplicate is this customer, unknown, outside reach or already merged", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_customer_merge(
    caller: Authorized<perm::CustomersWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<MergeBody>,
) -> Result<HttpResponse, ApiError> {
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let customer =
        domain::sales::customers::merge(db, &audit, actor, caller.scope, id.into_inner(), body.duplicate_id).await?;
    answer(actor, customer)
}

/// One event in a customer's life.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub id: Uuid,
    /// created, assigned, reassigned, status_changed, follow_up, needs_assessed, deal_created,
    /// deal_stage_changed, inspection_issue, handover_completed, visit, complaint_received,
    /// complaint_resolved, event_invited, event_attended, merged.
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    /// The staff member who recorded it.
    #[schema(required = true)]
    pub actor_user_id: Option<Uuid>,
    /// The partner client that recorded it.
    #[schema(required = true)]
    pub actor_client_id: Option<Uuid>,
    /// The record the event is about (follow-up, deal, complaint, consultant, …).
    #[schema(required = true)]
    pub subject_id: Option<Uuid>,
    /// What happened, by kind.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// One event of a lead as its partner sees it: no actor, no record ids,
/// only the data meant for the partner. See "What a partner sees" in the
/// API guide.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerTimelineEntry {
    pub id: Uuid,
    /// created, assigned, reassigned, status_changed, follow_up, needs_assessed, deal_created,
    /// deal_stage_changed, handover_completed, visit, merged, sla_breached.
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    /// By kind: created {channel, external_id}; status_changed and
    /// deal_stage_changed {from, to}; follow_up {kind, reached};
    /// deal_created {stage}; merged {duplicate_id}; sla_breached {kind,
    /// due_at}; the others {}.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Timeline {
    pub customer_id: Uuid,
    /// Every event, in the order it happened.
    pub items: Vec<TimelineEntry>,
}

/// A lead's timeline as its partner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerTimeline {
    pub customer_id: Uuid,
    /// The events meant for the partner, in the order they happened.
    pub items: Vec<PartnerTimelineEntry>,
}

/// A timeline as the caller may see it: staff get `Timeline`, partner
/// clients `PartnerTimeline`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TimelineAnswer {
    Timeline(Timeline),
    PartnerTimeline(PartnerTimeline),
}

/// A customer's whole timeline, in the order things happened.
#[utoipa::path(get, path = "/api/v1/customers/{id}/timeline", tag = "customers", operation_id = "get_customer_timeline",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 200, description = "Every event of the customer; partner clients get `PartnerTimeline`, the events meant for them", body = TimelineAnswer),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_customer_timeline(
    caller: Authorized<perm::CustomersRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    domain::sales::customers::get(&state.db, &caller.actor, caller.scope, id).await?;
    let entries = domain::sales::timeline::of_customer(&state.db, id).await?;
    if caller.actor.kind == ActorKind::Client {
        let items = entries
            .into_iter()
            .filter_map(partner_view::entry)
            .map(|e| PartnerTimelineEntry {
                id: e.id,
                kind: e.kind,
                occurred_at: e.occurred_at,
                data: e.data,
            })
            .collect();
        let timeline = PartnerTimeline { customer_id: id, items };
        return Ok(HttpResponse::Ok().json(TimelineAnswer::PartnerTimeline(timeline)));
    }
    Ok(HttpResponse::Ok().json(TimelineAnswer::Timeline(Timeline {
        customer_id: id,
        items: entries
            .into_iter()
            .map(|e| TimelineEntry {
                id: e.id,
                kind: e.kind,
                occurred_at: e.occurred_at,
                actor_user_id: e.actor_user_id,
                actor_client_id: e.actor_client_id,
                subject_id: e.subject_id,
                data: e.data,
            })
            .collect(),
    })))
}
