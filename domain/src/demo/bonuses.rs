//! Demo bonuses: a second version of the bonus rules set by the director,
//! and last month's pools — the department's computed and published (its
//! consultants notified), the first team's left open for the period-end
//! job (or the director) to compute — made through the service, so their
//! audit entries and notifications are there as well.

use chrono::Utc;
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

use crate::{
    access::{actor, audit::AuditContext},
    performance::bonuses::{
        pools::{self, NewPool},
        rules::{self, RankShare, RulesInput},
    },
    platform::calendar::Month,
    platform::error::DomainError,
};

/// Loads the demo rules and pools, the director's; returns how many pools.
pub async fn load(
    db: &(impl ConnectionTrait + TransactionTrait),
    tz: Tz,
    director: Uuid,
    team: Uuid,
) -> Result<usize, DomainError> {
    let who = actor::load_user(db, director)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("demo account {director} missing")))?;
    let ctx = AuditContext::new(&who, None, None);
    let share = |up_to_rank, share_permille| RankShare {
        up_to_rank,
        share_permille,
    };
    let input = RulesInput {
        shares: vec![share(1, 300), share(3, 300)],
        rest_permille: 400,
    };
    rules::set_rules(db, &ctx, input, None).await?;
    // The day before this month's first is in the last month.
    let last = Month::of_day(Month::of(Utc::now(), tz).first_day() - chrono::Days::new(1));
    let pool = |scope: &str, team_id: Option<Uuid>, yuan: i64| NewPool {
        period: last.to_string(),
        scope: scope.to_owned(),
        team_id,
        pool_fen: yuan * 100,
    };
    let department = pools::create(db, &ctx, pool("department", None, 50_000)).await?;
    pools::compute(db, &ctx, department.id, tz).await?;
    pools::publish(db, &ctx, department.id, tz).await?;
    pools::create(db, &ctx, pool("team", Some(team), 12_000)).await?;
    Ok(2)
}
