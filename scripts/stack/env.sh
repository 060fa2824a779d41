#!/usr/bin/env bash
# Addresses of the local stack. Source it to export them, or run it to print export lines:
#   source scripts/stack/env.sh      eval "$(bash scripts/stack/env.sh)"
# Every variable keeps a value already set in the environment (ports too: PG_PORT, KAFKA_PORT,
# REGISTRY_PORT, CONNECT_PORT, S3_PORT, STRIPE_SIM_PORT, ADYEN_SIM_PORT, FRAUD_SIM_PORT), Kafka credentials too.
if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
  eval "$(bash "${BASH_SOURCE[0]}")"
  return
fi

set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATABASE_URL=${DATABASE_URL:-postgres://$PG_APP_USER:$PG_APP_PASSWORD@127.0.0.1:$PG_PORT/$PG_APP_DB}
KAFKA_BROKERS=${KAFKA_BROKERS:-$(kafka_bootstrap)}
SCHEMA_REGISTRY_URL=${SCHEMA_REGISTRY_URL:-http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7}
STRIPE_API_BASE=${STRIPE_API_BASE:-http://127.0.0.1:$STRIPE_SIM_PORT}
ADYEN_API_BASE=${ADYEN_API_BASE:-http://127.0.0.1:$ADYEN_SIM_PORT}
FRAUD_API_BASE=${FRAUD_API_BASE:-http://127.0.0.1:$FRAUD_SIM_PORT}
CONNECT_URL=${CONNECT_URL:-http://127.0.0.1:$CONNECT_PORT}

# The service's pools take the Unix socket for this DATABASE_URL's port (db/pool.ts serviceDatabaseUrl).
DATABASE_SOCKET_DIR=${DATABASE_SOCKET_DIR:-$(pg_socket_dir)}
for var in DATABASE_URL DATABASE_SOCKET_DIR KAFKA_BROKERS SCHEMA_REGISTRY_URL STRIPE_API_BASE ADYEN_API_BASE FRAUD_API_BASE CONNECT_URL; do
  printf 'export %s=%q\n' "$var" "${!var}"
done
# Kafka SASL/SCRAM (DEV DEFAULT passwords, scripts/stack/kafka-security.sh): one principal per role;
# the service reads the INGRESS/PROCESSOR/RELAY ones, tests and tools (replay, chaos, bench) ADMIN.
printf 'export KAFKA_SECURITY_PROTOCOL=%q KAFKA_SASL_MECHANISM=%q\n' \
  "${KAFKA_SECURITY_PROTOCOL:-SASL_PLAINTEXT}" "${KAFKA_SASL_MECHANISM:-SCRAM-SHA-512}"
for role in ingress processor relay admin; do
  user_var="KAFKA_${role^^}_SASL_USERNAME"
  printf 'export %s=%q %s=%q\n' "$user_var" "${!user_var:-$role}" \
    "KAFKA_${role^^}_SASL_PASSWORD" "$(kafka_password "$role")"
done
# S3-compatible object store (s3proxy, docs/adr/0010-object-store.md). The key pair is a DEV DEFAULT
# (scripts/stack/lib.sh): local throw-away stack only.
S3_ENDPOINT=${S3_ENDPOINT:-http://127.0.0.1:$S3_PORT}
for var in S3_ENDPOINT S3_BUCKET_RECON S3_BUCKET_FINANCE S3_BUCKET_WAREHOUSE; do
  printf 'export %s=%q\n' "$var" "${!var}"
done
printf 'export S3_FORCE_PATH_STYLE=%q AWS_REGION=%q\n' "${S3_FORCE_PATH_STYLE:-true}" "${AWS_REGION:-$S3_REGION}"
printf 'export AWS_ACCESS_KEY_ID=%q AWS_SECRET_ACCESS_KEY=%q # DEV DEFAULT\n' \
  "${AWS_ACCESS_KEY_ID:-$S3_ACCESS_KEY}" "${AWS_SECRET_ACCESS_KEY:-$S3_SECRET_KEY}"
# The Iceberg feed's namespace in the catalog `finance` (docs/adr/0012-iceberg-feed.md; catalog tables in
# DATABASE_URL's schema iceberg_catalog, warehouse s3://$S3_BUCKET_WAREHOUSE/).
printf 'export ICEBERG_NAMESPACE=%q\n' "$ICEBERG_NAMESPACE"
# stripe-mock (STACK_STRIPE_MOCK=1): the Stripe connector's request-shape contract test runs against it.
printf 'export STRIPE_MOCK_BASE=%q\n' "${STRIPE_MOCK_BASE:-http://127.0.0.1:$STRIPE_MOCK_PORT}"
# Jaeger (STACK_JAEGER=1): where services send OTLP traces and where the trace test reads them back.
printf 'export OTEL_EXPORTER_OTLP_ENDPOINT=%q JAEGER_QUERY_URL=%q\n' \
  "${OTEL_EXPORTER_OTLP_ENDPOINT:-http://127.0.0.1:$JAEGER_OTLP_PORT}" "${JAEGER_QUERY_URL:-http://127.0.0.1:$JAEGER_UI_PORT}"
