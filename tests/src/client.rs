//! A small HTTP client for the service under test, shared by the in-process
//! apps and the spawned binaries.

use reqwest::Response;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
}

impl Api {
    /// A client of the service at `base` (`http://127.0.0.1:PORT`); redirects are not followed.
    pub fn new(base: String) -> Api {
        worker::install_crypto();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Api { base, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path`, with a bearer token when given.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.send(self.client.get(self.url(path)), token).await
    }

    /// `POST path` with a JSON body, with a bearer token when given.
    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(self.client.post(self.url(path)).json(body), token).await
    }

    /// `PATCH path` with a JSON body and a bearer token.
    pub async fn patch_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(self.client.patch(self.url(path)).json(body), token).await
    }

    /// `PUT path` with a JSON body and a bearer token.
    pub async fn put_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(self.client.put(self.url(path)).json(body), token).await
    }

    /// `DELETE path` with a bearer token.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.send(self.client.delete(self.url(path)), token).await
    }

    async fn send(&self, mut request: reqwest::RequestBuilder, token: Option<&str>) -> Response {
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    /// `POST path` with this raw body and content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST request")
    }

    /// An access token for these credentials; panics if refused.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let response = self
            .post_json(
                "/api/v1/auth/token",
                None,
                &json!({"grant_type": "password", "email": email, "password": password}),
            )
            .await;
        let body = expect_json(response, 200).await;
        body["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Pushes a queue probe (202) and returns it.
    pub async fn push_probe(&self, token: &str, hold_ms: u64) -> Value {
        let response = self
            .post_json("/api/v1/admin/queue-probes", Some(token), &json!({"hold_ms": hold_ms}))
            .await;
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let probe = expect_json(response, 202).await;
        assert_eq!(location.as_deref(), probe["href"].as_str(), "Location and href agree");
        probe
    }

    /// Reads a probe, waiting up to `wait_ms` for it to be handled.
    pub async fn probe(&self, token: &str, probe: &Value, wait_ms: u64) -> Value {
        let href = probe["href"].as_str().expect("href");
        expect_json(self.get(&format!("{href}?wait_ms={wait_ms}"), Some(token)).await, 200).await
    }
}

/// Asserts the status and returns the JSON body.
pub async fn expect_json(response: Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let url = response.url().to_string();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "{url}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: body is not JSON ({e}): {text}"))
}
