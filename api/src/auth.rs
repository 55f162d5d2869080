//! Access tokens and the extractor that authenticates a request.
//!
//! Tokens are HS256 JWTs with `sub`, `typ` (`user` or `client`), `iss`,
//! `aud`, `iat`, `nbf`, `exp` and `jti`; validation pins the algorithm and
//! requires every one of them. The account or client behind a token is
//! checked on each request (a kept caller only while the access epoch
//! stands: `domain::access::actor::Callers`), so disabling it, or revoking
//! one of its permissions, is refused at once rather than at token expiry. API clients
//! are rate-limited here, per client and minute.

use std::marker::PhantomData;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use chrono::Utc;
use domain::platform::text::{Locale, Msg};
use domain::{
    DomainError, Secret,
    access::actor::{Actor, ActorKind},
    access::audit::AuditContext,
    access::permissions::Scope,
};
use futures::{
    FutureExt,
    channel::oneshot,
    future::{LocalBoxFuture, Shared},
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{edge::RequestId, error::ApiError, state::AppState};

pub const ISSUER: &str = "estateflow";
pub const AUDIENCE: &str = "estateflow-api";

/// Whom a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    User,
    Client,
}

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub typ: Subject,
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
    pub fn issue(&self, subject: Subject, id: Uuid) -> Result<(String, u64), ApiError> {
        self.issue_at(subject, id, Utc::now().timestamp())
    }

    /// A token as if issued at `now` (Unix seconds): tests use it for
    /// expired and not-yet-valid tokens.
    pub fn issue_at(&self, subject: Subject, id: Uuid, now: i64) -> Result<(String, u64), ApiError> {
        let claims = Claims {
            sub: id,
            typ: subject,
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

    /// The claims of a valid token; any defect is 401 saying what is wrong
    /// in the client's terms.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let mut claims =
            jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, &self.decoding, &self.validation)
                .map_err(|e| ApiError::Unauthorized(token_defect(e.kind())))?
                .claims;
        Ok(Claims {
            sub: claim(&mut claims, "sub")?,
            typ: claim(&mut claims, "typ")?,
            iss: claim(&mut claims, "iss")?,
            aud: claim(&mut claims, "aud")?,
            iat: claim(&mut claims, "iat")?,
            nbf: claim(&mut claims, "nbf")?,
            exp: claim(&mut claims, "exp")?,
            jti: claim(&mut claims, "jti")?,
        })
    }
}

/// One claim of a token whose signature and times have been checked; claim
/// by claim, so a 401 can name the one that is missing or wrong.
fn claim<T: serde::de::DeserializeOwned>(
    claims: &mut serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<T, ApiError> {
    let value = claims
        .remove(name)
        .ok_or_else(|| ApiError::Unauthorized(Msg::TokenLacksClaim { name: name.to_owned() }))?;
    serde_json::from_value(value).map_err(|_| ApiError::Unauthorized(Msg::TokenClaimInvalid { name: name.to_owned() }))
}

/// What is wrong with a token, in the client's terms.
fn token_defect(kind: &jsonwebtoken::errors::ErrorKind) -> Msg {
    use jsonwebtoken::errors::ErrorKind as K;
    match kind {
        K::InvalidSignature => Msg::TokenSignature,
        K::ExpiredSignature => Msg::TokenExpired,
        K::ImmatureSignature => Msg::TokenNotYetValid,
        K::InvalidIssuer => Msg::TokenForeignIssuer,
        K::InvalidAudience | K::InvalidSubject => Msg::TokenForeignAudience,
        K::InvalidAlgorithm | K::InvalidAlgorithmName | K::UnsupportedAlgorithm | K::MissingAlgorithm => {
            Msg::TokenAlgorithm
        }
        K::MissingRequiredClaim(name) => Msg::TokenLacksClaim { name: name.clone() },
        K::InvalidClaimFormat(name) => Msg::TokenClaimInvalid { name: name.clone() },
        _ => Msg::TokenMalformed,
    }
}

/// The authenticated caller: a valid token of an active account. Use
/// [`Authorized`] instead wherever a permission is needed.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Actor);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let (gate, verified) = verify(req);
        let req = req.clone();
        Box::pin(async move {
            let (state, claims) = verified?;
            let actor = authenticate(&state, &claims, &req).await?;
            drop(gate);
            Ok(Authenticated(actor))
        })
    }
}

