//! Demo key-account care and customer feedback: every demo key account gets
//! its revisit deadline (one missed a week ago, so it is overdue on the
//! agenda and its breach fires when the workers start), half of them answer
//! to the customer manager, who has revisited one; and feedback of every
//! category heard from customers, routed by the default table, one of it
//! resolved — all through the services, so that timers, notifications,
//! timelines and audit entries are there as well.

use chrono::{Duration, Utc};
use chrono_tz::Tz;
use entities::customers;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    access::{actor, audit::AuditContext, permissions::Scope},
    after_sales::feedback::{self, NewFeedback},
    outbox::sla::{self, SlaKind},
    platform::error::DomainError,
    sales::follow_ups::{self, NewFollowUp},
};

/// What the demo's care holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct CareSummary {
    pub key_accounts: usize,
    pub feedback: usize,
}

const FEEDBACK: [(&str, &str, &str); 5] = [
    (
        "property_management",
        "visit",
        "小区绿化维护不及时，希望物业加强巡查 The gardens are not kept up",
    ),
    (
        "product",
        "call",
        "希望主卧增加飘窗设计 Would like a bay window in the main bedroom",
    ),
    (
        "service",
        "event",
        "开放日接待热情，讲解专业 Friendly, knowledgeable staff at the open day",
    ),
    (
        "pricing",
        "call",
        "希望提供更灵活的分期付款方案 Would like more flexible instalments",
    ),
    ("other", "other", "停车位太少 Too few parking spaces"),
];

/// Loads the care records; `customer_manager` and `support` are the demo's accounts.
pub async fn load(
    db: &(impl ConnectionTrait + TransactionTrait),
    tz: Tz,
    customer_manager: Uuid,
    support: Uuid,
) -> Result<CareSummary, DomainError> {
    let mut summary = CareSummary::default();
    let keeper = actor::load_user(db, customer_manager)
        .await?
        .ok_or_else(|| DomainError::Internal("demo customer manager missing".to_owned()))?;
    let ctx = AuditContext::new(&keeper, None, None);
    let now = Utc::now();
    let key_accounts = customers::Entity::find()
        .filter(customers::Column::KeyAccount.eq(true))
        .order_by_asc(customers::Column::Id)
        .all(db)
        .await?;
    let key_accounts: Vec<customers::Model> = key_accounts.into_iter().filter(sla::revisits_apply).collect();
    for (i, customer) in key_accounts.iter().enumerate() {
        if i % 2 == 0 {
            let mut active: customers::ActiveModel = customer.clone().into();
            active.account_manager_id = Set(Some(customer_manager));
            active.update(db).await?;
        }
        // The first one's revisit was due a week ago; the others fall due over the coming month.
        let anchor = if i == 0 {
            now - Duration::days(37)
        } else {
            now - Duration::days(i64::try_from(i % 25).unwrap_or(0))
        };
        sla::start(db, SlaKind::KeyAccountRevisit, customer.id, Some(customer.id), anchor).await?;
        summary.key_accounts += 1;
    }
    // The customer manager revisited one of hers this morning.
    if let Some(revisited) = key_accounts.get(2) {
        let revisit = NewFollowUp {
            kind: "revisit".to_owned(),
            occurred_at: Some(now - Duration::hours(2)),
            reached: true,
            notes: Some(
                "季度回访：入住顺利，推荐了两位朋友 Quarterly revisit: settled in, referred two friends".to_owned(),
            ),
            next_step: None,
            next_follow_up_at: None,
        };
        follow_ups::create(db, &ctx, &keeper, Scope::All, revisited.id, revisit).await?;
    }
    let heard_from = customers::Entity::find()
        .filter(customers::Column::MergedIntoId.is_null())
        .order_by_desc(customers::Column::Id)
        .all(db)
        .await?;
    let mut property = None;
    for ((category, source, text), customer) in FEEDBACK.iter().zip(heard_from.iter().step_by(3)) {
        let input = NewFeedback {
            category: (*category).to_owned(),
            source: (*source).to_owned(),
            text: (*text).to_owned(),
        };
        let view = feedback::create(db, &ctx, &keeper, Scope::All, tz, customer.id, input).await?;
        if *category == "property_management" {
            property = Some(view.id);
        }
        summary.feedback += 1;
    }
    // Property management (the support desk) answered its feedback.
    if let Some(id) = property {
        let desk = actor::load_user(db, support)
            .await?
            .ok_or_else(|| DomainError::Internal("demo support account missing".to_owned()))?;
        let desk_ctx = AuditContext::new(&desk, None, None);
        let note = "已安排物业每周两次巡查绿化 Gardens now inspected twice a week".to_owned();
        feedback::resolve(db, &desk_ctx, &desk, Scope::Own, id, note, None).await?;
    }
    Ok(summary)
}
