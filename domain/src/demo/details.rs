//! Demo negotiation details: the selling points and competitors of both
//! demo projects (written by the director), and a negotiation plan on every
//! deal still being negotiated (by its consultant), made through the
//! services so that their versions, audit and timeline entries are there.
//! The loans and title transfers of the demo's deals are written with the
//! deals themselves (`demo::sales`), as the stages they stand in need them.

use entities::{deals, deals::DealStage, units};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use uuid::Uuid;

use crate::{
    access::{actor, audit::AuditContext, permissions::Scope},
    platform::error::DomainError,
    sales::negotiation::{self, Objection, PlanInput},
    sales::project_briefs::{self, BriefInput, Competitor},
};

/// What the demo briefs say, per project (matched by the start of its name).
fn brief_of(project: &str) -> BriefInput {
    let competitor = |name: &str, notes: &str, advantage: &str| Competitor {
        competitor: name.to_owned(),
        notes: Some(notes.to_owned()),
        our_advantage: advantage.to_owned(),
    };
    if project.starts_with("滨江") {
        BriefInput {
            selling_points: vec![
                "一线江景，南北通透 River views, through-ventilated layouts".to_owned(),
                "地铁2号线步行5分钟 Five minutes' walk to Metro Line 2".to_owned(),
                "品牌物业，24小时管家 Branded property management, 24-hour concierge".to_owned(),
            ],
            competitors: vec![
                competitor(
                    "江畔豪庭 Riverside Mansion",
                    "相距1.5公里，均价低约8% 1.5 km away, about 8% cheaper",
                    "现房交付，江景无遮挡 Ready to move in, unobstructed river views",
                ),
                competitor(
                    "滨江新城 New Bund City",
                    "相距3公里，期房，2028年交付 3 km away, off-plan, handover 2028",
                    "地铁已通，配套成熟 Metro already running, amenities in place",
                ),
            ],
        }
    } else {
        BriefInput {
            selling_points: vec![
                "森林公园旁，绿化率45% Next to the forest park, 45% green space".to_owned(),
                "九年一贯制学校学区 Catchment of a nine-year school".to_owned(),
            ],
            competitors: vec![competitor(
                "湖畔花园 Lakeside Garden",
                "相距2公里，均价高约5% 2 km away, about 5% dearer",
                "学区更好、总价更低 Better school, lower total price",
            )],
        }
    }
}

/// Loads the briefs (by `director`) and the plans; returns how many of each.
pub async fn load(
    db: &(impl ConnectionTrait + TransactionTrait),
    director: Uuid,
) -> Result<(usize, usize), DomainError> {
    let boss = actor::load_user(db, director)
        .await?
        .ok_or_else(|| DomainError::Internal("demo director missing".to_owned()))?;
    let boss_ctx = AuditContext::new(&boss, None, None);
    let projects: Vec<String> = units::Entity::find()
        .select_only()
        .column(units::Column::Project)
        .distinct()
        .order_by_asc(units::Column::Project)
        .into_tuple()
        .all(db)
        .await?;
    for project in &projects {
        project_briefs::put(db, &boss_ctx, &boss, project, brief_of(project), None).await?;
    }
    let negotiating = deals::Entity::find()
        .filter(deals::Column::Stage.eq(DealStage::Negotiating))
        .order_by_asc(deals::Column::Id)
        .all(db)
        .await?;
    for deal in &negotiating {
        let consultant = actor::load_user(db, deal.consultant_id)
            .await?
            .ok_or_else(|| DomainError::Internal(format!("demo consultant {} missing", deal.consultant_id)))?;
        let ctx = AuditContext::new(&consultant, None, None);
        let plan = PlanInput {
            objections: vec![
                Objection {
                    objection: "总价超出预算 The total is over budget".to_owned(),
                    answer: "推荐公积金组合贷，月供可控 Suggest a combined provident-fund loan: the monthly payment stays affordable"
                        .to_owned(),
                },
                Objection {
                    objection: "竞品更便宜 The competitor is cheaper".to_owned(),
                    answer: "对比交付时间与物业品质 Compare handover dates and property management".to_owned(),
                },
            ],
            concession_floor_fen: Some(deal.agreed_price_fen / 100 * 98),
            notes: Some("客户重视学区与通勤 The customer cares about schools and the commute".to_owned()),
        };
        negotiation::put(db, &ctx, &consultant, Scope::Own, deal.id, plan, None).await?;
    }
    Ok((projects.len(), negotiating.len()))
}
