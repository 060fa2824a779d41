import { describe, expect, it } from "vitest";
import { exportedNames, metricNamesIn } from "../helpers/promql.ts";

describe("metricNamesIn", () => {
  it("finds the metrics, not the functions, labels, strings, numbers or variables around them", () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, psp) (rate(payment_attempt_duration_seconds_bucket{namespace=~"$namespace",psp!="x{y}"}[$__rate_interval])))',
      ),
    ).toEqual(["payment_attempt_duration_seconds_bucket"]);
    expect(
      metricNamesIn(
        'sum by (psp) (rate(a_total{outcome!~"authorized|requires_action"}[10m])) / sum by (psp) (rate(a_total[10m])) > 0.25 and on (psp) b_total offset 5m > 1e-3',
      ),
    ).toEqual(["a_total", "b_total"]);
    expect(
      metricNamesIn("max by (group, topic, partition) (lag) > bool 1000 unless ignoring(pod) other"),
    ).toEqual(["lag", "other"]);
    expect(metricNamesIn("psp:payment_authorization_failure_ratio:rate10m > 0.25")).toEqual([
      "psp:payment_authorization_failure_ratio:rate10m",
    ]);
  });
});

describe("exportedNames", () => {
  it("adds the series names of histograms and summaries", () => {
    const names = exportedNames(
      '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 0\n# TYPE c counter\nc 1\n# TYPE s summary\n',
    );
    expect([...names].sort()).toEqual(["c", "h", "h_bucket", "h_count", "h_sum", "s", "s_count", "s_sum"]);
  });
});
