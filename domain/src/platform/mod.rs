//! Platform: what every rule stands on and that knows no business —
//! database connection, settings and secrets, the one error type, input
//! screening, money amounts, state-machine moves, pages, idempotency keys, record versions and
//! credentials, queue throughput figures, and the texts people read in their language. Uses no
//! other group.

pub mod calendar;
pub mod credentials;
pub mod db;
pub mod error;
pub mod idempotency;
pub mod input;
pub mod money;
pub mod moves;
pub mod page;
pub mod phone;
pub mod secret;
pub mod settings;
pub mod system;
pub mod text;
pub mod throughput;
pub mod version;
