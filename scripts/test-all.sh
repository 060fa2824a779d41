#!/usr/bin/env bash
# The whole test suite from a bare machine: installs and starts what it needs (idempotent), then
# the deploy/ checks, type check + lint + vitest against the local stack, then API fuzzing, then a short seeded fault campaign on its own
# PostgreSQL and 3-broker Kafka cluster. The stacks stay up afterwards (npm run stack:down,
# bash scripts/chaos/stack.sh down); CI stops them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

STACK_JAEGER=${STACK_JAEGER:-1} bash scripts/stack/up.sh
source scripts/stack/env.sh
# deploy/: promtool rule checks and tests, kustomize build + kubeconform of every overlay (seconds once
# the Go tools are built and cached).
bash scripts/check-deploy.sh
npm test

# Issue 7 section 2: the tokens, PII and card numbers the suite sent (test/integration/at-rest-scan.test.ts
# writes them to .stack/at-rest-needles.txt) are nowhere on disk: PostgreSQL data and WAL, Kafka, logs,
# replay files. A missing needle file fails too: the at-rest test did not run.
npm run -s security:scan-at-rest -- --needles-file=.stack/at-rest-needles.txt

# Schemathesis against GET /openapi.json with a valid key: >= 1000 requests, no 5xx, no schema violation.
bash scripts/fuzz-api.sh

# README "Fault campaign". A failing seed is printed; reproduce it with
# `npm run chaos -- --seed=<seed> --runs=1`.
npm run chaos -- --seed="${CHAOS_SEED:-1}" --runs="${CHAOS_RUNS:-2}" --payments=8 --orders=2 \
  --traffic-s=15 --settle-s=60
