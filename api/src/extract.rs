//! Request-body and parameter extraction that fails in our error envelope:
//! JSON syntax errors are 400 `malformed_json`, JSON of the wrong shape is
//! 422 `validation_failed` with a pointer to the field, bad query strings
//! and path parameters are 400, bodies over the limit are 413.
//!
//! Every text that comes in — JSON strings and member names, form fields,
//! query parameters, path parameters — is held to
//! [`domain::platform::input::text_problem`] here (422 with a pointer: `/field` for a
//! body or query field, `/name` for a path parameter), so nothing the
//! database cannot store, or a client should not send, reaches a handler.
//! Error messages are said in the client's terms by [`client_terms`], never
//! in serde's (no Rust type names).

use actix_web::{
    Error, FromRequest, HttpMessage, HttpRequest,
    body::{BoxBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PathError,
    http::{StatusCode, header},
    middleware::Next,
    web,
};
use domain::{
    FieldError,
    platform::{
        input::{DATE_WINDOW_RULE, InDateWindow, text_problem},
        text::Msg,
    },
};
use futures::{TryFutureExt, future::LocalBoxFuture};
use serde::{Deserialize, Deserializer, de::DeserializeOwned};
use serde_json::Value;

use crate::{auth::AuthGate, error::ApiError};

/// Extractor settings for the whole app: limits and error mapping.
pub fn configure(cfg: &mut web::ServiceConfig, body_limit: usize) {
    cfg.app_data(web::PayloadConfig::new(body_limit))
        .app_data(web::PathConfig::default().error_handler(path_error));
}

/// A path parameter that does not parse, named when the route has only one.
fn path_error(err: PathError, req: &HttpRequest) -> actix_web::Error {
    let message = match &err {
        PathError::Deserialize(e) => e.to_string(),
        other => other.to_string(),
    };
    let (_, detail) = client_terms(&message);
    let mut names = req.match_info().iter().map(|(name, _)| name);
    let detail = match (names.next(), names.next()) {
        (Some(name), None) => Msg::NamedParameter {
            name: name.to_owned(),
            problem: Box::new(detail),
        },
        _ => detail,
    };
    ApiError::InvalidPath(detail).into()
}

/// Middleware: a path parameter with a refused control character is 422,
/// pointing at the parameter by its name in the route (`/kind`), before any
/// handler sees it. Paths no route matches are left to the router (404).
pub async fn screen_path(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let errors = req
        .match_pattern()
        .map(|pattern| path_problems(&pattern, req.uri().path()))
        .unwrap_or_default();
    if errors.is_empty() {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let (request, _) = req.into_parts();
    Ok(ServiceResponse::from_err(ApiError::Validation(errors), request).map_into_boxed_body())
}

/// The parameters of `pattern` (`/a/{name}/b`) whose value in `path` breaks the text rule.
fn path_problems(pattern: &str, path: &str) -> Vec<FieldError> {
    pattern
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(template, segment)| {
            let name = template.strip_prefix('{')?.strip_suffix('}')?;
            let name = name.split_once(':').map_or(name, |(name, _)| name);
            let value = percent_decode_lossy(segment);
            text_problem(&value).map(|problem| FieldError::new(format!("/{}", escape_pointer(name)), problem))
        })
        .collect()
}

/// RFC 6901 escaping of one pointer segment.
fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
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
        let got = format!("{content_type:?}");
        Err(ApiError::UnsupportedMediaType(
            match (allow_form, content_type.is_empty()) {
                (true, true) => Msg::ContentTypeJsonOrFormNone,
                (true, false) => Msg::ContentTypeJsonOrForm { got },
                (false, true) => Msg::ContentTypeJsonNone,
                (false, false) => Msg::ContentTypeJson { got },
            },
        ))
    }
}

