//! Performance: the figures of consultants and teams — KPIs and their
//! monthly snapshots, sales targets, trainings, the quarterly Sales Star
//! award and the monthly and quarterly bonuses by ranking. Reads what
//! `sales` and `after_sales` record; uses the groups below it.

pub mod awards;
pub mod bonuses;
pub mod churn;
pub mod kpis;
pub mod lead_ages;
pub mod reports;
pub mod snapshots;
pub mod talent;
pub mod targets;
pub mod trainings;
