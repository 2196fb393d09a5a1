#!/usr/bin/env bash
# Program scale: 2,000 controls, 20,000 evidence items, 10 frameworks in scope, on SQLite.
# Targets: all readiness recomputed in under 100 ms; `crosswalk gaps` under 200 ms, whole
# process. Needs hyperfine and python3.
# Usage: bash bench/program.sh [--export-markdown FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/crosswalk
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 bench/program_gen.py "$bin" "$work/big.db"
hyperfine --warmup 3 --runs 30 -N "$@" \
  -n "assess status --json (load + readiness of 10 frameworks)" "$bin --db $work/big.db assess status --json" \
  -n "gaps --json (load + readiness + ranked gaps)" "$bin --db $work/big.db gaps --json --limit 100000"