async fn read_body(req: &HttpRequest, payload: &mut Payload) -> Result<web::Bytes, ApiError> {
    web::Bytes::from_request(req, payload).await.map_err(|e| {
        if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit: limit_of(req) }
        } else {
            ApiError::BadRequest(Msg::BodyUnreadable { reason: e.to_string() })
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
        let chunk = chunk.map_err(|e| ApiError::BadRequest(Msg::BodyUnreadable { reason: e.to_string() }))?;
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
/// data errors point at the field and say what it must be.
fn json_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    use serde_json::error::Category;
    let path = err.path().to_string();
    let inner = err.into_inner();
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson((&inner).into()),
        Category::Data => {
            let message = inner.to_string();
            let (field, detail) = client_terms(&strip_position(&message));
            let mut pointer = to_pointer(&path);
            if let Some(field) = field {
                pointer = format!("{}/{}", pointer, escape_pointer(&field));
            }
            ApiError::Validation(vec![FieldError::new(pointer, detail)])
        }
    }
}

/// A serde error message (from JSON, a query string or a path) said in the
/// client's terms: what the value must be, never a Rust type. Returns the
/// member the message is about when the error's path cannot name it (a
/// missing field), and the detail.
pub fn client_terms(message: &str) -> (Option<String>, Msg) {
    let quoted = |text: &str| -> Vec<String> { text.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return (Some(field.to_owned()), Msg::Required);
    }
    // "unknown field `x`, expected one of `a`, `b`": the names after the first.
    let allowed = |rest: &str| quoted(rest.split_once('`').map_or("", |(_, allowed)| allowed));
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let allowed = allowed(rest);
        let detail = if allowed.is_empty() {
            Msg::NoFieldAllowed
        } else {
            Msg::NotAKnownField { allowed }
        };
        return (None, detail);
    }
    if message.starts_with("duplicate field `") {
        return (None, Msg::GivenTwice);
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let values = allowed(rest);
        let detail = if values.is_empty() {
            Msg::NotAllowedValue
        } else {
            Msg::OneOfListed { values }
        };
        return (None, detail);
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        return (None, expected_terms(expected, false));
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        return (None, expected_terms(expected, true));
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        // serde reads a struct from an array too, by position.
        let detail = if rest.contains("expected struct ") {
            Msg::MustBeObject
        } else {
            Msg::WrongElementCount
        };
        return (None, detail);
    }
    if message.starts_with("data did not match any variant") {
        return (None, Msg::NoFormMatches);
    }
    let detail = match message {
        // Our own rule, raised by [`in_window`].
        DATE_WINDOW_RULE => Msg::DateWindow,
        m if m.starts_with("UUID parsing failed") => Msg::MustBeUuid,
        // Query strings and paths parse numbers and booleans with `FromStr`.
        "invalid digit found in string" | "cannot parse integer from empty string" => Msg::MustBeInteger,
        "number too large to fit in target type" | "number too small to fit in target type" => Msg::IntegerOutOfRange,
        "invalid float literal" => Msg::MustBeNumber,
        "provided string was not `true` or `false`" => Msg::MustBeBoolean,
        // chrono's parse errors.
        "input contains invalid characters"
        | "premature end of input"
        | "trailing input"
        | "input is out of range"
        | "input is not enough for unique date and time"
        | "no possible date and time matching input"
        | "bad or unsupported format string" => Msg::MustBeDateOrTime,
        _ => Msg::NotValidValue,
    };
    (None, detail)
}

