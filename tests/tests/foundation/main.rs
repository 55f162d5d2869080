//! Tests of the foundation: HTTP basics, errors, OpenAPI, tokens, the queue
//! path, and the binary's modes, signals and restarts.

mod errors;
mod health;
mod language;
mod openapi;
mod process;
mod queue;
mod queue_ops;
mod readiness;
mod tokens;
