//! Bonuses by ranking (绩效奖金：根据业绩排名，按比例发放月度/季度奖金): a
//! pool of money per month or quarter for the department or one team,
//! shared by rank under versioned rules ([`rules`], [`shares`]), computed on
//! demand and by the period-end job, explained line by line and published
//! once ([`pools`]). The ranking is the Sales Star's (its figures, weights
//! and eligibility); the Sales Star keeps its own quarterly award beside it.

pub mod pools;
pub mod rules;
pub mod shares;
