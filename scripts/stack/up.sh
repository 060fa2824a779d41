#!/usr/bin/env bash
# Brings up the local stack (PostgreSQL, Kafka, Apicurio Registry, Kafka Connect with the
# Debezium outbox connector and the Iceberg feed, the s3proxy object store, simulators) in the background
# and waits until every service is healthy. Idempotent; see deploy/README.md.
#   up.sh                 everything (Connect when STACK_DEBEZIUM=1 or STACK_ICEBERG=1, the defaults)
#   up.sh connect …       only the named services, plus what they need (connect: postgres, kafka)
#   STACK_KAFKA_BROKERS=3 up.sh   Kafka as a 3-node KRaft cluster (kafka-cluster.sh)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_TIMEOUT=${PG_TIMEOUT:-60}
KAFKA_TIMEOUT=${KAFKA_TIMEOUT:-90}
REGISTRY_TIMEOUT=${REGISTRY_TIMEOUT:-120}
SIM_TIMEOUT=${SIM_TIMEOUT:-60}
CONNECT_TIMEOUT=${CONNECT_TIMEOUT:-120}
CONNECTOR_TIMEOUT=${CONNECTOR_TIMEOUT:-90}
S3_TIMEOUT=${S3_TIMEOUT:-60}

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
  verify_pinned "kafka-$KAFKA_VERSION/libs" "$KAFKA_HOME.tmp/libs"
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
  verify_pinned "apicurio-registry-$APICURIO_VERSION" "$APICURIO_HOME.tmp"
  tar xzf "$APICURIO_HOME.tmp"/apicurio-registry-app-*.tar.gz -C "$APICURIO_HOME.tmp"
  rm -f "$APICURIO_HOME.tmp"/apicurio-registry-app-*.tar.gz
  [[ -n $(apicurio_jar "$APICURIO_HOME.tmp") ]] || die "apicurio: no runnable jar in the $APICURIO_VERSION archive"
  touch "$APICURIO_HOME.tmp/.complete"
  rm -rf "$APICURIO_HOME" && mv "$APICURIO_HOME.tmp" "$APICURIO_HOME"
}

# Connect's runtime classpath (connect-runtime/json/transforms of the broker's release) and the
# Debezium PostgreSQL connector as a plugin directory: its own jars only, without the Kafka and
# SLF4J jars that the worker provides (Debezium is built against a newer connect-api).
ensure_connect_libs() {
  if [[ ! -f $CONNECT_HOME/.complete ]]; then
    log "connect: fetching Kafka Connect $KAFKA_VERSION jars from Maven Central…"
    rm -rf "$CONNECT_HOME.tmp"
    mvn_quiet "$STACK_DIR/logs/mvn-connect.log" -f "$DEPLOY_DIR/maven/connect/pom.xml" \
      -Dkafka.version="$KAFKA_VERSION" "$MVN_DEPENDENCY_PLUGIN:copy-dependencies" \
      -DincludeScope=runtime -DoutputDirectory="$CONNECT_HOME.tmp/libs"
    verify_pinned "kafka-connect-$KAFKA_VERSION/libs" "$CONNECT_HOME.tmp/libs"
    touch "$CONNECT_HOME.tmp/.complete"
    rm -rf "$CONNECT_HOME" && mv "$CONNECT_HOME.tmp" "$CONNECT_HOME"
  fi
  local home=${DEBEZIUM_PLUGINS%/plugins}
  if [[ ! -f $home/.complete ]]; then
    log "connect: fetching the Debezium PostgreSQL connector $DEBEZIUM_VERSION from Maven Central…"
    rm -rf "$home.tmp"
    mvn_quiet "$STACK_DIR/logs/mvn-debezium.log" -f "$DEPLOY_DIR/maven/debezium/pom.xml" \
      -Ddebezium.version="$DEBEZIUM_VERSION" "$MVN_DEPENDENCY_PLUGIN:copy-dependencies" \
      -DincludeScope=runtime \
      -DexcludeGroupIds=org.apache.kafka,org.slf4j,com.github.luben,at.yawk.lz4,org.lz4,org.xerial.snappy,jakarta.ws.rs \
      -DoutputDirectory="$home.tmp/plugins/debezium-connector-postgres"
    verify_pinned "debezium-$DEBEZIUM_VERSION/plugins/debezium-connector-postgres" \
      "$home.tmp/plugins/debezium-connector-postgres"
    touch "$home.tmp/.complete"
    rm -rf "$home" && mv "$home.tmp" "$home"
  fi
  if [[ $STACK_ICEBERG == 1 ]]; then ensure_iceberg_plugins; fi
}

