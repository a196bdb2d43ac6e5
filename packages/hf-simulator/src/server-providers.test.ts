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
const LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
const ROUTER = "/v1/chat/completions";
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("provider routing over HTTP", () => {
  it("serves the default and :auto from the fastest provider and names it in x-inference-provider", async () => {
    sim = await startSimulator(FAST);
    for (const model of [LLAMA, `${LLAMA}:auto`, `${LLAMA}:fastest`])
      expect((await call(sim.url, ROUTER, { body: chat(model) })).headers.get("x-inference-provider")).toBe(
        "cerebras",
      );
    const cheapest = await call(sim.url, ROUTER, { body: chat(`${LLAMA}:cheapest`) });
    expect(cheapest.headers.get("x-inference-provider")).toBe("novita");
  });

  it("follows a token's own provider order for :preferred, else the simulator's", async () => {
    sim = await startSimulator({
      ...FAST,
      preferredProviders: ["novita"],
      tokens: {
        hf_me: { tier: "pro", preferredProviders: ["together", "cerebras"] },
        hf_other: { tier: "pro" },
      },
    });
    const mine = await call(sim.url, ROUTER, { token: "hf_me", body: chat(`${LLAMA}:preferred`) });
    expect(mine.headers.get("x-inference-provider")).toBe("together");
    const other = await call(sim.url, ROUTER, { token: "hf_other", body: chat(`${LLAMA}:preferred`) });
    expect(other.headers.get("x-inference-provider")).toBe("novita");
  });

  it("fails over when a provider is flagged unavailable, and answers 503 for it when pinned", async () => {
    sim = await startSimulator({ ...FAST, providers: { cerebras: { available: false } } });
    const auto = await call(sim.url, ROUTER, { body: chat() });
    expect(auto.status).toBe(200);
    expect(auto.headers.get("x-inference-provider")).toBe("together");
    sim.inject({ providers: { together: false } });
    expect((await call(sim.url, ROUTER, { body: chat() })).headers.get("x-inference-provider")).toBe(
      "novita",
    );
    const pinned = await call(sim.url, "/together/v1/chat/completions", { body: chat() });
    expect(pinned.status).toBe(503);
    expect(pinned.body.error.code).toBe("provider_unavailable");
    sim.inject({ providers: { novita: false } });
    expect((await call(sim.url, ROUTER, { body: chat() })).status).toBe(503);
    expect(() => sim?.inject({ providers: { novita: "no" as never } })).toThrow(TypeError);
  });
});

describe("provider limits", () => {
  it("refuses past a request limit with a bare 429 by default, from all tokens together", async () => {
    sim = await startSimulator({ ...FAST, providers: { cerebras: { requestsPerWindow: 1 } } });
    expect((await call(sim.url, ROUTER, { body: chat() })).status).toBe(200);
    const refused = await call(sim.url, ROUTER, { token: "hf_test_free", body: chat() });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("dynamic_request_limited");
    expect(refused.body.error.message).not.toMatch(/try again/);
    for (const name of [
      "ratelimit",
      "retry-after",
      "x-ratelimit-remaining-requests",
      "x-ratelimit-remaining",
    ])
      expect(refused.headers.get(name)).toBeNull();
    expect(refused.headers.get("x-inference-provider")).toBe("cerebras");
    expect((await call(sim.url, ROUTER, { body: chat(`${LLAMA}:novita`) })).status).toBe(200);
    expect(sim.stats().providers).toEqual({ cerebras: { rejected429: 1 } });
  });

  it("limits tokens per window with OpenAI-style headers, duration resets and a body hint", async () => {
    const clock = fakeClock();
    sim = await startSimulator({
      ...FAST,
      clock,
      providers: {
        cerebras: { tokensPerWindow: 60, requestsPerWindow: 100, headers: "openai", bodyHint: true },
      },
    });
    // "Hello there" is 3 + 4 prompt tokens; the reply has 20 completion tokens: 27 a call.
    const first = await call(sim.url, ROUTER, { body: chat() });
    expect(first.body.usage.total_tokens).toBe(27);
    expect(first.headers.get("x-ratelimit-limit-tokens")).toBe("60");
    expect(first.headers.get("x-ratelimit-remaining-tokens")).toBe("33");
    expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("99");
    expect(first.headers.get("x-ratelimit-reset-tokens")).toBe("1m0s");
    clock.advance(11_455);
    expect((await call(sim.url, ROUTER, { body: chat() })).status).toBe(200);
    clock.advance(40_000);
    const refused = await call(sim.url, ROUTER, { body: chat() });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("dynamic_token_limited");
    expect(refused.body.error.message).toMatch(
      /Limit 60, Used 54, Requested 27\. Please try again in 8\.545s\.$/,
    );
    expect(refused.headers.get("x-ratelimit-remaining-tokens")).toBe("6");
    expect(refused.headers.get("x-ratelimit-reset-tokens")).toBe("8.545s");
    clock.advance(8_545);
    expect((await call(sim.url, ROUTER, { body: chat() })).status).toBe(200);
  });

  it("sends Together-style headers", async () => {
    sim = await startSimulator({
      ...FAST,
      clock: fakeClock(),
      providers: { together: { requestsPerWindow: 5, tokensPerWindow: 1000, headers: "together" } },
    });
    const ok = await call(sim.url, "/together/v1/chat/completions", { body: chat() });
    expect(ok.headers.get("x-ratelimit-limit")).toBe("5");
    expect(ok.headers.get("x-ratelimit-remaining")).toBe("4");
    expect(ok.headers.get("x-ratelimit-reset")).toBe("60");
    expect(ok.headers.get("x-tokenlimit-limit")).toBe("1000");
    expect(ok.headers.get("x-tokenlimit-remaining")).toBe("973");
  });

  it("answers a configured share of its 429s with no header and no hint", async () => {
    sim = await startSimulator({
      ...FAST,
      seed: 4,
      providers: {
        cerebras: { requestsPerWindow: 0, headers: "openai", bodyHint: true, headerlessShare: 0.5 },
      },
    });
    const refused = [];
    for (let i = 0; i < 40; i++) refused.push(await call(sim.url, ROUTER, { body: chat() }));
    const bare = refused.filter((a) => a.headers.get("x-ratelimit-limit-requests") === null);
    expect(refused.every((a) => a.status === 429)).toBe(true);
    expect(bare.length).toBeGreaterThan(5);
    expect(bare.length).toBeLessThan(35);
    for (const a of bare) expect(a.body.error.message).not.toMatch(/try again/);
    for (const a of refused.filter((x) => !bare.includes(x)))
      expect(a.body.error.message).toMatch(/try again in/);
  });
});
