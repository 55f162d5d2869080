//! The customer manager's churn analysis (分析客户流失原因，提出改进措施):
//! the customers lost in a span of days in the business time zone (those
//! whose status is `lost` and whose `lost_at` falls in it), grouped by the
//! reason recorded, by channel, by the stage they were lost from (their
//! status before `lost`, `customers.lost_from_status`) and by consultant,
//! each group with its count and its share of the lost; channels and
//! consultants also with the customers created in the span and the loss
//! rate against them. Read with `churn:read`, filtered in SQL to the
//! caller's reach: every customer (`all`), its teams' (`team`), its own
//! (`own`).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entities::{
    customers::{self, Channel, CustomerStatus},
    teams, users,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QuerySelect, Select};
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::permissions::Scope,
    performance::kpis::permille,
    platform::calendar::{Month, start_of_day},
    platform::error::{DomainError, FieldError},
    platform::text::{Msg, Reader},
};

/// What the caller asks for: the first and last day (defaults: the first
/// of this month and today) and optionally one team.
#[derive(Debug, Clone, Default)]
pub struct ChurnRequest {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub team_id: Option<Uuid>,
}

/// How a group is named for people: text as recorded (a free-text reason,
/// a consultant's name) or a message in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    Text(String),
    Msg(Msg),
}

impl Label {
    pub fn render(&self, reader: &Reader) -> String {
        match self {
            Label::Text(text) => text.clone(),
            Label::Msg(msg) => msg.render(reader),
        }
    }
}

/// One group of lost customers.
#[derive(Debug, Clone, PartialEq)]
pub struct Group<K> {
    /// The value grouped by; none for customers without one (no reason, no
    /// stage recorded, no consultant).
    pub key: Option<K>,
    pub label: Label,
    pub lost: i64,
    /// lost ÷ all lost in the span, in thousandths rounded down.
    pub share_permille: Option<i64>,
    /// Channels and consultants: customers created in the span.
    pub created: Option<i64>,
    /// lost ÷ created, in thousandths rounded down (above 1000 when more
    /// were lost than came in); none without customers created.
    pub loss_rate_permille: Option<i64>,
}

impl<K> Group<K> {
    /// A group of `lost` out of `all` lost in the span, and of `created` in it.
    fn new(key: Option<K>, label: Label, (lost, all): (i64, i64), created: Option<i64>) -> Self {
        Self {
            key,
            label,
            lost,
            share_permille: permille(lost, all),
            created,
            loss_rate_permille: created.and_then(|c| permille(lost, c)),
        }
    }
}

/// The analysis of a span.
#[derive(Debug, Clone)]
pub struct Churn {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub team_id: Option<Uuid>,
    pub lost: i64,
    pub created: i64,
    pub loss_rate_permille: Option<i64>,
    /// Most lost first; ties by label.
    pub by_reason: Vec<Group<String>>,
    /// Every channel, most lost first.
    pub by_channel: Vec<Group<Channel>>,
    pub by_stage: Vec<Group<CustomerStatus>>,
    /// Consultants who lost or gained a customer in the span.
    pub by_consultant: Vec<Group<Uuid>>,
}

/// The customers within the caller's reach (and the team asked for), in SQL.
fn reach(actor: &Actor, scope: Scope, team: Option<Uuid>) -> Condition {
    use customers::Column as C;
    let mut condition = Condition::all().add(C::MergedIntoId.is_null());
    condition = match scope {
        Scope::All => condition,
        Scope::Team => condition.add(C::TeamId.is_in(actor.team_ids.clone())),
        Scope::Own => condition.add(C::OwnerId.eq(actor.id)),
    };
    if let Some(team) = team {
        condition = condition.add(C::TeamId.eq(team));
    }
    condition
}

/// Counts of `select` grouped by `column`.
async fn counts<K>(
    db: &impl ConnectionTrait,
    select: Select<customers::Entity>,
    column: customers::Column,
) -> Result<Vec<(Option<K>, i64)>, DomainError>
where
    K: sea_orm::TryGetable,
{
    Ok(select
        .select_only()
        .column(column)
        .column_as(customers::Column::Id.count(), "n")
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?)
}

