//! How long the leads still waiting for a first response have waited, in
//! the groups the managers' board counts them by: under an hour, one to
//! four hours, then up to the first-response deadline of the SLA policy in
//! force, and past it (overdue). The last bound is the policy's, so the
//! board calls overdue exactly what the timer engine breaches; a deadline
//! shorter than a fixed mark drops the groups it would cut.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    outbox::sla::{self, SlaKind},
    platform::{error::DomainError, text::Msg},
};

/// The fixed marks (seconds waited) the board groups by before the deadline.
const MARKS: [i64; 2] = [3_600, 4 * 3_600];

/// One group of waiting times: from `from_secs` (inclusive) up to
/// `to_secs` (inclusive); the overdue group has no end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeBucket {
    pub from_secs: i64,
    pub to_secs: Option<i64>,
}

impl AgeBucket {
    /// Past the first-response deadline.
    pub fn overdue(self) -> bool {
        self.to_secs.is_none()
    }

    /// A stable key of the group (`0-3600`, …, `overdue`), for pages' markup.
    pub fn key(self) -> String {
        match self.to_secs {
            Some(to) => format!("{}-{to}", self.from_secs),
            None => "overdue".to_owned(),
        }
    }

    /// The group's name: "under 1 h", "1–4 h", "4–24 h", "over 24 h (overdue)".
    pub fn label(self) -> Msg {
        match self.to_secs {
            None => Msg::UiDashAgeOver {
                hours: hours(self.from_secs),
            },
            Some(to) if self.from_secs == 0 => Msg::UiDashAgeUnder { hours: hours(to) },
            Some(to) => Msg::UiDashAgeBetween {
                from: hours(self.from_secs),
                to: hours(to),
            },
        }
    }
}

