// Swarms of 60 agents through the real @huggingface/inference client, governed, against the
// simulator on loopback: an outage, credits running out (402), streams abandoned midway.
import { createGovernor, type Governor, isBudgetExceededError, isCircuitOpenError } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { GovernedInferenceClient, isHuggingFaceApiError } from "@swarmgate/huggingface";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { counts, LLAMA, quietClientLogs, say, swarm } from "./huggingface-swarm-support.js";

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

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A simulator with no limits in the way, and a governor whose breaker opens quickly and
// probes every 200 ms, for the outage swarms.
async function outageSwarm(name: string, seed: number, o: { maxAttempts: number; waitForProbe: boolean }) {
  const timeScale = 100;
  sim = await startSimulator({
    timeScale,
    seed,
    coldStart: false,
    spike: false,
    quotas: { pro: { inference: 100_000 } },
    latency: { baseMs: 500, jitter: 0.2 },
    tokensPerSecond: Number.POSITIVE_INFINITY,
  });
  governor = createGovernor({
    name,
    // The simulator speaks in its own compressed seconds.
    headerTimeScale: timeScale,
    concurrency: { initial: AGENTS, max: AGENTS, rampMs: 0 },
    retry: { maxAttempts: o.maxAttempts, baseDelayMs: 20, maxDelayMs: 200 },
    breaker: {
      errorThresholdPercentage: 50,
      volumeThreshold: 10,
      rollingWindowMs: 1_000,
      resetTimeoutMs: 200,
      waitForProbe: o.waitForProbe,
    },
    totalTimeoutMs: 60_000,
  });
  return { sim, governor, hf: new GovernedInferenceClient("hf_test_pro", { governor, baseUrl: sim.url }) };
}

