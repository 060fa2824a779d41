#!/usr/bin/env bash
# Prints one line per stack service: pid, port, health and log file. Exits 1 if any is unhealthy.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

row() { printf '%-11s %-8s %-6s %-8s %s\n' "$@"; }

service_row() {
  local name=$1 pid=- health=no
  if [[ $name == connect ]] && ! is_running connect && ! healthy connect && ! connect_enabled; then
    row "$name" - "$(port_of "$name")" off "STACK_DEBEZIUM=0 STACK_ICEBERG=0"
    return 0
  fi
  if [[ $name == stripe-mock && $STACK_STRIPE_MOCK != 1 ]] && ! is_running stripe-mock; then
    row "$name" - "$(port_of "$name")" off "STACK_STRIPE_MOCK=0"
    return 0
  fi
  if [[ $name == jaeger && $STACK_JAEGER != 1 ]] && ! is_running jaeger; then
    row "$name" - "$(port_of "$name")" off "STACK_JAEGER=0"
    return 0
  fi
  if [[ $name == sim-* && ! -f $(sim_entry "$name") ]]; then
    row "$name" - "$(port_of "$name")" absent "$(sim_entry "$name") not written yet"
    return 0
  fi
  is_running "$name" && pid=$(pid_of "$name")
  healthy "$name" && health=yes
  [[ $health == yes && $pid == - ]] && pid=foreign
  row "$name" "$pid" "$(port_of "$name")" "$health" "$(log_file "$name")"
  if [[ $name == connect && $health == yes ]]; then
    connector_rows || return 1
  fi
  [[ $health == yes ]]
}

# One line per connector up.sh registers (the outbox's, the Iceberg feed's), then the feed's tables.
connector_rows() {
  local connector states rc=0 connectors=()
  [[ $STACK_DEBEZIUM == 1 ]] && connectors+=("$CONNECTOR_NAME")
  [[ $STACK_ICEBERG == 1 ]] && connectors+=("${ICEBERG_CONNECTORS[@]}")
  for connector in "${connectors[@]}"; do
    states=$(connector_states "$connector")
    printf '  connector %s: %s\n' "$connector" "${states:-not registered}"
    all_tasks_running "$states" || rc=1
  done
  if [[ $STACK_ICEBERG == 1 ]]; then iceberg_table_rows || rc=1; fi
  return "$rc"
}

# The catalog's view of the feed's tables: rows, snapshots (one per sink commit with data), last commit.
iceberg_table_rows() {
  local out
  if ! out=$(DATABASE_URL=postgres://$PG_APP_USER:$PG_APP_PASSWORD@127.0.0.1:$PG_PORT/$PG_APP_DB \
    ICEBERG_NAMESPACE=$ICEBERG_NAMESPACE S3_ENDPOINT=$(s3_url "") S3_BUCKET_WAREHOUSE=$S3_BUCKET_WAREHOUSE \
    AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY AWS_REGION=$S3_REGION \
    bash "$REPO_ROOT/scripts/iceberg/catalog.sh" status 2>&1); then
    printf '  iceberg tables: unreadable: %s\n' "$(tail -n 1 <<<"$out")"
    return 1
  fi
  node -e '
    let ok = true;
    for (const line of process.argv[1].split("\n").filter(Boolean)) {
      const t = JSON.parse(line);
      ok &&= t.exists;
      console.log(t.exists
        ? `  table ${t.table}: ${t.rows} rows, ${t.snapshots} snapshots, last commit ${t.last_commit ?? "none yet"}`
        : `  table ${t.table}: missing (up.sh creates it)`);
    }
    process.exit(ok ? 0 : 1);' "$out"
}

# STACK_KAFKA_BROKERS>1: one row per node, then whether the metadata lists them all.
kafka_cluster_rows() {
  local name rc=0
  for name in $(kafka_services); do service_row "$name" || rc=1; done
  if kafka_cluster_whole; then
    printf '  cluster: %s brokers at %s\n' "$STACK_KAFKA_BROKERS" "$(kafka_bootstrap)"
  else
    printf '  cluster: fewer than %s brokers in the metadata\n' "$STACK_KAFKA_BROKERS"
    rc=1
  fi
  return "$rc"
}

main() {
  local name rc=0
  row SERVICE PID PORT HEALTHY LOG
  for name in "${SERVICES[@]}"; do
    if [[ $name == kafka ]] && kafka_cluster; then
      kafka_cluster_rows || rc=1
    else
      service_row "$name" || rc=1
    fi
  done
  return "$rc"
}

main "$@"