/// Seconds as hours, whole when they are (`24`), else to two places (`1.5`).
fn hours(secs: i64) -> String {
    if secs % 3_600 == 0 {
        (secs / 3_600).to_string()
    } else {
        let text = format!("{:.2}", secs as f64 / 3_600.0);
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// The groups of a first-response deadline, in order, the overdue last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadAges {
    deadline_secs: i64,
    buckets: Vec<AgeBucket>,
}

impl LeadAges {
    /// The groups for a first response due `deadline_secs` after assignment.
    pub fn for_deadline(deadline_secs: i64) -> LeadAges {
        let deadline_secs = deadline_secs.max(1);
        let mut bounds: Vec<i64> = MARKS.iter().copied().filter(|m| *m < deadline_secs).collect();
        bounds.push(deadline_secs);
        let mut buckets = Vec::with_capacity(bounds.len() + 1);
        let mut from = 0;
        for to in bounds {
            buckets.push(AgeBucket {
                from_secs: from,
                to_secs: Some(to),
            });
            from = to;
        }
        buckets.push(AgeBucket {
            from_secs: deadline_secs,
            to_secs: None,
        });
        LeadAges { deadline_secs, buckets }
    }

    /// The groups of the first-response policy in force.
    pub async fn current(db: &impl ConnectionTrait) -> Result<LeadAges, DomainError> {
        let policy = sla::current(db, SlaKind::FirstResponse).await?;
        Ok(LeadAges::for_deadline(policy.duration_secs))
    }

    pub fn buckets(&self) -> &[AgeBucket] {
        &self.buckets
    }

    /// What the board's groups mean, with the deadline in hours.
    pub fn intro(&self) -> Msg {
        Msg::UiDashUnansweredIntroOf {
            hours: hours(self.deadline_secs),
        }
    }

    /// The index in [`LeadAges::buckets`] of a lead waiting since `since`,
    /// at `now`: below a mark is the group before it; at the deadline
    /// itself a lead is not yet overdue.
    pub fn of(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> usize {
        let waited = (now - since).num_milliseconds();
        let last = self.buckets.len() - 1;
        self.buckets
            .iter()
            .position(|b| match b.to_secs {
                Some(to) if to == self.deadline_secs => waited <= to * 1_000,
                Some(to) => waited < to * 1_000,
                None => true,
            })
            .unwrap_or(last)
    }

    /// The board's rows: each consultant's waiting leads (`owner` `None`:
    /// unassigned) counted per group, consultants in the order first met.
    pub fn tally<'a>(
        &self,
        leads: impl IntoIterator<Item = (Option<Uuid>, &'a str, DateTime<Utc>)>,
        now: DateTime<Utc>,
    ) -> Vec<OwnerTally> {
        let mut rows: Vec<OwnerTally> = Vec::new();
        for (owner, name, since) in leads {
            let index = match rows.iter().position(|r| r.owner == owner) {
                Some(index) => index,
                None => {
                    rows.push(OwnerTally {
                        owner,
                        name: name.to_owned(),
                        counts: vec![0; self.buckets.len()],
                    });
                    rows.len() - 1
                }
            };
            rows[index].counts[self.of(since, now)] += 1;
        }
        rows
    }
}

/// One consultant's waiting leads counted per age group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerTally {
    pub owner: Option<Uuid>,
    pub name: String,
    pub counts: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn a_lead_falls_in_the_group_of_how_long_it_has_waited_against_a_24_hour_deadline() {
        let ages = LeadAges::for_deadline(24 * 3_600);
        let now = Utc::now();
        for (minutes, index) in [
            (0, 0),
            (59, 0),
            (60, 1),
            (239, 1),
            (240, 2),
            (24 * 60, 2),
            (24 * 60 + 1, 3),
        ] {
            assert_eq!(
                ages.of(now - Duration::minutes(minutes), now),
                index,
                "{minutes} minutes"
            );
        }
        assert!(ages.buckets()[3].overdue());
        assert_eq!(ages.buckets()[3].key(), "overdue");
    }

    #[test]
    fn the_last_group_ends_at_the_policys_deadline_and_shorter_deadlines_drop_marks() {
        let keys = |secs| {
            LeadAges::for_deadline(secs)
                .buckets()
                .iter()
                .map(|b| b.key())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(24 * 3_600), ["0-3600", "3600-14400", "14400-86400", "overdue"]);
        assert_eq!(keys(8 * 3_600), ["0-3600", "3600-14400", "14400-28800", "overdue"]);
        assert_eq!(keys(2 * 3_600), ["0-3600", "3600-7200", "overdue"]);
        assert_eq!(keys(3_600), ["0-3600", "overdue"]);
        assert_eq!(keys(1_800), ["0-1800", "overdue"]);
        let two_hours = LeadAges::for_deadline(2 * 3_600);
        let now = Utc::now();
        assert_eq!(two_hours.of(now - Duration::minutes(150), now), 2, "overdue after 2 h");
    }

    #[test]
    fn the_board_counts_each_consultants_leads_per_group_and_keeps_the_unassigned_apart() {
        let ages = LeadAges::for_deadline(24 * 3_600);
        let now = Utc::now();
        let (li, wang) = (Some(Uuid::from_u128(1)), Some(Uuid::from_u128(2)));
        let ago = |minutes| now - Duration::minutes(minutes);
        let rows = ages.tally(
            [
                (li, "Li", ago(10)),
                (None, "", ago(30 * 60)),
                (li, "Li", ago(300)),
                (wang, "Wang", ago(61)),
                (li, "Li", ago(20)),
            ],
            now,
        );
        let counts: Vec<_> = rows
            .iter()
            .map(|r| (r.owner, r.name.as_str(), r.counts.clone()))
            .collect();
        assert_eq!(
            counts,
            [
                (li, "Li", vec![2, 0, 1, 0]),
                (None, "", vec![0, 0, 0, 1]),
                (wang, "Wang", vec![0, 1, 0, 0]),
            ]
        );
    }

    #[test]
    fn groups_are_named_in_hours() {
        let en = crate::platform::text::Reader::new(crate::platform::text::Locale::En, chrono_tz::Asia::Shanghai);
        let names = |secs| {
            LeadAges::for_deadline(secs)
                .buckets()
                .iter()
                .map(|b| b.label().render(&en))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(24 * 3_600),
            ["Under 1 h", "1–4 h", "4–24 h", "Over 24 h (overdue)"]
        );
        assert_eq!(names(5_400), ["Under 1 h", "1–1.5 h", "Over 1.5 h (overdue)"]);
    }
}
