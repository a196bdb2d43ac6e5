// What a failed HTTP attempt and a failed call leave in telemetry, through governedFetch
// against a real HTTP server, recorded by the real SDK that `startTelemetry` sets up
// (in-memory exporters): the attempt span's exception event (transport error, timeout),
// the call's `error.type` when its last answer was a 429 or a 402, and `server.address` /
// `server.port` on the time-to-first-chunk histogram.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { tracing } from "@opentelemetry/sdk-node";
import { createGovernor, type Governor, type GovernorOptions, ManualClock } from "@swarmgate/core";
import { GovernedInferenceClient, governedFetch } from "@swarmgate/huggingface";
import { startTelemetry, type Telemetry } from "@swarmgate/otel";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, points, TestMetricReader } from "./otel-support.js";

const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const CORE = "@swarmgate/core";
const exporter = new tracing.InMemorySpanExporter();
const reader = new TestMetricReader();
let telemetry: Telemetry;
const governors: Governor[] = [];
const servers: Server[] = [];

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: "otel-http-attempts-test",
    otlpEndpoint: false,
    prometheusPort: false,
    spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
    metricReaders: [reader],
  });
});
afterAll(() => telemetry.shutdown());
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
  for (const s of servers.splice(0))
    await new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  exporter.reset();
});

