//! The one error type of the API and its rendering as RFC 9457
//! `application/problem+json`. Every variant has a stable `code` from the
//! table in [`ApiError::meta`] (documented in docs/api/errors.md). Handlers
//! return `ApiError`; the edge middleware renders it with the request id and
//! path, and turns any other error response (unknown route, wrong method)
//! into the same envelope.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use domain::{DomainError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("invalid query string: {0}")]
    InvalidQuery(String),
    #[error("invalid path parameter: {0}")]
    InvalidPath(String),
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the request's path and query are longer than the limit of {limit} bytes")]
    UriTooLong { limit: usize },
    #[error("the request's headers are larger than the limit of {limit} bytes")]
    HeadersTooLarge { limit: usize },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    InvalidClient(String),
    #[error("grant_type must be one of: {0}")]
    UnsupportedGrantType(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("no route matches this path")]
    RouteNotFound,
    #[error("this method is not allowed on this path")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    /// A business rule with its own stable code refused the change (409).
    #[error("{detail}")]
    Rule { code: &'static str, detail: String },
    /// The state machine refused the move; `allowed` lists the moves it allows (409).
    #[error("{detail}")]
    IllegalTransition { detail: String, allowed: Vec<String> },
    #[error("the record has changed since you read it: read it again (new ETag) and reapply your change")]
    PreconditionFailed,
    #[error("the Idempotency-Key header must be 1 to 255 printable ASCII characters")]
    InvalidIdempotencyKey,
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    #[error("the first request with this Idempotency-Key is still running; retry shortly")]
    IdempotencyKeyInUse,
    /// Too many requests; try again after `retry_after` seconds.
    #[error("{detail}")]
    RateLimited { retry_after: u64, detail: String },
    #[error("not ready: {} unavailable", .0.join(", "))]
    Unavailable(Vec<&'static str>),
    /// Our fault; the detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Status, stable code and title of each error: the single table of codes.
#[derive(Debug)]
pub struct ErrorMeta {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
}

impl ApiError {
    pub fn meta(&self) -> ErrorMeta {
        use StatusCode as S;
        let (status, code, title) = match self {
            Self::BadRequest(_) => (S::BAD_REQUEST, "bad_request", "Bad request"),
            Self::MalformedJson(_) => (S::BAD_REQUEST, "malformed_json", "Malformed JSON"),
            Self::UnsupportedMediaType(_) => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
            ),
            Self::InvalidQuery(_) => (S::BAD_REQUEST, "invalid_query", "Invalid query string"),
            Self::InvalidPath(_) => (S::BAD_REQUEST, "invalid_path", "Invalid path parameter"),
            Self::Validation(_) => (S::UNPROCESSABLE_ENTITY, "validation_failed", "Validation failed"),
            Self::PayloadTooLarge { .. } => (S::PAYLOAD_TOO_LARGE, "payload_too_large", "Payload too large"),
            Self::UriTooLong { .. } => (S::URI_TOO_LONG, "uri_too_long", "URI too long"),
            Self::HeadersTooLarge { .. } => (
                S::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers_too_large",
                "Request header fields too large",
            ),
            Self::Unauthorized(_) => (S::UNAUTHORIZED, "unauthorized", "Unauthorized"),
            Self::InvalidGrant(_) => (S::BAD_REQUEST, "invalid_grant", "Invalid grant"),
            Self::InvalidClient(_) => (S::UNAUTHORIZED, "invalid_client", "Invalid client"),
            Self::UnsupportedGrantType(_) => (S::BAD_REQUEST, "unsupported_grant_type", "Unsupported grant type"),
            Self::Forbidden(_) => (S::FORBIDDEN, "forbidden", "Forbidden"),
            Self::NotFound(_) => (S::NOT_FOUND, "not_found", "Not found"),
            Self::RouteNotFound => (S::NOT_FOUND, "route_not_found", "Route not found"),
            Self::MethodNotAllowed => (S::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed"),
            Self::Conflict(_) => (S::CONFLICT, "conflict", "Conflict"),
            Self::Rule { code, .. } => (S::CONFLICT, *code, "Refused by a business rule"),
            Self::IllegalTransition { .. } => (S::CONFLICT, "illegal_transition", "Illegal transition"),
            Self::PreconditionFailed => (S::PRECONDITION_FAILED, "precondition_failed", "Precondition failed"),
            Self::InvalidIdempotencyKey => (S::BAD_REQUEST, "invalid_idempotency_key", "Invalid Idempotency-Key"),
            Self::IdempotencyKeyReused => (
                S::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Idempotency-Key reused",
            ),
            Self::IdempotencyKeyInUse => (S::CONFLICT, "idempotency_key_in_use", "Idempotency-Key in use"),
            Self::RateLimited { .. } => (S::TOO_MANY_REQUESTS, "rate_limited", "Too many requests"),
            Self::Unavailable(_) => (S::SERVICE_UNAVAILABLE, "service_unavailable", "Service unavailable"),
            Self::Internal(_) => (S::INTERNAL_SERVER_ERROR, "internal_error", "Internal server error"),
        };
        ErrorMeta { status, code, title }
    }

    /// The error for a bare status that reached the edge without a body of ours.
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::RouteNotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge { limit: 0 },
            StatusCode::URI_TOO_LONG => Self::UriTooLong {
                limit: crate::edge::MAX_URI_BYTES,
            },
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Self::HeadersTooLarge {
                limit: crate::edge::MAX_HEADER_BYTES,
            },
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType("unsupported media type".to_owned()),
            StatusCode::UNAUTHORIZED => Self::Unauthorized("authentication required".to_owned()),
            StatusCode::FORBIDDEN => Self::Forbidden("not allowed".to_owned()),
            s if s.is_client_error() => Self::BadRequest(s.canonical_reason().unwrap_or("bad request").to_owned()),
            s => Self::Internal(format!("status {s} without error body")),
        }
    }

    /// The problem document, with the request's path and id when known.
    pub fn problem(&self, instance: Option<&str>, request_id: Option<&str>) -> Problem {
        let meta = self.meta();
        let detail = match self {
            Self::Internal(_) => {
                "An unexpected error occurred; it has been logged. Quote the request id when reporting it.".to_owned()
            }
            Self::PayloadTooLarge { limit: 0 } => "The request body is larger than the limit.".to_owned(),
            other => other.to_string(),
        };
        Problem {
            r#type: format!("urn:estateflow:problem:{}", meta.code),
            title: meta.title.to_owned(),
            status: meta.status.as_u16(),
            detail,
            code: meta.code.to_owned(),
            instance: instance.map(str::to_owned),
            request_id: request_id.map(str::to_owned),
            errors: match self {
                Self::Validation(errors) => errors.iter().map(ProblemField::from).collect(),
                _ => Vec::new(),
            },
            allowed: match self {
                Self::IllegalTransition { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
        }
    }

    /// Renders the problem as an HTTP response.
    pub fn render(&self, instance: Option<&str>, request_id: Option<&str>) -> HttpResponse {
        let problem = self.problem(instance, request_id);
        let mut response = HttpResponse::build(self.meta().status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if let Self::Unauthorized(_) = self {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"estateflow\""));
        }
        if let Self::RateLimited { retry_after, .. } = self {
            response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        match serde_json::to_vec(&problem) {
            Ok(body) => response.body(body),
            // A problem that cannot be written is a bug: say so with a 500
            // and the request id, never with an empty body.
            Err(error) => {
                tracing::error!(request_id = ?request_id, error = %error,
                    "a problem document cannot be serialised");
                let fallback = ApiError::Internal(String::new()).problem(None, request_id);
                let body = serde_json::json!({
                    "type": fallback.r#type, "title": fallback.title, "status": fallback.status,
                    "detail": fallback.detail, "code": fallback.code, "instance": instance,
                    "request_id": request_id,
                });
                HttpResponse::InternalServerError()
                    .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
                    .body(body.to_string())
            }
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.meta().status
    }

    fn error_response(&self) -> HttpResponse {
        self.render(None, None)
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Validation(errors) => Self::Validation(errors),
            DomainError::NotFound(what) => Self::NotFound(what),
            DomainError::Conflict(detail) => Self::Conflict(detail),
            DomainError::Rule { code, detail } => Self::Rule { code, detail },
            DomainError::IllegalTransition {
                what,
                from,
                to,
                allowed,
            } => {
                let detail = format!("a {what} cannot move from {from} to {to}");
                let detail = if allowed.is_empty() {
                    format!("{detail}: no move is allowed from there")
                } else {
                    format!("{detail}: allowed are {}", allowed.join(", "))
                };
                Self::IllegalTransition { detail, allowed }
            }
            DomainError::Forbidden(detail) => Self::Forbidden(detail),
            DomainError::PreconditionFailed => Self::PreconditionFailed,
            DomainError::Database(e) => Self::Internal(e.to_string()),
            DomainError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        DomainError::from(err).into()
    }
}

/// An RFC 9457 problem document, extended with `code`, `request_id` and,
/// for validation failures, one entry per rejected field.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:estateflow:problem:validation_failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "the request has invalid fields",
    "code": "validation_failed",
    "instance": "/api/v1/auth/token",
    "request_id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a10",
    "errors": [{"pointer": "/password", "detail": "is required"}]
}))]
pub struct Problem {
    /// `urn:estateflow:problem:<code>`.
    pub r#type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable error code (docs/api/errors.md).
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<ProblemField>,
    /// For `illegal_transition`: the moves allowed from the record's current state.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allowed: Option<Vec<String>>,
}

/// One rejected field: a JSON pointer into the request and what is wrong.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ProblemField {
    pub pointer: String,
    pub detail: String,
}

impl From<&FieldError> for ProblemField {
    fn from(e: &FieldError) -> Self {
        Self {
            pointer: e.pointer.clone(),
            detail: e.detail.clone(),
        }
    }
}
