import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../helpers/api.ts";
import { launchChromium, screenshot } from "../helpers/browser.ts";
import { createPayment } from "../helpers/flows.ts";
import { type PrivateService, startPrivateService } from "../helpers/private-service.ts";
import { type JaegerSpan, traceWaterfallHtml } from "../helpers/trace-waterfall.ts";
import { eventually } from "../helpers/wait.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const JAEGER = process.env.JAEGER_QUERY_URL ?? "http://127.0.0.1:16686";
const SERVICE_NAME = `payment-trace-test-${randomBytes(3).toString("hex")}`;
let svc: PrivateService;

async function jaegerUp(): Promise<boolean> {
  return fetch(`${JAEGER}/api/services`).then(
    (r) => r.ok,
    () => false,
  );
}

beforeAll(async () => {
  // `npm run test:all` starts Jaeger with the stack (STACK_JAEGER=1); a bare `npm test` brings it up here.
  if (!(await jaegerUp())) {
    await promisify(execFile)("bash", [join(ROOT, "scripts/stack/up.sh"), "jaeger"], { cwd: ROOT });
  }
  svc = await startPrivateService("tracing", {
    OTEL_TRACES_ENABLED: "true",
    OTEL_SERVICE_NAME: SERVICE_NAME,
    OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "http://127.0.0.1:4318",
    OTEL_BSP_SCHEDULE_DELAY: "200",
    LOG_LEVEL: "info",
    // Every access line at info: the test reads the confirm's.
    ACCESS_LOG_SAMPLE: "1",
  });
}, 900_000);

afterAll(async () => {
  await svc?.stop();
});

const tag = (s: JaegerSpan, key: string) => s.tags.find((t) => t.key === key)?.value;
const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === "CHILD_OF")?.spanID;

async function traceSpans(traceId: string): Promise<JaegerSpan[]> {
  const res = await fetch(`${JAEGER}/api/traces/${traceId}`);
  if (!res.ok) return [];
  const body = (await res.json()) as { data: Array<{ spans: JaegerSpan[] }> };
  return body.data.flatMap((t) => t.spans);
}

function one(spans: JaegerSpan[], what: string, match: (s: JaegerSpan) => boolean): JaegerSpan {
  const found = spans.filter(match);
  if (found.length === 0) {
    throw new Error(`no span for ${what} in: ${spans.map((s) => s.operationName).join(", ")}`);
  }
  return found[0] as JaegerSpan;
}

/** True when `ancestor` is on the path from `span` to the root. */
function descends(spans: JaegerSpan[], span: JaegerSpan, ancestor: JaegerSpan): boolean {
  const byId = new Map(spans.map((s) => [s.spanID, s]));
  for (let id = parentOf(span); id; id = byId.get(id) ? parentOf(byId.get(id) as JaegerSpan) : undefined) {
    if (id === ancestor.spanID) return true;
  }
  return false;
}

