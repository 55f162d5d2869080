//! Tests of the hardening issue: what an attacker or a careless client
//! tried, and what the service must now refuse or survive, the same way in
//! both modes.

mod contract;
mod deal_support;
mod escalation;
mod headers;
mod input;
mod logs;
mod money;
mod queue_at_start;
mod team_kpis;
mod throttling;
mod training_reach;
mod unauthorized;
