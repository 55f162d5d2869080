//! Tests of the regulation's rules (issue 12), one module per feature.

mod agenda;
mod approvals;
mod defects;
mod details;
mod privacy;
mod routing;
mod talent;
mod targets;
