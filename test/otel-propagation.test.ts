// Trace propagation and HTTP auto-instrumentation: the `traceparent` an upstream receives,
// and how many HTTP CLIENT spans and `http.client.request.duration` points one request
// makes, with the real @opentelemetry/instrumentation-undici and -http registered on the
// SDK that `startTelemetry` sets up (in-memory exporters) and without them.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createRequire } from "node:module";
import { context, metrics, propagation, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { tracing } from "@opentelemetry/sdk-node";
import { createGovernor, type Governor, type GovernorOptions, isGovernedHttpAttempt } from "@swarmgate/core";
import { GovernedInferenceClient, governedFetch } from "@swarmgate/huggingface";
import { startTelemetry, type Telemetry } from "@swarmgate/otel";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestMetricReader } from "./otel-support.js";

const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const CORE = "@swarmgate/core";
const UNDICI = "@opentelemetry/instrumentation-undici";
const HTTP = "@opentelemetry/instrumentation-http";
const exporter = new tracing.InMemorySpanExporter();
const reader = new TestMetricReader();
let telemetry: Telemetry;
let undici: UndiciInstrumentation;
let http: HttpInstrumentation;
const governors: Governor[] = [];
const upstreams: Upstream[] = [];

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: "otel-propagation-test",
    otlpEndpoint: false,
    prometheusPort: false,
    spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
    metricReaders: [reader],
  });
  // Made after the SDK is registered, so that they take its providers; off until a test turns them on.
  undici = new UndiciInstrumentation();
  undici.disable();
  http = new HttpInstrumentation();
  http.disable();
  for (const i of [undici, http]) {
    i.setTracerProvider(trace.getTracerProvider());
    i.setMeterProvider(metrics.getMeterProvider());
  }
});
afterAll(() => telemetry.shutdown());
afterEach(async () => {
  undici.disable();
  http.disable();
  undici.setConfig({});
  http.setConfig({});
  for (const g of governors.splice(0)) await g.close();
  for (const u of upstreams.splice(0)) await u.close();
  exporter.reset();
});

interface Upstream {
  readonly url: string;
  readonly port: number;
  /** The headers of every request, in order. */
  readonly received: IncomingHttpHeaders[];
  close(): Promise<void>;
}

const completion = JSON.stringify({
  id: "c1",
  object: "chat.completion",
  created: 1,
  model: MODEL,
  choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});

/** A plain HTTP server that records the headers it receives and answers `statuses` in turn, then 200s. */
async function upstream(statuses: number[] = []): Promise<Upstream> {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on("end", () => {
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 200 ? completion : JSON.stringify({ error: "overloaded" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const u = {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  upstreams.push(u);
  return u;
}

function governor(options: GovernorOptions = {}) {
  const g = createGovernor({
    name: "propagation",
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, random: () => 0, budget: false },
    breaker: false,
    concurrency: false,
    ...options,
  });
  governors.push(g);
  return g;
}

const chatBody = JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "x" }] });
const chat = (f: typeof fetch, url: string, headers?: Headers) =>
  f(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: headers ?? { authorization: "Bearer hf_test_pro", "content-type": "application/json" },
    body: chatBody,
  });

const spans = () => exporter.getFinishedSpans();
const callSpan = () => {
  const calls = spans().filter((s) => s.instrumentationScope.name === CORE && s.name.startsWith("chat"));
  expect(calls).toHaveLength(1);
  return calls[0] as tracing.ReadableSpan;
};
/** HTTP CLIENT spans (any scope), in start order. */
const httpSpans = () =>
  spans()
    .filter((s) => s.kind === SpanKind.CLIENT && s.attributes["http.request.method"] !== undefined)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
const traceparentOf = (s: tracing.ReadableSpan) =>
  `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`;

/** `http.client.request.duration` points for one upstream, by instrumentation scope. */
async function durationCounts(port: number): Promise<Record<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const out: Record<string, number> = {};
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== "http.client.request.duration") continue;
      for (const point of metric.dataPoints)
        if (point.attributes["server.port"] === port)
          out[scope.scope.name] = (out[scope.scope.name] ?? 0) + (point.value as { count: number }).count;
    }
  return out;
}

