import { randomUUID } from "node:crypto";

/**
 * Command, webhook and order topics and consumer groups of its own for a test's service (prefix
 * `test.<name>.<run>`), so its processors rebalance nothing else in the run.
 */
export function privateTopicsEnv(name: string): Record<string, string> {
  const run = randomUUID().slice(0, 8);
  return {
    COMMAND_TOPIC: `test.${name}.${run}.payment.commands.v1`,
    COMMAND_DLQ_TOPIC: `test.${name}.${run}.payment.commands.dlq.v1`,
    PROCESSOR_GROUP_ID: `test-${name}-${run}`,
    WEBHOOK_TOPIC: `test.${name}.${run}.payment.webhooks.v1`,
    WEBHOOK_GROUP_ID: `test-${name}-webhooks-${run}`,
    ORDER_CREATED_TOPIC: `test.${name}.${run}.order.created.v1`,
    ORDER_GROUP_ID: `test-${name}-orders-${run}`,
  };
}
