#!/usr/bin/env bash
# Scanner-result import: a Prowler JSON-OCSF file of about 100 MB (the shared sample's
# findings repeated with distinct resource and finding ids), imported into a fresh
# SQLite program with `crosswalk collect import`, timed whole-process with hyperfine;
# peak memory with GNU time. Target (monitoring issue): a 100 MB Prowler OCSF file in
# under 5 s.
#
# Usage: bash bench/collect.sh [MEGABYTES]   (default 100)
# Needs hyperfine, python3, GNU time and CROSSWALK_SHARED_DATA (default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p crosswalk-cli
bin="$PWD/target/release/crosswalk"
shared="${CROSSWALK_SHARED_DATA:-../shared/data}"
sample="$shared/realworld/scanner-results/prowler-ocsf/example_output_aws.ocsf.json"
mb="${1:-100}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$sample" "$work/big.ocsf.json" "$mb" <<'PY'
import json, sys
sample, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
findings = json.load(open(sample))
target = mb * 1_000_000
with open(out, "w") as f:
    f.write("[")
    n, size = 0, 1
    while size < target:
        x = json.loads(json.dumps(findings[n % len(findings)]))
        x["resources"][0]["uid"] = f"arn:aws:s3:::bucket-{n}"
        x["finding_info"]["uid"] = f"finding-{n}"
        text = ("," if n else "") + json.dumps(x)
        f.write(text)
        size += len(text)
        n += 1
    f.write("]")
print(f"{n} findings, {size / 1e6:.0f} MB", file=sys.stderr)
PY
ls -l "$work/big.ocsf.json"
hyperfine --warmup 1 --runs 5 \
  --prepare "rm -rf $work/p.db* && $bin --db $work/p.db init --organization Bench >/dev/null" \
  "$bin --db $work/p.db collect import $work/big.ocsf.json" \
  --export-json target/bench-collect.json
rm -rf "$work"/p.db* && "$bin" --db "$work/p.db" init --organization Bench >/dev/null
/usr/bin/time -f "peak memory: %M KB, %e s" "$bin" --db "$work/p.db" collect import "$work/big.ocsf.json"
