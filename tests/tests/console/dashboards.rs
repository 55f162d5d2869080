//! The dashboard and the customers pages: the figures the KPI API gives,
//! within the viewer's scope, as tables, SVG charts and CSV downloads in
//! the reader's language; the Sales Star as the awards API ranks it; the
//! unanswered leads by age; a customer's timeline and the deadlines ahead
//! of it in Beijing time with their policy version; and who may open what.

use chrono::{Duration, Utc};
use domain::platform::text::yuan;
use entities::{customers, timers};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;
use tests::{
    TestApp,
    console::Console,
    customers::new_customer,
    org::{PASSWORD, create_user, list, org, reads_chinese},
    records, spawn_app,
};
use uuid::Uuid;

const DEMO: &str = "@demo.estateflow.local";

async fn demo(app: &TestApp) {
    domain::demo::load(&app.db, app.settings.timezone)
        .await
        .expect("demo")
        .expect("loaded");
}

fn demo_email(local: &str) -> String {
    format!("{local}{DEMO}")
}

/// The `<tr>` of a table whose cell reads `name` exactly.
fn row_of<'a>(html: &'a str, name: &str) -> &'a str {
    let cell = format!("<td>{name}</td>");
    let at = html.find(&cell).unwrap_or_else(|| panic!("a row for {name}: {html}"));
    let end = html[at..].find("</tr>").map_or(html.len(), |e| at + e);
    &html[at..end]
}

/// The part of a page from the heading that starts with `heading` to the next heading.
fn section<'a>(html: &'a str, heading: &str) -> &'a str {
    let at = html
        .find(&format!(">{heading}"))
        .unwrap_or_else(|| panic!("a section {heading}: {html}"));
    let end = html[at..].find("<h2").map_or(html.len(), |e| at + e);
    &html[at..end]
}

