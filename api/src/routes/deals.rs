//! Deals (`/api/v1/deals`): a customer buying a unit, from negotiation to
//! handover and closing. Stages change only through
//! `POST /deals/{id}/transitions`; lookups outside the caller's reach are 404.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    platform::page::PageRequest,
    sales::deals::{DealFilter, DealPatch, DealView, LoanView, Move, NewDeal, TitleTransferView},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    state::AppState,
    vocab,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Deal {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub unit_id: Uuid,
    pub consultant_id: Uuid,
    /// The consultant's team when the deal was opened.
    pub team_id: Option<Uuid>,
    pub support_id: Option<Uuid>,
    /// In fen (1/100 yuan).
    pub agreed_price_fen: i64,
    #[schema(value_type = vocab::PaymentMethod)]
    pub payment_method: String,
    pub planned_handover_on: Option<NaiveDate>,
    #[schema(value_type = vocab::DealStage)]
    pub stage: String,
    /// The stages the deal may move to next.
    pub next_stages: Vec<String>,
    pub subscribed_at: Option<DateTime<Utc>>,
    pub contracted_at: Option<DateTime<Utc>>,
    pub handed_over_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    /// The loan of a mortgage or provident-fund purchase (`PUT /deals/{id}/loan`); null until recorded.
    pub loan: Option<Loan>,
    /// The title transfer (`PUT /deals/{id}/title-transfer`); null until recorded.
    pub title_transfer: Option<TitleTransfer>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A deal's loan (贷款).
#[derive(Debug, Serialize, ToSchema)]
pub struct Loan {
    pub bank: String,
    /// In fen, at most the agreed price.
    pub amount_fen: i64,
    /// The day the bank approved it (approved and disbursed loans).
    pub approved_on: Option<NaiveDate>,
    #[schema(value_type = vocab::LoanStatus)]
    pub status: String,
}

impl From<LoanView> for Loan {
    fn from(v: LoanView) -> Self {
        Self {
            bank: v.bank,
            amount_fen: v.amount_fen,
            approved_on: v.approved_on,
            status: v.status.to_string(),
        }
    }
}

/// A deal's title transfer (过户).
#[derive(Debug, Serialize, ToSchema)]
pub struct TitleTransfer {
    /// The new property certificate's number.
    pub certificate_number: String,
    pub transferred_on: NaiveDate,
}

impl From<TitleTransferView> for TitleTransfer {
    fn from(v: TitleTransferView) -> Self {
        Self {
            certificate_number: v.certificate_number,
            transferred_on: v.transferred_on,
        }
    }
}

impl From<DealView> for Deal {
    fn from(v: DealView) -> Self {
        Self {
            id: v.id,
            customer_id: v.customer_id,
            unit_id: v.unit_id,
            consultant_id: v.consultant_id,
            team_id: v.team_id,
            support_id: v.support_id,
            agreed_price_fen: v.agreed_price_fen,
            payment_method: v.payment_method,
            planned_handover_on: v.planned_handover_on,
            stage: v.stage,
            next_stages: v.next_stages,
            subscribed_at: v.subscribed_at,
            contracted_at: v.contracted_at,
            handed_over_at: v.handed_over_at,
            closed_at: v.closed_at,
            cancelled_at: v.cancelled_at,
            cancel_reason: v.cancel_reason,
            loan: v.loan.map(Loan::from),
            title_transfer: v.title_transfer.map(TitleTransfer::from),
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealList {
    pub items: Vec<Deal>,
    pub next_cursor: Option<String>,
}

/// A new deal, in `negotiating`. The consultant defaults to the customer's owner, else the caller.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"customer_id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a10", "unit_id": "0192f1c4-8a2b-7c3d-9e4f-5a6b7c8d9e0f",
    "agreed_price_fen": 350000000, "payment_method": "mortgage", "planned_handover_on": "2027-06-30"}))]
pub struct NewDealBody {
    pub customer_id: Uuid,
    pub unit_id: Uuid,
    /// In fen, from 1 to 1000000000000 (¥10,000,000,000).
    #[schema(minimum = 1, maximum = 1000000000000i64)]
    pub agreed_price_fen: i64,
    #[schema(value_type = vocab::PaymentMethod)]
    pub payment_method: String,
    /// YYYY-MM-DD.
    #[serde(deserialize_with = "crate::extract::in_window")]
    pub planned_handover_on: NaiveDate,
    pub consultant_id: Option<Uuid>,
    pub support_id: Option<Uuid>,
}

/// Only the fields given change; `support_id: null` removes support. Closed and cancelled deals cannot change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"agreed_price_fen": 348000000, "payment_method": "provident_fund"}))]
pub struct DealPatchBody {
    /// In fen, from 1 to 1000000000000 (¥10,000,000,000).
    #[schema(minimum = 1, maximum = 1000000000000i64)]
    pub agreed_price_fen: Option<i64>,
    #[schema(value_type = Option<vocab::PaymentMethod>)]
    pub payment_method: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub planned_handover_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<Uuid>)]
    pub support_id: Option<Option<Uuid>>,
}

