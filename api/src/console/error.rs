//! The console's one error type and the middleware that turns every error
//! answer of a console path into a page: in the viewer's language, inside
//! the viewer's frame when the viewer is known, with the API's titles and
//! details (the same catalogue), never problem+json.

use actix_web::{
    Error, HttpMessage, HttpResponse, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{StatusCode, header},
    middleware::Next,
};
use domain::{DomainError, platform::text::Msg};
use maud::html;

use super::{layout, session::Viewer};
use crate::{edge::RequestId, error::ApiError, language::reader_of};

/// Why a console request was not answered with its page.
#[derive(Debug)]
pub enum ConsoleError {
    /// No live session: to the sign-in page, then back to `next`.
    SignIn { next: String },
    /// Anything the API would answer with a problem (403, 404, a rule).
    Api(ApiError),
}

impl From<DomainError> for ConsoleError {
    fn from(error: DomainError) -> Self {
        Self::Api(error.into())
    }
}

impl From<ApiError> for ConsoleError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignIn { .. } => f.write_str("not signed in to the console"),
            Self::Api(error) => error.fmt(f),
        }
    }
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } => StatusCode::SEE_OTHER,
            Self::Api(error) => error.status_code(),
        }
    }

    /// The bare answer; [`frame`] writes the page around it.
    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn { next } => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, super::sign_in_location(next)))
                .finish(),
            _ => HttpResponse::build(self.status_code()).finish(),
        }
    }
}

/// The header of a form the console's script posts in the background.
const FORM_HEADER: &str = "x-console-form";
/// Where that form's answer sends the browser (instead of a `303`, which
/// the script could not read).
const LOCATION_HEADER: &str = "x-console-location";

/// Wraps the console's routes: an error answer becomes the error page; a
/// `303` to a form the script posted becomes `204` naming where to go.
pub async fn frame(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let scripted = req.headers().contains_key(FORM_HEADER);
    let mut response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    if scripted && status == StatusCode::SEE_OTHER {
        if let Some(location) = response.headers().get(header::LOCATION).cloned() {
            *response.response_mut().status_mut() = StatusCode::NO_CONTENT;
            let headers = response.headers_mut();
            headers.remove(header::LOCATION);
            headers.insert(header::HeaderName::from_static(LOCATION_HEADER), location);
        }
        return Ok(response);
    }
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_page {
        return Ok(response);
    }
    let (request, answer) = response.into_parts();
    let page = error_page(&request, answer.error(), status);
    Ok(ServiceResponse::new(request, page))
}

fn error_page(req: &actix_web::HttpRequest, error: Option<&Error>, status: StatusCode) -> HttpResponse {
    let viewer = req.extensions().get::<Viewer>().cloned();
    let reader = viewer.as_ref().map_or_else(|| reader_of(req, None), |v| v.reader);
    let request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone());
    let fallback = ApiError::from_status(status);
    let api = match error.and_then(|e| e.as_error::<ConsoleError>()) {
        Some(ConsoleError::Api(api)) => api,
        _ => error.and_then(|e| e.as_error::<ApiError>()).unwrap_or(&fallback),
    };
    if let ApiError::Internal(cause) = api {
        tracing::error!(error = %cause, "internal error on a console page");
    }
    let problem = api.problem(&reader, None, request_id.as_deref());
    let detail = if matches!(api, ApiError::Internal(_)) {
        Msg::UiErrorDetail {
            request_id: request_id.clone().unwrap_or_default(),
        }
        .render(&reader)
    } else {
        problem.detail.clone()
    };
    let body = html! {
        section.problem role="alert" {
            p { (detail) }
            @if !problem.errors.is_empty() {
                ul {
                    @for field in &problem.errors {
                        li data-pointer=(field.pointer) data-detail=(field.detail) {
                            code { (field.pointer) } " " (field.detail)
                        }
                    }
                }
            }
            p { a href="/console" { (Msg::UiBackHome.render(&reader)) } }
        }
    };
    let page = match &viewer {
        Some(viewer) => layout::page(viewer, None, &problem.title, body),
        None => layout::bare(&reader, &problem.title, None, body),
    };
    let mut response = HttpResponse::build(status);
    response.content_type("text/html; charset=utf-8");
    response.insert_header((header::CONTENT_LANGUAGE, reader.locale.tag()));
    response.body(page.into_string())
}
