//! After-sales of a deal (`/api/v1/deals/{id}/…`): inspection issues, the
//! handover checklist, the handover and post-handover visits. Reads need
//! `deals:read`, changes `deals:write`, on a deal within the caller's reach.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use domain::after_sales::handover::{
    ChecklistChange, ChecklistItem, HandoverView, IssuePatch, IssueView, NewHandover, NewVisit, VisitView,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::ApiJson,
    routes::deals::Deal,
    state::AppState,
    vocab,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionIssue {
    pub id: Uuid,
    pub deal_id: Uuid,
    pub description: String,
    pub location: Option<String>,
    #[schema(value_type = vocab::IssueStatus)]
    pub status: String,
    pub resolution: Option<String>,
    pub reported_by: Option<Uuid>,
    pub reported_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl From<IssueView> for InspectionIssue {
    fn from(v: IssueView) -> Self {
        Self {
            id: v.id,
            deal_id: v.deal_id,
            description: v.description,
            location: v.location,
            status: v.status,
            resolution: v.resolution,
            reported_by: v.reported_by,
            reported_at: v.reported_at,
            resolved_at: v.resolved_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionIssueList {
    pub items: Vec<InspectionIssue>,
}

/// A problem found in the pre-handover inspection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "主卧墙面渗水", "location": "master bedroom"}))]
pub struct NewInspectionIssueBody {
    pub description: String,
    pub location: Option<String>,
}

/// A change of status; `resolution` is required for `resolved`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "resolved", "resolution": "物业已修补防水层"}))]
pub struct InspectionIssuePatch {
    #[schema(value_type = vocab::IssueStatus)]
    pub status: String,
    pub resolution: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverChecklistItem {
    #[schema(value_type = vocab::ChecklistItem)]
    pub item: String,
    pub done: bool,
    pub note: Option<String>,
    pub updated_by: Option<Uuid>,
    /// Null while the item was never touched.
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<ChecklistItem> for HandoverChecklistItem {
    fn from(v: ChecklistItem) -> Self {
        Self {
            item: v.item,
            done: v.done,
            note: v.note,
            updated_by: v.updated_by,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverChecklist {
    /// Every item of the fixed list, in order.
    pub items: Vec<HandoverChecklistItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"done": true, "note": "房产证原件已交客户"}))]
pub struct ChecklistItemBody {
    pub done: bool,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Handover {
    pub deal_id: Uuid,
    pub handed_over_at: DateTime<Utc>,
    pub recipient: String,
    pub notes: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<HandoverView> for Handover {
    fn from(v: HandoverView) -> Self {
        Self {
            deal_id: v.deal_id,
            handed_over_at: v.handed_over_at,
            recipient: v.recipient,
            notes: v.notes,
            recorded_by: v.recorded_by,
            created_at: v.created_at,
        }
    }
}

/// The recorded handover with the deal as it is after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverResult {
    pub handover: Handover,
    pub deal: Deal,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"recipient": "王先生", "notes": "钥匙三把"}))]
pub struct NewHandoverBody {
    /// Who received the unit.
    pub recipient: String,
    pub notes: Option<String>,
    /// When (RFC 3339); now if left out; not in the future.
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Visit {
    pub id: Uuid,
    pub deal_id: Uuid,
    pub customer_id: Uuid,
    pub consultant_id: Uuid,
    pub team_id: Option<Uuid>,
    pub visited_at: DateTime<Utc>,
    /// 1 (very unhappy) to 5 (very happy).
    pub satisfaction: i16,
    pub feedback: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<VisitView> for Visit {
    fn from(v: VisitView) -> Self {
        Self {
            id: v.id,
            deal_id: v.deal_id,
            customer_id: v.customer_id,
            consultant_id: v.consultant_id,
            team_id: v.team_id,
            visited_at: v.visited_at,
            satisfaction: v.satisfaction,
            feedback: v.feedback,
            recorded_by: v.recorded_by,
            created_at: v.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitList {
    pub items: Vec<Visit>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"satisfaction": 5, "feedback": "很满意"}))]
pub struct NewVisitBody {
    /// When (RFC 3339); now if left out; not in the future nor before the handover.
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub visited_at: Option<DateTime<Utc>>,
    /// An integer from 1 to 5.
    pub satisfaction: i64,
    pub feedback: Option<String>,
    /// With `feedback`: record it also as customer feedback of this
    /// category, routed to the department concerned (`/feedback`).
    #[schema(value_type = Option<vocab::FeedbackCategory>)]
    pub feedback_category: Option<String>,
}

/// Report a problem found in the pre-handover inspection.
#[utoipa::path(post, path = "/api/v1/deals/{id}/inspection-issues", tag = "after-sales", operation_id = "create_inspection_issue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Deal id")),
    request_body = NewInspectionIssueBody,
    responses(
        (status = 201, description = "Recorded, `open`", body = InspectionIssue),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the deal is closed or cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_inspection_issue(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<NewInspectionIssueBody>,
) -> Result<HttpResponse, ApiError> {
    let deal_id = id.into_inner();
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let issue = domain::after_sales::handover::report_issue(
        db,
        &audit,
        actor,
        caller.scope,
        deal_id,
        body.description,
        body.location,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/deals/{deal_id}/inspection-issues/{}", issue.id),
        ))
        .json(InspectionIssue::from(issue)))
}

/// The inspection issues of a deal, oldest first.
#[utoipa::path(get, path = "/api/v1/deals/{id}/inspection-issues", tag = "after-sales", operation_id = "list_inspection_issues",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Deal id")),
    responses(
        (status = 200, description = "Every issue of the deal", body = InspectionIssueList),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_inspection_issues(
    caller: Authorized<perm::DealsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let items =
        domain::after_sales::handover::list_issues(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(InspectionIssueList {
        items: items.into_iter().map(InspectionIssue::from).collect(),
    }))
}

/// Move an inspection issue to rectifying or resolved (or reopen it).
#[utoipa::path(patch, path = "/api/v1/deals/{id}/inspection-issues/{issue_id}", tag = "after-sales", operation_id = "update_inspection_issue",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Deal id"),
        ("issue_id" = Uuid, Path, description = "Inspection issue id"),
    ),
    request_body = InspectionIssuePatch,
    responses(
        (status = 200, description = "Changed", body = InspectionIssue),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach, or no such issue on it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the deal is closed or cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status, or no resolution for `resolved`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_inspection_issue(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<InspectionIssuePatch>,
) -> Result<HttpResponse, ApiError> {
    let (deal_id, issue_id) = path.into_inner();
    let patch = IssuePatch {
        status: body.status,
        resolution: body.resolution,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let issue =
        domain::after_sales::handover::update_issue(db, &audit, actor, caller.scope, deal_id, issue_id, patch).await?;
    Ok(HttpResponse::Ok().json(InspectionIssue::from(issue)))
}

/// The handover checklist: every item of the fixed list, done or not.
#[utoipa::path(get, path = "/api/v1/deals/{id}/handover-checklist", tag = "after-sales", operation_id = "get_handover_checklist",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Deal id")),
    responses(
        (status = 200, description = "The checklist", body = HandoverChecklist),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_handover_checklist(
    caller: Authorized<perm::DealsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let items =
        domain::after_sales::handover::checklist(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(HandoverChecklist {
        items: items.into_iter().map(HandoverChecklistItem::from).collect(),
    }))
}

/// Tick or untick one item of the handover checklist.
#[utoipa::path(put, path = "/api/v1/deals/{id}/handover-checklist/{item}", tag = "after-sales", operation_id = "update_handover_checklist_item",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Deal id"),
        ("item" = vocab::ChecklistItem, Path, description = "The checklist item"),
    ),
    request_body = ChecklistItemBody,
    responses(
        (status = 200, description = "The item as it is now", body = HandoverChecklistItem),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach, or an item not on the checklist", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the deal is closed or cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_handover_checklist_item(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
    ApiJson(body): ApiJson<ChecklistItemBody>,
) -> Result<HttpResponse, ApiError> {
    let (deal_id, item) = path.into_inner();
    let change = ChecklistChange {
        done: body.done,
        note: body.note,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let item =
        domain::after_sales::handover::set_checklist_item(db, &audit, actor, caller.scope, deal_id, &item, change)
            .await?;
    Ok(HttpResponse::Ok().json(HandoverChecklistItem::from(item)))
}

/// Record the handover (交房); the deal moves to `handed_over` in the same step.
#[utoipa::path(post, path = "/api/v1/deals/{id}/handover", tag = "after-sales", operation_id = "create_handover",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Deal id")),
    request_body = NewHandoverBody,
    responses(
        (status = 201, description = "Handed over", body = HandoverResult),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`open_inspection_issues`, `handover_checklist_incomplete`, or `illegal_transition` (the deal is not `handover_ready`); nothing changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_handover(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<NewHandoverBody>,
) -> Result<HttpResponse, ApiError> {
    let deal_id = id.into_inner();
    let input = NewHandover {
        recipient: body.recipient,
        notes: body.notes,
        at: body.at,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let tz = state.settings.timezone;
    let (handover, deal) =
        domain::after_sales::handover::hand_over(db, &audit, actor, caller.scope, deal_id, input, tz).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/deals/{deal_id}/handover")))
        .json(HandoverResult {
            handover: handover.into(),
            deal: deal.into(),
        }))
}

/// The recorded handover of a deal.
#[utoipa::path(get, path = "/api/v1/deals/{id}/handover", tag = "after-sales", operation_id = "get_handover",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Deal id")),
    responses(
        (status = 200, description = "The handover", body = Handover),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach, or no handover recorded", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_handover(
    caller: Authorized<perm::DealsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let handover =
        domain::after_sales::handover::handover(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Handover::from(handover)))
}

/// Record a post-handover visit (回访) with the customer's satisfaction.
#[utoipa::path(post, path = "/api/v1/deals/{id}/visits", tag = "after-sales", operation_id = "create_visit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Deal id")),
    request_body = NewVisitBody,
    responses(
        (status = 201, description = "Recorded", body = Visit),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_handed_over`: visits follow the handover", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Satisfaction not an integer from 1 to 5, a `feedback_category` that is not a category or without `feedback`, or other invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_visit(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<NewVisitBody>,
) -> Result<HttpResponse, ApiError> {
    let input = NewVisit {
        visited_at: body.visited_at,
        satisfaction: body.satisfaction,
        feedback: body.feedback,
        feedback_category: body.feedback_category,
    };
    let (db, audit, actor, tz) = (&state.db, caller.audit(), &caller.actor, state.settings.timezone);
    let id = id.into_inner();
    let visit = domain::after_sales::handover::record_visit(db, &audit, actor, caller.scope, tz, id, input).await?;
    Ok(HttpResponse::Created().json(Visit::from(visit)))
}

/// The post-handover visits of a deal, oldest first.
#[utoipa::path(get, path = "/api/v1/deals/{id}/visits", tag = "after-sales", operation_id = "list_visits",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Deal id")),
    responses(
        (status = 200, description = "Every visit of the deal", body = VisitList),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_visits(
    caller: Authorized<perm::DealsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let items =
        domain::after_sales::handover::list_visits(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(VisitList {
        items: items.into_iter().map(Visit::from).collect(),
    }))
}