/// The churn analysis of a span, as [the module](self) describes.
pub async fn analyse(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    request: ChurnRequest,
    tz: Tz,
) -> Result<Churn, DomainError> {
    let today = Utc::now().with_timezone(&tz).date_naive();
    let last_day = request.to.unwrap_or(today);
    let first_day = request.from.unwrap_or_else(|| Month::of_day(last_day).first_day());
    let mut errors = Vec::new();
    if last_day < first_day {
        errors.push(FieldError::new("/to", Msg::NotBeforeFrom));
    }
    if let Some(team) = request.team_id {
        if teams::Entity::find_by_id(team).one(db).await?.is_none() {
            errors.push(FieldError::new("/team_id", Msg::NoSuchTeam));
        } else if scope == Scope::Team && !actor.team_ids.contains(&team) {
            errors.push(FieldError::new("/team_id", Msg::NotOneOfYourTeams));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let (from, to) = (
        start_of_day(first_day, tz),
        start_of_day(last_day + Duration::days(1), tz),
    );
    use customers::Column as C;
    let within = reach(actor, scope, request.team_id);
    let lost = customers::Entity::find()
        .filter(within.clone())
        .filter(C::Status.eq(CustomerStatus::Lost))
        .filter(C::LostAt.gte(from))
        .filter(C::LostAt.lt(to));
    let created = customers::Entity::find()
        .filter(within)
        .filter(C::CreatedAt.gte(from))
        .filter(C::CreatedAt.lt(to));

    let reasons: Vec<(Option<String>, i64)> = counts(db, lost.clone(), C::LostReason).await?;
    let stages: Vec<(Option<CustomerStatus>, i64)> = counts(db, lost.clone(), C::LostFromStatus).await?;
    let lost_by_channel: HashMap<Option<Channel>, i64> =
        counts(db, lost.clone(), C::Channel).await?.into_iter().collect();
    let created_by_channel: HashMap<Option<Channel>, i64> =
        counts(db, created.clone(), C::Channel).await?.into_iter().collect();
    let lost_by_owner: HashMap<Option<Uuid>, i64> = counts(db, lost, C::OwnerId).await?.into_iter().collect();
    let created_by_owner: HashMap<Option<Uuid>, i64> = counts(db, created, C::OwnerId).await?.into_iter().collect();

    let total_lost: i64 = reasons.iter().map(|(_, n)| n).sum();
    let total_created: i64 = created_by_channel.values().sum();

    let by_reason = sorted(
        reasons
            .into_iter()
            .map(|(reason, n)| {
                let label = reason.clone().map_or(Label::Msg(Msg::ChurnNoReason), Label::Text);
                Group::new(reason, label, (n, total_lost), None)
            })
            .collect(),
    );
    let by_stage = sorted(
        stages
            .into_iter()
            .map(|(stage, n)| {
                let label = Label::Msg(stage.map_or(Msg::ChurnStageUnknown, status_label));
                Group::new(stage, label, (n, total_lost), None)
            })
            .collect(),
    );
    let by_channel = sorted(
        Channel::iter()
            .map(|channel| {
                let lost = lost_by_channel.get(&Some(channel)).copied().unwrap_or(0);
                let created = created_by_channel.get(&Some(channel)).copied().unwrap_or(0);
                Group::new(
                    Some(channel),
                    Label::Msg(channel_label(channel)),
                    (lost, total_lost),
                    Some(created),
                )
            })
            .collect(),
    );
    let owners: BTreeSet<Option<Uuid>> = lost_by_owner.keys().chain(created_by_owner.keys()).copied().collect();
    let ids: Vec<Uuid> = owners.iter().flatten().copied().collect();
    let names: HashMap<Uuid, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::Name)
            .filter(users::Column::Id.is_in(ids))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let by_consultant = sorted(
        owners
            .into_iter()
            .map(|owner| {
                let label = match owner.and_then(|id| names.get(&id)) {
                    Some(name) => Label::Text(name.clone()),
                    None => Label::Msg(Msg::ChurnNoConsultant),
                };
                let lost = lost_by_owner.get(&owner).copied().unwrap_or(0);
                let created = created_by_owner.get(&owner).copied().unwrap_or(0);
                Group::new(owner, label, (lost, total_lost), Some(created))
            })
            .collect(),
    );
    Ok(Churn {
        first_day,
        last_day,
        from,
        to,
        team_id: request.team_id,
        lost: total_lost,
        created: total_created,
        loss_rate_permille: permille(total_lost, total_created),
        by_reason,
        by_channel,
        by_stage,
        by_consultant,
    })
}

/// Most lost first, then most created, then by label as recorded (English for messages).
fn sorted<K>(mut groups: Vec<Group<K>>) -> Vec<Group<K>> {
    groups.sort_by_cached_key(|g| {
        (
            std::cmp::Reverse(g.lost),
            std::cmp::Reverse(g.created.unwrap_or(0)),
            g.label.render(&Reader::LOG),
        )
    });
    groups
}

/// A channel as people read it.
pub fn channel_label(channel: Channel) -> Msg {
    match channel {
        Channel::Website => Msg::ChannelWebsite,
        Channel::SocialMedia => Msg::ChannelSocialMedia,
        Channel::PartnerPlatform => Msg::ChannelPartnerPlatform,
        Channel::StoreWalkIn => Msg::ChannelStoreWalkIn,
        Channel::OutdoorExhibition => Msg::ChannelOutdoorExhibition,
        Channel::CrossIndustry => Msg::ChannelCrossIndustry,
    }
}

/// A customer's status as people read it.
pub fn status_label(status: CustomerStatus) -> Msg {
    match status {
        CustomerStatus::New => Msg::StatusNew,
        CustomerStatus::Contacted => Msg::StatusContacted,
        CustomerStatus::NeedsAssessed => Msg::StatusNeedsAssessed,
        CustomerStatus::Active => Msg::StatusActive,
        CustomerStatus::Negotiating => Msg::StatusNegotiating,
        CustomerStatus::Subscribed => Msg::StatusSubscribed,
        CustomerStatus::Contracted => Msg::StatusContracted,
        CustomerStatus::HandedOver => Msg::StatusHandedOver,
        CustomerStatus::Lost => Msg::StatusLost,
    }
}
