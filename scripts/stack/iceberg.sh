# shellcheck shell=bash
# The Iceberg feed of the stack (docs/adr/0012-iceberg-feed.md), sourced by lib.sh: the Apache Iceberg
# Kafka Connect sink and Apicurio's Avro converter as plugins of the stack's Connect worker, the
# psp_settlement CDC connector, the two sink connectors, their control topics and the catalog's tables.
# STACK_ICEBERG=1 (default) puts them in `up.sh`; 0 leaves them out.
# shellcheck disable=SC2034

STACK_ICEBERG=${STACK_ICEBERG:-1}
ICEBERG_SINK_VERSION=${ICEBERG_SINK_VERSION:-1.12.0}
# 2.6.x speaks the registry's v2 API, which Apicurio 3.0 serves (deploy/maven/apicurio-converter/pom.xml).
APICURIO_CONVERTER_VERSION=${APICURIO_CONVERTER_VERSION:-2.6.13.Final}
ICEBERG_SINK_PLUGINS=$PAYMENT_STACK_CACHE/iceberg-sink-$ICEBERG_SINK_VERSION/plugins
APICURIO_CONVERTER_PLUGINS=$PAYMENT_STACK_CACHE/apicurio-converter-$APICURIO_CONVERTER_VERSION/plugins

