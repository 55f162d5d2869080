//! A deal's loan (办理贷款): applied → approved | rejected by the bank;
//! approved → disbursed; a rejected application may be made again
//! (`applied`, at the same or another bank). `disbursed` is final. The first
//! record of a loan may state any status (a loan is often recorded once the
//! bank has answered), and recording the same status again corrects the
//! details. Pure rules: `sales::paperwork` applies them.

use crate::platform::text::Msg;
/// The states, stored and named as `entities` spells them.
pub use entities::deals::LoanStatus as Status;

/// Every state, in the order a loan goes through them.
pub fn all() -> impl Iterator<Item = Status> {
    <Status as sea_orm::Iterable>::iter()
}

/// Whether the loan lets the deal leave the loan stage: the bank said yes.
pub fn is_granted(status: Status) -> bool {
    matches!(status, Status::Approved | Status::Disbursed)
}

/// The states a loan in `from` may move to, `from` itself included (a
/// correction of its details).
pub fn allowed(from: Status) -> Vec<Status> {
    use Status::*;
    match from {
        Applied => vec![Applied, Approved, Rejected],
        Approved => vec![Approved, Disbursed],
        Rejected => vec![Rejected, Applied],
        Disbursed => vec![Disbursed],
    }
}

/// A move the machine does not allow, with the moves it does.
pub type IllegalMove = crate::platform::moves::IllegalMove<Status>;

impl crate::platform::moves::State for Status {
    const NAME: Msg = Msg::NounLoan;
}

/// Checks the move from the recorded status (none yet: anything goes) to `to`.
pub fn check_move(from: Option<Status>, to: Status) -> Result<(), IllegalMove> {
    match from {
        None => Ok(()),
        Some(from) => crate::platform::moves::check(from, to, allowed(from)),
    }
}

#[cfg(test)]
mod tests {
    use super::{Status::*, *};

    #[test]
    fn every_move_is_allowed_or_refused_as_the_table_says() {
        let cases = [
            (None, Applied, true),
            (None, Disbursed, true),
            (Some(Applied), Applied, true),
            (Some(Applied), Approved, true),
            (Some(Applied), Rejected, true),
            (Some(Applied), Disbursed, false),
            (Some(Approved), Disbursed, true),
            (Some(Approved), Approved, true),
            (Some(Approved), Rejected, false),
            (Some(Approved), Applied, false),
            (Some(Rejected), Applied, true),
            (Some(Rejected), Approved, false),
            (Some(Disbursed), Disbursed, true),
            (Some(Disbursed), Approved, false),
            (Some(Disbursed), Applied, false),
        ];
        for (from, to, ok) in cases {
            assert_eq!(check_move(from, to).is_ok(), ok, "{from:?} -> {to}");
        }
    }

    #[test]
    fn a_refused_move_lists_the_allowed_ones() {
        assert_eq!(
            check_move(Some(Approved), Rejected),
            Err(IllegalMove {
                from: Approved,
                to: Rejected,
                allowed: vec![Approved, Disbursed]
            })
        );
    }

    #[test]
    fn only_an_approved_or_disbursed_loan_lets_the_deal_on() {
        let granted: Vec<Status> = all().filter(|s| is_granted(*s)).collect();
        assert_eq!(granted, [Approved, Disbursed]);
    }
}
