import type { CommandResult } from "../../core/domain/command-result.ts";
import { openJson, sealJson } from "../../core/security/field-crypto.ts";
import type { Queryable } from "../pool.ts";
import { decodeResult, encodeResult } from "./command-result-codec.ts";

export const COMMAND_RESULT_CHANNEL = "payment_command_results";

interface ResultRow {
  command_id: string;
  result: string | null;
  http_status: number | null;
  response: unknown;
}

const fromRow = (r: ResultRow) => decodeResult({ ...r, body: openJson(r.response) });

export async function findCommandResult(db: Queryable, commandId: string): Promise<CommandResult | null> {
  const { rows } = await db.query<ResultRow>({
    name: "command_result_by_id",
    text: "SELECT command_id, result, http_status, response FROM processed_commands WHERE command_id = $1",
    values: [commandId],
  });
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function findCommandResults(
  db: Queryable,
  commandIds: string[],
): Promise<Map<string, CommandResult>> {
  const { rows } = await db.query<ResultRow>({
    name: "command_results_by_ids",
    text: "SELECT command_id, result, http_status, response FROM processed_commands WHERE command_id = ANY($1::uuid[])",
    values: [commandIds],
  });
  return new Map(rows.map((r) => [r.command_id, fromRow(r)]));
}

/**
 * Records the command as applied, in the same transaction as its effects, and wakes the ingress
 * waiting for it (NOTIFY is delivered on commit, never for a rolled-back transaction).
 */
export async function saveCommandResult(
  db: Queryable,
  command: { commandId: string; paymentId: string; type: string },
  result: CommandResult,
): Promise<void> {
  const stored = encodeResult(result);
  await db.query({
    name: "command_result_insert",
    text: `INSERT INTO processed_commands (command_id, payment_id, command_type, result, response)
           VALUES ($1,$2,$3,$4,$5)`,
    values: [command.commandId, command.paymentId, command.type, stored.result, sealJson(stored.body)],
  });
  await db.query({
    name: "command_result_notify",
    text: "SELECT pg_notify($1, $2)",
    values: [COMMAND_RESULT_CHANNEL, command.commandId],
  });
}

/** A command first answered "pending" gets its final result once the outcome is known. */
export async function replacePendingResult(
  db: Queryable,
  commandId: string,
  result: CommandResult,
): Promise<void> {
  const stored = encodeResult(result);
  await db.query({
    name: "command_result_replace",
    text: `UPDATE processed_commands SET result = $2, response = $3, http_status = NULL
           WHERE command_id = $1 AND (result IN ('payment.pending', 'refund.pending') OR http_status = 202)`,
    values: [commandId, stored.result, sealJson(stored.body)],
  });
}
