//! The middleware every request passes: it takes or makes the request id
//! (echoed in `X-Request-Id`), opens the request's tracing span, refuses
//! over-long request heads, records metrics by route template, logs errors
//! with the request id, makes sure every error response is problem+json with
//! a stable code, and sets the security headers of every response.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage, HttpResponse, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        StatusCode,
        header::{self, HeaderMap, HeaderName, HeaderValue},
    },
    middleware::Next,
    web,
};
use tracing::Instrument;
use uuid::Uuid;

use domain::platform::text::Reader;

use crate::{
    error::{ApiError, PROBLEM_JSON},
    language::reader_of,
    state::AppState,
};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest path and query we serve. actix-http refuses longer than 64 KiB
/// itself, with a bare 400 and no hook to render it; below that this limit
/// answers 414 problem+json first.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header bytes (names and values) we serve. actix-http refuses a
/// request head over 128 KiB or with more than 96 headers itself, with a bare
/// 431; below that this limit answers 431 problem+json first.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Swagger UI at `/docs/` loads its scripts, styles and the OpenAPI document
/// from this origin only and runs no inline script; its styles set inline
/// `style` attributes and it shows images of responses as `data:`/`blob:`.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";
/// Everything else is data, never a page: it may load nothing and be framed nowhere.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The id of the current request, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A client's id is kept if it is short printable ASCII; otherwise we make one.
fn request_id_of(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned)
}

pub async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let request_id = request_id_of(&req);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    // Who reads a failure of the service below, which leaves no request to
    // ask later (a clone of it would break the router's hold on it).
    let asked = reader_of(req.request(), None);
    let method = req.method().to_string();
    let path = req.path().to_owned();
    // At level ERROR so that it is enabled whenever anything is logged: every
    // warning and error of the request then carries its id, even with
    // `ESTATEFLOW_LOG=warn` (an `info` span would be filtered out with it).
    let span = tracing::error_span!("request", request_id = %request_id, method = %method, path = %path);

    let response = if let Some(refusal) = head_too_large(&req) {
        req.into_response(HttpResponse::from_error(refusal))
    } else {
        match next.call(req).instrument(span.clone()).await {
            Ok(response) => response.map_into_boxed_body(),
            Err(err) => {
                let answer = failed(err, &asked, &path, &request_id, &span).await;
                finished(
                    state.as_ref().map(|s| s.get_ref()),
                    &span,
                    &method,
                    "unmatched",
                    answer.status,
                    started,
                );
                return Err(answer.into());
            }
        }
    };
    let mut response = as_problem(response, &path, &request_id, &span).await;
    finish_headers(response.headers_mut(), &path, &request_id);
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    finished(
        state.as_ref().map(|s| s.get_ref()),
        &span,
        &method,
        &route,
        response.status(),
        started,
    );
    Ok(response)
}

/// Records the request in the metrics and logs its end.
fn finished(
    state: Option<&AppState>,
    span: &tracing::Span,
    method: &str,
    route: &str,
    status: StatusCode,
    started: Instant,
) {
    let status = status.as_u16();
    if let Some(state) = state {
        state
            .metrics
            .observe(method, route, status, started.elapsed().as_secs_f64());
    }
    span.in_scope(|| {
        tracing::info!(status, route = %route, elapsed_ms = started.elapsed().as_millis() as u64, "request finished");
    });
}

/// The request id and the security headers, on every response.
fn finish_headers(headers: &mut HeaderMap, path: &str, request_id: &str) {
    headers.insert(
        REQUEST_ID,
        HeaderValue::from_str(request_id).unwrap_or(HeaderValue::from_static("invalid")),
    );
    secure(headers, path);
}

/// The service below failed instead of answering (a middleware's error, not
/// a handler's), which leaves no request to attach an answer to: the answer
/// is prepared here in full, logged and rendered like any other, and actix
/// sends it.
async fn failed(err: Error, reader: &Reader, path: &str, request_id: &str, span: &tracing::Span) -> Prepared {
    let status = err.as_response_error().status_code();
    let mut response = problem_for(Some(&err), status, reader, path, request_id, span);
    finish_headers(response.headers_mut(), path, request_id);
    let status = response.status();
    let headers = response.headers().clone();
    // Rendered from bytes just now: reading them back cannot fail.
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .unwrap_or_else(|_| web::Bytes::new());
    Prepared { status, headers, body }
}

