import { register } from "../../../../core/infra/metrics.ts";
import { type PageRoutes, render } from "../context.ts";
import { html } from "../html.ts";
import { table } from "../layout.ts";

/** The signals an operator looks at first; the full set is on /metrics for Prometheus. */
export const KEY_METRICS = [
  "payment_authorized_total",
  "payment_authorization_outcomes_total",
  "payment_failure_rate",
  "payment_attempts_unresolved",
  "payment_attempt_oldest_unresolved_seconds",
  "payment_reviews_opened_total",
  "processor_commands_total",
  "processor_dlq_total",
  "processor_in_flight_messages",
  "kafka_consumer_lag",
  "outbox_oldest_unpublished_seconds",
  "outbox_published_total",
  "psp_webhook_events_total",
  "psp_integration_errors_total",
  "reconciliation_exceptions_total",
] as const;

const REFRESH_SECONDS = 10;
/** Per-partition series are summed per topic: twelve rows of lag say less than one. */
const FOLDED_LABELS = new Set(["partition"]);

export interface MetricRow {
  name: string;
  labels: string;
  value: number;
}

/** This process's registry (what its /metrics serves), reduced to the key metrics, one row per series. */
export async function keyMetricRows(): Promise<MetricRow[]> {
  const all = await register.getMetricsAsJSON();
  const rows: MetricRow[] = [];
  for (const name of KEY_METRICS) {
    const metric = all.find((m) => m.name === name);
    if (!metric) continue;
    const series = new Map<string, number>();
    for (const v of metric.values) {
      const labels = Object.entries(v.labels)
        .filter(([k]) => !FOLDED_LABELS.has(k))
        .map(([k, l]) => `${k}=${l}`)
        .sort()
        .join(", ");
      series.set(labels, (series.get(labels) ?? 0) + v.value);
    }
    if (series.size === 0) rows.push({ name, labels: "", value: 0 });
    for (const [labels, value] of series) rows.push({ name, labels, value });
  }
  return rows;
}

const shown = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(3));

export const metricsRoutes: PageRoutes = (router, _t, op) => {
  router.get("/metrics", op, async (kctx) => {
    const rows = (await keyMetricRows()).map(
      (r) =>
        html`<tr><td class="mono">${r.name}</td><td>${r.labels}</td><td class="num">${shown(r.value)}</td></tr>`,
    );
    const body = html`<p class="hint">This processor's counters since it started, refreshed every ${REFRESH_SECONDS} s.
Every metric, for Prometheus: <a href="/metrics">/metrics</a>.</p>
${table(["Metric", "Labels", "Value"], rows, "No metric yet.")}`;
    render(kctx, { title: "Live counters", refreshSeconds: REFRESH_SECONDS }, body);
  });
};
