# Multi-stage build of the `estateflow` binary; the runtime image holds the
# binary, CA certificates and curl (for health checks), and runs as an
# unprivileged user.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p estateflow --bin estateflow

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/estateflow --create-home estateflow
COPY --from=build /src/target/release/estateflow /usr/local/bin/estateflow
USER estateflow:estateflow
WORKDIR /var/lib/estateflow
ENV ESTATEFLOW_BIND=0.0.0.0:8080 \
    ESTATEFLOW_LOG_FORMAT=json
# 8080: the API (serve, api); 9090: a worker's probes and metrics (ESTATEFLOW_WORKER_BIND).
EXPOSE 8080 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD curl -fsS http://127.0.0.1:8080/healthz >/dev/null || exit 1
ENTRYPOINT ["estateflow"]
CMD ["serve"]