# The catalog's namespace (finance.<ns>.payment_events, finance.<ns>.settlement_lines).
ICEBERG_NAMESPACE=${ICEBERG_NAMESPACE:-payments}
# How often each sink's coordinator commits to the table (the sink's default is 5 minutes). Every
# commit with data is one snapshot; production would commit every few minutes and compact.
ICEBERG_COMMIT_INTERVAL_MS=${ICEBERG_COMMIT_INTERVAL_MS:-10000}
# Appended to every Kafka and replication-slot name of the feed, so that a second feed (a helper's own
# worker over its own database, e.g. ICEBERG_FEED_SUFFIX=-w1) runs beside the stack's.
ICEBERG_FEED_SUFFIX=${ICEBERG_FEED_SUFFIX:-}
ICEBERG_EVENTS_CONNECTOR=payment-events-iceberg$ICEBERG_FEED_SUFFIX
ICEBERG_SETTLEMENT_CONNECTOR=settlement-lines-iceberg$ICEBERG_FEED_SUFFIX
SETTLEMENT_CDC_CONNECTOR=psp-settlement-cdc$ICEBERG_FEED_SUFFIX
SETTLEMENT_CDC_SLOT=psp_settlement_cdc${ICEBERG_FEED_SUFFIX//-/_}
SETTLEMENT_CDC_TOPIC_PREFIX=payments-cdc$ICEBERG_FEED_SUFFIX
SETTLEMENT_CDC_TOPIC=$SETTLEMENT_CDC_TOPIC_PREFIX.public.psp_settlement
# Each sink's control topic (commit coordination between its tasks and its coordinator).
ICEBERG_EVENTS_CONTROL_TOPIC=payment-iceberg-control-events$ICEBERG_FEED_SUFFIX
ICEBERG_SETTLEMENT_CONTROL_TOPIC=payment-iceberg-control-settlement$ICEBERG_FEED_SUFFIX
# Registration order: the CDC source first (its topic must exist before the sink subscribes).
ICEBERG_CONNECTORS=("$SETTLEMENT_CDC_CONNECTOR" "$ICEBERG_EVENTS_CONNECTOR" "$ICEBERG_SETTLEMENT_CONNECTOR")

# Connect's plugin.path: Debezium, plus the sink and the converter when the feed is on.
connect_plugin_path() {
  local path=$DEBEZIUM_PLUGINS
  [[ $STACK_ICEBERG == 1 ]] && path+=",$ICEBERG_SINK_PLUGINS,$APICURIO_CONVERTER_PLUGINS"
  echo "$path"
}

# Connect runs for the outbox connector (STACK_DEBEZIUM) or for the feed (STACK_ICEBERG).
connect_enabled() { [[ $STACK_DEBEZIUM == 1 || $STACK_ICEBERG == 1 ]]; }

# install_plugin <label> <pom> <plugin dir name> <home>: the pom's runtime dependencies, without the
# Kafka and SLF4J jars the worker provides, checked against deploy/checksums/maven.sha256.
install_plugin() {
  local label=$1 pom=$2 name=$3 home=$4
  [[ -f $home/.complete ]] && return
  log "connect: fetching $label from Maven Central…"
  rm -rf "$home.tmp"
  mvn_quiet "$STACK_DIR/logs/mvn-$name.log" -f "$pom" "$MVN_DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DexcludeGroupIds=org.apache.kafka,org.slf4j \
    -DoutputDirectory="$home.tmp/plugins/$name"
  verify_pinned "$(basename "$home")/plugins/$name" "$home.tmp/plugins/$name"
}

finish_plugin() {
  local home=$1
  touch "$home.tmp/.complete"
  rm -rf "$home" && mv "$home.tmp" "$home"
}

# The worker finds plugins by their ServiceLoader manifests (plugin.discovery=service_load). The
# Iceberg sink ships one; Apicurio's converter does not, so a one-file jar next to it declares it.
converter_manifest_jar() {
  local dir=$1 work
  work=$(mktemp -d)
  mkdir -p "$work/META-INF/services"
  printf '%s\n' io.apicurio.registry.utils.converter.AvroConverter \
    >"$work/META-INF/services/org.apache.kafka.connect.storage.Converter"
  (cd "$work" && zip -qX -r "$dir/payment-stack-service-manifest.jar" META-INF)
  rm -rf "$work"
}

ensure_iceberg_plugins() {
  local home=${ICEBERG_SINK_PLUGINS%/plugins}
  if [[ ! -f $home/.complete ]]; then
    install_plugin "the Iceberg Kafka Connect sink $ICEBERG_SINK_VERSION" \
      "$DEPLOY_DIR/maven/iceberg-sink/pom.xml" iceberg-sink "$home"
    finish_plugin "$home"
  fi
  home=${APICURIO_CONVERTER_PLUGINS%/plugins}
  if [[ ! -f $home/.complete ]]; then
    install_plugin "Apicurio's Avro converter $APICURIO_CONVERTER_VERSION" \
      "$DEPLOY_DIR/maven/apicurio-converter/pom.xml" apicurio-converter "$home"
    converter_manifest_jar "$home.tmp/plugins/apicurio-converter"
    finish_plugin "$home"
  fi
}

# A connector's config from its template under deploy/ (DEV DEFAULT credentials, like the outbox's).
render_iceberg_connector() {
  local name=$1 template control=
  case $name in
    "$SETTLEMENT_CDC_CONNECTOR") template=$DEPLOY_DIR/debezium/psp-settlement-cdc-connector.json ;;
    "$ICEBERG_EVENTS_CONNECTOR")
      template=$DEPLOY_DIR/iceberg/payment-events-sink.json
      control=$ICEBERG_EVENTS_CONTROL_TOPIC
      ;;
    "$ICEBERG_SETTLEMENT_CONNECTOR")
      template=$DEPLOY_DIR/iceberg/settlement-lines-sink.json
      control=$ICEBERG_SETTLEMENT_CONTROL_TOPIC
      ;;
    *) die "iceberg: unknown connector $name" ;;
  esac
  sed -e "s|@PG_HOST@|127.0.0.1|g" -e "s|@PG_PORT@|$PG_PORT|g" -e "s|@PG_USER@|$PG_APP_USER|g" \
    -e "s|@PG_PASSWORD@|$PG_APP_PASSWORD|g" -e "s|@PG_DB@|$PG_APP_DB|g" \
    -e "s|@SLOT@|$SETTLEMENT_CDC_SLOT|g" -e "s|@CDC_TOPIC_PREFIX@|$SETTLEMENT_CDC_TOPIC_PREFIX|g" \
    -e "s|@CDC_TOPIC@|$SETTLEMENT_CDC_TOPIC|g" -e "s|@NAMESPACE@|$ICEBERG_NAMESPACE|g" \
    -e "s|@CONTROL_TOPIC@|$control|g" \
    -e "s|@COMMIT_INTERVAL_MS@|$ICEBERG_COMMIT_INTERVAL_MS|g" \
    -e "s|@REGISTRY_URL@|http://127.0.0.1:$REGISTRY_PORT/apis/registry/v2|g" \
    -e "s|@S3_ENDPOINT@|$(s3_url "")|g" -e "s|@S3_BUCKET_WAREHOUSE@|$S3_BUCKET_WAREHOUSE|g" \
    -e "s|@S3_ACCESS_KEY@|$S3_ACCESS_KEY|g" -e "s|@S3_SECRET_KEY@|$S3_SECRET_KEY|g" \
    -e "s|@S3_REGION@|$S3_REGION|g" "$template"
}

