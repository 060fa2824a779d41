#!/usr/bin/env bash
# Brings up the local stack (PostgreSQL, Kafka, Apicurio Registry, simulators) in the
# background and waits until every service is healthy. Idempotent; see deploy/README.md.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_TIMEOUT=${PG_TIMEOUT:-60}
KAFKA_TIMEOUT=${KAFKA_TIMEOUT:-90}
REGISTRY_TIMEOUT=${REGISTRY_TIMEOUT:-120}
SIM_TIMEOUT=${SIM_TIMEOUT:-60}

declare -A STARTED_AT=()

# ---------- installation (cached outside git) ----------

mvn_quiet() {
  local log=$1
  shift
  mvn -B -q "$@" >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "mvn failed (log: $log)"; }
}

ensure_kafka_libs() {
  [[ -f $KAFKA_HOME/.complete ]] && return
  log "kafka: fetching $KAFKA_VERSION jars from Maven Central…"
  rm -rf "$KAFKA_HOME.tmp"
  mvn_quiet "$STACK_DIR/logs/mvn-kafka.log" -f "$DEPLOY_DIR/maven/kafka/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" "$MVN_DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME.tmp/libs"
  touch "$KAFKA_HOME.tmp/.complete"
  rm -rf "$KAFKA_HOME" && mv "$KAFKA_HOME.tmp" "$KAFKA_HOME"
}

ensure_apicurio() {
  [[ -f $APICURIO_HOME/.complete ]] && return
  log "apicurio: fetching apicurio-registry-app $APICURIO_VERSION from Maven Central…"
  rm -rf "$APICURIO_HOME.tmp" && mkdir -p "$APICURIO_HOME.tmp"
  mvn_quiet "$STACK_DIR/logs/mvn-apicurio.log" "$MVN_DEPENDENCY_PLUGIN_COPY:copy" \
    -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
    -DoutputDirectory="$APICURIO_HOME.tmp"
  tar xzf "$APICURIO_HOME.tmp"/apicurio-registry-app-*.tar.gz -C "$APICURIO_HOME.tmp"
  rm -f "$APICURIO_HOME.tmp"/apicurio-registry-app-*.tar.gz
  [[ -n $(apicurio_jar "$APICURIO_HOME.tmp") ]] || die "apicurio: no runnable jar in the $APICURIO_VERSION archive"
  touch "$APICURIO_HOME.tmp/.complete"
  rm -rf "$APICURIO_HOME" && mv "$APICURIO_HOME.tmp" "$APICURIO_HOME"
}

# 3.0.x ships a legacy-jar layout (*-runner.jar), later releases a fast-jar (quarkus-run.jar).
apicurio_jar() {
  local dir=${1:-$APICURIO_HOME}
  find "$dir" -maxdepth 1 \( -name quarkus-run.jar -o -name '*-runner.jar' \) | head -1
}

# ---------- PostgreSQL ----------

prepare_pg_home() {
  local user fallback
  user=$(pg_os_user)
  mkdir -p "$STACK_DIR"
  if [[ ! -e $STACK_DIR/pg ]] && ! as_pg test -x "$STACK_DIR"; then
    fallback=/var/tmp/payment-stack-$(printf %s "$REPO_ROOT" | sha1sum | cut -c1-10)/pg
    log "postgres: $user cannot reach $STACK_DIR, keeping its data in $fallback"
    mkdir -p "$fallback"
    ln -sfn "$fallback" "$STACK_DIR/pg"
  fi
  mkdir -p "$(pg_home)"
  [[ $EUID -eq 0 ]] && chown "$user:" "$(pg_home)"
  chmod 700 "$(pg_home)"
}

init_pg_cluster() {
  [[ -f $(pg_data)/PG_VERSION ]] && return
  log "postgres: initdb in $(pg_data)"
  as_pg "$(pg_bin)/initdb" -D "$(pg_data)" -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >"$(pg_home)/initdb.log" 2>&1 ||
    { tail -n 30 "$(pg_home)/initdb.log" >&2; die "initdb failed"; }
  echo "include = 'stack.conf'" | as_pg tee -a "$(pg_data)/postgresql.conf" >/dev/null
}

start_postgres() {
  local data
  data=$(pg_data)
  init_pg_cluster
  as_pg tee "$data/stack.conf" <"$DEPLOY_DIR/postgres/postgresql.conf" >/dev/null
  STARTED_AT[postgres]=$(now_ms)
  as_pg "$(pg_bin)/pg_ctl" start -D "$data" -l "$(log_file postgres)" -s \
    -o "-p $PG_PORT -k $(pg_socket_dir)" >/dev/null ||
    fail_with_log postgres "failed to start"
}

