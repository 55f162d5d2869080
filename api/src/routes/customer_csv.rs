//! Customers in bulk: `POST /api/v1/customers/import` (CSV, up to 10,000
//! rows, answered row by row) and `GET /api/v1/customers/export` (CSV of
//! the customers in the caller's reach, streamed batch by batch).

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use domain::{
    platform::text::{Msg, Reader},
    sales::csv::{self, ImportReport},
    sales::customers::CustomerFilter,
};
use futures::stream;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{body_limit_for, read_limited},
    language::Reading,
    state::AppState,
    vocab,
};

/// Customers fetched per batch of an export.
const EXPORT_BATCH: u64 = 1000;

/// What became of one row of the file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRow {
    /// The row's number among the data rows (the header is not counted), from 1.
    pub row: usize,
    /// created, duplicate, invalid.
    pub status: String,
    /// The customer created, or the one the row duplicates.
    pub customer_id: Option<Uuid>,
    /// Why the row is invalid or a duplicate.
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub rows: usize,
    pub created: usize,
    pub duplicates: usize,
    pub invalid: usize,
    /// One entry per data row, in file order.
    pub results: Vec<ImportRow>,
}

impl ImportResult {
    /// The report, its reasons written for `reader`.
    fn of(r: ImportReport, reader: &Reader) -> Self {
        Self {
            rows: r.rows,
            created: r.created,
            duplicates: r.duplicates,
            invalid: r.invalid,
            results: r
                .results
                .iter()
                .map(|result| ImportRow {
                    row: result.row,
                    status: result.status.to_owned(),
                    customer_id: result.customer_id,
                    reason: result.reason(reader),
                })
                .collect(),
        }
    }
}

/// Import customers from CSV (`Content-Type: text/csv`, UTF-8, a header
/// line naming columns among name, phone, email, wechat_id, channel,
/// external_id (partners), owner_email (staff), key_account). Up to 10,000
/// rows; every row is answered: created, duplicate (phone already on file
/// or on an earlier row; a partner's external_id pushed before) or invalid
/// with the reason. Rows are created together in one transaction.
#[utoipa::path(post, path = "/api/v1/customers/import", tag = "customers", operation_id = "create_customer_import",
    security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv",
        example = "name,phone,channel,owner_email\n王先生,13800138000,store_walk_in,a1@example.com\n"),
    responses(
        (status = 200, description = "Every row answered", body = ImportResult),
        (status = 400, description = "Unreadable body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:write", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than ESTATEFLOW_IMPORT_LIMIT_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad header line (unknown column, no name column) or more than 10,000 rows", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_customer_import(
    caller: Authorized<perm::CustomersWrite>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_csv = content_type.to_ascii_lowercase().starts_with("text/csv");
    // The body is read even when its type is refused: a connection closed
    // with a body still unread is reset, and the client may lose the answer.
    let body = read_limited(&mut payload, body_limit_for(req.path(), &state.settings)).await?;
    if !is_csv {
        return Err(ApiError::UnsupportedMediaType(Msg::CsvContentType));
    }
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let report = csv::import(db, &audit, actor, caller.scope, &body).await?;
    Ok(HttpResponse::Ok().json(ImportResult::of(report, &reader)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    #[param(value_type = Option<vocab::CustomerStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<vocab::Channel>)]
    pub channel: Option<String>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// Export the customers in the caller's reach as CSV (columns: id, name,
/// phone, email, wechat_id, channel, status, lost_reason, key_account,
/// owner_id, team_id, external_id, created_at, assigned_at,
/// first_response_at, needs_assessed_at, last_follow_up_at), streamed in id
/// order. A partner client's export leaves lost_reason, key_account,
/// owner_id and team_id empty. Cells a spreadsheet would run as formulas are prefixed with `'`.
#[utoipa::path(get, path = "/api/v1/customers/export", tag = "customers", operation_id = "get_customer_export",
    security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "CSV, one line per customer after the header", body = String, content_type = "text/csv"),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status or channel", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_customer_export(
    caller: Authorized<perm::CustomersRead>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let filter = CustomerFilter {
        status: q.status,
        channel: q.channel,
        owner_id: q.owner_id,
        team_id: q.team_id,
        ..CustomerFilter::default()
    };
    filter.check()?;
    let header_line = web::Bytes::from(csv::to_csv(&[], Some(reader.locale), false)?);
    let (db, actor, scope) = (state.db.clone(), caller.actor, caller.scope);
    let partner = actor.kind == domain::access::actor::ActorKind::Client;
    // State: the last id sent, or None when the export is over.
    let batches = stream::try_unfold(Some(None), move |after: Option<Option<Uuid>>| {
        let (db, actor, filter) = (db.clone(), actor.clone(), filter.clone());
        async move {
            let Some(after) = after else {
                return Ok::<_, ApiError>(None);
            };
            let batch = csv::export_batch(&db, &actor, scope, &filter, after, EXPORT_BATCH).await?;
            if batch.is_empty() {
                return Ok(None);
            }
            let next = (batch.len() as u64 == EXPORT_BATCH).then(|| batch.last().map(|c| c.id));
            Ok(Some((web::Bytes::from(csv::to_csv(&batch, None, partner)?), next)))
        }
    });
    let body = futures::StreamExt::chain(stream::once(async move { Ok(header_line) }), batches);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"customers.csv\""))
        .streaming(body))
}