/// The lines of a CSV body, each split into cells (our figures hold no commas or quotes).
/// The rows of a CSV download, which opens with a UTF-8 byte-order mark
/// (for Excel).
fn csv_lines(body: &str) -> Vec<Vec<String>> {
    let body = body.strip_prefix('\u{feff}').expect("a byte-order mark first");
    body.lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn yuan_decimal(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// A month of the demo whose teams sold something, as the API reports it.
async fn month_with_sales(app: &TestApp, token: &str) -> (String, Value) {
    let tz = app.settings.timezone;
    let this = domain::platform::calendar::Month::of(Utc::now(), tz);
    let last = domain::platform::calendar::Month::of(this.start(tz) - Duration::days(1), tz);
    for month in [this, last] {
        let report = list(app, &format!("/api/v1/kpis/teams?month={month}"), token).await;
        let sold: i64 = report["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|t| t["amount_sold_fen"].as_i64().unwrap_or(0))
            .sum();
        if sold > 0 {
            return (month.to_string(), report);
        }
    }
    panic!("the demo sold nothing this month or last");
}

#[tokio::test]
async fn the_directors_dashboard_shows_every_teams_figures_as_the_kpi_api_with_a_chart_and_a_chinese_csv() {
    let app = spawn_app().await;
    demo(&app).await;
    let director = app.token(&demo_email("director"), domain::demo::DEMO_PASSWORD).await;
    let (month, report) = month_with_sales(&app, &director).await;
    let teams = report["items"].as_array().expect("items");
    assert_eq!(teams.len(), 3, "{report}");

    // The demo's director reads Chinese: the CSV's header is in Chinese.
    let console = Console::sign_in(&app, &demo_email("director"), domain::demo::DEMO_PASSWORD).await;
    let csv = console
        .get(&format!(
            "/console/dashboard.csv?period=month&month={month}&table=teams"
        ))
        .await;
    assert_eq!(csv.status().as_u16(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/csv"),
        "{:?}",
        csv.headers()
    );
    let lines = csv_lines(&csv.text().await.expect("csv"));
    assert_eq!(lines[0][0], "团队");
    assert_eq!(lines[0][1], "成交套数");
    assert_eq!(lines[0][2], "成交金额");
    assert_eq!(lines.len(), 1 + teams.len(), "{lines:?}");
    for team in teams {
        let line = lines
            .iter()
            .find(|l| l[0] == team["name"].as_str().expect("name"))
            .unwrap_or_else(|| panic!("{team} in {lines:?}"));
        assert_eq!(line[1], team["units_sold"].as_i64().expect("units").to_string());
        assert_eq!(line[2], yuan_decimal(team["amount_sold_fen"].as_i64().expect("amount")));
    }
    let (_, chinese) = console
        .page(&format!("/console/dashboard?period=month&month={month}"))
        .await;
    assert!(chinese.contains("各团队成交金额与目标（万元）"), "{chinese}");
    assert!(chinese.contains("<html lang=\"zh-CN\""), "{chinese}");

    // In English, every team's row holds the API's figures.
    console
        .post("/console/language", &[("locale", "en"), ("back", "/console")])
        .await;
    let (status, page) = console
        .page(&format!("/console/dashboard?period=month&month={month}"))
        .await;
    assert_eq!(status, 200, "{page}");
    for team in teams {
        let name = team["name"].as_str().expect("name");
        let row = row_of(&page, name);
        let amount = yuan(team["amount_sold_fen"].as_i64().expect("amount"));
        assert!(row.contains(&amount), "{name}: {amount} in {row}");
        let units = team["units_sold"].as_i64().expect("units").to_string();
        assert!(
            row.contains(&format!("<td class=\"num\">{units}</td>")),
            "{name}: {units} in {row}"
        );
        if let Some(rate) = team["target"]["amount_rate"].as_f64() {
            let shown = format!("{:.1}%", rate * 100.0);
            assert!(row.contains(&shown), "{name}: achievement {shown} in {row}");
        }
    }
    // The chart of amount against target, with its title.
    assert!(page.contains("<svg"), "{page}");
    assert!(
        page.contains(&format!(
            "<title>Amount sold against target per team, {month} (10,000 yuan)</title>"
        )),
        "{page}"
    );
    assert!(
        page.contains("href=\"/console/dashboard\""),
        "the sidebar links the dashboard"
    );
}

#[tokio::test]
async fn a_manager_sees_only_their_team_by_month_or_quarter_and_the_sales_star_as_the_awards_api_ranks_it() {
    let app = spawn_app().await;
    demo(&app).await;
    let manager = Console::sign_in(&app, &demo_email("manager.pudong"), domain::demo::DEMO_PASSWORD).await;
    manager
        .post("/console/language", &[("locale", "en"), ("back", "/console")])
        .await;
    let tz = app.settings.timezone;
    let last_quarter = domain::platform::calendar::Quarter::of(Utc::now(), tz).previous();
    let (status, page) = manager
        .page(&format!("/console/dashboard?period=quarter&quarter={last_quarter}"))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("浦东一组 Pudong 1"), "{page}");
    assert!(
        !page.contains("浦西二组 Puxi 2"),
        "another team is out of the manager's scope: {page}"
    );
    assert!(!page.contains("深圳一组 Shenzhen 1"), "{page}");
    assert!(page.contains("李娜 Li Na"), "the team's consultant: {page}");

    // This quarter's figures are its three months' as the KPI API gives them.
    let this_quarter = domain::platform::calendar::Quarter::of(Utc::now(), tz);
    let token = app
        .token(&demo_email("manager.pudong"), domain::demo::DEMO_PASSWORD)
        .await;
    let (mut units, mut amount) = (0, 0);
    for month in domain::platform::calendar::Period::Quarter(this_quarter).parts() {
        let report = list(&app, &format!("/api/v1/kpis/teams?month={month}"), &token).await;
        let items = report["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "the manager's team only: {report}");
        units += items[0]["units_sold"].as_i64().expect("units");
        amount += items[0]["amount_sold_fen"].as_i64().expect("amount");
    }
    assert!(amount > 0, "the demo's team sold in the quarter");
    let (_, quarter) = manager.page("/console/dashboard?period=quarter").await;
    assert!(quarter.contains(&format!("Teams, {this_quarter}")), "{quarter}");
    let row = row_of(&quarter, "浦东一组 Pudong 1");
    assert!(
        row.contains(&format!("<td class=\"num\">{units}</td>")),
        "{units} units in {row}"
    );
    assert!(row.contains(&yuan(amount)), "{} in {row}", yuan(amount));

    // The ranking is the published run's, in its order, with its scores.
    let runs = list(&app, &format!("/api/v1/awards/runs?period={last_quarter}"), &token).await;
    // The latest published run of the quarter (the worker may have run an empty one before the demo).
    let id = runs["items"]
        .as_array()
        .expect("runs")
        .iter()
        .rev()
        .find(|r| r["status"] == "published")
        .and_then(|r| r["id"].as_str())
        .expect("a published run of the quarter");
    let run = list(&app, &format!("/api/v1/awards/runs/{id}"), &token).await;
    let standings = run["results"]["standings"].as_array().expect("standings");
    assert!(!standings.is_empty(), "{run}");
    assert!(
        page.contains(&format!("Sales Star ranking of {last_quarter}")),
        "{page}"
    );
    let star = &page[page.find("Sales Star ranking of").expect("the Sales Star")..];
    let mut from = 0;
    for s in standings {
        let name = s["name"].as_str().expect("name");
        let at = star[from..]
            .find(&format!("<td>{name}</td>"))
            .unwrap_or_else(|| panic!("{name} after the one ranked before: {star}"))
            + from;
        let row = &star[at..at + star[at..].find("</tr>").expect("row end")];
        let score = format!("{:.4}", s["score"].as_f64().expect("score"));
        assert!(row.contains(&score), "{name}: score {score} in {row}");
        from = at;
    }
    // The ranking's CSV has the same order.
    let csv = manager
        .get(&format!(
            "/console/dashboard.csv?period=quarter&quarter={last_quarter}&table=star"
        ))
        .await;
    assert_eq!(csv.status().as_u16(), 200);
    let lines = csv_lines(&csv.text().await.expect("csv"));
    let names: Vec<&str> = lines[1..].iter().map(|l| l[1].as_str()).collect();
    let expected: Vec<&str> = standings.iter().map(|s| s["name"].as_str().expect("name")).collect();
    assert_eq!(names, expected);
}

/// A lead of `owner` in `team` that arrived `age` ago and was never answered (or answered, with `answered`).
async fn lead(app: &TestApp, (owner, team): (Uuid, Uuid), name: &str, age: Duration, answered: bool) -> Uuid {
    let at = Utc::now() - age;
    customers::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        channel: Set(customers::Channel::Website),
        status: Set(customers::CustomerStatus::New),
        key_account: Set(false),
        account_manager_id: Set(None),
        owner_id: Set(Some(owner)),
        team_id: Set(Some(team)),
        assigned_at: Set(Some(at)),
        first_response_at: Set(answered.then_some(at)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("lead")
    .id
}

#[tokio::test]
async fn unanswered_leads_appear_in_the_bucket_of_how_long_they_have_waited() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = (org.consultant_a1, org.team_a);
    let fresh = lead(&app, a1, "Fresh Lead", Duration::minutes(20), false).await;
    lead(&app, a1, "Two Hour Lead", Duration::hours(2), false).await;
    lead(&app, a1, "Ten Hour Lead", Duration::hours(10), false).await;
    let late = lead(&app, a1, "Late Lead", Duration::hours(30), false).await;
    lead(&app, a1, "Answered Lead", Duration::hours(30), true).await;
    lead(
        &app,
        (org.consultant_b, org.team_b),
        "Other Team Lead",
        Duration::hours(2),
        false,
    )
    .await;

    let manager = Console::sign_in(&app, "manager.a@example.com", PASSWORD).await;
    let (status, page) = manager.page("/console/dashboard").await;
    assert_eq!(status, 200, "{page}");
    let board = &page[page.find("id=\"unanswered\"").expect("the board")..];
    let a1_row = row_of(board, "a1");
    assert_eq!(
        a1_row.matches("<td class=\"num\">1</td>").count(),
        4,
        "one lead in each age: {a1_row}"
    );
    let late_row = &board[board
        .find(&format!("/console/customers/{late}"))
        .expect("the late lead")..];
    let late_row = &late_row[..late_row.find("</tr>").expect("row")];
    assert!(late_row.contains("Over 24 h (overdue)"), "{late_row}");
    assert!(
        board.contains(&format!("href=\"/console/customers/{fresh}\"")),
        "{board}"
    );
    let fresh_at = board.find(&format!("/console/customers/{fresh}")).expect("fresh");
    assert!(
        board[fresh_at..]
            .split("</tr>")
            .next()
            .expect("row")
            .contains("Under 1 h")
    );
    assert!(
        !board.contains("Answered Lead"),
        "a lead reached is not waiting: {board}"
    );
    assert!(!board.contains("Other Team Lead"), "another team's lead: {board}");

    let csv = manager.get("/console/dashboard.csv?table=unanswered").await;
    let lines = csv_lines(&csv.text().await.expect("csv"));
    assert_eq!(lines[0][1], "Under 1 h");
    assert_eq!(lines[1], ["a1", "1", "1", "1", "1"]);
}

#[tokio::test]
async fn the_last_age_group_of_unanswered_leads_ends_at_the_first_response_policys_deadline() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    let body = serde_json::json!({"duration_secs": 8 * 3600, "warning_percent": 0});
    let changed = app
        .put_json("/api/v1/sla-policies/first_response", Some(&admin), &body)
        .await;
    assert_eq!(changed.status().as_u16(), 200);
    let a1 = (org.consultant_a1, org.team_a);
    lead(&app, a1, "Six Hour Lead", Duration::hours(6), false).await;
    let late = lead(&app, a1, "Ten Hour Lead", Duration::hours(10), false).await;

    let manager = Console::sign_in(&app, "manager.a@example.com", PASSWORD).await;
    let (status, page) = manager.page("/console/dashboard").await;
    assert_eq!(status, 200, "{page}");
    let board = &page[page.find("id=\"unanswered\"").expect("the board")..];
    assert!(
        board.contains("over 8 hours is overdue"),
        "the intro names the deadline: {board}"
    );
    assert!(board.contains("4–8 h") && !board.contains("4–24 h"), "{board}");
    let late_row = &board[board
        .find(&format!("/console/customers/{late}"))
        .expect("the late lead")..];
    let late_row = &late_row[..late_row.find("</tr>").expect("row")];
    assert!(
        late_row.contains("Over 8 h (overdue)"),
        "ten hours is past eight: {late_row}"
    );
    assert_eq!(
        row_of(board, "a1").matches("<td class=\"num\">1</td>").count(),
        2,
        "one lead from 4 to 8 h, one overdue: {board}"
    );

    let csv = manager.get("/console/dashboard.csv?table=unanswered").await;
    let lines = csv_lines(&csv.text().await.expect("csv"));
    assert_eq!(lines[0][1..], ["Under 1 h", "1–4 h", "4–8 h", "Over 8 h (overdue)"]);
    assert_eq!(lines[1], ["a1", "0", "0", "1", "1"]);
}

#[tokio::test]
async fn a_customer_page_shows_the_timeline_and_the_first_response_deadline_in_beijing_time_with_its_policy_version() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let id = new_customer(&app, &a1, "Wang Fang").await;
    let customer: Uuid = id.parse().expect("id");
    let timer = timers::Entity::find()
        .filter(timers::Column::CustomerId.eq(customer))
        .filter(timers::Column::Kind.eq("first_response"))
        .filter(timers::Column::Phase.eq("deadline"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("a first-response deadline");
    let version = timer.policy_version.expect("the policy version");
    let beijing = timer.due_at.with_timezone(&chrono_tz::Asia::Shanghai);

    let console = Console::sign_in(&app, "a1@example.com", PASSWORD).await;
    let (status, page) = console.page(&format!("/console/customers/{id}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Customer recorded"), "the timeline: {page}");
    let deadlines =
        &page[page.find("id=\"deadlines\"").expect("deadlines")..page.find("id=\"timeline\"").expect("timeline")];
    assert!(deadlines.contains("first response"), "{deadlines}");
    assert!(
        deadlines.contains(&beijing.format("%Y-%m-%d %H:%M:%S").to_string()),
        "due {beijing} in {deadlines}"
    );
    assert!(
        deadlines.contains(&format!("first response policy, version {version}")),
        "{deadlines}"
    );
    assert!(deadlines.contains("not yet due"), "{deadlines}");
    assert!(page.contains("Asia/Shanghai (UTC+08:00)"), "the zone is named: {page}");

    // The list finds it by name, within the consultant's own customers.
    let (_, found) = console.page("/console/customers?q=wang").await;
    assert!(found.contains(&format!("href=\"/console/customers/{id}\"")), "{found}");
    let status = list(&app, &format!("/api/v1/customers/{id}"), &a1).await["status"]
        .as_str()
        .expect("status")
        .to_owned();
    let (_, same) = console.page(&format!("/console/customers?status={status}")).await;
    assert!(same.contains(&format!("href=\"/console/customers/{id}\"")), "{same}");
    assert!(
        same.contains(&format!("<option value=\"{status}\" selected>")),
        "{same}"
    );
    let (_, lost) = console.page("/console/customers?status=lost&q=wang").await;
    assert!(!lost.contains("Wang Fang"), "{lost}");
    assert!(lost.contains("No customer matches"), "{lost}");

    // In Chinese, for the team's manager.
    reads_chinese(&app, org.manager_a).await;
    let manager = Console::sign_in(&app, "manager.a@example.com", PASSWORD).await;
    let (status, chinese) = manager.page(&format!("/console/customers/{id}")).await;
    assert_eq!(status, 200, "{chinese}");
    assert!(chinese.contains("客户建档"), "{chinese}");
    assert!(chinese.contains(&format!("首次响应策略 第 {version} 版")), "{chinese}");
    assert!(
        chinese.contains(&beijing.format("%Y年%-m月%-d日 %H:%M:%S").to_string()),
        "{chinese}"
    );

    // Another consultant does not reach it: the 404 page, as the API answers.
    let a2 = Console::sign_in(&app, "a2@example.com", PASSWORD).await;
    let (status, missing) = a2.page(&format!("/console/customers/{id}")).await;
    assert_eq!(status, 404, "{missing}");
    assert!(!missing.contains("Wang Fang"), "{missing}");
    let a2_token = app.token("a2@example.com", PASSWORD).await;
    let api = app.get(&format!("/api/v1/customers/{id}"), Some(&a2_token)).await;
    assert_eq!(api.status().as_u16(), 404);
    let (_, list) = a2.page("/console/customers").await;
    assert!(!list.contains("Wang Fang"), "{list}");
}

#[tokio::test]
async fn a_consultant_sees_only_their_own_line_and_staff_without_kpis_read_get_the_403_page() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let month = domain::platform::calendar::Month::of(Utc::now(), app.settings.timezone);
    let subscribed = (Utc::now() - Duration::minutes(5)).to_rfc3339();
    let customer = records::customer(&app, org.consultant_a1, org.team_a, &subscribed).await;
    records::deal(
        &app,
        (org.consultant_a1, org.team_a, customer),
        123_456_700,
        &subscribed,
        "subscribed",
    )
    .await;
    let consultant = Console::sign_in(&app, "a1@example.com", PASSWORD).await;
    let (status, page) = consultant.page(&format!("/console/dashboard?month={month}")).await;
    assert_eq!(status, 200, "{page}");
    let mine = section(&page, "Consultants, ");
    let row = row_of(mine, "a1");
    assert!(row.contains(&yuan(123_456_700)), "{row}");
    assert!(!mine.contains("<td>a2</td>"), "another consultant's line: {mine}");
    assert!(page.contains("Your scope is your own"), "{page}");
    let csv = consultant.get("/console/dashboard.csv?table=teams").await;
    assert_eq!(csv.status().as_u16(), 403, "no team totals for scope own");

    // Staff without kpis:read: the 403 page, and no link in the sidebar.
    create_user(&app, "support@example.com", "support", None).await;
    let support = Console::sign_in(&app, "support@example.com", PASSWORD).await;
    let (status, refused) = support.page("/console/dashboard").await;
    assert_eq!(status, 403, "{refused}");
    assert!(refused.contains("kpis:read"), "{refused}");
    assert!(!refused.contains("href=\"/console/dashboard\""), "{refused}");
    assert!(refused.contains("href=\"/console/customers\""), "{refused}");
}
