import { z } from "zod";
import { loggerEnvShape } from "../logger-env.ts";
import { nonNegativeInt, positiveInt, section, setting } from "./setting.ts";

export const serviceSection = section({
  title: "Service",
  intro:
    "What the process is and where it listens. Production is decided by NODE_ENV alone (docs/security.md).",
  shape: {
    NODE_ENV: setting(z.enum(["development", "test", "production"]).optional(), {
      description:
        "production turns on every production guard (secrets required, dev values refused, TLS everywhere). Unset means development, unless a setting points at real traffic: then the process refuses to start.",
    }),
    PORT: setting(positiveInt.default(8080), { description: "The public HTTP API (the ingress)." }),
    PROCESSOR_HTTP_PORT: setting(positiveInt.default(9464), {
      description: "The processor's ops listener: health, metrics, the manual review queue.",
    }),
    PROCESSOR_STALL_TIMEOUT_MS: setting(positiveInt.default(120_000), {
      description:
        "A consumer that has work and finishes, retries and fetches nothing for this long fails the processor's /healthz.",
    }),
    RELAY_HTTP_PORT: setting(positiveInt.default(9465), {
      description:
        "A standalone relay's (npm run start:relay) ops listener: health and metrics, on OPS_HOST.",
    }),
    INGRESS_OPS_PORT: setting(nonNegativeInt.max(65_535).default(9463), {
      description: "The ingress's ops listener: /metrics and readiness per dependency. 0 picks a free port.",
    }),
    OPS_HOST: setting(z.string().default("127.0.0.1"), {
      description: "Where both ops listeners bind: loopback unless told otherwise.",
    }),
    OPS_CONSOLE_SESSION_SECRET: setting(
      z.string().min(32, "OPS_CONSOLE_SESSION_SECRET must be at least 32 characters").optional(),
      {
        description:
          "HMAC key of the ops console's session cookies (docs/operations-console.md); at least 32 characters; rotating it logs everyone out.",
        production: "required; not the dev value",
        secret: true,
      },
    ),
    OPS_CONSOLE_SESSION_TTL_MS: setting(positiveInt.max(12 * 3_600_000).default(30 * 60_000), {
      description: "How long an ops console login lasts.",
    }),
    ...loggerEnvShape,
  },
});

export const databaseSection = section({
  title: "PostgreSQL",
  shape: {
    DATABASE_URL: setting(z.string().min(1).optional(), {
      description:
        "Connection string. TLS comes from the URL: sslmode (verify-full in production) and sslrootcert=<path to the CA>.",
      production: "required; sslmode=require, verify-ca or verify-full; not the local stack's password",
      secret: true,
    }),
    DATABASE_SOCKET_DIR: setting(z.string().min(1).optional(), {
      description:
        "Unix-socket directory of a PostgreSQL on the same host: the ingress and processors then connect through it, with the URL's user, password and database, instead of TCP (a fifth cheaper per round trip on the local stack, docs/benchmarks.md). Ignored when DATABASE_URL asks for TLS. The local stack sets it.",
    }),
    DATABASE_POOL_SIZE: setting(positiveInt.default(20), { description: "Connections per process." }),
    DATABASE_STATEMENT_TIMEOUT_MS: setting(positiveInt.default(30_000), {
      description: "statement_timeout of every pooled session.",
    }),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: setting(positiveInt.default(60_000), {
      description: "idle_in_transaction_session_timeout of every pooled session.",
    }),
    DATABASE_KEEPALIVE_IDLE_MS: setting(positiveInt.default(10_000), {
      description: "TCP keepalive idle time of the client's connections.",
    }),
    DATABASE_CONNECT_TIMEOUT_MS: setting(positiveInt.default(10_000), {
      description: "How long the client waits for one connection to open.",
    }),
    DATABASE_STARTUP_WAIT_MS: setting(positiveInt.default(120_000), {
      description: "How long the ingress and the processors wait at start for PostgreSQL to answer.",
    }),
    RELAY_DATABASE_POOL_SIZE: setting(positiveInt.default(4), {
      description: "Connections of a stand-alone outbox relay (`npm run start:relay`).",
    }),
  },
});
