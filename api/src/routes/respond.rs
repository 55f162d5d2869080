//! The response steps handlers share: a view with the `ETag` of its version,
//! a page of views.

use actix_web::{HttpResponse, HttpResponseBuilder, http::header};
use domain::platform::{error::DomainError, page::Page};
use serde::Serialize;

use crate::error::ApiError;

/// The `ETag` header naming a view's version.
pub fn etag<T: Serialize>(view: &T) -> Result<(header::HeaderName, String), DomainError> {
    Ok((header::ETAG, domain::platform::version::etag_of(view)?))
}

/// 200 with the view as its API body `B` and the `ETag` of its version.
pub fn tagged<B: From<V> + Serialize, V: Serialize>(view: V) -> Result<HttpResponse, ApiError> {
    with_etag::<B, V>(HttpResponse::Ok(), view)
}

/// 201 at `location` with the view as its API body `B` and the `ETag` of its version.
pub fn created<B: From<V> + Serialize, V: Serialize>(location: String, view: V) -> Result<HttpResponse, ApiError> {
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location));
    with_etag::<B, V>(response, view)
}

fn with_etag<B: From<V> + Serialize, V: Serialize>(
    mut response: HttpResponseBuilder,
    view: V,
) -> Result<HttpResponse, ApiError> {
    response.insert_header(etag(&view)?);
    Ok(response.json(B::from(view)))
}

/// 200 with a page of views as their API bodies `B`, in the list body `list` makes.
pub fn page<V, B: From<V>, L: Serialize>(
    page: Page<V>,
    list: impl FnOnce(Vec<B>, Option<String>) -> L,
) -> HttpResponse {
    let page = page.map(B::from);
    HttpResponse::Ok().json(list(page.items, page.next_cursor))
}
