import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { metrics, trace } from "@opentelemetry/api";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
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

describe("startTelemetry's Prometheus endpoint", () => {
  it("binds a free port for prometheusPort: 0 and reports it; two at once get two ports, each serving its own metrics", async () => {
    const [a, b] = await Promise.all(
      ["first", "second"].map((serviceName) =>
        startTelemetry({ serviceName, otlpEndpoint: false, prometheusPort: 0, prometheusHost: "127.0.0.1" }),
      ),
    );
    const urls = [a?.prometheusUrl, b?.prometheusUrl];
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const ports = urls.map((url) => new URL(url ?? "").port);
    expect(ports[0]).not.toBe(ports[1]);
    expect(ports).not.toContain("9464");
    for (const [i, name] of ["first", "second"].entries()) {
      const page = await (await fetch(urls[i] ?? "")).text();
      expect(page).toContain(`service_name="${name}"`);
    }
    expect((await fetch(`http://127.0.0.1:${ports[0]}/other`)).status).toBe(404);
    await Promise.all([a?.shutdown(), b?.shutdown()]);
    await expect(fetch(urls[0] ?? "")).rejects.toThrow();
  });

  it("takes OTEL_EXPORTER_PROMETHEUS_PORT=0 too, and refuses a port that is not a number", async () => {
    vi.stubEnv("OTEL_EXPORTER_PROMETHEUS_PORT", "0");
    vi.stubEnv("OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1");
    const telemetry = await startTelemetry({ otlpEndpoint: false });
    const url = telemetry.prometheusUrl ?? "";
    expect(new URL(url).port).not.toBe("0");
    expect((await fetch(url)).status).toBe(200);
    await telemetry.shutdown();
    vi.stubEnv("OTEL_EXPORTER_PROMETHEUS_PORT", "metrics");
    await expect(startTelemetry({ otlpEndpoint: false })).rejects.toThrow(
      "Expected `OTEL_EXPORTER_PROMETHEUS_PORT` to be a port number (0–65535), got `metrics` (string)",
    );
  });
});

describe("startTelemetry's exemplars", () => {
  const OPENMETRICS = { accept: "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5" };

  it("serves OpenMetrics with exemplars of the active sampled span to a scraper that asks, the text format to others", async () => {
    const telemetry = await startTelemetry({
      otlpEndpoint: false,
      prometheusPort: 0,
      prometheusHost: "127.0.0.1",
      spanProcessors: [new tracing.SimpleSpanProcessor(new tracing.InMemorySpanExporter())],
    });
    const url = telemetry.prometheusUrl ?? "";
    const histogram = metrics.getMeter("test").createHistogram("gen_ai.client.operation.duration");
    const spanId = trace.getTracer("test").startActiveSpan("call", (span) => {
      histogram.record(0.015, { "gen_ai.operation.name": "chat" }); // the view's (0.01, 0.02] bucket
      span.end();
      return span.spanContext().spanId;
    });
    histogram.record(0.5, { "gen_ai.operation.name": "chat" }); // no span: no exemplar
    const om = await fetch(url, { headers: OPENMETRICS });
    expect(om.headers.get("content-type")).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    const body = await om.text();
    const exemplars = body.split("\n").filter((line) => line.includes(" # {"));
    expect(exemplars).toHaveLength(1);
    expect(exemplars[0]).toMatch(
      new RegExp(
        `le="0\\.02"\\} 1 # \\{trace_id="[0-9a-f]{32}",span_id="${spanId}"\\} 0\\.015 \\d+\\.\\d{3}$`,
      ),
    );
    expect(body.endsWith("# EOF\n")).toBe(true);
    const plain = await fetch(url);
    expect(plain.headers.get("content-type")).toBe("text/plain");
    expect(await plain.text()).not.toContain(" # {");
    await telemetry.shutdown();
  });

  it("serves the text format only with OTEL_METRICS_EXEMPLAR_FILTER=always_off, and validates the filter", async () => {
    vi.stubEnv("OTEL_METRICS_EXEMPLAR_FILTER", "ALWAYS_OFF");
    const telemetry = await startTelemetry({
      otlpEndpoint: false,
      prometheusPort: 0,
      prometheusHost: "127.0.0.1",
    });
    const response = await fetch(telemetry.prometheusUrl ?? "", { headers: OPENMETRICS });
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).not.toContain("# EOF");
    await telemetry.shutdown();
    vi.stubEnv("OTEL_METRICS_EXEMPLAR_FILTER", "sometimes");
    await expect(startTelemetry({ otlpEndpoint: false, prometheusPort: false })).rejects.toThrow(
      "Expected `OTEL_METRICS_EXEMPLAR_FILTER` to be always_on, always_off or trace_based, got `sometimes` (string)",
    );
    await expect(
      startTelemetry({ otlpEndpoint: false, prometheusPort: false, exemplarFilter: "on" as never }),
    ).rejects.toThrow('Expected `exemplarFilter` to be "always_on", "always_off" or "trace_based", got');
  });
});

describe("startTelemetry's instrumentations", () => {
  it("enables the instrumentations it is given, and disables them on shutdown", async () => {
    const server = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
    const undiciSpans = (exporter: tracing.InMemorySpanExporter) =>
      exporter
        .getFinishedSpans()
        .filter((s) => s.instrumentationScope.name === "@opentelemetry/instrumentation-undici")
        .map((s) => [s.name, s.attributes["url.full"], s.attributes["http.response.status_code"]]);
    const started = (exporter: tracing.InMemorySpanExporter, instrumentation: UndiciInstrumentation) =>
      startTelemetry({
        otlpEndpoint: false,
        prometheusPort: false,
        spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
        instrumentations: [instrumentation],
      });
    try {
      let hooked = 0;
      const first = new tracing.InMemorySpanExporter();
      const telemetry = await started(first, new UndiciInstrumentation({ requestHook: () => hooked++ }));
      await (await fetch(url)).text();
      expect(undiciSpans(first)).toEqual([["GET", url, 200]]);
      expect(hooked).toBe(1);
      await telemetry.shutdown();

      // A restart: the new instrumentation records into the new SDK only if shutdown reset the
      // API's proxies in both of its copies; the first one, disabled, sees nothing.
      const second = new tracing.InMemorySpanExporter();
      const next = await started(second, new UndiciInstrumentation());
      await (await fetch(url)).text();
      expect(undiciSpans(second)).toEqual([["GET", url, 200]]);
      expect(hooked).toBe(1);
      await next.shutdown();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("refuses instrumentations that are not instrumentations", async () => {
    await expect(
      startTelemetry({ instrumentations: [{ name: "undici" }] as never, prometheusPort: false }),
    ).rejects.toThrow("Expected `instrumentations` to be an array of OpenTelemetry instrumentations");
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
