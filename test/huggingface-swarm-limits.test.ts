// Swarms of 60 agents through the real @huggingface/inference client, governed, against the
// simulator on loopback: a wrong quota learnt from headers, a hidden concurrency cap, a spike.
import { InferenceClient } from "@huggingface/inference";
import { createGovernor, type Governor } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { GovernedInferenceClient } from "@swarmgate/huggingface";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  counts,
  LLAMA,
  quietClientLogs,
  say,
  snapshotAfter,
  swarm,
  throttledShare,
} from "./huggingface-swarm-support.js";

const AGENTS = 60;
let sim: Simulator | undefined;
let governor: Governor | undefined;

beforeAll(quietClientLogs);
afterEach(async () => {
  await governor?.close();
  await sim?.close();
  governor = undefined;
  sim = undefined;
});

describe("governed swarms against the simulator's limits", () => {
  it("learns the real quota from RateLimit headers within the first window and then stays under 1% 429/503", async () => {
    // A 5-minute window compressed 150×: 2 s of wall time, which the governor runs on.
    const timeScale = 150;
    const windowMs = 300_000 / timeScale;
    sim = await startSimulator({
      timeScale,
      seed: 11,
      coldStart: false,
      spike: false,
      latency: { baseMs: 300, jitter: 0.2 },
      tokensPerSecond: Number.POSITIVE_INFINITY,
      quotas: { free: { inference: 100, api: 50 } },
      // Invented, on purpose: this test shows the governor learning a quota from RateLimit
      // headers, which Hugging Face documents for api/resolvers/pages only. The simulator
      // sends them on inference answers only when asked.
      inferenceRateLimitHeaders: true,
    });
    governor = createGovernor({
      name: "quota-swarm",
      // The simulator speaks in its own compressed seconds.
      headerTimeScale: timeScale,
      // Wrong on purpose: ten times the server's real quota.
      quotas: {
        inference: [{ limit: 1_000, windowMs, smoothing: { burst: 10 } }],
        api: [{ limit: 1_000, windowMs }],
      },
      concurrency: { initial: AGENTS, max: AGENTS, rampMs: 0 },
      retry: { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2_000 },
      totalTimeoutMs: 60_000,
    });
    const hf = new GovernedInferenceClient("hf_test_free", {
      governor,
      baseUrl: sim.url,
    });
    const firstWindow = snapshotAfter(sim, windowMs);
    const result = await swarm(AGENTS, 5, (agent, step) =>
      step % 2 === 0
        ? hf.chatCompletion({ model: LLAMA, messages: say(`agent ${agent} step ${step}`) })
        : hf.chatCompletion({
            model: LLAMA,
            provider: "novita",
            messages: say(`agent ${agent} step ${step}`),
          }),
    );
    const end = counts(sim);
    const after = throttledShare(firstWindow(), end);

    expect(result.settlements).toBe(AGENTS * 5);
    expect(result.rejected).toEqual([]);
    expect(sim.stats().overQuota).toBe(false);
    for (const token of Object.values(sim.stats().tokens))
      for (const bucket of Object.values(token.buckets)) expect(bucket?.overQuota).toBe(false);
    const learnt = (await governor.snapshot()).windows.inference?.[0];
    expect(learnt?.limit).toBe(100);
    expect(after.requests).toBeGreaterThan(100);
    expect(after.share).toBeLessThan(0.01);
    console.info("quota", { total: end, afterFirstWindow: after });
  });

  it("finds a hidden concurrency cap by AIMD and keeps 503s under 1% after the first window", async () => {
    const timeScale = 100;
    sim = await startSimulator({
      timeScale,
      seed: 12,
      coldStart: false,
      spike: false,
      maxConcurrent: 30,
      quotas: { pro: { inference: 100_000 } },
      latency: { baseMs: 1_000, jitter: 0.2 },
      tokensPerSecond: Number.POSITIVE_INFINITY,
    });
    governor = createGovernor({
      name: "concurrency-swarm",
      // The simulator speaks in its own compressed seconds.
      headerTimeScale: timeScale,
      concurrency: { initial: 4, max: AGENTS, rampMs: 1_000, adaptive: { decrease: 0.7, min: 1 } },
      retry: { maxAttempts: 8, baseDelayMs: 20, maxDelayMs: 500 },
      totalTimeoutMs: 60_000,
    });
    const hf = new GovernedInferenceClient("hf_test_pro", {
      governor,
      baseUrl: sim.url,
    });
    const firstWindow = snapshotAfter(sim, 1_000);
    const result = await swarm(AGENTS, 40, (agent, step) =>
      hf.chatCompletion({ model: LLAMA, messages: say(`agent ${agent} step ${step}`) }),
    );
    const end = counts(sim);
    const after = throttledShare(firstWindow(), end);

    expect(result.settlements).toBe(AGENTS * 40);
    expect(result.rejected).toEqual([]);
    expect(sim.stats().overQuota).toBe(false);
    expect(Object.values(sim.stats().tokens)[0]?.maxInFlight).toBeLessThanOrEqual(30);
    expect(after.requests).toBeGreaterThan(300);
    expect(after.share).toBeLessThan(0.01);
    expect(governor.stats().concurrency?.inFlight).toBe(0);
    console.info("hidden concurrency", { total: end, afterFirstWindow: after });
  });

  it("ramps up so that the spike detector never answers 503 (an ungoverned burst gets hundreds)", async () => {
    const timeScale = 10;
    const options = {
      timeScale,
      seed: 13,
      coldStart: false as const,
      latency: { baseMs: 150, jitter: 0.2 },
      tokensPerSecond: Number.POSITIVE_INFINITY,
    };
    // The same swarm without a governor, for contrast: 60 agents at once meet a baseline of 0.
    const raw = await startSimulator(options);
    const plain = new InferenceClient("hf_test_pro", {
      retry_on_error: false,
      fetch: (input, init) =>
        fetch(String(input).replace(/^https:\/\/router\.huggingface\.co/, raw.url), init),
    });
    await swarm(AGENTS, 1, (agent) =>
      plain.chatCompletion({ model: LLAMA, messages: say(`burst ${agent}`) }),
    );
    const burst = counts(raw);
    await raw.close();
    expect(burst.rejected503).toBeGreaterThan(0);

    sim = await startSimulator(options);
    governor = createGovernor({
      name: "spike-swarm",
      // The simulator speaks in its own compressed seconds.
      headerTimeScale: timeScale,
      // The detector lets a second hold 3 × the mean of the 5 before + 20 arrivals: a linear
      // ramp from 1 over 12 wall s (2 simulated minutes) stays within that for a client that
      // answers each call in 8 ms or more (one from 2 over 3 s needed 19 ms: on the line).
      concurrency: { initial: 1, max: AGENTS, rampMs: 12_000 },
      retry: { maxAttempts: 6, baseDelayMs: 50, maxDelayMs: 1_000 },
      totalTimeoutMs: 60_000,
    });
    const hf = new GovernedInferenceClient("hf_test_pro", {
      governor,
      baseUrl: sim.url,
    });
    const result = await swarm(AGENTS, 8, (agent, step) =>
      hf.chatCompletion({ model: LLAMA, messages: say(`agent ${agent} step ${step}`) }),
    );
    const end = counts(sim);
    expect(result.settlements).toBe(AGENTS * 8);
    expect(result.rejected).toEqual([]);
    expect(sim.stats().overQuota).toBe(false);
    expect(end.rejected503).toBe(0);
    expect(end.rejected429).toBe(0);
    console.info("spike", { ungovernedBurst: burst, governed: end });
  });
});
