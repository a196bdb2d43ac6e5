// The call span's response and server attributes, its exception event, the spans of its
// waits, exemplar contexts and the bounds on metric labels, recorded by the real SDK.
import { type Attributes, type Context, trace } from "@opentelemetry/api";
import { MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UpstreamError } from "./errors.js";
import { createGovernor, type Governor } from "./governor.js";
import { ManualClock } from "./manual-clock.js";
import type { GovernorOptions } from "./options.js";
import { registerSecret } from "./redact.js";

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

type Point = { attributes: Record<string, unknown>; value: number | { count: number; sum: number } };

function pointsOf(metrics: ResourceMetrics, name: string, attrs: Record<string, unknown> = {}): Point[] {
  const out: Point[] = [];
  for (const scope of metrics.scopeMetrics)
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints)
        if (Object.entries(attrs).every(([k, v]) => point.attributes[k] === v)) out.push(point as Point);
    }
  return out;
}

const countOf = (m: ResourceMetrics, name: string, attrs: Record<string, unknown> = {}) =>
  pointsOf(m, name, attrs).reduce((n, p) => n + (typeof p.value === "number" ? p.value : p.value.count), 0);

// What the exemplar reservoir of an SDK would see: the trace of the context a point is
// recorded with, copied into an attribute by a view's attributes processor.
const TRACE = "test.trace_id";
const traceOf = {
  process: (incoming: Attributes, ctx?: Context): Attributes => {
    const id = ctx && trace.getSpan(ctx)?.spanContext().traceId;
    return id ? { ...incoming, [TRACE]: id } : incoming;
  },
};

const governors: Governor[] = [];
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
  vi.useRealTimers();
});

function setup(options: GovernorOptions = {}) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({
    readers: [reader],
    views: ["gen_ai.client.operation.duration", "swarmgate.throttle.wait"].map((instrumentName) => ({
      instrumentName,
      attributesProcessors: [traceOf],
    })),
  });
  const clock = new ManualClock(Date.UTC(2026, 11, 3));
  const governor = createGovernor({
    name: "attrs",
    clock,
    tracerProvider,
    meterProvider,
    breaker: false,
    upstream: false,
    ...options,
  });
  governors.push(governor);
  const spans = () => exporter.getFinishedSpans();
  const collect = async () => (await reader.collect()).resourceMetrics;
  return { governor, clock, spans, collect };
}

const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
const durationMs = (s: ReadableSpan) => ms(s.endTime) - ms(s.startTime);
const callSpan = (spans: ReadableSpan[]) => spans.find((s) => s.name !== "swarmgate.wait");

