//! Partner webhooks end to end: subscriptions through the API, deliveries
//! sent by the real workers to a receiver in the test, signed, retried with
//! backoff and logged.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tests::{
    AppOptions, TestApp,
    client::expect_json,
    eventually,
    org::{PASSWORD, org, partner, partner_token},
    spawn_app_with,
};
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt},
    net::TcpListener,
};
use tokio_rustls::{
    TlsAcceptor,
    rustls::{
        ServerConfig,
        pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    },
};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HashMap<String, String>,
    body: String,
}

/// An HTTP receiver on 127.0.0.1 that answers 500 to its first `failures` requests, then 200.
#[derive(Debug, Clone)]
struct Receiver {
    url: String,
    requests: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(failures: usize) -> Receiver {
        Self::listen(failures, None).await
    }

    /// The same over TLS, as `https://localhost:PORT/hook`, with the
    /// certificate of tests/fixtures/tls (issued by its own test CA).
    async fn start_tls(failures: usize) -> Receiver {
        worker::install_crypto();
        let certificate = CertificateDer::from_pem_file(fixture("receiver.pem")).expect("receiver certificate");
        let key = PrivateKeyDer::from_pem_file(fixture("receiver.key")).expect("receiver key");
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![certificate], key)
            .expect("TLS server config");
        Self::listen(failures, Some(TlsAcceptor::from(Arc::new(config)))).await
    }

    async fn listen(failures: usize, tls: Option<TlsAcceptor>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the receiver");
        let port = listener.local_addr().expect("address").port();
        let url = match tls {
            Some(_) => format!("https://localhost:{port}/hook"),
            None => format!("http://127.0.0.1:{port}/hook"),
        };
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let seen = seen.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                answer(stream, &seen, failures).await;
                            }
                        }
                        None => answer(stream, &seen, failures).await,
                    }
                });
            }
        });
        Receiver { url, requests }
    }

    fn received(&self) -> Vec<Received> {
        self.requests.lock().expect("lock").clone()
    }
}

fn fixture(name: &str) -> String {
    format!("{}/fixtures/tls/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Reads one request, records it, and answers 500 while `failures` last, then 200.
async fn answer<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, seen: &Mutex<Vec<Received>>, failures: usize) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let count = {
        let mut seen = seen.lock().expect("lock");
        seen.push(request);
        seen.len()
    };
    let status = if count <= failures {
        "500 Internal Server Error"
    } else {
        "200 OK"
    };
    let answer = format!("HTTP/1.1 {status}\r\nContent-Length: 7\r\nConnection: close\r\n\r\nanswer{count}");
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}

async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    Some(Received { headers, body })
}

/// Retries after 1 s, 2 s, …; the pump looks often.
async fn app() -> TestApp {
    spawn_app_with(AppOptions {
        customise: |s| {
            s.webhook_retry_base_secs = 1;
            s.timer_pump_interval_ms = 100;
        },
        ..AppOptions::default()
    })
    .await
}

const PARTNER_SCOPES: &[&str] = &["customers:read", "customers:write", "webhooks:read", "webhooks:write"];

async fn subscribe(app: &TestApp, token: &str, url: &str, events: &[&str]) -> Value {
    let body = json!({"url": url, "events": events});
    expect_json(app.post_json("/api/v1/webhooks", Some(token), &body).await, 201).await
}

/// Checks `X-EstateFlow-Signature: t=<unix>,v1=<hex>` against the body, independently of the service's code.
fn assert_signed(request: &Received, secret: &str) {
    let header = request.headers.get("x-estateflow-signature").expect("signature header");
    let (t, v1) = header.split_once(",v1=").expect("t=…,v1=…");
    let t = t.strip_prefix("t=").expect("t=");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.{}", request.body).as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(v1, expected, "signature of {}", request.body);
    let sent: i64 = t.parse().expect("unix seconds");
    assert!((chrono::Utc::now().timestamp() - sent).abs() < 300);
}

