import type { CommandReply } from "../../core/domain/commands.ts";
import { openJson, sealJson } from "../../core/security/field-crypto.ts";
import type { Queryable } from "../pool.ts";

export const COMMAND_RESULT_CHANNEL = "payment_command_results";

export async function findCommandReply(db: Queryable, commandId: string): Promise<CommandReply | null> {
  const { rows } = await db.query<{ http_status: number; response: unknown }>({
    name: "command_reply_by_id",
    text: "SELECT http_status, response FROM processed_commands WHERE command_id = $1",
    values: [commandId],
  });
  return rows[0] ? { httpStatus: rows[0].http_status, body: openJson(rows[0].response) } : null;
}

export async function findCommandReplies(
  db: Queryable,
  commandIds: string[],
): Promise<Map<string, CommandReply>> {
  const { rows } = await db.query<{ command_id: string; http_status: number; response: unknown }>({
    name: "command_replies_by_ids",
    text: "SELECT command_id, http_status, response FROM processed_commands WHERE command_id = ANY($1::uuid[])",
    values: [commandIds],
  });
  return new Map(rows.map((r) => [r.command_id, { httpStatus: r.http_status, body: openJson(r.response) }]));
}

/**
 * Records the command as applied, in the same transaction as its effects, and wakes the ingress
 * waiting for it (NOTIFY is delivered on commit, never for a rolled-back transaction).
 */
export async function saveCommandReply(
  db: Queryable,
  command: { commandId: string; paymentId: string; type: string },
  reply: CommandReply,
): Promise<void> {
  await db.query({
    name: "command_reply_insert",
    text: `INSERT INTO processed_commands (command_id, payment_id, command_type, http_status, response)
           VALUES ($1,$2,$3,$4,$5)`,
    values: [command.commandId, command.paymentId, command.type, reply.httpStatus, sealJson(reply.body)],
  });
  await db.query({
    name: "command_reply_notify",
    text: "SELECT pg_notify($1, $2)",
    values: [COMMAND_RESULT_CHANNEL, command.commandId],
  });
}

/** A command first answered "processing" (202) gets its final answer once the outcome is known. */
export async function replaceProvisionalReply(
  db: Queryable,
  commandId: string,
  reply: CommandReply,
): Promise<void> {
  await db.query({
    name: "command_reply_replace",
    text: "UPDATE processed_commands SET http_status = $2, response = $3 WHERE command_id = $1 AND http_status = 202",
    values: [commandId, reply.httpStatus, sealJson(reply.body)],
  });
}