describe("call span attributes", () => {
  it("records the answer's id, model and finish reasons, the output limit and the server", async () => {
    const { governor, spans, collect } = setup();
    await governor.run(
      ({ reportResponse, reportUsage }) => {
        reportResponse({ serverAddress: "router.huggingface.co", serverPort: 443 });
        reportUsage({ inputTokens: 5, outputTokens: 7, responseModel: "from-usage" });
        reportResponse({ id: "chatcmpl-1", model: "m-served", finishReasons: ["stop", "length"] });
        return "ok";
      },
      { model: "m", maxTokens: 64 },
    );
    const span = callSpan(spans());
    expect(span?.attributes).toMatchObject({
      "gen_ai.request.model": "m",
      "gen_ai.request.max_tokens": 64,
      "gen_ai.response.id": "chatcmpl-1",
      "gen_ai.response.model": "m-served", // reportResponse wins over reportUsage
      "gen_ai.response.finish_reasons": ["stop", "length"],
      "server.address": "router.huggingface.co",
      "server.port": 443,
    });
    const m = await collect();
    const server = { "server.address": "router.huggingface.co", "server.port": 443 };
    expect(countOf(m, "gen_ai.client.operation.duration", server)).toBe(1);
    expect(countOf(m, "gen_ai.client.token.usage", { ...server, "gen_ai.token.type": "output" })).toBe(1);
    // The GenAI metrics carry the server; swarmgate's own do not.
    expect(countOf(m, "swarmgate.requests")).toBe(1);
    expect(pointsOf(m, "swarmgate.requests")[0]?.attributes["server.address"]).toBeUndefined();
  });

  it("refuses a bad response report and a bad maxTokens with a TypeError", async () => {
    const { governor } = setup();
    const report = (r: unknown) => governor.run(({ reportResponse }) => reportResponse(r as never));
    await expect(report({ finishReasons: "stop" })).rejects.toThrow(/finishReasons/);
    await expect(report({ serverPort: 70_000 })).rejects.toThrow(/serverPort/);
    await expect(report({ id: 7 })).rejects.toThrow(/response\.id/);
    await expect(
      Promise.resolve().then(() => governor.run(() => "x", { maxTokens: "many" as never })),
    ).rejects.toThrow(/info\.maxTokens/);
  });

  it("gives a 429 that outlived its retries error.type 429, a local refusal `throttled`", async () => {
    const { governor, clock, spans, collect } = setup({
      retry: { maxThrottledAttempts: 2, random: () => 0, budget: false },
    });
    const call = governor.run(() => Promise.reject(new UpstreamError("slow down", 429)), { model: "m" });
    const settled = call.catch((error: unknown) => error);
    await clock.runAll();
    expect(await settled).toMatchObject({ code: "throttled" });
    const span = callSpan(spans());
    expect(span?.attributes).toMatchObject({ "error.type": "429", "swarmgate.outcome": "rate_limited" });
    const m = await collect();
    expect(
      countOf(m, "swarmgate.requests", { "error.type": "429", "swarmgate.outcome": "rate_limited" }),
    ).toBe(1);

    // No attempt was ever answered: the window's refusal keeps the swarmgate code.
    const { governor: local, spans: localSpans } = setup({
      quotas: { inference: [{ limit: 1, windowMs: 60_000 }] },
    });
    await local.run(() => "takes the permit");
    await expect(local.run(() => "never", { totalTimeoutMs: 1_000 })).rejects.toMatchObject({
      code: "throttled",
    });
    expect(localSpans()[1]?.attributes["error.type"]).toBe("throttled");
  });

  it("records a redacted exception event; metrics bound error.type to known names", async () => {
    const token = `hf_${"abcdefghijklmnopqrstuvwxyz012345"}`;
    registerSecret(token);
    class WeirdError extends Error {
      override name = "WeirdError";
    }
    const { governor, spans, collect } = setup({ retry: false });
    await expect(governor.run(() => Promise.reject(new WeirdError(`refused ${token}`)))).rejects.toThrow();
    const span = callSpan(spans());
    const exception = span?.events.find((e) => e.name === "exception");
    expect(exception?.attributes).toMatchObject({
      "exception.type": "WeirdError",
      "exception.message": expect.stringContaining("refused"),
    });
    expect(exception?.attributes?.["exception.stacktrace"]).toContain("WeirdError");
    const exported = JSON.stringify({
      attributes: span?.attributes,
      events: span?.events,
      status: span?.status,
    });
    expect(exported).not.toContain(token.slice(3, 11));
    // The span keeps the class name; a metric label admits only known ones.
    expect(span?.attributes["error.type"]).toBe("WeirdError");
    const m = await collect();
    expect(countOf(m, "swarmgate.requests", { "error.type": "_OTHER" })).toBe(1);
    expect(countOf(m, "gen_ai.client.operation.duration", { "error.type": "_OTHER" })).toBe(1);
  });
});

