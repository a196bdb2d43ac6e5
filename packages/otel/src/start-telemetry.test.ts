import { trace } from "@opentelemetry/api";
import { tracing } from "@opentelemetry/sdk-node";
import { METRICS } from "@swarmgate/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RedactingSpanExporter } from "./redacting-span-exporter.js";
import { startTelemetry } from "./start-telemetry.js";
import { histogramViews } from "./views.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("startTelemetry", () => {
  it("does nothing when OTEL_SDK_DISABLED=true", async () => {
    vi.stubEnv("OTEL_SDK_DISABLED", "true");
    const telemetry = await startTelemetry({ prometheusPort: 0 });
    expect(telemetry).toMatchObject({ enabled: false, prometheusUrl: undefined, tracesUrl: undefined });
    await telemetry.shutdown();
  });

  it("honours OTEL_* variables when the options are absent, and unregisters its globals on shutdown", async () => {
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9/");
    vi.stubEnv("OTEL_METRICS_EXPORTER", "none");
    vi.stubEnv("OTEL_EXPORTER_OTLP_TIMEOUT", "200"); // nothing listens there: give up fast on shutdown
    const exporter = new tracing.InMemorySpanExporter();
    const telemetry = await startTelemetry({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
    expect(telemetry.tracesUrl).toBe("http://127.0.0.1:9/v1/traces");
    expect(telemetry.prometheusUrl).toBeUndefined();
    trace.getTracer("t").startSpan("registered").end();
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.resource.attributes["service.name"]])).toEqual([
      ["registered", "swarmgate"],
    ]);
    await telemetry.shutdown();
    expect(trace.getTracer("t").startSpan("after shutdown").isRecording()).toBe(false);
  });

  it("turns traces off with OTEL_TRACES_EXPORTER=none and validates its options", async () => {
    vi.stubEnv("OTEL_TRACES_EXPORTER", "none");
    const telemetry = await startTelemetry({ prometheusPort: false });
    expect(telemetry.tracesUrl).toBeUndefined();
    await telemetry.shutdown();
    await expect(startTelemetry({ prometheusPort: 70_000 })).rejects.toThrow(
      "Expected `prometheusPort` to be a port number (0–65535) or false, got `70000` (number)",
    );
  });
});

describe("histogramViews", () => {
  it("gives every histogram its buckets, the renamed ones included", () => {
    const views = histogramViews();
    for (const m of METRICS.filter((x) => x.instrument === "histogram"))
      expect(views.find((v) => v.instrumentName === m.name)?.aggregation).toEqual({
        type: 4, // EXPLICIT_BUCKET_HISTOGRAM
        options: { boundaries: [...(m.buckets ?? [])] },
      });
    expect(views.map((v) => v.instrumentName)).toContain("gen_ai.client.inference.operation.output_tokens");
  });
});

describe("RedactingSpanExporter", () => {
  it("redacts every string of every span it exports", async () => {
    const inner = new tracing.InMemorySpanExporter();
    const provider = new tracing.BasicTracerProvider({
      spanProcessors: [new tracing.SimpleSpanProcessor(new RedactingSpanExporter(inner))],
    });
    const span = provider.getTracer("t").startSpan("call hf_abcdefghijklmnopqrstu", {
      attributes: { note: "Bearer hf_abcdefghijklmnopqrstu", list: ["hf_abcdefghijklmnopqrstu", "ok"], n: 1 },
    });
    span.addEvent("e", { why: "token hf_abcdefghijklmnopqrstu" });
    span.setStatus({ code: 2, message: "401 for hf_abcdefghijklmnopqrstu" });
    span.end();
    const [out] = inner.getFinishedSpans();
    expect(out?.name).toBe("call [REDACTED]");
    expect(out?.attributes).toEqual({ note: "Bearer [REDACTED]", list: ["[REDACTED]", "ok"], n: 1 });
    expect(out?.events[0]?.attributes).toEqual({ why: "token [REDACTED]" });
    expect(out?.status.message).toBe("401 for [REDACTED]");
    expect(out?.spanContext().spanId).toBe(span.spanContext().spanId);
    await provider.shutdown();
  });
});
