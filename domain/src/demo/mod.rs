//! A demo organisation for `estateflow serve --demo`: regions, teams and
//! staff of every role, loaded once per database so that a new user sees a
//! living system. Later capabilities add their records here.

pub mod approvals;
pub mod bonuses;
pub mod care;
pub mod details;
pub mod reports;
pub mod routing;
pub mod sales;

use chrono::Utc;
use entities::{regions, teams};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, TransactionSession, TransactionTrait};
use uuid::Uuid;

use crate::{
    access::audit::AuditContext,
    access::users::{self, NewUser},
    platform::error::DomainError,
    platform::secret::Secret,
    platform::system,
};

/// A demo account acting through the services, with its audit context.
pub(crate) async fn staff(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<(crate::access::actor::Actor, AuditContext), DomainError> {
    let who = crate::access::actor::load_user(db, id)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("demo account {id} missing")))?;
    let ctx = AuditContext::new(&who, None, None);
    Ok((who, ctx))
}

const DEMO_MARKER: &str = "demo_loaded_at";
/// Password of every demo account; printed when the demo is loaded.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// What the demo holds, for the start-up banner.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub regions: usize,
    pub teams: usize,
    pub users: Vec<(String, &'static str)>,
    pub sales: crate::demo::sales::SalesSummary,
    pub routing_rules: usize,
    /// The demo partner client's `client_id` and secret (shown once).
    pub partner: (String, String),
    /// Sales policies and marketing plans for the director, in every state.
    pub approvals: usize,
    /// Last month's bonus pools (one published).
    pub bonus_pools: usize,
    /// Customers lost this week through the service, for the churn analysis.
    pub lost_this_week: usize,
    /// Project briefs (selling points, competitors) and negotiation plans.
    pub details: (usize, usize),
    /// Key accounts with revisits, customer feedback routed.
    pub care: crate::demo::care::CareSummary,
}

struct DemoTeam {
    region: &'static str,
    name: &'static str,
    manager: (&'static str, &'static str),
    consultants: [(&'static str, &'static str); 2],
}

const REGIONS: [&str; 2] = ["华东区 East China", "华南区 South China"];

const TEAMS: [DemoTeam; 3] = [
    DemoTeam {
        region: REGIONS[0],
        name: "浦东一组 Pudong 1",
        manager: ("manager.pudong", "王磊 Wang Lei"),
        consultants: [("li.na", "李娜 Li Na"), ("zhang.wei", "张伟 Zhang Wei")],
    },
    DemoTeam {
        region: REGIONS[0],
        name: "浦西二组 Puxi 2",
        manager: ("manager.puxi", "陈静 Chen Jing"),
        consultants: [("liu.yang", "刘洋 Liu Yang"), ("zhao.min", "赵敏 Zhao Min")],
    },
    DemoTeam {
        region: REGIONS[1],
        name: "深圳一组 Shenzhen 1",
        manager: ("manager.shenzhen", "黄志强 Huang Zhiqiang"),
        consultants: [("wu.fang", "吴芳 Wu Fang"), ("zhou.jie", "周杰 Zhou Jie")],
    },
];

fn email(local: &str) -> String {
    format!("{local}@demo.estateflow.local")
}

