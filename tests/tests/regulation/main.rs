//! Tests of the regulation's rules (issue 12), one module per feature.

mod defects;
mod privacy;
mod routing;
