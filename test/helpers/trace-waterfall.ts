/** A span as Jaeger's query API (/api/traces/{id}) returns it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  startTime: number;
  duration: number;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  tags: Array<{ key: string; value: unknown }>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A waterfall of one trace as a static HTML page, for the README's screenshot: the Jaeger binary built
 * from the Go module proxy has no UI assets (they are built from jaeger-ui, which is not published there).
 */
export function traceWaterfallHtml(spans: JaegerSpan[], title: string): string {
  const parent = (s: JaegerSpan) => s.references.find((r) => r.refType === "CHILD_OF")?.spanID;
  const ids = new Set(spans.map((s) => s.spanID));
  const children = new Map<string, JaegerSpan[]>();
  for (const s of spans) {
    const p = parent(s);
    const key = p && ids.has(p) ? p : "root";
    children.set(key, [...(children.get(key) ?? []), s]);
  }
  const start = Math.min(...spans.map((s) => s.startTime));
  const end = Math.max(...spans.map((s) => s.startTime + s.duration));
  const rows: string[] = [];
  const walk = (key: string, depth: number) => {
    for (const s of (children.get(key) ?? []).sort((a, b) => a.startTime - b.startTime)) {
      const left = ((s.startTime - start) / (end - start)) * 100;
      const width = Math.max((s.duration / (end - start)) * 100, 0.3);
      const kind = String(s.tags.find((t) => t.key === "span.kind")?.value ?? "internal");
      rows.push(
        `<tr><td style="padding-left:${depth * 14}px">${escapeHtml(s.operationName)} <small>${kind}</small></td>` +
          `<td class="bar"><span class="${kind}" style="margin-left:${left}%;width:${width}%"></span></td>` +
          `<td>${(s.duration / 1000).toFixed(1)} ms</td></tr>`,
      );
      walk(s.spanID, depth + 1);
    }
  };
  walk("root", 0);
  return `<!doctype html><meta charset="utf-8"><style>
body{font:13px system-ui;margin:16px}table{border-collapse:collapse;width:1100px}td{padding:2px 6px;white-space:nowrap}
td.bar{width:55%}td.bar span{display:block;height:12px;border-radius:2px;background:#8aa}small{color:#777}
.server{background:#4a7!important}.producer{background:#d83!important}.consumer{background:#36c!important}.client{background:#a4c!important}
</style><h3>${escapeHtml(title)}</h3><table>${rows.join("")}</table>`;
}
