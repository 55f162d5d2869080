//! How fast the console's pages answer: starts the service on a fresh
//! database (PostgreSQL + Redis when `ESTATEFLOW_TEST_DATABASE_URL` and
//! `ESTATEFLOW_TEST_REDIS_URL` are set, else embedded), loads the demo
//! organisation, optionally adds `--customers N` customers (through the
//! CSV import, 10,000 rows at a time, spread over the demo consultants)
//! and `--jobs N` waiting jobs in the probe queue (no workers run, so they
//! stay), signs in, and times each page `--rounds` times in a row. Prints
//! one Markdown table: p50, p95 and the slowest answer per page.
//!
//! `cargo run --release -p tests --bin console-bench -- --customers 100000 --jobs 100000 [--analyze] [--hold]`
//!
//! `--hold` keeps the seeded database after the table (its URL on stderr)
//! until standard input closes, to look at query plans with `sqlite3` or `psql`.
#![allow(clippy::print_stdout, reason = "a command-line tool prints its table")]

use std::time::{Duration, Instant};

use domain::{
    access::{actor::Actor, audit::AuditContext, permissions::Scope},
    demo::DEMO_PASSWORD,
};
use entities::users;
use sea_orm::EntityTrait;
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, AppOptions, console::Console, spawn_app_with};

/// The pages timed, and who opens them (`admin`: the first administrator,
/// else a demo account's local part).
const PAGES: &[(&str, &str)] = &[
    ("/console", "admin"),
    ("/console/users", "admin"),
    ("/console/roles", "admin"),
    ("/console/audit", "admin"),
    ("/console/queues", "admin"),
    ("/console/queues/estateflow.system.probe?state=pending", "admin"),
    ("/console/queues/estateflow.system.probe?state=pending&q=zzz", "admin"),
    ("/console/timers", "admin"),
    ("/console/timers?view=open", "admin"),
    ("/console/timers?view=next_hour&kind=first_response", "admin"),
    ("/console/periodic", "admin"),
    ("/console/health", "admin"),
    ("/console/dashboard", "director"),
    ("/console/dashboard?period=quarter", "director"),
    ("/console/dashboard", "manager.pudong"),
    ("/console/customers", "director"),
    ("/console/customers?status=new", "director"),
    ("/console/customers?q=%E5%AE%A2%E6%88%B7", "director"),
    ("/console/customers?q=zzz", "director"),
    ("/console/customers", "manager.pudong"),
    ("/console/customers?q=%E5%AE%A2%E6%88%B7", "manager.pudong"),
    ("/console/sla-breaches", "director"),
    ("/console/agenda", "li.na"),
    ("/console/agenda", "manager.pudong"),
];

struct Args {
    customers: usize,
    jobs: usize,
    rounds: usize,
    /// Gather the planner's statistics after seeding (`ANALYZE`), as
    /// autovacuum would shortly after a bulk import.
    analyze: bool,
    /// Keep the database until standard input closes.
    hold: bool,
}

fn args() -> Args {
    let mut args = Args {
        customers: 0,
        jobs: 0,
        rounds: 20,
        analyze: false,
        hold: false,
    };
    let mut raw: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = raw.iter().position(|a| a == "--analyze") {
        raw.remove(at);
        args.analyze = true;
    }
    if let Some(at) = raw.iter().position(|a| a == "--hold") {
        raw.remove(at);
        args.hold = true;
    }
    for pair in raw.chunks(2) {
        let value = pair.get(1).and_then(|v| v.parse().ok()).unwrap_or(0);
        match pair[0].as_str() {
            "--customers" => args.customers = value,
            "--jobs" => args.jobs = value,
            "--rounds" => args.rounds = value.max(1),
            other => panic!("unknown argument {other}: use --customers N --jobs N --rounds N [--analyze] [--hold]"),
        }
    }
    args
}

