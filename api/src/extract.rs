//! Request-body and parameter extraction that fails in our error envelope:
//! JSON syntax errors are 400 `malformed_json`, JSON of the wrong shape is
//! 422 `validation_failed` with a pointer to the field, bad query strings
//! and path parameters are 400, bodies over the limit are 413.

use actix_web::{
    FromRequest, HttpMessage, HttpRequest,
    dev::Payload,
    error::{PathError, QueryPayloadError},
    http::{StatusCode, header},
    web,
};
use domain::FieldError;
use futures::{TryFutureExt, future::LocalBoxFuture};
use serde::de::DeserializeOwned;

use crate::{auth::AuthGate, error::ApiError};

/// Extractor settings for the whole app: limits and error mapping.
pub fn configure(cfg: &mut web::ServiceConfig, body_limit: usize) {
    cfg.app_data(web::PayloadConfig::new(body_limit))
        .app_data(web::QueryConfig::default().error_handler(|err, _| query_error(err).into()))
        .app_data(web::PathConfig::default().error_handler(|err, _| path_error(err).into()));
}

fn query_error(err: QueryPayloadError) -> ApiError {
    ApiError::InvalidQuery(err.to_string())
}

fn path_error(err: PathError) -> ApiError {
    match err {
        PathError::Deserialize(e) => ApiError::InvalidPath(e.to_string()),
        other => ApiError::InvalidPath(other.to_string()),
    }
}

/// For `PATCH` fields that may be cleared: tells "absent" (`None`, with
/// `#[serde(default)]`) from `null` (`Some(None)`).
pub fn present<'de, T: serde::Deserialize<'de>, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// The `If-Match` header, if sent: the ETag a change expects the record to have.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(pub Option<String>);

impl IfMatch {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        std::future::ready(Ok(IfMatch(value)))
    }
}

/// A JSON body (`application/json` or `application/*+json`).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// A body that is either JSON or `application/x-www-form-urlencoded`, as
/// OAuth2 clients send to token endpoints.
#[derive(Debug)]
pub struct JsonOrForm<T>(pub T);

/// A JSON body that may be left out: an empty body is `T::default()`.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

#[derive(PartialEq)]
enum BodyKind {
    Json,
    Form,
}

fn body_kind(req: &HttpRequest, allow_form: bool) -> Result<BodyKind, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_json = content_type == "application/json"
        || (content_type.starts_with("application/") && content_type.ends_with("+json"));
    if is_json {
        Ok(BodyKind::Json)
    } else if allow_form && content_type == "application/x-www-form-urlencoded" {
        Ok(BodyKind::Form)
    } else {
        let expected = if allow_form {
            "application/json or application/x-www-form-urlencoded"
        } else {
            "application/json"
        };
        Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type must be {expected}, got {:?}",
            if content_type.is_empty() {
                "nothing"
            } else {
                &content_type
            }
        )))
    }
}

async fn read_body(req: &HttpRequest, payload: &mut Payload) -> Result<web::Bytes, ApiError> {
    web::Bytes::from_request(req, payload).await.map_err(|e| {
        if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit: limit_of(req) }
        } else {
            ApiError::BadRequest(format!("could not read the request body: {e}"))
        }
    })
}

/// Path of the CSV import, the one endpoint with a larger body limit.
pub const IMPORT_PATH: &str = "/api/v1/customers/import";

/// The largest body accepted on `path`.
pub fn body_limit_for(path: &str, settings: &domain::Settings) -> usize {
    if path == IMPORT_PATH {
        settings.import_limit_bytes
    } else {
        settings.body_limit_bytes
    }
}

/// Reads a request body of at most `limit` bytes (413 beyond).
pub async fn read_limited<E: std::fmt::Display>(
    payload: &mut (impl futures::Stream<Item = Result<web::Bytes, E>> + Unpin),
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    use futures::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("could not read the request body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn limit_of(req: &HttpRequest) -> usize {
    req.app_data::<web::Data<crate::state::AppState>>()
        .map(|s| s.settings.body_limit_bytes)
        .unwrap_or_else(|| domain::Settings::default().body_limit_bytes)
}

/// Turns a serde_json error into our error: syntax is the client's JSON,
/// data errors point at the field.
fn json_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    use serde_json::error::Category;
    let path = err.path().to_string();
    let inner = err.into_inner();
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson(inner.to_string()),
        Category::Data => {
            let message = inner.to_string();
            let mut pointer = to_pointer(&path);
            let detail = strip_position(&message);
            if let Some(field) = message
                .strip_prefix("missing field `")
                .and_then(|m| m.split('`').next())
            {
                pointer = format!("{}/{}", pointer.trim_end_matches('/'), field);
            }
            ApiError::Validation(vec![FieldError::new(pointer, detail)])
        }
    }
}