async fn push_lead(app: &TestApp, token: &str, external_id: &str) -> Value {
    let body = json!({"name": "王先生", "phone": "13800138000", "external_id": external_id});
    expect_json(app.post_json("/api/v1/customers", Some(token), &body).await, 201).await
}

async fn deliveries(app: &TestApp, token: &str, webhook: &Value) -> Vec<Value> {
    let path = format!("/api/v1/webhooks/{}/deliveries", webhook["id"].as_str().expect("id"));
    let list = expect_json(app.get(&path, Some(token)).await, 200).await;
    list["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn a_receiver_that_fails_twice_gets_the_event_three_times_signed_and_logged() {
    let app = app().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let (token, _) = partner(&app, &admin, "Portal", PARTNER_SCOPES).await;
    let (other, _) = partner(&app, &admin, "Other portal", PARTNER_SCOPES).await;
    let receiver = Receiver::start(2).await;
    let bystander = Receiver::start(0).await;
    let webhook = subscribe(&app, &token, &receiver.url, &["customer.created"]).await;
    let secret = webhook["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() == 70, "{secret}");
    let other_webhook = subscribe(&app, &other, &bystander.url, &["customer.created"]).await;

    let lead = push_lead(&app, &token, "lead-1").await;
    let received = eventually(Duration::from_secs(30), "three attempts", || {
        let got = receiver.received();
        async move { (got.len() >= 3).then_some(got) }
    })
    .await;
    assert_eq!(received.len(), 3);
    let bodies: Vec<Value> = received
        .iter()
        .map(|r| serde_json::from_str(&r.body).expect("JSON body"))
        .collect();
    for (request, body) in received.iter().zip(&bodies) {
        assert_signed(request, &secret);
        assert_eq!(request.headers["content-type"], "application/json");
        assert_eq!(request.headers["x-estateflow-event"], "customer.created");
        assert_eq!(body["event"], "customer.created");
        assert_eq!(body["id"], bodies[0]["id"], "the same event id on every attempt");
        assert_eq!(body["data"]["customer_id"], lead["id"]);
        assert_eq!(body["data"]["external_id"], "lead-1");
        assert!(body["created_at"].is_string());
    }
    let delivery_id = received[0].headers["x-estateflow-delivery"].clone();
    assert!(
        received
            .iter()
            .all(|r| r.headers["x-estateflow-delivery"] == delivery_id)
    );

    let path = format!(
        "/api/v1/webhooks/{}/deliveries/{delivery_id}",
        webhook["id"].as_str().expect("id")
    );
    let log = eventually(Duration::from_secs(10), "the delivery to succeed", || {
        let (app, path, token) = (&app, path.clone(), token.clone());
        async move {
            let log = expect_json(app.get(&path, Some(&token)).await, 200).await;
            (log["status"] == "succeeded").then_some(log)
        }
    })
    .await;
    assert_eq!(log["event_id"], bodies[0]["id"]);
    assert_eq!(log["attempts"], 3);
    assert_eq!(log["last_status_code"], 200);
    assert!(log["delivered_at"].is_string());
    let codes: Vec<&Value> = log["attempt_log"]
        .as_array()
        .expect("log")
        .iter()
        .map(|a| &a["status_code"])
        .collect();
    assert_eq!(codes, [&json!(500), &json!(500), &json!(200)]);
    assert_eq!(log["attempt_log"][2]["response"], "answer3");
    // Why an attempt failed: a stable code, and a sentence in the reader's
    // language (a partner without a language reads Chinese).
    let failures: Vec<&Value> = log["attempt_log"]
        .as_array()
        .expect("log")
        .iter()
        .map(|a| &a["error_code"])
        .collect();
    assert_eq!(failures, [&json!("rejected"), &json!("rejected"), &Value::Null]);
    assert_eq!(log["attempt_log"][0]["error"], "接收方返回状态 500");
    assert_eq!(log["attempt_log"][2]["error"], Value::Null);
    let english = app
        .client
        .get(app.url(&path))
        .bearer_auth(&token)
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("request");
    let english = expect_json(english, 200).await;
    assert_eq!(english["attempt_log"][1]["error"], "the receiver answered 500");
    assert_eq!(english["attempt_log"][1]["error_code"], "rejected");

    // The other partner's subscription got nothing of this partner's events.
    assert!(bystander.received().is_empty());
    assert!(deliveries(&app, &other, &other_webhook).await.is_empty());
    assert_eq!(deliveries(&app, &token, &webhook).await.len(), 1);

    // A delivery can be sent again by hand, even after it succeeded.
    let redeliver = format!("{path}/redeliver");
    let accepted = expect_json(app.post_json(&redeliver, Some(&token), &json!({})).await, 202).await;
    assert_eq!(accepted["id"], delivery_id.as_str());
    let again = eventually(Duration::from_secs(15), "the redelivery", || {
        let got = receiver.received();
        async move { (got.len() >= 4).then_some(got) }
    })
    .await;
    assert_signed(&again[3], &secret);
    assert_eq!(again[3].body, received[0].body, "the same event, signed again");
    let log = eventually(Duration::from_secs(10), "the redelivery to be logged", || {
        let (app, path, token) = (&app, path.clone(), token.clone());
        async move {
            let log = expect_json(app.get(&path, Some(&token)).await, 200).await;
            (log["attempts"] == 4 && log["status"] == "succeeded").then_some(log)
        }
    })
    .await;
    assert_eq!(log["attempt_log"].as_array().expect("log").len(), 4);
    // The other partner cannot see or redeliver it.
    assert_eq!(app.get(&path, Some(&other)).await.status(), 404);
    assert_eq!(app.post_json(&redeliver, Some(&other), &json!({})).await.status(), 404);
}

#[tokio::test]
async fn subscriptions_are_validated_scoped_and_never_show_their_secret() {
    let app = app().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let (token, client) = partner(&app, &admin, "Portal", PARTNER_SCOPES).await;
    let (other, _) = partner(&app, &admin, "Other portal", PARTNER_SCOPES).await;
    let no_scopes = partner_token(&app, &admin, "Leads only").await;

    let bad = |body: Value| {
        let (app, token) = (&app, token.clone());
        async move { app.post_json("/api/v1/webhooks", Some(&token), &body).await }
    };
    for body in [
        json!({"url": "ftp://partner.example.com/", "events": ["customer.created"]}),
        json!({"url": "not a url", "events": ["customer.created"]}),
        json!({"url": format!("https://x.example/{}", "a".repeat(2000)), "events": ["customer.created"]}),
        json!({"url": "https://partner.example.com/", "events": ["customer.exploded"]}),
        json!({"url": "https://partner.example.com/", "events": []}),
    ] {
        let answer = expect_json(bad(body.clone()).await, 422).await;
        assert_eq!(answer["code"], "validation_failed", "{body}");
    }
    let hook = json!({"url": "https://partner.example.com/hook", "events": ["customer.created"]});
    assert_eq!(
        app.post_json("/api/v1/webhooks", Some(&no_scopes), &hook)
            .await
            .status(),
        403
    );
    assert_eq!(app.get("/api/v1/webhooks", Some(&no_scopes)).await.status(), 403);

    let created = subscribe(&app, &token, "https://partner.example.com/hook", &["customer.created"]).await;
    assert_eq!(created["client_id"], client.as_str());
    let path = format!("/api/v1/webhooks/{}", created["id"].as_str().expect("id"));
    let got = app.get(&path, Some(&token)).await;
    let etag = got.headers()["etag"].to_str().expect("etag").to_owned();
    let got = expect_json(got, 200).await;
    assert!(got.get("secret").is_none());
    let listed = expect_json(app.get("/api/v1/webhooks", Some(&token)).await, 200).await;
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
    assert!(listed["items"][0].get("secret").is_none());
    assert_eq!(app.get(&path, Some(&other)).await.status(), 404);
    let others = expect_json(app.get("/api/v1/webhooks", Some(&other)).await, 200).await;
    assert!(others["items"].as_array().expect("items").is_empty());

    // Changes honour If-Match; a rotated secret differs.
    let patch = json!({"events": ["customer.created", "deal.stage_changed"], "active": false});
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", "\"stale\"")
        .json(&patch)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 412);
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&token)
        .header("If-Match", etag)
        .json(&patch)
        .send()
        .await
        .expect("request");
    let changed = expect_json(response, 200).await;
    assert_eq!(changed["active"], false);
    assert_eq!(changed["events"], json!(["customer.created", "deal.stage_changed"]));
    let rotated = expect_json(
        app.post_json(&format!("{path}/secret"), Some(&token), &json!({})).await,
        200,
    )
    .await;
    assert_ne!(rotated["secret"], created["secret"]);

    // Administrators name the client they subscribe.
    let for_admin = expect_json(app.post_json("/api/v1/webhooks", Some(&admin), &hook).await, 422).await;
    assert_eq!(for_admin["code"], "validation_failed");
    let body = json!({"url": "https://partner.example.com/hook", "events": ["award.published"], "client_id": client});
    expect_json(app.post_json("/api/v1/webhooks", Some(&admin), &body).await, 201).await;
    let body = json!({"url": "https://partner.example.com/hook", "events": ["award.published"], "client_id": client});
    assert_eq!(
        app.post_json("/api/v1/webhooks", Some(&other), &body).await.status(),
        422
    );

    assert_eq!(app.delete(&path, Some(&other)).await.status(), 404);
    assert_eq!(app.delete(&path, Some(&token)).await.status(), 204);
    assert_eq!(app.get(&path, Some(&token)).await.status(), 404);
}

