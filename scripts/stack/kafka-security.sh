# shellcheck shell=bash
# SASL/SCRAM users and ACLs of the stack's Kafka (single node or cluster), sourced by lib.sh.
# Listeners and authorizer: deploy/kafka/security.properties; ACLs: deploy/kafka/acls.conf (and
# acls-test.conf, the test suite's `test.` sandbox, unless STACK_KAFKA_TEST_ACLS=0).
# shellcheck disable=SC2034

KAFKA_SASL_MECHANISM=SCRAM-SHA-512
# broker: inter-broker and controller traffic; admin: the stack, tests and tools (both super users);
# the others are the service principals of deploy/kafka/acls.conf.
KAFKA_USERS=(broker admin ingress processor relay connect)
STACK_KAFKA_TEST_ACLS=${STACK_KAFKA_TEST_ACLS:-1}
# Written into a node's data directory when it is formatted with the SCRAM users.
KAFKA_SCRAM_MARKER=payment-stack-scram-users

# DEV DEFAULT passwords (`<user>-dev-only`), or KAFKA_<USER>_SASL_PASSWORD when set, the variable
# the service reads for the same principal (env.sh prints them).
kafka_password() {
  local var="KAFKA_${1^^}_SASL_PASSWORD"
  echo "${!var:-$1-dev-only}"
}

# Arguments for `kafka-storage format`: every user's SCRAM credential goes into the bootstrap
# metadata, so the broker's own inter-broker login works from the first start.
kafka_scram_format_args() {
  local user
  for user in "${KAFKA_USERS[@]}"; do
    printf '%s\n' --add-scram "$KAFKA_SASL_MECHANISM=[name=$user,password=$(kafka_password "$user")]"
  done
}

# A node formatted before SASL has no users: it would start and refuse every client.
kafka_require_scram_users() {
  local data=$1 name=$2
  [[ -f $data/meta.properties && ! -f $data/$KAFKA_SCRAM_MARKER ]] || return 0
  die "$name: $data was formatted before the stack used SASL/SCRAM and has no users. Its topics are" \
    "throw-away: stop the stack (Kafka Connect must restart too, with its SASL settings) and remove the" \
    "directory (bash scripts/stack/down.sh && rm -rf $data), then run up.sh again"
}

# Appends deploy/kafka/security.properties to a rendered broker config (which holds a password).
render_kafka_security() {
  local config=$1
  sed -e "s|@KAFKA_BROKER_PASSWORD@|$(kafka_password broker)|g" "$DEPLOY_DIR/kafka/security.properties" >>"$config"
  chmod 600 "$config"
}

kafka_jaas() {
  printf 'org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";' \
    "$1" "$(kafka_password "$1")"
}

# Java client properties for the admin principal (kafka-acls and friends).
kafka_admin_client_config() {
  local file=$STACK_DIR/kafka-admin.properties
  mkdir -p "$STACK_DIR"
  (
    umask 077
    printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=%s\nsasl.jaas.config=%s\n' \
      "$KAFKA_SASL_MECHANISM" "$(kafka_jaas admin)" >"$file"
  )
  echo "$file"
}

# The ACL lines that apply: acls.conf, plus the test sandbox unless STACK_KAFKA_TEST_ACLS=0.
kafka_acl_lines() {
  local files=("$DEPLOY_DIR/kafka/acls.conf")
  [[ $STACK_KAFKA_TEST_ACLS == 1 ]] && files+=("$DEPLOY_DIR/kafka/acls-test.conf")
  grep -hv '^[[:space:]]*\(#\|$\)' "${files[@]}"
}

# One kafka-acls run per line: principals, resource (topic|group|cluster), pattern, names, operations.
add_kafka_acl() {
  local admin_config=$1 principals=$2 resource=$3 pattern=$4 names=$5 operations=$6 args=() item
  for item in ${principals//,/ }; do args+=(--allow-principal "User:$item"); done
  if [[ $resource == cluster ]]; then
    args+=(--cluster)
  else
    for item in ${names//,/ }; do args+=("--$resource" "$item"); done
    args+=(--resource-pattern-type "$pattern")
  fi
  for item in ${operations//,/ }; do args+=(--operation "$item"); done
  "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.properties" -cp "$KAFKA_HOME/libs/*" \
    org.apache.kafka.tools.AclCommand --bootstrap-server "$(kafka_bootstrap)" \
    --command-config "$admin_config" --add --force "${args[@]}"
}

# Idempotent: ACLs are kept in the metadata log, so they are applied again only when that log is new
# (the marker lives in the first node's data directory) or the ACL files changed. A kafka-acls run
# mostly waits (JVM start, admin client); KAFKA_ACL_JOBS of them run at once.
ensure_kafka_acls() {
  local data marker digest admin_config started line n=0 logs=$STACK_DIR/logs/kafka-acls failed
  local -a jobs=()
  if kafka_cluster; then data=$(kafka_node_dir kafka-1)/data; else data=$STACK_DIR/kafka/data; fi
  marker=$data/payment-stack-acls
  digest=$(kafka_acl_lines | sha256sum | cut -c1-16)
  [[ $(cat "$marker" 2>/dev/null) == "$digest" ]] && return
  started=$(now_ms)
  admin_config=$(kafka_admin_client_config)
  rm -rf "$logs" && mkdir -p "$logs"
  while read -r line; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    (add_kafka_acl "$admin_config" $line >"$logs/$n.log" 2>&1 || echo "$line" >"$logs/$n.failed") &
    jobs+=($!)
    # Only these jobs: a bare `wait` would also wait for the services this shell started (forever).
    if ((${#jobs[@]} >= ${KAFKA_ACL_JOBS:-4})); then
      wait "${jobs[@]}"
      jobs=()
    fi
  done < <(kafka_acl_lines)
  ((${#jobs[@]} == 0)) || wait "${jobs[@]}"
  for failed in "$logs"/*.failed; do
    [[ -e $failed ]] || continue
    tail -n 30 "${failed%.failed}.log" >&2
    die "kafka: adding ACL '$(cat "$failed")' failed (log: ${failed%.failed}.log)"
  done
  echo "$digest" >"$marker"
  log "kafka: ACLs applied ($n rules, $(since "$started"))"
}
