//! A string that never shows itself in `Debug` or `Display` output, for
//! passwords, signing keys and URLs that may carry credentials.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret value; read it with [`Secret::expose`], where the reading is visible in review.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself: call only where it must leave the process (a hash, a signature, a connection).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        lenient_string(deserializer).map(Secret)
    }
}

/// Reads a string, also from a number or boolean: environment variables
/// arrive typed by their look, and `ESTATEFLOW_ADMIN_PASSWORD=1234567890`
/// is still a password.
pub fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct Scalar;

    impl serde::de::Visitor<'_> for Scalar {
        type Value = String;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }

        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_char<E: serde::de::Error>(self, v: char) -> Result<String, E> {
            Ok(v.to_string())
        }
    }

    deserializer.deserialize_any(Scalar)
}

/// Serialises as the redaction marker, so dumping settings never leaks a secret.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("[redacted]")
    }
}

/// A connection URL whose password is hidden when printed: `postgres://app:***@db/estateflow`.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionUrl(Secret);

impl ConnectionUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(Secret::new(url))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The URL with any password replaced by `***`, safe for logs.
    pub fn redacted(&self) -> String {
        let url = self.0.expose();
        let Some(scheme_end) = url.find("://") else {
            return url.to_owned();
        };
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find('/').unwrap_or(rest.len());
        match rest[..authority_end].rfind('@') {
            Some(at) => {
                let userinfo = &rest[..at];
                let user = userinfo.split(':').next().unwrap_or_default();
                let masked = if userinfo.contains(':') {
                    format!("{user}:***")
                } else {
                    user.to_owned()
                };
                format!("{}://{masked}{}", &url[..scheme_end], &rest[at..])
            }
            None => url.to_owned(),
        }
    }
}

impl fmt::Debug for ConnectionUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for ConnectionUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for ConnectionUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        lenient_string(deserializer).map(ConnectionUrl::new)
    }
}

impl Serialize for ConnectionUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug_and_display() {
        let secret = Secret::new("hunter2-hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{secret}").contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2-hunter2");
    }

    #[test]
    fn connection_urls_hide_only_the_password() {
        let cases = [
            ("postgres://app:s3cret@db:5432/ef", "postgres://app:***@db:5432/ef"),
            ("redis://:s3cret@cache:6379/0", "redis://:***@cache:6379/0"),
            ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379"),
            ("postgres://app@db/ef", "postgres://app@db/ef"),
            ("sqlite://estateflow.db?mode=rwc", "sqlite://estateflow.db?mode=rwc"),
        ];
        for (url, shown) in cases {
            let url = ConnectionUrl::new(url);
            assert_eq!(url.redacted(), shown);
            assert!(!format!("{url:?}").contains("s3cret"));
        }
    }
}