#[tokio::test]
async fn customers_recorded_by_staff_are_not_announced_to_partners() {
    let app = app().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let consultant = app.token("a1@example.com", PASSWORD).await;
    let (token, _) = partner(&app, &admin, "Portal", PARTNER_SCOPES).await;
    let receiver = Receiver::start(0).await;
    let webhook = subscribe(&app, &token, &receiver.url, &["customer.created", "customer.assigned"]).await;
    let body = json!({"name": "李女士", "phone": "13900139000"});
    expect_json(app.post_json("/api/v1/customers", Some(&consultant), &body).await, 201).await;
    // Deliveries are written with the change itself: none means none will come.
    assert!(deliveries(&app, &token, &webhook).await.is_empty());

    // An inactive subscription gets nothing either.
    let path = format!("/api/v1/webhooks/{}", webhook["id"].as_str().expect("id"));
    expect_json(
        app.patch_json(&path, Some(&token), &json!({"active": false})).await,
        200,
    )
    .await;
    push_lead(&app, &token, "lead-2").await;
    assert!(deliveries(&app, &token, &webhook).await.is_empty());
    // Nothing is sent without a delivery row: the receiver has nothing to wait for.
    assert!(receiver.received().is_empty());
}

/// An app whose workers trust the test CA of tests/fixtures/tls for webhook receivers.
async fn app_trusting_the_test_ca() -> TestApp {
    spawn_app_with(AppOptions {
        customise: |s| {
            s.webhook_retry_base_secs = 1;
            s.timer_pump_interval_ms = 100;
            s.webhook_ca_file = Some(fixture("ca.pem"));
        },
        ..AppOptions::default()
    })
    .await
}

