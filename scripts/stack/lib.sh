# shellcheck shell=bash
# Shared settings and helpers for scripts/stack/*.sh (sourced, not executed).
# shellcheck disable=SC2034

STACK_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$STACK_SCRIPTS/../.." && pwd)
DEPLOY_DIR=$REPO_ROOT/deploy
STACK_DIR=${STACK_DIR:-$REPO_ROOT/.stack}
PAYMENT_STACK_CACHE=${PAYMENT_STACK_CACHE:-$HOME/.cache/payment-stack}

KAFKA_VERSION=${KAFKA_VERSION:-4.1.1}
APICURIO_VERSION=${APICURIO_VERSION:-3.0.9}
# Kafka Connect runs from the same Kafka release as the broker; Debezium's plugin is separate.
DEBEZIUM_VERSION=${DEBEZIUM_VERSION:-3.6.1.Final}
# S3-compatible object store (docs/adr/0010-object-store.md): s3proxy with its filesystem backend.
S3PROXY_VERSION=${S3PROXY_VERSION:-4.1.0}
# 1 (default): Kafka Connect + the Debezium outbox connector are part of the stack; 0: skipped.
STACK_DEBEZIUM=${STACK_DEBEZIUM:-1}
# Debezium's poll.interval.ms: its streaming loop sleeps this long whenever the WAL stream has
# nothing pending. 10 ms: ~17 ms p50 commit-to-Kafka, ~10% of a core while idle; 50 ms: ~60 ms, ~3%.
DEBEZIUM_POLL_MS=${DEBEZIUM_POLL_MS:-10}
MVN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
# 3.x `copy` reads the artifact's parent POM, which Maven Central does not serve for
# apicurio-registry-app 3.0.9; 2.10 copies the archive without it.
MVN_DEPENDENCY_PLUGIN_COPY=org.apache.maven.plugins:maven-dependency-plugin:2.10

PG_PORT=${PG_PORT:-55432}
KAFKA_PORT=${KAFKA_PORT:-9092}
# A multi-node cluster (kafka-cluster.sh) puts its controllers at KAFKA_PORT+100… unless told otherwise.
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((${STACK_KAFKA_BROKERS:-1} > 1 ? KAFKA_PORT + 100 : 9093))}
REGISTRY_PORT=${REGISTRY_PORT:-8081}
STRIPE_SIM_PORT=${STRIPE_SIM_PORT:-12111}
ADYEN_SIM_PORT=${ADYEN_SIM_PORT:-12112}
FRAUD_SIM_PORT=${FRAUD_SIM_PORT:-12113}
CONNECT_PORT=${CONNECT_PORT:-8083}
# The worker's group.id, and the prefix of its internal topics (deploy/connect/connect-distributed.properties).
CONNECT_GROUP=${CONNECT_GROUP:-payment-connect}
S3_PORT=${S3_PORT:-9000}

# DEV DEFAULT credentials: local throw-away stack only, never use them anywhere else.
PG_APP_USER=payments
PG_APP_PASSWORD=payments
PG_APP_DB=payments
PG_REGISTRY_USER=apicurio
PG_REGISTRY_PASSWORD=apicurio
PG_REGISTRY_DB=apicurio
S3_ACCESS_KEY=${S3_ACCESS_KEY:-payments-dev}
S3_SECRET_KEY=${S3_SECRET_KEY:-payments-dev-secret}
S3_REGION=${S3_REGION:-us-east-1}
# Buckets up.sh creates: reconciliation output, the finance export, the Iceberg warehouse.
S3_BUCKET_RECON=${S3_BUCKET_RECON:-payments-recon}
S3_BUCKET_FINANCE=${S3_BUCKET_FINANCE:-payments-finance}
S3_BUCKET_WAREHOUSE=${S3_BUCKET_WAREHOUSE:-payments-warehouse}

KAFKA_HEAP=${KAFKA_HEAP:--Xms256m -Xmx512m}
REGISTRY_HEAP=${REGISTRY_HEAP:--Xms64m -Xmx384m}
CONNECT_HEAP=${CONNECT_HEAP:--Xms128m -Xmx384m}
S3_HEAP=${S3_HEAP:--Xms32m -Xmx128m}
JAVA=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}

