//! The business calendar: years, quarters and months in the business time
//! zone, the instant each begins, and the one parser and year rule for the
//! periods clients name (`2026`, `2026-Q3`, `2026-11`). Each period holds its
//! first day, so a period that does not exist cannot be built.

use std::{fmt, ops::RangeInclusive, str::FromStr};

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use crate::platform::text::Msg;

/// The years a client may name in a period: targets are set years ahead,
/// and nothing in the business predates 2000.
pub const YEARS: RangeInclusive<i32> = 2000..=2999;

/// A calendar year, `2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Year(NaiveDate);

/// A calendar quarter, `2026-Q3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter(NaiveDate);

/// A calendar month, `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(NaiveDate);

/// A target period: a year (`2026`), one of its quarters (`2026-Q3`) or
/// one of its months (`2026-11`). A year splits into its quarters, a
/// quarter into its months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(Year),
    Quarter(Quarter),
    Month(Month),
}

/// The first of the month of `day` (always a valid date).
fn first_of_month(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.day0()))
}

/// The date `months` after the first day `first`. Panics only past chrono's
/// last year (262142), which no period read from a client or a clock reaches.
fn months_later(first: NaiveDate, months: u32) -> NaiveDate {
    first + Months::new(months)
}

impl Year {
    /// The year `year`, if chrono can represent its first day.
    pub fn new(year: i32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, 1, 1).map(Self)
    }

    /// The year of `day`.
    pub fn of_day(day: NaiveDate) -> Self {
        Self(first_of_month(day) - Months::new(day.month0()))
    }

    pub fn number(self) -> i32 {
        self.0.year()
    }

    pub fn first_day(self) -> NaiveDate {
        self.0
    }

    /// The first instant of the year in `tz`.
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        start_of_day(self.0, tz)
    }

    /// The first instant after the year in `tz`.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        start_of_day(months_later(self.0, 12), tz)
    }
}

impl Quarter {
    /// Quarter `quarter` (1 to 4) of `year`.
    pub fn new(year: i32, quarter: u32) -> Option<Self> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1).map(Self)
    }

    /// The quarter of `day`.
    pub fn of_day(day: NaiveDate) -> Self {
        Self(first_of_month(day) - Months::new(day.month0() % 3))
    }

    /// The quarter `at` falls in, in time zone `tz`.
    pub fn of(at: DateTime<Utc>, tz: Tz) -> Self {
        Self::of_day(at.with_timezone(&tz).date_naive())
    }

    pub fn year(self) -> Year {
        Year::of_day(self.0)
    }

    /// 1 to 4.
    pub fn number(self) -> u32 {
        self.0.month0() / 3 + 1
    }

    pub fn first_day(self) -> NaiveDate {
        self.0
    }

    pub fn previous(self) -> Self {
        Self(self.0 - Months::new(3))
    }

    /// The first instant of the quarter in `tz`.
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        start_of_day(self.0, tz)
    }

    /// The first instant after the quarter in `tz`.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        start_of_day(months_later(self.0, 3), tz)
    }
}

/// The quarter before the one `now` falls in (business time zone `tz`): the
/// one a run at the start of a quarter ranks.
pub fn previous_quarter(now: DateTime<Utc>, tz: Tz) -> Quarter {
    Quarter::of(now, tz).previous()
}

impl Month {
    /// Month `month` (1 to 12) of `year`.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, 1).map(Self)
    }

    /// The month of `day`.
    pub fn of_day(day: NaiveDate) -> Self {
        Self(first_of_month(day))
    }

    /// The month `at` falls in, in time zone `tz`.
    pub fn of(at: DateTime<Utc>, tz: Tz) -> Self {
        Self::of_day(at.with_timezone(&tz).date_naive())
    }

    pub fn year(self) -> Year {
        Year::of_day(self.0)
    }

    /// 1 to 12.
    pub fn number(self) -> u32 {
        self.0.month()
    }

    pub fn quarter(self) -> Quarter {
        Quarter::of_day(self.0)
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        self.0
    }

    /// The first instant of the month in `tz`.
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        start_of_day(self.0, tz)
    }

    /// The first instant after the month in `tz`.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        start_of_day(months_later(self.0, 1), tz)
    }
}