/** A real HTTP server on loopback; `handle` answers each request. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handle(req, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function governor(name: string, options: GovernorOptions = {}) {
  const g = createGovernor({
    name,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, random: () => 0, budget: false },
    breaker: false,
    concurrency: false,
    ...options,
  });
  governors.push(g);
  return g;
}

const chatBody = JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "x" }] });
const chat = (f: typeof fetch, url: string, token = "hf_test_pro") =>
  f(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: chatBody,
  });

const spans = () => exporter.getFinishedSpans();
const callSpan = () => {
  const calls = spans().filter((s) => s.instrumentationScope.name === CORE && s.name === `chat ${MODEL}`);
  expect(calls).toHaveLength(1);
  return calls[0] as tracing.ReadableSpan;
};
const attemptSpans = () =>
  spans().filter((s) => s.kind === SpanKind.CLIENT && s.attributes["http.request.method"] !== undefined);
const exceptions = (s: tracing.ReadableSpan | undefined) =>
  (s?.events ?? []).filter((e) => e.name === "exception").map((e) => e.attributes ?? {});

describe("a failed HTTP attempt's span", () => {
  it("a transport error (connection refused): error.type, status ERROR and an exception event, as on the call span", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await expect(chat(governedFetch(governor("refused")), closed)).rejects.toThrow("fetch failed");
    const [attempt, ...more] = attemptSpans();
    expect(more).toEqual([]);
    expect(attempt?.attributes["error.type"]).toBe("TypeError");
    expect(attempt?.status).toEqual({ code: SpanStatusCode.ERROR, message: "fetch failed" });
    expect(exceptions(attempt)).toEqual([
      {
        "exception.type": "TypeError",
        "exception.message": "fetch failed",
        "exception.stacktrace": expect.stringContaining("TypeError: fetch failed"),
      },
    ]);
    // The call span records the same failure the same way.
    expect(exceptions(callSpan()).map((e) => [e["exception.type"], e["exception.message"]])).toEqual([
      ["TypeError", "fetch failed"],
    ]);
  });

  it("an attempt timeout (fake time; the server never answers): the exception event names the timeout", async () => {
    const clock = new ManualClock();
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => {
      received = resolve;
    });
    const url = await serve(() => received()); // holds the request open
    const g = governor("timeout", { clock, attemptTimeoutMs: 1_000 });
    const call = chat(governedFetch(g), url);
    const settled = call.then(
      () => "answered",
      (e: Error) => e.name,
    );
    await arrived;
    await clock.advance(1_000);
    expect(await settled).toBe("TimeoutError");
    const [attempt] = attemptSpans();
    expect(attempt?.status.code).toBe(SpanStatusCode.ERROR);
    const [event, ...more] = exceptions(attempt);
    expect(more).toEqual([]);
    // error.type is swarmgate's code; exception.type, as on the call span, the class name.
    expect(attempt?.attributes["error.type"]).toBe("timeout");
    expect(event?.["exception.type"]).toBe("TimeoutError");
    expect(String(event?.["exception.message"])).toMatch(/timed out|timeout/i);
  });

  it("redacts the token from the exception's message and stack", async () => {
    const token = ["hf", "AttemptCanary0123456789abcdefghijklmn"].join("_");
    const g = governor("redacted");
    await expect(
      chat(
        governedFetch(g, {
          fetch: async () => {
            throw new Error(`connect failed for Bearer ${token}`);
          },
        }),
        "http://127.0.0.1:9",
        token,
      ),
    ).rejects.toThrow();
    const [event] = exceptions(attemptSpans()[0]);
    expect(event?.["exception.message"]).toBe("connect failed for Bearer [REDACTED]");
    expect(JSON.stringify(spans().map((s) => [s.attributes, s.events, s.status]))).not.toContain(
      token.slice(3),
    );
  });
});

const metricPoints = async (name: string, governorName: string) =>
  points((await reader.collect()).resourceMetrics, name, { "swarmgate.governor": governorName });

describe("the call's error.type when its last answer was refused", () => {
  for (const [status, body] of [
    [429, { error: "Too many requests" }],
    [402, { error: "You have exceeded your monthly included credits for Inference Providers." }],
  ] as const)
    it(`${status}: the call span and the metrics read "${status}"`, async () => {
      const url = await serve((_req, res) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      });
      const name = `refused-${status}`;
      // No upstream policy: a 429 that states nothing would otherwise slow the retry to the rate it learns.
      const g = governor(name, {
        upstream: false,
        retry: { maxAttempts: 2, maxThrottledAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, budget: false },
      });
      const response = await chat(governedFetch(g), url);
      expect(response.status).toBe(status); // fetch semantics: the final answer is returned
      const call = callSpan();
      expect(call.attributes["error.type"]).toBe(String(status));
      expect(call.status.code).toBe(SpanStatusCode.ERROR);
      // A 429 is retried; a 402 (credits exhausted) is not.
      expect(attemptSpans().map((s) => s.attributes["http.response.status_code"])).toEqual(
        status === 429 ? [429, 429] : [402],
      );
      const requests = await metricPoints("swarmgate.requests", name);
      expect(requests.map((p) => [p.attributes["error.type"], p.attributes["swarmgate.outcome"]])).toEqual([
        [String(status), status === 429 ? "rate_limited" : "budget_exceeded"],
      ]);
      const durations = await metricPoints("gen_ai.client.operation.duration", name);
      expect(durations.map((p) => p.attributes["error.type"])).toEqual([String(status)]);
    });
});

describe("gen_ai.client.operation.time_to_first_chunk", () => {
  it("carries server.address and server.port, as gen_ai.client.operation.duration does", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = { id: "c1", model: MODEL, choices: [{ index: 0, delta: { content: "hi" } }] };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      res.end("data: [DONE]\n\n");
    });
    const port = Number(new URL(url).port);
    const response = await chat(governedFetch(governor("ttfc")), url);
    await response.text();
    const server = { "server.address": "127.0.0.1", "server.port": port };
    const first = await metricPoints("gen_ai.client.operation.time_to_first_chunk", "ttfc");
    expect(first.map((p) => [p.attributes["server.address"], p.attributes["server.port"]])).toEqual([
      ["127.0.0.1", port],
    ]);
    const durations = await metricPoints("gen_ai.client.operation.duration", "ttfc");
    expect(durations.map((p) => p.attributes)).toEqual([expect.objectContaining(server)]);
  });

  it("GovernedInferenceClient's streams carry them too", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = { id: "c1", model: MODEL, choices: [{ index: 0, delta: { content: "hi" } }] };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      res.end("data: [DONE]\n\n");
    });
    const port = Number(new URL(url).port);
    const hf = new GovernedInferenceClient("hf_test_pro", {
      governor: governor("ttfc-client"),
      baseUrl: url,
    });
    const chunks: unknown[] = [];
    for await (const chunk of hf.chatCompletionStream({
      endpointUrl: `${url}/v1/chat/completions`,
      messages: [{ role: "user", content: "x" }],
    }))
      chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    const first = await metricPoints("gen_ai.client.operation.time_to_first_chunk", "ttfc-client");
    expect(first.map((p) => [p.attributes["server.address"], p.attributes["server.port"]])).toEqual([
      ["127.0.0.1", port],
    ]);
  });
});
