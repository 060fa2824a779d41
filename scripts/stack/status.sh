#!/usr/bin/env bash
# Prints one line per stack service: pid, port, health and log file. Exits 1 if any is unhealthy.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

row() { printf '%-11s %-8s %-6s %-8s %s\n' "$@"; }

service_row() {
  local name=$1 pid=- health=no
  if [[ $name == sim-* && ! -f $(sim_entry "$name") ]]; then
    row "$name" - "$(port_of "$name")" absent "$(sim_entry "$name") not written yet"
    return 0
  fi
  is_running "$name" && pid=$(pid_of "$name")
  healthy "$name" && health=yes
  [[ $health == yes && $pid == - ]] && pid=foreign
  row "$name" "$pid" "$(port_of "$name")" "$health" "$(log_file "$name")"
  [[ $health == yes ]]
}

main() {
  local name rc=0
  row SERVICE PID PORT HEALTHY LOG
  for name in "${SERVICES[@]}"; do service_row "$name" || rc=1; done
  return "$rc"
}

main "$@"
