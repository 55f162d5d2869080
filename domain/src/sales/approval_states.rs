//! The approval request's state machine (审批): submitted → approved |
//! rejected by the director, or withdrawn by its submitter while it is
//! still submitted. Every other state is final: a rejected request is
//! resubmitted as a new request that names it (`resubmission_of`), so each
//! decision stays on the record it was made on. Pure rules: the service
//! applies them.

use crate::platform::text::Msg;
/// The states, stored and named as `entities` spells them.
pub use entities::approvals::ApprovalStatus as Status;

/// Who makes a move: the director decides, the submitter withdraws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    Director,
    Submitter,
}

/// Every state, in the order a request may go through them.
pub fn all() -> impl Iterator<Item = Status> {
    <Status as sea_orm::Iterable>::iter()
}

/// No move leaves this state.
pub fn is_final(status: Status) -> bool {
    status != Status::Submitted
}

/// The states `mover` may move a request to from `from`.
pub fn allowed(from: Status, mover: Mover) -> Vec<Status> {
    match (from, mover) {
        (Status::Submitted, Mover::Director) => vec![Status::Approved, Status::Rejected],
        (Status::Submitted, Mover::Submitter) => vec![Status::Withdrawn],
        _ => vec![],
    }
}

/// A move the machine does not allow, with the moves it does.
pub type IllegalMove = crate::platform::moves::IllegalMove<Status>;

impl crate::platform::moves::State for Status {
    const NAME: Msg = Msg::NounApproval;
}

/// Checks the move `from` → `to` by `mover`.
pub fn check_move(from: Status, to: Status, mover: Mover) -> Result<(), IllegalMove> {
    crate::platform::moves::check(from, to, allowed(from, mover))
}

#[cfg(test)]
mod tests {
    use super::{Mover::*, Status::*, *};

    #[test]
    fn every_move_is_allowed_or_refused_as_the_table_says() {
        let cases = [
            (Submitted, Approved, Director, true),
            (Submitted, Rejected, Director, true),
            (Submitted, Withdrawn, Submitter, true),
            (Submitted, Withdrawn, Director, false),
            (Submitted, Approved, Submitter, false),
            (Submitted, Rejected, Submitter, false),
            (Submitted, Submitted, Director, false),
            (Approved, Rejected, Director, false),
            (Rejected, Approved, Director, false),
            (Approved, Withdrawn, Submitter, false),
            (Rejected, Submitted, Submitter, false),
            (Withdrawn, Submitted, Submitter, false),
            (Withdrawn, Approved, Director, false),
        ];
        for (from, to, mover, ok) in cases {
            assert_eq!(check_move(from, to, mover).is_ok(), ok, "{from} -> {to} by {mover:?}");
        }
    }

    #[test]
    fn illegal_moves_list_the_allowed_ones() {
        let cases = [
            (Submitted, Withdrawn, Director, vec![Approved, Rejected]),
            (Submitted, Approved, Submitter, vec![Withdrawn]),
            (Approved, Rejected, Director, vec![]),
            (Withdrawn, Submitted, Submitter, vec![]),
        ];
        for (from, to, mover, allowed) in cases {
            assert_eq!(
                check_move(from, to, mover),
                Err(IllegalMove { from, to, allowed }),
                "{from} -> {to}"
            );
        }
    }

    #[test]
    fn only_a_submitted_request_can_still_move() {
        let open: Vec<Status> = all().filter(|s| !is_final(*s)).collect();
        assert_eq!(open, [Submitted]);
    }

    #[test]
    fn states_round_trip_through_their_names() {
        let names: Vec<String> = all().map(|s| s.to_string()).collect();
        assert_eq!(names, ["submitted", "approved", "rejected", "withdrawn"]);
        for status in all() {
            assert_eq!(status.to_string().parse::<Status>().ok(), Some(status));
        }
        assert!("draft".parse::<Status>().is_err());
    }
}
