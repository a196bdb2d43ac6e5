import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { type Context, propagation, type TextMapPropagator, trace } from "@opentelemetry/api";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createGovernor, type Governor } from "./governor.js";
import type { TelemetryOptions } from "./telemetry-options.js";

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

// Writes the span id of the context it injects, so a test sees which span went out.
const spanIdPropagator: TextMapPropagator = {
  inject(ctx: Context, carrier, setter) {
    const span = trace.getSpanContext(ctx);
    if (span) setter.set(carrier, "x-span-id", span.spanId);
  },
  extract: (ctx) => ctx,
  fields: () => ["x-span-id"],
};
propagation.setGlobalPropagator(spanIdPropagator);
afterAll(() => propagation.disable());

const governors: Governor[] = [];
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
});

function setup(telemetry: TelemetryOptions = {}) {
  const exporter = new InMemorySpanExporter();
  const reader = new TestReader();
  const governor = createGovernor({
    name: "http",
    tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    meterProvider: new MeterProvider({ readers: [reader] }),
    telemetry,
  });
  governors.push(governor);
  const durations = async () => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === "http.client.request.duration")
      .flatMap((m) => m.dataPoints as { value: unknown }[])
      .reduce((n, p) => n + (p.value as { count: number }).count, 0);
  };
  return { governor, spans: () => exporter.getFinishedSpans(), durations };
}

const info = { method: "POST", url: "http://127.0.0.1:9/v1/chat/completions", attempt: 1 };
const UNDICI_CREATE = "undici:request:create";
const listener = () => {};

describe("who makes the HTTP attempt span (telemetry.httpSpans)", () => {
  it("auto: swarmgate, until something subscribes to undici's request channel, then the instrumentation", async () => {
    const { governor, spans, durations } = setup();
    const own = governor.telemetry.startHttpAttempt(info);
    expect(own.instrumented).toBe(false);
    const headers: Record<string, string> = {};
    own.inject(headers);
    own.end({ status: 200 });
    expect(headers).toEqual({ "x-span-id": spans()[0]?.spanContext().spanId });

    subscribe(UNDICI_CREATE, listener);
    try {
      const deferred = governor.telemetry.startHttpAttempt(info);
      expect(deferred.instrumented).toBe(true);
      const untouched: Record<string, string> = {};
      deferred.inject(untouched);
      expect(deferred.run(() => 7)).toBe(7);
      deferred.end({ status: 200 });
      expect(untouched).toEqual({});
      expect(deferred.span.isRecording()).toBe(false);
    } finally {
      unsubscribe(UNDICI_CREATE, listener);
    }
    governor.telemetry.startHttpAttempt(info).end({ status: 200 });
    expect(spans()).toHaveLength(2);
    expect(await durations()).toBe(2); // the two swarmgate attempts, not the instrumentation's
  });

  it('"swarmgate" and "instrumentation" force the choice', () => {
    subscribe(UNDICI_CREATE, listener);
    try {
      expect(setup({ httpSpans: "swarmgate" }).governor.telemetry.startHttpAttempt(info).instrumented).toBe(
        false,
      );
    } finally {
      unsubscribe(UNDICI_CREATE, listener);
    }
    const forced = setup({ httpSpans: "instrumentation" });
    const attempt = forced.governor.telemetry.startHttpAttempt(info);
    attempt.end({ status: 200 });
    expect(attempt.instrumented).toBe(true);
    expect(forced.spans()).toEqual([]);
  });

  it("is validated at construction", () => {
    expect(() => createGovernor({ telemetry: { httpSpans: "own" as "swarmgate" } })).toThrow(
      new TypeError(
        'Expected `telemetry.httpSpans` to be one of "auto", "swarmgate", "instrumentation", got `"own"` (string)',
      ),
    );
  });
});

describe("an HTTP attempt's run and inject", () => {
  it("run returns and throws what the transport call does", async () => {
    const attempt = setup().governor.telemetry.startHttpAttempt(info);
    expect(attempt.run(() => "answer")).toBe("answer");
    await expect(attempt.run(() => Promise.reject(new Error("fetch failed")))).rejects.toThrow(
      "fetch failed",
    );
  });

  it("a propagator that throws costs the headers, never the call", () => {
    propagation.disable();
    propagation.setGlobalPropagator({
      ...spanIdPropagator,
      inject() {
        throw new Error("broken propagator");
      },
    });
    try {
      const attempt = setup().governor.telemetry.startHttpAttempt(info);
      const headers: Record<string, string> = {};
      expect(() => attempt.inject(headers)).not.toThrow();
      expect(headers).toEqual({});
    } finally {
      propagation.disable();
      propagation.setGlobalPropagator(spanIdPropagator);
    }
  });

  it("writes nothing without an SDK and no incoming trace", () => {
    const governor = createGovernor({ name: "plain" });
    governors.push(governor);
    const attempt = governor.telemetry.startHttpAttempt(info);
    const headers: Record<string, string> = {};
    attempt.inject(headers);
    expect(headers).toEqual({});
    expect(attempt.run(() => 1)).toBe(1);
  });
});
