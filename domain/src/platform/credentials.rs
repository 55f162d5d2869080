//! Opaque credentials: refresh tokens and API client secrets. They are
//! long random strings, so a SHA-256 is stored (not a slow password hash):
//! the database never holds a usable credential, and checking one is cheap.

use rand::{Rng, distr::Alphanumeric};
use sha2::{Digest, Sha256};

/// A random credential of `len` letters and digits (about 5.95 bits each).
pub fn generate(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// The stored form of a credential: lower-case hex SHA-256.
pub fn digest(credential: &str) -> String {
    let hash = Sha256::digest(credential.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two digests without leaking where they differ.
pub fn same_digest(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_stable_hex_and_compare_exactly() {
        let d = digest("abc");
        assert_eq!(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(same_digest(&d, &digest("abc")));
        assert!(!same_digest(&d, &digest("abd")));
        assert!(!same_digest(&d, "short"));
    }

    #[test]
    fn generated_credentials_differ() {
        let (a, b) = (generate(48), generate(48));
        assert_eq!(a.len(), 48);
        assert_ne!(a, b);
    }
}
