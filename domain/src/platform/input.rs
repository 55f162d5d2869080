//! Checks shared by every service that takes input from callers: the
//! characters any text may hold, the window of dates and times, search text
//! made literal for `LIKE`, times reported for things that happened, and
//! optional free-text fields. The HTTP edge (JSON, form, query and path
//! parsing) and the CSV import apply the text and date rules from here, so
//! every way in refuses the same input.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::platform::{error::FieldError, text::Msg};

/// How far ahead of the server clock a reported time may be (clock skew).
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// A time a caller reports for something that has happened: now when
/// absent; an error at `pointer` when it lies in the future.
pub fn reported_time(at: Option<DateTime<Utc>>, pointer: &str, errors: &mut Vec<FieldError>) -> DateTime<Utc> {
    let now = Utc::now();
    match at {
        Some(at) if at > now + CLOCK_SKEW => {
            errors.push(FieldError::new(pointer, Msg::NotInFuture));
            now
        }
        Some(at) => at,
        None => now,
    }
}

/// An optional text field, trimmed; empty means absent; longer than `max` is an error.
pub fn optional_text(value: Option<String>, pointer: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        errors.push(FieldError::new(pointer, Msg::AtMostChars { max }));
    }
    value
}

/// Whether `c` is a control character no text input may hold: every C0
/// control except tab, line feed and carriage return (`\r\n` is how
/// Windows clients end lines in free text), DEL and every C1 control.
/// PostgreSQL cannot store NUL at all, and the others have no business in
/// names, notes or filters.
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// What is wrong with `text` as input, if anything: the first refused
/// control character, named by its code point.
pub fn text_problem(text: &str) -> Option<Msg> {
    text.chars()
        .find(|c| is_refused_control(*c))
        .map(|c| Msg::ControlCharacter {
            code_point: format!("U+{:04X}", u32::from(c)),
        })
}

/// First and last day (inclusive) a date or time given by a caller may fall
/// on, whatever it means: a plan, a record of the past, a filter bound.
/// Wide enough for any real record, narrow enough that arithmetic on it
/// (deadlines, periods) never leaves chrono's range.
pub const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
pub const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2200, 12, 31).expect("a valid date");

/// The English of [`Msg::DateWindow`], as serde reports a date or time
/// outside [`EARLIEST_DATE`]..=[`LATEST_DATE`] (the edge turns it back into the message).
pub const DATE_WINDOW_RULE: &str = "must be between 1900-01-01 and 2200-12-31";

/// A date, a time, or an optional one, that can be held to the window.
pub trait InDateWindow {
    /// Whether it lies between [`EARLIEST_DATE`] and [`LATEST_DATE`] (a
    /// time by its day in UTC); absent counts as inside.
    fn in_date_window(&self) -> bool;
}

impl InDateWindow for NaiveDate {
    fn in_date_window(&self) -> bool {
        (EARLIEST_DATE..=LATEST_DATE).contains(self)
    }
}

impl<Tz: TimeZone> InDateWindow for DateTime<Tz> {
    fn in_date_window(&self) -> bool {
        self.naive_utc().date().in_date_window()
    }
}

impl<T: InDateWindow> InDateWindow for Option<T> {
    fn in_date_window(&self) -> bool {
        self.as_ref().is_none_or(T::in_date_window)
    }
}

/// The escape character of [`like_contains`] patterns; the `LIKE` must say
/// `ESCAPE '\\'` (SQLite has no default escape character).
pub const LIKE_ESCAPE: char = '\\';

