// Minimal Kafka health probe over plain TCP (no client library, no native binding): logs in with
// SASL/SCRAM-SHA-512 (KAFKA_PING_USERNAME / KAFKA_PING_PASSWORD, RFC 5802) when a username is given,
// then sends a Metadata v4 request for no topics and succeeds when the broker lists itself.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import net from "node:net";

const [host, port] = (process.argv[2] ?? "127.0.0.1:9092").split(":");
const timeoutMs = Number(process.env.KAFKA_PING_TIMEOUT_MS ?? 2000);
// A multi-node cluster is whole when the metadata lists this many brokers.
const minBrokers = Number(process.env.KAFKA_PING_MIN_BROKERS ?? 1);
const username = process.env.KAFKA_PING_USERNAME;
const password = process.env.KAFKA_PING_PASSWORD ?? "";

const API = { metadata: [3, 4], saslHandshake: [17, 1], saslAuthenticate: [36, 1] };
const clientId = Buffer.from("stack-ping");
let correlationId = 0;

const int16 = (n) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const kafkaString = (s) => Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]);
const kafkaBytes = (b) => Buffer.concat([int32(b.length), b]);

function frame([apiKey, version], body) {
  const header = Buffer.concat([
    int16(apiKey),
    int16(version),
    int32(++correlationId),
    int16(clientId.length),
    clientId,
  ]);
  const payload = Buffer.concat([header, body]);
  return Buffer.concat([int32(payload.length), payload]);
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

// One request in flight at a time: resolves with the response body (after the correlation id).
let buf = Buffer.alloc(0);
let pending = null;
socket.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  if (!pending || buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
  const response = buf.subarray(4, 4 + buf.readInt32BE(0));
  buf = buf.subarray(4 + response.length);
  const { resolve, id } = pending;
  pending = null;
  if (response.readInt32BE(0) !== id) fail("correlation id mismatch");
  resolve(response.subarray(4));
});
function request(api, body) {
  return new Promise((resolve) => {
    socket.write(frame(api, body));
    pending = { resolve, id: correlationId };
  });
}

async function authenticate(message) {
  const body = await request(API.saslAuthenticate, kafkaBytes(Buffer.from(message)));
  const error = body.readInt16BE(0);
  const messageLength = body.readInt16BE(2);
  const errorMessage = messageLength < 0 ? "" : body.subarray(4, 4 + messageLength).toString();
  if (error !== 0) fail(`SASL authentication failed (error ${error}) ${errorMessage}`);
  const at = 4 + Math.max(messageLength, 0);
  return body.subarray(at + 4, at + 4 + body.readInt32BE(at)).toString();
}

async function scramSha512Login() {
  const handshake = await request(API.saslHandshake, kafkaString("SCRAM-SHA-512"));
  if (handshake.readInt16BE(0) !== 0)
    fail(`broker does not accept SCRAM-SHA-512 (error ${handshake.readInt16BE(0)})`);
  const nonce = randomBytes(18).toString("base64");
  const clientFirstBare = `n=${username.replaceAll("=", "=3D").replaceAll(",", "=2C")},r=${nonce}`;
  const serverFirst = await authenticate(`n,,${clientFirstBare}`);
  const fields = Object.fromEntries(serverFirst.split(",").map((f) => [f[0], f.slice(2)]));
  if (!fields.r?.startsWith(nonce)) fail("SCRAM server nonce does not extend ours");
  const hmac = (key, data) => createHmac("sha512", key).update(data).digest();
  const salted = pbkdf2Sync(password, Buffer.from(fields.s, "base64"), Number(fields.i), 64, "sha512");
  const clientKey = hmac(salted, "Client Key");
  const finalWithoutProof = `c=biws,r=${fields.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${finalWithoutProof}`;
  const signature = hmac(createHash("sha512").update(clientKey).digest(), authMessage);
  const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i])).toString("base64");
  const serverFinal = await authenticate(`${finalWithoutProof},p=${proof}`);
  const expected = hmac(hmac(salted, "Server Key"), authMessage).toString("base64");
  if (serverFinal !== `v=${expected}`) fail("SCRAM server signature does not match");
}

socket.on("connect", async () => {
  if (username) await scramSha512Login();
  // Metadata v4: topics = empty array, allow_auto_topic_creation = false.
  const metadata = await request(API.metadata, Buffer.concat([int32(0), Buffer.from([0])]));
  const brokers = metadata.readInt32BE(4); // after throttle_time_ms
  if (brokers < minBrokers) fail(`${brokers} of ${minBrokers} brokers in metadata`);
  console.log(`kafka ${host}:${port} ok (${brokers} broker${brokers > 1 ? "s" : ""})`);
  socket.removeAllListeners("close");
  socket.end();
  process.exit(0);
});
