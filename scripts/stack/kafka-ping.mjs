// Minimal Kafka health probe over plain TCP (no client library, no native binding):
// sends a Metadata v4 request for no topics and succeeds when the broker lists itself.
import net from "node:net";

const [host, port] = (process.argv[2] ?? "127.0.0.1:9092").split(":");
const timeoutMs = Number(process.env.KAFKA_PING_TIMEOUT_MS ?? 2000);
// A multi-node cluster is whole when the metadata lists this many brokers.
const minBrokers = Number(process.env.KAFKA_PING_MIN_BROKERS ?? 1);

function metadataRequest(correlationId) {
  const clientId = Buffer.from("stack-ping");
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let o = 0;
  o = body.writeInt16BE(3, o); // api key: Metadata
  o = body.writeInt16BE(4, o); // api version
  o = body.writeInt32BE(correlationId, o);
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(0, o); // topics: empty array
  body.writeInt8(0, o); // allow_auto_topic_creation
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

function parseBrokerCount(frame, correlationId) {
  if (frame.readInt32BE(0) !== correlationId) throw new Error("correlation id mismatch");
  return frame.readInt32BE(8); // after correlation id and throttle_time_ms
}

const socket = net.connect({ host, port: Number(port) });
const fail = (msg) => {
  console.error(`kafka ${host}:${port} not ready: ${msg}`);
  socket.destroy();
  process.exit(1);
};
socket.setTimeout(timeoutMs, () => fail("timeout"));
socket.on("error", (err) => fail(err.message));
socket.on("close", () => fail("connection closed"));
socket.on("connect", () => socket.write(metadataRequest(42)));

let buf = Buffer.alloc(0);
socket.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
  try {
    const brokers = parseBrokerCount(buf.subarray(4), 42);
    if (brokers < minBrokers) fail(`${brokers} of ${minBrokers} brokers in metadata`);
    console.log(`kafka ${host}:${port} ok (${brokers} broker${brokers > 1 ? "s" : ""})`);
    socket.removeAllListeners("close");
    socket.end();
    process.exit(0);
  } catch (err) {
    fail(err.message);
  }
});
