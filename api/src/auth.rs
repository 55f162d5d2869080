//! Access tokens and the extractor that authenticates a request.
//!
//! Tokens are HS256 JWTs with `sub`, `iss`, `aud`, `iat`, `nbf`, `exp` and
//! `jti`; validation pins the algorithm and requires every one of them. The
//! account behind a token is loaded on each request, so a disabled account
//! is refused at once rather than at token expiry.

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use chrono::Utc;
use domain::{Secret, users::Principal};
use futures::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{error::ApiError, state::AppState};

pub const ISSUER: &str = "estateflow";
pub const AUDIENCE: &str = "estateflow-api";

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: Uuid,
}

/// Signing and verification keys, built once from the JWT secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: u64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("ttl_secs", &self.ttl_secs)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    pub fn new(secret: &Secret, ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["sub", "iss", "aud", "iat", "nbf", "exp", "jti"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            ttl_secs,
        }
    }

    /// A new access token for `user_id` and its lifetime in seconds.
    pub fn issue(&self, user_id: Uuid) -> Result<(String, u64), ApiError> {
        self.issue_at(user_id, Utc::now().timestamp())
    }

    /// A token as if issued at `now` (Unix seconds): tests use it for
    /// expired and not-yet-valid tokens.
    pub fn issue_at(&self, user_id: Uuid, now: i64) -> Result<(String, u64), ApiError> {
        let claims = Claims {
            sub: user_id,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            nbf: now,
            exp: now + i64::try_from(self.ttl_secs).unwrap_or(i64::MAX / 2),
            jti: Uuid::new_v4(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map(|token| (token, self.ttl_secs))
            .map_err(|e| ApiError::Internal(format!("token signing failed: {e}")))
    }

    /// The claims of a valid token; any defect is 401.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| ApiError::Unauthorized(format!("invalid access token: {e}")))
    }
}

/// The authenticated caller. Add it to a handler's arguments to require a
/// valid token of an active account.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Principal);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("application state missing".to_owned()))?;
            let token = token?;
            let claims = state.tokens.verify(&token)?;
            let principal = domain::users::principal(&state.db, claims.sub)
                .await?
                .ok_or_else(|| ApiError::Unauthorized("the account is disabled or no longer exists".to_owned()))?;
            Ok(Authenticated(principal))
        })
    }
}

/// The caller, who must hold the `admin` role. Replaced by permission
/// extractors when roles get permissions.
#[derive(Debug, Clone)]
pub struct Admin(pub Principal);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let authenticated = Authenticated::from_request(req, payload);
        Box::pin(async move {
            let Authenticated(principal) = authenticated.await?;
            if principal.has_role("admin") {
                Ok(Admin(principal))
            } else {
                Err(ApiError::Forbidden("this action needs the admin role".to_owned()))
            }
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("an Authorization: Bearer <token> header is required".to_owned()))?
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not valid text".to_owned()))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::Unauthorized("the Authorization header must be `Bearer <token>`".to_owned()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "the Authorization header must be `Bearer <token>`".to_owned(),
        ));
    }
    Ok(token.trim().to_owned())
}

/// Accepted values of `grant_type` at the token endpoint so far.
pub const GRANT_TYPES: &[&str] = &["password"];
