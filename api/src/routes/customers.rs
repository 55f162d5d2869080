//! Customers (`/api/v1/customers`): partners push leads and read their
//! progress; staff work them within their scope. Lookups outside the
//! caller's reach are 404. Assignment, the status workflow, follow-ups and
//! the rest of the sales record build on this resource.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use domain::{
    customers::{Created, CustomerFilter, CustomerInput, CustomerView},
    page::PageRequest,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Customer {
    pub id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat_id: Option<String>,
    /// website, social_media, partner_platform, store_walk_in, outdoor_exhibition, cross_industry.
    pub channel: String,
    /// new, contacted, needs_assessed, active, negotiating, subscribed, contracted, handed_over, lost.
    pub status: String,
    pub lost_reason: Option<String>,
    pub key_account: bool,
    /// The consultant who owns the customer.
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// The partner's own id for a lead it pushed.
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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
            owner_id: v.owner_id,
            team_id: v.team_id,
            external_id: v.external_id,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerList {
    pub items: Vec<Customer>,
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
    pub channel: Option<String>,
    pub external_id: Option<String>,
    pub owner_id: Option<Uuid>,
    pub key_account: Option<bool>,
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
    pub status: Option<String>,
    pub channel: Option<String>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// A partner's own id for a lead.
    pub external_id: Option<String>,
    /// Part of the name, phone or e-mail.
    pub q: Option<String>,
}

fn etag(view: &CustomerView) -> (header::HeaderName, String) {
    (header::ETAG, domain::version::etag_of(view))
}

fn location(id: Uuid) -> (header::HeaderName, String) {
    (header::LOCATION, format!("/api/v1/customers/{id}"))
}

/// Push a lead or record a new customer. A partner pushing the same
/// `external_id` again gets its earlier lead back (200), unchanged.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", operation_id = "create_customer",
    security(("bearer" = [])),
    request_body = NewCustomerBody,
    responses(
        (status = 201, description = "Created", body = Customer),
        (status = 200, description = "The partner pushed this external_id before: the existing lead", body = Customer),
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
    };
    match domain::customers::create(&state.db, &caller.audit(), &caller.actor, caller.scope, input).await? {
        Created::New(c) => Ok(HttpResponse::Created()
            .insert_header(location(c.id))
            .json(Customer::from(c))),
        Created::Existing(c) => Ok(HttpResponse::Ok().insert_header(location(c.id)).json(Customer::from(c))),
    }
}

/// Customers within the caller's reach.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", operation_id = "list_customers",
    security(("bearer" = [])),
    params(CustomerQuery),
    responses(
        (status = 200, description = "A page of customers, oldest first", body = CustomerList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range or a foreign cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_customers(
    caller: Authorized<perm::CustomersRead>,
    state: web::Data<AppState>,
    query: web::Query<CustomerQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let filter = CustomerFilter {
        status: q.status,
        channel: q.channel,
        owner_id: q.owner_id,
        team_id: q.team_id,
        external_id: q.external_id,
        q: q.q,
    };
    let page = domain::customers::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(HttpResponse::Ok().json(CustomerList {
        items: page.items.into_iter().map(Customer::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One customer; outside the caller's reach it is 404.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", operation_id = "get_customer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The customer; `ETag` names its version", body = Customer),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_customer(
    caller: Authorized<perm::CustomersRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let customer = domain::customers::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(&customer))
        .json(Customer::from(customer)))
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
        (status = 200, description = "Changed; `ETag` names the new version", body = Customer),
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
    let customer = domain::customers::update(
        &state.db,
        &caller.audit(),
        &caller.actor,
        caller.scope,
        id.into_inner(),
        input,
        if_match.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(&customer))
        .json(Customer::from(customer)))
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
    domain::customers::delete(db, &audit, actor, caller.scope, id.into_inner(), if_match.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
