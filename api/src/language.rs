//! Who reads an answer: the signed-in user's own language first, then the
//! request's `Accept-Language`, then Chinese; instants in the business time
//! zone. The edge writes problems for this reader, and handlers that write
//! prose (exports, notices) take it as the [`Reading`] extractor.

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use domain::platform::text::{Locale, Reader};
use futures::future::LocalBoxFuture;

use crate::{
    auth::{AuthGate, CallerLanguage},
    error::ApiError,
    state::AppState,
};

/// The language the request's `Accept-Language` prefers among ours.
pub fn accepted(req: &HttpRequest) -> Option<Locale> {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
}

/// The reader of the answer to `req`, given the caller's own language if
/// it has one.
pub fn reader_of(req: &HttpRequest, caller: Option<Locale>) -> Reader {
    let tz = req
        .app_data::<web::Data<AppState>>()
        .map_or(Reader::default().tz, |s| s.settings.timezone);
    Reader::new(caller.or_else(|| accepted(req)).unwrap_or_default(), tz)
}

/// The reader of this request's answer. Put it after the `Authorized`
/// argument: it waits for the caller to be known, so that the caller's own
/// language wins.
#[derive(Debug, Clone, Copy)]
pub struct Reading(pub Reader);

impl FromRequest for Reading {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let gate = req.extensions().get::<AuthGate>().cloned();
        Box::pin(async move {
            AuthGate::passed(gate).await;
            let caller = req.extensions().get::<CallerLanguage>().and_then(|c| c.0);
            Ok(Reading(reader_of(&req, caller)))
        })
    }
}
