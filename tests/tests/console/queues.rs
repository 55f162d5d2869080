//! The console's queue pages on real jobs: the overview's counts, pause and
//! resume, throughput and workers; a queue's jobs with retry and bulk
//! deletion; the live fragments; and what a reader without `queues:write`
//! sees and may do.

use std::time::Duration;

use queue::probe::Probe;
use serde_json::{Value, json};
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, AppOptions, TestApp,
    client::expect_json,
    console::{Console, location},
    org::{PASSWORD, create_user, my_id},
    queues::{API, PAGE, QUEUE, counts, job_of, make_dead, wait_for_the_worker_to_pause},
    spawn_app, spawn_app_with,
};
use uuid::Uuid;

fn no_workers() -> AppOptions {
    AppOptions {
        workers: false,
        ..AppOptions::default()
    }
}

/// The number the overview shows for `state` in the row of `queue`.
fn cell(html: &str, queue: &str, state: &str) -> String {
    let row = &html[html.find(&format!("data-queue=\"{queue}\"")).expect("the queue's row")..];
    let row = &row[..row.find("</tr>").expect("row end")];
    let at = row.find(&format!("data-state=\"{state}\"")).expect("the state's cell");
    let cell = &row[at..];
    let mut text = &cell[cell.find('>').expect("the cell's tag") + 1..];
    if text.starts_with("<a ") {
        text = &text[text.find('>').expect("anchor") + 1..];
    }
    text[..text.find('<').expect("close")].to_owned()
}

/// Workers of a test's own, with settings of its own, until it stops them.
struct OwnWorkers {
    stop: tokio::sync::oneshot::Sender<()>,
    running: tokio::task::JoinHandle<Result<(), worker::WorkersError>>,
}

impl OwnWorkers {
    fn start(app: &TestApp, settings: &domain::Settings) -> OwnWorkers {
        let workers = worker::Workers::build(settings, app.db.clone(), app.queue.clone()).expect("workers");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(workers.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        OwnWorkers { stop, running }
    }

    /// Stops them gracefully, as a deployment would.
    async fn stop(self) {
        let _ = self.stop.send(());
        self.running.await.expect("join").expect("the workers stop cleanly");
    }
}

async fn flash_after(console: &Console, response: reqwest::Response) -> String {
    assert_eq!(
        response.status().as_u16(),
        303,
        "{}",
        response.text().await.unwrap_or_default()
    );
    let (status, html) = console.page(&location(&response)).await;
    assert_eq!(status, 200);
    let at = html.find("class=\"flash\"").expect("a flash message");
    let text = &html[at..];
    text[text.find('>').expect("p") + 1..text.find("</p>").expect("end")].to_owned()
}

async fn pause_from_console(app: &TestApp, console: &Console) -> String {
    let flash = flash_after(console, console.post(&format!("{PAGE}/pause"), &[]).await).await;
    wait_for_the_worker_to_pause(app).await;
    flash
}

async fn audit(app: &TestApp, token: &str, entity: &str) -> Vec<Value> {
    let log = expect_json(
        app.get(&format!("/api/v1/audit-log?entity={entity}&limit=100"), Some(token))
            .await,
        200,
    )
    .await;
    log["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn the_overview_shows_the_counts_of_each_queue_in_both_languages() {
    let app = spawn_app_with(no_workers()).await;
    let token = app.admin_token().await;
    for _ in 0..3 {
        app.push_probe(&token, 0).await;
    }
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, html) = console.page("/console/queues").await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(cell(&html, QUEUE, "pending"), "3", "{html}");
    assert_eq!(cell(&html, QUEUE, "dead"), "0");
    assert_eq!(cell(&html, QUEUE, "retrying"), "0");
    assert_eq!(cell(&html, "estateflow.sla", "pending"), "0");
    assert!(
        html.contains("待处理") && html.contains("死信") && html.contains("已计划"),
        "{html}"
    );
    assert!(html.contains("重试中"), "what retrying means is said: {html}");
    assert!(
        html.contains("href=\"/console/queues\" aria-current=\"page\""),
        "in the sidebar: {html}"
    );
    assert!(html.contains("data-refresh=\"/console/queues/fragment\""), "{html}");
    assert!(html.contains("没有已注册的工作进程"), "no workers here: {html}");

    console
        .post("/console/language", &[("locale", "en"), ("back", "/console/queues")])
        .await;
    let (_, en) = console.page("/console/queues").await;
    assert!(
        en.contains("Pending") && en.contains("Dead") && en.contains("Pause"),
        "{en}"
    );
    assert_eq!(cell(&en, QUEUE, "pending"), "3");

    let (status, jobs) = console.page(&format!("{PAGE}?state=pending")).await;
    assert_eq!(status, 200);
    assert_eq!(jobs.matches("name=\"id\" value=").count(), 3, "{jobs}");
    assert!(
        jobs.contains("Delete 3 jobs?"),
        "the filter's count in the confirmation: {jobs}"
    );
}

#[tokio::test]
async fn retrying_a_dead_job_from_the_console_runs_it_and_is_audited_with_the_user_as_actor() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // Held still while the job is made dead and retried.
    pause_from_console(&app, &console).await;
    let probe = app.push_probe(&token, 0).await;
    let probe_id = probe["id"].as_str().expect("probe id");
    let job = job_of(&app, &token, "pending", probe_id).await;
    make_dead(&app, &job).await;
    assert_eq!(counts(&app, &token).await["dead"], 1);

