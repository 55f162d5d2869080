//! Who is at the console: the [`Viewer`] extractor resumes the browser's
//! server-side session from its cookie and loads the user afresh (a
//! disabled account or a revoked role counts on the next request, as for
//! tokens); [`Submitted`] is a state-changing request, refused unless it
//! carries the session's CSRF token (a form's `csrf` field or the
//! `X-CSRF-Token` header of the console's scripts).

use actix_web::{
    FromRequest, HttpMessage, HttpRequest,
    dev::Payload,
    http::header::{self, HeaderValue},
    web,
};
use domain::{
    access::{
        actor::Actor,
        audit::AuditContext,
        console_sessions::{self, Session},
        permissions::Scope,
    },
    platform::text::{Msg, Reader},
};
use futures::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::error::ConsoleError;
use crate::{auth::Permission, edge::RequestId, error::ApiError, language, state::AppState};

/// The session cookie: an opaque id, valid for the console's paths only.
pub const SESSION_COOKIE: &str = "ef_console";
/// The sign-in form's own CSRF cookie (before there is a session).
pub const SIGN_IN_COOKIE: &str = "ef_sign_in";
/// The header the console's scripts send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name` on the request.
pub fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` for the console's paths: HttpOnly, SameSite=Strict,
/// Secure when the browser reached us over TLS (directly or through a
/// proxy that says so); `max_age` 0 removes it.
pub fn set_cookie(req: &HttpRequest, name: &str, value: &str, max_age: u64) -> (header::HeaderName, HeaderValue) {
    let secure = if req.connection_info().scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{name}={value}; Path=/console; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}");
    (
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static("")),
    )
}

/// The signed-in user of a console page, with the page's reader.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub actor: Actor,
    pub session: Session,
    /// The language chosen on the console, else the user's, else the
    /// browser's; times in the business time zone.
    pub reader: Reader,
    /// Path and query of this request (where a language switch returns to).
    pub here: String,
    request_id: Option<String>,
    address: Option<String>,
}

impl Viewer {
    /// `msg` in the viewer's language.
    pub fn t(&self, msg: Msg) -> String {
        msg.render(&self.reader)
    }

    /// The scope in which the viewer holds `permission`, if at all.
    pub fn scope(&self, permission: &str) -> Option<Scope> {
        self.actor.scope(permission)
    }

    /// The scope of permission `P`, or the 403 page.
    pub fn require<P: Permission>(&self) -> Result<Scope, ConsoleError> {
        self.scope(P::NAME).ok_or_else(|| {
            ConsoleError::Api(ApiError::Forbidden(Msg::NeedsPermission {
                permission: P::NAME.to_owned(),
            }))
        })
    }

    /// Who changes what, for the audit log: the viewer, as on the API.
    pub fn audit(&self) -> AuditContext {
        AuditContext::new(&self.actor, self.request_id.clone(), self.address.clone())
    }
}

impl FromRequest for Viewer {
    type Error = ConsoleError;
    type Future = LocalBoxFuture<'static, Result<Self, ConsoleError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let here = req
                .uri()
                .path_and_query()
                .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
            let sign_in = || ConsoleError::SignIn { next: here.clone() };
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ConsoleError::Api(ApiError::Internal("application state missing".to_owned())))?;
            let token = cookie(&req, SESSION_COOKIE).ok_or_else(sign_in)?;
            let session = console_sessions::resume(&state.db, &state.settings, &token)
                .await?
                .ok_or_else(sign_in)?;
            let Some(actor) = domain::access::actor::load_user(&state.db, session.user_id).await? else {
                console_sessions::end(&state.db, session.id).await?;
                return Err(sign_in());
            };
            let locale = session
                .locale
                .or(actor.locale)
                .or_else(|| language::accepted(&req))
                .unwrap_or_default();
            let viewer = Viewer {
                reader: Reader::new(locale, state.settings.timezone),
                actor,
                session,
                here: here.clone(),
                request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
                address: req.peer_addr().map(|a| a.ip().to_string()),
            };
            // The error pages of this request show the viewer's frame.
            req.extensions_mut().insert(viewer.clone());
            Ok(viewer)
        })
    }
}

/// A state-changing console request: the viewer, its form `T` and every
/// field as sent (repeated ones, such as a selection of ids, included);
/// refused (403) without the session's CSRF token.
#[derive(Debug)]
pub struct Submitted<T> {
    pub viewer: Viewer,
    pub form: T,
    pub fields: Vec<(String, String)>,
}

impl<T> Submitted<T> {
    /// Every value sent for field `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Submitted<T> {
    type Error = ConsoleError;
    type Future = LocalBoxFuture<'static, Result<Self, ConsoleError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let viewer = Viewer::from_request(req, payload);
        let body = web::Bytes::from_request(req, payload);
        let header = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Box::pin(async move {
            let viewer = viewer.await?;
            let body = body.await.map_err(|_| {
                ConsoleError::Api(ApiError::from_status(actix_web::http::StatusCode::PAYLOAD_TOO_LARGE))
            })?;
            let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| bad_form())?;
            let offered = header.or_else(|| fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.clone()));
            if !offered.is_some_and(|token| console_sessions::csrf_matches(&viewer.session, &token)) {
                return Err(ApiError::Forbidden(Msg::UiCsrfRefused).into());
            }
            let form = serde_urlencoded::from_bytes(&body).map_err(|_| bad_form())?;
            Ok(Submitted { viewer, form, fields })
        })
    }
}

fn bad_form() -> ConsoleError {
    ConsoleError::Api(ApiError::from_status(actix_web::http::StatusCode::BAD_REQUEST))
}
