//! The demo's lead routing rules: key accounts to a named consultant,
//! website and social-media leads to their teams' round-robin, and a
//! default team for the rest, so that a lead pushed to the demo is
//! assigned at once.

use chrono::Utc;
use entities::{customers::Channel, routing_rules};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use crate::platform::error::DomainError;

/// Writes the rules: `teams` in the demo's order, `key_accounts` the
/// consultant who takes key accounts, made by `director`.
pub async fn load(
    db: &impl ConnectionTrait,
    director: Uuid,
    teams: &[Uuid],
    key_accounts: Uuid,
) -> Result<usize, DomainError> {
    let [pudong, puxi, shenzhen] = teams else {
        return Err(DomainError::Internal("the demo routes to three teams".to_owned()));
    };
    let now = Utc::now();
    let rules = [
        (
            "重点客户 → 李娜 Key accounts to Li Na",
            10,
            false,
            None,
            Some(true),
            Some(key_accounts),
            None,
        ),
        (
            "官网线索 → 浦西二组 Website leads to Puxi 2",
            20,
            false,
            Some(Channel::Website),
            None,
            None,
            Some(*puxi),
        ),
        (
            "社交媒体 → 深圳一组 Social media to Shenzhen 1",
            30,
            false,
            Some(Channel::SocialMedia),
            None,
            None,
            Some(*shenzhen),
        ),
        (
            "其余线索 → 浦东一组 Everything else to Pudong 1",
            100,
            true,
            None,
            None,
            None,
            Some(*pudong),
        ),
    ];
    for (name, priority, fallback, channel, key_account, consultant_id, team_id) in rules {
        routing_rules::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name.to_owned()),
            priority: Set(priority),
            version: Set(1),
            enabled: Set(true),
            fallback: Set(fallback),
            channel: Set(channel),
            source_client_id: Set(None),
            project: Set(None),
            district: Set(None),
            key_account: Set(key_account),
            consultant_id: Set(consultant_id),
            team_id: Set(team_id),
            created_by: Set(Some(director)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(rules.len())
}
