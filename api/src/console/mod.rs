//! The admin console: server-rendered pages at `/console` for
//! administrators, operations and managers, served by the API's own
//! process with its own stylesheet and script (no build step, nothing
//! loaded from elsewhere; the Content-Security-Policy allows no inline
//! script). Pages read and change through the same domain functions as the
//! API, within the viewer's permissions and scopes, and every change is
//! audited with the viewer as actor.

pub mod admin;
pub mod agenda;
pub mod chart;
pub mod customers;
pub mod dashboards;
pub mod error;
pub mod integrations;
pub mod layout;
pub mod operations;
pub mod queues;
pub mod session;
pub mod table;
pub mod ui;

use std::sync::LazyLock;

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::header,
    middleware::from_fn,
    web::{self, ServiceConfig},
};
use domain::{
    access::{
        audit::AuditContext,
        console_sessions,
        sessions::{self as sign_ins, Checked},
    },
    platform::{
        secret::Secret,
        text::{Locale, Msg, Reader},
    },
};
use maud::{Markup, html};
use serde::Deserialize;

use self::{
    error::ConsoleError,
    layout::Nav,
    session::{SESSION_COOKIE, SIGN_IN_COOKIE, Submitted, Viewer},
};
use crate::{edge::RequestId, error::ApiError, language, state::AppState};

const STYLESHEET: &str = include_str!("assets/console.css");
const SCRIPT: &str = include_str!("assets/console.js");

/// A fingerprint of the stylesheet and script, in their URLs: a browser
/// caches them for good and fetches them again when they change.
pub static ASSETS_VERSION: LazyLock<String> =
    LazyLock::new(|| format!("{:016x}", fingerprint(STYLESHEET.bytes().chain(SCRIPT.bytes()))));

/// FNV-1a of `bytes`: stable across builds and platforms, unlike
/// `DefaultHasher` (asset URLs, fragments' ETags).
pub fn fingerprint(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The Content-Security-Policy of console pages: our own script and styles
/// only, no inline script, forms posted back here only, framed nowhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Whether `path` is the console's (pages, not problem+json).
pub fn is_console(path: &str) -> bool {
    path == "/" || path == "/console" || path.starts_with("/console/")
}

/// The console's routes; `/` leads to it.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(web::resource("/").get(to_console)).service(
        web::scope("/console")
            .wrap(from_fn(error::frame))
            .service(web::resource("").get(home))
            .service(web::resource("/assets/console.css").get(stylesheet))
            .service(web::resource("/assets/console.js").get(script))
            .service(web::resource("/sign-in").get(sign_in_page).post(sign_in))
            .service(web::resource("/sign-out").post(sign_out))
            .service(web::resource("/language").post(choose_language))
            .configure(dashboards::configure)
            .configure(customers::configure)
            .configure(agenda::configure)
            .configure(operations::configure)
            .configure(admin::configure)
            .configure(integrations::configure)
            .configure(queues::configure)
            .default_service(web::to(not_found)),
    );
}

/// An HTML page answer.
pub fn html_page(markup: Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// `303 See Other` to `location` (the answer to a form).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// Leaves `message` for the viewer's next page and sends the browser to `location`.
pub async fn done(
    state: &AppState,
    viewer: &Viewer,
    message: Msg,
    location: &str,
) -> Result<HttpResponse, ConsoleError> {
    console_sessions::flash(&state.db, viewer.session.id, &viewer.t(message)).await?;
    Ok(see_other(location))
}

/// Where the sign-in page is, coming back to `next` afterwards.
pub fn sign_in_location(next: &str) -> String {
    let query = serde_urlencoded::to_string([("next", safe_next(next))]).unwrap_or_default();
    format!("/console/sign-in?{query}")
}

/// `next` if it is a console path, else the console's home: a sign-in
/// never sends the browser elsewhere.
pub fn safe_next(next: &str) -> &str {
    let ours = (next == "/console" || next.starts_with("/console/") || next.starts_with("/console?"))
        && !next.contains('\\')
        && !next.contains("//");
    if ours { next } else { "/console" }
}

async fn to_console() -> HttpResponse {
    see_other("/console")
}

/// An unknown console path: a 404 page, once signed in (before that, the
/// sign-in page, so that the console's paths reveal nothing).
async fn not_found(_viewer: Viewer) -> Result<HttpResponse, ConsoleError> {
    Err(ApiError::NotFound(Msg::UiNotFound).into())
}

async fn stylesheet() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLESHEET)
}

async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body)
}

/// The home page: what the viewer can open, as the sidebar lists it.
async fn home(viewer: Viewer) -> HttpResponse {
    let groups = layout::visible(&viewer);
    let body = html! {
        @if groups.is_empty() {
            p.empty { (viewer.t(Msg::UiNothingHere)) }
        } @else {
            p { (viewer.t(Msg::UiHomeIntro)) }
            @for (group, navs) in &groups {
                h2 { (viewer.t(group.clone())) }
                ul.cards {
                    @for nav in navs {
                        @let (href, label, _) = nav.entry();
                        li { a href=(href) { (viewer.t(label)) } }
                    }
                }
            }
        }
    };
    html_page(layout::page(&viewer, None::<Nav>, &viewer.t(Msg::UiHome), body))
}

#[derive(Debug, Deserialize)]
struct SignInQuery {
    next: Option<String>,
    lang: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    email: Option<String>,
    password: Option<String>,
    csrf: Option<String>,
    next: Option<String>,
    lang: Option<String>,
}

