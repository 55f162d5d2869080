//! `bench http`: the API under a load generator (`wrk`, `apt-get install
//! wrk`) on a seeded organisation, beside the database's own point-read
//! rate (`pgbench -S`, PostgreSQL mode only).
//!
//! `target/release/bench http [--customers 1000000 …] [--database URL] [--connections 16] [--secs 20]`
//!
//! Seeds (`bench seed`'s sizes) or reuses `--database`, gathers the
//! planner's statistics, starts a release `estateflow api` (embedded:
//! `estateflow serve`, which also runs the workers), signs in as the
//! customer manager (who sees every customer) and runs wrk against:
//! `GET /api/v1/customers/{id}` of random seeded ids, list pages (active
//! customers newest first; a team's by next due item, as its manager and
//! as the customer manager filtering by team; a first, unreported GET
//! round warms the caches),
//! `POST /api/v1/customers` with unique bodies and an `Idempotency-Key`;
//! then the same GET throttled to half the rate it reached (wrk's
//! `delay()`), and the list pages again with the statistics deleted (what
//! a table bulk-loaded moments ago has), after a restart of the process;
//! before that restart, ten CSV imports of 10,000 new customers each, with
//! the resident memory at their peak and after them.
//! Then `pgbench -S` on a scratch database. Prints one Markdown table,
//! with the process's resident memory idle and at its peak under each load.
//! On PostgreSQL every statement is bounded to 10 s while it runs (one that
//! hits the bound is an error in the table, not a query left running).

use std::{path::Path, time::Duration, time::Instant};

use entities::customers;
use sea_orm::{ConnectionTrait, Database, EntityTrait, QuerySelect};
use tests::process::ServiceProcess;
use uuid::Uuid;

use crate::{
    estateflow, memory, percentile,
    seed::{self, READER_EMAIL, READER_PASSWORD, Source, TABLES, Workspace},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    /// wrk's open connections.
    #[arg(long, default_value_t = 16)]
    connections: u32,
    /// How long each wrk and pgbench run lasts.
    #[arg(long, default_value_t = 20)]
    secs: u32,
}

