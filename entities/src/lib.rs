//! sea-orm entities of EstateFlow: one module per table, plain data only.
//! Behaviour that reads or writes them lives in the `domain` crate.

pub mod prelude;
pub mod regions;
pub mod roles;
pub mod system_settings;
pub mod teams;
pub mod user_roles;
pub mod users;
