//! What happens when an approval request's decision deadline falls due
//! (`approval_decision` timers, started by `sales::approvals::submit`): the
//! request is re-checked, and if it still waits, the deciders get a
//! reminder before the deadline, and after it the request is marked overdue
//! (audited) and the deciders told — each exactly once, however often the
//! timer's job is delivered.

use chrono::Utc;
use entities::approvals::{self as rows, ApprovalStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, TransactionSession, TransactionTrait};
use uuid::Uuid;

use crate::{
    access::{audit::AuditContext, record::Record},
    outbox::{notifications, timers},
    platform::error::DomainError,
    platform::text::{At, Msg},
    sales::approvals::{self, ApprovalView},
};

/// Runs a due decision deadline; its outcome, or `None` if the timer was no
/// longer open (another worker fired it, or the decision cancelled it).
pub async fn fire(
    db: &(impl ConnectionTrait + TransactionTrait),
    timer_id: Uuid,
    instance: &str,
    tz: chrono_tz::Tz,
) -> Result<Option<&'static str>, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let Some(timer) = timers::get(&txn, timer_id).await? else {
        return Ok(None);
    };
    if !timers::is_open(timer.state) {
        return Ok(None);
    }
    let approval = rows::Entity::find_by_id(timers::subject_of(&timer)?).one(&txn).await?;
    let waiting = approval.filter(|a| a.status == ApprovalStatus::Submitted);
    let outcome = match (&waiting, timer.phase.as_str()) {
        (None, _) => "satisfied",
        (Some(_), "warning") => "reminded",
        (Some(_), _) => "overdue",
    };
    if !timers::finish(&txn, timer.id, instance, outcome).await? {
        return Ok(None);
    }
    let Some(model) = waiting else {
        txn.commit().await?;
        return Ok(Some(outcome));
    };
    let mut view = ApprovalView::from(model.clone());
    let title = if outcome == "reminded" {
        Msg::NoticeApprovalReminder {
            what: view.what(),
            title: view.title.clone(),
        }
    } else {
        let before = view.audit_json();
        let mut active: rows::ActiveModel = model.into();
        active.overdue_at = Set(Some(Utc::now()));
        view = ApprovalView::from(active.update(&txn).await?);
        let after = view.audit_json();
        let ctx = AuditContext::system();
        crate::access::audit::record(
            &txn,
            &ctx,
            "overdue",
            ApprovalView::AUDITED,
            view.id,
            Some(&before),
            Some(&after),
        )
        .await?;
        Msg::NoticeApprovalOverdue {
            what: view.what(),
            title: view.title.clone(),
        }
    };
    let body = Msg::NoticeDue {
        what: Box::new(Msg::SlaApprovalDecision),
        due: At(timer.due_at),
    };
    let kind = if outcome == "reminded" {
        notifications::Kind::ApprovalReminder
    } else {
        notifications::Kind::ApprovalOverdue
    };
    let deciders = approvals::deciders(&txn).await?;
    let notices = approvals::notices(&view, &deciders, kind, &title, &body, outcome);
    notifications::notify(&txn, tz, notices).await?;
    txn.commit().await?;
    Ok(Some(outcome))
}
