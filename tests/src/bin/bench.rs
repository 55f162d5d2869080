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
#![allow(clippy::print_stdout, reason = "a command-line tool prints its table")]

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

struct Args {
    timers: usize,
    workers: usize,
    rate: usize,
    sustained_secs: usize,
}

fn args() -> Args {
    let mut args = Args {
        timers: 100_000,
        workers: 1,
        rate: 1000,
        sustained_secs: 30,
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench timers [--timers N] [--workers N] [--rate N] [--sustained-secs N]";
    assert_eq!(raw.first().map(String::as_str), Some("timers"), "{usage}");
    for pair in raw[1..].chunks(2) {
        let value: usize = pair.get(1).and_then(|v| v.parse().ok()).expect(usage);
        match pair[0].as_str() {
            "--timers" => args.timers = value,
            "--workers" => args.workers = value.max(1),
            "--rate" => args.rate = value.max(1),
            "--sustained-secs" => args.sustained_secs = value,
            _ => panic!("{usage}"),
        }
    }
    args
}

/// The `estateflow` release binary next to this one.
fn estateflow() -> PathBuf {
    let here = std::env::current_exe().expect("own path");
    let dir = here.parent().expect("bin dir");
    ["estateflow", "estateflow-under-test"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.exists())
        .expect("build estateflow first: cargo build --release --workspace --bins")
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

/// Customers of the demo consultants, each with a first-response deadline
/// due far ahead (`prefix` names the timers), written in bulk.
async fn seed(db: &DatabaseConnection, n: usize, prefix: &str) -> Vec<Uuid> {
    let owners: Vec<(Uuid, Uuid)> = customers::Entity::find()
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
    let partner: Uuid = entities::api_clients::Entity::find()
        .select_only()
        .column(entities::api_clients::Column::Id)
        .into_tuple()
        .one(db)
        .await
        .expect("partner")
        .expect("the demo partner platform");
    let version = domain::outbox::sla::current(db, domain::outbox::sla::SlaKind::FirstResponse)
        .await
        .expect("policy")
        .version;
    let far = Utc::now() + chrono::Duration::days(365);
    let now = Utc::now();
    let mut ids = Vec::with_capacity(n);
    for start in (0..n).step_by(5000) {
        let mut rows = Vec::new();
        let mut deadlines = Vec::new();
        for i in start..(start + 5000).min(n) {
            let id = Uuid::now_v7();
            let (owner, team) = owners[i % owners.len()];
            rows.push(customers::ActiveModel {
                id: Set(id),
                name: Set(format!("压测客户 {prefix}{i}")),
                phone: Set(Some(format!("139{i:08}"))),
                email: Set(None),
                wechat_id: Set(None),
                channel: Set(customers::Channel::PartnerPlatform),
                status: Set(customers::CustomerStatus::New),
                lost_reason: Set(None),
                key_account: Set(false),
                account_manager_id: Set(None),
                owner_id: Set(Some(owner)),
                team_id: Set(Some(team)),
                source_client_id: Set(Some(partner)),
                external_id: Set(Some(format!("{prefix}{i}"))),
                created_by: Set(None),
                phone_key: Set(None),
                assigned_at: Set(Some(now)),
                first_response_at: Set(None),
                needs_assessed_at: Set(None),
                last_follow_up_at: Set(None),
                lost_at: Set(None),
                lost_from_status: Set(None),
                merged_into_id: Set(None),
                project_of_interest: Set(None),
                district_of_interest: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            deadlines.push(domain::outbox::timers::NewTimer {
                kind: "first_response",
                phase: "deadline",
                dedupe_key: format!("{prefix}{i}"),
                subject_id: Some(id),
                customer_id: Some(id),
                due_at: far,
                policy_version: Some(version),
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
        timers::Entity::update_many()
            .col_expr(timers::Column::DueAt, Expr::value(due))
            .filter(timers::Column::SubjectId.is_in(chunk.iter().copied()))
            .filter(timers::Column::Kind.eq("first_response"))
            .exec(db)
            .await
            .expect("make due");
    }
}

/// How many first-response deadlines due from `from` to `to` have fired
/// (a timer is marked fired in the transaction that records its effect).
async fn fired(db: &DatabaseConnection, from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    timers::Entity::find()
        .filter(timers::Column::State.eq(timers::TimerState::Fired))
        .filter(timers::Column::Kind.eq("first_response"))
        .filter(timers::Column::DueAt.between(from, to))
        .count(db)
        .await
        .expect("count fired")
}

/// Resident memory now and at its peak, MiB, of process `pid`.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

#[tokio::main]
async fn main() {
    let args = args();
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let db = app.db.clone();
    domain::demo::load(&db, app.settings.timezone).await.expect("demo data");
    let (sink_port, delivered) = sink().await;
    let partner: Uuid = entities::api_clients::Entity::find()
        .select_only()
        .column(entities::api_clients::Column::Id)
        .into_tuple()
        .one(&db)
        .await
        .expect("partner")
        .expect("the demo partner platform");
    entities::webhooks::Entity::insert(entities::webhooks::ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set(partner),
        url: Set(format!("http://127.0.0.1:{sink_port}/hook")),
        events: Set(serde_json::json!(["lead.sla_breached"])),
        secret: Set("bench-signing-secret".to_owned()),
        active: Set(true),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
    })
    .exec_without_returning(&db)
    .await
    .expect("webhook");
    let started = Instant::now();
    let burst = seed(&db, args.timers, "bench-burst-").await;
    let sustained = seed(&db, args.rate * args.sustained_secs, "bench-rate-").await;
    let seeded = started.elapsed();
    domain::platform::db::refresh_statistics(&db, &["customers", "timers"])
        .await
        .expect("analyze");
    eprintln!(
        "seeded {} customers with deadlines in {seeded:.1?}",
        burst.len() + sustained.len()
    );

    let settings = &app.settings;
    let mut env = vec![
        ("ESTATEFLOW_DATABASE_URL", settings.database_url.expose().to_owned()),
        ("ESTATEFLOW_JWT_SECRET", tests::JWT_SECRET.to_owned()),
        ("ESTATEFLOW_LOG", "warn".to_owned()),
        ("ESTATEFLOW_WORKER_BIND", String::new()),
        ("ESTATEFLOW_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true".to_owned()),
    ];
    if let Some(redis) = &settings.redis_url {
        env.push(("ESTATEFLOW_REDIS_URL", redis.expose().to_owned()));
        env.push(("ESTATEFLOW_REDIS_NAMESPACE", settings.redis_namespace.clone()));
    }
    let bin = estateflow();
    let dir = std::env::temp_dir();
    let mut workers = Vec::new();
    for _ in 0..args.workers {
        let bin = bin.to_str().expect("path");
        workers.push(ServiceProcess::start(bin, &["worker"], &env, &dir, false).await);
    }
    // Let the workers connect and start polling.
    tokio::time::sleep(Duration::from_secs(3)).await;

    // The burst: every deadline due at the same instant.
    let due = Utc::now() + chrono::Duration::seconds(1);
    make_due(&db, &burst, due, burst.len(), Duration::ZERO).await;
    let wait = (due - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait).await;
    let clock = Instant::now();
    let mut peak = vec![0.0_f64; workers.len()];
    loop {
        for (worker, peak) in workers.iter().zip(peak.iter_mut()) {
            *peak = peak.max(memory(worker.pid()).0);
        }
        if fired(&db, due, due).await >= burst.len() as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let burst_wall = clock.elapsed();
    let last: Option<DateTime<Utc>> = sla_breaches::Entity::find()
        .select_only()
        .column_as(sla_breaches::Column::BreachedAt.max(), "last")
        .filter(sla_breaches::Column::DueAt.eq(due))
        .into_tuple()
        .one(&db)
        .await
        .expect("last breach")
        .flatten();
    let burst_secs = last.map_or(burst_wall.as_secs_f64(), |last| (last - due).as_seconds_f64());
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

    // The sustained rate: `rate` deadlines a second, a tenth of them every 100 ms.
    let start = Utc::now() + chrono::Duration::seconds(3);
    let per_step = (args.rate / 10).max(1);
    make_due(&db, &sustained, start, per_step, Duration::from_millis(100)).await;
    let end = start + chrono::Duration::seconds(args.sustained_secs as i64 + 1);
    while fired(&db, start, end).await < sustained.len() as u64 {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let fired: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = timers::Entity::find()
        .select_only()
        .column(timers::Column::DueAt)
        .column(timers::Column::FiredAt)
        .filter(timers::Column::Kind.eq("first_response"))
        .filter(timers::Column::DueAt.between(start, end))
        .into_tuple()
        .all(&db)
        .await
        .expect("lags");
    let mut lags: Vec<f64> = fired
        .iter()
        .filter_map(|(due, fired)| fired.map(|f| (f - *due).as_seconds_f64()))
        .collect();
    lags.sort_by(f64::total_cmp);

    let mode = if settings.redis_url.is_some() {
        "PostgreSQL + Redis"
    } else {
        "embedded (SQLite)"
    };
    println!(
        "\n{mode}; {} `worker` process(es); seeded {} customers in {seeded:.1?}\n",
        args.workers,
        burst.len() + sustained.len()
    );
    println!("| what | value |");
    println!("|---|---:|");
    println!(
        "| {} first-response deadlines due at once: last effect recorded after | {burst_secs:.2} s ({:.0}/s) |",
        burst.len(),
        burst.len() as f64 / burst_secs
    );
    println!(
        "| … breaches / manager notifications / timeline entries / webhook deliveries recorded | {breached} / {notices} / {entries} / {deliveries} |"
    );
    println!(
        "| … webhook deliveries received by then | {} |",
        delivered.load(Ordering::Relaxed)
    );
    println!(
        "| {} deadlines at {}/s: lag p50 / p99 / max | {:.3} / {:.3} / {:.3} s |",
        lags.len(),
        args.rate,
        percentile(&lags, 0.5),
        percentile(&lags, 0.99),
        percentile(&lags, 1.0)
    );
    for (i, (worker, peak)) in workers.iter().zip(&peak).enumerate() {
        let (now, hwm) = memory(worker.pid());
        println!(
            "| worker {i} resident memory: peak during the burst / now / high-water | {peak:.0} / {now:.0} / {hwm:.0} MiB |"
        );
    }
    for worker in &workers {
        worker.terminate();
    }
    for mut worker in workers {
        worker.wait(Duration::from_secs(30)).await;
    }
    app.stop().await;
}
