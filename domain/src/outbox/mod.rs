//! Outbox: what a business change leaves for later, written in the change's
//! own transaction — timers (the deadlines of the SLA policies and every
//! other delayed job), business events with their webhook deliveries, and
//! notifications. What runs when a timer falls due is `engine`'s.
//! Uses `platform` and `access`.

pub mod agenda;
pub mod events;
pub mod notifications;
pub mod sla;
pub mod timers;
pub mod webhooks;
