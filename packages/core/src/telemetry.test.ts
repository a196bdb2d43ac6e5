import { MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { UpstreamError } from "./errors.js";
import { createGovernor, type Governor } from "./governor.js";
import { ManualClock } from "./manual-clock.js";

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function sumOf(metrics: ResourceMetrics, name: string, attrs: Record<string, unknown> = {}): number {
  let total = 0;
  for (const scope of metrics.scopeMetrics)
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        if (!Object.entries(attrs).every(([k, v]) => point.attributes[k] === v)) continue;
        const value = point.value as number | { count: number };
        total += typeof value === "number" ? value : value.count;
      }
    }
  return total;
}

const governors: Governor[] = [];
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
});

describe("telemetry", () => {
  it("emits one CLIENT span per call with retries and throttles as events, and the metrics", async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const clock = new ManualClock(Date.UTC(2026, 10, 22));
    const governor = createGovernor({
      name: "otel",
      clock,
      tracerProvider,
      meterProvider,
      quotas: { inference: [{ limit: 1, windowMs: 1_000 }] },
      retry: { random: () => 0, budget: false },
      breaker: false,
    });
    governors.push(governor);
    await governor.run(async () => "warm-up takes the permit");
    const failures = [new UpstreamError("overloaded", 503), new UpstreamError("slow down", 429)];
    const call = governor.run(
      async ({ reportUsage }) => {
        const failure = failures.shift();
        if (failure) throw failure;
        reportUsage({ inputTokens: 12, outputTokens: 34, responseModel: "m-2024" });
        return "ok";
      },
      {
        operation: "chat",
        model: "meta-llama/Llama-3.1-8B-Instruct",
        attributes: { "swarmgate.agent.id": "agent-7" },
      },
    );
    await clock.runAll();
    await call;

    const span = exporter.getFinishedSpans().find((s) => s.name === "chat meta-llama/Llama-3.1-8B-Instruct");
    expect(span).toBeDefined();
    expect(span?.kind).toBe(2); // CLIENT
    expect(span?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "huggingface",
      "gen_ai.request.model": "meta-llama/Llama-3.1-8B-Instruct",
      "gen_ai.response.model": "m-2024",
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 34,
      "swarmgate.attempts": 3,
      "swarmgate.outcome": "success",
      "swarmgate.agent.id": "agent-7",
    });
    // Every attempt takes its own permit, so each one waits for the 1-per-second window.
    expect(span?.events.map((e) => `${e.name}:${e.attributes?.source ?? e.attributes?.reason}`)).toEqual([
      "swarmgate.throttle:local_window",
      "swarmgate.throttle:server_503",
      "swarmgate.retry:overloaded",
      "swarmgate.throttle:local_window",
      "swarmgate.throttle:server_429",
      "swarmgate.retry:rate_limited",
      "swarmgate.throttle:local_window",
    ]);

    const { resourceMetrics } = await reader.collect();
    expect(sumOf(resourceMetrics, "swarmgate.requests", { "swarmgate.outcome": "success" })).toBe(2);
    expect(sumOf(resourceMetrics, "swarmgate.retries")).toBe(2);
    expect(
      sumOf(resourceMetrics, "swarmgate.throttles", { "swarmgate.throttle.source": "local_window" }),
    ).toBe(3);
    expect(sumOf(resourceMetrics, "gen_ai.client.operation.duration")).toBe(2);
    // Agent ids stay on spans: no metric carries them.
    const serialized = JSON.stringify(resourceMetrics.scopeMetrics);
    expect(serialized).not.toContain("agent-7");
  });
});