describe("wait spans", () => {
  it("shows each wait for a permit and each retry's delay as a child span of the call", async () => {
    const { governor, clock, spans } = setup({
      quotas: { inference: [{ limit: 1, windowMs: 1_000 }] },
      retry: { random: () => 0.5, baseDelayMs: 200, budget: false },
    });
    await governor.run(() => "warm-up takes the permit");
    const failures = [new UpstreamError("overloaded", 503)];
    const call = governor.run(async () => {
      const failure = failures.shift();
      if (failure) throw failure;
      return "ok";
    });
    await clock.runAll();
    await call;

    const all = spans();
    const span = all.filter((s) => s.name !== "swarmgate.wait")[1];
    const waits = all.filter((s) => s.name === "swarmgate.wait");
    for (const w of waits) {
      expect(w.parentSpanContext?.spanId).toBe(span?.spanContext().spanId);
      expect(w.spanContext().traceId).toBe(span?.spanContext().traceId);
      expect(w.kind).toBe(0); // INTERNAL
    }
    // The window's wait (1 s), the retry's delay (0.5 × 200 ms), then the window again: the
    // retry's attempt came 100 ms after the first one's permit, 900 ms before the next.
    expect(waits.map((w) => w.attributes)).toEqual([
      {
        "swarmgate.wait.source": "local_window",
        "swarmgate.throttle.source": "local_window",
        "swarmgate.throttle.wait": 1,
      },
      {
        "swarmgate.wait.source": "retry",
        "http.request.resend_count": 1,
        "swarmgate.retry.reason": "overloaded",
        "swarmgate.retry.delay": 0.1,
      },
      {
        "swarmgate.wait.source": "local_window",
        "swarmgate.throttle.source": "local_window",
        "swarmgate.throttle.wait": 0.9,
      },
    ]);
    // On a ManualClock the SDK's clock hardly moves: a wait span lasts what the governor's
    // clock says it waited (start = end − wait).
    expect(waits.map((w) => Math.round(durationMs(w)))).toEqual([1000, 100, 900]);
    // The events stay as they were.
    expect(span?.events.map((e) => e.name)).toEqual([
      "swarmgate.throttle",
      "swarmgate.throttle",
      "swarmgate.retry",
      "swarmgate.throttle",
    ]);
  });

  it("gives the wait for an open breaker's probe a wait span and a throttle wait, not a second throttle", async () => {
    // opossum half-opens on the global setTimeout: the governor runs on the same fake time.
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 3) });
    const { governor, spans, collect } = setup({
      clock: undefined,
      retry: false,
      breaker: { volumeThreshold: 1, errorThresholdPercentage: 1, resetTimeoutMs: 5_000 },
    });
    await governor.run(() => Promise.reject(new UpstreamError("HTTP 500", 500))).catch(() => {});
    expect(governor.stats().breakers.inference).toBe("open");
    const call = governor.run(() => "after the probe");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await call).toBe("after the probe");

    const span = spans().filter((s) => s.name !== "swarmgate.wait")[1];
    const waits = spans().filter((s) => s.name === "swarmgate.wait");
    expect(waits.map((w) => w.attributes)).toEqual([
      {
        "swarmgate.wait.source": "breaker_open",
        "swarmgate.throttle.source": "breaker_open",
        "swarmgate.throttle.wait": 5,
      },
    ]);
    expect(waits[0]?.parentSpanContext?.spanId).toBe(span?.spanContext().spanId);
    expect(Math.round(durationMs(waits[0]!))).toBe(5_000);
    // One throttle: the refusal that made the call wait; the wait is its duration.
    expect(governor.stats().throttles.breaker_open).toBe(1);
    expect(span?.events.filter((e) => e.name === "swarmgate.throttle")).toHaveLength(1);
    const metrics = await collect();
    const source = { "swarmgate.throttle.source": "breaker_open" };
    expect(countOf(metrics, "swarmgate.throttles", source)).toBe(1);
    const [wait] = pointsOf(metrics, "swarmgate.throttle.wait", source);
    expect(wait?.value).toMatchObject({ count: 1, sum: 5 });
  });

  it("ends a retry's delay span when the call is cancelled during it", async () => {
    const { governor, clock, spans } = setup({
      retry: { random: () => 1, baseDelayMs: 10_000, budget: false },
    });
    const abort = new AbortController();
    const call = governor
      .run(() => Promise.reject(new UpstreamError("down", 503)), { signal: abort.signal })
      .catch(() => "aborted");
    await clock.advance(2_500);
    abort.abort();
    expect(await call).toBe("aborted");
    const wait = spans().find((s) => s.name === "swarmgate.wait");
    expect(wait?.attributes["swarmgate.retry.delay"]).toBe(10);
    expect(Math.round(durationMs(wait!))).toBe(2_500);
  });
});