#[tokio::main]
async fn main() {
    let args = args();
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let tz = app.settings.timezone;
    domain::demo::load(&app.db, tz).await.expect("demo data");
    let started = Instant::now();
    seed_customers(&app, args.customers).await;
    eprintln!("{} customers imported in {:.1?}", args.customers, started.elapsed());
    let started = Instant::now();
    seed_jobs(&app, args.jobs).await;
    eprintln!("{} jobs queued in {:.1?}", args.jobs, started.elapsed());
    if args.analyze {
        use sea_orm::ConnectionTrait;
        app.db.execute_unprepared("ANALYZE").await.expect("ANALYZE");
    }

    let mut consoles: Vec<(&str, Console)> = Vec::new();
    for (_, who) in PAGES {
        if consoles.iter().all(|(w, _)| w != who) {
            let console = if *who == "admin" {
                Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await
            } else {
                Console::sign_in(&app, &format!("{who}@demo.estateflow.local"), DEMO_PASSWORD).await
            };
            consoles.push((who, console));
        }
    }
    let mode = if app.settings.redis_url.is_some() {
        "PostgreSQL + Redis"
    } else {
        "embedded (SQLite)"
    };
    println!(
        "\n{mode}; demo data + {} customers, {} waiting jobs; {} rounds per page; statistics {}\n",
        args.customers,
        args.jobs,
        args.rounds,
        if args.analyze {
            "gathered (ANALYZE)"
        } else {
            "as left by the import"
        }
    );
    println!("| page | who | status | p50 ms | p95 ms | max ms | KiB |");
    println!("|---|---|---|---:|---:|---:|---:|");
    for (path, who) in PAGES {
        let console = &consoles.iter().find(|(w, _)| w == who).expect("signed in").1;
        let (status, size) = {
            let (status, body) = console.page(path).await;
            (status, body.len())
        };
        if status == 404 {
            println!("| `{path}` | {who} | 404 (not built) | | | | |");
            continue;
        }
        let mut times = Vec::with_capacity(args.rounds);
        for _ in 0..args.rounds {
            let started = Instant::now();
            let (_, body) = console.page(path).await;
            times.push(started.elapsed());
            std::hint::black_box(body);
        }
        times.sort();
        let at = |q: f64| ms(times[((times.len() - 1) as f64 * q).round() as usize]);
        println!(
            "| `{path}` | {who} | {status} | {:.1} | {:.1} | {:.1} | {} |",
            at(0.5),
            at(0.95),
            ms(times[times.len() - 1]),
            size / 1024
        );
    }
    if args.hold {
        eprintln!(
            "holding {} until standard input closes",
            app.settings.database_url.expose()
        );
        let _ = tokio::task::spawn_blocking(|| std::io::read_to_string(std::io::stdin())).await;
    }
    app.stop().await;
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Imports `n` customers as CSV, 10,000 rows at a time, owned by the demo
/// consultants in turn.
async fn seed_customers(app: &tests::TestApp, n: usize) {
    if n == 0 {
        return;
    }
    let owners: Vec<String> = users::Entity::find()
        .all(&app.db)
        .await
        .expect("users")
        .into_iter()
        .map(|u| u.email)
        .filter(|e| e.ends_with("@demo.estateflow.local"))
        .collect();
    let admin = users::Entity::find()
        .all(&app.db)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.email == ADMIN_EMAIL)
        .expect("administrator");
    let actor: Actor = domain::access::actor::load_user(&app.db, admin.id)
        .await
        .expect("actor")
        .expect("active administrator");
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(domain::sales::csv::MAX_ROWS);
        let mut csv = String::from("name,phone,owner_email\n");
        for i in done..done + batch {
            let owner = &owners[i % owners.len()];
            csv.push_str(&format!("客户{i},139{i:08},{owner}\n"));
        }
        domain::sales::csv::import(&app.db, &AuditContext::default(), &actor, Scope::All, csv.as_bytes())
            .await
            .expect("import");
        done += batch;
    }
}

/// Queues `n` probes (no worker runs here, so they wait).
async fn seed_jobs(app: &tests::TestApp, n: usize) {
    use futures::{StreamExt, stream};
    stream::iter(0..n)
        .map(|_| queue::probe::push(&app.db, &app.queue, 0))
        .buffer_unordered(64)
        .for_each(|pushed| async move {
            pushed.expect("probe queued");
        })
        .await;
}
