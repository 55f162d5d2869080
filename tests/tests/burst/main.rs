//! A burst: 100,000 timers due at the same moment (apalis-redis alone stops
//! at about 8,000 due jobs), in a test binary of its own so that it does not
//! slow the timing tests down. The pump claims them in bounded batches with
//! back-pressure; all fire, and the queue keeps running.

use std::time::{Duration, Instant};

use domain::Settings;
use entities::timers;
use queue::Queue;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use tests::{AppOptions, eventually, probe_timers, spawn_app_with};

/// Most jobs of a lane waiting in the queue here (the default is 2,000).
const BACKLOG: u64 = 100;

fn quick(settings: &mut Settings) {
    settings.timer_pump_interval_ms = 100;
    settings.queue_poll_interval_ms = 50;
    settings.timer_max_backlog = BACKLOG;
}

#[tokio::test]
async fn a_hundred_thousand_timers_due_at_once_all_fire_and_the_queue_keeps_running() {
    let app = spawn_app_with(AppOptions {
        customise: quick,
        ..AppOptions::default()
    })
    .await;
    let n: u64 = 100_000;
    let probes = probe_timers(n.try_into().expect("a count of timers"), chrono::Duration::zero());
    let started = Instant::now();
    let txn = app.db.begin().await.expect("begin");
    domain::outbox::timers::schedule_many(&txn, probes)
        .await
        .expect("timers");
    txn.commit().await.expect("commit");
    eprintln!("wrote {n} timers in {:?}", started.elapsed());
    let started = Instant::now();
    let most_waiting = std::cell::Cell::new(0);
    eventually(Duration::from_secs(900), "every timer fired", || async {
        let waiting = app.queue.waiting(Queue::Sla).await.expect("backlog");
        most_waiting.set(most_waiting.get().max(waiting));
        let fired = timers::Entity::find()
            .filter(timers::Column::Kind.eq(domain::engine::dispatch::PROBE))
            .filter(timers::Column::State.eq("fired"))
            .count(&app.db)
            .await
            .expect("count");
        (fired == n).then_some(())
    })
    .await;
    eprintln!("fired {n} timers in {:?}", started.elapsed());
    // Back-pressure held: never more jobs waiting in the queue than the lane may have.
    let most_waiting = most_waiting.get();
    assert!(most_waiting > 0, "the backlog was seen");
    assert!(most_waiting <= BACKLOG, "{most_waiting} jobs waited");
    // The queue still runs: a probe job pushed now is handled.
    let token = app.admin_token().await;
    let probe = app.push_probe(&token, 0).await;
    let handled = app.probe(&token, &probe, 10_000).await;
    assert_eq!(handled["status"], "handled");
}