/// What a value must be, from serde's "expected ..." (a Rust type or a
/// visitor's description); `out_of_range` when the type was right but the
/// value was not (an integer too large for the field).
fn expected_terms(expected: &str, out_of_range: bool) -> Msg {
    let bounds = match expected {
        "u8" => Some((u8::MIN.to_string(), u8::MAX.to_string())),
        "u16" => Some((u16::MIN.to_string(), u16::MAX.to_string())),
        "u32" => Some((u32::MIN.to_string(), u32::MAX.to_string())),
        "u64" | "usize" => Some((u64::MIN.to_string(), u64::MAX.to_string())),
        "i8" => Some((i8::MIN.to_string(), i8::MAX.to_string())),
        "i16" => Some((i16::MIN.to_string(), i16::MAX.to_string())),
        "i32" => Some((i32::MIN.to_string(), i32::MAX.to_string())),
        "i64" | "isize" => Some((i64::MIN.to_string(), i64::MAX.to_string())),
        _ => None,
    };
    if let Some((min, max)) = bounds.clone().filter(|_| out_of_range) {
        return Msg::IntegerBetween { min, max };
    }
    match expected {
        _ if bounds.is_some() || matches!(expected, "u128" | "i128") => Msg::MustBeInteger,
        "f32" | "f64" => Msg::MustBeNumber,
        "a string" | "a borrowed string" | "a char" | "a character" => Msg::MustBeString,
        "a boolean" => Msg::MustBeBoolean,
        "unit" | "unit value" => Msg::MustBeNull,
        // An enum read from JSON: its value is one of the names listed.
        "variant identifier" | "field identifier" | "string or map" => Msg::MustBeString,
        e if e.starts_with("struct ") || e.starts_with("a map") || e == "map" => Msg::MustBeObject,
        e if e.starts_with("a sequence") || e.starts_with("tuple") || e.starts_with("an array") => Msg::MustBeArray,
        e if e.starts_with("enum ") => Msg::MustBeAllowedValue,
        e if e.contains("UUID") => Msg::MustBeUuid,
        "a formatted date string" => Msg::MustBeDate,
        e if e.contains("date and time") => Msg::MustBeDateTime,
        _ if out_of_range => Msg::NotAllowedValue,
        _ => Msg::WrongType,
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
                pointer.push_str(&escape_pointer(name));
            }
            let close = rest[open..].find(']').map_or(rest.len(), |c| open + c);
            pointer.push('/');
            pointer.push_str(&rest[open + 1..close]);
            rest = rest.get(close + 1..).unwrap_or("");
        }
        if !rest.is_empty() {
            pointer.push('/');
            pointer.push_str(&escape_pointer(rest));
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

/// At most this many field errors are reported for one request.
const MAX_FIELD_ERRORS: usize = 20;

/// Holds a parsed body to the input rules before it is given a shape:
/// every string and member name must pass the text rule, and a number with
/// a zero fraction (`1413.0`, an integer to JSON Schema) becomes that
/// integer when it is one exactly.
fn screen_json(value: &mut Value, pointer: &mut String, errors: &mut Vec<FieldError>) {
    if errors.len() >= MAX_FIELD_ERRORS {
        return;
    }
    match value {
        Value::String(text) => {
            if let Some(problem) = text_problem(text) {
                errors.push(FieldError::new(pointer.clone(), problem));
            }
        }
        Value::Number(number) => {
            if let Some(integer) = whole_number(number) {
                *value = Value::from(integer);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{index}"));
                screen_json(item, pointer, errors);
                pointer.truncate(len);
            }
        }
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                if let Some(problem) = text_problem(name) {
                    errors.push(FieldError::new(
                        pointer.clone(),
                        Msg::MemberName {
                            problem: Box::new(problem),
                        },
                    ));
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_pointer(name));
                screen_json(member, pointer, errors);
                pointer.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) => {}
    }
}

/// The integer a JSON number with a zero fraction stands for, when only
/// one can be meant (below 2^53); larger ones stay fractional, so an
/// integer field refuses them rather than take a rounded value.
fn whole_number(number: &serde_json::Number) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let float = number.as_f64().filter(|_| number.is_f64())?;
    // Below the bound the cast is exact.
    (float.fract() == 0.0 && float.abs() < EXACT).then_some(float as i64)
}

/// Screens a parsed body, then gives it the shape `T`.
fn shape<T: DeserializeOwned>(mut value: Value) -> Result<T, ApiError> {
    let mut errors = Vec::new();
    screen_json(&mut value, &mut String::new(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    serde_path_to_error::deserialize(value).map_err(json_error)
}

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Syntax first, over the whole body, so that `{"a":1}}` is malformed
    // rather than "missing field": the shape is only judged on valid JSON.
    let value: Value = serde_json::from_slice(body).map_err(|e| ApiError::MalformedJson((&e).into()))?;
    // Every body of this API is an object; serde would also read a struct
    // from an array of its fields in order (`[null, null]`), which no
    // client means and the document does not allow.
    if !value.is_object() {
        return Err(ApiError::Validation(vec![FieldError::new("", Msg::MustBeObject)]));
    }
    shape(value)
}

/// Form bodies go through the same rules and field-error shape as JSON:
/// every value is a string.
fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let pairs: Vec<(String, String)> = form_pairs(body)?;
    let object: serde_json::Map<String, Value> = pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    shape(Value::Object(object))
}

