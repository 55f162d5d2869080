//! Tests of the regulation's further rules (issue 12), one module per feature.

mod routing;