psql_admin() {
  as_pg "$(pg_bin)/psql" -h "$(pg_socket_dir)" -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

ensure_role() {
  local role=$1 password=$2 extra=${3:-}
  if [[ -z $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'") ]]; then
    psql_admin -c "CREATE ROLE $role LOGIN PASSWORD '$password' $extra"
  fi
}

ensure_database() {
  local db=$1 owner=$2
  if [[ -z $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'") ]]; then
    psql_admin -c "CREATE DATABASE $db OWNER $owner"
  fi
}

ensure_pg_objects() {
  ensure_role "$PG_APP_USER" "$PG_APP_PASSWORD" REPLICATION
  ensure_database "$PG_APP_DB" "$PG_APP_USER"
  ensure_role "$PG_REGISTRY_USER" "$PG_REGISTRY_PASSWORD"
  ensure_database "$PG_REGISTRY_DB" "$PG_REGISTRY_USER"
}

up_postgres() {
  prepare_pg_home
  launch postgres start_postgres
  await postgres "$PG_TIMEOUT"
  [[ ${STARTED_AT[postgres]:-} == foreign ]] || ensure_pg_objects
}

# ---------- Kafka ----------

render_kafka_config() {
  local dir=$STACK_DIR/kafka
  mkdir -p "$dir/data"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@KAFKA_DATA_DIR@|$dir/data|g" "$DEPLOY_DIR/kafka/server.properties" >"$dir/server.properties"
}

format_kafka_storage() {
  local dir=$STACK_DIR/kafka cluster_id
  [[ -f $dir/data/meta.properties ]] && return
  cluster_id=$("$JAVA" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  log "kafka: formatting storage (cluster id $cluster_id)"
  "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.properties" \
    -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool format --ignore-formatted \
    -t "$cluster_id" -c "$dir/server.properties" >"$STACK_DIR/logs/kafka-format.log" 2>&1 ||
    { tail -n 30 "$STACK_DIR/logs/kafka-format.log" >&2; die "kafka storage format failed"; }
}

start_kafka() {
  format_kafka_storage
  STARTED_AT[kafka]=$(now_ms)
  # shellcheck disable=SC2086
  start_detached kafka "$STACK_DIR/kafka" "$JAVA" $KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.properties" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$STACK_DIR/kafka/server.properties"
}

# ---------- Apicurio Registry ----------

start_apicurio() {
  mkdir -p "$STACK_DIR/apicurio"
  STARTED_AT[apicurio]=$(now_ms)
  # shellcheck disable=SC2086
  start_detached apicurio "$STACK_DIR/apicurio" "$JAVA" $REGISTRY_HEAP -XX:+UseSerialGC \
    -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir="$STACK_DIR/apicurio" \
    -Dquarkus.config.locations="$DEPLOY_DIR/apicurio/application.properties" \
    -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dapicurio.datasource.url="jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_REGISTRY_DB" \
    -Dapicurio.datasource.username="$PG_REGISTRY_USER" \
    -Dapicurio.datasource.password="$PG_REGISTRY_PASSWORD" \
    -Dapicurio.storage.snapshot.location="$STACK_DIR/apicurio" \
    -jar "$(apicurio_jar)"
}

# ---------- simulators ----------

# `node --import tsx` instead of the tsx CLI: one node process per simulator instead of two.
start_sim() {
  local name=$1
  STARTED_AT[$name]=$(now_ms)
  start_detached "$name" "$REPO_ROOT" env PORT="$(port_of "$name")" \
    node --import tsx "$(sim_entry "$name")"
}

# ---------- orchestration ----------

# Starts a service unless it is already up; prints one line either way.
launch() {
  local name=$1 starter=$2 port
  port=$(port_of "$name")
  if is_running "$name"; then
    return
  fi
  if port_open "$port"; then
    if healthy "$name"; then
      warn "$name: port $port is already served by a process that stack/up.sh did not start; using it as is"
      STARTED_AT[$name]=foreign
      return
    fi
    die "$name: port $port is in use by another process (see: ss -ltnp 'sport = :$port')"
  fi
  "$starter" "$name"
  log "$name: starting (pid $(pid_of "$name"), log $(log_file "$name"))…"
}

await() {
  local name=$1 timeout=$2 started=${STARTED_AT[$1]:-}
  [[ $started == foreign ]] && return
  if [[ -z $started ]]; then
    if healthy "$name"; then
      log "$name: already running (pid $(pid_of "$name")) and healthy"
      return
    fi
    started=$(now_ms)
    log "$name: running (pid $(pid_of "$name")) but not healthy yet, waiting…"
  fi
  wait_healthy "$name" "$timeout" "$started"
  log "$name: ok ($(since "$started"))"
}

sims_present() {
  local name
  SIMS=()
  for name in sim-stripe sim-adyen sim-fraud; do
    if [[ -f $(sim_entry "$name") ]]; then
      SIMS+=("$name")
    else
      warn "$name: $(sim_entry "$name") does not exist yet, skipping"
    fi
  done
}

main() {
  local t0 name
  t0=$(now_ms)
  mkdir -p "$STACK_DIR/logs" "$STACK_DIR/pids"
  bash "$REPO_ROOT/scripts/install-deps.sh"
  ensure_kafka_libs
  ensure_apicurio

  up_postgres
  render_kafka_config
  launch kafka start_kafka
  launch apicurio start_apicurio
  sims_present
  for name in "${SIMS[@]}"; do launch "$name" start_sim; done

  await kafka "$KAFKA_TIMEOUT"
  await apicurio "$REGISTRY_TIMEOUT"
  for name in "${SIMS[@]}"; do await "$name" "$SIM_TIMEOUT"; done
  log "all healthy in $(since "$t0"); addresses: eval \"\$(bash scripts/stack/env.sh)\""
}

main "$@"
