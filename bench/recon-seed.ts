import type { Queryable } from "../db/pool.ts";

/**
 * Seeds a day for reconciliation in bulk, in SQL: `count` automatic-capture payments of one PSP whose
 * authorize attempt succeeded on `date` (charge `pi_<psp>_<n>`), a refund of 1.00 on every 10th
 * (`re_<psp>_<n>`), and a settlement report that matches every item exactly (fee 2.9% + 0.30 on charges,
 * none on refunds). Used by bench/recon.ts and the reconciliation tests, which then plant discrepancies.
 */
export async function seedReconDay(
  db: Queryable,
  o: { date: string; psp: string; count: number; merchantId: string; from?: number },
): Promise<void> {
  const from = o.from ?? 1;
  const to = from + o.count - 1;
  const all = [o.date, o.psp, from, to, o.merchantId];
  const query = (text: string) => db.query(text, text.includes("$5") ? all : all.slice(0, 4));
  // Deterministic ids: md5 of (psp, n) shaped as a UUID.
  const id = (kind: string) => `md5($2 || '${kind}' || n)::uuid`;
  await query(
    `INSERT INTO payment_index (payment_id, partition_key, order_id, created_at, merchant_id)
     SELECT ${id("p")}, $1::date, n, $1::date, $5 FROM generate_series($3::int, $4::int) n`,
  );
  await query(
    `INSERT INTO payments (payment_id, partition_key, order_id, amount, currency, status, capture_method, psp,
                           amount_captured, amount_refunded, psp_reference, created_at, updated_at, merchant_id)
     SELECT ${id("p")}, $1::date, n, 10 + n % 1000 + 0.5, 'USD',
            CASE WHEN n % 10 = 0 THEN 'partially_refunded' ELSE 'succeeded' END, 'automatic', $2,
            10 + n % 1000 + 0.5, CASE WHEN n % 10 = 0 THEN 1 ELSE 0 END, 'pi_' || $2 || '_' || n,
            $1::date, $1::date, $5
       FROM generate_series($3::int, $4::int) n`,
  );
  await query(
    `INSERT INTO payment_attempts (attempt_id, payment_id, command_id, operation, psp, amount, currency, status,
                                   psp_reference, started_at, finished_at)
     SELECT ${id("a")}, ${id("p")}, ${id("c")}, 'authorize', $2, 10 + n % 1000 + 0.5, 'USD', 'succeeded',
            'pi_' || $2 || '_' || n, $1::date + make_interval(secs => n % 86000), $1::date + make_interval(secs => n % 86000 + 1)
       FROM generate_series($3::int, $4::int) n`,
  );
  await query(
    `INSERT INTO refunds (refund_id, payment_id, amount, status, created_at, processed_at, merchant_id)
     SELECT ${id("r")}, ${id("p")}, 1, 'succeeded', $1::date, $1::date + interval '23 hours', $5
       FROM generate_series($3::int, $4::int) n WHERE n % 10 = 0`,
  );
  await query(
    `INSERT INTO payment_attempts (attempt_id, payment_id, command_id, operation, psp, amount, currency, refund_id,
                                   status, psp_reference, started_at, finished_at)
     SELECT ${id("ra")}, ${id("p")}, ${id("rc")}, 'refund', $2, 1, 'USD', ${id("r")}, 'succeeded',
            're_' || $2 || '_' || n, $1::date + interval '23 hours', $1::date + interval '23 hours 1 second'
       FROM generate_series($3::int, $4::int) n WHERE n % 10 = 0`,
  );
  await query(
    `INSERT INTO psp_settlement (psp, batch_id, line_no, record_type, psp_reference, payment_id, refund_id, currency,
                                 gross_amount, fee_amount, net_amount, settled_on)
     SELECT $2, 'po_' || $1, n * 2, 'charge', 'pi_' || $2 || '_' || n, ${id("p")}, NULL, 'USD',
            10 + n % 1000 + 0.5, round((10 + n % 1000 + 0.5) * 0.029 + 0.30, 2),
            10 + n % 1000 + 0.5 - round((10 + n % 1000 + 0.5) * 0.029 + 0.30, 2), $1::date
       FROM generate_series($3::int, $4::int) n
     UNION ALL
     SELECT $2, 'po_' || $1, n * 2 + 1, 'refund', 're_' || $2 || '_' || n, ${id("p")}, ${id("r")}, 'USD',
            -1, 0, -1, $1::date
       FROM generate_series($3::int, $4::int) n WHERE n % 10 = 0`,
  );
}

/** The ids seedReconDay gives item n. */
export function seededReference(kind: "charge" | "refund", psp: string, n: number): string {
  return `${kind === "charge" ? "pi" : "re"}_${psp}_${n}`;
}
