// Fails the install loudly if the librdkafka binding did not build, instead of at first use.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
try {
  const kafka = require("@confluentinc/kafka-javascript");
  console.log(`kafka-javascript native binding OK (librdkafka ${kafka.librdkafkaVersion})`);
} catch (err) {
  console.error("kafka-javascript native binding failed to load:", err.message);
  console.error(
    "Run: bash scripts/install-deps.sh (installs the -dev libraries and rebuilds with CKJS_LINKING=dynamic)",
  );
  process.exit(1);
}
