import { ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { metrics, resources } from "@opentelemetry/sdk-node";
import { describe, expect, it } from "vitest";
import { meterProviderWithExemplars } from "./exemplar-meter-provider.js";
import { ExemplarStore } from "./exemplar-store.js";
import { acceptsOpenMetrics, toOpenMetrics } from "./openmetrics.js";

class TestReader extends metrics.MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const PROMETHEUS_ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

describe("acceptsOpenMetrics", () => {
  it("says yes to Prometheus' Accept and to OpenMetrics preferred, no to everything else", () => {
    expect(acceptsOpenMetrics(PROMETHEUS_ACCEPT)).toBe(true);
    expect(acceptsOpenMetrics("application/openmetrics-text")).toBe(true);
    expect(acceptsOpenMetrics('Application/OpenMetrics-Text; version="1.0.0"; q=0.9, text/plain;q=0.5')).toBe(
      true,
    );
    for (const accept of [
      undefined,
      "",
      "*/*",
      "text/plain;version=0.0.4",
      "application/openmetrics-text;version=0.0.1",
      "application/openmetrics-text;q=0",
      "application/openmetrics-text;q=0.4,text/plain;q=0.5",
    ])
      expect(acceptsOpenMetrics(accept), String(accept)).toBe(false);
  });
});

describe("toOpenMetrics", () => {
  it("rewrites the exporter's text format as OpenMetrics, with each bucket's latest exemplar in its range", async () => {
    const reader = new TestReader();
    const sdk = new metrics.MeterProvider({
      readers: [reader],
      resource: resources.resourceFromAttributes({ "service.name": "om" }),
    });
    let now = 1_700_000_000_000;
    const store = new ExemplarStore({ now: () => now });
    const provider = meterProviderWithExemplars(sdk, store, "trace_based");
    const meter = provider.getMeter("scope", "1.0");
    const span = (n: number) =>
      trace.setSpanContext(ROOT_CONTEXT, {
        traceId: `${n}`.padStart(32, "a"),
        spanId: `${n}`.padStart(16, "b"),
        traceFlags: TraceFlags.SAMPLED,
      });
    const duration = meter.createHistogram("op.duration", {
      description: 'Latency, "quoted" \\ and\nsplit',
      unit: "s",
      advice: { explicitBucketBoundaries: [0.1, 1] },
    });
    const model = { model: 'a "q" \\ b\nc' };
    duration.record(0.05, model, span(1));
    now += 1_000;
    duration.record(0.07, model, span(2)); // the latest of (−∞, 0.1]
    duration.record(5, model, span(3)); // +Inf
    duration.record(0.5, model); // no span: counted, no exemplar
    meter.createCounter("requests", { unit: "{request}" }).add(3, { outcome: "success" });
    meter.createUpDownCounter("in_flight").add(-1);
    // The same histogram from another scope: one family, not two.
    provider
      .getMeter("other")
      .createHistogram("op.duration", { advice: { explicitBucketBoundaries: [1] } })
      .record(2);
    const { resourceMetrics } = await reader.collect();
    const text = new PrometheusSerializer().serialize(resourceMetrics);
    expect(toOpenMetrics(text, store.snapshot())).toBe(
      [
        "# TYPE target info",
        "# HELP target Target metadata",
        'target_info{service_name="om"} 1',
        "# TYPE op_duration histogram",
        '# HELP op_duration Latency, \\"quoted\\" \\\\ and\\nsplit',
        'op_duration_count{model="a \\"q\\" \\\\ b\\nc",otel_scope_name="scope",otel_scope_version="1.0"} 4',
        'op_duration_sum{model="a \\"q\\" \\\\ b\\nc",otel_scope_name="scope",otel_scope_version="1.0"} 5.62',
        'op_duration_bucket{model="a \\"q\\" \\\\ b\\nc",otel_scope_name="scope",otel_scope_version="1.0",le="0.1"} 2 # {trace_id="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2",span_id="bbbbbbbbbbbbbbb2"} 0.07 1700000001.000',
        'op_duration_bucket{model="a \\"q\\" \\\\ b\\nc",otel_scope_name="scope",otel_scope_version="1.0",le="1"} 3',
        'op_duration_bucket{model="a \\"q\\" \\\\ b\\nc",otel_scope_name="scope",otel_scope_version="1.0",le="+Inf"} 4 # {trace_id="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3",span_id="bbbbbbbbbbbbbbb3"} 5 1700000001.000',
        'op_duration_count{otel_scope_name="other"} 1',
        'op_duration_sum{otel_scope_name="other"} 2',
        'op_duration_bucket{otel_scope_name="other",le="1"} 0',
        'op_duration_bucket{otel_scope_name="other",le="+Inf"} 1',
        "# TYPE requests counter",
        "# HELP requests description missing",
        'requests_total{outcome="success",otel_scope_name="scope",otel_scope_version="1.0"} 3',
        "# TYPE in_flight gauge",
        "# HELP in_flight description missing",
        'in_flight{otel_scope_name="scope",otel_scope_version="1.0"} -1',
        "# EOF",
        "",
      ].join("\n"),
    );
    // The exporter's own text, for comparison: UNIT lines, `_total` on the counter's family.
    expect(text).toContain("# UNIT op_duration s\n");
    expect(text).toContain("# TYPE requests_total counter\n");
  });

  it("puts no exemplar outside its bucket, writes timestamps in seconds, and drops other comments", () => {
    const exemplars = new Map([
      [
        "h",
        [
          { value: 3, traceId: "t".repeat(32), spanId: "s".repeat(16), timeMs: 5_000 },
          { value: 3, traceId: undefined, spanId: undefined, timeMs: 4_000 },
        ],
      ],
    ]);
    const text = [
      "# no registered metrics",
      "# HELP h help",
      "# TYPE h histogram",
      'h_bucket{le="1"} 0 1700000000123',
      'h_bucket{le="2"} 0 1700000000123',
      'h_bucket{le="+Inf"} 1 1700000000123',
      "h_count 1 1700000000123",
      "",
      "# TYPE c counter",
      "c 2",
      "# TYPE u untyped",
      "u 1",
    ].join("\n");
    expect(toOpenMetrics(text, exemplars)).toBe(
      [
        "# TYPE h histogram",
        "# HELP h help",
        'h_bucket{le="1"} 0 1700000000.123',
        'h_bucket{le="2"} 0 1700000000.123',
        `h_bucket{le="+Inf"} 1 1700000000.123 # {trace_id="${"t".repeat(32)}",span_id="${"s".repeat(16)}"} 3 5.000`,
        "h_count 1 1700000000.123",
        "# TYPE c counter",
        "c_total 2",
        "# TYPE u unknown",
        "u 1",
        "# EOF",
        "",
      ].join("\n"),
    );
    expect(toOpenMetrics("")).toBe("# EOF\n");
  });
});
