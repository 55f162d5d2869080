//! CSV import (10,000 rows in one request, answered row by row) and the
//! streamed export within the caller's scope.

use std::{collections::HashSet, time::Instant};

use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    customers::import,
    org::{PASSWORD, ids, list, org, partner_token},
    spawn_app,
};

async fn export(app: &TestApp, token: &str) -> Vec<Vec<String>> {
    let text = export_text(app, token).await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().expect("header").get(0), Some("id"));
    reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect()
}

/// The export as the caller reads it.
async fn export_text(app: &TestApp, token: &str) -> String {
    let response = app
        .client
        .get(app.url("/api/v1/customers/export"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/csv"))
    );
    response.text().await.expect("body")
}

#[tokio::test]
async fn ten_thousand_rows_import_in_one_request_and_the_export_returns_them() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let b1 = app.token("b1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let mut csv = String::from("name,phone,email,channel,key_account\n");
    for n in 0..9_990 {
        csv.push_str(&format!("客户{n},139{n:08},c{n}@example.com,website,false\n"));
    }
    for n in 0..5 {
        // The same phone as row n+1, written differently.
        csv.push_str(&format!(
            "again {n},+86 139-{:04}-{:04},,website,\n",
            n / 10_000,
            n % 10_000
        ));
    }
    csv.push_str(",13700000001,,website,\n");
    csv.push_str("bad mail,13700000002,not-an-email,website,\n");
    csv.push_str("bad channel,13700000003,,carrier_pigeon,\n");
    csv.push_str("bad flag,13700000004,,website,perhaps\n");
    csv.push_str("\"=cmd|' /C calc'!A0\",13700000005,,website,\n");
    let started = Instant::now();
    let report = expect_json(import(&app, &a1, csv).await, 200).await;
    eprintln!("imported 10,000 rows in {:?}", started.elapsed());
    assert_eq!(report["rows"], 10_000);
    assert_eq!(report["created"], 9_991);
    assert_eq!(report["duplicates"], 5);
    assert_eq!(report["invalid"], 4);
    let results = report["results"].as_array().expect("results");
    assert_eq!(results[0]["row"], 1);
    assert_eq!(results[0]["status"], "created");
    assert_eq!(results[9_990]["status"], "duplicate");
    assert_eq!(results[9_990]["customer_id"], results[0]["customer_id"]);
    for (row, pointer) in [
        (9_995, "name"),
        (9_996, "email"),
        (9_997, "channel"),
        (9_998, "key_account"),
    ] {
        assert_eq!(results[row]["status"], "invalid", "{row}");
        assert!(
            results[row]["reason"].as_str().is_some_and(|r| r.contains(pointer)),
            "{}",
            results[row]
        );
    }

    let started = Instant::now();
    let rows = export(&app, &a1).await;
    eprintln!("exported {} rows in {:?}", rows.len(), started.elapsed());
    assert_eq!(rows.len(), 9_991);
    let created: HashSet<&str> = results
        .iter()
        .filter(|r| r["status"] == "created")
        .filter_map(|r| r["customer_id"].as_str())
        .collect();
    let exported: HashSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(created, exported);
    assert!(
        rows.iter().any(|r| r[1] == "'=cmd|' /C calc'!A0"),
        "formula cells are defused"
    );
    assert_eq!(export(&app, &manager).await.len(), 9_991);
    assert!(export(&app, &b1).await.is_empty());
    // Every created customer has its timeline.
    let first = results[0]["customer_id"].as_str().expect("id");
    let timeline = list(&app, &format!("/api/v1/customers/{first}/timeline"), &a1).await;
    assert_eq!(timeline["items"][0]["kind"], "created");
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_and_creates_nothing() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    for csv in ["name,shoe_size\nx,42\n", "phone\n13800138000\n", ""] {
        let problem = assert_problem(import(&app, &a1, csv.to_owned()).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["pointer"], "/csv", "{csv:?}");
    }
    let mut too_long = String::from("name\n");
    for n in 0..10_001 {
        too_long.push_str(&format!("c{n}\n"));
    }
    assert_problem(import(&app, &a1, too_long).await, 422, "validation_failed").await;
    let json_body = app
        .post_json("/api/v1/customers/import", Some(&a1), &json!([{"name": "x"}]))
        .await;
    assert_problem(json_body, 415, "unsupported_media_type").await;
    assert!(ids(&list(&app, "/api/v1/customers", &a1).await).is_empty());

    // Owners: a consultant may only import for themselves; the manager within the team.
    let csv = "name,owner_email\nmine,\ntheirs,b1@example.com\nunknown,nobody@example.com\n".to_owned();
    let report = expect_json(import(&app, &a1, csv).await, 200).await;
    let statuses: Vec<&str> = report["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(statuses, ["created", "invalid", "invalid"]);
    let csv = "name,owner_email\nfor a2,a2@example.com\nfor b1,b1@example.com\n".to_owned();
    let report = expect_json(import(&app, &manager, csv).await, 200).await;
    assert_eq!(report["results"][0]["status"], "created");
    assert_eq!(report["results"][1]["status"], "invalid");
    let created = report["results"][0]["customer_id"].as_str().expect("id");
    let customer: Value = list(&app, &format!("/api/v1/customers/{created}"), &manager).await;
    assert_eq!(customer["owner_id"], org.consultant_a2.to_string());
    assert_eq!(customer["team_id"], org.team_a.to_string());
}

#[tokio::test]
async fn a_partner_importing_the_same_leads_twice_gets_duplicates_the_second_time() {
    let app = spawn_app().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let partner = partner_token(&app, &admin, "Portal").await;
    let csv = "name,external_id\n张先生,P-1\n李女士,P-2\n".to_owned();
    let first = expect_json(import(&app, &partner, csv.clone()).await, 200).await;
    assert_eq!(first["created"], 2);
    let second = expect_json(import(&app, &partner, csv).await, 200).await;
    assert_eq!(second["duplicates"], 2);
    assert_eq!(second["results"][1]["customer_id"], first["results"][1]["customer_id"]);
    let leads = list(&app, "/api/v1/customers", &partner).await;
    assert_eq!(ids(&leads).len(), 2);
    assert_eq!(leads["items"][0]["channel"], "partner_platform");
}

/// People read the files: a Chinese reader's export has Chinese headers, and
/// an import takes them as it takes the English ones; a row's reason is
/// written for whoever imports.
#[tokio::test]
async fn the_files_and_their_reasons_are_in_the_readers_language() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    // a2 reads Chinese.
    entities::users::ActiveModel {
        id: Set(org.consultant_a2),
        locale: Set("zh-CN".to_owned()),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .expect("locale");
    let a2 = app.token("a2@example.com", PASSWORD).await;
    let csv = "name,phone,email,channel,key_account\n王先生,13800138001,wang@example.com,website,true\n\
               李女士,13800138002,,store_walk_in,false\n";
    let first = expect_json(import(&app, &a2, csv).await, 200).await;
    assert_eq!(first["created"], 2);

    let text = export_text(&app, &a2).await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(
        headers.iter().take(4).collect::<Vec<_>>(),
        ["客户编号", "姓名", "电话", "邮箱"]
    );
    assert_eq!(export_text(&app, &a1).await.lines().next(), text_header_en());
    // Back in: the columns an import takes, under their Chinese headers.
    let keep: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| ["姓名", "电话", "邮箱", "微信号", "渠道", "重点客户"].contains(h))
        .map(|(i, _)| i)
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(keep.iter().map(|i| &headers[*i])).expect("header");
    for record in reader.records() {
        let record = record.expect("row");
        writer.write_record(keep.iter().map(|i| &record[*i])).expect("row");
    }
    let again = expect_json(import(&app, &a2, writer.into_inner().expect("csv")).await, 200).await;
    assert_eq!(again["duplicates"], 2, "{again}");
    let ids = |report: &Value| -> HashSet<String> {
        report["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter_map(|r| r["customer_id"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(ids(&again), ids(&first));
    assert_eq!(again["results"][0]["reason"], "电话号码已存在");

    let bad = "name,key_account\nx,perhaps\n";
    let en = expect_json(import(&app, &a1, bad).await, 200).await;
    assert_eq!(en["results"][0]["reason"], "key_account must be true or false");
    let zh = expect_json(import(&app, &a2, bad).await, 200).await;
    assert_eq!(zh["results"][0]["reason"], "重点客户列：必须是 true 或 false");
    let problem = assert_problem(import(&app, &a2, "姓名,鞋码\nx,42\n").await, 422, "validation_failed").await;
    assert_eq!(
        problem["errors"][0]["detail"],
        "未知的列 \"鞋码\"；可用的列：姓名、电话、邮箱、微信号、渠道、外部编号、负责人邮箱、重点客户、意向项目、意向区域"
    );
}

/// Today's header line of an export, which English readers keep reading.
fn text_header_en() -> Option<&'static str> {
    Some(
        "id,name,phone,email,wechat_id,channel,status,lost_reason,key_account,owner_id,team_id,external_id,\
         created_at,assigned_at,first_response_at,needs_assessed_at,last_follow_up_at",
    )
}
