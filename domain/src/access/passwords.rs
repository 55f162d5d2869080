//! Password hashing, argon2id with the default parameters (19 MiB, 2
//! passes), kept off the async threads: at most a few hashes run at once on
//! the blocking pool, each in a memory area allocated once and reused. So a
//! burst of sign-ins neither stalls other requests nor leaves the process
//! holding a freed 19 MiB area per thread that ever hashed.

use std::sync::{LazyLock, Mutex};

use argon2::{
    ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version,
    password_hash::{Output, ParamsString, PasswordHash, SaltString},
};
use rand::Rng;
use tokio::sync::Semaphore;

use crate::{platform::error::DomainError, platform::secret::Secret};

/// Hashes that may run at once.
fn lanes() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

struct Pool {
    permits: Semaphore,
    /// Idle memory areas; at most `lanes()` exist.
    areas: Mutex<Vec<Vec<Block>>>,
}

static POOL: LazyLock<Pool> = LazyLock::new(|| Pool {
    permits: Semaphore::new(lanes()),
    areas: Mutex::new(Vec::new()),
});

/// Runs `work` with a memory area of at least `blocks` blocks, on the
/// blocking pool, once a lane is free.
async fn with_area<T: Send + 'static>(
    blocks: usize,
    work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
) -> Result<T, DomainError> {
    let permit = POOL
        .permits
        .acquire()
        .await
        .map_err(|e| DomainError::Internal(format!("password hashing closed: {e}")))?;
    let result = tokio::task::spawn_blocking(move || {
        let taken = POOL.areas.lock().map(|mut areas| areas.pop()).unwrap_or(None);
        let mut area = taken.unwrap_or_default();
        if area.len() < blocks {
            area.resize(blocks, Block::default());
        }
        let result = work(&mut area);
        // Areas of unusual (stored) parameters are not kept.
        if area.len() == Params::DEFAULT.block_count()
            && let Ok(mut areas) = POOL.areas.lock()
        {
            areas.push(area);
        }
        result
    })
    .await
    .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")));
    drop(permit);
    result
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`.
pub async fn hash(password: &Secret) -> Result<String, DomainError> {
    let password = password.clone();
    let salt_bytes: [u8; 16] = rand::rng().random();
    let internal = |what: &str, e: &dyn std::fmt::Display| DomainError::Internal(format!("{what}: {e}"));
    let out = with_area(Params::DEFAULT.block_count(), move |area| {
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        Argon2::default()
            .hash_password_into_with_memory(password.expose().as_bytes(), &salt_bytes, &mut out, area)
            .map(|()| out)
    })
    .await?
    .map_err(|e| internal("password hashing failed", &e))?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| internal("password salt encoding failed", &e))?;
    let phc = PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&Params::DEFAULT).map_err(|e| internal("password parameters", &e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| internal("password hash output", &e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored` (any argon2 variant,
/// version and parameters); false for anything unreadable.
pub async fn verify(password: &Secret, stored: &str) -> bool {
    let Some((argon, salt, expected)) = parse(stored) else {
        return false;
    };
    let blocks = argon.params().block_count();
    let password = password.clone();
    let computed = with_area(blocks, move |area| {
        let mut out = vec![0u8; expected.len()];
        argon
            .hash_password_into_with_memory(password.expose().as_bytes(), &salt, &mut out, area)
            .ok()
            .and_then(|()| Output::new(&out).ok())
            .zip(Output::new(&expected).ok())
            // Output compares in constant time.
            .is_some_and(|(computed, expected)| computed == expected)
    })
    .await;
    computed.unwrap_or(false)
}

/// The hasher, salt and expected output a PHC string describes.
fn parse(stored: &str) -> Option<(Argon2<'static>, Vec<u8>, Vec<u8>)> {
    let phc = PasswordHash::new(stored).ok()?;
    let algorithm = Algorithm::try_from(phc.algorithm).ok()?;
    let version = phc.version.map_or(Ok(Version::default()), Version::try_from).ok()?;
    let params = Params::try_from(&phc).ok()?;
    let mut salt = [0u8; 64];
    let salt = phc.salt?.decode_b64(&mut salt).ok()?.to_vec();
    let expected = phc.hash?.as_bytes().to_vec();
    Some((Argon2::new(algorithm, version, params), salt, expected))
}

#[cfg(test)]
mod tests {
    use argon2::PasswordHasher;

    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash(&Secret::new("correct horse battery")).await.expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify(&Secret::new("correct horse battery"), &hash).await);
        assert!(!verify(&Secret::new("wrong horse battery"), &hash).await);
        assert!(!verify(&Secret::new("x"), "not a hash").await);
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_itself_verify_whatever_their_parameters() {
        let salt = SaltString::encode_b64(b"some salt 16 byt").expect("salt");
        let light = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).expect("params"),
        );
        for argon in [Argon2::default(), light] {
            let stored = argon
                .hash_password(b"correct horse battery", &salt)
                .expect("hash")
                .to_string();
            assert!(verify(&Secret::new("correct horse battery"), &stored).await, "{stored}");
            assert!(
                !verify(&Secret::new("correct horse batterY"), &stored).await,
                "{stored}"
            );
        }
    }
}
