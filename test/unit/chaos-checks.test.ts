import { describe, expect, it } from "vitest";
import { checkOutcomeEvents, sequenceProblem } from "../../scripts/chaos/checks/events.ts";
import { checkHttpAnswers } from "../../scripts/chaos/checks/http.ts";
import type {
  Answer,
  LedgerPayment,
  Observations,
  PspView,
  SeenEvent,
} from "../../scripts/chaos/checks/observations.ts";
import { checkOutboxStalls } from "../../scripts/chaos/checks/outbox-stall.ts";
import { checkPspAgainstLedger } from "../../scripts/chaos/checks/psp-ledger.ts";
import { checkIdempotentReplays } from "../../scripts/chaos/checks/replays.ts";
import { checkNothingUnresolved } from "../../scripts/chaos/checks/unresolved.ts";
import { parseDbBatches } from "../../scripts/chaos/service.ts";
import { heldByAdyen, heldByStripe } from "../../scripts/chaos/simulators.ts";

const ID = "11111111-1111-4111-8111-111111111111";

function payment(overrides: Partial<LedgerPayment> = {}): LedgerPayment {
  return {
    paymentId: ID,
    orderId: "1",
    psp: "stripe",
    currency: "USD",
    status: "succeeded",
    amountMinor: 1000n,
    capturableMinor: 0n,
    capturedMinor: 1000n,
    refundedMinor: 0n,
    refundPendingMinor: 0n,
    needsReview: false,
    failureReason: null,
    ...overrides,
  };
}

const psp = (v: Partial<PspView> = {}): PspView => ({
  authorizations: 1,
  capturedMinor: 1000n,
  refundedMinor: 0n,
  heldMinor: 0n,
  ...v,
});

const event = (kind: SeenEvent["kind"], extra: Partial<SeenEvent> = {}): SeenEvent => ({
  paymentId: ID,
  eventId: `${kind}-${extra.refundId ?? ""}-${extra.sequence ?? ""}`,
  kind,
  refundId: null,
  sequence: null,
  ...extra,
});

function observations(o: Partial<Observations> = {}): Observations {
  return {
    payments: [payment()],
    refunds: [],
    openAttempts: [],
    openReviews: null,
    psp: new Map([[ID, psp()]]),
    events: [event("authorized"), event("captured")],
    exchanges: [],
    replays: [],
    expectedPaymentIds: [ID],
    autopayPaymentIds: [],
    ...o,
  };
}

const answer = (status: number | null, body: unknown, a: Partial<Answer> = {}): Answer => ({
  status,
  body,
  retryAfter: null,
  replayed: true,
  error: status === null ? "ECONNREFUSED" : null,
  ...a,
});