fn form_pairs(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::BadRequest(Msg::FormNotUtf8))?;
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
                    .ok_or(ApiError::BadRequest(Msg::FormPercentEncoding))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ApiError::BadRequest(Msg::FormNotUtf8))
}

/// A path segment decoded as the router decodes it: `%XX` escapes become
/// bytes, a malformed escape stays as written.
fn percent_decode_lossy(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| segment.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A query string (`web::Query`'s replacement): every parameter name and
/// value must pass the text rule (422 pointing at `/name`); then the
/// parameters are given the shape `T`. A value of the wrong type or format
/// is 400 `invalid_query` naming the parameter; a date outside the window
/// is 422 like in a body. An unauthorised caller learns 401/403 first.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T> ApiQuery<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for ApiQuery<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let mut errors = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if let Some(problem) = text_problem(&name) {
            errors.push(FieldError::new(
                "",
                Msg::ParameterName {
                    problem: Box::new(problem),
                },
            ));
        } else if let Some(problem) = text_problem(&value) {
            errors.push(FieldError::new(format!("/{}", escape_pointer(&name)), problem));
        }
        if errors.len() >= MAX_FIELD_ERRORS {
            break;
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let deserializer = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let (field, detail) = client_terms(&err.into_inner().to_string());
        let name = field.unwrap_or_else(|| if path == "." { String::new() } else { path });
        if detail == Msg::DateWindow {
            ApiError::Validation(vec![FieldError::new(format!("/{}", escape_pointer(&name)), detail)])
        } else if name.is_empty() {
            ApiError::InvalidQuery(detail)
        } else {
            ApiError::InvalidQuery(Msg::NamedParameter {
                name,
                problem: Box::new(detail),
            })
        }
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let parsed = parse_query(req.query_string()).map(ApiQuery);
        let gate = req.extensions().get::<AuthGate>().cloned();
        Box::pin(async move {
            if parsed.is_err() {
                AuthGate::passed(gate).await;
            }
            parsed
        })
    }
}

