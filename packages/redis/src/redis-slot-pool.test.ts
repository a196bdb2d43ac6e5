import { afterAll, describe, expect, it } from "vitest";
import { type RedisStore, redisStore } from "./redis-store.js";
import { deleteKeys, eventually, SHARED_REDIS_URL, sleep, uniquePrefix } from "./test-support.js";

const stores: RedisStore[] = [];
const prefixes: string[] = [];

function open(prefix: string, leaseTtlMs = 30_000, heartbeatMs?: number): RedisStore {
  prefixes.push(prefix);
  const store = redisStore({ url: SHARED_REDIS_URL, prefix, leaseTtlMs, heartbeatMs, logger: () => {} });
  stores.push(store);
  return store;
}

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(prefixes.map((p) => deleteKeys(p)));
});

describe("RedisSlotPool", () => {
  it("holds at most `limit` leases across stores and frees one on release", async () => {
    const prefix = uniquePrefix("slots");
    const [a, b] = [open(prefix).slots("scope"), open(prefix).slots("scope")];
    const leases = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).tryAcquire(4, Date.now())),
    );
    expect(leases.filter((l) => l !== undefined)).toHaveLength(4);
    expect(a.inFlight() + b.inFlight()).toBe(4);
    expect(await a.tryAcquire(4, Date.now())).toBeUndefined();
    // Odd indexes went through `a`: release one of its leases, twice (harmless).
    const mine =
      leases.find((l, i) => i % 2 === 1 && l !== undefined) ?? leases.find((l) => l !== undefined)!;
    const owner = leases.indexOf(mine) % 2 === 1 ? a : b;
    await owner.release(mine);
    await owner.release(mine);
    expect(await b.tryAcquire(4, Date.now())).toBeDefined();
  });

  it("frees the slots of a store that vanished without releasing, after the lease TTL", async () => {
    const prefix = uniquePrefix("expire");
    const crashed = open(prefix, 300);
    const pool = crashed.slots("scope");
    expect(await pool.tryAcquire(2, Date.now())).toBeDefined();
    expect(await pool.tryAcquire(2, Date.now())).toBeDefined();
    // Simulate a crash: the connection drops, nothing is released, no heartbeat renews.
    crashed.client.disconnect();
    const other = open(prefix, 300).slots("scope");
    expect(await other.tryAcquire(2, Date.now())).toBeUndefined();
    expect(await eventually(async () => (await other.tryAcquire(2, Date.now())) !== undefined, 5_000)).toBe(
      true,
    );
  });

  it("keeps a long call's lease alive with the heartbeat", async () => {
    const prefix = uniquePrefix("heartbeat");
    const pool = open(prefix, 300, 50).slots("scope");
    const lease = await pool.tryAcquire(1, Date.now());
    expect(lease).toBeDefined();
    await sleep(900); // three TTLs
    const other = open(prefix, 300, 50).slots("scope");
    expect(await other.tryAcquire(1, Date.now())).toBeUndefined();
    await pool.release(lease!);
    expect(await other.tryAcquire(1, Date.now())).toBeDefined();
  });
});
