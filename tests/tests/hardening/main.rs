//! Tests of the hardening issue: what an attacker or a careless client
//! tried against the released service.

mod headers;
mod logs;
mod queue_at_start;
mod throttling;
mod unauthorized;
