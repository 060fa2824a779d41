#!/usr/bin/env bash
# kcli.sh <MainClass> args... : run a Kafka 4.1.1 CLI class against the chaos cluster as the admin principal.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cls=$1; shift
exec java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.properties" \
  -cp "/root/.cache/payment-stack/kafka-4.1.1/libs/*" "$cls" \
  --bootstrap-server 127.0.0.1:22092,127.0.0.1:22093,127.0.0.1:22094 \
  "$@"
