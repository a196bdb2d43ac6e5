import { createGovernor, type Governor } from "@swarmgate/core";
import { afterAll, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "./redis-store.js";
import { deleteKeys, SHARED_REDIS_URL, uniquePrefix } from "./test-support.js";

const stores: RedisStore[] = [];
const governors: Governor[] = [];
afterAll(async () => {
  await Promise.all(governors.map((g) => g.close()));
  await Promise.all(
    stores.map(async (s) => {
      await s.close();
    }),
  );
});

// Callers wait for permits that Redis decides in batches (32 waiters per round trip): the
// queue's order must survive the batching, refusals put back in place.
describe("queue kinds over redisStore", () => {
  for (const queue of ["priority", "fair-share"] as const)
    it(`${queue}: admits in queue order under a binding shared window`, async () => {
      const prefix = uniquePrefix(`queue-${queue}`);
      const store = redisStore({ url: SHARED_REDIS_URL, prefix, logger: () => {} });
      stores.push(store);
      const governor = createGovernor({
        name: "queues",
        store,
        queue,
        retry: false,
        breaker: false,
        concurrency: false,
        quotas: { inference: [{ limit: 5, windowMs: 400 }] },
      });
      governors.push(governor);
      const admitted: string[] = [];
      const run = (agent: string, priority: number) =>
        governor.run(() => admitted.push(`${agent}:${priority}`), { agent, priority });
      // The first window goes to the first five; everyone after them waits.
      await Promise.all(Array.from({ length: 5 }, () => run("warm", 0)));
      const calls = [
        ...Array.from({ length: 12 }, () => run("chatty", 0)),
        ...Array.from({ length: 3 }, (_, i) => run(`quiet-${i}`, 1)),
      ];
      await Promise.all(calls);
      await deleteKeys(prefix);
      const after = admitted.slice(5);
      expect(after).toHaveLength(15);
      if (queue === "priority") expect(after.slice(0, 3)).toEqual(["quiet-0:1", "quiet-1:1", "quiet-2:1"]);
      else {
        // Round-robin: the quiet agents (one call each) all go within the first rotation.
        const lastQuiet = Math.max(...after.map((a, i) => (a.startsWith("quiet") ? i : -1)));
        expect(lastQuiet).toBeLessThanOrEqual(6);
      }
    });
});