    let (_, dead) = console.page(&format!("{PAGE}?state=dead")).await;
    assert!(dead.contains(&job), "the dead job is listed: {dead}");
    let (status, detail) = console.page(&format!("{PAGE}/jobs/{job}")).await;
    assert_eq!(status, 200);
    assert!(
        detail.contains(probe_id) && detail.contains("data-state=\"dead\""),
        "{detail}"
    );
    assert!(detail.contains(&format!("{PAGE}/jobs/{job}/retry")), "{detail}");

    let flash = flash_after(&console, console.post(&format!("{PAGE}/jobs/{job}/retry"), &[]).await).await;
    assert_eq!(flash, "已重试 1 个任务。");
    let after = counts(&app, &token).await;
    assert_eq!(
        (after["dead"].as_u64(), after["pending"].as_u64()),
        (Some(0), Some(1)),
        "{after}"
    );

    console.post(&format!("{PAGE}/resume"), &[]).await;
    let handled = app.probe(&token, &probe, 10_000).await;
    assert_eq!(handled["status"], "handled", "{handled}");
    tests::eventually(Duration::from_secs(10), "the retried job to be done", || async {
        (counts(&app, &token).await["done"] == 1).then_some(())
    })
    .await;

    let admin = my_id(&app, &token).await;
    let entries = audit(&app, &token, "job").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["action"], "job.retry");
    assert_eq!(entries[0]["entity_id"], job.as_str());
    assert_eq!(entries[0]["actor_user_id"], admin.as_str());
}

#[tokio::test]
async fn bulk_delete_by_filter_removes_exactly_the_matching_jobs_and_reports_the_count() {
    let app = spawn_app_with(no_workers()).await;
    let token = app.admin_token().await;
    let mut probes = Vec::new();
    for _ in 0..4 {
        probes.push(app.push_probe(&token, 0).await["id"].as_str().expect("id").to_owned());
    }
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, filtered) = console.page(&format!("{PAGE}?state=pending&q={}", probes[0])).await;
    assert!(filtered.contains("删除 1 个任务？"), "{filtered}");

    let response = console
        .post(
            &format!("{PAGE}/bulk"),
            &[("do", "delete:filter"), ("state", "pending"), ("q", &probes[0])],
        )
        .await;
    assert_eq!(flash_after(&console, response).await, "已删除 1 个任务。");
    assert_eq!(counts(&app, &token).await["pending"], 3);
    let left = expect_json(app.get(&format!("{API}/jobs?state=pending"), Some(&token)).await, 200).await;
    let left: Vec<&str> = left["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|j| j["payload"]["id"].as_str())
        .collect();
    assert!(!left.contains(&probes[0].as_str()) && left.len() == 3, "{left:?}");

    // Two ticked jobs of the page.
    let one = job_of(&app, &token, "pending", &probes[1]).await;
    let two = job_of(&app, &token, "pending", &probes[2]).await;
    let response = console
        .post(
            &format!("{PAGE}/bulk"),
            &[
                ("do", "delete:selected"),
                ("state", "pending"),
                ("q", ""),
                ("id", &one),
                ("id", &two),
            ],
        )
        .await;
    assert_eq!(flash_after(&console, response).await, "已删除 2 个任务。");
    assert_eq!(counts(&app, &token).await["pending"], 1);

    let admin = my_id(&app, &token).await;
    let bulk = audit(&app, &token, "queue").await;
    assert_eq!(bulk.len(), 1, "{bulk:?}");
    assert_eq!(bulk[0]["action"], "jobs.delete");
    assert_eq!(bulk[0]["actor_user_id"], admin.as_str());
    assert_eq!(audit(&app, &token, "job").await.len(), 2, "each ticked job is audited");
}

