//! Business rules and the services that apply them through sea-orm. Both the
//! HTTP API and the workers call into this crate, so a rule is written once.

pub mod actor;
pub mod after_sales;
pub mod api_clients;
pub mod assignment;
pub mod audit;
pub mod awards;
pub mod complaints;
pub mod credentials;
pub mod customer_csv;
pub mod customer_events;
pub mod customers;
pub mod db;
pub mod deal_stages;
pub mod deals;
pub mod demo;
pub mod demo_sales;
pub mod error;
pub mod follow_ups;
pub mod idempotency;
pub mod kpis;
pub mod needs;
pub mod org;
pub mod page;
pub mod permissions;
pub mod roles;
pub mod secret;
pub mod sessions;
pub mod settings;
pub mod system;
pub mod targets;
pub mod timeline;
pub mod trainings;
pub mod units;
pub mod users;
pub mod version;

pub use error::{DomainError, FieldError};
pub use secret::Secret;
pub use settings::Settings;
