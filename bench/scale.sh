#!/usr/bin/env bash
# Program scale on SQLite and PostgreSQL: synthetic programs of 2,000, 10,000 and 50,000
# controls (10 evidence items each, 3 links each, 10 frameworks in scope) built with
# `crosswalk demo --scale N`, then every read command and export, and one-row writes,
# timed whole-process with hyperfine; peak memory of one-row writes with /usr/bin/time.
# Targets at 50,000 controls: reads and exports under 2 s; `control add` and
# `evidence add` under 50 ms with memory that does not grow with the program.
#
# Usage: bash bench/scale.sh [SIZES…]   (default: 2000 10000 50000)
# PostgreSQL runs when CROSSWALK_BENCH_POSTGRES holds a server URL without a database
# name (e.g. postgres://postgres:postgres@localhost); each size gets its own database.
# Needs hyperfine, python3 and GNU time. Results: target/bench-scale/*.json and a Markdown
# summary on standard output.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p crosswalk-cli
bin="$PWD/target/release/crosswalk"
out="$PWD/target/bench-scale"
mkdir -p "$out"
rm -f "$out/build.txt" "$out/memory.txt"
sizes=("${@:-2000 10000 50000}")
read -r -a sizes <<<"${sizes[*]}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

backends=(sqlite)
if [ -n "${CROSSWALK_BENCH_POSTGRES:-}" ]; then backends+=(postgres); fi

for backend in "${backends[@]}"; do
  for n in "${sizes[@]}"; do
    if [ "$backend" = sqlite ]; then
      db="$work/s$n.db"
    else
      name="crosswalk_bench_$n"
      psql "$CROSSWALK_BENCH_POSTGRES/postgres" -qc "DROP DATABASE IF EXISTS $name" >/dev/null
      psql "$CROSSWALK_BENCH_POSTGRES/postgres" -qc "CREATE DATABASE $name" >/dev/null
      db="$CROSSWALK_BENCH_POSTGRES/$name"
    fi
    start=$(date +%s.%N)
    "$bin" --db "$db" demo --scale "$n" >/dev/null
    build=$(python3 -c "import time,sys; print(round(time.time()-float(sys.argv[1]),1))" "$start")
    echo "$backend $n build_seconds $build" >>"$out/build.txt"
    d="$work/out-$backend-$n"
    mkdir -p "$d"
    hyperfine --warmup 1 --runs 5 -N --export-json "$out/$backend-$n-read.json" \
      -n "assess status" "$bin --db $db assess status --json" \
      -n "gaps" "$bin --db $db gaps --json --limit 100" \
      -n "control list" "$bin --db $db control list --json" \
      -n "evidence list" "$bin --db $db evidence list --json" \
      -n "program show" "$bin --db $db program show --json" \
      -n "plan" "$bin --db $db plan --json" \
      -n "export soa" "$bin --db $db export soa --framework iso27001 -o $d/soa.xlsx" \
      -n "export matrix" "$bin --db $db export matrix --framework soc2 -o $d/matrix.xlsx" \
      -n "export report (pdf)" "$bin --db $db export report -o $d/report.pdf" \
      -n "export oscal-ar" "$bin --db $db export oscal-ar --framework iso27001 -o $d/ar.json" \
      -n "export evidence" "$bin --db $db export evidence -o $d/evidence.zip" >/dev/null
    i=0
    hyperfine --warmup 2 --runs 20 -S bash --export-json "$out/$backend-$n-write.json" \
      -n "control add" "$bin --db $db control add B-\$RANDOM\$RANDOM\$RANDOM --title Bench" \
      -n "evidence add" "$bin --db $db evidence add --title Bench --url https://e.example/b --control C-000001" >/dev/null
    for w in "control add X-$n-mem --title Mem" "evidence add --title Mem --url https://e.example/m --control C-000001"; do
      # shellcheck disable=SC2086
      /usr/bin/time -f "$backend $n ${w%% --*} max_rss_kb %M" -a -o "$out/memory.txt" "$bin" --db "$db" $w >/dev/null
    done
  done
done

python3 - "$out" "${sizes[@]}" <<'PY'
import json, math, sys, os
out, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
backends = [b for b in ("sqlite", "postgres") if os.path.exists(f"{out}/{b}-{sizes[0]}-read.json")]
for b in backends:
    print(f"\n### {b}\n")
    rows = {}
    for n in sizes:
        for kind in ("read", "write"):
            for r in json.load(open(f"{out}/{b}-{n}-{kind}.json"))["results"]:
                rows.setdefault(r["command"], {})[n] = r["mean"] * 1000
    head = "| command | " + " | ".join(f"{n:,} controls [ms]" for n in sizes)
    if len(sizes) > 1:
        head += " | fitted exponent"
    print(head + " |")
    print("|:---" + "|---:" * (len(sizes) + (1 if len(sizes) > 1 else 0)) + "|")
    for cmd, t in rows.items():
        cells = [f"{t[n]:.0f}" for n in sizes]
        if len(sizes) > 1:
            k = math.log(t[sizes[-1]] / t[sizes[0]]) / math.log(sizes[-1] / sizes[0])
            cells.append(f"{k:.2f}")
        print(f"| {cmd} | " + " | ".join(cells) + " |")
print()
for f in ("build.txt", "memory.txt"):
    p = f"{out}/{f}"
    if os.path.exists(p):
        print(f"{f}:\n" + open(p).read())
PY
rm -f "$out/build.txt" "$out/memory.txt"
