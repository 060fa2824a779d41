import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { api, opsUrl } from "../helpers/api.ts";
import { exportedNames, metricNamesIn } from "../helpers/promql.ts";

// The shared test service's processor ops listener (global-setup: PAYMENTS_TEST_PROCESSOR_PORT).
const processorOpsUrl = `http://127.0.0.1:${process.env.PAYMENTS_TEST_PROCESSOR_PORT ?? "19464"}`;

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}

const rules: Rule[] = (
  parse(readFileSync("deploy/prometheus/alerts.yml", "utf8")) as { groups: Array<{ rules: Rule[] }> }
).groups.flatMap((g) => g.rules);

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}
const dashboard = JSON.parse(readFileSync("deploy/grafana/payments-dashboard.json", "utf8")) as {
  panels: Panel[];
  templating: { list: Array<{ name: string; query?: string | { query?: string } }> };
};

/** What each place queries: "where" → metric names. */
function queried(): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  for (const rule of rules) uses.set(`rule ${rule.alert ?? rule.record}`, metricNamesIn(rule.expr));
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  for (const panel of panels)
    for (const [i, target] of (panel.targets ?? []).entries())
      if (target.expr) uses.set(`panel "${panel.title}" target ${i}`, metricNamesIn(target.expr));
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === "string" ? variable.query : variable.query?.query;
    const metric = query ? /label_values\(\s*([a-zA-Z_:][\w:]*)\s*,/.exec(query)?.[1] : undefined;
    if (metric) uses.set(`variable $${variable.name}`, [metric]);
  }
  // The processors' HPA scales on an external metric of the same name (deploy/prometheus/prometheus-adapter.yaml).
  for (const doc of parseAllDocuments(readFileSync("deploy/k8s/base/autoscaling.yaml", "utf8"))) {
    const hpa = doc.toJS() as { metadata: { name: string }; spec: { metrics: any[] } };
    for (const metric of hpa.spec.metrics)
      if (metric.type === "External") uses.set(`HPA ${hpa.metadata.name}`, [metric.external.metric.name]);
  }
  return uses;
}

describe("dashboards and alert rules", () => {
  it("query only metrics that the ingress and processors export on /metrics", async () => {
    const pages = await Promise.all(
      [opsUrl(), processorOpsUrl].map(async (base) => {
        const res = await api.get("/metrics", { baseUrl: base });
        expect(res.status).toBe(200);
        return String(res.body);
      }),
    );
    const exported = new Set(pages.flatMap((page) => [...exportedNames(page)]));
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    const uses = queried();
    // The check itself can fail: every alert and panel was read, and each names a metric.
    expect(rules.filter((r) => r.alert)).toHaveLength(7);
    expect([...uses.keys()].filter((k) => k.startsWith("panel")).length).toBeGreaterThanOrEqual(18);
    for (const [where, names] of uses) expect(names.length, where).toBeGreaterThan(0);

    const missing = [...uses].flatMap(([where, names]) =>
      names.filter((n) => !exported.has(n) && !recorded.has(n)).map((n) => `${where}: ${n}`),
    );
    expect(missing).toEqual([]);
  });
});