/// `a.b[0].c` (serde_path_to_error) → `/a/b/0/c` (RFC 6901).
fn to_pointer(path: &str) -> String {
    if path == "." || path.is_empty() {
        return String::new();
    }
    let mut pointer = String::new();
    for segment in path.split('.') {
        let mut rest = segment;
        while let Some(open) = rest.find('[') {
            let name = &rest[..open];
            if !name.is_empty() {
                pointer.push('/');
                pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
            }
            let close = rest[open..].find(']').map_or(rest.len(), |c| open + c);
            pointer.push('/');
            pointer.push_str(&rest[open + 1..close]);
            rest = rest.get(close + 1..).unwrap_or("");
        }
        if !rest.is_empty() {
            pointer.push('/');
            pointer.push_str(&rest.replace('~', "~0").replace('/', "~1"));
        }
    }
    pointer
}

/// serde_json appends " at line 1 column 12"; the pointer says where already.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Syntax first, over the whole body, so that `{"a":1}}` is malformed
    // rather than "missing field": the shape is only judged on valid JSON.
    serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    // Every body of this API is an object; serde would also read a struct
    // from an array of its fields in order (`[null, null]`), which no
    // client means and the document does not allow.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(ApiError::Validation(vec![FieldError::new("", "must be a JSON object")]));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(json_error)
}

/// Form bodies go through the same field-error shape as JSON: every value is a string.
fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let pairs: Vec<(String, String)> = form_pairs(body)?;
    let object: serde_json::Map<String, serde_json::Value> = pairs
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    let value = serde_json::Value::Object(object);
    serde_path_to_error::deserialize(value).map_err(json_error)
}

fn form_pairs(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::BadRequest("form body is not UTF-8".to_owned()))?;
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

fn percent_decode(input: &str) -> Result<String, ApiError> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = input
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| ApiError::BadRequest("bad percent-encoding in form body".to_owned()))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ApiError::BadRequest("form body is not UTF-8".to_owned()))
}

/// Reads and parses the body: JSON, or also a form when `form`; an empty
/// body is `empty()` when given, an error otherwise.
fn extract_body<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    form: bool,
    empty: Option<fn() -> T>,
) -> LocalBoxFuture<'static, Result<T, ApiError>> {
    let req = req.clone();
    let mut payload = payload.take();
    let gate = req.extensions().get::<AuthGate>().cloned();
    Box::pin(async move {
        let parsed = async {
            let body = read_body(&req, &mut payload).await?;
            if let Some(empty) = empty.filter(|_| body.is_empty()) {
                return Ok(empty());
            }
            match body_kind(&req, form)? {
                BodyKind::Json => parse_json(&body),
                BodyKind::Form => parse_form(&body),
            }
        }
        .await;
        if parsed.is_err() {
            AuthGate::passed(gate).await;
        }
        parsed
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        Box::pin(extract_body(req, payload, false, None).map_ok(ApiJson))
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonOrForm<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        Box::pin(extract_body(req, payload, true, None).map_ok(JsonOrForm))
    }
}

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        Box::pin(extract_body(req, payload, false, Some(T::default)).map_ok(OptionalJson))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_paths_become_json_pointers() {
        let cases = [
            (".", ""),
            ("email", "/email"),
            ("budget.min", "/budget/min"),
            ("units[2].price", "/units/2/price"),
            ("a/b", "/a~1b"),
            ("matrix[0][1]", "/matrix/0/1"),
        ];
        for (path, pointer) in cases {
            assert_eq!(to_pointer(path), pointer, "{path}");
        }
    }

    #[test]
    fn form_bodies_are_percent_decoded() {
        let pairs = form_pairs(b"grant_type=password&email=a%40b.cn&password=x+y%21").expect("parses");
        assert_eq!(pairs[1], ("email".to_owned(), "a@b.cn".to_owned()));
        assert_eq!(pairs[2], ("password".to_owned(), "x y!".to_owned()));
        assert!(form_pairs(b"a=%zz").is_err());
    }
}

/// A secret field of a request body (`#[serde(deserialize_with = ...)]`):
/// taken only from a string, as the document says. (Settings read secrets
/// leniently, numbers too, because environment variables arrive typed by
/// their look; a client has no such excuse.)
pub mod secret_text {
    use domain::Secret;
    use serde::{Deserialize, Deserializer};

    pub fn required<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }

    pub fn optional<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Secret>, D::Error> {
        Option::<String>::deserialize(deserializer).map(|text| text.map(Secret::new))
    }
}
