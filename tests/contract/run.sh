#!/usr/bin/env bash
# Contract test: starts `estateflow serve --demo` on a fresh database, fuzzes
# every operation of docs/openapi.json with Schemathesis (fixed seed, bounded
# examples per operation; settings in schemathesis.toml, sign-in in hooks.py)
# and fails on any 5xx and on any answer the document does not describe.
#
#   tests/contract/run.sh                      # embedded mode: a SQLite file in a temp dir
#   tests/contract/run.sh --database-url postgres://postgres@127.0.0.1:5432/postgres \
#                         --redis-url redis://127.0.0.1:6379
#                                              # production mode: a fresh database, a fresh Redis namespace
#
# Environment: ESTATEFLOW_BIN (default target/debug/estateflow, built if
# missing), SCHEMATHESIS (default: `schemathesis` on PATH, installed with pip
# at the pinned version if absent), CONTRACT_MAX_EXAMPLES (default from
# schemathesis.toml). Prints the counts at the end; exits non-zero on a finding.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
HYPOTHESIS_VERSION=6.170.17
here=tests/contract
database_url=
redis_url=
while [ $# -gt 0 ]; do
  case "$1" in
    --database-url) database_url=$2; shift 2 ;;
    --redis-url) redis_url=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

schemathesis=${SCHEMATHESIS:-schemathesis}
if ! "$schemathesis" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
  python3 -m pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" "hypothesis==$HYPOTHESIS_VERSION"
  schemathesis=schemathesis
fi

bin=${ESTATEFLOW_BIN:-target/debug/estateflow}
[ -x "$bin" ] || cargo build --locked --bin estateflow

work=$(mktemp -d)
server_pid=
created_db=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$created_db" ]; then
    psql "$database_url" -qc "DROP DATABASE IF EXISTS $created_db WITH (FORCE)" >/dev/null || true
    redis-cli -u "$redis_url" --scan --pattern "$created_db*" | xargs -r redis-cli -u "$redis_url" del >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base_url=http://127.0.0.1:$port
admin_email=contract-admin@example.com
admin_password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')

if [ -n "$database_url" ]; then
  [ -n "$redis_url" ] || { echo "--database-url postgres://… needs --redis-url" >&2; exit 2; }
  created_db=estateflow_contract_$$
  psql "$database_url" -qc "CREATE DATABASE $created_db" >/dev/null
  export ESTATEFLOW_DATABASE_URL=${database_url%/*}/$created_db
  export ESTATEFLOW_REDIS_URL=$redis_url
  export ESTATEFLOW_REDIS_NAMESPACE=$created_db
  export ESTATEFLOW_JWT_SECRET
  ESTATEFLOW_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  "$bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
  mode="production (PostgreSQL + Redis)"
else
  export ESTATEFLOW_DATABASE_URL=sqlite://$work/estateflow.db
  mode="embedded (SQLite)"
fi

# The fuzzer signs in wrongly on purpose (POST /api/v1/auth/token with made-up
# e-mails and passwords), all from 127.0.0.1: lift the sign-in throttle so
# that it cannot lock out the run's own sign-ins. Throttling has its own tests.
ESTATEFLOW_BIND=127.0.0.1:$port \
ESTATEFLOW_ADMIN_EMAIL=$admin_email \
ESTATEFLOW_ADMIN_PASSWORD=$admin_password \
ESTATEFLOW_LOGIN_MAX_FAILURES_PER_ACCOUNT=1000000 \
ESTATEFLOW_LOGIN_MAX_FAILURES_PER_ADDRESS=1000000 \
ESTATEFLOW_LOG=warn \
  "$bin" serve --demo >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "$base_url/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "$base_url/readyz" >/dev/null

requests_sent() {
  curl -fsS "$base_url/metrics" | awk '/^estateflow_http_requests_total/ {n += $NF} END {print n + 0}'
}
before=$(requests_sent)

echo "contract test: $mode, server at $base_url"
status=0
CONTRACT_BASE_URL=$base_url \
CONTRACT_ADMIN_EMAIL=$admin_email \
CONTRACT_ADMIN_PASSWORD=$admin_password \
PYTHONPATH=$here${PYTHONPATH:+:$PYTHONPATH} \
SCHEMATHESIS_HOOKS=hooks \
  "$schemathesis" --config-file "$here/schemathesis.toml" run docs/openapi.json \
    --url "$base_url" ${CONTRACT_MAX_EXAMPLES:+--max-examples "$CONTRACT_MAX_EXAMPLES"} \
    --report junit --report-dir "$work/report" \
    | tee "$work/schemathesis.log" || status=$?

after=$(requests_sent)
if grep -q 'panicked' "$work/server.log"; then
  echo "the server panicked during the run:" >&2
  grep -A3 'panicked' "$work/server.log" | head -20 >&2
  status=1
fi
operations=$(sed -nE 's/^ *Tested: ([0-9]+).*/\1/p' "$work/schemathesis.log" | tail -n 1)
failures=$(sed -nE 's/^=+ ([0-9]+) failures?.*/\1/p' "$work/schemathesis.log" | tail -n 1)
errors=$(sed -nE 's/^=+ (.* )?([0-9]+) errors?.*/\2/p' "$work/schemathesis.log" | tail -n 1)
echo "contract test ($mode): ${operations:-?} operations, $((after - before)) requests, ${failures:-0} failures, ${errors:-0} errors"
exit "$status"
