//! The quarterly Sales Star (销售之星): a ranking of every consultant on the
//! quarter's figures, under versioned rules an administrator sets (weights,
//! eligibility, bonus tiers and pool). A run ranks one quarter with the rules
//! current when it is computed and stores everything needed to explain the
//! result: the rules version, each person's figures, normalised values,
//! score, eligibility, rank, tier and bonus. The ranking itself is the pure
//! function [`ranking::rank`]; runs are requested on demand
//! ([`runs::request_run`]) or claimed once per quarter by the scheduler
//! ([`runs::claim_scheduled_run`]) and then computed by a worker
//! ([`runs::compute_run`]).

pub mod ranking;
pub mod rules;
pub mod runs;
