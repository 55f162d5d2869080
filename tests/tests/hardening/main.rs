//! Tests of the hardening issue: what an attacker or a careless client
//! tried against the released service.

mod throttling;
mod unauthorized;
