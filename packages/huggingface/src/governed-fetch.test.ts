import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createGovernor, type Governor, type GovernorOptions, isCircuitOpenError } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { governedFetch } from "./governed-fetch.js";
import { runGoverned } from "./run-governed.js";

const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
const ROUTER = "https://router.huggingface.co/v1/chat/completions";
let sim: Simulator;
const governors: Governor[] = [];

function governor(options: GovernorOptions = {}) {
  const g = createGovernor({ retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...options });
  governors.push(g);
  return g;
}

const chat = (content: string, extra: Record<string, unknown> = {}, token = "hf_test_pro") => ({
  method: "POST",
  headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
  body: JSON.stringify({ model: LLAMA, messages: [{ role: "user", content }], ...extra }),
});

beforeAll(async () => {
  sim = await startSimulator({
    latency: false,
    coldStart: { mode: "loading", durationMs: 40 },
    spike: false,
    tokensPerSecond: 2_000,
    quotas: { free: { inference: 2 } },
    // Invented, on purpose: one test checks that the final 429 reaches the caller with its
    // headers intact, which needs the simulator's (undocumented) "inference" RateLimit headers.
    inferenceRateLimitHeaders: true,
  });
});
afterEach(async () => {
  for (const g of governors.splice(0)) await g.close();
});
afterAll(() => sim.close());

describe("governedFetch", () => {
  it("is a fetch: one governed call per request, usage and cost accounted", async () => {
    const g = governor();
    const f = governedFetch(g, { baseUrl: sim.url });
    const response = await f(ROUTER, chat("Hello"));
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message
        .content,
    ).toContain("Hello");
    const stats = g.stats();
    expect(stats.outcomes.success).toBe(1);
    expect(stats.creditsSpentUsd).toBeGreaterThan(0);
    // A Request object works too, and so does a URL that is already the base's.
    const viaRequest = await f(new Request(`${sim.url}/v1/chat/completions`, chat("Again")));
    expect(viaRequest.ok).toBe(true);
  });

  it("reads a JSON answer once: the same bytes, status, headers and URL; a body cut short is retried", async () => {
    const answer = JSON.stringify({ model: LLAMA, usage: { prompt_tokens: 3, completion_tokens: 4 } });
    let requests = 0;
    // A real server whose first answer promises the whole body, sends half and drops the socket.
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": String(answer.length),
        "x-request-id": `r${requests}`,
      });
      if (requests === 1) {
        res.write(answer.slice(0, 10));
        setTimeout(() => res.socket?.destroy(), 5);
      } else res.end(answer);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const g = governor();
      const response = await governedFetch(g, { baseUrl: base })(ROUTER, chat("Hello"));
      expect(requests).toBe(2);
      expect(response.status).toBe(200);
      expect(response.headers.get("x-request-id")).toBe("r2");
      expect(response.url).toBe(`${base}/v1/chat/completions`);
      expect(await response.text()).toBe(answer);
      expect(g.stats().retries.network).toBe(1);
      expect(g.stats().outcomes.success).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("returns the final non-OK answer as a Response after the governor's retries", async () => {
    // The window's reset (minutes away) is scaled down to nothing, so the retries do not wait.
    const g = governor({
      retry: { maxAttempts: 3, maxThrottledAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      headerTimeScale: 1_000_000,
    });
    const f = governedFetch(g, { baseUrl: sim.url });
    const missing = await f(ROUTER, {
      ...chat("x"),
      body: JSON.stringify({ model: "no/such", messages: [] }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toHaveProperty("error");
    // hf_test_free may send 2 requests per window: the third gets 429s until the retries run out.
    for (let i = 0; i < 2; i++) await f(ROUTER, chat("spend", {}, "hf_test_free"));
    const limited = await f(ROUTER, chat("limited", {}, "hf_test_free"));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("ratelimit")).toMatch(/"inference";r=0/);
    expect(g.stats().retries.rate_limited).toBe(2);
  });

  it("throws the governor's own refusals, such as an open circuit", async () => {
    const g = governor({
      retry: false,
      breaker: {
        volumeThreshold: 1,
        errorThresholdPercentage: 1,
        resetTimeoutMs: 60_000,
        rollingWindowMs: 10_000,
        waitForProbe: false,
      },
    });
    const f = governedFetch(g, { baseUrl: sim.url });
    sim.inject({ outage: true });
    try {
      expect((await f(ROUTER, chat("down"))).status).toBe(503);
      const refused = await f(ROUTER, chat("down")).catch((e) => e);
      expect(isCircuitOpenError(refused)).toBe(true);
    } finally {
      sim.inject({ outage: false });
    }
  });

  it("retries a cold start's 503 after a pause instead of the client's immediate loop", async () => {
    sim.reset();
    // The model loads in 40 ms: backoff near its ceiling (20, 40, 80 ms…) outlasts that
    // within the attempts, whatever the machine's load.
    const g = governor({ retry: { maxAttempts: 8, baseDelayMs: 20, maxDelayMs: 100, random: () => 0.999 } });
    const f = governedFetch(g, { baseUrl: sim.url });
    const url = "https://router.huggingface.co/hf-inference/models/openai-community/gpt2";
    const response = await f(url, { ...chat(""), body: JSON.stringify({ inputs: "Once upon a time" }) });
    expect(response.status).toBe(200);
    // "Model … is currently loading": a wait, not an overload nor a breaker failure.
    expect(g.stats().retries.loading).toBeGreaterThanOrEqual(1);
    expect(g.stats().retries.overloaded).toBeUndefined();
    expect(g.stats().outcomes.success).toBe(1);
  });

  it("holds the slot while a stream is read and frees it when the body is cancelled midway", async () => {
    const g = governor({ concurrency: { initial: 1, max: 1, rampMs: 0 } });
    const f = governedFetch(g, { baseUrl: sim.url });
    const full = await f(ROUTER, chat("Stream it all", { stream: true }));
    expect(g.stats().concurrency?.inFlight).toBe(1);
    expect(await full.text()).toContain("[DONE]");
    expect(g.stats().concurrency?.inFlight).toBe(0);
    expect(g.stats().creditsSpentUsd).toBeGreaterThan(0);

    const partial = await f(ROUTER, chat("A long answer, please. ".repeat(20), { stream: true }));
    const reader = partial.body!.getReader();
    await reader.read();
    expect(g.stats().concurrency?.inFlight).toBe(1);
    await reader.cancel();
    expect(g.stats().concurrency?.inFlight).toBe(0);
    expect(g.stats().calls.inFlight).toBe(0);
  });

  it("joins the caller's call inside runGoverned instead of starting its own", async () => {
    const g = governor({ concurrency: { initial: 1, max: 1, rampMs: 0 } });
    const f = governedFetch(g, { baseUrl: sim.url });
    const text = await runGoverned(g, async () => (await f(ROUTER, chat("joined"))).text(), { model: LLAMA });
    expect(text).toContain("joined");
    expect(g.stats().calls.started).toBe(1);
  });

  it("rejects bad options with a TypeError", () => {
    const g = governor();
    expect(() => governedFetch({} as never)).toThrow(/Expected `governor` to be a Governor/);
    expect(() => governedFetch(g, { fetch: 42 as never })).toThrow(/Expected `fetch` to be a function/);
    expect(() => governedFetch(g, { governorFor: "acme" as never })).toThrow(TypeError);
  });
});
