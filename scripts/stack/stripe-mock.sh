# shellcheck shell=bash
# stripe-mock (github.com/stripe/stripe-mock): Stripe's own mock API server. It is stateless: it
# checks every request against Stripe's OpenAPI spec and answers with fixtures. The Stripe
# connector's request-shape contract test runs against it (test/integration/psp-stripe-mock.contract.test.ts).
# Sourced by lib.sh; the functions are called from up.sh. STACK_STRIPE_MOCK=0 leaves it out.
# shellcheck disable=SC2034

STACK_STRIPE_MOCK=${STACK_STRIPE_MOCK:-1}
STRIPE_MOCK_VERSION=${STRIPE_MOCK_VERSION:-v0.203.0}
STRIPE_MOCK_PORT=${STRIPE_MOCK_PORT:-12110}
STRIPE_MOCK_BIN=$PAYMENT_STACK_CACHE/bin/stripe-mock-$STRIPE_MOCK_VERSION

SERVICES+=(stripe-mock)

stripe_mock_healthy() {
  curl -sf -o /dev/null --max-time 2 -u sk_test_123stack: "http://127.0.0.1:$STRIPE_MOCK_PORT/v1/charges"
}

# Built from source by the Go toolchain through the Go module proxy, once per version.
ensure_stripe_mock() {
  [[ -x $STRIPE_MOCK_BIN ]] && return
  command -v go >/dev/null || die "stripe-mock: needs Go (apt-get install golang) or STACK_STRIPE_MOCK=0"
  local gobin
  gobin=$(mktemp -d)
  log "stripe-mock: go install github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION…"
  GOBIN=$gobin go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" \
    >"$STACK_DIR/logs/go-stripe-mock.log" 2>&1 ||
    { tail -n 30 "$STACK_DIR/logs/go-stripe-mock.log" >&2; die "stripe-mock: go install failed"; }
  mkdir -p "$(dirname "$STRIPE_MOCK_BIN")"
  mv -f "$gobin/stripe-mock" "$STRIPE_MOCK_BIN"
  rmdir "$gobin"
}

start_stripe_mock() {
  STARTED_AT[$1]=$(now_ms)
  # It always serves HTTPS too (default port 12112, taken by the Adyen simulator): any free port.
  start_detached "$1" "$STACK_DIR" "$STRIPE_MOCK_BIN" -http-addr "127.0.0.1:$STRIPE_MOCK_PORT" \
    -https-addr 127.0.0.1:0
}
