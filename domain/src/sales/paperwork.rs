//! The deal's paperwork (办理贷款及过户手续，全程协助客户): the loan of a
//! mortgage or provident-fund purchase — bank, amount, approval date and
//! where the application stands (`loan_states`) — and the title transfer —
//! the new certificate's number and the day the title passed. Both are
//! written on the deal by whoever reaches it with `deals:write` (its
//! consultant, its support staff, the team's manager) and shown with it.
//! The stage machine needs them (`deal_stages::missing_paperwork`): a
//! purchase paid by a loan leaves `loan_processing` only with a granted
//! loan, and every deal leaves `title_transfer` only with the transfer on
//! record. Each write is checked against the deal's own record (its price,
//! its subscription and contract days in the business time zone), audited
//! on the deal (`loan`, `title_transfer`) and entered in the customer's
//! timeline (`loan_updated`, `title_transferred`; partners see neither).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entities::deals;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::audit::AuditContext,
    access::permissions::Scope,
    access::record,
    platform::error::{DomainError, FieldError},
    platform::money::{self, Floor},
    platform::text::{Amount, Msg},
    platform::version,
    sales::deal_stages::{self, Stage, StageRules},
    sales::deals::DealView,
    sales::loan_states::{self, Status},
    sales::project_briefs::required_text,
    sales::timeline,
};

pub const MAX_BANK: usize = 100;
pub const MAX_CERTIFICATE: usize = 64;

/// A loan as recorded: the whole of it.
#[derive(Debug, Clone)]
pub struct LoanInput {
    pub bank: String,
    pub amount_fen: i64,
    pub approved_on: Option<NaiveDate>,
    pub status: String,
}

/// The title transfer as recorded.
#[derive(Debug, Clone)]
pub struct TitleTransferInput {
    pub certificate_number: String,
    pub transferred_on: NaiveDate,
}

/// The day `at` falls on in the business time zone.
fn day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// An error at `pointer` if `on` lies after today in the business time zone.
fn not_in_future(on: NaiveDate, tz: Tz, pointer: &str, errors: &mut Vec<FieldError>) {
    if on > day(Utc::now(), tz) {
        errors.push(FieldError::new(pointer, Msg::NotInFuture));
    }
}

/// 409 for a closed or cancelled deal: its record is final.
fn refuse_final(deal: &deals::Model) -> Result<(), DomainError> {
    if deal.stage.is_final() {
        return Err(DomainError::Conflict(Msg::DealIs {
            stage: deal.stage.to_string(),
        }));
    }
    Ok(())
}

/// Writes the deal's new paperwork: the row, a timeline entry of `kind`
/// with `data`, and the audit entry `action` on the deal; commits.
#[allow(clippy::too_many_arguments)]
async fn write(
    txn: impl sea_orm::TransactionSession + ConnectionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    before: DealView,
    active: deals::ActiveModel,
    kind: timeline::Kind,
    action: &str,
    data: serde_json::Value,
) -> Result<DealView, DomainError> {
    let updated = active.update(&txn).await?;
    timeline::record(
        &txn,
        Some(actor),
        timeline::Event {
            customer_id: updated.customer_id,
            kind,
            occurred_at: updated.updated_at,
            subject_id: Some(updated.id),
            data,
        },
    )
    .await?;
    let after = DealView::from(updated);
    record::commit_changed(txn, ctx, action, after.id, &before, &after).await?;
    Ok(after)
}

