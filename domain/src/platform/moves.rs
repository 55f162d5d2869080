//! What the typed state machines (a customer's status, a deal's stage, an
//! approval request's state) share: a move the machine refuses, with the
//! moves it allows from there, reported as one `illegal_transition`.

use std::fmt::Display;

use crate::platform::{error::DomainError, text::Msg};

/// A state of a machine, with what its records are called.
pub trait State: Copy + PartialEq + Display {
    /// What an illegal move calls the record ("deal").
    const NAME: Msg;
}

/// A move the machine does not allow, with the moves it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalMove<S> {
    pub from: S,
    pub to: S,
    pub allowed: Vec<S>,
}

impl<S: State> From<IllegalMove<S>> for DomainError {
    fn from(m: IllegalMove<S>) -> Self {
        Self::IllegalTransition {
            what: Box::new(S::NAME),
            from: m.from.to_string(),
            to: m.to.to_string(),
            allowed: m.allowed.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The move `from` → `to`, given the states `allowed` from `from`.
pub fn check<S: PartialEq>(from: S, to: S, allowed: Vec<S>) -> Result<(), IllegalMove<S>> {
    if allowed.contains(&to) {
        Ok(())
    } else {
        Err(IllegalMove { from, to, allowed })
    }
}