/// The subscription's first delivery, once it has `status`.
async fn first_delivery_in(app: &TestApp, token: &str, webhook: &Value, status: &str) -> Value {
    eventually(Duration::from_secs(20), &format!("a delivery {status}"), || async {
        let list = deliveries(app, token, webhook).await;
        list.first().filter(|d| d["status"] == status).cloned()
    })
    .await
}

#[tokio::test]
async fn an_https_receiver_gets_the_event_only_when_its_certificate_is_trusted() {
    // Trusted through ESTATEFLOW_WEBHOOK_CA_FILE: delivered over TLS, signed.
    let app = app_trusting_the_test_ca().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let (token, _) = partner(&app, &admin, "Portal", PARTNER_SCOPES).await;
    let receiver = Receiver::start_tls(0).await;
    assert!(receiver.url.starts_with("https://localhost:"), "{}", receiver.url);
    let webhook = subscribe(&app, &token, &receiver.url, &["customer.created"]).await;
    let secret = webhook["secret"].as_str().expect("secret").to_owned();
    push_lead(&app, &token, "tls-lead").await;
    let delivered = first_delivery_in(&app, &token, &webhook, "succeeded").await;
    assert_eq!(delivered["last_status_code"], 200);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_signed(&received[0], &secret);

    // Not trusted (the system's authorities only): nothing reaches the
    // receiver and the log says why.
    let untrusting = self::app().await;
    org(&untrusting).await;
    let admin = untrusting.admin_token().await;
    let (token, _) = partner(&untrusting, &admin, "Portal", PARTNER_SCOPES).await;
    let stranger = Receiver::start_tls(0).await;
    let webhook = subscribe(&untrusting, &token, &stranger.url, &["customer.created"]).await;
    push_lead(&untrusting, &token, "tls-lead").await;
    let failed = first_delivery_in(&untrusting, &token, &webhook, "failed").await;
    let error = failed["last_error"].as_str().expect("an error is logged");
    assert!(
        error.starts_with("无法连接接收方") && error.contains("certificate"),
        "{error}"
    );
    assert_eq!(failed["last_error_code"], "no_connection");
    assert_eq!(failed["last_status_code"], Value::Null);
    assert!(stranger.received().is_empty());
}

