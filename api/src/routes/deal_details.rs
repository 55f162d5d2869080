//! A deal's negotiation plan and paperwork: `/api/v1/deals/{id}/negotiation-plan`
//! (预设客户异议及应对方案), `/loan` and `/title-transfer` (办理贷款及过户手续).
//! Reached through the deal and its `deals:*` scope; outside it, 404.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::sales::{
    negotiation::{Objection, PlanInput, PlanView},
    paperwork::{LoanInput, TitleTransferInput},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    routes::deals::Deal,
    state::AppState,
    vocab,
};

/// An objection the customer is expected to raise, and the answer prepared.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedObjection {
    /// 1 to 500 characters.
    pub objection: String,
    /// 1 to 2000 characters.
    pub answer: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"deal_id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10",
    "objections": [{"objection": "价格比江畔豪庭贵", "answer": "现房交付、品牌物业，综合持有成本更低"}],
    "concession_floor_fen": 345000000, "notes": "客户重视学区", "version": 1,
    "updated_by": "0193a0c4-1111-7000-8000-000000000001",
    "created_at": "2026-11-28T09:30:00Z", "updated_at": "2026-11-28T09:30:00Z"}))]
pub struct NegotiationPlan {
    pub deal_id: Uuid,
    pub objections: Vec<PlannedObjection>,
    /// The lowest price the consultant may concede to, in fen.
    pub concession_floor_fen: Option<i64>,
    pub notes: Option<String>,
    /// Raised by every write; the `ETag` names it.
    pub version: i32,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<PlanView> for NegotiationPlan {
    fn from(v: PlanView) -> Self {
        Self {
            deal_id: v.deal_id,
            objections: (v.objections.into_iter())
                .map(|o| PlannedObjection {
                    objection: o.objection,
                    answer: o.answer,
                })
                .collect(),
            concession_floor_fen: v.concession_floor_fen,
            notes: v.notes,
            version: v.version,
            updated_by: v.updated_by,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// The whole plan; it replaces the one on file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"objections": [{"objection": "价格比江畔豪庭贵", "answer": "现房交付、品牌物业，综合持有成本更低"}],
    "concession_floor_fen": 345000000, "notes": "客户重视学区"}))]
pub struct NegotiationPlanBody {
    /// Up to 30.
    #[serde(default)]
    pub objections: Vec<PlannedObjection>,
    /// In fen, from 1 to the deal's agreed price.
    #[schema(minimum = 1, maximum = 1000000000000i64)]
    pub concession_floor_fen: Option<i64>,
    /// Up to 4000 characters.
    pub notes: Option<String>,
}

/// The deal's loan, whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"bank": "中国建设银行", "amount_fen": 245000000, "approved_on": "2026-11-25", "status": "approved"}))]
pub struct LoanBody {
    /// 1 to 100 characters.
    pub bank: String,
    /// In fen, from 1 to the deal's agreed price.
    #[schema(minimum = 1, maximum = 1000000000000i64)]
    pub amount_fen: i64,
    /// Required for `approved` and `disbursed`, absent otherwise; neither before the subscription nor in the future (business time zone).
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub approved_on: Option<NaiveDate>,
    /// applied → approved | rejected; approved → disbursed; rejected → applied.
    #[schema(value_type = vocab::LoanStatus)]
    pub status: String,
}

/// The deal's title transfer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"certificate_number": "沪(2026)浦东新区不动产权第0123456号", "transferred_on": "2026-11-28"}))]
pub struct TitleTransferBody {
    /// The new property certificate's number, 1 to 64 characters.
    pub certificate_number: String,
    /// Neither before the contract nor in the future (business time zone).
    #[serde(deserialize_with = "crate::extract::in_window")]
    pub transferred_on: NaiveDate,
}

/// A deal's negotiation plan.
#[utoipa::path(get, path = "/api/v1/deals/{id}/negotiation-plan", tag = "deals", operation_id = "get_negotiation_plan",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Deal id")),
    responses(
        (status = 200, description = "The plan; `ETag` names its version", body = NegotiationPlan),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach, or no plan yet", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_negotiation_plan(
    caller: Authorized<perm::DealsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let plan = domain::sales::negotiation::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    super::respond::tagged::<NegotiationPlan, _>(plan)
}

