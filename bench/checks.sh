#!/usr/bin/env bash
# Our own checks at scale: N resources (AWS Config-like items, NDJSON) × 50 rule checks,
# streamed by `crosswalk checks run`, timed whole-process with hyperfine and peak memory
# with GNU time; then the Rego path, one query per chunk of items (bulk) side by side
# with one query per item, on a tenth of the resources × 5 policies.
# Target (monitoring issue): 1,000,000 resources × 50 checks in under 10 s on 2 cores,
# memory under 1 GB.
#
# Usage: bash bench/checks.sh [RESOURCES]   (default 1000000)
# Needs hyperfine, python3 and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p crosswalk-cli
bin="$PWD/target/release/crosswalk"
n="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 bench/gen_checks_data.py "$work" "$n"
head -n $((n / 10)) "$work/items.ndjson" > "$work/tenth.ndjson"
echo "items.ndjson: $(du -h "$work/items.ndjson" | cut -f1), $n resources"
rules="$bin checks run --only-given --checks $work/rules.yaml --dataset bench-items=$work/items.ndjson --json"
hyperfine --warmup 1 --runs 3 "$rules > /dev/null"
/usr/bin/time -f "50 rule checks: peak RSS %M KB" $rules > "$work/out.json"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('results', r['results'], r['by_status'])" "$work/out.json"
rego="$bin checks run --only-given --checks $work/rego.yaml --dataset bench-items=$work/tenth.ndjson --json"
hyperfine --warmup 1 --runs 3 -n "rego bulk" "$rego > /dev/null" -n "rego per item" "$rego --rego-per-item > /dev/null"
