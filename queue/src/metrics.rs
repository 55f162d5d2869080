//! Prometheus metrics of the job handlers: jobs processed and failed by
//! queue, how long they ran, timer lag and SLA breaches. The worker records
//! them; one registry per process, which the API's `/metrics` includes when
//! the workers run in the same process (`estateflow serve`).

use std::sync::LazyLock;

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, proto::MetricFamily};

struct JobMetrics {
    registry: Registry,
    processed: IntCounterVec,
    failed: IntCounterVec,
    duration: HistogramVec,
    timer_lag: HistogramVec,
    breaches: IntCounterVec,
}

fn build() -> Result<JobMetrics, prometheus::Error> {
    let registry = Registry::new_custom(Some("estateflow".to_owned()), None)?;
    let processed = IntCounterVec::new(
        Opts::new("jobs_processed_total", "Jobs whose handler ran, by queue"),
        &["queue"],
    )?;
    let failed = IntCounterVec::new(
        Opts::new(
            "jobs_failed_total",
            "Jobs whose handler failed, by queue and kind (transient or permanent)",
        ),
        &["queue", "kind"],
    )?;
    let duration = HistogramVec::new(
        HistogramOpts::new("job_duration_seconds", "How long job handlers ran, by queue").buckets(vec![
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
        ]),
        &["queue"],
    )?;
    let timer_lag = HistogramVec::new(
        HistogramOpts::new("timer_lag_seconds", "Fire time minus due time of timers, by kind")
            .buckets(vec![0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0]),
        &["kind"],
    )?;
    let breaches = IntCounterVec::new(
        Opts::new("sla_breaches_total", "SLA breaches recorded, by kind"),
        &["kind"],
    )?;
    registry.register(Box::new(timer_lag.clone()))?;
    registry.register(Box::new(breaches.clone()))?;
    registry.register(Box::new(processed.clone()))?;
    registry.register(Box::new(failed.clone()))?;
    registry.register(Box::new(duration.clone()))?;
    Ok(JobMetrics {
        registry,
        processed,
        failed,
        duration,
        timer_lag,
        breaches,
    })
}

static METRICS: LazyLock<Option<JobMetrics>> = LazyLock::new(|| {
    build()
        .map_err(|e| tracing::error!(error = %e, "job metrics unavailable"))
        .ok()
});

/// Records one run of a handler of `queue`; `failure` is `transient` or `permanent`.
pub fn observe(queue: &str, seconds: f64, failure: Option<&str>) {
    if let Some(metrics) = METRICS.as_ref() {
        metrics.processed.with_label_values(&[queue]).inc();
        metrics.duration.with_label_values(&[queue]).observe(seconds);
        if let Some(kind) = failure {
            metrics.failed.with_label_values(&[queue, kind]).inc();
        }
    }
}

/// Records a timer that fired `lag_seconds` after its due time with `outcome`.
pub fn observe_timer(kind: &str, outcome: &str, lag_seconds: f64) {
    if let Some(metrics) = METRICS.as_ref() {
        metrics
            .timer_lag
            .with_label_values(&[kind])
            .observe(lag_seconds.max(0.0));
        if outcome == "breached" {
            metrics.breaches.with_label_values(&[kind]).inc();
        }
    }
}

/// Everything recorded in this process, for a `/metrics` endpoint.
pub fn gather() -> Vec<MetricFamily> {
    METRICS.as_ref().map(|m| m.registry.gather()).unwrap_or_default()
}
