# shellcheck shell=bash
# The multi-node KRaft cluster (STACK_KAFKA_BROKERS=3), sourced by lib.sh. Each node is broker +
# controller and runs as its own service `kafka-<n>`: broker port KAFKA_PORT+n-1, controller port
# KAFKA_CONTROLLER_PORT+n-1, data and rendered config in $STACK_DIR/kafka-<n>/. With the default
# single node none of this is used and the service is `kafka` as before.
# shellcheck disable=SC2034

STACK_KAFKA_BROKERS=${STACK_KAFKA_BROKERS:-1}
KAFKA_CLUSTER_RF=${KAFKA_CLUSTER_RF:-$((STACK_KAFKA_BROKERS < 3 ? STACK_KAFKA_BROKERS : 3))}
KAFKA_CLUSTER_MIN_ISR=${KAFKA_CLUSTER_MIN_ISR:-$((KAFKA_CLUSTER_RF > 1 ? KAFKA_CLUSTER_RF - 1 : 1))}
KAFKA_CLUSTER_PARTITIONS=${KAFKA_CLUSTER_PARTITIONS:-6}
KAFKA_NODE_HEAP=${KAFKA_NODE_HEAP:--Xms128m -Xmx256m}

kafka_cluster() { ((STACK_KAFKA_BROKERS > 1)); }

# The service names Kafka runs as: `kafka`, or kafka-1 … kafka-N.
kafka_services() {
  local n
  if ! kafka_cluster; then
    echo kafka
    return
  fi
  for ((n = 1; n <= STACK_KAFKA_BROKERS; n++)); do echo "kafka-$n"; done
}

