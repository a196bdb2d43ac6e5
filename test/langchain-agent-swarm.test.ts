// A swarm of 50 real `createAgent` agents, each running its tool loop (model → tool call →
// tool → model answer) through ChatHuggingFace against the simulator on loopback, inside an
// inference quota smaller than their demand.
import { tool } from "@langchain/core/tools";
import { createGovernor, type Governor, presets } from "@swarmgate/core";
import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { ChatHuggingFace, GovernorCallbackHandler } from "@swarmgate/langchain";
import { createAgent } from "langchain";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { counts, LLAMA, quietClientLogs, swarm, throttledShare } from "./huggingface-swarm-support.js";

const AGENTS = 50;
const TASKS = 2;
// 5 simulated minutes in one wall second: the quota of 60 per window is far below the
// swarm's 200 model calls, which need at least four windows.
const TIME_SCALE = 300;
const QUOTA = 60;

let sim: Simulator | undefined;
let governor: Governor | undefined;

beforeAll(quietClientLogs);
afterEach(async () => {
  await governor?.close();
  await sim?.close();
  governor = undefined;
  sim = undefined;
});

describe("a swarm of createAgent agents through ChatHuggingFace", () => {
  it("finishes every task inside a quota smaller than its demand, no window over quota, under 1% 429/503", async () => {
    sim = await startSimulator({
      timeScale: TIME_SCALE,
      seed: 31,
      coldStart: false,
      quotas: { pro: { inference: QUOTA } },
      // Invented, on purpose: Hugging Face documents RateLimit headers for api/resolvers/pages
      // only. With them the governor's window follows the server's own reset; without them a
      // fixed window of one wall second drifts from the server's on a loaded machine.
      inferenceRateLimitHeaders: true,
    });
    // The preset with the account's inference quota (its PRO guess is 1,500), smoothed to a
    // tenth of the window at once as the preset does. The preset's headerTimeScale reads the
    // simulator's compressed header times.
    const preset = presets.huggingface({ tier: "pro", timeScale: TIME_SCALE });
    governor = createGovernor({
      name: "langchain-swarm",
      ...preset,
      quotas: {
        ...preset.quotas,
        inference: [
          { limit: QUOTA, windowMs: 300_000 / TIME_SCALE, kind: "fixed", smoothing: { burst: QUOTA / 10 } },
        ],
      },
      // The preset scales its 2-minute attempt timeout to 400 ms; a loaded CI machine needs more.
      attemptTimeoutMs: 5_000,
      totalTimeoutMs: 60_000,
    });
    const model = new ChatHuggingFace({ model: LLAMA, governor, apiKey: "hf_test_pro", baseUrl: sim.url });
    let toolCalls = 0;
    const getWeather = tool(
      async ({ city }) => {
        toolCalls++;
        return `Sunny, 21°C in ${city}`;
      },
      {
        name: "get_weather",
        description: "The current weather of a city",
        schema: z.object({ city: z.string().describe("The city") }),
      },
    );
    const agents = Array.from({ length: AGENTS }, (_, i) =>
      createAgent({ model, tools: [getWeather], name: `forecaster-${i}` }),
    );
    const handler = new GovernorCallbackHandler();

    const result = await swarm(AGENTS, TASKS, async (agent, task) => {
      const city = `City${agent}x${task}`;
      const state = await agents[agent]!.invoke(
        { messages: [{ role: "user", content: `What is the weather in ${city}?` }] },
        { callbacks: [handler] },
      );
      return { city, answer: state.messages.at(-1)?.content, messages: state.messages.length };
    });
    const end = counts(sim);
    const share = throttledShare(
      { requests: 0, rejected429: 0, rejected503: 0, rejected402: 0, inference: 0 },
      end,
    );

    const stats = governor.stats();
    console.info("langchain swarm", {
      sim: end,
      share: share.share,
      calls: stats.calls,
      throttles: stats.throttles,
    });
    expect(result.settlements).toBe(AGENTS * TASKS);
    expect(result.rejected).toEqual([]);
    for (const { city, answer, messages } of result.fulfilled) {
      expect(answer).toBe(`Here is what I found: get_weather returned Sunny, 21°C in ${city}.`);
      expect(messages).toBe(4); // user, tool call, tool result, answer
    }
    expect(toolCalls).toBe(AGENTS * TASKS);
    expect(sim.stats().overQuota).toBe(false);
    // Two model calls per task; every extra request would have been a retry.
    expect(end.inference).toBeGreaterThanOrEqual(AGENTS * TASKS * 2);
    expect(share.share).toBeLessThan(0.01);
    expect(stats.calls.started).toBe(stats.calls.settled);
    expect(stats.concurrency?.inFlight).toBe(0);
    expect((await governor.snapshot()).windows.inference?.[0]?.limit).toBe(QUOTA);
    expect(handler.activeRuns).toBe(0);
  }, 60_000);
});
