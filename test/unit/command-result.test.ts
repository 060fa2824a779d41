import { describe, expect, it } from "vitest";
import { type CommandResult, commandResult, isRefusedUnavailable } from "../../core/domain/command-result.ts";
import type { Currency } from "../../core/domain/currency.ts";
import { errors } from "../../core/domain/errors.ts";
import type { Refund } from "../../core/domain/payment.ts";
import { decodeResult, encodeResult } from "../../db/repositories/command-result-codec.ts";
import { presentResult } from "../../http-ingress/presentation/command-response.ts";
import { newDomainPayment } from "../helpers/factories.ts";

const payment = newDomainPayment({
  amount: 123456n,
  currency: "JPY" as Currency,
  amountCaptured: 123456n,
  amountRefundPending: 7n,
  status: "succeeded",
  paymentMethodToken: "pm_card_visa_secret",
  customerId: "cus_1",
  metadata: { order: "A-1" },
});
const refund: Refund = {
  refundId: "9a4d1c1e-5a53-4c57-8d69-2b6a0f6b8f10",
  paymentId: payment.paymentId,
  amount: 250n,
  currency: "USD" as Currency,
  reason: null,
  status: "pending",
  createdAt: new Date("2026-12-01T10:00:00.000Z"),
  processedAt: null,
};

describe("presenting a processor's result over HTTP", () => {
  it.each<[string, CommandResult, number]>([
    ["a created payment", commandResult.payment("created", payment), 201],
    ["a settled payment", commandResult.payment("settled", payment), 200],
    ["a payment the PSP has not settled yet", commandResult.payment("pending", payment), 202],
    ["a settled refund", commandResult.refund("settled", refund), 200],
    ["a pending refund", commandResult.refund("pending", refund), 202],
    ["a decline", commandResult.rejected(errors.declined("card_declined", "declined")), 402],
    ["an invalid transition", commandResult.rejected(errors.invalidState("no")), 409],
    ["an over-refund", commandResult.rejected(errors.refundExceedsCaptured()), 409],
    ["a bad field", commandResult.rejected(errors.validation("invalid_amount", "bad", "amount")), 422],
    ["an unknown payment", commandResult.rejected(errors.notFound("payment")), 404],
    ["a PSP that is down", commandResult.rejected(errors.pspUnavailable("psp_unavailable", "down")), 503],
    ["a crash", commandResult.rejected(errors.internal()), 500],
    ["a reply stored before results were typed", { kind: "legacy", httpStatus: 409, body: {} }, 409],
  ])("%s", (_, result, status) => {
    expect(presentResult(result).status).toBe(status);
  });

  it("renders money as decimal strings in the currency's exponent and never shows the token", () => {
    const { body } = presentResult(commandResult.payment("settled", payment));
    expect(body).toMatchObject({ amount: "123456", amount_captured: "123456", currency: "JPY" });
    expect(JSON.stringify(body)).not.toContain("pm_card_visa_secret");
    expect(presentResult(commandResult.refund("pending", refund)).body).toMatchObject({
      amount: "2.50",
      status: "pending",
    });
  });

  it("renders a refusal as the error body, naming the field", () => {
    expect(presentResult(commandResult.rejected(errors.refundExceedsCaptured())).body).toEqual({
      error: {
        type: "state_error",
        code: "refund_exceeds_captured",
        message: "Refund exceeds the amount left to refund",
        field: "amount",
      },
    });
  });

  it("passes a legacy reply through exactly", () => {
    const body = { error: { type: "state_error", code: "invalid_state", message: "nope" } };
    expect(presentResult({ kind: "legacy", httpStatus: 409, body })).toEqual({ status: 409, body });
  });
});

describe("storing a result", () => {
  const roundTrip = (r: CommandResult) => {
    const stored = encodeResult(r);
    return decodeResult({
      result: stored.result,
      http_status: null,
      body: JSON.parse(JSON.stringify(stored.body)),
    });
  };

  it("keeps a payment whole, bigints and dates included, but drops the payment method token", () => {
    const stored = encodeResult(commandResult.payment("pending", payment));
    expect(stored.result).toBe("payment.pending");
    expect(JSON.stringify(stored.body)).not.toContain("pm_card_visa_secret");
    expect(roundTrip(commandResult.payment("pending", payment))).toEqual({
      kind: "payment",
      disposition: "pending",
      payment: { ...payment, paymentMethodToken: null },
    });
  });

  it("keeps a refund and a refusal", () => {
    expect(roundTrip(commandResult.refund("settled", refund))).toEqual(
      commandResult.refund("settled", refund),
    );
    const back = roundTrip(commandResult.rejected(errors.captureExceedsAuthorized()));
    expect(back.kind === "rejected" && back.error).toMatchObject({
      kind: "conflict",
      code: "capture_exceeds_authorized",
      field: "amount",
    });
  });

  it("reads a row written before results were typed as a legacy reply", () => {
    expect(decodeResult({ result: null, http_status: 202, body: { status: "processing" } })).toEqual({
      kind: "legacy",
      httpStatus: 202,
      body: { status: "processing" },
    });
  });

  it("tells a retryable refusal (nothing done), typed or legacy", () => {
    expect(isRefusedUnavailable(commandResult.rejected(errors.unavailable("down")))).toBe(true);
    expect(isRefusedUnavailable(commandResult.rejected(errors.declined("card_declined", "no")))).toBe(false);
    expect(isRefusedUnavailable({ kind: "legacy", httpStatus: 503, body: null })).toBe(true);
  });
});
