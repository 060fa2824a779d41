import { createServer, type Server } from "node:http";
import { register } from "../../core/infra/metrics.ts";
import type { Pool } from "../../db/pool.ts";

/** A relay loop that has not turned for this long is wedged (a turn is at most a poll or a second). */
const STUCK_AFTER_MS = 60_000;

/**
 * A standalone relay's ops listener: /healthz (the loop keeps turning), /readyz (PostgreSQL answers) and
 * /metrics. Nothing else: the relay serves no traffic.
 */
export function startRelayOpsServer(o: {
  port: number;
  host: string;
  pool: Pool;
  lastTurnAt(): number;
}): Promise<Server> {
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown, type = "application/json") => {
      res.writeHead(status, { "content-type": type });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") return reply(405, { status: "method_not_allowed" });
    if (path === "/healthz") {
      const idleMs = Date.now() - o.lastTurnAt();
      return idleMs < STUCK_AFTER_MS
        ? reply(200, { status: "ok" })
        : reply(503, { status: "stuck", idle_ms: idleMs });
    }
    if (path === "/readyz") {
      return void o.pool.query("SELECT 1").then(
        () => reply(200, { status: "ready" }),
        () => reply(503, { status: "not_ready" }),
      );
    }
    if (path === "/metrics") {
      return void register.metrics().then(
        (text) => reply(200, text, register.contentType),
        () => reply(500, "metrics unavailable\n", "text/plain"),
      );
    }
    reply(404, { status: "not_found" });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve(server));
  });
}