/// Loads the demo organisation unless it was loaded before; `None` if it was.
/// Notifications read instants in the business time zone `tz`.
pub async fn load(
    db: &(impl ConnectionTrait + TransactionTrait),
    tz: chrono_tz::Tz,
) -> Result<Option<DemoSummary>, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let db = &txn;
    if !system::insert_if_absent(db, DEMO_MARKER, &Utc::now().to_rfc3339()).await? {
        return Ok(None);
    }
    let now = Utc::now();
    let mut summary = DemoSummary {
        regions: 0,
        teams: 0,
        users: Vec::new(),
        sales: crate::demo::sales::SalesSummary::default(),
        routing_rules: 0,
        partner: (String::new(), String::new()),
        approvals: 0,
        bonus_pools: 0,
        lost_this_week: 0,
        details: (0, 0),
        care: crate::demo::care::CareSummary::default(),
    };
    let mut managers = Vec::new();
    let mut sellers = Vec::new();
    let mut region_ids = Vec::new();
    for name in REGIONS {
        let region = regions::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name.to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        region_ids.push((name, region.id));
        summary.regions += 1;
    }

    let mut add = async |local: &str, name: &str, role: &'static str, team_id: Option<Uuid>| {
        let user = users::create(
            db,
            &AuditContext::default(),
            NewUser {
                email: email(local),
                name: name.to_owned(),
                password: Secret::new(DEMO_PASSWORD),
                roles: vec![role.to_owned()],
                team_id,
                phone: None,
                locale: "zh-CN".to_owned(),
            },
        )
        .await?;
        summary.users.push((user.email.clone(), role));
        Ok::<_, DomainError>(user)
    };

    let director = add("director", "孙总 Director Sun", "director", None).await?.id;
    let customer_manager = add("customer.manager", "何丽 He Li", "customer_manager", None)
        .await?
        .id;
    let support = add("support", "马超 Ma Chao", "support", None).await?.id;
    for team in &TEAMS {
        let region_id = region_ids
            .iter()
            .find(|(name, _)| *name == team.region)
            .map(|(_, id)| *id)
            .ok_or_else(|| DomainError::Internal("demo team without region".to_owned()))?;
        let team_id = Uuid::now_v7();
        teams::ActiveModel {
            id: Set(team_id),
            region_id: Set(region_id),
            name: Set(team.name.to_owned()),
            manager_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        let manager = add(team.manager.0, team.manager.1, "manager", Some(team_id)).await?;
        managers.push(manager.id);
        teams::ActiveModel {
            id: Set(team_id),
            manager_id: Set(Some(manager.id)),
            ..Default::default()
        }
        .update(db)
        .await?;
        for (local, name) in team.consultants {
            let consultant = add(local, name, "consultant", Some(team_id)).await?;
            sellers.push(crate::demo::sales::Seller {
                id: consultant.id,
                team_id,
                manager_id: manager.id,
                region_id,
            });
        }
    }
    summary.teams = TEAMS.len();
    // A partner client with the partner role's scopes (none named): the
    // leads from partner platforms are its, so that its token shows what a
    // partner sees of them.
    let partner = crate::access::api_clients::ClientInput {
        name: Some("演示合作平台 Demo listing portal".to_owned()),
        ..Default::default()
    };
    let (partner, secret) = crate::access::api_clients::create(db, &AuditContext::default(), partner).await?;
    summary.partner = (partner.client_id, secret);
    summary.sales = crate::demo::sales::load(db, &sellers, director, customer_manager, support, partner.id, tz).await?;
    let mut team_ids: Vec<Uuid> = sellers.iter().map(|s| s.team_id).collect();
    team_ids.dedup();
    let key_accounts = sellers
        .first()
        .ok_or_else(|| DomainError::Internal("demo without consultants".to_owned()))?
        .id;
    summary.routing_rules = crate::demo::routing::load(db, director, &team_ids, key_accounts).await?;
    summary.approvals = crate::demo::approvals::load(db, tz, director, &managers, customer_manager).await?;
    let first_team = *team_ids
        .first()
        .ok_or_else(|| DomainError::Internal("demo without teams".to_owned()))?;
    summary.bonus_pools = crate::demo::bonuses::load(db, tz, director, first_team).await?;
    summary.lost_this_week = crate::demo::reports::load(db, &sellers).await?;
    summary.details = crate::demo::details::load(db, director).await?;
    summary.care = crate::demo::care::load(db, tz, customer_manager, support).await?;
    // The Sales Star of the last two quarters, which the talent list reads.
    let last = crate::platform::calendar::Quarter::of(now, tz).previous();
    for quarter in [last.previous(), last] {
        crate::performance::awards::runs::run_at_once(db, quarter, tz).await?;
    }
    txn.commit().await?;
    Ok(Some(summary))
}
