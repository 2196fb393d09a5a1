#!/usr/bin/env python3
"""Generates the monitoring benchmark's inputs: N resources as NDJSON (AWS Config-like
items) and a check file of 50 rule checks (or Rego checks) over them.

usage: gen_checks_data.py OUT_DIR N"""
import json, os, random, sys

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
rnd = random.Random(7)
types = ["AWS::EC2::Volume", "AWS::S3::Bucket", "AWS::RDS::DBInstance", "AWS::EC2::Instance"]
with open(os.path.join(out, "items.ndjson"), "w") as f:
    for i in range(n):
        item = {
            "resourceId": f"r-{i:08d}",
            "resourceType": types[i % 4],
            "awsRegion": rnd.choice(["eu-west-1", "us-east-1", "eu-central-1"]),
            "configurationItemCaptureTime": f"2026-{rnd.randint(1, 11):02d}-{rnd.randint(1, 28):02d}T10:00:00Z",
            "configuration": {
                "encrypted": rnd.random() > 0.1,
                "size": rnd.randint(1, 2000),
                "state": {"name": rnd.choice(["in-use", "available", "running", "stopped"])},
                "kmsKeyId": rnd.choice([None, "arn:aws:kms:eu-west-1:1:key/abc"]),
                "publicAccess": rnd.random() > 0.95,
                "versioning": rnd.choice(["Enabled", "Suspended", None]),
                "backupRetentionPeriod": rnd.randint(0, 35),
                "metadataOptions": {"httpTokens": rnd.choice(["required", "optional"])},
            },
            "tags": [{"key": "owner", "value": f"team-{i % 17}"}] + ([{"key": "env", "value": "prod"}] if i % 3 else []),
        }
        f.write(json.dumps(item, separators=(",", ":")) + "\n")

leaves = [
    "{path: configuration.encrypted, op: eq, value: true}",
    "{path: configuration.size, op: le, value: 1500}",
    "{path: configuration.kmsKeyId, op: exists}",
    "{path: configuration.publicAccess, op: falsy}",
    "{path: configuration.versioning, op: in, value: [Enabled]}",
    "{path: configuration.backupRetentionPeriod, op: ge, value: 7}",
    "{path: configuration.metadataOptions.httpTokens, op: eq, value: required}",
    "{path: 'tags[].key', op: contains, value: owner}",
    "{path: 'tags[].value', op: eq, value: prod}",
    "{path: configurationItemCaptureTime, op: newer_than_days, value: 200}",
    "{path: awsRegion, op: matches, value: '^eu-'}",
    "{path: configuration.state.name, op: ne, value: stopped}",
]
lines = ["checks:"]
for c in range(50):
    a, b = leaves[c % len(leaves)], leaves[(c * 5 + 3) % len(leaves)]
    lines += [
        f"  - id: bench.rule-{c:02d}",
        f"    title: Benchmark rule {c}",
        "    dataset: bench-items",
        "    resource: resourceId",
        f"    where: {{path: resourceType, op: ne, value: '{types[c % 4]}'}}" if c % 2 else "",
        "    all:" if c % 3 else "    any:",
        f"      - {a}",
        f"      - {b}",
    ]
open(os.path.join(out, "rules.yaml"), "w").write("\n".join(l for l in lines if l) + "\n")

rego = ["checks:"]
for c in range(5):
    rego += [
        f"  - id: bench.rego-{c}",
        f"    title: Benchmark policy {c}",
        "    dataset: bench-items",
        "    engine: rego",
        "    resource: resourceId",
        "    rego: |",
        "      package crosswalk.check",
        "      import rego.v1",
        "      result(item) := {\"status\": \"pass\"} if {",
        "        item.configuration.encrypted",
        f"        item.configuration.size <= {1000 + c * 200}",
        "        some t in item.tags",
        "        t.key == \"owner\"",
        "      } else := {\"status\": \"fail\", \"message\": sprintf(\"%s is unencrypted, too large or unowned\", [item.resourceId])}",
    ]
open(os.path.join(out, "rego.yaml"), "w").write("\n".join(rego) + "\n")