/// A move to another stage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "subscribed", "at": "2026-11-27T10:30:00+08:00"}))]
pub struct TransitionBody {
    /// The stage to move to.
    #[schema(value_type = vocab::DealStage)]
    pub to: String,
    /// When it happened (RFC 3339); now if left out; neither in the future nor before the previous move.
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub at: Option<DateTime<Utc>>,
    /// Why; required to cancel.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DealQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    #[param(value_type = Option<vocab::DealStage>)]
    pub stage: Option<String>,
    pub customer_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// Open a deal for a customer within the caller's reach.
#[utoipa::path(post, path = "/api/v1/deals", tag = "deals", operation_id = "create_deal",
    security(("bearer" = [])),
    request_body = NewDealBody,
    responses(
        (status = 201, description = "Created, in `negotiating`", body = Deal),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields; a customer outside the caller's reach is `/customer_id`, an unknown unit `/unit_id`, a support who is not an active user with the support role `/support_id`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_deal(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewDealBody>,
) -> Result<HttpResponse, ApiError> {
    let input = NewDeal {
        customer_id: body.customer_id,
        unit_id: body.unit_id,
        agreed_price_fen: body.agreed_price_fen,
        payment_method: body.payment_method,
        planned_handover_on: body.planned_handover_on,
        consultant_id: body.consultant_id,
        support_id: body.support_id,
    };
    let deal = domain::sales::deals::create(&state.db, &caller.audit(), &caller.actor, caller.scope, input).await?;
    super::respond::created::<Deal, _>(format!("/api/v1/deals/{}", deal.id), deal)
}

/// Deals within the caller's reach.
#[utoipa::path(get, path = "/api/v1/deals", tag = "deals", operation_id = "list_deals",
    security(("bearer" = [])),
    params(DealQuery),
    responses(
        (status = 200, description = "A page of deals, oldest first (newest first with `sort=-created_at`)", body = DealList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range, a foreign cursor, an unknown stage or sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_deals(
    caller: Authorized<perm::DealsRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<DealQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = DealFilter {
        stage: q.stage,
        customer_id: q.customer_id,
        unit_id: q.unit_id,
        consultant_id: q.consultant_id,
        team_id: q.team_id,
    };
    let page = domain::sales::deals::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| DealList {
        items,
        next_cursor,
    }))
}

/// One deal; outside the caller's reach it is 404.
#[utoipa::path(get, path = "/api/v1/deals/{id}", tag = "deals", operation_id = "get_deal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Deal id")),
    responses(
        (status = 200, description = "The deal; `ETag` names its version", body = Deal),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_deal(
    caller: Authorized<perm::DealsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let deal = domain::sales::deals::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    super::respond::tagged::<Deal, _>(deal)
}

/// Change a deal's terms while it is neither closed nor cancelled.
#[utoipa::path(patch, path = "/api/v1/deals/{id}", tag = "deals", operation_id = "update_deal",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Deal id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the deal still has this ETag"),
    ),
    request_body = DealPatchBody,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = Deal),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the deal is closed or cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields; a support who is not an active user with the support role is `/support_id`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_deal(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<DealPatchBody>,
) -> Result<HttpResponse, ApiError> {
    let patch = DealPatch {
        agreed_price_fen: body.agreed_price_fen,
        payment_method: body.payment_method,
        planned_handover_on: body.planned_handover_on,
        support_id: body.support_id,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let deal = domain::sales::deals::update(
        db,
        &audit,
        actor,
        caller.scope,
        id.into_inner(),
        patch,
        if_match.as_deref(),
        state.settings.timezone,
    )
    .await?;
    super::respond::tagged::<Deal, _>(deal)
}

/// Move a deal to another stage. Subscribing takes the unit (or fails with
/// `unit_unavailable`), contracting marks it sold, cancelling releases it;
/// leaving `loan_processing` needs an approved loan, leaving `title_transfer`
/// the recorded transfer; handing over needs every inspection issue
/// resolved and the checklist done.
#[utoipa::path(post, path = "/api/v1/deals/{id}/transitions", tag = "deals", operation_id = "create_deal_transition",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Deal id")),
    request_body = TransitionBody,
    responses(
        (status = 200, description = "Moved; the deal as it is now", body = Deal),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks deals:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deal within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition` (with `allowed`), `unit_unavailable`, `loan_not_approved` (leaving `loan_processing` without an approved or disbursed loan), `title_not_transferred` (leaving `title_transfer` without the transfer recorded), `open_inspection_issues` or `handover_checklist_incomplete`; nothing changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown stage, a time in the future or before the previous move, or no reason for a cancellation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_deal_transition(
    caller: Authorized<perm::DealsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<TransitionBody>,
) -> Result<HttpResponse, ApiError> {
    let request = Move {
        to: body.to,
        at: body.at,
        reason: body.reason,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let tz = state.settings.timezone;
    let deal = domain::sales::deals::transition(db, &audit, actor, caller.scope, id.into_inner(), request, tz).await?;
    super::respond::tagged::<Deal, _>(deal)
}
