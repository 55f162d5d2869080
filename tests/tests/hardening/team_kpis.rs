//! `/kpis/teams` within the reader's scope: with `kpis:read` on its own
//! records only, a consultant sees no team totals, live or from a snapshot.

use chrono::{Months, Utc};
use chrono_tz::Asia::Shanghai;
use domain::platform::calendar::Month;
use tests::{
    assert_problem,
    org::{PASSWORD, list, org},
    spawn_app,
};

#[tokio::test]
async fn a_consultant_with_own_scope_reads_no_team_totals_live_or_from_a_snapshot() {
    let app = spawn_app().await;
    let org = org(&app).await;
    // Two months back: the periodic run of the app under test takes last
    // month's snapshot on its own, possibly before the org exists.
    let earlier_month = Month::of_day(
        (Utc::now().with_timezone(&Shanghai).date_naive())
            .checked_sub_months(Months::new(2))
            .expect("an earlier month"),
    );
    domain::performance::snapshots::take(&app.db, earlier_month, Shanghai)
        .await
        .expect("snapshot");

    let a1 = app.token("a1@example.com", PASSWORD).await;
    let own = list(&app, "/api/v1/kpis/consultants", &a1).await;
    assert_eq!(own["items"].as_array().expect("items").len(), 1, "{own}");
    for query in [String::new(), format!("?month={earlier_month}&snapshot=true")] {
        let problem = assert_problem(
            app.get(&format!("/api/v1/kpis/teams{query}"), Some(&a1)).await,
            403,
            "forbidden",
        )
        .await;
        let detail = problem["detail"].as_str().expect("detail");
        assert!(detail.contains("kpis:read") && detail.contains("own"), "{detail}");
    }

    // A manager still reads its team, live and from the snapshot.
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    for query in [String::new(), format!("?month={earlier_month}&snapshot=true")] {
        let teams = list(&app, &format!("/api/v1/kpis/teams{query}"), &manager).await;
        let ids: Vec<&str> = teams["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|t| t["team_id"].as_str())
            .collect();
        assert_eq!(ids, [org.team_a.to_string()], "{teams}");
    }
}
