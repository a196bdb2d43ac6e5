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
import { METRICS, semconvModeFromEnv } from "./semconv.js";

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

type Point = { attributes: Record<string, unknown>; value: unknown };

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

/** Counters and gauges: the value; histograms: the count. */
function sumOf(metrics: ResourceMetrics, name: string, attrs: Record<string, unknown> = {}): number {
  let total = 0;
  for (const point of pointsOf(metrics, name, attrs)) {
    const value = point.value as number | { count: number };
    total += typeof value === "number" ? value : value.count;
  }
  return total;
}

/** Histograms: the sum of the recorded values. */
function histogramSum(metrics: ResourceMetrics, name: string, attrs: Record<string, unknown> = {}): number {
  return pointsOf(metrics, name, attrs).reduce((n, p) => n + (p.value as { sum: number }).sum, 0);
}

const governors: Governor[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const g of governors.splice(0)) await g.close();
});

function setup(options: GovernorOptions = {}) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const governor = createGovernor({ name: "otel", tracerProvider, meterProvider, ...options });
  governors.push(governor);
  const spans = () => exporter.getFinishedSpans();
  const collect = async () => (await reader.collect()).resourceMetrics;
  return { governor, spans, collect };
}

const events = (span: ReadableSpan | undefined) =>
  span?.events.map((e) => ({ name: e.name, ...e.attributes })) ?? [];

