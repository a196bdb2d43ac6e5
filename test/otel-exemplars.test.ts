// A real Prometheus, with exemplar storage on, scrapes startTelemetry's endpoint in
// OpenMetrics (its strict parser) while governed calls run against a real HTTP server: the
// latency histograms' exemplars reach Prometheus and name spans the SDK exported, and every
// metric of the text format still scrapes without error.
//
// Prometheus: see prometheus-support.ts.
import { createServer } from "node:http";
import { tracing } from "@opentelemetry/sdk-node";
import { createGovernor } from "@swarmgate/core";
import { startTelemetry } from "@swarmgate/otel";
import { expect } from "vitest";
import { freePort } from "./otel-support.js";
import { api, expectPrometheus, prometheusIt, startPrometheus, waitFor } from "./prometheus-support.js";

const DEADLINE_MS = 60_000;

interface Exemplars {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

prometheusIt(
  "exemplars on the latency histograms reach a real Prometheus and name exported spans",
  async () => {
    expectPrometheus();
    // The upstream: answers after a few ms, so the calls spread over several buckets.
    let served = 0;
    const upstream = createServer((_request, response) => {
      setTimeout(() => response.end("{}"), (served++ % 4) * 5);
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v1/chat/completions`;

    const spans = new tracing.InMemorySpanExporter();
    const exporterPort = await freePort();
    const prometheus = await startPrometheus({ exporterPort, flags: ["--enable-feature=exemplar-storage"] });
    const { base } = prometheus;
    const log = prometheus.log;
    const telemetry = await startTelemetry({
      serviceName: "exemplar-test",
      otlpEndpoint: false,
      prometheusPort: exporterPort,
      prometheusHost: "127.0.0.1",
      spanProcessors: [new tracing.SimpleSpanProcessor(spans)],
    });
    const governor = createGovernor({ name: "exemplar-swarm" });
    const stop = new AbortController();
    const call = () =>
      governor.run(
        async ({ attempt, signal }) => {
          const http = governor.telemetry.startHttpAttempt({ method: "POST", url, attempt });
          const response = await http.run(() => fetch(url, { method: "POST", signal }));
          await response.text();
          http.end({ status: response.status });
        },
        { operation: "chat", model: "meta-llama/Llama-3.1-8B-Instruct" },
      );
    const swarm = (async () => {
      while (!stop.signal.aborted) await Promise.all([call(), call(), call()]);
    })();

    let duration: Exemplars[] = [];
    let http: Exemplars[] = [];
    let targets: { health: string; lastError: string; scrapeUrl: string }[] = [];
    let scraped: string[] = [];
    let plainFamilies: string[] = [];
    let exported: tracing.ReadableSpan[] = [];
    try {
      const since = Math.floor(Date.now() / 1000) - 60;
      const exemplarsOf = (query: string) =>
        api<Exemplars[]>(
          base,
          `/api/v1/query_exemplars?query=${encodeURIComponent(query)}&start=${since}&end=${Math.ceil(Date.now() / 1000) + 60}`,
        );
      const found = await waitFor(async () => {
        duration = await exemplarsOf("gen_ai_client_operation_duration_bucket");
        http = await exemplarsOf("http_client_request_duration_bucket");
        return duration.some((s) => s.exemplars.length > 0) && http.some((s) => s.exemplars.length > 0);
      }, DEADLINE_MS - 30_000);
      expect(found, `no exemplars reached Prometheus:\n${log()}`).toBe(true);
      // Two more scrapes, so that the metrics of the last one are there too.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      targets = (await api<{ activeTargets: typeof targets }>(base, "/api/v1/targets")).activeTargets;
      scraped = await api<string[]>(base, "/api/v1/label/__name__/values");
      // The text format, as a scraper that asks for no OpenMetrics still gets it.
      const plain = await (await fetch(telemetry.prometheusUrl!)).text();
      plainFamilies = [...plain.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) =>
        type === "histogram" ? `${name}_bucket` : name!,
      );
    } finally {
      stop.abort();
      await swarm;
      await prometheus.stop();
      await governor.close();
      // Before shutdown: shutting the SDK down empties the in-memory exporter.
      exported = spans.getFinishedSpans();
      await telemetry.shutdown();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }

    const callSpans = new Map(
      exported.filter((s) => s.name.startsWith("chat ")).map((s) => [s.spanContext().spanId, s]),
    );
    const attemptSpans = new Map(
      exported.filter((s) => s.name === "POST").map((s) => [s.spanContext().spanId, s]),
    );
    const durationExemplars = duration.flatMap((s) => s.exemplars);
    expect(durationExemplars.length).toBeGreaterThan(0);
    for (const e of durationExemplars) {
      const span = callSpans.get(e.labels.span_id!);
      expect(span, `exemplar ${JSON.stringify(e)} names no exported call span`).toBeDefined();
      expect(e.labels.trace_id).toBe(span?.spanContext().traceId);
    }
    const httpExemplars = http.flatMap((s) => s.exemplars);
    expect(httpExemplars.length).toBeGreaterThan(0);
    for (const e of httpExemplars) {
      const span = attemptSpans.get(e.labels.span_id!);
      expect(span, `exemplar ${JSON.stringify(e)} names no exported HTTP attempt span`).toBeDefined();
      expect(e.labels.trace_id).toBe(span?.spanContext().traceId);
    }
    // Each exemplar sits in its bucket's range.
    for (const series of duration)
      for (const e of series.exemplars)
        expect(Number(e.value)).toBeLessThanOrEqual(Number(series.seriesLabels.le));

    expect(targets.map((t) => [t.health, t.lastError])).toEqual([["up", ""]]);
    expect(plainFamilies.length).toBeGreaterThan(5);
    expect(plainFamilies.filter((name) => !scraped.includes(name))).toEqual([]);
    expect(scraped).toContain("up");
  },
  DEADLINE_MS + 30_000,
);
