//! The `estateflow` binary: parses the command line and hands over to the
//! library crates. It holds no business logic.

// Printing to stdout is this binary's job (banners, `openapi`, `migrate status`).
#![allow(clippy::print_stdout)]

use std::{io::BufRead, path::PathBuf, process::ExitCode};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use domain::{
    Secret, Settings,
    access::users::{Bootstrap, NewUser},
    platform::settings::{LogFormat, Mode},
};
use queue::QueueClient;
use serde::Serialize;
use tokio::sync::watch;
use worker::Workers;

#[derive(Debug, Parser)]
#[command(
    name = "estateflow",
    version,
    about = "Workflow and task-queue service for real-estate sales departments"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalFlags,
    #[command(subcommand)]
    command: Command,
}

/// Flags that override the file and the environment (see docs/configuration.md).
#[derive(Debug, Args, Serialize)]
struct GlobalFlags {
    /// Settings file (default: ./estateflow.toml if present; env ESTATEFLOW_CONFIG).
    #[arg(long, global = true)]
    #[serde(skip)]
    config: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://… (env ESTATEFLOW_DATABASE_URL).
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
    /// Redis URL of the job queue (env ESTATEFLOW_REDIS_URL).
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    redis_url: Option<String>,
    /// Listen address, e.g. 0.0.0.0:8080 (env ESTATEFLOW_BIND).
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    bind: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the API and the workers in one process (embedded mode's default).
    Serve {
        /// Load a demo organisation on first start.
        #[arg(long)]
        demo: bool,
    },
    /// Run only the HTTP API (production: as many replicas as wanted).
    Api,
    /// Run only the workers (production: as many replicas as wanted).
    Worker,
    /// Bring the database schema up to date, or show its status.
    Migrate {
        #[arg(value_enum, default_value = "up")]
        action: MigrateAction,
    },
    /// Print the OpenAPI document as JSON.
    Openapi,
    /// Administrative tasks.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum MigrateAction {
    Up,
    Status,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a user; the password is read from the first line of stdin.
    CreateUser {
        #[arg(long)]
        email: String,
        /// Read the password from standard input (required: passwords never go in argv).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Role name; repeat for several (admin, director, manager, consultant, customer_manager, support, partner).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Display name (default: the e-mail's local part).
        #[arg(long)]
        name: Option<String>,
        /// zh-CN or en.
        #[arg(long, default_value = "zh-CN")]
        locale: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        return match api::openapi::openapi_pretty_json() {
            Ok(document) => {
                print!("{document}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("the OpenAPI document cannot be written: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let settings = match Settings::load(cli.global.config.as_deref(), &cli.global) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("estateflow: {err}");
            return ExitCode::from(2);
        }
    };
    if let Err(err) = init_logging(&settings) {
        eprintln!("estateflow: {err}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("estateflow: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "estateflow failed");
            eprintln!("estateflow: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr with the configured filter; a filter that cannot be read
/// is a configuration error, not a silent `info`.
fn init_logging(settings: &Settings) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log)
        .map_err(|e| format!("log (ESTATEFLOW_LOG) is not a valid filter: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match settings.log_format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
    Ok(())
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let mode = settings.mode()?;
    tracing::info!(?mode, database = %settings.database_url, queue = ?settings.queue_backend(), "starting");
    let db = domain::platform::db::connect(&settings)
        .await
        .context("cannot connect to the database")?;
    match command {
        Command::Migrate {
            action: MigrateAction::Status,
        } => {
            for (name, applied) in domain::platform::db::migration_status(&db).await? {
                println!("{} {name}", if applied { "applied" } else { "pending" });
            }
            return Ok(());
        }
        Command::Migrate {
            action: MigrateAction::Up,
        } => {
            migrate(&settings, &db).await?;
            println!("database is up to date");
            return Ok(());
        }
        _ => {}
    }
    // Embedded mode migrates itself; production runs `estateflow migrate` once per release.
    if mode == Mode::Embedded {
        migrate(&settings, &db).await?;
    }
    let queue = QueueClient::connect(&settings, &db)
        .await
        .context("cannot connect to the queue")?;
    match command {
        Command::Serve { demo } => {
            first_start(&settings, &db, demo).await?;
            let app = api::Application::build(&settings, db.clone(), queue.clone()).await?;
            let workers = Workers::build(&settings, db, queue)?;
            print_banner(&settings, app.port());
            run_services(Some(app), Some(workers)).await
        }
        Command::Api => {
            first_start(&settings, &db, false).await?;
            let app = api::Application::build(&settings, db, queue).await?;
            print_banner(&settings, app.port());
            run_services(Some(app), None).await
        }
        Command::Worker => {
            let workers = Workers::build(&settings, db.clone(), queue.clone())?;
            let probes = if settings.worker_bind.trim().is_empty() {
                None
            } else {
                let app = api::Application::build_probes(&settings, db, queue, &settings.worker_bind).await?;
                print_worker_banner(&settings.worker_bind, app.port());
                Some(app)
            };
            run_services(probes, Some(workers)).await
        }
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    email,
                    password_stdin: _,
                    roles,
                    name,
                    locale,
                },
        } => {
            let password = read_password()?;
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
            let user = domain::access::users::create(
                &db,
                &domain::access::audit::AuditContext::default(),
                NewUser {
                    email,
                    name,
                    password,
                    roles,
                    team_id: None,
                    phone: None,
                    locale,
                },
            )
            .await
            .map_err(describe_domain_error)?;
            println!("created user {} ({})", user.email, user.id);
            Ok(())
        }
        Command::Migrate { .. } | Command::Openapi => Ok(()),
    }
}

async fn migrate(settings: &Settings, db: &domain::platform::db::DatabaseConnection) -> anyhow::Result<()> {
    domain::migrate(db).await.context("migration failed")?;
    if settings.queue_backend() == domain::platform::settings::QueueBackend::Sqlite {
        QueueClient::connect(settings, db)
            .await?
            .setup()
            .await
            .context("queue setup failed")?;
    }
    Ok(())
}

/// The first administrator and, if asked, the demo organisation.
async fn first_start(
    settings: &Settings,
    db: &domain::platform::db::DatabaseConnection,
    demo: bool,
) -> anyhow::Result<()> {
    match domain::access::users::ensure_first_admin(db, settings)
        .await
        .map_err(describe_domain_error)?
    {
        Bootstrap::NotNeeded => {}
        Bootstrap::Created { email } => {
            println!("Created administrator {email} (password from ESTATEFLOW_ADMIN_PASSWORD).")
        }
        Bootstrap::Generated { email, password } => {
            println!();
            println!("  Created administrator {email}");
            println!("  Generated password (shown once): {}", password.expose());
            println!("  Set ESTATEFLOW_ADMIN_EMAIL / ESTATEFLOW_ADMIN_PASSWORD to choose them instead.");
            println!();
        }
    }
    if demo
        && let Some(summary) = domain::demo::load(db, settings.timezone)
            .await
            .map_err(describe_domain_error)?
    {
        println!(
            "Loaded the demo organisation: {} regions, {} teams, {} staff; every demo account's password is {}",
            summary.regions,
            summary.teams,
            summary.users.len(),
            domain::demo::DEMO_PASSWORD
        );
        for (email, role) in &summary.users {
            println!("  {role:<17} {email}");
        }
        let sales = &summary.sales;
        println!(
            "  and its sales record: {} units, {} customers at every stage, {} deals, {} complaints, \
             targets, trainings and an open day; {} approval requests; {} bonus pools of last month \
             (GET /api/v1/bonus-pools)",
            sales.units, sales.customers, sales.deals, sales.complaints, summary.approvals, summary.bonus_pools
        );
        println!(
            "  and {} lead routing rules (GET /api/v1/routing-rules): a pushed lead is assigned as it arrives",
            summary.routing_rules
        );
        println!(
            "  and {} customers lost this week (GET /api/v1/reports/churn); each team's day and week at \
             GET /api/v1/teams/{{id}}/report?period=day|week",
            summary.lost_this_week
        );
        let (briefs, plans) = summary.details;
        println!(
            "  and {briefs} project briefs (GET /api/v1/projects/{{project}}/brief) and {plans} negotiation plans \
             (GET /api/v1/deals/{{id}}/negotiation-plan)"
        );
        println!(
            "  and {} key accounts on their revisit cadence (GET /api/v1/me/agenda as the customer manager), \
             {} pieces of customer feedback routed to departments (GET /api/v1/feedback)",
            summary.care.key_accounts, summary.care.feedback
        );
        let (client_id, secret) = &summary.partner;
        println!(
            "  and a partner client ({} of the customers are its leads): client_id {client_id}, \
             secret (shown once) {secret}",
            sales.partner_leads
        );
    }
    Ok(())
}

/// `http://host:port` of a listener bound to `bind`, as a browser on this machine reaches it.
fn base_url(bind: &str, port: u16) -> String {
    let host = bind.rsplit_once(':').map_or("127.0.0.1", |(host, _)| host);
    let host = if host == "0.0.0.0" || host == "[::]" {
        "127.0.0.1"
    } else {
        host
    };
    format!("http://{host}:{port}")
}

fn print_banner(settings: &Settings, port: u16) {
    let base = base_url(&settings.bind, port);
    println!("EstateFlow is listening on {base}");
    println!("  Admin console:         {base}/console");
    println!("  API docs (Swagger UI): {base}/docs/");
    println!("  OpenAPI document:      {base}/api/v1/openapi.json");
    println!("  Health / readiness:    {base}/healthz  {base}/readyz");
    println!("  Metrics:               {base}/metrics");
}

/// A worker process serves only its probes.
fn print_worker_banner(bind: &str, port: u16) {
    let base = base_url(bind, port);
    println!("EstateFlow worker is listening on {base}");
    println!("  Health / readiness:    {base}/healthz  {base}/readyz");
    println!("  Metrics:               {base}/metrics");
}

fn read_password() -> anyhow::Result<Secret> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']);
    anyhow::ensure!(!password.is_empty(), "no password on stdin");
    Ok(Secret::new(password))
}

fn describe_domain_error(err: domain::DomainError) -> anyhow::Error {
    match err {
        domain::DomainError::Validation(fields) => anyhow::anyhow!(
            "invalid input: {}",
            fields
                .iter()
                .map(|f| format!("{} {}", f.pointer.trim_start_matches('/'), f.detail))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!(other),
    }
}

/// Runs the HTTP server and/or the workers until SIGTERM or SIGINT, then
/// stops accepting requests and jobs and lets in-flight ones finish.
async fn run_services(app: Option<api::Application>, workers: Option<Workers>) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = app.map(|app| {
        let handle = app.handle();
        (handle, tokio::spawn(app.run_until_stopped()))
    });
    let workers = workers.map(|workers| {
        let mut stop = stop_rx.clone();
        tokio::spawn(workers.run_until_stopped(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        }))
    });
    shutdown_signal().await;
    tracing::info!("shutdown requested: finishing in-flight requests and jobs");
    let _ = stop_tx.send(true);
    if let Some((handle, task)) = server {
        handle.stop(true).await;
        task.await??;
    }
    if let Some(task) = workers {
        task.await??;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
