//! The customer's status workflow (客户状态): new → contacted (a follow-up
//! reached the lead) → needs_assessed (需求分析) → active, then negotiating
//! → subscribed → contracted → handed_over as the customer's deals move;
//! `lost` (with a reason) stands apart and may be reactivated. A person sets
//! only `lost` and `active` by hand; the record moves the rest. Pure rules:
//! the services apply them.

use sea_orm::Iterable;

use crate::platform::text::Msg;
use crate::sales::deal_stages::Stage;

/// The statuses, stored and named as `entities` spells them.
pub use entities::customers::CustomerStatus as Status;

/// Every status's name, in workflow order: the values a client may send.
pub fn names() -> Vec<String> {
    Status::iter().map(|s| s.to_string()).collect()
}

/// A status a client names, or the rule it breaks.
pub fn parse(text: &str) -> Result<Status, Msg> {
    text.parse().map_err(|_| Msg::OneOf { values: names() })
}

/// What moves a customer's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A person sets it (a customer lost, or one taken up again).
    ByHand,
    /// A follow-up reached the customer.
    Reached,
    /// The customer's needs were assessed.
    Assessed,
}

/// The statuses a customer at `from` may move to for `cause`. A customer
/// with a live deal (subscribed or later) is not lost until the deal is
/// cancelled; deals set the statuses from negotiating on ([`from_deals`]).
pub fn allowed(from: Status, cause: Cause) -> Vec<Status> {
    use Status::*;
    match (cause, from) {
        (Cause::ByHand, New) => vec![Lost],
        (Cause::ByHand, Contacted | NeedsAssessed) => vec![Active, Lost],
        (Cause::ByHand, Active | Negotiating) => vec![Lost],
        (Cause::ByHand, Lost) => vec![Active],
        (Cause::Reached, New) => vec![Contacted],
        (Cause::Assessed, New | Contacted) => vec![NeedsAssessed],
        _ => vec![],
    }
}

/// A move the machine does not allow, with the moves it does.
pub type IllegalMove = crate::platform::moves::IllegalMove<Status>;

impl crate::platform::moves::State for Status {
    const NAME: Msg = Msg::NounCustomer;
}

/// Checks the move `from` → `to` for `cause`.
pub fn check_move(from: Status, to: Status, cause: Cause) -> Result<(), IllegalMove> {
    crate::platform::moves::check(from, to, allowed(from, cause))
}

/// The statuses `cause` moves to `to`: the ones an update that moves the
/// customer only if it is still there (one statement, no race) accepts.
pub fn sources(cause: Cause, to: Status) -> Vec<Status> {
    Status::iter()
        .filter(|from| allowed(*from, cause).contains(&to))
        .collect()
}

/// The status a live deal in `stage` implies, with its rank.
fn of_deal(stage: Stage) -> Option<(u8, Status)> {
    match stage {
        Stage::Negotiating => Some((1, Status::Negotiating)),
        Stage::Subscribed => Some((2, Status::Subscribed)),
        Stage::Contracted | Stage::LoanProcessing | Stage::TitleTransfer | Stage::HandoverReady => {
            Some((3, Status::Contracted))
        }
        Stage::HandedOver | Stage::Closed => Some((4, Status::HandedOver)),
        Stage::Cancelled => None,
    }
}

/// The status a customer's deals in `stages` imply: the furthest live deal
/// counts; with none left, the customer is `active` again.
pub fn from_deals(stages: impl IntoIterator<Item = Stage>) -> Status {
    stages
        .into_iter()
        .filter_map(of_deal)
        .max_by_key(|(rank, _)| *rank)
        .map_or(Status::Active, |(_, status)| status)
}

/// Whether a merge gives the survivor the duplicate's status: a lost
/// survivor takes the duplicate's, and a live one takes a duplicate's that
/// is further along the sale (never `lost`).
pub fn merge_takes_duplicates(survivor: Status, duplicate: Status) -> bool {
    let rank = |s: Status| Status::iter().position(|x| x == s);
    survivor == Status::Lost || (duplicate != Status::Lost && rank(duplicate) > rank(survivor))
}

#[cfg(test)]
mod tests {
    use super::{Cause::*, Status::*, *};