kafka_node_port() { echo $((KAFKA_PORT + ${1#kafka-} - 1)); }
kafka_node_controller_port() { echo $((KAFKA_CONTROLLER_PORT + ${1#kafka-} - 1)); }
kafka_node_dir() { echo "$STACK_DIR/kafka-${1#kafka-}"; }

# The rendered config path is unique per node and checkout: it tells our JVM from any other.
kafka_node_marker() { echo "$(kafka_node_dir "$1")/server.properties"; }

kafka_quorum_voters() {
  local n voters=()
  for ((n = 1; n <= STACK_KAFKA_BROKERS; n++)); do voters+=("$n@127.0.0.1:$(kafka_node_controller_port "$n")"); done
  (IFS=,; echo "${voters[*]}")
}

# bootstrap.servers for clients: every node of the cluster, or the single broker.
kafka_bootstrap() {
  local name ports=()
  for name in $(kafka_services); do
    if [[ $name == kafka ]]; then ports+=("127.0.0.1:$KAFKA_PORT"); else ports+=("127.0.0.1:$(kafka_node_port "$name")"); fi
  done
  (IFS=,; echo "${ports[*]}")
}

# kafka_ping <host:port> [min brokers]: authenticates as admin, then asks for the broker list.
kafka_ping() {
  KAFKA_PING_MIN_BROKERS=${2:-1} KAFKA_PING_USERNAME=admin KAFKA_PING_PASSWORD=$(kafka_password admin) \
    node "$STACK_SCRIPTS/kafka-ping.mjs" "$1" >/dev/null 2>&1
}

kafka_node_healthy() {
  local port
  port=$(kafka_node_port "$1")
  port_open "$port" && kafka_ping "127.0.0.1:$port"
}

# The cluster is whole when a node's metadata lists every broker.
kafka_cluster_whole() { kafka_ping "127.0.0.1:$(kafka_node_port kafka-1)" "$STACK_KAFKA_BROKERS"; }

render_kafka_node_config() {
  local name=$1 dir
  dir=$(kafka_node_dir "$name")
  mkdir -p "$dir/data"
  sed -e "s|@NODE_ID@|${name#kafka-}|g" -e "s|@QUORUM_VOTERS@|$(kafka_quorum_voters)|g" \
    -e "s|@KAFKA_PORT@|$(kafka_node_port "$name")|g" \
    -e "s|@KAFKA_CONTROLLER_PORT@|$(kafka_node_controller_port "$name")|g" \
    -e "s|@KAFKA_DATA_DIR@|$dir/data|g" -e "s|@NUM_PARTITIONS@|$KAFKA_CLUSTER_PARTITIONS|g" \
    -e "s|@REPLICATION_FACTOR@|$KAFKA_CLUSTER_RF|g" -e "s|@MIN_INSYNC_REPLICAS@|$KAFKA_CLUSTER_MIN_ISR|g" \
    "$DEPLOY_DIR/kafka/cluster-node.properties" >"$dir/server.properties"
  render_kafka_security "$dir/server.properties"
}

kafka_random_cluster_id() {
  "$JAVA" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1
}

# kafka_format_storage <service> <server.properties> <cluster id> <data dir>: KRaft storage format
# (idempotent) with the SASL/SCRAM users of kafka-security.sh.
kafka_format_storage() {
  local name=$1 config=$2 cluster_id=$3 data=$4 format_log=$STACK_DIR/logs/$1-format.log scram=()
  mapfile -t scram < <(kafka_scram_format_args)
  log "$name: formatting storage (cluster id $cluster_id, SCRAM users ${KAFKA_USERS[*]})"
  "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.properties" \
    -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool format --ignore-formatted \
    -t "$cluster_id" -c "$config" "${scram[@]}" >"$format_log" 2>&1 ||
    { tail -n 30 "$format_log" >&2; die "$name: storage format failed"; }
  echo "${KAFKA_USERS[*]}" >"$data/$KAFKA_SCRAM_MARKER"
}

# Every node is formatted with the same cluster id, kept in $STACK_DIR/kafka-cluster.id.
format_kafka_node() {
  local name=$1 dir id_file=$STACK_DIR/kafka-cluster.id
  dir=$(kafka_node_dir "$name")
  kafka_require_scram_users "$dir/data" "$name"
  [[ -f $dir/data/meta.properties ]] && return
  [[ -s $id_file ]] || kafka_random_cluster_id >"$id_file"
  kafka_format_storage "$name" "$dir/server.properties" "$(cat "$id_file")" "$dir/data"
}

start_kafka_node() {
  local name=$1
  render_kafka_node_config "$name"
  format_kafka_node "$name"
  STARTED_AT[$name]=$(now_ms)
  # shellcheck disable=SC2086
  start_detached "$name" "$(kafka_node_dir "$name")" "$JAVA" $KAFKA_NODE_HEAP -XX:+UseSerialGC \
    -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.properties" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$(kafka_node_marker "$name")"
}

# up.sh: start every node at once (a KRaft quorum needs a majority before any of them is ready).
launch_kafka_cluster() {
  local name
  for name in $(kafka_services); do launch "$name" start_kafka_node; done
}

await_kafka_cluster() {
  local name started
  for name in $(kafka_services); do await "$name" "$KAFKA_TIMEOUT"; done
  started=$(now_ms)
  until kafka_cluster_whole; do
    (($(now_ms) - started < KAFKA_TIMEOUT * 1000)) ||
      die "kafka: metadata does not list $STACK_KAFKA_BROKERS brokers after ${KAFKA_TIMEOUT}s"
    sleep 0.5
  done
  log "kafka: cluster of $STACK_KAFKA_BROKERS brokers at $(kafka_bootstrap)"
}

# down.sh: nodes found by pid file, whatever STACK_KAFKA_BROKERS says now. All get SIGTERM at
# once: stopped one by one, the last node waits in vain for a controller quorum to leave cleanly.
stop_kafka_nodes() {
  local file name names=()
  for file in "$STACK_DIR"/pids/kafka-[0-9]*.pid; do
    [[ -e $file ]] || continue
    name=$(basename "$file" .pid)
    if is_running "$name"; then
      names+=("$name")
      log "$name: stopping (pid $(pid_of "$name"))"
      kill -TERM "$(pid_of "$name")" 2>/dev/null || true
    else
      rm -f "$file"
    fi
  done
  for name in "${names[@]}"; do stop_process "$name" "${STOP_TIMEOUT:-20}"; done
}