describe("checkPspAgainstLedger", () => {
  it("passes when the PSP and the ledger agree", () => {
    expect(checkPspAgainstLedger(observations())).toEqual([]);
  });

  it("finds a double charge, a capture the ledger missed and a refund it invented", () => {
    const found = checkPspAgainstLedger(
      observations({
        psp: new Map([[ID, psp({ authorizations: 2, capturedMinor: 2000n, refundedMinor: 0n })]]),
        payments: [payment({ refundedMinor: 100n, status: "partially_refunded" })],
      }),
    ).map((v) => v.detail);
    expect(found).toEqual([
      expect.stringContaining("authorized 2 times"),
      expect.stringContaining("captured: PSP 2000, ledger 1000"),
      expect.stringContaining("refunded: PSP 0, ledger 100"),
    ]);
  });

  it("finds money held at the PSP for a payment the ledger failed (the lost late authorization)", () => {
    const found = checkPspAgainstLedger(
      observations({
        payments: [payment({ status: "failed", capturedMinor: 0n })],
        psp: new Map([[ID, psp({ capturedMinor: 0n, heldMinor: 1000n })]]),
      }),
    );
    expect(found.map((v) => v.detail)).toEqual([expect.stringContaining("held: PSP 1000, ledger 0")]);
  });

  it("finds a ledger authorization the PSP never made", () => {
    const found = checkPspAgainstLedger(
      observations({
        payments: [payment({ status: "requires_capture", capturedMinor: 0n, capturableMinor: 1000n })],
        psp: new Map([[ID, psp({ authorizations: 0, capturedMinor: 0n })]]),
      }),
    );
    expect(found.map((v) => v.detail)).toEqual([
      expect.stringContaining("held: PSP 0, ledger 1000"),
      expect.stringContaining("the PSP never did"),
    ]);
  });

  it("still compares the money of a payment in review, and says it is in review", () => {
    const found = checkPspAgainstLedger(
      observations({
        payments: [payment({ needsReview: true })],
        psp: new Map([[ID, psp({ capturedMinor: 0n })]]),
      }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.detail).toContain("in review");
  });
});

describe("checkNothingUnresolved", () => {
  it("finds a payment left processing, an unknown attempt and a pending refund", () => {
    const found = checkNothingUnresolved(
      observations({
        payments: [payment({ status: "processing" })],
        openAttempts: [{ paymentId: ID, operation: "refund", status: "unknown" }],
        refunds: [{ refundId: "r1", paymentId: ID, amountMinor: 100n, status: "pending" }],
      }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.detail).toMatch(/processing.*refund:unknown.*refund pending/);
  });

  it("accepts an unsettled payment that is in review (flag, or an open review row with a reason)", () => {
    const stuck = { payments: [payment({ status: "processing" })] };
    expect(
      checkNothingUnresolved(
        observations({ ...stuck, payments: [payment({ status: "processing", needsReview: true })] }),
      ),
    ).toEqual([]);
    expect(
      checkNothingUnresolved(
        observations({ ...stuck, openReviews: [{ paymentId: ID, reason: "psp_timeout" }] }),
      ),
    ).toEqual([]);
    expect(
      checkNothingUnresolved(observations({ ...stuck, openReviews: [{ paymentId: ID, reason: "" }] })),
    ).toEqual([expect.objectContaining({ detail: "in review without a reason" })]);
  });

  it("finds an autopay payment left waiting for a confirm (no client will retry it)", () => {
    const waiting = { payments: [payment({ status: "requires_confirmation", capturedMinor: 0n })] };
    expect(checkNothingUnresolved(observations(waiting))).toEqual([]);
    expect(checkNothingUnresolved(observations({ ...waiting, autopayPaymentIds: [ID] }))).toEqual([
      expect.objectContaining({ detail: expect.stringContaining("autopay order never confirmed") }),
    ]);
  });

  it("finds a promised payment that never reached the ledger", () => {
    const other = "22222222-2222-4222-8222-222222222222";
    expect(checkNothingUnresolved(observations({ expectedPaymentIds: [ID, other] }))).toEqual([
      expect.objectContaining({ paymentId: other }),
    ]);
  });
});

describe("checkOutcomeEvents", () => {
  it("passes with one event per state change, duplicates of one event id removed", () => {
    const events = [event("authorized"), event("authorized"), event("captured")];
    expect(checkOutcomeEvents(observations({ events }))).toEqual([]);
  });

  it("finds a missing authorized event, a second captured event and a stray failed one", () => {
    const events = [event("captured"), event("captured", { eventId: "other" }), event("failed")];
    expect(checkOutcomeEvents(observations({ events })).map((v) => v.detail)).toEqual([
      expect.stringContaining("0 authorized event(s), expected 1"),
      expect.stringContaining("2 captured event(s), expected 1"),
      expect.stringContaining("1 failed event(s), expected 0"),
    ]);
  });

  it("wants one refunded event per succeeded refund, none for a failed one", () => {
    const refunds = [
      { refundId: "r1", paymentId: ID, amountMinor: 100n, status: "succeeded" },
      { refundId: "r2", paymentId: ID, amountMinor: 100n, status: "failed" },
      { refundId: "r3", paymentId: ID, amountMinor: 100n, status: "succeeded" },
    ];
    const events = [
      event("authorized"),
      event("captured"),
      event("refunded", { refundId: "r2" }),
      event("refunded", { refundId: "r3" }),
    ];
    expect(checkOutcomeEvents(observations({ refunds, events })).map((v) => v.detail)).toEqual([
      expect.stringContaining("0 refunded event(s) for succeeded refund r1"),
      expect.stringContaining("refund r2 that did not succeed"),
    ]);
  });

  it("checks sequence numbers for gaps and repeats when the events carry them", () => {
    expect(
      sequenceProblem([event("authorized", { sequence: 1 }), event("captured", { sequence: 2 })]),
    ).toBeNull();
    expect(sequenceProblem([event("authorized", { sequence: 1 }), event("captured", { sequence: 3 })])).toBe(
      "sequence gap 1 → 3",
    );
    expect(sequenceProblem([event("authorized", { sequence: 2 }), event("captured", { sequence: 2 })])).toBe(
      "sequence 2 used twice",
    );
    expect(sequenceProblem([event("authorized"), event("captured")])).toBeNull();
  });
});

describe("checkHttpAnswers", () => {
  const exchange = (a: Answer) => ({
    ...a,
    label: "p0 confirm",
    method: "POST",
    path: "/payments/x/confirm",
    key: "k",
  });

  it("counts the same bad answer to a request's retries once, with how often it came", () => {
    const bare503 = exchange(answer(503, { error: "x" }));
    expect(
      checkHttpAnswers(observations({ exchanges: [bare503, bare503, bare503] })).map((v) => v.detail),
    ).toEqual([expect.stringMatching(/503 without Retry-After .*\(×3\)$/)]);
  });

  it("accepts 2xx/4xx and a 503 with Retry-After; refuses 500, a bare 503 and no answer", () => {
    const found = checkHttpAnswers(
      observations({
        exchanges: [
          exchange(answer(200, {})),
          exchange(answer(409, {})),
          exchange(answer(503, {}, { retryAfter: "1" })),
          exchange(answer(500, { error: "boom" })),
          exchange(answer(503, {})),
          exchange(answer(null, null)),
        ],
      }),
    );
    expect(found.map((v) => v.detail)).toEqual([
      expect.stringContaining(": 500 "),
      expect.stringContaining("503 without Retry-After"),
      expect.stringContaining("no answer (ECONNREFUSED)"),
    ]);
  });
});

describe("checkIdempotentReplays", () => {
  const pair = (first: Answer, again: Answer) =>
    observations({ replays: [{ label: "p1 capture", first, again }] });

  it("accepts the same status and body, marked as a replay", () => {
    expect(
      checkIdempotentReplays(pair(answer(200, { a: 1, b: [1] }), answer(200, { b: [1], a: 1 }))),
    ).toEqual([]);
  });

  it("refuses another body, another status, or a request that ran again", () => {
    expect(checkIdempotentReplays(pair(answer(200, { a: 1 }), answer(200, { a: 2 })))).toHaveLength(1);
    expect(checkIdempotentReplays(pair(answer(402, {}), answer(409, {})))).toHaveLength(1);
    expect(checkIdempotentReplays(pair(answer(200, {}), answer(200, {}, { replayed: false })))).toEqual([
      expect.objectContaining({ detail: expect.stringContaining("ran again") }),
    ]);
  });

  it("lets a request refused before it ran (404) run again, but not change a stored refusal", () => {
    expect(checkIdempotentReplays(pair(answer(404, {}), answer(200, {}, { replayed: false })))).toEqual([]);
    expect(checkIdempotentReplays(pair(answer(404, {}), answer(200, {}, { replayed: true })))).toHaveLength(
      1,
    );
  });

  it("lets a first 202 become the eventual outcome, but not a 5xx", () => {
    expect(
      checkIdempotentReplays(
        pair(answer(202, { status: "processing" }), answer(200, { status: "succeeded" })),
      ),
    ).toEqual([]);
    expect(checkIdempotentReplays(pair(answer(202, {}), answer(500, {})))).toHaveLength(1);
    // The processor refused it (nothing done): a 503 with Retry-After is an answer, without it it is not.
    expect(
      checkIdempotentReplays(pair(answer(202, {}), answer(503, { error: {} }, { retryAfter: "1" }))),
    ).toEqual([]);
    expect(checkIdempotentReplays(pair(answer(202, {}), answer(503, { error: {} })))).toHaveLength(1);
  });
});

describe("checkOutboxStalls", () => {
  it("flags a frozen relay leader that held the outbox past the 10 s lease (plus sampling slack)", () => {
    const found = checkOutboxStalls([
      { detail: "relay leader: SIGSTOP processor-0", outboxStallMs: 15_200 },
      { detail: "relay leader: SIGSTOP processor-1", outboxStallMs: 11_900 },
      { detail: "SIGKILL kafka-2, restarted" },
    ]);
    expect(found.map((v) => v.detail)).toEqual([
      expect.stringContaining("processor-0: the outbox stalled 15.2 s"),
    ]);
  });
});

describe("what the simulators hold", () => {
  it("Stripe: amount_capturable of intents awaiting capture", () => {
    expect(
      heldByStripe([
        { status: "requires_capture", amount_capturable: 700 },
        { status: "succeeded", amount_capturable: 0 },
        { status: "canceled", amount_capturable: 0 },
      ]),
    ).toBe(700n);
  });

  it("Adyen: authorised manual-capture payments neither captured nor cancelled", () => {
    expect(
      heldByAdyen([
        {
          resultCode: "Authorised",
          manualCapture: true,
          cancelled: false,
          capturedAmount: 0,
          amount: { value: 500 },
        },
        {
          resultCode: "Authorised",
          manualCapture: true,
          cancelled: true,
          capturedAmount: 0,
          amount: { value: 300 },
        },
        {
          resultCode: "Authorised",
          manualCapture: false,
          cancelled: false,
          capturedAmount: 200,
          amount: { value: 200 },
        },
        {
          resultCode: "Refused",
          manualCapture: true,
          cancelled: false,
          capturedAmount: 0,
          amount: { value: 900 },
        },
      ]),
    ).toBe(500n);
  });
});

describe("the campaign's view of the processors' database batches", () => {
  it("counts batches, shared ones (more than one command) and commands per kind from a metrics page", () => {
    const page = [
      "# HELP processor_db_batch_size Commands served by one database batch",
      "# TYPE processor_db_batch_size histogram",
      'processor_db_batch_size_bucket{le="1",kind="commit"} 7',
      'processor_db_batch_size_bucket{le="2",kind="commit"} 9',
      'processor_db_batch_size_bucket{le="+Inf",kind="commit"} 10',
      'processor_db_batch_size_sum{kind="commit"} 21',
      'processor_db_batch_size_count{kind="commit"} 10',
      'processor_db_batch_size_bucket{le="1",kind="claim"} 4',
      'processor_db_batch_size_sum{kind="claim"} 4',
      'processor_db_batch_size_count{kind="claim"} 4',
      'processor_batch_size_count{le="1"} 99',
    ].join("\n");
    expect(parseDbBatches(page)).toEqual({
      commit: { batches: 10, shared: 3, commands: 21 },
      claim: { batches: 4, shared: 0, commands: 4 },
    });
  });
});