describe("one trace per confirm, in Jaeger", () => {
  it("runs HTTP → command produce → consume → fraud → PSP → commit → outbox → event produce, and the webhook links to it", async () => {
    const opts = { baseUrl: svc.baseUrl };
    const created = await createPayment({ psp: "stripe", capture_method: "automatic" }, opts);
    const paymentId = created.body.payment_id as string;
    const traceId = randomBytes(16).toString("hex");
    const callerSpan = randomBytes(8).toString("hex");
    const confirmed = await api.post(
      `/payments/${paymentId}/confirm`,
      {},
      {
        ...opts,
        headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
      },
    );
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.status).toBe("succeeded");

    const isEventPublish = (s: JaegerSpan) =>
      tag(s, "span.kind") === "producer" &&
      /^payment\.(authorized|captured)\.v1 publish$/.test(s.operationName);
    const spans = await eventually(
      "the confirm's trace with its published events in Jaeger",
      async () => {
        const found = await traceSpans(traceId);
        return found.filter(isEventPublish).length >= 2 ? found : undefined;
      },
      60_000,
      500,
    );

    const server = one(spans, "the HTTP server span", (s) => tag(s, "span.kind") === "server");
    expect(parentOf(server), "a child of the caller's span").toBe(callerSpan);
    expect(String(tag(server, "http.route") ?? server.operationName)).toContain("confirm");
    const produce = one(
      spans,
      "the command produce",
      (s) => tag(s, "span.kind") === "producer" && tag(s, "payment.command") === "confirm",
    );
    expect(descends(spans, produce, server)).toBe(true);
    const consume = one(
      spans,
      "the processor's consume",
      (s) => tag(s, "span.kind") === "consumer" && tag(s, "payment.command") === "confirm",
    );
    expect(parentOf(consume)).toBe(produce.spanID);
    const fraud = one(spans, "the fraud call", (s) => s.operationName === "fraud.evaluate");
    expect(descends(spans, fraud, consume)).toBe(true);
    const psp = one(spans, "the PSP call", (s) => s.operationName === "psp.stripe.authorize");
    expect(descends(spans, psp, consume)).toBe(true);
    for (const call of [fraud, psp]) {
      const http = one(
        spans,
        `the HTTP request of ${call.operationName}`,
        (s) => parentOf(s) === call.spanID && tag(s, "span.kind") === "client",
      );
      expect(tag(http, "http.request.method")).toBe("POST");
    }
    const commit = one(
      spans,
      "a PostgreSQL COMMIT after the PSP answered",
      (s) =>
        String(tag(s, "db.statement") ?? tag(s, "db.query.text") ?? "").startsWith("COMMIT") &&
        descends(spans, s, consume),
    );
    expect(tag(commit, "db.system") ?? tag(commit, "db.system.name")).toBe("postgresql");
    for (const event of spans.filter(isEventPublish)) {
      expect(descends(spans, event, consume), `${event.operationName} continues the confirm's trace`).toBe(
        true,
      );
    }

    if (process.env.UPDATE_SCREENSHOTS === "1") {
      const browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1150, height: 400 } });
      await page.setContent(
        traceWaterfallHtml(spans, `Trace ${traceId}: POST /payments/{id}/confirm (from Jaeger's query API)`),
      );
      await screenshot(page, "trace-confirm");
      await browser.close();
    }

    // The PSP's webhook arrives in a trace of its own (the ingress logs its trace_id), linked to the confirm's.
    const serviceLog = join(ROOT, ".stack", "logs", `${svc.env.DATABASE_URL?.split("/").pop()}-service.log`);
    const webhookTraces = () =>
      readFileSync(serviceLog, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("{") && l.includes(paymentId) && l.includes('"event_type"'))
        .map((l) => JSON.parse(l).trace_id as string)
        .filter((id) => id && id !== traceId);
    const webhook = await eventually(
      "the webhook's processing span, linked to the confirm",
      async () => {
        for (const id of new Set(webhookTraces())) {
          const consumer = (await traceSpans(id)).find(
            (s) => tag(s, "span.kind") === "consumer" && s.operationName.includes("webhooks"),
          );
          if (consumer) return consumer;
        }
        return undefined;
      },
      90_000,
      500,
    );
    expect(tag(webhook, "payment.id")).toBe(paymentId);
    expect(webhook.references).toContainEqual(
      expect.objectContaining({ refType: "FOLLOWS_FROM", traceID: traceId }),
    );

    // And the logs name the trace: every line the service wrote about the confirm carries its id.
    const log = readFileSync(
      join(ROOT, ".stack", "logs", `${svc.env.DATABASE_URL?.split("/").pop()}-service.log`),
      "utf8",
    );
    const lines = log.split("\n").filter((l) => l.includes(traceId));
    expect(lines.length).toBeGreaterThan(0);
    const confirmLines = log
      .split("\n")
      .filter((l) => l.startsWith("{") && l.includes(paymentId) && l.includes('"command":"confirm"'));
    for (const line of confirmLines) expect(JSON.parse(line).trace_id).toBe(traceId);
  }, 200_000);
});
