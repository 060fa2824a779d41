#!/usr/bin/env bash
# Stops the stack processes that up.sh started from this checkout (by pid file), in reverse
# start order. Optional arguments name the services to stop (e.g. `down.sh sim-stripe`).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STOP_TIMEOUT=${STOP_TIMEOUT:-20}

stop_postgres() {
  local bin
  bin=$(pg_bin) || return 0
  [[ -f $(pg_data)/postmaster.pid ]] || return 0
  log "postgres: stopping"
  as_pg "$bin/pg_ctl" stop -D "$(pg_data)" -m fast -s -w -t "$STOP_TIMEOUT" ||
    warn "postgres: pg_ctl stop failed (log: $(log_file postgres))"
}

stop_service() {
  local name=$1
  if is_running "$name"; then
    log "$name: stopping (pid $(pid_of "$name"))"
    stop_process "$name" "$STOP_TIMEOUT"
  else
    rm -f "$(pid_file "$name")"
  fi
}

selected() {
  local name=$1
  (($# == 1)) && return 0
  shift
  [[ " $* " == *" $name "* ]]
}

main() {
  local i name
  for name in "$@"; do
    [[ " ${SERVICES[*]} " == *" $name "* ]] || die "unknown service '$name' (known: ${SERVICES[*]})"
  done
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    name=${SERVICES[i]}
    selected "$name" "$@" || continue
    case $name in
      postgres) stop_postgres ;;
      kafka)
        stop_kafka_nodes
        stop_service kafka
        ;;
      *) stop_service "$name" ;;
    esac
  done
  log "stopped"
}

main "$@"
