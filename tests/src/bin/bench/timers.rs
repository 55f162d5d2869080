//! The timer benchmark of docs/benchmarks.md: a burst of first-response
//! deadlines due at the same instant, each recording its full effect
//! (breach, manager's notification, timeline entry, the partner's webhook
//! delivery), fired by `--workers` separate `estateflow worker` processes;
//! then a sustained rate of deadlines, to measure how late each fires.
//!
//! PostgreSQL + Redis when `ESTATEFLOW_TEST_DATABASE_URL` and
//! `ESTATEFLOW_TEST_REDIS_URL` are set, else embedded (SQLite and its queue).
//! Uses the release `estateflow` binary next to this one:
//!
//! `cargo build --release --workspace --bins && target/release/bench timers [--timers 100000] [--workers 1] [--rate 1000] [--sustained-secs 30]`
//!
//! Seeds the demo organisation plus one customer per deadline (owned by
//! the demo consultants in turn, from the demo partner platform, which
//! subscribes to `lead.sla_breached` with a local receiver answering 204).
//! Prints a Markdown table.

use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use entities::{customers, sla_breaches, timers};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set, sea_query::Expr,
};
use tests::{AppOptions, process::ServiceProcess, spawn_app_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::{estateflow, memory, percentile};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// First-response deadlines due at once (and no-op timers).
    #[arg(long, default_value_t = 100_000)]
    timers: usize,
    /// `estateflow worker` processes.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    workers: u16,
    /// Deadlines a second in the sustained run.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    rate: u32,
    /// How long the sustained run lasts.
    #[arg(long, default_value_t = 30)]
    sustained_secs: u32,
    /// Also run the same workloads on BullMQ (`bench/peers`, production mode only).
    #[arg(long)]
    peer: bool,
    /// Leave the partner without a webhook subscription: breaches record no
    /// delivery (by default each records one, as BullMQ's handler does; the
    /// delivery queue stays paused while the deadlines are measured, then
    /// the deliveries are sent and timed on their own).
    #[arg(long)]
    no_webhook: bool,
    /// Also draw the results as an SVG bar chart into this file.
    #[arg(long)]
    svg: Option<PathBuf>,
}

