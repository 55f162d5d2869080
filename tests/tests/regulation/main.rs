//! Tests of what the regulation (地产销售部门管理工作规定) asks beyond the
//! sales record: one module per article.

mod targets;
