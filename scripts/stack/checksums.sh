# shellcheck shell=bash
# Pinned SHA-256 sums of everything the stack downloads from Maven Central (deploy/checksums/maven.sha256).
# Maven itself only checks the SHA-1 that the same repository serves beside each file; a pin committed
# here also catches a changed artifact, a compromised mirror or a poisoned ~/.m2. Sourced by lib.sh.
# shellcheck disable=SC2034

MAVEN_CHECKSUMS=${MAVEN_CHECKSUMS:-$DEPLOY_DIR/checksums/maven.sha256}

# verify_pinned <label> <dir>: the files under <dir> must be exactly those pinned under <label>/,
# each with its pinned SHA-256. On any difference <dir> is deleted and the install stops, loudly.
verify_pinned() {
  local label=$1 dir=$2 expected actual
  expected=$(awk -v prefix="$label/" 'index($2, prefix) == 1 { print $1 "  " substr($2, length(prefix) + 1) }' \
    "$MAVEN_CHECKSUMS" | LC_ALL=C sort -k2)
  if [[ -z $expected ]]; then
    rm -rf "$dir"
    die "checksums: nothing pinned for $label in $MAVEN_CHECKSUMS (new version? see deploy/checksums/README.md)"
  fi
  actual=$(cd "$dir" && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -r -d '\n' sha256sum | LC_ALL=C sort -k2)
  if [[ $expected != "$actual" ]]; then
    printf '[stack] %s\n' "checksums: $label differs from the pinned sums (< pinned, > downloaded):" >&2
    diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") | grep '^[<>]' | head -20 >&2
    rm -rf "$dir"
    die "checksums: refusing to install $label: its files do not match $MAVEN_CHECKSUMS"
  fi
  log "checksums: $label matches its $(wc -l <<<"$expected") pinned SHA-256 sums"
}