ensure_s3proxy() {
  [[ -f $S3PROXY_HOME/.complete ]] && return
  log "s3: fetching s3proxy $S3PROXY_VERSION from Maven Central…"
  rm -rf "$S3PROXY_HOME.tmp" && mkdir -p "$S3PROXY_HOME.tmp"
  mvn_quiet "$STACK_DIR/logs/mvn-s3proxy.log" "$MVN_DEPENDENCY_PLUGIN:copy" \
    -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" \
    -DoutputDirectory="$S3PROXY_HOME.tmp"
  verify_pinned "s3proxy-$S3PROXY_VERSION" "$S3PROXY_HOME.tmp"
  touch "$S3PROXY_HOME.tmp/.complete"
  rm -rf "$S3PROXY_HOME" && mv "$S3PROXY_HOME.tmp" "$S3PROXY_HOME"
}

# 3.0.x ships a legacy-jar layout (*-runner.jar), later releases a fast-jar (quarkus-run.jar).
apicurio_jar() {
  local dir=${1:-$APICURIO_HOME}
  find "$dir" -maxdepth 1 \( -name quarkus-run.jar -o -name '*-runner.jar' \) | head -1
}

# ---------- PostgreSQL ----------

prepare_pg_home() {
  local user fallback key
  user=$(pg_os_user)
  mkdir -p "$STACK_DIR"
  if [[ ! -e $STACK_DIR/pg ]] && ! as_pg test -x "$STACK_DIR"; then
    # Keyed by the checkout, or by STACK_DIR when it is not the default (a second stack of the same
    # checkout, e.g. the fault campaign's, must not share the first one's cluster).
    key=$REPO_ROOT
    [[ $STACK_DIR == "$REPO_ROOT/.stack" ]] || key=$STACK_DIR
    fallback=/var/tmp/payment-stack-$(printf %s "$key" | sha1sum | cut -c1-10)/pg
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

# The service's own role may also log in over the Unix socket with its password (DATABASE_SOCKET_DIR):
# cheaper than TCP loopback. Other local logins stay peer-authenticated.
allow_app_socket_login() {
  local hba line
  hba=$(pg_data)/pg_hba.conf
  line="local   all             $PG_APP_USER                                scram-sha-256"
  grep -q "^local *all *$PG_APP_USER " "$hba" && return
  as_pg sed -i "0,/^local/s//$line\\nlocal/" "$hba"
}

start_postgres() {
  local data
  data=$(pg_data)
  init_pg_cluster
  allow_app_socket_login
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
  # Tests that stop or pause a dependency run their own service over a private database.
  psql_admin -c "ALTER ROLE $PG_APP_USER CREATEDB"
  ensure_database "$PG_APP_DB" "$PG_APP_USER"
  as_pg "$(pg_bin)/psql" -h "$(pg_socket_dir)" -p "$PG_PORT" -d "$PG_APP_DB" -v ON_ERROR_STOP=1 -qtA \
    -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
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
  render_kafka_security "$dir/server.properties"
}

format_kafka_storage() {
  local data=$STACK_DIR/kafka/data
  kafka_require_scram_users "$data" kafka
  [[ -f $data/meta.properties ]] && return
  kafka_format_storage kafka "$STACK_DIR/kafka/server.properties" "$(kafka_random_cluster_id)" "$data"
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

# ---------- Kafka Connect + Debezium ----------

render_connect_config() {
  mkdir -p "$STACK_DIR/connect"
  (
    umask 077
    sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" -e "s|@CONNECT_PORT@|$CONNECT_PORT|g" \
      -e "s|@CONNECT_GROUP@|$CONNECT_GROUP|g" -e "s|@PLUGIN_PATH@|$(connect_plugin_path)|g" \
      -e "s|@KAFKA_SASL_MECHANISM@|$KAFKA_SASL_MECHANISM|g" \
      -e "s|@KAFKA_CONNECT_JAAS@|$(kafka_jaas connect)|g" \
      "$DEPLOY_DIR/connect/connect-distributed.properties" >"$STACK_DIR/connect/connect-distributed.properties"
  )
}

start_connect() {
  render_connect_config
  STARTED_AT[connect]=$(now_ms)
  # shellcheck disable=SC2086
  start_detached connect "$STACK_DIR/connect" "$JAVA" $CONNECT_HEAP -XX:+UseSerialGC \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Djava.io.tmpdir="$STACK_DIR/connect" \
    -Dlog4j2.configurationFile="$DEPLOY_DIR/connect/log4j2.properties" \
    -cp "$CONNECT_HOME/libs/*" org.apache.kafka.connect.cli.ConnectDistributed \
    "$STACK_DIR/connect/connect-distributed.properties"
}

# The connectors need payment_outbox, psp_settlement and their publications: apply the (idempotent)
# migrations when a publication is missing (a fresh database, or one older than the Iceberg feed).
# Otherwise the service applies them when it starts.
migrate_db() {
  local url=postgres://$PG_APP_USER:$PG_APP_PASSWORD@127.0.0.1:$PG_PORT/$PG_APP_DB
  if [[ $(psql_admin -d "$PG_APP_DB" -c "SELECT count(*) FROM pg_publication
      WHERE pubname IN ('payment_outbox_debezium', 'psp_settlement_cdc')" 2>/dev/null) == 2 ]]; then
    return
  fi
  log "connect: applying database migrations (payment_outbox, psp_settlement and their publications)"
  (cd "$REPO_ROOT" && DATABASE_URL=$url node_modules/.bin/tsx db/migrate-cli.ts) \
    >"$STACK_DIR/logs/migrate.log" 2>&1 ||
    { tail -n 30 "$STACK_DIR/logs/migrate.log" >&2; die "database migrations failed (log: $STACK_DIR/logs/migrate.log)"; }
}

render_outbox_connector() {
  sed -e "s|@PG_HOST@|127.0.0.1|g" -e "s|@PG_PORT@|$PG_PORT|g" -e "s|@PG_USER@|$PG_APP_USER|g" \
    -e "s|@PG_PASSWORD@|$PG_APP_PASSWORD|g" -e "s|@PG_DB@|$PG_APP_DB|g" \
    -e "s|@POLL_INTERVAL_MS@|$DEBEZIUM_POLL_MS|g" "$DEPLOY_DIR/debezium/payment-outbox-connector.json"
}

# Exit 0 when the config file $2 equals the one registered for connector $1 (Connect adds "name").
connector_config_current() {
  local current
  current=$(curl -sf --max-time 5 "$(connect_url "/connectors/$1/config")") || return 1
  CURRENT=$current node -e '
    const want = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const { name, ...have } = JSON.parse(process.env.CURRENT);
    const same = Object.keys(want).length === Object.keys(have).length &&
      Object.entries(want).every(([k, v]) => have[k] === v);
    process.exit(same ? 0 : 1);' "$2"
}

# register_connector <name> <config file>: PUT /connectors/<name>/config creates or updates; skipped
# when nothing changed, so a second up.sh does not restart the task. Then waits until the connector
# and its task are RUNNING.
register_connector() {
  local name=$1 file=$2 started code states tries=0
  started=$(now_ms)
  if connector_config_current "$name" "$file"; then
    log "connect: connector $name already registered with this config"
  else
    # 409 while the worker rebalances right after start: retry.
    until code=$(curl -s -o "$STACK_DIR/connect/put-response.json" -w '%{http_code}' --max-time 30 \
      -X PUT -H 'Content-Type: application/json' --data-binary "@$file" \
      "$(connect_url "/connectors/$name/config")") && [[ $code == 20[01] ]]; do
      (( ++tries < 30 )) || die "connect: PUT $name config answered ${code:-nothing}: $(cat "$STACK_DIR/connect/put-response.json" 2>/dev/null)"
      sleep 1
    done
    log "connect: connector $name $([[ $code == 201 ]] && echo created || echo updated)"
    # An update restarts the connector and its task; the status still says RUNNING for a moment.
    sleep 2
  fi
  until states=$(connector_states "$name") && all_tasks_running "$states"; do
    if [[ $states == *FAILED* ]]; then
      curl -s "$(connect_url "/connectors/$name/status")" | head -c 3000 >&2
      echo >&2
      fail_with_log connect "connector $name failed ($states)"
    fi
    is_running connect || [[ ${STARTED_AT[connect]:-} == foreign ]] || fail_with_log connect "exited while starting the connector"
    (( $(now_ms) - started < CONNECTOR_TIMEOUT * 1000 )) ||
      fail_with_log connect "connector $name not RUNNING after ${CONNECTOR_TIMEOUT}s (${states:-not registered})"
    sleep 0.5
  done
  log "connect: connector $name and its task RUNNING ($(since "$started"))"
}

# The outbox connector (STACK_DEBEZIUM=1) and the Iceberg feed (STACK_ICEBERG=1).
register_connectors() {
  migrate_db
  if [[ $STACK_DEBEZIUM == 1 ]]; then
    render_outbox_connector >"$STACK_DIR/connect/$CONNECTOR_NAME.json"
    register_connector "$CONNECTOR_NAME" "$STACK_DIR/connect/$CONNECTOR_NAME.json"
  fi
  if [[ $STACK_ICEBERG == 1 ]]; then register_iceberg_feed; fi
}

# With Connect off, an existing slot still pins WAL (up to max_slot_wal_keep_size): say so.
# warn_idle_slot <slot> <flag>: the outbox's slot with STACK_DEBEZIUM=0, the settlement CDC's with STACK_ICEBERG=0.
warn_idle_slot() {
  local slot=$1 flag=$2 retained
  retained=$(psql_admin -d "$PG_APP_DB" -c "SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn))
    FROM pg_replication_slots WHERE slot_name = '$slot' AND NOT active" 2>/dev/null) || return 0
  [[ -n $retained ]] || return 0
  warn "connect: $flag=0 but replication slot $slot exists and retains $retained of WAL;" \
    "drop it if its connector is not used: SELECT pg_drop_replication_slot('$slot')"
}

# ---------- S3 object store (s3proxy) ----------

start_s3() {
  local dir=$STACK_DIR/s3
  mkdir -p "$dir/data"
  (
    umask 077
    sed -e "s|@S3_PORT@|$S3_PORT|g" -e "s|@S3_ACCESS_KEY@|$S3_ACCESS_KEY|g" \
      -e "s|@S3_SECRET_KEY@|$S3_SECRET_KEY|g" -e "s|@S3_DATA_DIR@|$dir/data|g" \
      "$DEPLOY_DIR/s3proxy/s3proxy.properties" >"$dir/s3proxy.properties"
  )
  STARTED_AT[s3]=$(now_ms)
  # shellcheck disable=SC2086
  start_detached s3 "$dir" "$JAVA" $S3_HEAP -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
    -Djava.io.tmpdir="$dir" -jar "$S3PROXY_JAR" --properties "$dir/s3proxy.properties"
}

# PUT /<bucket>, signed with SigV4: 200 creates it, 409 (BucketAlreadyOwnedByYou) means it exists.
# curl 7.88 signs without x-amz-content-sha256, which S3 requires: send the empty body's hash.
ensure_buckets() {
  local bucket code empty_sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
  for bucket in "$S3_BUCKET_RECON" "$S3_BUCKET_FINANCE" "$S3_BUCKET_WAREHOUSE"; do
    code=$(curl -s -o "$STACK_DIR/s3/put-bucket.xml" -w '%{http_code}' --max-time 10 -X PUT \
      -H "x-amz-content-sha256: $empty_sha256" --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "$(s3_url "/$bucket")") || code=000
    case $code in
      200) log "s3: bucket $bucket created" ;;
      409) ;;
      *) die "s3: creating bucket $bucket answered $code: $(cat "$STACK_DIR/s3/put-bucket.xml" 2>/dev/null)" ;;
    esac
  done
}

# ---------- simulators ----------

# `node --import tsx` instead of the tsx CLI: one node process per simulator instead of two.
# PSP simulators sign and POST webhooks to the service (default: the one `npm start` runs on
# ${PORT:-8080}); WEBHOOK_URL_STRIPE / WEBHOOK_URL_ADYEN override. POST /_sim/webhook-endpoint
# changes the target of a running simulator (the test suite points them at its own service).
start_sim() {
  local name=$1 psp=${1#sim-} hook=()
  STARTED_AT[$name]=$(now_ms)
  case $psp in
    stripe) hook=(WEBHOOK_URL="${WEBHOOK_URL_STRIPE:-http://127.0.0.1:${PORT:-8080}/webhooks/stripe}") ;;
    adyen) hook=(WEBHOOK_URL="${WEBHOOK_URL_ADYEN:-http://127.0.0.1:${PORT:-8080}/webhooks/adyen}") ;;
  esac
  start_detached "$name" "$REPO_ROOT" env PORT="$(port_of "$name")" "${hook[@]}" \
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

WANTED=()

# The services to bring up: all (Connect only if STACK_DEBEZIUM=1), or the named ones with
# what they depend on.
select_services() {
  local name
  if (($# == 0)); then
    for name in "${SERVICES[@]}"; do
      [[ $name == connect ]] && ! connect_enabled && continue
      [[ $name == stripe-mock && $STACK_STRIPE_MOCK != 1 ]] && continue
      [[ $name == jaeger && $STACK_JAEGER != 1 ]] && continue
      WANTED+=("$name")
    done
    return
  fi
  for name in "$@"; do
    [[ " ${SERVICES[*]} " == *" $name "* ]] || die "unknown service '$name' (known: ${SERVICES[*]})"
    case $name in
      apicurio) WANTED+=(postgres) ;;
      connect)
        WANTED+=(postgres kafka)
        # The Iceberg sinks read through the registry and write to the object store.
        if [[ $STACK_ICEBERG == 1 ]]; then WANTED+=(apicurio s3); fi
        ;;
    esac
    WANTED+=("$name")
  done
}

wanted() { [[ " ${WANTED[*]} " == *" $1 "* ]]; }

main() {
  local t0 name
  t0=$(now_ms)
  select_services "$@"
  mkdir -p "$STACK_DIR/logs" "$STACK_DIR/pids"
  bash "$REPO_ROOT/scripts/install-deps.sh"
  if wanted kafka; then ensure_kafka_libs; fi
  if wanted apicurio; then ensure_apicurio; fi
  if wanted connect; then ensure_connect_libs; fi
  if wanted s3; then ensure_s3proxy; fi

  if wanted postgres; then up_postgres; fi
  if wanted kafka; then
    if kafka_cluster; then
      launch_kafka_cluster
    else
      render_kafka_config
      launch kafka start_kafka
    fi
  fi
  if wanted apicurio; then launch apicurio start_apicurio; fi
  if wanted s3; then launch s3 start_s3; fi
  SIMS=()
  if wanted sim-stripe || wanted sim-adyen || wanted sim-fraud; then sims_present; fi
  for name in "${SIMS[@]}"; do
    if wanted "$name"; then launch "$name" start_sim; fi
  done
  if wanted stripe-mock; then
    ensure_stripe_mock
    launch stripe-mock start_stripe_mock
  fi
  if wanted jaeger; then
    ensure_jaeger
    launch jaeger start_jaeger
  fi

  if wanted kafka; then
    if kafka_cluster; then await_kafka_cluster; else await kafka "$KAFKA_TIMEOUT"; fi
    [[ ${STARTED_AT[kafka]:-} == foreign ]] || ensure_kafka_acls
  fi
  # Connect needs the broker; started after it so the two JVMs do not warm up at once on 2 cores.
  if wanted connect; then launch connect start_connect; fi
  if wanted apicurio; then await apicurio "$REGISTRY_TIMEOUT"; fi
  if wanted s3; then
    await s3 "$S3_TIMEOUT"
    ensure_buckets
  fi
  for name in "${SIMS[@]}"; do
    if wanted "$name"; then await "$name" "$SIM_TIMEOUT"; fi
  done
  if wanted stripe-mock; then await stripe-mock "$SIM_TIMEOUT"; fi
  if wanted jaeger; then await jaeger "$SIM_TIMEOUT"; fi
  if wanted connect; then
    await connect "$CONNECT_TIMEOUT"
    register_connectors
  fi
  if (($# == 0)) && [[ $STACK_DEBEZIUM != 1 ]]; then warn_idle_slot "$CONNECTOR_SLOT" STACK_DEBEZIUM; fi
  if (($# == 0)) && [[ $STACK_ICEBERG != 1 ]]; then warn_idle_slot "$SETTLEMENT_CDC_SLOT" STACK_ICEBERG; fi
  log "all healthy in $(since "$t0"); addresses: eval \"\$(bash scripts/stack/env.sh)\""
}

# Sourced (a second worker for development, docs/adr/0012-iceberg-feed.md) it only defines the functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
