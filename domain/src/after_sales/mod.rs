//! After-sales (售后服务): the handover of a sold unit (inspection issues,
//! checklist, handover, satisfaction visits) and complaints. Uses `sales`
//! and the groups below it.

pub mod complaints;
pub mod handover;
