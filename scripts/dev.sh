#!/usr/bin/env bash
# Local development: bring the stack up (idempotent), then run the service against it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm run stack:up
source scripts/stack/env.sh
exec npm start