impl Period {
    pub fn year(self) -> Year {
        match self {
            Self::Year(y) => y,
            Self::Quarter(q) => q.year(),
            Self::Month(m) => m.year(),
        }
    }

    /// The first instant of the period in `tz`.
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        match self {
            Self::Year(y) => y.start(tz),
            Self::Quarter(q) => q.start(tz),
            Self::Month(m) => m.start(tz),
        }
    }

    /// The first instant after the period in `tz`.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        match self {
            Self::Year(y) => y.end(tz),
            Self::Quarter(q) => q.end(tz),
            Self::Month(m) => m.end(tz),
        }
    }

    /// The period this one is part of: a month's quarter, a quarter's year; none for a year.
    pub fn parent(self) -> Option<Period> {
        match self {
            Self::Year(_) => None,
            Self::Quarter(q) => Some(Self::Year(q.year())),
            Self::Month(m) => Some(Self::Quarter(m.quarter())),
        }
    }

    /// The periods this one splits into, in order: a year's four quarters, a
    /// quarter's three months; none for a month.
    pub fn parts(self) -> Vec<Period> {
        let (first, count, make): (NaiveDate, u32, fn(NaiveDate) -> Period) = match self {
            Self::Year(y) => (y.first_day(), 4, |d| Self::Quarter(Quarter(d))),
            Self::Quarter(q) => (q.first_day(), 3, |d| Self::Month(Month(d))),
            Self::Month(_) => return Vec::new(),
        };
        let step = if count == 4 { 3 } else { 1 };
        (0..count).map(|i| make(months_later(first, i * step))).collect()
    }
}

/// The first instant of `day` in `tz`, as UTC: local midnight (the earlier
/// one where clocks go back over it), or where clocks skip midnight itself
/// (America/Santiago, Asia/Beirut on their spring-forward days) the first
/// local instant that exists, such as 01:00.
pub fn start_of_day(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    match tz.from_local_datetime(&midnight).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => first_instant_from(midnight, tz),
    }
}

/// The first instant whose local time in `tz` is `local` or later, for a
/// `local` inside a gap. Local time only moves forward within a day of a
/// gap, so a binary search over the UTC instants that could show `local`
/// (UTC offsets lie within ±26 h) finds the instant the clocks jump.
fn first_instant_from(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    let window = TimeDelta::hours(26);
    let earliest = local.and_utc() - window;
    let at = |seconds: i64| earliest + TimeDelta::seconds(seconds);
    let reached = |seconds: i64| at(seconds).with_timezone(&tz).naive_local() >= local;
    // Invariant: `before` seconds after `earliest` has not reached `local`, `after` has.
    let (mut before, mut after) = (0, 2 * window.num_seconds());
    while after - before > 1 {
        let middle = before + (after - before) / 2;
        if reached(middle) {
            after = middle;
        } else {
            before = middle;
        }
    }
    at(after)
}

/// A year of four digits within [`YEARS`].
fn parse_year(s: &str) -> Option<Year> {
    let year = numeric(s, 4)?;
    YEARS.contains(&year).then(|| Year::new(year)).flatten()
}

fn numeric(s: &str, digits: usize) -> Option<i32> {
    (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `YYYY<separator>N…`: a year and a part of exactly `digits` digits.
fn year_and_part(s: &str, separator: &str, digits: usize) -> Option<(Year, u32)> {
    let (year, part) = s.split_once(separator)?;
    Some((parse_year(year)?, u32::try_from(numeric(part, digits)?).ok()?))
}

impl FromStr for Year {
    type Err = Msg;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_year(s).ok_or_else(|| Msg::NotAYear { text: format!("{s:?}") })
    }
}

impl FromStr for Quarter {
    type Err = Msg;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        year_and_part(s, "-Q", 1)
            .and_then(|(year, quarter)| Quarter::new(year.number(), quarter))
            .ok_or_else(|| Msg::NotAQuarter { text: format!("{s:?}") })
    }
}

impl FromStr for Month {
    type Err = Msg;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        year_and_part(s, "-", 2)
            .and_then(|(year, month)| Month::new(year.number(), month))
            .ok_or_else(|| Msg::NotAMonth { text: format!("{s:?}") })
    }
}

