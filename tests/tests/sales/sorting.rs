//! `sort` on lists: `-created_at` pages newest first through every record
//! once, and a field the lists cannot sort by is 422 pointing at `/sort`.

use tests::{TestApp, assert_problem, spawn_app};

use crate::{id_of, new_customer, new_deal, new_unit, staff};

/// Every id of `path` (a list with a query string) read `limit` at a time,
/// with the number of pages it took.
async fn read_all(app: &TestApp, path: &str, token: &str) -> (Vec<String>, usize) {
    let (items, pages) = tests::org::read_pages(app, path, token).await;
    let ids = items
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect();
    (ids, pages)
}

#[tokio::test]
async fn customers_page_newest_first_with_every_customer_once() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let mut created = Vec::new();
    for name in ["一", "二", "三", "四", "五"] {
        created.push(new_customer(&app, &staff.a1, name).await);
    }

    let (newest_first, pages) = read_all(&app, "/api/v1/customers?sort=-created_at&limit=3", &staff.a1).await;
    assert_eq!(pages, 2);
    let expected: Vec<String> = created.iter().rev().cloned().collect();
    assert_eq!(newest_first, expected);

    let (oldest_first, _) = read_all(&app, "/api/v1/customers?sort=created_at&limit=3", &staff.a1).await;
    assert_eq!(oldest_first, created, "created_at is oldest first");
}

#[tokio::test]
async fn deals_page_newest_first_with_every_deal_once() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer = new_customer(&app, &staff.a1, "王先生").await;
    let mut created = Vec::new();
    for number in ["0801", "0802", "0803"] {
        let unit = new_unit(&app, &staff.manager, number).await;
        created.push(id_of(&new_deal(&app, &staff.a1, &customer, &unit, "mortgage").await));
    }

    let (newest_first, pages) = read_all(&app, "/api/v1/deals?sort=-created_at&limit=2", &staff.a1).await;
    assert_eq!(pages, 2);
    let expected: Vec<String> = created.iter().rev().cloned().collect();
    assert_eq!(newest_first, expected);
}

#[tokio::test]
async fn sorting_by_anything_but_created_at_is_422_at_sort() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    for list in ["/api/v1/customers", "/api/v1/deals"] {
        let problem = assert_problem(
            app.get(&format!("{list}?sort=price"), Some(&staff.a1)).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], "/sort", "{list}: {problem}");
        let detail = problem["errors"][0]["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("-created_at"), "{list}: {problem}");
    }
}
