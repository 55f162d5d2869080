//! Webhook delivery attempts: claim the attempt's timer (scheduling the
//! next one as a guard, see `domain::outbox::webhooks::deliveries`), POST the signed event, then
//! record what the receiver answered. Only the call that claims the timer
//! sends, so a redelivered job sends nothing. Receivers are reached over
//! http or https, on public addresses only unless the settings allow
//! private networks (names are judged by what they resolve to).

use std::{net::SocketAddr, time::Instant};

use chrono::Utc;
use domain::outbox::webhooks::{
    deliveries::{self, Attempt, Failure, Outcome},
    destinations::{self, Destinations},
    signing,
};
use domain::platform::text::Msg;
use rustls::pki_types::{CertificateDer, pem::PemObject};
use uuid::Uuid;

use super::{JobContext, JobError};

/// Makes the attempts whose timers are `timer_ids`: claimed together, sent
/// at the same time, recorded together.
pub async fn deliver(ctx: &JobContext, timer_ids: &[Uuid]) -> Result<(), JobError> {
    let base = ctx.settings.webhook_retry_base_secs;
    let attempts = deliveries::begin_attempts(&ctx.db, timer_ids, &ctx.instance, base).await?;
    let outcomes = futures::future::join_all(
        attempts
            .iter()
            .map(|attempt| async move { (attempt, ctx.webhooks.send(attempt).await) }),
    )
    .await;
    let statuses = deliveries::record_attempts(&ctx.db, outcomes, base).await?;
    for (attempt, status) in attempts.iter().zip(statuses) {
        tracing::info!(delivery = %attempt.delivery_id, attempt = attempt.number, %status, "webhook attempt");
    }
    Ok(())
}

/// The HTTP client of deliveries, built once per process from the settings.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    destinations: Destinations,
    /// Requests in flight from this process, at most [`MAX_IN_FLIGHT`].
    in_flight: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Most webhook requests one worker process has open at once: jobs of 50
/// attempts run side by side, and receivers should not see thousands of
/// connections from one sender (nor the worker hold their buffers).
const MAX_IN_FLIGHT: usize = 256;

impl Sender {
    /// Trusts the system's certificate authorities, or Mozilla's built in
    /// where the system has none, and those of `ESTATEFLOW_WEBHOOK_CA_FILE`.
    /// Fails on a CA file that cannot be read or holds no certificate.
    pub fn new(settings: &domain::Settings) -> Result<Self, String> {
        crate::install_crypto();
        let destinations = Destinations::of(settings);
        let base = || {
            let timeout = std::time::Duration::from_secs(deliveries::REQUEST_TIMEOUT_SECS.unsigned_abs());
            let builder = reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("EstateFlow-Webhooks/", env!("CARGO_PKG_VERSION")));
            match destinations {
                Destinations::Public => builder.dns_resolver(PublicAddresses),
                Destinations::Any => builder,
            }
        };
        let extra = match &settings.webhook_ca_file {
            Some(file) => Some(read_authorities(file)?),
            None => None,
        };
        let mut system = base();
        for certificate in extra.iter().flatten() {
            let certificate = reqwest::Certificate::from_der(certificate)
                .map_err(|e| format!("a certificate of ESTATEFLOW_WEBHOOK_CA_FILE is unusable: {e}"))?;
            system = system.add_root_certificate(certificate);
        }
        let client = match system.build() {
            Ok(client) => client,
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "webhooks: no usable system certificate authorities; trusting Mozilla's built in"
                );
                base()
                    .tls_backend_preconfigured(bundled_authorities(extra.unwrap_or_default())?)
                    .build()
                    .map_err(|e| format!("cannot build the webhook HTTP client: {e}"))?
            }
        };
        Ok(Self {
            client,
            destinations,
            in_flight: std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
        })
    }

    /// POSTs the attempt when a turn is free; any answer or failure
    /// becomes an [`Outcome`], timed from the request's start.
    async fn send(&self, attempt: &Attempt) -> Outcome {
        // The semaphore is never closed; a closed one would mean no limit.
        let _turn = self.in_flight.acquire().await.ok();
        let started = Instant::now();
        let mut outcome = self.request(attempt).await;
        outcome.duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        outcome
    }

    async fn request(&self, attempt: &Attempt) -> Outcome {
        // The failure is a code, read in each reader's language; the cause
        // beside it is kept as the libraries word it, in English.
        let refused = url::Url::parse(&attempt.url)
            .map_err(|e| e.to_string())
            .and_then(|url| {
                self.destinations
                    .refuses(&url)
                    .map_or(Ok(()), |why| Err(why.to_string()))
            });
        if let Err(reason) = refused {
            return Outcome::failed(Failure::NotSent, Some(reason));
        }
        let client = &self.client;
        let timestamp = Utc::now().timestamp();
        let signature = signing::signature(&attempt.secret, timestamp, attempt.body.as_bytes());
        let request = client
            .post(&attempt.url)
            .header("Content-Type", "application/json")
            .header("X-EstateFlow-Event", &attempt.event)
            .header("X-EstateFlow-Delivery", attempt.delivery_id.to_string())
            .header("X-EstateFlow-Signature", signature)
            .body(attempt.body.clone());
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) if e.is_timeout() => return Outcome::failed(Failure::Timeout, None),
            Err(e) => return Outcome::failed(Failure::NoConnection, Some(describe(&e))),
        };
        let status = i32::from(response.status().as_u16());
        let mut body = Vec::new();
        let mut unreadable = None;
        while body.len() < deliveries::MAX_RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => {
                    unreadable = Some(describe(&e));
                    break;
                }
            }
        }
        body.truncate(deliveries::MAX_RESPONSE_BYTES);
        let failure = if unreadable.is_some() {
            Some(Failure::AnswerUnreadable)
        } else {
            (!(200..300).contains(&status)).then_some(Failure::Rejected)
        };
        Outcome {
            status_code: Some(status),
            failure,
            error: unreadable,
            response: Some(String::from_utf8_lossy(&body).into_owned()),
            duration_ms: 0,
        }
    }
}

/// The certificates of a PEM file, at least one.
fn read_authorities(file: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = std::fs::read(file).map_err(|e| format!("cannot read ESTATEFLOW_WEBHOOK_CA_FILE {file}: {e}"))?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("ESTATEFLOW_WEBHOOK_CA_FILE {file} is not PEM: {e}"))?;
    if certificates.is_empty() {
        return Err(format!("ESTATEFLOW_WEBHOOK_CA_FILE {file} holds no certificate"));
    }
    Ok(certificates)
}

/// TLS trusting Mozilla's root authorities (compiled in) and `extra`.
fn bundled_authorities(extra: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for certificate in extra {
        roots
            .add(certificate)
            .map_err(|e| format!("a certificate of ESTATEFLOW_WEBHOOK_CA_FILE is unusable: {e}"))?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Resolves names to their public addresses only, so that a receiver's
/// name cannot lead a delivery into the service's own network.
#[derive(Debug)]
struct PublicAddresses;

impl reqwest::dns::Resolve for PublicAddresses {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| destinations::is_public(addr.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} {}", Msg::PrivateDestination).into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The error with its causes (the TLS or DNS reason is in a source).
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", deliveries::REQUEST_TIMEOUT_SECS);
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use reqwest::dns::Resolve;

    use super::*;

    #[tokio::test]
    async fn names_that_resolve_only_to_private_addresses_lead_nowhere() {
        let name = "localhost".parse().expect("a name");
        let Err(error) = PublicAddresses.resolve(name).await else {
            panic!("localhost resolved to a public address");
        };
        assert!(error.to_string().contains("private"), "{error}");
    }
}
