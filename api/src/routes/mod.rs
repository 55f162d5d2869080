//! Route handlers, one module per resource. Handlers stay thin: extract,
//! call `domain`, respond.

pub mod health;
pub mod me;
pub mod probes;
pub mod token;

use actix_web::web;

/// Every route of the service. Each path is a resource, so a request with
/// a method the path does not serve is 405, not 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").get(health::healthz))
        .service(web::resource("/readyz").get(health::readyz))
        .service(web::resource("/metrics").get(health::metrics))
        .service(
            web::scope("/api/v1")
                .service(web::resource("/openapi.json").get(crate::openapi::openapi_json))
                .service(web::resource("/auth/token").post(token::create_token))
                .service(web::resource("/me").get(me::get_me))
                .service(web::resource("/admin/queue-probes").post(probes::create_queue_probe))
                .service(web::resource("/admin/queue-probes/{id}").get(probes::get_queue_probe)),
        );
}
