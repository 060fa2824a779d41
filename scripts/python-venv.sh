# shellcheck shell=bash
# Python virtualenvs for the tools the project installs from PyPI (Schemathesis for `npm run fuzz:api`,
# PySpark for the finance export), made with the machine's python3. Sourced; needs as_root.

# make_venv <dir>: a fresh virtualenv in <dir>. Debian ships the venv module apart (python3-venv):
# installed when it is missing.
make_venv() {
  local dir=$1
  rm -rf "$dir"
  if ! python3 -m venv "$dir" 2>/dev/null; then
    rm -rf "$dir"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    python3 -m venv "$dir"
  fi
}
