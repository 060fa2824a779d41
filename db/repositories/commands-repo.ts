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

/** What a command's intake asks about it: its payment only for a confirm, its vault ref when it has one. */
export interface IntakeRequest {
  commandId: string;
  /** Given, the payment as it is now comes back too (null when there is none). */
  paymentId: string | null;
  vaultRef: string | null;
  merchantId: string;
}

export interface CommandIntake {
  /** The stored reply: a redelivery of a finished command. */
  result: CommandResult | null;
  /** Whether the command has started a PSP attempt (a redelivery resumes it; a first delivery need not look). */
  hasAttempt: boolean;
  /** The payment, when asked for. */
  payment?: Payment | null;
  /** The vaulted payment method's sealed token, when asked for and found under the merchant. */
  vaultCiphertext: string | null;
}

/**
 * Where commands stand, in one read for many (processors/command-intake.ts batches them): each one's
 * stored reply, whether it started a PSP attempt, the payment a confirm decides on, and the vaulted
 * payment method. One answer per request, in order.
 */
export async function readCommandIntakes(
  db: Queryable,
  requests: readonly IntakeRequest[],
): Promise<CommandIntake[]> {
  const { rows } = await db.query<
    ResultRow & { ord: string; has_attempt: boolean; vault_ciphertext: string | null } & Partial<PaymentRow>
  >({
    name: "command_intakes",
    text: `SELECT r.ord, pc.command_id, pc.result, pc.http_status, pc.response,
                  EXISTS (SELECT 1 FROM payment_attempts a WHERE a.command_id = r.command_id) AS has_attempt,
                  v.ciphertext AS vault_ciphertext, p.*
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[])
                  WITH ORDINALITY AS r(command_id, payment_id, vault_ref, merchant_id, ord)
           LEFT JOIN processed_commands pc ON pc.command_id = r.command_id
           LEFT JOIN payment_index pi ON pi.payment_id = r.payment_id
           LEFT JOIN payments p ON p.payment_id = pi.payment_id AND p.partition_key = pi.partition_key
           LEFT JOIN payment_method_vault v ON v.ref = r.vault_ref AND v.merchant_id = r.merchant_id
           ORDER BY r.ord`,
    values: [
      requests.map((r) => r.commandId),
      requests.map((r) => r.paymentId),
      requests.map((r) => r.vaultRef),
      requests.map((r) => r.merchantId),
    ],
  });
  if (rows.length !== requests.length)
    throw new Error(`intake read ${rows.length} of ${requests.length} rows`);
  return rows.map((row, i) => {
    const intake: CommandIntake = {
      result: row.command_id && row.response !== null ? fromRow(row) : null,
      hasAttempt: row.has_attempt,
      vaultCiphertext: row.vault_ciphertext,
    };
    if (requests[i]?.paymentId === null) return intake;
    return { ...intake, payment: row.payment_id ? toPayment(row as PaymentRow) : null };
  });
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
