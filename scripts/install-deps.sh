#!/usr/bin/env bash
# Installs what the project needs on a Debian 12 machine: system packages, node_modules,
# the @confluentinc/kafka-javascript native binding (built from source, cached across clones),
# for the Iceberg feed (STACK_ICEBERG=1, the default) pyiceberg in a cached virtualenv, and
# the PySpark finance export (pyspark and its jars, cached; STACK_SPARK=0 skips it).
# Idempotent: a second run only verifies.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PAYMENT_STACK_CACHE=${PAYMENT_STACK_CACHE:-$HOME/.cache/payment-stack}
CKJS_DIR=$REPO_ROOT/node_modules/@confluentinc/kafka-javascript
# chromium: the ops console's browser test drives Debian's build through playwright-core (no browser
# download from npm hosts).
APT_PACKAGES=(libssl-dev zlib1g-dev libzstd-dev libcurl4-openssl-dev liblz4-dev libsasl2-dev
  postgresql curl g++ make patch python3 chromium zip)
# The finance export (finance/spark/, docs/finance-data.md): 1 (default) installs it; 0 skips it for a
# user who does not need it (its test is then skipped too). CI runs it.
STACK_SPARK=${STACK_SPARK:-1}
FINANCE_REQUIREMENTS=$REPO_ROOT/finance/spark/requirements.txt
FINANCE_POM=$REPO_ROOT/deploy/maven/finance/pom.xml
MVN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
DEPLOY_DIR=$REPO_ROOT/deploy
# Fixes to the librdkafka that the binding bundles, applied before it is built (deploy/librdkafka/README.md).
LIBRDKAFKA_PATCHES=$DEPLOY_DIR/librdkafka
# shellcheck source=python-venv.sh
source "$REPO_ROOT/scripts/python-venv.sh"
# shellcheck source=stack/checksums.sh
source "$REPO_ROOT/scripts/stack/checksums.sh"

