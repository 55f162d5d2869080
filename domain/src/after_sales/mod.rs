//! After-sales (售后服务): the handover of a sold unit (inspection issues,
//! checklist, handover, satisfaction visits), complaints and customer
//! feedback routed to the departments concerned. Uses `sales`
//! and the groups below it.

pub mod complaints;
pub mod feedback;
pub mod handover;
