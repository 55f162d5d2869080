//! The regulation's remaining articles (issue 12), one module per feature.

mod approvals;
