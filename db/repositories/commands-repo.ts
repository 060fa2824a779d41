import type { CommandResult } from "../../core/domain/command-result.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { openJson, sealJson } from "../../core/security/field-crypto.ts";
import type { Queryable } from "../pool.ts";
import { type Statement, withWrites } from "../statement.ts";
import { decodeResult, encodeResult } from "./command-result-codec.ts";
import { type PaymentRow, toPayment } from "./payments-repo.ts";

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

/**
 * Where a command stands, in one read: its stored reply, if any, and whether it has started a PSP
 * attempt (a redelivery resumes that one; a first delivery need not look for it). Given a payment id,
 * the same read also returns that payment as it is now (null when there is none), so a handler that
 * decides on it first need not read it again.
 */
export async function commandProgress(
  db: Queryable,
  commandId: string,
  paymentId?: string,
): Promise<{ result: CommandResult | null; hasAttempt: boolean; payment?: Payment | null }> {
  const withPayment = paymentId !== undefined;
  const { rows } = await db.query<ResultRow & { has_attempt: boolean } & Partial<PaymentRow>>({
    name: withPayment ? "command_progress_and_payment" : "command_progress",
    text: `SELECT pc.command_id, pc.result, pc.http_status, pc.response,
                  EXISTS (SELECT 1 FROM payment_attempts a WHERE a.command_id = $1) AS has_attempt
                  ${withPayment ? ", p.*" : ""}
           FROM (SELECT $1::uuid AS command_id) c
           LEFT JOIN processed_commands pc ON pc.command_id = c.command_id
           ${
             withPayment
               ? `LEFT JOIN payment_index i ON i.payment_id = $2
                  LEFT JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key`
               : ""
           }`,
    values: withPayment ? [commandId, paymentId] : [commandId],
  });
  const row = rows[0];
  const progress = {
    result: row?.command_id && row.response !== null ? fromRow(row) : null,
    hasAttempt: row?.has_attempt ?? true,
  };
  if (!withPayment) return progress;
  return { ...progress, payment: row?.payment_id ? toPayment(row as PaymentRow) : null };
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
 * Records the command as applied, in the same transaction as its effects, in one statement: the row,
 * the end of the command's claim (processors/command-claims.ts: with a stored reply nobody needs it),
 * and the NOTIFY that wakes the ingress waiting for it (delivered on commit, never for a rolled-back
 * transaction). The notification carries the stored reply (sealed, as in the table) when it fits, so
 * the ingress need not read it back; a larger one carries only the command id.
 */
export async function saveCommandResult(
  db: Queryable,
  command: { commandId: string; paymentId: string; type: string },
  result: CommandResult,
  /** Writes of the command's effects to run in the same statement (db/statement.ts). */
  effects: readonly Statement[] = [],
): Promise<void> {
  await db.query(withWrites(effects, saveResultStatement(command, result)));
}

function saveResultStatement(
  command: { commandId: string; paymentId: string; type: string },
  result: CommandResult,
): Statement {
  const stored = encodeResult(result);
  const response = sealJson(stored.body);
  const payload = JSON.stringify([command.commandId, stored.result, response]);
  return {
    name: "command_result_save",
    text: `WITH saved AS (
             INSERT INTO processed_commands (command_id, payment_id, command_type, result, response)
             VALUES ($1, $2, $3, $4, $5) RETURNING command_id
           ), released AS (
             DELETE FROM command_claims WHERE command_id = $1
           )
           SELECT pg_notify($6, $7) FROM saved`,
    values: [
      command.commandId,
      command.paymentId,
      command.type,
      stored.result,
      response,
      COMMAND_RESULT_CHANNEL,
      payload.length <= MAX_NOTIFY_PAYLOAD ? payload : command.commandId,
    ],
  };
}

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (the sealed text is ASCII). */
const MAX_NOTIFY_PAYLOAD = 7_900;

/**
 * A notification on COMMAND_RESULT_CHANNEL: the command id and, when it fitted, its stored reply, opened
 * only on demand (every ingress process hears every notification; only the one waiting opens it).
 * An id-only notification reads as null: the reply is then read from the table.
 */
export function parseResultNotification(payload: string): {
  commandId: string;
  reply: () => CommandResult | null;
} {
  if (!payload.startsWith("[")) return { commandId: payload, reply: () => null };
  const [commandId, result, response] = JSON.parse(payload) as [string, string, string];
  return {
    commandId,
    reply: () =>
      fromRow({ command_id: commandId, result, http_status: null, response: JSON.parse(response) }),
  };
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
