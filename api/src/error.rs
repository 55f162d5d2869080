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
use domain::{
    DomainError, FieldError,
    platform::text::{Msg, Reader},
};
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Where a request body stops being JSON: told to the reader by line and
/// column in their language, not in the parser's English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonFault {
    /// The body ends before its JSON does.
    pub ends_early: bool,
    pub line: usize,
    pub column: usize,
}

impl From<&serde_json::Error> for JsonFault {
    fn from(e: &serde_json::Error) -> Self {
        Self {
            ends_early: e.classify() == serde_json::error::Category::Eof,
            line: e.line(),
            column: e.column(),
        }
    }
}

#[derive(Debug)]
pub enum ApiError {
    BadRequest(Msg),
    MalformedJson(JsonFault),
    UnsupportedMediaType(Msg),
    InvalidQuery(Msg),
    InvalidPath(Msg),
    Validation(Vec<FieldError>),
    PayloadTooLarge {
        limit: usize,
    },
    UriTooLong {
        limit: usize,
    },
    HeadersTooLarge {
        limit: usize,
    },
    Unauthorized(Msg),
    InvalidGrant(Msg),
    InvalidClient(Msg),
    UnsupportedGrantType(String),
    Forbidden(Msg),
    NotFound(Msg),
    RouteNotFound,
    MethodNotAllowed,
    Conflict(Msg),
    /// A business rule with its own stable code refused the change (409).
    Rule {
        code: &'static str,
        detail: Msg,
    },
    /// A business rule with its own stable code refused the input as a whole (422).
    Refused {
        code: &'static str,
        detail: Msg,
    },
    /// The state machine refused the move; `allowed` lists the moves it allows (409).
    IllegalTransition {
        detail: Msg,
        allowed: Vec<String>,
    },
    PreconditionFailed,
    InvalidIdempotencyKey,
    IdempotencyKeyReused,
    IdempotencyKeyInUse,
    /// Too many requests; try again after `retry_after` seconds.
    RateLimited {
        retry_after: u64,
        detail: Msg,
    },
    Unavailable(Vec<&'static str>),
    /// Our fault; the detail is logged, never sent.
    Internal(String),
}

/// Status, stable code and title of each error: the single table of codes.
#[derive(Debug)]
pub struct ErrorMeta {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: Msg,
}

impl ApiError {
    pub fn meta(&self) -> ErrorMeta {
        use StatusCode as S;
        let (status, code, title) = match self {
            Self::BadRequest(_) => (S::BAD_REQUEST, "bad_request", Msg::TitleBadRequest),
            Self::MalformedJson(_) => (S::BAD_REQUEST, "malformed_json", Msg::TitleMalformedJson),
            Self::UnsupportedMediaType(_) => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                Msg::TitleUnsupportedMediaType,
            ),
            Self::InvalidQuery(_) => (S::BAD_REQUEST, "invalid_query", Msg::TitleInvalidQueryString),
            Self::InvalidPath(_) => (S::BAD_REQUEST, "invalid_path", Msg::TitleInvalidPathParameter),
            Self::Validation(_) => (S::UNPROCESSABLE_ENTITY, "validation_failed", Msg::TitleValidationFailed),
            Self::PayloadTooLarge { .. } => (S::PAYLOAD_TOO_LARGE, "payload_too_large", Msg::TitlePayloadTooLarge),
            Self::UriTooLong { .. } => (S::URI_TOO_LONG, "uri_too_long", Msg::TitleUriTooLong),
            Self::HeadersTooLarge { .. } => (
                S::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers_too_large",
                Msg::TitleHeadersTooLarge,
            ),
            Self::Unauthorized(_) => (S::UNAUTHORIZED, "unauthorized", Msg::TitleUnauthorized),
            Self::InvalidGrant(_) => (S::BAD_REQUEST, "invalid_grant", Msg::TitleInvalidGrant),
            Self::InvalidClient(_) => (S::UNAUTHORIZED, "invalid_client", Msg::TitleInvalidClient),
            Self::UnsupportedGrantType(_) => (S::BAD_REQUEST, "unsupported_grant_type", Msg::TitleUnsupportedGrantType),
            Self::Forbidden(_) => (S::FORBIDDEN, "forbidden", Msg::TitleForbidden),
            Self::NotFound(_) => (S::NOT_FOUND, "not_found", Msg::TitleNotFound),
            Self::RouteNotFound => (S::NOT_FOUND, "route_not_found", Msg::TitleRouteNotFound),
            Self::MethodNotAllowed => (S::METHOD_NOT_ALLOWED, "method_not_allowed", Msg::TitleMethodNotAllowed),
            Self::Conflict(_) => (S::CONFLICT, "conflict", Msg::TitleConflict),
            Self::Rule { code, .. } => (S::CONFLICT, *code, Msg::TitleRefusedByRule),
            Self::Refused { code, .. } => (S::UNPROCESSABLE_ENTITY, *code, Msg::TitleInputRefusedByRule),
            Self::IllegalTransition { .. } => (S::CONFLICT, "illegal_transition", Msg::TitleIllegalTransition),
            Self::PreconditionFailed => (
                S::PRECONDITION_FAILED,
                "precondition_failed",
                Msg::TitlePreconditionFailed,
            ),
            Self::InvalidIdempotencyKey => (
                S::BAD_REQUEST,
                "invalid_idempotency_key",
                Msg::TitleInvalidIdempotencyKey,
            ),
            Self::IdempotencyKeyReused => (
                S::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                Msg::TitleIdempotencyKeyReused,
            ),
            Self::IdempotencyKeyInUse => (S::CONFLICT, "idempotency_key_in_use", Msg::TitleIdempotencyKeyInUse),
            Self::RateLimited { .. } => (S::TOO_MANY_REQUESTS, "rate_limited", Msg::TitleTooManyRequests),
            Self::Unavailable(_) => (
                S::SERVICE_UNAVAILABLE,
                "service_unavailable",
                Msg::TitleServiceUnavailable,
            ),
            Self::Internal(_) => (
                S::INTERNAL_SERVER_ERROR,
                "internal_error",
                Msg::TitleInternalServerError,
            ),
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
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType(Msg::UnsupportedMediaType),
            StatusCode::UNAUTHORIZED => Self::Unauthorized(Msg::AuthenticationRequired),
            StatusCode::FORBIDDEN => Self::Forbidden(Msg::NotAllowed),
            s if s.is_client_error() => Self::BadRequest(Msg::StatusReason {
                reason: s.canonical_reason().unwrap_or("bad request").to_owned(),
            }),
            s => Self::Internal(format!("status {s} without error body")),
        }
    }

