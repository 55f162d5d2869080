//! What must survive: several worker processes sharing the timers, a worker
//! killed mid-job, a Redis emptied, or killed and restarted empty, under
//! pending timers. (The burst of 100,000 timers: tests/tests/burst.)

use std::time::{Duration, Instant};

use chrono::Utc;
use entities::{award_runs, timers};
use queue::{
    QueueClient,
    probe::{self, Probe},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use tests::{
    Backends, JWT_SECRET, TestApp, TestData, eventually, probe_timers,
    process::{OwnRedis, ServiceProcess, free_port, run_once},
};
use uuid::Uuid;

use crate::{count, quick_app};

const BIN: &str = env!("CARGO_BIN_EXE_estateflow-under-test");

/// The environment of a worker process on the test's database and queue.
fn worker_env(data: &TestData, backends: &Backends) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("ESTATEFLOW_BIND", "127.0.0.1:0".to_owned()),
        ("ESTATEFLOW_WORKER_BIND", "127.0.0.1:0".to_owned()),
        ("ESTATEFLOW_DATABASE_URL", data.database_url()),
        ("ESTATEFLOW_JWT_SECRET", JWT_SECRET.to_owned()),
        ("ESTATEFLOW_TIMER_PUMP_INTERVAL_MS", "100".to_owned()),
        ("ESTATEFLOW_QUEUE_POLL_INTERVAL_MS", "50".to_owned()),
        ("ESTATEFLOW_WORKER_HEARTBEAT_SECS", "2".to_owned()),
        ("ESTATEFLOW_TIMER_REQUEUE_SECS", "10".to_owned()),
        ("ESTATEFLOW_LOG", "warn".to_owned()),
    ];
    if let (Some(redis), Some((_, namespace))) = (&backends.redis, &data.redis) {
        env.push(("ESTATEFLOW_REDIS_URL", redis.clone()));
        env.push(("ESTATEFLOW_REDIS_NAMESPACE", namespace.clone()));
    }
    env
}

struct Replicas {
    data: Option<TestData>,
    db: sea_orm::DatabaseConnection,
    queue: QueueClient,
    workers: Vec<ServiceProcess>,
    dir: std::path::PathBuf,
}

