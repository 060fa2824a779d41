#!/usr/bin/env bash
# Checks deploy/ without a cluster (part of `npm run test:all`; `npm run check:deploy` alone):
#   - promtool check rules and promtool test rules (deploy/prometheus/alerts.yml, tests/*.yml);
#   - kustomize build of every overlay in deploy/k8s/overlays, validated by kubeconform -strict against
#     the Kubernetes schemas (made from the OpenAPI spec of the k8s.io/kubernetes module) and the
#     vendored Strimzi schemas (deploy/k8s/schemas, scripts/deploy/strimzi-schemas.sh). No kind is skipped.
# The tools are built once per version from the Go module proxy (scripts/deploy/tools.sh) and the
# Kubernetes schemas made once per version, both in ~/.cache/payment-stack: a second run takes seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=deploy/tools.sh
source scripts/deploy/tools.sh

K8S_SCHEMA_VERSION=${K8S_SCHEMA_VERSION:-v1.34.4}
K8S_SCHEMAS=$PAYMENT_STACK_CACHE/k8s-schemas/$K8S_SCHEMA_VERSION

log() { printf '[check-deploy] %s\n' "$*"; }

# Kubernetes' own OpenAPI v2 document ships in the k8s.io/kubernetes module (api/openapi-spec).
ensure_k8s_schemas() {
  [[ -f $K8S_SCHEMAS/.complete ]] && return
  local module_dir tmp outside
  log "Kubernetes $K8S_SCHEMA_VERSION schemas: from the k8s.io/kubernetes module's OpenAPI spec (once)"
  # Outside any Go module, so the download is just the module's files (about 18 MB).
  outside=$(mktemp -d)
  module_dir=$(cd "$outside" && go mod download -json "k8s.io/kubernetes@$K8S_SCHEMA_VERSION" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')
  rmdir "$outside"
  tmp=$K8S_SCHEMAS.tmp
  rm -rf "$tmp"
  node scripts/deploy/json-schemas.mjs swagger "$module_dir/api/openapi-spec/swagger.json" "$tmp" >/dev/null
  touch "$tmp/.complete"
  rm -rf "$K8S_SCHEMAS" && mv "$tmp" "$K8S_SCHEMAS"
}

ensure_deploy_tools
ensure_k8s_schemas

log "promtool check rules"
"$PROMTOOL_BIN" check rules deploy/prometheus/alerts.yml
log "promtool test rules"
"$PROMTOOL_BIN" test rules deploy/prometheus/tests/*.yml

rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
for overlay in deploy/k8s/overlays/*/; do
  name=$(basename "$overlay")
  log "kustomize build + kubeconform: $name"
  "$KUSTOMIZE_BIN" build "$overlay" >"$rendered/$name.yaml"
  "$KUBECONFORM_BIN" -strict -summary \
    -schema-location "$K8S_SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "deploy/k8s/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "$rendered/$name.yaml"
done
log "ok"
