//! What a partner client sees of the leads it pushed: their progress —
//! status, stages and dates, and the events meant for it — never the sales
//! team's internals: no notes, prices, budgets, complaints or lost reasons,
//! and no staff (no owner, no team, no one's id or name). Staff read the
//! same records in full.
//!
//! Both views are cut here, in one place, by allow-list: a field or a kind
//! of event added later stays private until it is named below.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::sales::{customers::CustomerView, timeline::Entry, timeline::Kind};

/// A customer as its partner sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerCustomerView {
    pub id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat_id: Option<String>,
    pub channel: String,
    pub status: String,
    pub external_id: Option<String>,
    /// What the lead asked about, as the partner sent it.
    pub project_of_interest: Option<String>,
    pub district_of_interest: Option<String>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub needs_assessed_at: Option<DateTime<Utc>>,
    pub last_follow_up_at: Option<DateTime<Utc>>,
    pub lost_at: Option<DateTime<Utc>>,
    pub merged_into_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CustomerView> for PartnerCustomerView {
    /// Leaves out the owner, the team, the key-account flag (the sales
    /// team's own classification) and the lost reason (staff's words).
    fn from(v: CustomerView) -> Self {
        Self {
            id: v.id,
            name: v.name,
            phone: v.phone,
            email: v.email,
            wechat_id: v.wechat_id,
            channel: v.channel,
            status: v.status,
            external_id: v.external_id,
            project_of_interest: v.project_of_interest,
            district_of_interest: v.district_of_interest,
            assigned_at: v.assigned_at,
            first_response_at: v.first_response_at,
            needs_assessed_at: v.needs_assessed_at,
            last_follow_up_at: v.last_follow_up_at,
            lost_at: v.lost_at,
            merged_into_id: v.merged_into_id,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// One event of a lead's timeline as its partner sees it: no actor, no
/// subject record, and only the data fields meant for the partner.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerEntry {
    pub id: Uuid,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub data: Value,
}

/// The kinds of event a partner sees, each with the data fields it sees.
/// Every other kind (inspection issues, complaints, customer events) is the
/// sales team's business and left out.
pub const SHOWN: &[(Kind, &[&str])] = &[
    (Kind::Created, &["channel", "external_id"]),
    (Kind::Assigned, &[]),
    (Kind::Reassigned, &[]),
    (Kind::StatusChanged, &["from", "to"]),
    (Kind::FollowUp, &["kind", "reached"]),
    (Kind::NeedsAssessed, &[]),
    (Kind::DealCreated, &["stage"]),
    (Kind::DealStageChanged, &["from", "to"]),
    (Kind::HandoverCompleted, &[]),
    (Kind::Visit, &[]),
    (Kind::Merged, &["duplicate_id"]),
    (Kind::SlaBreached, &["kind", "due_at"]),
];

/// The entry as its partner sees it, or `None` if the kind is not meant for it.
pub fn entry(entry: Entry) -> Option<PartnerEntry> {
    // A key account's revisit, or its missed deadline, tells which
    // customers are key accounts: the sales team's business.
    let kind_of = entry.data.get("kind").and_then(Value::as_str);
    let revisit = (entry.kind == Kind::SlaBreached.to_string()
        && kind_of == Some(crate::outbox::sla::SlaKind::KeyAccountRevisit.as_str()))
        || (entry.kind == Kind::FollowUp.to_string()
            && kind_of == Some(entities::follow_ups::FollowUpKind::Revisit.to_string().as_str()));
    if revisit {
        return None;
    }
    let fields = SHOWN
        .iter()
        .find(|(kind, _)| kind.to_string() == entry.kind)
        .map(|(_, fields)| *fields)?;
    let data: Map<String, Value> = fields
        .iter()
        .filter_map(|f| entry.data.get(*f).map(|v| ((*f).to_owned(), v.clone())))
        .collect();
    Some(PartnerEntry {
        id: entry.id,
        kind: entry.kind,
        occurred_at: entry.occurred_at,
        data: Value::Object(data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(kind: Kind, data: Value) -> Entry {
        Entry {
            id: Uuid::nil(),
            kind: kind.to_string(),
            occurred_at: Utc::now(),
            actor_user_id: Some(Uuid::now_v7()),
            actor_client_id: None,
            subject_id: Some(Uuid::now_v7()),
            data,
        }
    }

    #[test]
    fn a_partner_sees_only_the_fields_and_kinds_meant_for_it() {
        let cases = [
            (
                of(
                    Kind::FollowUp,
                    json!({"kind": "call", "reached": true, "notes": "wants a discount", "next_step": "x"}),
                ),
                Some(json!({"kind": "call", "reached": true})),
            ),
            (
                of(
                    Kind::DealCreated,
                    json!({"deal_id": Uuid::nil(), "agreed_price_fen": 1, "stage": "subscribed"}),
                ),
                Some(json!({"stage": "subscribed"})),
            ),
            (
                of(
                    Kind::DealStageChanged,
                    json!({"from": "a", "to": "b", "agreed_price_fen": 1, "unit_id": Uuid::nil()}),
                ),
                Some(json!({"from": "a", "to": "b"})),
            ),
            (
                of(
                    Kind::Assigned,
                    json!({"consultant_id": Uuid::nil(), "team_id": Uuid::nil(), "reason": "r"}),
                ),
                Some(json!({})),
            ),
            (
                of(
                    Kind::StatusChanged,
                    json!({"from": "new", "to": "lost", "reason": "too pricey"}),
                ),
                Some(json!({"from": "new", "to": "lost"})),
            ),
            (
                of(Kind::NeedsAssessed, json!({"budget_min_fen": 1, "districts": ["a"]})),
                Some(json!({})),
            ),
            (of(Kind::ComplaintReceived, json!({"summary": "s"})), None),
            (of(Kind::ComplaintRouted, json!({"handler_id": Uuid::nil()})), None),
            (of(Kind::InspectionIssue, json!({})), None),
            (of(Kind::EventInvited, json!({})), None),
            (of(Kind::Feedback, json!({"category": "pricing"})), None),
            (of(Kind::FollowUp, json!({"kind": "revisit", "reached": true})), None),
            (
                of(Kind::SlaBreached, json!({"kind": "key_account_revisit", "due_at": "t"})),
                None,
            ),
            (
                of(Kind::SlaBreached, json!({"kind": "first_response", "due_at": "t"})),
                Some(json!({"kind": "first_response", "due_at": "t"})),
            ),
        ];
        for (given, expected) in cases {
            let kind = given.kind.clone();
            let seen = entry(given);
            assert_eq!(seen.as_ref().map(|e| e.data.clone()), expected, "{kind}");
        }
    }
}