log() { printf '[deps] %s\n' "$*"; }
die() { printf '[deps] ERROR: %s\n' "$*" >&2; exit 1; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# shellcheck source=iceberg/venv.sh
source "$REPO_ROOT/scripts/iceberg/venv.sh"

apt_missing() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

install_system_packages() {
  local missing
  mapfile -t missing < <(apt_missing "${APT_PACKAGES[@]}")
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  if ((${#missing[@]} == 0)); then
    log "system packages: ok"
    return
  fi
  log "system packages: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

check_toolchain() {
  local java_major
  command -v node >/dev/null || die "node is not installed (need Node >= 20.10)"
  java_major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  ((${java_major%%.*} >= 17)) || die "java >= 17 required, found ${java_major:-none}"
  command -v mvn >/dev/null || die "mvn is not installed"
  log "toolchain: node $(node --version), java $java_major, $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g')"
}

lock_hash() { sha256sum "$REPO_ROOT/package-lock.json" | cut -d' ' -f1; }

# A tree installed by hand (no marker) is adopted when npm's own hidden lockfile is newer
# than package-lock.json, so an existing working node_modules is not wiped needlessly.
node_modules_current() {
  local marker=$REPO_ROOT/node_modules/.install-hash
  [[ -d $REPO_ROOT/node_modules ]] || return 1
  if [[ -f $marker ]]; then
    [[ $(cat "$marker") == "$(lock_hash)" ]]
    return
  fi
  local hidden=$REPO_ROOT/node_modules/.package-lock.json
  [[ -f $hidden && $hidden -nt $REPO_ROOT/package-lock.json ]] && lock_hash >"$marker"
}

binding_cache_dir() {
  local version abi arch
  version=$(node -p "require('$CKJS_DIR/package.json').version")
  abi=$(node -p process.versions.modules)
  arch=$(node -p process.arch)
  echo "$PAYMENT_STACK_CACHE/kafka-javascript/$version-node-abi$abi-$arch-patches-$(patches_hash)"
}

patches_hash() { cat "$LIBRDKAFKA_PATCHES"/*.patch | sha256sum | cut -c1-12; }
# Which patches the binding in node_modules was built with: a binding built before a patch was added
# loads fine but still has the bug.
patch_marker() { echo "$CKJS_DIR/build/.librdkafka-patches"; }

binding_works() { (cd "$REPO_ROOT" && node scripts/check-kafka-native.mjs) >/dev/null 2>&1; }
binding_current() { [[ $(cat "$(patch_marker)" 2>/dev/null) == "$(patches_hash)" ]] && binding_works; }

apply_librdkafka_patches() {
  local p src=$CKJS_DIR/deps/librdkafka
  for p in "$LIBRDKAFKA_PATCHES"/*.patch; do
    if patch -d "$src" -p1 -R -s -f --dry-run <"$p" >/dev/null 2>&1; then
      log "librdkafka: $(basename "$p") already applied"
    else
      patch -d "$src" -p1 -N -s <"$p" || die "librdkafka: $(basename "$p") does not apply to $src"
      log "librdkafka: applied $(basename "$p")"
    fi
  done
}

# The SHA-256 of every file of a cached binding, recorded when it is cached (right after the build
# or the first load) and checked before every restore: native code is never loaded from the shared
# cache unless it is byte for byte what was recorded.
# Symlinks (librdkafka.so -> librdkafka.so.1) are listed too, hashed as what they point at.
binding_sums() { (cd "$1" && find Release deps \( -type f -o -type l \) | LC_ALL=C sort | xargs -r sha256sum); }

binding_cache_verified() {
  local cache=$1
  [[ -f $cache/.complete ]] || return 1
  if [[ ! -f $cache/SHA256SUMS ]]; then
    log "kafka-javascript: the cached binding in $cache has no recorded SHA-256; rebuilding it"
    return 1
  fi
  if [[ $(binding_sums "$cache") != "$(cat "$cache/SHA256SUMS")" ]]; then
    printf '[deps] WARNING: %s\n' "the cached binding in $cache does not match its recorded SHA-256: refusing it, rebuilding" >&2
    return 1
  fi
}

save_binding_to_cache() {
  local cache
  cache=$(binding_cache_dir)
  binding_cache_verified "$cache" >/dev/null 2>&1 && return
  rm -rf "$cache.tmp" && mkdir -p "$cache.tmp/Release" "$cache.tmp/deps"
  cp -a "$CKJS_DIR"/build/Release/*.node "$cache.tmp/Release/"
  cp -a "$CKJS_DIR"/build/deps/*.so* "$cache.tmp/deps/"
  binding_sums "$cache.tmp" >"$cache.tmp/SHA256SUMS"
  touch "$cache.tmp/.complete"
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
  log "kafka-javascript: binding cached in $cache (SHA-256 recorded in SHA256SUMS)"
}

restore_binding_from_cache() {
  local cache
  cache=$(binding_cache_dir)
  binding_cache_verified "$cache" || return 1
  mkdir -p "$CKJS_DIR/build/Release" "$CKJS_DIR/build/deps"
  cp -a "$cache"/Release/. "$CKJS_DIR/build/Release/"
  cp -a "$cache"/deps/. "$CKJS_DIR/build/deps/"
  patches_hash >"$(patch_marker)"
  log "kafka-javascript: binding restored from $cache (SHA-256 verified)"
}

build_binding() {
  local build_log=$PAYMENT_STACK_CACHE/kafka-javascript/build.log
  apply_librdkafka_patches
  log "kafka-javascript: building librdkafka binding from source (2-3 min; log: $build_log)"
  rm -f "$(patch_marker)"
  (cd "$CKJS_DIR" && CKJS_LINKING=dynamic npx --no-install node-pre-gyp install --build-from-source) \
    >"$build_log" 2>&1 || { tail -n 30 "$build_log" >&2; die "kafka-javascript build failed"; }
  patches_hash >"$(patch_marker)"
}

save_working_binding() {
  [[ -d $CKJS_DIR ]] || return 0
  lock_cache
  if binding_current; then save_binding_to_cache; fi
  unlock_cache
}

install_node_modules() {
  if node_modules_current; then
    log "node_modules: up to date"
    return
  fi
  log "node_modules: npm ci --ignore-scripts"
  (cd "$REPO_ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  lock_hash >"$REPO_ROOT/node_modules/.install-hash"
}

# Serialised with flock: two clones (or a dev shell and CI) must not build into one cache at once.
lock_cache() {
  mkdir -p "$PAYMENT_STACK_CACHE/kafka-javascript"
  exec 9>"$PAYMENT_STACK_CACHE/kafka-javascript/.lock"
  flock 9
}
unlock_cache() { exec 9>&-; }

ensure_binding() {
  lock_cache
  if binding_current; then
    save_binding_to_cache
  elif restore_binding_from_cache && binding_current; then
    :
  else
    build_binding
    binding_current || die "kafka-javascript binding still does not load after the build"
    save_binding_to_cache
  fi
  unlock_cache
  (cd "$REPO_ROOT" && node scripts/check-kafka-native.mjs | sed 's/^/[deps] /')
}

ensure_tsx() {
  local tsx=$REPO_ROOT/node_modules/.bin/tsx
  if ! "$tsx" --eval 'const n: number = 1; process.exit(n - 1)' >/dev/null 2>&1; then
    log "tsx/esbuild: not working, running npm rebuild esbuild"
    # .npmrc sets ignore-scripts; esbuild's own install script is what this rebuild is for.
    (cd "$REPO_ROOT" && npm rebuild esbuild --ignore-scripts=false --loglevel=error)
    "$tsx" --eval 'const n: number = 1; process.exit(n - 1)' || die "tsx still fails after npm rebuild esbuild"
  fi
  log "tsx: $("$tsx" --version | tr '\n' ' ')"
}

# ---------- the PySpark finance export ----------
# One cache directory per pyspark and Iceberg version: venv/ (pyspark from PyPI, pip --require-hashes
# against finance/spark/requirements.txt) and jars/ (deploy/maven/finance/pom.xml from Maven Central,
# checked against deploy/checksums/maven.sha256). core/finance/spark-install.ts finds it the same way.
finance_spark_home() {
  local pyspark iceberg
  pyspark=$(sed -n 's/^pyspark==\([^ ]*\).*/\1/p' "$FINANCE_REQUIREMENTS")
  iceberg=$(sed -n 's:.*<iceberg.version>\(.*\)</iceberg.version>.*:\1:p' "$FINANCE_POM")
  [[ -n $pyspark && -n $iceberg ]] || die "finance spark: no pyspark or iceberg version in $FINANCE_REQUIREMENTS / $FINANCE_POM"
  echo "$PAYMENT_STACK_CACHE/finance-spark-$pyspark-iceberg-$iceberg"
}

# What a cache directory was made from, in its .complete: a change to either file reinstalls it.
finance_spark_stamp() { cat "$FINANCE_REQUIREMENTS" "$FINANCE_POM" | sha256sum | cut -d' ' -f1; }

install_finance_spark() {
  local home=$1
  log "finance spark: installing pyspark and the job's jars into $home (about a minute)"
  rm -rf "$home" && mkdir -p "$home"
  make_venv "$home/venv"
  "$home/venv/bin/pip" install -q --disable-pip-version-check --no-cache-dir --require-hashes \
    -r "$FINANCE_REQUIREMENTS" || die "finance spark: pip install failed"
  mvn -B -q -f "$FINANCE_POM" "$MVN_DEPENDENCY_PLUGIN:copy-dependencies" -DincludeScope=runtime \
    -DexcludeTransitive=true -DoutputDirectory="$home/jars" >"$home/mvn.log" 2>&1 ||
    { tail -n 30 "$home/mvn.log" >&2; die "finance spark: mvn failed (log: $home/mvn.log)"; }
  verify_pinned "$(basename "$home")/jars" "$home/jars"
  finance_spark_stamp >"$home/.complete"
}

ensure_finance_spark() {
  if [[ $STACK_SPARK == 0 ]]; then
    log "finance spark: skipped (STACK_SPARK=0)"
    return
  fi
  local home version
  home=$(finance_spark_home)
  mkdir -p "$PAYMENT_STACK_CACHE"
  exec 8>"$PAYMENT_STACK_CACHE/finance-spark.lock"
  flock 8
  if [[ ! -f $home/.complete || $(cat "$home/.complete") != "$(finance_spark_stamp)" ]]; then
    install_finance_spark "$home"
  fi
  exec 8>&-
  version=$("$home/venv/bin/python" -c 'import pyspark; print(pyspark.__version__)') ||
    die "finance spark: pyspark does not import from $home/venv (remove $home and rerun)"
  log "finance spark: pyspark $version, $(find "$home/jars" -name '*.jar' | wc -l) jars in $home"
}

main() {
  install_system_packages
  check_toolchain
  save_working_binding
  install_node_modules
  ensure_binding
  ensure_tsx
  if [[ ${STACK_ICEBERG:-1} == 1 ]]; then ensure_iceberg_venv; fi
  ensure_finance_spark
}

# Sourced (by a test) it only defines the functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
