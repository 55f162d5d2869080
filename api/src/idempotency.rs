//! `Idempotency-Key` on POST: the middleware reserves the key for the
//! caller, lets the request run, stores its answer, and replays that answer
//! (with `Idempotency-Replayed: true`) to any retry within 24 hours. The same
//! key with another request is 422 `idempotency_key_reused`; a key whose
//! first request is still running is 409 `idempotency_key_in_use`. Token
//! endpoints are exempt (a replayed token would be a spent token).

use actix_web::{
    Error, HttpResponse,
    body::{BoxBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{
        Method,
        header::{self, HeaderName, HeaderValue},
    },
    middleware::Next,
    web,
};
use domain::platform::idempotency::{self, Begin, Stored};

use crate::{error::ApiError, state::AppState};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotency-replayed");

/// Longest key accepted.
const MAX_KEY_LEN: usize = 255;

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let key = req.headers().get(&IDEMPOTENCY_KEY).cloned();
    let exempt = req.method() != Method::POST || req.path().starts_with("/api/v1/auth/");
    let (Some(key), false) = (key, exempt) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= MAX_KEY_LEN && k.bytes().all(|b| b.is_ascii_graphic()) => k.to_owned(),
        _ => return Ok(refuse(req, ApiError::InvalidIdempotencyKey)),
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    // Keys belong to the caller; an unauthenticated request is refused by its handler anyway.
    let principal = crate::auth::bearer_token(req.request())
        .ok()
        .and_then(|token| state.tokens.verify(&token).ok())
        .map(|claims| format!("{:?}:{}", claims.typ, claims.sub).to_lowercase());
    let Some(principal) = principal else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };

    let limit = crate::extract::body_limit_for(req.path(), &state.settings);
    let body = {
        let (_, payload) = req.parts_mut();
        crate::extract::read_limited(payload, limit).await
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => return Ok(refuse(req, e)),
    };
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
    let fingerprint = idempotency::fingerprint(req.method().as_str(), &path, &body);
    req.set_payload(Payload::from(body));

    let reservation = match idempotency::begin(&state.db, &principal, &key, &fingerprint).await {
        Ok(Begin::Proceed(id)) => id,
        Ok(Begin::Replay(stored)) => return Ok(req.into_response(replay(stored))),
        Ok(Begin::Mismatch) => return Ok(refuse(req, ApiError::IdempotencyKeyReused)),
        Ok(Begin::InProgress) => return Ok(refuse(req, ApiError::IdempotencyKeyInUse)),
        Err(e) => return Ok(refuse(req, e.into())),
    };
    let response = match next.call(req).await {
        Ok(response) => response.map_into_boxed_body(),
        Err(err) => {
            let _ = idempotency::abandon(&state.db, reservation).await;
            return Err(err);
        }
    };
    if response.status().is_server_error() {
        let _ = idempotency::abandon(&state.db, reservation).await;
        return Ok(response);
    }
    let (request, response) = response.into_parts();
    let status = response.status();
    let content_type = header_text(&response, header::CONTENT_TYPE);
    let location = header_text(&response, header::LOCATION);
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| ApiError::Internal("response body unreadable".to_owned()))?;
    let stored = Stored {
        status: status.as_u16(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        content_type,
        location,
    };
    idempotency::complete(&state.db, reservation, stored)
        .await
        .map_err(ApiError::from)?;
    Ok(ServiceResponse::new(
        request,
        head.set_body(bytes).map_into_boxed_body(),
    ))
}

/// Answers with `err`, attached so that the edge renders it with the request's context.
fn refuse(req: ServiceRequest, err: ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(HttpResponse::from_error(err))
}

fn header_text(response: &HttpResponse, name: header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn replay(stored: Stored) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(stored.status).unwrap_or(actix_web::http::StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.insert_header((REPLAYED, HeaderValue::from_static("true")));
    if let Some(content_type) = stored.content_type {
        response.insert_header((header::CONTENT_TYPE, content_type));
    }
    if let Some(location) = stored.location {
        response.insert_header((header::LOCATION, location));
    }
    response.body(stored.body)
}
