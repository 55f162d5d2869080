//! Tests of the hardening issue: input that breaks the service, privilege
//! escalation, headers and throttling, and the honesty of the OpenAPI
//! document.

mod contract;