/// A webhook receiver answering every request with 204; counts them.
async fn sink() -> (u16, Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
    let port = listener.local_addr().expect("sink addr").port();
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    // One request: headers, then the body its length names.
                    let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    while buffer.len() < end + 4 + length {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buffer.drain(..end + 4 + length);
                    counted.fetch_add(1, Ordering::Relaxed);
                    if stream
                        .write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (port, count)
}

/// What the seeded customers hang on: the demo consultants with their
/// teams, the demo partner platform, the first-response policy in force.
struct Org {
    owners: Vec<(Uuid, Uuid)>,
    partner: Uuid,
    policy_version: i32,
}

impl Org {
    async fn load(db: &DatabaseConnection) -> Org {
        let owners = customers::Entity::find()
            .select_only()
            .column(customers::Column::OwnerId)
            .column(customers::Column::TeamId)
            .filter(customers::Column::OwnerId.is_not_null())
            .filter(customers::Column::TeamId.is_not_null())
            .distinct()
            .into_tuple()
            .all(db)
            .await
            .expect("demo owners");
        let partner = entities::api_clients::Entity::find()
            .select_only()
            .column(entities::api_clients::Column::Id)
            .into_tuple()
            .one(db)
            .await
            .expect("partner")
            .expect("the demo partner platform");
        let policy_version = domain::outbox::sla::current(db, domain::outbox::sla::SlaKind::FirstResponse)
            .await
            .expect("policy")
            .version;
        Org {
            owners,
            partner,
            policy_version,
        }
    }
}

/// Customers of the demo consultants, each with a first-response deadline
/// due far ahead (`prefix` names the timers), written in bulk.
async fn seed(db: &DatabaseConnection, org: &Org, n: usize, prefix: &str) -> Vec<Uuid> {
    let far = Utc::now() + chrono::Duration::days(365);
    let now = Utc::now();
    let mut ids = Vec::with_capacity(n);
    for start in (0..n).step_by(5000) {
        let mut rows = Vec::new();
        let mut deadlines = Vec::new();
        for i in start..(start + 5000).min(n) {
            let id = Uuid::now_v7();
            let (owner, team) = org.owners[i % org.owners.len()];
            // The columns left out take their defaults (empty).
            rows.push(customers::ActiveModel {
                id: Set(id),
                name: Set(format!("压测客户 {prefix}{i}")),
                phone: Set(Some(format!("139{i:08}"))),
                channel: Set(customers::Channel::PartnerPlatform),
                status: Set(customers::CustomerStatus::New),
                key_account: Set(false),
                owner_id: Set(Some(owner)),
                team_id: Set(Some(team)),
                source_client_id: Set(Some(org.partner)),
                external_id: Set(Some(format!("{prefix}{i}"))),
                assigned_at: Set(Some(now)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
            deadlines.push(domain::outbox::timers::NewTimer {
                kind: "first_response",
                phase: "deadline",
                dedupe_key: format!("{prefix}{i}"),
                subject_id: Some(id),
                customer_id: Some(id),
                due_at: far,
                policy_version: Some(org.policy_version),
            });
            ids.push(id);
        }
        domain::platform::db::insert_all(db, rows).await.expect("customers");
        domain::outbox::timers::schedule_many(db, deadlines)
            .await
            .expect("timers");
    }
    ids
}

/// Makes the deadlines of `customers` due: `per_step` of them at each
/// `step` from `start` on.
async fn make_due(db: &DatabaseConnection, customers: &[Uuid], start: DateTime<Utc>, per_step: usize, step: Duration) {
    for (i, chunk) in customers.chunks(per_step.max(1)).enumerate() {
        let due = start + chrono::Duration::from_std(step * i as u32).expect("step");
        for part in chunk.chunks(10_000) {
            timers::Entity::update_many()
                .col_expr(timers::Column::DueAt, Expr::value(due))
                .filter(timers::Column::SubjectId.is_in(part.iter().copied()))
                .filter(timers::Column::Kind.eq("first_response"))
                .exec(db)
                .await
                .expect("make due");
        }
    }
}

/// How many timers of `kind` due from `from` to `to` have fired (a timer
/// is marked fired in the transaction that records its effect). Counts
/// index entries only, so that the polling costs the database little.
async fn fired(db: &DatabaseConnection, kind: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    let count: Option<i64> = due_within(kind, from, to)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(timers::Column::State.eq(timers::TimerState::Fired))
        .into_tuple()
        .one(db)
        .await
        .expect("count fired");
    count.map_or(0, |n| u64::try_from(n).unwrap_or(0))
}

/// The timers of `kind` due from `from` to `to`, no column selected yet.
fn due_within(kind: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> sea_orm::Select<timers::Entity> {
    timers::Entity::find()
        .select_only()
        .filter(timers::Column::Kind.eq(kind))
        .filter(timers::Column::DueAt.between(from, to))
}

/// How often the benchmark looks whether the timers fired; the times it
/// reports come from the rows (breached or fired at), not from the polling.
const POLL: Duration = Duration::from_millis(500);

/// What one run of a workload measured.
#[derive(Debug, Default, Clone, Copy)]
struct Run {
    /// From the due time to the last effect (sustained: from the last due time).
    seconds: f64,
    lag_p50: f64,
    lag_p99: f64,
    lag_max: f64,
}

/// Lags of the timers due from `from` to `to`: fired minus due, sorted.
async fn lags(db: &DatabaseConnection, kind: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<f64> {
    let rows: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = due_within(kind, from, to)
        .column(timers::Column::DueAt)
        .column(timers::Column::FiredAt)
        .into_tuple()
        .all(db)
        .await
        .expect("lags");
    let mut lags: Vec<f64> = rows
        .iter()
        .filter_map(|(due, fired)| fired.map(|f| (f - *due).as_seconds_f64()))
        .collect();
    lags.sort_by(f64::total_cmp);
    lags
}

/// Waits until every timer of `kind` due from `from` to `to` (`n` of them) fired.
async fn wait_fired(db: &DatabaseConnection, kind: &str, from: DateTime<Utc>, to: DateTime<Utc>, n: usize) {
    while fired(db, kind, from, to).await < n as u64 {
        tokio::time::sleep(POLL).await;
    }
}

async fn sleep_until(at: DateTime<Utc>) {
    tokio::time::sleep((at - Utc::now()).to_std().unwrap_or_default()).await;
}

/// Runs `bench/peers/bullmq-timers.mjs` and reads its JSON line.
async fn peer(mode: &str, args: &[String]) -> Run {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bench/peers");
    assert!(
        script.join("node_modules").exists(),
        "install the peer first: npm ci --prefix bench/peers"
    );
    let output = tokio::process::Command::new("node")
        .arg(script.join("bullmq-timers.mjs"))
        .arg(mode)
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .await
        .expect("run node");
    assert!(output.status.success(), "the BullMQ peer failed");
    let line = String::from_utf8_lossy(&output.stdout);
    let value: serde_json::Value = serde_json::from_str(line.trim()).expect("the peer's JSON");
    let field = |name: &str| value[name].as_f64().unwrap_or(f64::NAN);
    Run {
        seconds: field("seconds"),
        lag_p50: field("lag_p50"),
        lag_p99: field("lag_p99"),
        lag_max: field("lag_max"),
    }
}

pub async fn run(args: Args) {
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let db = app.db.clone();
    let settings = app.settings.clone();
    let production = settings.redis_url.is_some();
    domain::demo::load(&db, settings.timezone).await.expect("demo data");
    let (sink_port, delivered) = sink().await;
    let org = Org::load(&db).await;
    let partner = org.partner;
    let webhook = Uuid::now_v7();
    entities::webhooks::Entity::insert(entities::webhooks::ActiveModel {
        id: Set(webhook),
        client_id: Set(partner),
        url: Set(format!("http://127.0.0.1:{sink_port}/hook")),
        events: Set(serde_json::json!(["lead.sla_breached"])),
        secret: Set("bench-signing-secret".to_owned()),
        active: Set(!args.no_webhook),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
    })
    .exec_without_returning(&db)
    .await
    .expect("webhook");
    let sustained_n = args.rate as usize * args.sustained_secs as usize;
    let started = Instant::now();
    let burst = seed(&db, &org, args.timers, "bench-burst-").await;
    let sustained = seed(&db, &org, sustained_n, "bench-rate-").await;
    let peer_on = args.peer && production;
    if peer_on {
        seed(&db, &org, args.timers, "bench-peer-burst-").await;
        seed(&db, &org, sustained_n, "bench-peer-rate-").await;
    }
    let far = Utc::now() + chrono::Duration::days(300);
    domain::outbox::timers::schedule_many(&db, tests::probe_timers(args.timers, far - Utc::now()))
        .await
        .expect("probes");
    let seeded = started.elapsed();
    domain::platform::db::refresh_statistics(&db, &["customers", "timers"])
        .await
        .expect("analyze");
    eprintln!("seeded in {seeded:.1?}");

    let mut env = vec![
        ("ESTATEFLOW_DATABASE_URL", settings.database_url.expose().to_owned()),
        ("ESTATEFLOW_JWT_SECRET", tests::JWT_SECRET.to_owned()),
        ("ESTATEFLOW_LOG", "warn".to_owned()),
        ("ESTATEFLOW_WORKER_BIND", String::new()),
        ("ESTATEFLOW_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true".to_owned()),
    ];
    // Tuning to try, passed on to the workers as given.
    for name in [
        "ESTATEFLOW_DATABASE_MAX_CONNECTIONS",
        "ESTATEFLOW_TIMER_PUMP_BATCH",
        "ESTATEFLOW_TIMER_MAX_BACKLOG",
        "ESTATEFLOW_WORKER_BIND",
    ] {
        if let Ok(value) = std::env::var(name) {
            env.push((name, value));
        }
    }
    if let Some(redis) = &settings.redis_url {
        env.push(("ESTATEFLOW_REDIS_URL", redis.expose().to_owned()));
        env.push(("ESTATEFLOW_REDIS_NAMESPACE", settings.redis_namespace.clone()));
    }
    // Deliveries are recorded with each breach but sent afterwards, timed on their own.
    let webhooks_queue = queue::jobs::Queue::Webhooks.name();
    queue::inspect::set_paused(&db, webhooks_queue, !args.no_webhook)
        .await
        .expect("pause deliveries");
    let bin = estateflow();
    let dir = std::env::temp_dir();
    let mut workers = Vec::new();
    for _ in 0..args.workers {
        let bin = bin.to_str().expect("path");
        workers.push(ServiceProcess::start(bin, &["worker"], &env, &dir, false).await);
    }
    // Let the workers connect and fire what the demo data has due.
    tokio::time::sleep(Duration::from_secs(3)).await;

    // The burst: every deadline due at the same instant.
    let due = Utc::now() + chrono::Duration::seconds(2);
    make_due(&db, &burst, due, burst.len(), Duration::ZERO).await;
    sleep_until(due).await;
    let mut peak = vec![0.0_f64; workers.len()];
    loop {
        for (worker, peak) in workers.iter().zip(peak.iter_mut()) {
            *peak = peak.max(memory(worker.pid()).0);
        }
        if fired(&db, "first_response", due, due).await >= burst.len() as u64 {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    let last: Option<DateTime<Utc>> = sla_breaches::Entity::find()
        .select_only()
        .column_as(sla_breaches::Column::BreachedAt.max(), "last")
        .filter(sla_breaches::Column::DueAt.eq(due))
        .into_tuple()
        .one(&db)
        .await
        .expect("last breach")
        .flatten();
    let ours_burst = Run {
        seconds: last.map_or(f64::NAN, |last| (last - due).as_seconds_f64()),
        ..Run::default()
    };
    let breached = sla_breaches::Entity::find()
        .filter(sla_breaches::Column::DueAt.eq(due))
        .count(&db)
        .await
        .expect("breaches");
    let notices = entities::notifications::Entity::find()
        .filter(entities::notifications::Column::DueAt.eq(due))
        .count(&db)
        .await
        .expect("notices");
    let entries = entities::timeline_entries::Entity::find()
        .filter(entities::timeline_entries::Column::Kind.eq(entities::timeline_entries::TimelineKind::SlaBreached))
        .filter(entities::timeline_entries::Column::OccurredAt.gte(due))
        .count(&db)
        .await
        .expect("timeline");
    let deliveries = entities::webhook_deliveries::Entity::find()
        .count(&db)
        .await
        .expect("deliveries");
    let received = delivered.load(Ordering::Relaxed);
    eprintln!("burst: last effect {:.2} s after the due time", ours_burst.seconds);

    // The sustained rate: `rate` deadlines a second, a tenth of them every 100 ms.
    let start = Utc::now() + chrono::Duration::seconds(3);
    let per_step = (args.rate as usize / 10).max(1);
    make_due(&db, &sustained, start, per_step, Duration::from_millis(100)).await;
    let end = start + chrono::Duration::seconds(i64::from(args.sustained_secs) + 1);
    wait_fired(&db, "first_response", start, end, sustained.len()).await;
    let rate_lags = lags(&db, "first_response", start, end).await;
    let ours_rate = Run {
        seconds: rate_lags.last().copied().unwrap_or(f64::NAN),
        lag_p50: percentile(&rate_lags, 0.5),
        lag_p99: percentile(&rate_lags, 0.99),
        lag_max: percentile(&rate_lags, 1.0),
    };

    eprintln!(
        "sustained: lag p50 {:.3} s, p99 {:.3} s",
        ours_rate.lag_p50, ours_rate.lag_p99
    );

    // No-op timers (probes): all due at once.
    let probes_due = Utc::now() + chrono::Duration::seconds(2);
    timers::Entity::update_many()
        .col_expr(timers::Column::DueAt, Expr::value(probes_due))
        .filter(timers::Column::Kind.eq("probe"))
        .filter(timers::Column::DueAt.gt(far - chrono::Duration::days(1)))
        .exec(&db)
        .await
        .expect("probes due");
    sleep_until(probes_due).await;
    let clock = Instant::now();
    wait_fired(&db, "probe", probes_due, probes_due, args.timers).await;
    let probe_lags = lags(&db, "probe", probes_due, probes_due).await;
    let ours_noop = Run {
        seconds: probe_lags.last().copied().unwrap_or(clock.elapsed().as_secs_f64()),
        ..Run::default()
    };
    eprintln!("no-op: {:.2} s", ours_noop.seconds);

    // The deliveries recorded by the burst and the sustained run, sent now.
    let recorded = entities::webhook_deliveries::Entity::find()
        .count(&db)
        .await
        .expect("deliveries");
    let sending = Instant::now();
    queue::inspect::set_paused(&db, webhooks_queue, false)
        .await
        .expect("resume deliveries");
    let sent = if args.no_webhook {
        None
    } else {
        loop {
            let done = entities::webhook_deliveries::Entity::find()
                .filter(
                    entities::webhook_deliveries::Column::Status
                        .eq(entities::webhook_deliveries::DeliveryStatus::Succeeded),
                )
                .count(&db)
                .await
                .expect("delivered");
            if done >= recorded {
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        let seconds = sending.elapsed().as_secs_f64();
        eprintln!("deliveries: {recorded} in {seconds:.1} s");
        Some(seconds)
    };
    let memories: Vec<(f64, f64, f64)> = workers
        .iter()
        .zip(&peak)
        .map(|(w, peak)| {
            let (now, hwm) = memory(w.pid());
            (*peak, now, hwm)
        })
        .collect();
    for (i, worker) in workers.iter().enumerate() {
        let lines = worker.lines();
        eprintln!("worker {i} logged {} lines; the last ones:", lines.len());
        for line in lines.iter().rev().take(5).rev() {
            eprintln!("  {line}");
        }
        worker.terminate();
    }
    for mut worker in workers {
        worker.wait(Duration::from_secs(30)).await;
    }

    let peers = if peer_on {
        let common = |prefix: &str, due: DateTime<Utc>| {
            vec![
                "--database".to_owned(),
                settings.database_url.expose().to_owned(),
                "--redis".to_owned(),
                settings
                    .redis_url
                    .as_ref()
                    .map(|r| r.expose().to_owned())
                    .unwrap_or_default(),
                "--prefix".to_owned(),
                prefix.to_owned(),
                "--due-ms".to_owned(),
                due.timestamp_millis().to_string(),
                "--rate".to_owned(),
                args.rate.to_string(),
                "--jobs".to_owned(),
                args.timers.to_string(),
                "--webhook".to_owned(),
                webhook.to_string(),
                "--client".to_owned(),
                partner.to_string(),
            ]
        };
        let ahead = |secs: i64| Utc::now() + chrono::Duration::seconds(secs);
        let burst = peer("burst", &common("bench-peer-burst-", ahead(20))).await;
        let rate = peer("sustained", &common("bench-peer-rate-", ahead(10))).await;
        let noop = peer("noop", &common("", ahead(20))).await;
        Some((burst, rate, noop))
    } else {
        None
    };

    let mode = if production {
        "PostgreSQL + Redis"
    } else {
        "embedded (SQLite)"
    };
    println!(
        "\n{mode}; {} `worker` process(es); seeded the demo organisation and {} customers with deadlines in {seeded:.1?}\n",
        args.workers,
        burst.len() + sustained.len() * if peer_on { 2 } else { 1 }
    );
    let vs = |ours: f64, theirs: Option<f64>| match theirs {
        Some(theirs) => format!("{theirs:.2} | {:.2}×", ours / theirs),
        None => "— | —".to_owned(),
    };
    println!("| workload | EstateFlow | BullMQ 6.7 (same writes) | EstateFlow ÷ BullMQ |");
    println!("|---|---:|---:|---:|");
    println!(
        "| {} first-response deadlines due at once, every effect recorded: seconds after the due time | {:.2} | {} |",
        burst.len(),
        ours_burst.seconds,
        vs(ours_burst.seconds, peers.map(|p| p.0.seconds))
    );
    println!(
        "| {} deadlines at {}/s: lag p50, s | {:.3} | {} |",
        sustained.len(),
        args.rate,
        ours_rate.lag_p50,
        vs(ours_rate.lag_p50, peers.map(|p| p.1.lag_p50))
    );
    println!(
        "| … lag p99, s | {:.3} | {} |",
        ours_rate.lag_p99,
        vs(ours_rate.lag_p99, peers.map(|p| p.1.lag_p99))
    );
    println!(
        "| … lag max, s | {:.3} | {} |",
        ours_rate.lag_max,
        vs(ours_rate.lag_max, peers.map(|p| p.1.lag_max))
    );
    println!(
        "| {} no-op timers due at once: seconds to the last | {:.2} | {} |",
        args.timers,
        ours_noop.seconds,
        vs(ours_noop.seconds, peers.map(|p| p.2.seconds))
    );
    if let Some(seconds) = sent {
        println!(
            "| the {recorded} webhook deliveries those recorded, sent to a local receiver: seconds, deliveries/s | {seconds:.2}, {:.0}/s | not sent by the peer | |",
            recorded as f64 / seconds
        );
    }
    println!();
    println!(
        "Burst effects: {breached} breaches, {notices} manager notifications, {entries} timeline entries, {deliveries} webhook deliveries recorded ({received} sent by the end of the burst: their queue was paused)."
    );
    for (i, (peak, now, hwm)) in memories.iter().enumerate() {
        println!(
            "Worker {i} resident memory: {peak:.0} MiB at the burst's peak, {now:.0} MiB at the end, high-water {hwm:.0} MiB."
        );
    }
    if let Some(path) = &args.svg {
        let bars = [
            (
                format!("{} deadlines due at once, every effect (s)", burst.len()),
                ours_burst.seconds,
                peers.map(|p| p.0.seconds),
            ),
            (
                format!("{} deadlines at {}/s: lag p99 (s)", sustained.len(), args.rate),
                ours_rate.lag_p99,
                peers.map(|p| p.1.lag_p99),
            ),
            (
                format!("{} no-op timers due at once (s)", args.timers),
                ours_noop.seconds,
                peers.map(|p| p.2.seconds),
            ),
        ];
        std::fs::write(path, chart(&format!("{mode}, {} worker(s)", args.workers), &bars)).expect("write the chart");
        eprintln!("chart: {}", path.display());
    }
    app.stop().await;
}

/// A horizontal bar chart, one group per workload (EstateFlow, and BullMQ
/// when measured), each group scaled to its own longest bar.
fn chart(title: &str, bars: &[(String, f64, Option<f64>)]) -> String {
    const WIDTH: f64 = 720.0;
    const LEFT: f64 = 10.0;
    const BAR: f64 = 18.0;
    const SPAN: f64 = 520.0;
    let escape = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let group_height = 3.0 * BAR + 26.0;
    let height = 40.0 + group_height * bars.len() as f64 + 20.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{LEFT}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
        escape(&format!("EstateFlow vs BullMQ 6.7 (shorter is better): {title}"))
    );
    for (i, (label, ours, theirs)) in bars.iter().enumerate() {
        let top = 40.0 + group_height * i as f64;
        let longest = theirs.map_or(*ours, |t| t.max(*ours)).max(f64::MIN_POSITIVE);
        svg.push_str(&format!(
            "<text x=\"{LEFT}\" y=\"{}\">{}</text>\n",
            top + 12.0,
            escape(label)
        ));
        let rows = [("EstateFlow", Some(*ours), "#2b6cb0"), ("BullMQ", *theirs, "#a0aec0")];
        for (row, (name, value, colour)) in rows.iter().enumerate() {
            let Some(value) = value.filter(|v| v.is_finite()) else {
                continue;
            };
            let y = top + 18.0 + BAR * row as f64;
            let length = (value / longest * SPAN).max(1.0);
            svg.push_str(&format!(
                "<text x=\"{LEFT}\" y=\"{}\">{name}</text>\n\
                 <rect x=\"100\" y=\"{y}\" width=\"{length:.1}\" height=\"{}\" fill=\"{colour}\"/>\n\
                 <text x=\"{:.1}\" y=\"{}\">{value:.2}</text>\n",
                y + BAR - 5.0,
                BAR - 4.0,
                100.0 + length + 6.0,
                y + BAR - 5.0,
            ));
        }
    }
    svg.push_str("</svg>\n");
    svg
}