#[tokio::test]
async fn receivers_on_private_addresses_are_refused_unless_allowed() {
    let app = spawn_app_with(AppOptions {
        customise: |s| s.webhook_allow_private_networks = false,
        ..AppOptions::default()
    })
    .await;
    org(&app).await;
    let admin = app.admin_token().await;
    let (token, _) = partner(&app, &admin, "Portal", PARTNER_SCOPES).await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "http://[::ffff:192.168.1.1]/hook",
    ] {
        let body = json!({"url": url, "events": ["customer.created"]});
        let response = app.post_json("/api/v1/webhooks", Some(&token), &body).await;
        let problem = expect_json(response, 422).await;
        assert_eq!(problem["errors"][0]["pointer"], "/url", "{url}: {problem}");
        let detail = problem["errors"][0]["detail"].as_str().expect("detail");
        assert!(detail.contains("ESTATEFLOW_WEBHOOK_ALLOW_PRIVATE_NETWORKS"), "{detail}");
    }
    let public = subscribe(
        &app,
        &token,
        "https://hooks.partner.example/estateflow",
        &["customer.created"],
    )
    .await;
    let path = format!("/api/v1/webhooks/{}", public["id"].as_str().expect("id"));
    let response = app
        .patch_json(&path, Some(&token), &json!({"url": "http://192.168.0.10/hook"}))
        .await;
    expect_json(response, 422).await;
    let unchanged = expect_json(app.get(&path, Some(&token)).await, 200).await;
    assert_eq!(unchanged["url"], "https://hooks.partner.example/estateflow");
}

