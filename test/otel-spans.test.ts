// The exact span tree, span attributes and events, and metric values of three calls made
// through a governor to the simulator, recorded by the real SDK that `startTelemetry` sets
// up, with in-memory exporters.
import { tracing } from "@opentelemetry/sdk-node";
import { createGovernor, type Governor, type GovernorOptions } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { governedFetch } from "@swarmgate/huggingface";
import { startTelemetry, type Telemetry } from "@swarmgate/otel";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chat } from "../examples/observability/swarm.mjs";
import { countOf, eventsOf, spanTree, sumOf, TestMetricReader } from "./otel-support.js";

const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const TOKEN = "hf_test_pro";
const exporter = new tracing.InMemorySpanExporter();
const reader = new TestMetricReader();
let telemetry: Telemetry;
let sim: Simulator | undefined;
const governors: Governor[] = [];

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: "otel-spans-test",
    otlpEndpoint: false,
    prometheusPort: false,
    spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
    metricReaders: [reader],
  });
});
afterAll(() => telemetry.shutdown());
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
  await sim?.close();
  sim = undefined;
  exporter.reset();
});

async function simulator() {
  sim = await startSimulator({
    seed: 3,
    windowMs: 60_000,
    quotas: { pro: { inference: 2 } },
    // Invented behaviours, on purpose: the throttled-call test needs a 429 whose RateLimit
    // and Retry-After headers ask for a longer wait than maxDelayMs, to show the cap.
    // Hugging Face documents neither on inference answers.
    inferenceRateLimitHeaders: true,
    retryAfter: true,
    latency: false,
    spike: false,
    coldStart: false,
  });
  return sim;
}

function governor(name: string, options: GovernorOptions = {}) {
  const g = createGovernor({
    name,
    retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50, random: () => 0, budget: false },
    breaker: false,
    concurrency: false,
    ...options,
  });
  governors.push(g);
  return g;
}

const collect = async () => (await reader.collect()).resourceMetrics;