/// A complete answer handed to actix as an error.
#[derive(Debug)]
struct Prepared {
    status: StatusCode,
    headers: HeaderMap,
    body: web::Bytes,
}

impl std::fmt::Display for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "request failed with status {}", self.status)
    }
}

impl ResponseError for Prepared {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::with_body(self.status, BoxBody::new(self.body.clone()));
        *response.headers_mut() = self.headers.clone();
        response
    }
}

/// Our limits on the request head (see [`MAX_URI_BYTES`], [`MAX_HEADER_BYTES`]).
fn head_too_large(req: &ServiceRequest) -> Option<ApiError> {
    let uri = req.uri();
    let uri_bytes = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    if uri_bytes > MAX_URI_BYTES {
        return Some(ApiError::UriTooLong { limit: MAX_URI_BYTES });
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    (header_bytes > MAX_HEADER_BYTES).then_some(ApiError::HeadersTooLarge {
        limit: MAX_HEADER_BYTES,
    })
}

/// The public documents (Swagger UI and the OpenAPI document) may be cached
/// and get the page policy; every other answer is data that may hold
/// personal details, so it is never stored (`no-store`, unless the handler
/// chose otherwise).
fn is_public_document(path: &str) -> bool {
    path == "/docs" || path.starts_with("/docs/") || path == "/api/v1/openapi.json"
}

/// The security headers of every response (the console's pages get their
/// own policy: our script and styles only).
fn secure(headers: &mut HeaderMap, path: &str) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let docs = path == "/docs" || path.starts_with("/docs/");
    let csp = if docs {
        DOCS_CSP
    } else if crate::console::is_console(path) {
        crate::console::CSP
    } else {
        API_CSP
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    if !is_public_document(path) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Renders our errors with the request's context, and wraps any other error
/// response (router 404/405, actix extractors) in the same envelope.
async fn as_problem(
    response: ServiceResponse<BoxBody>,
    path: &str,
    request_id: &str,
    span: &tracing::Span,
) -> ServiceResponse<BoxBody> {
    let status = response.status();
    // The console answers its errors with pages of its own.
    if !(status.is_client_error() || status.is_server_error()) || crate::console::is_console(path) {
        return response;
    }
    let error = response.response().error();
    let ours = error.and_then(|e| e.as_error::<ApiError>()).is_some();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !ours && is_problem {
        return with_context(response, path, request_id).await;
    }
    let caller = crate::auth::caller_language(response.request()).await;
    let reader = reader_of(response.request(), caller);
    let mut rendered = problem_for(error, status, &reader, path, request_id, span);
    if !ours && let Some(allow) = response.headers().get(header::ALLOW) {
        rendered.headers_mut().insert(header::ALLOW, allow.clone());
    }
    let (request, _) = response.into_parts();
    ServiceResponse::new(request, rendered)
}

/// The problem answer to `error`, or to a bare `status`; internal errors are
/// logged at `error`, other components' errors at `warn`, within the
/// request's span.
fn problem_for(
    error: Option<&Error>,
    status: StatusCode,
    reader: &Reader,
    path: &str,
    request_id: &str,
    span: &tracing::Span,
) -> HttpResponse {
    if let Some(api_error) = error.and_then(|e| e.as_error::<ApiError>()) {
        if let ApiError::Internal(detail) = api_error {
            span.in_scope(|| tracing::error!(error = %detail, "internal error"));
        }
        return api_error.render(reader, Some(path), Some(request_id));
    }
    if let Some(err) = error {
        span.in_scope(
            || tracing::warn!(error = %err, status = status.as_u16(), "error response from a framework component"),
        );
    }
    ApiError::from_status(status).render(reader, Some(path), Some(request_id))
}

/// A problem body rendered elsewhere (an idempotent replay, a stored
/// answer) gets this request's path and id.
async fn with_context(response: ServiceResponse<BoxBody>, path: &str, request_id: &str) -> ServiceResponse<BoxBody> {
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let Ok(bytes) = actix_web::body::to_bytes(body).await else {
        return ServiceResponse::new(request, head.set_body(BoxBody::new(())));
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem)) => {
            problem.insert("instance".to_owned(), path.into());
            problem.insert("request_id".to_owned(), request_id.into());
            serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    ServiceResponse::new(request, head.set_body(BoxBody::new(body)))
}

/// The fallback for paths no route matches.
pub async fn route_not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::RouteNotFound)
}