impl FromStr for Period {
    type Err = Msg;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.contains("-Q") {
            s.parse().map(Self::Quarter)
        } else if s.contains('-') {
            s.parse().map(Self::Month)
        } else {
            s.parse().map(Self::Year)
        }
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.number())
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year(), self.number())
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year(), self.number())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(y) => y.fmt(f),
            Self::Quarter(q) => q.fmt(f),
            Self::Month(m) => m.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono_tz::{America, Asia, Europe};

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("day")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("instant").with_timezone(&Utc)
    }

    #[test]
    fn periods_parse_strictly_with_one_year_rule_and_print_back() {
        for (text, month, quarter, period) in [
            ("2026-11", Some((2026, 11)), None, Some("2026-11")),
            ("2000-01", Some((2000, 1)), None, Some("2000-01")),
            ("2999-12", Some((2999, 12)), None, Some("2999-12")),
            ("2026-Q3", None, Some((2026, 3)), Some("2026-Q3")),
            ("2999-Q4", None, Some((2999, 4)), Some("2999-Q4")),
            ("2026", None, None, Some("2026")),
            ("2000", None, None, Some("2000")),
            ("2999", None, None, Some("2999")),
            ("1999", None, None, None),
            ("3000", None, None, None),
            ("1999-12", None, None, None),
            ("3000-01", None, None, None),
            ("1999-Q4", None, None, None),
            ("3000-Q1", None, None, None),
            ("2026-13", None, None, None),
            ("2026-00", None, None, None),
            ("2026-1", None, None, None),
            ("26-11", None, None, None),
            ("2026/11", None, None, None),
            ("+026-11", None, None, None),
            ("2026-+1", None, None, None),
            ("2026-Q0", None, None, None),
            ("2026-Q5", None, None, None),
            ("2026-q3", None, None, None),
            ("2026-Q", None, None, None),
            ("2026-Q33", None, None, None),
            ("26-Q3", None, None, None),
            ("02026", None, None, None),
            ("+026", None, None, None),
            ("november", None, None, None),
            ("", None, None, None),
        ] {
            let parsed_month = text.parse::<Month>().ok();
            assert_eq!(parsed_month.map(|m| (m.year().number(), m.number())), month, "{text:?}");
            let parsed_quarter = text.parse::<Quarter>().ok();
            assert_eq!(
                parsed_quarter.map(|q| (q.year().number(), q.number())),
                quarter,
                "{text:?}"
            );
            let parsed_period = text.parse::<Period>().ok().map(|p| p.to_string());
            assert_eq!(parsed_period.as_deref(), period, "{text:?}");
            if month.is_some() {
                assert_eq!(parsed_month.map(|m| m.to_string()).as_deref(), Some(text));
            }
            if quarter.is_some() {
                assert_eq!(parsed_quarter.map(|q| q.to_string()).as_deref(), Some(text));
            }
        }
        assert_eq!(
            "2026-Q2".parse::<Period>().map(Period::year),
            Ok(Year::new(2026).expect("year"))
        );
    }

    #[test]
    fn a_period_splits_into_the_periods_whose_parent_it_is() {
        for (period, parts) in [
            ("2026", vec!["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]),
            ("2026-Q1", vec!["2026-01", "2026-02", "2026-03"]),
            ("2026-Q4", vec!["2026-10", "2026-11", "2026-12"]),
            ("2026-11", vec![]),
        ] {
            let p: Period = period.parse().expect("period");
            let split: Vec<String> = p.parts().iter().map(ToString::to_string).collect();
            assert_eq!(split, parts, "{period}");
            for part in p.parts() {
                assert_eq!(part.parent(), Some(p), "{part}");
                assert_eq!(part.year(), p.year(), "{part}");
            }
        }
        assert_eq!("2026".parse::<Period>().map(Period::parent), Ok(None));
        let december: Period = "2026-12".parse().expect("month");
        assert_eq!(
            (december.start(Asia::Shanghai), december.end(Asia::Shanghai)),
            (utc("2026-11-30T16:00:00Z"), utc("2026-12-31T16:00:00Z"))
        );
    }

    #[test]
    fn a_month_ends_where_the_next_one_begins_in_shanghai() {
        let tz = Asia::Shanghai;
        for (month, start, end) in [
            // 30 days, 31 days, December into January.
            ("2026-11", "2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z"),
            ("2026-10", "2026-09-30T16:00:00Z", "2026-10-31T16:00:00Z"),
            ("2026-12", "2026-11-30T16:00:00Z", "2026-12-31T16:00:00Z"),
            // February: 29 days in a leap year, 28 otherwise, 29 in 2000.
            ("2028-02", "2028-01-31T16:00:00Z", "2028-02-29T16:00:00Z"),
            ("2026-02", "2026-01-31T16:00:00Z", "2026-02-28T16:00:00Z"),
            ("2000-02", "2000-01-31T16:00:00Z", "2000-02-29T16:00:00Z"),
            ("2100-02", "2100-01-31T16:00:00Z", "2100-02-28T16:00:00Z"),
        ] {
            let m: Month = month.parse().expect("month");
            assert_eq!((m.start(tz), m.end(tz)), (utc(start), utc(end)), "{month}");
        }
    }

    #[test]
    fn the_months_and_quarters_of_days_at_their_edges() {
        for (d, month, quarter) in [
            (day(2026, 1, 1), "2026-01", "2026-Q1"),
            (day(2026, 3, 31), "2026-03", "2026-Q1"),
            (day(2026, 4, 1), "2026-04", "2026-Q2"),
            (day(2026, 6, 30), "2026-06", "2026-Q2"),
            (day(2026, 7, 1), "2026-07", "2026-Q3"),
            (day(2026, 9, 30), "2026-09", "2026-Q3"),
            (day(2026, 10, 1), "2026-10", "2026-Q4"),
            (day(2026, 12, 31), "2026-12", "2026-Q4"),
            (day(2028, 2, 29), "2028-02", "2028-Q1"),
        ] {
            assert_eq!(Month::of_day(d).to_string(), month, "{d}");
            assert_eq!(Quarter::of_day(d).to_string(), quarter, "{d}");
            assert_eq!(Month::of_day(d).quarter().to_string(), quarter, "{d}");
            assert_eq!(Year::of_day(d).to_string(), d.year().to_string(), "{d}");
        }
        assert_eq!(Month::new(2026, 13), None);
        assert_eq!(Month::new(2026, 0), None);
        assert_eq!(Quarter::new(2026, 5), None);
        assert_eq!(Quarter::new(2026, 0), None);
    }

    #[test]
    fn a_quarter_runs_from_local_midnight_to_local_midnight_and_q4_ends_in_the_next_year() {
        let tz = Asia::Shanghai;
        for (quarter, first, start, end, previous) in [
            (
                "2026-Q1",
                day(2026, 1, 1),
                "2025-12-31T16:00:00Z",
                "2026-03-31T16:00:00Z",
                "2025-Q4",
            ),
            (
                "2026-Q2",
                day(2026, 4, 1),
                "2026-03-31T16:00:00Z",
                "2026-06-30T16:00:00Z",
                "2026-Q1",
            ),
            (
                "2026-Q3",
                day(2026, 7, 1),
                "2026-06-30T16:00:00Z",
                "2026-09-30T16:00:00Z",
                "2026-Q2",
            ),
            (
                "2026-Q4",
                day(2026, 10, 1),
                "2026-09-30T16:00:00Z",
                "2026-12-31T16:00:00Z",
                "2026-Q3",
            ),
            (
                "2027-Q1",
                day(2027, 1, 1),
                "2026-12-31T16:00:00Z",
                "2027-03-31T16:00:00Z",
                "2026-Q4",
            ),
        ] {
            let q: Quarter = quarter.parse().expect("quarter");
            assert_eq!(q.first_day(), first, "{quarter}");
            assert_eq!((q.start(tz), q.end(tz)), (utc(start), utc(end)), "{quarter}");
            assert_eq!(q.previous().to_string(), previous, "{quarter}");
        }
        // 00:30 on 1 October in Shanghai is 16:30 on 30 September UTC: Q4 there, Q3 in UTC.
        let at = utc("2026-09-30T16:30:00Z");
        assert_eq!(Quarter::of(at, tz).to_string(), "2026-Q4");
        assert_eq!(Quarter::of(at, chrono_tz::UTC).to_string(), "2026-Q3");
        assert_eq!(previous_quarter(at, tz).to_string(), "2026-Q3");
        assert_eq!(previous_quarter(utc("2026-12-31T16:00:00Z"), tz).to_string(), "2026-Q4");
        let year = Year::new(2026).expect("year");
        assert_eq!(
            (year.start(tz), year.end(tz)),
            (utc("2025-12-31T16:00:00Z"), utc("2026-12-31T16:00:00Z"))
        );
    }

    #[test]
    fn a_day_starts_at_local_midnight_across_daylight_saving_changes() {
        for (tz, d, start) in [
            (Asia::Shanghai, day(2026, 11, 1), "2026-10-31T16:00:00Z"),
            // New York springs forward at 02:00 on 8 March and falls back on 1 November.
            (America::New_York, day(2026, 3, 8), "2026-03-08T05:00:00Z"),
            (America::New_York, day(2026, 3, 9), "2026-03-09T04:00:00Z"),
            (America::New_York, day(2026, 11, 1), "2026-11-01T04:00:00Z"),
            (America::New_York, day(2026, 11, 2), "2026-11-02T05:00:00Z"),
            // Berlin springs forward on 29 March and falls back on 25 October.
            (Europe::Berlin, day(2026, 3, 29), "2026-03-28T23:00:00Z"),
            (Europe::Berlin, day(2026, 3, 30), "2026-03-29T22:00:00Z"),
            (Europe::Berlin, day(2026, 10, 25), "2026-10-24T22:00:00Z"),
            (Europe::Berlin, day(2026, 10, 26), "2026-10-25T23:00:00Z"),
            // Santiago skips from 00:00 to 01:00 on 6 September: the day starts at 01:00 (-03).
            (America::Santiago, day(2026, 9, 5), "2026-09-05T04:00:00Z"),
            (America::Santiago, day(2026, 9, 6), "2026-09-06T04:00:00Z"),
            (America::Santiago, day(2026, 9, 7), "2026-09-07T03:00:00Z"),
            // Beirut skips from 00:00 to 01:00 on the last Sunday of March: 01:00 (+03).
            (Asia::Beirut, day(2026, 3, 28), "2026-03-27T22:00:00Z"),
            (Asia::Beirut, day(2026, 3, 29), "2026-03-28T22:00:00Z"),
            (Asia::Beirut, day(2026, 3, 30), "2026-03-29T21:00:00Z"),
        ] {
            let start = utc(start);
            assert_eq!(start_of_day(d, tz), start, "{tz} {d}");
            assert_eq!(start.with_timezone(&tz).date_naive(), d, "{tz} {d}");
            // Nothing of the day comes before its start.
            assert!(
                (start - TimeDelta::seconds(1)).with_timezone(&tz).date_naive() < d,
                "{tz} {d}"
            );
        }
        let santiago = start_of_day(day(2026, 9, 6), America::Santiago).with_timezone(&America::Santiago);
        assert_eq!(santiago.to_rfc3339(), "2026-09-06T01:00:00-03:00");
        let beirut = start_of_day(day(2026, 3, 29), Asia::Beirut).with_timezone(&Asia::Beirut);
        assert_eq!(beirut.to_rfc3339(), "2026-03-29T01:00:00+03:00");
    }

    #[test]
    fn a_deal_at_the_last_and_first_second_of_a_month_belongs_to_its_local_month() {
        for (tz, at, month) in [
            (Asia::Shanghai, "2026-11-30T23:59:59+08:00", "2026-11"),
            (Asia::Shanghai, "2026-12-01T00:00:00+08:00", "2026-12"),
            (Asia::Shanghai, "2026-12-31T23:59:59+08:00", "2026-12"),
            (Asia::Shanghai, "2027-01-01T00:00:00+08:00", "2027-01"),
            (Asia::Shanghai, "2028-02-29T23:59:59+08:00", "2028-02"),
            (Asia::Shanghai, "2028-03-01T00:00:00+08:00", "2028-03"),
            (America::New_York, "2026-10-31T23:59:59-04:00", "2026-10"),
            (America::New_York, "2026-11-01T00:00:00-04:00", "2026-11"),
            (Europe::Berlin, "2026-03-31T23:59:59+02:00", "2026-03"),
            (Europe::Berlin, "2026-04-01T00:00:00+02:00", "2026-04"),
        ] {
            let at = utc(at);
            let m = Month::of(at, tz);
            assert_eq!(m.to_string(), month, "{tz} {at}");
            assert!(m.start(tz) <= at && at < m.end(tz), "{tz} {at} in {m}");
        }
    }
}
