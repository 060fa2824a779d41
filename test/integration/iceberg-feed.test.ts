import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importSettlementReport } from "../../core/settlement/import-settlement.ts";
import { openReport } from "../../core/settlement/report-source.ts";
import { api } from "../helpers/api.ts";
import { closeTestDb, pspReferenceOf, testDb } from "../helpers/db.ts";
import { EventLog } from "../helpers/event-log.ts";
import { createAndConfirm, settledOperation, waitForPayment } from "../helpers/flows.ts";
import { feedConnectors, type IcebergRow, icebergEnabled, inFilter, scanTable } from "../helpers/iceberg.ts";
import { connectorState } from "../helpers/outbox-records.ts";
import { pspSimulatorBase } from "../helpers/psp-simulators.ts";
import { TEST_MERCHANT_ID } from "../helpers/test-key.ts";
import { eventually } from "../helpers/wait.ts";

// Issue 8 section 4: the Iceberg tables fed from Kafka by the Iceberg Kafka Connect sink
// (docs/adr/0012-iceberg-feed.md). Real payments go through the service; their outcome events reach
// finance.<ns>.payment_events, and an imported settlement report reaches finance.<ns>.settlement_lines
// through Debezium; both are read back from the warehouse with pyiceberg. Needs the stack with the
// feed (`npm run stack:up`, STACK_ICEBERG=1, the default).

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A sink commits every ICEBERG_COMMIT_INTERVAL_MS (10 s in the stack): a few rounds at most. */
const LANDS_WITHIN_MS = 120_000;
const today = () => new Date().toISOString().slice(0, 10);

interface Flow {
  paymentId: string;
  orderId: number;
  events: string[];
}

/** Waits until the rows of the table for these ids (a pyiceberg scan) satisfy `enough`; returns them. */
async function rowsLanded(
  table: "payment_events" | "settlement_lines",
  column: string,
  ids: string[],
  enough: (rows: IcebergRow[]) => boolean,
): Promise<IcebergRow[]> {
  return eventually(
    `${table} rows for ${ids.join(", ")}`,
    async () => {
      const rows = await scanTable(table, inFilter(column, ids));
      return enough(rows) ? rows : undefined;
    },
    LANDS_WITHIN_MS,
    2_000,
  );
}

/** How many records each event id has: on Kafka (header `id`), or in the table (`event_id`). */
function countById(ids: Array<string | number | null | undefined>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(String(id), (counts.get(String(id)) ?? 0) + 1);
  return counts;
}

const events = new EventLog();

afterAll(async () => {
  await events.stop();
  await closeTestDb();
});