/// Sets up the gate of `req` (body extractors wait until it is dropped)
/// and verifies its bearer token: the state and the token's claims.
fn verify(req: &HttpRequest) -> (GateKeeper, Result<(web::Data<AppState>, Claims), ApiError>) {
    let gate = AuthGate::open(req);
    let verified = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state missing".to_owned()))
        .and_then(|state| {
            let claims = state.tokens.verify(&bearer_token(req)?)?;
            Ok((state, claims))
        });
    (gate, verified)
}

/// Whom a token's claims name.
fn named(claims: &Claims) -> (ActorKind, Uuid) {
    let kind = match claims.typ {
        Subject::User => ActorKind::User,
        Subject::Client => ActorKind::Client,
    };
    (kind, claims.sub)
}

/// The active account or client a verified token names (checked against
/// the access epoch now), admitted to `req`.
async fn authenticate(state: &AppState, claims: &Claims, req: &HttpRequest) -> Result<Actor, ApiError> {
    let actor = reload(state, claims, req).await?;
    admit(state, &actor)?;
    Ok(actor)
}

/// The active account or client a verified token names, checked against
/// the access epoch now; its answers to `req` are written in its language.
async fn reload(state: &AppState, claims: &Claims, req: &HttpRequest) -> Result<Actor, ApiError> {
    let (kind, id) = named(claims);
    let actor = state
        .callers
        .load(&state.db, kind, id)
        .await?
        .ok_or(ApiError::Unauthorized(Msg::CallerGone))?;
    speaks(req, &actor);
    Ok(actor)
}

/// Notes the language `actor`'s answers to `req` (errors included) are written in.
fn speaks(req: &HttpRequest, actor: &Actor) {
    req.extensions_mut().insert(CallerLanguage(actor.locale));
}

/// Counts a client's request against its budget (once per request).
fn admit(state: &AppState, actor: &Actor) -> Result<(), ApiError> {
    if let Some(limit) = actor.rate_limit_per_minute {
        state.rate_limits.check(actor.id, limit)?;
    }
    Ok(())
}

/// The scope in which `actor` holds `P`; 403 without it.
fn permitted<P: Permission>(actor: &Actor) -> Result<Scope, ApiError> {
    actor.scope(P::NAME).ok_or_else(|| {
        ApiError::Forbidden(Msg::NeedsPermission {
            permission: P::NAME.to_owned(),
        })
    })
}

/// The language of the authenticated caller, once its authentication has
/// decided (none for API clients, which read their `Accept-Language`).
#[derive(Debug, Clone, Copy)]
pub struct CallerLanguage(pub Option<Locale>);

/// The language of the caller of `req`: as its authentication decided it,
/// or, for an answer decided before that finished (a path parameter that
/// does not parse fails the handler's extraction at once), the language of
/// the user its token names, read alone (one query; none for a missing or
/// refused token, and for API clients).
pub async fn caller_language(req: &HttpRequest) -> Option<Locale> {
    if let Some(CallerLanguage(decided)) = req.extensions().get::<CallerLanguage>().copied() {
        return decided;
    }
    let state = req.app_data::<web::Data<AppState>>()?;
    let claims = state.tokens.verify(&bearer_token(req).ok()?).ok()?;
    match claims.typ {
        Subject::User => domain::access::users::locale_of(&state.db, claims.sub).await.ok()?,
        Subject::Client => None,
    }
}

/// Resolves when the request's authentication has been decided. Extractors
/// run concurrently; body extractors wait for this before reporting a bad
/// body, so an unauthorised caller learns 401/403, not what its body lacks.
#[derive(Clone)]
pub struct AuthGate(pub Shared<oneshot::Receiver<()>>);

impl std::fmt::Debug for AuthGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthGate")
    }
}

