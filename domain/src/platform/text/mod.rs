//! What people read, in their language: the reader's [`Locale`] (zh-CN
//! first, en), the one catalogue of messages ([`Msg`], written in
//! `catalogue.rs` with both languages side by side, so a message without
//! its translation does not compile), and the forms of the values messages
//! carry — money in yuan, instants in the business time zone. Machine fields
//! (codes, enums, ISO times, fen) never pass through here.

mod catalogue;

use std::fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub use catalogue::Msg;

/// The languages people read: 简体中文 first, English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The tags of [`Locale::ALL`], in its order: what a user's `locale` may hold.
    pub const TAGS: [&'static str; 2] = {
        let mut tags = [""; 2];
        let mut i = 0;
        while i < tags.len() {
            tags[i] = Locale::ALL[i].tag();
            i += 1;
        }
        tags
    };

    /// The tag stored on users and sent in `Content-Language`.
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// The exact tag stored on a user (`zh-CN` or `en`).
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// The language an `Accept-Language` header prefers among ours: the
    /// highest `q` wins, ties go to the earlier entry; any `zh` tag
    /// (`zh`, `zh-CN`, `zh-Hans-CN`, `zh-TW`) reads Chinese, any `en` tag
    /// English, `*` the default; none of ours (or a header that cannot be
    /// read) gives `None`.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(u16, Locale)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), quality)
                .unwrap_or(0);
            let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
            let locale = match primary.as_str() {
                "zh" => Locale::ZhCn,
                "en" => Locale::En,
                "*" => Locale::default(),
                _ => continue,
            };
            if q > 0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l)
    }
}

/// A `q` value in thousandths (`0.8` → 800); `None` when it is not one.
fn quality(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    (0.0..=1.0).contains(&value).then(|| (value * 1000.0).round() as u16)
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// Who reads a text: their language and the business time zone that
/// instants are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub locale: Locale,
    pub tz: Tz,
}

/// The business defaults: Chinese, Beijing time.
impl Default for Reader {
    fn default() -> Self {
        Self {
            locale: Locale::ZhCn,
            tz: chrono_tz::Asia::Shanghai,
        }
    }
}

impl Reader {
    /// How logs read: English, UTC.
    pub const LOG: Reader = Reader {
        locale: Locale::En,
        tz: Tz::UTC,
    };

    pub fn new(locale: Locale, tz: Tz) -> Self {
        Self { locale, tz }
    }
}

/// A value a message carries, in the reader's form.
pub trait Arg {
    fn text(&self, reader: &Reader) -> String;
}

macro_rules! plain_args {
    ($($ty:ty),*) => {$(
        impl Arg for $ty {
            fn text(&self, _: &Reader) -> String {
                self.to_string()
            }
        }
    )*};
}
plain_args!(String, &str, i32, i64, u32, u64, usize, f64, uuid::Uuid);

impl Arg for Msg {
    fn text(&self, reader: &Reader) -> String {
        self.render(reader)
    }
}

impl<T: Arg + ?Sized> Arg for Box<T> {
    fn text(&self, reader: &Reader) -> String {
        (**self).text(reader)
    }
}

impl<T: Arg> Arg for Vec<T> {
    /// A list, joined as the language joins lists.
    fn text(&self, reader: &Reader) -> String {
        let sep = match reader.locale {
            Locale::ZhCn => "、",
            Locale::En => ", ",
        };
        self.iter().map(|v| v.text(reader)).collect::<Vec<_>>().join(sep)
    }
}

/// A name kept in both languages by whoever named it (a department's), read
/// in the reader's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub zh: String,
    pub en: String,
}

impl Arg for Named {
    fn text(&self, reader: &Reader) -> String {
        match reader.locale {
            Locale::ZhCn => self.zh.clone(),
            Locale::En => self.en.clone(),
        }
    }
}

/// An amount of money in fen, read as yuan: `¥1,234,567.00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Yuan(pub i64);

impl Arg for Yuan {
    fn text(&self, _: &Reader) -> String {
        yuan(self.0)
    }
}

/// An amount of money in fen as prose reads it: in Chinese in 万元 from
/// ¥10,000 up (`123.46万元`), else as [`Yuan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub i64);

impl Arg for Amount {
    fn text(&self, reader: &Reader) -> String {
        match reader.locale {
            Locale::ZhCn if self.0.unsigned_abs() >= 1_000_000 => wan_yuan(self.0),
            _ => yuan(self.0),
        }
    }
}

/// A rate given in thousandths, read as a percentage with one decimal
/// (`755` → `75.5%`); `—` when there is no rate (nothing to measure against).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percent(pub Option<i64>);

impl Arg for Percent {
    fn text(&self, _: &Reader) -> String {
        match self.0 {
            Some(permille) => {
                let sign = if permille < 0 { "-" } else { "" };
                let p = permille.unsigned_abs();
                format!("{sign}{}.{}%", p / 10, p % 10)
            }
            None => "—".to_owned(),
        }
    }
}

/// Messages one per line, as a notification's body lists figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Lines(pub Vec<Msg>);

impl Arg for Lines {
    fn text(&self, reader: &Reader) -> String {
        self.0.iter().map(|m| m.render(reader)).collect::<Vec<_>>().join("\n")
    }
}

/// An instant, read in the business time zone to the minute:
/// `2026年11月30日 09:15` / `2026-11-30 09:15`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At(pub DateTime<Utc>);

