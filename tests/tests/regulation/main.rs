//! Tests of the regulation's articles, one module per feature.

mod agenda;
