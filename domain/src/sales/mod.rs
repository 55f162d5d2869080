//! Sales: the customer from lead to deal — customers and their CSV import
//! and export, assignment to consultants, the timeline, follow-ups, needs
//! assessments, open days and other customer events, units, deals and the
//! stages a deal moves through; the sales policies and marketing plans the
//! director approves (approvals and their state machine); the preparation
//! of a negotiation (project briefs, negotiation plans) and the deal's loan
//! and title-transfer paperwork. Uses `platform`, `access` and `outbox`.

pub mod approval_states;
pub mod approvals;
pub mod assignment;
pub mod csv;
pub mod customer_events;
pub mod customer_status;
pub mod customers;
pub mod deal_stages;
pub mod deals;
pub mod follow_ups;
pub mod loan_states;
pub mod needs;
pub mod negotiation;
pub mod paperwork;
pub mod partner_view;
pub mod project_briefs;
pub mod routing;
pub mod timeline;
pub mod units;