/// Records or changes the loan of a deal within the caller's reach
/// (`deals:write`), paid by mortgage or provident fund (else 409
/// `loan_not_applicable`), subscribed and neither closed nor cancelled
/// (else 409 `conflict`). The amount is at most the agreed price; an
/// approved or disbursed loan has its approval day, not before the
/// subscription's nor after today; the status moves as `loan_states`
/// allows. `if_match` (optional) names the deal's version.
#[allow(clippy::too_many_arguments)]
pub async fn put_loan(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
    input: LoanInput,
    if_match: Option<&str>,
    tz: Tz,
) -> Result<DealView, DomainError> {
    let mut errors = Vec::new();
    let bank = required_text(&input.bank, "/bank".to_owned(), MAX_BANK, &mut errors);
    money::check(input.amount_fen, Floor::OneFen, "/amount_fen", &mut errors);
    let status = crate::platform::input::variant::<Status>(&input.status, "/status")
        .map_err(|e| errors.push(e))
        .ok();
    match (status.map(loan_states::is_granted), input.approved_on) {
        (Some(true), None) => errors.push(FieldError::new("/approved_on", Msg::LoanApprovedOnRequired)),
        (Some(false), Some(_)) => errors.push(FieldError::new("/approved_on", Msg::LoanApprovedOnNotYet)),
        (_, Some(on)) => not_in_future(on, tz, "/approved_on", &mut errors),
        _ => {}
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let deal = crate::sales::deals::find(&txn, actor, scope, deal_id, true).await?;
    if input.amount_fen > deal.agreed_price_fen {
        let price = Amount(deal.agreed_price_fen);
        errors.push(FieldError::new("/amount_fen", Msg::NotAboveAgreedPrice { price }));
    }
    if let (Some(on), Some(subscribed)) = (input.approved_on, deal.subscribed_at)
        && on < day(subscribed, tz)
    {
        let date = day(subscribed, tz).to_string();
        errors.push(FieldError::new("/approved_on", Msg::NotBeforeSubscription { date }));
    }
    let (Some(status), true) = (status, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let before = DealView::from(deal.clone());
    version::check(if_match, &before)?;
    refuse_final(&deal)?;
    if !deal_stages::needs_loan(deal.payment_method) {
        return Err(DomainError::Rule {
            code: "loan_not_applicable",
            detail: Msg::LoanNotApplicable {
                payment: deal.payment_method.to_string(),
            },
        });
    }
    if deal.stage == Stage::Negotiating {
        return Err(DomainError::Conflict(Msg::LoanNotYet {
            stage: deal.stage.to_string(),
        }));
    }
    let previous = deal.loan_status;
    loan_states::check_move(previous, status)?;
    let approved_on = input.approved_on;
    let mut active: deals::ActiveModel = deal.into();
    active.loan_bank = Set(Some(bank.clone()));
    active.loan_amount_fen = Set(Some(input.amount_fen));
    active.loan_approved_on = Set(approved_on);
    active.loan_status = Set(Some(status));
    active.updated_at = Set(Utc::now());
    let data = json!({"deal_id": deal_id, "from": previous, "status": status, "bank": bank,
                      "amount_fen": input.amount_fen, "approved_on": approved_on});
    write(
        txn,
        ctx,
        actor,
        before,
        active,
        timeline::Kind::LoanUpdated,
        "loan",
        data,
    )
    .await
}

/// Records or corrects the title transfer of a deal within the caller's
/// reach (`deals:write`) that has reached `title_transfer` and is neither
/// closed nor cancelled (else 409 `conflict`): the certificate's number and
/// the day, not before the contract's nor after today. `if_match`
/// (optional) names the deal's version.
#[allow(clippy::too_many_arguments)]
pub async fn put_title_transfer(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
    input: TitleTransferInput,
    if_match: Option<&str>,
    tz: Tz,
) -> Result<DealView, DomainError> {
    let mut errors = Vec::new();
    let number = required_text(
        &input.certificate_number,
        "/certificate_number".to_owned(),
        MAX_CERTIFICATE,
        &mut errors,
    );
    let on = input.transferred_on;
    not_in_future(on, tz, "/transferred_on", &mut errors);
    let txn = crate::platform::db::begin_write(db).await?;
    let deal = crate::sales::deals::find(&txn, actor, scope, deal_id, true).await?;
    if let Some(contracted) = deal.contracted_at
        && on < day(contracted, tz)
    {
        let date = day(contracted, tz).to_string();
        errors.push(FieldError::new("/transferred_on", Msg::NotBeforeContract { date }));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let before = DealView::from(deal.clone());
    version::check(if_match, &before)?;
    refuse_final(&deal)?;
    if !matches!(
        deal.stage,
        Stage::TitleTransfer | Stage::HandoverReady | Stage::HandedOver
    ) {
        return Err(DomainError::Conflict(Msg::TitleTransferNotYet {
            stage: deal.stage.to_string(),
        }));
    }
    let mut active: deals::ActiveModel = deal.into();
    active.title_certificate_number = Set(Some(number.clone()));
    active.title_transferred_on = Set(Some(on));
    active.updated_at = Set(Utc::now());
    let data = json!({"deal_id": deal_id, "certificate_number": number, "transferred_on": on});
    let kind = timeline::Kind::TitleTransferred;
    write(txn, ctx, actor, before, active, kind, "title_transfer", data).await
}