/// `deserialize_with` for every date and time a request gives (body or
/// query, optional or not; optional ones also need `default`): holds it to
/// the window of [`domain::platform::input::InDateWindow`].
pub fn in_window<'de, D: Deserializer<'de>, T: Deserialize<'de> + InDateWindow>(
    deserializer: D,
) -> Result<T, D::Error> {
    let value = T::deserialize(deserializer)?;
    if value.in_date_window() {
        Ok(value)
    } else {
        Err(serde::de::Error::custom(DATE_WINDOW_RULE))
    }
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
    use chrono::{DateTime, NaiveDate, Utc};
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Stage {
        Negotiating,
        Subscribed,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Nested {
        #[allow(dead_code)]
        required: String,
    }

    /// A body with a field of every kind our requests have.
    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        count: Option<i64>,
        small: Option<u8>,
        ratio: Option<f64>,
        name: Option<String>,
        flag: Option<bool>,
        id: Option<Uuid>,
        stage: Option<Stage>,
        items: Option<Vec<i32>>,
        nested: Option<Nested>,
        #[serde(default, deserialize_with = "in_window")]
        at: Option<DateTime<Utc>>,
        #[serde(default, deserialize_with = "in_window")]
        on: Option<NaiveDate>,
        free: Option<serde_json::Value>,
    }

    fn refusal(body: &serde_json::Value) -> (String, String) {
        match parse_json::<Sample>(body.to_string().as_bytes()) {
            Err(ApiError::Validation(errors)) => (errors[0].pointer.clone(), errors[0].detail.to_string()),
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn shape_errors_are_said_in_the_clients_terms() {
        let cases = [
            (json!([]), "", "must be an object"),
            (json!("x"), "", "must be an object"),
            (json!({"count": "1413"}), "/count", "must be an integer"),
            (json!({"count": 1413.5}), "/count", "must be an integer"),
            (json!({"count": 1e300}), "/count", "must be an integer"),
            (json!({"small": 300}), "/small", "must be an integer from 0 to 255"),
            (json!({"small": -1}), "/small", "must be an integer from 0 to 255"),
            (json!({"ratio": "x"}), "/ratio", "must be a number"),
            (json!({"name": 42}), "/name", "must be a string"),
            (json!({"flag": "yes"}), "/flag", "must be true or false"),
            (json!({"id": "abc"}), "/id", "must be a UUID"),
            (json!({"id": 7}), "/id", "must be a UUID"),
            (
                json!({"stage": "signed"}),
                "/stage",
                "must be one of: negotiating, subscribed",
            ),
            (json!({"stage": 3}), "/stage", "must be a string"),
            (json!({"items": {}}), "/items", "must be an array"),
            (json!({"items": [1, "2"]}), "/items/1", "must be an integer"),
            (json!({"nested": {}}), "/nested/required", "is required"),
            (
                json!({"nested": {"required": "x", "extra": 1}}),
                "/nested/extra",
                "is not a known field; allowed: required",
            ),
            (
                json!({"at": "yesterday"}),
                "/at",
                "must be a date (YYYY-MM-DD) or a time (RFC 3339, e.g. 2026-11-29T10:30:00+08:00) as documented",
            ),
            (
                json!({"at": 5}),
                "/at",
                "must be a date and time (RFC 3339, e.g. 2026-11-29T10:30:00+08:00)",
            ),
            (json!({"on": "0000-01-01"}), "/on", DATE_WINDOW_RULE),
            (json!({"at": "9999-12-31T00:00:00Z"}), "/at", DATE_WINDOW_RULE),
            (json!({"on": 20261129}), "/on", "must be a date (YYYY-MM-DD)"),
        ];
        for (body, pointer, detail) in cases {
            assert_eq!(refusal(&body), (pointer.to_owned(), detail.to_owned()), "{body}");
        }
        let (pointer, detail) = refusal(&json!({"nam": "x"}));
        assert_eq!(pointer, "/nam");
        assert!(
            detail.starts_with("is not a known field; allowed: count, small,"),
            "{detail}"
        );
    }

    #[test]
    fn serde_messages_become_client_terms() {
        let cases = [
            ("missing field `email`", Some("email"), "is required"),
            (
                "unknown field `x`, expected `a`",
                None,
                "is not a known field; allowed: a",
            ),
            (
                "unknown field `x`, there are no fields",
                None,
                "is not a known field; none are allowed here",
            ),
            (
                "unknown variant `x`, expected one of `a`, `b`, `c`",
                None,
                "must be one of: a, b, c",
            ),
            (
                "invalid type: string \"x\", expected struct NewCustomerBody",
                None,
                "must be an object",
            ),
            (
                "invalid type: floating point `1.5`, expected i64",
                None,
                "must be an integer",
            ),
            ("invalid type: map, expected a sequence", None, "must be an array"),
            ("invalid type: null, expected a string", None, "must be a string"),
            (
                "invalid value: integer `70000`, expected u16",
                None,
                "must be an integer from 0 to 65535",
            ),
            (
                "invalid length 3, expected a tuple of size 2",
                None,
                "has the wrong number of elements",
            ),
            ("invalid digit found in string", None, "must be an integer"),
            (
                "provided string was not `true` or `false`",
                None,
                "must be true or false",
            ),
            (
                "UUID parsing failed: invalid length: expected length 32 for simple format, found 3",
                None,
                "must be a UUID",
            ),
            ("something only a library would say", None, "is not a valid value"),
        ];
        for (message, field, detail) in cases {
            assert_eq!(
                {
                    let (field, detail) = client_terms(message);
                    (field, detail.to_string())
                },
                (field.map(str::to_owned), detail.to_owned()),
                "{message}"
            );
        }
    }

    #[test]
    fn whole_numbers_are_integers_and_fractions_are_not() {
        let body = json!({"count": 1413.0, "small": 0.0, "ratio": 2.0, "items": [1.0, -3.0]});
        let sample: Sample = parse_json(body.to_string().as_bytes()).expect("accepted");
        assert_eq!(sample.count, Some(1413));
        assert_eq!(sample.small, Some(0));
        assert_eq!(sample.items, Some(vec![1, -3]));
        let free: Sample = parse_json(br#"{"free": {"n": 2.0, "f": 2.5}}"#).expect("accepted");
        assert_eq!(free.free, Some(json!({"n": 2, "f": 2.5})));
        // Beyond 2^53 a float no longer says which integer was meant.
        assert!(parse_json::<Sample>(br#"{"count": 9007199254740991.0}"#).is_ok());
        assert!(parse_json::<Sample>(br#"{"count": 9007199254740993.0}"#).is_err());
    }

    #[test]
    fn control_characters_are_refused_wherever_they_are_in_a_body() {
        let cases = [
            (json!({"name": "a\u{0}b"}), ""),
            (json!({"name": "ok", "free": ["fine", "bell\u{7}"]}), "/free/1"),
            (json!({"free": {"a/b": {"c": "\u{1b}[31m"}}}), "/free/a~1b/c"),
            (json!({"free": {"key\u{0}": 1}}), "/free"),
            (json!({"name": "c1 \u{85}"}), ""),
            (json!({"name": "del \u{7f}"}), ""),
        ];
        for (body, pointer) in cases {
            let pointer = if pointer.is_empty() { "/name" } else { pointer };
            let (at, detail) = refusal(&body);
            assert_eq!(at, pointer, "{body}");
            assert!(detail.contains("must not contain control characters"), "{detail}");
        }
        let body = json!({"name": "line\r\nnext\ttab"});
        assert!(parse_json::<Sample>(body.to_string().as_bytes()).is_ok());
        let form: Result<Sample, _> = parse_form(b"name=a%00b");
        assert!(matches!(form, Err(ApiError::Validation(e)) if e[0].pointer == "/name"));
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct SampleQuery {
        q: Option<String>,
        limit: Option<u32>,
        #[serde(default, deserialize_with = "in_window")]
        since: Option<DateTime<Utc>>,
    }

    #[test]
    fn query_strings_name_the_parameter_that_is_wrong() {
        let query = |q: &str| {
            parse_query::<SampleQuery>(q).map(|_| ()).map_err(|e| {
                (
                    e.meta().code,
                    e.to_string(),
                    match e {
                        ApiError::Validation(errors) => errors[0].pointer.clone(),
                        _ => String::new(),
                    },
                )
            })
        };
        assert_eq!(query("q=%25&limit=10"), Ok(()));
        assert_eq!(
            query("limit=ten"),
            Err((
                "invalid_query",
                "invalid query string: limit must be an integer".to_owned(),
                String::new()
            ))
        );
        let (code, _, pointer) = query("q=%00").expect_err("refused");
        assert_eq!((code, pointer.as_str()), ("validation_failed", "/q"));
        let (code, _, pointer) = query("other=%1B").expect_err("refused");
        assert_eq!((code, pointer.as_str()), ("validation_failed", "/other"));
        let (code, _, pointer) = query("since=0001-01-01T00:00:00Z").expect_err("refused");
        assert_eq!((code, pointer.as_str()), ("validation_failed", "/since"));
    }

    #[test]
    fn path_parameters_are_screened_by_their_name_in_the_route() {
        let errors = path_problems("/api/v1/sla-policies/{kind}", "/api/v1/sla-policies/a%00b");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/kind");
        let errors = path_problems("/q/{queue}/jobs/{job_id:.*}", "/q/ok/jobs/%7F");
        assert_eq!(errors[0].pointer, "/job_id");
        assert!(path_problems("/q/{queue}", "/q/estateflow.probe%20x").is_empty());
        assert!(path_problems("/q/{queue}", "/q/%zz").is_empty());
    }

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
