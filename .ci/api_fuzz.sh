#!/usr/bin/env bash
# schemathesis (PyPI) against /api/openapi.json of a served demo, with an owner's API
# token: fails on any 5xx or any response that breaks the documented schema.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q schemathesis >/dev/null 2>&1 || pip install -q schemathesis
cargo build --locked -q
bin="${CARGO_TARGET_DIR:-target}/debug/crosswalk"
dir="$(mktemp -d)"
port=18799
CROSSWALK_ADMIN_EMAIL=ci@example.com CROSSWALK_ADMIN_PASSWORD=ci-password-12345 \
  "$bin" --db "$dir/demo.db" serve --demo --addr "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$dir/serve.log"; exit 1; }
token="$("$bin" --db "$dir/demo.db" token create --program main --role owner)"
st --config-file .ci/schemathesis.toml run "http://127.0.0.1:$port/api/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance --max-examples 25