describe("exemplars", () => {
  it("records the latency histograms with the call span's context", async () => {
    const { governor, clock, spans, collect } = setup({
      quotas: { inference: [{ limit: 1, windowMs: 1_000 }] },
    });
    await governor.run(() => "warm-up");
    const call = governor.run(() => "waits for the window");
    await clock.runAll();
    await call;
    const [first, second] = spans().filter((s) => s.name !== "swarmgate.wait");
    const m = await collect();
    const ids = pointsOf(m, "gen_ai.client.operation.duration").map((p) => p.attributes[TRACE]);
    expect(ids.sort()).toEqual([first?.spanContext().traceId, second?.spanContext().traceId].sort());
    expect(pointsOf(m, "swarmgate.throttle.wait").map((p) => p.attributes[TRACE])).toEqual([
      second?.spanContext().traceId,
    ]);
  });

  it("records http.client.request.duration with the attempt span's context", async () => {
    const SPAN_ID = "test.span_id";
    const reader = new TestReader();
    const meterProvider = new MeterProvider({
      readers: [reader],
      views: [
        {
          instrumentName: "http.client.request.duration",
          attributesProcessors: [
            {
              process: (incoming: Attributes, ctx?: Context): Attributes => ({
                ...incoming,
                [SPAN_ID]: ctx && trace.getSpan(ctx)?.spanContext().spanId,
              }),
            },
          ],
        },
      ],
    });
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const g = createGovernor({
      name: "http",
      meterProvider,
      tracerProvider,
      breaker: false,
      upstream: false,
    });
    governors.push(g);
    await g.run(({ attempt }) => {
      g.telemetry.startHttpAttempt({ method: "POST", url: "https://router.huggingface.co/v1", attempt }).end({
        status: 200,
      });
    });
    const attempt = exporter.getFinishedSpans().find((s) => s.name === "POST");
    const m = (await reader.collect()).resourceMetrics;
    expect(pointsOf(m, "http.client.request.duration").map((p) => p.attributes[SPAN_ID])).toEqual([
      attempt?.spanContext().spanId,
    ]);
  });

  it("passes no context when the span does not record (nothing is built)", async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({
      readers: [reader],
      views: [{ instrumentName: "gen_ai.client.operation.duration", attributesProcessors: [traceOf] }],
    });
    const g = createGovernor({ name: "unsampled", meterProvider, breaker: false, upstream: false });
    governors.push(g);
    await g.run(() => "ok");
    const m = (await reader.collect()).resourceMetrics;
    expect(pointsOf(m, "gen_ai.client.operation.duration").map((p) => p.attributes[TRACE])).toEqual([
      undefined,
    ]);
  });
});

