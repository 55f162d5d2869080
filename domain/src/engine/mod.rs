//! Engine: what runs when a timer falls due — SLA reminders, tasks and
//! breaches, approval decision deadlines, the periodic runs (KPI snapshot, digests, Sales Star) and the
//! dispatch by timer kind. The top of the domain: it may use every group
//! except `demo`.

pub mod approvals;
pub mod deadlines;
pub mod dispatch;
pub mod periodic;
