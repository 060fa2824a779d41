#!/usr/bin/env bash
# One node of the multi-node cluster (STACK_KAFKA_BROKERS>1), for fault tests:
#   kafka-broker.sh kill <n>      SIGKILL (no clean shutdown)
#   kafka-broker.sh stop|cont <n> SIGSTOP / SIGCONT (a frozen broker)
#   kafka-broker.sh start <n>     start it again and wait until it answers
#   kafka-broker.sh restart <n>   kill, then start
#   kafka-broker.sh pid <n>       print its pid (exit 1 if it is not running)
# Use the same STACK_DIR / KAFKA_PORT / STACK_KAFKA_BROKERS as up.sh.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_TIMEOUT=${KAFKA_TIMEOUT:-90}
declare -A STARTED_AT=()

usage() { die "usage: kafka-broker.sh kill|stop|cont|start|restart|pid <node 1..$STACK_KAFKA_BROKERS>"; }

signal_node() {
  local name=$1 signal=$2
  is_running "$name" || die "$name is not running"
  kill "-$signal" "$(pid_of "$name")"
  log "$name: sent SIG$signal to pid $(pid_of "$name")"
}

kill_node() {
  local name=$1 pid
  is_running "$name" || { log "$name: not running"; return 0; }
  pid=$(pid_of "$name")
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  log "$name: killed (pid $pid)"
}

start_node() {
  local name=$1
  if is_running "$name"; then
    log "$name: already running (pid $(pid_of "$name"))"
    return 0
  fi
  start_kafka_node "$name"
  log "$name: starting (pid $(pid_of "$name"))…"
  wait_healthy "$name" "$KAFKA_TIMEOUT" "${STARTED_AT[$name]}"
  log "$name: ok ($(since "${STARTED_AT[$name]}"))"
}

main() {
  (($# == 2)) || usage
  local action=$1 n=$2 name
  kafka_cluster || die "STACK_KAFKA_BROKERS is $STACK_KAFKA_BROKERS: there is no multi-node cluster to act on"
  [[ $n =~ ^[0-9]+$ ]] && ((n >= 1 && n <= STACK_KAFKA_BROKERS)) || usage
  name=kafka-$n
  case $action in
    kill) kill_node "$name" ;;
    stop) signal_node "$name" STOP ;;
    cont) signal_node "$name" CONT ;;
    start) start_node "$name" ;;
    restart)
      kill_node "$name"
      start_node "$name"
      ;;
    pid) is_running "$name" && pid_of "$name" ;;
    *) usage ;;
  esac
}

main "$@"