/// The reader of the sign-in page: the language picked on it, else the browser's.
fn sign_in_reader(req: &HttpRequest, lang: Option<&str>) -> (Reader, Option<Locale>) {
    let picked = lang.and_then(Locale::from_tag);
    let reader = language::reader_of(req, picked);
    (reader, picked)
}

async fn sign_in_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SignInQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let next = safe_next(query.next.as_deref().unwrap_or("/console")).to_owned();
    // Signed in already: on to where the browser was going.
    if let Some(token) = session::cookie(&req, SESSION_COOKIE)
        && console_sessions::resume(&state.db, &state.settings, &token)
            .await?
            .is_some()
    {
        return Ok(see_other(&next));
    }
    let (reader, picked) = sign_in_reader(&req, query.lang.as_deref());
    Ok(sign_in_form(
        &req,
        &reader,
        picked,
        &next,
        None,
        actix_web::http::StatusCode::OK,
    ))
}

/// The sign-in form with a fresh CSRF pair (cookie and field), and the
/// message of a failed try.
fn sign_in_form(
    req: &HttpRequest,
    reader: &Reader,
    picked: Option<Locale>,
    next: &str,
    problem: Option<Msg>,
    status: actix_web::http::StatusCode,
) -> HttpResponse {
    let csrf = domain::platform::credentials::generate(32);
    let t = |m: Msg| m.render(reader);
    let body = html! {
        @if let Some(problem) = problem {
            p.error role="alert" { (t(problem)) }
        }
        form.stack method="post" action="/console/sign-in" data-native {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            @if let Some(picked) = picked {
                input type="hidden" name="lang" value=(picked.tag());
            }
            label for="email" { (t(Msg::UiEmail)) }
            input #email type="email" name="email" autocomplete="username" required autofocus;
            label for="password" { (t(Msg::UiPassword)) }
            input #password type="password" name="password" autocomplete="current-password" required;
            button.primary type="submit" { (t(Msg::UiSignIn)) }
        }
    };
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(session::set_cookie(req, SIGN_IN_COOKIE, &csrf, 3600))
        .insert_header((header::CONTENT_LANGUAGE, reader.locale.tag()))
        .body(layout::bare(reader, &t(Msg::UiSignIn), Some(next), body).into_string())
}

async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, ConsoleError> {
    use actix_web::http::StatusCode;
    let form = form.into_inner();
    let next = safe_next(form.next.as_deref().unwrap_or("/console")).to_owned();
    let (reader, picked) = sign_in_reader(&req, form.lang.as_deref());
    let paired = matches!(
        (session::cookie(&req, SIGN_IN_COOKIE), form.csrf.as_deref()),
        (Some(cookie), Some(field)) if domain::platform::credentials::same_digest(&cookie, field)
    );
    if !paired {
        return Ok(sign_in_form(
            &req,
            &reader,
            picked,
            &next,
            Some(Msg::UiFormExpired),
            StatusCode::FORBIDDEN,
        ));
    }
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let email = form.email.unwrap_or_default();
    let password = Secret::new(form.password.unwrap_or_default());
    let user_id = match sign_ins::check_password(&state.db, &state.settings, &email, &password, &address).await? {
        Checked::Valid(user_id) => user_id,
        Checked::Throttled { retry_after } => {
            let minutes = retry_after.div_ceil(60).max(1);
            let problem = Msg::UiTooManySignIns { minutes };
            let mut page = sign_in_form(
                &req,
                &reader,
                picked,
                &next,
                Some(problem),
                StatusCode::TOO_MANY_REQUESTS,
            );
            if let Ok(value) = header::HeaderValue::from_str(&retry_after.to_string()) {
                page.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(page);
        }
        Checked::Refused => {
            let problem = Some(Msg::UiWrongCredentials);
            return Ok(sign_in_form(
                &req,
                &reader,
                picked,
                &next,
                problem,
                StatusCode::UNAUTHORIZED,
            ));
        }
    };
    let ctx = AuditContext {
        request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
        address: Some(address),
        ..AuditContext::default()
    };
    let (token, _) = console_sessions::start(&state.db, &state.settings, user_id, picked, &ctx).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, next))
        .insert_header(session::set_cookie(
            &req,
            SESSION_COOKIE,
            &token,
            state.settings.console_session_ttl_secs,
        ))
        .append_header(session::set_cookie(&req, SIGN_IN_COOKIE, "", 0))
        .finish())
}

async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    console_sessions::sign_out(&state.db, viewer.session.id, &viewer.audit()).await?;
    let lang = viewer.reader.locale.tag();
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/console/sign-in?lang={lang}")))
        .insert_header(session::set_cookie(&req, SESSION_COOKIE, "", 0))
        .finish())
}

#[derive(Debug, Deserialize)]
struct LanguageForm {
    locale: String,
    back: Option<String>,
}

async fn choose_language(
    state: web::Data<AppState>,
    submitted: Submitted<LanguageForm>,
) -> Result<HttpResponse, ConsoleError> {
    let back = safe_next(submitted.form.back.as_deref().unwrap_or("/console")).to_owned();
    let locale = Locale::from_tag(&submitted.form.locale).ok_or_else(|| {
        ApiError::from(domain::DomainError::invalid(
            "/locale",
            Msg::OneOf {
                values: Locale::TAGS.iter().map(|t| (*t).to_owned()).collect(),
            },
        ))
    })?;
    console_sessions::set_locale(&state.db, submitted.viewer.session.id, locale).await?;
    Ok(see_other(&back))
}