/// Write a deal's negotiation plan whole (its consultant or their manager):
/// the first write creates it, each later one raises its version.
#[utoipa::path(put, path = "/api/v1/deals/{id}/negotiation-plan", tag = "deals", operation_id = "update_negotiation_plan",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Deal id"),
        ("If-Match" = Option<String>, Header, description = "Write only if the plan still has this ETag"),
    ),
    request_body = NegotiationPlanBody,
    responses(
        (status = 200, description = "Written; `ETag` names the new version", body = NegotiationPlan),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write, or holds it on own records without being the deal's consultant (support staff)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the deal is closed or cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version (or there is no plan yet)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too many objections, a text empty or too long, a concession floor not from 1 fen to the agreed price", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_negotiation_plan(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<NegotiationPlanBody>,
) -> Result<HttpResponse, ApiError> {
    let input = PlanInput {
        objections: (body.objections.into_iter())
            .map(|o| Objection {
                objection: o.objection,
                answer: o.answer,
            })
            .collect(),
        concession_floor_fen: body.concession_floor_fen,
        notes: body.notes,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let plan = domain::sales::negotiation::put(
        db,
        &audit,
        actor,
        caller.scope,
        id.into_inner(),
        input,
        if_match.as_deref(),
    )
    .await?;
    super::respond::tagged::<NegotiationPlan, _>(plan)
}

/// Record or change the loan of a mortgage or provident-fund deal.
#[utoipa::path(put, path = "/api/v1/deals/{id}/loan", tag = "deals", operation_id = "update_deal_loan",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Deal id"),
        ("If-Match" = Option<String>, Header, description = "Write only if the deal still has this ETag"),
    ),
    request_body = LoanBody,
    responses(
        (status = 200, description = "Recorded; the deal as it is now, `ETag` names its version", body = Deal),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`loan_not_applicable` (paid in full or by instalments), `conflict` (not yet subscribed, or closed or cancelled), `illegal_transition` (a status move the loan does not allow, with `allowed`); nothing changed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version of the deal", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: an empty bank, an amount not from 1 fen to the agreed price, an approval day missing, given for a loan not approved, before the subscription or in the future, an unknown status", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_deal_loan(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<LoanBody>,
) -> Result<HttpResponse, ApiError> {
    let input = LoanInput {
        bank: body.bank,
        amount_fen: body.amount_fen,
        approved_on: body.approved_on,
        status: body.status,
    };
    let (db, audit, actor, tz) = (&state.db, caller.audit(), &caller.actor, state.settings.timezone);
    let id = id.into_inner();
    let deal =
        domain::sales::paperwork::put_loan(db, &audit, actor, caller.scope, id, input, if_match.as_deref(), tz).await?;
    super::respond::tagged::<Deal, _>(deal)
}

/// Record or correct a deal's title transfer, once it has reached `title_transfer`.
#[utoipa::path(put, path = "/api/v1/deals/{id}/title-transfer", tag = "deals", operation_id = "update_deal_title_transfer",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Deal id"),
        ("If-Match" = Option<String>, Header, description = "Write only if the deal still has this ETag"),
    ),
    request_body = TitleTransferBody,
    responses(
        (status = 200, description = "Recorded; the deal as it is now, `ETag` names its version", body = Deal),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the deal has not reached `title_transfer`, or is closed or cancelled; nothing changed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version of the deal", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: an empty or too long certificate number, a day before the contract or in the future", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_deal_title_transfer(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<TitleTransferBody>,
) -> Result<HttpResponse, ApiError> {
    let input = TitleTransferInput {
        certificate_number: body.certificate_number,
        transferred_on: body.transferred_on,
    };
    let (db, audit, actor, tz) = (&state.db, caller.audit(), &caller.actor, state.settings.timezone);
    let id = id.into_inner();
    let deal = domain::sales::paperwork::put_title_transfer(
        db,
        &audit,
        actor,
        caller.scope,
        id,
        input,
        if_match.as_deref(),
        tz,
    )
    .await?;
    super::respond::tagged::<Deal, _>(deal)
}