    /// Every move the workflow allows, by cause: any pair not listed is refused.
    const MOVES: &[(Cause, Status, Status)] = &[
        (ByHand, New, Lost),
        (ByHand, Contacted, Active),
        (ByHand, Contacted, Lost),
        (ByHand, NeedsAssessed, Active),
        (ByHand, NeedsAssessed, Lost),
        (ByHand, Active, Lost),
        (ByHand, Negotiating, Lost),
        (ByHand, Lost, Active),
        (Reached, New, Contacted),
        (Assessed, New, NeedsAssessed),
        (Assessed, Contacted, NeedsAssessed),
    ];

    #[test]
    fn exactly_the_listed_moves_are_allowed_for_every_cause_and_pair() {
        for cause in [ByHand, Reached, Assessed] {
            for from in Status::iter() {
                for to in Status::iter() {
                    let listed = MOVES.contains(&(cause, from, to));
                    assert_eq!(check_move(from, to, cause).is_ok(), listed, "{cause:?}: {from} -> {to}");
                }
            }
        }
    }

    #[test]
    fn illegal_moves_list_the_allowed_ones() {
        let cases = [
            (New, Active, ByHand, vec![Lost]),
            (Subscribed, Lost, ByHand, vec![]),
            (HandedOver, Active, ByHand, vec![]),
            (Lost, Contacted, ByHand, vec![Active]),
            (Contacted, Contacted, Reached, vec![]),
            (Active, NeedsAssessed, Assessed, vec![]),
        ];
        for (from, to, cause, allowed) in cases {
            assert_eq!(
                check_move(from, to, cause),
                Err(IllegalMove { from, to, allowed }),
                "{from} -> {to}"
            );
        }
    }

    #[test]
    fn a_contact_moves_only_a_new_lead_and_an_assessment_a_new_or_contacted_one() {
        assert_eq!(sources(Reached, Contacted), [New]);
        assert_eq!(sources(Assessed, NeedsAssessed), [New, Contacted]);
        assert_eq!(sources(ByHand, Active), [Contacted, NeedsAssessed, Lost]);
        assert_eq!(sources(Reached, Active), []);
    }

    #[test]
    fn the_furthest_live_deal_sets_the_status_and_none_makes_the_customer_active() {
        let cases: &[(&[Stage], Status)] = &[
            (&[], Active),
            (&[Stage::Cancelled], Active),
            (&[Stage::Negotiating], Negotiating),
            (&[Stage::Negotiating, Stage::Subscribed], Subscribed),
            (&[Stage::LoanProcessing, Stage::Cancelled], Contracted),
            (&[Stage::TitleTransfer], Contracted),
            (&[Stage::HandoverReady, Stage::Negotiating], Contracted),
            (&[Stage::Closed], HandedOver),
            (&[Stage::Subscribed, Stage::HandedOver], HandedOver),
        ];
        for (stages, status) in cases {
            assert_eq!(from_deals(stages.iter().copied()), *status, "{stages:?}");
        }
    }

    #[test]
    fn a_merge_keeps_the_status_further_along_and_never_takes_lost() {
        for (survivor, duplicate, takes) in [
            (New, Contacted, true),
            (Contacted, New, false),
            (Active, Subscribed, true),
            (Subscribed, Subscribed, false),
            (Lost, New, true),
            (Lost, Lost, true),
            (New, Lost, false),
            (HandedOver, Lost, false),
        ] {
            assert_eq!(
                merge_takes_duplicates(survivor, duplicate),
                takes,
                "{survivor} <- {duplicate}"
            );
        }
    }

    #[test]
    fn statuses_are_stored_and_named_as_before() {
        let names: Vec<String> = Status::iter().map(|s| s.to_string()).collect();
        assert_eq!(
            names,
            [
                "new",
                "contacted",
                "needs_assessed",
                "active",
                "negotiating",
                "subscribed",
                "contracted",
                "handed_over",
                "lost"
            ]
        );
        for status in Status::iter() {
            assert_eq!(status.to_string().parse::<Status>().ok(), Some(status));
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::json!(status.to_string()))
            );
        }
    }
}
