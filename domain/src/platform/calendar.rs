//! The business calendar: months, quarters and days in the business time
//! zone, and the instant each begins.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl FromStr for Month {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (year, month) =
            year_and_part(s, "-", 2, 1..=12).ok_or_else(|| format!("{s:?} is not a month: use YYYY-MM"))?;
        Ok(Self { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Month {
    /// The month of `day`.
    pub fn of_day(day: NaiveDate) -> Self {
        Self {
            year: day.year(),
            month: day.month(),
        }
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    /// The month `at` falls in, in time zone `tz`.
    pub fn of(at: DateTime<Utc>, tz: Tz) -> Self {
        Self::of_day(at.with_timezone(&tz).date_naive())
    }

    pub fn quarter(self) -> u32 {
        (self.month - 1) / 3 + 1
    }

    fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The first instant of the month in `tz`.
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        start_of_day(self.first_day(), tz)
    }

    /// The first instant after the month in `tz`.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        self.next().start(tz)
    }
}

/// Midnight at the start of the first day of a month in `tz`, as UTC.
pub fn local_midnight(year: i32, month: u32, tz: Tz) -> DateTime<Utc> {
    start_of_day(NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default(), tz)
}

/// Midnight at the start of `day` in `tz`, as UTC (the earlier one where
/// clocks go back; the day's first instant where midnight does not exist).
pub fn start_of_day(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    tz.from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// `YYYY<separator>N`: a year from 2000 to 2100 and a part of `digits`
/// digits within `range` (months, quarters), or `None`.
pub(crate) fn year_and_part(
    s: &str,
    separator: &str,
    digits: usize,
    range: std::ops::RangeInclusive<u32>,
) -> Option<(i32, u32)> {
    let (year, part) = s.split_once(separator)?;
    let numeric = |t: &str, len: usize| t.len() == len && t.bytes().all(|b| b.is_ascii_digit());
    if !numeric(year, 4) || !numeric(part, digits) {
        return None;
    }
    let (year, part): (i32, u32) = (year.parse().ok()?, part.parse().ok()?);
    ((2000..=2100).contains(&year) && range.contains(&part)).then_some((year, part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_strictly() {
        assert_eq!("2026-11".parse::<Month>(), Ok(Month { year: 2026, month: 11 }));
        for bad in ["2026-13", "2026-00", "26-11", "2026-1", "2026/11", "november", ""] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_month_runs_from_local_midnight_to_local_midnight() {
        let tz = chrono_tz::Asia::Shanghai;
        let november = Month { year: 2026, month: 11 };
        assert_eq!(november.start(tz).to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(november.end(tz).to_rfc3339(), "2026-11-30T16:00:00+00:00");
        let december = Month { year: 2026, month: 12 };
        assert_eq!(december.end(tz).to_rfc3339(), "2026-12-31T16:00:00+00:00");
        assert_eq!(december.quarter(), 4);
        // 23:30 on 30 November in Shanghai is still November there.
        let late = Utc.with_ymd_and_hms(2026, 11, 30, 15, 30, 0).single().expect("time");
        assert_eq!(Month::of(late, tz), november);
    }
}
