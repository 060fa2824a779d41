import { createServer } from "node:net";

// Ports below the kernel's ephemeral range (32768+), so an outgoing connection (Kafka, PostgreSQL)
// cannot take a port between the check here and the child's own listen. Each vitest fork gets its
// own slice, so two test files never pick the same port either.
const FIRST_PORT = 27_000;
const SLICE = 600;
const slice = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1) % 8;
let next = 0;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port nobody listens on now, not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE; tries++) {
    const port = FIRST_PORT + slice * SLICE + (next++ % SLICE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${FIRST_PORT + slice * SLICE}..${FIRST_PORT + (slice + 1) * SLICE - 1}`);
}