KAFKA_HOME=$PAYMENT_STACK_CACHE/kafka-$KAFKA_VERSION
APICURIO_HOME=$PAYMENT_STACK_CACHE/apicurio-registry-$APICURIO_VERSION
CONNECT_HOME=$PAYMENT_STACK_CACHE/kafka-connect-$KAFKA_VERSION
# plugin.path of the Connect worker; the connector's jars sit in its debezium-connector-postgres/.
DEBEZIUM_PLUGINS=$PAYMENT_STACK_CACHE/debezium-$DEBEZIUM_VERSION/plugins
S3PROXY_HOME=$PAYMENT_STACK_CACHE/s3proxy-$S3PROXY_VERSION
S3PROXY_JAR=$S3PROXY_HOME/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar

# The outbox connector registered by up.sh (config: deploy/debezium/payment-outbox-connector.json).
CONNECTOR_NAME=payment-outbox
CONNECTOR_SLOT=payment_outbox

# Start order; down.sh stops in reverse (Connect before Kafka and PostgreSQL).
SERVICES=(postgres kafka apicurio connect s3 sim-stripe sim-adyen sim-fraud)

log() { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  local bin
  bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -1)
  [[ -n $bin ]] || return 1
  echo "$bin"
}

# Root cannot run postgres; the cluster belongs to the `postgres` OS user then.
pg_os_user() { if [[ $EUID -eq 0 ]]; then echo postgres; else id -un; fi; }
as_pg() { if [[ $EUID -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

# $STACK_DIR/pg, or (when the postgres user cannot traverse the checkout) a symlink from it
# into /var/tmp/payment-stack-<hash of repo path>/pg; always the resolved path.
pg_home() { readlink -m "$STACK_DIR/pg"; }
pg_data() { echo "$(pg_home)/data"; }

# Unix sockets have a 107-byte path limit; fall back to /tmp for deep checkouts.
pg_socket_dir() {
  local dir
  dir=$(pg_home)
  if (( ${#dir} > 80 )); then echo /tmp; else echo "$dir"; fi
}

pid_file() { echo "$STACK_DIR/pids/$1.pid"; }

log_file() {
  case $1 in
    postgres) echo "$(pg_home)/postgres.log" ;;
    *) echo "$STACK_DIR/logs/$1.log" ;;
  esac
}

pid_of() {
  local file
  case $1 in
    postgres) file=$(pg_data)/postmaster.pid ;;
    *) file=$(pid_file "$1") ;;
  esac
  [[ -s $file ]] && head -1 "$file"
}

cmdline_marker() {
  case $1 in
    postgres) echo postgres ;;
    kafka) echo kafka.Kafka ;;
    kafka-[0-9]*) kafka_node_marker "$1" ;;
    apicurio) echo apicurio-registry ;;
    connect) echo org.apache.kafka.connect.cli.ConnectDistributed ;;
    s3) echo "s3proxy-$S3PROXY_VERSION" ;;
    sim-*) sim_entry "$1" ;;
    stripe-mock) echo "$STRIPE_MOCK_BIN" ;;
    jaeger) echo "$JAEGER_BIN" ;;
  esac
}

# A stale pid file may point at a recycled pid: also check the command line.
is_running() {
  local pid
  pid=$(pid_of "$1") && [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null &&
    grep -qaF -- "$(cmdline_marker "$1")" "/proc/$pid/cmdline"
}

port_of() {
  case $1 in
    postgres) echo "$PG_PORT" ;;
    kafka) echo "$KAFKA_PORT" ;;
    kafka-[0-9]*) kafka_node_port "$1" ;;
    apicurio) echo "$REGISTRY_PORT" ;;
    connect) echo "$CONNECT_PORT" ;;
    s3) echo "$S3_PORT" ;;
    sim-stripe) echo "$STRIPE_SIM_PORT" ;;
    sim-adyen) echo "$ADYEN_SIM_PORT" ;;
    sim-fraud) echo "$FRAUD_SIM_PORT" ;;
    stripe-mock) echo "$STRIPE_MOCK_PORT" ;;
    jaeger) echo "$JAEGER_UI_PORT" ;;
  esac
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { curl -sf -o /dev/null --max-time 2 "$1"; }

