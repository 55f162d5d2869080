//! The OAuth2-style token endpoint (RFC 6749) and revocation (RFC 7009).
//! Grants: `password` (staff; returns a refresh token too), `refresh_token`
//! (rotating, single use) and `client_credentials` (partner API clients).
//! Errors use RFC 6749 codes (`invalid_grant`, `invalid_client`,
//! `unsupported_grant_type`) inside our problem+json envelope. Repeated
//! failed sign-ins of an account or from an address are answered 429.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use domain::platform::text::Msg;
use domain::{
    FieldError, Secret,
    access::sessions::{self, SignIn},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{GRANT_TYPES, Subject},
    error::{ApiError, Problem},
    extract::{JsonOrForm, secret_text},
    state::AppState,
    vocab,
};

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "password", "email": "admin@estateflow.local", "password": "correct horse battery"}))]
pub struct TokenRequest {
    #[schema(value_type = vocab::GrantType)]
    pub grant_type: String,
    /// `password`: the account's e-mail (`username` is accepted too, as OAuth2 clients send it).
    #[serde(alias = "username")]
    pub email: Option<String>,
    /// `password`: the account's password.
    #[schema(value_type = Option<String>, format = Password)]
    #[serde(default, deserialize_with = "secret_text::optional")]
    pub password: Option<Secret>,
    /// `refresh_token`: the refresh token from the previous answer.
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "secret_text::optional")]
    pub refresh_token: Option<Secret>,
    /// `client_credentials`: the API client's id.
    pub client_id: Option<String>,
    /// `client_credentials`: the API client's secret.
    #[schema(value_type = Option<String>, format = Password)]
    #[serde(default, deserialize_with = "secret_text::optional")]
    pub client_secret: Option<Secret>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// For staff sign-ins: spend it at this endpoint (`grant_type=refresh_token`)
    /// for a new pair; each refresh token works once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Exchange credentials for an access token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", operation_id = "create_token",
    request_body(content(
        (TokenRequest = "application/json"),
        (TokenRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Token issued", body = TokenResponse),
        (status = 400, description = "`invalid_grant`, `unsupported_grant_type` or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_client`: unknown or disabled API client, or a wrong secret", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor form", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or mistyped fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed sign-ins for this account or address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    JsonOrForm(request): JsonOrForm<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let response = match request.grant_type.as_str() {
        "password" => password_grant(&req, &state, request).await?,
        "refresh_token" => refresh_grant(&state, request).await?,
        "client_credentials" => client_grant(&state, request).await?,
        _ => return Err(ApiError::UnsupportedGrantType(GRANT_TYPES.join(", "))),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(response))
}

/// The fields a grant needs, all present and non-empty, or 422 naming each missing one.
fn required<const N: usize>(grant: &str, fields: [(&str, Option<&str>); N]) -> Result<[String; N], ApiError> {
    let missing: Vec<FieldError> = fields
        .iter()
        .filter(|(_, value)| value.is_none_or(str::is_empty))
        .map(|(name, _)| {
            FieldError::new(
                format!("/{name}"),
                Msg::RequiredForGrant {
                    grant: grant.to_owned(),
                },
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::Validation(missing));
    }
    Ok(fields.map(|(_, value)| value.unwrap_or_default().to_owned()))
}

async fn password_grant(req: &HttpRequest, state: &AppState, request: TokenRequest) -> Result<TokenResponse, ApiError> {
    let [email, password] = required(
        "password",
        [
            ("email", request.email.as_deref()),
            ("password", request.password.as_ref().map(Secret::expose)),
        ],
    )?;
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let (user_id, refresh_token) =
        match sessions::sign_in(&state.db, &state.settings, &email, &Secret::new(password), &address).await? {
            SignIn::Signed { user_id, refresh_token } => (user_id, refresh_token),
            SignIn::Throttled { retry_after } => {
                return Err(ApiError::RateLimited {
                    retry_after,
                    detail: Msg::TooManySignIns,
                });
            }
            SignIn::Refused => {
                return Err(ApiError::InvalidGrant(Msg::WrongCredentials));
            }
        };
    issue(state, Subject::User, user_id, Some(refresh_token))
}

async fn refresh_grant(state: &AppState, request: TokenRequest) -> Result<TokenResponse, ApiError> {
    let [token] = required(
        "refresh_token",
        [("refresh_token", request.refresh_token.as_ref().map(Secret::expose))],
    )?;
    let (user_id, refresh_token) = match sessions::refresh(&state.db, &state.settings, &token).await? {
        Ok(pair) => pair,
        Err(refused) => {
            tracing::warn!(?refused, "refresh token refused");
            return Err(ApiError::InvalidGrant(Msg::RefreshRefused));
        }
    };
    issue(state, Subject::User, user_id, Some(refresh_token))
}

async fn client_grant(state: &AppState, request: TokenRequest) -> Result<TokenResponse, ApiError> {
    let [client_id, secret] = required(
        "client_credentials",
        [
            ("client_id", request.client_id.as_deref()),
            ("client_secret", request.client_secret.as_ref().map(Secret::expose)),
        ],
    )?;
    let client = domain::access::api_clients::authenticate(&state.db, &client_id, &secret)
        .await?
        .ok_or(ApiError::InvalidClient(Msg::ClientRefused))?;
    issue(state, Subject::Client, client.id, None)
}

/// The response of a granted request: a fresh access token for `subject`
/// `id`, beside the refresh token a user's grant comes with.
fn issue(
    state: &AppState,
    subject: Subject,
    id: Uuid,
    refresh_token: Option<String>,
) -> Result<TokenResponse, ApiError> {
    let (access_token, expires_in) = state.tokens.issue(subject, id)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        refresh_token,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// A refresh token: it and every token of its family stop working.
    #[schema(value_type = String)]
    #[serde(deserialize_with = "secret_text::required")]
    pub token: Secret,
}

/// Sign out: revoke a refresh token and its family (RFC 7009). Answers 200
/// whether or not the token was known.
#[utoipa::path(post, path = "/api/v1/auth/revoke", tag = "auth", operation_id = "create_revocation",
    request_body(content(
        (RevokeRequest = "application/json"),
        (RevokeRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Revoked (or never valid)"),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor form", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_revocation(
    state: web::Data<AppState>,
    JsonOrForm(request): JsonOrForm<RevokeRequest>,
) -> Result<HttpResponse, ApiError> {
    sessions::revoke(&state.db, request.token.expose()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}
