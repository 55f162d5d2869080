//! Approvals (审批重大销售政策及市场推广方案): a sales manager or customer
//! manager submits a sales policy or a marketing plan — title, period,
//! budget, text and links to its attachments — and the sales director
//! approves or rejects it with a comment, within a deadline set by the
//! `approval_decision` SLA policy (a reminder before it, the request marked
//! overdue after it: `engine::approvals`). The submitter may withdraw a
//! request while it waits. A rejected request is resubmitted as a new
//! request naming it (`resubmission_of`), so every decision stays on the
//! request it was made on (`approval_states`).
//!
//! Staff reach requests through their `approvals:*` scope: `own` is the
//! requests they submitted, `team` adds their teams' requests, `all` every
//! one. Every change is audited, announced to webhook subscribers
//! (`approval.submitted`, `approval.decided`, `approval.withdrawn`) and
//! notified: the deciders (holders of `approvals:decide`) on submission,
//! the submitter on the decision.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entities::{
    approvals,
    approvals::{ApprovalKind, ApprovalStatus},
    users,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
    sea_query::Condition,
};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    access::actor::{Actor, ActorKind},
    access::audit::AuditContext,
    access::permissions::Scope,
    access::record::{self, Record},
    outbox::{
        events::{self, Event},
        notifications::{self, Kind, Notice},
        sla::{self, SlaKind},
        timers::{self, TimerState},
    },
    platform::error::{DomainError, FieldError},
    platform::money::{self, Floor},
    platform::page::{Page, PageRequest},
    platform::text::{Amount, At, Msg},
    platform::version,
    sales::approval_states::{self, Mover},
};

/// The permission of those who decide requests (the director).
pub const DECIDE: &str = "approvals:decide";
/// The decisions the director may take, as the API spells them.
pub const DECISIONS: [ApprovalStatus; 2] = [ApprovalStatus::Approved, ApprovalStatus::Rejected];
/// The most attachment links a request carries, and the longest link.
pub const MAX_LINKS: usize = 10;
pub const MAX_LINK_LEN: usize = 2000;
const MAX_TITLE: usize = 200;
const MAX_CONTENT: usize = 10_000;
const MAX_COMMENT: usize = 4000;

/// The timer kind of the decision deadline (an SLA kind, so its policy is
/// versioned and changed like the others).
pub const TIMER_KIND: &str = SlaKind::ApprovalDecision.as_str();

