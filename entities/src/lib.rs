//! sea-orm entities of EstateFlow: one module per table, plain data only.
//! Behaviour that reads or writes them lives in the `domain` crate.

pub mod api_clients;
pub mod audit_log;
pub mod complaints;
pub mod customer_events;
pub mod customers;
pub mod deals;
pub mod event_invitations;
pub mod follow_ups;
pub mod handover_checklist_items;
pub mod handovers;
pub mod idempotency_keys;
pub mod inspection_issues;
pub mod login_failures;
pub mod needs_assessments;
pub mod prelude;
pub mod refresh_tokens;
pub mod regions;
pub mod role_permissions;
pub mod roles;
pub mod system_settings;
pub mod targets;
pub mod teams;
pub mod timeline_entries;
pub mod training_attendees;
pub mod trainings;
pub mod units;
pub mod user_roles;
pub mod users;
pub mod visits;