describe("spans and metrics through startTelemetry's SDK", () => {
  it("a call that is throttled (429), retried twice and succeeds", async () => {
    const s = await simulator();
    const g = governor("throttled");
    const exhaust = () =>
      fetch(`${s.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "x" }], max_tokens: 1 }),
      }).then((r) => r.text());
    const { text } = await chat(g, {
      baseUrl: s.url,
      token: TOKEN,
      model: MODEL,
      provider: "together",
      prompt: "Plan the next step.",
      agentId: "agent-1",
      beforeAttempt: async (attempt: number) => {
        if (attempt === 1) s.inject({ outage: true }); // → 503
        if (attempt === 2) {
          s.inject({ outage: false });
          await exhaust();
          await exhaust(); // the window's 2 permits are gone → 429 with RateLimit headers
        }
        if (attempt === 3) s.reset(); // a new window → 200
      },
    });
    expect(await text).toContain("Simulated reply");

    const spans = exporter.getFinishedSpans();
    // Each retry's delay is a child span between the attempts.
    expect(spanTree(spans)).toEqual([
      `chat ${MODEL} [CLIENT]`,
      "  POST [CLIENT]",
      "  swarmgate.wait [INTERNAL]",
      "  POST [CLIENT]",
      "  swarmgate.wait [INTERNAL]",
      "  POST [CLIENT]",
    ]);
    expect(spans.filter((x) => x.name === "swarmgate.wait").map((x) => x.attributes)).toEqual([
      {
        "swarmgate.wait.source": "retry",
        "http.request.resend_count": 1,
        "swarmgate.retry.reason": "overloaded",
        "swarmgate.retry.delay": expect.any(Number),
      },
      {
        "swarmgate.wait.source": "retry",
        "http.request.resend_count": 2,
        "swarmgate.retry.reason": "rate_limited",
        "swarmgate.retry.delay": 0.05,
      },
    ]);
    const call = spans.find((s) => s.name === `chat ${MODEL}`);
    const attempts = spans.filter((s) => s.name === "POST");
    expect(call?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "huggingface",
      "gen_ai.request.model": MODEL,
      "gen_ai.response.model": MODEL, // the router answers with the Hub id
      "gen_ai.agent.id": "agent-1",
      "swarmgate.governor": "throttled",
      "swarmgate.routed_provider": "together",
      "swarmgate.request_class": "inference",
      "swarmgate.attempts": 3,
      "swarmgate.outcome": "success",
      // What swarm.mjs reports from the answer and the attempts' URL.
      "gen_ai.response.id": expect.stringMatching(/^chatcmpl-/),
      "gen_ai.response.finish_reasons": [expect.stringMatching(/^(stop|length)$/)],
      "server.address": new URL(s.url).hostname,
      "server.port": Number(new URL(s.url).port),
    });
    expect(call?.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    expect(call?.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    expect(call?.attributes["error.type"]).toBeUndefined();
    expect(eventsOf(call).map((e) => ({ ...e, "swarmgate.retry.delay": undefined }))).toEqual([
      { name: "swarmgate.throttle", "swarmgate.throttle.source": "server_503", "swarmgate.throttle.wait": 0 },
      {
        name: "swarmgate.retry",
        "http.request.resend_count": 1,
        "swarmgate.retry.reason": "overloaded",
        "swarmgate.retry.delay": undefined,
      },
      { name: "swarmgate.throttle", "swarmgate.throttle.source": "server_429", "swarmgate.throttle.wait": 0 },
      {
        name: "swarmgate.retry",
        "http.request.resend_count": 2,
        "swarmgate.retry.reason": "rate_limited",
        "swarmgate.retry.delay": undefined,
      },
    ]);
    // The 429's Retry-After asks for longer than maxDelayMs: the delay is capped at 50 ms.
    expect(eventsOf(call)[3]?.["swarmgate.retry.delay"]).toBe(0.05);
    const host = new URL(s.url);
    expect(attempts.map((a) => a.attributes)).toEqual(
      [undefined, 1, 2].map((resend, i) => ({
        "http.request.method": "POST",
        ...(resend === undefined ? {} : { "http.request.resend_count": resend }),
        "http.response.status_code": [503, 429, 200][i],
        ...(i < 2 ? { "error.type": String([503, 429][i]) } : {}),
        "server.address": host.hostname,
        "server.port": Number(host.port),
        "url.full": `${s.url}/v1/chat/completions`,
      })),
    );
    expect(attempts.map((a) => a.status.code)).toEqual([2, 2, 0]);

    const m = await collect();
    const mine = { "swarmgate.governor": "throttled" };
    expect(countOf(m, "swarmgate.requests", { ...mine, "swarmgate.outcome": "success" })).toBe(1);
    expect(countOf(m, "swarmgate.requests", mine)).toBe(1);
    expect(countOf(m, "swarmgate.retries", { ...mine, "swarmgate.retry.reason": "overloaded" })).toBe(1);
    expect(countOf(m, "swarmgate.retries", { ...mine, "swarmgate.retry.reason": "rate_limited" })).toBe(1);
    expect(countOf(m, "swarmgate.throttles", { ...mine, "swarmgate.throttle.source": "server_503" })).toBe(1);
    expect(countOf(m, "swarmgate.throttles", { ...mine, "swarmgate.throttle.source": "server_429" })).toBe(1);
    expect(countOf(m, "swarmgate.throttles", mine)).toBe(2);
    expect(countOf(m, "gen_ai.client.operation.duration", mine)).toBe(1);
    for (const status of [503, 429, 200])
      expect(
        countOf(m, "http.client.request.duration", { ...mine, "http.response.status_code": status }),
      ).toBe(1);
    expect(sumOf(m, "gen_ai.client.token.usage", { ...mine, "gen_ai.token.type": "input" })).toBe(
      call?.attributes["gen_ai.usage.input_tokens"],
    );
    expect(sumOf(m, "gen_ai.client.token.usage", { ...mine, "gen_ai.token.type": "output" })).toBe(
      call?.attributes["gen_ai.usage.output_tokens"],
    );
    expect(JSON.stringify(m.scopeMetrics)).not.toContain("agent-1");
  });

  it("a call refused by an open breaker", async () => {
    const s = await simulator();
    s.inject({ outage: true });
    const g = governor("breaker", {
      retry: false,
      breaker: {
        volumeThreshold: 1,
        errorThresholdPercentage: 50,
        resetTimeoutMs: 60_000,
        waitForProbe: false,
      },
    });
    const call = () =>
      chat(g, { baseUrl: s.url, token: TOKEN, model: MODEL, provider: "together", prompt: "hi" });
    await expect(call()).rejects.toMatchObject({ status: 503 });
    await expect(call()).rejects.toMatchObject({ code: "circuit_open" });

    const spans = exporter.getFinishedSpans();
    expect(spanTree(spans)).toEqual([`chat ${MODEL} [CLIENT]`, "  POST [CLIENT]", `chat ${MODEL} [CLIENT]`]);
    const [opened, refused] = spans.filter((x) => x.name.startsWith("chat"));
    expect(opened?.attributes).toMatchObject({
      "error.type": "503",
      "swarmgate.outcome": "error",
      "swarmgate.attempts": 1,
      "swarmgate.breaker.key": "together",
      "swarmgate.breaker.state": "open",
    });
    // The 503 is counted as it arrives; the breaker then opens as the failed attempt comes back through it.
    expect(eventsOf(opened)).toEqual([
      { name: "swarmgate.throttle", "swarmgate.throttle.source": "server_503", "swarmgate.throttle.wait": 0 },
      {
        name: "swarmgate.breaker.state_change",
        "swarmgate.breaker.key": "together",
        "swarmgate.breaker.previous_state": "closed",
        "swarmgate.breaker.state": "open",
      },
      {
        name: "exception",
        "exception.type": "UpstreamError",
        "exception.message": "HTTP 503 from the router",
        "exception.stacktrace": expect.stringContaining("UpstreamError: HTTP 503 from the router"),
      },
    ]);
    expect(refused?.status.code).toBe(2);
    expect(refused?.attributes).toMatchObject({
      "error.type": "circuit_open",
      "swarmgate.outcome": "circuit_open",
      "swarmgate.attempts": 0,
      "swarmgate.breaker.key": "together",
      "swarmgate.breaker.state": "open",
    });
    expect(eventsOf(refused)).toEqual([
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
    const mine = { "swarmgate.governor": "breaker" };
    expect(
      countOf(m, "swarmgate.requests", { ...mine, "swarmgate.outcome": "error", "error.type": "503" }),
    ).toBe(1);
    expect(
      countOf(m, "swarmgate.requests", {
        ...mine,
        "swarmgate.outcome": "circuit_open",
        "error.type": "circuit_open",
      }),
    ).toBe(1);
    expect(countOf(m, "swarmgate.throttles", { ...mine, "swarmgate.throttle.source": "breaker_open" })).toBe(
      1,
    );
    expect(countOf(m, "swarmgate.breaker.state", { ...mine, "swarmgate.breaker.key": "together" })).toBe(2);
    expect(countOf(m, "http.client.request.duration", mine)).toBe(1);
    expect(countOf(m, "gen_ai.client.token.usage", mine)).toBe(0);
  });

  it("a stream: the call's span lasts until the stream is read", async () => {
    const s = await simulator();
    const g = governor("stream");
    const { text } = await chat(g, {
      baseUrl: s.url,
      token: TOKEN,
      model: MODEL,
      provider: "together",
      prompt: "Tell me a story.",
      stream: true,
    });
    expect(exporter.getFinishedSpans()).toHaveLength(0); // still streaming
    expect(await text).toContain("Simulated reply");

    const spans = exporter.getFinishedSpans();
    expect(spanTree(spans)).toEqual([`chat ${MODEL} [CLIENT]`, "  POST [CLIENT]"]);
    const call = spans.find((x) => x.name.startsWith("chat"));
    const http = spans.find((x) => x.name === "POST");
    expect(call?.attributes).toMatchObject({ "swarmgate.outcome": "success", "swarmgate.attempts": 1 });
    expect(call?.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    expect(http?.attributes["http.response.status_code"]).toBe(200);
    const end = (x: typeof call) => (x ? x.endTime[0] * 1e9 + x.endTime[1] : 0);
    // The SDK anchors each span's start on Date.now() (millisecond resolution), so two spans'
    // end times are comparable to within a millisecond only.
    expect(end(call) + 1e6).toBeGreaterThanOrEqual(end(http));

    const m = await collect();
    const mine = { "swarmgate.governor": "stream", "gen_ai.request.model": MODEL };
    expect(countOf(m, "gen_ai.client.operation.time_to_first_chunk", mine)).toBe(1);
    expect(sumOf(m, "gen_ai.client.operation.time_to_first_chunk", mine)).toBeLessThanOrEqual(
      sumOf(m, "gen_ai.client.operation.duration", mine),
    );
    expect(sumOf(m, "gen_ai.client.token.usage", { ...mine, "gen_ai.token.type": "output" })).toBe(
      call?.attributes["gen_ai.usage.output_tokens"],
    );
  });

  it("governedFetch: the answer's id, finish reasons and model, the output limit and the server", async () => {
    const s = await simulator();
    const g = governor("fetch");
    const f = governedFetch(g, { baseUrl: s.url });
    const post = (body: object) =>
      f("https://router.huggingface.co/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: `${MODEL}:together`,
          messages: [{ role: "user", content: "hi" }],
          ...body,
        }),
      });
    const json = (await (await post({ max_tokens: 16 })).json()) as {
      id: string;
      choices: { finish_reason: string }[];
    };
    const streamed = await (await post({ max_tokens: 8, stream: true })).text();
    expect(streamed).toContain("data:");

    const host = new URL(s.url);
    const server = { "server.address": host.hostname, "server.port": Number(host.port) };
    const [plain, stream] = exporter.getFinishedSpans().filter((x) => x.name.startsWith("chat"));
    expect(plain?.attributes).toMatchObject({
      ...server,
      "gen_ai.request.max_tokens": 16,
      "gen_ai.response.id": json.id,
      "gen_ai.response.model": MODEL,
      "gen_ai.response.finish_reasons": json.choices.map((c) => c.finish_reason),
    });
    expect(json.id).toMatch(/^chatcmpl-/);
    // The stream's chunks say the same: its id, and the finish reason of its last chunk.
    expect(stream?.attributes).toMatchObject({
      ...server,
      "gen_ai.request.max_tokens": 8,
      "gen_ai.response.id": expect.stringMatching(/^chatcmpl-/),
      "gen_ai.response.finish_reasons": [expect.stringMatching(/^(stop|length)$/)],
    });

    const m = await collect();
    const mine = { "swarmgate.governor": "fetch", ...server };
    expect(countOf(m, "gen_ai.client.operation.duration", mine)).toBe(2);
    expect(countOf(m, "gen_ai.client.token.usage", { ...mine, "gen_ai.token.type": "output" })).toBe(2);
  });
});
