import type { SharedBreaker } from "@swarmgate/core";
import { afterAll, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "./redis-store.js";
import { deleteKeys, eventually, SHARED_REDIS_URL, uniquePrefix } from "./test-support.js";

const stores: RedisStore[] = [];
const prefixes: string[] = [];

function open(prefix: string): RedisStore {
  prefixes.push(prefix);
  const store = redisStore({ url: SHARED_REDIS_URL, prefix, probeLockMs: 5_000, logger: () => {} });
  stores.push(store);
  return store;
}

const breaker = (prefix: string) => open(prefix).breaker("org", "router");

/**
 * Waits until the open period is over on Redis's clock: its end, converted to ours with the
 * instant we pass, is not after that same instant (`until <= Redis's now`). Comparing with a
 * later `Date.now()` would accept an end up to one round trip ahead of Redis, where every
 * probe is still refused.
 */
async function halfOpen(b: SharedBreaker): Promise<void> {
  const over = async () => {
    const now = Date.now();
    return (await b.openUntil(now)) <= now;
  };
  expect(await eventually(over, 5_000)).toBe(true);
}

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(prefixes.map((p) => deleteKeys(p)));
});

describe("RedisBreaker", () => {
  it("opens for every process, lets one probe through in half-open, and closes for all", async () => {
    const prefix = uniquePrefix("breaker");
    const [a, b, c] = [breaker(prefix), breaker(prefix), breaker(prefix)];
    expect(await b.openUntil(Date.now())).toBe(0);
    expect(await b.tryProbe(Date.now())).toBe(true); // closed: anyone may call

    const now = Date.now();
    await a.open(now + 300, now);
    const until = await b.openUntil(Date.now());
    expect(until).toBeGreaterThan(Date.now());
    expect(until - now).toBeLessThanOrEqual(1_300); // 300 ms, plus a round trip on a busy machine
    expect(await c.tryProbe(Date.now())).toBe(false); // open

    await halfOpen(c);
    const probes = await Promise.all([a, b, c].map((x) => x.tryProbe(Date.now())));
    expect(probes.filter(Boolean)).toHaveLength(1); // half-open: one probe at a time
    expect(await c.openUntil(Date.now())).toBeGreaterThan(0); // still not closed

    await b.close(Date.now());
    expect(await a.openUntil(Date.now())).toBe(0);
    expect(await c.tryProbe(Date.now())).toBe(true);
  });

  it("re-opening after a failed probe frees the probe lock for the next half-open period", async () => {
    const prefix = uniquePrefix("reopen");
    const [a, b] = [breaker(prefix), breaker(prefix)];
    let now = Date.now();
    await a.open(now + 100, now);
    await halfOpen(a);
    expect(await a.tryProbe(Date.now())).toBe(true);
    now = Date.now();
    await a.open(now + 100, now); // the probe failed
    expect(await b.tryProbe(Date.now())).toBe(false);
    await halfOpen(b);
    expect(await b.tryProbe(Date.now())).toBe(true);
  });

  it("keeps the later end when two processes open it", async () => {
    const prefix = uniquePrefix("later");
    const [a, b] = [breaker(prefix), breaker(prefix)];
    const now = Date.now();
    await a.open(now + 10_000, now);
    await b.open(now + 1_000, now);
    expect(await b.openUntil(Date.now())).toBeGreaterThan(now + 9_000);
  });
});
