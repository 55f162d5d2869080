//! Security headers on every response, a Content-Security-Policy that the
//! bundled Swagger UI works under, and oversized request heads answered
//! problem+json.

use reqwest::{Method, Response};
use tests::{assert_problem, spawn_app};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{name} missing on {} ({})", response.url(), response.status()))
}

#[tokio::test]
async fn every_response_forbids_sniffing_framing_and_referrers_and_api_answers_are_not_stored() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let cases: Vec<(Method, &str, Option<&str>, bool)> = vec![
        // method, path, token, whether the answer may be stored
        (Method::GET, "/healthz", None, false),
        (Method::GET, "/readyz", None, false),
        (Method::GET, "/metrics", None, false),
        (Method::GET, "/docs/", None, true),
        (Method::GET, "/docs/swagger-ui.css", None, true),
        (Method::GET, "/docs", None, true),
        (Method::GET, "/api/v1/openapi.json", None, true),
        (Method::GET, "/api/v1/me", Some(&admin), false),
        (Method::GET, "/api/v1/me", None, false),
        (Method::GET, "/api/v1/users", Some(&admin), false),
        (Method::GET, "/no/such/route", None, false),
        (Method::DELETE, "/healthz", None, false),
        (Method::POST, "/api/v1/auth/token", None, false),
    ];
    for (method, path, token, cacheable) in cases {
        let mut request = app.client.request(method.clone(), app.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let what = format!("{method} {path} ({})", response.status());
        assert_eq!(header(&response, "x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header(&response, "referrer-policy"), "no-referrer", "{what}");
        assert_eq!(header(&response, "x-frame-options"), "DENY", "{what}");
        assert!(
            header(&response, "content-security-policy").contains("frame-ancestors 'none'"),
            "{what}"
        );
        if !cacheable {
            assert_eq!(header(&response, "cache-control"), "no-store", "{what}");
        }
    }
}

#[tokio::test]
async fn the_docs_page_loads_its_scripts_and_styles_from_itself_under_its_content_security_policy() {
    let app = spawn_app().await;
    let page = app.get("/docs/", None).await;
    assert_eq!(page.status(), 200);
    let csp = header(&page, "content-security-policy").to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    let html = page.text().await.expect("html");
    // script-src 'self' allows no inline script and no event handler attributes.
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty(), "{html}");
    for script in &scripts {
        let (tag, rest) = script.split_once('>').expect("closed tag");
        assert!(tag.contains("src="), "inline script in the docs page: {script}");
        let body = rest.split("</script>").next().unwrap_or_default();
        assert!(body.trim().is_empty(), "inline script in the docs page: {body}");
    }
    assert!(!html.contains(" onload=") && !html.contains(" onclick="), "{html}");
    // Every script and style comes from /docs/ itself, with a type the browser accepts under nosniff.
    let sources: Vec<String> = html
        .split(['"', '\''])
        .filter(|part| part.ends_with(".js") || part.ends_with(".css"))
        .map(str::to_owned)
        .collect();
    assert!(sources.len() >= 4, "{sources:?}");
    for source in sources {
        assert!(!source.contains("//"), "{source} is not from this origin");
        let path = format!("/docs/{}", source.trim_start_matches("./"));
        let asset = app.get(&path, None).await;
        assert_eq!(asset.status(), 200, "{path}");
        let expected = if path.ends_with(".js") {
            "javascript"
        } else {
            "text/css"
        };
        assert!(header(&asset, "content-type").contains(expected), "{path}");
        assert_eq!(header(&asset, "x-content-type-options"), "nosniff", "{path}");
    }
}

/// Sends `head` on a raw connection and returns the status and the body.
async fn raw(port: u16, head: &[u8]) -> (u16, String, String) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    stream.write_all(head).await.expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    (status, head.to_lowercase(), body.to_owned())
}

#[tokio::test]
async fn an_over_long_uri_is_answered_414_problem_json() {
    let app = spawn_app().await;
    let path = format!("/api/v1/customers?q={}", "a".repeat(20_000));
    let response = app.get(&path, None).await;
    assert_problem(response, 414, "uri_too_long").await;
    // Beyond what the HTTP parser itself accepts (64 KiB) the connection is refused with a bare 400.
    let huge = format!("GET /healthz?{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(100_000));
    let (status, _, _) = raw(app.port, huge.as_bytes()).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn over_large_headers_are_answered_431_problem_json() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-padding", "a".repeat(40_000))
        .send()
        .await
        .expect("request");
    assert_problem(response, 431, "headers_too_large").await;
    let (status, head, body) = raw(
        app.port,
        format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\n\r\n",
            "a".repeat(40_000)
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(status, 431);
    assert!(head.contains("content-type: application/problem+json"), "{head}");
    assert!(body.contains("headers_too_large"), "{body}");
}
