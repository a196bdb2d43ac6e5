// One measurement of one telemetry setting, in a process of its own (run.mjs runs it):
//
//   node --expose-gc bench/otel/measure.mjs --mode full --calls 200000 --warmup 20000
//
// Modes: `off` (no SDK: @opentelemetry/api no-ops), `metrics` (the SDK's meter, spans not
// sampled), `full` (the SDK recording spans and metrics, exporting to nowhere), `full-http`
// (`full` plus one HTTP attempt per call as an adapter makes it: the SDK's context manager
// and W3C propagator registered, the attempt's `traceparent` injected into a header copy and
// the transport call run with the attempt span active), `full-exemplars` (`full-http` with
// @swarmgate/otel's exemplar store behind the meter provider, as startTelemetry sets it up
// when it serves Prometheus).
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { createGovernor, presets } from "@swarmgate/core";
import { closedLoop } from "../core/closed-loop.mjs";

// The SDK is @swarmgate/otel's dependency; the bench borrows it rather than adding its own.
const require = createRequire(new URL("../../packages/otel/package.json", import.meta.url));
const { metrics, node, tracing } = await import(require.resolve("@opentelemetry/sdk-node"));

const MODES = ["off", "metrics", "full", "full-http", "full-exemplars"];
const { values } = parseArgs({
  options: {
    mode: { type: "string" },
    calls: { type: "string", default: "200000" },
    warmup: { type: "string", default: "20000" },
    "in-flight": { type: "string", default: "64" },
  },
});
if (!MODES.includes(values.mode))
  throw new TypeError(`Expected \`--mode\` to be one of ${MODES.join(", ")}, got ${values.mode}`);
const calls = Number(values.calls);
const warmup = Number(values.warmup);
// One HTTP attempt per call, as an adapter makes it.
const withHttp = values.mode === "full-http" || values.mode === "full-exemplars";
const inFlight = Number(values["in-flight"]);

class NowhereExporter {
  exported = 0;
  export(spans, done) {
    this.exported += spans.length;
    done({ code: 0 });
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}
class IdleReader extends metrics.MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

const exporter = new NowhereExporter();
let providers = {};
if (values.mode !== "off") {
  const sampler = values.mode === "metrics" ? new tracing.AlwaysOffSampler() : new tracing.AlwaysOnSampler();
  const tracerOptions = {
    sampler,
    spanProcessors: [
      new tracing.BatchSpanProcessor(exporter, { maxQueueSize: 65_536, maxExportBatchSize: 4_096 }),
    ],
  };
  const tracerProvider = withHttp
    ? new node.NodeTracerProvider(tracerOptions)
    : new tracing.BasicTracerProvider(tracerOptions);
  // What NodeSDK sets up: AsyncLocalStorage context manager, W3C trace-context propagator.
  if (withHttp) tracerProvider.register();
  providers = {
    tracerProvider,
    meterProvider: new metrics.MeterProvider({ readers: [new IdleReader()] }),
  };
  if (values.mode === "full-exemplars") {
    const otel = new URL("../../packages/otel/dist/", import.meta.url);
    const { meterProviderWithExemplars } = await import(new URL("exemplar-meter-provider.js", otel).href);
    const { ExemplarStore } = await import(new URL("exemplar-store.js", otel).href);
    providers.meterProvider = meterProviderWithExemplars(
      providers.meterProvider,
      new ExemplarStore(),
      "trace_based",
    );
  }
}

// The core suite's governor: every policy on, limits high enough never to throttle.
const preset = presets.huggingface({ tier: "enterprise" });
const governor = createGovernor({
  ...preset,
  name: "bench",
  concurrency: { ...preset.concurrency, initial: 64, max: 64, rampMs: 0 },
  quotas: { inference: [{ limit: 1e12, windowMs: 300_000, smoothing: undefined }] },
  budget: { monthlyUsd: 1e12 },
  ...providers,
});
const info = { operation: "chat", model: "meta-llama/Llama-3.1-8B-Instruct", provider: "together" };
const usage = { inputTokens: 12, outputTokens: 34 };
const url = "https://router.huggingface.co/v1/chat/completions";
const send = async () => undefined;
let injected;
const noop = withHttp
  ? async ({ attempt, reportUsage }) => {
      const http = governor.telemetry.startHttpAttempt({ method: "POST", url, attempt });
      const headers = { "content-type": "application/json" };
      http.inject(headers);
      injected = headers.traceparent;
      await http.run(send);
      reportUsage(usage);
      http.end({ status: 200 });
    }
  : async ({ reportUsage }) => {
      reportUsage(usage);
    };
const call = () => governor.run(noop, info);

await closedLoop(call, warmup, inFlight);
globalThis.gc?.();
const ns = await closedLoop(call, calls, inFlight);
const stats = governor.stats();
await governor.close();
await providers.tracerProvider?.shutdown();
if (stats.outcomes.success !== warmup + calls) throw new Error(`${stats.outcomes.success} successes`);
if (withHttp && !/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(injected ?? ""))
  throw new Error(`no traceparent was injected (${injected})`);
process.stdout.write(
  `${JSON.stringify({ mode: values.mode, calls, inFlight, ns: Number(ns), spans: exporter.exported })}\n`,
);
