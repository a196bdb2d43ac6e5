import { afterEach, describe, expect, it } from "vitest";
import type { SimulatorOptions } from "./options.js";
import { type Simulator, startSimulator } from "./server.js";
import { call, chat, fakeClock } from "./test-support.js";

const FAST: SimulatorOptions = {
  latency: false,
  coldStart: false,
  tokensPerSecond: Number.POSITIVE_INFINITY,
  spike: false,
};
const MODEL_INFO = "/api/models/meta-llama/Llama-3.1-8B-Instruct";
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("quota windows over HTTP", () => {
  it("exhausts a fixed window with exact headers, answers 429, and resets after the window", async () => {
    const clock = fakeClock();
    sim = await startSimulator({ ...FAST, clock, quotas: { pro: { api: 3 } } });
    const first = await call(sim.url, MODEL_INFO);
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit")).toBe('"api";r=2;t=300');
    expect(first.headers.get("ratelimit-policy")).toBe('"fixed window";"api";q=3;w=300');
    await call(sim.url, MODEL_INFO);
    await call(sim.url, MODEL_INFO);
    clock.advance(245_000);
    const refused = await call(sim.url, MODEL_INFO);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit")).toBe('"api";r=0;t=55');
    expect(refused.headers.get("ratelimit-policy")).toBe('"fixed window";"api";q=3;w=300');
    // Retry-After is not documented for the Hub: huggingface_hub reads RateLimit's t.
    expect(refused.headers.get("retry-after")).toBeNull();
    expect(refused.body.error).toMatch(/Rate limit reached/);
    clock.advance(55_000);
    const again = await call(sim.url, MODEL_INFO);
    expect(again.status).toBe(200);
    expect(again.headers.get("ratelimit")).toBe('"api";r=2;t=300');
    const stats = sim.stats().tokens["hf_…_pro"]?.buckets.api;
    expect(stats).toMatchObject({ requests: 5, admitted: 4, rejected429: 1, overQuota: false });
    expect(sim.stats().overQuota).toBe(false);
  });

  it("has no inference window and no inference RateLimit headers by default", async () => {
    sim = await startSimulator({ ...FAST, quotas: { free: { api: 1 } } });
    const url = sim.url;
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        call(url, "/v1/chat/completions", { token: "hf_test_free", body: chat() }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    for (const a of answers) {
      expect(a.headers.get("ratelimit")).toBeNull();
      expect(a.headers.get("ratelimit-policy")).toBeNull();
    }
  });

  it("names an opted-in inference window in its headers and uses the router's error shape", async () => {
    sim = await startSimulator({
      ...FAST,
      quotas: { free: { inference: 1 } },
      inferenceRateLimitHeaders: true,
      clock: fakeClock(),
    });
    const ok = await call(sim.url, "/v1/chat/completions", { token: "hf_test_free", body: chat() });
    expect(ok.headers.get("ratelimit")).toBe('"inference";r=0;t=300');
    const refused = await call(sim.url, "/v1/chat/completions", { token: "hf_test_free", body: chat() });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-policy")).toBe('"fixed window";"inference";q=1;w=300');
    expect(refused.body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
  });

  it("sends Retry-After on window 429s only when asked", async () => {
    sim = await startSimulator({
      ...FAST,
      clock: fakeClock(),
      quotas: { pro: { api: 0 } },
      retryAfter: true,
    });
    const refused = await call(sim.url, MODEL_INFO);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("300");
    expect(refused.headers.get("ratelimit")).toBe('"api";r=0;t=300');
  });

  it("counts an opted-in inference window without headers unless they are asked for", async () => {
    sim = await startSimulator({ ...FAST, quotas: { pro: { inference: 1 } } });
    expect((await call(sim.url, "/v1/chat/completions", { body: chat() })).status).toBe(200);
    const refused = await call(sim.url, "/v1/chat/completions", { body: chat() });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit")).toBeNull();
    expect(sim.stats().tokens["hf_…_pro"]?.buckets.inference).toMatchObject({ admitted: 1, rejected429: 1 });
  });

  it("applies per-token quota overrides and keeps tokens apart", async () => {
    sim = await startSimulator({
      ...FAST,
      tokens: {
        hf_alice: { tier: "free", name: "alice", quotas: { api: 1 } },
        hf_bob: { tier: "free", name: "bob" },
      },
    });
    expect((await call(sim.url, MODEL_INFO, { token: "hf_alice" })).status).toBe(200);
    expect((await call(sim.url, MODEL_INFO, { token: "hf_alice" })).status).toBe(429);
    const bob = await call(sim.url, MODEL_INFO, { token: "hf_bob" });
    expect(bob.headers.get("ratelimit-policy")).toBe('"fixed window";"api";q=1000;w=300');
  });

  it("supports rolling windows", async () => {
    const clock = fakeClock();
    sim = await startSimulator({
      ...FAST,
      clock,
      windowMode: "rolling",
      windowMs: 10_000,
      quotas: { pro: { api: 2 } },
    });
    await call(sim.url, MODEL_INFO);
    clock.advance(4_000);
    await call(sim.url, MODEL_INFO);
    clock.advance(2_000);
    const refused = await call(sim.url, MODEL_INFO);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit")).toBe('"api";r=0;t=4');
    expect(refused.headers.get("ratelimit-policy")).toBe('"rolling window";"api";q=2;w=10');
    clock.advance(4_000);
    expect((await call(sim.url, MODEL_INFO)).status).toBe(200);
  });

  it("compresses time with timeScale: a 5-minute window lasts 5 wall seconds at 60×", async () => {
    const clock = fakeClock();
    sim = await startSimulator({ ...FAST, clock, timeScale: 60, quotas: { pro: { api: 1 } } });
    await call(sim.url, MODEL_INFO);
    clock.advance(1_000);
    const refused = await call(sim.url, MODEL_INFO);
    expect(refused.headers.get("ratelimit")).toBe('"api";r=0;t=240');
    clock.advance(4_000);
    expect((await call(sim.url, MODEL_INFO)).status).toBe(200);
  });

  it("counts anonymous Hub calls in their own, smaller bucket", async () => {
    sim = await startSimulator(FAST);
    const anonymous = await call(sim.url, MODEL_INFO, { token: null });
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("ratelimit-policy")).toBe('"fixed window";"api";q=500;w=300');
    expect(sim.stats().tokens.anonymous?.buckets.api?.admitted).toBe(1);
  });

  it("uses the resolvers and pages buckets", async () => {
    sim = await startSimulator(FAST);
    const file = await call(sim.url, "/meta-llama/Llama-3.1-8B-Instruct/resolve/main/config.json");
    expect(file.status).toBe(200);
    expect(file.headers.get("ratelimit-policy")).toBe('"fixed window";"resolvers";q=12000;w=300');
    const anonymous = await call(sim.url, "/openai-community/gpt2/resolve/main/config.json", { token: null });
    expect(anonymous.headers.get("ratelimit-policy")).toBe('"fixed window";"resolvers";q=3000;w=300');
    const page = await call(sim.url, "/meta-llama/Llama-3.1-8B-Instruct");
    expect(page.status).toBe(200);
    expect(page.headers.get("ratelimit")).toBe('"pages";r=399;t=300');
  });
});

describe("concurrency cap", () => {
  it("answers 503 past the hidden cap and reports maxInFlight", async () => {
    // Each admitted call lasts 5 s, far longer than seven loopback requests take to arrive.
    sim = await startSimulator({ ...FAST, latency: { baseMs: 5_000, jitter: 0 }, maxConcurrent: 4 });
    const url = sim.url;
    const answers = await Promise.all(
      Array.from({ length: 7 }, () => call(url, "/v1/chat/completions", { body: chat() })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 503, 503, 503]);
    const refused = answers.find((a) => a.status === 503);
    expect(refused?.body.error.message).toMatch(/too many concurrent requests/);
    const stats = sim.stats().tokens["hf_…_pro"];
    expect(stats?.maxInFlight).toBe(4);
    expect(stats?.inFlight).toBe(0);
    expect(stats?.buckets.inference).toMatchObject({ requests: 7, admitted: 4, rejected503: 3 });
  });
});

describe("spike protection over HTTP", () => {
  it("rejects most of an instant burst but passes a smooth ramp", async () => {
    const clock = fakeClock();
    sim = await startSimulator({ ...FAST, clock, spike: {} });
    const url = sim.url;
    const burst = await Promise.all(
      Array.from({ length: 60 }, () => call(url, "/v1/chat/completions", { body: chat() })),
    );
    expect(burst.filter((a) => a.status === 503)).toHaveLength(40);
    expect(burst.find((a) => a.status === 503)?.body.error.message).toMatch(/spike/);

    sim.reset();
    clock.advance(60_000);
    // Ramp: second s sends 2s+2 requests (up to 40/s) — never a 503.
    const statuses: number[] = [];
    for (let second = 0; second < 20; second++) {
      const answers = await Promise.all(
        Array.from({ length: 2 * second + 2 }, () => call(url, "/v1/chat/completions", { body: chat() })),
      );
      statuses.push(...answers.map((a) => a.status));
      clock.advance(1_000);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
  });
});