#[derive(Debug, Clone, Serialize)]
pub struct ApprovalView {
    pub id: Uuid,
    pub kind: ApprovalKind,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub budget_fen: i64,
    pub content: String,
    pub attachments: Vec<String>,
    pub status: ApprovalStatus,
    pub submitter_id: Uuid,
    pub team_id: Option<Uuid>,
    pub resubmission_of: Option<Uuid>,
    pub submitted_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub overdue_at: Option<DateTime<Utc>>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<approvals::Model> for ApprovalView {
    fn from(m: approvals::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            title: m.title,
            period_start: m.period_start,
            period_end: m.period_end,
            budget_fen: m.budget_fen,
            content: m.content,
            attachments: crate::platform::db::strings(&m.attachments),
            status: m.status,
            submitter_id: m.submitter_id,
            team_id: m.team_id,
            resubmission_of: m.resubmission_of,
            submitted_at: m.submitted_at,
            due_at: m.due_at,
            overdue_at: m.overdue_at,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            decision_comment: m.decision_comment,
            withdrawn_at: m.withdrawn_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl Record for ApprovalView {
    type Entity = approvals::Entity;
    const NAME: Msg = Msg::NounApproval;
    const AUDITED: &'static str = "approval";
    fn audit_json(&self) -> Value {
        json!({"kind": self.kind, "title": self.title, "period_start": self.period_start, "period_end": self.period_end,
               "budget_fen": self.budget_fen, "attachments": self.attachments, "status": self.status,
               "submitter_id": self.submitter_id, "resubmission_of": self.resubmission_of, "due_at": self.due_at,
               "overdue_at": self.overdue_at, "decided_by": self.decided_by, "decision_comment": self.decision_comment})
    }
}

impl ApprovalView {
    /// What the request is, as prose names it.
    pub fn what(&self) -> Box<Msg> {
        Box::new(match self.kind {
            ApprovalKind::SalesPolicy => Msg::ApprovalSalesPolicy,
            ApprovalKind::MarketingPlan => Msg::ApprovalMarketingPlan,
        })
    }

    /// The body of its notifications: budget, period and deadline.
    pub fn summary(&self) -> Msg {
        Msg::NoticeApprovalBody {
            budget: Amount(self.budget_fen),
            start: self.period_start.to_string(),
            end: self.period_end.to_string(),
            due: At(self.due_at),
        }
    }

    /// What partners' webhooks receive.
    fn payload(&self) -> Value {
        json!({"id": self.id, "kind": self.kind, "title": self.title, "status": self.status,
               "period_start": self.period_start, "period_end": self.period_end, "budget_fen": self.budget_fen,
               "submitter_id": self.submitter_id, "resubmission_of": self.resubmission_of,
               "submitted_at": self.submitted_at, "due_at": self.due_at, "decided_by": self.decided_by,
               "decided_at": self.decided_at, "decision_comment": self.decision_comment})
    }
}

/// The requests a caller reaches with `scope`: its own, plus its teams' with
/// `team`. Partners reach none: approvals are the department's business.
pub fn reach(actor: &Actor, scope: Scope) -> Condition {
    use approvals::Column as C;
    if actor.kind == ActorKind::Client {
        return Condition::all().add(C::Id.is_null());
    }
    actor.reach(scope, C::SubmitterId, Some(C::TeamId))
}

/// A request as submitted.
#[derive(Debug, Clone)]
pub struct NewApproval {
    pub kind: String,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub budget_fen: i64,
    pub content: String,
    pub attachments: Vec<String>,
    /// The rejected request (of the caller's) this one resubmits.
    pub resubmission_of: Option<Uuid>,
}

/// What is wrong with `raw` as an attachment link: https, a host, no credentials.
fn link_problem(raw: &str) -> Option<Msg> {
    if raw.chars().count() > MAX_LINK_LEN {
        return Some(Msg::AtMostChars { max: MAX_LINK_LEN });
    }
    match url::Url::parse(raw) {
        Err(e) => Some(Msg::NotAUrl { reason: e.to_string() }),
        Ok(url) if url.scheme() != "https" => Some(Msg::ApprovalHttpsLink),
        Ok(url) if url.host_str().is_none_or(str::is_empty) => Some(Msg::UrlHost),
        Ok(url) if !url.username().is_empty() || url.password().is_some() => Some(Msg::UrlCredentials),
        Ok(_) => None,
    }
}

fn check_text(text: &str, max: usize, pointer: &str, errors: &mut Vec<FieldError>) {
    if text.trim().is_empty() || text.chars().count() > max {
        errors.push(FieldError::new(pointer, Msg::OneToChars { max }));
    }
}

fn check_new(input: &NewApproval, errors: &mut Vec<FieldError>) -> Option<ApprovalKind> {
    let kind = crate::platform::input::variant::<ApprovalKind>(&input.kind, "/kind")
        .map_err(|e| errors.push(e))
        .ok();
    check_text(&input.title, MAX_TITLE, "/title", errors);
    check_text(&input.content, MAX_CONTENT, "/content", errors);
    if input.period_end < input.period_start {
        errors.push(FieldError::new("/period_end", Msg::ApprovalPeriodEnd));
    }
    money::check(input.budget_fen, Floor::Zero, "/budget_fen", errors);
    if input.attachments.len() > MAX_LINKS {
        errors.push(FieldError::new(
            "/attachments",
            Msg::ApprovalAtMostLinks { max: MAX_LINKS },
        ));
    } else {
        for (i, link) in input.attachments.iter().enumerate() {
            if let Some(problem) = link_problem(link) {
                errors.push(FieldError::new(format!("/attachments/{i}"), problem));
            }
        }
    }
    kind
}

/// The active accounts that decide requests (hold `approvals:decide`).
pub async fn deciders(db: &impl ConnectionTrait) -> Result<Vec<Uuid>, DomainError> {
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::Id.in_subquery(crate::access::roles::holders_of(DECIDE)))
        .filter(users::Column::Status.eq(users::UserStatus::Active))
        .into_tuple()
        .all(db)
        .await?)
}

/// A notice about request `view` to each of `users`, keyed by `tag`.
pub fn notices(view: &ApprovalView, users: &[Uuid], kind: Kind, title: &Msg, body: &Msg, tag: &str) -> Vec<Notice> {
    users
        .iter()
        .map(|user| Notice {
            user_id: *user,
            kind,
            title: title.clone(),
            body: Some(body.clone()),
            subject_type: Some("approval"),
            subject_id: Some(view.id),
            // The decision's deadline, while it is waiting for one.
            due_at: (view.status == ApprovalStatus::Submitted).then_some(view.due_at),
            dedupe_key: format!("approval:{}:{tag}:{user}", view.id),
        })
        .collect()
}

fn announce(name: &'static str, view: &ApprovalView) -> Event {
    Event {
        name,
        client_id: None,
        subject_id: Some(view.id),
        payload: view.payload(),
    }
}

/// Submits a request for approval: the decision deadline starts, the
/// deciders are notified, subscribers hear `approval.submitted`.
pub async fn submit(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    tz: Tz,
    input: NewApproval,
) -> Result<ApprovalView, DomainError> {
    let mut errors = Vec::new();
    let kind = check_new(&input, &mut errors);
    let Some(submitter) = actor.user_id() else {
        return Err(DomainError::Forbidden(Msg::ApprovalsForStaff));
    };
    let txn = crate::platform::db::begin_write(db).await?;
    if let Some(previous) = input.resubmission_of {
        let rejected = approvals::Entity::find_by_id(previous)
            .filter(approvals::Column::SubmitterId.eq(submitter))
            .filter(approvals::Column::Status.eq(ApprovalStatus::Rejected))
            .one(&txn)
            .await?;
        if rejected.is_none() {
            errors.push(FieldError::new("/resubmission_of", Msg::ApprovalResubmitRejected));
        }
    }
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let now = Utc::now();
    let policy = sla::current(&txn, SlaKind::ApprovalDecision).await?;
    let approval = approvals::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind),
        title: Set(input.title.trim().to_owned()),
        period_start: Set(input.period_start),
        period_end: Set(input.period_end),
        budget_fen: Set(input.budget_fen),
        content: Set(input.content.trim().to_owned()),
        attachments: Set(json!(input.attachments)),
        status: Set(ApprovalStatus::Submitted),
        submitter_id: Set(submitter),
        team_id: Set(actor.team_ids.first().copied()),
        resubmission_of: Set(input.resubmission_of),
        submitted_at: Set(now),
        due_at: Set(now + Duration::seconds(policy.duration_secs)),
        overdue_at: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_comment: Set(None),
        withdrawn_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let view = ApprovalView::from(approval);
    sla::start(&txn, SlaKind::ApprovalDecision, view.id, None, now).await?;
    let deciders: Vec<Uuid> = deciders(&txn).await?.into_iter().filter(|u| *u != submitter).collect();
    let title = Msg::NoticeApprovalRequested {
        what: view.what(),
        title: view.title.clone(),
    };
    let notices = notices(
        &view,
        &deciders,
        Kind::ApprovalRequested,
        &title,
        &view.summary(),
        "submitted",
    );
    notifications::notify(&txn, tz, notices).await?;
    events::emit(&txn, announce("approval.submitted", &view)).await?;
    record::commit_created(txn, ctx, &view, view.id).await?;
    Ok(view)
}

