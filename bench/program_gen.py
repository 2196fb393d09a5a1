"""Builds a large program database for bench/program.sh: 2,000 controls, 20,000 evidence
items and 10 frameworks in scope, written through crosswalk's own schema.

  python3 bench/program_gen.py CROSSWALK_BINARY OUT.db
"""
import json
import random
import sqlite3
import subprocess
import sys

FRAMEWORKS = ["soc2-2017", "iso27001-2022", "iso27701-2019", "iso42001-2023", "nist-csf-2.0",
              "nist-800-53r5", "hipaa-2013", "nis2-ir-2024-2690", "pci-dss-4.0.1", "cis-controls-8.1"]


def main() -> None:
    binary, out = sys.argv[1], sys.argv[2]
    rnd = random.Random(42)
    subprocess.run([binary, "--db", out, "init", "--organization", "Bench Co"], check=True,
                   stdout=subprocess.DEVNULL)
    for fw in FRAMEWORKS:
        subprocess.run([binary, "--db", out, "program", "add", fw], check=True, stdout=subprocess.DEVNULL)
    reqs = {}
    for fw in FRAMEWORKS:
        shown = json.loads(subprocess.run([binary, "frameworks", "show", fw, "--json"], check=True,
                                          capture_output=True, text=True).stdout)
        reqs[fw] = [r["id"] for r in shown["requirements"] if r["assessable"]]
    db = sqlite3.connect(out)
    statuses = ["not-started", "in-progress", "implemented", "operating"]
    with db:
        for i in range(2000):
            cid = f"CTL-{i:04d}"
            db.execute("INSERT INTO control (id, position, title, description, owner, status, frequency)"
                       " VALUES (?, ?, ?, '', 'owner', ?, 'quarterly')",
                       (cid, i, f"Control {i}", rnd.choices(statuses, [1, 1, 3, 5])[0]))
            seen = set()
            for _ in range(rnd.randint(2, 6)):
                fw = rnd.choice(FRAMEWORKS)
                req = rnd.choice(reqs[fw])
                if (fw, req) in seen:
                    continue
                seen.add((fw, req))
                cov = rnd.choice(['"full"', '"full"', '"partial"'])
                db.execute("INSERT INTO control_link (control, framework, requirement, coverage, origin)"
                           " VALUES (?, ?, ?, ?, '{\"kind\":\"manual\"}')", (cid, fw, req, cov))
        for e in range(20000):
            eid = f"EV-{e:05d}"
            collected = f"2026-{rnd.randint(1, 11):02d}-{rnd.randint(1, 28):02d}"
            if rnd.random() < 0.1:
                collected = f"2025-{rnd.randint(1, 11):02d}-{rnd.randint(1, 28):02d}"
            db.execute("INSERT INTO evidence (id, position, title, location, collected, valid_until)"
                       " VALUES (?, ?, ?, ?, ?, NULL)",
                       (eid, e, f"Evidence {e}", f"sha256:{rnd.getrandbits(256):064x}", collected))
            for c in rnd.sample(range(2000), rnd.randint(1, 2)):
                db.execute("INSERT INTO evidence_control (evidence, control) VALUES (?, ?)", (eid, f"CTL-{c:04d}"))
    db.close()


if __name__ == "__main__":
    main()