/// A `LIKE` pattern matching values that contain `text` literally: `%`, `_`
/// and the escape character are escaped, so `q=%` finds a percent sign
/// rather than everything.
pub fn like_contains(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// [`like_contains`] as the operand of sea-query's `.like(...)`, with its
/// `ESCAPE` clause.
pub fn contains(text: &str) -> sea_orm::sea_query::LikeExpr {
    sea_orm::sea_query::LikeExpr::new(like_contains(text)).escape(LIKE_ESCAPE)
}

/// `text` as a value of the closed vocabulary `E` (an enum column, in its
/// stored spelling), or the rule it breaks at `pointer`.
pub fn variant<E>(text: &str, pointer: &str) -> Result<E, FieldError>
where
    E: sea_orm::ActiveEnum<Value = String> + sea_orm::Iterable,
{
    E::try_from_value(&text.to_owned()).map_err(|_| {
        let names: Vec<String> = E::iter().map(|e| e.to_value()).collect();
        FieldError::new(pointer, Msg::OneOf { values: names })
    })
}

/// An optional field read by `parse`: absent is `None`, and so is a value
/// `parse` refuses, with the rule it breaks pushed to `errors`.
pub fn optional<T>(
    text: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    parse(text?).map_err(|rule| errors.push(rule)).ok()
}

/// A value of a closed vocabulary that is no enum column (a locale…):
/// absent is fine, any other value than `allowed` is an error at `pointer`
/// listing them.
pub fn one_of(value: Option<&str>, allowed: &[&str], pointer: &str, errors: &mut Vec<FieldError>) {
    if value.is_some_and(|v| !allowed.contains(&v)) {
        let values = allowed.iter().map(|v| (*v).to_owned()).collect();
        errors.push(FieldError::new(pointer, Msg::OneOf { values }));
    }
}

/// `text` as a phone number (`platform::phone`), or `None` after the rule
/// it breaks at `pointer` is in `errors`.
pub fn phone(text: &str, pointer: &str, errors: &mut Vec<FieldError>) -> Option<crate::platform::phone::Phone> {
    use crate::platform::phone::{MAX_LEN, Phone, PhoneError};
    Phone::parse(text)
        .map_err(|e| {
            let rule = match e {
                PhoneError::TooLong => Msg::AtMostChars { max: MAX_LEN },
                PhoneError::NotAPhoneNumber => Msg::PhoneNumberForms,
            };
            errors.push(FieldError::new(pointer, rule));
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_other_than_tab_and_line_ends_are_refused() {
        let cases = [
            ("王先生", true),
            ("line one\r\nline two\tend", true),
            ("emoji 🏠 and ümlaut", true),
            ("nul\0", false),
            ("bell\u{7}", false),
            ("escape\u{1b}[31m", false),
            ("delete\u{7f}", false),
            ("c1\u{85}", false),
            ("c1 end\u{9f}", false),
            ("no-break\u{a0}space", true),
        ];
        for (text, accepted) in cases {
            assert_eq!(text_problem(text).is_none(), accepted, "{text:?}");
        }
        assert!(text_problem("a\0").is_some_and(|m| m.to_string().contains("U+0000")));
    }

    #[test]
    fn dates_and_times_must_lie_between_1900_and_2200() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        let cases = [
            (day(0, 1, 1), false),
            (day(1899, 12, 31), false),
            (day(1900, 1, 1), true),
            (day(2026, 11, 29), true),
            (day(2200, 12, 31), true),
            (day(2201, 1, 1), false),
            (day(9999, 12, 31), false),
        ];
        for (date, accepted) in cases {
            assert_eq!(date.in_date_window(), accepted, "{date}");
            assert_eq!(Some(date).in_date_window(), accepted, "{date}");
        }
        assert!(None::<NaiveDate>.in_date_window());
        let late = Utc.with_ymd_and_hms(2200, 12, 31, 23, 59, 59).single().expect("time");
        assert!(late.in_date_window());
        let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("offset");
        let early_local = offset.with_ymd_and_hms(1900, 1, 1, 7, 0, 0).single().expect("time");
        assert!(!early_local.in_date_window(), "1899-12-31 in UTC");
    }

    #[test]
    fn like_patterns_match_wildcards_literally() {
        let cases = [
            ("abc", "%abc%"),
            ("%", "%\\%%"),
            ("_", "%\\_%"),
            ("a\\b", "%a\\\\b%"),
            ("50%_off", "%50\\%\\_off%"),
        ];
        for (text, pattern) in cases {
            assert_eq!(like_contains(text), pattern, "{text}");
        }
        use sea_orm::sea_query::{Expr, ExprTrait, PostgresQueryBuilder, Query, SqliteQueryBuilder};
        let query = Query::select()
            .column("name")
            .from("customers")
            .and_where(Expr::col("name").like(contains("%")))
            .to_owned();
        let sqlite = query.to_string(SqliteQueryBuilder);
        assert!(sqlite.ends_with("LIKE '%\\%%' ESCAPE '\\'"), "{sqlite}");
        let postgres = query.to_string(PostgresQueryBuilder);
        assert!(postgres.ends_with("LIKE E'%\\\\%%' ESCAPE E'\\\\'"), "{postgres}");
    }
}
