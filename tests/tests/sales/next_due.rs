//! Each customer's next due item is kept on the customer by the database
//! (`domain::outbox::agenda`): whatever changes the timers or the records,
//! through the service, by SQL by hand, or in two transactions at once, the
//! item kept is the one the agenda's rules compute.

use std::time::Duration;

use entities::timers;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use tests::{AppOptions, customers::assert_next_due_kept, spawn_app, spawn_app_with};
use uuid::Uuid;

use crate::{get_json, new_customer, staff};

/// Cancels the customer's open timers of `kind` in `db` (a connection or a transaction).
async fn cancel(db: &impl sea_orm::ConnectionTrait, customer: Uuid, kind: &str) {
    let done = timers::Entity::update_many()
        .col_expr(timers::Column::State, Expr::value(timers::TimerState::Cancelled))
        .filter(timers::Column::CustomerId.eq(customer))
        .filter(timers::Column::Kind.eq(kind))
        .filter(timers::Column::State.eq(timers::TimerState::Pending))
        .exec(db)
        .await
        .expect("cancel the timers");
    assert!(done.rows_affected > 0, "{kind} timers to cancel");
}

#[tokio::test]
async fn the_next_due_item_kept_on_every_customer_of_the_demo_company_is_what_the_rules_compute() {
    // No workers: nothing fires while the two are compared.
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    domain::demo::load(&app.db, app.settings.timezone)
        .await
        .expect("demo")
        .expect("loaded");
    assert_next_due_kept(&app.db).await;

    let kept = entities::customers::Entity::find()
        .all(&app.db)
        .await
        .expect("customers");
    let mut kinds: Vec<String> = kept.iter().filter_map(|c| c.next_due_kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    assert!(kinds.len() >= 3, "the demo has items of several kinds due: {kinds:?}");
    assert!(
        kept.iter().any(|c| c.next_due_at.is_none()),
        "and customers with nothing due"
    );
}

#[tokio::test]
async fn a_change_made_in_sql_by_hand_moves_the_kept_next_due_item_on_the_very_next_read() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let id = new_customer(&app, &staff.a1, "王先生").await;
    let customer: Uuid = id.parse().expect("uuid");
    let path = format!("/api/v1/customers/{id}");
    assert_eq!(
        get_json(&app, &path, &staff.a1).await["next_due_kind"],
        "first_response"
    );

    // The first response recorded behind the service's back: its deadline
    // no longer stands for work, the needs assessment is next.
    entities::customers::Entity::update_many()
        .col_expr(
            entities::customers::Column::FirstResponseAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(entities::customers::Column::Id.eq(customer))
        .exec(&app.db)
        .await
        .expect("respond by hand");
    assert_eq!(
        get_json(&app, &path, &staff.a1).await["next_due_kind"],
        "needs_assessment"
    );
    assert_next_due_kept(&app.db).await;

    cancel(&app.db, customer, "needs_assessment").await;
    let read = get_json(&app, &path, &staff.a1).await;
    assert_eq!(read["next_due_kind"], serde_json::Value::Null, "{read}");
    assert_eq!(read["next_due_at"], serde_json::Value::Null, "{read}");
    assert_next_due_kept(&app.db).await;
}

#[tokio::test]
async fn two_transactions_changing_one_customer_at_once_leave_it_the_next_due_item_the_rules_compute() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer: Uuid = new_customer(&app, &staff.a1, "李女士").await.parse().expect("uuid");

    // The first holds its change while the second makes another to the
    // same customer; each alone would leave the other's deadline next.
    let first = app.db.begin().await.expect("begin");
    cancel(&first, customer, "first_response").await;
    let db = app.db.clone();
    let second = tokio::spawn(async move {
        let second = db.begin().await.expect("begin");
        cancel(&second, customer, "needs_assessment").await;
        second.commit().await.expect("commit the second");
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.commit().await.expect("commit the first");
    second.await.expect("the second transaction");

    let kept = entities::customers::Entity::find_by_id(customer)
        .one(&app.db)
        .await
        .expect("read")
        .expect("the customer");
    assert_eq!(kept.next_due_kind, None, "both deadlines are cancelled");
    assert_next_due_kept(&app.db).await;
}
