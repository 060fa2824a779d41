#!/usr/bin/env bash
# scripts/iceberg/catalog.py in the project's pyiceberg virtualenv (installed by scripts/install-deps.sh).
#   bash scripts/iceberg/catalog.sh ensure | status | scan TABLE [--where EXPR] | files TABLE
# Reads DATABASE_URL, ICEBERG_NAMESPACE, S3_ENDPOINT, S3_BUCKET_WAREHOUSE and AWS_* (scripts/stack/env.sh).
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=venv.sh
source "$REPO_ROOT/scripts/iceberg/venv.sh"
home=$(iceberg_venv_home)
if ! iceberg_venv_current; then
  echo "catalog.sh: no current pyiceberg virtualenv in $home: run bash scripts/install-deps.sh" >&2
  exit 1
fi
exec "$home/venv/bin/python" "$REPO_ROOT/scripts/iceberg/catalog.py" "$@"
