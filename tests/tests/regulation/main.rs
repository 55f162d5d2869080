//! Tests of the regulation's rules, one module per feature.

mod defects;
mod privacy;
