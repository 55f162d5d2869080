//! The catalogue: every message a person reads, in Chinese and English side
//! by side. A message is a variant of [`Msg`]; its fields are the values it
//! carries, named in both templates as `{field}` and shown in the reader's
//! form ([`super::Arg`]). The words follow the glossary of the console
//! specification (线索 lead, 跟进 follow-up, 时限 deadline, …).

use super::{Arg, Locale, Reader};

/// Declares [`Msg`] with its two templates per message. The macro makes a
/// message without both languages a compile error; the tests below check
/// that both name the same fields.
macro_rules! catalogue {
    ($(
        $(#[$doc:meta])*
        $name:ident $({ $($field:ident : $ty:ty),* $(,)? })?
            => zh $zh:literal, en $en:literal;
    )*) => {
        /// A message a person reads; rendered for a [`Reader`] with [`Msg::render`].
        #[derive(Debug, Clone, PartialEq)]
        pub enum Msg {
            $( $(#[$doc])* $name $({ $($field: $ty),* })?, )*
        }

        impl Msg {
            /// The stable key of the message (its variant's name).
            pub fn key(&self) -> &'static str {
                match self {
                    $( Self::$name { .. } => stringify!($name), )*
                }
            }

            /// The message in the reader's language, its values in the reader's form.
            pub fn render(&self, reader: &Reader) -> String {
                match self {
                    $( Self::$name $({ $($field),* })? => {
                        $($( let $field = Arg::text($field, reader); )*)?
                        match reader.locale {
                            Locale::ZhCn => format!($zh),
                            Locale::En => format!($en),
                        }
                    } )*
                }
            }

            /// Key, Chinese and English template of every message.
            #[cfg(test)]
            pub(crate) const TEMPLATES: &'static [(&'static str, &'static str, &'static str)] =
                &[ $( (stringify!($name), $zh, $en), )* ];
        }
    };
}

catalogue! {
    // ------------------------------------------------------------ input
    /// A required field is missing.
    Required => zh "必填", en "is required";
    /// A value outside a closed list.
    OneOf { values: Vec<String> } => zh "必须是以下之一：{values}", en "must be one of {values}";
    /// Free text longer than its limit.
    AtMostChars { max: usize } => zh "最多 {max} 个字符", en "must be at most {max} characters";
    /// A reported time ahead of the clock.
    NotInFuture => zh "不能晚于当前时间", en "must not be in the future";
    /// A control character in text.
    ControlCharacter { code_point: String }
        => zh "不能包含控制字符（发现 {code_point}）；只允许制表符、换行符和回车符",
           en "must not contain control characters (found {code_point}); only tab, line feed and carriage return are allowed";

    // ------------------------------------------------------------ money
    /// An amount below zero.
    FenAtLeastZero => zh "必须是不小于 0 的整数（单位：分）", en "must be a whole number of fen of at least 0";
    /// A price of nothing.
    FenPositive => zh "必须是正数金额（单位：分）", en "must be a positive amount in fen";
    /// An amount above the ceiling.
    FenTooLarge => zh "不能超过 1000000000000 分（¥10,000,000,000）",
                   en "must be at most 1000000000000 fen (¥10,000,000,000)";
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The `{field}` names a template uses.
    fn fields(template: &str) -> BTreeSet<&str> {
        template
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_message_names_the_same_values_in_both_languages() {
        for (key, zh, en) in Msg::TEMPLATES {
            assert_eq!(fields(zh), fields(en), "{key}");
        }
    }

    #[test]
    fn every_message_is_written_in_chinese_and_in_english() {
        let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        for (key, zh, en) in Msg::TEMPLATES {
            assert!(zh.chars().any(han), "{key}: the Chinese text has no Chinese: {zh}");
            assert!(!en.chars().any(han), "{key}: the English text has Chinese: {en}");
            assert!(!en.trim().is_empty(), "{key}");
        }
    }

    #[test]
    fn a_message_renders_its_values_in_the_readers_form() {
        let zh = Reader::new(Locale::ZhCn, chrono_tz::Asia::Shanghai);
        let en = Reader::new(Locale::En, chrono_tz::Asia::Shanghai);
        let one_of = Msg::OneOf {
            values: vec!["new".to_owned(), "lost".to_owned()],
        };
        assert_eq!(one_of.render(&zh), "必须是以下之一：new、lost");
        assert_eq!(one_of.render(&en), "must be one of new, lost");
        assert_eq!(one_of.key(), "OneOf");
        assert_eq!(Msg::Required.render(&zh), "必填");
        assert_eq!(
            Msg::AtMostChars { max: 200 }.render(&en),
            "must be at most 200 characters"
        );
    }
}