describe("telemetry never throws into the call", () => {
  it("survives wait spans, exception events, response attributes and exemplar records that throw", async () => {
    const real = new BasicTracerProvider();
    const boom = () => {
      throw new Error("telemetry failed");
    };
    const tracer = real.getTracer("t");
    const tracerProvider = {
      getTracer: () => ({
        startActiveSpan: tracer.startActiveSpan.bind(tracer),
        startSpan: (name: string, options?: object, ctx?: Context) => {
          if (name === "swarmgate.wait") boom();
          const span = tracer.startSpan(name, options, ctx);
          return Object.assign(span, { recordException: boom, setAttributes: boom });
        },
      }),
    };
    const meter = new MeterProvider().getMeter("m");
    const meterProvider = {
      getMeter: () =>
        new Proxy(meter, {
          get: (target, key) =>
            key === "createHistogram"
              ? (...args: Parameters<typeof meter.createHistogram>) => {
                  const h = target.createHistogram(...args);
                  return {
                    record: (v: number, a?: Attributes, c?: Context) => (c ? boom() : h.record(v, a)),
                  };
                }
              : Reflect.get(target, key).bind(target),
        }),
    };
    const clock = new ManualClock(0);
    const governor = createGovernor({
      name: "throwing",
      clock,
      tracerProvider: tracerProvider as never,
      meterProvider: meterProvider as never,
      quotas: { inference: [{ limit: 1, windowMs: 1_000 }] },
      retry: { random: () => 0.5, budget: false },
      breaker: false,
      upstream: false,
    });
    governors.push(governor);
    await governor.run(() => "warm-up");
    const failures = [new UpstreamError("overloaded", 503)];
    const ok = governor.run(async ({ reportResponse }) => {
      reportResponse({ id: "r", serverAddress: "h", serverPort: 1 });
      const failure = failures.shift();
      if (failure) throw failure;
      return "ok";
    });
    const failed = governor
      .run(() => Promise.reject(new Error("the call's own error")), { model: "m" })
      .catch((e: Error) => e.message);
    await clock.runAll();
    expect(await ok).toBe("ok");
    expect(await failed).toBe("the call's own error");
  });
});

describe("bounded metric labels", () => {
  it("labels metrics with the first maxMetricModels models, the rest _OTHER; spans keep the truth", async () => {
    const { governor, spans, collect } = setup({ telemetry: { maxMetricModels: 2 } });
    for (const model of ["a", "b", "c", "a"]) await governor.run(() => "ok", { model });
    const m = await collect();
    const byModel = (model: string) => countOf(m, "swarmgate.requests", { "gen_ai.request.model": model });
    expect([byModel("a"), byModel("b"), byModel("c"), byModel("_OTHER")]).toEqual([2, 1, 0, 1]);
    expect(spans().map((s) => s.attributes["gen_ai.request.model"])).toEqual(["a", "b", "c", "a"]);
    expect(spans().map((s) => s.name)).toEqual(["chat a", "chat b", "chat c", "chat a"]);
  });

  it("admits only the models of metricModels", async () => {
    const { governor, collect } = setup({ telemetry: { metricModels: ["kept"] } });
    for (const model of ["kept", "other-1", "other-2"]) await governor.run(() => "ok", { model });
    const m = await collect();
    expect(countOf(m, "gen_ai.client.operation.duration", { "gen_ai.request.model": "kept" })).toBe(1);
    expect(countOf(m, "gen_ai.client.operation.duration", { "gen_ai.request.model": "_OTHER" })).toBe(2);
  });

  it("labels the GenAI metrics with 16 distinct servers at most", async () => {
    const { governor, spans, collect } = setup();
    for (let i = 0; i < 18; i++)
      await governor.run(({ reportResponse }) =>
        reportResponse({ serverAddress: `h${i}`, serverPort: 8000 + i }),
      );
    const m = await collect();
    const points = pointsOf(m, "gen_ai.client.operation.duration");
    expect(points.filter((p) => p.attributes["server.address"] !== "_OTHER")).toHaveLength(16);
    // (One point per call: the test's view adds each call's trace id.)
    const other = points.filter((p) => p.attributes["server.address"] === "_OTHER");
    expect(other.map((p) => p.attributes["server.port"])).toEqual([undefined, undefined]);
    expect(spans()[17]?.attributes).toMatchObject({ "server.address": "h17", "server.port": 8017 });
  });

  it("validates the options", () => {
    const make = (telemetry: unknown) => () => createGovernor({ telemetry: telemetry as never });
    expect(make({ maxMetricModels: -1 })).toThrow(/telemetry\.maxMetricModels/);
    expect(make({ maxMetricModels: 1.5 })).toThrow(TypeError);
    expect(make({ metricModels: "m" })).toThrow(/telemetry\.metricModels/);
    expect(make({ metricModels: [1] })).toThrow(TypeError);
    expect(make({ maxMetricModel: 3 })).toThrow(/maxMetricModels/);
  });
});
