# shellcheck shell=bash
# Jaeger v2 (github.com/jaegertracing/jaeger/cmd/jaeger, Apache-2.0): receives the services' OTLP
# traces and serves the query API/UI. Built from source through the Go module proxy once per version
# (deploy/jaeger/go.mod pins it and its dependencies). Off by default for `npm run dev`;
# STACK_JAEGER=1 (set by `npm run test:all`) brings it up. Sourced by lib.sh.
# shellcheck disable=SC2034

STACK_JAEGER=${STACK_JAEGER:-0}
JAEGER_VERSION=${JAEGER_VERSION:-v1.76.0}
JAEGER_OTLP_PORT=${JAEGER_OTLP_PORT:-4318}
JAEGER_UI_PORT=${JAEGER_UI_PORT:-16686}
JAEGER_QUERY_GRPC_PORT=${JAEGER_QUERY_GRPC_PORT:-16685}
JAEGER_HEALTH_PORT=${JAEGER_HEALTH_PORT:-13133}
JAEGER_BIN=$PAYMENT_STACK_CACHE/bin/jaeger-$JAEGER_VERSION

SERVICES+=(jaeger)

jaeger_healthy() {
  curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$JAEGER_UI_PORT/api/services"
}

ensure_jaeger() {
  [[ -x $JAEGER_BIN ]] && return
  command -v go >/dev/null || die "jaeger: needs Go (apt-get install golang) or STACK_JAEGER=0"
  log "jaeger: go build github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION (once; a few minutes)…"
  mkdir -p "$(dirname "$JAEGER_BIN")"
  (cd "$DEPLOY_DIR/jaeger" && GOFLAGS=-buildvcs=false go build -o "$JAEGER_BIN.tmp" github.com/jaegertracing/jaeger/cmd/jaeger) \
    >"$STACK_DIR/logs/go-jaeger.log" 2>&1 ||
    { tail -n 30 "$STACK_DIR/logs/go-jaeger.log" >&2; die "jaeger: go build failed"; }
  mv -f "$JAEGER_BIN.tmp" "$JAEGER_BIN"
}

start_jaeger() {
  STARTED_AT[$1]=$(now_ms)
  JAEGER_OTLP_PORT=$JAEGER_OTLP_PORT JAEGER_UI_PORT=$JAEGER_UI_PORT JAEGER_QUERY_GRPC_PORT=$JAEGER_QUERY_GRPC_PORT \
    JAEGER_HEALTH_PORT=$JAEGER_HEALTH_PORT GOMEMLIMIT=256MiB \
    start_detached "$1" "$STACK_DIR" "$JAEGER_BIN" --config "file:$DEPLOY_DIR/jaeger/config.yaml"
}