#[tokio::test]
async fn a_paused_queue_keeps_a_pushed_probe_pending_until_it_is_resumed_from_the_console() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let flash = pause_from_console(&app, &console).await;
    assert!(flash.contains("已暂停"), "{flash}");
    let probe = app.push_probe(&token, 0).await;
    assert_eq!(app.probe(&token, &probe, 1_500).await["status"], "queued");
    let (_, html) = console.page("/console/queues").await;
    assert_eq!(cell(&html, QUEUE, "pending"), "1");
    assert!(html.contains(&format!("{PAGE}/resume")), "{html}");
    assert!(html.contains("已暂停"), "{html}");
    assert!(html.contains(&format!("{QUEUE}@")), "the workers are listed: {html}");

    let flash = flash_after(&console, console.post(&format!("{PAGE}/resume"), &[]).await).await;
    assert!(flash.contains("已恢复"), "{flash}");
    let handled = app.probe(&token, &probe, 10_000).await;
    assert_eq!(handled["status"], "handled", "{handled}");

    let admin = my_id(&app, &token).await;
    let entries = audit(&app, &token, "queue").await;
    let actions: Vec<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["queue.pause", "queue.resume"]);
    assert!(
        entries.iter().all(|e| e["actor_user_id"] == admin.as_str()),
        "{entries:?}"
    );
}

#[tokio::test]
async fn a_job_that_failed_and_waits_for_another_attempt_is_counted_as_retrying_and_as_waiting() {
    let app = spawn_app_with(no_workers()).await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let workers = OwnWorkers::start(&app, &app.settings);
    app.queue
        .push(Probe {
            id: Uuid::now_v7(),
            hold_ms: 0,
            fail: false,
            flaky: true,
        })
        .await
        .expect("push a flaky probe");
    // The counts are read one after the other, so a reading taken while
    // the job moves may miss it in one of them; the job waits seconds
    // between its attempts, so a reading soon shows it in both.
    let html = tests::eventually(
        Duration::from_secs(20),
        "the flaky probe counted as retrying and as waiting",
        || async {
            let (_, html) = console.page("/console/queues/fragment").await;
            let waiting: u64 = ["pending", "scheduled"]
                .iter()
                .map(|state| cell(&html, QUEUE, state).parse::<u64>().expect("a count"))
                .sum();
            (cell(&html, QUEUE, "retrying") == "1" && waiting == 1).then_some(html)
        },
    )
    .await;
    assert_eq!(cell(&html, QUEUE, "dead"), "0", "{html}");
    workers.stop().await;
}

