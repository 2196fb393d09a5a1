#!/usr/bin/env bash
# Load benchmark of `crosswalk serve` with wrk on loopback (SQLite): the program dashboard at
# 64 connections on the demo program and on a 10,000-control program, then a mix with 10 %
# writes (control creations). Usage: bash bench/server.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
cargo build --release --locked -q
bin=target/release/crosswalk
dir="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT
port=18781

serve() {
  CROSSWALK_ADMIN_EMAIL=bench@example.com CROSSWALK_ADMIN_PASSWORD=bench-password-123 \
    "$bin" --db "$1" serve --addr "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.1; done
  echo "the server did not start"; cat "$dir/serve.log"; exit 1
}

run() { # label db
  serve "$2"
  local token
  token="$("$bin" --db "$2" token create --program main --role editor)"
  # The first request loads the program; the runs measure the server warm.
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/programs/main/dashboard" >/dev/null
  echo "== $1: GET dashboard, 64 connections, ${secs}s"
  wrk -t2 -c64 -d"${secs}s" --latency -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/programs/main/dashboard"
  echo "== $1: 90 % GET dashboard, 10 % POST controls, 64 connections, ${secs}s"
  TOKEN="$token" wrk -t2 -c64 -d"${secs}s" --latency -s bench/server_mix.lua \
    "http://127.0.0.1:$port"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

"$bin" --db "$dir/demo.db" demo >/dev/null
run "demo program (27 controls)" "$dir/demo.db"
"$bin" demo --db "$dir/scale.db" --scale 10000 >/dev/null
run "10,000 controls" "$dir/scale.db"
