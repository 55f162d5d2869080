//! Tests of the hardening: input that must be refused at the edge, figures
//! that must not break on bad rows, and what errors tell callers.

mod money;
