//! Demo churn for the reports (分析客户流失原因): in every team, a
//! consultant's newest lead and the other consultant's contacted customer
//! are marked lost this week through the service, with reasons, so that the
//! churn analysis of this month shows losses by reason, channel, stage
//! (`new`, `contacted`, beside the older demo losses from `needs_assessed`)
//! and consultant. The team reports read the demo's sales, follow-ups,
//! deadlines and monthly targets as they are.

use entities::customers::{self, CustomerStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use crate::{
    access::permissions::Scope,
    demo::{sales::Seller, staff},
    platform::error::DomainError,
    sales::customers::{StatusChange, change_status},
};

/// Why the demo's customers of this week were lost (free text, as consultants write it).
const REASONS: [&str; 3] = [
    "预算不足 over budget",
    "选择了竞品楼盘 chose a competing project",
    "bought a resale flat nearby",
];

/// Marks the demo losses of this week; returns how many.
pub async fn load(db: &(impl ConnectionTrait + TransactionTrait), sellers: &[Seller]) -> Result<usize, DomainError> {
    let mut lost = 0;
    for (n, seller) in sellers.iter().enumerate() {
        // Alternately a new lead and a customer already contacted.
        let from = if n % 2 == 0 {
            CustomerStatus::New
        } else {
            CustomerStatus::Contacted
        };
        let Some(customer) = customers::Entity::find()
            .filter(customers::Column::OwnerId.eq(seller.id))
            .filter(customers::Column::Status.eq(from))
            .order_by_asc(customers::Column::CreatedAt)
            .one(db)
            .await?
        else {
            continue;
        };
        let (who, ctx) = staff(db, seller.id).await?;
        let change = StatusChange {
            to: CustomerStatus::Lost.to_string(),
            reason: Some(REASONS[n % REASONS.len()].to_owned()),
        };
        change_status(db, &ctx, &who, Scope::Own, customer.id, change, None).await?;
        lost += 1;
    }
    Ok(lost)
}
