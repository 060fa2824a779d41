#!/usr/bin/env bash
# Prints one line per stack service: pid, port, health and log file. Exits 1 if any is unhealthy.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

row() { printf '%-11s %-8s %-6s %-8s %s\n' "$@"; }

service_row() {
  local name=$1 pid=- health=no
  if [[ $name == connect ]] && ! is_running connect && ! healthy connect && [[ $STACK_DEBEZIUM != 1 ]]; then
    row "$name" - "$(port_of "$name")" off "STACK_DEBEZIUM=0"
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
    local states
    states=$(connector_states)
    printf '  connector %s: %s\n' "$CONNECTOR_NAME" "${states:-not registered}"
    all_tasks_running "$states" || return 1
  fi
  [[ $health == yes ]]
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
