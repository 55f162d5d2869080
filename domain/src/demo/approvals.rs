//! Demo approval requests: sales policies and marketing plans of the team
//! managers and the customer manager in every state — waiting for the
//! director, approved, rejected and resubmitted, withdrawn — made through
//! the service, so that their deadlines, notifications and audit entries
//! are there as well.

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

use crate::{
    access::permissions::Scope,
    demo::staff,
    platform::error::DomainError,
    sales::approvals::{self, Decision, NewApproval},
};

fn day(year: i32, month: u32, day: u32) -> Result<NaiveDate, DomainError> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| DomainError::Internal("demo date".to_owned()))
}

/// Loads the demo requests of `managers` (at least one) and the customer
/// manager, decided by `director`; returns how many.
pub async fn load(
    db: &(impl ConnectionTrait + TransactionTrait),
    tz: Tz,
    director: Uuid,
    managers: &[Uuid],
    customer_manager: Uuid,
) -> Result<usize, DomainError> {
    let first = *managers
        .first()
        .ok_or_else(|| DomainError::Internal("demo without managers".to_owned()))?;
    let second = managers.get(1).copied().unwrap_or(first);
    let (boss, boss_ctx) = staff(db, director).await?;
    let (start, end) = (day(2027, 3, 1)?, day(2027, 4, 30)?);
    let request = |kind: &str, title: &str, budget_yuan: i64, content: &str| NewApproval {
        kind: kind.to_owned(),
        title: title.to_owned(),
        period_start: start,
        period_end: end,
        budget_fen: budget_yuan * 100,
        content: content.to_owned(),
        attachments: vec![format!("https://files.demo.estateflow.local/{kind}.pdf")],
        resubmission_of: None,
    };
    let decide = async |id: Uuid, decision: &str, comment: &str| {
        let decision = Decision {
            decision: decision.to_owned(),
            comment: Some(comment.to_owned()),
        };
        approvals::decide(db, &boss_ctx, &boss, Scope::All, tz, id, decision, None).await
    };
    let mut count = 0;

    let (who, ctx) = staff(db, first).await?;
    let plan = request(
        "marketing_plan",
        "春季开盘推广方案",
        1_200_000,
        "线上投放（官网、社交媒体）与户外展销结合，开盘前两周集中蓄客。",
    );
    let approved = approvals::submit(db, &ctx, &who, tz, plan).await?;
    decide(approved.id, "approved", "同意，注意控制户外展销成本。").await?;
    let policy = request(
        "sales_policy",
        "老带新九八折优惠政策",
        300_000,
        "老业主推荐新客户成交，新客户享九八折，老业主获物业费抵扣。",
    );
    approvals::submit(db, &ctx, &who, tz, policy).await?;
    count += 2;

    let (who, ctx) = staff(db, second).await?;
    let discount = request(
        "sales_policy",
        "尾盘特价房促销政策",
        800_000,
        "尾盘二十套特价房一次性付款九折。",
    );
    let rejected = approvals::submit(db, &ctx, &who, tz, discount).await?;
    decide(rejected.id, "rejected", "折扣过大，请控制在九五折以内后重新提交。").await?;
    let mut revised = request(
        "sales_policy",
        "尾盘特价房促销政策（修订）",
        500_000,
        "尾盘二十套特价房一次性付款九五折。",
    );
    revised.resubmission_of = Some(rejected.id);
    approvals::submit(db, &ctx, &who, tz, revised).await?;
    count += 2;

    let (who, ctx) = staff(db, customer_manager).await?;
    let event = request(
        "marketing_plan",
        "业主答谢会方案",
        150_000,
        "邀请已交房业主参加答谢会，收集满意度反馈。",
    );
    let withdrawn = approvals::submit(db, &ctx, &who, tz, event).await?;
    approvals::withdraw(db, &ctx, &who, Scope::Own, withdrawn.id, None).await?;
    count += 1;
    Ok(count)
}
