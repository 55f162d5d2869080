//! Tests of the regulation's rules (issue 12), one module per feature.

mod agenda;
mod approvals;
mod bonuses;
mod care;
mod defects;
mod details;
mod privacy;
mod reports;
mod routing;
mod talent;
mod targets;
