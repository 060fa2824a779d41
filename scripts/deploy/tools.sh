# shellcheck shell=bash
# The Go programs that check deploy/ (promtool, kustomize, kubeconform), built from source through
# the Go module proxy once per version and kept in $PAYMENT_STACK_CACHE/bin/<tool>-<version>.
# Sourced by scripts/check-deploy.sh; `bash scripts/deploy/tools.sh` builds them all ahead of time.
# A build takes minutes of both cores: it happens once per machine.

PAYMENT_STACK_CACHE=${PAYMENT_STACK_CACHE:-$HOME/.cache/payment-stack}
# Prometheus 3.16.0 (its Go module numbers v3.X.Y as v0.3XX.Y).
PROMTOOL_VERSION=${PROMTOOL_VERSION:-v0.316.0}
KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-v5.8.2}
KUBECONFORM_VERSION=${KUBECONFORM_VERSION:-v0.8.0}

PROMTOOL_BIN=$PAYMENT_STACK_CACHE/bin/promtool-$PROMTOOL_VERSION
KUSTOMIZE_BIN=$PAYMENT_STACK_CACHE/bin/kustomize-$KUSTOMIZE_VERSION
KUBECONFORM_BIN=$PAYMENT_STACK_CACHE/bin/kubeconform-$KUBECONFORM_VERSION

# go_tool BIN PACKAGE VERSION [BUILD TAGS]: builds PACKAGE@VERSION into BIN unless it is there already.
go_tool() {
  local bin=$1 package=$2 version=$3 tags=${4:-} gobin log
  [[ -x $bin ]] && return
  command -v go >/dev/null || { echo "[deploy-tools] $package needs Go (apt-get install golang)" >&2; return 1; }
  mkdir -p "$(dirname "$bin")"
  exec 8>"$bin.lock"
  flock 8
  if [[ ! -x $bin ]]; then
    gobin=$(mktemp -d)
    log=$(mktemp)
    echo "[deploy-tools] go install $package@$version (once; a few minutes)" >&2
    if ! GOBIN=$gobin nice -n 10 go install -tags "$tags" "$package@$version" >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      rm -rf "$gobin" "$log"
      exec 8>&-
      echo "[deploy-tools] go install $package@$version failed" >&2
      return 1
    fi
    mv -f "$gobin/$(basename "${package%/v[0-9]*}")" "$bin"
    rm -rf "$gobin" "$log"
  fi
  exec 8>&-
}

ensure_deploy_tools() {
  # Without the service-discovery plugins (cloud SDKs): rule checks and tests do not need them, and
  # the build is a fraction of the full one.
  go_tool "$PROMTOOL_BIN" github.com/prometheus/prometheus/cmd/promtool "$PROMTOOL_VERSION" remove_all_sd &&
    go_tool "$KUSTOMIZE_BIN" sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" &&
    go_tool "$KUBECONFORM_BIN" github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  ensure_deploy_tools
  "$PROMTOOL_BIN" --version | head -1
  "$KUSTOMIZE_BIN" version
  "$KUBECONFORM_BIN" -v
fi