/// What to look for among requests.
#[derive(Debug, Clone, Default)]
pub struct ApprovalFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub submitter_id: Option<Uuid>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: ApprovalFilter,
    page: PageRequest,
) -> Result<Page<ApprovalView>, DomainError> {
    use approvals::Column as C;
    let mut errors = Vec::new();
    let status = crate::platform::input::optional(
        filter.status.as_deref(),
        |s| crate::platform::input::variant::<ApprovalStatus>(s, "/status"),
        &mut errors,
    );
    let kind = crate::platform::input::optional(
        filter.kind.as_deref(),
        |s| crate::platform::input::variant::<ApprovalKind>(s, "/kind"),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let mut query = approvals::Entity::find().filter(reach(actor, scope));
    if let Some(status) = status {
        query = query.filter(C::Status.eq(status));
    }
    if let Some(kind) = kind {
        query = query.filter(C::Kind.eq(kind));
    }
    if let Some(submitter) = filter.submitter_id {
        query = query.filter(C::SubmitterId.eq(submitter));
    }
    Ok(page.fetch(db, query, C::Id, |a| a.id).await?.map(ApprovalView::from))
}

/// One request within the caller's reach; outside it, "not found".
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<ApprovalView, DomainError> {
    record::find::<ApprovalView>(db, reach(actor, scope), id)
        .await
        .map(Into::into)
}

/// The director's decision: `approved` or `rejected`; a rejection needs a comment.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    pub decision: String,
    pub comment: Option<String>,
}

