#!/usr/bin/env bash
# Schemathesis (PyPI) against the served OpenAPI document, with a valid API key: every operation of
# the public API, generated and stateful requests (at least FUZZ_MIN_CASES, default 1000). It fails on
# any 5xx, any answer the document does not declare, and any body that does not match its schema.
# Runs its own service process (own ports and topics) against the stack (`npm run stack:up`):
#   FUZZ_PORT (default 18190; the processor and ops listeners take the next two) and FUZZ_NAME.
#   FUZZ_SEED=<n> reproduces a run (default 1, so CI is repeatable); FUZZ_SEED=random explores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/stack/lib.sh
source scripts/stack/env.sh
source scripts/python-venv.sh

SCHEMATHESIS_VERSION=4.32.5
VENV=$PAYMENT_STACK_CACHE/schemathesis-$SCHEMATHESIS_VERSION
PORT=${FUZZ_PORT:-18190}
MIN_CASES=${FUZZ_MIN_CASES:-1000}
SEED=${FUZZ_SEED:-1}
[[ $SEED == random ]] && SEED=$RANDOM

if [[ ! -x $VENV/bin/schemathesis ]]; then
  log "schemathesis: installing $SCHEMATHESIS_VERSION into $VENV…"
  make_venv "$VENV.tmp"
  "$VENV.tmp/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  rm -rf "$VENV" && mv "$VENV.tmp" "$VENV"
  # The venv's scripts name the interpreter by its old path.
  sed -i "1s|$VENV.tmp|$VENV|" "$VENV"/bin/*
fi

export PORT PROCESSOR_HTTP_PORT=$((PORT + 1)) INGRESS_OPS_PORT=$((PORT + 2)) LOG_LEVEL=warn
# FUZZ_NAME names the run's topics and consumer groups, so two runs on one machine do not share them.
NAME=${FUZZ_NAME:-fuzz}
export COMMAND_TOPIC=payment.commands.$NAME.v1 COMMAND_DLQ_TOPIC=payment.commands.dlq.$NAME.v1
export WEBHOOK_TOPIC=payment.webhooks.$NAME.v1 ORDER_CREATED_TOPIC=order.created.$NAME.v1
export PROCESSOR_GROUP_ID=payment-processors-$NAME WEBHOOK_GROUP_ID=payment-webhooks-$NAME ORDER_GROUP_ID=payment-autopay-$NAME
mkdir -p .stack/logs
node --import tsx scripts/start.ts >.stack/logs/fuzz-service.log 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; wait $service 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  kill -0 $service 2>/dev/null || die "fuzz: the service exited (log: .stack/logs/fuzz-service.log)"
  sleep 1
done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || die "fuzz: the service did not become ready"
key=$(npm run -s apikey:create -- --merchant=schemathesis --label="npm run fuzz:api" | tail -n 1)

log "fuzz: schemathesis $SCHEMATHESIS_VERSION, seed $SEED, against http://127.0.0.1:$PORT"
out=$(mktemp)
# One worker: CPython 3.11 can fail compiling Schemathesis's generated code in several threads at once.
status=0
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/openapi.json" \
  -H "Authorization: Bearer $key" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples 80 --seed "$SEED" --workers 1 --no-color | tee "$out" || status=$?
cases=$(sed -n 's/^ *\([0-9][0-9]*\) generated.*/\1/p' "$out" | tail -n 1)
rm -f "$out"
((status == 0)) || die "fuzz: schemathesis found failures (seed $SEED; rerun with FUZZ_SEED=$SEED)"
((${cases:-0} >= MIN_CASES)) || die "fuzz: only ${cases:-0} generated requests (want at least $MIN_CASES)"
log "fuzz: $cases generated requests, no 5xx, no schema violation"