/// Two `estateflow worker` processes on one freshly migrated database and queue.
async fn two_workers() -> Replicas {
    let backends = Backends::from_env();
    let data = TestData::create(backends).await;
    let dir = std::env::temp_dir().join(format!("estateflow-engine-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let env = worker_env(&data, backends);
    let (status, output) = run_once(BIN, &["migrate"], &env, &dir, "").await;
    assert!(status.success(), "{output}");
    let settings = domain::Settings {
        database_url: domain::platform::secret::ConnectionUrl::new(data.database_url()),
        redis_url: backends.redis.clone().map(domain::platform::secret::ConnectionUrl::new),
        redis_namespace: data.redis.as_ref().map(|(_, ns)| ns.clone()).unwrap_or_default(),
        ..domain::Settings::default()
    };
    let db = domain::platform::db::connect(&settings).await.expect("database");
    let queue = QueueClient::connect(&settings, &db).await.expect("queue");
    queue.setup().await.expect("queue setup");
    let mut workers = Vec::new();
    for _ in 0..2 {
        workers.push(ServiceProcess::start(BIN, &["worker"], &env, &dir, true).await);
    }
    Replicas {
        data: Some(data),
        db,
        queue,
        workers,
        dir,
    }
}

impl Replicas {
    async fn stop(mut self) {
        for worker in &mut self.workers {
            worker.kill().await;
        }
        if let Some(data) = self.data.take() {
            data.remove().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    fn output(&self) -> String {
        self.workers
            .iter()
            .map(|w| w.lines().join("\n"))
            .collect::<Vec<_>>()
            .join("\n----\n")
    }
}

async fn count_state(db: &sea_orm::DatabaseConnection, state: &str) -> u64 {
    timers::Entity::find()
        .filter(timers::Column::Kind.eq(domain::engine::dispatch::PROBE))
        .filter(timers::Column::State.eq(state))
        .count(db)
        .await
        .expect("count")
}

async fn fired_count(db: &sea_orm::DatabaseConnection) -> u64 {
    count_state(db, "fired").await
}

#[tokio::test]
async fn two_worker_processes_fire_every_timer_once_and_compute_the_quarterly_award_once() {
    let replicas = two_workers().await;
    let n = 2_000;
    // Due over two seconds, so that both pumps claim and both workers
    // poll while they fall due (at once, one replica may drain them all).
    for step in 0..20 {
        let due_in = chrono::Duration::milliseconds(1_000 + step * 100);
        domain::outbox::timers::schedule_many(&replicas.db, probe_timers(n / 20, due_in))
            .await
            .expect("timers");
    }
    eventually(Duration::from_secs(90), "every timer fired", || async {
        (fired_count(&replicas.db).await == n as u64).then_some(())
    })
    .await;
    let by: Vec<(Option<String>, i32)> = timers::Entity::find()
        .select_only()
        .column(timers::Column::FiredBy)
        .column(timers::Column::Attempts)
        .filter(timers::Column::Kind.eq(domain::engine::dispatch::PROBE))
        .into_tuple()
        .all(&replicas.db)
        .await
        .expect("timers");
    let mut instances: Vec<String> = by.iter().filter_map(|(i, _)| i.clone()).collect();
    instances.sort();
    instances.dedup();
    assert_eq!(
        instances.len(),
        2,
        "both replicas fired timers: {instances:?}\n{}",
        replicas.output()
    );
    assert_eq!(
        count_state(&replicas.db, "queued").await + count_state(&replicas.db, "pending").await,
        0
    );
    // Each worker process shows its own share on its /metrics.
    let mut scraped = String::new();
    for worker in &replicas.workers {
        let api = worker.api();
        assert_eq!(api.get("/readyz", None).await.status(), 200);
        let metrics = api.get("/metrics", None).await.text().await.expect("metrics");
        let processed = metrics
            .lines()
            .find(|l| l.starts_with("estateflow_jobs_processed_total{queue=\"estateflow.sla\"}"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse::<u64>().ok());
        assert!(processed.is_some_and(|n| n > 0), "{metrics}");
        scraped.push_str(&metrics);
    }
    // The periodic runs, wherever they ran, measured their lag.
    assert!(
        scraped.contains("estateflow_timer_lag_seconds_bucket{kind=\"periodic\""),
        "{scraped}"
    );

    // Both replicas ensured the Sales Star of the quarter just ended: one run, published.
    let run = eventually(Duration::from_secs(30), "the scheduled award published", || async {
        let runs = award_runs::Entity::find()
            .filter(award_runs::Column::Trigger.eq("scheduled"))
            .all(&replicas.db)
            .await
            .expect("runs");
        (runs.len() == 1 && runs[0].status == award_runs::RunStatus::Published).then(|| runs[0].clone())
    })
    .await;
    // A second run could only come from a timer still to fire (the periodic
    // timer is one per quarter, keyed by it): once none is due and open,
    // the count is final.
    eventually(Duration::from_secs(30), "every due timer fired", || async {
        let open = timers::Entity::find()
            .filter(timers::Column::State.is_in(["pending", "queued"]))
            .filter(timers::Column::DueAt.lte(Utc::now()))
            .count(&replicas.db)
            .await
            .expect("count");
        (open == 0).then_some(())
    })
    .await;
    let runs = award_runs::Entity::find().count(&replicas.db).await.expect("count");
    assert_eq!(runs, 1, "{run:?}\n{}", replicas.output());
    replicas.stop().await;
}

#[tokio::test]
async fn a_job_whose_worker_is_killed_completes_on_the_other_worker_once() {
    let replicas = two_workers().await;
    let id = Uuid::now_v7();
    let key = Probe::effect_key(id);
    domain::platform::system::insert_if_absent(&replicas.db, &key, probe::QUEUED)
        .await
        .expect("register");
    replicas
        .queue
        .push(Probe {
            id,
            hold_ms: 4_000,
            fail: false,
            flaky: false,
        })
        .await
        .expect("push");
    let holder = eventually(Duration::from_secs(20), "a worker holding the job", || async {
        let state = domain::platform::system::get(&replicas.db, &key)
            .await
            .expect("state")?;
        state.strip_prefix(probe::RUNNING).map(str::to_owned)
    })
    .await;
    // The instance name is <host>-<pid>-<suffix>.
    let pid: u32 = holder
        .split('-')
        .rev()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("pid in instance");
    let mut replicas = replicas;
    let victim = replicas
        .workers
        .iter()
        .position(|w| w.pid() == pid)
        .expect("the holder is one of ours");
    let killed_at = Instant::now();
    replicas.workers[victim].kill().await;
    let done = eventually(Duration::from_secs(30), "the job completed elsewhere", || async {
        let state = domain::platform::system::get(&replicas.db, &key)
            .await
            .expect("state")?;
        (state != probe::QUEUED && !state.starts_with(probe::RUNNING)).then_some(state)
    })
    .await;
    eprintln!("completed {:?} after the kill", killed_at.elapsed());
    assert_ne!(done, holder, "{}", replicas.output());
    replicas.stop().await;
}

async fn delete_namespace(app: &TestApp) {
    let (Some(redis), Some(ns)) = (
        Backends::from_env().redis.clone(),
        Some(app.settings.redis_namespace.clone()),
    ) else {
        return;
    };
    let client = redis::Client::open(redis).expect("redis");
    let mut conn = client.get_multiplexed_async_connection().await.expect("connect");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{ns}:*"))
        .query_async(&mut conn)
        .await
        .expect("keys");
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL").arg(keys).query_async(&mut conn).await.expect("del");
    }
}

#[tokio::test]
async fn timers_pending_or_queued_when_redis_is_emptied_all_still_fire() {
    let app = quick_app().await;
    if app.settings.redis_url.is_none() {
        eprintln!("embedded mode: no Redis to empty; the database alone holds the timers");
    }
    domain::outbox::timers::schedule_many(&app.db, probe_timers(300, chrono::Duration::zero()))
        .await
        .expect("due");
    domain::outbox::timers::schedule_many(&app.db, probe_timers(300, chrono::Duration::seconds(2)))
        .await
        .expect("pending");
    // Once the pump has claimed some, the queue loses them all.
    eventually(Duration::from_secs(10), "the pump claiming due timers", || async {
        let claimed = count(&app, domain::engine::dispatch::PROBE, "queued").await
            + count(&app, domain::engine::dispatch::PROBE, "fired").await;
        (claimed > 0).then_some(())
    })
    .await;
    delete_namespace(&app).await;
    eventually(Duration::from_secs(40), "every timer fired", || async {
        (count(&app, domain::engine::dispatch::PROBE, "fired").await == 600).then_some(())
    })
    .await;
}

/// Quick timers, and a deadline lane that may hold only two jobs (100
/// timers) in the queue.
fn quick_timers_small_backlog(settings: &mut domain::Settings) {
    tests::quick_timers(settings);
    settings.timer_max_backlog = 2;
}

#[tokio::test]
async fn timers_pending_or_queued_when_redis_is_killed_and_restarts_empty_all_still_fire() {
    let from_env = Backends::from_env();
    if from_env.redis.is_none() {
        eprintln!("embedded mode: no Redis to restart; the database alone holds the timers");
        return;
    }
    let port = free_port();
    let mut redis = OwnRedis::start(port).await;
    let app = tests::spawn_app_with(tests::AppOptions {
        backends: Backends {
            postgres: from_env.postgres.clone(),
            redis: Some(redis.url()),
        },
        customise: quick_timers_small_backlog,
        ..tests::AppOptions::default()
    })
    .await;
    // The timer jobs wait in Redis: their queue is paused, and the pump
    // stops at its backlog (two jobs of 50), with 200 due timers left.
    let admin = app.admin_token().await;
    let pause = |action: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let path = format!("/api/v1/admin/queues/estateflow.sla/{action}");
            let response = app.post_json(&path, Some(&admin), &serde_json::json!({})).await;
            assert!(response.status().is_success(), "{action}: {}", response.status());
        }
    };
    pause("pause").await;
    domain::outbox::timers::schedule_many(&app.db, probe_timers(300, chrono::Duration::zero()))
        .await
        .expect("due");
    domain::outbox::timers::schedule_many(&app.db, probe_timers(300, chrono::Duration::seconds(3)))
        .await
        .expect("pending");
    // (Until the worker sees the pause it may still fire some; then the
    // backlog stands still at two jobs.)
    eventually(Duration::from_secs(20), "a full backlog standing in Redis", || async {
        let fired = count(&app, domain::engine::dispatch::PROBE, "fired").await;
        let queued = count(&app, domain::engine::dispatch::PROBE, "queued").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let still = count(&app, domain::engine::dispatch::PROBE, "queued").await == queued
            && count(&app, domain::engine::dispatch::PROBE, "fired").await == fired;
        (queued == 100 && still).then_some(())
    })
    .await;
    // Redis dies with whatever it held and comes back empty: the database
    // still says 100 timers are queued, the queue says nothing waits, and
    // the pump takes those back (after the requeue interval) and the rest.
    redis.child.kill().await.expect("kill redis-server");
    eventually(Duration::from_secs(10), "the service seeing the queue down", || async {
        (app.get("/readyz", None).await.status() == 503).then_some(())
    })
    .await;
    let restarted = OwnRedis::start(port).await;
    pause("resume").await;
    eventually(Duration::from_secs(60), "every timer fired", || async {
        (count(&app, domain::engine::dispatch::PROBE, "fired").await == 600).then_some(())
    })
    .await;
    // And the queue keeps taking work.
    let probe = app.push_probe(&admin, 0).await;
    eventually(Duration::from_secs(40), "a new job handled", || async {
        (app.probe(&admin, &probe, 5_000).await["status"] == "handled").then_some(())
    })
    .await;
    drop(restarted);
}
