//! Lead routing rules (`/api/v1/routing-rules`): the director's ordered
//! rules that assign a lead as it arrives, to a named consultant or a
//! team's round-robin; one default (`fallback`) rule takes the rest.
//! `routing_rules:read` lists them, `routing_rules:write` changes them.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::sales::routing::{RuleInput, RuleView};
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
#[schema(example = json!({"id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a10", "name": "链家推送 → 东区一组",
    "priority": 10, "version": 2, "enabled": true, "fallback": false, "channel": "partner_platform",
    "source_client_id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a11", "project": null, "district": null,
    "key_account": null, "consultant_id": null, "team_id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a12",
    "created_by": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a13",
    "created_at": "2026-11-30T08:00:00Z", "updated_at": "2026-11-30T09:00:00Z"}))]
pub struct RoutingRule {
    pub id: Uuid,
    pub name: String,
    /// Rules are tried by priority, lower first (ties: older first); the default rule last.
    pub priority: i32,
    /// Goes up by one with every change; a routed lead's timeline names it.
    pub version: i32,
    /// A disabled rule is kept but not tried.
    pub enabled: bool,
    /// The default rule: no conditions, takes every lead no other rule took. At most one.
    pub fallback: bool,
    /// Condition: the lead's channel.
    #[schema(value_type = Option<vocab::Channel>)]
    pub channel: Option<String>,
    /// Condition: the partner API client (its id) that pushed the lead.
    pub source_client_id: Option<Uuid>,
    /// Condition: the lead's project of interest (exact).
    pub project: Option<String>,
    /// Condition: the lead's district of interest (exact).
    pub district: Option<String>,
    /// Condition: whether the lead is a key account.
    pub key_account: Option<bool>,
    /// Target: a named consultant (exactly one of `consultant_id` and `team_id`).
    pub consultant_id: Option<Uuid>,
    /// Target: the team's round-robin.
    pub team_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<RuleView> for RoutingRule {
    fn from(v: RuleView) -> Self {
        Self {
            id: v.id,
            name: v.name,
            priority: v.priority,
            version: v.version,
            enabled: v.enabled,
            fallback: v.fallback,
            channel: v.channel,
            source_client_id: v.source_client_id,
            project: v.project,
            district: v.district,
            key_account: v.key_account,
            consultant_id: v.consultant_id,
            team_id: v.team_id,
            created_by: v.created_by,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// Every rule, in the order they are tried.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingRuleList {
    pub items: Vec<RoutingRule>,
}

/// A new rule: a name, exactly one target, and at least one condition
/// (or `fallback: true` and none).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "重点客户 → 王经理", "priority": 5, "key_account": true,
    "consultant_id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a14"}))]
pub struct NewRoutingRuleBody {
    pub name: String,
    /// 0 to 100000, lower first; 100 if not given.
    #[schema(minimum = 0, maximum = 100000)]
    pub priority: Option<i32>,
    /// true if not given.
    pub enabled: Option<bool>,
    /// false if not given.
    pub fallback: Option<bool>,
    #[schema(value_type = Option<vocab::Channel>)]
    pub channel: Option<String>,
    pub source_client_id: Option<Uuid>,
    pub project: Option<String>,
    pub district: Option<String>,
    pub key_account: Option<bool>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// Only the fields given change; `null` clears a condition or target.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"priority": 20, "team_id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a12", "consultant_id": null}))]
pub struct RoutingRulePatch {
    pub name: Option<String>,
    #[schema(minimum = 0, maximum = 100000)]
    pub priority: Option<i32>,
    pub enabled: Option<bool>,
    pub fallback: Option<bool>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<vocab::Channel>)]
    pub channel: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<Uuid>)]
    pub source_client_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub project: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub district: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<bool>)]
    pub key_account: Option<Option<bool>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<Uuid>)]
    pub consultant_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<Uuid>)]
    pub team_id: Option<Option<Uuid>>,
}

