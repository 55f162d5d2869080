//! The queue operations API on real jobs: counts, listing and search,
//! retry / delete / run-now singly and in bulk, pause and resume, workers,
//! permissions, audit entries and the depth gauges on `/metrics`.

use std::time::Duration;

use queue::{inspect, probe::Probe};
use serde_json::{Value, json};
use tests::{
    AppOptions, TestApp,
    client::expect_json,
    org::{PASSWORD, create_user, values},
    spawn_app, spawn_app_with,
};
use uuid::Uuid;

const QUEUE: &str = "estateflow.system.probe";
const BASE: &str = "/api/v1/admin/queues/estateflow.system.probe";

async fn counts(app: &TestApp, token: &str) -> Value {
    let queues = expect_json(app.get("/api/v1/admin/queues", Some(token)).await, 200).await;
    let queue = queues["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|q| q["name"] == QUEUE)
        .cloned()
        .expect("the probe queue is listed");
    queue["counts"].clone()
}

async fn wait_for_count(app: &TestApp, token: &str, state: &str, n: u64) {
    tests::eventually(Duration::from_secs(15), &format!("{n} {state} jobs"), || async {
        (counts(app, token).await[state] == n).then_some(())
    })
    .await;
}

async fn jobs(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let list = expect_json(app.get(&format!("{BASE}/jobs?{query}"), Some(token)).await, 200).await;
    list["items"].as_array().expect("items").clone()
}

async fn push_failing(app: &TestApp) -> Uuid {
    let id = Uuid::now_v7();
    app.queue
        .push(Probe {
            id,
            hold_ms: 0,
            fail: true,
            flaky: false,
        })
        .await
        .expect("push a failing probe");
    id
}

async fn pause(app: &TestApp, token: &str) {
    let paused = expect_json(
        app.post_json(&format!("{BASE}/pause"), Some(token), &json!({})).await,
        200,
    )
    .await;
    assert_eq!(paused["paused"], true, "{paused}");
    let instance = app.worker_instance.as_deref().expect("the app runs its workers");
    tests::eventually(
        Duration::from_secs(10),
        "the probe worker to acknowledge the pause",
        || async {
            inspect::is_worker_stopped(&app.db, QUEUE, instance)
                .await
                .expect("read the acknowledgement")
                .then_some(())
        },
    )
    .await;
}

async fn audit(app: &TestApp, token: &str, entity: &str) -> Vec<String> {
    let log = expect_json(
        app.get(&format!("/api/v1/audit-log?entity={entity}&limit=100"), Some(token))
            .await,
        200,
    )
    .await;
    values(&log, "action")
}

#[tokio::test]
async fn queued_probes_appear_in_the_counts_the_job_list_and_the_metrics() {
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let token = app.admin_token().await;
    let first = app.push_probe(&token, 0).await;
    app.push_probe(&token, 0).await;

    let counts = counts(&app, &token).await;
    assert_eq!(
        counts,
        json!({"scheduled": 0, "pending": 2, "running": 0, "done": 0, "dead": 0})
    );

    let pending = jobs(&app, &token, "state=pending").await;
    assert_eq!(pending.len(), 2, "{pending:?}");
    let id = first["id"].as_str().expect("probe id");
    let found = jobs(&app, &token, &format!("state=pending&q={}", id.to_uppercase())).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["payload"]["id"], id);
    assert_eq!(found[0]["state"], "pending");

    let page = expect_json(
        app.get(&format!("{BASE}/jobs?state=pending&limit=1"), Some(&token))
            .await,
        200,
    )
    .await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let rest = expect_json(
        app.get(
            &format!("{BASE}/jobs?state=pending&limit=1&cursor={cursor}"),
            Some(&token),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(1));
    assert_ne!(rest["items"][0]["id"], page["items"][0]["id"]);
    assert_eq!(rest["next_cursor"], Value::Null);

    let metrics = app.get("/metrics", None).await.text().await.expect("metrics");
    assert!(
        metrics.contains(r#"estateflow_queue_jobs{queue="estateflow.system.probe",state="pending"} 2"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"estateflow_queue_jobs{queue="estateflow.system.probe",state="dead"} 0"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn unknown_queues_are_404_and_unknown_states_422() {
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let token = app.admin_token().await;
    tests::assert_problem(
        app.get("/api/v1/admin/queues/nope/jobs", Some(&token)).await,
        404,
        "not_found",
    )
    .await;
    tests::assert_problem(
        app.post_json("/api/v1/admin/queues/nope/pause", Some(&token), &json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
    tests::assert_problem(
        app.get(&format!("{BASE}/jobs?state=lost"), Some(&token)).await,
        422,
        "validation_failed",
    )
    .await;
    tests::assert_problem(
        app.post_json(
            &format!("{BASE}/job-deletions"),
            Some(&token),
            &json!({"state": "running"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    tests::assert_problem(
        app.post_json(
            &format!("{BASE}/jobs/01KB2Z6W3QF1J7E2M9X0B5C8VN/retry"),
            Some(&token),
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_paused_queue_keeps_its_jobs_until_it_is_resumed() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    pause(&app, &token).await;
    let probe = app.push_probe(&token, 0).await;
    // Its worker is stopped, so nothing marks a point it has passed: the
    // long poll answers as soon as the probe is handled, or after 1.5 s.
    assert_eq!(app.probe(&token, &probe, 1_500).await["status"], "queued");
    assert_eq!(counts(&app, &token).await["pending"], 1);
    let queues = expect_json(app.get(BASE, Some(&token)).await, 200).await;
    assert_eq!(queues["paused"], true);

    let resumed = expect_json(
        app.post_json(&format!("{BASE}/resume"), Some(&token), &json!({})).await,
        200,
    )
    .await;
    assert_eq!(resumed, json!({"name": QUEUE, "paused": false, "changed": true}));
    let handled = app.probe(&token, &probe, 10_000).await;
    assert_eq!(handled["status"], "handled", "{handled}");

    let workers = expect_json(app.get("/api/v1/admin/workers", Some(&token)).await, 200).await;
    assert!(
        workers["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|w| w["queue"] == QUEUE && w["last_heartbeat"].is_string()),
        "{workers}"
    );
    assert_eq!(audit(&app, &token, "queue").await, ["queue.pause", "queue.resume"]);
}

#[tokio::test]
async fn dead_jobs_are_retried_and_deleted_singly_and_in_bulk() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let ids = [
        push_failing(&app).await,
        push_failing(&app).await,
        push_failing(&app).await,
    ];
    wait_for_count(&app, &token, "dead", 3).await;
    // Held still, so that retried jobs stay pending to be counted.
    pause(&app, &token).await;
    // The workers run in this process, so their job metrics are served too.
    let metrics = app.get("/metrics", None).await.text().await.expect("metrics");
    for family in [
        "estateflow_jobs_processed_total{",
        "estateflow_jobs_failed_total{",
        "estateflow_job_duration_seconds_bucket{",
    ] {
        assert!(metrics.contains(family), "{family} in {metrics}");
    }
    assert!(metrics.contains(r#"kind="permanent""#), "{metrics}");

    let dead = jobs(&app, &token, "state=dead").await;
    assert_eq!(dead.len(), 3);
    let job_of = |probe: Uuid| {
        dead.iter()
            .find(|j| j["payload"]["id"] == probe.to_string())
            .and_then(|j| j["id"].as_str())
            .expect("the probe's job")
            .to_owned()
    };

    let response = app
        .post_json(
            &format!("{BASE}/jobs/{}/retry", job_of(ids[0])),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 204);
    let after = counts(&app, &token).await;
    assert_eq!(
        (after["dead"].as_u64(), after["pending"].as_u64()),
        (Some(2), Some(1)),
        "{after}"
    );
    // Not dead any more: retrying again conflicts.
    tests::assert_problem(
        app.post_json(
            &format!("{BASE}/jobs/{}/retry", job_of(ids[0])),
            Some(&token),
            &json!({}),
        )
        .await,
        409,
        "conflict",
    )
    .await;

    let bulk = expect_json(
        app.post_json(
            &format!("{BASE}/job-retries"),
            Some(&token),
            &json!({"state": "dead", "q": ids[1].to_string()}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(bulk, json!({"affected": 1}));
    assert_eq!(counts(&app, &token).await["pending"], 2);

    let response = app
        .delete(&format!("{BASE}/jobs/{}", job_of(ids[1])), Some(&token))
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(counts(&app, &token).await["pending"], 1);

    let deleted = expect_json(
        app.post_json(
            &format!("{BASE}/job-deletions"),
            Some(&token),
            &json!({"state": "dead"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(deleted, json!({"affected": 1}));
    let after = counts(&app, &token).await;
    assert_eq!(
        after,
        json!({"scheduled": 0, "pending": 1, "running": 0, "done": 0, "dead": 0})
    );

    assert_eq!(audit(&app, &token, "job").await, ["job.retry", "job.delete"]);
    assert_eq!(
        audit(&app, &token, "queue").await,
        ["queue.pause", "jobs.retry", "jobs.delete"]
    );
}

#[tokio::test]
async fn scheduled_jobs_run_now_singly_and_in_bulk() {
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let token = app.admin_token().await;
    for _ in 0..3 {
        app.queue
            .push_after(
                Probe {
                    id: Uuid::now_v7(),
                    hold_ms: 0,
                    fail: false,
                    flaky: false,
                },
                Duration::from_secs(3600),
            )
            .await
            .expect("schedule a probe");
    }
    assert_eq!(counts(&app, &token).await["scheduled"], 3);
    let scheduled = jobs(&app, &token, "state=scheduled").await;
    assert!(scheduled[0]["run_at"].is_string(), "{scheduled:?}");

    let id = scheduled[0]["id"].as_str().expect("id");
    let response = app
        .post_json(&format!("{BASE}/jobs/{id}/run-now"), Some(&token), &json!({}))
        .await;
    assert_eq!(response.status(), 204);
    let after = counts(&app, &token).await;
    assert_eq!(
        (after["scheduled"].as_u64(), after["pending"].as_u64()),
        (Some(2), Some(1)),
        "{after}"
    );

    let bulk = expect_json(
        app.post_json(&format!("{BASE}/job-runs"), Some(&token), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(bulk, json!({"affected": 2}));
    assert_eq!(counts(&app, &token).await["pending"], 3);
    assert_eq!(audit(&app, &token, "job").await, ["job.run_now"]);
    assert_eq!(audit(&app, &token, "queue").await, ["jobs.run_now"]);
}

#[tokio::test]
async fn only_holders_of_the_queue_permissions_see_and_operate_queues() {
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    create_user(&app, "consultant@example.com", "consultant", None).await;
    create_user(&app, "manager@example.com", "manager", None).await;
    for email in ["consultant@example.com", "manager@example.com"] {
        let token = app.token(email, PASSWORD).await;
        for response in [
            app.get("/api/v1/admin/queues", Some(&token)).await,
            app.get("/api/v1/admin/workers", Some(&token)).await,
            app.get(&format!("{BASE}/jobs"), Some(&token)).await,
            app.post_json(&format!("{BASE}/pause"), Some(&token), &json!({})).await,
            app.post_json(&format!("{BASE}/job-retries"), Some(&token), &json!({}))
                .await,
            app.delete(&format!("{BASE}/jobs/01KB2Z6W3QF1J7E2M9X0B5C8VN"), Some(&token))
                .await,
        ] {
            tests::assert_problem(response, 403, "forbidden").await;
        }
    }
    let token = app.admin_token().await;
    assert_eq!(counts(&app, &token).await["pending"], 0);
    assert!(audit(&app, &token, "queue").await.is_empty());
}
