#!/usr/bin/env bash
# The web app under load (SQLite, loopback, release build): each page's server time on the
# demo program and on a 10,000-control program (best of 3 requests with curl, after one
# warm-up), then the dashboard page with wrk at 64 connections. Usage: bash bench/web.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
cargo build --release --locked -q
bin=target/release/crosswalk
dir="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT
port=18782
base="http://127.0.0.1:$port"

run() { # label db control framework
  CROSSWALK_ADMIN_EMAIL=bench@example.com CROSSWALK_ADMIN_PASSWORD=bench-password-123 \
    "$bin" --db "$2" serve --addr "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "$base/health" >/dev/null && break; sleep 0.1; done
  local csrf cookie
  csrf="$(curl -s -c "$dir/jar" "$base/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | sed 's/.*value="//; s/"//')"
  curl -s -b "$dir/jar" -c "$dir/jar" -o /dev/null \
    -d "email=bench@example.com&password=bench-password-123&csrf=$csrf" "$base/login"
  cookie="cw_session=$(grep cw_session "$dir/jar" | awk '{print $7}')"
  echo "== $1: server time per page (best of 3, ms)"
  for page in "" /frameworks "/frameworks/$4" "/frameworks/$4/requirements/A.5.1" /controls \
      "/controls/$3" /links /evidence /requests /plan /standards /audit /admin; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base/programs/main$page")
    [ "$code" = 200 ] || { echo "/programs/main$page answered $code"; exit 1; }
    best=$(for _ in 1 2 3; do
      curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "$base/programs/main$page"
    done | sort -n | head -1)
    printf '%-45s %6.1f\n' "/programs/main$page" "$(echo "$best * 1000" | bc -l)"
  done
  echo "== $1: GET /programs/main (the dashboard page), 64 connections, ${secs}s"
  wrk -t2 -c64 -d"${secs}s" --latency -H "Cookie: $cookie" "$base/programs/main"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

"$bin" --db "$dir/demo.db" demo >/dev/null
run "demo program" "$dir/demo.db" IAM-02 iso27001-2022
"$bin" demo --db "$dir/scale.db" --scale 10000 >/dev/null
run "10,000 controls" "$dir/scale.db" C-000001 iso27001-2022