/// The routing rules, in the order a lead meets them.
#[utoipa::path(get, path = "/api/v1/routing-rules", tag = "routing", operation_id = "list_routing_rules",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every rule, by priority, the default rule last", body = RoutingRuleList),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks routing_rules:read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_routing_rules(
    _caller: Authorized<perm::RoutingRulesRead>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = domain::sales::routing::list(&state.db).await?;
    Ok(HttpResponse::Ok().json(RoutingRuleList {
        items: items.into_iter().map(RoutingRule::from).collect(),
    }))
}

/// Add a routing rule.
#[utoipa::path(post, path = "/api/v1/routing-rules", tag = "routing", operation_id = "create_routing_rule",
    security(("bearer" = [])),
    request_body = NewRoutingRuleBody,
    responses(
        (status = 201, description = "Created (version 1)", body = RoutingRule),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks routing_rules:write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`routing_fallback_exists`: there is a default rule already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: no or two targets, no condition, a default rule with conditions, an unknown consultant, team or partner", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_routing_rule(
    caller: Authorized<perm::RoutingRulesWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewRoutingRuleBody>,
) -> Result<HttpResponse, ApiError> {
    let input = RuleInput {
        name: Some(body.name),
        priority: body.priority,
        enabled: body.enabled,
        fallback: body.fallback,
        channel: Some(body.channel),
        source_client_id: Some(body.source_client_id),
        project: Some(body.project),
        district: Some(body.district),
        key_account: Some(body.key_account),
        consultant_id: Some(body.consultant_id),
        team_id: Some(body.team_id),
    };
    let rule = domain::sales::routing::create(&state.db, &caller.audit(), input).await?;
    super::respond::created::<RoutingRule, _>(format!("/api/v1/routing-rules/{}", rule.id), rule)
}

/// One routing rule.
#[utoipa::path(get, path = "/api/v1/routing-rules/{id}", tag = "routing", operation_id = "get_routing_rule",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Routing rule id")),
    responses(
        (status = 200, description = "The rule; `ETag` names its version", body = RoutingRule),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks routing_rules:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such routing rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_routing_rule(
    _caller: Authorized<perm::RoutingRulesRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let rule = domain::sales::routing::get(&state.db, id.into_inner()).await?;
    super::respond::tagged::<RoutingRule, _>(rule)
}

/// Change a routing rule, or reorder it through `priority`; its version goes up by one.
#[utoipa::path(patch, path = "/api/v1/routing-rules/{id}", tag = "routing", operation_id = "update_routing_rule",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Routing rule id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the rule still has this ETag"),
    ),
    request_body = RoutingRulePatch,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = RoutingRule),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks routing_rules:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such routing rule", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`routing_fallback_exists`: there is a default rule already", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_routing_rule(
    caller: Authorized<perm::RoutingRulesWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<RoutingRulePatch>,
) -> Result<HttpResponse, ApiError> {
    let input = RuleInput {
        name: body.name,
        priority: body.priority,
        enabled: body.enabled,
        fallback: body.fallback,
        channel: body.channel,
        source_client_id: body.source_client_id,
        project: body.project,
        district: body.district,
        key_account: body.key_account,
        consultant_id: body.consultant_id,
        team_id: body.team_id,
    };
    let (db, audit) = (&state.db, caller.audit());
    let rule = domain::sales::routing::update(db, &audit, id.into_inner(), input, if_match.as_deref()).await?;
    super::respond::tagged::<RoutingRule, _>(rule)
}

/// Delete a routing rule.
#[utoipa::path(delete, path = "/api/v1/routing-rules/{id}", tag = "routing", operation_id = "delete_routing_rule",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Routing rule id"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the rule still has this ETag"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks routing_rules:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such routing rule", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_routing_rule(
    caller: Authorized<perm::RoutingRulesWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    domain::sales::routing::delete(&state.db, &caller.audit(), id.into_inner(), if_match.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
