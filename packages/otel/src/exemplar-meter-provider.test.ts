import { DiagLogLevel, diag, ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from "@opentelemetry/api";
import { metrics } from "@opentelemetry/sdk-node";
import { afterEach, describe, expect, it } from "vitest";
import { meterProviderWithExemplars } from "./exemplar-meter-provider.js";
import { ExemplarStore } from "./exemplar-store.js";

class TestReader extends metrics.MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const T = "0af7651916cd43dd8448eb211c80319c";
const inSpan = (spanId: string, traceFlags: number, traceId = T) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags } satisfies SpanContext);

function setup(filter: "always_on" | "trace_based", boundaries?: readonly number[]) {
  const reader = new TestReader();
  const sdk = new metrics.MeterProvider({ readers: [reader] });
  const store = new ExemplarStore({ now: () => 42 });
  const provider = meterProviderWithExemplars(sdk, store, filter, (name) =>
    name === "viewed" ? [10] : undefined,
  );
  const histogram = provider.getMeter("m", "1.0").createHistogram("h", {
    ...(boundaries ? { advice: { explicitBucketBoundaries: [...boundaries] } } : {}),
  });
  const exemplars = () => [...store.snapshot().values()].flat();
  return { provider, histogram, store, exemplars, reader };
}

afterEach(() => diag.disable());

describe("meterProviderWithExemplars", () => {
  it("trace_based: keeps the measurements of sampled spans only, and records every one in the SDK", async () => {
    const { histogram, exemplars, reader } = setup("trace_based", [1, 2]);
    histogram.record(0.5, { a: "x" }, inSpan("e000000000000001", TraceFlags.SAMPLED));
    histogram.record(1.5, { a: "x" }, inSpan("e000000000000002", TraceFlags.NONE));
    histogram.record(1.7, { a: "x" });
    histogram.record(3, { a: "x" }, ROOT_CONTEXT);
    expect(exemplars()).toEqual([{ value: 0.5, traceId: T, spanId: "e000000000000001", timeMs: 42 }]);
    const { resourceMetrics } = await reader.collect();
    const point = resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.value as { count: number };
    expect(point.count).toBe(4);
  });

  it("always_on: keeps every measurement, with ids when its span context is valid", () => {
    const { histogram, exemplars } = setup("always_on", [1, 2]);
    histogram.record(0.5, {}, inSpan("e000000000000003", TraceFlags.NONE));
    histogram.record(1.5, {}, inSpan("0000000000000000", TraceFlags.NONE, "0".repeat(32)));
    histogram.record(2.5);
    expect(exemplars()).toEqual([
      { value: 0.5, traceId: T, spanId: "e000000000000003", timeMs: 42 },
      { value: 1.5, traceId: undefined, spanId: undefined, timeMs: 42 },
      { value: 2.5, traceId: undefined, spanId: undefined, timeMs: 42 },
    ]);
  });

  it("buckets as a view says, else as the advice, else as the SDK's default", () => {
    const { provider, store } = setup("trace_based");
    const sampled = inSpan("e000000000000004", TraceFlags.SAMPLED);
    const meter = provider.getMeter("m");
    meter.createHistogram("viewed", { advice: { explicitBucketBoundaries: [1] } }).record(5, {}, sampled);
    meter.createHistogram("viewed").record(7, {}, sampled); // the same bucket of the view: replaces 5
    meter.createHistogram("advised", { advice: { explicitBucketBoundaries: [1] } }).record(0.5, {}, sampled);
    meter.createHistogram("advised", { advice: { explicitBucketBoundaries: [1] } }).record(7, {}, sampled);
    meter.createHistogram("default").record(3, {}, sampled);
    meter.createHistogram("default").record(4, {}, sampled); // the SDK's (0, 5] bucket
    expect([...store.snapshot().values()].map((list) => list.map((e) => e.value))).toEqual([
      [7],
      [0.5, 7],
      [4],
    ]);
  });

  it("never throws into the record, and says so once", () => {
    const warnings: string[] = [];
    const noop = () => {};
    diag.setLogger(
      { error: noop, warn: (m: string) => warnings.push(m), info: noop, debug: noop, verbose: noop },
      DiagLogLevel.WARN,
    );
    class BrokenStore extends ExemplarStore {
      override histogram(): ReturnType<ExemplarStore["histogram"]> {
        return {
          offer: () => {
            throw new Error("a broken store");
          },
        } as unknown as ReturnType<ExemplarStore["histogram"]>;
      }
    }
    const reader = new TestReader();
    const sdk = new metrics.MeterProvider({ readers: [reader] });
    const histogram = meterProviderWithExemplars(sdk, new BrokenStore(), "trace_based")
      .getMeter("m")
      .createHistogram("h");
    const sampled = inSpan("e000000000000005", TraceFlags.SAMPLED);
    expect(() => histogram.record(1, {}, sampled)).not.toThrow();
    histogram.record(2, {}, sampled);
    expect(warnings).toEqual(["swarmgate exemplars: a measurement could not be offered"]);
  });

  it("passes everything else through to the provider and its meters", async () => {
    const { provider, reader } = setup("trace_based");
    provider.getMeter("m").createCounter("c").add(2);
    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name))).toEqual([
      "c",
    ]);
    await (provider as metrics.MeterProvider).shutdown();
  });
});
