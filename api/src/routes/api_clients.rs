//! Partner API clients (`/api/v1/api-clients`, administrators): the secret
//! is in the answer to creation and rotation only.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use domain::access::api_clients::{ClientInput, ClientView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    state::AppState,
    vocab,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClient {
    pub id: Uuid,
    /// Send as `client_id` with `grant_type=client_credentials`.
    #[schema(example = "efc_3kq9x0w2m4n8p1r5t7v6")]
    pub client_id: String,
    pub name: String,
    /// Permissions the client holds, each on the records it created only.
    pub scopes: Vec<String>,
    pub rate_limit_per_minute: i32,
    #[schema(value_type = vocab::ApiClientStatus)]
    pub status: String,
    pub secret_rotated_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ClientView> for ApiClient {
    fn from(v: ClientView) -> Self {
        Self {
            id: v.id,
            client_id: v.client_id,
            name: v.name,
            scopes: v.scopes,
            rate_limit_per_minute: v.rate_limit_per_minute,
            status: v.status,
            secret_rotated_at: v.secret_rotated_at,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// A client with its secret: shown once, store it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientWithSecret {
    #[serde(flatten)]
    pub client: ApiClient,
    pub client_secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientList {
    pub items: Vec<ApiClient>,
}

/// A new client, or a change to one (only the fields given change).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Anjuke listings", "rate_limit_per_minute": 600}))]
pub struct ApiClientBody {
    pub name: Option<String>,
    /// Permissions the client holds, each with scope `own`. A new client
    /// without `scopes` holds the `partner` role's (`customers:read`,
    /// `customers:write`); `[]` gives it none.
    pub scopes: Option<Vec<String>>,
    /// 1 to 100000; default 600.
    pub rate_limit_per_minute: Option<i32>,
    /// `active` or `disabled` (changes only).
    #[schema(value_type = Option<vocab::ApiClientStatus>)]
    pub status: Option<String>,
}

impl From<ApiClientBody> for ClientInput {
    fn from(b: ApiClientBody) -> Self {
        ClientInput {
            name: b.name,
            scopes: b.scopes,
            rate_limit_per_minute: b.rate_limit_per_minute,
            status: b.status,
        }
    }
}

/// Every API client.
#[utoipa::path(get, path = "/api/v1/api-clients", tag = "access", operation_id = "list_api_clients",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "API clients, oldest first", body = ApiClientList),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks api_clients:read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_api_clients(
    _caller: Authorized<perm::ApiClientsRead>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = domain::access::api_clients::list(&state.db)
        .await?
        .into_iter()
        .map(ApiClient::from)
        .collect();
    Ok(HttpResponse::Ok().json(ApiClientList { items }))
}

/// One API client.
#[utoipa::path(get, path = "/api/v1/api-clients/{id}", tag = "access", operation_id = "get_api_client",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "API client id (not client_id)")),
    responses(
        (status = 200, description = "The client; `ETag` names its version", body = ApiClient),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks api_clients:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_api_client(
    _caller: Authorized<perm::ApiClientsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client = domain::access::api_clients::get(&state.db, id.into_inner()).await?;
    super::respond::tagged::<ApiClient, _>(client)
}

/// Create an API client; the answer holds its secret, once.
#[utoipa::path(post, path = "/api/v1/api-clients", tag = "access", operation_id = "create_api_client",
    security(("bearer" = [])),
    request_body = ApiClientBody,
    responses(
        (status = 201, description = "Created", body = ApiClientWithSecret),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks api_clients:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or unknown scopes", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_api_client(
    caller: Authorized<perm::ApiClientsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<ApiClientBody>,
) -> Result<HttpResponse, ApiError> {
    let (client, secret) = domain::access::api_clients::create(&state.db, &caller.audit(), body.into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/api-clients/{}", client.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiClientWithSecret {
            client: client.into(),
            client_secret: secret,
        }))
}

/// Change, disable or re-enable an API client.
#[utoipa::path(patch, path = "/api/v1/api-clients/{id}", tag = "access", operation_id = "update_api_client",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "API client id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the client still has this ETag"),
    ),
    request_body = ApiClientBody,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = ApiClient),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks api_clients:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_api_client(
    caller: Authorized<perm::ApiClientsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<ApiClientBody>,
) -> Result<HttpResponse, ApiError> {
    let (db, audit) = (&state.db, caller.audit());
    let client =
        domain::access::api_clients::update(db, &audit, id.into_inner(), body.into(), if_match.as_deref()).await?;
    super::respond::tagged::<ApiClient, _>(client)
}

/// Replace an API client's secret; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/api-clients/{id}/secret", tag = "access", operation_id = "create_api_client_secret",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "API client id")),
    responses(
        (status = 200, description = "The client with its new secret, shown once", body = ApiClientWithSecret),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks api_clients:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_api_client_secret(
    caller: Authorized<perm::ApiClientsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (client, secret) =
        domain::access::api_clients::rotate_secret(&state.db, &caller.audit(), id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiClientWithSecret {
            client: client.into(),
            client_secret: secret,
        }))
}
