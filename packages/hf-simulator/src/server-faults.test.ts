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
const EMBED = "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2";
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("cold starts", () => {
  it("answers hf-inference's 503 'currently loading' with the remaining estimated_time", async () => {
    const clock = fakeClock();
    sim = await startSimulator({
      ...FAST,
      clock,
      coldStart: { mode: "loading", durationMs: 20_000, idleMs: 600_000 },
    });
    const first = await call(sim.url, EMBED, { body: { inputs: "hello" } });
    expect(first.status).toBe(503);
    expect(first.body).toEqual({
      error: "Model sentence-transformers/all-MiniLM-L6-v2 is currently loading",
      estimated_time: 20,
    });
    clock.advance(12_500);
    expect((await call(sim.url, EMBED, { body: { inputs: "hello" } })).body.estimated_time).toBe(7.5);
    clock.advance(7_500);
    expect((await call(sim.url, EMBED, { body: { inputs: "hello" } })).status).toBe(200);
    // Idle past idleMs: cold again.
    clock.advance(600_001);
    expect((await call(sim.url, EMBED, { body: { inputs: "hello" } })).status).toBe(503);
    expect(sim.stats().tokens["hf_…_pro"]?.buckets.inference?.rejected503).toBe(3);
  });

  it("in delay mode makes the first call wait for the load instead of failing", async () => {
    sim = await startSimulator({
      ...FAST,
      timeScale: 1_000_000,
      coldStart: { mode: "delay", durationMs: 20_000 },
    });
    expect((await call(sim.url, EMBED, { body: { inputs: "hello" } })).status).toBe(200);
    expect(sim.stats().tokens["hf_…_pro"]?.buckets.inference?.rejected503).toBe(0);
  });

  it("does not cold-start routed providers", async () => {
    sim = await startSimulator({ ...FAST, coldStart: { mode: "loading" } });
    expect((await call(sim.url, "/v1/chat/completions", { body: chat() })).status).toBe(200);
  });
});

describe("outages and injected errors", () => {
  it("fails everything during a scheduled outage window", async () => {
    const clock = fakeClock();
    sim = await startSimulator({
      ...FAST,
      clock,
      faults: { outages: [{ startMs: 10_000, endMs: 20_000, status: 500 }] },
    });
    expect((await call(sim.url, "/v1/chat/completions", { body: chat() })).status).toBe(200);
    clock.advance(10_000);
    const down = await call(sim.url, "/v1/chat/completions", { body: chat() });
    expect(down.status).toBe(500);
    expect(down.body.error.type).toBe("server_error");
    clock.advance(10_000);
    expect((await call(sim.url, "/v1/chat/completions", { body: chat() })).status).toBe(200);
    expect(sim.stats().tokens["hf_…_pro"]?.buckets.inference?.errors5xx).toBe(1);
  });

  it("switches an outage on and off at runtime, by API and by admin endpoint", async () => {
    sim = await startSimulator(FAST);
    sim.inject({ outage: true });
    expect((await call(sim.url, "/v1/chat/completions", { body: chat() })).status).toBe(503);
    sim.inject({ outage: false });
    expect((await call(sim.url, "/v1/chat/completions", { body: chat() })).status).toBe(200);
    expect((await call(sim.url, "/__sim/faults", { body: { outage: { status: 502 } } })).status).toBe(200);
    expect((await call(sim.url, "/v1/chat/completions", { body: chat() })).status).toBe(502);
    await call(sim.url, "/__sim/faults", { body: { outage: false } });
    expect((await call(sim.url, "/v1/chat/completions", { body: chat() })).status).toBe(200);
    expect((await call(sim.url, "/__sim/faults", { body: { errorRate: 3 } })).status).toBe(400);
    expect(() => sim?.inject({ dropRate: -1 })).toThrow(TypeError);
  });

  it("injects 5xx errors at the configured rate", async () => {
    sim = await startSimulator({ ...FAST, faults: { errorRate: 1, errorStatus: 502 } });
    const answer = await call(sim.url, EMBED, { body: { inputs: "x" } });
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual({ error: "Internal Server Error" });
  });
});

describe("dropped connections", () => {
  it("cuts a JSON answer mid-body", async () => {
    sim = await startSimulator({ ...FAST, faults: { dropRate: 1 } });
    await expect(call(sim.url, "/v1/chat/completions", { body: chat() })).rejects.toThrow();
    expect(sim.stats().tokens["hf_…_pro"]?.buckets.inference?.dropped).toBe(1);
    expect(sim.stats().tokens["hf_…_pro"]?.inFlight).toBe(0);
  });

  it("cuts a stream mid-way", async () => {
    sim = await startSimulator({ ...FAST, faults: { dropRate: 1 } });
    const response = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer hf_test_pro", "content-type": "application/json" },
      body: JSON.stringify(chat(undefined, "a long enough message to stream", { stream: true })),
    });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});

describe("determinism", () => {
  const run = async (seed: number) => {
    const s = await startSimulator({ ...FAST, seed, clock: fakeClock(), faults: { errorRate: 0.5 } });
    const answers: string[] = [];
    for (let i = 0; i < 12; i++) {
      const a = await call(s.url, "/v1/chat/completions", { body: chat() });
      answers.push(a.status === 200 ? a.body.id : String(a.status));
    }
    await s.close();
    return answers;
  };

  it("replays the same run for the same seed and a different one for another seed", async () => {
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(a).toContain("500");
    expect(a.some((x) => x.startsWith("chatcmpl-"))).toBe(true);
    expect(await run(8)).not.toEqual(a);
  });

  it("draws latency from the seeded RNG (slow responses and jitter) without real waits at huge timeScale", async () => {
    sim = await startSimulator({
      ...FAST,
      timeScale: 1_000_000,
      latency: { baseMs: 200, jitter: 0.5 },
      faults: { slowRate: 0.5, slowMs: 30_000 },
    });
    expect((await call(sim.url, "/v1/chat/completions", { body: chat() })).status).toBe(200);
  });
});