/// Decides a submitted request: its deadline ends, the submitter is
/// notified, subscribers hear `approval.decided`.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    tz: Tz,
    id: Uuid,
    decision: Decision,
    if_match: Option<&str>,
) -> Result<ApprovalView, DomainError> {
    let mut errors = Vec::new();
    let to = DECISIONS.into_iter().find(|d| d.to_string() == decision.decision);
    if to.is_none() {
        errors.push(FieldError::new("/decision", Msg::ApprovalDecision));
    }
    let comment = crate::platform::input::optional_text(decision.comment, "/comment", MAX_COMMENT, &mut errors);
    if to == Some(ApprovalStatus::Rejected) && comment.is_none() {
        errors.push(FieldError::new("/comment", Msg::ApprovalRejectionComment));
    }
    let (Some(to), true) = (to, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let txn = crate::platform::db::begin_write(db).await?;
    let model = record::find::<ApprovalView>(&txn, reach(actor, scope), id).await?;
    let before = ApprovalView::from(model.clone());
    version::check(if_match, &before)?;
    approval_states::check_move(before.status, to, Mover::Director)?;
    let now = Utc::now();
    let mut active: approvals::ActiveModel = model.into();
    active.status = Set(to);
    active.decided_by = Set(actor.user_id());
    active.decided_at = Set(Some(now));
    active.decision_comment = Set(comment.clone());
    active.updated_at = Set(now);
    let after = ApprovalView::from(active.update(&txn).await?);
    timers::close(&txn, id, &[TIMER_KIND], TimerState::Completed).await?;
    let (what, name) = (after.what(), after.title.clone());
    let title = if to == ApprovalStatus::Approved {
        Msg::NoticeApprovalApproved { what, title: name }
    } else {
        Msg::NoticeApprovalRejected { what, title: name }
    };
    let body = match comment {
        Some(comment) => Msg::NoticeApprovalComment { comment },
        None => after.summary(),
    };
    let notices = notices(
        &after,
        &[after.submitter_id],
        Kind::ApprovalDecided,
        &title,
        &body,
        "decided",
    );
    notifications::notify(&txn, tz, notices).await?;
    events::emit(&txn, announce("approval.decided", &after)).await?;
    let action = if to == ApprovalStatus::Approved {
        "approve"
    } else {
        "reject"
    };
    record::commit_changed(txn, ctx, action, id, &before, &after).await?;
    Ok(after)
}

/// The submitter withdraws a request still waiting for its decision: the
/// deadline is cancelled, subscribers hear `approval.withdrawn`.
pub async fn withdraw(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<ApprovalView, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let model = record::find::<ApprovalView>(&txn, reach(actor, scope), id).await?;
    let before = ApprovalView::from(model.clone());
    version::check(if_match, &before)?;
    if actor.user_id() != Some(before.submitter_id) {
        return Err(DomainError::Forbidden(Msg::ApprovalOnlySubmitterWithdraws));
    }
    approval_states::check_move(before.status, ApprovalStatus::Withdrawn, Mover::Submitter)?;
    let now = Utc::now();
    let mut active: approvals::ActiveModel = model.into();
    active.status = Set(ApprovalStatus::Withdrawn);
    active.withdrawn_at = Set(Some(now));
    active.updated_at = Set(now);
    let after = ApprovalView::from(active.update(&txn).await?);
    timers::close(&txn, id, &[TIMER_KIND], TimerState::Cancelled).await?;
    events::emit(&txn, announce("approval.withdrawn", &after)).await?;
    record::commit_changed(txn, ctx, "withdraw", id, &before, &after).await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_links_must_be_https_with_a_host_and_no_credentials() {
        let cases = [
            ("https://files.example.com/plan.pdf", None),
            ("http://files.example.com/plan.pdf", Some(Msg::ApprovalHttpsLink)),
            ("ftp://files.example.com/plan.pdf", Some(Msg::ApprovalHttpsLink)),
            ("https://user:pw@files.example.com/x", Some(Msg::UrlCredentials)),
        ];
        for (link, expected) in cases {
            assert_eq!(link_problem(link), expected, "{link}");
        }
        assert!(matches!(link_problem("not a link"), Some(Msg::NotAUrl { .. })));
        let long = format!("https://example.com/{}", "a".repeat(MAX_LINK_LEN));
        assert_eq!(link_problem(&long), Some(Msg::AtMostChars { max: MAX_LINK_LEN }));
    }
}
