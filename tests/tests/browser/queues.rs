//! The queue pages in a real browser, on real jobs run by the app's
//! workers: retrying a dead job through its button and the confirmation
//! dialog, pausing and resuming a queue from the overview, and the
//! overview's counts following a finished job without a reload.

use serde_json::{Value, json};
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestApp,
    browser::Browser,
    client::expect_json,
    queues::{API, PAGE, QUEUE, counts, job_of, make_dead, wait_for_the_worker_to_pause},
    spawn_app,
};

/// The overview's cell of `state` in the probe queue's row.
fn cell(state: &str) -> String {
    format!("tr[data-queue='{QUEUE}'] td[data-state='{state}']")
}

/// The number the page shows in the probe queue's row for `state`, now
/// (the live fragment may replace the row at any time).
async fn shown(browser: &Browser, state: &str) -> Option<String> {
    let js = "const c = document.querySelector(arguments[0]); return c ? c.innerText.trim() : null;";
    browser
        .script(js, vec![json!(cell(state))])
        .await
        .as_str()
        .map(str::to_owned)
}

async fn admin_browser(app: &TestApp) -> Browser {
    let browser = Browser::start(app).await;
    browser.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser
}

async fn set_paused(app: &TestApp, token: &str, paused: bool) {
    let action = if paused { "pause" } else { "resume" };
    let answer = app.post_json(&format!("{API}/{action}"), Some(token), &json!({})).await;
    let status = answer.status().as_u16();
    assert!(status == 200 || status == 201, "{action}: {status}");
}

#[tokio::test]
async fn retrying_a_dead_job_with_its_button_after_the_confirmation_runs_it_and_the_page_shows_it_done() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    // Held still while the job is made dead.
    set_paused(&app, &token, true).await;
    wait_for_the_worker_to_pause(&app).await;
    let probe = app.push_probe(&token, 0).await;
    let job = job_of(&app, &token, "pending", probe["id"].as_str().expect("probe id")).await;
    make_dead(&app, &job).await;
    set_paused(&app, &token, false).await;
    assert_eq!(counts(&app, &token).await["dead"], 1);

    let browser = admin_browser(&app).await;
    browser.open(&format!("{PAGE}?state=dead")).await;
    browser.click_and_load(&format!("a[href='{PAGE}/jobs/{job}']")).await;
    assert_eq!(
        browser
            .find("dd[data-state]")
            .await
            .attr("data-state")
            .await
            .expect("state"),
        Some("dead".to_owned())
    );
    let question = browser
        .click_confirm_and_load(&format!("form[action='{PAGE}/jobs/{job}/retry'] button"))
        .await;
    assert_eq!(question, "重试 1 个任务？");
    assert_eq!(browser.path().await, format!("{PAGE}/jobs/{job}"));
    assert_eq!(browser.text("p.flash").await, "已重试 1 个任务。");

    // The worker runs it: the job's page shows it done.
    browser
        .wait_until("the retried job to be done", async || {
            browser.open(&format!("{PAGE}/jobs/{job}")).await;
            let state = browser.script(
                "const d = document.querySelector('dd[data-state]'); return d ? d.dataset.state : null;",
                vec![],
            );
            state.await.as_str() == Some("done")
        })
        .await;
    assert_eq!(app.probe(&token, &probe, 0).await["status"], "handled");
    assert_eq!(counts(&app, &token).await["dead"], 0);
}

#[tokio::test]
async fn pausing_the_queue_on_the_overview_keeps_a_pushed_probe_pending_until_resume_is_clicked() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let browser = admin_browser(&app).await;
    browser.open("/console/queues").await;
    let pause = format!("tr[data-queue='{QUEUE}'] form[action='{PAGE}/pause'] button");
    let question = browser.click_confirm_and_load(&pause).await;
    assert!(question.contains(QUEUE), "the dialog names the queue: {question}");
    assert_eq!(browser.path().await, "/console/queues");
    wait_for_the_worker_to_pause(&app).await;

    let probe = app.push_probe(&token, 0).await;
    assert_eq!(app.probe(&token, &probe, 1_500).await["status"], "queued");
    browser.open("/console/queues").await;
    assert_eq!(shown(&browser, "pending").await.as_deref(), Some("1"));
    assert!(expect_json(app.get(API, Some(&token)).await, 200).await["paused"] == true);

    browser
        .click_and_load(&format!("tr[data-queue='{QUEUE}'] form[action='{PAGE}/resume'] button"))
        .await;
    let handled = app.probe(&token, &probe, 10_000).await;
    assert_eq!(handled["status"], "handled", "{handled}");
    assert!(
        browser.find_all(&pause).await.len() == 1,
        "the Pause button is back: {}",
        browser.body_text().await
    );
}

#[tokio::test]
async fn the_overview_counts_follow_a_finished_job_without_reloading_the_page() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let browser = admin_browser(&app).await;
    browser.open("/console/queues").await;
    assert_eq!(shown(&browser, "done").await.as_deref(), Some("0"));
    browser.script("window.__stay = 1;", vec![]).await;

    let probe = app.push_probe(&token, 1_500).await;
    browser
        .wait_until("the done count to go up on the open page", async || {
            shown(&browser, "done").await.as_deref() == Some("1")
        })
        .await;
    let stayed = browser.script("return window.__stay === 1;", vec![]).await;
    assert_eq!(stayed, Value::Bool(true), "the page was not reloaded");
    assert_eq!(app.probe(&token, &probe, 0).await["status"], "handled");
}
