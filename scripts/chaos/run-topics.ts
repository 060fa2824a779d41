import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import type { CampaignEnv } from "./campaign-env.ts";
import { quietAdmin } from "./kafka-clients.ts";

export const RUN_PARTITIONS = 6;
const REPLICATION_FACTOR = 3;

/** Run-private topic and group names (the outcome topics are fixed names, shared by runs and filtered by payment id). */
export function runNames(tag: string) {
  return {
    COMMAND_TOPIC: `payment.commands.w4.${tag}.v1`,
    COMMAND_DLQ_TOPIC: `payment.commands.dlq.w4.${tag}.v1`,
    WEBHOOK_TOPIC: `payment.webhooks.w4.${tag}.v1`,
    ORDER_CREATED_TOPIC: `order.created.w4.${tag}.v1`,
    PROCESSOR_GROUP_ID: `payment-processors-w4-${tag}`,
    ORDER_GROUP_ID: `payment-autopay-w4-${tag}`,
    WEBHOOK_GROUP_ID: `payment-webhooks-w4-${tag}`,
  };
}

export type RunNames = ReturnType<typeof runNames>;

const admin = (e: CampaignEnv) => quietAdmin(e.kafkaBootstrap);

/**
 * Topics are created up front with replication factor 3, as an operator would provision them: the
 * service's own ensureTopics creates missing topics with replication factor 1, which one broker kill
 * would make unavailable.
 */
export async function createTopics(
  e: CampaignEnv,
  topics: Array<{ topic: string; numPartitions: number }>,
): Promise<void> {
  const client = admin(e);
  await client.connect();
  try {
    const existing = new Set(await client.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    await client.createTopics({
      topics: missing.map((t) => ({ ...t, replicationFactor: REPLICATION_FACTOR })),
    });
  } finally {
    await client.disconnect();
  }
}

export function runTopics(n: RunNames) {
  return [
    { topic: n.COMMAND_TOPIC, numPartitions: RUN_PARTITIONS },
    { topic: n.WEBHOOK_TOPIC, numPartitions: RUN_PARTITIONS },
    { topic: n.ORDER_CREATED_TOPIC, numPartitions: RUN_PARTITIONS },
    { topic: n.COMMAND_DLQ_TOPIC, numPartitions: 1 },
  ];
}

export const eventTopics = () =>
  Object.values(EVENT_TOPICS).map((topic) => ({ topic, numPartitions: RUN_PARTITIONS }));

export async function deleteTopics(e: CampaignEnv, topics: string[]): Promise<void> {
  const client = admin(e);
  await client.connect();
  try {
    await client.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await client.disconnect();
  }
}

/** The run's subjects in the shared registry go with the run (soft, then permanent delete). */
export async function deleteSubjects(registryUrl: string, topics: string[]): Promise<void> {
  for (const topic of topics) {
    const subject = encodeURIComponent(`${topic}-value`);
    for (const query of ["", "?permanent=true"]) {
      const res = await fetch(`${registryUrl}/subjects/${subject}${query}`, { method: "DELETE" }).catch(
        () => null,
      );
      await res?.body?.cancel();
    }
  }
}