# The sinks' control topics and the CDC topic, one partition each (the broker's auto-creation would
# make 12, and the CDC topic would only appear with the first change while its sink already waits).
# A marker in the (first) broker's data directory skips the three JVM runs once they are made.
ensure_iceberg_topics() {
  local admin_config topic data marker want
  if kafka_cluster; then data=$(kafka_node_dir kafka-1)/data; else data=$STACK_DIR/kafka/data; fi
  marker=$data/payment-stack-iceberg-topics
  want="$ICEBERG_EVENTS_CONTROL_TOPIC $ICEBERG_SETTLEMENT_CONTROL_TOPIC $SETTLEMENT_CDC_TOPIC"
  [[ $(cat "$marker" 2>/dev/null) == "$want" ]] && return
  admin_config=$(kafka_admin_client_config)
  for topic in $want; do
    "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.properties" -cp "$KAFKA_HOME/libs/*" \
      org.apache.kafka.tools.TopicCommand --bootstrap-server "$(kafka_bootstrap)" \
      --command-config "$admin_config" --create --if-not-exists --partitions 1 --replication-factor 1 \
      --topic "$topic" >>"$STACK_DIR/logs/iceberg-topics.log" 2>&1 ||
      { tail -n 20 "$STACK_DIR/logs/iceberg-topics.log" >&2; die "iceberg: creating the topic $topic failed"; }
  done
  if [[ -d $data ]]; then echo "$want" >"$marker"; fi
}

# A worker started before the feed existed has neither plugin on its plugin.path: say how to fix it
# instead of letting the connectors fail.
require_iceberg_plugins() {
  local plugins
  plugins=$(curl -sf --max-time 10 "$(connect_url /connector-plugins)") || die "connect: GET /connector-plugins failed"
  [[ $plugins == *org.apache.iceberg.connect.IcebergSinkConnector* ]] && return
  die "connect: the running worker has no Iceberg sink on its plugin.path (started before STACK_ICEBERG=1?);" \
    "restart it: bash scripts/stack/down.sh connect && npm run stack:up"
}

# The catalog's schema, namespace and tables (scripts/iceberg/catalog.py ensure), for the stack's
# database; idempotent, and adds new optional columns of the definitions.
ensure_iceberg_tables() {
  local out=$STACK_DIR/logs/iceberg-catalog.log line
  if ! DATABASE_URL=postgres://$PG_APP_USER:$PG_APP_PASSWORD@127.0.0.1:$PG_PORT/$PG_APP_DB \
    ICEBERG_NAMESPACE=$ICEBERG_NAMESPACE S3_ENDPOINT=$(s3_url "") S3_BUCKET_WAREHOUSE=$S3_BUCKET_WAREHOUSE \
    AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY AWS_REGION=$S3_REGION \
    bash "$REPO_ROOT/scripts/iceberg/catalog.sh" ensure >"$out" 2>&1; then
    tail -n 20 "$out" >&2
    die "iceberg: creating the catalog's tables failed (log: $out)"
  fi
  while read -r line; do
    if [[ $line == "[iceberg] "* ]]; then log "iceberg: ${line#\[iceberg\] }"; fi
  done <"$out"
}

# The whole feed, after the outbox connector: tables, topics, then the three connectors.
register_iceberg_feed() {
  local name
  require_iceberg_plugins
  ensure_iceberg_tables
  ensure_iceberg_topics
  for name in "${ICEBERG_CONNECTORS[@]}"; do
    render_iceberg_connector "$name" >"$STACK_DIR/connect/$name.json"
    register_connector "$name" "$STACK_DIR/connect/$name.json"
  done
}
