//! Tests of the sales record: customers through their whole life, deals
//! and their stages, after-sales, complaints, targets, trainings, customer
//! events, figures and bulk import and export.

mod bulk;
mod customers;
mod kpis;
