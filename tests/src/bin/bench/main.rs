//! EstateFlow's benchmarks (docs/benchmarks.md), one subcommand each.
//!
//! PostgreSQL + Redis when `ESTATEFLOW_TEST_DATABASE_URL` and
//! `ESTATEFLOW_TEST_REDIS_URL` are set, else embedded (SQLite and its queue).
#![allow(clippy::print_stdout, reason = "a command-line tool prints its table")]

use std::path::PathBuf;

mod http;
mod scale;
mod seed;
mod timers;

#[derive(Debug, clap::Parser)]
#[command(name = "bench", about = "EstateFlow's benchmarks (docs/benchmarks.md)")]
enum Command {
    /// A burst of deadlines, a sustained rate and no-op timers.
    Timers(timers::Args),
    /// Seeds an organisation of a chosen size in bulk, timing each table.
    Seed(seed::Args),
    /// The API under `wrk` (by id, a list page, creation) beside `pgbench -S`.
    Http(http::Args),
    /// The monthly KPI snapshot, the quarterly Sales Star and the daily digest at scale.
    Scale(scale::Args),
}

#[tokio::main]
async fn main() {
    match <Command as clap::Parser>::parse() {
        Command::Timers(args) => timers::run(args).await,
        Command::Seed(args) => seed::run(args).await,
        Command::Http(args) => http::run(args).await,
        Command::Scale(args) => scale::run(args).await,
    }
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
