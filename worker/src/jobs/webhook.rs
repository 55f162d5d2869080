//! Webhook delivery attempts: claim the attempt's timer (scheduling the
//! next one as a guard, see `domain::webhooks`), POST the signed event, then
//! record what the receiver answered. Only the call that claims the timer
//! sends, so a redelivered job sends nothing.

use std::{sync::OnceLock, time::Instant};

use chrono::Utc;
use domain::webhooks::{self, Attempt, Outcome};
use uuid::Uuid;

use super::{JobContext, JobError};

/// Makes one attempt at the delivery whose timer is `timer_id`.
pub async fn deliver(ctx: &JobContext, timer_id: Uuid) -> Result<(), JobError> {
    let base = ctx.settings.webhook_retry_base_secs;
    let Some(attempt) = webhooks::begin_attempt(&ctx.db, timer_id, &ctx.instance, base).await? else {
        return Ok(());
    };
    let started = Instant::now();
    let mut outcome = send(&attempt).await;
    outcome.duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let status = webhooks::record_attempt(&ctx.db, &attempt, outcome, base).await?;
    tracing::info!(delivery = %attempt.delivery_id, attempt = attempt.number, %status, "webhook attempt");
    Ok(())
}

fn client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client);
    }
    let timeout = std::time::Duration::from_secs(webhooks::REQUEST_TIMEOUT_SECS.unsigned_abs());
    let built = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("EstateFlow-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("could not build the HTTP client: {e}"))?;
    Ok(CLIENT.get_or_init(|| built))
}

/// POSTs the attempt; any answer or failure becomes an [`Outcome`].
async fn send(attempt: &Attempt) -> Outcome {
    let failed = |error: String| Outcome {
        error: Some(error),
        ..Outcome::default()
    };
    let client = match client() {
        Ok(client) => client,
        Err(error) => return failed(error),
    };
    let timestamp = Utc::now().timestamp();
    let signature = webhooks::signature(&attempt.secret, timestamp, attempt.body.as_bytes());
    let request = client
        .post(&attempt.url)
        .header("Content-Type", "application/json")
        .header("X-EstateFlow-Event", &attempt.event)
        .header("X-EstateFlow-Delivery", attempt.delivery_id.to_string())
        .header("X-EstateFlow-Signature", signature)
        .body(attempt.body.clone());
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(e) => return failed(describe(&e)),
    };
    let status = i32::from(response.status().as_u16());
    let mut body = Vec::new();
    let mut error = None;
    while body.len() < webhooks::MAX_RESPONSE_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                error = Some(format!("reading the answer: {}", describe(&e)));
                break;
            }
        }
    }
    body.truncate(webhooks::MAX_RESPONSE_BYTES);
    Outcome {
        status_code: Some(status),
        error: error.or_else(|| (!(200..300).contains(&status)).then(|| format!("the receiver answered {status}"))),
        response: Some(String::from_utf8_lossy(&body).into_owned()),
        duration_ms: 0,
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", webhooks::REQUEST_TIMEOUT_SECS)
    } else if e.is_connect() {
        format!("could not connect: {e}")
    } else {
        e.to_string()
    }
}