#[tokio::test]
async fn throughput_is_written_when_jobs_finish_and_drawn_on_the_overview() {
    let app = spawn_app_with(no_workers()).await;
    let token = app.admin_token().await;
    // Workers of their own whose periodic write comes late: what the table
    // holds after they stop was written by their graceful stop.
    let mut settings = app.settings.clone();
    settings.worker_heartbeat_secs = 60;
    let workers = OwnWorkers::start(&app, &settings);
    let probes = [app.push_probe(&token, 0).await, app.push_probe(&token, 0).await];
    app.queue
        .push(Probe {
            id: Uuid::now_v7(),
            hold_ms: 0,
            fail: true,
            flaky: false,
        })
        .await
        .expect("push a failing probe");
    for probe in &probes {
        assert_eq!(app.probe(&token, probe, 10_000).await["status"], "handled");
    }
    tests::eventually(Duration::from_secs(10), "the failing probe to die", || async {
        (counts(&app, &token).await["dead"] == 1).then_some(())
    })
    .await;
    workers.stop().await;

    let minutes = domain::platform::throughput::per_minute(&app.db, QUEUE, 10, chrono::Utc::now())
        .await
        .expect("read the throughput");
    assert_eq!(minutes.len(), 10);
    let processed: u64 = minutes.iter().map(|m| m.processed).sum();
    let failed: u64 = minutes.iter().map(|m| m.failed).sum();
    assert_eq!((processed, failed), (3, 1), "{minutes:?}");

    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, html) = console.page("/console/queues").await;
    let section = &html[html
        .find(&format!("class=\"throughput\" data-queue=\"{QUEUE}\""))
        .expect("the probe queue's throughput")..];
    let section = &section[..section.find("</section>").expect("end")];
    assert!(section.contains("<svg"), "a chart: {section}");
    assert!(
        section.contains("<table") && !section.contains("最近 3 小时内没有任务完成"),
        "the table: {section}"
    );
}

#[tokio::test]
async fn the_live_fragments_answer_304_to_their_own_etag() {
    let app = spawn_app_with(no_workers()).await;
    let token = app.admin_token().await;
    app.push_probe(&token, 0).await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for path in ["/console/queues/fragment", &format!("{PAGE}/fragment?state=pending")] {
        let first = console.get(path).await;
        assert_eq!(first.status().as_u16(), 200, "{path}");
        let etag = first
            .headers()
            .get("etag")
            .expect("an ETag")
            .to_str()
            .expect("ascii")
            .to_owned();
        let body = first.text().await.expect("body");
        assert!(!body.contains("<html"), "a fragment, not a page: {body}");
        let again = console
            .api
            .client
            .get(console.api.url(path))
            .header("cookie", &console.cookie)
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("GET");
        assert_eq!(again.status().as_u16(), 304, "{path}");
    }
    // A change makes a new fragment.
    app.push_probe(&token, 0).await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let changed = console
        .get("/console/queues/fragment")
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(cell(&changed, QUEUE, "pending"), "2");
}

#[tokio::test]
async fn a_reader_of_queues_sees_no_action_buttons_and_a_forged_post_is_refused() {
    let app = spawn_app_with(no_workers()).await;
    let token = app.admin_token().await;
    expect_json(
        app.post_json(
            "/api/v1/roles",
            Some(&token),
            &json!({"name": "queue_watcher", "grants": [{"permission": "queues:read", "scope": "all"}]}),
        )
        .await,
        201,
    )
    .await;
    create_user(&app, "watcher@example.com", "queue_watcher", None).await;
    create_user(&app, "consultant@example.com", "consultant", None).await;
    app.push_probe(&token, 0).await;

    let watcher = Console::sign_in(&app, "watcher@example.com", PASSWORD).await;
    let (status, html) = watcher.page("/console/queues").await;
    assert_eq!(status, 200);
    assert_eq!(cell(&html, QUEUE, "pending"), "1");
    assert!(!html.contains("/pause\""), "no pause button: {html}");
    let (_, jobs) = watcher.page(&format!("{PAGE}?state=pending")).await;
    assert!(!jobs.contains("name=\"id\"") && !jobs.contains("name=\"do\""), "{jobs}");
    assert!(jobs.contains("queues:write"), "says why: {jobs}");

    for (path, fields) in [
        (format!("{PAGE}/pause"), vec![]),
        (
            format!("{PAGE}/bulk"),
            vec![("do", "delete:filter"), ("state", "pending")],
        ),
    ] {
        let forged = watcher.post(&path, &fields).await;
        assert_eq!(forged.status().as_u16(), 403, "{path}");
        let page = forged.text().await.expect("page");
        assert!(page.contains("queues:write"), "{page}");
    }
    let queue = expect_json(app.get(API, Some(&token)).await, 200).await;
    assert_eq!(queue["paused"], false);
    assert_eq!(queue["counts"]["pending"], 1);

    let consultant = Console::sign_in(&app, "consultant@example.com", PASSWORD).await;
    let (status, _) = consultant.page("/console/queues").await;
    assert_eq!(status, 403);
    let (_, home) = consultant.page("/console").await;
    assert!(!home.contains("href=\"/console/queues\""), "{home}");
}
