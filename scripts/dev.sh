#!/usr/bin/env bash
# Local development: bring the stack up (idempotent), make a DEV merchant and API key, then run the
# service against the stack.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm run stack:up
source scripts/stack/env.sh
key=$(npm run -s apikey:create -- --merchant=dev --label="DEV key made by npm run dev" | tail -n 1)
mkdir -p .stack && (umask 077 && printf '%s\n' "$key" > .stack/dev-api-key)
echo "[DEV] merchant: mer_dev"
echo "[DEV] API key (development only, saved in .stack/dev-api-key): $key"
echo "[DEV] try: curl -s -H \"Authorization: Bearer \$(cat .stack/dev-api-key)\" http://127.0.0.1:\${PORT:-8080}/payments/1"
exec npm start
