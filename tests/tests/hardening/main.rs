//! Tests of the hardening issue: input that used to break the service or
//! slip through, refused at the edge the same way in both modes.

mod input;
