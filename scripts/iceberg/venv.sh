# shellcheck shell=bash
# The virtualenv of scripts/iceberg/catalog.py: pyiceberg from deploy/iceberg/requirements.txt
# (hash-pinned), in ~/.cache/payment-stack/pyiceberg-<version>/venv, shared by the checkouts of the
# machine. Sourced by scripts/install-deps.sh (which installs it) and scripts/iceberg/catalog.sh.

ICEBERG_REQUIREMENTS=$REPO_ROOT/deploy/iceberg/requirements.txt

iceberg_venv_home() {
  local version
  version=$(sed -n 's/^pyiceberg==\([^ ]*\).*/\1/p' "$ICEBERG_REQUIREMENTS")
  [[ -n $version ]] || { echo "no pyiceberg pin in $ICEBERG_REQUIREMENTS" >&2; return 1; }
  echo "${PAYMENT_STACK_CACHE:-$HOME/.cache/payment-stack}/pyiceberg-$version"
}

# What the venv was made from, in its .complete: a changed requirements file reinstalls it.
iceberg_venv_stamp() { sha256sum "$ICEBERG_REQUIREMENTS" | cut -d' ' -f1; }

iceberg_venv_current() {
  local home
  home=$(iceberg_venv_home) && [[ -f $home/.complete && $(cat "$home/.complete") == "$(iceberg_venv_stamp)" ]]
}

# Installs the venv unless it is current; serialised with flock across checkouts.
ensure_iceberg_venv() {
  local home
  home=$(iceberg_venv_home)
  mkdir -p "$(dirname "$home")"
  exec 7>"$home.lock"
  flock 7
  if ! iceberg_venv_current; then
    log "pyiceberg: installing into $home (hash-pinned, about a minute)"
    rm -rf "$home" && mkdir -p "$home"
    if ! python3 -m venv "$home/venv" 2>/dev/null; then
      rm -rf "$home/venv"
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      python3 -m venv "$home/venv"
    fi
    "$home/venv/bin/pip" install -q --disable-pip-version-check --no-cache-dir --require-hashes \
      -r "$ICEBERG_REQUIREMENTS" || die "pyiceberg: pip install failed"
    iceberg_venv_stamp >"$home/.complete"
  fi
  exec 7>&-
  log "pyiceberg: $("$home/venv/bin/python" -c 'import pyiceberg; print(pyiceberg.__version__)') in $home"
}
