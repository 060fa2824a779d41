import { z } from "zod";
import { positiveInt, section, setting } from "./setting.ts";

export const outboxSection = section({
  title: "Outbox",
  intro: "docs/adr (outbox): the relay and Debezium publish byte-identical records.",
  shape: {
    OUTBOX_RELAY_EMBEDDED: setting(
      z
        .enum(["true", "false"])
        .default("true")
        .transform((v) => v === "true"),
      {
        description:
          "false: the processors run no relay of their own (a standalone relay, npm run start:relay, publishes).",
      },
    ),
    OUTBOX_PUBLISHER: setting(z.enum(["relay", "debezium"]).default("relay"), {
      description:
        "Who publishes outbox rows: the relay in the processors, or Debezium (then no relay runs).",
    }),
    OUTBOX_POLL_MS: setting(positiveInt.default(50), {
      description: "How long the leading relay sleeps after a batch smaller than OUTBOX_BATCH_SIZE.",
    }),
    OUTBOX_BATCH_SIZE: setting(positiveInt.default(500), { description: "Rows published per batch." }),
    OUTBOX_RETENTION_MS: setting(positiveInt.default(24 * 3_600_000), {
      description: "How long published rows are kept.",
    }),
    OUTBOX_RETENTION_SWEEP_MS: setting(positiveInt.default(60_000), {
      description: "How often the leading relay deletes published rows older than OUTBOX_RETENTION_MS.",
    }),
    OUTBOX_LEASE_TTL_MS: setting(positiveInt.max(10_000).default(7_000), {
      description:
        "The relay leader's lease: a frozen leader is replaced within this long plus OUTBOX_FOLLOWER_POLL_MS.",
    }),
    OUTBOX_LEASE_RENEW_MS: setting(positiveInt.default(2_000), {
      description: "How often the leader renews its lease; at most half of OUTBOX_LEASE_TTL_MS.",
    }),
    OUTBOX_FOLLOWER_POLL_MS: setting(positiveInt.default(1_000), {
      description:
        "How often a relay that is not the leader asks for the lease (at most OUTBOX_LEASE_RENEW_MS is used).",
    }),
    OUTBOX_ERROR_BACKOFF_MS: setting(positiveInt.default(500), {
      description: "How long the relay waits after a failed round before it tries again.",
    }),
  },
});
