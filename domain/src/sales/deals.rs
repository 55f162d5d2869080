//! Deals (认购 → 交房): a customer buying one unit at an agreed price. A deal
//! moves through the stages of `deal_stages`; each move is stamped, keeps
//! the unit and the customer's status in step in the same transaction, and
//! leaves a timeline entry and an audit entry. Subscribing takes the unit
//! with one conditional update, so of two deals racing for a unit exactly
//! one gets it. Staff reach deals through their `deals:*` scope: `own` is
//! the deals they are consultant or support on, `team` adds their teams'
//! deals, `all` every one.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entities::{
    customers, deals, deals::LoanStatus, handover_checklist_items, inspection_issues, roles, units, units::UnitStatus,
    user_roles, users,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Iterable, JoinType, PaginatorTrait, QueryFilter,
    QuerySelect, RelationTrait, Set, TransactionSession, TransactionTrait,
    sea_query::{Condition, Expr},
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::{Msg, Stamp};
use crate::{
    access::actor::Actor,
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    access::record::{self, Record},
    platform::error::{DomainError, FieldError},
    platform::money::{self, Floor},
    platform::page::{Page, PageRequest},
    platform::version,
    sales::customer_status,
    sales::deal_stages::{self, Paperwork, PaymentMethod, Stage, StageRules},
    sales::timeline,
};

/// How far ahead of our clock a client's "now" may be.

#[derive(Debug, Clone, Serialize)]
pub struct DealView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub unit_id: Uuid,
    pub consultant_id: Uuid,
    pub team_id: Option<Uuid>,
    pub support_id: Option<Uuid>,
    pub agreed_price_fen: i64,
    pub payment_method: String,
    pub planned_handover_on: Option<NaiveDate>,
    pub stage: String,
    /// The stages the deal may move to next.
    pub next_stages: Vec<String>,
    pub subscribed_at: Option<DateTime<Utc>>,
    pub contracted_at: Option<DateTime<Utc>>,
    pub handed_over_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    /// The loan of a mortgage or provident-fund purchase, once recorded.
    pub loan: Option<LoanView>,
    /// The title transfer, once recorded.
    pub title_transfer: Option<TitleTransferView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A deal's loan (贷款): `sales::paperwork` records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoanView {
    pub bank: String,
    pub amount_fen: i64,
    pub approved_on: Option<NaiveDate>,
    pub status: LoanStatus,
}

/// A deal's title transfer (过户): `sales::paperwork` records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TitleTransferView {
    pub certificate_number: String,
    pub transferred_on: NaiveDate,
}

impl LoanView {
    /// The loan recorded on `m`, if any.
    fn of(m: &deals::Model) -> Option<Self> {
        Some(Self {
            bank: m.loan_bank.clone()?,
            amount_fen: m.loan_amount_fen?,
            approved_on: m.loan_approved_on,
            status: m.loan_status?,
        })
    }
}

impl TitleTransferView {
    /// The title transfer recorded on `m`, if any.
    fn of(m: &deals::Model) -> Option<Self> {
        Some(Self {
            certificate_number: m.title_certificate_number.clone()?,
            transferred_on: m.title_transferred_on?,
        })
    }
}