impl Arg for At {
    fn text(&self, reader: &Reader) -> String {
        let local = self.0.with_timezone(&reader.tz);
        match reader.locale {
            Locale::ZhCn => local.format("%Y年%-m月%-d日 %H:%M").to_string(),
            Locale::En => local.format("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

/// An instant as English texts have always shown it to API clients (RFC
/// 3339, UTC) and as Chinese texts show instants ([`At`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(pub DateTime<Utc>);

impl Arg for Stamp {
    fn text(&self, reader: &Reader) -> String {
        match reader.locale {
            Locale::ZhCn => At(self.0).text(reader),
            Locale::En => self.0.to_rfc3339(),
        }
    }
}

/// `fen` as yuan with thousands separators and two decimals: `¥1,234,567.00`,
/// `-¥0.05`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    format!("{sign}¥{}.{:02}", thousands(fen / 100), fen % 100)
}

/// `fen` in 万元 rounded half away from zero to two decimals: `123.46万元`.
pub fn wan_yuan(fen: i64) -> String {
    // 1万元 is 1,000,000 fen; hundredths of 万元 are 10,000 fen.
    let hundredths = (u128::from(fen.unsigned_abs()) + 5_000) / 10_000;
    let sign = if fen < 0 && hundredths > 0 { "-" } else { "" };
    format!("{sign}{}.{:02}万元", thousands_u128(hundredths / 100), hundredths % 100)
}

/// A whole number with `,` between groups of three digits.
pub fn thousands(n: u64) -> String {
    thousands_u128(u128::from(n))
}

fn thousands_u128(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_of_our_languages() {
        for (header, expected) in [
            ("zh-CN,zh;q=0.9,en;q=0.8", Some(Locale::ZhCn)),
            ("en-US,en;q=0.9", Some(Locale::En)),
            ("fr-FR, en;q=0.5, zh;q=0.7", Some(Locale::ZhCn)),
            ("zh;q=0.5, en;q=0.5", Some(Locale::ZhCn)),
            ("en;q=0.5, zh;q=0.5", Some(Locale::En)),
            ("zh-Hans-CN", Some(Locale::ZhCn)),
            ("zh-TW", Some(Locale::ZhCn)),
            ("EN", Some(Locale::En)),
            ("*", Some(Locale::ZhCn)),
            ("en;q=0", None),
            ("fr, de", None),
            ("", None),
            ("en;q=oops, zh;q=0.1", Some(Locale::ZhCn)),
        ] {
            assert_eq!(Locale::from_accept_language(header), expected, "{header:?}");
        }
    }

    #[test]
    fn a_locale_is_read_back_from_its_tag_only() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
        assert_eq!(Locale::from_tag("zh"), None);
        assert_eq!(Locale::from_tag("EN"), None);
    }

    #[test]
    fn money_reads_as_yuan_with_separators_and_as_wan_in_chinese_prose() {
        for (fen, as_yuan, as_wan) in [
            (0, "¥0.00", "0.00万元"),
            (5, "¥0.05", "0.00万元"),
            (-5, "-¥0.05", "0.00万元"),
            (123_456_700, "¥1,234,567.00", "123.46万元"),
            (1_000_000, "¥10,000.00", "1.00万元"),
            (99_999_999, "¥999,999.99", "100.00万元"),
            (i64::MAX, "¥92,233,720,368,547,758.07", "9,223,372,036,854.78万元"),
            (i64::MIN, "-¥92,233,720,368,547,758.08", "-9,223,372,036,854.78万元"),
        ] {
            assert_eq!(yuan(fen), as_yuan, "{fen}");
            assert_eq!(wan_yuan(fen), as_wan, "{fen}");
        }
        let zh = Reader::new(Locale::ZhCn, chrono_tz::Asia::Shanghai);
        let en = Reader::new(Locale::En, chrono_tz::Asia::Shanghai);
        assert_eq!(Amount(123_456_700).text(&zh), "123.46万元");
        assert_eq!(Amount(999_999).text(&zh), "¥9,999.99");
        assert_eq!(Amount(123_456_700).text(&en), "¥1,234,567.00");
    }

    #[test]
    fn instants_read_in_the_business_time_zone() {
        let at = At("2026-11-30T01:15:00Z".parse().expect("instant"));
        let zh = Reader::new(Locale::ZhCn, chrono_tz::Asia::Shanghai);
        let en = Reader::new(Locale::En, chrono_tz::Asia::Shanghai);
        assert_eq!(at.text(&zh), "2026年11月30日 09:15");
        assert_eq!(at.text(&en), "2026-11-30 09:15");
        let ny = Reader::new(Locale::En, chrono_tz::America::New_York);
        assert_eq!(at.text(&ny), "2026-11-29 20:15");
    }

    #[test]
    fn permille_reads_as_a_percentage_with_one_decimal() {
        let reader = Reader::default();
        for (permille, text) in [
            (Some(755), "75.5%"),
            (Some(1000), "100.0%"),
            (Some(0), "0.0%"),
            (Some(1250), "125.0%"),
            (None, "—"),
        ] {
            assert_eq!(Percent(permille).text(&reader), text);
        }
    }

    #[test]
    fn lists_join_as_each_language_joins_them() {
        let values = vec!["new", "contacted"];
        assert_eq!(values.text(&Reader::new(Locale::ZhCn, Tz::UTC)), "new、contacted");
        assert_eq!(values.text(&Reader::new(Locale::En, Tz::UTC)), "new, contacted");
    }
}
