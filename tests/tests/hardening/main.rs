//! Tests of the hardening issue: what an attacker or a careless client
//! tried, and what the service must now refuse or survive.

mod deal_support;
mod escalation;
mod team_kpis;
mod training_reach;
