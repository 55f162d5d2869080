//! Sales records written straight to the database, at chosen instants (a
//! month's edge, a past quarter) or with values the API would now refuse,
//! for tests of the figures computed from them.

use chrono::{DateTime, Utc};
use entities::{customers, deals};
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use crate::{TestApp, org::create_unit};

/// An RFC 3339 time.
pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

/// An active customer of `owner` in `team`, created at `created`.
pub async fn customer(app: &TestApp, owner: Uuid, team: Uuid, created: &str) -> Uuid {
    let created = at(created);
    customers::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set("客户".to_owned()),
        channel: Set(customers::Channel::Website),
        status: Set(customers::CustomerStatus::Active),
        key_account: Set(false),
        account_manager_id: Set(None),
        owner_id: Set(Some(owner)),
        team_id: Set(Some(team)),
        created_at: Set(created),
        updated_at: Set(created),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("customer")
    .id
}

/// A mortgage deal of `consultant` in `team` for `customer` on a new unit,
/// subscribed at `subscribed` for `price` fen and now at `stage`.
pub async fn deal(
    app: &TestApp,
    (consultant, team, customer): (Uuid, Uuid, Uuid),
    price: i64,
    subscribed: &str,
    stage: &str,
) {
    let subscribed = at(subscribed);
    deals::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer),
        unit_id: Set(create_unit(app, &Uuid::new_v4().to_string()).await),
        consultant_id: Set(consultant),
        team_id: Set(Some(team)),
        agreed_price_fen: Set(price),
        payment_method: Set(deals::PaymentMethod::Mortgage),
        stage: Set(stage.parse().expect("stage")),
        subscribed_at: Set(Some(subscribed)),
        created_at: Set(subscribed),
        updated_at: Set(subscribed),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("deal");
}
