//! A burst: 100,000 timers due at the same moment (apalis-redis alone stops
//! at about 8,000 due jobs). The pump claims them in bounded batches with
//! back-pressure; all fire, and the queue keeps running.

use std::time::{Duration, Instant};

use sea_orm::TransactionTrait;
use tests::eventually;

use crate::{count, durability::probe_timers, quick_app};

#[tokio::test]
async fn a_hundred_thousand_timers_due_at_once_all_fire_and_the_queue_keeps_running() {
    let app = quick_app().await;
    let n: u64 = 100_000;
    let started = Instant::now();
    let txn = app.db.begin().await.expect("begin");
    domain::timers::schedule_many(&txn, probe_timers(n as usize, chrono::Duration::zero()))
        .await
        .expect("timers");
    txn.commit().await.expect("commit");
    eprintln!("wrote {n} timers in {:?}", started.elapsed());
    let started = Instant::now();
    eventually(Duration::from_secs(900), "every timer fired", || async {
        let fired = count(&app, domain::engine::PROBE, "fired").await;
        (fired == n).then_some(())
    })
    .await;
    eprintln!("fired {n} timers in {:?}", started.elapsed());
    // The queue still runs: a probe job pushed now is handled.
    let token = app.admin_token().await;
    let probe = app.push_probe(&token, 0).await;
    let handled = app.probe(&token, &probe, 10_000).await;
    assert_eq!(handled["status"], "handled");
}