    /// What went wrong, for the person who reads it.
    fn detail(&self) -> Msg {
        match self {
            Self::BadRequest(d)
            | Self::UnsupportedMediaType(d)
            | Self::Unauthorized(d)
            | Self::InvalidGrant(d)
            | Self::InvalidClient(d)
            | Self::Forbidden(d)
            | Self::Conflict(d)
            | Self::Rule { detail: d, .. }
            | Self::Refused { detail: d, .. }
            | Self::RateLimited { detail: d, .. } => d.clone(),
            Self::MalformedJson(JsonFault {
                ends_early: true,
                line,
                column,
            }) => Msg::MalformedJsonEndsEarly {
                line: *line,
                column: *column,
            },
            Self::MalformedJson(JsonFault { line, column, .. }) => Msg::MalformedJsonAt {
                line: *line,
                column: *column,
            },
            Self::InvalidQuery(reason) => Msg::InvalidQuery {
                reason: Box::new(reason.clone()),
            },
            Self::InvalidPath(reason) => Msg::InvalidPath {
                reason: Box::new(reason.clone()),
            },
            Self::Validation(_) => Msg::InvalidFields,
            Self::PayloadTooLarge { limit: 0 } => Msg::BodyTooLargeUnknownLimit,
            Self::PayloadTooLarge { limit } => Msg::BodyTooLarge { limit: *limit },
            Self::UriTooLong { limit } => Msg::UriTooLong { limit: *limit },
            Self::HeadersTooLarge { limit } => Msg::HeadersTooLarge { limit: *limit },
            Self::UnsupportedGrantType(grants) => Msg::UnsupportedGrantType { grants: grants.clone() },
            Self::NotFound(what) => Msg::NotFound {
                what: Box::new(what.clone()),
            },
            Self::RouteNotFound => Msg::RouteNotFound,
            Self::MethodNotAllowed => Msg::MethodNotAllowed,
            Self::IllegalTransition { detail, .. } => detail.clone(),
            Self::PreconditionFailed => Msg::RecordChanged,
            Self::InvalidIdempotencyKey => Msg::InvalidIdempotencyKey,
            Self::IdempotencyKeyReused => Msg::IdempotencyKeyReused,
            Self::IdempotencyKeyInUse => Msg::IdempotencyKeyInUse,
            Self::Unavailable(parts) => Msg::NotReady {
                parts: parts.iter().map(|p| (*p).to_owned()).collect(),
            },
            Self::Internal(_) => Msg::InternalError,
        }
    }

    /// The problem document for `reader`, with the request's path and id when known.
    pub fn problem(&self, reader: &Reader, instance: Option<&str>, request_id: Option<&str>) -> Problem {
        let meta = self.meta();
        Problem {
            r#type: format!("urn:estateflow:problem:{}", meta.code),
            title: meta.title.render(reader),
            status: meta.status.as_u16(),
            detail: self.detail().render(reader),
            code: meta.code.to_owned(),
            instance: instance.map(str::to_owned),
            request_id: request_id.map(str::to_owned),
            errors: match self {
                Self::Validation(errors) => errors
                    .iter()
                    .map(|e| ProblemField {
                        pointer: e.pointer.clone(),
                        detail: e.detail.render(reader),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            allowed: match self {
                Self::IllegalTransition { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
        }
    }

    /// Renders the problem for `reader` as an HTTP response.
    pub fn render(&self, reader: &Reader, instance: Option<&str>, request_id: Option<&str>) -> HttpResponse {
        let problem = self.problem(reader, instance, request_id);
        let mut response = HttpResponse::build(self.meta().status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        response.insert_header((header::CONTENT_LANGUAGE, reader.locale.tag()));
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
                let fallback = ApiError::Internal(String::new()).problem(reader, None, request_id);
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

/// In English: what logs print (an internal error with its cause).
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Internal(cause) => write!(f, "internal error: {cause}"),
            other => other.detail().fmt(f),
        }
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.meta().status
    }

    /// Without the request (the edge renders ours again with it): in the
    /// default language.
    fn error_response(&self) -> HttpResponse {
        self.render(&Reader::default(), None, None)
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Validation(errors) => Self::Validation(errors),
            DomainError::NotFound(what) => Self::NotFound(what),
            DomainError::Conflict(detail) => Self::Conflict(detail),
            DomainError::Rule { code, detail } => Self::Rule { code, detail },
            DomainError::Refused { code, detail } => Self::Refused { code, detail },
            DomainError::IllegalTransition {
                what,
                from,
                to,
                allowed,
            } => {
                let detail = if allowed.is_empty() {
                    Msg::NoMoveFrom { what, from, to }
                } else {
                    Msg::MoveNotAllowed {
                        what,
                        from,
                        to,
                        allowed: allowed.clone(),
                    }
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
