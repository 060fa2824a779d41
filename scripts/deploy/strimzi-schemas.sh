#!/usr/bin/env bash
# Regenerates the vendored Strimzi schemas in deploy/k8s/schemas/ (KafkaTopic, KafkaConnector) that
# scripts/check-deploy.sh gives kubeconform. Strimzi's jars hold no CRD files: its own CRD generator
# (io.strimzi:crd-generator, Maven Central) writes them from the API model (io.strimzi:api), as
# Strimzi's build does for its install files; the CRDs are then turned into JSON schemas.
# Needs java and mvn (scripts/install-deps.sh); run it after changing the version in
# deploy/maven/strimzi-crds/pom.xml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mvn -q -f deploy/maven/strimzi-crds/pom.xml \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DoutputDirectory="$work/lib"
java -cp "$work/lib/*" io.strimzi.crdgenerator.CrdGenerator \
  --crd-api-version v1 --api-versions v1beta2 --storage-version v1beta2 --yaml \
  "io.strimzi.api.kafka.model.topic.KafkaTopic=$work/kafkatopic.yaml" \
  "io.strimzi.api.kafka.model.connector.KafkaConnector=$work/kafkaconnector.yaml" 2>/dev/null
node scripts/deploy/json-schemas.mjs crd deploy/k8s/schemas "$work/kafkatopic.yaml" "$work/kafkaconnector.yaml"
npx --no-install biome format --write deploy/k8s/schemas >/dev/null