describe.runIf(icebergEnabled)("Iceberg feed", () => {
  const started = new Date();
  const flows: Record<"refunded" | "declined" | "canceled", Flow> = {} as never;
  let refundId = "";
  let lastEventAt = 0;

  beforeAll(async () => {
    for (const name of Object.values(feedConnectors)) {
      const state = await connectorState(name);
      if (state === null || !/^RUNNING( RUNNING)+$/.test(state))
        throw new Error(
          `connector ${name} is ${state ?? "unreachable"}: start the stack with \`npm run stack:up\` ` +
            "(STACK_ICEBERG=1), or set STACK_ICEBERG=0 to skip these tests.",
        );
    }
    await events.start();

    const captured = await createAndConfirm({ psp: "stripe", amount: "10.00" });
    await waitForPayment(captured.paymentId, (p) => p.status === "succeeded");
    const refund = await api.post(`/payments/${captured.paymentId}/refund`, { amount: "4.00" });
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    refundId = refund.body.refund_id;
    await waitForPayment(captured.paymentId, (p) => p.amount_refunded === "4.00");
    flows.refunded = {
      paymentId: captured.paymentId,
      orderId: captured.created.body.order_id,
      events: ["authorized", "captured", "refunded"],
    };

    const declined = await createAndConfirm({ psp: "stripe", token: "pm_card_chargeDeclined" });
    expect(declined.confirmed.status).toBe(402);
    flows.declined = {
      paymentId: declined.paymentId,
      orderId: declined.created.body.order_id,
      events: ["failed"],
    };

    const manual = await createAndConfirm({ psp: "stripe", capture_method: "manual" });
    await settledOperation(
      await api.post(`/payments/${manual.paymentId}/cancel`, {}),
      manual.paymentId,
      "canceled",
    );
    flows.canceled = {
      paymentId: manual.paymentId,
      orderId: manual.created.body.order_id,
      events: ["authorized", "canceled"],
    };
    for (const flow of Object.values(flows))
      await events.waitFor(flow.paymentId, { count: flow.events.length });
    lastEventAt = Date.now();
  }, 120_000);

  it(
    "lands every outcome event in payment_events with the contract's columns, partitioned by day",
    async () => {
      const paymentIds = Object.values(flows).map((f) => f.paymentId);
      // The outcome records on Kafka, as any consumer reads them (a duplicate repeats its header id).
      const onKafka = (await Promise.all(paymentIds.map((id) => events.seen(id)))).flat();
      expect(new Set(onKafka.map((e) => e.eventId)).size).toBe(6);
      const kafkaCounts = countById(onKafka.map((e) => e.eventId));
      const rows = await rowsLanded("payment_events", "payment_id", paymentIds, (r) => {
        const landed = countById(r.map((row) => row.event_id));
        return [...kafkaCounts].every(([id, n]) => (landed.get(id) ?? 0) >= n);
      });
      console.info(
        `[iceberg] outcome events queryable in payment_events ${Date.now() - lastEventAt} ms after the last one`,
      );

      // Exactly-once from Kafka to the table: each record once, none lost, none repeated by the sink.
      expect(countById(rows.map((r) => r.event_id))).toEqual(kafkaCounts);
      for (const e of onKafka) {
        const row = rows.find((r) => r.event_id === e.eventId);
        expect(`payment.${row?.event_type}.v1`).toBe(e.topic);
      }

      const reference = await pspReferenceOf(flows.refunded.paymentId);
      for (const flow of Object.values(flows)) {
        const own = rows
          .filter((r) => r.payment_id === flow.paymentId)
          .sort((a, b) => Number(a.sequence) - Number(b.sequence));
        expect(own.map((r) => r.event_type)).toEqual(flow.events);
        expect(own.map((r) => r.sequence)).toEqual(flow.events.map((_, i) => i + 1));
        for (const row of own) {
          expect(row).toMatchObject({
            payment_id: flow.paymentId,
            merchant_id: TEST_MERCHANT_ID,
            order_id: flow.orderId,
            psp: "stripe",
            currency: "USD",
          });
          expect(row.event_id).toMatch(UUID_RE);
          const occurredAt = new Date(String(row.occurred_at));
          expect(occurredAt.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1_000);
          expect(occurredAt.getTime()).toBeLessThanOrEqual(Date.now());
          // Partitioned by day(occurred_at): the row's data file sits in its UTC day's partition.
          expect(row._partition).toEqual({ occurred_at_day: occurredAt.toISOString().slice(0, 10) });
        }
      }

      const amounts = (flow: Flow) =>
        rows.filter((r) => r.payment_id === flow.paymentId).map((r) => [r.event_type, r.amount_minor]);
      expect(amounts(flows.refunded)).toEqual(
        expect.arrayContaining([
          ["authorized", 1000],
          ["captured", 1000],
          ["refunded", 400],
        ]),
      );
      // payment.failed.v1 carries the amount it failed for; payment.canceled.v1 has none.
      expect(amounts(flows.declined)).toEqual([["failed", 1000]]);
      expect(amounts(flows.canceled)).toEqual(
        expect.arrayContaining([
          ["authorized", 1000],
          ["canceled", null],
        ]),
      );
      const refundedRows = rows.filter((r) => r.payment_id === flows.refunded.paymentId);
      expect(refundedRows.find((r) => r.event_type === "captured")?.psp_reference).toBe(reference);
      // payment.refunded.v1 has no psp_reference field.
      expect(refundedRows.find((r) => r.event_type === "refunded")?.psp_reference).toBeNull();
    },
    LANDS_WITHIN_MS + 30_000,
  );

  it(
    "lands an imported settlement line in settlement_lines through the CDC of psp_settlement",
    async () => {
      const { paymentId } = flows.refunded;
      const report = await openReport("stripe", {
        kind: "psp",
        baseUrl: pspSimulatorBase("stripe"),
        date: today(),
      });
      await importSettlementReport(testDb(), "stripe", report);
      const importedAt = Date.now();
      const { rows: ledger } = await testDb().query<{
        settlement_line_id: string;
        batch_id: string;
        line_no: number;
        record_type: string;
        psp_reference: string;
        refund_id: string | null;
        currency: string;
        gross_amount: string;
        fee_amount: string;
        net_amount: string;
      }>(
        `SELECT settlement_line_id::text, batch_id, line_no, record_type, psp_reference, refund_id::text,
           currency, gross_amount::text, fee_amount::text, net_amount::text
         FROM psp_settlement WHERE psp = 'stripe' AND payment_id = $1 ORDER BY record_type`,
        [paymentId],
      );
      // Other tests import reports too (a file, an S3 key): the payment may have lines in several batches.
      expect(ledger.map((l) => [l.record_type, l.gross_amount])).toEqual(
        expect.arrayContaining([
          ["charge", "10.00"],
          ["refund", "-4.00"],
        ]),
      );

      const rows = await rowsLanded("settlement_lines", "payment_id", [paymentId], (r) =>
        ledger.every((l) => r.some((row) => String(row.settlement_line_id) === l.settlement_line_id)),
      );
      console.info(
        `[iceberg] settlement lines queryable in settlement_lines ${Date.now() - importedAt} ms after the import`,
      );

      for (const line of ledger) {
        // The line's latest change (highest LSN) carries the ledger's values; amounts stay decimal.
        const latest = rows
          .filter((r) => String(r.settlement_line_id) === line.settlement_line_id)
          .sort((a, b) => Number(b.cdc_lsn) - Number(a.cdc_lsn))[0];
        expect(latest).toMatchObject({
          psp: "stripe",
          batch_id: line.batch_id,
          line_no: line.line_no,
          record_type: line.record_type,
          psp_reference: line.psp_reference,
          payment_id: paymentId,
          refund_id: line.refund_id,
          currency: "USD",
          gross_amount: line.gross_amount,
          fee_amount: line.fee_amount,
          net_amount: line.net_amount,
          settled_on: today(),
          _partition: { settled_on_day: today() },
        });
        if (latest?.cdc_op === "d") {
          // A concurrent re-import pruned the line since: then it is gone from the ledger too.
          const { rowCount } = await testDb().query(
            "SELECT 1 FROM psp_settlement WHERE settlement_line_id = $1",
            [line.settlement_line_id],
          );
          expect(rowCount).toBe(0);
        } else {
          expect(["r", "c", "u"]).toContain(latest?.cdc_op);
        }
      }
      expect(ledger.find((l) => l.record_type === "refund")?.refund_id).toBe(refundId);
      expect(ledger.find((l) => l.record_type === "charge")?.psp_reference).toBe(
        await pspReferenceOf(paymentId),
      );
    },
    LANDS_WITHIN_MS + 30_000,
  );
});
