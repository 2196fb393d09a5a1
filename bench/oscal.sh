#!/usr/bin/env bash
# OSCAL side by side with compliance-trestle 5.2.0 (PyPI), whole process, one run:
#   1. load and check NIST's full SP 800-53 r5 catalog (JSON, 10 MB)
#   2. resolve the MODERATE baseline profile against it
# Needs hyperfine, python3 and ../shared/data (CROSSWALK_SHARED_DATA).
# Usage: bash bench/oscal.sh [--export-markdown FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${CROSSWALK_SHARED_DATA:-../shared/data}"
src="$data/oscal/nist-800-53r5-v5.0.1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

venv="${TRESTLE_VENV:-target/trestle-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet compliance-trestle==5.2.0
fi
cargo build --release --quiet
bin=target/release/crosswalk

# NIST's profile imports the XML catalog by name; point both tools at the JSON one
# (an absolute path: trestle reads relative hrefs from the working directory).
cp "$src/NIST_SP-800-53_rev5_catalog.json" "$work/catalog.json"
sed "s#NIST_SP-800-53_rev5_catalog.xml#$work/catalog.json#" \
  "$src/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json" > "$work/moderate.json"

hyperfine --warmup 3 --runs 20 -N "$@" \
  -n "crosswalk: load + check catalog" "$bin oscal import $work/catalog.json --id bench -o $work/out.toml" \
  -n "trestle: Catalog.oscal_read" "$venv/bin/python bench/trestle_peer.py load $work/catalog.json" \
  -n "crosswalk: resolve MODERATE" "$bin oscal resolve $work/moderate.json -o $work/resolved.json" \
  -n "trestle: ProfileResolver MODERATE" "$venv/bin/python bench/trestle_peer.py resolve $work/moderate.json"
