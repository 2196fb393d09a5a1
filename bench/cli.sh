#!/usr/bin/env bash
# Whole-process timings of the CLI on the embedded library (issue: compare and search
# under 20 ms). Needs hyperfine (Debian: apt-get install hyperfine).
# Also the crosswalk engine: overlap of two frameworks, the all-framework matrix (target
# under 100 ms) and a map query with inference.
# Usage: bash bench/cli.sh [--export-markdown FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/crosswalk
hyperfine --warmup 20 --runs 200 -N "$@" \
  "$bin compare soc2 iso27001" \
  "$bin compare soc2 iso27001 --format json" \
  "$bin compare iso13485 gdpr --format html" \
  "$bin compare nist-800-53 iso27001 --format html" \
  "$bin compare csa-ccm soc2 --format md" \
  "$bin search access control review" \
  "$bin search supplier --framework iso27001" \
  "$bin frameworks show iso27001 --json" \
  "$bin overlap soc2 iso27001 --json" \
  "$bin overlap --matrix --json -o /tmp/crosswalk-bench-matrix.svg" \
  "$bin map soc2:CC7.3 --json"
