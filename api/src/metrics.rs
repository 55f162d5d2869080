//! Prometheus metrics of the HTTP layer: requests by method, route template
//! and status, and a latency histogram. Served as text at `/metrics`, with
//! the queue depths read at scrape time and the job metrics of workers
//! running in this process.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder, core::Collector,
    proto::MetricFamily,
};

#[derive(Debug, Clone)]
pub struct HttpMetrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
}

impl HttpMetrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("estateflow".to_owned()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route template and status",
            ),
            &["method", "route", "status"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by method and route template",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        Ok(Self {
            registry,
            requests,
            duration,
        })
    }

    /// Records one finished request. `route` is the matched template
    /// (`/api/v1/x/{id}`), never the raw path, so label values stay bounded.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.duration.with_label_values(&[method, route]).observe(seconds);
    }

    /// The registry the other components add their metrics to.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Everything registered and `extra`, in the Prometheus text format.
    pub fn render(&self, extra: Vec<MetricFamily>) -> Result<String, prometheus::Error> {
        let mut families = self.registry.gather();
        families.extend(extra);
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&families, &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// `estateflow_queue_jobs{queue, state}` from counts taken now.
pub fn queue_depths(counts: &[(&str, queue::inspect::QueueCounts)]) -> Result<Vec<MetricFamily>, prometheus::Error> {
    let gauge = IntGaugeVec::new(
        Opts::new("queue_jobs", "Jobs in each queue by state, counted at scrape time").namespace("estateflow"),
        &["queue", "state"],
    )?;
    for (queue, counts) in counts {
        for state in queue::inspect::JobState::ALL {
            gauge
                .with_label_values(&[*queue, state.as_str()])
                .set(i64::try_from(counts.get(state)).unwrap_or(i64::MAX));
        }
    }
    Ok(gauge.collect())
}
