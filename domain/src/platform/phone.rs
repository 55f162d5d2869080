//! Phone numbers, parsed once where they enter (parse, don't validate): a
//! mainland mobile (11 digits from 13–19, with an optional +86, 0086 or 86
//! before it), a mainland landline with its area code (0, a 2–3 digit area
//! code, 7–8 digits, and an optional extension after 转, ext, x or #), or an
//! international number (+ or 00, the country code and 6–14 digits).
//! Spaces, dashes, dots and brackets may separate the groups.
//!
//! A number has two forms: what the person wrote (trimmed), which is what
//! people are shown, and its key, an E.164 form (`+8613800138000`,
//! `+861055556666;ext=8001`) by which duplicates are found and searches
//! match, however the number was written.
//!
//! This file uses only `std`: the migration that recomputes stored keys
//! compiles it too (`#[path]`), so there is one parser.

use std::fmt;

/// Longest number accepted as written, in characters (the column's width).
pub const MAX_LEN: usize = 32;

/// A phone number that parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    written: String,
    key: String,
}

/// Why a text is not a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Longer than [`MAX_LEN`] characters.
    TooLong,
    /// Not a mainland mobile, a landline with its area code, or an international number.
    NotAPhoneNumber,
}

impl Phone {
    /// `text` as a phone number.
    pub fn parse(text: &str) -> Result<Phone, PhoneError> {
        let written = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if written.chars().count() > MAX_LEN {
            return Err(PhoneError::TooLong);
        }
        let key = key_of(&written).ok_or(PhoneError::NotAPhoneNumber)?;
        Ok(Phone { written, key })
    }

    /// The number as written (trimmed, inner spaces collapsed).
    pub fn as_written(&self) -> &str {
        &self.written
    }

    /// The E.164 key: the same number however it was written.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

/// The number and its extension, if it has one after 转, ext, x or #.
fn split_extension(text: &str) -> (&str, Option<&str>) {
    let lower = text.to_ascii_lowercase();
    for marker in ["转", "ext.", "ext", "x", "#"] {
        if let Some(at) = lower.find(marker) {
            return (&text[..at], Some(text[at + marker.len()..].trim()));
        }
    }
    (text, None)
}

fn is_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// A landline without its trunk 0: a 2–3 digit area code (not starting
/// with 0) and 7–8 digits.
fn is_landline(national: &str) -> bool {
    national.len() >= 9 && national.len() <= 11 && !national.starts_with('0') && !national.starts_with('1')
        || national.len() == 10 && national.starts_with("10")
}

fn key_of(text: &str) -> Option<String> {
    let (number, extension) = split_extension(text);
    let extension = match extension {
        Some(e) if e.is_empty() || e.len() > 6 || !e.bytes().all(|b| b.is_ascii_digit()) => return None,
        e => e,
    };
    let number = number.trim();
    let (international, rest) = match number.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    if !rest.chars().all(|c| c.is_ascii_digit() || " -.()".contains(c)) {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let (international, digits) = match digits.strip_prefix("00") {
        Some(d) if !international => (true, d.to_owned()),
        _ => (international, digits),
    };
    let national = if international {
        match digits.strip_prefix("86") {
            Some(n) => n.strip_prefix('0').unwrap_or(n).to_owned(),
            // Another country: its code and 6–14 digits; no extension.
            None if (7..=15).contains(&digits.len()) && !digits.starts_with('0') && extension.is_none() => {
                return Some(format!("+{digits}"));
            }
            None => return None,
        }
    } else if is_mobile(&digits) {
        digits
    } else if let Some(n) = digits.strip_prefix("86").filter(|n| is_mobile(n)) {
        n.to_owned()
    } else if let Some(n) = digits.strip_prefix('0') {
        n.to_owned()
    } else {
        return None;
    };
    if is_mobile(&national) && extension.is_none() {
        return Some(format!("+86{national}"));
    }
    if !is_landline(&national) {
        return None;
    }
    Some(match extension {
        Some(e) => format!("+86{national};ext={e}"),
        None => format!("+86{national}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_to_their_key_or_are_refused() {
        let cases: &[(&str, Option<&str>)] = &[
            // mainland mobiles, however written
            ("13800138000", Some("+8613800138000")),
            ("138-0013-8000", Some("+8613800138000")),
            ("138 0013 8000", Some("+8613800138000")),
            ("  13800138000 ", Some("+8613800138000")),
            ("+86 138 0013 8000", Some("+8613800138000")),
            ("+86-13800138000", Some("+8613800138000")),
            ("008613800138000", Some("+8613800138000")),
            ("0086 138 0013 8000", Some("+8613800138000")),
            ("8613800138000", Some("+8613800138000")),
            ("19912345678", Some("+8619912345678")),
            // landlines with their area code
            ("010-55556666", Some("+861055556666")),
            ("(010) 5555 6666", Some("+861055556666")),
            ("021-5555666", Some("+86215555666")),
            ("0755-8888 6666", Some("+8675588886666")),
            ("0571-8888666", Some("+865718888666")),
            ("+86 10 5555 6666", Some("+861055556666")),
            ("+86 (0)10 5555 6666", Some("+861055556666")),
            ("010-55556666转8001", Some("+861055556666;ext=8001")),
            ("010-55556666 ext 8001", Some("+861055556666;ext=8001")),
            ("010-55556666 x12", Some("+861055556666;ext=12")),
            ("010-55556666#12", Some("+861055556666;ext=12")),
            // international
            ("+44 20 7946 0958", Some("+442079460958")),
            ("+1 (415) 555-0132", Some("+14155550132")),
            ("0044 20 7946 0958", Some("+442079460958")),
            ("+852 9123 4567", Some("+85291234567")),
            // refused
            ("12345", None),
            ("", None),
            ("   ", None),
            ("12800138000", None),
            ("1380013800", None),
            ("138001380001", None),
            ("5555 6666", None),
            ("010-555", None),
            ("0-55556666", None),
            ("+1 23", None),
            ("+1234567890123456", None),
            ("138OO138000", None),
            ("phone: 13800138000", None),
            ("13800138000 ext 1", None),
            ("010-55556666 ext", None),
            ("010-55556666 ext 1234567", None),
            ("+44 20 7946 0958 x1", None),
            ("++8613800138000", None),
        ];
        for (text, key) in cases {
            let parsed = Phone::parse(text).ok();
            assert_eq!(parsed.as_ref().map(Phone::key), *key, "{text:?}");
        }
    }

    #[test]
    fn a_number_keeps_how_it_was_written() {
        let phone = Phone::parse("  138-0013   8000 ").expect("a mobile");
        assert_eq!(phone.as_written(), "138-0013 8000");
        assert_eq!(phone.to_string(), "138-0013 8000");
    }

    #[test]
    fn a_number_longer_than_the_column_is_refused_as_too_long() {
        assert_eq!(Phone::parse(&"1".repeat(33)), Err(PhoneError::TooLong));
    }
}