/// Opens the gate of `req`: body extractors wait until it is dropped.
struct GateKeeper(#[allow(dead_code, reason = "held until dropped")] oneshot::Sender<()>);

impl AuthGate {
    /// Sets up the gate of `req`; dropping what it returns opens it.
    fn open(req: &HttpRequest) -> GateKeeper {
        let (done, gate) = oneshot::channel::<()>();
        req.extensions_mut().insert(AuthGate(gate.shared()));
        GateKeeper(done)
    }

    /// Waits for the authentication of `req`, if it has any.
    pub async fn passed(gate: Option<AuthGate>) {
        if let Some(AuthGate(gate)) = gate {
            let _ = gate.await;
        }
    }
}

/// A permission an endpoint needs, as a type: `Authorized<perm::UsersRead>`.
pub trait Permission {
    const NAME: &'static str;
}

/// The permission types, one per catalog entry that an endpoint checks.
pub mod perm {
    macro_rules! permissions {
        ($($ty:ident => $name:literal),* $(,)?) => {
            $(
                #[doc = concat!("`", $name, "`")]
                #[derive(Debug)]
                pub struct $ty;
                impl super::Permission for $ty {
                    const NAME: &'static str = $name;
                }
            )*
        };
    }

    permissions! {
        UsersRead => "users:read",
        UsersWrite => "users:write",
        RolesRead => "roles:read",
        RegionsRead => "regions:read",
        RegionsWrite => "regions:write",
        TeamsRead => "teams:read",
        TeamsWrite => "teams:write",
        RolesWrite => "roles:write",
        AuditLogRead => "audit_log:read",
        CustomersRead => "customers:read",
        CustomersWrite => "customers:write",
        CustomersDelete => "customers:delete",
        ApiClientsRead => "api_clients:read",
        ApiClientsWrite => "api_clients:write",
        QueuesWrite => "queues:write",
        CustomersAssign => "customers:assign",
        UnitsRead => "units:read",
        UnitsWrite => "units:write",
        DealsRead => "deals:read",
        DealsWrite => "deals:write",
        ComplaintsRead => "complaints:read",
        ComplaintsWrite => "complaints:write",
        TargetsRead => "targets:read",
        TargetsWrite => "targets:write",
        TrainingsRead => "trainings:read",
        TrainingsWrite => "trainings:write",
        CustomerEventsRead => "customer_events:read",
        CustomerEventsWrite => "customer_events:write",
        KpisRead => "kpis:read",
        QueuesRead => "queues:read",
        SlaPoliciesRead => "sla_policies:read",
        SlaPoliciesWrite => "sla_policies:write",
        SlaBreachesRead => "sla_breaches:read",
        WebhooksRead => "webhooks:read",
        WebhooksWrite => "webhooks:write",
        AwardRulesRead => "award_rules:read",
        AwardRulesWrite => "award_rules:write",
        AwardsRead => "awards:read",
        AwardsWrite => "awards:write",
        RoutingRulesRead => "routing_rules:read",
        RoutingRulesWrite => "routing_rules:write",
        ApprovalsRead => "approvals:read",
        ApprovalsWrite => "approvals:write",
        ApprovalsDecide => "approvals:decide",
        BonusesRead => "bonuses:read",
        BonusesManage => "bonuses:manage",
        ReportsRead => "reports:read",
        ChurnRead => "churn:read",
        ProjectsRead => "projects:read",
        ProjectsWrite => "projects:write",
        FeedbackRead => "feedback:read",
        FeedbackWrite => "feedback:write",
        FeedbackRoute => "feedback:route",
    }
}

/// A caller holding permission `P`, with the scope it holds it in; scope
/// filtering then happens in the query. Missing permission: 403.
#[derive(Debug)]
pub struct Authorized<P> {
    pub actor: Actor,
    pub scope: Scope,
    request_id: Option<String>,
    address: Option<String>,
    permission: PhantomData<P>,
}

impl<P: Permission> Authorized<P> {
    /// Refuses (403) unless the permission is held on all records: for
    /// changes that reach beyond any one team, such as creating accounts.
    pub fn require_all_records(&self) -> Result<(), ApiError> {
        if self.scope == Scope::All {
            Ok(())
        } else {
            Err(ApiError::Forbidden(Msg::NeedsAllRecords {
                permission: P::NAME.to_owned(),
            }))
        }
    }
}

impl<P> Authorized<P> {
    /// Refuses (403) partner clients: for the sales team's own work, such as
    /// recording contacts, even where a partner holds the permission.
    pub fn require_staff(&self) -> Result<(), ApiError> {
        if self.actor.kind == domain::access::actor::ActorKind::Client {
            Err(ApiError::Forbidden(Msg::StaffOnly))
        } else {
            Ok(())
        }
    }

    /// Who changes what, for the audit log.
    pub fn audit(&self) -> AuditContext {
        AuditContext::new(&self.actor, self.request_id.clone(), self.address.clone())
    }
}

impl<P: Permission + 'static> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let authenticated = Authenticated::from_request(req, payload);
        let request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone());
        let address = req.peer_addr().map(|a| a.ip().to_string());
        Box::pin(async move {
            let Authenticated(actor) = authenticated.await?;
            let scope = permitted::<P>(&actor)?;
            Ok(Authorized {
                actor,
                scope,
                request_id,
                address,
                permission: PhantomData,
            })
        })
    }
}

