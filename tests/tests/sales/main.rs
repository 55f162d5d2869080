//! Tests of the sales record: customers through their whole life, deals
//! and their stages, after-sales, complaints, targets, trainings, customer
//! events, figures and bulk import and export.

mod bulk;
mod complaints;
mod customer_events;
mod customers;
mod kpis;
mod targets;
mod trainings;
