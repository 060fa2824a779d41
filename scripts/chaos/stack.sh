#!/usr/bin/env bash
# The fault campaign's own PostgreSQL and 3-broker Kafka cluster, apart from the shared stack:
#   stack.sh up | down | status      (npm run chaos brings it up by itself; CI stops it with down)
# Same CHAOS_* variables and defaults as scripts/chaos/campaign-env.ts.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KAFKA_PORT=${CHAOS_KAFKA_PORT:-22092}
export STACK_DIR=${CHAOS_STACK_DIR:-$ROOT/.stack-chaos}
export PG_PORT=${CHAOS_PG_PORT:-25432}
export KAFKA_PORT
export KAFKA_CONTROLLER_PORT=$((KAFKA_PORT + 100))
export STACK_KAFKA_BROKERS=${CHAOS_KAFKA_BROKERS:-3}
export STACK_DEBEZIUM=0

case ${1:-} in
  up) exec bash "$ROOT/scripts/stack/up.sh" postgres kafka ;;
  down) exec bash "$ROOT/scripts/stack/down.sh" kafka postgres ;;
  status) bash "$ROOT/scripts/stack/status.sh" | grep -E '^(SERVICE|postgres|kafka|  cluster)' ;;
  *) echo "usage: scripts/chaos/stack.sh up|down|status" >&2; exit 2 ;;
esac