describe("without an HTTP instrumentation", () => {
  it("governedFetch: one swarmgate HTTP span per attempt under the call span, and each attempt sends its own traceparent", async () => {
    const u = await upstream([503]);
    const callerHeaders = new Headers({
      authorization: "Bearer hf_test_pro",
      "content-type": "application/json",
      "x-caller": "1",
    });
    const response = await chat(governedFetch(governor()), u.url, callerHeaders);
    expect(response.status).toBe(200);

    const call = callSpan();
    const attempts = httpSpans();
    expect(attempts.map((s) => [s.instrumentationScope.name, s.name])).toEqual([
      [CORE, "POST"],
      [CORE, "POST"],
    ]);
    for (const a of attempts) expect(a.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(attempts.map((s) => s.attributes["http.request.resend_count"])).toEqual([undefined, 1]);
    expect(attempts.map((s) => s.attributes["http.response.status_code"])).toEqual([503, 200]);
    // Each attempt's traceparent names the call's trace and that attempt's span.
    expect(u.received.map((h) => h.traceparent)).toEqual(attempts.map(traceparentOf));
    expect(u.received.map((h) => h["x-caller"])).toEqual(["1", "1"]);
    expect(callerHeaders.has("traceparent")).toBe(false);
    expect(await durationCounts(u.port)).toEqual({ [CORE]: 2 });
  });

  it("carries the incoming trace's tracestate, and the server's own spans join the trace", async () => {
    const u = await upstream();
    // A trace that came in with tracestate, as from an instrumented server the swarm runs in.
    const incoming = propagation.extract(ROOT_CONTEXT, {
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      tracestate: "vendor=opaque",
    });
    await context.with(incoming, () => chat(governedFetch(governor()), u.url));
    const [attempt] = httpSpans();
    expect(attempt?.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(u.received[0]?.traceparent).toBe(traceparentOf(attempt as tracing.ReadableSpan));
    expect(u.received[0]?.tracestate).toBe("vendor=opaque");
  });

  it("GovernedInferenceClient: the call span, one attempt span, and the attempt's traceparent", async () => {
    const u = await upstream();
    const hf = new GovernedInferenceClient("hf_test_pro", { governor: governor(), baseUrl: u.url });
    const out = await hf.chatCompletion({
      endpointUrl: `${u.url}/v1/chat/completions`,
      messages: [{ role: "user", content: "x" }],
    });
    expect(out.choices[0]?.message.content).toBe("hi");
    const call = callSpan();
    const attempts = httpSpans();
    expect(attempts.map((s) => s.instrumentationScope.name)).toEqual([CORE]);
    expect(attempts[0]?.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(u.received.map((h) => h.traceparent)).toEqual(attempts.map(traceparentOf));
  });
});

describe("with @opentelemetry/instrumentation-undici", () => {
  it("governedFetch: exactly one HTTP CLIENT span per attempt (the instrumentation's) under the call span, one duration series", async () => {
    undici.enable();
    const u = await upstream([503]);
    const response = await chat(governedFetch(governor()), u.url);
    expect(response.status).toBe(200);

    const call = callSpan();
    const attempts = httpSpans();
    expect(attempts.map((s) => [s.instrumentationScope.name, s.name])).toEqual([
      [UNDICI, "POST"],
      [UNDICI, "POST"],
    ]);
    for (const a of attempts) expect(a.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(attempts.map((s) => s.attributes["http.response.status_code"])).toEqual([503, 200]);
    expect(u.received.map((h) => h.traceparent)).toEqual(attempts.map(traceparentOf));
    // swarmgate records no duration of its own: one series, one point per attempt.
    expect(await durationCounts(u.port)).toEqual({ [UNDICI]: 2 });
    // The resend is still on the call span.
    expect(call.attributes["swarmgate.attempts"]).toBe(2);
    expect(call.events.map((e) => [e.name, e.attributes?.["http.request.resend_count"]])).toContainEqual([
      "swarmgate.retry",
      1,
    ]);
  });

  it("GovernedInferenceClient: one HTTP CLIENT span under the call span, and its traceparent", async () => {
    undici.enable();
    const u = await upstream();
    const hf = new GovernedInferenceClient("hf_test_pro", { governor: governor(), baseUrl: u.url });
    await hf.chatCompletion({
      endpointUrl: `${u.url}/v1/chat/completions`,
      messages: [{ role: "user", content: "x" }],
    });
    const call = callSpan();
    const attempts = httpSpans();
    expect(attempts.map((s) => s.instrumentationScope.name)).toEqual([UNDICI]);
    expect(attempts[0]?.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(u.received.map((h) => h.traceparent)).toEqual(attempts.map(traceparentOf));
    expect(await durationCounts(u.port)).toEqual({ [UNDICI]: 1 });
  });

  it('httpSpans: "swarmgate": one HTTP CLIENT span per attempt (swarmgate\'s), its traceparent; the instrumentation still records its duration', async () => {
    undici.enable();
    const u = await upstream([503]);
    const response = await chat(governedFetch(governor({ telemetry: { httpSpans: "swarmgate" } })), u.url);
    expect(response.status).toBe(200);
    const call = callSpan();
    const attempts = httpSpans();
    // Tracing is suppressed under swarmgate's span: the instrumentation's span is a no-op.
    expect(attempts.map((s) => [s.instrumentationScope.name, s.name])).toEqual([
      [CORE, "POST"],
      [CORE, "POST"],
    ]);
    for (const a of attempts) expect(a.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(attempts.map((s) => s.attributes["http.response.status_code"])).toEqual([503, 200]);
    // The traceparent the server saw is swarmgate's, not replaced by the instrumentation.
    expect(u.received.map((h) => h.traceparent)).toEqual(attempts.map(traceparentOf));
    // Suppression stops spans, not metrics: instrumentation-undici 0.33.0 records its point anyway.
    expect(await durationCounts(u.port)).toEqual({ [CORE]: 2, [UNDICI]: 2 });
  });

  it('httpSpans: "swarmgate" and the instrumentation ignoring governed requests: one span and one duration series per attempt', async () => {
    undici.setConfig({ ignoreRequestHook: () => isGovernedHttpAttempt() });
    undici.enable();
    const u = await upstream([503]);
    const plain = await upstream();
    await chat(governedFetch(governor({ telemetry: { httpSpans: "swarmgate" } })), u.url);
    const attempts = httpSpans();
    expect(attempts.map((s) => s.instrumentationScope.name)).toEqual([CORE, CORE]);
    for (const a of attempts) expect(a.parentSpanContext?.spanId).toBe(callSpan().spanContext().spanId);
    expect(u.received.map((h) => h.traceparent)).toEqual(attempts.map(traceparentOf));
    expect(await durationCounts(u.port)).toEqual({ [CORE]: 2 });
    // A request that no governor sends is still the instrumentation's.
    await (await fetch(plain.url)).text();
    expect(await durationCounts(plain.port)).toEqual({ [UNDICI]: 1 });
  });

  it("content capture goes on the call span when the instrumentation makes the HTTP span", async () => {
    undici.enable();
    const g = governor({ telemetry: { captureContent: true } });
    await g.run(
      async ({ attempt }) => {
        const h = g.telemetry.startHttpAttempt({ method: "POST", url: "http://127.0.0.1:1/x", attempt });
        expect(h.instrumented).toBe(true);
        h.recordContent({ input: [{ role: "user", content: "x" }], output: "hi" });
        h.end({ status: 200 });
      },
      { operation: "chat", model: MODEL },
    );
    expect(callSpan().attributes["gen_ai.output.messages"]).toBe('"hi"');
    expect(httpSpans()).toEqual([]);
  });
});

// instrumentation-http sees node:http only: Node's fetch goes through undici.
const nodeHttp = createRequire(import.meta.url)("node:http") as typeof import("node:http");

/** A fetch over node:http (what instrumentation-http instruments), for one JSON answer. */
const nodeHttpFetch: typeof fetch = (input, init) =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const req = nodeHttp.request(String(input), { method: init?.method ?? "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve(
          new Response(Buffer.concat(chunks), {
            status: res.statusCode ?? 500,
            headers: res.headers as Record<string, string>,
          }),
        ),
      );
    });
    req.on("error", reject);
    req.end(typeof init?.body === "string" ? init.body : undefined);
  });

describe("with @opentelemetry/instrumentation-http", () => {
  it("and Node's fetch: swarmgate still makes the one HTTP CLIENT span, and the server's span is its child", async () => {
    http.enable();
    createRequire(import.meta.url)("node:http"); // the instrumentation patches on require
    const u = await upstream();
    await chat(governedFetch(governor()), u.url);
    const [attempt, ...others] = httpSpans();
    expect(others).toEqual([]);
    expect(attempt?.instrumentationScope.name).toBe(CORE);
    expect(u.received[0]?.traceparent).toBe(traceparentOf(attempt as tracing.ReadableSpan));
    const servers = spans().filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map((s) => s.parentSpanContext?.spanId)).toEqual([attempt?.spanContext().spanId]);
    expect(await durationCounts(u.port)).toEqual({ [CORE]: 1 });
  });

  it("and a fetch over node:http that swarmgate instruments: one HTTP CLIENT span per attempt (swarmgate's), its traceparent", async () => {
    http.enable();
    const u = await upstream([503]);
    const f = governedFetch(governor(), { fetch: nodeHttpFetch });
    expect((await chat(f, u.url)).status).toBe(200);
    const call = callSpan();
    const attempts = httpSpans();
    expect(attempts.map((s) => s.instrumentationScope.name)).toEqual([CORE, CORE]);
    for (const a of attempts) expect(a.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(u.received.map((h) => h.traceparent)).toEqual(attempts.map(traceparentOf));
    // The server's spans are children of swarmgate's attempt spans: suppression stays on the client side.
    const servers = spans().filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map((s) => s.parentSpanContext?.spanId)).toEqual(
      attempts.map((a) => a.spanContext().spanId),
    );
    expect(await durationCounts(u.port)).toEqual({ [CORE]: 2, [HTTP]: 2 });
  });

  it("and a fetch over node:http with ignoreOutgoingRequestHook: isGovernedHttpAttempt: one duration series", async () => {
    http.setConfig({ ignoreOutgoingRequestHook: () => isGovernedHttpAttempt() });
    http.enable();
    const u = await upstream();
    await chat(
      governedFetch(governor({ telemetry: { httpSpans: "swarmgate" } }), { fetch: nodeHttpFetch }),
      u.url,
    );
    const attempts = httpSpans();
    expect(attempts.map((s) => s.instrumentationScope.name)).toEqual([CORE]);
    expect(u.received.map((h) => h.traceparent)).toEqual(attempts.map(traceparentOf));
    expect(await durationCounts(u.port)).toEqual({ [CORE]: 1 });
  });

  it('and a fetch over node:http with httpSpans: "instrumentation": one HTTP CLIENT span per attempt, the instrumentation\'s', async () => {
    http.enable();
    const u = await upstream([503]);
    const f = governedFetch(governor({ telemetry: { httpSpans: "instrumentation" } }), {
      fetch: nodeHttpFetch,
    });
    expect((await chat(f, u.url)).status).toBe(200);
    const call = callSpan();
    const attempts = httpSpans();
    expect(attempts.map((s) => s.instrumentationScope.name)).toEqual([HTTP, HTTP]);
    for (const a of attempts) expect(a.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(u.received.map((h) => h.traceparent)).toEqual(attempts.map(traceparentOf));
    expect(await durationCounts(u.port)).toEqual({ [HTTP]: 2 });
  });
});
