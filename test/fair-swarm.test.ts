import { type Simulator, startSimulator } from "@swarmgate/hf-simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSwarm } from "../examples/fair-swarm/swarm.mjs";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 7, latency: false });
});
afterAll(() => sim.close());

// One chatty agent's 40 calls queue first; 8 quiet agents then make 2 calls each, all behind
// a quota of 6 requests per 300 ms: FIFO makes the quiet agents wait for the whole burst.
const swarm = (queue: "fifo" | "priority" | "fair-share") =>
  runSwarm({ url: sim.url, queue, chattyCalls: 40, quietAgents: 8, quietCalls: 2, limit: 6, windowMs: 300 });

describe("examples/fair-swarm against the simulator", () => {
  it("fair share and priority serve the quiet agents long before FIFO, with no call lost", async () => {
    const fifo = await swarm("fifo");
    const fair = await swarm("fair-share");
    const priority = await swarm("priority");
    for (const r of [fifo, fair, priority]) {
      expect(r.failed).toBe(0);
      expect(r.succeeded).toBe(40 + 8 * 2);
      // Weighted permits reconciled with the simulator's usage: what was counted is what was used.
      expect(r.tokensUsed).toBeGreaterThan(0);
      expect(r.tokensUsed).toBeLessThan(r.tokensEstimated);
    }
    // FIFO: the quiet agents' first calls wait for the 40-call burst (≥ 6 windows of 300 ms).
    expect(fifo.quietMaxMs).toBeGreaterThan(1_500);
    expect(fair.quietDoneMs).toBeLessThan(fifo.quietDoneMs / 2);
    expect(priority.quietDoneMs).toBeLessThan(fifo.quietDoneMs / 2);
  });
});