#[tokio::test]
async fn a_partner_hears_when_its_lead_misses_the_first_response_deadline() {
    let app = app().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let policy = json!({"duration_secs": 2, "warning_percent": 0});
    let response = app
        .put_json("/api/v1/sla-policies/first_response", Some(&admin), &policy)
        .await;
    expect_json(response, 200).await;
    let (token, _) = partner(&app, &admin, "Portal", PARTNER_SCOPES).await;
    let receiver = Receiver::start(0).await;
    let webhook = subscribe(&app, &token, &receiver.url, &["lead.sla_breached"]).await;
    let secret = webhook["secret"].as_str().expect("secret").to_owned();
    let lead = push_lead(&app, &token, "late-lead").await;

    let received = eventually(Duration::from_secs(15), "the breach announced", || {
        let got = receiver.received();
        async move { (!got.is_empty()).then_some(got) }
    })
    .await;
    assert_signed(&received[0], &secret);
    assert_eq!(received[0].headers["x-estateflow-event"], "lead.sla_breached");
    let body: Value = serde_json::from_str(&received[0].body).expect("JSON body");
    assert_eq!(body["data"]["kind"], "first_response");
    assert_eq!(body["data"]["customer_id"], lead["id"]);
    assert!(
        body["data"]["due_at"].is_string() && body["data"]["breached_at"].is_string(),
        "{body}"
    );
    // Once: the deadline is recorded once, so is the event: one delivery,
    // and once it succeeded nothing more is sent for it.
    let delivered = first_delivery_in(&app, &token, &webhook, "succeeded").await;
    assert_eq!(delivered["event"], "lead.sla_breached");
    assert_eq!(deliveries(&app, &token, &webhook).await.len(), 1);
    assert_eq!(receiver.received().len(), 1);
}

/// A subscription's URL problem reads in the caller's language: the
/// administrator's Chinese, a partner's `Accept-Language`; and so does the
/// refusal of notifications to a partner.
#[tokio::test]
async fn webhook_and_notification_problems_read_in_the_callers_language() {
    let app = tests::spawn_app().await;
    let admin = app.admin_token().await;
    let (partner, _) = partner(&app, &admin, "语言合作方", PARTNER_SCOPES).await;
    let body = json!({"url": "ftp://partner.example.com/hooks", "events": ["customer.created"]});
    let post = |token: &str, language: &str| {
        app.client
            .post(app.url("/api/v1/webhooks"))
            .bearer_auth(token)
            .header("Accept-Language", language)
            .json(&body)
            .send()
    };
    let english = expect_json(post(&partner, "en").await.expect("request"), 422).await;
    assert_eq!(english["errors"][0]["detail"], "must be an http or https URL");
    let chinese = expect_json(post(&admin, "en").await.expect("request"), 422).await;
    assert_eq!(chinese["errors"][0]["detail"], "必须是 http 或 https URL");

    let notifications = |language: &str| {
        app.client
            .get(app.url("/api/v1/notifications"))
            .bearer_auth(&partner)
            .header("Accept-Language", language)
            .send()
    };
    let refused = expect_json(notifications("en").await.expect("request"), 403).await;
    assert_eq!(refused["detail"], "notifications are for staff accounts");
    let refused = expect_json(notifications("zh-CN").await.expect("request"), 403).await;
    assert_eq!(refused["detail"], "通知仅面向员工账号");
}