/// A caller holding permission `P` as kept from an earlier request, its
/// access epoch not yet checked: for reads whose one statement checks it
/// ([`Presumed::read`]), saving the request a round trip. A caller not
/// kept, or kept without `P`, is loaded and checked at once, as for
/// [`Authorized`].
#[derive(Debug)]
pub struct Presumed<P> {
    actor: Actor,
    scope: Scope,
    /// The epoch the caller was kept at; none when it was loaded for this request.
    kept_at: Option<i64>,
    state: web::Data<AppState>,
    req: HttpRequest,
    claims: Claims,
    permission: PhantomData<P>,
}

impl<P: Permission + 'static> FromRequest for Presumed<P> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let (gate, verified) = verify(req);
        let req = req.clone();
        Box::pin(async move {
            let (state, claims) = verified?;
            let (kind, id) = named(&claims);
            let (actor, kept_at) = match state.callers.kept(kind, id) {
                Some((epoch, actor)) if actor.scope(P::NAME).is_some() => {
                    speaks(&req, &actor);
                    admit(&state, &actor)?;
                    (actor, Some(epoch))
                }
                _ => (authenticate(&state, &claims, &req).await?, None),
            };
            drop(gate);
            let scope = permitted::<P>(&actor)?;
            Ok(Presumed {
                actor,
                scope,
                kept_at,
                state,
                req,
                claims,
                permission: PhantomData,
            })
        })
    }
}

impl<P: Permission> Presumed<P> {
    /// Reads with `read(actor, scope, kept_at)`, which answers `None` when
    /// the epoch it read is not `kept_at` (or it found nothing): then the
    /// caller is loaded afresh and the read made again without an epoch,
    /// so an answer never outlives a change of the caller's access. The
    /// caller the answer was read as comes with it.
    pub async fn read<T>(
        self,
        read: impl AsyncFn(&Actor, Scope, Option<i64>) -> Result<Option<T>, DomainError>,
    ) -> Result<(Actor, T), ApiError> {
        if self.kept_at.is_some()
            && let Some(found) = read(&self.actor, self.scope, self.kept_at).await?
        {
            return Ok((self.actor, found));
        }
        let actor = match self.kept_at {
            None => self.actor,
            // Its request was counted against its budget when presumed.
            Some(_) => reload(&self.state, &self.claims, &self.req).await?,
        };
        let scope = permitted::<P>(&actor)?;
        let found = read(&actor, scope, None)
            .await?
            .ok_or_else(|| ApiError::Internal("a read without an epoch answered nothing".to_owned()))?;
        Ok((actor, found))
    }
}

pub(crate) fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized(Msg::BearerRequired))?
        .to_str()
        .map_err(|_| ApiError::Unauthorized(Msg::AuthorizationNotText))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or(ApiError::Unauthorized(Msg::AuthorizationNotBearer))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(Msg::AuthorizationNotBearer));
    }
    Ok(token.trim().to_owned())
}

/// Accepted values of `grant_type` at the token endpoint so far.
pub const GRANT_TYPES: &[&str] = &["password", "refresh_token", "client_credentials"];
