import { describe, expect, it } from "vitest";
import type { AttemptHistory } from "../../db/repositories/attempts-repo.ts";
import { buildTimeline } from "../../processors/ops/console/build-timeline.ts";
import { escapeHtml, href, html } from "../../processors/ops/console/html.ts";
import { freeText, paymentMethod } from "../../processors/ops/console/layout.ts";
import { parseSearch } from "../../processors/ops/console/pages/payments.ts";
import { SessionCodec } from "../../processors/ops/console/session.ts";
import { newDomainPayment } from "../helpers/factories.ts";

describe("html templates", () => {
  it("escape every interpolated value, in content and in quoted attributes", () => {
    const evil = `"><script>alert('x')</script>\``;
    const out = html`<a title="${evil}">${evil}</a>`.value;
    expect(out).not.toContain("<script>");
    expect(out).toBe(
      `<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#96;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#96;</a>`,
    );
    expect(escapeHtml("a & b")).toBe("a &amp; b");
  });

  it("keep nested templates and lists as markup, and drop null, undefined and false", () => {
    const items = ["<1>", "2"].map((i) => html`<li>${i}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe(
      "<ul><li>&lt;1&gt;</li><li>2</li></ul>0",
    );
  });

  it("build links from a fixed path and encoded parameters", () => {
    expect(href("/console/payments", { order_id: "1&status=x", psp: undefined })).toBe(
      "/console/payments?order_id=1%26status%3Dx",
    );
  });
});

describe("what an operator sees of a payment method", () => {
  it("is the brand, the last four and a masked token, never the whole token", () => {
    const p = newDomainPayment({ paymentMethodToken: "pm_card_visa_secret_4242", cardLast4: "4242" });
    expect(paymentMethod(p)).toBe("card visa pm_…4242");
    expect(paymentMethod(p)).not.toContain("secret");
    expect(paymentMethod(newDomainPayment({ paymentMethodType: null }))).toBe("none");
  });

  it("hides free text that holds a card number", () => {
    expect(freeText("declined: 4111 1111 1111 1111")).toBe("[hidden: looks like a card number]");
    expect(freeText("insufficient funds")).toBe("insufficient funds");
    expect(freeText(null)).toBe("");
  });
});

describe("console sessions", () => {
  const codec = new SessionCodec("unit-test-secret-0123456789abcdef0123", 60_000);
  const who = { keyHash: "aGFzaA", keyId: "key_1", operator: "alice" };

  it("read back what they issued until they expire", () => {
    const { cookie, session } = codec.issue(who, 1_000);
    expect(codec.read(cookie, 2_000)).toEqual(session);
    expect(codec.read(cookie, 61_000)).toBeNull();
  });

  it("refuse a changed payload, another secret's signature, and junk", () => {
    const { cookie } = codec.issue(who);
    const [payload, mac] = cookie.split(".");
    const changed = Buffer.from(
      Buffer.from(payload ?? "", "base64url")
        .toString()
        .replace("key_1", "key_2"),
    ).toString("base64url");
    expect(codec.read(`${changed}.${mac}`)).toBeNull();
    expect(new SessionCodec("another-secret-0123456789abcdef012345", 60_000).read(cookie)).toBeNull();
    for (const junk of [undefined, "", "a.b", "a.b.c", `${payload}.`]) expect(codec.read(junk)).toBeNull();
  });

  it("derive a CSRF token per session that is not the cookie's signature", () => {
    const a = codec.issue(who);
    const b = codec.issue(who);
    const token = codec.csrfToken(a.session);
    expect(codec.checkCsrf(a.session, token)).toBe(true);
    expect(codec.checkCsrf(b.session, token)).toBe(false);
    expect(codec.checkCsrf(a.session, undefined)).toBe(false);
    expect(a.cookie.split(".")[1]).not.toBe(token);
  });
});

describe("payment search parameters", () => {
  it("turn a day range into [from 00:00Z, the day after to)", () => {
    expect(parseSearch({ from: "2025-03-01", to: "2025-03-02", status: "failed", psp: "adyen" })).toEqual({
      search: {
        createdFrom: new Date("2025-03-01T00:00:00Z"),
        createdBefore: new Date("2025-03-03T00:00:00Z"),
        status: "failed",
        psp: "adyen",
      },
    });
  });

  it.each([
    [{ payment_id: "not-a-uuid" }, "UUID"],
    [{ order_id: "12a" }, "whole number"],
    [{ status: "paid" }, "status"],
    [{ psp: "paypal" }, "PSP"],
    [{ from: "03/01/2025" }, "YYYY-MM-DD"],
    [{ merchant_id: "acme" }, "mer_"],
  ])("name the first field that is wrong (%o)", (query, words) => {
    const parsed = parseSearch(query);
    expect("problem" in parsed && parsed.problem).toContain(words);
  });
});

describe("a payment's timeline", () => {
  const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, s));
  const attempt = (over: Partial<AttemptHistory>): AttemptHistory => ({
    attemptId: "att_1",
    paymentId: "p",
    commandId: "c",
    operation: "authorize",
    psp: "stripe",
    status: "succeeded",
    refundId: null,
    pspReference: "pi_1",
    amount: 1000n,
    currency: "USD",
    syncCount: 0,
    startedAt: t(1),
    giveUpAt: null,
    pspStatus: "succeeded",
    pspCode: null,
    pspMessage: null,
    httpStatus: 200,
    requests: 1,
    finishedAt: t(2),
    durationMs: 800,
    ...over,
  });

  it("orders every source by time: request, answer, outbox event, webhook, review", () => {
    const entries = buildTimeline({
      attempts: [attempt({})],
      webhooks: [
        {
          psp: "stripe",
          eventId: "evt_1",
          eventType: "payment_intent.succeeded",
          receivedAt: t(5),
          processedAt: t(6),
          outcome: "stale",
        },
      ],
      events: [
        {
          id: "e1",
          type: "authorized",
          topic: "payment.authorized.v1",
          publisher: "relay",
          occurredAt: t(2),
          publishedAt: null,
        },
      ],
      reviews: [
        {
          reviewId: "r",
          paymentId: "p",
          merchantId: "m",
          attemptId: null,
          reason: "psp_unreachable",
          detail: null,
          openedAt: t(3),
          resolvedAt: t(9),
          resolution: "mark_succeeded",
          resolvedBy: "alice (key_1)",
          note: "seen in the dashboard",
        },
      ],
    });
    expect(entries.map((e) => `${e.source}: ${e.what}`)).toEqual([
      "attempt: authorize sent to stripe for 10.00 USD",
      "psp: stripe answered: succeeded",
      "event: event authorized",
      "review: review opened: psp_unreachable",
      "webhook: stripe webhook payment_intent.succeeded",
      "review: review resolved: mark_succeeded",
    ]);
    expect(entries[1]?.detail).toBe("PSP status succeeded · HTTP 200 · 1 request(s) · 800 ms · ref pi_1");
    expect(entries[2]?.detail).toContain("not published yet");
    expect(entries[5]?.detail).toBe("by alice (key_1) · seen in the dashboard");
  });

  it("says when an attempt has no final answer yet", () => {
    const [, open] = buildTimeline({
      attempts: [
        attempt({ status: "unknown", finishedAt: null, syncCount: 4, pspStatus: null, httpStatus: 500 }),
      ],
      webhooks: [],
      events: [],
      reviews: [],
    });
    expect(open?.what).toBe("no final answer yet: unknown, checked 4 time(s)");
  });
});
