//! The job payloads and the one registry of queues. A payload is a small
//! serde struct of ids; its queue has a stable name (never a Rust type path,
//! so renaming a type does not orphan queued jobs). [`Queue::ALL`], the
//! names and each payload's queue all come from the `registry!` below, so a
//! new queue is one line there (and the worker does not compile until it
//! has a handler for it).

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::probe::Probe;

/// The arguments of a job, queued on its registered queue.
pub trait Payload: Serialize + DeserializeOwned + Send + Sync + Unpin + 'static {
    /// The queue that carries this payload.
    const QUEUE: Queue;
}

macro_rules! registry {
    ($($(#[$doc:meta])* $queue:ident($payload:ty) = $name:literal,)+) => {
        /// Every queue of the service.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Queue {
            $($(#[$doc])* $queue,)+
        }

        impl Queue {
            /// Every queue, in registry order.
            pub const ALL: &'static [Queue] = &[$(Queue::$queue,)+];

            /// The stable name; part of the storage layout, never change it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Queue::$queue => $name,)+
                }
            }
        }

        $(impl Payload for $payload {
            const QUEUE: Queue = Queue::$queue;
        })+
    };
}

registry! {
    /// Probes of the path API → queue → worker → database.
    Probe(Probe) = "estateflow.system.probe",
    /// SLA deadlines, reminders, tasks and probe timers.
    Sla(SlaTimer) = "estateflow.sla",
    /// KPI snapshots, digests, Sales Star.
    Periodic(PeriodicRun) = "estateflow.periodic",
    /// Webhook delivery attempts.
    Webhooks(WebhookDelivery) = "estateflow.webhooks",
}

impl Queue {
    /// The queue called `name`, if it is one of ours.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|queue| queue.name() == name)
    }
}

/// Due timers of the SLA family (deadlines, reminders, tasks, probe
/// timers), a few per job: the pump groups timers claimed together, so a
/// burst costs fewer queue round trips, and the handler fires them
/// together (the deadlines among them in one transaction).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlaTimer {
    pub timer_ids: Vec<Uuid>,
}

/// Most timers in one `SlaTimer` job.
pub const TIMERS_PER_JOB: usize = domain::outbox::timers::Lane::Deadlines.timers_per_job();

/// A due periodic run: KPI snapshot, digests, Sales Star.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeriodicRun {
    pub timer_id: Uuid,
}

/// Attempts at webhook deliveries, a few per job: sent together, their
/// bookkeeping written together.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub timer_ids: Vec<Uuid>,
}

/// Most delivery attempts in one `WebhookDelivery` job.
pub const ATTEMPTS_PER_JOB: usize = domain::outbox::timers::Lane::Webhooks.timers_per_job();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names_are_stable_unique_and_found_by_name_only() {
        let names: Vec<&str> = Queue::ALL.iter().map(|q| q.name()).collect();
        assert_eq!(
            names,
            [
                "estateflow.system.probe",
                "estateflow.sla",
                "estateflow.periodic",
                "estateflow.webhooks"
            ]
        );
        for queue in Queue::ALL {
            assert_eq!(Queue::named(queue.name()), Some(*queue));
        }
        assert_eq!(Queue::named("estateflow"), None);
        assert_eq!(Queue::named("Probe"), None);
    }
}
