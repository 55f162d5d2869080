//! Set-up for tests of the queue pages (console over HTTP and in the
//! browser): the probe queue, its counts through the REST API, a job found
//! by its probe, a job made dead, and waiting for the workers to obey a pause.

use std::time::Duration;

use queue::{QueueClient, inspect};
use serde_json::Value;

use crate::{TestApp, client::expect_json};

/// The queue of the probes (`POST /api/v1/admin/queue-probes`).
pub const QUEUE: &str = "estateflow.system.probe";
/// The probe queue in the REST API.
pub const API: &str = "/api/v1/admin/queues/estateflow.system.probe";
/// The probe queue's jobs page in the console.
pub const PAGE: &str = "/console/queues/estateflow.system.probe";

/// The probe queue's jobs by state, through the REST API.
pub async fn counts(app: &TestApp, token: &str) -> Value {
    expect_json(app.get(API, Some(token)).await, 200).await["counts"].clone()
}

/// The id of the one job of `state` whose payload names `probe`.
pub async fn job_of(app: &TestApp, token: &str, state: &str, probe: &str) -> String {
    let list = expect_json(
        app.get(&format!("{API}/jobs?state={state}&q={probe}"), Some(token))
            .await,
        200,
    )
    .await;
    list["items"][0]["id"].as_str().expect("the probe's job").to_owned()
}

/// Makes a waiting job dead as a permanent failure would, in the backend's
/// own storage, so that a retry of it can succeed.
pub async fn make_dead(app: &TestApp, id: &str) {
    match &app.queue {
        QueueClient::Sqlite(pool) => {
            sea_orm::sqlx::query("UPDATE Jobs SET status = 'Killed', done_at = unixepoch() WHERE id = ?1")
                .bind(id)
                .execute(pool)
                .await
                .expect("kill the job");
        }
        QueueClient::Redis { conn, namespace } => {
            let base = format!("{namespace}:{QUEUE}");
            redis::pipe()
                .zrem(format!("{base}:scheduled"), id)
                .ignore()
                .lrem(format!("{base}:active"), 0, id)
                .ignore()
                .sadd(format!("{base}:dead"), id)
                .ignore()
                .query_async::<()>(&mut conn.clone())
                .await
                .expect("kill the job");
        }
    }
}

/// Waits until the app's worker of the probe queue has stopped taking jobs
/// (after a pause).
pub async fn wait_for_the_worker_to_pause(app: &TestApp) {
    let instance = app.worker_instance.clone().expect("workers run here");
    crate::eventually(Duration::from_secs(10), "the worker to obey the pause", || async {
        inspect::is_worker_stopped(&app.db, QUEUE, &instance)
            .await
            .expect("acknowledgement")
            .then_some(())
    })
    .await;
}