impl From<deals::Model> for DealView {
    fn from(m: deals::Model) -> Self {
        let next_stages = deal_stages::allowed(m.stage, m.payment_method)
            .into_iter()
            .map(|s| s.to_string())
            .collect();
        let (loan, title_transfer) = (LoanView::of(&m), TitleTransferView::of(&m));
        Self {
            id: m.id,
            customer_id: m.customer_id,
            unit_id: m.unit_id,
            consultant_id: m.consultant_id,
            team_id: m.team_id,
            support_id: m.support_id,
            agreed_price_fen: m.agreed_price_fen,
            payment_method: m.payment_method.to_string(),
            planned_handover_on: m.planned_handover_on,
            stage: m.stage.to_string(),
            next_stages,
            subscribed_at: m.subscribed_at,
            contracted_at: m.contracted_at,
            handed_over_at: m.handed_over_at,
            closed_at: m.closed_at,
            cancelled_at: m.cancelled_at,
            cancel_reason: m.cancel_reason,
            loan,
            title_transfer,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl Record for DealView {
    type Entity = deals::Entity;
    const NAME: Msg = Msg::NounDeal;
    const AUDITED: &'static str = "deal";
    fn audit_json(&self) -> serde_json::Value {
        json!({"customer_id": self.customer_id, "unit_id": self.unit_id, "consultant_id": self.consultant_id,
               "team_id": self.team_id, "support_id": self.support_id, "agreed_price_fen": self.agreed_price_fen,
               "payment_method": self.payment_method, "planned_handover_on": self.planned_handover_on, "stage": self.stage,
               "cancel_reason": self.cancel_reason, "loan": self.loan, "title_transfer": self.title_transfer})
    }
}

/// A payment method a client names, or the rule it breaks.
fn parse_payment(text: &str) -> Result<PaymentMethod, FieldError> {
    crate::platform::input::variant(text, "/payment_method")
}

/// A stage a client names, or why it is none.
fn parse_stage(text: &str) -> Result<Stage, Msg> {
    text.parse().map_err(|_| Msg::UnknownStage {
        stage: format!("{text:?}"),
    })
}

/// The deals a caller reaches with `scope`.
pub fn reach(actor: &Actor, scope: Scope) -> Condition {
    use deals::Column as C;
    let own = Condition::any()
        .add(C::ConsultantId.eq(actor.id))
        .add(C::SupportId.eq(actor.id));
    match scope {
        Scope::All => Condition::all(),
        Scope::Team if !actor.team_ids.is_empty() => own.add(C::TeamId.is_in(actor.team_ids.clone())),
        Scope::Team | Scope::Own => own,
    }
}

/// One deal within reach, locked for the rest of the transaction (where the
/// database locks rows).
pub(crate) async fn find(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    lock: bool,
) -> Result<deals::Model, DomainError> {
    let mut query = deals::Entity::find_by_id(id).filter(reach(actor, scope));
    if lock {
        query = query.lock_exclusive();
    }
    query.one(db).await?.ok_or(DomainError::NotFound(DealView::NAME))
}

/// Adds an error on `/support_id` unless `user` is support staff: an active
/// user holding the `support` role.
async fn check_support(db: &impl ConnectionTrait, user: Uuid, errors: &mut Vec<FieldError>) -> Result<(), DomainError> {
    let holds = user_roles::Entity::find()
        .inner_join(users::Entity)
        .join(JoinType::InnerJoin, user_roles::Relation::Role.def())
        .filter(user_roles::Column::UserId.eq(user))
        .filter(users::Column::Status.eq(users::UserStatus::Active))
        .filter(roles::Column::Name.eq(crate::access::roles::SUPPORT_ROLE))
        .count(db)
        .await?;
    if holds == 0 {
        errors.push(FieldError::new(
            "/support_id",
            Msg::SupportRole {
                role: crate::access::roles::SUPPORT_ROLE.to_owned(),
            },
        ));
    }
    Ok(())
}

/// The fields of a new deal.
#[derive(Debug, Clone)]
pub struct NewDeal {
    pub customer_id: Uuid,
    pub unit_id: Uuid,
    pub agreed_price_fen: i64,
    pub payment_method: String,
    pub planned_handover_on: NaiveDate,
    pub consultant_id: Option<Uuid>,
    pub support_id: Option<Uuid>,
}

/// Opens a deal in `negotiating`. The customer must be within the caller's
/// reach (by the caller's `deals:write` scope, as for customers), else 422
/// on `/customer_id`, whether it exists or not.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    input: NewDeal,
) -> Result<DealView, DomainError> {
    let mut errors = Vec::new();
    money::check(input.agreed_price_fen, Floor::OneFen, "/agreed_price_fen", &mut errors);
    let payment = parse_payment(&input.payment_method).map_err(|e| errors.push(e)).ok();
    let txn = crate::platform::db::begin_write(db).await?;
    let customer = customers::Entity::find_by_id(input.customer_id)
        .filter(crate::sales::customers::reach(actor, scope))
        .one(&txn)
        .await?;
    if customer.is_none() {
        errors.push(FieldError::new("/customer_id", Msg::NoSuchCustomerInReach));
    }
    if units::Entity::find_by_id(input.unit_id).one(&txn).await?.is_none() {
        errors.push(FieldError::new("/unit_id", Msg::NoSuchUnit));
    }
    let consultant_id = input
        .consultant_id
        .or_else(|| customer.as_ref().and_then(|c| c.owner_id))
        .unwrap_or(actor.id);
    let mut team_id = None;
    match users::Entity::find_by_id(consultant_id).one(&txn).await? {
        None => errors.push(FieldError::new("/consultant_id", Msg::NoSuchUser)),
        Some(user) => {
            team_id = user.team_id;
            let allowed = input.consultant_id.is_none()
                || consultant_id == actor.id
                || scope == Scope::All
                || (scope == Scope::Team && user.team_id.is_some_and(|t| actor.team_ids.contains(&t)));
            if !allowed {
                errors.push(FieldError::new("/consultant_id", Msg::OutsideWhatYouMayAssign));
            }
        }
    }
    if let Some(support) = input.support_id {
        check_support(&txn, support, &mut errors).await?;
    }
    let (Some(payment), true) = (payment, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let now = Utc::now();
    let deal = deals::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(input.customer_id),
        unit_id: Set(input.unit_id),
        consultant_id: Set(consultant_id),
        team_id: Set(team_id),
        support_id: Set(input.support_id),
        agreed_price_fen: Set(input.agreed_price_fen),
        payment_method: Set(payment),
        planned_handover_on: Set(Some(input.planned_handover_on)),
        stage: Set(Stage::Negotiating),
        subscribed_at: Set(None),
        contracted_at: Set(None),
        handed_over_at: Set(None),
        closed_at: Set(None),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
        loan_bank: Set(None),
        loan_amount_fen: Set(None),
        loan_approved_on: Set(None),
        loan_status: Set(None),
        title_certificate_number: Set(None),
        title_transferred_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    sync_customer(&txn, ctx, deal.customer_id, now).await?;
    timeline::record(
        &txn,
        Some(actor),
        timeline::Event {
            customer_id: deal.customer_id,
            kind: timeline::Kind::DealCreated,
            occurred_at: now,
            subject_id: Some(deal.id),
            data: json!({"deal_id": deal.id, "unit_id": deal.unit_id, "agreed_price_fen": deal.agreed_price_fen,
                         "payment_method": deal.payment_method, "stage": deal.stage}),
        },
    )
    .await?;
    let view = DealView::from(deal);
    record::commit_created(txn, ctx, &view, view.id).await?;
    Ok(view)
}

/// What to look for among deals.
#[derive(Debug, Clone, Default)]
pub struct DealFilter {
    pub stage: Option<String>,
    pub customer_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// Deals within the caller's reach matching `filter`, a page at a time.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: DealFilter,
    page: PageRequest,
) -> Result<Page<DealView>, DomainError> {
    use deals::Column as C;
    let mut query = deals::Entity::find().filter(reach(actor, scope));
    if let Some(stage) = filter.stage {
        let stage = parse_stage(&stage).map_err(|e| DomainError::invalid("/stage", e))?;
        query = query.filter(C::Stage.eq(stage));
    }
    if let Some(customer) = filter.customer_id {
        query = query.filter(C::CustomerId.eq(customer));
    }
    if let Some(unit) = filter.unit_id {
        query = query.filter(C::UnitId.eq(unit));
    }
    if let Some(consultant) = filter.consultant_id {
        query = query.filter(C::ConsultantId.eq(consultant));
    }
    if let Some(team) = filter.team_id {
        query = query.filter(C::TeamId.eq(team));
    }
    Ok(page.fetch(db, query, C::Id, |d| d.id).await?.map(DealView::from))
}

/// One deal within the caller's reach; outside it, "not found".
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, scope: Scope, id: Uuid) -> Result<DealView, DomainError> {
    find(db, actor, scope, id, false).await.map(Into::into)
}

/// A change to the terms of a deal; `support_id: Some(None)` removes support.
#[derive(Debug, Clone, Default)]
pub struct DealPatch {
    pub agreed_price_fen: Option<i64>,
    pub payment_method: Option<String>,
    pub planned_handover_on: Option<NaiveDate>,
    pub support_id: Option<Option<Uuid>>,
}

/// Changes the terms of a deal that is neither closed nor cancelled; a new
/// planned handover date moves the inspection task, counted in `tz`.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    patch: DealPatch,
    if_match: Option<&str>,
    tz: Tz,
) -> Result<DealView, DomainError> {
    let mut errors = Vec::new();
    money::check_optional(patch.agreed_price_fen, Floor::OneFen, "/agreed_price_fen", &mut errors);
    let payment = crate::platform::input::optional(patch.payment_method.as_deref(), parse_payment, &mut errors);
    let txn = crate::platform::db::begin_write(db).await?;
    if let Some(Some(support)) = patch.support_id {
        check_support(&txn, support, &mut errors).await?;
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let deal = find(&txn, actor, scope, id, true).await?;
    let before = DealView::from(deal.clone());
    version::check(if_match, &before)?;
    if deal.stage.is_final() {
        return Err(DomainError::Conflict(Msg::FinalDeal {
            stage: deal.stage.to_string(),
        }));
    }
    let mut active: deals::ActiveModel = deal.into();
    if let Some(price) = patch.agreed_price_fen {
        active.agreed_price_fen = Set(price);
    }
    if let Some(payment) = payment {
        active.payment_method = Set(payment);
    }
    if let Some(on) = patch.planned_handover_on {
        active.planned_handover_on = Set(Some(on));
    }
    if let Some(support) = patch.support_id {
        active.support_id = Set(support);
    }
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    let planned_changed = before.planned_handover_on != updated.planned_handover_on;
    if planned_changed && updated.stage.holds_unit() && updated.handed_over_at.is_none() {
        crate::outbox::sla::on_handover_planned(&txn, updated.id, updated.customer_id, updated.planned_handover_on, tz)
            .await?;
    }
    let after = DealView::from(updated);
    record::commit_changed(txn, ctx, "update", id, &before, &after).await?;
    Ok(after)
}

/// A requested stage change.
#[derive(Debug, Clone)]
pub struct Move {
    pub to: String,
    pub at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// Moves a deal to another stage (`POST /deals/{id}/transitions`); `tz` is
/// the business time zone, in which planned handover dates are counted.
pub async fn transition(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    request: Move,
    tz: Tz,
) -> Result<DealView, DomainError> {
    let mut errors = Vec::new();
    let to = match parse_stage(&request.to) {
        Ok(to) => Some(to),
        Err(e) => {
            errors.push(FieldError::new(
                "/to",
                Msg::StagesAre {
                    problem: Box::new(e),
                    stages: deal_stages::all().map(|s| s.to_string()).collect(),
                },
            ));
            None
        }
    };
    let at = crate::platform::input::reported_time(request.at, "/at", &mut errors);
    let reason = request.reason.map(|r| r.trim().to_owned());
    match &reason {
        Some(r) if r.is_empty() || r.chars().count() > 2000 => {
            errors.push(FieldError::new("/reason", Msg::OneToChars { max: 2000 }));
        }
        None if to == Some(Stage::Cancelled) => {
            errors.push(FieldError::new("/reason", Msg::RequiredToCancelDeal));
        }
        _ => {}
    }
    let (Some(to), true) = (to, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let txn = crate::platform::db::begin_write(db).await?;
    let deal = find(&txn, actor, scope, id, true).await?;
    let moved = apply_move(&txn, ctx, actor, deal, to, at, reason, tz).await?;
    txn.commit().await?;
    Ok(moved.into())
}

/// Moves `deal` (read and locked in `txn`) to `to` at `at`: checks the stage
/// machine and the rules of the target stage, takes or releases the unit,
/// keeps the customer's status in step and records the move. `tz` is the
/// business time zone, in which planned handover dates are counted.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply_move(
    txn: &impl ConnectionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    deal: deals::Model,
    to: Stage,
    at: DateTime<Utc>,
    reason: Option<String>,
    tz: Tz,
) -> Result<deals::Model, DomainError> {
    let from = deal.stage;
    deal_stages::check_move(from, to, deal.payment_method)?;
    let loan_granted = deal.loan_status.is_some_and(crate::sales::loan_states::is_granted);
    let title_recorded = deal.title_certificate_number.is_some();
    match deal_stages::missing_paperwork(from, to, deal.payment_method, loan_granted, title_recorded) {
        Some(Paperwork::GrantedLoan) => {
            return Err(DomainError::Rule {
                code: "loan_not_approved",
                detail: Msg::LoanNotApproved,
            });
        }
        Some(Paperwork::TitleTransfer) => {
            return Err(DomainError::Rule {
                code: "title_not_transferred",
                detail: Msg::TitleNotTransferred,
            });
        }
        None => {}
    }
    let last = [
        deal.subscribed_at,
        deal.contracted_at,
        deal.handed_over_at,
        deal.closed_at,
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(last) = last.filter(|last| at < *last) {
        return Err(DomainError::invalid(
            "/at",
            Msg::NotBeforePreviousMove { at: Stamp(last) },
        ));
    }
    if to == Stage::HandedOver {
        check_ready_for_handover(txn, deal.id).await?;
    }
    let now = Utc::now();
    match to {
        Stage::Subscribed => {
            let free: Vec<_> = crate::sales::units::manual_statuses().collect();
            let taken = set_unit_status(txn, deal.unit_id, UnitStatus::Subscribed, &free, now).await?;
            if !taken {
                return Err(DomainError::Rule {
                    code: "unit_unavailable",
                    detail: Msg::UnitUnavailable,
                });
            }
        }
        Stage::Contracted => {
            set_unit_status(txn, deal.unit_id, UnitStatus::Sold, &[UnitStatus::Subscribed], now).await?;
        }
        Stage::Cancelled if from.holds_unit() => {
            let held = [UnitStatus::Subscribed, UnitStatus::Sold];
            set_unit_status(txn, deal.unit_id, UnitStatus::Available, &held, now).await?;
        }
        _ => {}
    }
    let before = DealView::from(deal.clone());
    let mut active: deals::ActiveModel = deal.into();
    active.stage = Set(to);
    match to {
        Stage::Subscribed => active.subscribed_at = Set(Some(at)),
        Stage::Contracted => active.contracted_at = Set(Some(at)),
        Stage::HandedOver => active.handed_over_at = Set(Some(at)),
        Stage::Closed => active.closed_at = Set(Some(at)),
        Stage::Cancelled => {
            active.cancelled_at = Set(Some(at));
            active.cancel_reason = Set(reason);
        }
        _ => {}
    }
    active.updated_at = Set(now);
    let moved = active.update(txn).await?;
    sync_customer(txn, ctx, moved.customer_id, now).await?;
    match to {
        Stage::Subscribed => {
            crate::outbox::sla::on_handover_planned(txn, moved.id, moved.customer_id, moved.planned_handover_on, tz)
                .await?;
        }
        Stage::HandedOver => {
            crate::outbox::sla::on_handed_over(txn, moved.id, moved.customer_id, at).await?;
            deal_event(txn, &moved, "handover.completed", json!({"handed_over_at": at})).await?;
        }
        Stage::Cancelled => crate::outbox::sla::on_deal_cancelled(txn, moved.id).await?,
        _ => {}
    }
    deal_event(txn, &moved, "deal.stage_changed", json!({"from": from, "to": to})).await?;
    timeline::record(
        txn,
        Some(actor),
        timeline::Event {
            customer_id: moved.customer_id,
            kind: timeline::Kind::DealStageChanged,
            occurred_at: at,
            subject_id: Some(moved.id),
            data: json!({"from": from, "to": to, "deal_id": moved.id, "unit_id": moved.unit_id,
                         "agreed_price_fen": moved.agreed_price_fen}),
        },
    )
    .await?;
    let (before, after) = (before.audit_json(), DealView::from(moved.clone()).audit_json());
    audit::record(
        txn,
        ctx,
        "transition",
        DealView::AUDITED,
        moved.id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(moved)
}

/// Sets a unit's status if it has one of `from`; whether it did.
async fn set_unit_status(
    txn: &impl ConnectionTrait,
    unit_id: Uuid,
    to: UnitStatus,
    from: &[UnitStatus],
    now: DateTime<Utc>,
) -> Result<bool, DomainError> {
    use units::Column as C;
    let result = units::Entity::update_many()
        .col_expr(C::Status, Expr::value(to))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .filter(C::Id.eq(unit_id))
        .filter(C::Status.is_in(from.iter().copied()))
        .exec(txn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Refuses a handover while an inspection issue is unresolved or the
/// handover checklist is not complete.
async fn check_ready_for_handover(txn: &impl ConnectionTrait, deal_id: Uuid) -> Result<(), DomainError> {
    let open = inspection_issues::Entity::find()
        .filter(inspection_issues::Column::DealId.eq(deal_id))
        .filter(inspection_issues::Column::Status.ne(inspection_issues::IssueStatus::Resolved))
        .count(txn)
        .await?;
    if open > 0 {
        return Err(DomainError::Rule {
            code: "open_inspection_issues",
            detail: Msg::OpenInspectionIssues { count: open },
        });
    }
    let done = handover_checklist_items::Entity::find()
        .filter(handover_checklist_items::Column::DealId.eq(deal_id))
        .filter(handover_checklist_items::Column::Done.eq(true))
        .count(txn)
        .await?;
    let items = handover_checklist_items::ChecklistItem::iter().count() as u64;
    let missing = items - done.min(items);
    if missing > 0 {
        return Err(DomainError::Rule {
            code: "handover_checklist_incomplete",
            detail: Msg::ChecklistIncomplete { count: missing },
        });
    }
    Ok(())
}

/// Sets the customer's status from their live deals: the furthest one
/// counts; with none left, the customer is `active` again. A change is audited.
async fn sync_customer(
    txn: &impl ConnectionTrait,
    ctx: &AuditContext,
    customer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    // The customer's row is locked first, so that two deals of one customer
    // moving at once each see the other's stage once it is committed.
    let Some(before) = customers::Entity::find_by_id(customer_id)
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let stages: Vec<Stage> = deals::Entity::find()
        .select_only()
        .column(deals::Column::Stage)
        .filter(deals::Column::CustomerId.eq(customer_id))
        .into_tuple()
        .all(txn)
        .await?;
    let status = customer_status::from_deals(stages);
    if before.status == status {
        return Ok(());
    }
    customers::Entity::update_many()
        .col_expr(customers::Column::Status, Expr::value(status))
        .col_expr(customers::Column::UpdatedAt, Expr::value(now))
        .filter(customers::Column::Id.eq(customer_id))
        .exec(txn)
        .await?;
    audit::record(
        txn,
        ctx,
        "update",
        "customer",
        customer_id,
        Some(&json!({"status": before.status})),
        Some(&json!({"status": status})),
    )
    .await
}

/// Tells the partner that pushed the deal's customer about the deal.
pub(crate) async fn deal_event(
    db: &impl ConnectionTrait,
    deal: &deals::Model,
    name: &'static str,
    extra: serde_json::Value,
) -> Result<(), DomainError> {
    let client = entities::customers::Entity::find_by_id(deal.customer_id)
        .one(db)
        .await?
        .and_then(|c| c.source_client_id);
    let Some(client) = client else {
        return Ok(());
    };
    let mut payload = json!({"deal_id": deal.id, "customer_id": deal.customer_id, "stage": deal.stage,
                             "unit_id": deal.unit_id, "agreed_price_fen": deal.agreed_price_fen});
    if let (Some(payload), Some(extra)) = (payload.as_object_mut(), extra.as_object()) {
        payload.extend(extra.clone());
    }
    crate::outbox::events::emit(
        db,
        crate::outbox::events::Event {
            name,
            client_id: Some(client),
            subject_id: Some(deal.id),
            payload,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_methods_parse_by_their_stored_names() {
        for method in PaymentMethod::iter() {
            assert_eq!(parse_payment(&method.to_string()).ok(), Some(method));
        }
        let rule = parse_payment("cash").expect_err("cash is no payment method");
        assert_eq!(
            (rule.pointer.as_str(), rule.detail.to_string().as_str()),
            (
                "/payment_method",
                "must be one of full, mortgage, provident_fund, instalments"
            )
        );
    }
}
