//! The deal's stage machine (谈判与签约 → 售后): negotiating → subscribed
//! (认购: the unit is taken) → contracted → loan_processing →
//! title_transfer → handover_ready → handed_over → closed; a deal not yet
//! handed over may be cancelled (the unit is released). A purchase paid in
//! full skips the loan stage. Pure rules: the services apply them.

use crate::platform::text::Msg;
/// The stages, stored and named as `entities` spells them.
pub use entities::deals::DealStage as Stage;

/// What a stage means for the deal.
pub trait StageRules {
    /// Whether the deal holds its unit (from subscription until it ends).
    fn holds_unit(&self) -> bool;
    /// No move leaves this stage.
    fn is_final(&self) -> bool;
}

impl StageRules for Stage {
    fn holds_unit(&self) -> bool {
        !matches!(self, Stage::Negotiating | Stage::Cancelled)
    }

    fn is_final(&self) -> bool {
        matches!(self, Stage::Closed | Stage::Cancelled)
    }
}

/// Every stage, in the order a deal moves through them.
pub fn all() -> impl Iterator<Item = Stage> {
    <Stage as sea_orm::Iterable>::iter()
}

/// How the buyer pays, stored and named as `entities` spells it.
pub use entities::deals::PaymentMethod;

/// A purchase paid by a loan goes through the loan stage; one paid in full
/// or in instalments does not.
pub fn needs_loan(payment: PaymentMethod) -> bool {
    matches!(payment, PaymentMethod::Mortgage | PaymentMethod::ProvidentFund)
}

/// The stages a deal may move to from `from`.
pub fn allowed(from: Stage, payment: PaymentMethod) -> Vec<Stage> {
    use Stage::*;
    let mut next = match from {
        Negotiating => vec![Subscribed],
        Subscribed => vec![Contracted],
        Contracted if needs_loan(payment) => vec![LoanProcessing],
        Contracted => vec![TitleTransfer],
        LoanProcessing => vec![TitleTransfer],
        TitleTransfer => vec![HandoverReady],
        HandoverReady => vec![HandedOver],
        HandedOver => vec![Closed],
        Closed | Cancelled => vec![],
    };
    if !from.is_final() && from != HandedOver {
        next.push(Cancelled);
    }
    next
}

/// Paperwork (办理贷款及过户手续) a deal must have on record to leave a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paperwork {
    /// A loan the bank approved (or has paid out), to leave `loan_processing`.
    GrantedLoan,
    /// The new certificate and the transfer date, to leave `title_transfer`.
    TitleTransfer,
}

/// What the deal lacks for the move `from` → `to`, if anything: leaving
/// `loan_processing` for `title_transfer` needs a granted loan (for a
/// purchase paid by a loan), leaving `title_transfer` for `handover_ready`
/// the recorded transfer. Cancelling needs nothing.
pub fn missing_paperwork(
    from: Stage,
    to: Stage,
    payment: PaymentMethod,
    loan_granted: bool,
    title_recorded: bool,
) -> Option<Paperwork> {
    match (from, to) {
        (Stage::LoanProcessing, Stage::TitleTransfer) if needs_loan(payment) && !loan_granted => {
            Some(Paperwork::GrantedLoan)
        }
        (Stage::TitleTransfer, Stage::HandoverReady) if !title_recorded => Some(Paperwork::TitleTransfer),
        _ => None,
    }
}

/// A move the machine does not allow, with the moves it does.
pub type IllegalMove = crate::platform::moves::IllegalMove<Stage>;

impl crate::platform::moves::State for Stage {
    const NAME: Msg = Msg::NounDeal;
}

/// Checks the move `from` → `to`.
pub fn check_move(from: Stage, to: Stage, payment: PaymentMethod) -> Result<(), IllegalMove> {
    crate::platform::moves::check(from, to, allowed(from, payment))
}

#[cfg(test)]
mod tests {
    use super::{PaymentMethod::*, Stage::*, *};

