import { createGovernor, type Governor, isCircuitOpenError, UpstreamError } from "@swarmgate/core";
import { afterAll, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "./redis-store.js";
import { deleteKeys, eventually, SHARED_REDIS_URL, uniquePrefix } from "./test-support.js";

const stores: RedisStore[] = [];
const governors: Governor[] = [];
const prefix = uniquePrefix("governor-breaker");

afterAll(async () => {
  await Promise.all(governors.map((g) => g.close()));
  await Promise.all(stores.map((s) => s.close()));
  await deleteKeys(prefix);
});

// Two governors with their own Redis connections: two processes of one swarm, as far as the
// breaker can tell.
function processOfTheSwarm(name: string): Governor {
  const store = redisStore({ url: SHARED_REDIS_URL, prefix, logger: () => {} });
  stores.push(store);
  const governor = createGovernor({
    name,
    scope: "org",
    store,
    retry: false,
    concurrency: false,
    breaker: {
      volumeThreshold: 3,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 600,
      rollingWindowMs: 10_000,
      waitForProbe: false,
    },
  });
  governors.push(governor);
  return governor;
}

describe("a breaker shared through Redis", () => {
  it("opened by one process fails fast in the others, and one probe closes it for all", async () => {
    const a = processOfTheSwarm("a");
    const b = processOfTheSwarm("b");
    const info = { provider: "together" } as const;
    for (let i = 0; i < 4; i++)
      await a.run(async () => Promise.reject(new UpstreamError("down", 502)), info).catch(() => {});
    expect(a.stats().breakers.together).toBe("open");

    let sentByB = 0;
    const refused = await b
      .run(async () => {
        sentByB++;
      }, info)
      .catch((e: unknown) => e);
    expect(isCircuitOpenError(refused)).toBe(true);
    expect(sentByB).toBe(0);

    // After the open period, b's probe goes through and closes the breaker everywhere.
    // Fails fast until the open period is over, then one probe goes through.
    const probed = await eventually(async () => {
      const outcome = await b.run(async () => "probe", info).catch((e: unknown) => e);
      if (outcome !== "probe" && !isCircuitOpenError(outcome)) throw outcome;
      return outcome === "probe";
    }, 5_000);
    expect(probed).toBe(true);
    expect(await stores[0]!.breaker("org", "together").openUntil(Date.now())).toBe(0);
    const closedForA = await eventually(async () => {
      const outcome = await a.run(async () => "through", info).catch((e: unknown) => e);
      return outcome === "through";
    }, 5_000);
    expect(closedForA).toBe(true);
  });
});
