//! Tests of the hardening issue: what an attacker or a careless client
//! tried, and what the service must now refuse or survive, the same way in
//! both modes.

mod deal_support;
mod escalation;
mod input;
mod money;
mod team_kpis;
mod training_reach;
