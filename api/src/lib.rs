//! The HTTP API of EstateFlow. [`Application::build`] binds the listener and
//! wires state, middleware and routes; the binary and the tests both start
//! the service through it.

pub mod auth;
pub mod console;
pub mod edge;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod language;
pub mod metrics;
pub mod openapi;
pub mod rate_limit;
pub mod routes;
pub mod state;
pub mod vocab;

use std::net::TcpListener;

use actix_web::{App, HttpResponse, HttpServer, dev::Server, http::header, middleware::from_fn, web};
use domain::Settings;
use queue::QueueClient;
use sea_orm::DatabaseConnection;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::{auth::TokenKeys, metrics::HttpMetrics, openapi::OpenApiJson, state::AppState};

/// A bound, not yet running HTTP server.
pub struct Application {
    port: u16,
    server: Server,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// The server could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot listen on {bind}: {source}")]
    Bind { bind: String, source: std::io::Error },
    #[error(transparent)]
    Domain(#[from] domain::DomainError),
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("OpenAPI document: {0}")]
    Openapi(#[from] serde_json::Error),
}

impl Application {
    /// Binds `settings.bind` (port 0 picks a free port) and prepares the server.
    pub async fn build(settings: &Settings, db: DatabaseConnection, queue: QueueClient) -> Result<Self, BuildError> {
        let (listener, port) = listen(&settings.bind)?;
        let state = state(settings, db, queue).await?;
        let openapi = web::Data::new(OpenApiJson(openapi::openapi_pretty_json()?));
        let body_limit = settings.body_limit_bytes;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(openapi.clone())
                .configure(|cfg| extract::configure(cfg, body_limit))
                .wrap(from_fn(idempotency::idempotency))
                .wrap(from_fn(extract::screen_path))
                .wrap(from_fn(edge::edge))
                .configure(routes::configure)
                .configure(console::configure)
                .service(web::resource("/docs").get(docs_redirect))
                .service(
                    SwaggerUi::new("/docs/{_:.*}").config(
                        // "none": Swagger UI would otherwise fetch a badge from an external validator.
                        SwaggerConfig::new(["/api/v1/openapi.json"])
                            .validator_url("none")
                            .persist_authorization(true),
                    ),
                )
                .default_service(web::to(edge::route_not_found))
        })
        .listen(listener)
        .map_err(|source| bind_error(&settings.bind, source))?
        .disable_signals()
        .shutdown_timeout(settings.shutdown_timeout_secs)
        .run();
        Ok(Self { port, server })
    }

    /// The HTTP face of a worker process: only `/healthz`, `/readyz` and
    /// `/metrics` (with this process's job metrics), on `bind`.
    pub async fn build_probes(
        settings: &Settings,
        db: DatabaseConnection,
        queue: QueueClient,
        bind: &str,
    ) -> Result<Self, BuildError> {
        let (listener, port) = listen(bind)?;
        let state = state(settings, db, queue).await?;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(edge::edge))
                .configure(routes::configure_probes)
                .default_service(web::to(edge::route_not_found))
        })
        .workers(1)
        .listen(listener)
        .map_err(|source| bind_error(bind, source))?
        .disable_signals()
        .shutdown_timeout(settings.shutdown_timeout_secs)
        .run();
        Ok(Self { port, server })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server gracefully (`stop(true)` finishes in-flight requests).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped through the handle.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Binds `bind`; port 0 picks a free port.
fn listen(bind: &str) -> Result<(TcpListener, u16), BuildError> {
    let listener = TcpListener::bind(bind).map_err(|e| bind_error(bind, e))?;
    let port = listener.local_addr().map_err(|e| bind_error(bind, e))?.port();
    Ok((listener, port))
}

fn bind_error(bind: &str, source: std::io::Error) -> BuildError {
    BuildError::Bind {
        bind: bind.to_owned(),
        source,
    }
}

/// The state every handler shares.
async fn state(
    settings: &Settings,
    db: DatabaseConnection,
    queue: QueueClient,
) -> Result<web::Data<AppState>, BuildError> {
    let jwt_secret = domain::platform::system::jwt_secret(&db, settings).await?;
    Ok(web::Data::new(AppState {
        db,
        queue,
        settings: settings.clone(),
        tokens: TokenKeys::new(&jwt_secret, settings.access_token_ttl_secs),
        metrics: HttpMetrics::new()?,
        rate_limits: Default::default(),
        console_queues: Default::default(),
        callers: Default::default(),
    }))
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}
