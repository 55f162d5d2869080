//! Tests of the regulation's rules (issue 12), one module per feature.

mod agenda;
mod approvals;
mod care;
mod defects;
mod privacy;
mod routing;
mod talent;
mod targets;