/// wrk's Lua script: `get` random customers, a `list` page, or `create`
/// customers; the thread's counter makes bodies and keys unique. `done`
/// prints one line for the benchmark to read (latencies in microseconds).
const SCRIPT: &str = r#"
local mode, token, ids_file, path, tag
local ids = {}
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  mode, token, ids_file, path, tag = args[1], args[2], args[3], args[4], args[5]
  for line in io.lines(ids_file) do ids[#ids + 1] = line end
  math.randomseed(thread_id * 7919 + os.time())
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  counter = counter + 1
  if mode == "get" then
    return wrk.format("GET", "/api/v1/customers/" .. ids[math.random(#ids)])
  elseif mode == "list" then
    return wrk.format("GET", path)
  end
  local n = thread_id * 100000000 + counter
  local body = string.format('{"name":"压测新客户%d","phone":"17%09d","channel":"website"}', n, n)
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-" .. tag .. "-" .. n,
  }
  return wrk.format("POST", "/api/v1/customers", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"#;

/// What one wrk run measured.
#[derive(Debug, Clone, Copy)]
struct Load {
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Answers other than 2xx/3xx, and socket errors.
    errors: u64,
    /// The process's resident high-water mark during the run, MiB.
    peak_mib: f64,
}

/// The running service and how to reach it.
struct Service {
    process: ServiceProcess,
    /// The customer manager's (every customer) and the first team manager's (their team's).
    token: String,
    manager_token: String,
    started_in: Duration,
}

impl Service {
    /// Starts `estateflow api` (embedded: `serve`) on `workspace`'s data
    /// and signs in as the customer manager.
    async fn start(workspace: &Workspace) -> Service {
        let mut env = vec![
            ("ESTATEFLOW_DATABASE_URL", workspace.url.clone()),
            ("ESTATEFLOW_BIND", "127.0.0.1:0".to_owned()),
            ("ESTATEFLOW_JWT_SECRET", tests::JWT_SECRET.to_owned()),
            ("ESTATEFLOW_ACCESS_TOKEN_TTL_SECS", "7200".to_owned()),
            ("ESTATEFLOW_LOG", "warn".to_owned()),
        ];
        if let Some((url, namespace)) = &workspace.redis {
            env.push(("ESTATEFLOW_REDIS_URL", url.clone()));
            env.push(("ESTATEFLOW_REDIS_NAMESPACE", namespace.clone()));
        }
        if let Ok(max) = std::env::var("ESTATEFLOW_DATABASE_MAX_CONNECTIONS") {
            env.push(("ESTATEFLOW_DATABASE_MAX_CONNECTIONS", max));
        }
        let command = if workspace.postgres() { "api" } else { "serve" };
        let bin = estateflow();
        let clock = Instant::now();
        let process = ServiceProcess::start(
            bin.to_str().expect("path"),
            &[command],
            &env,
            &std::env::temp_dir(),
            true,
        )
        .await;
        let started_in = clock.elapsed();
        let token = process.api().token(READER_EMAIL, READER_PASSWORD).await;
        let manager_token = process.api().token(seed::MANAGER_EMAIL, READER_PASSWORD).await;
        Service {
            process,
            token,
            manager_token,
            started_in,
        }
    }

    fn pid(&self) -> u32 {
        self.process.pid()
    }

    fn url(&self) -> String {
        self.process.api().base
    }

    /// Stops the process at once: queries still running must not hold up the next round.
    async fn stop(mut self) {
        self.process.kill().await;
    }
}

/// Resets the resident high-water mark of `pid` (`clear_refs` 5).
fn reset_peak(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// What wrk asks for: `get` random customers, a `list` page, `create`
/// customers; as the team's manager or the customer manager; throttled to a
/// request every `delay_ms` per connection when given.
struct Workload<'a> {
    mode: &'a str,
    path: &'a str,
    as_manager: bool,
    delay_ms: Option<u64>,
}

impl Workload<'_> {
    fn new(mode: &str) -> Workload<'_> {
        Workload {
            mode,
            path: "",
            as_manager: false,
            delay_ms: None,
        }
    }

    fn list(page: &ListPage) -> Workload<'_> {
        Workload {
            mode: "list",
            path: &page.path,
            as_manager: page.as_manager,
            delay_ms: None,
        }
    }
}

/// A customer list page and who asks for it.
struct ListPage {
    path: String,
    as_manager: bool,
    name: String,
}

async fn wrk(service: &Service, dir: &Path, args: &Args, work: Workload<'_>) -> Load {
    let Workload {
        mode,
        path,
        as_manager,
        delay_ms,
    } = work;
    let script = dir.join(format!("{mode}.lua"));
    let throttle = delay_ms.map_or(String::new(), |ms| format!("function delay() return {ms} end\n"));
    std::fs::write(&script, format!("{SCRIPT}{throttle}")).expect("write the wrk script");
    reset_peak(service.pid());
    let output = tokio::process::Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{}", args.connections),
            &format!("-d{}s", args.secs),
            "--timeout",
            "10s",
            "-s",
            script.to_str().expect("path"),
            &service.url(),
            "--",
            mode,
            if as_manager {
                &service.manager_token
            } else {
                &service.token
            },
            dir.join("ids.txt").to_str().expect("path"),
            path,
            &Uuid::new_v4().simple().to_string(),
        ])
        .output()
        .await
        .expect("run wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().find_map(|l| l.strip_prefix("RESULT ")).unwrap_or_else(|| {
        panic!(
            "wrk printed no result:\n{text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let n: Vec<f64> = line.split_whitespace().map(|v| v.parse().unwrap_or(f64::NAN)).collect();
    let load = Load {
        rate: n[0] / (n[1] / 1e6),
        p50_ms: n[2] / 1000.0,
        p99_ms: n[3] / 1000.0,
        errors: (n[4] + n[5]) as u64,
        peak_mib: memory(service.pid()).1,
    };
    eprintln!("{mode} {path}: {load:?}");
    load
}

/// Deletes the planner's statistics of `TABLES` and keeps autovacuum from
/// gathering them again: what a table bulk-loaded moments ago has.
async fn forget_statistics(db: &impl ConnectionTrait) {
    for table in TABLES {
        for sql in [
            format!("ALTER TABLE {table} SET (autovacuum_enabled = false)"),
            format!("DELETE FROM pg_statistic WHERE starelid = '{table}'::regclass"),
            format!(
                "UPDATE pg_class SET reltuples = -1 WHERE oid = '{table}'::regclass \
                 OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = '{table}'::regclass)"
            ),
        ] {
            db.execute_unprepared(&sql).await.expect("forget statistics");
        }
    }
}

/// Bounds every statement of the database's new sessions to `limit` (none:
/// unbounded again), so that a plan gone wrong without statistics ends
/// as errors instead of running on after wrk gave up.
async fn statement_timeout(workspace: &Workspace, limit: Option<&str>) {
    let name = workspace.url.rsplit('/').next().expect("a database name");
    let set = limit.map_or("RESET statement_timeout".to_owned(), |l| {
        format!("SET statement_timeout = '{l}'")
    });
    workspace
        .db
        .execute_unprepared(&format!("ALTER DATABASE \"{name}\" {set}"))
        .await
        .expect("statement timeout");
}

/// Ends the statements still running on the database (but this one's):
/// a killed process leaves its queries behind.
async fn cancel_running(db: &impl ConnectionTrait) {
    db.execute_unprepared(
        "SELECT pg_cancel_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()",
    )
    .await
    .expect("cancel running statements");
}

/// Lets autovacuum look after `TABLES` again and gathers their statistics.
async fn restore_statistics(db: &impl ConnectionTrait) {
    for table in TABLES {
        db.execute_unprepared(&format!("ALTER TABLE {table} RESET (autovacuum_enabled)"))
            .await
            .expect("autovacuum");
    }
    domain::platform::db::refresh_statistics(db, &TABLES)
        .await
        .expect("analyze");
}

/// `pgbench -S` transactions a second on a scratch database of scale 10.
async fn pgbench(secs: u32) -> f64 {
    let admin_url = tests::Backends::from_env().postgres.clone().expect("PostgreSQL");
    let name = format!("ef_test_pgbench_{}", Uuid::new_v4().simple());
    let admin = Database::connect(&admin_url).await.expect("connect");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create the pgbench database");
    let url = tests::with_database(&admin_url, &name);
    let run = |args: Vec<String>| async move {
        let output = tokio::process::Command::new("pgbench")
            .args(&args)
            .output()
            .await
            .expect("run pgbench");
        assert!(
            output.status.success(),
            "pgbench: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    run(vec!["-i".into(), "-q".into(), "-s".into(), "10".into(), url.clone()]).await;
    let text = run(vec![
        "-S".into(),
        "-c".into(),
        "8".into(),
        "-j".into(),
        "2".into(),
        "-T".into(),
        secs.to_string(),
        url,
    ])
    .await;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .expect("drop the pgbench database");
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("pgbench printed no tps:\n{text}"))
}

/// Every `step`-th customer id, shuffled, one a line, into `file`.
async fn write_ids(db: &impl ConnectionTrait, file: &Path) {
    let ids: Vec<Uuid> = customers::Entity::find()
        .select_only()
        .column(customers::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .expect("customer ids");
    let step = (ids.len() / 20_000).max(1);
    let mut sample: Vec<(u64, Uuid)> = ids.iter().step_by(step).map(|id| (id.as_u64_pair().1, *id)).collect();
    sample.sort();
    let text: String = sample.iter().map(|(_, id)| format!("{id}\n")).collect();
    std::fs::write(file, text).expect("write the ids");
}

pub async fn run(args: Args) {
    let (workspace, seeded) = args.source.open().await;
    let postgres = workspace.postgres();
    let customers = customers::Entity::find()
        .select_only()
        .column_as(sea_orm::sea_query::Expr::cust("COUNT(*)"), "n")
        .into_tuple::<i64>()
        .one(&workspace.db)
        .await
        .expect("count")
        .unwrap_or(0);
    let team: Uuid = entities::teams::Entity::find()
        .select_only()
        .column(entities::teams::Column::Id)
        .into_tuple()
        .one(&workspace.db)
        .await
        .expect("a team")
        .expect("a seeded team");
    let dir = std::env::temp_dir().join(format!("estateflow-http-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    write_ids(&workspace.db, &dir.join("ids.txt")).await;
    let lists = [
        ListPage {
            path: "/api/v1/customers?status=active&sort=-created_at&limit=20".to_owned(),
            as_manager: false,
            name: "customer manager".to_owned(),
        },
        ListPage {
            path: "/api/v1/customers?sort=next_due_at&limit=20".to_owned(),
            as_manager: true,
            name: "a team's manager".to_owned(),
        },
        ListPage {
            path: format!("/api/v1/customers?team_id={team}&sort=next_due_at&limit=20"),
            as_manager: false,
            name: "customer manager".to_owned(),
        },
    ];

    if postgres {
        statement_timeout(&workspace, Some("10s")).await;
    }
    let service = Service::start(&workspace).await;
    let startup = service.started_in;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = memory(service.pid()).0;
    let mut rows: Vec<(String, Load)> = Vec::new();
    // A first round reads the tables into the caches; it is not reported.
    wrk(&service, &dir, &args, Workload::new("get")).await;
    let get = wrk(&service, &dir, &args, Workload::new("get")).await;
    rows.push(("`GET /api/v1/customers/{id}`".to_owned(), get));
    for list in &lists {
        let load = wrk(&service, &dir, &args, Workload::list(list)).await;
        rows.push((format!("`GET {}` ({})", list.path, list.name), load));
    }
    let create = wrk(&service, &dir, &args, Workload::new("create")).await;
    rows.push(("`POST /api/v1/customers` (with `Idempotency-Key`)".to_owned(), create));
    // Half the rate: each connection waits so long between requests (a
    // little under half, as the answers take time too).
    let half = get.rate / 2.0;
    let delay = (f64::from(args.connections) * 1000.0 / half).max(1.0) as u64;
    let throttled = wrk(
        &service,
        &dir,
        &args,
        Workload {
            delay_ms: Some(delay),
            ..Workload::new("get")
        },
    )
    .await;
    rows.push((
        format!("`GET /api/v1/customers/{{id}}` throttled to half ({half:.0}/s asked)"),
        throttled,
    ));
    let after = memory(service.pid()).0;
    let imported = imports(&service).await;
    service.stop().await;
    if postgres {
        cancel_running(&workspace.db).await;
    }

    let mut restarted_in = None;
    if postgres {
        forget_statistics(&workspace.db).await;
        let service = Service::start(&workspace).await;
        restarted_in = Some(service.started_in);
        for list in &lists {
            let load = wrk(&service, &dir, &args, Workload::list(list)).await;
            rows.push((format!("`GET {}` ({}), statistics deleted", list.path, list.name), load));
        }
        service.stop().await;
        cancel_running(&workspace.db).await;
        restore_statistics(&workspace.db).await;
        statement_timeout(&workspace, None).await;
    }
    let tps = if postgres { Some(pgbench(args.secs).await) } else { None };

    let process = if postgres { "api" } else { "serve" };
    println!(
        "\n{}; {customers} customers{}; `estateflow {process}`, wrk -t2 -c{} -d{}s",
        workspace.mode(),
        seeded
            .as_ref()
            .map_or(String::new(), |s| format!(" (seeded in {:.0} s)", s.took.as_secs_f64())),
        args.connections,
        args.secs
    );
    println!();
    println!("| workload | req/s | p50 ms | p99 ms | errors | `{process}` peak RSS MiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, l) in &rows {
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} | {:.0} |",
            l.rate, l.p50_ms, l.p99_ms, l.errors, l.peak_mib
        );
    }
    if let Some(tps) = tps {
        println!("| `pgbench -S -c 8 -j 2` (scale 10), transactions/s | {tps:.0} | | | | |");
        println!();
        println!("GET by id ÷ pgbench -S: {:.3} (target ≥ 0.15).", get.rate / tps);
    }
    println!();
    println!(
        "`estateflow {process}`: started (listening) in {:.2} s{}; resident {idle:.0} MiB idle after one sign-in, {after:.0} MiB after the loads.",
        startup.as_secs_f64(),
        restarted_in.map_or(String::new(), |r| format!(
            " (again in {:.2} s with the statistics deleted)",
            r.as_secs_f64()
        ))
    );
    imported.print(process);
    let _ = std::fs::remove_dir_all(&dir);
    workspace.close(args.source.keep).await;
}

/// What ten imports did to the process.
struct Imported {
    took: Vec<Duration>,
    peak_mib: f64,
    after_mib: f64,
}

impl Imported {
    fn print(&self, process: &str) {
        let mut took: Vec<f64> = self.took.iter().map(Duration::as_secs_f64).collect();
        took.sort_by(f64::total_cmp);
        println!(
            "Ten imports of 10,000 new customers each (`POST /api/v1/customers/import`, one after another): \
             {:.2} s each at the median, {:.2} s the slowest; `{process}` resident {:.0} MiB at the peak, \
             {:.0} MiB 5 s after the last.",
            percentile(&took, 0.5),
            percentile(&took, 1.0),
            self.peak_mib,
            self.after_mib
        );
    }
}

/// Ten CSV imports of 10,000 new customers each, as the customer manager,
/// one after another: how long each took and the process's resident memory.
async fn imports(service: &Service) -> Imported {
    let client = reqwest::Client::new();
    // Phone numbers no earlier run used (a duplicate is answered, not created).
    let base = u64::from(Uuid::new_v4().as_u64_pair().0 as u32 % 8_000) * 100_000;
    reset_peak(service.pid());
    let mut took = Vec::new();
    for round in 0..10u64 {
        let mut csv = String::from("name,phone,channel\n");
        for n in 0..10_000u64 {
            let number = base + round * 10_000 + n;
            csv.push_str(&format!("压测导入客户{number},15{number:09},website\n"));
        }
        let clock = Instant::now();
        let response = client
            .post(format!("{}/api/v1/customers/import", service.url()))
            .bearer_auth(&service.token)
            .header("content-type", "text/csv")
            .body(csv)
            .timeout(Duration::from_secs(300))
            .send()
            .await
            .expect("import");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "import answered {status}: {body:.300}");
        took.push(clock.elapsed());
        eprintln!("import {round}: {:?}", clock.elapsed());
    }
    let peak_mib = memory(service.pid()).1;
    tokio::time::sleep(Duration::from_secs(5)).await;
    Imported {
        took,
        peak_mib,
        after_mib: memory(service.pid()).0,
    }
}