describe("telemetry", () => {
  it("records a call that is throttled, retried twice and succeeds: span, events and metrics", async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 22));
    const { governor, spans, collect } = setup({
      clock,
      quotas: { inference: [{ limit: 1, windowMs: 1_000 }] },
      retry: { random: () => 0, budget: false },
      breaker: false,
      upstream: false,
      budget: { monthlyUsd: 1 },
    });
    await governor.run(async () => "warm-up takes the permit");
    const failures = [new UpstreamError("overloaded", 503), new UpstreamError("slow down", 429)];
    const call = governor.run(
      async ({ reportUsage }) => {
        const failure = failures.shift();
        if (failure) throw failure;
        reportUsage({ inputTokens: 12, outputTokens: 34, responseModel: "m-2024", costUsd: 0.002 });
        return "ok";
      },
      {
        operation: "chat",
        model: "meta-llama/Llama-3.1-8B-Instruct",
        provider: "together",
        attributes: { "gen_ai.agent.id": "agent-7", "gen_ai.conversation.id": "conv-1" },
      },
    );
    await clock.runAll();
    await call;

    const span = spans().find((s) => s.name === "chat meta-llama/Llama-3.1-8B-Instruct");
    expect(span?.kind).toBe(2); // CLIENT
    expect(span?.attributes).toEqual({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "huggingface",
      "gen_ai.request.model": "meta-llama/Llama-3.1-8B-Instruct",
      "gen_ai.response.model": "m-2024",
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 34,
      "gen_ai.agent.id": "agent-7",
      "gen_ai.conversation.id": "conv-1",
      "swarmgate.governor": "otel",
      "swarmgate.routed_provider": "together",
      "swarmgate.request_class": "inference",
      "swarmgate.attempts": 3,
      // 1 s for each of the first two attempts; the 429 gave its permit back, so the third waited none.
      "swarmgate.throttle.wait": 2,
      "swarmgate.quota.remaining": 0,
      "swarmgate.cost.usd": 0.002,
      "swarmgate.outcome": "success",
    });
    // Every attempt takes its own permit from the 1-per-second window (with `random: () => 0`
    // the backoff is 0 and the window's wait is the whole delay), but a 429 that stated
    // nothing about the window gives it back: the third attempt waited none.
    expect(events(span)).toEqual([
      {
        name: "swarmgate.throttle",
        "swarmgate.throttle.source": "local_window",
        "swarmgate.throttle.wait": 1,
      },
      { name: "swarmgate.throttle", "swarmgate.throttle.source": "server_503", "swarmgate.throttle.wait": 0 },
      {
        name: "swarmgate.retry",
        "http.request.resend_count": 1,
        "swarmgate.retry.reason": "overloaded",
        "swarmgate.retry.delay": 0,
      },
      {
        name: "swarmgate.throttle",
        "swarmgate.throttle.source": "local_window",
        "swarmgate.throttle.wait": 1,
      },
      { name: "swarmgate.throttle", "swarmgate.throttle.source": "server_429", "swarmgate.throttle.wait": 0 },
      {
        name: "swarmgate.retry",
        "http.request.resend_count": 2,
        "swarmgate.retry.reason": "rate_limited",
        "swarmgate.retry.delay": 0,
      },
    ]);

    const m = await collect();
    const model = { "gen_ai.request.model": "meta-llama/Llama-3.1-8B-Instruct" };
    expect(sumOf(m, "swarmgate.requests", { "swarmgate.outcome": "success" })).toBe(2);
    expect(sumOf(m, "swarmgate.requests", { ...model, "swarmgate.routed_provider": "together" })).toBe(1);
    expect(sumOf(m, "swarmgate.retries", { "swarmgate.retry.reason": "overloaded" })).toBe(1);
    expect(sumOf(m, "swarmgate.retries", { "swarmgate.retry.reason": "rate_limited" })).toBe(1);
    expect(sumOf(m, "swarmgate.throttles", { "swarmgate.throttle.source": "local_window" })).toBe(2);
    expect(sumOf(m, "swarmgate.throttles", { "swarmgate.throttle.source": "server_503" })).toBe(1);
    expect(sumOf(m, "swarmgate.throttles", { "swarmgate.throttle.source": "server_429" })).toBe(1);
    expect(histogramSum(m, "swarmgate.throttle.wait", model)).toBe(2);
    expect(histogramSum(m, "gen_ai.client.operation.duration", model)).toBe(2);
    expect(sumOf(m, "gen_ai.client.operation.duration")).toBe(2);
    expect(histogramSum(m, "gen_ai.client.token.usage", { "gen_ai.token.type": "input" })).toBe(12);
    expect(histogramSum(m, "gen_ai.client.token.usage", { "gen_ai.token.type": "output" })).toBe(34);
    expect(sumOf(m, "swarmgate.credits.spent", model)).toBeCloseTo(0.002);
    expect(sumOf(m, "swarmgate.credits.remaining")).toBeCloseTo(1 - 0.002 - 0.001);
    expect(sumOf(m, "swarmgate.ratelimit.limit", { "swarmgate.request_class": "inference" })).toBe(1);
    // The default ramp starts at 10; the 503 was an overload signal: AIMD cut it to 7.
    expect(sumOf(m, "swarmgate.concurrency.limit")).toBe(7);
    expect(sumOf(m, "swarmgate.concurrency.in_flight")).toBe(0);
    // Bucket boundaries come from the conventions.
    const duration = m.scopeMetrics[0]?.metrics.find(
      (x) => x.descriptor.name === "gen_ai.client.operation.duration",
    );
    const value = duration?.dataPoints[0]?.value as { buckets: { boundaries: number[] } } | undefined;
    expect(value?.buckets.boundaries).toEqual(
      METRICS.find((d) => d.name === "gen_ai.client.operation.duration")?.buckets,
    );
    // Agent and conversation ids stay on spans: no metric carries them.
    const serialized = JSON.stringify(m.scopeMetrics);
    expect(serialized).not.toContain("agent-7");
    expect(serialized).not.toContain("conv-1");
  });

  it("records a call refused by an open breaker, and the transition on the call that opened it", async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 22) });
    const { governor, spans, collect } = setup({
      retry: false,
      breaker: {
        volumeThreshold: 1,
        errorThresholdPercentage: 50,
        resetTimeoutMs: 30_000,
        waitForProbe: false,
      },
    });
    const info = { model: "m", provider: "novita" };
    await expect(governor.run(() => Promise.reject(new UpstreamError("boom", 500)), info)).rejects.toThrow(
      "boom",
    );
    await expect(governor.run(async () => "never runs", info)).rejects.toMatchObject({
      code: "circuit_open",
    });

    const [opened, refused] = spans();
    expect(opened?.status).toMatchObject({ code: 2 });
    expect(opened?.attributes).toMatchObject({
      "error.type": "500",
      "swarmgate.outcome": "error",
      "swarmgate.attempts": 1,
      "swarmgate.breaker.key": "novita",
      "swarmgate.breaker.state": "open",
    });
    expect(events(opened)).toEqual([
      {
        name: "swarmgate.breaker.state_change",
        "swarmgate.breaker.key": "novita",
        "swarmgate.breaker.previous_state": "closed",
        "swarmgate.breaker.state": "open",
      },
      {
        name: "exception",
        "exception.type": "UpstreamError",
        "exception.message": "boom",
        "exception.stacktrace": expect.stringContaining("UpstreamError: boom"),
      },
    ]);
    expect(refused?.attributes).toMatchObject({
      "error.type": "circuit_open",
      "swarmgate.outcome": "circuit_open",
      "swarmgate.attempts": 0,
      "swarmgate.breaker.state": "open",
    });
    expect(events(refused)).toEqual([
      {
        name: "swarmgate.throttle",
        "swarmgate.throttle.source": "breaker_open",
        "swarmgate.throttle.wait": 0,
      },
      {
        name: "exception",
        "exception.type": "CircuitOpenError",
        "exception.message": expect.any(String),
        "exception.stacktrace": expect.stringContaining("CircuitOpenError"),
      },
    ]);

    const m = await collect();
    expect(
      sumOf(m, "swarmgate.requests", { "swarmgate.outcome": "circuit_open", "error.type": "circuit_open" }),
    ).toBe(1);
    expect(sumOf(m, "swarmgate.throttles", { "swarmgate.throttle.source": "breaker_open" })).toBe(1);
    expect(sumOf(m, "swarmgate.breaker.state", { "swarmgate.breaker.key": "novita" })).toBe(2);

    // Half-open after the reset timeout, closed again by a successful probe.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sumOf(await collect(), "swarmgate.breaker.state", { "swarmgate.breaker.key": "novita" })).toBe(1);
    await governor.run(async () => "probe", info);
    expect(events(spans()[2])).toEqual([
      {
        name: "swarmgate.breaker.state_change",
        "swarmgate.breaker.key": "novita",
        "swarmgate.breaker.previous_state": "half-open",
        "swarmgate.breaker.state": "closed",
      },
    ]);
    expect(sumOf(await collect(), "swarmgate.breaker.state", { "swarmgate.breaker.key": "novita" })).toBe(0);
  });

  it("keeps a stream's span open until the stream ends, and records time to first chunk", async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 22));
    const { governor, spans, collect } = setup({ clock, breaker: false });
    let release: (() => void) | undefined;
    const stream = await governor.run(
      ({ holdSlot }) => {
        release = holdSlot();
        return "stream";
      },
      { operation: "chat", model: "m" },
    );
    expect(stream).toBe("stream");
    expect(spans()).toHaveLength(0); // the stream is still being read
    await clock.advance(250);
    governor.telemetry.recordTimeToFirstChunk({ model: "m" }, 0.25);
    await clock.advance(750);
    release?.();
    expect(spans()).toHaveLength(1);
    const m = await collect();
    expect(
      histogramSum(m, "gen_ai.client.operation.time_to_first_chunk", { "gen_ai.request.model": "m" }),
    ).toBe(0.25);
    expect(histogramSum(m, "gen_ai.client.operation.duration")).toBe(1);
  });

  it("labels time to first chunk with the server the adapter names, bounded as the other GenAI metrics", async () => {
    const { governor, collect } = setup();
    const server = { address: "router.huggingface.co", port: 443 };
    governor.telemetry.recordTimeToFirstChunk({ model: "m", server }, 0.5);
    governor.telemetry.recordTimeToFirstChunk({ model: "m" }, 0.25);
    const m = await collect();
    const name = "gen_ai.client.operation.time_to_first_chunk";
    expect(histogramSum(m, name, { "server.address": server.address, "server.port": 443 })).toBe(0.5);
    expect(histogramSum(m, name, { "gen_ai.request.model": "m" })).toBe(0.75);
  });

  it("emits the renamed token metrics with semconv: latest", async () => {
    const { governor, collect } = setup({ telemetry: { semconv: "latest" } });
    expect(governor.telemetry.semconv).toBe("latest");
    await governor.run(({ reportUsage }) => reportUsage({ inputTokens: 5, outputTokens: 7 }), { model: "m" });
    const m = await collect();
    expect(sumOf(m, "gen_ai.client.token.usage")).toBe(0);
    expect(histogramSum(m, "gen_ai.client.inference.operation.input_tokens")).toBe(5);
    expect(histogramSum(m, "gen_ai.client.inference.operation.output_tokens")).toBe(7);
  });

  it("reads OTEL_SEMCONV_STABILITY_OPT_IN", () => {
    expect(semconvModeFromEnv(undefined)).toBe("default");
    expect(semconvModeFromEnv("http, gen_ai_latest_experimental")).toBe("latest");
    expect(semconvModeFromEnv("http/dup")).toBe("default");
  });

  it("records HTTP attempts, and content only when the user opts in", async () => {
    const off = setup();
    const attempt = off.governor.telemetry.startHttpAttempt({
      method: "post",
      url: "https://router.huggingface.co/v1/chat/completions?token=hf_abcdefghijklmnopqrstu",
      attempt: 2,
    });
    attempt.recordContent({ input: [{ role: "user", content: "secret plans" }] });
    attempt.end({ status: 503 });
    attempt.end({ status: 200 }); // idempotent
    const span = off.spans()[0];
    expect(span?.name).toBe("POST");
    expect(span?.attributes).toEqual({
      "http.request.method": "POST",
      "http.request.resend_count": 1,
      "http.response.status_code": 503,
      "server.address": "router.huggingface.co",
      "server.port": 443,
      "url.full": "https://router.huggingface.co/v1/chat/completions",
      "error.type": "503",
    });
    const m = await off.collect();
    expect(
      sumOf(m, "http.client.request.duration", { "http.response.status_code": 503, "error.type": "503" }),
    ).toBe(1);

    const on = setup({ telemetry: { captureContent: true } });
    const a2 = on.governor.telemetry.startHttpAttempt({
      method: "POST",
      url: "http://127.0.0.1:9/x",
      attempt: 1,
    });
    a2.recordContent({ input: [{ role: "user", content: "hi hf_abcdefghijklmnopqrstu" }], output: "hello" });
    a2.end({ error: Object.assign(new Error("fetch failed"), { name: "TypeError" }) });
    expect(on.spans()[0]?.attributes).toMatchObject({
      "gen_ai.input.messages": '[{"role":"user","content":"hi [REDACTED]"}]',
      "gen_ai.output.messages": '"hello"',
      "error.type": "TypeError",
    });
  });

  it("redacts tokens in user span attributes and validates the telemetry option", async () => {
    const { governor, spans } = setup();
    await governor.run(async () => 1, { attributes: { "swarmgate.note": "key hf_abcdefghijklmnopqrstu" } });
    expect(spans()[0]?.attributes["swarmgate.note"]).toBe("key [REDACTED]");
    expect(() => createGovernor({ telemetry: { semconv: "newest" as "latest" } })).toThrow(
      'Expected `telemetry.semconv` to be one of "default", "latest", got `"newest"` (string)',
    );
  });

  it("costs nothing and never throws without an SDK", async () => {
    const governor = createGovernor({ name: "plain" });
    governors.push(governor);
    expect(await governor.run(async () => 42)).toBe(42);
    const attempt = governor.telemetry.startHttpAttempt({ method: "GET", url: "not a url", attempt: 1 });
    expect(attempt.span.isRecording()).toBe(false);
    attempt.end({ status: 200 });
    governor.telemetry.recordTimeToFirstChunk({}, Number.NaN);
  });
});
