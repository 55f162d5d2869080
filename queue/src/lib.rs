//! The job system's edge, shared by the API and the workers: the job
//! payloads and their queues in one registry ([`jobs`]), the queue client
//! for either deployment mode ([`client`]), inspection, operator actions and
//! pause flags ([`inspect`]), job metrics ([`metrics`]) and the probe
//! ([`probe`]). No handlers: those run in the `worker` crate.

pub mod client;
pub mod inspect;
pub mod jobs;
pub mod metrics;
pub mod probe;

pub use client::{QueueClient, QueueError};
pub use jobs::{Payload, Queue};