describe("governed swarms through upstream failures", () => {
  it("opens the breaker in an outage, fails fast (waitForProbe off), and every agent's task completes once it is over", async () => {
    const { sim, governor, hf } = await outageSwarm("outage-swarm", 21, {
      maxAttempts: 4,
      waitForProbe: false,
    });
    // The outage starts after 120 successes and ends 300 ms after the breaker first opens. A call
    // made as it opens is refused at once, without a request; most agents then wait for room in
    // the retry budget, so only a few of their retries meet the open circuit.
    let successes = 0;
    let opened = 0;
    let whileOpen: Promise<string> | undefined;
    governor.on("breaker", ({ state }) => {
      if (state !== "open" || opened++ > 0) return;
      whileOpen = hf.chatCompletion({ model: LLAMA, messages: say("while open") }).then(
        () => "answered",
        (error: unknown) => (isCircuitOpenError(error) ? "circuit_open" : String(error)),
      );
      setTimeout(() => sim?.inject({ outage: false }), 300).unref();
    });
    let failFast = 0;
    let upstream503 = 0;
    // An agent's task: a governed call, done again after the breaker's retryAfterMs when it failed fast.
    const task = async (agent: number, step: number) => {
      for (let tries = 1; ; tries++) {
        try {
          const out = await hf.chatCompletion({ model: LLAMA, messages: say(`agent ${agent} step ${step}`) });
          if (++successes === 120) sim?.inject({ outage: true });
          return out;
        } catch (error) {
          if (isCircuitOpenError(error)) failFast++;
          else if (isHuggingFaceApiError(error) && error.status === 503) upstream503++;
          else throw error;
          if (tries >= 50) throw error;
          await pause(Math.max(20, (error as { retryAfterMs?: number }).retryAfterMs ?? 0));
        }
      }
    };
    const result = await swarm(AGENTS, 6, task);
    const end = counts(sim);

    expect(result.settlements).toBe(AGENTS * 6);
    expect(result.rejected).toEqual([]);
    expect(opened).toBeGreaterThan(0);
    expect(await whileOpen).toBe("circuit_open");
    // The breaker kept the load off the failing upstream: far fewer 503s than callers × attempts.
    expect(end.rejected503).toBeLessThan(AGENTS * 4);
    const stats = governor.stats();
    expect(stats.calls.started).toBe(stats.calls.settled);
    expect(stats.concurrency?.inFlight).toBe(0);
    expect(sim.stats().overQuota).toBe(false);
    console.info("outage", {
      sim: end,
      failFast,
      upstream503,
      outcomes: stats.outcomes,
      breakers: stats.breakers,
    });
  });

  it("waits through an outage for the breaker's probe: no call is lost, no caller loops", async () => {
    // The default breaker: a call waits for the half-open probe instead of failing fast.
    const { sim, governor, hf } = await outageSwarm("outage-wait", 23, {
      maxAttempts: 6,
      waitForProbe: true,
    });
    let successes = 0;
    let opened = 0;
    const states: string[] = [];
    governor.on("breaker", ({ state }) => {
      states.push(state);
      if (state !== "open" || opened++ > 0) return;
      setTimeout(() => sim?.inject({ outage: false }), 300).unref();
    });
    // A plain call per step: nothing to catch, nothing to try again.
    const task = async (agent: number, step: number) => {
      const out = await hf.chatCompletion({ model: LLAMA, messages: say(`agent ${agent} step ${step}`) });
      if (++successes === 120) sim?.inject({ outage: true });
      return out;
    };
    const result = await swarm(AGENTS, 6, task);
    const end = counts(sim);
    expect(result.rejected).toEqual([]);
    expect(result.settlements).toBe(AGENTS * 6);
    expect(opened).toBeGreaterThan(0);
    expect(states).toContain("closed");
    const stats = governor.stats();
    expect(stats.outcomes.success).toBe(AGENTS * 6);
    // Waiting callers sent nothing while the circuit was open: the probes and the attempts
    // in flight when it opened are all the 503s.
    expect(end.rejected503).toBeLessThan(AGENTS * 4);
    expect(stats.calls.started).toBe(stats.calls.settled);
    expect(stats.concurrency?.inFlight).toBe(0);
    console.info("outage, waiting for the probe", {
      sim: end,
      outcomes: stats.outcomes,
      breakers: stats.breakers,
    });
  });

  it("turns 402 into BudgetExceededError without retrying it, then refuses calls before they are sent", async () => {
    sim = await startSimulator({
      timeScale: 100,
      seed: 22,
      coldStart: false,
      spike: false,
      latency: { baseMs: 300, jitter: 0.2 },
      tokensPerSecond: Number.POSITIVE_INFINITY,
      tokens: { hf_test_pro: { tier: "pro", monthlyCreditsUsd: 0.0004 } },
    });
    governor = createGovernor({
      name: "credits-swarm",
      // The simulator speaks in its own compressed seconds.
      headerTimeScale: 100,
      budget: { monthlyUsd: 10 },
      concurrency: { initial: 20, max: 20, rampMs: 0 },
      retry: { maxAttempts: 6, baseDelayMs: 20, maxDelayMs: 200 },
      totalTimeoutMs: 60_000,
    });
    const hf = new GovernedInferenceClient("hf_test_pro", {
      governor,
      baseUrl: sim.url,
    });
    const result = await swarm(AGENTS, 3, (agent, step) =>
      hf.chatCompletion({ model: LLAMA, provider: "together", messages: say(`agent ${agent} step ${step}`) }),
    );
    const end = counts(sim);

    expect(result.settlements).toBe(AGENTS * 3);
    expect(result.fulfilled.length).toBeGreaterThan(0);
    expect(result.rejected.length).toBeGreaterThan(0);
    for (const error of result.rejected) expect(isBudgetExceededError(error)).toBe(true);
    // Each 402 was one attempt of one call, and only calls already in flight met one.
    expect(governor.stats().retries.credits_exhausted ?? 0).toBe(0);
    expect(end.inference).toBe(result.fulfilled.length + end.rejected402);
    expect(end.rejected402).toBeGreaterThan(0);
    expect(end.rejected402).toBeLessThanOrEqual(20);
    expect((await governor.snapshot()).credits?.remainingUsd).toBe(0);
    console.info("402", { sim: end, served: result.fulfilled.length, refused: result.rejected.length });
  });

  it("frees every slot of streams abandoned midway (break, return, throw), here and on the server", async () => {
    const timeScale = 10;
    sim = await startSimulator({
      timeScale,
      seed: 23,
      coldStart: false,
      spike: false,
      quotas: { pro: { inference: 100_000 } },
      latency: { baseMs: 100, jitter: 0.2 },
      tokensPerSecond: 400,
    });
    governor = createGovernor({
      name: "stream-swarm",
      // The simulator speaks in its own compressed seconds.
      headerTimeScale: timeScale,
      concurrency: { initial: 40, max: 40, rampMs: 0 },
      retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200 },
      totalTimeoutMs: 60_000,
    });
    const hf = new GovernedInferenceClient("hf_test_pro", {
      governor,
      baseUrl: sim.url,
    });
    const long = "Tell me everything about quotas and windows and ramps and breakers. ".repeat(4);
    let chunks = 0;
    const result = await swarm(AGENTS, 3, async (agent, step) => {
      const stream = hf.chatCompletionStream({ model: LLAMA, messages: say(`${agent}/${step}: ${long}`) });
      const mode = (agent + step) % 4;
      let n = 0;
      try {
        for await (const chunk of stream) {
          chunks++;
          if (chunk.choices[0]?.delta && ++n === 3) {
            if (mode === 0) break;
            if (mode === 1) await stream.return(undefined);
            if (mode === 2) throw new Error("agent gave up");
          }
        }
      } catch (error) {
        if (!(error instanceof Error && error.message === "agent gave up")) throw error;
      }
      return mode === 3 ? "completed" : "abandoned";
    });

    expect(result.settlements).toBe(AGENTS * 3);
    expect(result.rejected).toEqual([]);
    expect(result.fulfilled.filter((r) => r === "abandoned")).toHaveLength(135);
    const stats = governor.stats();
    expect(stats.concurrency?.inFlight).toBe(0);
    expect(stats.calls.inFlight).toBe(0);
    expect(stats.calls.started).toBe(AGENTS * 3);
    expect(stats.creditsSpentUsd).toBeGreaterThan(0);
    // The abandoned transfers were cut: the simulator frees its slots too.
    await vi.waitFor(() => expect(sim?.stats().tokens["hf_…_pro"]?.inFlight).toBe(0), { timeout: 5_000 });
    console.info("streams", {
      chunks,
      sim: counts(sim),
      maxInFlight: sim.stats().tokens["hf_…_pro"]?.maxInFlight,
    });
  });
});
