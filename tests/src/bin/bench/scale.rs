//! `bench scale`: the periodic work that reads across the whole
//! organisation, timed at scale: last month's KPI snapshot (the figures of
//! every consultant and team, `snapshots::take`), the live KPIs of the
//! month so far (what the director's dashboard reads), last quarter's
//! Sales Star (`run_at_once`) and the daily manager digest (the periodic
//! job, `run_now`), each with the resident memory it added to this process.
//!
//! `target/release/bench scale [--customers 1000000 …] [--database URL] [--keep]`
//!
//! Weekly follow-ups have no sweep to time: each customer's follow-up is a
//! timer row of its own, fired when due (`bench timers` measures that).

use std::time::{Duration, Instant};

use chrono::Utc;
use domain::{
    Settings,
    access::{actor::Actor, audit::AuditContext, permissions::Scope},
    engine::periodic::{self, Job},
    performance::{awards::runs, kpis, snapshots},
    platform::calendar::{Month, Quarter},
};

use crate::{memory, seed::Source};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
}

/// Runs `work`: its `label`, how long it took and how far it raised this
/// process's resident high-water mark above what was resident before, MiB.
async fn measure<F: Future<Output = ()>>(label: String, work: F) -> (String, Duration, f64) {
    let pid = std::process::id();
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = memory(pid).0;
    let clock = Instant::now();
    work.await;
    let took = clock.elapsed();
    (label, took, memory(pid).1 - before)
}

pub async fn run(args: Args) {
    let (workspace, seeded) = args.source.open().await;
    let db = &workspace.db;
    let tz = Settings::default().timezone;
    let now = Utc::now();
    let this_month = Month::of(now, tz);
    let last_month = Month::of_day(this_month.first_day() - chrono::Duration::days(1));
    let last_quarter = Quarter::of(now, tz).previous();
    let rows = vec![
        measure(
            format!("monthly KPI snapshot of {last_month} (`snapshots::take`)"),
            async {
                snapshots::take(db, last_month, tz).await.expect("KPI snapshot");
            },
        )
        .await,
        measure(format!("live KPIs of {this_month}, every consultant and team"), async {
            let actor = Actor::system();
            kpis::consultants(db, &actor, Scope::All, this_month, tz, None)
                .await
                .expect("consultant KPIs");
            kpis::teams(db, &actor, Scope::All, this_month, tz)
                .await
                .expect("team KPIs");
        })
        .await,
        measure(
            format!("quarterly Sales Star of {last_quarter} (`run_at_once`)"),
            async {
                runs::run_at_once(db, last_quarter, tz).await.expect("Sales Star");
            },
        )
        .await,
        measure("daily manager digest (`run_now`)".to_owned(), async {
            periodic::run_now(db, Job::DigestDaily, now, tz, &AuditContext::default())
                .await
                .expect("daily digest");
        })
        .await,
    ];

    let count = |table: &str| {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        async move {
            let row = sea_orm::ConnectionTrait::query_one_raw(
                db,
                sea_orm::Statement::from_string(db.get_database_backend(), sql),
            )
            .await
            .expect("count")
            .expect("a row");
            row.try_get::<i64>("", "n").expect("n")
        }
    };
    println!(
        "\n{}; {} customers, {} follow-ups, {} deals, {} users{}\n",
        workspace.mode(),
        count("customers").await,
        count("follow_ups").await,
        count("deals").await,
        count("users").await,
        seeded.map_or(String::new(), |s| format!(" (seeded in {:.0} s)", s.took.as_secs_f64()))
    );
    println!("| run | seconds | peak memory added, MiB |");
    println!("|---|---:|---:|");
    for (name, took, mib) in rows {
        println!("| {name} | {:.3} | {mib:.0} |", took.as_secs_f64());
    }
    workspace.close(args.source.keep).await;
}