    #[test]
    fn the_regular_path_of_a_mortgaged_purchase_is_allowed_step_by_step() {
        let path = [
            Negotiating,
            Subscribed,
            Contracted,
            LoanProcessing,
            TitleTransfer,
            HandoverReady,
            HandedOver,
            Closed,
        ];
        for pair in path.windows(2) {
            assert_eq!(
                check_move(pair[0], pair[1], Mortgage),
                Ok(()),
                "{} -> {}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn a_full_payment_skips_the_loan_and_a_mortgage_may_not() {
        assert_eq!(check_move(Contracted, TitleTransfer, Full), Ok(()));
        assert!(check_move(Contracted, LoanProcessing, Full).is_err());
        assert!(check_move(Contracted, TitleTransfer, ProvidentFund).is_err());
        assert_eq!(check_move(Contracted, TitleTransfer, Instalments), Ok(()));
    }

    #[test]
    fn leaving_the_loan_and_transfer_stages_needs_their_paperwork() {
        let (loan, title) = (Some(Paperwork::GrantedLoan), Some(Paperwork::TitleTransfer));
        let cases = [
            (LoanProcessing, TitleTransfer, Mortgage, false, false, loan),
            (LoanProcessing, TitleTransfer, ProvidentFund, false, true, loan),
            (LoanProcessing, TitleTransfer, Mortgage, true, false, None),
            (LoanProcessing, TitleTransfer, Full, false, false, None),
            (LoanProcessing, Cancelled, Mortgage, false, false, None),
            (TitleTransfer, HandoverReady, Full, true, false, title),
            (TitleTransfer, HandoverReady, Mortgage, true, true, None),
            (TitleTransfer, Cancelled, Full, false, false, None),
            (Contracted, TitleTransfer, Full, false, false, None),
            (Contracted, LoanProcessing, Mortgage, false, false, None),
        ];
        for (from, to, payment, granted, recorded, expected) in cases {
            assert_eq!(
                missing_paperwork(from, to, payment, granted, recorded),
                expected,
                "{from} -> {to} ({payment})"
            );
        }
    }

    #[test]
    fn illegal_moves_list_the_allowed_ones() {
        let cases = [
            (Negotiating, Contracted, vec![Subscribed, Cancelled]),
            (Subscribed, HandedOver, vec![Contracted, Cancelled]),
            (HandedOver, Cancelled, vec![Closed]),
            (Closed, Negotiating, vec![]),
            (Cancelled, Subscribed, vec![]),
            (HandoverReady, HandoverReady, vec![HandedOver, Cancelled]),
        ];
        for (from, to, allowed) in cases {
            assert_eq!(
                check_move(from, to, Mortgage),
                Err(IllegalMove { from, to, allowed }),
                "{from} -> {to}"
            );
        }
    }

    #[test]
    fn a_deal_holds_its_unit_from_subscription_until_it_ends_or_is_cancelled() {
        let holding: Vec<Stage> = all().filter(|s| s.holds_unit()).collect();
        assert_eq!(
            holding,
            [
                Subscribed,
                Contracted,
                LoanProcessing,
                TitleTransfer,
                HandoverReady,
                HandedOver,
                Closed
            ]
        );
    }

    #[test]
    fn stages_round_trip_through_their_names() {
        let names: Vec<String> = all().map(|s| s.to_string()).collect();
        assert_eq!(
            names,
            [
                "negotiating",
                "subscribed",
                "contracted",
                "loan_processing",
                "title_transfer",
                "handover_ready",
                "handed_over",
                "closed",
                "cancelled"
            ]
        );
        for stage in all() {
            assert_eq!(stage.to_string().parse::<Stage>().ok(), Some(stage));
            assert_eq!(
                serde_json::to_value(stage).ok(),
                Some(serde_json::json!(stage.to_string()))
            );
        }
        assert!("signed".parse::<Stage>().is_err());
    }
}
