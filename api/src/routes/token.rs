//! `POST /api/v1/auth/token`: the OAuth2-style token endpoint (RFC 6749
//! §4.3, resource owner password). Errors use RFC 6749 codes inside our
//! problem+json envelope.

use actix_web::{HttpResponse, http::header, web};
use domain::{FieldError, Secret};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::GRANT_TYPES,
    error::{ApiError, Problem},
    extract::JsonOrForm,
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "password", "email": "admin@estateflow.local", "password": "correct horse battery"}))]
pub struct TokenRequest {
    /// `password`.
    pub grant_type: String,
    /// The account's e-mail (`username` is accepted too, as OAuth2 clients send it).
    #[serde(alias = "username")]
    pub email: Option<String>,
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<Secret>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
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
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor form", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or mistyped fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_token(
    state: web::Data<AppState>,
    JsonOrForm(request): JsonOrForm<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    if !GRANT_TYPES.contains(&request.grant_type.as_str()) {
        return Err(ApiError::UnsupportedGrantType(GRANT_TYPES.join(", ")));
    }
    let email = request.email.filter(|e| !e.is_empty());
    let password = request.password.filter(|p| !p.expose().is_empty());
    let (Some(email), Some(password)) = (&email, &password) else {
        let mut missing = Vec::new();
        if email.is_none() {
            missing.push(FieldError::new("/email", "is required for grant_type=password"));
        }
        if password.is_none() {
            missing.push(FieldError::new("/password", "is required for grant_type=password"));
        }
        return Err(ApiError::Validation(missing));
    };
    let principal = domain::users::authenticate(&state.db, email, password)
        .await?
        .ok_or_else(|| {
            ApiError::InvalidGrant("the e-mail or password is wrong, or the account is disabled".to_owned())
        })?;
    let (access_token, expires_in) = state.tokens.issue(principal.user.id)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in,
        }))
}