/// Attempts taken together (one job of the delivery lane) are each recorded
/// as their own receiver answered: a success cancels its retry, a failure
/// moves its retry to the backoff, an inactive subscription's delivery is
/// given up; and taking the same timers again sends nothing.
#[tokio::test]
async fn attempts_taken_together_are_each_recorded_as_their_receiver_answered() {
    use domain::outbox::webhooks::deliveries::{self, Failure, Outcome};
    use entities::{timers, webhook_attempts, webhook_deliveries, webhooks};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    org(&app).await;
    let admin = app.admin_token().await;
    let (token, _) = partner(&app, &admin, "Portal", PARTNER_SCOPES).await;
    let mut hooks = Vec::new();
    for name in ["good", "bad", "off"] {
        let hook = subscribe(
            &app,
            &token,
            &format!("http://127.0.0.1:9/{name}"),
            &["customer.created"],
        )
        .await;
        hooks.push(uuid::Uuid::parse_str(hook["id"].as_str().expect("id")).expect("uuid"));
    }
    let (good, bad, off) = (hooks[0], hooks[1], hooks[2]);
    push_lead(&app, &token, "together").await;
    // Switched off after the event, before its attempt.
    webhooks::Entity::update(webhooks::ActiveModel {
        id: Set(off),
        active: Set(false),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .expect("deactivate");
    let delivery_of = |hook: uuid::Uuid| {
        let db = app.db.clone();
        async move {
            webhook_deliveries::Entity::find()
                .filter(webhook_deliveries::Column::WebhookId.eq(hook))
                .one(&db)
                .await
                .expect("query")
                .expect("a delivery")
        }
    };
    let subjects = [
        delivery_of(good).await.id,
        delivery_of(bad).await.id,
        delivery_of(off).await.id,
    ];
    let due: Vec<uuid::Uuid> = timers::Entity::find()
        .filter(timers::Column::Kind.eq(deliveries::TIMER_KIND))
        .filter(timers::Column::SubjectId.is_in(subjects))
        .all(&app.db)
        .await
        .expect("timers")
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(due.len(), 3, "one attempt timer per delivery");

    let attempts = deliveries::begin_attempts(&app.db, &due, "test", 1)
        .await
        .expect("begin");
    let mut sent: Vec<uuid::Uuid> = attempts.iter().map(|a| a.delivery_id).collect();
    sent.sort();
    let mut expected = vec![subjects[0], subjects[1]];
    expected.sort();
    assert_eq!(sent, expected, "nothing is sent for the inactive subscription");
    assert!(attempts.iter().all(|a| a.number == 1));
    let outcomes = attempts
        .iter()
        .map(|attempt| {
            let outcome = if attempt.delivery_id == subjects[0] {
                Outcome {
                    status_code: Some(204),
                    ..Outcome::default()
                }
            } else {
                Outcome {
                    status_code: Some(503),
                    failure: Some(Failure::Rejected),
                    response: Some("busy".to_owned()),
                    ..Outcome::default()
                }
            };
            (attempt, outcome)
        })
        .collect();
    deliveries::record_attempts(&app.db, outcomes, 1).await.expect("record");

    let (ok, failed, dead) = (delivery_of(good).await, delivery_of(bad).await, delivery_of(off).await);
    assert_eq!(ok.status, webhook_deliveries::DeliveryStatus::Succeeded);
    assert_eq!((ok.attempts, ok.last_status_code), (1, Some(204)));
    assert!(ok.delivered_at.is_some() && ok.next_attempt_at.is_none());
    assert_eq!(failed.status, webhook_deliveries::DeliveryStatus::Failed);
    assert_eq!(failed.last_error_code.as_deref(), Some("rejected"));
    assert!(failed.delivered_at.is_none());
    assert_eq!(dead.status, webhook_deliveries::DeliveryStatus::Dead);
    assert_eq!(dead.last_error_code.as_deref(), Some("inactive"));
    let open = |subject: uuid::Uuid| {
        let db = app.db.clone();
        async move {
            timers::Entity::find()
                .filter(timers::Column::SubjectId.eq(subject))
                .filter(timers::Column::State.is_in(domain::outbox::timers::OPEN))
                .all(&db)
                .await
                .expect("timers")
        }
    };
    assert!(open(subjects[0]).await.is_empty(), "a success cancels the retry");
    assert!(open(subjects[2]).await.is_empty(), "a given-up delivery has no retry");
    let retry = open(subjects[1]).await;
    assert_eq!(retry.len(), 1, "one retry for the failure");
    assert_eq!(
        Some(retry[0].due_at),
        failed.next_attempt_at,
        "the retry is what the delivery says"
    );
    let log = webhook_attempts::Entity::find()
        .filter(webhook_attempts::Column::DeliveryId.is_in(subjects))
        .all(&app.db)
        .await
        .expect("attempts");
    assert_eq!(log.len(), 3, "every attempt logged, the given-up one too");

    let again = deliveries::begin_attempts(&app.db, &due, "test", 1)
        .await
        .expect("again");
    assert!(again.is_empty(), "timers fire once");
}