healthy() {
  case $1 in
    postgres) "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 ;;
    kafka) port_open "$KAFKA_PORT" && kafka_ping "127.0.0.1:$KAFKA_PORT" ;;
    kafka-[0-9]*) kafka_node_healthy "$1" ;;
    apicurio) curl -sf --max-time 2 "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects" | grep -q '^\[' ;;
    connect) curl -sf --max-time 2 "http://127.0.0.1:$CONNECT_PORT/connectors" | grep -q '^\[' ;;
    s3) http_ok "http://127.0.0.1:$S3_PORT/healthz" ;;
    sim-*) http_ok "http://127.0.0.1:$(port_of "$1")/health" ;;
    stripe-mock) stripe_mock_healthy ;;
    jaeger) jaeger_healthy ;;
  esac
}

now_ms() { date +%s%3N; }
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100)); }

fail_with_log() {
  local name=$1 reason=$2 log
  log=$(log_file "$name")
  printf '[stack] ERROR: %s %s. Last 30 lines of %s:\n' "$name" "$reason" "$log" >&2
  tail -n 30 "$log" 2>/dev/null | sed 's/^/    /' >&2
  exit 1
}

# The timeout runs from the later of the service's launch and the start of this wait: on a cold machine
# a service launched early may be awaited only after minutes of builds (Go tools, the native Kafka
# client) that also starved it of CPU, and it must still get its full timeout to answer.
wait_healthy() {
  local name=$1 timeout=$2 started=$3 begun
  begun=$(now_ms)
  (( begun > started )) && started=$begun
  until healthy "$name"; do
    is_running "$name" || fail_with_log "$name" "exited during start-up"
    (( $(now_ms) - started < timeout * 1000 )) || fail_with_log "$name" "not healthy after ${timeout}s"
    sleep 0.25
  done
}

# Detached from this shell (own session, so down.sh can signal the whole process group).
start_detached() {
  local name=$1 workdir=$2 log
  shift 2
  log=$(log_file "$name")
  mkdir -p "$STACK_DIR/pids" "$STACK_DIR/logs"
  [[ -f $log ]] && mv -f "$log" "$log.1"
  (cd "$workdir" && exec setsid nohup "$@") >"$log" 2>&1 </dev/null &
  echo $! >"$(pid_file "$name")"
}

stop_process() {
  local name=$1 timeout=${2:-20} pid
  pid=$(pid_of "$name") || return 0
  if is_running "$name"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(( $(date +%s) + timeout ))
    while kill -0 "$pid" 2>/dev/null && (( $(date +%s) < deadline )); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      warn "$name (pid $pid) ignored SIGTERM for ${timeout}s, sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    if pgrep -g "$pid" >/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  fi
  rm -f "$(pid_file "$name")"
}

sim_entry() { echo "$REPO_ROOT/simulators/${1#sim-}/main.ts"; }

s3_url() { echo "http://127.0.0.1:$S3_PORT$1"; }

connect_url() { echo "http://127.0.0.1:$CONNECT_PORT$1"; }

# "RUNNING RUNNING" (connector state, then each task's), or nothing if not registered; of the outbox
# connector unless a name is given.
connector_states() {
  curl -sf --max-time 2 "$(connect_url "/connectors/${1:-$CONNECTOR_NAME}/status")" 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const j=JSON.parse(s);
      console.log([j.connector.state,...j.tasks.map((t)=>t.state)].join(" "))})' 2>/dev/null
}

# "RUNNING RUNNING": the connector and (at least) one task, all RUNNING.
all_tasks_running() {
  local words w
  read -ra words <<<"$1"
  ((${#words[@]} >= 2)) || return 1
  for w in "${words[@]}"; do [[ $w == RUNNING ]] || return 1; done
}

# shellcheck source=checksums.sh
source "$STACK_SCRIPTS/checksums.sh"
# shellcheck source=stripe-mock.sh
source "$STACK_SCRIPTS/stripe-mock.sh"
# shellcheck source=jaeger.sh
source "$STACK_SCRIPTS/jaeger.sh"
# shellcheck source=kafka-cluster.sh
source "$STACK_SCRIPTS/kafka-cluster.sh"
# shellcheck source=kafka-security.sh
source "$STACK_SCRIPTS/kafka-security.sh"
# shellcheck source=iceberg.sh
source "$STACK_SCRIPTS/iceberg.sh"
