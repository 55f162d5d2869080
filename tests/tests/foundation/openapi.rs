use serde_json::Value;
use tests::spawn_app;

fn committed_snapshot() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test]
async fn the_served_openapi_document_is_3_1_and_matches_the_committed_snapshot() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let served = response.text().await.expect("text");
    let doc: Value = serde_json::from_str(&served).expect("valid JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let committed = committed_snapshot();
    if served != committed {
        let line = served
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .map_or(0, |i| i + 1);
        panic!(
            "docs/openapi.json is out of date (first difference at line {line}): \
             run `cargo run -- openapi > docs/openapi.json` and commit it"
        );
    }
}

#[tokio::test]
async fn every_operation_has_an_id_a_tag_and_problem_json_errors() {
    let doc: Value = serde_json::from_str(&api::openapi::openapi_pretty_json().expect("document")).expect("valid JSON");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            let verbs: &[&str] = match method.as_str() {
                "get" => &["get_", "list_"],
                "post" => &["create_"],
                "patch" | "put" => &["update_"],
                "delete" => &["delete_"],
                other => panic!("unexpected method {other}"),
            };
            assert!(
                verbs.iter().any(|v| id.starts_with(v)),
                "{method} {path}: {id} is not verb_resource"
            );
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{id} has no tag"
            );
            for (status, response) in operation["responses"].as_object().expect("responses") {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{id} {status} is not documented as problem+json"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary_and_loads_no_external_url() {
    let app = spawn_app().await;
    let redirect = app.client.get(app.url("/docs")).send().await.expect("request");
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");

    let page = app.client.get(app.url("/docs/")).send().await.expect("request");
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    let html = page.text().await.expect("html");
    assert!(html.contains("swagger-ui"), "not the Swagger UI page");
    let initializer = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .expect("request");
    assert_eq!(initializer.status(), 200);
    let initializer = initializer.text().await.expect("js");
    assert!(initializer.contains("/api/v1/openapi.json"));
    assert!(
        initializer.contains(r#""validatorUrl": "none""#),
        "the external validator badge must be off"
    );
    for text in [&html, &initializer] {
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "external URL in:\n{text}"
        );
    }
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-ui-standalone-preset.js",
    ] {
        let response = app
            .client
            .get(app.url(&format!("/docs/{asset}")))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{asset}");
    }
}
