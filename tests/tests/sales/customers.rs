//! Leads: status workflow, duplicates and merging, assignment, follow-ups,
//! needs and the timeline.
